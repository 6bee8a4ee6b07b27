#!/bin/bash
# Session 13 measurements (HEAD 0c4fcbb, the twelfth round's code), run by hand one after another on an idle VM.
cd /work/main
P=.venv-bench/bin/python
M2C=.build/release/m2c
O="--outputs last_hidden_state,pooled_output"
R=bench/results/session13
$M2C bench examples/m2-bert-base.m2 --seq-len 128 --batch 8 --threads 2 --reps 5 --warmup-seconds 2 $O          # bench.txt, row 1
$P bench/paired.py --pairs 12 --warmup-seconds 3                                                                # paired-b8-L128.txt
$P bench/paired.py --seq-len 512 --batch 1 --pairs 16 --warmup-seconds 2                                        # paired-b1-L512.txt
$M2C bench examples/m2-bert-base.m2 --seq-len 512 --batch 1 --threads 2 --reps 9 --warmup-seconds 2 $O          # bench.txt, row 2
$M2C bench examples/m2-bert-base.m2 --seq-len 128 --batch 8 --threads 1 --reps 5 --warmup-seconds 2 $O --profile --profile-top 0 > $R/bench-b8-L128-1thread-profile.txt 2>&1
# experiments.txt: hand-edited copies of the generated C (see the file), timed with
#   $P bench/results/session11/ab_two_builds.py /tmp/ab2/old /tmp/ab2/new 128 8 16
