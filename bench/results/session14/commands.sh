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
