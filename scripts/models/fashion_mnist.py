#!/usr/bin/python3
"""Trains the small Fashion-MNIST CNN of common.fashion_mnist_net on Debian's
dataset-fashion-mnist (CPU, seeded, under a minute on 2 cores), reports
its float top-1 on the full 10,000-image test set, and writes to OUT:

  fashion_mnist.onnx       opset 13, input 'input' float32 [1, 1, 28, 28],
                           output 'logits' float32 [1, 10]; BatchNorm folded
                           into the convs by torch's exporter
  fashion_mnist_bn.onnx    the same model with its BatchNormalization nodes kept
  fashion_mnist.pt         the trained weights (state_dict), for torch_ptq.py
  calib.npy                float32 [500, 1, 28, 28]: calibration images (seeded
                           choice of training images, same preprocessing)
  test_images.npy          float32 [10000, 1, 28, 28], preprocessed test set
  test_labels.npy          int64 [10000]
  test_logits_float.npy    float32 [10000, 10]: the float model's outputs
  info.json                accuracy, timings, sizes, preprocessing, ONNX ops

Preprocessing: x = (p / 255 - 0.2860) / 0.3530 for pixels p in [0, 255].

  /usr/bin/python3 scripts/models/fashion_mnist.py [--out DIR] [--quick] [--bundle DIR]

--quick trains on 4,000 images for one epoch, tests on 1,000 and writes 100
calibration images (a smoke test of the whole pipeline in seconds). --bundle DIR also writes the
small example for scripts/demo.sh: model.onnx, calib.npy (100 images),
samples.npy (32 test images) and sample_labels.npy, under 1 MB in all.
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="build/models/fashion_mnist", help="output folder")
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=3e-3, help="peak learning rate (one-cycle Adam)")
    p.add_argument("--width", type=int, default=8, help="channels of the first conv")
    p.add_argument("--calib-count", type=int, default=500)
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads (default 1: on a busy machine 2 OpenMP threads can run 10x slower)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--opset", type=int, default=13)
    p.add_argument("--quick", action="store_true", help="small smoke run (seconds)")
    p.add_argument("--bundle", metavar="DIR", help="also write the demo bundle here")
    p.add_argument("--data-dir", default=common.FASHION_MNIST_DIR)
    return p.parse_args()


def evaluate(model, images, batch_size=1000):
    import torch
    model.eval()
    outputs = []
    with torch.no_grad():
        for i in range(0, len(images), batch_size):
            outputs.append(model(torch.from_numpy(images[i:i + batch_size])).numpy())
    return np.concatenate(outputs).astype(np.float32)


def main():
    args = parse_args()
    start = time.perf_counter()
    import torch
    torch.set_num_threads(args.threads)
    common.seed_everything(args.seed)
    os.makedirs(args.out, exist_ok=True)

    train_images, train_labels = common.load_fashion_mnist("train", args.data_dir)
    test_images, test_labels = common.load_fashion_mnist("t10k", args.data_dir)
    rng = np.random.default_rng(args.seed)
    if args.quick:
        args.calib_count = min(args.calib_count, 100)
    calib_index = np.sort(rng.choice(len(train_images), args.calib_count, replace=False))
    if args.quick:
        train_index = rng.choice(len(train_images), 4000, replace=False)
        train_images, train_labels = train_images[train_index], train_labels[train_index]
        test_images, test_labels = test_images[:1000], test_labels[:1000]
        args.epochs = 1
    x_train = torch.from_numpy(common.preprocess_fashion_mnist(train_images))
    y_train = torch.from_numpy(train_labels)
    x_test = common.preprocess_fashion_mnist(test_images)

    model = common.fashion_mnist_net(args.width)
    # Channels-last trains about a quarter faster on CPU here (BatchNorm's
    # backward pass dominates in NCHW); the export below is from NCHW again.
    model = model.to(memory_format=torch.channels_last)
    x_train = x_train.contiguous(memory_format=torch.channels_last)
    steps_per_epoch = (len(x_train) + args.batch_size - 1) // args.batch_size
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=steps_per_epoch)
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(args.seed)

    train_start = time.perf_counter()
    train_cpu_start = time.process_time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(x_train), generator=generator)
        total, correct, loss_sum = 0, 0, 0.0
        for i in range(steps_per_epoch):
            batch = order[i * args.batch_size:(i + 1) * args.batch_size]
            x, y = x_train[batch], y_train[batch]
            logits = model(x)
            loss = loss_fn(logits, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += len(y)
            correct += (logits.argmax(1) == y).sum().item()
            loss_sum += loss.item() * len(y)
        print(f"epoch {epoch + 1}/{args.epochs}: loss {loss_sum / total:.4f}, "
              f"train top-1 {100 * correct / total:.2f}%, "
              f"{time.perf_counter() - train_start:.1f} s", flush=True)
    train_seconds = time.perf_counter() - train_start
    train_cpu_seconds = time.process_time() - train_cpu_start
    model = model.to(memory_format=torch.contiguous_format)

    logits = evaluate(model, x_test)
    top1 = 100.0 * float((logits.argmax(1) == test_labels).mean())
    print(f"float top-1 on {len(test_labels)} test images: {top1:.2f}%")

    model.eval()
    example = torch.from_numpy(x_test[:1])
    onnx_path = os.path.join(args.out, "fashion_mnist.onnx")
    onnx_bn_path = os.path.join(args.out, "fashion_mnist_bn.onnx")
    onnx_bytes = common.export_onnx(model, example, onnx_path, args.opset)
    onnx_bn_bytes = common.export_onnx(model, example, onnx_bn_path, args.opset, keep_batchnorm=True)
    torch.save(model.state_dict(), os.path.join(args.out, "fashion_mnist.pt"))
    calib = common.preprocess_fashion_mnist(
        common.load_fashion_mnist("train", args.data_dir)[0][calib_index])
    np.save(os.path.join(args.out, "calib.npy"), calib)
    np.save(os.path.join(args.out, "test_images.npy"), x_test)
    np.save(os.path.join(args.out, "test_labels.npy"), test_labels)
    np.save(os.path.join(args.out, "test_logits_float.npy"), logits)

    summary = common.onnx_summary(onnx_path)
    summary_bn = common.onnx_summary(onnx_bn_path)
    print(f"wrote {onnx_path} ({onnx_bytes} bytes, opset {summary['opset']}): "
          f"{common.format_ops(summary['ops'])}")
    print(f"wrote {onnx_bn_path} ({onnx_bn_bytes} bytes): {common.format_ops(summary_bn['ops'])}")
    print(f"wrote calib.npy {calib.shape}, test_images.npy {x_test.shape}, test_labels.npy, "
          f"test_logits_float.npy, fashion_mnist.pt in {args.out}")

    if args.bundle:
        os.makedirs(args.bundle, exist_ok=True)
        bundle_onnx = os.path.join(args.bundle, "model.onnx")
        common.export_onnx(model, example, bundle_onnx, args.opset)
        np.save(os.path.join(args.bundle, "calib.npy"), calib[:100])
        np.save(os.path.join(args.bundle, "samples.npy"), x_test[:32])
        np.save(os.path.join(args.bundle, "sample_labels.npy"), test_labels[:32])
        bundle_bytes = sum(os.path.getsize(os.path.join(args.bundle, f))
                           for f in os.listdir(args.bundle))
        print(f"wrote the demo bundle to {args.bundle} ({bundle_bytes} bytes in all)")

    total_seconds = time.perf_counter() - start
    common.write_json(os.path.join(args.out, "info.json"), {
        "model": "fashion_mnist",
        "quick": args.quick,
        "epochs": args.epochs,
        "train_images": len(x_train),
        "threads": args.threads,
        "train_seconds": round(train_seconds, 2),
        "train_cpu_seconds": round(train_cpu_seconds, 2),
        "total_seconds": round(total_seconds, 2),
        "total_cpu_seconds": round(time.process_time(), 2),
        "float_top1": round(top1, 2),
        "test_images": len(test_labels),
        "calibration_images": int(args.calib_count),
        "preprocessing": {"layout": "NCHW", "formula": "(p / 255 - mean) / std",
                          "mean": common.FASHION_MNIST_MEAN, "std": common.FASHION_MNIST_STD},
        "classes": common.FASHION_MNIST_CLASSES,
        "onnx": {"fashion_mnist.onnx": dict(summary, bytes=onnx_bytes),
                 "fashion_mnist_bn.onnx": dict(summary_bn, bytes=onnx_bn_bytes)},
        "torch": torch.__version__,
    })
    print(f"training {train_seconds:.1f} s ({train_cpu_seconds:.1f} s CPU), "
          f"total {total_seconds:.1f} s ({time.process_time():.1f} s CPU); "
          f"{args.threads} threads, {len(x_train)} images x {args.epochs} epochs")


if __name__ == "__main__":
    main()
