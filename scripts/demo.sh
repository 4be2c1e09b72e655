#!/usr/bin/env bash
# Quickstart: installs what is missing, then runs `vigil demo` (a looped real clip served as a
# local RTSP camera, with a synthetic anomaly injected at intervals). Extra arguments go to demo.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/bootstrap.sh"
pnpm --silent --filter @vigil/dashboard build >/dev/null   # the dashboard the gateway serves at /
exec pnpm --silent vigil demo "$@"
