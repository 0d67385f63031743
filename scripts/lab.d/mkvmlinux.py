#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Extract the uncompressed ELF kernel from a bzImage for PVH boot.

Usage: mkvmlinux.py BZIMAGE OUT

Under TCG, the bzImage's own decompressor takes seconds (over 30 s on a busy
host); qemu boots an uncompressed vmlinux carrying a PVH entry note directly.
Writes OUT and exits 0, or exits 1 when the image holds no such kernel (the
caller then boots the bzImage).
"""
import bz2
import lzma
import os
import struct
import subprocess
import sys
import zlib

MAGIC = {
    b"\xfd7zXZ\x00": lambda d: lzma.LZMADecompressor().decompress(d),
    b"\x1f\x8b\x08": lambda d: zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(d),
    b"BZh": lambda d: bz2.BZ2Decompressor().decompress(d),
    b"\x28\xb5\x2f\xfd": lambda d: subprocess.run(
        ["zstd", "-qdc"], input=d, capture_output=True, check=False).stdout,
}


def has_pvh_note(elf):
    """Does this ELF64 kernel carry XEN_ELFNOTE_PHYS32_ENTRY (PVH entry)?"""
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        ptype, _, offset, _, _, filesz = struct.unpack_from(
            "<IIQQQQ", elf, phoff + i * phentsize)
        if ptype != 4:  # PT_NOTE
            continue
        pos, end = offset, offset + filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", elf, pos)
            name = elf[pos + 12:pos + 12 + namesz].rstrip(b"\0")
            if name == b"Xen" and ntype == 18:
                return True
            pos += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
    return False


def extract(image):
    for magic, decompress in MAGIC.items():
        start = image.find(magic)
        while start >= 0:
            try:
                elf = decompress(image[start:])
            except (OSError, EOFError, lzma.LZMAError, ValueError, zlib.error):
                elf = b""
            if elf[:4] == b"\x7fELF" and elf[4] == 2 and has_pvh_note(elf):
                return elf
            start = image.find(magic, start + 1)
    return None


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], "rb") as f:
        elf = extract(f.read())
    if elf is None:
        sys.exit(1)
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "wb") as f:
        f.write(elf)
    os.rename(tmp, sys.argv[2])


if __name__ == "__main__":
    main()
