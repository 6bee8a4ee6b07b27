#!/bin/sh
# Fourteenth round (2026-12-07): the GEMM driver with and without settle pauses, alternating, on one idle VM.
# old = bench/gemm/{run.sh,driver.c} at db2a4c6 (OMP_WAIT_POLICY=passive, fixed order m2c, m2c+OpenBLAS, OpenBLAS,
# no pause), copied to /tmp/gemmold; new = this commit's (default wait policy, rotating order, 200 ms pause).
set -eu
mkdir -p /tmp/gemmold
git show db2a4c6:bench/gemm/run.sh > /tmp/gemmold/run.sh
git show db2a4c6:bench/gemm/driver.c > /tmp/gemmold/driver.c
git show db2a4c6:bench/gemm/gemm.m2 > /tmp/gemmold/gemm.m2
swift build -c release
for i in 1 2; do
    M2C=.build/release/m2c sh /tmp/gemmold/run.sh 4 16 > gemm-old-driver-run$i.md
    M2C=.build/release/m2c sh bench/gemm/run.sh 4 16 > gemm-settled-driver-run$i.md
done
M2C=.build/release/m2c sh bench/gemm/run.sh 1 4 16 64 > gemm-settled-driver-full.md

# One level of Strassen-Winograd on the in-projection, timing only (strassen/driver.c; output strassen/out.txt):
# m2c's GEMM for the full shape (1024 x 768 -> 2304, batch 8 of rows = 128) against seven products of the half
# shape (512 x 384 -> 1152, batch 4), each with its own weights, with and without the additions around them.
mkdir -p /tmp/strassen && cd /tmp/strassen
m2c=/work/main/.build/release/m2c g=/work/main/bench/gemm/gemm.m2
$m2c compile $g --param features_in=768 --param features_out=2304 --random-weights 1 --name g_full -o full --build
for s in 1 2 3 4 5 6 7; do
    $m2c compile $g --param features_in=384 --param features_out=1152 --random-weights $s --name g_sub -o sub$s --build
done
gcc -O3 -march=native -fopenmp -Wall -Wextra -Ifull -Isub1 /work/main/bench/results/session14/strassen/driver.c \
    full/libg_full.a sub1/libg_sub.a -lm -o driver
for i in 1 2 3; do ./driver null; ./driver; done

cd /work/main
.venv-bench/bin/python bench/paired.py --pairs 12 --warmup-seconds 3                 # paired-b8-L128.txt

# Reruns of the two measurements that overlapped each other by mistake (the GEMM table's last rows and L = 512):
M2C=.build/release/m2c sh bench/gemm/run.sh 16 > bench/results/session14/gemm-settled-driver-rows2048-rerun.md
.build/release/m2c bench examples/m2-bert-base.m2 --seq-len 512,8192 --batch 1 --threads 2 --reps 3 \
    --warmup-seconds 1 --outputs last_hidden_state,pooled_output > bench/results/session14/bench-b1-L512-L8192-rerun.txt
