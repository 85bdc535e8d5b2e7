#!/usr/bin/env python3
"""Asks a running QEMU for a picture of its display.

    screendump.py MONITOR-SOCKET OUT.ppm

MONITOR-SOCKET is QEMU's human monitor on a unix socket (-monitor
unix:PATH,server,nowait). Waits until OUT.ppm is complete; exits non-zero
with a message if QEMU does not answer within 10 seconds.
"""
import os
import socket
import sys
import time


def main():
    sock_path, out = sys.argv[1], sys.argv[2]
    if os.path.exists(out):
        os.unlink(out)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(sock_path)
    deadline = time.time() + 10
    reply = b""
    while b"(qemu)" not in reply and time.time() < deadline:
        reply += s.recv(4096)  # the monitor's greeting, then its prompt
    s.sendall(("screendump %s\n" % os.path.abspath(out)).encode())
    # QEMU writes the file before it prints the next prompt.
    reply = b""
    while b"(qemu)" not in reply and time.time() < deadline:
        reply += s.recv(4096)
    s.close()
    if not os.path.exists(out) or os.path.getsize(out) == 0:
        sys.exit("screendump: QEMU wrote no picture to %s (reply: %r)" % (out, reply))


if __name__ == "__main__":
    main()
