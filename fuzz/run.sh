#!/usr/bin/env bash
# Runs one fuzz target at the lowest priority until RUNS executions or SECONDS seconds, whichever comes first.
# Usage: fuzz/run.sh TARGET [RUNS=1000000] [SECONDS=1800] [extra libFuzzer flags...]
# New inputs go to fuzz/.build/corpus/TARGET (kept between runs), crashes to fuzz/.build/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=fuzz/.build
target=${1:?usage: fuzz/run.sh TARGET [RUNS] [SECONDS]}
runs=${2:-1000000}
seconds=${3:-1800}
shift $(( $# < 3 ? $# : 3 ))
mkdir -p "$OUT/corpus/$target" "$OUT/artifacts"
flags=(-runs="$runs" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1
       -artifact_prefix="$OUT/artifacts/$target-")
case $target in
    m2-source) flags+=(-dict=fuzz/m2.dict -max_len=8192) ;;
    import-config) flags+=(-max_len=2048) ;;
    safetensors) flags+=(-max_len=4096) ;;
    m2w-loader) flags+=(-max_len=16384) ;;
esac
exec nice -n 19 "$OUT/$target" "${flags[@]}" "$@" "$OUT/corpus/$target" "$OUT/seeds/$target"
