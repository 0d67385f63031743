#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The host's view of a lab while a job runs (used by scripts/bench):

  hostcpu.py LABDIR DELAY SPAN

waits DELAY seconds, takes a snapshot, waits SPAN seconds, takes another
and prints, as JSON, how busy the host's CPUs were in between and how much
CPU each node's qemu took: its TCG vCPU threads (the guest's own work,
emulated) and its other threads (qemu's disk, network and main loop).
Nodes are LABDIR/node*/qemu.pid. A vCPU thread is one named "CPU n/TCG"
(the lab starts qemu with debug-threads=on); a qemu without thread names
counts its busiest thread as the vCPU. Exit 1 with a message on bad input
or when no node's qemu runs."""

import glob
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402


def ticks(stat_path):
    """utime + stime of /proc/PID[/task/TID]/stat (fields after the comm)."""
    with open(stat_path, encoding="ascii") as fh:
        rest = fh.read().rsplit(")", 1)[1].split()
    return int(rest[11]) + int(rest[12])


def qemu_ticks(pid):
    """(vCPU threads' ticks, the whole process's ticks: exited threads
    included, [(kind, tid, ns run, ns waited for a CPU)] of each thread:
    /proc/PID/task/TID/schedstat) of one qemu. kind: vcpu, main (the
    main loop: the emulated devices' events, the network) or other."""
    whole = ticks(f"/proc/{pid}/stat")
    named, busiest, busiest_tid = 0, 0, None
    found = False
    threads = []
    for task in glob.glob(f"/proc/{pid}/task/*"):
        tid = int(os.path.basename(task))
        try:
            with open(f"{task}/comm", encoding="utf-8", errors="replace") as fh:
                comm = fh.read().strip()
            t = ticks(f"{task}/stat")
        except OSError:
            continue  # a worker thread that ended meanwhile
        try:
            with open(f"{task}/schedstat", encoding="ascii") as fh:
                run_ns, wait_ns = (int(x) for x in fh.read().split()[:2])
        except (OSError, ValueError):
            run_ns = wait_ns = None  # no CONFIG_SCHED_INFO, or it ended
        vcpu = re.fullmatch(r"CPU [0-9]+/TCG", comm) is not None
        if vcpu:
            named += t
            found = True
        if t > busiest:
            busiest, busiest_tid = t, tid
        if wait_ns is not None:
            threads.append(["vcpu" if vcpu else "main" if tid == pid else "other", tid, run_ns, wait_ns])
    if not found:
        for th in threads:
            if th[1] == busiest_tid:
                th[0] = "vcpu"
    return (named if found else busiest), whole, threads


def snapshot(labdir):
    lines = []
    with open("/proc/stat", encoding="ascii") as fh:
        lines.append(fh.readline().strip())
    lines.append(f"cpus {os.cpu_count()}")
    for pidfile in sorted(glob.glob(os.path.join(labdir, "node*", "qemu.pid"))):
        node = os.path.basename(os.path.dirname(pidfile))
        try:
            with open(pidfile, encoding="ascii") as fh:
                pid = int(fh.read().strip())
            vcpu, whole, threads = qemu_ticks(pid)
        except (OSError, ValueError, IndexError):
            continue  # that node is down
        lines.append(f"{node} {vcpu} {whole}")
        lines += [f"{node}.{kind} {tid} {run} {wait}" for kind, tid, run, wait in threads]
    return "\n".join(lines)


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    labdir = argv[1]
    try:
        delay, span = float(argv[2]), float(argv[3])
    except ValueError:
        sys.stderr.write(f"hostcpu.py: DELAY and SPAN must be numbers, not '{argv[2]}' '{argv[3]}'\n")
        return 2
    if delay < 0 or span <= 0:
        sys.stderr.write(f"hostcpu.py: DELAY must be >= 0 and SPAN > 0 (got {delay}, {span})\n")
        return 2
    if not os.path.isdir(labdir):
        sys.stderr.write(f"hostcpu.py: no lab directory '{labdir}'\n")
        return 1
    time.sleep(delay)
    t0 = time.monotonic()
    a = snapshot(labdir)
    time.sleep(span)
    b = snapshot(labdir)
    seconds = time.monotonic() - t0
    try:
        view = bl.host_view(bl.parse_host_snapshot(a, "first snapshot"),
                            bl.parse_host_snapshot(b, "second snapshot"),
                            seconds, os.sysconf("SC_CLK_TCK"))
    except bl.BenchError as e:
        sys.stderr.write(f"hostcpu.py: {e}\n")
        return 1
    if not view["nodes"]:
        sys.stderr.write(f"hostcpu.py: no node's qemu ran through the span in '{labdir}'\n")
        return 1
    json.dump(view, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
