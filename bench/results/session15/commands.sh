#!/bin/sh
# Fifteenth round (2026-12-07): --tune on M2-BERT-base, one idle 2-vCPU VM, run from the repository root.
set -eu
swift build -c release
m2c=.build/release/m2c out=bench/results/session15
outs="--outputs last_hidden_state,pooled_output"   # the encoder outputs paired.py times (no MLM head)

# The cost model's tiles and tuned tiles at batch 8, L = 128, then the two builds forward by forward.
$m2c compile examples/m2-bert-base.m2 --random-weights 1 --param seq_len=128 $outs -o /tmp/ab/model/L128
$m2c compile examples/m2-bert-base.m2 --random-weights 1 --param seq_len=128 $outs -o /tmp/ab/tuned/L128 \
    --tune --tune-batch 8 --tune-threads 2
grep -o 'tuned = "[^"]*"' /tmp/ab/tuned/L128/m2_bert_base.ir | sort | uniq -c > $out/tune-L128-b8.txt
for v in model tuned; do make -s -C /tmp/ab/$v/L128 CFLAGS="-O3 -march=native" libm2_bert_base.so; done
.venv-bench/bin/python bench/results/session11/ab_two_builds.py /tmp/ab/model /tmp/ab/tuned 128 8 24 \
    > $out/ab-cost-model-vs-tuned-L128-b8.txt

# The same tuning after --tune confirms its choices (634d7cb): every problem keeps the cost model's tiles.
$m2c compile examples/m2-bert-base.m2 --random-weights 1 --param seq_len=128 $outs -o /tmp/ab/tuned2/L128 \
    --tune --tune-batch 8 --tune-threads 2 2>&1 | grep -v '^tune: \(timing\|building\|writing\|confirming\)' \
    > $out/tune-confirmed-L128-b8.txt

# Tuned at batch 1, L = 8192 (3 paired forwards per round).
$m2c compile examples/m2-bert-base.m2 --random-weights 1 --param seq_len=8192 $outs -o /tmp/ab/tuned8k/L8192 \
    --tune --tune-batch 1 --tune-threads 2 --tune-reps 3 2> $out/tune-L8192-b1.txt
grep -o 'tuned = "[^"]*"' /tmp/ab/tuned8k/L8192/m2_bert_base.ir | sort | uniq -c >> $out/tune-L8192-b1.txt

# Tuned m2c against PyTorch eager, forward by forward.
.venv-bench/bin/python bench/paired.py --seq-len 512 --batch 1 --pairs 16 --warmup-seconds 3 --tune > $out/paired-tuned-b1-L512.txt
.venv-bench/bin/python bench/paired.py --seq-len 128 --batch 8 --pairs 12 --warmup-seconds 3 --tune > $out/paired-tuned-b8-L128.txt
