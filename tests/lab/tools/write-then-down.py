#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# write-then-down.py DEV OFFSET_MIB FILE IFACE: write FILE (a multiple of
# 4 KiB) to DEV at OFFSET_MIB MiB with O_DIRECT and, the moment the write
# is acknowledged, take IFACE down (SIOCSIFFLAGS) in the same process: no
# program starts between the two, so the break comes well inside the
# driver's 1-2 s intent window even on a slow (debug, TCG) kernel.
# 20-liscal's "writes acknowledged just before a break".
import fcntl
import mmap
import os
import socket
import struct
import sys

SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def main():
    dev, off, path, iface = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    data = open(path, "rb").read()
    buf = mmap.mmap(-1, len(data))  # page aligned, as O_DIRECT wants
    buf.write(data)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    name = iface.encode()
    flags = struct.unpack("16sH", fcntl.ioctl(sock, SIOCGIFFLAGS,
                                               struct.pack("16sH", name, 0)))[1]
    fd = os.open(dev, os.O_WRONLY | os.O_DIRECT)
    os.lseek(fd, off << 20, os.SEEK_SET)
    if os.write(fd, buf) != len(data):
        sys.exit("short write")
    fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH", name, flags & ~IFF_UP))
    os.close(fd)


if __name__ == "__main__":
    main()
