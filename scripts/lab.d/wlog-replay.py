#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Replay a write log onto a disk image up to the last completed flush.

usage: wlog-replay.py IMAGE LOG

The lab's honest power cut (Documentation/lab.md). qemu's blklogwrites
filter logs every write the guest makes to a node's mirror disk, in the
dm-log-writes format: a super sector (magic, version, number of entries,
sector size), then per entry a sector holding its header (sector, number of
sectors, flags, data length; little endian) followed, except for discards,
by its data. qemu appends an entry once the write is done on the image and
rewrites the super sector, then flushes the log, each time a guest flush has
completed: the super's entry count therefore ends exactly at the last flush
the guest can have seen complete.

IMAGE is the node's disk as it was when the log began. The entries up to
that count are applied to it, in order: what a disk with a volatile cache
holds after a power cut, at the least. Every write after the last flush is
dropped, even those the guest saw complete (their data sat in the cache).
Discarded ranges are written as zeroes. The entries after the count are only
counted (as far as their headers are whole) for the report, one line on
standard output:

    kept N writes (B bytes) up to flush F; dropped M writes (D bytes)
"""

import os
import struct
import sys

MAGIC = 0x6A736677736872
VERSION = 1
FLUSH, FUA, DISCARD, MARK = 1, 2, 4, 8
FLAGS = FLUSH | FUA | DISCARD | MARK
SUPER = struct.Struct("<QQQI")
ENTRY = struct.Struct("<QQQQ")
CHUNK = 4 << 20


class LogError(Exception):
    pass


def read_super(log):
    raw = os.pread(log, SUPER.size, 0)
    if len(raw) < SUPER.size:
        # qemu writes the super sector at the first flush only.
        return 0, 512
    magic, version, count, ssize = SUPER.unpack(raw)
    if magic == 0 and count == 0:
        return 0, 512
    if magic != MAGIC:
        raise LogError(f"bad log magic {magic:#x}")
    if version != VERSION:
        raise LogError(f"unsupported log version {version}")
    if ssize < 512 or ssize & (ssize - 1) or ssize >= 1 << 24:
        raise LogError(f"bad log sector size {ssize}")
    return count, ssize


def entries(log, ssize, logsize):
    """Yields (index, sector, nsect, flags, data offset) while headers are whole."""
    pos, i = ssize, 0
    while pos + ENTRY.size <= logsize:
        sector, nsect, flags, _ = ENTRY.unpack(os.pread(log, ENTRY.size, pos))
        if flags & ~FLAGS or (nsect == 0 and flags == 0):
            return
        data = pos + ssize
        end = data + (0 if flags & DISCARD else nsect * ssize)
        if end > logsize:
            return
        yield i, sector, nsect, flags, data
        pos, i = end, i + 1


def replay(image, logpath):
    log = os.open(logpath, os.O_RDONLY)
    img = os.open(image, os.O_RDWR)
    try:
        logsize = os.fstat(log).st_size
        imgsize = os.lseek(img, 0, os.SEEK_END)
        count, ssize = read_super(log)
        kept = kept_b = dropped = dropped_b = flushes = seen = 0
        for i, sector, nsect, flags, data in entries(log, ssize, logsize):
            seen = i + 1
            nbytes = nsect * ssize
            if i >= count:
                if nbytes and not flags & FLUSH:
                    dropped, dropped_b = dropped + 1, dropped_b + nbytes
                continue
            if flags & FLUSH:
                flushes += 1
            if not nbytes:
                continue
            off = sector * ssize
            if off + nbytes > imgsize:
                raise LogError(f"entry {i}: sectors {sector}+{nsect} beyond the image ({imgsize} bytes)")
            done = 0
            while done < nbytes:
                n = min(CHUNK, nbytes - done)
                buf = bytes(n) if flags & DISCARD else os.pread(log, n, data + done)
                if len(buf) != n:
                    raise LogError(f"entry {i}: short data")
                os.pwrite(img, buf, off + done)
                done += n
            kept, kept_b = kept + 1, kept_b + nbytes
        if seen < count:
            raise LogError(f"the super counts {count} entries, the log holds {seen}")
        os.fsync(img)
    finally:
        os.close(img)
        os.close(log)
    print(f"kept {kept} writes ({kept_b} bytes) up to flush {flushes}; "
          f"dropped {dropped} writes ({dropped_b} bytes)")


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        replay(sys.argv[1], sys.argv[2])
    except (OSError, LogError) as e:
        print(f"wlog-replay: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
