#!/usr/bin/env python3
"""bench_model tests that need more than an exit status: the --json output
(keys present, numbers sane), --input and --compare round trips, --max-secs.

  bench_model_test.py setup DIR MAKE_EXAMPLE   writes DIR/model.octet and .npy files
  bench_model_test.py json DIR BENCH           --json, one backend and all built ones
  bench_model_test.py io DIR BENCH             --input, --compare, --save-output, --max-secs
  bench_model_test.py torch DIR BENCH PYTHON    --compare against torch_reference.py run by
                                               PYTHON (one with torch and numpy)

Standard library only (no NumPy on the build machines): .npy files are
written by hand.
"""
import json
import math
import os
import random
import struct
import subprocess
import sys


def write_npy(path, descr, shape, payload):
    shape_text = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_text)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
        f.write(payload)


def setup(workdir, make_example):
    os.makedirs(workdir, exist_ok=True)
    subprocess.run(emulated([make_example, os.path.join(workdir, "model.octet"), "--seed", "11"]),
                   check=True)
    rng = random.Random(5)
    n = 32 * 32 * 3
    write_npy(os.path.join(workdir, "input_int8.npy"), "|i1", (1, 32, 32, 3),
              bytes(rng.randrange(256) for _ in range(n)))
    # Real values the input's scale (0.02) can hold, quantized by bench_model.
    write_npy(os.path.join(workdir, "input_float.npy"), "<f4", (1, 32, 32, 3),
              struct.pack("<%df" % n, *[rng.uniform(-2.3, 2.3) for _ in range(n)]))
    write_npy(os.path.join(workdir, "wrong_shape.npy"), "|i1", (1, 32, 32, 4), bytes(32 * 32 * 4))
    write_npy(os.path.join(workdir, "wrong_type.npy"), "<i4", (1, 32, 32, 3), bytes(4 * n))
    with open(os.path.join(workdir, "corrupt.npy"), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00\x40\x00{'descr': '<f4', 'shape': (1, 10")
    print("setup done in", workdir)


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


# Cross builds run octet's programs under CMAKE_CROSSCOMPILING_EMULATOR
# (qemu), passed '|'-separated in OCTET_EMULATOR; host programs run as they are.
EMULATOR = [a for a in os.environ.get("OCTET_EMULATOR", "").split("|") if a]
OCTET_PROGRAMS = ("bench_model", "octet-make-example")


def emulated(cmd):
    return EMULATOR + cmd if os.path.basename(cmd[0]) in OCTET_PROGRAMS else cmd


def run(cmd, expect=0):
    cmd = emulated(cmd)
    print("$", " ".join(cmd))
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    print(p.stdout + p.stderr)
    if p.returncode != expect:
        fail("exit status %d, expected %d" % (p.returncode, expect))
    return p.stdout


KEYS = ["latency_us", "arena_bytes", "persistent_bytes", "model_bytes", "peak_rss_bytes",
        "load_us", "prepare_us", "isa", "backend", "threads", "ops"]
OP_KEYS = ["index", "type", "name", "shape", "kernel", "macs"]
PROFILE_KEYS = ["median_us", "percent", "gops"]


def positive(r, key):
    v = r[key]
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not v > 0 or not math.isfinite(v):
        fail("%s = %r is not a positive number" % (key, v))


def check_result(r, model_path, backend, threads, profiled, runs):
    for key in KEYS:
        if key not in r:
            fail("key %r missing from %s" % (key, sorted(r)))
    lat = r["latency_us"]
    for key in ["min", "median", "mean", "p90", "max"]:
        if key not in lat:
            fail("latency_us.%s missing" % key)
        positive(lat, key)
    if not lat["min"] <= lat["median"] <= lat["p90"] <= lat["max"]:
        fail("latency not ordered: %r" % lat)
    if not lat["min"] <= lat["mean"] <= lat["max"]:
        fail("mean outside [min, max]: %r" % lat)
    if lat["median"] > 10e6:
        fail("median of %g us for a tiny model" % lat["median"])
    for key in ["arena_bytes", "model_bytes", "peak_rss_bytes", "load_us", "prepare_us"]:
        positive(r, key)
    if r["model_bytes"] != os.path.getsize(model_path):
        fail("model_bytes %d, file has %d" % (r["model_bytes"], os.path.getsize(model_path)))
    if not isinstance(r["persistent_bytes"], int) or r["persistent_bytes"] <= 0:
        fail("persistent_bytes = %r" % r["persistent_bytes"])
    if r["peak_rss_bytes"] < r["arena_bytes"]:
        fail("peak RSS %d below the arena %d" % (r["peak_rss_bytes"], r["arena_bytes"]))
    if r["backend"] != backend or r["threads"] != threads:
        fail("backend/threads %r/%r, expected %r/%r" % (r["backend"], r["threads"], backend, threads))
    if r["isa"] not in ["scalar", "sse41", "avx2", "avx512vnni", "neon", "neondot"]:
        fail("isa %r" % r["isa"])
    if r.get("runs") != runs:
        fail("runs %r, expected %d" % (r.get("runs"), runs))
    ops = r["ops"]
    if len(ops) != 6:
        fail("%d ops, the example model has 6" % len(ops))
    total_percent = 0.0
    for i, op in enumerate(ops):
        for key in OP_KEYS + (PROFILE_KEYS if profiled else []):
            if key not in op:
                fail("ops[%d].%s missing" % (i, key))
        if op["index"] != i or not op["kernel"] or not isinstance(op["shape"], list):
            fail("ops[%d] = %r" % (i, op))
        if op["type"] != "ADD" and op["macs"] <= 0:
            fail("ops[%d] (%s) has no MACs" % (i, op["type"]))
        if backend == "xnnpack" and not op["kernel"].startswith("xnnpack_"):
            fail("ops[%d] ran on %s under the xnnpack backend" % (i, op["kernel"]))
        if profiled:
            if op["median_us"] < 0 or op["percent"] < 0:
                fail("ops[%d] timing %r" % (i, op))
            total_percent += op["percent"]
    if profiled and abs(total_percent - 100) > 0.1:
        fail("op percentages add up to %g" % total_percent)


def check_json(workdir, bench):
    model = os.path.join(workdir, "model.octet")
    out = os.path.join(workdir, "one.json")
    run([bench, "--model", model, "--runs", "7", "--warmup", "1", "--profile", "--json", out])
    with open(out) as f:
        r = json.load(f)
    check_result(r, model, "octet", 1, True, 7)
    # Without --profile: op descriptions but no timings.
    run([bench, "--model", model, "--runs", "3", "--warmup", "0", "--json", out])
    with open(out) as f:
        r = json.load(f)
    check_result(r, model, "octet", 1, False, 3)
    if "median_us" in r["ops"][0]:
        fail("op timings without --profile")
    # Every built backend back to back.
    help_text = run([bench, "--help"])
    probe = subprocess.run(emulated([bench, "--model", model, "--runs", "1", "--warmup", "0",
                                     "--backend", "xnnpack"]),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if probe.returncode == 0:
        out2 = os.path.join(workdir, "two.json")
        text = run([bench, "--model", model, "--runs", "5", "--warmup", "1", "--profile",
                    "--backend", "octet,xnnpack", "--threads", "2", "--json", out2])
        with open(out2) as f:
            both = json.load(f)
        if [b["backend"] for b in both.get("backends", [])] != ["octet", "xnnpack"]:
            fail("backends %r" % both.get("backends"))
        for b in both["backends"]:
            check_result(b, model, b["backend"], 2, True, 5)
        ratio = both.get("median_ratio", {}).get("xnnpack/octet")
        if not isinstance(ratio, (int, float)) or not ratio > 0:
            fail("median_ratio %r" % both.get("median_ratio"))
        if "ratio xnnpack/octet" not in text or "values differ" not in text:
            fail("no comparison in the report")
    else:
        print("XNNPACK backend not built: only the octet backend checked")
    del help_text
    print("json OK")


def check_io(workdir, bench):
    model = os.path.join(workdir, "model.octet")
    ref = os.path.join(workdir, "ref.npy")
    out = os.path.join(workdir, "io.json")
    inp = os.path.join(workdir, "input_int8.npy")
    run([bench, "--model", model, "--runs", "2", "--warmup", "0", "--input", inp,
         "--save-output", ref])
    text = run([bench, "--model", model, "--runs", "2", "--warmup", "0", "--input", inp,
                "--compare", ref, "--json", out])
    if "max abs diff 0," not in text or "SQNR inf dB" not in text:
        fail("self-comparison is not exact")
    with open(out) as f:
        cmp = json.load(f)["outputs"][0]["compare"]
    if cmp["max_abs_diff"] != 0 or cmp["sqnr_db"] is not None or cmp["units"] != "int8":
        fail("compare %r" % cmp)
    # A float reference: the dequantized output, off by a known amount.
    with open(ref, "rb") as f:
        raw = f.read()[-10:]
    values = [0.15 * (struct.unpack("b", raw[i:i + 1])[0]) for i in range(10)]
    fref = os.path.join(workdir, "ref_float.npy")
    write_npy(fref, "<f8", (1, 10), struct.pack("<10d", *[v + 0.01 for v in values]))
    run([bench, "--model", model, "--runs", "1", "--warmup", "0", "--input", inp,
         "--compare", fref, "--json", out])
    with open(out) as f:
        cmp = json.load(f)["outputs"][0]["compare"]
    if abs(cmp["max_abs_diff"] - 0.01) > 1e-5 or cmp["units"] != "real" or not cmp["sqnr_db"] > 10:
        fail("float compare %r" % cmp)
    # Float input, quantized by bench_model.
    run([bench, "--model", model, "--runs", "1", "--warmup", "0", "--input",
         os.path.join(workdir, "input_float.npy")])
    # --max-secs stops the timed runs early.
    run([bench, "--model", model, "--runs", "1000000", "--warmup", "0", "--max-secs", "0.2",
         "--json", out])
    with open(out) as f:
        runs = json.load(f)["runs"]
    if not 1 <= runs < 1000000:
        fail("--max-secs 0.2 ran %d runs" % runs)
    print("io OK")


def check_torch(workdir, bench, python):
    """The int8 example model against torch's fake-quantized float reference:
    an independent implementation of the same arithmetic, so every logit must
    agree to a few LSB (rounding ties differ: torch rounds half to even)."""
    model = os.path.join(workdir, "model.octet")
    inp = os.path.join(workdir, "input_int8.npy")
    ref = os.path.join(workdir, "torch_fake_quant.npy")
    out = os.path.join(workdir, "torch.json")
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_reference.py")
    run([python, script, model, inp, ref, "--fake-quant"])
    run([bench, "--model", model, "--runs", "1", "--warmup", "0", "--input", inp,
         "--compare", ref, "--json", out])
    with open(out) as f:
        cmp = json.load(f)["outputs"][0]["compare"]
    scale = 0.15  # the example model's logits
    if cmp["units"] != "real" or cmp["max_abs_diff"] > 3 * scale + 1e-6:
        fail("torch compare %r: more than 3 LSB off" % cmp)
    if cmp["sqnr_db"] is not None and cmp["sqnr_db"] < 25:
        fail("torch compare SQNR %r dB" % cmp["sqnr_db"])
    print("torch OK")


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "torch":
        check_torch(*sys.argv[2:])
        return
    if len(sys.argv) != 4:
        print(__doc__)
        sys.exit(2)
    mode, workdir, tool = sys.argv[1:]
    if mode == "setup":
        setup(workdir, tool)
    elif mode == "json":
        check_json(workdir, tool)
    elif mode == "io":
        check_io(workdir, tool)
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
