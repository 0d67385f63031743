#!/usr/bin/env bats
# The virtual lab itself (scripts/lab): boot, exec, disks, networks, cable
# pulls, power cuts, reboots, bad input and teardown, on one 2-node lab.

load helpers

setup_file() {
	skip_if_no_lab || return 0
	export CLPLAB_NAME=t$$-00
	export STATE=${CLPLAB_DIR:-/var/tmp/clplab}/$CLPLAB_NAME
	run_lab up --name "$CLPLAB_NAME"
}

teardown_file() {
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

# ping_ok FROM HOST: one ping from node FROM to HOST answers.
ping_ok() {
	lab_exec "$1" "ping -c 1 -W 2 $2"
}

boots_above() { # boots_above NODE N
	(($("$LAB" boots "$1") > $2))
}

@test "up booted two nodes that answer, with their names and addresses" {
	run_lab status
	assert_match "$output" "^node1 running interconnect=198\.18\.1\.1 mirror=198\.18\.2\.1 boots=1$"
	assert_match "$output" "^node2 running interconnect=198\.18\.1\.2 mirror=198\.18\.2\.2 boots=1$"
	assert "$(wc -l <<<"$output")" == 2 "status lines"
	for n in 1 2; do
		lab_exec node$n hostname
		assert "$output" == "node$n" "hostname of node$n"
		lab_exec node$n "ip -4 -o addr show eth0; ip -4 -o addr show eth1"
		assert_match "$output" "eth0 +inet 198\.18\.1\.$n/24"
		assert_match "$output" "eth1 +inet 198\.18\.2\.$n/24"
	done
	lab_exec node1 "getent hosts node2 node2-mirror"
	assert_match "$output" "^198\.18\.1\.2 +node2"
	assert_match "$output" "^198\.18\.2\.2 +node2-mirror"
}

@test "exec passes the exit status, stdout and stderr through separately" {
	run --separate-stderr "$LAB" exec node1 'echo out; echo err >&2; exit 7'
	assert "$status" == 7 "exit status"
	assert "$output" == out "stdout"
	assert "$stderr" == err "stderr"
	run --separate-stderr "$LAB" exec node1 -- printf '%s|' 'a b' '$HOME'
	assert "$status" == 0 "exit status of an argv"
	assert "$output" == 'a b|$HOME|' "an argv is not split nor expanded"
	run "$LAB" exec node2 'kill -KILL $$'
	assert "$status" == 137 "exit status of a command killed by SIGKILL"
	run bash -c "echo from-stdin | '$LAB' exec node2 -i cat"
	assert "$output" == from-stdin "stdin with -i"
	run --separate-stderr "$LAB" exec node1 --timeout 2 'sleep 60'
	assert "$status" == 255 "exit status when the command times out"
	assert_contains "$stderr" "no result within 2 s"
	lab_exec 1 node1 "pgrep -x sleep -a | grep -v 3600"
}

@test "the project tree is visible at the same path, and host changes show" {
	lab_exec node1 "md5sum $REPO/scripts/lab"
	assert "$output" == "$(md5sum "$REPO/scripts/lab")" "checksum of scripts/lab in node1"
	echo "written on the host $$" >"$STATE/probe"
	lab_exec node2 "cat $STATE/probe"
	assert "$output" == "written on the host $$" "a host file written after boot"
	lab_exec node2 "echo x > $REPO/.lab-probe-$$"
	run ls "$REPO/.lab-probe-$$"
	assert "$status" != 0 "a file the node wrote in the tree is on the node only"
	lab_exec node2 "rm $REPO/.lab-probe-$$"
}

@test "each node has its root disk and a partitioned mirror disk" {
	local img want
	img=$("$LAB" disk node1)
	assert "$img" == "$STATE/node1/mirror.img" "disk node1"
	assert "$(stat -c %s "$img")" == $((2 << 30)) "size of the mirror image"
	want=$(sfdisk -d "$img" | sed -n 's/.*img2 : .*size= *\([0-9]*\),.*/\1/p')
	for n in 1 2; do
		lab_exec node$n "blockdev --getsize64 /dev/vda /dev/vdb /dev/vdb1 /dev/vdb2"
		assert "$output" == "$((4 << 30))"$'\n'"$((2 << 30))"$'\n'"$((64 << 20))"$'\n'"$((want * 512))" \
			"sizes of vda vdb vdb1 vdb2 on node$n"
	done
	lab_exec node1 "findmnt -n -o FSTYPE /"
	assert "$output" == overlay "root file system"
}

@test "nodes reach each other on both networks" {
	ping_ok node1 node2
	ping_ok node1 node2-mirror
	ping_ok node2 198.18.1.1
	ping_ok node2 198.18.2.1
}

@test "link down cuts one network only, link up restores it" {
	run_lab link node2 mirror down
	run_lab status
	assert_match "$output" "^node2 running .* links-down=mirror$"
	lab_exec 1 node1 "ping -c 2 -W 1 node2-mirror"
	ping_ok node1 node2
	run_lab link node2 mirror up
	wait_for 20 ping_ok node1 node2-mirror
	run_lab status
	assert_match "$output" "^node2 running [^ ]* [^ ]* boots=1$"
}

# image_block NODE MIB: md5 of the 4 KiB at MIB MiB of NODE's mirror disk image.
image_block() {
	dd if="$("$LAB" disk "$1")" bs=4096 skip=$(($2 * 256)) count=1 status=none | md5sum | cut -d' ' -f1
}

@test "a power cut stops a node at once, drops the mirror disk's unflushed writes; start boots it with its disk as it was" {
	local zero flushed unflushed
	lab_exec node1 "echo kept-$$ > /root/lab-cut-test && sync"
	lab_exec node1 "echo lost-$$ > /root/lab-cut-unsynced"
	# On the mirror disk (the write log): a direct write followed by a
	# flush (fsync of the block device) is stable; one without, completed
	# as far as the node could see, was still in the disk's cache.
	zero=$(image_block node1 100)
	lab_exec node1 "head -c 4096 /dev/urandom > /tmp/f.bin && head -c 4096 /dev/urandom > /tmp/u.bin"
	flushed=$("$LAB" exec node1 -- md5sum /tmp/f.bin | cut -d' ' -f1)
	unflushed=$("$LAB" exec node1 -- md5sum /tmp/u.bin | cut -d' ' -f1)
	lab_exec node1 "dd if=/tmp/f.bin of=/dev/vdb bs=4096 seek=$((100 * 256)) oflag=direct conv=fsync status=none"
	lab_exec node1 "dd if=/tmp/u.bin of=/dev/vdb bs=4096 seek=$((101 * 256)) oflag=direct status=none"
	assert "$(image_block node1 101)" == "$unflushed" "the completed write reached the image before the cut"
	# A command running when the power goes: exit 255 and a clear message.
	"$LAB" exec node1 'sleep 300' >"$BATS_FILE_TMPDIR/exec.out" 2>&1 &
	local execpid=$!
	wait_for 30 lab_exec node1 "pgrep -x sleep -a | grep -q 'sleep 300'"
	run_lab cut node1
	assert_match "$output" "mirror disk: kept [1-9][0-9]* writes .* dropped [1-9][0-9]* writes" "the cut replayed the write log"
	assert "$(image_block node1 100)" == "$flushed" "the flushed write survived the cut"
	assert "$(image_block node1 101)" == "$zero" "the unflushed write was lost with the power"
	run_lab status
	assert_match "$output" "^node1 stopped "
	assert_match "$output" "^node2 running "
	local rc=0
	wait "$execpid" || rc=$?
	assert "$rc" == 255 "exit status of exec when the node is cut"
	assert_contains "$(cat "$BATS_FILE_TMPDIR/exec.out")" "node1 stopped"
	run_lab 255 exec node1 true
	assert_contains "$output" "node1 is not running"
	run_lab start node1
	run_lab status
	assert_match "$output" "^node1 running .* boots=2$"
	lab_exec node1 "cat /root/lab-cut-test"
	assert "$output" == "kept-$$" "synced file after the power cut"
	wait_for 20 ping_ok node2 node1-mirror
	ping_ok node1 node2
}

@test "a start that gives up on the boot marks the node: exec refuses it at once until wait sees it up" {
	run_lab cut node1
	# No node boots in 1 s: start gives up, the node is left running.
	CLPLAB_BOOT_TIMEOUT=1 run_lab 1 start node1
	assert_match "$output" "node1 did not answer within 1 s; see its console log"
	run_lab status
	assert_match "$output" "^node1 boot-failed "
	# Refused at once (the exec timeout would be minutes), naming why.
	CLPLAB_EXEC_TIMEOUT=300 run_lab 255 exec node1 true
	assert_match "$output" "node1 did not come up \(no answer within 1 s of its last start"
	run_lab wait node1
	run_lab status
	assert_match "$output" "^node1 running "
	lab_exec node1 true
	wait_for 20 ping_ok node2 node1-mirror
}

@test "a reboot in a node runs the shutdown hooks and is counted" {
	local before
	before=$("$LAB" boots node2)
	lab_exec node2 "printf '%s\n' 'echo hook-ran-\$1' > /run/clplab/shutdown.d/50-test.sh"
	lab_exec node2 reboot
	wait_for 120 boots_above node2 "$before"
	run_lab wait node2
	assert "$("$LAB" boots node2)" == $((before + 1)) "boots of node2"
	run_lab status
	assert_match "$output" "^node2 running .* boots=$((before + 1))$"
	assert_contains "$(cat "$("$LAB" console node2)")" "hook-ran-reboot"
	lab_exec node2 "test ! -e /run/clplab/shutdown.d/50-test.sh"
	ping_ok node2 node1
}

@test "bad input is refused with a message naming it, and changes nothing" {
	run_lab 2 exec node9 true
	assert_contains "$output" "unknown node 'node9'"
	run_lab 2 link node1 wlan0 down
	assert_contains "$output" "unknown network 'wlan0'"
	run_lab 2 link node1 mirror
	assert_contains "$output" "missing 'down' or 'up'"
	run_lab 2 link node1 mirror sideways
	assert_contains "$output" "bad word 'sideways'"
	run_lab 2 exec node1
	assert_contains "$output" "missing command"
	run_lab 2 frobnicate
	assert_contains "$output" "unknown command 'frobnicate'"
	run_lab 2 cut
	assert_contains "$output" "missing NODE"
	run_lab 2 up --nodes 0
	assert_contains "$output" "'0'"
	run_lab 1 up --name "$CLPLAB_NAME"
	assert_contains "$output" "already up"
	CLPLAB_NAME=t$$-none run_lab 1 status
	assert_contains "$output" "lab 't$$-none' is not up"
	run_lab status
	assert_match "$output" "^node1 running .*boots=2$"
	assert_match "$output" "^node2 running .*boots=2$"
}

@test "the kernel logs are clean" {
	dmesg_clean node1
	dmesg_clean node2
}

@test "down stops every node and removes the lab's files" {
	run_lab down
	assert "$(grep -lsFf <(echo "$STATE/") /proc/[0-9]*/cmdline)" == "" \
		"processes with the lab's state dir in their command line"
	run ls -d "$STATE"
	assert "$status" != 0 "the state dir is gone"
	run_lab 1 status
	assert_contains "$output" "is not up"
}
