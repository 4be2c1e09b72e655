#!/usr/bin/env bash
# GPU check: installs what vigil's GPU worker needs and runs the member benchmark on the GPU next to the
# CPU backends (wasm), printing ms/frame per member and the backbone's ms/frame per batch size (1, 16,
# 32, 64 frames in one execute, as the worker batches cameras). Run on a machine with an NVIDIA GPU:
#   bash scripts/gpu-check.sh [OUT_DIR]        # writes OUT_DIR/gpu-members.json (default .vigil/gpu-check)
# The GPU runtime is @tensorflow/tfjs-node-gpu 4.22: libtensorflow 2.9, built for CUDA 11.2 and cuDNN 8.1
# (any driver from 450.80 runs it, CUDA 12 drivers included; Hopper GPUs JIT its sm_80 code). Its
# installer downloads libtensorflow and the CUDA 11 libraries come from NVIDIA's Python wheels, so this
# script needs the internet once; the CPU path stays offline as it is. package.json and the lockfile are
# put back on exit (pnpm-workspace.yaml too): the GPU runtime is not a dependency of the repository.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/.vigil/gpu-check}"
cd "$ROOT"
say() { printf 'gpu-check: %s\n' "$*" >&2; }

command -v nvidia-smi >/dev/null 2>&1 || { say "no NVIDIA GPU here (nvidia-smi not found)"; exit 2; }
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader | sed 's/^/gpu-check: GPU /' >&2

bash scripts/bootstrap.sh
export PATH="$ROOT/.tools/node_modules/.bin:$PATH"
mkdir -p "$OUT"

# CUDA 11.2-era libraries for libtensorflow 2.9, into a virtual environment of their own.
CUDA_ENV="$ROOT/.vigil/cuda11"
if [[ ! -d "$CUDA_ENV" ]]; then
  python3 -m venv "$CUDA_ENV"
  "$CUDA_ENV/bin/pip" install --quiet nvidia-cuda-runtime-cu11==11.8.89 nvidia-cublas-cu11==11.11.3.6 nvidia-cufft-cu11==10.9.0.58 \
    nvidia-curand-cu11==10.3.0.86 nvidia-cusolver-cu11==11.4.1.48 nvidia-cusparse-cu11==11.7.5.86 nvidia-cudnn-cu11==8.6.0.163
fi
LD_LIBRARY_PATH="$(find "$CUDA_ENV" -path '*/nvidia/*/lib' -type d | paste -sd:):${LD_LIBRARY_PATH:-}"
export LD_LIBRARY_PATH

restore() { git -C "$ROOT" checkout --quiet -- packages/anomaly/package.json pnpm-lock.yaml pnpm-workspace.yaml 2>/dev/null || true; }
trap restore EXIT
say "installing @tensorflow/tfjs-node-gpu 4.22.0 (downloads libtensorflow 2.9 GPU)"
# Its install script fetches libtensorflow: pnpm runs install scripts only of packages allowed to build.
printf '  "@tensorflow/tfjs-node-gpu": true\n' >> pnpm-workspace.yaml
pnpm --silent --filter @vigil/anomaly add @tensorflow/tfjs-node-gpu@4.22.0

# The backbone members and the default ensemble, on every backend that loads (tfjs-node-gpu, wasm, cpu).
npx tsx test/bench/members.bench.ts --members padim,patchCore,objects,flowHistogram --batches 1,16,32,64 --frames 32 --json "$OUT/gpu-members.json" | tee "$OUT/gpu-members.txt"
say "results in $OUT"
