#!/usr/bin/env bats
# The cluster service in a 2-node lab (Documentation/cluster.md): clpcl -s
# -a starts failover1 (md01 + exec1 + fip1) on node1; a power cut of the
# server running it while SQLite commits on the mirror moves it to the
# other server by itself, every committed row there; clpgrp -m moves it;
# a pulled mirror cable moves nothing; a daemon killed and started again
# adopts the running group (a daemon killed mid-start is cleaned up); a
# group run by both servers after a total partition makes node2 shut
# down (2.12.9); a failed resume shuts its server down; one server starts a group (start reservation); clpcl -t
# -a stops everything; bad requests are
# refused with a message and change nothing.

load helpers
load md-helpers
load cluster-helpers

setup_file() {
	skip_if_no_lab || return 0
	export CLPLAB_NAME=t$$-cl
	cluster_lab_up 2
}

teardown() {
	cluster_logs_on_failure node1 node2
}

teardown_file() {
	local n
	# The daemons' logs, for a failure's post-mortem ($CLP_TEST_LOGS).
	if [ -n "${CLP_TEST_LOGS:-}" ]; then
		mkdir -p "$CLP_TEST_LOGS"
		for n in node1 node2; do
			"$LAB" exec $n -- cat /opt/clpstack/log/clpmgrd.log >"$CLP_TEST_LOGS/$n-clpmgrd.log" 2>&1
			"$LAB" exec $n -- cat /var/log/clpmgrd.log >"$CLP_TEST_LOGS/$n-stderr.log" 2>&1
			cp "$("$LAB" console $n)" "$CLP_TEST_LOGS/$n-console.log" 2>/dev/null
		done
	fi
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

mirror_broken() {
	[ "$(colours node1 | cut -d' ' -f3)" != Normal ]
}

grp_why() { # grp_why NODE TEXT: failover1's reason of failure contains TEXT
	"$LAB" exec "$1" -- bash -c "$B/clpstat --json | jq -r '.groups[0].why // \"\"'" | grep -qF "$2"
}
waiting_on() {
	[ "$("$LAB" exec "$1" -- bash -c "$B/clpstat --json | jq -r '.servers[] | select(.name == \"$1\") | .waiting'")" = true ]
}
started_userw() { "$LAB" exec "$1" -- grep -q 'module userw started' /var/log/clpmgrd-restart.log; }
adopted_orphan() { "$LAB" exec "$1" -- dmesg | grep -q 'adopts the orphan'; }

@test "clpcl -s -a: failover1 online on node1, md01 mounted, exec1 ran, the floating address answers from node1" {
	lab_exec node1 "$B/clpcl -s -a"
	wait_for 180 online_on node1 node1
	wait_for 30 online_on node2 node1
	lab_exec node1 "mountpoint /mnt/md01 && grep -c 'start START HOME node1 failover1 exec1' /var/log/exec1.log"
	assert "${output##*$'\n'}" == "1" "exec1 started once on node1 with its environment"
	lab_exec node1 "ip -4 addr show dev eth0 | grep -c 198.18.1.100/24"
	assert "$output" == "1" "fip1 on node1's eth0"
	wait_for 30 fip_answers_from node2 node1
	lab_exec node2 "! mountpoint -q /mnt/md01"
	lab_exec node1 "$B/clpstat"
	assert_output --partial "failover1"
	assert_output --partial "online   on node1"
	wait_for 300 both_green
}

@test "clpgrp -m failover1: moves to node2 with the data; the address follows" {
	lab_exec node1 "echo moved-data > /mnt/md01/before-move && sync"
	lab_exec node1 "$B/clpgrp -m failover1"
	wait_for 10 online_on node1 node2
	lab_exec node2 "cat /mnt/md01/before-move"
	assert "$output" == "moved-data" "file written on node1, read on node2"
	lab_exec node1 "! mountpoint -q /mnt/md01"
	wait_for 30 fip_answers_from node1 node2
	lab_exec node2 "$B/clpgrp -m failover1 -h node1"
	wait_for 10 online_on node2 node1
	wait_for 120 both_green
}

@test "bad requests are refused with a message and change nothing" {
	local -a cases=(
		"2|clpgrp -s nosuchgroup|there is no group 'nosuchgroup'"
		"2|clpgrp -m failover1 -h node9|there is no server 'node9'"
		"5|clpgrp -s failover1|already running on node1"
		"5|clpgrp -s failover1 -h node2|already running on node1"
		"5|clpgrp -t failover1 -h node2|not running on node2"
		"5|clpgrp -m failover1 -h node1|already runs on node1"
		"2|clpgrp -m|-m needs a group"
		"2|clpgrp -s -t failover1|give one of -s, -t, -m"
		"2|clpgrp|give one of -s, -t, -m"
		"2|clpgrp -s failover1 extra|unexpected argument 'extra'"
		"2|clpgrp --bogus|Usage: clpgrp"
		"2|clpcl|give one of -s, -t, -r"
		"2|clpcl -s -t|give one of -s, -t, -r"
		"2|clpcl -s -a -h node2|-a and -h exclude each other"
		"2|clpcl -s -h nosuch|there is no server 'nosuch'"
		"5|clpcl -s|already started on node1"
		"2|clpcl -t extra|unexpected argument 'extra'"
		"2|clpstat -g nosuch|there is no group 'nosuch'"
		"2|clpstat -h nosuch|there is no server 'nosuch'"
		"2|clpstat --bogus|Usage: clpstat"
		"5|clpbwctrl -c|not waiting for the other servers"
		"2|clpbwctrl|give -c"
		"2|clpbwctrl -c extra|unexpected argument"
		"2|clpstdn extra|unexpected argument 'extra'"
		"2|clpstdn --bogus|Usage: clpstdn"
	)
	local c st cmd msg
	for c in "${cases[@]}"; do
		IFS='|' read -r st cmd msg <<<"$c"
		lab_exec "$st" node1 "$B/$cmd"
		assert_output --partial "$msg"
	done
	# A command's group-start marked as a move's (arg 2, the daemons'
	# own): refused.
	lab_exec node1 "python3 - <<'EOF'
import json, socket
s = socket.socket(socket.AF_UNIX)
s.connect('/opt/clpstack/work/clpmgrd.sock')
f = s.makefile('rw')
f.write(json.dumps({'op': 'group-start', 'group': 'failover1', 'server': 'node1', 'arg': 2}) + '\\n'); f.flush()
print(f.readline().strip())
EOF"
	assert_output --partial "bad arg 2 for group-start"
	# Not root: refused by the daemon, before anything.
	lab_exec 6 node1 "setpriv --reuid=65534 --regid=65534 --clear-groups $B/clpgrp -t failover1"
	assert_output --partial "must be run as root"
	lab_exec 6 node1 "setpriv --reuid=65534 --regid=65534 --clear-groups $B/clpstat"
	assert_output --partial "must be run as root"
	online_on node1 node1
	lab_exec node1 "mountpoint -q /mnt/md01"
}

@test "a request from outside the cluster, not from the server its address says, or not signed with the cluster key is refused" {
	# From node1's mirror address (not an interconnect address): refused.
	lab_exec node1 "python3 - <<'EOF'
import json, socket
s = socket.create_connection(('198.18.1.2', 29001), timeout=5, source_address=('198.18.2.1', 0))
print(s.makefile().readline().strip())
EOF"
	assert_output --partial "not the interconnect address of another server"
	# From node1's interconnect address, claiming to be node2: refused.
	lab_exec node1 "python3 - <<'EOF'
import json, socket
s = socket.create_connection(('198.18.1.2', 29001), timeout=5, source_address=('198.18.1.1', 0))
f = s.makefile('rw')
json.loads(f.readline())
f.write(json.dumps({'from': 'node2', 'req': json.dumps({'op': 'cluster-stop'})}) + '\n'); f.flush()
print(f.readline().strip())
EOF"
	assert_output --partial "does not name the server of the source address"
	lab_exec node1 "python3 - <<'EOF'
import json, socket
s = socket.create_connection(('198.18.1.2', 29001), timeout=5, source_address=('198.18.1.1', 0))
f = s.makefile('rw')
json.loads(f.readline())
f.write('not json\n'); f.flush()
print(f.readline().strip())
EOF"
	assert_output --partial "refused"
	# Right address and name, but not signed with the cluster key, or
	# signed with another key: refused.
	lab_exec node1 "python3 - <<'EOF'
import hashlib, hmac, json, socket
for key in (None, b'x' * 32):
    s = socket.create_connection(('198.18.1.2', 29001), timeout=5, source_address=('198.18.1.1', 0))
    f = s.makefile('rw')
    nonce = json.loads(f.readline())['nonce']
    req = json.dumps({'op': 'cluster-stop'})
    env = {'from': 'node1', 'req': req}
    if key:
        env['mac'] = hmac.new(key, (nonce + '\\n' + req).encode(), hashlib.sha256).hexdigest()
    f.write(json.dumps(env) + '\\n'); f.flush()
    print(f.readline().strip())
EOF"
	assert_line --index 0 --partial "not signed with the cluster key"
	assert_line --index 1 --partial "not signed with the cluster key"
	lab_exec node2 "grep -a -c 'peer 3: request from 198.18.1.1 refused: not signed with the cluster key' /opt/clpstack/log/clpmgrd.log"
	assert "$output" == 2 "refusals logged on node2"
	lab_exec node2 "$B/clpstat --json | jq -r '.servers[] | select(.name == \"node2\") | .service'"
	assert "$output" == "started" "node2's cluster service after the refused requests"
}

@test "only the mirror link pulled: the mirror breaks, nothing moves; plugged back: GREEN/GREEN" {
	lab_exec node1 "dd if=/dev/urandom of=/mnt/md01/while-broken bs=1M count=2 conv=fsync"
	run_lab link node1 mirror down
	wait_for 60 mirror_broken
	lab_exec node1 "dd if=/dev/urandom of=/mnt/md01/while-broken2 bs=1M count=2 conv=fsync"
	online_on node1 node1
	lab_exec node2 "! mountpoint -q /mnt/md01"
	run_lab link node1 mirror up
	wait_for 180 both_green
	online_on node1 node1
	online_on node2 node1
}

@test "a copy that went RED while its server still ran is never activated by itself: the power cut of node1 after a mirror break leaves failover1 stopped, saying why" {
	run_lab link node1 mirror down
	wait_for 60 mirror_broken
	lab_exec node1 "echo written-alone > /mnt/md01/alone && sync"
	# node1 goes on writing alone, well after the break (the takeover
	# rule's tolerance is 2 s), while node2's copy is RED; then it dies.
	lab_exec node1 "sleep 3; echo later >> /mnt/md01/alone && sync"
	run_lab cut node1
	wait_for 120 grp_why node2 "this copy is outdated (RED): the mirror broke at"
	lab_exec node2 "! mountpoint -q /mnt/md01"
	lab_exec node2 "$B/clpstat"
	assert_output --partial "while node1 was still running and may have written alone"
	lab_exec node2 "grep -a -c 'rc 32: Activating md01 resource has failed' /opt/clpstack/log/clpmgrd.log"
	# node1 back: it holds the latest data and starts failover1 itself.
	run_lab start node1
	run_lab link node1 mirror up
	node_prepare node1
	daemon_start node1
	lab_exec node1 "$B/clpcl -s"
	wait_for 120 online_on node1 node1
	wait_for 30 online_on node2 node1
	lab_exec node1 "cat /mnt/md01/alone"
	assert "$output" == $'written-alone\nlater' "the writes node1 made alone"
	wait_for 300 both_green
}

@test "kill -9 and restart of the daemon on the active: failover1 stays online, nothing deactivated" {
	local boots
	boots=$("$LAB" boots node1)
	lab_exec node1 "pkill -9 -x clpmgrd; ! pgrep -x clpmgrd"
	lab_exec node1 "setsid -f $B/clpmgrd -f >/var/log/clpmgrd-restart.log 2>&1 </dev/null"
	# Its keepalive first (within userw's 7 s), else the old one resets node1.
	wait_for 6 started_userw node1 || { "$LAB" exec node1 -- cat /var/log/clpmgrd-restart.log; false; }
	wait_for 30 online_on node1 node1
	lab_exec node1 "grep -a -c 'group failover1 is online here: adopted' /opt/clpstack/log/clpmgrd.log"
	assert "$output" -ge 1 "adoption logged"
	lab_exec node1 "grep -c '^stop' /var/log/exec1.log || true"
	local stops=$output
	# Past the user-mode monitor's timeout: the old process's keepalive was adopted.
	wait_for 30 adopted_orphan node1
	# Let the old process's keepalive timeout (7 s) pass: no reset.
	lab_exec node1 "sleep 10; mountpoint /mnt/md01"
	assert "$("$LAB" boots node1)" == "$boots" "node1 did not reset"
	lab_exec node1 "grep -c '^stop' /var/log/exec1.log || true"
	assert "$output" == "$stops" "exec1 not stopped"
	online_on node2 node1
}

@test "kill -9 of the daemon while failover1 starts: the restarted daemon stops what had started, then starts the group once" {
	local starts stops
	online_on node1 node1
	lab_exec node1 "$B/clpgrp -t failover1"
	starts=$("$LAB" exec node1 -- bash -c "grep -c '^start' /var/log/exec1.log")
	stops=$("$LAB" exec node1 -- bash -c "grep -c '^stop' /var/log/exec1.log")
	lab_exec node1 "touch /run/exec1-hold; setsid -f $B/clpgrp -s failover1 >/dev/null 2>&1 </dev/null"
	wait_for 60 "$LAB" exec node1 -- bash -c "[ \$(grep -c '^start' /var/log/exec1.log) -gt $starts ]"
	lab_exec node1 "mountpoint -q /mnt/md01 && grep -x starting /opt/clpstack/work/group/failover1"
	lab_exec node1 "pkill -9 -x clpmgrd; ! pgrep -x clpmgrd; rm /run/exec1-hold"
	lab_exec node1 "setsid -f $B/clpmgrd -f >/var/log/clpmgrd-restart.log 2>&1 </dev/null"
	wait_for 6 started_userw node1 || { "$LAB" exec node1 -- cat /var/log/clpmgrd-restart.log; false; }
	lab_exec node1 "grep -a -c 'rc 15: group failover1 was starting here when the daemon stopped' /opt/clpstack/log/clpmgrd.log"
	lab_exec node1 "grep -c '^stop' /var/log/exec1.log"
	assert "$output" == "$((stops + 1))" "exec1 stopped once by the restarted daemon"
	# The cluster service starts with the daemon: failover1 starts anew, once.
	wait_for 180 online_on node1 node1
	lab_exec node1 "grep -c '^start' /var/log/exec1.log"
	assert "$output" == "$((starts + 2))" "exec1: the interrupted start and one more"
	wait_for 30 online_on node2 node1
	wait_for 30 adopted_orphan node1
}

@test "power cut of the server running failover1 during SQLite commits: the other one takes it over by itself, every commit there (CLUSTER_CUT_ROUNDS rounds, default 2: one each way; make soak runs more)" {
	local round active=node1 standby console last rows
	for round in $(seq "${CLUSTER_CUT_ROUNDS:-2}"); do
		standby=$(other $active)
		online_on $active $active
		lab_exec $active "setsid -f python3 $D/sqlite-writer.py /mnt/md01/app.db $round </dev/null >/dev/null 2>&1"
		console=$("$LAB" console $active)
		wait_for 60 bash -c "grep -a -c 'COMMITTED $round ' '$console' | awk '\$1 >= 20 { ok = 1 } END { exit !ok }'"
		run_lab cut $active
		last=$(grep -a -o "COMMITTED $round [0-9]*" "$console" | tail -n 1 | awk '{print $3}')
		echo "# round $round: $active cut after commit $last" >&3
		wait_for 120 online_on $standby $standby
		lab_exec $standby "python3 $D/sqlite-check.py /mnt/md01/app.db $round $last"
		echo "# $output" >&3
		lab_exec $standby "ip -4 addr show dev eth0 | grep -c 198.18.1.100/24"
		run_lab start $active
		node_prepare $active
		daemon_start $active
		lab_exec $active "$B/clpcl -s"
		wait_for 120 online_on $active $standby
		wait_for 30 fip_answers_from $active $standby
		wait_for 300 both_green
		active=$standby
	done
}

@test "clpmgrd stopped on the active for less than the user-mode monitor's timeout: nothing moves; for longer: it resets and the other server takes over" {
	local active standby pid boots console
	active=$(grp_on node1 | cut -d' ' -f2)
	standby=$(other "$active")
	pid=$("$LAB" exec "$active" -- pgrep -x clpmgrd)
	boots=$("$LAB" boots "$active")
	# 3 s stopped: below userw's 7 s (heartbeat timeout 8 s - interval 1 s).
	lab_exec "$active" "kill -STOP $pid; sleep 3; kill -CONT $pid"
	online_on "$standby" "$active"
	assert "$("$LAB" boots "$active")" == "$boots" "$active did not reset"
	# Stopped for good: clpka resets the server, its heartbeat stops.
	lab_exec "$active" "kill -STOP $pid"
	console=$("$LAB" console "$active")
	wait_for 60 grep -a -q "client 'userw' (clpmgrd pid $pid): no keepalive within 7000 ms: resetting the server" "$console"
	wait_for 120 online_on "$standby" "$standby"
	run_lab wait "$active" --timeout 600
	rejoin "$active" "$standby"
}

@test "clpcl --suspend: the group keeps running unwatched, nothing fails over; --resume: watched again, nothing restarted" {
	local active starts
	active=$(grp_on node1 | cut -d' ' -f2)
	starts=$("$LAB" exec "$active" -- grep -c '^start' /var/log/exec1.log)
	# From the other server: the active stops its heartbeat first, the
	# other one (prepared, phase 1) must not take the group over.
	lab_exec "$(other "$active")" "$B/clpcl --suspend"
	for n in node1 node2; do
		lab_exec $n "$B/clpstat --json | jq -r '[.servers[].service] | join(\" \")'"
		assert "$output" == "suspended suspended" "cluster service seen from $n"
		lab_exec $n "$B/clpkhbctrl --json | jq -r .running"
		assert "$output" == false "heartbeat stopped on $n"
	done
	lab_exec "$active" "mountpoint -q /mnt/md01"
	lab_exec 5 node1 "$B/clpgrp -m failover1"
	assert_output --partial "the cluster is suspended on node1: resume it first"
	lab_exec 5 "$active" "$B/clpgrp -t failover1"
	assert_output --partial "suspended"
	lab_exec 2 node1 "$B/clpcl --suspend -a"
	assert_output --partial "apply to every server"
	lab_exec node1 "$B/clpcl --resume"
	for n in node1 node2; do
		wait_for 60 online_on $n "$active"
	done
	lab_exec "$active" "grep -c '^start' /var/log/exec1.log"
	assert "$output" == "$starts" "exec1 not started again"
	lab_exec 5 node1 "$B/clpcl --resume"
	assert_output --partial "not suspended"
}

service_of() { # service_of VIEWER SERVER: the cluster service of SERVER
	"$LAB" exec "$1" -- bash -c "$B/clpstat --json | jq -r '.servers[] | select(.name == \"$2\") | .service'"
}
service_is() { [ "$(service_of "$1" "$2")" = "$3" ]; }
# rejoin NODE OWNER: NODE, started again after it shut down, runs the
# cluster service again; failover1 stays on OWNER; the mirror recovers.
rejoin() {
	node_prepare "$1"
	daemon_start "$1"
	lab_exec "$1" "$B/clpcl -s"
	wait_for 120 online_on "$1" "$2"
	wait_for 300 both_green
}

@test "a server whose cluster service fails to resume stops its groups and shuts down; the others resume" {
	local active standby
	active=$(grp_on node1 | cut -d' ' -f2)
	standby=$(other "$active")
	lab_exec "$active" "$B/clpcl --suspend"
	# The standby's user-mode monitor cannot start again (no clpka).
	lab_exec "$standby" "rmmod clpka"
	lab_exec 1 "$active" "$B/clpcl --resume"
	assert_output --partial "$active: the cluster is resumed on $active"
	assert_output --partial "$standby: the cluster service failed to resume on $standby (see the log): its groups stopped and handed over, the server shuts down"
	wait_for 120 stopped "$standby"
	online_on "$active" "$active" || fail "$active sees $(grp_on "$active")"
	lab_exec "$active" "mountpoint -q /mnt/md01"
	run_lab start "$standby"
	lab_exec "$standby" "grep -a -E 'rc (16|5|9): ' /opt/clpstack/log/clpmgrd.log | tail -n 3"
	assert_line --index 0 --partial "rc 16: the cluster service failed to resume on $standby: stopping the groups, handing them over and shutting down"
	assert_line --index 1 --partial "rc 5: cluster service stopped on $standby"
	assert_line --index 2 --partial "rc 9: shutting down the server"
	rejoin "$standby" "$active"
}

@test "the server running failover1 fails to resume: it stops the group, hands it over and shuts down; the other server starts it" {
	local active standby
	active=$(grp_on node1 | cut -d' ' -f2)
	standby=$(other "$active")
	wait_for 300 both_green
	lab_exec "$active" "$B/clpcl --suspend"
	lab_exec "$active" "rmmod clpka"
	lab_exec 1 "$standby" "$B/clpcl --resume"
	assert_output --partial "$standby: the cluster is resumed on $standby"
	assert_output --partial "$active: the cluster service failed to resume on $active (see the log): its groups stopped and handed over"
	wait_for 120 stopped "$active"
	wait_for 180 online_on "$standby" "$standby"
	lab_exec "$standby" "mountpoint -q /mnt/md01 && ip -4 addr show dev eth0 | grep -q 198.18.1.100/24"
	lab_exec "$standby" "grep -a 'rc 18: ' /opt/clpstack/log/clpmgrd.log"
	assert_output --partial "failover1 was stopped by $active after its failed resume: starting it here"
	run_lab start "$active"
	lab_exec "$active" "grep -a -E 'rc (16|18|9): ' /opt/clpstack/log/clpmgrd.log | tail -n 3"
	assert_line --index 0 --partial "rc 16: the cluster service failed to resume on $active"
	assert_line --index 1 --partial "rc 18: groups handed over to $standby: $standby takes them over"
	assert_line --index 2 --partial "rc 9: shutting down the server"
	rejoin "$active" "$standby"
	# Back where it ran: the next test pulls the cables of the standby node2.
	lab_exec "$standby" "$B/clpgrp -m failover1 -h $active"
	wait_for 120 online_on "$standby" "$active"
	wait_for 300 both_green
}

@test "every cable of the standby pulled, no resolution configured: both run failover1; plugged back, node2 (later in the policy) stops and shuts down (guide 2.12.9)" {
	local active standby console
	active=$(grp_on node1 | cut -d' ' -f2)
	standby=$(other "$active")
	console=$("$LAB" console node2)
	wait_for 300 both_green
	run_lab link "$standby" interconnect down
	run_lab link "$standby" mirror down
	wait_for 120 online_on "$standby" "$standby"
	online_on "$active" "$active" || fail "$active sees $(grp_on "$active")"
	run_lab link "$standby" interconnect up
	run_lab link "$standby" mirror up
	# node2 stops its cluster service (failover1 there stopped) and powers off.
	wait_for 180 stopped node2
	run grep -a -E 'CLPLAB: node2 shutdown begin \(poweroff\)' "$console"
	assert_success
	# Which server notices first is a race: node1 logs rc 71 only when it
	# sees node2's claim before node2 stopped the group. node2 always does.
	online_on node1 node1 || fail "node1 sees $(grp_on node1)"
	lab_exec node1 "mountpoint -q /mnt/md01 && ip -4 addr show dev eth0 | grep -q 198.18.1.100/24"
	run_lab start node2
	lab_exec node2 "grep -a -E 'rc (71|2|9): ' /opt/clpstack/log/clpmgrd.log | tail -n 3"
	assert_line --index 0 --partial "failover1 ran on node2 and node1 at once (a network partition, guide 2.12.9): node2, later in its policy, stops its cluster service and shuts down"
	assert_line --index 1 --partial "group failover1 stopped on node2"
	assert_line --index 2 --partial "shutting down the server"
	node_prepare node2
	daemon_start node2
	lab_exec node2 "$B/clpcl -s"
	wait_for 60 online_on node2 node1
	# The copies diverged: split brain, nothing copied until node1 is chosen.
	wait_for 60 bash -c "[ \"\$(\"$LAB\" exec node1 -- $B/clpmdstat --mirror md01 --json | jq -r .split_brain)\" = true ]"
	lab_exec node1 "$B/clpmdctrl --force node1 md01"
	wait_for 300 both_green
}

@test "clpcl -t -a stops the group and the cluster on both servers" {
	lab_exec node1 "$B/clpcl -t -a"
	for n in node1 node2; do
		lab_exec $n "! mountpoint -q /mnt/md01"
		lab_exec $n "ip -4 addr show | grep -c 198.18.1.100 || true"
		assert "$output" == "0" "fip1 gone from $n"
		lab_exec $n "$B/clpstat --json | jq -r '[.servers[].service] | join(\" \")'"
		assert "$output" == "stopped stopped" "cluster service on both, seen from $n"
	done
	lab_exec 5 node1 "$B/clpgrp -s failover1"
	assert_output --partial "not started"
}

@test "startup wait: a server starting alone waits; clpbwctrl -c ends the wait and the group starts; a second clpbwctrl -c fails" {
	lab_exec node1 "$B/clpcl -s"
	wait_for 60 waiting_on node1
	lab_exec node1 "$B/clpstat"
	assert_output --partial "waiting for the other servers"
	[ "$(grp_on node1)" = "offline null" ] || fail "failover1 started during the wait: $(grp_on node1)"
	lab_exec node1 "$B/clpbwctrl -c"
	assert_output --partial "startup wait cancelled on node1"
	wait_for 120 online_on node1 node1
	lab_exec 5 node1 "$B/clpbwctrl -c"
	assert_output --partial "the cluster is not waiting for the other servers at startup on node1"
	lab_exec node2 "$B/clpcl -s"
	wait_for 60 online_on node2 node1
	wait_for 300 both_green
}

@test "a failed activation moves the group to the next server (failoverthreshold 1); there it runs" {
	online_on node1 node1
	lab_exec node1 "$B/clpgrp -t failover1"
	lab_exec node1 "touch /run/exec1-fail"
	lab_exec node1 "$B/clpgrp -s failover1"
	assert_output --partial "failover1: activation failed on node1"
	assert_output --partial "exited with 3"
	assert_output --partial "failover1 started on node2"
	online_on node1 node2
	lab_exec node1 "! mountpoint -q /mnt/md01 && ! ip -4 addr show | grep -q 198.18.1.100"
	lab_exec node1 "grep -a -c 'rc 33: moving failover1 to node2 after the failed activation (1 of 1)' /opt/clpstack/log/clpmgrd.log"
	# Back on node1 once it can run it.
	lab_exec node1 "rm /run/exec1-fail"
	lab_exec node1 "$B/clpgrp -m failover1 -h node1"
	wait_for 30 online_on node2 node1
}

fip1_retries() { # the number of fip1's activation retries in node1's log
	"$LAB" exec node1 -- grep -a -c 'rc 31: failover1: retrying fip1 ' /opt/clpstack/log/clpmgrd.log || true
}
fip1_retried_after() { (($(fip1_retries) > $1)); }

@test "the floating address answered by another host: fip1 retried 1 s apart (5 by default); free again, failover1 starts" {
	local out=$BATS_TEST_TMPDIR n0 rc
	online_on node1 node1
	lab_exec node1 "$B/clpgrp -t failover1"
	# node2 holds the address outside the cluster (as a server on its way
	# down still does): node1's probe gets node2's answer.
	lab_exec node2 "ip addr add 198.18.1.100/24 dev eth0"
	n0=$(fip1_retries)
	("$LAB" exec node1 -- $B/clpgrp -s failover1 >"$out/start" 2>&1 && rc=0 || rc=$?
	 echo $rc >"$out/start.rc") &
	wait_for 60 fip1_retried_after "$n0"
	lab_exec node2 "ip addr del 198.18.1.100/24 dev eth0"
	wait
	echo "# clpgrp -s: exit $(cat "$out/start.rc"): $(cat "$out/start")" >&3
	assert "$(cat "$out/start.rc")" == 0 "clpgrp -s once the address is free"
	online_on node1 node1
	lab_exec node1 "grep -a 'rc 31: failover1: retrying fip1 ' /opt/clpstack/log/clpmgrd.log | tail -n +$((n0 + 1))"
	assert_output --partial "(1 of 5): fip1: 198.18.1.100 is already in use by another host (MAC"
	rc=$(grep -c 'retrying fip1' <<<"$output")
	((rc >= 1 && rc <= 5)) || fail "fip1 retried $rc times, 1 to 5 expected"
	lab_exec node1 "ip -4 addr show dev eth0 | grep -c 198.18.1.100/24"
	wait_for 30 fip_answers_from node2 node1
}

@test "a peer request signed for another destination is refused; signed for this one, answered" {
	local R="$D/peer-req.py node1 198.18.1.1 node2 198.18.1.2 /opt/clpstack/etc/cluster.key"
	lab_exec 1 node1 "$R '{\"op\": \"status\"}' node1"
	assert_output --partial "not signed with the cluster key"
	lab_exec node1 "$R '{\"op\": \"status\"}'"
	assert_output --partial '"server":"node2"'
}

# exec1's starts on both servers.
exec1_starts() {
	local n c=0
	for n in node1 node2; do
		c=$((c + $("$LAB" exec $n -- bash -c "cat /var/log/exec1.log 2>/dev/null | grep -c '^start'")))
	done
	echo "$c"
}

@test "one server starts a group: a start granted to another server or a running group refuses; two clpgrp -s at once start it once" {
	local R="$D/peer-req.py node2 198.18.1.2 node1 198.18.1.1 /opt/clpstack/etc/cluster.key"
	local rsv='{"op": "group-reserve", "group": "failover1"}' n starts winner loser
	local out=$BATS_TEST_TMPDIR
	online_on node1 node1
	wait_for 300 both_green
	lab_exec node2 "$R '$rsv'"
	assert_output --partial "failover1 is online on node1"
	lab_exec node1 "$B/clpgrp -t failover1"
	lab_exec node2 "$R '$rsv'"
	assert_output --partial "failover1 may start on node2"
	lab_exec 5 node1 "$B/clpgrp -s failover1"
	assert_output --partial "failover1 is being started on node2"
	lab_exec node2 "$R '{\"op\": \"group-release\", \"group\": \"failover1\"}'"
	assert_output --partial "released"
	[ "$(grp_on node1)" = "offline null" ] || fail "failover1 after the refused start: $(grp_on node1)"
	# Both servers at once: one starts it, the other refuses.
	starts=$(exec1_starts)
	for n in node1 node2; do
		# (set -e: the status is kept, not acted on)
		("$LAB" exec $n -- $B/clpgrp -s failover1 >"$out/$n" 2>&1 && rc=0 || rc=$?
		 echo $rc >"$out/$n.rc") &
	done
	wait
	for n in node1 node2; do
		echo "# $n: exit $(cat "$out/$n.rc"): $(cat "$out/$n")" >&3
		[ "$(cat "$out/$n.rc")" = 0 ] && winner=$n || loser=$n
	done
	[ -n "$winner" ] && [ -n "$loser" ] || fail "exactly one clpgrp -s succeeds (node1: $(cat "$out/node1.rc"), node2: $(cat "$out/node2.rc"))"
	assert "$(cat "$out/$loser.rc")" == 5 "exit status of the refused clpgrp -s on $loser"
	assert_match "$(cat "$out/$loser")" "being started on $winner|already running on $winner|$winner started it at the same time|is (starting|online) on $winner" "why $loser refused"
	wait_for 60 online_on node1 "$winner"
	online_on node2 "$winner" || fail "node2 sees $(grp_on node2)"
	assert "$(exec1_starts)" == "$((starts + 1))" "exec1 started once on the two servers"
	lab_exec "$loser" "! mountpoint -q /mnt/md01"
	if [ "$winner" = node2 ]; then
		lab_exec node1 "$B/clpgrp -m failover1 -h node1"
		wait_for 30 online_on node2 node1
	fi
}

@test "the kernel logs are clean" {
	dmesg_clean node1
	dmesg_clean node2
}
