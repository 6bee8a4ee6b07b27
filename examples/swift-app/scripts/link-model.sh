#!/usr/bin/env bash
# Links an m2c-generated model into this package:
#   scripts/link-model.sh MODEL_DIR
# MODEL_DIR is the directory `m2c compile --target cpu -o MODEL_DIR` wrote (NAME.h, NAME.c, NAME.swift, NAME.m2w).
# It copies NAME.h and NAME.c into the C target CModel, copies NAME.swift into the app with its `import CNAME`
# turned into `import CModel`, and writes LinkedModel.swift, which names the model's types and weights file for
# main.swift. Running it again replaces the previously linked model.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 MODEL_DIR" >&2
    exit 2
fi
model_dir=$(cd "$1" && pwd)
package_dir=$(cd "$(dirname "$0")/.." && pwd)

shopt -s nullglob
wrappers=("$model_dir"/*.swift)
if [ ${#wrappers[@]} -ne 1 ]; then
    echo "error: $model_dir should hold exactly one generated NAME.swift (found ${#wrappers[@]}); is it an m2c compile --target cpu output?" >&2
    exit 1
fi
name=$(basename "${wrappers[0]}" .swift)
for file in "$name.h" "$name.c" "$name.swift" "$name.m2w"; do
    if [ ! -f "$model_dir/$file" ]; then
        echo "error: $model_dir/$file is missing (compile the model with weights: --weights W or --random-weights S)" >&2
        exit 1
    fi
done

# The Swift type names come from the generated wrapper itself: `public final class XModel`, `public enum XError`.
model_type=$(sed -n 's/^public final class \([A-Za-z0-9_]*\) {$/\1/p' "$model_dir/$name.swift")
error_type=$(sed -n 's/^public enum \([A-Za-z0-9_]*\): Error.*/\1/p' "$model_dir/$name.swift")
c_module=$(sed -n 's/^import \(C[A-Za-z0-9_]*\)$/\1/p' "$model_dir/$name.swift")
if [ -z "$model_type" ] || [ -z "$error_type" ] || [ -z "$c_module" ]; then
    echo "error: $model_dir/$name.swift does not look like an m2c Swift wrapper (model class, error enum, C import)" >&2
    exit 1
fi
upper=$(echo "$name" | tr a-z A-Z)
# The vocabulary size is in the header only when m2c knew it; main.swift wraps its default ids into it.
vocabulary=nil
if grep -q "^#define ${upper}_VOCAB " "$model_dir/$name.h"; then vocabulary="Int(${upper}_VOCAB)"; fi

c_target="$package_dir/Sources/CModel"
generated="$package_dir/Sources/SwiftApp/Generated"
rm -rf "$c_target" "$generated"
mkdir -p "$c_target/include" "$generated"
cp "$model_dir/$name.h" "$c_target/include/"
cp "$model_dir/$name.c" "$c_target/"
sed "s/^import $c_module\$/import CModel/" "$model_dir/$name.swift" > "$generated/$name.swift"
cat > "$generated/LinkedModel.swift" <<SWIFT
// Written by scripts/link-model.sh for the model "$name" in $model_dir. Do not edit.
import CModel

typealias LinkedModel = $model_type
typealias LinkedModelError = $error_type

enum LinkedModelInfo {
    static let name = "$name"
    static let defaultWeightsPath = "$model_dir/$name.m2w"
    static let sequenceLength = Int(${upper}_SEQ_LEN)
    static let vocabulary: Int? = $vocabulary
}
SWIFT
echo "linked model $name ($model_type) from $model_dir"
