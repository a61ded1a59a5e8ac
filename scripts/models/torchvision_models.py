#!/usr/bin/python3
"""Exports torchvision classifiers to ONNX as test models for octet-convert:
random (seeded) weights, with the BatchNorm running statistics re-estimated
on random inputs so that every layer's activations have realistic ranges
(a freshly initialised network keeps mean 0 / variance 1 statistics that do
not match what its layers produce).

For each model NAME it writes OUT/NAME/:
  NAME.onnx             opset 13, input 'input' float32 [1, 3, 224, 224],
                        output 'logits' float32 [1, 1000]; BatchNorm folded
                        into the convs by torch's exporter (--keep-batchnorm
                        keeps the BatchNormalization nodes)
  heldout_float.npy     float32 [H, 1000]: torch's float outputs on the
                        held-out inputs (the reference for output SQNR)
  info.json             sizes, timings, ONNX ops, output statistics
and, shared by all models, OUT/inputs/:
  calib.npy             float32 [C, 3, 224, 224] calibration inputs
  heldout.npy           float32 [H, 3, 224, 224] held-out inputs
All inputs are standard normal noise (like ImageNet images after the usual
mean/std normalisation), each set from its own seed.

  /usr/bin/python3 scripts/models/torchvision_models.py [OUT] [--models a,b] [--keep-batchnorm]

OUT defaults to build/models. Compare octet's outputs with
  build/bin/octet-run --model NAME.octet --input OUT/inputs/heldout.npy --output y.npy
  /usr/bin/python3 scripts/models/evaluate.py y.npy --reference OUT/NAME/heldout_float.npy
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

MODELS = ["mobilenet_v2", "resnet18", "squeezenet1_1", "shufflenet_v2_x0_5", "mobilenet_v3_small"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", nargs="?", default="build/models", help="output folder")
    p.add_argument("--models", default=",".join(MODELS),
                   help="comma-separated subset of: " + ", ".join(MODELS))
    p.add_argument("--bn-batches", type=int, default=8,
                   help="train-mode batches for the BatchNorm statistics")
    p.add_argument("--bn-batch-size", type=int, default=8)
    p.add_argument("--calib-count", type=int, default=32)
    p.add_argument("--heldout-count", type=int, default=8)
    p.add_argument("--size", type=int, default=224, help="input height and width")
    p.add_argument("--keep-batchnorm", action="store_true",
                   help="keep BatchNormalization nodes in the ONNX graphs")
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads (default 1: on a busy machine 2 OpenMP threads can run 10x slower)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--opset", type=int, default=13)
    args = p.parse_args()
    args.models = [m for m in args.models.split(",") if m]
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        p.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    return args


def reestimate_batchnorm(model, batches, batch_size, size, generator):
    """Replaces every BatchNorm's running mean and variance by their exact
    average over `batches` train-mode forward passes of N(0, 1) images
    (momentum None is a cumulative moving average)."""
    import torch
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            model(torch.randn(batch_size, 3, size, size, generator=generator))
    model.eval()
    return len(norms)


def run(model, inputs, batch_size=4):
    import torch
    outputs = []
    with torch.no_grad():
        for i in range(0, len(inputs), batch_size):
            outputs.append(model(torch.from_numpy(inputs[i:i + batch_size])).numpy())
    return np.concatenate(outputs).astype(np.float32)


def main():
    args = parse_args()
    import torch
    import torchvision
    torch.set_num_threads(args.threads)

    inputs_dir = os.path.join(args.out, "inputs")
    os.makedirs(inputs_dir, exist_ok=True)
    shape = (3, args.size, args.size)
    calib = np.random.default_rng(args.seed + 1).standard_normal(
        (args.calib_count,) + shape, dtype=np.float32)
    heldout = np.random.default_rng(args.seed + 2).standard_normal(
        (args.heldout_count,) + shape, dtype=np.float32)
    np.save(os.path.join(inputs_dir, "calib.npy"), calib)
    np.save(os.path.join(inputs_dir, "heldout.npy"), heldout)
    print(f"wrote {inputs_dir}/calib.npy {calib.shape} and heldout.npy {heldout.shape}")

    rows = []
    for name in args.models:
        start = time.perf_counter()
        common.seed_everything(args.seed)
        model = getattr(torchvision.models, name)(weights=None)
        generator = torch.Generator().manual_seed(args.seed + 3)
        n_norms = reestimate_batchnorm(model, args.bn_batches, args.bn_batch_size, args.size,
                                       generator)
        bn_seconds = time.perf_counter() - start
        reference = run(model, heldout)

        model_dir = os.path.join(args.out, name)
        os.makedirs(model_dir, exist_ok=True)
        onnx_path = os.path.join(model_dir, name + ".onnx")
        onnx_bytes = common.export_onnx(model, torch.from_numpy(heldout[:1]), onnx_path, args.opset,
                                        keep_batchnorm=args.keep_batchnorm)
        np.save(os.path.join(model_dir, "heldout_float.npy"), reference)
        summary = common.onnx_summary(onnx_path)
        params = sum(p.numel() for p in model.parameters())
        seconds = time.perf_counter() - start
        stats = {"mean": float(reference.mean()), "std": float(reference.std()),
                 "min": float(reference.min()), "max": float(reference.max())}
        common.write_json(os.path.join(model_dir, "info.json"), {
            "model": name, "parameters": params, "onnx_bytes": onnx_bytes,
            "batchnorm_layers": n_norms, "keep_batchnorm": args.keep_batchnorm,
            "bn_batches": args.bn_batches, "bn_batch_size": args.bn_batch_size,
            "seconds": round(seconds, 2), "bn_seconds": round(bn_seconds, 2),
            "onnx": summary, "heldout_output_stats": stats, "seed": args.seed,
            "torch": torch.__version__, "torchvision": torchvision.__version__})
        print(f"{name}: {params} parameters, {common.mib(onnx_bytes)} ONNX (opset {summary['opset']}), "
              f"{seconds:.1f} s; outputs std {stats['std']:.3g}, range [{stats['min']:.3g}, "
              f"{stats['max']:.3g}]\n  ops: {common.format_ops(summary['ops'])}", flush=True)
        rows.append((name, onnx_bytes, summary))

    print("\n| model | ONNX size | ops |\n|---|---|---|")
    for name, onnx_bytes, summary in rows:
        print(f"| {name} | {common.mib(onnx_bytes)} | {common.format_ops(summary['ops'])} |")


if __name__ == "__main__":
    main()
