#!/usr/bin/env bash
# Fused-kernel factorizations: times the monarch_conv CPU kernel (Templates/cpu/monarch_conv_support.c.tmpl, rendered
# for AVX-512, 16 lanes) for several factorizations of N = 2L against FFTW, and against a baseline revision of the
# same template, batch 1, one bidirectional convolution of H channels, all in one process per L (in turns).
#
#   bench/longconv/factors.sh [--lengths 128,512,2048,8192] [--plans "L:F,F,…;L:…"] [--channels 768] [--threads 1]
#                             [--baseline GIT-REV] [--m2c PATH] [--min-time S] [--warmup S] [--work DIR]
#
# --plans replaces the built-in candidate lists (those of docs/PERFORMANCE.md); --baseline renders the template of
# that revision as the baseline column (default: the current file, so current / baseline ≈ 1); with --m2c, the
# factorization m2c's CPU pipeline picks for each L is printed (from `m2c ir --target cpu`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

lengths=128,512,2048,8192
plans=""
channels=768
threads=1
baseline=""
m2c=""
min_time=1.0
warmup=0.3
work="$root/build/bench-factors"
while [ $# -gt 0 ]; do
  case "$1" in
    --lengths) lengths="$2"; shift 2 ;;
    --plans) plans="$2"; shift 2 ;;
    --channels) channels="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --baseline) baseline="$2"; shift 2 ;;
    --m2c) m2c="$2"; shift 2 ;;
    --min-time) min_time="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "factors.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
cflags="${M2C_CFLAGS:--O3 -march=native}"

# Candidates per L: the codelet factorizations worth comparing, with a dense-matrix one for reference.
default_plans() {
  case "$1" in
    128) echo "16x16,4x4x16,16x4x4,4x16x4,8x4x8,8x8x4,4x8x8,2x8x16,16x8x2,2x16x8,4x4x4x4,32x8" ;;
    512) echo "8x8x16,16x8x8,8x16x8,4x16x16,16x4x16,16x16x4,2x8x8x8,4x4x8x8,16x2x32,32x32" ;;
    2048) echo "16x16x16,4x16x16x4,8x8x8x8,4x16x8x8,8x8x4x16,16x8x8x4,2x16x8x16,4x4x16x16,64x64" ;;
    8192) echo "16x16x16x4,4x16x16x16,8x8x16x16,16x16x8x8,16x8x8x16,8x8x8x8x4,2x8x8x16x8,4x4x4x16x16" ;;
    *) echo "factors.sh: no built-in candidates for L=$1: pass --plans" >&2; exit 2 ;;
  esac
}
plans_for() {
  local entry
  IFS=';' read -ra entries <<<"$plans"
  for entry in "${entries[@]}"; do
    [ "${entry%%:*}" = "$1" ] && { echo "${entry#*:}"; return; }
  done
  default_plans "$1"
}

mkdir -p "$work"
baseline_template="$root/Templates/cpu/monarch_conv_support.c.tmpl"
if [ -n "$baseline" ]; then
  baseline_template="$work/baseline_support.c.tmpl"
  git -C "$root" show "$baseline:Templates/cpu/monarch_conv_support.c.tmpl" >"$baseline_template"
fi
make -s -C "$here" BUILD="$work" CFLAGS="$cflags" BASELINE_TEMPLATE="$baseline_template" >&2
driver="$work/longconv_bench"

echo "| L | threads | factors | current ms/layer | baseline ms/layer | FFTW ms/layer | current / FFTW | baseline / FFTW | current / baseline |"
echo "|---|---|---|---|---|---|---|---|---|"
for l in ${lengths//,/ }; do
  "$driver" kernels -L "$l" -H "$channels" -s "$l" --factors "$(plans_for "$l")" --threads "$threads" \
    --warmup "$warmup" --min-time "$min_time" | grep '^|'
  if [ -n "$m2c" ]; then
    "$driver" weights -L "$l" -H "$channels" -s "$l" -o "$work/weights_L$l.safetensors"
    picked="$("$m2c" ir "$here/lc.m2" --param "seq_len=$l" --param "channels=$channels" \
      --weights "$work/weights_L$l.safetensors" --target cpu | grep -o -m1 'factors = \[[0-9,]*\]' | sed 's/.*\[\(.*\)\]/\1/' | tr ',' 'x')"
    echo "# L=$l: m2c's CPU pipeline picks $picked" >&2
  fi
done
