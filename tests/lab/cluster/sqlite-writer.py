#!/usr/bin/env python3
# A client of the mirror for 50-cluster.bats: commits one row per
# transaction (synchronous=FULL) into DB and, after each commit returned,
# writes "COMMITTED <round> <n>" to the console, which the host keeps
# across a power cut. Usage: sqlite-writer.py DB ROUND
import os
import sqlite3
import sys

db, rnd = sys.argv[1], int(sys.argv[2])
if not os.path.ismount(os.path.dirname(db)):
    sys.exit(f"{os.path.dirname(db)} is not mounted")
con = sqlite3.connect(db, isolation_level=None)
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
