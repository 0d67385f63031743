#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""TCP request/response latency between two lab nodes (part of
scripts/bench): what one synchronous 4 KiB write costs on the wire when
kernel TCP is involved, which ICMP ping (answered in softirq) does not show.

  tcp-rr.py server ADDR PORT          answer COUNT requests, then exit
  tcp-rr.py client ADDR PORT COUNT SIZE
      sends SIZE bytes, waits for a 32-byte answer, COUNT times (TCP_NODELAY);
      prints JSON: min, p50, mean, p99 in microseconds.
The timing includes this Python loop's own cost on both nodes."""

import json
import socket
import statistics
import sys
import time


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise SystemExit("tcp-rr: connection closed")
        buf += chunk
    return bytes(buf)


def server(addr, port):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    c, _ = ls.accept()
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    hdr = recv_exact(c, 8)
    count, size = int.from_bytes(hdr[:4], "big"), int.from_bytes(hdr[4:], "big")
    for _ in range(count):
        recv_exact(c, size)
        c.sendall(b"a" * 32)
    c.close()


def client(addr, port, count, size):
    deadline = time.monotonic() + 30
    while True:
        try:
            s = socket.create_connection((addr, port), timeout=30)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(count.to_bytes(4, "big") + size.to_bytes(4, "big"))
    payload = b"w" * size
    lat = []
    for _ in range(count):
        t0 = time.perf_counter_ns()
        s.sendall(payload)
        recv_exact(s, 32)
        lat.append((time.perf_counter_ns() - t0) / 1000.0)
    s.close()
    lat.sort()
    print(json.dumps({"size": size, "count": count, "min_us": lat[0],
                      "p50_us": statistics.median(lat), "mean_us": statistics.fmean(lat),
                      "p99_us": lat[min(len(lat) - 1, int(len(lat) * 0.99))]}))


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "server":
        server(a[1], int(a[2]))
    elif len(a) == 5 and a[0] == "client":
        client(a[1], int(a[2]), int(a[3]), int(a[4]))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)
