#!/usr/bin/env bats
# Statistics files and log collection in a 2-node lab
# (Documentation/statistics.md, commands.md "clplogcc"): system.cur and
# process.cur, group.cur and the per-type resource files parsed against
# the guide's column lists (2.4-2.6); clplogcc collects both servers'
# archives (node2's over the daemons' signed channel); a failed activation
# writes the investigation archive to log/ecap by itself (2.9); the
# Prometheus metrics of groups, heartbeat links and keepalive clients,
# and how they, lankhb.cur and the status page (in chromium on the host,
# through tests/lab/tools/statuspage.py's relay) follow a pulled mirror
# cable.

load helpers
load md-helpers
load cluster-helpers

P=/opt/clpstack

setup_file() {
	skip_if_no_lab || return 0
	export CLPLAB_NAME=t$$-obs
	# 5 s samples instead of 60 s.
	export MGR_ENV="CLP_SYS_STATS_SECS=5 CLP_HB_STATS_SECS=5"
	cluster_lab_up 2 's|<cluster>|<cluster><metrics><listen>127.0.0.1:9731</listen></metrics>|'
}

teardown() {
	cluster_logs_on_failure node1 node2
}

teardown_file() {
	page_close
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

# The status page of a node in chromium on the host (Documentation/metrics.md,
# "Status page"): a relay on the host's loopback answers each request with
# the node's answer (scripts/lab exec NODE -- curl), chromedriver keeps the
# page open; page_js runs a script in it.
SP=$REPO/tests/lab/tools/statuspage.py
PAGE=${BATS_FILE_TMPDIR:-/tmp}/page.json
page_open() { # page_open NODE
	local port
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	python3 "$SP" relay "$port" "$1" http://127.0.0.1:9731 >/dev/null 2>&1 3>&- &
	echo $! > "$BATS_FILE_TMPDIR/relay.pid"
	wait_for 30 curl -sf -o /dev/null "http://127.0.0.1:$port/status.json"
	python3 "$SP" open "$PAGE" "http://127.0.0.1:$port/"
}
page_close() {
	[ -e "$PAGE" ] && python3 "$SP" close "$PAGE" >/dev/null 2>&1
	[ -e "${BATS_FILE_TMPDIR:-/nonexistent}/relay.pid" ] && kill "$(cat "$BATS_FILE_TMPDIR/relay.pid")" 2>/dev/null
	rm -f "${BATS_FILE_TMPDIR:-/nonexistent}/relay.pid"
	return 0
}
page_js() { python3 "$SP" js "$PAGE" "$1" | tr -d '"'; }
page_polls() { page_js 'return document.getElementById("polls").textContent'; }
polls_at_least() { [ "$(page_polls)" -ge "$1" ]; }
# page_colour SERVER: md01's colour on SERVER as the page shows it.
page_colour() {
	page_js "const td = document.querySelector('#mirrors td[data-resource=\"md01\"][data-server=\"$1\"]'); return td ? td.dataset.colour + ' ' + td.textContent : 'none'"
}
# page_line SERVER LINK: the heartbeat line's state on the page.
page_line() {
	page_js "for (const tr of document.querySelectorAll('#heartbeat tbody tr')) if (tr.cells[0].textContent === '$1' && tr.cells[1].textContent === '$2') return tr.cells[2].textContent; return 'none'"
}
# page_all_green OTHER: the page's next answer shows md01 GREEN on both
# servers and lankhb2 to OTHER (the server the page's is not) up.
page_all_green() {
	page_next
	run page_colour node1
	assert_output "GREEN node1: GREEN"
	run page_colour node2
	assert_output "GREEN node2: GREEN"
	run page_line "$1" lankhb2
	assert_output up
}
# page_next: wait until the page has shown two more answers than now, so
# that what it shows was asked for after this call (the first of the two
# may have been under way already).
page_next() {
	local p
	p=$(page_polls)
	wait_for 30 polls_at_least $((p + 2))
}

# nf NODE FILE LINE SEP: the number of fields of line LINE of FILE.
nf() {
	"$LAB" exec "$1" -- awk -F "$4" "NR == $3 { print NF }" "$2"
}
# lines_at_least NODE FILE N
lines_at_least() {
	local n
	n=$("$LAB" exec "$1" -- sh -c "wc -l < $2 2>/dev/null") || return 1
	[ "${n:-0}" -ge "$3" ]
}

# metric NODE SAMPLE...: clpmgrd's /metrics on NODE parsed strictly
# (tests/lab/tools/promtext.py); each SAMPLE's value.
metric() {
	local n=$1
	shift
	"$LAB" exec "$n" -- python3 -c 'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:9731/metrics", timeout=10).read().decode(), end="")' |
		python3 "$REPO/tests/lab/tools/promtext.py" "$@"
}
owner_metric_is() { # owner_metric_is NODE SERVER: NODE's metrics say failover1 runs on SERVER
	[ "$(metric "$1" "clpstack_group_owner{group=\"failover1\",server=\"$2\"}")" = 1 ]
}

GUIDE_SYS='"Date", "CPUCount", "CPUUtilization", "CPUTotal", "CPUUser", "CPUNice", "CPUSystem", "CPUIdle", "CPUIOWait", "CPUIntr", "CPUSoftIntr", "CPUSteal", "MemoryTotalSize", "MemoryCurrentSize", "MemoryBufSize", "MemoryCached", "MemoryMemFree", "MemoryDirty", "MemoryActive(file)", "MemoryInactive(file)", "MemoryShmem", "SwapTotalSize", "SwapCurrentSize", "SwapIn", "SwapOut", "ThreadLimitSize", "ThreadCurrentSize", "FileLimitSize", "FileCurrentSize", "FileLimitinode", "FileCurrentinode", "ProcessCurrentCount"'
GUIDE_PROC='"Date", "PID", "CPUUtilization", "MemoryPhysicalSize", "MemoryVirtualSize", "ThreadCurrentCount", "FileCurrentCount", "ProcessName"'
GUIDE_GRP='"Date","Name","Action","Result","ReturnCode","StartTime","EndTime","ResponseTime(ms)"'

@test "system.cur and process.cur: the guide's headers, rows of 32 numbers and of 8 fields every 5 s" {
	local n
	for n in node1 node2; do
		wait_for 60 lines_at_least $n $P/perf/system/system.cur 3
		lab_exec $n "head -n 1 $P/perf/system/system.cur"
		assert_output "$GUIDE_SYS"
		run nf $n $P/perf/system/system.cur 3 '", "'
		assert_output 32
		# Every value a number; CPUCount the node's; MemoryTotalSize its MemTotal.
		lab_exec $n "sed -n 3p $P/perf/system/system.cur | tr -d '\"' | awk -F ', ' '{ for (i = 2; i <= NF; i++) if (\$i !~ /^[0-9]+\$/) bad++; print bad + 0, \$2, \$13 }'"
		assert_output "0 $("$LAB" exec $n -- nproc) $("$LAB" exec $n -- awk '/^MemTotal/ { print $2 }' /proc/meminfo)"
		lab_exec $n "head -n 1 $P/perf/system/process.cur"
		assert_output "$GUIDE_PROC"
		# clpmgrd's own row: 7 quoted fields, then its command line unquoted.
		lab_exec $n "grep -m1 -E '\"[0-9]+\", $B/clpmgrd -f -n\$' $P/perf/system/process.cur | awk -F ', ' '{ print NF }'"
		assert_output 8
	done
}

@test "clpcl -s -a: group.cur and md.cur, exec.cur, fip.cur get a Start row each, userw.cur a Monitor row per ping; headers as the guide's" {
	local t name n
	lab_exec node1 "$B/clpcl -s -a"
	wait_for 180 online_on node1 node1
	lab_exec node1 "head -n 1 $P/perf/cluster/group/group.cur"
	assert_output "$GUIDE_GRP"
	lab_exec node1 "grep '\"failover1\",\"Start\",\"Success\",,' $P/perf/cluster/group/group.cur"
	assert_equal "$(echo "$output" | wc -l)" 1
	# 8 fields: the empty return code counts as one; the response time in ms.
	assert_equal "$(echo "$output" | awk -F ',' '{ print NF }')" 8
	assert_output --regexp ',"[0-9]+"$'
	for t in md:md01 exec:exec1 fip:fip1; do
		name=${t#*:}
		lab_exec node1 "head -n 1 $P/perf/cluster/group/${t%%:*}.cur"
		assert_output "$GUIDE_GRP"
		lab_exec node1 "grep -c '\"$name\",\"Start\",\"Success\",,' $P/perf/cluster/group/${t%%:*}.cur"
		assert_output 1
	done
	lab_exec node2 "test ! -e $P/perf/cluster/group/group.cur"
	# userw, this stack's monitor: a Monitor row for each keepalive ping,
	# on both servers (written by its own thread, never the ping's)
	for n in node1 node2; do
		wait_for 60 monitor_rows $n 2
		lab_exec $n "head -n 1 $P/perf/cluster/monitor/userw.cur"
		assert_output "$GUIDE_GRP"
		lab_exec $n "tail -n 1 $P/perf/cluster/monitor/userw.cur"
		assert_output --regexp '^"[0-9/]+ [0-9:.]+","userw","Monitor","Success",,"[0-9/]+ [0-9:.]+","[0-9/]+ [0-9:.]+","[0-9]+"$'
	done
	wait_for 300 both_green
}

monitor_rows() { # monitor_rows NODE N: at least N Success rows of userw
	[ "$("$LAB" exec "$1" -- bash -c "grep -c '\"userw\",\"Monitor\",\"Success\",,' $P/perf/cluster/monitor/userw.cur 2>/dev/null")" -ge "$2" ]
}

@test "metrics: groups, resources, servers, heartbeat links and keepalive clients, parsed strictly" {
	run metric node1 'clpstack_cluster_service_up' 'clpstack_group_state{group="failover1",state="online"}' \
		'clpstack_group_state{group="failover1",state="offline"}' \
		'clpstack_group_owner{group="failover1",server="node1"}' \
		'clpstack_resource_state{group="failover1",resource="md01",type="md",state="online"}' \
		'clpstack_server_up{server="node2"}' 'clpstack_heartbeat_driver_up' \
		'clpstack_heartbeat_peer_up{server="node2"}' \
		'clpstack_heartbeat_link_up{server="node2",link="lankhb1"}' \
		'clpstack_heartbeat_link_up{server="node2",link="lankhb2"}' \
		'clpstack_keepalive_driver_up' 'clpstack_keepalive_client_expired{client="userw"}'
	assert_success
	assert_output "$(printf '%s\n' 1 1 0 1 1 1 1 1 1 1 1 0)"
	run metric node2 'clpstack_group_owner{group="failover1",server="node1"}' \
		'clpstack_group_state{group="failover1",state="offline"}' \
		'clpstack_heartbeat_received_total{server="node1",link="lankhb1"}' \
		'clpstack_keepalive_client_timeout_seconds{client="userw"}'
	assert_success
	assert_equal "$(echo "$output" | sed -n 1,2p | tr '\n' ' ')" "1 1 "
	assert [ "$(echo "$output" | sed -n 3p | cut -d. -f1)" -gt 0 ]
	assert [ "$(echo "$output" | sed -n 4p)" != absent ]
}

@test "clplogcc -t type6 on node1: both servers' archives, node2's made on node2, its temporary file removed" {
	lab_exec node1 "rm -rf /tmp/logs && mkdir /tmp/logs && $B/clplogcc -t type6 -o /tmp/logs"
	assert_line "node1: /tmp/logs/node1.tar.gz"
	assert_line "node2: /tmp/logs/node2.tar.gz"
	lab_exec node1 "tar tzf /tmp/logs/node2.tar.gz"
	assert_line node2/log/clpmgrd.log
	assert_line node2/etc/clp.conf
	assert_line node2/info/uname.txt
	assert_line node2/perf/cluster/heartbeat/lankhb.cur
	refute_line --partial node2/perf/system/
	lab_exec node1 "tar xzOf /tmp/logs/node2.tar.gz node2/info/uname.txt"
	assert_output --regexp "^Linux node2 "
	lab_exec node1 "tar tzf /tmp/logs/node1.tar.gz"
	assert_line node1/perf/cluster/group/group.cur
	assert_line node1/perf/cluster/group/exec.cur
	lab_exec node2 "ls $P/tmp | grep -c '^logcc-' || true"
	assert_output 0
	lab_exec node1 "grep -a -c 'logcc 1: log archive' $P/log/clpmgrd.log || true"
	assert_output 0
	lab_exec node2 "grep -a -c 'logcc 1: log archive' $P/log/clpmgrd.log"
	assert_output 1
}

@test "clplogcc: bad input exits 2 naming what was wrong; a file that is not an archive name is not read from node2" {
	lab_exec 2 node1 "$B/clplogcc -t type0"
	assert_output --partial "-t: 'type0' is not a log collection type (type1 ... type6)"
	lab_exec 2 node1 "$B/clplogcc -n node7"
	assert_output --partial "-n: there is no server 'node7'"
	# The request channel itself: only logcc-<16 hex>.tar.gz is read
	# (requests are JSON lines on the daemon's socket).
	lab_exec node1 "python3 -c 'import json, socket
s = socket.socket(socket.AF_UNIX)
s.connect(\"$P/work/clpmgrd.sock\")
s.sendall(json.dumps({\"op\": \"logcc-read\", \"server\": \"node2\", \"name\": \"../etc/cluster.key\", \"offset\": 0}).encode() + b\"\\n\")
f = s.makefile()
print(json.loads(f.readline())[\"msg\"])'"
	assert_output --partial "logcc-read: '../etc/cluster.key' is not a log archive name"
}

@test "a failed activation writes the investigation archive to log/ecap (guide 2.9); group.cur and exec.cur record the failure" {
	online_on node1 node1
	lab_exec node1 "$B/clpgrp -t failover1"
	lab_exec node1 "touch /run/exec1-fail"
	lab_exec node1 "$B/clpgrp -s failover1"
	assert_output --partial "failover1 started on node2"
	lab_exec node1 "rm /run/exec1-fail"
	wait_for 60 "$LAB" exec node1 -- sh -c "ls $P/log/ecap/*_rc_32.tar.gz"
	lab_exec node1 "tar tzf \$(ls $P/log/ecap/*_rc_32.tar.gz | head -n 1)"
	assert_line node1/log/clpmgrd.log
	assert_line node1/etc/clp.conf
	assert_line node1/info/dmesg.txt
	lab_exec node1 "grep -a 'logcc 2: investigation log of failover1' $P/log/clpmgrd.log"
	lab_exec node1 "grep -c '\"exec1\",\"Start\",\"Failure\",1,' $P/perf/cluster/group/exec.cur"
	assert_output 1
	lab_exec node1 "grep -c '\"failover1\",\"Start\",\"Failure\",1,' $P/perf/cluster/group/group.cur"
	assert_output 1
	lab_exec node1 "grep -c '\"failover1\",\"Stop\",\"Success\",,' $P/perf/cluster/group/group.cur"
	assert_output 1
	lab_exec node2 "grep -c '\"failover1\",\"Start\",\"Success\",,' $P/perf/cluster/group/group.cur"
	assert_output 1
	wait_for 30 owner_metric_is node1 node2
	run metric node1 'clpstack_group_state{group="failover1",state="offline"}'
	assert_output 1
}

metric_is() { # metric_is NODE SAMPLE VALUE
	[ "$(metric "$1" "$2")" = "$3" ]
}
hb_silent_row() { # a lankhb.cur row of node1 with nothing received from node2 on lankhb2
	"$LAB" exec node1 -- grep -q '"lankhb2","lankhb","node1","node2","0",' $P/perf/cluster/heartbeat/lankhb.cur
}

@test "mirror cable of node2 pulled: lankhb2 down in the metrics, lankhb.cur and the status page, the standby's mirror RED on its page; plugged back: up and GREEN again" {
	local lk2='clpstack_heartbeat_link_up{server="node2",link="lankhb2"}' sb=node1 act=node2
	command -v chromium >/dev/null && command -v chromedriver >/dev/null ||
		skip "chromium and chromium-driver are not installed (scripts/deps)"
	metric_is node1 "$lk2" 1
	# The standby's page, kept open (after the tests above failover1 runs
	# on node2; run alone with the start test, on node1).
	metric_is node1 'clpstack_group_owner{group="failover1",server="node2"}' 1 || { sb=node2 act=node1; }
	page_open $sb
	page_all_green $act
	run_lab link node2 mirror down
	wait_for 60 metric_is node1 "$lk2" 0
	wait_for 60 metric_is node1 'clpstack_mirror_connected{resource="md01"}' 0
	run metric node1 'clpstack_heartbeat_link_up{server="node2",link="lankhb1"}' \
		'clpstack_heartbeat_peer_up{server="node2"}' 'clpstack_server_up{server="node2"}'
	assert_output "$(printf '%s\n' 1 1 1)"
	# The driver says RED: the page's next request shows it, without a reload
	# (its answer counter only grows).
	wait_for 60 self_is $sb RED
	page_next
	run page_colour $sb
	assert_output "RED $sb: RED"
	run page_line $act lankhb2
	assert_output down
	wait_for 30 hb_silent_row
	run_lab link node2 mirror up
	wait_for 60 metric_is node1 "$lk2" 1
	wait_for 300 both_green
	page_all_green $act
	page_close
	metric_is node1 'clpstack_mirror_connected{resource="md01"}' 1
	metric_is node1 "clpstack_group_owner{group=\"failover1\",server=\"$act\"}" 1
}
