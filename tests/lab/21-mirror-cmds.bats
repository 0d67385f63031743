#!/usr/bin/env bats
# Mirror disk commands end to end in a 2-node lab: clp.conf from the repo's
# example, clpmdinit on both nodes, the mirror agent (clpmgrd) creating md01
# and running the initial mirror construction, clpmdctrl/clpmdstat for
# switchover, break and recovery, and bad input refused with no change.

load helpers
load md-helpers

setup_file() {
	skip_if_no_lab || return 0
	# liscal-nl: the driver's generation, which no command shows (sysfs test)
	make -s -C "$REPO/tests/lab/tools" >&2
	export CLPLAB_NAME=t$$-md
	md_lab_up
}

# The repo's example with Prometheus metrics on 127.0.0.1:9731 and a
# shortened mirror connect heartbeat (a dead peer
# is noticed after 2 + 3 x 1 s instead of 10 + 9 x 2 s). Retries grow with
# CLPLAB_WAIT_SCALE: on make check-debug's slower kernel a ping waiting
# behind a 4 MiB recovery window took over 3 x 1 s and broke every copy.
install_conf() {
	lab_exec "$1" "mkdir -p /opt/clpstack/etc && sed -e 's|<hbinterval>10<|<hbinterval>2<|' -e 's|<pingtimeout>2<|<pingtimeout>1<|' -e 's|<pingretry>8<|<pingretry>$((2 * ${CLPLAB_WAIT_SCALE:-1}))<|' -e 's|<cluster>|<cluster><metrics><listen>127.0.0.1:9731</listen></metrics>|' $REPO/userland/conf/examples/lab-clp.conf > $CONF && grep -q '<hbinterval>2<' $CONF"
}

teardown_file() {
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

# NODE sees the other server in role $2.
peer_role_is() {
	"$LAB" exec "$1" -- "$B/clpmdstat" --mirror md01 --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if [x for x in d["servers"] if not x["local"]][0]["role"] == sys.argv[1] else 1)' "$2"
}

# The mirror agent's log on NODE has a line matching $2 (grep -E).
logged() {
	"$LAB" exec "$1" -- grep -qE "$2" /var/log/clpmgrd.log
}

# NODE's /sys/block/NMP1/liscal/ (Documentation/sysfs.md) agrees with its
# clpmdstat --mirror md01 --json and with the driver's generation
# (liscal-nl get); prints each file that does not. The three are read one
# after the other: callers wait_for it, as the file system on an active
# node may write (journal, lazy init) in between.
sysfs_agrees() {
	local sys json gen
	sys=$("$LAB" exec "$1" -- sh -c 'cd /sys/block/NMP1/liscal && for f in *; do printf "%s=%s\n" "$f" "$(cat "$f")"; done') || return 1
	json=$("$LAB" exec "$1" -- "$B/clpmdstat" --mirror md01 --json) || return 1
	gen=$("$LAB" exec "$1" -- "$REPO/tests/host/bin/liscal-nl" get md01 | sed -n 's/^gen_current=//p')
	python3 -c '
import json, re, sys
f = dict(l.split("=", 1) for l in sys.argv[1].splitlines())
d = json.loads(sys.argv[2])
me = [x for x in d["servers"] if x["local"]][0]
other = [x for x in d["servers"] if not x["local"]][0]
MB = 1 << 20
oos = int(f["oos_bytes"])
h = oos // MB * 100 + oos % MB * 100 // MB
want = {
    "name": d["name"], "role": me["role"], "state": me["disk_state"],
    "colour": me["colour"], "peer_colour": other["colour"],
    "connection": d["connection"], "split_brain": "1" if d["split_brain"] else "0",
    "generation": sys.argv[3],
}
bad = ["%s: sysfs %r, expected %r" % (k, f.get(k), v) for k, v in want.items() if f.get(k) != v]
ds = "None" if not oos else "%d.%02d MB" % (h // 100, h % 100)
if ds != d["difference_size"]:
    bad.append("oos_bytes %d (%s) vs difference_size %s" % (oos, ds, d["difference_size"]))
if (f["recovery_direction"] != "none") != d["recovery"]["running"]:
    bad.append("recovery_direction %s vs running %s" % (f["recovery_direction"], d["recovery"]["running"]))
if not re.fullmatch(re.escape(sys.argv[4]) + r":[0-9]+", f["peer_address"]):
    bad.append("peer_address %s, expected %s:port" % (f["peer_address"], sys.argv[4]))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)' "$sys" "$json" "$gen" "198.18.2.$((3 - ${1#node}))"
}

# NODE's sysfs file $2 (under /sys/block/NMP1/liscal/).
sysattr() {
	"$LAB" exec "$1" -- cat "/sys/block/NMP1/liscal/$2"
}

# Counter $2 of md01 on NODE, from clpmdstat --counters --json.
counter() {
	"$LAB" exec "$1" -- "$B/clpmdstat" --counters md01 --json |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["counters"][sys.argv[1]])' "$2"
}

# metric NODE SAMPLE...: clpmgrd's /metrics on NODE, parsed strictly by
# tests/lab/tools/promtext.py (fails on any format fault); prints each
# SAMPLE's value (e.g. 'clpstack_mirror_connected{resource="md01"}').
metric() {
	local n=$1
	shift
	"$LAB" exec "$n" -- python3 -c 'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:9731/metrics", timeout=10).read().decode(), end="")' |
		python3 "$REPO/tests/lab/tools/promtext.py" "$@"
}

data_md5() {
	"$LAB" exec "$1" -- sh -c "dd if=/dev/vdb2 bs=1M iflag=direct 2>/dev/null | md5sum" | cut -d' ' -f1
}

@test "initial mirror construction: both GREEN, data partitions identical" {
	wait_for 600 both_green
	lab_exec node1 "grep -c 'mirror 20: md01: initial mirror construction' /var/log/clpmgrd.log"
	assert "$output" == "1" "initial construction started once on node1 (node id 0)"
	lab_exec node2 "grep -c 'mirror 20:' /var/log/clpmgrd.log || true"
	assert "$output" == "0" "node2 started no construction"
	lab_exec node2 "grep -c 'mirror 115: md01' /var/log/clpmgrd.log"
	m1=$(data_md5 node1)
	m2=$(data_md5 node2)
	assert "$m1" == "$m2" "md5 of /dev/vdb2 on node1 and node2"
	lab_exec node1 "$B/clpmdstat --mirror md01"
	assert_match "$output" "difference_size : None"
	assert_match "$output" "running : false"
}

@test "switchover: files written on node1 are on node2" {
	lab_exec node1 "$B/clpmdctrl --active md01"
	assert_match "$output" "md01: activated, /dev/NMP1 mounted on /mnt/md01"
	lab_exec node1 "grep ' /mnt/md01 ' /proc/mounts"
	assert_match "$output" "^/dev/NMP1 /mnt/md01 ext4 "
	lab_exec node1 "head -c 8M /dev/urandom > /mnt/md01/blob && echo hello > /mnt/md01/hello && sync && md5sum /mnt/md01/blob | cut -d' ' -f1"
	sum=$output
	lab_exec node1 "$B/clpmdctrl --deactive md01"
	lab_exec node1 "grep -c ' /mnt/md01 ' /proc/mounts || true"
	assert "$output" == "0" "unmounted on node1"
	lab_exec node2 "$B/clpmdctrl -a md01"
	lab_exec node2 "md5sum /mnt/md01/blob | cut -d' ' -f1; cat /mnt/md01/hello"
	assert "$output" == "$sum"$'\n'"hello" "files on node2"
	lab_exec node2 "$B/clpmdctrl -d md01"
	wait_for 60 both_green
}

@test "--active -nomount activates without mounting" {
	lab_exec node1 "$B/clpmdctrl --active -nomount md01"
	assert_match "$output" "not mounted"
	lab_exec node1 "grep -c ' /mnt/md01 ' /proc/mounts || true"
	assert "$output" == "0" "nothing mounted"
	lab_exec node1 "$B/clpmdstat -m md01 --json"
	assert_match "$output" '"role":"active"'
	lab_exec node1 "$B/clpmdctrl --deactive md01"
}

@test "break: the standby turns RED; recovery: GREEN/GREEN and identical data" {
	lab_exec node1 "$B/clpmdctrl --active md01"
	lab_exec node1 "$B/clpmdctrl --break md01"
	assert_match "$output" "mirror break done"
	lab_exec node1 "head -c 4M /dev/urandom > /mnt/md01/after-break && sync"
	wait_for 60 self_is node2 RED
	lab_exec node1 "$B/clpmdstat --mirror md01"
	assert_match "$output" "mirror_status : Mirror break"
	assert_match "$output" "connection : standalone"
	# Activation of the RED copy is refused and changes nothing.
	run "$LAB" exec node2 -- "$B/clpmdctrl" --active md01
	assert "$status" == "5" "exit status of --active on the RED copy"
	assert_match "$output" "this server's copy is RED"
	lab_exec node2 "$B/clpmdstat -m md01 --json"
	assert_match "$output" '"role":"standby"'
	# The reference: node1's data partition before the recovery, with its
	# file system frozen (nothing written) until node2 has been compared.
	lab_exec node1 "fsfreeze -f /mnt/md01"
	ref=$(data_md5 node1)
	assert "$(data_md5 node2)" != "$ref" "node2 misses the writes before the recovery"

	lab_exec node1 "$B/clpmdctrl --recovery md01"
	assert_match "$output" "mirror recovery (started|is running)"
	wait_for 300 both_green
	lab_exec node1 "$B/clpmdstat --mirror md01"
	assert_match "$output" "difference_size : None"
	assert "$(data_md5 node2)" == "$ref" "node2's /dev/vdb2 after the recovery: node1's before it"
	assert "$(data_md5 node1)" == "$ref" "node1's /dev/vdb2 unchanged by the recovery (node1 -> node2)"
	lab_exec node1 "fsfreeze -u /mnt/md01"
	lab_exec node1 "$B/clpmdctrl --deactive md01"
	assert "$(data_md5 node1)" == "$(data_md5 node2)" "md5 of /dev/vdb2 after the deactivation"
}

@test "sysfs /sys/block/NMP1/liscal, clpmdstat --counters and the metrics: connected, after a break, after the recovery" {
	wait_for 60 both_green
	wait_for 60 sysfs_agrees node1
	wait_for 60 sysfs_agrees node2
	assert "$(sysattr node1 colour) $(sysattr node1 peer_colour) $(sysattr node1 connection)" == \
		"GREEN GREEN connected" "node1's sysfs, connected"
	assert "$(sysattr node1 oos_bytes)" == "0" "nothing out of sync"
	assert "$(sysattr node1 generation)" == "$(sysattr node2 generation)" "same generation on both copies"
	run "$LAB" exec node1 -- sh -c 'echo x > /sys/block/NMP1/liscal/role'
	assert "$status" != "0" "sysfs files are read-only"

	lab_exec node1 "$B/clpmdctrl --active md01"
	lab_exec node1 "$B/clpmdctrl --break md01"
	w0=$(counter node1 write_bytes) s0=$(counter node1 send_bytes)
	lab_exec node1 "head -c 4M /dev/urandom > /mnt/md01/sysfs-break && sync"
	wait_for 60 self_is node2 RED
	wait_for 60 sysfs_agrees node1
	wait_for 60 sysfs_agrees node2
	assert "$(sysattr node1 role) $(sysattr node1 colour) $(sysattr node1 peer_colour) $(sysattr node1 connection)" == \
		"active GREEN RED standalone" "node1's sysfs after the break"
	assert "$(sysattr node2 role) $(sysattr node2 colour) $(sysattr node2 state)" == \
		"standby RED outdated" "node2's sysfs after the break"
	oos=$(sysattr node1 oos_bytes)
	assert "$oos" -ge $((4 << 20)) "node1's oos_bytes cover the 4 MiB written during the break"
	w1=$(counter node1 write_bytes) s1=$(counter node1 send_bytes)
	assert "$((w1 - w0))" -ge $((4 << 20)) "write_bytes grew by the 4 MiB written"
	assert "$s1" == "$s0" "send_bytes unchanged while broken"
	lab_exec node1 "$B/clpmdstat --counters md01"
	assert_match "$output" "^ +write_bytes : $w1([^0-9]|\$)"
	assert_match "$output" "^ +refused_packets : [0-9]+"
	# Prometheus metrics of node1 (clpmgrd), broken: the same state, and
	# counters between the values read just before and just after
	R='{resource="md01"}'
	wa=$(counter node1 write_bytes) oa=$(sysattr node1 oos_bytes)
	run metric node1 "clpstack_mirror_connected$R" "clpstack_mirror_active$R" \
		'clpstack_mirror_colour{resource="md01",server="local",colour="GREEN"}' \
		'clpstack_mirror_colour{resource="md01",server="peer",colour="RED"}' \
		'clpstack_mirror_colour{resource="md01",server="peer",colour="GREEN"}' \
		clpstack_mirror_driver_up "clpstack_mirror_breaks_total$R" \
		"clpstack_mirror_out_of_sync_bytes$R" "clpstack_mirror_write_bytes_total$R" \
		"clpstack_mirror_sync_time_max_seconds$R"
	assert "$status" == 0 "the scrape parses: $output"
	local m
	mapfile -t m <<<"$output"
	wb=$(counter node1 write_bytes) ob=$(sysattr node1 oos_bytes)
	assert "${m[*]:0:6}" == "0 1 1 1 0 1" "connected, active, colours GREEN/RED, driver up"
	assert "${m[6]}" -ge 1 "breaks_total counts the break"
	assert "${m[7]}" -ge "$oa" "out_of_sync_bytes >= oos_bytes before"
	assert "${m[7]}" -le "$ob" "out_of_sync_bytes <= oos_bytes after"
	assert "${m[8]}" -ge "$wa" "write_bytes_total >= clpmdstat's before"
	assert "${m[8]}" -le "$wb" "write_bytes_total <= clpmdstat's after"
	assert_match "${m[9]}" "^[0-9.e+-]+$" "sync_time_max_seconds is a number"
	run "$LAB" exec node1 -- python3 -c '
import urllib.request, urllib.error
for url, data in (("http://127.0.0.1:9731/other", None), ("http://127.0.0.1:9731/metrics", b"x")):
    try:
        urllib.request.urlopen(url, data=data, timeout=10)
        print(url, 200)
    except urllib.error.HTTPError as e:
        print(url, e.code)'
	assert "$output" == "http://127.0.0.1:9731/other 404"$'\n'"http://127.0.0.1:9731/metrics 405" "other paths and methods refused"

	r0=$(counter node1 recovery_sent_bytes)
	lab_exec node1 "$B/clpmdctrl --recovery md01"
	wait_for 300 both_green
	wait_for 60 sysfs_agrees node1
	wait_for 60 sysfs_agrees node2
	r1=$(counter node1 recovery_sent_bytes)
	assert "$((r1 - r0))" -ge "$oos" "recovery_sent_bytes grew by node1's oos_bytes"
	assert "$(sysattr node1 oos_bytes) $(sysattr node1 recovery_direction)" == "0 none" "in sync after the recovery"
	assert "$(sysattr node1 recovery_done_bytes)" == "$(sysattr node1 recovery_total_bytes)" "the recovery copied all it had to"
	assert "$(sysattr node1 generation)" == "$(sysattr node2 generation)" "same generation after the recovery"
	run metric node2 'clpstack_mirror_connected{resource="md01"}' 'clpstack_mirror_colour{resource="md01",server="local",colour="GREEN"}' 'clpstack_mirror_out_of_sync_bytes{resource="md01"}'
	assert "$status" == 0 "node2's scrape parses: $output"
	assert "$output" == "$(printf '%s\n' 1 1 0)" "node2's metrics after the recovery: connected, GREEN, in sync"
	lab_exec node1 "$B/clpmdctrl --deactive md01"
}

@test "bad input in the lab: refused with a message, no change of state" {
	# clpmdinit while the driver has the resource: the superblock is untouched.
	lab_exec node2 "dd if=/dev/vdb1 bs=4096 count=1 iflag=direct 2>/dev/null | md5sum"
	before=$output
	run "$LAB" exec node2 -- "$B/clpmdinit" --create force md01
	assert "$status" == "5" "clpmdinit with md01 in the driver"
	assert_match "$output" "configured in the liscal driver"
	lab_exec node2 "dd if=/dev/vdb1 bs=4096 count=1 iflag=direct 2>/dev/null | md5sum"
	assert "$output" == "$before" "cluster partition superblock unchanged"

	# Deactivating where it is not active.
	run "$LAB" exec node2 -- "$B/clpmdctrl" --deactive md01
	assert "$status" == "5" "--deactive on the standby"
	assert_match "$output" "not active on this server"

	# Active on node1: a second --active there, and --active on node2.
	lab_exec node1 "$B/clpmdctrl --active md01"
	run "$LAB" exec node1 -- "$B/clpmdctrl" --active md01
	assert "$status" == "5" "second --active"
	assert_match "$output" "already active"
	run "$LAB" exec node2 -- "$B/clpmdctrl" --active md01
	assert "$status" == "5" "--active while the other server is active"
	assert_match "$output" "activate failed: "
	lab_exec node2 "$B/clpmdstat -m md01 --json"
	assert_match "$output" '"role":"standby"'

	# A full copy onto the active server is refused before it starts.
	wait_for 30 peer_role_is node2 active
	run "$LAB" exec node2 -- "$B/clpmdctrl" --force node2 md01
	assert "$status" == "5" "full copy onto the active node1"
	assert_match "$output" "the copy target node1 is active"
	lab_exec node1 "$B/clpmdstat -m md01 --json"
	assert_match "$output" '"running":false'

	# The standby's mirror device cannot be written.
	run "$LAB" exec node2 -- dd if=/dev/zero of=/dev/NMP1 bs=4k count=1 oflag=direct
	assert "$status" != "0" "write to /dev/NMP1 on the standby"

	# Deactivation with the file system busy: refused, still mounted and active.
	lab_exec node1 "setsid -f sh -c 'cd /mnt/md01 && exec sleep 120' </dev/null >/dev/null 2>&1"
	run "$LAB" exec node1 -- "$B/clpmdctrl" --deactive md01
	assert "$status" == "5" "--deactive with a busy mount"
	assert_match "$output" "cannot unmount /dev/NMP1 from /mnt/md01"
	lab_exec node1 "$B/clpmdstat -m md01 --json"
	assert_match "$output" '"role":"active"'
	lab_exec node1 "pkill -x sleep; for i in \$(seq 50); do $B/clpmdctrl --deactive md01 && exit 0; sleep 0.1; done; exit 1"

	# Cancelling when no recovery runs; unknown names.
	run "$LAB" exec node1 -- "$B/clpmdctrl" --cancel md01
	assert "$status" != "0" "--cancel with no recovery running"
	assert_match "$output" "cancel failed: "
	run "$LAB" exec node1 -- "$B/clpmdctrl" --recovery md09
	assert "$status" == "2" "unknown resource"
	assert_match "$output" "md09: no such mirror disk resource in $CONF"
	run "$LAB" exec node1 -- "$B/clpmdctrl" --force node9 md01
	assert "$status" == "2" "unknown source server"
	wait_for 60 both_green
}

@test "the mirror agent logged every driver state change with an event id" {
	for n in node1 node2; do
		lab_exec $n "cat /var/log/clpmgrd.log"
		assert_match "$output" "mirror 10: md01: /dev/NMP1 created on /dev/vdb2"
		assert_match "$output" "mirror 105: md01: mirror connected"
		assert_match "$output" "mirror 103: md01: activated"
	done
	lab_exec node1 "cat /var/log/clpmgrd.log"
	assert_match "$output" "mirror 106: md01: mirror break by command"
}

@test "mirror statistics file: perf/disk/nmp1.cur with the header and 60 s samples" {
	# The sampler writes its first row 60 s after the agent started; the
	# tests before this one may take less than that (CI measured it).
	for n in node1 node2; do
		perf_file_ok $n
	done
	# node1 was written to through /dev/NMP1: some sample counts the writes.
	lab_exec node1 "awk -F '\", \"' 'NR > 1 && \$2 + 0 > 0 { n++ } END { print n + 0 }' /opt/clpstack/perf/disk/nmp1.cur"
	assert "$output" -gt 0 "samples with Write Total > 0 on node1"
}

@test "clpmgrd restart: the agent finds md01 in the driver and applies clp.conf's parameters" {
	lab_exec node1 "pkill -x clpmgrd"
	wait_for 30 "$LAB" exec node1 -- sh -c '! pgrep -x clpmgrd'
	lab_exec node1 "sed -i 's|<acktimeout>100<|<acktimeout>50<|' $CONF"
	lab_exec node1 "setsid -f $B/clpmgrd -f >>/var/log/clpmgrd.log 2>&1 </dev/null"
	wait_for 30 logged node1 "mirror 11: md01: already configured in the driver; parameters of clp.conf applied"
	lab_exec node1 "grep -c 'mirror 13:' /var/log/clpmgrd.log || true"
	assert "$output" == "0" "no mismatch reported"
	wait_for 60 both_green
}

@test "replaced disk on node2 (guide 2.14): garbage refused, clpmdinit, full copy from node1" {
	run_lab cut node2
	run_lab start node2
	install_conf node2
	lab_exec node2 "insmod $K/liscal/liscal.ko"
	# A disk with something else on it: the driver refuses it, the agent says why.
	lab_exec node2 "head -c 1M /dev/urandom | dd of=/dev/vdb1 bs=1M oflag=direct 2>/dev/null"
	lab_exec node2 "setsid -f $B/clpmgrd -f >/var/log/clpmgrd.log 2>&1 </dev/null"
	wait_for 30 logged node2 "module mirror failed to start"
	lab_exec node2 "cat /var/log/clpmgrd.log"
	assert_match "$output" "mirror 12: md01: creating /dev/NMP1 on /dev/vdb2 \(cluster partition /dev/vdb1\) failed: ."
	run "$LAB" exec node2 -- "$B/clpmdctrl" --active md01
	assert "$status" == "5" "--active without the resource in the driver"
	assert_match "$output" "not configured in the liscal driver"
	# node1 carried on alone.
	lab_exec node1 "$B/clpmdstat -m md01 --json"
	assert_match "$output" '"mirror_status":"Mirror break"'

	lab_exec node2 "$B/clpmdinit --create normal md01"
	assert_match "$output" "md01: cluster partition /dev/vdb1 initialised \(normal, node 1"
	lab_exec node1 "wc -l < /var/log/clpmgrd.log"
	lines=$output
	lab_exec node2 "setsid -f $B/clpmgrd -f >/var/log/clpmgrd.log 2>&1 </dev/null"
	wait_for 300 both_green
	# The copy to the fresh disk ran from node1 (started by node1's agent,
	# event 20, or by the driver at the handshake, which resumes a copy to
	# an inconsistent target by itself).
	lab_exec node1 "tail -n +$((lines + 1)) /var/log/clpmgrd.log"
	assert_match "$output" "mirror 114: md01: mirror recovery started"
	assert_match "$output" "mirror 115: md01: mirror recovery completed"
	m1=$(data_md5 node1)
	m2=$(data_md5 node2)
	assert "$m1" == "$m2" "md5 of /dev/vdb2 after the full copy"
}

@test "failover: power cut of the active node1, node2 takes over with --active -force" {
	dmesg_clean node1	# this boot's log is lost with the power cut
	lab_exec node1 "$B/clpmdctrl --active md01 && echo acknowledged > /mnt/md01/ack && sync"
	run_lab cut node1
	wait_for 120 self_is node2 RED
	# A plain activation is refused and says how to take over.
	run "$LAB" exec node2 -- "$B/clpmdctrl" --active md01
	assert "$status" == "5" "--active on the survivor without -force"
	assert_contains "$output" "take over with 'clpmdctrl --active -force md01'"
	lab_exec node2 "$B/clpmdctrl --active -force md01"
	lab_exec node2 "cat /mnt/md01/ack"
	assert "$output" == "acknowledged" "the write acknowledged on node1 is on node2"
	lab_exec node2 "$B/clpmdstat -m md01 --json"
	assert_match "$output" '"local":true,"colour":"GREEN","role":"active"'
	lab_exec node2 "$B/clpmdctrl --deactive md01"
	run_lab start node1
}

@test "no WARN, BUG, oops or lockdep report on either node" {
	dmesg_clean node1
	dmesg_clean node2
}
