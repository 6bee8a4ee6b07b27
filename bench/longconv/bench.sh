#!/usr/bin/env bash
# Long-convolution benchmark: m2c's fused Monarch kernel and its expanded Monarch-FFT form vs an FFTW radix-2 FFT
# convolution vs the direct sum,
# batch 1, one bidirectional convolution of H channels (M2-BERT: two per layer), for each L and thread count.
#
#   bench/longconv/bench.sh [--lengths 128,256,…] [--channels 768] [--threads 1,2] [--min-time S] [--warmup S]
#                           [--work DIR] [--m2c PATH]
#
# Per L: longconv_bench writes random kernels (safetensors); `m2c compile bench/longconv/lc.m2` builds the
# convolution three times (CPU pipeline = one fused monarch_conv; --no-fusion = Monarch-FFT expanded into
# primitive ops; --long-conv direct = the O(L²) sum) with $M2C_CFLAGS; one longconv_bench process then checks
# the four outputs against each other and times all four, in turns
# (see longconv_bench.c). Prints the markdown table of docs/PERFORMANCE.md (ms per layer = 2 convolutions).
# Environment: M2C_CFLAGS (default -O3 -march=native) for the generated libraries and the driver.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

lengths=128,256,512,1024,2048,4096,8192
channels=768
threads=1,2
min_time=1.0
warmup=0.5
work="$root/build/bench-longconv"
m2c=""
while [ $# -gt 0 ]; do
  case "$1" in
    --lengths) lengths="$2"; shift 2 ;;
    --channels) channels="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --min-time) min_time="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --m2c) m2c="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
cflags="${M2C_CFLAGS:--O3 -march=native}"

if [ -z "$m2c" ]; then
  (cd "$root" && swift build --product m2c >&2)
  m2c="$(cd "$root" && swift build --show-bin-path)/m2c"
fi
mkdir -p "$work"
make -s -C "$here" BUILD="$work" CFLAGS="$cflags" >&2
driver="$work/longconv_bench"

rows=()
notes=()
for l in ${lengths//,/ }; do
  dir="$work/L$l"
  mkdir -p "$dir"
  "$driver" weights -L "$l" -H "$channels" -s "$l" -o "$dir/weights.safetensors"
  for form in fused monarch direct; do
    case "$form" in
      fused) flags=() ;;
      monarch) flags=(--no-fusion) ;;
      direct) flags=(--long-conv direct) ;;
    esac
    "$m2c" compile "$here/lc.m2" --param "seq_len=$l" --param "channels=$channels" \
      --weights "$dir/weights.safetensors" "${flags[@]}" --name "lc_$form" -o "$dir/$form" 2>"$dir/$form.log" \
      || { cat "$dir/$form.log" >&2; exit 1; }
    make -s -C "$dir/$form" CFLAGS="$cflags" >&2
  done
  factors="$(grep -o -m1 'monarch = "[0-9x]*"' "$dir/monarch/lc_monarch.ir" | sed 's/.*"\(.*\)"/\1/')"
  [ -n "$factors" ] || { echo "bench.sh: L=$l: no Monarch factorization in $dir/monarch/lc_monarch.ir" >&2; exit 1; }
  # The fused kernel has its own cost model: name its factorization too when it differs.
  fused_factors="$(grep -o -m1 'factors = \[[0-9,]*\]' "$dir/fused/lc_fused.ir" | sed 's/.*\[\(.*\)\]/\1/' | tr ',' 'x')"
  label="$factors"
  [ "$fused_factors" = "$factors" ] || label="$fused_factors (expanded $factors)"
  echo "L=$l: Monarch factorization $label (N = $((2 * l)))" >&2
  output="$("$driver" time -L "$l" -H "$channels" -s "$l" --factors "$factors" --threads "$threads" \
    --warmup "$warmup" --min-time "$min_time" --fused "$dir/fused/lc_fused" --monarch "$dir/monarch/lc_monarch" \
    --direct "$dir/direct/lc_direct")"
  echo "$output" >&2
  while IFS= read -r line; do
    case "$line" in
      "|"*) rows+=("${line/"| $factors |"/"| $label |"}") ;;
      "#"*) notes+=("${line#\# }") ;;
    esac
  done <<<"$output"
done

echo "| L | threads | factors | m2c fused ms/layer | GFLOP/s | m2c expanded ms/layer | GFLOP/s | FFTW ms/layer | GFLOP/s | direct ms/layer | GFLOP/s | fused / FFTW | expanded / FFTW | fused / direct |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
printf '%s\n' "${notes[@]}"
