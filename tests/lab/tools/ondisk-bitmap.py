#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ondisk-bitmap.py CP_DEV: the words of a liscal dirty bitmap on its cluster
partition that have bits set, as "WORD:HEX" (word = 64 bitmap bits, the
hot set's extent), space-separated, in order; nothing when none is set.

Reads the first bitmap block (4096 bytes at LISCAL_BM_OFFSET, 65536:
Documentation/on-disk-format.md; 32768 bits, enough for the lab's disks)
with O_DIRECT, so it sees what the driver wrote, not a page cache.
"""
import mmap
import os
import struct
import sys

BM_OFFSET = 65536
BLOCK = 4096

fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECT)
buf = mmap.mmap(-1, BLOCK)  # page-aligned, as O_DIRECT needs
if os.preadv(fd, [buf], BM_OFFSET) != BLOCK:
    sys.exit("short read of the bitmap block")
os.close(fd)
words = struct.unpack("<%dQ" % (BLOCK // 8), buf[:BLOCK])
print(" ".join("%d:%x" % (i, w) for i, w in enumerate(words) if w))
