"""Joins the JSON lines of `m2c bench`, bench/m2_bert_torch.py and bench/hf_bert_torch.py by (seq_len, batch,
threads) and prints tokens/ms of each with the ratios m2c / PyTorch M2-BERT and m2c / HF BERT."""

from __future__ import annotations

import json
import sys


def load(path: str) -> dict[tuple[int, int, int], dict]:
    rows = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                rows[(r["seq_len"], r["batch"], r["threads"])] = r
    return rows


def main() -> None:
    m2c, torch_m2, hf = (load(p) for p in sys.argv[1:4])
    print(f"{'L':>6} {'batch':>5} {'thr':>3} {'m2c tok/ms':>11} {'%sgemm':>7} {'torch M2':>9} {'HF BERT':>8}"
          f" {'m2c/torchM2':>12} {'m2c/HF':>7}")
    for key in sorted(m2c):
        m = m2c[key]
        t, h = torch_m2.get(key), hf.get(key)

        def rate(r: dict | None) -> str:
            return f"{r['tokens_per_ms']:.3f}" if r else "-"

        def ratio(r: dict | None) -> str:
            return f"{m['tokens_per_ms'] / r['tokens_per_ms']:.2f}x" if r else "-"

        sgemm = m.get("percent_of_sgemm")
        print(f"{key[0]:>6} {key[1]:>5} {key[2]:>3} {m['tokens_per_ms']:>11.3f} "
              f"{(f'{sgemm:.1f}%' if sgemm is not None else '-'):>7} {rate(t):>9} {rate(h):>8} {ratio(t):>12} {ratio(h):>7}")


if __name__ == "__main__":
    main()
