"""m2c vs PyTorch eager M2-BERT-base, forward by forward: one process holds both models and alternates them.

    .venv-bench/bin/python bench/paired.py [--seq-len 128] [--batch 8] [--threads 2] [--pairs 30]
                                           [--warmup-seconds 3] [--m2c .build/release/m2c] [--tune] [--json]

Why: on a shared VM a slow stretch of the host lasts seconds to minutes, longer than one of compare.sh's blocks
of timed forwards, so a block-against-block ratio moves by ±10% with whichever program the stretch hit. Here
every pair is one m2c forward and one PyTorch forward back to back (the order alternating from pair to pair),
so both see the same state of the host, and the per-pair ratios show how far the comparison itself can be trusted.

m2c compiles examples/m2-bert-base.m2 at the length (random weights), builds it as compare.sh's `m2c bench` does
(cc -O3 -march=native, OpenMP) with the encoder outputs compare.sh asks for (`--outputs last_hidden_state,
pooled_output`: the MLM head is left out, as in BertModel) and calls the library through ctypes. The PyTorch model is bench/m2_bert_torch.py with random weights of the same
shapes, run as its own script runs it (the implicit filters recomputed per forward, as the original does).
Both use --threads threads; the two OpenMP runtimes (the system's libgomp for m2c, torch's own copy) each keep
their own workers, which sleep while the other model runs.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from m2_bert_torch import M2Bert, M2BertConfig, random_state  # noqa: E402
from timing import warm_up  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = "m2_bert_base"


class M2CLibrary:
    """The generated library of examples/m2-bert-base.m2 at one length, opened through its C API."""

    def __init__(self, m2c: str, seq_len: int, batch: int, threads: int, workdir: str, tune: bool = False):
        build = os.path.join(workdir, f"L{seq_len}")
        # --tune: the tiles timed in this model at this batch and thread count (docs/PERFORMANCE.md, "Tuned tiles").
        tuning = ["--tune", "--tune-batch", str(batch), "--tune-threads", str(threads)] if tune else []
        subprocess.run([m2c, "compile", os.path.join(ROOT, "examples", "m2-bert-base.m2"), "--target", "cpu",
                        "--random-weights", "1", "--param", f"seq_len={seq_len}",
                        "--outputs", "last_hidden_state,pooled_output", "-o", build] + tuning,
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["make", "-s", "-C", build, "CFLAGS=-O3 -march=native", f"lib{NAME}.so"],
                       check=True, stdout=subprocess.DEVNULL)
        self.lib = ctypes.CDLL(os.path.join(build, f"lib{NAME}.so"))
        self.lib.m2_bert_base_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        self.lib.m2_bert_base_forward_v.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p),
                                                    ctypes.POINTER(ctypes.c_void_p)]
        self.lib.m2_bert_base_set_num_threads.argtypes = [ctypes.c_void_p, ctypes.c_int]
        self.lib.m2_bert_base_last_error.argtypes = [ctypes.c_void_p]
        self.lib.m2_bert_base_last_error.restype = ctypes.c_char_p
        self.lib.m2_bert_base_close.argtypes = [ctypes.c_void_p]
        self.handle = ctypes.c_void_p()
        self._check(self.lib.m2_bert_base_open(os.path.join(build, f"{NAME}.m2w").encode(),
                                               ctypes.byref(self.handle)), "open")
        self._check(self.lib.m2_bert_base_set_num_threads(self.handle, threads), "set_num_threads")
        self.batch = batch
        gen = torch.Generator().manual_seed(1)
        self.ids = torch.randint(0, 30522, (batch, seq_len), generator=gen, dtype=torch.int32).contiguous()
        self.hidden = torch.empty(batch, seq_len, 768)
        self.pooled = torch.empty(batch, 768)
        self.inputs = (ctypes.c_void_p * 3)(self.ids.data_ptr(), None, None)
        self.outputs = (ctypes.c_void_p * 2)(self.hidden.data_ptr(), self.pooled.data_ptr())

    def _check(self, code: int, what: str) -> None:
        if code != 0:
            detail = self.lib.m2_bert_base_last_error(self.handle).decode() if self.handle else ""
            raise RuntimeError(f"m2c library {what} failed with code {code}: {detail}")

    def forward(self) -> None:
        self._check(self.lib.m2_bert_base_forward_v(self.handle, self.batch, self.inputs, self.outputs), "forward")

    def close(self) -> None:
        self.lib.m2_bert_base_close(self.handle)


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1e3


def quantile(values: list[float], q: float) -> float:
    s = sorted(values)
    pos = q * (len(s) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def main() -> None:
    parser = argparse.ArgumentParser(description="m2c vs PyTorch eager M2-BERT-base, alternating forwards.")
    parser.add_argument("--seq-len", type=int, default=128)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--pairs", type=int, default=30)
    parser.add_argument("--warmup-seconds", type=float, default=3.0, help="per model, before the pairs")
    parser.add_argument("--m2c", default=os.path.join(ROOT, ".build", "release", "m2c"))
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--tune", action="store_true", help="compile m2c with --tune at this batch and thread count")
    args = parser.parse_args()
    if args.pairs < 1 or args.batch < 1 or args.threads < 1:
        parser.error("--pairs, --batch and --threads must be positive")
    if not os.access(args.m2c, os.X_OK):
        sys.exit(f"no m2c at {args.m2c}: run swift build -c release --product m2c (or pass --m2c)")
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="m2c-paired-") as workdir:
        print(f"paired L={args.seq_len} batch={args.batch}: compiling and building m2c", file=sys.stderr)
        m2c = M2CLibrary(args.m2c, args.seq_len, args.batch, args.threads, workdir, tune=args.tune)
        config = M2BertConfig.base(args.seq_len)
        model = M2Bert(config, random_state(config))
        ids = m2c.ids.long()
        with torch.inference_mode():
            def torch_forward() -> None:
                model.forward(ids)

            print(f"paired: warming up {args.warmup_seconds:.1f} s each, then {args.pairs} pairs", file=sys.stderr)
            for fn in (m2c.forward, torch_forward):
                warm_up(fn, args.warmup_seconds)
            m2c_ms, torch_ms = [], []
            for i in range(args.pairs):
                if i % 2 == 0:
                    m2c_ms.append(timed(m2c.forward))
                    torch_ms.append(timed(torch_forward))
                else:
                    torch_ms.append(timed(torch_forward))
                    m2c_ms.append(timed(m2c.forward))
        m2c.close()
    ratios = [t / m for m, t in zip(m2c_ms, torch_ms)]
    record = {
        "seq_len": args.seq_len, "batch": args.batch, "threads": args.threads, "pairs": args.pairs,
        "m2c_ms_median": statistics.median(m2c_ms), "m2c_ms_min": min(m2c_ms),
        "torch_ms_median": statistics.median(torch_ms), "torch_ms_min": min(torch_ms),
        "ratio_of_medians": statistics.median(torch_ms) / statistics.median(m2c_ms),
        "ratio_of_mins": min(torch_ms) / min(m2c_ms),
        "pair_ratio_median": statistics.median(ratios), "pair_ratio_q1": quantile(ratios, 0.25),
        "pair_ratio_q3": quantile(ratios, 0.75), "pair_ratio_min": min(ratios), "pair_ratio_max": max(ratios),
        "pairs_at_least_2x": sum(r >= 2.0 for r in ratios), "m2c_ms": m2c_ms, "torch_ms": torch_ms,
        "torch_version": torch.__version__, "m2c_tuned": args.tune,
    }
    if args.json:
        print(json.dumps(record, sort_keys=True))
        return
    print(f"L={args.seq_len} batch={args.batch} threads={args.threads}, {args.pairs} pairs"
          + (", m2c --tune" if args.tune else ""))
    print(f"  m2c      ms/forward: median {record['m2c_ms_median']:.1f}, min {record['m2c_ms_min']:.1f}")
    print(f"  PyTorch  ms/forward: median {record['torch_ms_median']:.1f}, min {record['torch_ms_min']:.1f}")
    print(f"  PyTorch / m2c per pair: median {record['pair_ratio_median']:.2f}x "
          f"[quartiles {record['pair_ratio_q1']:.2f}-{record['pair_ratio_q3']:.2f}, "
          f"range {record['pair_ratio_min']:.2f}-{record['pair_ratio_max']:.2f}], "
          f"{record['pairs_at_least_2x']} of {args.pairs} pairs >= 2x")
    print(f"  ratio of medians {record['ratio_of_medians']:.2f}x, of minimums {record['ratio_of_mins']:.2f}x")


if __name__ == "__main__":
    main()
