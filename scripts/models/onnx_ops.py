#!/usr/bin/python3
"""Lists what an ONNX graph asks of a converter: opset, inputs and outputs,
op types with counts, and for each op type its distinct attribute sets (with
how many nodes use each) and which of its inputs are initializers.

  /usr/bin/python3 scripts/models/onnx_ops.py MODEL.onnx [MODEL.onnx ...] [--markdown]
"""

import argparse
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def attribute_text(attribute):
    import onnx
    value = onnx.helper.get_attribute_value(attribute)
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    elif isinstance(value, onnx.TensorProto):
        value = f"tensor{list(value.dims)}"
    elif isinstance(value, list):
        value = [v.decode(errors="replace") if isinstance(v, bytes) else v for v in value]
    return f"{attribute.name}={value}"


def describe(path):
    import onnx
    model = onnx.load(path)
    summary = common.onnx_summary(path)
    initializers = {i.name for i in model.graph.initializer}
    constants = {o for n in model.graph.node if n.op_type == "Constant" for o in n.output}
    variants = collections.defaultdict(collections.Counter)
    constant_inputs = collections.defaultdict(set)
    for node in model.graph.node:
        variants[node.op_type][", ".join(sorted(attribute_text(a) for a in node.attribute))] += 1
        for i, name in enumerate(node.input):
            if name in initializers:
                constant_inputs[node.op_type].add(f"{i}:initializer")
            elif name in constants:
                constant_inputs[node.op_type].add(f"{i}:Constant")
    return model, summary, variants, constant_inputs


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("models", nargs="+")
    p.add_argument("--markdown", action="store_true", help="one table row per model")
    args = p.parse_args()
    if args.markdown:
        print("| model | opset | input | output | ops |\n|---|---|---|---|---|")
    for path in args.models:
        model, summary, variants, constant_inputs = describe(path)
        if args.markdown:
            print(f"| {os.path.basename(path)} | {summary['opset']} | {summary['inputs']} | "
                  f"{summary['outputs']} | {common.format_ops(summary['ops'])} |")
            continue
        print(f"{path}: opset {summary['opset']}, {len(model.graph.node)} nodes, "
              f"{len(model.graph.initializer)} initializers, producer "
              f"{model.producer_name} {model.producer_version}")
        print(f"  inputs {summary['inputs']}, outputs {summary['outputs']}")
        for op, count in summary["ops"].items():
            const = ", ".join(sorted(constant_inputs[op]))
            print(f"  {op} x{count}" + (f"  (constant inputs {const})" if const else ""))
            for attributes, n in variants[op].most_common():
                print(f"      {n:3d} x  {attributes or '(no attributes)'}")


if __name__ == "__main__":
    main()
