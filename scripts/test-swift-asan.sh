#!/usr/bin/env bash
# The Swift test suite once with AddressSanitizer (m2c's own code: lexer, parser, elaborator, weights readers,
# interpreter, emitters). Slow: a separate build directory, so the normal .build stays as it is.
# Usage: scripts/test-swift-asan.sh [extra `swift test` arguments, e.g. --filter M2WeightsTests]
set -euo pipefail
cd "$(dirname "$0")/.."
# Leak checking stays off: the Swift runtime's metadata caches and the test harness keep allocations alive
# until exit by design; ASan still reports every invalid access.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
exec nice -n 19 swift test --sanitize=address --scratch-path .build-asan "$@"
