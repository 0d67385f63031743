# SPDX-License-Identifier: GPL-2.0
"""Results file (benchlib schema) -> the generated part of
Documentation/benchmarks.md, as markdown. Python 3 standard library."""

import re

import benchlib as bl

# Rows of the fio tables: (workload, metric, label, unit scale, format).
ROWS = [
    ("seqwrite", "bw", "seq write 1 MiB QD8, MB/s", 1e-6, "{:.1f}"),
    ("randwrite-qd1", "iops", "rand write 4 KiB QD1, IOPS", 1, "{:.0f}"),
    ("randwrite-qd1", "lat_mean_us", "rand write 4 KiB QD1, latency mean, us", 1, "{:.0f}"),
    ("randwrite-qd1", "lat_p50_us", "rand write 4 KiB QD1, latency p50, us", 1, "{:.0f}"),
    ("randwrite-qd1", "lat_p99_us", "rand write 4 KiB QD1, latency p99, us", 1, "{:.0f}"),
    ("fsync-qd1", "iops", "rand write 4 KiB + fsync QD1, commits/s", 1, "{:.0f}"),
    ("fsync-qd1", "fsync_lat_mean_us", "rand write 4 KiB + fsync QD1, fsync mean, us", 1, "{:.0f}"),
    ("randwrite-qd32", "iops", "rand write 4 KiB QD32, IOPS", 1, "{:.0f}"),
    ("randread-qd32", "iops", "rand read 4 KiB QD32, IOPS", 1, "{:.0f}"),
    ("randrw-qd16", "iops", "70/30 rand r/w 4 KiB QD16, IOPS", 1, "{:.0f}"),
    ("sqlite-commit", "iops", "SQLite WAL FULL, commits/s", 1, "{:.0f}"),
    ("sqlite-commit", "lat_mean_us", "SQLite WAL FULL, commit mean, us", 1, "{:.0f}"),
]


def f(x, fmt="{:.2f}", scale=1.0, none="–"):
    return none if x is None else fmt.format(x * scale)


def cell(st, fmt, scale=1.0):
    """median (min–max) of a stats dict."""
    if not st:
        return "–"
    if st["n"] == 1:
        return fmt.format(st["median"] * scale)
    return (f"{fmt.format(st['median'] * scale)} "
            f"({fmt.format(st['min'] * scale)}–{fmt.format(st['max'] * scale)})")


def pct(x):
    return "–" if x is None else f"{100 * x:.0f}%"


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return out


def measured_targets(doc):
    return [t for t, _ in bl.TARGETS if bl.available(doc, t) and doc["fio"].get(t)]


def render(doc, results_name, png_name):
    L = []
    cfg = doc["config"]
    m = doc.get("machine", {})
    lab = doc.get("lab", {})
    drbd = doc.get("drbd", {})
    runs = cfg.get("runs", "?")
    L.append(f"Results file: `{results_name}` ({doc['mode']} mode), started {doc['started']}, "
             f"finished {doc.get('finished') or 'not finished (interrupted run)'}.")
    L.append("")
    if doc["mode"] == "quick":
        L.append(f"> **Quick mode** ({runs} run x {cfg.get('runtime_s', '?')} s per workload, "
                 f"{cfg.get('disk_size', '?')} disk): a development run, not a measurement. "
                 "Min/median/max need `make bench` (3 runs).")
        L.append("")

    L += ["### Setup", ""]
    rows = [
        ("host", f"{m.get('nproc', '?')} CPUs ({m.get('cpu_model', '?')}), "
                 f"{m.get('mem_mib', '?')} MiB, kernel {m.get('kernel', '?')}, {m.get('qemu', '?')}"),
        ("host load (1 min)", f"{f(m.get('load1_start'))} at the start, {f(m.get('load1_end'))} at the end "
                              "(other labs share the 2 CPUs)"),
        ("nodes", f"2 x qemu {lab.get('accel', '?').upper()}, {lab.get('node_cpus', '?')} vCPU, "
                  f"{lab.get('node_mem_mib', '?')} MiB, kernel {lab.get('node_kernel', '?')}"),
        ("disk", f"{lab.get('disk', '?')}; data partition {lab.get('data_dev', '/dev/vdb2')} "
                 f"{f(lab.get('data_partition_bytes'), '{:.0f}', 1 / 2**20)} MiB"),
        ("mirror link", lab.get("link", "?")),
        ("fio", f"{lab.get('fio', '?')}, {cfg.get('fio_ioengine', '?')}, direct=1, "
                f"{cfg.get('runtime_s', '?')} s measured after {cfg.get('ramp_s', '?')} s warm-up, "
                f"{runs} run(s), targets interleaved per run"),
        ("DRBD", f"drbd.ko {drbd.get('module', '?')} (Debian kernel), drbd-utils {drbd.get('utils', '?')}; "
                 "resource file below"),
    ]
    L += table(["", ""], rows)
    L.append("")

    L += ["### Mirror link", ""]
    link = doc["link"]
    L += table(["figure", "min", "median", "max"], [
        ["iperf3 TCP, Mbit/s"] + mm3(link.get("iperf3_bps"), 1e-6, "{:.0f}"),
        ["ping RTT min, ms"] + mm3(link.get("rtt_min_ms"), 1, "{:.3f}"),
        ["ping RTT avg, ms"] + mm3(link.get("rtt_avg_ms"), 1, "{:.3f}"),
        ["TCP 4 KiB request / 32 B answer, p50 of 300, ms"] + mm3(link.get("tcp_rr_4k_p50_us"), 1e-3, "{:.3f}"),
        ["TCP 4 KiB request / 32 B answer, mean of 300, ms"] + mm3(link.get("tcp_rr_4k_mean_us"), 1e-3, "{:.3f}"),
    ])
    L.append("")

    ts = measured_targets(doc)
    L += [f"### fio: median (min–max) of {runs} run(s)", ""]
    rows = []
    for w, metric, label, scale, fmt in ROWS:
        rows.append([label] + [cell(bl.fio_stats(doc, t, w, metric), fmt, scale) for t in ts])
    L += table(["workload"] + [bl.target_label(doc, t) for t in ts], rows)
    L.append("")

    L += ["### Ratios of medians, same run", "",
          "Throughput and IOPS: higher is better (1.00 = equal). Latency: the "
          "inverse ratio, so that here too higher is better and 0.50 means twice "
          "the latency.", ""]
    cols = [(t, "raw") for t in ts if t != "raw"] + \
           [(t, bl.DRBD_TWIN[t]) for t in ts if t in bl.DRBD_TWIN and bl.DRBD_TWIN[t] in ts] + \
           [(t, bl.PLAIN_TWIN[t]) for t in ts if t in bl.PLAIN_TWIN and bl.PLAIN_TWIN[t] in ts]
    rows = []
    for w, metric, label, _, _ in ROWS:
        r = []
        for a, b in cols:
            x, y = bl.med(bl.fio_stats(doc, a, w, metric)), bl.med(bl.fio_stats(doc, b, w, metric))
            r.append(f(bl.ratio(y, x) if "lat_" in metric else bl.ratio(x, y)))
        rows.append([label] + r)
    if cols:
        L += table(["workload"] + [f"{bl.target_label(doc, a)} / {bl.target_label(doc, b)}" for a, b in cols], rows)
    else:
        L.append("No target besides the raw disk was measured.")
    L.append("")

    L += ["### Synchronous targets against the physical limit", "",
          "Limit of a throughput figure: min(raw disk, link) where the link carries "
          "only the written share (iperf3 median); limit of the QD1 write latency: "
          "raw QD1 write latency + one ping round trip (avg, median). Fraction = "
          "limit / measured for latency, measured / limit otherwise.", ""]
    sts = [t for t in bl.SYNC_TARGETS if t in ts]
    rows = []
    for w, metric, label, scale, fmt in ROWS:
        if metric in ("lat_p50_us", "lat_p99_us") or w in ("randread-qd32", "fsync-qd1", "sqlite-commit"):
            continue
        if metric == "lat_mean_us":
            lim, _, _ = bl.qd1_latency_limit(doc)
            bound = "local + 1 RTT"
            fr = [pct(bl.ratio(lim, bl.med(bl.fio_stats(doc, t, w, metric)))) for t in sts]
        elif w == "randwrite-qd1":
            continue
        else:
            lim, bound = bl.throughput_limit(doc, w)
            fr = [pct(bl.ratio(bl.med(bl.fio_stats(doc, t, w, metric)), lim)) for t in sts]
        rows.append([label, f(lim, fmt, scale), bound or "–"] + fr)
        if metric == "lat_mean_us":
            local = bl.med(bl.fio_stats(doc, "raw", w, metric))
            rr = bl.med(bl.mmm(doc["link"].get("tcp_rr_4k_mean_us", [])))
            lim2 = None if local is None or rr is None else local + rr
            rows.append([label + " (TCP request/response instead of ping)", f(lim2, fmt, scale),
                         "local + 1 TCP RR"] +
                        [pct(bl.ratio(lim2, bl.med(bl.fio_stats(doc, t, w, metric)))) for t in sts])
    if sts:
        L += table(["figure", "limit", "bound by"] + [bl.target_label(doc, t) for t in sts], rows)
    else:
        L.append("No synchronous target was measured.")
    L.append("")

    prof = profile_rows(doc, ts)
    if prof:
        L += ["### Where the time goes: driver counters on node1", "",
              "Deltas of the driver's own counters around each fio run (warm-up "
              "included), medians over runs. /dev/NMP1: `clpmdstat --counters` "
              "(`stat_<name>`; \"issued by the submitter\": writes that skipped the issue "
              "worker, `stat_direct_writes`); DRBD: `/proc/drbd` (`al:` activity-log updates, "
              "`bm:` bitmap updates, `dw:` KiB written locally). Context switches: "
              "`/proc/stat` `ctxt` of each node (everything the node ran, fio "
              "included), per write (since 2026-12-05).", ""]
        L += table(["target", "workload", "writes", "metadata writes / write",
                    "writes waiting for metadata / write",
                    "issued by the submitter / write", "driver's mean write time, us",
                    "fio mean latency, us",
                    "context switches / write, node1 / node2"], prof)
        L.append("")

    dk = disk_rows(doc, ts)
    if dk:
        L += ["### Where the time goes: the disks under each mirror", "",
              "Each node's mirror disk (`vdb`: data and metadata partitions) over the "
              "same runs as the counters above, from `/proc/diskstats`: the writes the "
              "disk completed per write of the job, and their mean time in the node's "
              "block layer and the emulated disk (submission to completion, queueing "
              "included), against the job's own mean latency. A synchronous write "
              "cannot complete before the slower of the two disks' writes (since "
              "2026-12-07).", ""]
        L += table(["target", "workload", "node1 disk writes / write", "node1 disk write mean, us",
                    "node2 disk writes / write", "node2 disk write mean, us",
                    "fio mean latency, us"], dk)
        L.append("")

    hv, cpus = host_rows(doc, ts)
    if hv:
        L += ["### The host's view: CPU during each job", "",
              "Measured on the host over the middle of each job (from 2 s after "
              "the warm-up to 2 s before the end; `scripts/bench.d/hostcpu.py`), "
              f"medians over runs. Host busy: all of its {cpus} CPUs' time that was "
              "neither idle nor waiting for I/O, in % of all of them. Per node, in % of "
              "one CPU: its qemu's vCPU thread (the guest's work, emulated by TCG) "
              "and qemu's other threads (the emulated disk's and network's work, "
              "the main loop). \"Waited\": time a thread was runnable but had no "
              "host CPU (`schedstat`), for the vCPU and for qemu's main loop, which "
              "carries every packet of the mirror link and every disk completion "
              "(since 2026-12-07, later than the rest of the view). A node's qemu "
              "cannot use more than the host's CPUs leave it.", ""]
        L += table(["target", "workload", "host busy, % of all CPUs",
                    "node1 vCPU ran / waited, %", "node1 qemu other threads, %",
                    "node1 main loop waited, %",
                    "node2 vCPU ran / waited, %", "node2 qemu other threads, %",
                    "node2 main loop waited, %"], hv)
        L.append("")

    L += ["### Resynchronisation", "",
          "Full: initial construction of the whole data partition. Differential: "
          "after 10% of the device (1 MiB in every 10 MiB) was written while the "
          "peer was disconnected. \"On the link\": bytes sent on the source's "
          "mirror interface (eth1 tx, all protocol and TCP/IP overhead included) "
          "while the resync ran.", ""]
    link_bps = bl.link_Bps(doc)
    rows = []
    impls = [("nmp", "/dev/NMP1"), ("drbd", "DRBD")]

    def rs(fn):
        return [fn(i) for i, _ in impls]

    def na(i):
        r = doc["resync"].get(i)
        return None if r and r.get("available") else "n/a"

    rows.append(["full: time, s"] + rs(lambda i: na(i) or cell(bl.resync_stats(doc, i, "full", "seconds"), "{:.1f}")))
    rows.append(["full: MB/s"] + rs(lambda i: na(i) or cell(bl.resync_rates(doc, i), "{:.1f}", 1e-6)))
    rows.append(["full: % of link (median)"] + rs(
        lambda i: na(i) or pct(bl.ratio(bl.med(bl.resync_rates(doc, i)), link_bps))))
    rows.append(["diff: dirty, MB"] + rs(lambda i: na(i) or cell(bl.resync_stats(doc, i, "diff", "dirty_bytes"), "{:.0f}", 1e-6)))
    rows.append(["diff: time, s"] + rs(lambda i: na(i) or cell(bl.resync_stats(doc, i, "diff", "seconds"), "{:.1f}")))
    rows.append(["diff: on the link / dirty"] + rs(lambda i: na(i) or cell(bl.diff_overhead(doc, i), "{:.2f}")))
    rows.append(["diff: data sent (driver counter) / dirty"] + rs(lambda i: na(i) or cell(bl.mmm(
        [s["sent_bytes"] / s["dirty_bytes"] for s in doc["resync"][i].get("diff", [])
         if "sent_bytes" in s and s["dirty_bytes"]]), "{:.2f}")))
    L += table(["", "/dev/NMP1", "DRBD"], rows)
    L.append("")

    L += ["### Goals (issue 5) and where we stand", ""]
    rows = []
    for g in bl.goals(doc):
        if g["met"] is None:
            status = "not measured"
        else:
            status = "met" if g["met"] else "**not met**"
        fmt = "{:.0f}" if g["note"].startswith("%") else "{:.2f}"
        rows.append([g["goal"], f(g["ours"], fmt), f(g["drbd"], fmt), g["note"], status])
    L += table(["goal", "/dev/NMP1", "DRBD (same run)", "unit", "status"], rows)
    L.append("")

    na_t = [(t, i["reason"]) for t, i in doc["targets"].items() if not i["available"]]
    na_r = [(i, r["reason"]) for i, r in doc["resync"].items() if not r["available"]]
    if na_t or na_r:
        L += ["### Not measured in this run", ""]
        L += [f"- {bl.target_label(doc, t)}: not available: {why}" for t, why in na_t]
        L += [f"- {'/dev/NMP1' if i == 'nmp' else 'DRBD'} resync: not available: {why}" for i, why in na_r]
        L.append("")

    if png_name:
        L += [f"![QD1 write latency percentiles and IOPS per target]({png_name})", ""]

    if drbd.get("settings"):
        keys = ("protocol", "max-buffers", "max-epoch-size", "sndbuf-size", "tcp-cork",
                "al-extents", "al-updates", "disk-flushes", "md-flushes", "disk-barrier",
                "c-plan-ahead", "resync-rate", "c-max-rate")
        got = []
        for k in keys:
            m = re.search(r"^\s*" + re.escape(k) + r"\s+([^;]+);", drbd["settings"], re.M)
            if m:
                got.append(f"`{k} {m.group(1).strip()}`")
        L += ["DRBD's effective settings (`drbdsetup show --show-defaults`, in the "
              "results file): " + ", ".join(got) + ".", ""]
    if drbd.get("resource"):
        L += ["DRBD resource file used (generated from `scripts/bench.d/drbd.res.in`):", "",
              "```", drbd["resource"].rstrip("\n"), "```", ""]
    for n in doc.get("notes", []):
        L.append(f"Note: {n}")
    return "\n".join(L).rstrip("\n") + "\n"


def mm3(values, scale, fmt):
    st = bl.mmm(values or [])
    if not st:
        return ["–", "–", "–"]
    return [fmt.format(st[k] * scale) for k in ("min", "median", "max")]


def mirrored_writes(t, d, bs):
    """Writes of one run from its driver counters: ours count them, DRBD's
    dw: is KiB written locally."""
    if t.startswith("nmp"):
        return d.get("stat_write_count", 0)
    return d.get("dw", 0) * 1024 / bs


def disk_rows(doc, ts):
    rows = []
    for t in ts:
        if t in ("raw", "dmlin"):
            continue
        for w in ("seqwrite", "randwrite-qd1", "fsync-qd1", "randwrite-qd32"):
            bs = bl.WORKLOAD[w][2]
            per = {"1": ([], []), "2": ([], [])}
            for smp in doc["fio"].get(t, {}).get(w, []):
                d = smp.get("driver")
                if not isinstance(d, dict):
                    continue
                c = mirrored_writes(t, d, bs)
                for n, (cnt, ms) in per.items():
                    if c and d.get(f"dkw{n}"):
                        cnt.append(d[f"dkw{n}"] / c)
                        ms.append(1000.0 * d.get(f"dkwms{n}", 0) / d[f"dkw{n}"])
            if not per["1"][0] and not per["2"][0]:
                continue
            rows.append([bl.target_label(doc, t), bl.WORKLOAD[w][1]] +
                        [f(bl.med(bl.mmm(per[n][i])), fmt) for n in ("1", "2")
                         for i, fmt in ((0, "{:.2f}"), (1, "{:.0f}"))] +
                        [f(bl.med(bl.fio_stats(doc, t, w, "lat_mean_us")), "{:.0f}")])
    return rows


def host_rows(doc, ts):
    """One row per target and write workload with a host view, and the
    host's CPU count."""
    rows, cpus = [], 0
    for t in ts:
        for w in ("seqwrite", "randwrite-qd1", "fsync-qd1", "randwrite-qd32", "sqlite-commit"):
            hs = [s["host"] for s in doc["fio"].get(t, {}).get(w, []) if isinstance(s.get("host"), dict)]
            if not hs:
                continue

            def node(n, k):
                return f(bl.med(bl.mmm([h["nodes"][n].get(k) for h in hs if n in h["nodes"]])), "{:.0f}")
            cells = []
            for n in ("1", "2"):
                cells += [f"{node(n, 'vcpu_pct')} / {node(n, 'vcpu_wait_pct')}",
                          node(n, "other_pct"), node(n, "main_wait_pct")]
            rows.append([bl.target_label(doc, t), bl.WORKLOAD[w][1],
                         f(bl.med(bl.mmm([h["busy_pct"] for h in hs])), "{:.0f}")] + cells)
            cpus = max([cpus] + [int(h["cpus"]) for h in hs])
    return rows, cpus


def profile_rows(doc, ts):
    rows = []
    for t in ts:
        if t in ("raw", "dmlin"):
            continue
        for w in ("seqwrite", "randwrite-qd1", "randwrite-qd32"):
            samples = doc["fio"].get(t, {}).get(w, [])
            drv = [s["driver"] for s in samples if isinstance(s.get("driver"), dict)]
            if not drv:
                continue
            bs = bl.WORKLOAD[w][2]
            n, meta, wait, direct, wtime, cs1, cs2 = [], [], [], [], [], [], []
            for d in drv:
                c = mirrored_writes(t, d, bs)
                n.append(c)
                if t.startswith("nmp"):
                    if c:
                        meta.append(d.get("stat_meta_writes", 0) / c)
                        wait.append(d.get("stat_intent_waits", 0) / c)
                        direct.append(d.get("stat_direct_writes", 0) / c)
                    if d.get("stat_sync_count"):
                        wtime.append(d.get("stat_sync_time_total", 0) / d["stat_sync_count"])
                elif c:
                    meta.append((d.get("al", 0) + d.get("bm", 0)) / c)
                if c and "ctxt1" in d and "ctxt2" in d:
                    cs1.append(d["ctxt1"] / c)
                    cs2.append(d["ctxt2"] / c)
            rows.append([bl.target_label(doc, t), bl.WORKLOAD[w][1], f(bl.med(bl.mmm(n)), "{:.0f}"),
                         f(bl.med(bl.mmm(meta)), "{:.2f}"), f(bl.med(bl.mmm(wait)), "{:.2f}"),
                         f(bl.med(bl.mmm(direct)), "{:.2f}"),
                         f(bl.med(bl.mmm(wtime)), "{:.0f}"),
                         f(bl.med(bl.fio_stats(doc, t, w, "lat_mean_us")), "{:.0f}"),
                         f"{f(bl.med(bl.mmm(cs1)), '{:.1f}')} / {f(bl.med(bl.mmm(cs2)), '{:.1f}')}"])
    return rows
