#!/usr/bin/env bash
# Installs what vigil needs on a fresh Debian 12 machine with Node 20: Debian packages (when run
# as root and missing), Redis (started when nothing answers on 127.0.0.1:6379), pnpm and node_modules.
# Sourced by scripts/demo.sh and scripts/test.sh; safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PNPM_VERSION=12.4.2

say() { printf 'vigil bootstrap: %s\n' "$*" >&2; }

need_debs=()
command -v ffmpeg >/dev/null 2>&1 || need_debs+=(ffmpeg)
if ! /usr/bin/python3 -c 'import gi; gi.require_version("GstRtspServer", "1.0"); from gi.repository import GstRtspServer' >/dev/null 2>&1; then
  need_debs+=(python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad)
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && ! command -v redis-server >/dev/null 2>&1; then
  need_debs+=(redis-server)
fi
# Browser tests (reports, dashboard) drive Debian's Chromium; PostgreSQL holds the alert history.
[[ -x /usr/bin/chromium ]] || need_debs+=(chromium)
pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 >/dev/null 2>&1; }
if ! pg_up && ! command -v pg_ctlcluster >/dev/null 2>&1; then need_debs+=(postgresql); fi
if ((${#need_debs[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    say "installing Debian packages: ${need_debs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_debs[@]}" >/dev/null
  else
    say "missing Debian packages: ${need_debs[*]} — run as root, or: sudo apt-get install ${need_debs[*]}"
    exit 1
  fi
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  say "starting redis-server on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

if ! pg_up && command -v pg_ctlcluster >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]]; then
  say "starting PostgreSQL on 127.0.0.1:5432"
  ver=$(ls /etc/postgresql | sort -n | tail -1)
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start
  for _ in $(seq 50); do pg_up && break; sleep 0.2; done
fi
# Tests use database "test" as user postgres (password postgres where the server asks for one).
if pg_up && [[ $(id -u) -eq 0 ]] && command -v runuser >/dev/null 2>&1 && id postgres >/dev/null 2>&1; then
  runuser -u postgres -- psql -q -tAc "SELECT 1 FROM pg_database WHERE datname='test'" 2>/dev/null | grep -q 1 \
    || runuser -u postgres -- psql -q -c "CREATE DATABASE test" >/dev/null 2>&1 || true
  runuser -u postgres -- psql -q -c "ALTER USER postgres PASSWORD 'postgres'" >/dev/null 2>&1 || true
fi

# pnpm: the pinned version, installed into the repo when the machine has no such pnpm.
if [[ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]]; then
  if [[ "$("$ROOT/.tools/node_modules/.bin/pnpm" --version 2>/dev/null || true)" != "$PNPM_VERSION" ]]; then
    say "installing pnpm $PNPM_VERSION into .tools/"
    npm install --silent --prefix "$ROOT/.tools" --no-save --no-package-lock "pnpm@$PNPM_VERSION" >/dev/null
  fi
  export PATH="$ROOT/.tools/node_modules/.bin:$PATH"
fi

cd "$ROOT"
pnpm install --frozen-lockfile --reporter=silent
