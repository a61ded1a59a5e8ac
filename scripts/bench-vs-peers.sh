#!/bin/sh
# Kernel speed next to the peers, in one session: runs ../shared/peers
# (XNNPACK, oneDNN; builds it on first use), then bench_kernels pinned to one
# core, and prints medians, ratios and GOPS against the measured peak.
#
#   ./scripts/bench-vs-peers.sh [BUILD_DIR]      (default: build)
#   RUNS=5 ISAS=avx2,avx512vnni CPU=0 ./scripts/bench-vs-peers.sh   (CPU: the core both pin to)
#
# About 2 minutes with RUNS=3. Machines here are noisy: quote medians and the
# ratios of one run, not figures from different runs.
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}
RUNS=${RUNS:-3}
CPU=${CPU:-1}
PEERS=${PEERS_DIR:-../shared/peers}
[ -x "$BUILD/bin/bench_kernels" ] || { echo "no $BUILD/bin/bench_kernels: build first (./scripts/build.sh)" >&2; exit 1; }
[ -d "$PEERS" ] || { echo "no peers benchmark at $PEERS" >&2; exit 1; }
[ -x /tmp/octet-peers/build/bench ] || (cd "$PEERS" && ./build.sh)

OUT=$(mktemp -d /tmp/octet-vs-peers.XXXXXX)
(cd "$PEERS" && CPU="$CPU" PEERS_OUT="$OUT/peers" ONLY=1 RUNS="$RUNS" ./run.sh) >"$OUT/peers.log" 2>&1 \
  || { cat "$OUT/peers.log" >&2; exit 1; }
# Every level this CPU runs unless ISAS names some (e.g. ISAS=avx512vnni).
taskset -c "$CPU" "$BUILD/bin/bench_kernels" ${ISAS:+--isa="$ISAS"} --benchmark_repetitions="$RUNS" \
  --benchmark_report_aggregates_only=true --benchmark_format=json --benchmark_out="$OUT/octet.json" \
  --benchmark_out_format=json >/dev/null
python3 benchmarks/compare_peers.py "$OUT/peers/report.txt" "$OUT/octet.json"
echo "(raw: $OUT)"
