#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A real client's commit rate, for the clpstack benchmark (scripts/bench).

  sqlite-commit.py DEVICE RUNTIME RAMP
  sqlite-commit.py --dir DIR RUNTIME RAMP   (an existing directory: no
                                            mkfs, no mount; host tests)

Makes an ext4 file system on DEVICE (destroying what it holds), mounts it,
and commits one 100-byte row per transaction into an SQLite database in WAL
mode with synchronous=FULL (each commit: a WAL append and an fsync, which
the file system turns into a write and a device flush) for RAMP seconds not
counted, then RUNTIME seconds measured. A commit writes one 4 KiB page
(the WAL frame); bw_bytes counts that. Prints the result shaped like
`fio --output-format=json` of one write job (jobs[0].write: total_ios,
iops, bw_bytes, lat_ns mean and percentiles 50/90/99/99.9), so that the
bench records it through the same path as its fio workloads: one "I/O" is
one committed transaction. Unmounts before it exits, also on error.
"""

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time


def fail(msg):
    print(f"sqlite-commit: {msg}", file=sys.stderr)
    sys.exit(1)


def percentile(sorted_ns, q):
    if not sorted_ns:
        return 0
    i = min(len(sorted_ns) - 1, max(0, int(round(q / 100.0 * len(sorted_ns))) - 1))
    return sorted_ns[i]


def commits(db, seconds, lat):
    """Commit rows for SECONDS; append each commit's latency (ns) to LAT."""
    row = os.urandom(50).hex()
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        t0 = time.monotonic_ns()
        db.execute("BEGIN")
        db.execute("INSERT INTO t (v) VALUES (?)", (row,))
        db.execute("COMMIT")
        if lat is not None:
            lat.append(time.monotonic_ns() - t0)
        n += 1
    return n


def run(mnt, runtime, ramp):
    db = sqlite3.connect(os.path.join(mnt, "bench.db"), isolation_level=None)
    try:
        mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode.lower() != "wal":
            fail(f"SQLite refused WAL mode (journal_mode is '{mode}')")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        commits(db, ramp, None)
        lat = []
        t0 = time.monotonic()
        commits(db, runtime, lat)
        elapsed = time.monotonic() - t0
    finally:
        db.close()
    return lat, elapsed


def on_device(dev, runtime, ramp):
    mk = subprocess.run(["mkfs.ext4", "-F", "-q", dev], capture_output=True, text=True)
    if mk.returncode:
        fail(f"mkfs.ext4 {dev} failed: {mk.stderr.strip()}")
    mnt = tempfile.mkdtemp(prefix="bench-sqlite.")
    mo = subprocess.run(["mount", dev, mnt], capture_output=True, text=True)
    if mo.returncode:
        os.rmdir(mnt)
        fail(f"mount {dev} failed: {mo.stderr.strip()}")
    try:
        return run(mnt, runtime, ramp)
    finally:
        subprocess.run(["umount", mnt], check=False)
        os.rmdir(mnt)


def main(argv):
    if len(argv) == 5 and argv[1] == "--dir":
        argv = argv[1:]
    elif len(argv) != 4 or argv[1].startswith("-"):
        fail("usage: sqlite-commit.py DEVICE|--dir DIR RUNTIME RAMP")
    try:
        runtime, ramp = int(argv[2]), int(argv[3])
    except ValueError:
        fail(f"RUNTIME and RAMP must be whole seconds, not '{argv[2]}' '{argv[3]}'")
    if runtime <= 0 or ramp < 0:
        fail("RUNTIME must be positive and RAMP not negative")
    if argv[0] == "--dir":
        if not os.path.isdir(argv[1]):
            fail(f"--dir {argv[1]}: not a directory")
        lat, elapsed = run(argv[1], runtime, ramp)
    else:
        lat, elapsed = on_device(argv[1], runtime, ramp)
    if not lat:
        fail("no transaction committed")
    lat.sort()
    n = len(lat)
    iops = n / elapsed
    out = {"jobs": [{
        "jobname": "sqlite-commit", "error": 0,
        "read": {"total_ios": 0},
        "write": {
            "total_ios": n, "iops": iops, "bw_bytes": iops * 4096,
            "lat_ns": {"mean": sum(lat) / n, "percentile": {
                f"{q:.6f}": percentile(lat, q) for q in (50.0, 90.0, 99.0, 99.9)}},
        },
    }]}
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main(sys.argv)
