#!/usr/bin/env bash
# The main job of the README: set up, build m2c, compile the bundled M2-BERT-base example to a C library and run
# it from a C program; then import a real (small) checkpoint, compile it and verify the generated code against
# the outputs of the original PyTorch M2-BERT.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product m2c
M2C=.build/release/m2c
G=Tests/Fixtures/golden
OUT=build/demo
mkdir -p "$OUT"

echo "== 1. m2c compile examples/m2-bert-base.m2 --target cpu (M2-BERT-base 80M, L=128, random weights) --build"
$M2C compile examples/m2-bert-base.m2 --target cpu --random-weights 1 -o build/m2_bert_base --build
ls build/m2_bert_base

echo "== 2. run it from C: examples/c-app"
make -s -C examples/c-app MODEL_DIR=../../build/m2_bert_base MODEL=m2_bert_base
examples/c-app/c-app build/m2_bert_base/m2_bert_base.m2w -n 1

echo "== 3. a real checkpoint: m2c import $G/tiny.config.json, then m2c verify against the original's outputs"
$M2C import $G/tiny.config.json -o $OUT/tiny.m2
$M2C verify $OUT/tiny.m2 --weights $G/tiny.weights.safetensors --weights $G/tiny.pooler.safetensors \
  --golden $G/tiny.io.safetensors
