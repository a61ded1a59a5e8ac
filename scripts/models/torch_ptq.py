#!/usr/bin/python3
"""PyTorch's own post-training int8 quantization of the Fashion-MNIST model,
as the yardstick for octet-convert: torch.ao.quantization FX graph mode with
the 'onednn' engine and its default qconfig (per-channel symmetric int8
weights, histogram-observed uint8 activations; Conv+BN+ReLU fused), calibrated
with the same calibration images as octet (calib.npy), evaluated on the full
test set.

Debian's torch 1.13 has no fbgemm, and its qnnpack engine mishandles
quantized ReLU6 on channels-last tensors, so onednn it is.

  /usr/bin/python3 scripts/models/torch_ptq.py [DIR] [--observer histogram|minmax]

DIR (default build/models/fashion_mnist) is fashion_mnist.py's output. Writes
DIR/test_logits_torch_int8.npy (or ..._minmax.npy) and DIR/torch_ptq*.json.
"""

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import evaluate  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir", nargs="?", default="build/models/fashion_mnist",
                   help="fashion_mnist.py's output folder")
    p.add_argument("--observer", choices=["histogram", "minmax"], default="histogram",
                   help="activation observer: histogram is onednn's default")
    p.add_argument("--calib", help="calibration .npy (default DIR/calib.npy)")
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads (default 1: on a busy machine 2 OpenMP threads can run 10x slower)")
    return p.parse_args()


def run(model, images, batch_size=500):
    import torch
    outputs = []
    with torch.no_grad():
        for i in range(0, len(images), batch_size):
            outputs.append(model(torch.from_numpy(images[i:i + batch_size])).numpy())
    return np.concatenate(outputs).astype(np.float32)


def main():
    args = parse_args()
    import torch
    from torch.ao.quantization import QConfig, QConfigMapping, get_default_qconfig
    from torch.ao.quantization.observer import MinMaxObserver
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.set_num_threads(args.threads)
    if "onednn" not in torch.backends.quantized.supported_engines:
        sys.exit("torch_ptq: this torch has no onednn quantized engine")
    torch.backends.quantized.engine = "onednn"

    path = lambda name: os.path.join(args.dir, name)  # noqa: E731
    for name in ("fashion_mnist.pt", "test_images.npy", "test_labels.npy"):
        if not os.path.exists(path(name)):
            sys.exit(f"torch_ptq: {path(name)} is missing: run scripts/models/fashion_mnist.py first")
    state = torch.load(path("fashion_mnist.pt"))
    model = common.fashion_mnist_net(width=state["0.weight"].shape[0])
    model.load_state_dict(state)
    model.eval()
    calib = np.load(args.calib or path("calib.npy"))
    images = np.load(path("test_images.npy"))
    labels = np.load(path("test_labels.npy"))

    qconfig = get_default_qconfig("onednn")
    if args.observer == "minmax":
        qconfig = QConfig(activation=MinMaxObserver.with_args(reduce_range=False),
                          weight=qconfig.weight)
    qconfig_mapping = QConfigMapping().set_global(qconfig)
    start = time.perf_counter()
    prepared = prepare_fx(model, qconfig_mapping, example_inputs=(torch.from_numpy(calib[:1]),))
    run(prepared, calib, batch_size=100)
    quantized = convert_fx(prepared)
    ptq_seconds = time.perf_counter() - start

    float_logits = run(model, images)
    int8_logits = run(quantized, images)
    float_top1 = 100.0 * float((float_logits.argmax(1) == labels).mean())
    int8_top1 = 100.0 * float((int8_logits.argmax(1) == labels).mean())
    agreement = 100.0 * float((float_logits.argmax(1) == int8_logits.argmax(1)).mean())
    sqnr = evaluate.sqnr_db(int8_logits.astype(np.float64), float_logits.astype(np.float64))
    suffix = "" if args.observer == "histogram" else "_" + args.observer
    np.save(path(f"test_logits_torch_int8{suffix}.npy"), int8_logits)
    result = {"engine": "onednn", "observer": args.observer, "calibration_images": len(calib),
              "test_images": len(labels), "float_top1": round(float_top1, 2),
              "torch_int8_top1": round(int8_top1, 2), "top1_agreement": round(agreement, 2),
              "logits_sqnr_db": round(sqnr, 2), "ptq_seconds": round(ptq_seconds, 2),
              "torch": torch.__version__}
    common.write_json(path(f"torch_ptq{suffix}.json"), result)
    print(f"torch {torch.__version__} FX PTQ, engine onednn, {args.observer} observer, "
          f"{len(calib)} calibration images ({ptq_seconds:.1f} s)")
    print(f"float top-1      {float_top1:.2f}% on {len(labels)} test images")
    print(f"torch int8 top-1 {int8_top1:.2f}% ({int8_top1 - float_top1:+.2f} points); "
          f"top-1 agreement with float {agreement:.2f}%, logits SQNR {sqnr:.2f} dB")
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
