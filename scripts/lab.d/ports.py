#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Pick a lab's block of 32 UDP ports on 127.0.0.1 and print its first port.

Usage: ports.py LAB [TAKEN...]

The block starts at 20000 + 32*(crc32(LAB) % 400), below the ephemeral
range; if it is one of the TAKEN blocks (other labs', whose nodes may be
stopped) or a port of it is bound, the next block is tried.
"""
import socket
import sys
import zlib


def free(base):
    socks = []
    try:
        for port in range(base, base + 32):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            socks.append(s)
            s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        for s in socks:
            s.close()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    taken = {int(b) for b in sys.argv[2:]}
    first = zlib.crc32(sys.argv[1].encode()) % 400
    for i in range(400):
        base = 20000 + 32 * ((first + i) % 400)
        if base not in taken and free(base):
            print(base)
            return
    sys.exit("ports.py: no free block of 32 UDP ports in 20000-32799")


if __name__ == "__main__":
    main()
