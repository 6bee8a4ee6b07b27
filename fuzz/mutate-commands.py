#!/usr/bin/env python3
"""Command-level mutation fuzzing: the real m2c binary, end to end, on mutated inputs.

The libFuzzer targets (fuzz/README.md) feed one library layer each; this runs whole commands, so what happens
after parsing is exercised too (random weights, the reference interpreter, sizes a mutated number asks for).
It found what they could not: `--param filter_order=1000000` parsed and elaborated fine, then aborted m2c in a
4 TB allocation of random weights (docs/RELIABILITY.md).

    fuzz/mutate-commands.py TARGET FIRST_SEED COUNT      # TARGET: m2 | m2mlp | compile | cuda | params | weights | inputs | config

  m2       mutated tiny.m2 (written by `m2c import` of the tiny fixture), `m2c ir --random-weights 1`
  m2mlp    mutated examples/monarch-mixer-mlp.m2, likewise
  compile  mutated tiny.m2 through `m2c compile --target cpu` (every pass and the C emitter; not built)
  cuda     likewise with `--target cuda` (the CUDA passes and emitter; nvcc not run)
  params   differential: random legal shapes for tiny.m2 (hidden, blocks, lengths, orders, layers), random
           weights, batch and code-generation switches, through `m2c verify` (the built C against the Float64
           reference); any non-zero exit is a finding (about 8 s an input; SANITIZE_SHARE=0.3 builds that share
           of them with --sanitize, ASan + UBSan)
  weights  mutated tiny.weights.safetensors (header length, JSON text, dtypes, shapes, offsets, bytes), `m2c ir`
  inputs   mutated tiny.io.safetensors as `m2c run --inputs`
  config   mutated tiny.config.json, `m2c import`

A finding is a signal (crash, trap, abort), a timeout (60 s), a Swift "Fatal error", or a non-zero exit without
an error message; its input goes to fuzz/.build/commands/found/TARGET-SEED.*. Seeds make every input
reproducible. Uses M2C (default .build/release/m2c: `swift build -c release --product m2c`).
"""
import json, os, random, re, signal, struct, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
M2C = os.environ.get("M2C", os.path.join(ROOT, ".build", "release", "m2c"))
G = os.path.join(ROOT, "Tests", "Fixtures", "golden")
WORK = os.path.join(ROOT, "fuzz", ".build", "commands")
OUT = os.path.join(WORK, "found")
SANITIZE_SHARE = float(os.environ.get("SANITIZE_SHARE", "0"))  # params: share of inputs built with ASan + UBSan
TOKENS = ["0", "-1", "1", "2", "99999999999999999999", "9223372036854775807", "-9223372036854775808", "1e400",
          "1e-400", "nan", "inf", "0.5", "(", ")", "[", "]", "{", "}", ":", ",", "=", "@", '"', "'", "#", "..<", "..",
          "let", "for", "in", "model", "input", "output", "def", "return", "if", "else", "i32", "f32", "int", "float",
          "x", "seq_len", "hidden", "+", "-", "*", "/", "%", "\n", "\t", " ", "\x00", "\xff", "é", "{i}", "weight",
          "dim(x, -1)", "dim(x, 99)", "[0]", "[-1]", "[]", "reshape", "transpose", "blockdiag_matmul", "0..<0", "-0"]


def mutate_text(s: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        if not s:
            s = rng.choice(TOKENS)
            continue
        i = rng.randrange(len(s) + 1)
        if op == 0:
            s = s[:i] + s[i + rng.randint(1, 8):]
        elif op == 1:
            s = s[:i] + rng.choice(TOKENS) + s[i:]
        elif op == 2:  # replace a word
            words = s.split(" ")
            k = rng.randrange(len(words))
            words[k] = rng.choice(TOKENS)
            s = " ".join(words)
        elif op == 3:  # duplicate or drop a line
            lines = s.split("\n")
            k = rng.randrange(len(lines))
            if rng.random() < 0.5:
                lines.insert(k, lines[rng.randrange(len(lines))])
            else:
                del lines[k]
            s = "\n".join(lines)
        elif op == 4:
            s = s[:i]
        elif op == 5:  # change a number
            nums = list(re.finditer(r"\d+", s))
            if nums:
                m = rng.choice(nums)
                s = s[:m.start()] + rng.choice(["0", "1", "3", "7", "1000000", "99999999999", "-2", "2147483648"]) + s[m.end():]
        else:
            j = rng.randrange(len(s))
            s = s[:j] + chr(rng.randrange(1, 0x3000)) + s[j + 1:]
    return s


def mutate_safetensors(b: bytes, rng: random.Random) -> bytes:
    n = struct.unpack("<Q", b[:8])[0]
    header = b[8:8 + n].decode("utf-8", "replace")
    body = b[8 + n:]
    op = rng.randrange(8)
    if op == 0:  # header length field
        return struct.pack("<Q", rng.choice([0, 1, n - 1, n + 1, 2**63, len(b), 2**40])) + b[8:]
    if op == 1:  # truncate
        return b[:rng.randrange(len(b))]
    if op == 2:  # mutate the JSON text
        h = mutate_text(header, rng).encode("utf-8", "surrogatepass")
        return struct.pack("<Q", len(h)) + h + body
    if op in (3, 4, 5):  # structured JSON edits
        try:
            d = json.loads(header)
        except Exception:
            return b
        keys = [k for k in d if k != "__metadata__"]
        if not keys:
            return b
        k = rng.choice(keys)
        t = d[k]
        if op == 3:
            t["dtype"] = rng.choice(["F16", "BF16", "F64", "I32", "I64", "U8", "BOOL", "F8_E4M3", "XYZ", "", 5])
        elif op == 4:
            t["shape"] = rng.choice([[], [0], [-1], [2**62, 2**62], [1] * 9, t.get("shape", []) + [1], "x", [1.5]])
        else:
            a, e = t.get("data_offsets", [0, 0])
            t["data_offsets"] = rng.choice([[e, a], [a, e + 4], [a, 2**62], [-4, e], [a], "x", [a + 1, e + 1]])
        h = json.dumps(d).encode()
        if rng.random() < 0.5:
            h += b" " * ((8 - len(h) % 8) % 8)
        return struct.pack("<Q", len(h)) + h + body
    if op == 6:  # flip body bytes (NaNs etc.)
        bb = bytearray(b)
        for _ in range(20):
            if len(bb) > 8 + n:
                bb[rng.randrange(8 + n, len(bb))] = rng.choice([0xFF, 0x7F, 0x80, 0x00])
        return bytes(bb)
    bb = bytearray(b)
    for _ in range(rng.randint(1, 6)):
        bb[rng.randrange(len(bb))] = rng.randrange(256)
    return bytes(bb)


def run(args, tag, data, suffix, rng_seed, fail_on=None):
    try:
        p = subprocess.run(args, capture_output=True, timeout=60 if fail_on is None else 600)
    except subprocess.TimeoutExpired:
        return save(tag, data, suffix, rng_seed, "timeout", "")
    err = p.stderr.decode("utf-8", "replace")
    bad = None
    if p.returncode < 0:
        bad = f"signal {-p.returncode}"
    elif "Fatal error" in err:
        bad = "Swift fatal error"
    elif p.returncode != 0 and "error" not in err.lower() and fail_on is None:
        bad = f"rc {p.returncode} without an error message"
    elif fail_on is not None and p.returncode != 0:
        bad = f"rc {p.returncode}"
        err = p.stdout.decode("utf-8", "replace") + err
    if bad:
        save(tag, data, suffix, rng_seed, bad, err[-2000:])
    return p.returncode


def save(tag, data, suffix, seed, why, err):
    path = os.path.join(OUT, f"{tag}-{seed}{suffix}")
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    print(f"FOUND {tag} seed {seed}: {why}\n  {path}\n  {err.strip()[-600:]}", flush=True)


def interrupt(signum, frame):
    raise KeyboardInterrupt


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("m2", "m2mlp", "compile", "cuda", "params", "weights", "inputs", "config"):
        sys.exit(__doc__)
    target, start, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    work = os.path.join(WORK, f"{target}-{start}")
    os.makedirs(work, exist_ok=True)
    os.makedirs(OUT, exist_ok=True)
    tiny = os.path.join(WORK, "tiny.m2")
    if not os.path.exists(tiny):
        subprocess.run([M2C, "import", f"{G}/tiny.config.json", "-o", tiny], check=True, capture_output=True)
    rcs = {}
    # A timeout or ^C still prints what ran: SIGTERM becomes KeyboardInterrupt, caught around the loop.
    signal.signal(signal.SIGTERM, interrupt)
    done = 0
    try:
        for seed in range(start, start + count):
            one_input(target, seed, work, tiny, rcs)
            done += 1
    except KeyboardInterrupt:
        print(f"stopped by a signal after {done} of {count} inputs", flush=True)
    print(target, start, done, "exit codes:", dict(sorted(rcs.items())), flush=True)


def one_input(target, seed, work, tiny, rcs):
    """Runs one seeded input of TARGET; counts its exit code in rcs."""
    rng = random.Random(seed)
    if target in ("m2", "m2mlp"):
        src = open(tiny if target == "m2" else os.path.join(ROOT, "examples", "monarch-mixer-mlp.m2")).read()
        m = mutate_text(src, rng)
        f = os.path.join(work, "m.m2")
        open(f, "w", encoding="utf-8", errors="surrogatepass").write(m)
        rc = run([M2C, "ir", f, "--random-weights", "1"], target, m, ".m2", seed)
    elif target in ("compile", "cuda"):
        m = mutate_text(open(tiny).read(), rng)
        f = os.path.join(work, "m.m2")
        open(f, "w", encoding="utf-8", errors="surrogatepass").write(m)
        rc = run([M2C, "compile", f, "--random-weights", "1", "--target", "cpu" if target == "compile" else "cuda",
                  "-o", os.path.join(work, "out")], target, m, ".m2", seed)
    elif target == "params":
        hidden = rng.choice([8, 12, 16, 20, 24, 32, 40, 48, 64, 96])
        max_positions = rng.choice([16, 33, 64, 100])
        params = {"hidden": hidden, "intermediate": hidden * rng.choice([1, 2, 3, 4]),
                  "nblocks": rng.choice([1, 2, 3, 4, 8]), "layers": rng.choice([1, 2]),
                  "max_positions": max_positions, "seq_len": rng.randint(1, max_positions),
                  "filter_order": rng.choice([2, 4, 7, 16, 32]), "emb_dim": rng.choice([3, 5, 7]),
                  "vocab": rng.choice([50, 1000])}
        params["l_max"] = rng.choice([params["seq_len"], max_positions])
        args = [M2C, "verify", tiny, "--random-weights", str(seed), "--batch", str(rng.randint(1, 3)),
                "--random-inputs", str(seed)]
        for k, v in params.items():
            args += ["--param", f"{k}={v}"]
        args += rng.choice([[], [], ["--no-fusion"], ["--cpu-isa", "avx2"], ["--cpu-isa", "generic"],
                            ["--gemm", "openblas"], ["--threads", "2"]])
        if rng.random() < SANITIZE_SHARE:
            args.append("--sanitize")
        # Legal shapes: every exit but 0 is a finding (a refused shape must be refused by the elaborator).
        rc = run(args, target, " ".join(args[1:]), ".args", seed, fail_on="")
    elif target == "weights":
        b = mutate_safetensors(open(f"{G}/tiny.weights.safetensors", "rb").read(), rng)
        f = os.path.join(work, "w.safetensors")
        open(f, "wb").write(b)
        rc = run([M2C, "ir", tiny, "--weights", f, "--weights", f"{G}/tiny.pooler.safetensors"],
                 target, b, ".safetensors", seed)
    elif target == "inputs":
        b = mutate_safetensors(open(f"{G}/tiny.io.safetensors", "rb").read(), rng)
        f = os.path.join(work, "in.safetensors")
        open(f, "wb").write(b)
        rc = run([M2C, "run", tiny, "--random-weights", "1", "--inputs", f, "-o",
                  os.path.join(work, "out.safetensors")], target, b, ".safetensors", seed)
    elif target == "config":
        c = mutate_text(open(f"{G}/tiny.config.json").read(), rng)
        f = os.path.join(work, "config.json")
        open(f, "w", encoding="utf-8", errors="surrogatepass").write(c)
        rc = run([M2C, "import", f, "-o", os.path.join(work, "o.m2")], target, c, ".json", seed)
    rcs[rc] = rcs.get(rc, 0) + 1


main()
