# SPDX-License-Identifier: GPL-2.0
"""Shared code of the clpstack benchmark (scripts/bench): the results
file (bench/results/<date>.json, schema SCHEMA), fio/iperf3/ping parsing
and the derived figures (min/median/max, ratios, physical limits, goals).
Python 3 standard library only."""

import json
import math
import re
import statistics

SCHEMA = "clpstack-bench/1"


class BenchError(Exception):
    """Bad input: the message says what was wrong and where."""


# Targets in report order: key -> label.
TARGETS = [
    ("raw", "raw /dev/vdb2"),
    ("dmlin", "dm-linear /dev/vdb2"),
    ("nmp-sync", "/dev/NMP1 sync"),
    ("nmp-disc", "/dev/NMP1 disconnected"),
    ("nmp-async", "/dev/NMP1 async"),
    ("nmp-crypt", "/dev/NMP1 sync+AES-GCM"),
    ("nmp-lz4", "/dev/NMP1 async+LZ4"),
    ("drbd-c", "DRBD C"),
    ("drbd-disc", "DRBD disconnected"),
    ("drbd-a", "DRBD A"),
]
TARGET_LABEL = dict(TARGETS)


def target_label(doc, t):
    """A target's label in a results file: the raw disk and dm-linear name
    the run's data device (lab.data_dev: /dev/ram0 in a run on RAM disks,
    CLP_BENCH_BACKING=ram)."""
    dev = (doc.get("lab") or {}).get("data_dev")
    label = TARGET_LABEL[t]
    return label.replace("/dev/vdb2", dev) if isinstance(dev, str) and dev else label


# Which targets replicate synchronously over the link, and the DRBD twin
# each of ours is compared with.
SYNC_TARGETS = ("nmp-sync", "drbd-c")
DRBD_TWIN = {"nmp-sync": "drbd-c", "nmp-disc": "drbd-disc", "nmp-async": "drbd-a"}
# The cost of encryption and compression: each against the same mode
# without it, in the same run.
PLAIN_TWIN = {"nmp-crypt": "nmp-sync", "nmp-lz4": "nmp-async"}

# Workloads: key -> (label, block size, write fraction, headline metric).
WORKLOADS = [
    ("seqwrite", "seq write 1 MiB QD8", 1 << 20, 1.0, "bw"),
    ("randwrite-qd1", "rand write 4 KiB QD1", 4096, 1.0, "lat"),
    ("fsync-qd1", "rand write 4 KiB + fsync QD1", 4096, 1.0, "iops"),
    ("randwrite-qd32", "rand write 4 KiB QD32", 4096, 1.0, "iops"),
    ("randread-qd32", "rand read 4 KiB QD32", 4096, 0.0, "iops"),
    ("randrw-qd16", "70/30 rand r/w 4 KiB QD16", 4096, 0.3, "iops"),
    # SQLite in WAL mode, synchronous=FULL, one row per transaction on ext4
    # (scripts/bench.d/sqlite-commit.py): IOPS = commits per second.
    ("sqlite-commit", "SQLite WAL commit QD1", 4096, 1.0, "iops"),
]
WORKLOAD = {w[0]: w for w in WORKLOADS}


# ---------------------------------------------------------------- parsing

def load_json_file(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise BenchError(f"cannot read {what} '{path}': {e.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise BenchError(f"{what} '{path}' is not valid JSON: line {e.lineno} "
                         f"column {e.colno}: {e.msg}") from None


def _num(d, key, where):
    v = d.get(key) if isinstance(d, dict) else None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise BenchError(f"{where}: '{key}' is missing or not a number")
    return float(v)


def _fio_dir(d, where):
    """One direction (read or write) of a fio job: None if it did no I/O."""
    if not isinstance(d, dict):
        raise BenchError(f"{where}: missing")
    if _num(d, "total_ios", where) == 0:
        return None
    lat = d.get("lat_ns")
    if not isinstance(lat, dict):
        raise BenchError(f"{where}: 'lat_ns' missing")
    pct = lat.get("percentile")
    if not isinstance(pct, dict):
        raise BenchError(f"{where}: no latency percentiles (fio needs lat_percentiles=1)")

    def p(q):
        for k, v in pct.items():
            try:
                if abs(float(k) - q) < 1e-6:
                    return float(v) / 1000.0
            except ValueError:
                continue
        raise BenchError(f"{where}: latency percentile {q} missing")

    return {
        "iops": _num(d, "iops", where),
        "bw": _num(d, "bw_bytes", where),
        "lat_mean_us": _num(lat, "mean", where + ".lat_ns") / 1000.0,
        "lat_p50_us": p(50.0),
        "lat_p99_us": p(99.0),
        "lat_p999_us": p(99.9),
    }


def parse_fio(doc, where="fio output"):
    """fio --output-format=json (one job, group_reporting) -> sample."""
    if not isinstance(doc, dict) or not isinstance(doc.get("jobs"), list) or not doc["jobs"]:
        raise BenchError(f"{where}: no 'jobs' in fio output")
    job = doc["jobs"][0]
    if job.get("error", 0):
        raise BenchError(f"{where}: fio job failed with error {job.get('error')}")
    s = {}
    for d in ("read", "write"):
        r = _fio_dir(job.get(d), f"{where}: jobs[0].{d}")
        if r:
            s[d] = r
    if not s:
        raise BenchError(f"{where}: the job did no I/O")
    s["iops"] = sum(v["iops"] for v in s.values())
    s["bw"] = sum(v["bw"] for k, v in s.items() if k in ("read", "write"))
    # fsync=1 jobs: the latency of the fsyncs (fio's "sync" section)
    sync = job.get("sync")
    if isinstance(sync, dict) and isinstance(sync.get("lat_ns"), dict) and \
            sync.get("total_ios", 0) > 0:
        s["fsync_lat_mean_us"] = _num(sync["lat_ns"], "mean", f"{where}: jobs[0].sync.lat_ns") / 1e3
    return s


def parse_iperf3(doc, where="iperf3 output"):
    """iperf3 -J (client) -> received bits per second."""
    if not isinstance(doc, dict):
        raise BenchError(f"{where}: not an iperf3 result")
    if doc.get("error"):
        raise BenchError(f"{where}: iperf3 failed: {doc['error']}")
    end = doc.get("end")
    if not isinstance(end, dict):
        raise BenchError(f"{where}: 'end' missing")
    return _num(end.get("sum_received"), "bits_per_second", where + ": end.sum_received")


PING_RE = re.compile(r"min/avg/max/(?:mdev|stddev) = ([0-9.]+)/([0-9.]+)/([0-9.]+)")


def parse_ping(text, where="ping output"):
    """ping summary -> (min, avg) round trip in ms."""
    m = PING_RE.search(text)
    if not m:
        raise BenchError(f"{where}: no 'rtt min/avg/max' line (did every ping fail?)")
    return float(m.group(1)), float(m.group(2))


PROC_DRBD_RE = re.compile(r"\b(ns|nr|dw|dr):(\d+)")


def parse_proc_drbd(text):
    """/proc/drbd of minor 0 -> {'ns':KiB,'nr':KiB,'dw':KiB,'dr':KiB}."""
    got = {k: int(v) for k, v in PROC_DRBD_RE.findall(text)}
    for k in ("ns", "nr", "dw", "dr"):
        if k not in got:
            raise BenchError(f"/proc/drbd: counter '{k}:' missing")
    return got


COUNTER_RE = re.compile(r"\b(stat_[a-z0-9_]+|ns|nr|dw|dr|al|bm|ctxt[12]|kick[12]|dkwms[12]|dkw[12])[:=](\d+)")


def counter_deltas(before, after):
    """Driver counters around a run: /proc/drbd (ns: nr: dw: dr: al: bm:)
    or clpmdstat --counters as stat_<name>=N lines (scripts/bench.d/nmp.sh),
    and each node's context switches (ctxt1=, ctxt2=: /proc/stat) and mirror
    NIC transmit notifies (kick1=, kick2=: ethtool -S eth1) and mirror
    disk writes and milliseconds writing (dkw1=, dkwms1=, ...: vdb of
    /proc/diskstats). Totals
    become deltas; *_max*/*_cur gauges keep their value after the run."""
    b = {k: int(v) for k, v in COUNTER_RE.findall(before)}
    a = {k: int(v) for k, v in COUNTER_RE.findall(after)}
    out = {}
    for k, v in a.items():
        if "_max" in k or k.endswith("_cur"):
            out[k] = v
        elif k in b:
            out[k] = v - b[k]
    return out


# ---------------------------------------------------------- the host's view

def parse_host_snapshot(text, where="host snapshot"):
    """One snapshot of scripts/bench.d/hostcpu.py: the host's /proc/stat
    'cpu' line and 'cpus N', per node 'nodeN VCPU TOTAL': the clock
    ticks of its qemu's vCPU threads and of the whole process, and per
    thread 'nodeN.KIND TID RUN_NS WAIT_NS' (schedstat; KIND vcpu, main or
    other)."""
    snap = {"nodes": {}}
    for line in text.splitlines():
        f = line.split()
        if not f:
            continue
        try:
            if f[0] == "cpu" and len(f) >= 5:
                snap["cpu"] = [int(x) for x in f[1:]]
            elif f[0] == "cpus" and len(f) == 2:
                snap["cpus"] = int(f[1])
            elif re.fullmatch(r"node[0-9]+", f[0]) and len(f) == 3:
                snap["nodes"][f[0][4:]] = (int(f[1]), int(f[2]))
            elif re.fullmatch(r"node[0-9]+\.(vcpu|main|other)", f[0]) and len(f) == 4:
                n, kind = f[0][4:].split(".")
                snap.setdefault("threads", {})[(n, int(f[1]))] = (kind, int(f[2]), int(f[3]))
            else:
                raise ValueError
        except ValueError:
            raise BenchError(f"{where}: cannot parse line '{line}'") from None
    if "cpu" not in snap or "cpus" not in snap:
        raise BenchError(f"{where}: no 'cpu' or 'cpus' line")
    return snap


def host_view(before, after, seconds, hz):
    """CPU of the host and of each node's qemu between two snapshots:
    busy_pct in % of all the host's CPUs (idle and iowait are not busy),
    per node vcpu_pct (its TCG vCPU threads: the guest's own work) and
    other_pct (qemu's other threads: disk, network, main loop) in % of one
    CPU."""
    if seconds <= 0 or hz <= 0:
        raise BenchError(f"host view: bad span {seconds} s or clock {hz} Hz")
    d = [a - b for a, b in zip(after["cpu"], before["cpu"])]
    total = sum(d[:8])
    idle = d[3] + (d[4] if len(d) > 4 else 0)
    out = {"seconds": seconds, "cpus": after["cpus"],
           "busy_pct": 100.0 * (total - idle) / total if total > 0 else 0.0, "nodes": {}}
    ticks = seconds * hz
    for n, (vcpu, whole) in sorted(after["nodes"].items()):
        if n not in before["nodes"]:
            continue
        v = vcpu - before["nodes"][n][0]
        w = whole - before["nodes"][n][1]
        if v < 0 or w < v:
            # the node's qemu was restarted between the snapshots
            continue
        out["nodes"][n] = {"vcpu_pct": 100.0 * v / ticks, "other_pct": 100.0 * (w - v) / ticks}
        # Time runnable but not running, of the threads alive at both
        # snapshots, in % of the span.
        waits = {}
        for (tn, tid), (kind, _, wait) in after.get("threads", {}).items():
            old = before.get("threads", {}).get((tn, tid))
            if tn == n and old and old[0] == kind and wait >= old[2]:
                waits[kind] = waits.get(kind, 0) + wait - old[2]
        for kind in ("vcpu", "main"):
            if kind in waits:
                out["nodes"][n][f"{kind}_wait_pct"] = 100.0 * waits[kind] / (seconds * 1e9)
    return out


def validate_host(h, where):
    """A sample's 'host' object, as host_view() makes it."""
    if not isinstance(h, dict):
        raise BenchError(f"{where}: not an object")
    for k in ("seconds", "cpus", "busy_pct"):
        _num(h, k, where)
    if not isinstance(h.get("nodes"), dict):
        raise BenchError(f"{where}: 'nodes' is missing or not an object")
    for n, v in h["nodes"].items():
        if not isinstance(v, dict):
            raise BenchError(f"{where}: nodes.{n} is not an object")
        for k in ("vcpu_pct", "other_pct"):
            _num(v, k, f"{where}: nodes.{n}")


# ---------------------------------------------------------------- results

def load_results(path):
    doc = load_json_file(path, "results file")
    validate(doc, path)
    return doc


def validate(doc, where):
    if not isinstance(doc, dict):
        raise BenchError(f"{where}: not a JSON object")
    if doc.get("schema") != SCHEMA:
        raise BenchError(f"{where}: 'schema' is {doc.get('schema')!r}, expected '{SCHEMA}'")
    for key, typ in (("mode", str), ("started", str), ("config", dict),
                     ("targets", dict), ("link", dict), ("fio", dict), ("resync", dict)):
        if not isinstance(doc.get(key), typ):
            raise BenchError(f"{where}: '{key}' is missing or not a {typ.__name__}")
    if doc["mode"] not in ("full", "quick"):
        raise BenchError(f"{where}: 'mode' is {doc['mode']!r}, expected 'full' or 'quick'")
    for t, info in doc["targets"].items():
        if t not in TARGET_LABEL:
            raise BenchError(f"{where}: unknown target '{t}'")
        if not isinstance(info, dict) or not isinstance(info.get("available"), bool):
            raise BenchError(f"{where}: targets.{t}.available is missing or not true/false")
        if not info["available"] and not isinstance(info.get("reason"), str):
            raise BenchError(f"{where}: targets.{t} is not available but has no 'reason'")
    for t, per in doc["fio"].items():
        if t not in TARGET_LABEL:
            raise BenchError(f"{where}: fio: unknown target '{t}'")
        if not isinstance(per, dict):
            raise BenchError(f"{where}: fio.{t} is not an object")
        for w, samples in per.items():
            if w not in WORKLOAD:
                raise BenchError(f"{where}: fio.{t}: unknown workload '{w}'")
            if not isinstance(samples, list):
                raise BenchError(f"{where}: fio.{t}.{w} is not a list")
            for i, s in enumerate(samples):
                at = f"{where}: fio.{t}.{w}[{i}]"
                _num(s, "iops", at)
                _num(s, "bw", at)
                dirs = [d for d in ("read", "write") if d in s]
                if not dirs:
                    raise BenchError(f"{at}: neither 'read' nor 'write'")
                for d in dirs:
                    for k in ("iops", "bw", "lat_mean_us", "lat_p50_us", "lat_p99_us"):
                        _num(s[d], k, f"{at}.{d}")
                if "host" in s:
                    validate_host(s["host"], f"{at}.host")
    link = doc["link"]
    for k in ("iperf3_bps", "rtt_min_ms", "rtt_avg_ms"):
        v = link.get(k, [])
        if not isinstance(v, list) or not all(
                isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
            raise BenchError(f"{where}: link.{k} is not a list of numbers")
    for impl, r in doc["resync"].items():
        if impl not in ("nmp", "drbd"):
            raise BenchError(f"{where}: resync: unknown implementation '{impl}'")
        if not isinstance(r, dict) or not isinstance(r.get("available"), bool):
            raise BenchError(f"{where}: resync.{impl}.available is missing or not true/false")
        if not r["available"]:
            if not isinstance(r.get("reason"), str):
                raise BenchError(f"{where}: resync.{impl} is not available but has no 'reason'")
            continue
        for kind, keys in (("full", ("seconds", "bytes")),
                           ("diff", ("seconds", "dirty_bytes", "wire_bytes"))):
            runs = r.get(kind, [])
            if not isinstance(runs, list):
                raise BenchError(f"{where}: resync.{impl}.{kind} is not a list")
            for i, s in enumerate(runs):
                for k in keys:
                    _num(s, k, f"{where}: resync.{impl}.{kind}[{i}]")


# ---------------------------------------------------------------- figures

def mmm(values):
    """min / median / max of a non-empty list, else None."""
    vals = [float(v) for v in values if v is not None]
    if not vals:
        return None
    return {"min": min(vals), "median": statistics.median(vals), "max": max(vals), "n": len(vals)}


def metric_values(samples, metric):
    """Values of one metric over runs. metric: iops, bw, fsync_lat_mean_us
    (fsync=1 jobs), or lat_mean_us/lat_p50_us/lat_p99_us (of the write side
    if any)."""
    out = []
    for s in samples:
        if metric in ("iops", "bw", "fsync_lat_mean_us"):
            if metric in s:
                out.append(s[metric])
        else:
            d = s.get("write") or s.get("read")
            out.append(d.get(metric))
    return out


def fio_stats(doc, target, workload, metric):
    return mmm(metric_values(doc["fio"].get(target, {}).get(workload, []), metric))


def link_Bps(doc):
    """Median iperf3 TCP throughput in bytes/s, or None."""
    s = mmm(doc["link"].get("iperf3_bps", []))
    return s["median"] / 8.0 if s else None


def rtt_us(doc, which="rtt_avg_ms"):
    s = mmm(doc["link"].get(which, []))
    return s["median"] * 1000.0 if s else None


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def med(stats):
    return stats["median"] if stats else None


def throughput_limit(doc, workload):
    """Physical limit of a synchronous target on a throughput workload,
    in the workload's headline unit (bytes/s for seqwrite, else IOPS):
    min(what the raw disk did, what the link can carry of the writes)."""
    _, _, bs, wfrac, metric = WORKLOAD[workload]
    disk = med(fio_stats(doc, "raw", workload, metric))
    link = link_Bps(doc)
    lim_link = None
    if link is not None and wfrac > 0:
        lim_link = link / wfrac if metric == "bw" else link / (bs * wfrac)
    cands = [x for x in (disk, lim_link) if x is not None]
    return (min(cands), "disk" if cands and min(cands) == disk else "link") if cands else (None, None)


def qd1_latency_limit(doc):
    """Local write (raw QD1 mean) plus one round trip (ping avg), in us."""
    local = med(fio_stats(doc, "raw", "randwrite-qd1", "lat_mean_us"))
    rtt = rtt_us(doc)
    if local is None or rtt is None:
        return None, local, rtt
    return local + rtt, local, rtt


def commit_lat_us(doc, target):
    """min/median/max of a commit's time in the fsync-qd1 workload: the
    write's mean latency plus the fsync's, per run (runs without an fsync
    figure left out)."""
    return mmm([s["write"]["lat_mean_us"] + s["fsync_lat_mean_us"]
                for s in doc["fio"].get(target, {}).get("fsync-qd1", [])
                if "write" in s and "fsync_lat_mean_us" in s])


def available(doc, target):
    info = doc["targets"].get(target)
    return bool(info and info.get("available"))


def resync_stats(doc, impl, kind, key):
    r = doc["resync"].get(impl)
    if not r or not r.get("available"):
        return None
    return mmm([s.get(key) for s in r.get(kind, [])])


def resync_rates(doc, impl):
    r = doc["resync"].get(impl)
    if not r or not r.get("available"):
        return None
    return mmm([s["bytes"] / s["seconds"] for s in r.get("full", []) if s["seconds"] > 0])


def diff_overhead(doc, impl):
    """Bytes on the mirror link per dirtied byte, per run."""
    r = doc["resync"].get(impl)
    if not r or not r.get("available"):
        return None
    return mmm([s["wire_bytes"] / s["dirty_bytes"] for s in r.get("diff", []) if s["dirty_bytes"] > 0])


def goals(doc):
    """The issue's goals: list of dicts(goal, target, measured, status, gap)."""
    out = []

    def na(goal, why):
        out.append({"goal": goal, "ours": None, "drbd": None, "met": None, "note": why})

    def add(goal, ours, drbd, met, note):
        out.append({"goal": goal, "ours": ours, "drbd": drbd, "met": met, "note": note})

    def pct(x):
        return None if x is None else 100.0 * x

    nmp_why = (doc["targets"].get("nmp-sync") or {}).get("reason", "not measured")
    # 1. seq write at >= 95% of min(disk, link)
    lim, _ = throughput_limit(doc, "seqwrite")
    f = {t: ratio(med(fio_stats(doc, t, "seqwrite", "bw")), lim) for t in SYNC_TARGETS}
    g = "sync seq write >= 95% of min(disk, link)"
    if available(doc, "nmp-sync") and f["nmp-sync"] is not None:
        add(g, pct(f["nmp-sync"]), pct(f["drbd-c"]), f["nmp-sync"] >= 0.95,
            "% of limit")
    else:
        add(g, None, pct(f["drbd-c"]), None, "% of limit; ours: " + nmp_why)
    rtt = rtt_us(doc)

    def round_trips(g, lat_of):
        """Goal g: latency (lat_of(target), us) <= local (raw) + 1.5 RTT."""
        local = lat_of("raw")
        rt = {t: (None if lat_of(t) is None or rtt is None or local is None else
                  (lat_of(t) - local) / rtt) for t in SYNC_TARGETS}
        if available(doc, "nmp-sync") and rt["nmp-sync"] is not None:
            add(g, rt["nmp-sync"], rt["drbd-c"], rt["nmp-sync"] <= 1.5, "round trips above local")
        else:
            add(g, None, rt["drbd-c"], None, "round trips above local; ours: " + nmp_why)

    def vs_drbd(g, workload, factor):
        """Goal g: our IOPS on workload >= factor x DRBD C's."""
        r = ratio(med(fio_stats(doc, "nmp-sync", workload, "iops")),
                  med(fio_stats(doc, "drbd-c", workload, "iops")))
        if available(doc, "nmp-sync") and r is not None:
            add(g, r, 1.0, r >= factor, "x DRBD C")
        else:
            add(g, None, 1.0, None, "x DRBD C; ours: " + nmp_why)

    # 2. QD1 latency <= local + 1.5 RTT
    round_trips("4 KiB QD1 write latency <= local + 1.5 RTT",
                lambda t: med(fio_stats(doc, t, "randwrite-qd1", "lat_mean_us")))
    # 3. QD32 IOPS >= 3x DRBD C
    vs_drbd("4 KiB QD32 write IOPS >= 3x DRBD C", "randwrite-qd32", 3.0)
    # 3b. commits: a commit (write + fsync, QD1) within local + 1.5 RTT;
    # SQLite commits/s at least DRBD C's
    round_trips("commit (4 KiB write + fsync QD1) latency <= local + 1.5 RTT",
                lambda t: med(commit_lat_us(doc, t)))
    vs_drbd("SQLite WAL commits/s >= DRBD C", "sqlite-commit", 1.0)
    # 4. disconnected >= 95% of dm-linear (the floor of a stacked driver on
    # the same partition; the raw disk when dm-linear was not measured)
    floor = "dmlin" if available(doc, "dmlin") and doc["fio"].get("dmlin") else "raw"
    g = f"peer disconnected >= 95% of {target_label(doc, floor)}, every workload"

    def worst(t):
        rs = []
        for w in WORKLOAD:
            m = "lat_mean_us" if WORKLOAD[w][4] == "lat" else WORKLOAD[w][4]
            a, b = med(fio_stats(doc, t, w, m)), med(fio_stats(doc, floor, w, m))
            if a is None or b is None or a == 0:
                continue
            rs.append(b / a if m.startswith("lat") else a / b)
        return min(rs) if rs else None

    wn, wd = worst("nmp-disc"), worst("drbd-disc")
    unit = f"% of {target_label(doc, floor)}, worst workload"
    if available(doc, "nmp-disc") and wn is not None:
        add(g, pct(wn), pct(wd), wn >= 0.95, unit)
    else:
        why = (doc["targets"].get("nmp-disc") or {}).get("reason", "not measured")
        add(g, None, pct(wd), None, unit + "; ours: " + why)
    # 5. full resync >= 95% of the link
    g = "full resync >= 95% of the link"
    link = link_Bps(doc)
    fr = {i: ratio(med(resync_rates(doc, i)), link) for i in ("nmp", "drbd")}
    rwhy = (doc["resync"].get("nmp") or {}).get("reason", "not measured")
    if fr["nmp"] is not None:
        add(g, pct(fr["nmp"]), pct(fr["drbd"]), fr["nmp"] >= 0.95, "% of link")
    else:
        add(g, None, pct(fr["drbd"]), None, "% of link; ours: " + rwhy)
    # 6. differential recovery sends <= 1.1x the dirty data
    g = "differential recovery sends <= 1.1x dirty data"
    dn, dd = med(diff_overhead(doc, "nmp")), med(diff_overhead(doc, "drbd"))
    if dn is not None:
        add(g, dn, dd, dn <= 1.1, "x dirty bytes on the link")
    else:
        add(g, None, dd, None, "x dirty bytes on the link; ours: " + rwhy)
    return out
