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
# An AArch64 cross compiler and qemu's user-mode emulator: the neon kernels' tests build for AArch64 and run there.
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || need_apt+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
command -v qemu-aarch64 >/dev/null 2>&1 || need_apt+=(qemu-user)

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# CUDA toolkit without a GPU (nvcc, ptxas, cudart from PyPI wheels) in .venv-cuda: the CUDA target's compile
# tests use it (docs/CUDA.md). Best effort: without it those tests are skipped with a message saying so.
root=$(cd "$(dirname "$0")/.." && pwd)
if ! ls "$root"/.venv-cuda/lib/python3*/site-packages/nvidia/cu13/bin/nvcc >/dev/null 2>&1; then
  echo "setup: installing the CUDA compiler wheels into .venv-cuda"
  if ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null 2>&1 || true
  fi
  if python3 -m venv "$root/.venv-cuda" && "$root/.venv-cuda/bin/pip" install -q --disable-pip-version-check \
       nvidia-cuda-nvcc nvidia-cuda-runtime nvidia-cuda-crt nvidia-cuda-cccl; then :; else
    echo "setup: warning: could not install the CUDA wheels; CUDA compile tests will be skipped" >&2
  fi
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: swift is not on PATH; install Swift 6 (https://www.swift.org/install/linux/) and retry" >&2
  exit 1
fi
