#!/bin/sh
# GEMM micro-benchmark: the matmul shapes of M2-BERT-base, m2c's generated kernels vs OpenBLAS in one process.
#   bench/gemm/run.sh [--cpu-isa ISA] [batches…]       (default batches: 1 4 16 64 → 128 … 8192 rows)
# Uses M2C (default: .build/debug/m2c, built by `swift build`), gcc with OpenMP, OpenBLAS (libopenblas-dev).
# Prints a Markdown table (docs/PERFORMANCE.md, "GEMM kernels").
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
m2c=${M2C:-$root/.build/debug/m2c}
isa=native
if [ "${1:-}" = "--cpu-isa" ]; then isa=$2; shift 2; fi
batches=${*:-1 4 16 64}
work=${WORK:-$(mktemp -d)}
# No OMP_WAIT_POLICY: the driver pauses between blocks instead, so neither library's idle workers spin into the
# other's timing, and m2c keeps the default wait policy it runs with in a model.

# label features_in features_out nblocks [max batch]
shapes="dense-768x2304 768 2304 1 64
dense-768x768 768 768 1 64
4blk-192x1536 768 6144 4 64
4blk-768x192 3072 768 4 64
mlm-768x30528 768 30528 1 16"

echo "| shape | rows | threads | m2c GFLOP/s | m2c+OpenBLAS GFLOP/s | OpenBLAS GFLOP/s | m2c / best OpenBLAS |"
echo "|---|---|---|---|---|---|---|"
echo "$shapes" | while read -r label fin fout nb maxb; do
    dir="$work/$label"
    mkdir -p "$dir"
    for gemm in m2c openblas; do
        "$m2c" compile "$here/gemm.m2" --param features_in=$fin --param features_out=$fout --param nblocks=$nb \
            --random-weights 1 --cpu-isa "$isa" --gemm $gemm --name "g_$gemm" -o "$dir/$gemm" --build 2>/dev/null
    done
    use=""
    for b in $batches; do [ "$b" -le "$maxb" ] && use="$use $b"; done
    gcc -O2 -std=c11 -fopenmp -I"$dir/m2c" -I"$dir/openblas" -DM2C=g_m2c -DBLAS=g_openblas \
        -DFEATURES_IN=$fin -DFEATURES_OUT=$fout -DNBLOCKS=$nb "$here/driver.c" -o "$dir/driver" \
        "$dir/m2c/libg_m2c.a" "$dir/openblas/libg_openblas.a" -lopenblas -lm
    "$dir/driver" "$dir/m2c/g_m2c.m2w" "$dir/openblas/g_openblas.m2w" "$label" $use
done
