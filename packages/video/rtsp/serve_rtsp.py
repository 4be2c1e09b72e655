#!/usr/bin/python3
"""Serves H.264 MPEG-TS arriving on local UDP ports as RTSP mounts, for tests and the demo.

Usage: serve_rtsp.py --port 8554 --mount cam1 --udp-port 5000 [--mount cam2 --udp-port 5002 ...]
Each mount is shared: every client watches the same media. Prints one line "ready <url>" when listening.
"""
import argparse
import ctypes
import os
import signal
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

PIPELINE = (
    '( udpsrc address=127.0.0.1 port={udp} buffer-size=4194304 caps=video/mpegts'
    ' ! tsdemux ignore-pcr=true ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )'
)


def die_with_parent():
    """The server is a child of a test or the demo: it must not outlive it, even after a SIGKILL."""
    try:
        ctypes.CDLL('libc.so.6', use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8554)
    parser.add_argument('--mount', action='append', required=True, help='mount path, e.g. cam1')
    parser.add_argument('--udp-port', action='append', type=int, required=True, help='UDP port feeding the preceding mount')
    args = parser.parse_args()
    if len(args.mount) != len(args.udp_port):
        parser.error('give one --udp-port per --mount')

    die_with_parent()
    parent = os.getppid()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(args.host)
    server.set_service(str(args.port))
    mounts = server.get_mount_points()
    for name, udp in zip(args.mount, args.udp_port):
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(PIPELINE.format(udp=udp))
        factory.set_shared(True)
        mounts.add_factory('/' + name.strip('/'), factory)
    if server.attach(None) == 0:
        print(f'cannot listen on {args.host}:{args.port}', file=sys.stderr, flush=True)
        sys.exit(1)

    loop = GLib.MainLoop()

    def parent_alive():
        if os.getppid() != parent:
            loop.quit()
            return False
        return True

    GLib.timeout_add(500, parent_alive)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    print(f'ready rtsp://{args.host}:{args.port}', flush=True)
    loop.run()


if __name__ == '__main__':
    main()
