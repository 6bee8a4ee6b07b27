#!/usr/bin/env bash
# Builds the seed corpora in fuzz/.build/seeds/TARGET from files in the repository (run fuzz/build.sh first:
# the .m2w seeds come from the tiny model it compiles). Re-running replaces the seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=fuzz/.build
SEEDS=$OUT/seeds
GOLDEN=Tests/Fixtures/golden
rm -rf "$SEEDS"
mkdir -p "$SEEDS"/{m2-source,import-config,safetensors,m2w-loader}

# .m2 sources: the examples, the model `m2c import` writes for every fixture, and the README's five lines.
cp examples/*.m2 "$SEEDS/m2-source/"
m2c="$(swift build --show-bin-path)/m2c"
for fixture in tiny small plain; do
    if [ -x "$m2c" ]; then "$m2c" import "$GOLDEN/$fixture.config.json" -o "$SEEDS/m2-source/$fixture.m2"; fi
done
cat > "$SEEDS/m2-source/readme.m2" <<'M2'
model tiny_mixer(seq_len: int = 64, hidden: int = 64) {
  input input_ids: i32[seq_len]
  let x = Embedding(input_ids, rows: 1000, dim: hidden) @ "embed"
  for i in 0..<2 { x = M2BertLayer(x, intermediate: 4 * hidden, order: 16, emb_dim: 5, l_max: seq_len) @ "layer.{i}" }
  output last_hidden_state = x
}
M2

# config.json: the fixtures' configs without their long key lists (m2c import reads only the scalar fields;
# 16 KB seeds slow libFuzzer ~10x).
for fixture in tiny small plain; do
    python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))
print(json.dumps({k: v for k, v in c.items() if not isinstance(v, (list, dict))}, indent=1))' \
        "$GOLDEN/$fixture.config.json" > "$SEEDS/import-config/$fixture.config.json"
done

# safetensors: the small pooler files (whole) and the first 64 KiB of a weights file (a truncated one).
for fixture in tiny small plain; do cp "$GOLDEN/$fixture.pooler.safetensors" "$SEEDS/safetensors/$fixture.pooler.safetensors"; done
head -c 65536 "$GOLDEN/tiny.weights.safetensors" > "$SEEDS/safetensors/tiny.weights.head.safetensors"

# .m2w (first byte = mode, see fuzz/targets/m2w_loader_fuzzer.c): the header and tensor table of tiny.m2w in
# every mode, and the whole valid file as it is.
m2w=$OUT/tiny/tiny.m2w
if [ -f "$m2w" ]; then
    payload=$(od -An -tu4 -j44 -N4 "$m2w" | tr -d ' ')
    for mode in 0 1 2; do
        { printf "\\x0$mode"; head -c "$payload" "$m2w"; } > "$SEEDS/m2w-loader/table-mode$mode"
    done
    { printf '\x00'; cat "$m2w"; } > "$SEEDS/m2w-loader/whole-mode0"
fi
for t in m2-source import-config safetensors m2w-loader; do echo "$t: $(ls "$SEEDS/$t" | wc -l) seeds"; done
