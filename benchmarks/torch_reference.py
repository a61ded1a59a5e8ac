#!/usr/bin/python3
"""Float reference outputs of an .octet model computed by PyTorch, for
bench_model --compare.

  torch_reference.py MODEL.octet INPUT.npy OUT.npy [--fake-quant] [--schema octet.fbs]

The model is read through `flatc --json` (flatbuffers-compiler; no Python
FlatBuffers package needed), its int8 weights and int32 biases dequantized,
and the graph run in float32 with torch (NHWC tensors permuted to NCHW around
each conv). INPUT.npy holds the model input: int8 (dequantized with the
input's scale and zero point) or float. Without --fake-quant the activations
stay float, so the comparison measures the whole quantization error of the
int8 model; with --fake-quant every activation is rounded to its tensor's
int8 grid as octet stores it, so the int8 engine should match to about 1 LSB
(a check of the runtime's arithmetic against an independent implementation).

Supports CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and ADD (same-shape or
broadcast) with fused NONE/RELU/RELU6/CLAMP: the ops octet runs today.
Needs /usr/bin/python3 with python3-torch and python3-numpy (Debian).
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def load_model(path, schema):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["flatc", "--json", "--strict-json", "--raw-binary", "--defaults-json",
                        "-o", tmp, schema, "--", path], check=True)
        name = os.path.splitext(os.path.basename(path))[0] + ".json"
        with open(os.path.join(tmp, name)) as f:
            return json.load(f)


def buffer_bytes(model, tensor):
    data = model["buffers"][tensor["buffer"]].get("data", [])
    if isinstance(data, str):  # some flatc versions write base64
        return base64.b64decode(data)
    return bytes(data)


def quant(tensor):
    q = tensor.get("quantization") or {}
    return q.get("scale", [0.0]), q.get("zero_point", [0])


def constant(model, index, dtype):
    t = model["tensors"][index]
    return np.frombuffer(buffer_bytes(model, t), dtype=dtype).reshape(t["shape"])


def fake_quant(x, tensor):
    scale, zp = quant(tensor)
    q = torch.clamp(torch.round(x / scale[0]) + zp[0], -128, 127)  # ties to even: may differ from octet by 1 LSB
    return (q - zp[0]) * scale[0]


def activation(x, options):
    act = options.get("activation", "NONE")
    if act == "RELU":
        return torch.relu(x)
    if act == "RELU6":
        return torch.clamp(x, 0.0, 6.0)
    if act == "CLAMP":
        return torch.clamp(x, options["clamp_min"], options["clamp_max"])
    return x


def conv(model, op, values, depthwise):
    o = op["options"]
    x = values[op["inputs"][0]]  # NHWC
    wt = model["tensors"][op["inputs"][1]]
    w = constant(model, op["inputs"][1], np.int8).astype(np.float32)
    scales = np.array(quant(wt)[0], dtype=np.float32)
    channels = w.shape[0] if not depthwise else w.shape[3]
    if scales.size == 1:
        scales = np.repeat(scales, channels)
    if depthwise:
        w = w[0] * scales  # [kh, kw, C*m]
        w = np.transpose(w, (2, 0, 1))[:, None, :, :]  # [C*m, 1, kh, kw]
        groups = x.shape[3]
    else:
        w = w * scales[:, None, None, None]  # [oc, kh, kw, ic/g]
        w = np.transpose(w, (0, 3, 1, 2))
        groups = o.get("groups", 1)
    bias = None
    if len(op["inputs"]) > 2 and op["inputs"][2] >= 0:
        in_scale = quant(model["tensors"][op["inputs"][0]])[0][0]
        bias = torch.from_numpy(constant(model, op["inputs"][2], np.int32).astype(np.float64) *
                                in_scale * scales.astype(np.float64)).float()
    xn = x.permute(0, 3, 1, 2)
    xn = F.pad(xn, (o["pad_left"], o["pad_right"], o["pad_top"], o["pad_bottom"]))
    y = F.conv2d(xn, torch.from_numpy(np.ascontiguousarray(w)), bias,
                 stride=(o["stride_h"], o["stride_w"]),
                 dilation=(o["dilation_h"], o["dilation_w"]), groups=groups)
    return activation(y.permute(0, 2, 3, 1), o)


def fully_connected(model, op, values):
    o = op.get("options") or {}
    wt = model["tensors"][op["inputs"][1]]
    w = constant(model, op["inputs"][1], np.int8).astype(np.float32)
    scales = np.array(quant(wt)[0], dtype=np.float32)
    if scales.size == 1:
        scales = np.repeat(scales, w.shape[0])
    w = w * scales[:, None]
    x = values[op["inputs"][0]].reshape(-1, w.shape[1])
    bias = None
    if len(op["inputs"]) > 2 and op["inputs"][2] >= 0:
        in_scale = quant(model["tensors"][op["inputs"][0]])[0][0]
        bias = torch.from_numpy(constant(model, op["inputs"][2], np.int32).astype(np.float64) *
                                in_scale * scales.astype(np.float64)).float()
    return activation(F.linear(x, torch.from_numpy(w), bias), o)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("model")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--fake-quant", action="store_true")
    p.add_argument("--schema", default=os.path.join(HERE, "..", "schema", "octet.fbs"))
    args = p.parse_args()
    model = load_model(args.model, args.schema)
    tensors = model["tensors"]
    if len(model["inputs"]) != 1:
        sys.exit("torch_reference.py: one model input supported, the model has %d"
                 % len(model["inputs"]))
    x = np.load(args.input)
    t_in = tensors[model["inputs"][0]]
    if list(x.shape) != t_in["shape"]:
        sys.exit("torch_reference.py: input shape %s, model input %s" % (list(x.shape), t_in["shape"]))
    if x.dtype == np.int8:
        scale, zp = quant(t_in)
        x = (x.astype(np.float32) - zp[0]) * scale[0]
    values = {model["inputs"][0]: torch.from_numpy(x.astype(np.float32))}
    with torch.no_grad():
        for op in model["operators"]:
            kind = op["type"]
            if kind == "CONV_2D":
                y = conv(model, op, values, False)
            elif kind == "DEPTHWISE_CONV_2D":
                y = conv(model, op, values, True)
            elif kind == "FULLY_CONNECTED":
                y = fully_connected(model, op, values)
            elif kind == "ADD":
                y = activation(values[op["inputs"][0]] + values[op["inputs"][1]], op.get("options") or {})
            else:
                sys.exit("torch_reference.py: op %s \"%s\" is not supported" % (kind, op["name"]))
            out_t = tensors[op["outputs"][0]]
            if args.fake_quant:
                y = fake_quant(y, out_t)
            values[op["outputs"][0]] = y.reshape(out_t["shape"])
    result = values[model["outputs"][0]].numpy().astype(np.float32)
    np.save(args.output, result)
    print("wrote %s %s (%s%s)" % (args.output, list(result.shape), "fake-quant " if args.fake_quant else "",
                                  "float reference"))


if __name__ == "__main__":
    main()
