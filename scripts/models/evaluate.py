#!/usr/bin/python3
"""Scores model outputs saved as .npy (e.g. by octet-run).

  evaluate.py OUTPUTS.npy --labels LABELS.npy        top-1 accuracy
  evaluate.py OUTPUTS.npy --reference REF.npy        SQNR, max abs diff, top-1 agreement
  (both together print both)

OUTPUTS and REF are [N, classes] (or any shape, for SQNR); LABELS is [N]
integers. int8 or uint8 OUTPUTS (a model converted with --int8-io) are
dequantized first with --scale and --zero-point.

SQNR (dB) = 10 log10(sum ref^2 / sum (out - ref)^2), over all elements.
Exit status: 0 ok, 1 unreadable or mismatched files, 2 bad usage.
"""

import argparse
import sys

import numpy as np


def load(path, what):
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        sys.exit(f"evaluate: cannot read {what} {path}: {e}")


def sqnr_db(out, ref):
    noise = np.sum((out - ref) ** 2)
    signal = np.sum(ref ** 2)
    if noise == 0:
        return float("inf")
    if signal == 0:
        return float("-inf")
    return float(10 * np.log10(signal / noise))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("outputs", help=".npy of model outputs")
    p.add_argument("--labels", help=".npy of integer labels: print top-1")
    p.add_argument("--reference", help=".npy of reference outputs: print SQNR and max abs diff")
    p.add_argument("--scale", type=float, help="dequantize integer outputs with this scale")
    p.add_argument("--zero-point", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON object instead")
    args = p.parse_args()
    if not args.labels and not args.reference:
        p.error("give --labels, --reference or both")

    out = load(args.outputs, "outputs")
    if out.dtype.kind in "iu":
        if args.scale is None:
            sys.exit(f"evaluate: {args.outputs} holds {out.dtype} values: give --scale "
                     "(and --zero-point) to dequantize them")
        out = (out.astype(np.float64) - args.zero_point) * args.scale
    elif out.dtype.kind != "f":
        sys.exit(f"evaluate: {args.outputs} holds {out.dtype} values, not numbers")
    out = out.astype(np.float64)
    result = {"outputs": args.outputs, "count": int(out.shape[0]) if out.ndim else 1}

    if args.labels:
        labels = load(args.labels, "labels")
        if labels.ndim != 1 or labels.dtype.kind not in "iu":
            sys.exit(f"evaluate: {args.labels} must be a 1-D integer array, is {labels.dtype} "
                     f"{labels.shape}")
        if out.ndim != 2 or out.shape[0] != labels.shape[0]:
            sys.exit(f"evaluate: outputs {out.shape} do not fit labels {labels.shape} "
                     "(expected [N, classes] and [N])")
        correct = int((out.argmax(1) == labels).sum())
        result.update(top1=100.0 * correct / len(labels), correct=correct)
        if not args.json:
            print(f"top-1: {result['top1']:.2f}% ({correct} / {len(labels)})")

    if args.reference:
        ref = load(args.reference, "reference").astype(np.float64)
        if ref.shape != out.shape:
            sys.exit(f"evaluate: outputs {out.shape} and reference {ref.shape} differ in shape")
        result.update(sqnr_db=sqnr_db(out, ref), max_abs_diff=float(np.max(np.abs(out - ref))),
                      reference_max_abs=float(np.max(np.abs(ref))))
        line = (f"SQNR: {result['sqnr_db']:.2f} dB, max abs diff {result['max_abs_diff']:.6g} "
                f"(reference max abs {result['reference_max_abs']:.6g})")
        if out.ndim == 2 and out.shape[1] > 1:
            agree = int((out.argmax(1) == ref.argmax(1)).sum())
            result.update(top1_agreement=100.0 * agree / out.shape[0])
            line += f", top-1 agreement {result['top1_agreement']:.2f}% ({agree} / {out.shape[0]})"
        if not args.json:
            print(line)

    if args.json:
        import json
        print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
