#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Ethernet hub for labs of more than two nodes.

Usage: hub.py BASE NODES PIDFILE

Network k (0 = interconnect, 1 = mirror) has its hub at UDP port
BASE + 16*k on 127.0.0.1 and node i's qemu socket netdev at BASE + 16*k + i.
Every frame a node sends to the hub goes to all other nodes of that network
(qemu's -netdev socket,udp= sends one datagram per frame). Writes PIDFILE,
runs until killed.
"""
import os
import selectors
import socket
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    base, nodes, pidfile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    sel = selectors.DefaultSelector()
    for k in (0, 1):
        hub = base + 16 * k
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", hub))
        ports = {hub + i for i in range(1, nodes + 1)}
        sel.register(sock, selectors.EVENT_READ, ports)
    with open(pidfile, "w") as f:
        f.write(f"{os.getpid()}\n")
    while True:
        for key, _ in sel.select():
            frame, (addr, port) = key.fileobj.recvfrom(65536)
            if addr != "127.0.0.1" or port not in key.data:
                continue
            for dst in key.data - {port}:
                try:
                    key.fileobj.sendto(frame, ("127.0.0.1", dst))
                except OSError:
                    pass  # that node's qemu is down


if __name__ == "__main__":
    main()
