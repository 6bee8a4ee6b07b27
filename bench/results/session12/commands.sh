#!/bin/bash
# Session 12 measurements (HEAD 393f3d3, with the batch-1 channel pairing), run on an otherwise idle VM, one after another.
cd /work/main
R=bench/results/session12
mkdir -p $R
P=.venv-bench/bin/python
M2C=.build/release/m2c
O="--outputs last_hidden_state,pooled_output"
stamp() { echo "== $(date -u +%H:%M:%S) $*" >&2; }
stamp peak; ~/.cache/m2c/fma_peak/fma_peak 2 > $R/fma-peak.txt 2>&1 || true
stamp bench-b8-L128
$M2C bench examples/m2-bert-base.m2 --seq-len 128 --batch 8 --threads 2 --reps 5 --warmup-seconds 2 $O --profile --profile-top 0 > $R/bench-b8-L128-profile.txt 2>&1
stamp paired-b8-L128
for i in 1 2; do $P bench/paired.py --pairs 20 --warmup-seconds 3 --json >> $R/paired-b8-L128.jsonl; done
stamp paired-b1
for spec in 128:20 512:10 1024:8 2048:6 4096:4 8192:3; do
  L=${spec%%:*}; n=${spec##*:}
  $P bench/paired.py --seq-len $L --batch 1 --pairs $n --warmup-seconds 2 --json >> $R/paired-b1.jsonl
  stamp "  b1 L=$L done"
done
stamp bench-b1
$M2C bench examples/m2-bert-base.m2 --seq-len 128,512,1024,2048,4096,8192 --batch 1 --threads 2 --reps 3 --warmup-seconds 1 $O --json > $R/bench-b1.jsonl 2> $R/bench-b1.err
stamp gemm
M2C=$M2C bench/gemm/run.sh 1 4 16 64 > $R/gemm.md 2> $R/gemm.err
stamp paired-b8-long
for spec in 512:6 1024:4 2048:3 4096:2 8192:2; do
  L=${spec%%:*}; n=${spec##*:}
  $P bench/paired.py --seq-len $L --batch 8 --pairs $n --warmup-seconds 0 --json >> $R/paired-b8-long.jsonl
  stamp "  b8 L=$L done"
done
stamp bench-b8
$M2C bench examples/m2-bert-base.m2 --seq-len 512,1024,2048,4096,8192 --batch 8 --threads 2 --reps 2 --warmup-seconds 0 $O --json > $R/bench-b8.jsonl 2> $R/bench-b8.err
stamp done
# then, right after:
stamp profile-b1
$M2C bench examples/m2-bert-base.m2 --seq-len 512,8192 --batch 1 --threads 2 --reps 3 --warmup-seconds 1 $O --profile --profile-top 12 > $R/bench-b1-L512-L8192-profile.txt 2>&1
stamp paired-b1-L512
$P bench/paired.py --seq-len 512 --batch 1 --pairs 20 --warmup-seconds 2 --json >> $R/paired-b1-L512-again.jsonl
stamp gemm-recheck
for i in 1 2; do M2C=$M2C bench/gemm/run.sh 4 16 >> $R/gemm-recheck-4-16.md 2>> $R/gemm.err; done
stamp done
stamp ab-channel-pairing
# before = a clone at 0785dd7 (no channel pairing), after = this tree; both libraries built with -O3 -march=native
$P bench/results/session11/ab_two_builds.py /tmp/ab/old /tmp/ab/new 512 1 40 > $R/ab-channel-pairing.txt 2>/dev/null
$P bench/results/session11/ab_two_builds.py /tmp/ab/old /tmp/ab/new 8192 1 6 >> $R/ab-channel-pairing.txt 2>/dev/null
stamp done2
# Not part of the script, run by hand around it:
#  before it (pre-*.json): the A/B libraries, then two paired runs
#    git clone . /tmp/old0785 && (cd /tmp/old0785 && git checkout 0785dd7 && swift build -c release --product m2c)
#    for v in old new; do M=...; for L in 512 8192; do   # old: /tmp/old0785/.build/release/m2c, new: .build/release/m2c
#      $M compile examples/m2-bert-base.m2 --target cpu --random-weights 1 --param seq_len=$L \
#         --outputs last_hidden_state,pooled_output -o /tmp/ab/$v/L$L
#      make -s -C /tmp/ab/$v/L$L "CFLAGS=-O3 -march=native" libm2_bert_base.so; done; done
#    $P bench/results/session11/ab_two_builds.py /tmp/ab/old /tmp/ab/new 512 1 40   # and 8192 1 6
#    $P bench/paired.py --seq-len 512 --batch 1 --pairs 20 --warmup-seconds 2 --json > $R/pre-paired-b1-L512.json
#    $P bench/paired.py --pairs 20 --warmup-seconds 3 --json > $R/pre-paired-b8-L128.json
#  after it (recheck-*), with the release build of bf9f78a (the FMA peak measured around each batch):
#    $M2C bench examples/m2-bert-base.m2 --seq-len 128 --batch 1,8 --threads 2 --reps 5 --warmup-seconds 2 $O
#    $P bench/paired.py --seq-len 128 --batch 1 --pairs 20 --warmup-seconds 2 --json > $R/recheck-paired-b1-L128.json
#    $M2C bench examples/m2-bert-base.m2 --seq-len 128 --batch 1 --threads 2 --reps 10 --warmup-seconds 2 $O
