#!/usr/bin/env bash
# The main job of the README: set up, build m2c, import the bundled tiny checkpoint's config, print its IR,
# and run the model on the golden inputs, checking every output against the original PyTorch M2-BERT.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product m2c
M2C=.build/release/m2c
G=Tests/Fixtures/golden
OUT=build/demo
mkdir -p "$OUT"

echo "== m2c import $G/tiny.config.json -o $OUT/tiny.m2"
$M2C import $G/tiny.config.json -o $OUT/tiny.m2

echo "== m2c ir $OUT/tiny.m2 (after the front pipeline; first 25 lines)"
$M2C ir $OUT/tiny.m2 --weights $G/tiny.weights.safetensors --weights $G/tiny.pooler.safetensors -o $OUT/tiny.ir
head -25 $OUT/tiny.ir

echo "== m2c run $OUT/tiny.m2 --inputs $G/tiny.io.safetensors --compare $G/tiny.io.safetensors"
$M2C run $OUT/tiny.m2 --weights $G/tiny.weights.safetensors --weights $G/tiny.pooler.safetensors \
  --inputs $G/tiny.io.safetensors -o $OUT/tiny.out.safetensors --compare $G/tiny.io.safetensors

echo "== m2c run examples/m2-bert-base.m2 (M2-BERT-base, 12 layers, L=128, random weights, batch 1)"
time $M2C run examples/m2-bert-base.m2 --random-weights 1 --random-inputs 1 --outputs pooled_output,last_hidden_state \
  -o $OUT/base.out.safetensors
