"""Shared helpers of the model scripts: Fashion-MNIST loading, the small CNN,
seeding, .npy and ONNX bookkeeping. Debian's Python only (/usr/bin/python3
with python3-torch, python3-torchvision, python3-onnx, python3-numpy)."""

import collections
import gzip
import json
import os
import random
import struct
import warnings

import numpy as np

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"  # Debian dataset-fashion-mnist
# Per-pixel preprocessing of the Fashion-MNIST model: x = (p / 255 - MEAN) / STD
# for pixel values p in [0, 255] (the training set's mean and std).
FASHION_MNIST_MEAN = 0.2860
FASHION_MNIST_STD = 0.3530
FASHION_MNIST_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def seed_everything(seed):
    import torch
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _read_idx(path, magic, header_ints):
    with gzip.open(path, "rb") as f:
        data = f.read()
    fields = struct.unpack(">" + "I" * header_ints, data[:4 * header_ints])
    if fields[0] != magic:
        raise SystemExit(f"{path}: not an IDX file (magic {fields[0]:#x}, expected {magic:#x})")
    return fields, np.frombuffer(data, dtype=np.uint8, offset=4 * header_ints)


def load_fashion_mnist(split, data_dir=FASHION_MNIST_DIR):
    """Returns (images uint8 [N, 28, 28], labels int64 [N]) of 'train' or 't10k'."""
    image_path = os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz")
    label_path = os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz")
    for path in (image_path, label_path):
        if not os.path.exists(path):
            raise SystemExit(f"{path} is missing: install Debian's dataset-fashion-mnist "
                             "(scripts/install-deps.sh does)")
    (_, n, rows, cols), images = _read_idx(image_path, 0x803, 4)
    (_, n_labels), labels = _read_idx(label_path, 0x801, 2)
    if n != n_labels or images.size != n * rows * cols:
        raise SystemExit(f"{data_dir}: {split} images and labels do not match")
    return images.reshape(n, rows, cols), labels.astype(np.int64)


def preprocess_fashion_mnist(images):
    """uint8 [N, 28, 28] -> float32 NCHW [N, 1, 28, 28], normalized."""
    x = images.astype(np.float32)[:, None, :, :] / np.float32(255.0)
    return ((x - np.float32(FASHION_MNIST_MEAN)) / np.float32(FASHION_MNIST_STD)).astype(np.float32)


def fashion_mnist_net(width=8):
    """The small Fashion-MNIST CNN: three conv-bn-relu-maxpool blocks and two
    fully-connected layers (Conv, BatchNormalization, Relu, MaxPool, Flatten,
    Gemm in ONNX)."""
    import torch.nn as nn

    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
                nn.ReLU(inplace=True), nn.MaxPool2d(2)]

    return nn.Sequential(
        *block(1, width),              # 28 -> 14
        *block(width, 2 * width),      # 14 -> 7
        *block(2 * width, 4 * width),  # 7 -> 3
        nn.Flatten(),
        nn.Linear(4 * width * 3 * 3, 64), nn.ReLU(inplace=True),
        nn.Linear(64, 10))


def export_onnx(model, example, path, opset, keep_batchnorm=False):
    """Exports an eval-mode model to ONNX with one input 'input' and one output
    'logits', static shapes. By default torch's exporter folds BatchNorm into
    the preceding Conv (its eval-mode peephole pass); keep_batchnorm keeps the
    BatchNormalization nodes for converters that fold them themselves."""
    import torch
    model.eval()
    training = torch.onnx.TrainingMode.PRESERVE if keep_batchnorm else torch.onnx.TrainingMode.EVAL
    with torch.no_grad(), warnings.catch_warnings():
        # PRESERVE on an eval-mode model is eval-mode export without the
        # BatchNorm folding; torch warns about constant folding in train mode.
        warnings.filterwarnings("ignore", message=".*constant folding.*")
        torch.onnx.export(model, example, path, opset_version=opset, input_names=["input"],
                          output_names=["logits"], do_constant_folding=True, training=training)
    import onnx
    onnx.checker.check_model(onnx.load(path))
    return os.path.getsize(path)


def onnx_summary(path):
    """{'opset': N, 'ops': {op_type: count}, 'inputs': ..., 'outputs': ...} of an ONNX file."""
    import onnx
    model = onnx.load(path)

    def shapes(values):
        return {v.name: [d.dim_value if d.HasField("dim_value") else d.dim_param
                         for d in v.type.tensor_type.shape.dim] for v in values}

    initializers = {i.name for i in model.graph.initializer}
    return {
        "opset": max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")),
        "ops": dict(sorted(collections.Counter(n.op_type for n in model.graph.node).items())),
        "inputs": shapes([i for i in model.graph.input if i.name not in initializers]),
        "outputs": shapes(model.graph.output),
    }


def format_ops(ops):
    return ", ".join(f"{op} {count}" for op, count in ops.items())


def write_json(path, data):
    with open(path, "w") as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.write("\n")


def mib(n_bytes):
    return f"{n_bytes / 2**20:.2f} MiB"
