# SPDX-License-Identifier: GPL-2.0
"""Results file -> PNG: 4 KiB QD1 write latency percentiles (left) and
IOPS per workload (right), per target; bars are medians, whiskers min-max."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import benchlib as bl  # noqa: E402

COLORS = {"raw": "#7f7f7f", "dmlin": "#bcbd22", "nmp-sync": "#1f77b4", "nmp-disc": "#9ecae1",
          "nmp-async": "#17becf", "nmp-crypt": "#2ca02c", "nmp-lz4": "#98df8a",
          "drbd-c": "#d62728", "drbd-disc": "#ff9896", "drbd-a": "#e377c2"}


def _bars(ax, doc, groups, targets, value):
    """Grouped bars: one group per (key, label), one bar per target."""
    width = 0.8 / max(len(targets), 1)
    for j, t in enumerate(targets):
        xs, ys, lo, hi = [], [], [], []
        for i, g in enumerate(groups):
            st = value(t, g)
            if not st:
                continue
            xs.append(i + (j - (len(targets) - 1) / 2) * width)
            ys.append(st["median"])
            lo.append(st["median"] - st["min"])
            hi.append(st["max"] - st["median"])
        ax.bar(xs, ys, width, yerr=[lo, hi], capsize=2, label=bl.target_label(doc, t),
               color=COLORS.get(t), edgecolor="black", linewidth=0.4)
    ax.set_xticks(range(len(groups)))


def plot(doc, path, title):
    targets = [t for t, _ in bl.TARGETS if bl.available(doc, t) and doc["fio"].get(t)]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.8))
    lat = [("lat_mean_us", "mean"), ("lat_p50_us", "p50"), ("lat_p99_us", "p99")]
    _bars(a1, doc, lat, targets, lambda t, g: bl.fio_stats(doc, t, "randwrite-qd1", g[0]))
    a1.set_xticklabels([g[1] for g in lat])
    a1.set_yscale("log")
    a1.set_ylabel("latency, µs, log scale (lower is better)")
    a1.set_title("4 KiB random write, queue depth 1")
    rtt = bl.rtt_us(doc)
    local = bl.med(bl.fio_stats(doc, "raw", "randwrite-qd1", "lat_mean_us"))
    if rtt is not None and local is not None:
        a1.axhline(local + rtt, color="black", linestyle="--", linewidth=0.8,
                   label="raw mean + 1 RTT")
    # room above the bars for the legend (log scale: a factor)
    a1.set_ylim(top=a1.get_ylim()[1] * 8)
    a1.legend(fontsize=7, ncol=2, loc="upper left")
    io = [("randwrite-qd1", "write QD1"), ("randwrite-qd32", "write QD32"),
          ("randread-qd32", "read QD32"), ("randrw-qd16", "70/30 QD16"),
          ("fsync-qd1", "write+fsync QD1"), ("sqlite-commit", "SQLite commit")]
    _bars(a2, doc, io, targets, lambda t, g: bl.fio_stats(doc, t, g[0], "iops"))
    a2.set_xticklabels([g[1] for g in io], rotation=20, ha="right")
    a2.set_ylabel("IOPS, 4 KiB; commits/s (higher is better)")
    a2.set_title("IOPS")
    a2.set_ylim(top=a2.get_ylim()[1] * 1.45)
    a2.legend(fontsize=7, ncol=2, loc="upper right")
    for a in (a1, a2):
        a.grid(axis="y", linewidth=0.3)
        a.set_axisbelow(True)
    fig.suptitle(title + " — bars: median, whiskers: min–max", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
