#!/usr/bin/env python3
"""Side-by-side table of octet's bench_kernels and the peers' benchmark.

Usage: compare_peers.py PEERS_REPORT OCTET_JSON [OCTET_JSON ...]

PEERS_REPORT is the report.txt that ../shared/peers/run.sh writes (lines
"<shape> <peer> <us> [min..max] <GOPS> <impl>" plus the "Physical limits"
block); OCTET_JSON is bench_kernels --benchmark_format=json output (run with
--benchmark_repetitions=N so medians exist). Prints, per shape and octet ISA
level, the median, the best oneDNN and XNNPACK medians, the ratios
octet/peer, GOPS against the measured VPDPBUSD peak, and the sum over a-i.
Only the standard library is used.
"""
import json
import re
import sys

SHAPES = "abcdefghi"


def read_peers(path):
    """Returns ({shape: {peer: us}}, peak_gops or None)."""
    best = {}
    peak = None
    row = re.compile(r"^([a-i])\s+(\S+)\s+([0-9.]+)\s+\[")
    for line in open(path, encoding="utf-8"):
        m = row.match(line)
        if m:
            shape, peer, us = m.group(1), m.group(2), float(m.group(3))
            best.setdefault(shape, {})[peer] = us
            continue
        if line.startswith("VPDPBUSD zmm (VNNI)"):
            g = re.search(r"=\s*([0-9.]+) GOPS", line)
            if g:
                peak = float(g.group(1))
    return best, peak


def read_octet(paths):
    """Returns {isa: {shape_id: (us, gops, name)}} from the _median aggregates."""
    out = {}
    for path in paths:
        data = json.load(open(path, encoding="utf-8"))
        for b in data.get("benchmarks", []):
            if b.get("aggregate_name") != "median":
                continue
            run = b["run_name"]  # e.g. "a_conv3x3s2_224x224x3_32/avx512vnni"
            name, _, isa = run.partition("/")
            scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3}[b.get("time_unit", "us")]
            # The nine peer shapes are "<id>_<kind>_..."; anything else (e.g. a
            # worst-case variant) is listed separately under its full name.
            m = re.match(r"^([a-i])_(conv|dw|fc|add)", name)
            shape_id = m.group(1) if m else name
            out.setdefault(isa, {})[shape_id] = (b["real_time"] * scale, b.get("GOPS"), name)
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    peers, peak = read_peers(sys.argv[1])
    octet = read_octet(sys.argv[2:])

    def best_of(shape, prefix):
        vals = [us for peer, us in peers.get(shape, {}).items() if peer.startswith(prefix)]
        return min(vals) if vals else None

    if peak:
        print(f"measured peak (VPDPBUSD zmm): {peak:.0f} GOPS")
    for isa, shapes in octet.items():
        print(f"\n## octet {isa} vs peers (medians, µs; ratio = octet / peer)\n")
        print("| shape | octet | GOPS | % peak | oneDNN best | ratio | XNNPACK | ratio |")
        print("|---|---|---|---|---|---|---|---|")
        sums = [0.0, 0.0, 0.0]
        complete = True
        for s in SHAPES:
            if s not in shapes:
                complete = False
                continue
            us, gops, _ = shapes[s]
            dnnl, xnn = best_of(s, "dnnl"), best_of(s, "xnn")
            pct = f"{100 * gops / peak:.0f}%" if (gops and peak and s != "i") else ""
            gops_s = f"{gops:.0f}" if gops else ""
            r_d = f"{us / dnnl:.2f}" if dnnl else ""
            r_x = f"{us / xnn:.2f}" if xnn else ""
            print(f"| {s} | {us:.1f} | {gops_s} | {pct} | {dnnl or ''} | {r_d} | {xnn or ''} | {r_x} |")
            sums[0] += us
            sums[1] += dnnl or 0.0
            sums[2] += xnn or 0.0
        if complete and sums[1] and sums[2]:
            print(f"| sum a-i | {sums[0]:.1f} | | | {sums[1]:.1f} | **{sums[0] / sums[1]:.2f}** | "
                  f"{sums[2]:.1f} | {sums[0] / sums[2]:.2f} |")
        extra = sorted(k for k in shapes if k not in SHAPES)
        for k in extra:
            us, _, name = shapes[k]
            print(f"(also: {name} {us:.1f} µs)")


if __name__ == "__main__":
    main()
