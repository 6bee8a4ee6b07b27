#!/bin/sh
# Seventeenth round (2026-12-08): HEAD 2ac1b64's code, re-measured against PyTorch; one idle 2-vCPU VM
# (AMD EPYC Zen 4, gcc 12, torch 2.15.0 from PyPI, MKL), run from the repository root.
set -eu
swift build -c release
out=bench/results/session17
python3 -m venv .venv-bench && .venv-bench/bin/pip install -q torch transformers pytest

# m2c against PyTorch eager M2-BERT-base, forward by forward (encoder outputs; paired.py's own compile).
.venv-bench/bin/python bench/paired.py --seq-len 128 --batch 8 --pairs 16 --warmup-seconds 3 \
    > $out/paired-b8-L128.txt 2> $out/paired-b8-L128.err
.venv-bench/bin/python bench/paired.py --seq-len 512 --batch 1 --pairs 16 --warmup-seconds 3 \
    > $out/paired-b1-L512.txt 2> $out/paired-b1-L512.err

# The whole model (MLM head included) against the in-run sgemm and FMA peak.
.build/release/m2c bench examples/m2-bert-base.m2 --seq-len 128 --batch 8 --threads 2 > $out/bench-b8-L128.txt 2>&1

# The down-projection (4 blocks of 768 -> 192) with kc = 768 (the cost model's), 384 and 256, via --tiles on a
# hand-edited NAME.ir; bench/gemm/driver.c at 1024 and 2048 rows, two rounds each (kc-down-projection.txt).
