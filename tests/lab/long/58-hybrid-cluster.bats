#!/usr/bin/env bats
# Hybrid disks under the cluster service (Documentation/hybrid.md, "The
# cluster service"): the hybrid lab (node1 and node2 share one disk, server
# group svg1; node3 has its own, svg2) with failover1 = hd1 on node1, then
# node2, then node3. The current server of svg1 holds the lease on the
# shared cluster partition and alone has /dev/NMP1; it mirrors to node3. A
# power cut of node1 during committed writes: node2 takes the lease,
# failover1 comes up there from the shared disk with no copy, every commit
# there, and node3 mirrors from node2. clphdctrl runs on a group's current
# server only (a break and a recovery on node2). Then a site failover: node1 and
# node2 cut at once, failover1 comes up on node3 with every commit; the
# site back, its new current server recovers from node3. A stray resource
# in the waiting member's driver is removed; three rounds of cuts inside
# svg1, both members sampled all along: never both with hd1.

# suite-timeout: 2100

load ../helpers
load ../md-helpers
load ../cluster-helpers
load hybrid

HCONF=$REPO/tests/lab/cluster/clp-hybrid.conf

setup_file() {
	skip_if_no_lab || return 0
	make -s -C "$REPO/userland" >&2
	make -s -C "$REPO/tests/lab/tools" >&2
	export CLPLAB_NAME=t$$-58
	local n key=$BATS_FILE_TMPDIR/cluster.key
	head -c 32 /dev/urandom >"$key"
	run_lab up --hybrid --name "$CLPLAB_NAME" --disk-size 128M
	for n in node1 node2 node3; do
		"$LAB" exec $n -i -- bash -c "mkdir -p /opt/clpstack/etc && cat >/opt/clpstack/etc/cluster.key && chmod 600 /opt/clpstack/etc/cluster.key" <"$key"
		hd_prepare $n
	done
	# One initialisation per disk: svg1's shared one, node3's own.
	lab_exec node1 "$B/clphdinit --create force hd1"
	lab_exec node3 "$B/clphdinit --create force hd1"
	for n in node1 node2 node3; do
		daemon_start $n
	done
}

teardown() {
	cluster_logs_on_failure node1 node2 node3
}

teardown_file() {
	local n
	if [ -n "${CLP_TEST_LOGS:-}" ]; then
		mkdir -p "$CLP_TEST_LOGS"
		for n in node1 node2 node3; do
			"$LAB" exec $n -- cat /opt/clpstack/log/clpmgrd.log >"$CLP_TEST_LOGS/$n-clpmgrd.log" 2>&1
			cp "$("$LAB" console $n)" "$CLP_TEST_LOGS/$n-console.log" 2>/dev/null
		done
	fi
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

# hd_prepare NODE: the suite's clp.conf (keyed), the three modules.
hd_prepare() {
	lab_exec "$1" "mkdir -p /opt/clpstack/etc && sed -e 's|@SYNCTIME@|120|' -e '$KEYED' $HCONF > $CONF && sync && $B/clpmgrd --check"
	lab_exec "$1" "for m in liscal clpkhb clpka; do grep -q \"^\$m \" /proc/modules || insmod $K/\$m/\$m.ko; done; grep -cE '^(liscal|clpkhb|clpka) ' /proc/modules"
	assert "$output" == "3" "modules loaded on $1"
}

current_event() { # current_event NODE: NODE logged that it is svg1's or svg2's current server
	"$LAB" exec "$1" -- grep -aq "$1 is the current server of svg" /opt/clpstack/log/clpmgrd.log
}

@test "clpcl -s -a: node1 is svg1's current server and runs failover1 (hd1 mounted); node2 has no NMP1; node3 mirrors with node1" {
	lab_exec node1 "$B/clpcl -s -a"
	wait_for 240 online_on node1 node1
	lab_exec node1 "mountpoint -q /mnt/hd1"
	wait_for 30 current_event node1
	wait_for 30 current_event node3
	assert "$(sysattr node2 role)" == absent "NMP1 on node2, not current"
	wait_for 300 mirrors node1 node3
	lab_exec node2 "grep -a 'node1 is the current server of svg1' /opt/clpstack/log/clpmgrd.log || grep -a 'waits' /opt/clpstack/log/clpmgrd.log"
	assert_output --partial "hd1: node1 is the current server of svg1: node2 waits"
	online_on node3 node1
}

@test "power cut of node1 during SQLite commits: node2 takes svg1's lease and failover1 from the shared disk, no copy, every commit there; node3 mirrors from node2" {
	local console last
	online_on node1 node1
	lab_exec node1 "setsid -f python3 $D/sqlite-writer.py /mnt/hd1/app.db 1 </dev/null >/dev/null 2>&1"
	console=$("$LAB" console node1)
	wait_for 60 bash -c "grep -a -c 'COMMITTED 1 ' '$console' | awk '\$1 >= 20 { ok = 1 } END { exit !ok }'"
	run_lab cut node1
	last=$(grep -a -o "COMMITTED 1 [0-9]*" "$console" | tail -n 1 | awk '{print $3}')
	echo "# node1 cut after commit $last" >&3
	wait_for 180 online_on node2 node2
	wait_for 30 current_event node2
	lab_exec node2 "python3 $D/sqlite-check.py /mnt/hd1/app.db 1 $last"
	echo "# $output" >&3
	wait_for 120 online_on node3 node2
	wait_for 300 mirrors node2 node3
	# The shared disk held the data: node2's handshake with node3 found
	# the copies in sync or a differential recovery, never a full copy.
	lab_exec node2 "dmesg | grep -a 'hd1: connected to node 1 (198.18.2.3)' | tail -n 1"
	echo "# node2: $output" >&3
	assert_match "$output" "in sync|\(differential\)"
}

@test "node1 back: it waits (node2 is current); failover1 stays on node2; node3 still mirrors from node2" {
	run_lab start node1
	hd_prepare node1
	daemon_start node1
	lab_exec node1 "$B/clpcl -s"
	wait_for 120 online_on node1 node2
	wait_for 60 "$LAB" exec node1 -- grep -aq "node2 is the current server of svg1: node1 waits" /opt/clpstack/log/clpmgrd.log
	assert "$(sysattr node1 role)" == absent "NMP1 on node1, not current"
	mirrors node2 node3
	lab_exec node2 "python3 $D/sqlite-check.py /mnt/hd1/app.db 1 1"
	# clphdstat on each side.
	lab_exec node2 "$B/clphdstat -a --mirror hd1 --json | jq -r '[.current, .mirror_status, .groups[0].current_server, .groups[0].colour, .groups[1].current_server, .groups[1].colour] | join(\" \")'"
	assert "$output" == "true Normal node2 GREEN node3 GREEN" "clphdstat on node2"
	lab_exec node1 "$B/clphdstat --mirror hd1"
	assert_contains "$output" "Runs on node2, the current server of svg1"
}

@test "mirror statistics of hd1: perf/disk/nmp1.cur sampled on the current servers (node2, node3); node1, waiting, logs no failure for it" {
	local n
	for n in node2 node3; do
		perf_file_ok $n
	done
	lab_exec node1 "grep -a -c 'mirror 27: ' /opt/clpstack/log/clpmgrd.log || true"
	assert "$output" == 0 "statistics failures logged on node1"
}

colour_is() { [ "$(sysattr "$1" colour)" = "$2" ]; } # colour_is NODE COLOUR
# MD5 of NODE's data partition (the shared disk's on node1 and node2), O_DIRECT.
data_md5() {
	"$LAB" exec "$1" -- sh -c "dd if=/dev/vdb2 bs=1M iflag=direct status=none | md5sum" | cut -d' ' -f1
}

@test "clphdctrl: refused on node1 naming node2 (svg1's current server); on node2 a break, writes, then a recovery that brings node3 exactly node2's data" {
	local ref
	mirrors node2 node3
	run "$LAB" exec node1 -- "$B/clphdctrl" --break hd1
	assert "$status" == "5" "exit status of clphdctrl --break on node1"
	assert_contains "$output" "hd1: node2 is the current server of svg1, not node1: run clphdctrl there"
	mirrors node2 node3
	lab_exec node2 "$B/clphdctrl --break hd1"
	assert_contains "$output" "mirror break done"
	lab_exec node2 "head -c 4M /dev/urandom > /mnt/hd1/after-break && sync"
	wait_for 60 colour_is node3 RED
	# node3, svg2's current server, runs clphdctrl too: its RED copy is
	# not activated, with the hybrid disk command's advice.
	run "$LAB" exec node3 -- "$B/clphdctrl" --active hd1
	assert "$status" == "5" "exit status of clphdctrl --active on node3's RED copy"
	assert_contains "$output" "this server's copy is RED"
	assert_contains "$output" "clphdctrl --"
	# The reference: node2's data, its file system frozen until compared.
	lab_exec node2 "fsfreeze -f /mnt/hd1"
	ref=$(data_md5 node2)
	assert "$(data_md5 node3)" != "$ref" "node3 misses the writes made during the break"
	lab_exec node2 "$B/clphdctrl --recovery hd1"
	assert_match "$output" "mirror recovery (started|is running)"
	wait_for 300 mirrors node2 node3
	assert "$(data_md5 node3)" == "$ref" "node3's data partition after the recovery: node2's"
	assert "$(data_md5 node1)" == "$ref" "node1 reads the same shared disk"
	lab_exec node2 "fsfreeze -u /mnt/hd1"
	online_on node2 node2
}

@test "site failover: node1 and node2 cut at once during SQLite commits on node2; failover1 comes up on node3 with every commit; svg1 back, its new current server recovers from node3" {
	local console last cur
	online_on node2 node2
	lab_exec node2 "setsid -f python3 $D/sqlite-writer.py /mnt/hd1/app.db 2 </dev/null >/dev/null 2>&1"
	console=$("$LAB" console node2)
	wait_for 60 bash -c "grep -a -c 'COMMITTED 2 ' '$console' | awk '\$1 >= 20 { ok = 1 } END { exit !ok }'"
	run_lab cut node2
	run_lab cut node1
	last=$(grep -a -o "COMMITTED 2 [0-9]*" "$console" | tail -n 1 | awk '{print $3}')
	echo "# node1 and node2 cut after commit $last" >&3
	wait_for 180 online_on node3 node3
	lab_exec node3 "python3 $D/sqlite-check.py /mnt/hd1/app.db 2 $last"
	echo "# $output" >&3
	# The site comes back: one of its servers becomes current, connects to
	# node3 and receives what node3 wrote alone.
	run_lab start node1
	run_lab start node2
	for n in node1 node2; do
		hd_prepare $n
		daemon_start $n
	done
	lab_exec node1 "$B/clpcl -s"
	lab_exec node2 "$B/clpcl -s"
	wait_for 120 online_on node1 node3
	wait_for 120 node3_connected
	cur=$(svg1_current)
	echo "# svg1's current server after the site came back: $cur" >&3
	assert "$cur" != none "node3's peer"
	wait_for 300 mirrors "$cur" node3
	assert "$(sysattr "$(other "$cur")" role)" == absent "NMP1 on the member that is not current"
	lab_exec node3 "echo after-site-failover > /mnt/hd1/f && sync"
}

@test "a stray hd1 in the driver of svg1's member that is not current (as a daemon that stopped with it active and came back after a takeover leaves it) is removed by its agent; the mirror and failover1 go on" {
	local cur o n
	cur=$(svg1_current)
	o=$(other "$cur")
	n=${o#node}
	lab_exec "$o" "$REPO/tests/host/bin/liscal-nl create hd1 1 /dev/vdb2 /dev/vdb1 0 198.18.2.$n:29051 198.18.2.3:29051"
	wait_for 30 eval '[ "$(sysattr '"$o"' role)" = absent ]'
	lab_exec "$o" "grep -a 'hybrid 25: ' /opt/clpstack/log/clpmgrd.log"
	assert_output --partial "hd1: in the driver of $o while $cur holds the lease of svg1: removed"
	wait_for 60 mirrors "$cur" node3
	online_on node3 node3
}

# present NODE: hd1 is in NODE's driver (NMP1 with a role); a node that is
# down or has no NMP1 is not.
present() {
	case "$("$LAB" exec "$1" -- cat /sys/block/NMP1/liscal/role 2>/dev/null)" in
	active | standby) return 0 ;;
	*) return 1 ;;
	esac
}
# sample_both FILE: until FILE.stop exists, one line a sample: node1,
# node2, node1 again (taken one after the other), 1 for present; a line
# "1 1 1" means both had hd1 in their driver at node2's sample.
sample_both() {
	local a b c
	while [ ! -e "$1.stop" ]; do
		a=0 b=0 c=0
		present node1 && a=1
		present node2 && b=1
		present node1 && c=1
		echo "$a $b $c" >>"$1"
	done
}

@test "races: three rounds of a power cut of svg1's current server, the other taking over, the cut one restarted; both sampled all along, never both with hd1 in their driver" {
	local r cur o from f=$BATS_FILE_TMPDIR/both.samples
	: >"$f"
	sample_both "$f" 3>&- &
	local sampler=$!
	for r in 1 2 3; do
		cur=$(svg1_current)
		o=$(other "$cur")
		echo "# round $r: $cur cut, $o takes over" >&3
		run_lab cut "$cur"
		wait_for 180 eval '[ "$(svg1_current)" = '"$o"' ]'
		wait_for 120 mirrors "$o" node3
		run_lab start "$cur"
		hd_prepare "$cur"
		lab_exec "$cur" "cat /opt/clpstack/log/clpmgrd.log 2>/dev/null | wc -l"
		from=$((output + 1))
		daemon_start "$cur"
		lab_exec "$cur" "$B/clpcl -s"
		wait_for 60 "$LAB" exec "$cur" -- sh -c "tail -n +$from /opt/clpstack/log/clpmgrd.log | grep -aq '$o is the current server of svg1: $cur waits'"
		assert "$(sysattr "$cur" role)" == absent "NMP1 on $cur, restarted while $o is current"
	done
	touch "$f.stop"
	wait "$sampler"
	echo "# $(wc -l <"$f") samples; with hd1 in node1's, node2's, both drivers: $(awk '$1 && $3 { a++ } $2 { b++ } $1 && $2 && $3 { c++ } END { print a + 0 ", " b + 0 ", " c + 0 }' "$f")" >&3
	# one sample takes three lab execs (about 3 s): a few dozen a round
	assert "$(wc -l <"$f")" -ge 30 "samples taken"
	assert "$(grep -c '^1 1 1$' "$f" || true)" == 0 "samples with hd1 in both drivers"
	# each member had it while current
	assert "$(awk '$1 && $3 { a++ } $2 { b++ } END { print (a > 0 && b > 0) }' "$f")" == 1 "both members seen current in turn"
	online_on node3 node3
}

@test "kernel logs clean" {
	for n in node1 node2 node3; do
		dmesg_clean $n
	done
}
