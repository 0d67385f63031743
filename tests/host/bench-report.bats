#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Host tests of the benchmark's report generator (scripts/bench.d/report.py,
# render.py, benchlib.py, plot.py) and results recorder (record.py) on small
# fixtures whose min/median/max, ratios and limits are known by hand.

load helpers

BD=$REPO/scripts/bench.d
PY=/usr/bin/python3

# A results file: raw, DRBD C and DRBD disconnected measured 3 times, our
# mirror not available. Values chosen so that medians and ratios are exact.
fixture() {
	"$PY" - "$1" <<'EOF'
import json, sys

def s(bw, iops, lat=None, read=False):
    d = {"iops": iops, "bw": bw, "lat_mean_us": lat or 1000.0,
         "lat_p50_us": (lat or 1000.0) * 0.8, "lat_p99_us": (lat or 1000.0) * 3,
         "lat_p999_us": (lat or 1000.0) * 5}
    return {"iops": iops, "bw": bw, ("read" if read else "write"): d}

def target(k):
    return {
        "seqwrite": [s(x * k[0] * 1e6, x * k[0]) for x in (400, 500, 450)],
        "randwrite-qd1": [s(4096 * i, i, lat) for i, lat in zip((900, 800, 850), [v * k[1] for v in (1000, 1200, 1100)])],
        "randwrite-qd32": [s(4096 * i * k[2], i * k[2]) for i in (3000, 3200, 3100)],
        "randread-qd32": [s(4096 * i, i, read=True) for i in (4000, 4400, 4200)],
        "randrw-qd16": [s(4096 * i, i) for i in (2000, 2100, 2050)],
    }

doc = {
    "schema": "clpstack-bench/1", "mode": "full", "started": "2026-11-25T16:00:00Z",
    "finished": "2026-11-25T16:40:00Z",
    "config": {"runs": 3, "runtime_s": 10, "ramp_s": 3, "resync_runs": 3, "disk_size": "1G",
               "fio_ioengine": "libaio"},
    "machine": {"nproc": 2, "mem_mib": 24000, "cpu_model": "Test CPU", "kernel": "6.1.0-test",
                "qemu": "QEMU emulator version 7.2.22", "load1_start": 1.5, "load1_end": 2.0},
    "lab": {"node_kernel": "6.1.0-56-amd64", "node_cpus": 1, "node_mem_mib": 960, "accel": "tcg",
            "data_partition_bytes": 1006632960, "disk": "virtio-blk test", "link": "virtio-net test",
            "fio": "fio-3.33"},
    "drbd": {"module": "8.4.11", "utils": "9.22.0-1", "resource": "resource bench {\n}\n"},
    "targets": {"raw": {"available": True}, "drbd-c": {"available": True},
                "drbd-disc": {"available": True},
                "nmp-sync": {"available": False, "reason": "liscal is not built"},
                "nmp-disc": {"available": False, "reason": "liscal is not built"}},
    "link": {"iperf3_bps": [800e6, 1000e6, 900e6], "rtt_min_ms": [1.0, 1.2, 0.8],
             "rtt_avg_ms": [2.0, 3.0, 2.5], "tcp_rr_4k_p50_us": [4000.0, 5000.0, 4500.0],
             "tcp_rr_4k_mean_us": [5000.0, 6000.0, 7000.0]},
    "fio": {"raw": target((1, 1, 1)), "drbd-c": target((1 / 9, 6, 0.1)),
            "drbd-disc": target((0.9, 1.1, 0.5))},
    "resync": {
        "drbd": {"available": True,
                 "full": [{"seconds": 20.0, "bytes": 1e9, "wire_bytes": 1.05e9},
                          {"seconds": 25.0, "bytes": 1e9, "wire_bytes": 1.05e9},
                          {"seconds": 40.0, "bytes": 1e9, "wire_bytes": 1.05e9}],
                 "diff": [{"seconds": 3.0, "dirty_bytes": 1e8, "wire_bytes": 1.2e8, "sent_bytes": 1e8},
                          {"seconds": 4.0, "dirty_bytes": 1e8, "wire_bytes": 1.1e8, "sent_bytes": 1e8},
                          {"seconds": 5.0, "dirty_bytes": 1e8, "wire_bytes": 1.3e8, "sent_bytes": 1e8}]},
        "nmp": {"available": False, "reason": "liscal is not built"}},
    "notes": [],
}
for i, smp in enumerate(doc["fio"]["drbd-c"]["randwrite-qd1"]):
    smp["driver"] = {"dw": 4000 + 400 * i, "al": 10, "bm": 0, "ns": 4000}
json.dump(doc, open(sys.argv[1], "w"), indent=1)
EOF
}

setup() {
	R=$BATS_TEST_TMPDIR/results.json
	fixture "$R"
}

@test "bench report: fio table shows median (min-max) per target" {
	run "$PY" "$BD/report.py" "$R"
	assert_success
	assert_line '| workload | raw /dev/vdb2 | DRBD C | DRBD disconnected |'
	assert_line '| seq write 1 MiB QD8, MB/s | 450.0 (400.0–500.0) | 50.0 (44.4–55.6) | 405.0 (360.0–450.0) |'
	assert_line --partial '| rand write 4 KiB QD1, latency mean, us | 1100 (1000–1200) | 6600 (6000–7200) |'
	assert_line --partial '| rand write 4 KiB QD32, IOPS | 3100 (3000–3200) | 310 (300–320) | 1550 (1500–1600) |'
	assert_line --partial '| rand read 4 KiB QD32, IOPS | 4200 (4000–4400) |'
}

@test "bench report: link min/median/max" {
	run "$PY" "$BD/report.py" "$R"
	assert_success
	assert_line '| iperf3 TCP, Mbit/s | 800 | 900 | 1000 |'
	assert_line '| ping RTT avg, ms | 2.000 | 2.500 | 3.000 |'
}

@test "bench report: TCP request/response and the driver counters profile" {
	run "$PY" "$BD/report.py" "$R"
	assert_success
	assert_line '| TCP 4 KiB request / 32 B answer, p50 of 300, ms | 4.000 | 4.500 | 5.000 |'
	# dw 4000/4400/4800 KiB of 4 KiB writes: 1100 writes, al 10 -> 0.01.
	assert_line '| DRBD C | rand write 4 KiB QD1 | 1100 | 0.01 | – | – | – | 6600 | – / – |'
}

@test "bench report: our driver's counters per write, writes issued by the submitter included" {
	"$PY" - "$R" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["targets"]["nmp-disc"] = {"available": True}
doc["fio"]["nmp-disc"] = {"randwrite-qd1": [dict(s) for s in doc["fio"]["raw"]["randwrite-qd1"]]}
for i, smp in enumerate(doc["fio"]["nmp-disc"]["randwrite-qd1"]):
    smp["driver"] = {"stat_write_count": 1000 + 100 * i, "stat_meta_writes": 10,
                     "stat_intent_waits": 10, "stat_direct_writes": 900 + 100 * i,
                     "ctxt1": 3 * (1000 + 100 * i), "ctxt2": 2 * (1000 + 100 * i)}
json.dump(doc, open(sys.argv[1], "w"))
EOF
	run "$PY" "$BD/report.py" "$R"
	assert_success
	# medians: 1100 writes, 10/1100 metadata, 1000/1100 = 0.91 direct;
	# 3 and 2 context switches per write on node1 and node2.
	assert_line '| /dev/NMP1 disconnected | rand write 4 KiB QD1 | 1100 | 0.01 | 0.01 | 0.91 | – | 1100 | 3.0 / 2.0 |'
}

@test "bench report: ratios to raw, latency inverted so higher is better" {
	run "$PY" "$BD/report.py" "$R"
	assert_success
	# seq write 50/450; QD1 latency 1100/6600; QD32 IOPS 310/3100.
	assert_line '| seq write 1 MiB QD8, MB/s | 0.11 | 0.90 |'
	assert_line '| rand write 4 KiB QD1, latency mean, us | 0.17 | 0.91 |'
	assert_line '| rand write 4 KiB QD32, IOPS | 0.10 | 0.50 |'
}

@test "bench report: synchronous figures against min(disk, link) and local + 1 RTT" {
	run "$PY" "$BD/report.py" "$R"
	assert_success
	# link 900 Mbit/s = 112.5 MB/s < disk 450 MB/s; DRBD 50 MB/s = 44%.
	assert_line '| seq write 1 MiB QD8, MB/s | 112.5 | link | 44% |'
	# 1100 us local + 2500 us RTT = 3600 us; 3600/6600 = 55%.
	assert_line '| rand write 4 KiB QD1, latency mean, us | 3600 | local + 1 RTT | 55% |'
	# With the TCP request/response mean (6000 us) instead: 7100/6600.
	assert_line '| rand write 4 KiB QD1, latency mean, us (TCP request/response instead of ping) | 7100 | local + 1 TCP RR | 108% |'
	# QD32 4 KiB writes: link carries 112.5e6/4096 = 27466 IOPS > disk 3100.
	assert_line '| rand write 4 KiB QD32, IOPS | 3100 | disk | 10% |'
}

@test "bench report: resync table and goals with the gap" {
	run "$PY" "$BD/report.py" "$R"
	assert_success
	# 1e9 bytes in 25 s median = 40 MB/s = 36% of 112.5 MB/s.
	assert_line '| full: MB/s | n/a | 40.0 (25.0–50.0) |'
	assert_line '| full: % of link (median) | n/a | 36% |'
	assert_line '| diff: on the link / dirty | n/a | 1.20 (1.10–1.30) |'
	assert_line --partial '| 4 KiB QD1 write latency <= local + 1.5 RTT | – | 2.20 | round trips above local; ours: liscal is not built | not measured |'
	assert_line --partial '| peer disconnected >= 95% of raw /dev/vdb2, every workload | – | 50 |'
	assert_line '- /dev/NMP1 sync: not available: liscal is not built'
}

@test "bench report: quick mode is labelled" {
	sed -i 's/"mode": "full"/"mode": "quick"/' "$R"
	run "$PY" "$BD/report.py" "$R"
	assert_success
	assert_output --partial '**Quick mode**'
}

@test "bench report: --doc replaces only the marked region, twice gives the same file" {
	D=$BATS_TEST_TMPDIR/doc.md
	printf '# Title\nhand-written method\n<!-- bench:begin -->\nold table\n<!-- bench:end -->\nhand-written analysis\n' >"$D"
	run "$PY" "$BD/report.py" "$R" --doc "$D"
	assert_success
	run cat "$D"
	assert_line 'hand-written method'
	assert_line 'hand-written analysis'
	refute_line 'old table'
	assert_line --partial '| seq write 1 MiB QD8, MB/s | 450.0 (400.0–500.0)'
	cp "$D" "$D.1"
	"$PY" "$BD/report.py" "$R" --doc "$D" >/dev/null
	cmp "$D" "$D.1"
}

@test "bench report: --plot writes a PNG" {
	"$PY" -c 'import matplotlib' 2>/dev/null || skip "python3-matplotlib not installed"
	D=$BATS_TEST_TMPDIR/doc.md
	printf '<!-- bench:begin -->\n<!-- bench:end -->\n' >"$D"
	run "$PY" "$BD/report.py" "$R" --doc "$D" --plot "$BATS_TEST_TMPDIR/p.png"
	assert_success
	run head -c 8 "$BATS_TEST_TMPDIR/p.png"
	assert_output --partial 'PNG'
	grep -qF '![QD1 write latency percentiles and IOPS per target](p.png)' "$D"
}

@test "bench report: a missing results file is a clear error" {
	run "$PY" "$BD/report.py" "$BATS_TEST_TMPDIR/nope.json"
	assert_failure 1
	assert_output "bench report: cannot read results file '$BATS_TEST_TMPDIR/nope.json': No such file or directory"
}

@test "bench report: a malformed results file is a clear error" {
	printf '{"schema": "clpstack-bench/1", "mode": \n' >"$R"
	run "$PY" "$BD/report.py" "$R"
	assert_failure 1
	assert_output --regexp "^bench report: results file '.*results.json' is not valid JSON: line 2 column 1: "
}

@test "bench report: wrong schema, missing keys and bad values are named" {
	sed -i 's,clpstack-bench/1,other/9,' "$R"
	run "$PY" "$BD/report.py" "$R"
	assert_failure 1
	assert_output --partial "'schema' is 'other/9', expected 'clpstack-bench/1'"
	fixture "$R"
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["fio"]; json.dump(d, open(sys.argv[1],"w"))' "$R"
	run "$PY" "$BD/report.py" "$R"
	assert_failure 1
	assert_output --partial "'fio' is missing or not a dict"
	fixture "$R"
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["fio"]["raw"]["seqwrite"][1]["bw"]="fast"; json.dump(d, open(sys.argv[1],"w"))' "$R"
	run "$PY" "$BD/report.py" "$R"
	assert_failure 1
	assert_output --partial "fio.raw.seqwrite[1]: 'bw' is missing or not a number"
	fixture "$R"
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["targets"]["nmp-sync"]["reason"]; json.dump(d, open(sys.argv[1],"w"))' "$R"
	run "$PY" "$BD/report.py" "$R"
	assert_failure 1
	assert_output --partial "targets.nmp-sync is not available but has no 'reason'"
}

@test "bench report: a document without the marked region is refused and kept" {
	D=$BATS_TEST_TMPDIR/doc.md
	printf '# Title\nno markers\n' >"$D"
	run "$PY" "$BD/report.py" "$R" --doc "$D"
	assert_failure 1
	assert_output --partial "needs exactly one '<!-- bench:begin -->' line"
	run cat "$D"
	assert_output "$(printf '# Title\nno markers')"
}

@test "bench report: bad usage exits 2" {
	run "$PY" "$BD/report.py"
	assert_failure 2
	run "$PY" "$BD/report.py" "$R" --bogus
	assert_failure 2
	assert_output --partial "unknown option '--bogus'"
}

@test "bench report: a run on RAM disks names its data device; scripts/bench refuses an unknown backing and a bad MTU" {
	"$PY" - "$R" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
d["lab"].update(backing="ram", data_dev="/dev/ram0", disk="brd RAM disks in each node's memory")
json.dump(d, open(sys.argv[1], "w"))
EOF2
	run "$PY" "$BD/report.py" "$R"
	assert_success
	assert_line '| workload | raw /dev/ram0 | DRBD C | DRBD disconnected |'
	assert_line --partial "| disk | brd RAM disks in each node's memory; data partition /dev/ram0 "
	refute_output --partial '/dev/vdb2'
	run env CLP_BENCH_BACKING=tape "$REPO/scripts/bench" --no-doc
	assert_failure 1
	assert_output "bench: CLP_BENCH_BACKING must be disk or ram, not 'tape'"
	run env CLP_BENCH_MTU=9000x "$REPO/scripts/bench" --no-doc
	assert_failure 1
	assert_output "bench: CLP_BENCH_MTU must be an MTU from 1280 to 65535, not '9000x'"
	run env CLP_BENCH_MTU=70000 "$REPO/scripts/bench" --no-doc
	assert_failure 1
	assert_output --partial "not '70000'"
}

# A minimal fio --output-format=json of one write job.
fio_json() {
	cat >"$1" <<'EOF'
{"fio version": "fio-3.33", "jobs": [{"jobname": "t", "error": 0,
 "read": {"total_ios": 0, "iops": 0, "bw_bytes": 0, "lat_ns": {"mean": 0}},
 "write": {"total_ios": 500, "iops": 50.5, "bw_bytes": 206848,
  "lat_ns": {"mean": 2000000.0, "percentile": {"50.000000": 1500000, "90.000000": 3000000,
   "99.000000": 9000000, "99.900000": 12000000}}}}]}
EOF
}

@test "bench record: fio JSON and driver counters become a sample and a table line" {
	N=$BATS_TEST_TMPDIR/new.json
	fio_json "$BATS_TEST_TMPDIR/fio.json"
	printf ' 0: cs:Connected\n    ns:100 nr:0 dw:100 dr:0 al:8 bm:0\nctxt1=1000\nctxt2=500\n' >"$BATS_TEST_TMPDIR/c0"
	printf ' 0: cs:Connected\n    ns:2100 nr:0 dw:2100 dr:8 al:9 bm:0\nctxt1=4000\nctxt2=2500\n' >"$BATS_TEST_TMPDIR/c1"
	run "$PY" "$BD/record.py" new "$N" full runs=3 disk_size='"512M"'
	assert_success
	run "$PY" "$BD/record.py" fio "$N" drbd-c randwrite-qd1 "$BATS_TEST_TMPDIR/fio.json" 1.5 \
		"$BATS_TEST_TMPDIR/c0" "$BATS_TEST_TMPDIR/c1"
	assert_success
	assert_output 'DRBD C                   randwrite-qd1   run 1:        50 IOPS       0.2 MB/s  w lat mean/p50/p99 2000/1500/9000 us'
	run "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); s=d["fio"]["drbd-c"]["randwrite-qd1"][0]
print(s["write"]["lat_p99_us"], s["driver"]["ns"], s["driver"]["al"], s["host_load1"], "read" in s, d["config"]["disk_size"], s["driver"]["ctxt1"], s["driver"]["ctxt2"])' "$N"
	assert_output '9000.0 2000 1 1.5 False 512M 3000 2000'
}

@test "bench record: an fsync=1 job keeps the fsync latency; the report shows commits/s and fsync mean" {
	N=$BATS_TEST_TMPDIR/new.json
	fio_json "$BATS_TEST_TMPDIR/fio.json"
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["jobs"][0]["sync"] = {"total_ios": 500, "lat_ns": {"mean": 3500000.0}}; json.dump(d, open(sys.argv[1],"w"))' "$BATS_TEST_TMPDIR/fio.json"
	"$PY" "$BD/record.py" new "$N" full runs=1
	"$PY" "$BD/record.py" target "$N" raw yes
	run "$PY" "$BD/record.py" fio "$N" raw fsync-qd1 "$BATS_TEST_TMPDIR/fio.json"
	assert_success
	run "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["fio"]["raw"]["fsync-qd1"][0]["fsync_lat_mean_us"])' "$N"
	assert_output '3500.0'
	# a job without fsyncs has no such key
	fio_json "$BATS_TEST_TMPDIR/fio2.json"
	"$PY" "$BD/record.py" fio "$N" raw randwrite-qd1 "$BATS_TEST_TMPDIR/fio2.json"
	run "$PY" -c 'import json,sys; print("fsync_lat_mean_us" in json.load(open(sys.argv[1]))["fio"]["raw"]["randwrite-qd1"][0])' "$N"
	assert_output 'False'
	run "$PY" "$BD/report.py" "$N" --no-doc
	assert_success
	assert_line '| rand write 4 KiB + fsync QD1, commits/s | 50 |'
	assert_line '| rand write 4 KiB + fsync QD1, fsync mean, us | 3500 |'
}

@test "bench record: sqlite-commit.py's result is recorded as a workload; dm-linear becomes the floor of the disconnected goal" {
	N=$BATS_TEST_TMPDIR/new.json
	mkdir "$BATS_TEST_TMPDIR/db"
	run "$BD/sqlite-commit.py" --dir "$BATS_TEST_TMPDIR/db" 1 0
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/sq.json"
	"$PY" "$BD/record.py" new "$N" full runs=1
	"$PY" "$BD/record.py" target "$N" raw yes
	"$PY" "$BD/record.py" target "$N" dmlin yes
	run "$PY" "$BD/record.py" fio "$N" raw sqlite-commit "$BATS_TEST_TMPDIR/sq.json"
	assert_success
	# every commit timed: IOPS > 0 and the mean latency below 1 s
	run "$PY" -c 'import json,sys; s=json.load(open(sys.argv[1]))["fio"]["raw"]["sqlite-commit"][0]; print(s["iops"] > 0, 0 < s["write"]["lat_mean_us"] < 1e6)' "$N"
	assert_output 'True True'
	fio_json "$BATS_TEST_TMPDIR/fio.json"
	"$PY" "$BD/record.py" fio "$N" dmlin randwrite-qd1 "$BATS_TEST_TMPDIR/fio.json"
	run "$PY" "$BD/report.py" "$N" --no-doc
	assert_success
	assert_line --partial '| SQLite WAL FULL, commits/s |'
	assert_line --partial 'peer disconnected >= 95% of dm-linear /dev/vdb2, every workload'
	# bad use: no change, a clear error
	run "$BD/sqlite-commit.py" --dir "$BATS_TEST_TMPDIR/none" 1 0
	assert_failure
	assert_output --partial 'not a directory'
	run "$BD/sqlite-commit.py" /dev/null x 0
	assert_failure
	assert_output --partial 'whole seconds'
}

@test "bench goals: a commit's time is the write plus the fsync, in round trips above the raw disk's" {
	run "$PY" - "$BD" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import benchlib as bl
def s(w, f):
    return {"iops": 1, "bw": 1, "fsync_lat_mean_us": f,
            "write": {"iops": 1, "bw": 1, "lat_mean_us": w, "lat_p50_us": w, "lat_p99_us": w}}
doc = {"targets": {t: {"available": True} for t in ("raw", "nmp-sync", "drbd-c")},
       "fio": {"raw": {"fsync-qd1": [s(300, 400)]}, "nmp-sync": {"fsync-qd1": [s(3300, 1400)]},
               "drbd-c": {"fsync-qd1": [s(3300, 4400)]}},
       "link": {"rtt_avg_ms": [2.0]}, "resync": {}}
g = next(g for g in bl.goals(doc) if g["goal"].startswith("commit"))
print(g["ours"], g["drbd"], g["met"])
EOF
	assert_success
	# (3300 + 1400 - 700) / 2000 us and (3300 + 4400 - 700) / 2000 us
	assert_output '2.0 3.5 False'
}

@test "bench record: bad fio output and unknown names are clear errors" {
	N=$BATS_TEST_TMPDIR/new.json
	"$PY" "$BD/record.py" new "$N" quick
	echo '{"jobs": []}' >"$BATS_TEST_TMPDIR/f.json"
	run "$PY" "$BD/record.py" fio "$N" raw seqwrite "$BATS_TEST_TMPDIR/f.json"
	assert_failure 1
	assert_output --partial "no 'jobs' in fio output"
	fio_json "$BATS_TEST_TMPDIR/f.json"
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["jobs"][0]["write"]["lat_ns"]["percentile"]; json.dump(d, open(sys.argv[1],"w"))' "$BATS_TEST_TMPDIR/f.json"
	run "$PY" "$BD/record.py" fio "$N" raw seqwrite "$BATS_TEST_TMPDIR/f.json"
	assert_failure 1
	assert_output --partial "no latency percentiles (fio needs lat_percentiles=1)"
	fio_json "$BATS_TEST_TMPDIR/f.json"
	run "$PY" "$BD/record.py" fio "$N" raw bogus "$BATS_TEST_TMPDIR/f.json"
	assert_failure 1
	assert_output "bench: unknown workload 'bogus'"
	run "$PY" "$BD/record.py" fio "$N" raw seqwrite "$BATS_TEST_TMPDIR/missing.json"
	assert_failure 1
	assert_output --partial "cannot read fio output"
	# Nothing was recorded by the failed calls.
	run "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["fio"])' "$N"
	assert_output '{}'
}

@test "bench record: ping and iperf3 output are parsed, a failed ping is an error" {
	N=$BATS_TEST_TMPDIR/new.json
	"$PY" "$BD/record.py" new "$N" quick
	printf -- '--- 198.18.2.2 ping statistics ---\n20 packets transmitted, 20 received, 0%% packet loss\nrtt min/avg/max/mdev = 1.513/2.684/8.119/1.814 ms\n' >"$BATS_TEST_TMPDIR/p.txt"
	run "$PY" "$BD/record.py" ping "$N" "$BATS_TEST_TMPDIR/p.txt"
	assert_success
	assert_output --partial 'min 1.513 ms  avg 2.684 ms'
	printf -- '--- 198.18.2.2 ping statistics ---\n20 packets transmitted, 0 received, 100%% packet loss\n' >"$BATS_TEST_TMPDIR/p.txt"
	run "$PY" "$BD/record.py" ping "$N" "$BATS_TEST_TMPDIR/p.txt"
	assert_failure 1
	assert_output --partial "no 'rtt min/avg/max' line"
	echo '{"end": {"sum_received": {"bits_per_second": 850000000.0}}}' >"$BATS_TEST_TMPDIR/i.json"
	run "$PY" "$BD/record.py" iperf3 "$N" "$BATS_TEST_TMPDIR/i.json"
	assert_success
	assert_output --partial '850 Mbit/s'
	echo '{"error": "unable to connect to server"}' >"$BATS_TEST_TMPDIR/i.json"
	run "$PY" "$BD/record.py" iperf3 "$N" "$BATS_TEST_TMPDIR/i.json"
	assert_failure 1
	assert_output --partial "iperf3 failed: unable to connect to server"
}

@test "bench report: encryption and compression cost as ratios to the same mode without them" {
	N=$BATS_TEST_TMPDIR/new.json
	"$PY" "$BD/record.py" new "$N" full runs=1
	for t in nmp-sync nmp-crypt nmp-async nmp-lz4; do
		"$PY" "$BD/record.py" target "$N" $t yes
	done
	# 50.5 IOPS plain; the encrypted and compressed ones at 40.4 (0.80)
	fio_json "$BATS_TEST_TMPDIR/plain.json"
	sed 's/"iops": 50.5/"iops": 40.4/' "$BATS_TEST_TMPDIR/plain.json" >"$BATS_TEST_TMPDIR/cost.json"
	"$PY" "$BD/record.py" fio "$N" nmp-sync randwrite-qd32 "$BATS_TEST_TMPDIR/plain.json" >/dev/null
	"$PY" "$BD/record.py" fio "$N" nmp-async randwrite-qd32 "$BATS_TEST_TMPDIR/plain.json" >/dev/null
	"$PY" "$BD/record.py" fio "$N" nmp-crypt randwrite-qd32 "$BATS_TEST_TMPDIR/cost.json" >/dev/null
	"$PY" "$BD/record.py" fio "$N" nmp-lz4 randwrite-qd32 "$BATS_TEST_TMPDIR/cost.json" >/dev/null
	run "$PY" "$BD/report.py" "$N" --no-doc
	assert_success
	assert_line --partial '| /dev/NMP1 sync+AES-GCM / /dev/NMP1 sync | /dev/NMP1 async+LZ4 / /dev/NMP1 async |'
	assert_line --partial ' – | – | – | – | 0.80 | 0.80 |'
}

@test "bench host view: two snapshots give the host's busy share and each qemu's vCPU and other threads" {
	run "$PY" - "$BD" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1])
import benchlib as bl
a = bl.parse_host_snapshot("cpu 100 0 100 700 100 0 0 0 0 0\ncpus 2\nnode1 100 200\nnode2 50 900\n"
                           "node1.vcpu 11 5 1000\nnode1.main 10 5 2000\nnode1.other 12 1 10\n")
b = bl.parse_host_snapshot("cpu 400 0 300 1000 200 0 0 0 0 0\ncpus 2\nnode1 250 400\nnode2 10 20\n"
                           "node1.vcpu 11 9 201000\nnode1.main 10 9 502000\nnode1.other 13 1 10\n")
v = bl.host_view(a, b, 2.0, 100)
# 900 ticks, 400 of them idle or iowait; node1 150 of 200 ticks in its
# vCPU and 50 in other threads, its vCPU waited 0.2 ms of 2 s for a CPU
# and its main loop 0.5 ms; node2's qemu restarted (counts fell): left out.
n = v['nodes']['1']
print(f"{v['busy_pct']:.1f} {v['cpus']} {sorted(v['nodes'])} "
      f"{n['vcpu_pct']:.1f} {n['other_pct']:.1f} {n['vcpu_wait_pct']:.3f} {n['main_wait_pct']:.3f}")
for bad in ("cpu 1 2 3 4 5\nnode1 x 3\ncpus 2\n", "node1 1 2\n"):
    try:
        bl.parse_host_snapshot(bad, "snap")
    except bl.BenchError as e:
        print(e)
PYEOF
	assert_success
	assert_line "55.6 2 ['1'] 75.0 25.0 0.010 0.025"
	assert_line "snap: cannot parse line 'node1 x 3'"
	assert_line "snap: no 'cpu' or 'cpus' line"
}

@test "bench host view: hostcpu.py measures a running process as a node's qemu; bad arguments are refused" {
	lab=$BATS_TEST_TMPDIR/lab
	mkdir -p "$lab/node1" "$lab/node2"
	# node1: a process that burns CPU (more than 10% of one even on a host
	# busy with labs); node2: a pid that does not run
	"$PY" -c 'import time
t = time.monotonic()
while time.monotonic() - t < 30: pass' &
	busy=$!
	echo "$busy" >"$lab/node1/qemu.pid"
	echo 999999999 >"$lab/node2/qemu.pid"
	run "$PY" "$BD/hostcpu.py" "$lab" 0 1
	kill "$busy"
	assert_success
	json=$output
	run "$PY" -c 'import json,sys; v=json.loads(sys.argv[1]); n=v["nodes"]["1"]
print(sorted(v["nodes"]), v["cpus"] >= 1, 10 < n["vcpu_pct"] + n["other_pct"] <= 110, 0 < v["busy_pct"] <= 100)' "$output"
	assert_output "['1'] True True True"
	# the busiest thread stands for the vCPU when none is named; its wait
	# is measured where the kernel keeps schedstat
	run "$PY" -c 'import json,sys; print("vcpu_wait_pct" in json.loads(sys.argv[1])["nodes"]["1"])' "$json"
	if [ -r /proc/self/schedstat ]; then assert_output True; else assert_output False; fi
	run "$PY" "$BD/hostcpu.py" "$lab" 0
	assert_failure 2
	run "$PY" "$BD/hostcpu.py" "$lab" 0 0
	assert_failure 2
	assert_output --partial "SPAN > 0"
	run "$PY" "$BD/hostcpu.py" "$BATS_TEST_TMPDIR/nolab" 0 1
	assert_failure 1
	assert_output "hostcpu.py: no lab directory '$BATS_TEST_TMPDIR/nolab'"
	rm "$lab/node1/qemu.pid"
	run "$PY" "$BD/hostcpu.py" "$lab" 0 0.2
	assert_failure 1
	assert_output --partial "no node's qemu ran through the span"
}

@test "bench record: the host's view is kept with the sample and shown per target and workload" {
	N=$BATS_TEST_TMPDIR/new.json
	"$PY" "$BD/record.py" new "$N" full runs=2
	"$PY" "$BD/record.py" target "$N" raw yes
	fio_json "$BATS_TEST_TMPDIR/f.json"
	: >"$BATS_TEST_TMPDIR/c"
	for busy in 60 80; do
		echo "{\"seconds\": 6.0, \"cpus\": 2, \"busy_pct\": $busy, \"nodes\": {\"1\": {\"vcpu_pct\": 90, \"other_pct\": $busy, \"vcpu_wait_pct\": 5, \"main_wait_pct\": $((busy / 10))}, \"2\": {\"vcpu_pct\": 1, \"other_pct\": 0.4}}}" >"$BATS_TEST_TMPDIR/h.json"
		"$PY" "$BD/record.py" fio "$N" raw randwrite-qd32 "$BATS_TEST_TMPDIR/f.json" 1.0 \
			"$BATS_TEST_TMPDIR/c" "$BATS_TEST_TMPDIR/c" "$BATS_TEST_TMPDIR/h.json" >/dev/null
	done
	# an empty host view (not measured) is no host view
	: >"$BATS_TEST_TMPDIR/h.json"
	"$PY" "$BD/record.py" fio "$N" raw randwrite-qd1 "$BATS_TEST_TMPDIR/f.json" 1.0 \
		"$BATS_TEST_TMPDIR/c" "$BATS_TEST_TMPDIR/c" "$BATS_TEST_TMPDIR/h.json" >/dev/null
	run "$PY" "$BD/report.py" "$N" --no-doc
	assert_success
	assert_line "### The host's view: CPU during each job"
	assert_line '| raw /dev/vdb2 | rand write 4 KiB QD32 | 70 | 90 / 5 | 70 | 7 | 1 / – | 0 | – |'
	refute_line --partial '| raw /dev/vdb2 | rand write 4 KiB QD1 |'
	# a host view that is not one is refused, and nothing is recorded
	echo '{"seconds": 6.0, "cpus": 2, "nodes": {}}' >"$BATS_TEST_TMPDIR/h.json"
	run "$PY" "$BD/record.py" fio "$N" raw seqwrite "$BATS_TEST_TMPDIR/f.json" 1.0 \
		"$BATS_TEST_TMPDIR/c" "$BATS_TEST_TMPDIR/c" "$BATS_TEST_TMPDIR/h.json"
	assert_failure 1
	assert_output "bench: host view '$BATS_TEST_TMPDIR/h.json': 'busy_pct' is missing or not a number"
	echo 'not json' >"$BATS_TEST_TMPDIR/h.json"
	run "$PY" "$BD/record.py" fio "$N" raw seqwrite "$BATS_TEST_TMPDIR/f.json" 1.0 \
		"$BATS_TEST_TMPDIR/c" "$BATS_TEST_TMPDIR/c" "$BATS_TEST_TMPDIR/h.json"
	assert_failure 1
	assert_output --partial "is not JSON"
	run "$PY" -c 'import json,sys; print(sorted(json.load(open(sys.argv[1]))["fio"]["raw"]))' "$N"
	assert_output "['randwrite-qd1', 'randwrite-qd32']"
}

@test "bench report: the mirror disks' writes per write and their mean time, from both nodes' diskstats" {
	N=$BATS_TEST_TMPDIR/new.json
	"$PY" "$BD/record.py" new "$N" full runs=1
	"$PY" "$BD/record.py" target "$N" nmp-sync yes
	fio_json "$BATS_TEST_TMPDIR/f.json"
	# 1000 mirrored writes; node1's disk 1100 writes in 2200 ms, node2's
	# 1000 in 6000 ms (awk's lines of node_counts in scripts/bench)
	printf 'stat_write_count=5\nctxt1=1\ndkw1=100\ndkwms1=50\nctxt2=1\ndkw2=7\ndkwms2=9\n' >"$BATS_TEST_TMPDIR/c0"
	printf 'stat_write_count=1005\nctxt1=2\ndkw1=1200\ndkwms1=2250\nctxt2=2\ndkw2=1007\ndkwms2=6009\n' >"$BATS_TEST_TMPDIR/c1"
	"$PY" "$BD/record.py" fio "$N" nmp-sync randwrite-qd32 "$BATS_TEST_TMPDIR/f.json" 1.0 \
		"$BATS_TEST_TMPDIR/c0" "$BATS_TEST_TMPDIR/c1" >/dev/null
	run "$PY" "$BD/report.py" "$N" --no-doc
	assert_success
	assert_line '### Where the time goes: the disks under each mirror'
	assert_line '| /dev/NMP1 sync | rand write 4 KiB QD32 | 1.10 | 2000 | 1.00 | 6000 | 2000 |'
}
