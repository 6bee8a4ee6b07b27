#!/bin/sh
# m2c vs PyTorch eager M2-BERT-base vs Hugging Face BERT-base (sdpa), same lengths, batch and threads, in one run.
#
#   bench/compare.sh [--seq-len 128,512,1024,2048] [--batch 1] [--threads 1,2] [--reps 5] [--warmup-seconds 1] [--skip-hf]
#                    [--rounds N]
#
# --skip-hf leaves out Hugging Face BERT-base (its attention is quadratic: at batch 8 and L = 8192 it alone takes
# about half an hour), so m2c and PyTorch M2-BERT still run back to back.
#
# m2c compiles and builds each length once and times every thread count on it; the PyTorch scripts run once per
# thread count.
#
# --rounds N (default 1) repeats the whole comparison N times, interleaved, and reports the medians over the rounds
# and the spread of the per-round ratios. Odd rounds run m2c first, even rounds the PyTorch models first, so a
# slow stretch of the shared machine (run-to-run drift of 5-20% here) does not favour whichever runs first.
#
# Environment: M2C (default: .build/release/m2c, else .build/debug/m2c), PYTHON (default: .venv-bench/bin/python
# when it exists, else python3; needs torch, and transformers for the BERT row). Raw JSON lines go to
# $OUT (default: a temporary directory) as m2c.jsonl, torch_m2.jsonl and hf_bert.jsonl.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
seq_len=128 batch=1 threads=1 reps=5 warmup=1 skip_hf=0 rounds=1
while [ $# -gt 0 ]; do
    case "$1" in
        --seq-len) seq_len=$2; shift 2 ;;
        --batch) batch=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --reps) reps=$2; shift 2 ;;
        --warmup-seconds) warmup=$2; shift 2 ;;
        --skip-hf) skip_hf=1; shift ;;
        --rounds) rounds=$2; shift 2 ;;
        *) echo "usage: $0 [--seq-len L,...] [--batch N] [--threads N] [--reps N] [--warmup-seconds S] [--skip-hf] [--rounds N]" >&2; exit 2 ;;
    esac
done
if [ -z "${M2C:-}" ]; then
    if [ -x "$root/.build/release/m2c" ]; then M2C=$root/.build/release/m2c; else M2C=$root/.build/debug/m2c; fi
fi
if [ -z "${PYTHON:-}" ]; then
    if [ -x "$root/.venv-bench/bin/python" ]; then PYTHON=$root/.venv-bench/bin/python; else PYTHON=python3; fi
fi
case "$rounds" in ''|*[!0-9]*|0) echo "--rounds must be a positive integer, got '$rounds'" >&2; exit 2 ;; esac
[ -x "$M2C" ] || { echo "no m2c at $M2C: run swift build -c release --product m2c (or set M2C)" >&2; exit 1; }
"$PYTHON" -c "import torch" 2>/dev/null || { echo "$PYTHON has no torch: pip install torch (docs/PERFORMANCE.md)" >&2; exit 1; }
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
common="--seq-len $seq_len --batch $batch --reps $reps --warmup-seconds $warmup --json"

has_transformers=$("$PYTHON" -c "import transformers" 2>/dev/null && echo 1 || echo 0)
if [ "$skip_hf" = 1 ]; then
    has_transformers=0
    echo "--skip-hf: Hugging Face BERT-base is not run" >&2
else
    [ "$has_transformers" = 1 ] || echo "transformers is not installed: skipping Hugging Face BERT-base" >&2
fi
: > "$out/m2c.jsonl"
: > "$out/torch_m2.jsonl"
: > "$out/hf_bert.jsonl"

# The encoder and CLS pooler only, like BertModel: the MLM head is not part of the comparison.
run_m2c() {
    "$M2C" bench "$root/examples/m2-bert-base.m2" --outputs last_hidden_state,pooled_output --threads "$threads" $common \
        >> "$out/m2c.jsonl"
}
run_torch() {
    for t in $(echo "$threads" | tr ',' ' '); do
        "$PYTHON" "$here/m2_bert_torch.py" --threads "$t" $common >> "$out/torch_m2.jsonl"
        if [ "$has_transformers" = 1 ]; then "$PYTHON" "$here/hf_bert_torch.py" --threads "$t" $common >> "$out/hf_bert.jsonl"; fi
    done
}
r=1
while [ "$r" -le "$rounds" ]; do
    [ "$rounds" = 1 ] || echo "round $r of $rounds" >&2
    if [ $((r % 2)) = 1 ]; then run_m2c; run_torch; else run_torch; run_m2c; fi
    r=$((r + 1))
done
"$PYTHON" "$here/compare_report.py" "$out/m2c.jsonl" "$out/torch_m2.jsonl" "$out/hf_bert.jsonl"
echo "raw results: $out"
