#!/usr/bin/env python3
# After a failover (50-cluster.bats): DB passes SQLite's integrity check and
# holds every row 1..LAST of ROUND, the last commit the console showed
# before the power cut. Usage: sqlite-check.py DB ROUND LAST
import sqlite3
import sys

db, rnd, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
con = sqlite3.connect(db)
ok = con.execute("pragma integrity_check").fetchone()[0]
have = con.execute("select count(*) from t where round = ? and n <= ?", (rnd, last)).fetchone()[0]
top = con.execute("select max(n) from t where round = ?", (rnd,)).fetchone()[0]
print(f"integrity {ok}; round {rnd}: {have} of the {last} committed rows, highest {top}")
if ok != "ok" or have != last:
    sys.exit(1)
