#!/usr/bin/env python3
# A client of the mirror for 50-cluster.bats: commits one row per
# transaction into DB and, after each commit returned, writes "COMMITTED
# <round> <n>" to the console, which the host keeps across a power cut.
# WAL mode with synchronous=FULL: a commit returns once the WAL is synced.
# (The rollback journal with FULL is not durable: its commit point is the
# journal's unlink, which SQLite syncs only with synchronous=EXTRA; a
# power cut right after a commit rolls it back on the next open. The
# suite's first version used it and lost the last commit that way.)
# Usage: sqlite-writer.py DB ROUND
import os
import sqlite3
import sys

db, rnd = sys.argv[1], int(sys.argv[2])
if not os.path.ismount(os.path.dirname(db)):
    sys.exit(f"{os.path.dirname(db)} is not mounted")
con = sqlite3.connect(db, isolation_level=None)
con.execute("pragma journal_mode=WAL")
con.execute("pragma synchronous=FULL")
con.execute("create table if not exists t(round integer, n integer, pad text, primary key(round, n))")
out = open("/dev/console", "w")
n = 0
while True:
    n += 1
    con.execute("begin")
    con.execute("insert into t values(?, ?, ?)", (rnd, n, "x" * 200))
    con.execute("commit")
    out.write(f"COMMITTED {rnd} {n}\n")
    out.flush()
