#!/usr/bin/env bash
# Builds the libFuzzer targets into fuzz/.build/ from a fresh clone (Swift 6 toolchain on PATH; its clang
# ships libFuzzer). Usage: fuzz/build.sh [m2-source|import-config|safetensors|m2w-loader ...] (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=fuzz/.build
MODULES=$OUT/modules
mkdir -p "$MODULES"
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(m2-source import-config safetensors m2w-loader)

# Coverage-instrumented, ASan-checked Swift: the module sources are compiled as modules of the same names, so
# their `import` lines resolve, then linked with the target's LLVMFuzzerTestOneInput.
SWIFT_FLAGS=(-O -g -parse-as-library -sanitize=fuzzer,address)

swift_module() {  # NAME: Sources/NAME/*.swift → $MODULES/NAME.{o,swiftmodule}, skipped when up to date
    local name=$1 object=$MODULES/$1.o
    if [ -f "$object" ] && [ -z "$(find "Sources/$name" -newer "$object" -name '*.swift')" ]; then return; fi
    echo "swiftc module $name"
    swiftc "${SWIFT_FLAGS[@]}" -wmo -module-name "$name" -I "$MODULES" \
        -emit-module -emit-module-path "$MODULES/$name.swiftmodule" -c Sources/"$name"/*.swift -o "$object"
}

swift_fuzzer() {  # TARGET FILE MODULE...: links fuzz/targets/FILE with the modules into $OUT/TARGET
    local target=$1 file=$2; shift 2
    local objects=()
    for module in "$@"; do swift_module "$module"; objects+=("$MODULES/$module.o"); done
    echo "swiftc fuzzer $target"
    # gold warns once per ASan helper symbol that it cannot export; harmless, and hundreds of lines.
    swiftc "${SWIFT_FLAGS[@]}" -module-name "Fuzz_${target//-/_}" -I "$MODULES" "fuzz/targets/$file" "${objects[@]}" \
        -o "$OUT/$target" 2> >(grep -v "Cannot export local symbol" >&2)
}

m2w_fuzzer() {  # the generated C of the tiny golden model, built with m2c from this checkout
    swift build --product m2c
    local m2c golden=Tests/Fixtures/golden
    m2c="$(swift build --show-bin-path)/m2c"
    "$m2c" import "$golden/tiny.config.json" -o "$OUT/tiny.m2"
    "$m2c" compile "$OUT/tiny.m2" --target cpu --weights "$golden/tiny.weights.safetensors" \
        --weights "$golden/tiny.pooler.safetensors" -o "$OUT/tiny"
    echo "clang fuzzer m2w-loader"
    clang -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I "$OUT/tiny" \
        -DTINY_M2W_PATH="\"$PWD/$OUT/tiny/tiny.m2w\"" fuzz/targets/m2w_loader_fuzzer.c "$OUT/tiny/tiny.c" -lm \
        -o "$OUT/m2w-loader"
}

for t in "${targets[@]}"; do
    case $t in
        m2-source) swift_fuzzer m2-source M2SourceFuzzer.swift M2Support M2Syntax M2IR M2Frontend ;;
        import-config) swift_fuzzer import-config ImportConfigFuzzer.swift M2Support M2Import ;;
        safetensors) swift_fuzzer safetensors SafetensorsFuzzer.swift M2Support M2Weights ;;
        m2w-loader) m2w_fuzzer ;;
        *) echo "unknown target '$t'" >&2; exit 2 ;;
    esac
done
