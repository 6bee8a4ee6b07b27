"""Joins the JSON lines of `m2c bench`, bench/m2_bert_torch.py and bench/hf_bert_torch.py by (seq_len, batch,
threads) and prints tokens/ms of each with the ratios m2c / PyTorch M2-BERT and m2c / HF BERT.

A key may appear once per round of `bench/compare.sh --rounds N` (in round order in every file): rates are then
the medians over the rounds, and each ratio is the median of the per-round ratios (m2c's round i against the
other model's round i, measured next to each other), followed by their range."""

from __future__ import annotations

import json
import statistics
import sys

Key = tuple[int, int, int]


def load(path: str) -> dict[Key, list[dict]]:
    rows: dict[Key, list[dict]] = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                rows.setdefault((r["seq_len"], r["batch"], r["threads"]), []).append(r)
    return rows


def rate(records: list[dict] | None) -> str:
    return f"{statistics.median(r['tokens_per_ms'] for r in records):.3f}" if records else "-"


def ratio(mine: list[dict], theirs: list[dict] | None) -> str:
    """Median of the per-round ratios, with their range when there is more than one round."""
    if not theirs:
        return "-"
    per_round = [m["tokens_per_ms"] / t["tokens_per_ms"] for m, t in zip(mine, theirs)]
    text = f"{statistics.median(per_round):.2f}x"
    return text if len(per_round) == 1 else f"{text} [{min(per_round):.2f}-{max(per_round):.2f}]"


def report(m2c: dict[Key, list[dict]], torch_m2: dict[Key, list[dict]], hf: dict[Key, list[dict]]) -> list[str]:
    rounds = max((len(v) for v in m2c.values()), default=0)
    wide = rounds > 1
    lines = []
    if wide:
        lines.append(f"medians over {rounds} rounds; ratios: median of the per-round ratios [min-max]")
    w = 22 if wide else 12
    lines.append(f"{'L':>6} {'batch':>5} {'thr':>3} {'m2c tok/ms':>11} {'%sgemm':>7} {'torch M2':>9} {'HF BERT':>8}"
                 f" {'m2c/torchM2':>{w}} {'m2c/HF':>{w}}")
    for key in sorted(m2c):
        m = m2c[key]
        sgemm = [r["percent_of_sgemm"] for r in m if r.get("percent_of_sgemm") is not None]
        sgemm_text = f"{statistics.median(sgemm):.1f}%" if sgemm else "-"
        lines.append(f"{key[0]:>6} {key[1]:>5} {key[2]:>3} {rate(m):>11} {sgemm_text:>7} {rate(torch_m2.get(key)):>9} "
                     f"{rate(hf.get(key)):>8} {ratio(m, torch_m2.get(key)):>{w}} {ratio(m, hf.get(key)):>{w}}")
    return lines


def main() -> None:
    m2c, torch_m2, hf = (load(p) for p in sys.argv[1:4])
    print("\n".join(report(m2c, torch_m2, hf)))


if __name__ == "__main__":
    main()
