#!/usr/bin/env bash
# Installs what m2c needs on a fresh Debian machine (idempotent; needs root for apt).
# Swift 6.x itself is expected on PATH (the machine image ships it at /opt/swift).
set -euo pipefail

need_apt=()
command -v clang >/dev/null 2>&1 || need_apt+=(clang)
command -v gcc >/dev/null 2>&1 || need_apt+=(gcc)
command -v make >/dev/null 2>&1 || need_apt+=(make)
[ -f /usr/include/x86_64-linux-gnu/cblas.h ] || [ -f /usr/include/cblas.h ] || \
  [ -n "$(find /usr/include -maxdepth 3 -name cblas.h -print -quit 2>/dev/null)" ] || need_apt+=(libopenblas-dev)
[ -n "$(find /usr/lib/llvm-* -name omp.h -print -quit 2>/dev/null)" ] || need_apt+=(libomp-dev)
command -v valgrind >/dev/null 2>&1 || need_apt+=(valgrind)
# FFTW3 float + its OpenMP library: the baseline of bench/longconv (and its test).
[ -f /usr/include/fftw3.h ] || need_apt+=(libfftw3-dev)

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: swift is not on PATH; install Swift 6 (https://www.swift.org/install/linux/) and retry" >&2
  exit 1
fi
