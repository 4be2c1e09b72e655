#!/bin/sh
# Runs ffmpeg so that the kernel kills it when the Node process that started it dies, even by SIGKILL
# (an 'exit' hook cannot run then). setpriv keeps the PID, so Node still owns and signals ffmpeg directly.
FFMPEG="${VIGIL_FFMPEG:-ffmpeg}"
if command -v setpriv >/dev/null 2>&1; then
  exec setpriv --pdeathsig KILL -- "$FFMPEG" "$@"
fi
exec "$FFMPEG" "$@"
