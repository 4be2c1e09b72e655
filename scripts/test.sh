#!/usr/bin/env bash
# Quickstart: installs what is missing, type-checks, lints, then runs every test (unit, integration with
# real Redis, ffmpeg and GStreamer RTSP, and end-to-end across real service processes).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/bootstrap.sh"
pnpm --silent typecheck
pnpm --silent lint          # Biome: lint rules and formatting (pnpm format fixes what it can)
pnpm --silent --filter @vigil/dashboard build >/dev/null   # the gateway serves it; the browser tests drive it
exec pnpm --silent exec vitest run "$@"
