#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Build the benchmark's results file step by step (used by scripts/bench).
Each command rewrites RESULTS atomically, so an interrupted bench leaves a
valid partial file, and prints one table line for what it recorded.

  record.py new RESULTS MODE KEY=VALUE...     start (config values)
  record.py set RESULTS DOTTED.KEY JSON       set any value (machine, lab...)
  record.py target RESULTS TARGET yes|"no: REASON"
  record.py fio RESULTS TARGET WORKLOAD FIO.json [LOAD1 [BEFORE AFTER [HOST.json]]]
      BEFORE/AFTER: the driver's counters on node1 around the run
      (/proc/drbd, or stat_<name>=N lines from clpmdstat --counters); deltas are kept
      HOST.json: hostcpu.py's view of the run (an empty file: none)
  record.py rr RESULTS TCP-RR.json
  record.py iperf3 RESULTS IPERF3.json
  record.py ping RESULTS PING.txt
  record.py resync RESULTS nmp|drbd full|diff KEY=NUMBER...
  record.py resync-na RESULTS nmp|drbd REASON
  record.py finish RESULTS
"""

import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def save(path, doc):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def num(s, what):
    try:
        return json.loads(s)
    except json.JSONDecodeError:
        return s


def cmd_new(path, mode, *kv):
    if mode not in ("full", "quick"):
        raise bl.BenchError(f"mode must be 'full' or 'quick', not '{mode}'")
    cfg = {}
    for a in kv:
        k, sep, v = a.partition("=")
        if not sep:
            raise bl.BenchError(f"config argument '{a}' is not KEY=VALUE")
        cfg[k] = num(v, k)
    doc = {"schema": bl.SCHEMA, "mode": mode, "started": now(), "finished": None,
           "config": cfg, "targets": {}, "link": {"iperf3_bps": [], "rtt_min_ms": [],
                                                  "rtt_avg_ms": []},
           "fio": {}, "resync": {}, "notes": []}
    save(path, doc)


def cmd_set(path, key, value):
    doc = bl.load_results(path)
    try:
        v = json.loads(value)
    except json.JSONDecodeError as e:
        raise bl.BenchError(f"set {key}: value is not JSON: {e.msg}") from None
    parts = key.split(".")
    d = doc
    for p in parts[:-1]:
        d = d.setdefault(p, {})
    if parts[-1] == "notes" and isinstance(d.get("notes"), list):
        d["notes"].append(v)
    else:
        d[parts[-1]] = v
    save(path, doc)


def cmd_target(path, target, state):
    if target not in bl.TARGET_LABEL:
        raise bl.BenchError(f"unknown target '{target}'")
    doc = bl.load_results(path)
    if state == "yes":
        doc["targets"][target] = {"available": True}
    else:
        reason = state[3:].strip() if state.startswith("no:") else state
        doc["targets"][target] = {"available": False, "reason": reason}
        print(f"{bl.target_label(doc, target):<24} not available: {reason}")
    save(path, doc)


def fmt_sample(s):
    parts = [f"{s['iops']:9.0f} IOPS", f"{s['bw'] / 1e6:8.1f} MB/s"]
    for d in ("read", "write"):
        if d in s:
            x = s[d]
            parts.append(f"{d[0]} lat mean/p50/p99 {x['lat_mean_us']:.0f}/"
                         f"{x['lat_p50_us']:.0f}/{x['lat_p99_us']:.0f} us")
    return "  ".join(parts)


def read_text(f, what):
    try:
        with open(f, encoding="utf-8") as fh:
            return fh.read()
    except OSError as e:
        raise bl.BenchError(f"cannot read {what} '{f}': {e.strerror}") from None


def cmd_fio(path, target, workload, fio_json, load1=None, before=None, after=None, host=None):
    if target not in bl.TARGET_LABEL:
        raise bl.BenchError(f"unknown target '{target}'")
    if workload not in bl.WORKLOAD:
        raise bl.BenchError(f"unknown workload '{workload}'")
    s = bl.parse_fio(bl.load_json_file(fio_json, "fio output"), fio_json)
    if load1 is not None:
        s["host_load1"] = float(load1)
    if before is not None and after is not None:
        s["driver"] = bl.counter_deltas(read_text(before, "counters"), read_text(after, "counters"))
    if host is not None:
        text = read_text(host, "host view")
        if text.strip():
            try:
                s["host"] = json.loads(text)
            except ValueError as e:
                raise bl.BenchError(f"host view '{host}' is not JSON: {e}") from None
            bl.validate_host(s["host"], f"host view '{host}'")
    doc = bl.load_results(path)
    runs = doc["fio"].setdefault(target, {}).setdefault(workload, [])
    runs.append(s)
    save(path, doc)
    print(f"{bl.target_label(doc, target):<24} {workload:<15} run {len(runs)}: {fmt_sample(s)}")


def cmd_iperf3(path, f):
    bps = bl.parse_iperf3(bl.load_json_file(f, "iperf3 output"), f)
    doc = bl.load_results(path)
    doc["link"]["iperf3_bps"].append(bps)
    save(path, doc)
    print(f"{'link':<24} {'iperf3 TCP':<15} run {len(doc['link']['iperf3_bps'])}: "
          f"{bps / 1e6:.0f} Mbit/s")


def cmd_rr(path, f):
    d = bl.load_json_file(f, "tcp-rr output")
    doc = bl.load_results(path)
    for k in ("p50_us", "mean_us"):
        v = d.get(k) if isinstance(d, dict) else None
        if not isinstance(v, (int, float)):
            raise bl.BenchError(f"tcp-rr output '{f}': '{k}' missing")
        doc["link"].setdefault("tcp_rr_4k_" + k, []).append(v)
    save(path, doc)
    print(f"{'link':<24} {'TCP 4 KiB RR':<15} run {len(doc['link']['tcp_rr_4k_p50_us'])}: "
          f"p50 {d['p50_us'] / 1000:.3f} ms  mean {d['mean_us'] / 1000:.3f} ms")


def cmd_ping(path, f):
    text = read_text(f, "ping output")
    mn, avg = bl.parse_ping(text, f)
    doc = bl.load_results(path)
    doc["link"]["rtt_min_ms"].append(mn)
    doc["link"]["rtt_avg_ms"].append(avg)
    save(path, doc)
    print(f"{'link':<24} {'ping RTT':<15} run {len(doc['link']['rtt_avg_ms'])}: "
          f"min {mn:.3f} ms  avg {avg:.3f} ms")


def cmd_resync(path, impl, kind, *kv):
    if impl not in ("nmp", "drbd") or kind not in ("full", "diff"):
        raise bl.BenchError("resync wants nmp|drbd full|diff")
    s = {}
    for a in kv:
        k, sep, v = a.partition("=")
        try:
            s[k] = float(v)
        except ValueError:
            raise bl.BenchError(f"resync value '{a}' is not KEY=NUMBER") from None
    doc = bl.load_results(path)
    r = doc["resync"].setdefault(impl, {"available": True})
    r["available"] = True
    runs = r.setdefault(kind, [])
    runs.append(s)
    save(path, doc)
    bl.validate(doc, path)
    line = f"{s.get('seconds', 0):.1f} s"
    if kind == "full":
        line += f"  {s['bytes'] / 1e6:.0f} MB  {s['bytes'] / s['seconds'] / 1e6:.1f} MB/s"
    else:
        line += (f"  dirty {s['dirty_bytes'] / 1e6:.0f} MB  on the link "
                 f"{s['wire_bytes'] / 1e6:.0f} MB ({s['wire_bytes'] / s['dirty_bytes']:.2f}x)")
    print(f"{impl + ' resync':<24} {kind:<15} run {len(runs)}: {line}")


def cmd_resync_na(path, impl, reason):
    doc = bl.load_results(path)
    doc["resync"][impl] = {"available": False, "reason": reason}
    save(path, doc)
    print(f"{impl + ' resync':<24} not available: {reason}")


def cmd_finish(path):
    doc = bl.load_results(path)
    doc["finished"] = now()
    save(path, doc)


CMDS = {"new": (cmd_new, 2, None), "set": (cmd_set, 3, 3), "target": (cmd_target, 3, 3),
        "fio": (cmd_fio, 4, 8), "rr": (cmd_rr, 2, 2), "iperf3": (cmd_iperf3, 2, 2), "ping": (cmd_ping, 2, 2),
        "resync": (cmd_resync, 3, None), "resync-na": (cmd_resync_na, 3, 3),
        "finish": (cmd_finish, 1, 1)}


def main(argv):
    if len(argv) < 2 or argv[1] not in CMDS:
        sys.stderr.write(__doc__)
        return 2
    fn, lo, hi = CMDS[argv[1]]
    args = argv[2:]
    if len(args) < lo or (hi is not None and len(args) > hi):
        sys.stderr.write(f"record.py {argv[1]}: wrong number of arguments\n{__doc__}")
        return 2
    try:
        fn(*args)
    except bl.BenchError as e:
        sys.stderr.write(f"bench: {e}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
