# SPDX-License-Identifier: GPL-2.0
# Helpers of the guide's procedure suites (tests/lab/long/6*-*.bats, 7*-*.bats, 8*-*.bats,
# make check-procedures), loaded after ../helpers with "load procedures".
# Two nodes with systemd as PID 1 (lab up --systemd), clpstack installed in
# each with make install and the cluster suite's clp.conf (failover1 = md01
# + exec1 + fip1; md01: fullcopy 1, mkfs 1), autostart enabled, failover1
# online on node1, the mirror GREEN on both: the cluster an administrator
# starts the procedures from.
# shellcheck disable=SC2154 # REPO, LAB: from helpers.bash
# shellcheck disable=SC2034 # used by the suites

P=/opt/clpstack
B=$P/bin
CONF=$P/etc/clp.conf
MNT=/mnt/md01
PROCLOG=/var/log/clp-procedure.log

# Each suite's lab: t<pid>-<its number>, the cluster above, taken down at
# the end.
setup_file() {
	local f=${BATS_TEST_FILENAME##*/}
	skip_if_no_lab || return 0
	[ -x /lib/systemd/systemd ] || file_skip "the systemd lab needs /lib/systemd/systemd (scripts/deps)" || return 0
	export CLPLAB_NAME=t$$-${f%%-*}
	procedures_lab_up
}

teardown_file() {
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

# procedures_lab_up: the lab and the cluster above. A suite may set
# PROC_DISK_SIZE (the lab disk, 128M), PROC_CONF_SED (more sed commands for
# its clp.conf) and define proc_prepare_node NODE (run on each node before
# the installation, e.g. LVM on /dev/vdb2).
procedures_lab_up() {
	local n
	run_lab up --nodes 2 --name "$CLPLAB_NAME" --disk-size "${PROC_DISK_SIZE:-128M}" --systemd
	for n in node1 node2; do
		if declare -F proc_prepare_node >/dev/null; then
			proc_prepare_node $n
		fi
		lab_exec $n "sed 's|@SYNCTIME@|120|; ${PROC_CONF_SED:-}' $REPO/tests/lab/cluster/clp.conf >/tmp/clp.conf && make -C $REPO install CONF=/tmp/clp.conf >/var/log/clp-install.log 2>&1 || { tail -n 20 /var/log/clp-install.log; exit 1; }"
		lab_exec $n "cp $REPO/tests/lab/cluster/exec1-*.sh $P/scripts/ && systemctl daemon-reload"
		lab_exec $n "insmod $P/drivers/liscal.ko && $B/clpmdinit --create force md01 && rmmod liscal"
	done
	for n in node1 node2; do
		lab_exec $n "$B/clpsvcctrl.sh --enable -a >/dev/null && systemctl start --no-block clpstack-core.service"
	done
	wait_for 300 online_on node1 node1
	wait_for 300 both_green
}

# "<state> <current>" of failover1 as NODE's clpstat shows it.
grp_on() {
	"$LAB" exec "$1" -- bash -c "$B/clpstat --json | jq -r '.groups[] | select(.name == \"failover1\") | .state + \" \" + (.current // \"-\")'"
}
online_on() { [ "$(grp_on "$1")" = "online $2" ]; }
offline_on() { [ "$(grp_on "$1")" = "offline -" ]; }
hb_down_on() { # hb_down_on VIEWER NODE: VIEWER's heartbeat declared NODE down
	[ "$("$LAB" exec "$1" -- bash -c "$B/clpstat --json | jq -r '.servers[] | select(.name == \"$2\") | .heartbeat'")" = down ]
}
service_is() { # service_is NODE started|stopped: NODE's own cluster service
	[ "$("$LAB" exec "$1" -- bash -c "$B/clpstat --json | jq -r '.servers[] | select(.name == \"$1\") | .service'")" = "$2" ]
}

# "<own colour> <other's colour> <mirror status>" of md01 seen from NODE.
colours() {
	"$LAB" exec "$1" -- bash -c "$B/clpmdstat --mirror md01 --json | jq -r '([.servers[] | select(.local)][0].colour) + \" \" + ([.servers[] | select(.local | not)][0].colour) + \" \" + .mirror_status'"
}
both_green() {
	[ "$(colours node1)" = "GREEN GREEN Normal" ] && [ "$(colours node2)" = "GREEN GREEN Normal" ]
}
backup_mode() { # backup_mode NODE: on|off|unknown (clpmdstat)
	"$LAB" exec "$1" -- bash -c "$B/clpmdstat --mirror md01 --json | jq -r .backup_mode"
}
autostart_is() { # autostart_is NODE enabled|disabled: the cluster service's
	lab_exec '?' "$1" "systemctl is-enabled clpstack-core.service"
	assert "$output" == "$2" "autostart of the cluster service on $1"
}

# The procedure's own test files on md01 (mounted where failover1 runs).
write_file() { # write_file NODE NAME
	lab_exec "$1" "echo \"$2 written at \$(date +%s.%N)\" >$MNT/$2 && sync -f $MNT/$2 && cat $MNT/$2"
}
# After a restore: the file written before the backup is there, the one
# written after it is not.
assert_restored() { # assert_restored NODE
	lab_exec "$1" "mountpoint -q $MNT && cat $MNT/before-backup"
	assert_match "$output" "^before-backup written at"
	lab_exec '?' "$1" "test -e $MNT/after-backup"
	assert "$status" == 1 "after-backup exists on $1 after the restore"
}

boots_above() { (($("$LAB" boots "$1") > $2)); }

# in_background NODE CMD: run CMD on NODE detached, its output and exit
# status in $PROCLOG (read with proc_log): for the commands that shut the
# node down or reboot it, whose exec would otherwise lose its answer.
in_background() {
	lab_exec "$1" "rm -f $PROCLOG; setsid -f bash -c '$2 >$PROCLOG 2>&1; echo \"exit \$?\" >>$PROCLOG; sync $PROCLOG' </dev/null >/dev/null 2>&1"
}
proc_log() { # proc_log NODE: $output = the log, asserting that it ends in exit 0
	lab_exec "$1" "cat $PROCLOG"
	assert_match "$output" $'(^|\n)exit 0$'
}

# shut_down NODE CMD: CMD shuts NODE down; waits until its qemu is gone.
shut_down() {
	in_background "$1" "$2"
	wait_for 240 stopped "$1"
}
# units_inactive NODE UNIT...: each UNIT (clpstack-core, clpstack-mgr) is
# not running on NODE (after a boot with it disabled).
units_inactive() {
	local node=$1 u
	shift
	for u in "$@"; do
		lab_exec '?' "$node" "systemctl is-active $u.service"
		assert "$output" == inactive "$u after the boot on $node"
	done
}
# stdn_both: clpstdn on node1 shuts both servers down; waits until both
# are off.
stdn_both() {
	in_background node1 "$B/clpstdn"
	wait_for 240 stopped node2
	wait_for 240 stopped node1
}
# stdn_then_start UNIT...: stdn_both (the cluster services disabled
# before); both started again, each UNIT inactive after the boot.
stdn_then_start() {
	local n
	stdn_both
	for n in node1 node2; do
		run_lab start $n
		units_inactive $n "$@"
	done
}
# new_disk_in NODE [--unpartitioned]: the disk replacements' steps 1-3
# (2.14.1-2.14.3): NODE's daemons disabled (clpsvcctrl.sh --disable core
# mgr), NODE shut down, a new mirror disk (lab new-disk, partitioned as
# the lab's or not at all), NODE started without either clpstack service.
new_disk_in() {
	lab_exec "$1" "$B/clpsvcctrl.sh --disable core mgr"
	shut_down "$1" poweroff
	run_lab new-disk "$@"
	run_lab start "$1"
	units_inactive "$1" clpstack-core clpstack-mgr
	lab_exec '?' "$1" "test -b /dev/vdb1"
	if [ "${2:-}" = --unpartitioned ]; then
		assert "$status" == 1 "a partition on $1's new disk"
	else
		assert "$status" == 0 "the partitions of $1's new disk"
	fi
}
# enable_reboot_both ARG...: clpsvcctrl.sh --enable ARG... on both
# servers (autostart enabled), both rebooted at once, the cluster service
# started on both.
enable_reboot_both() {
	local n
	for n in node1 node2; do
		lab_exec $n "$B/clpsvcctrl.sh --enable $*"
		autostart_is $n enabled
	done
	reboot_both reboot
	for n in node1 node2; do
		wait_for 180 service_is $n started
	done
}
# addresses_of NODE: its IPv4 addresses, one "interface address" a line.
addresses_of() {
	lab_exec "$1" "ip -o -4 addr show | awk '{ print \$2, \$4 }' | sort"
}
# start_new_server NODE ADDRS: the new server (lab new-root) started: the
# failed one's host name and addresses (ADDRS: addresses_of before), no
# clpstack yet.
start_new_server() {
	run_lab start "$1"
	lab_exec "$1" "hostname"
	assert "$output" == "$1" "the new server's host name"
	addresses_of "$1"
	assert "$output" == "$2" "the new server's addresses"
	lab_exec '?' "$1" "test -e $P/bin/clpmgrd || test -e /lib/systemd/system/clpstack-core.service"
	assert "$status" == 1 "clpstack on the new server before its installation"
}
# install_new_server NODE: "install the EXPRESSCLUSTER Server" on NODE
# (a blank system layer: lab new-root) with make install, then the
# restart the installation asks for.
install_new_server() {
	lab_exec "$1" "make -C $REPO install >/var/log/clp-install.log 2>&1 || { tail -n 20 /var/log/clp-install.log; exit 1; }"
	reboots "$1" reboot
	lab_exec "$1" "test -x $B/clpmgrd && systemctl cat clpstack-core.service >/dev/null"
}
# upload_configuration NODE: Cluster WebUI's upload of the configuration:
# node1's clp.conf and the group's scripts on NODE, and its services
# enabled (a server joins the cluster once its clp.conf is written,
# Documentation/install.md). The restart is the caller's.
upload_configuration() {
	"$LAB" exec node1 -- cat "$CONF" >"$BATS_FILE_TMPDIR/clp.conf"
	run_lab exec "$1" -i -- bash -c "cat >$CONF && $B/clpmgrd --check" <"$BATS_FILE_TMPDIR/clp.conf"
	lab_exec "$1" "cp $REPO/tests/lab/cluster/exec1-*.sh $P/scripts/"
	lab_exec "$1" "$B/clpsvcctrl.sh --enable -a"
}

# reboots NODE CMD: CMD reboots NODE; waits for the new boot to answer.
reboots() {
	local before
	before=$("$LAB" boots "$1")
	in_background "$1" "$2"
	wait_for 240 boots_above "$1" "$before"
	run_lab wait "$1" --timeout 300
}

# clpbackup.sh --post --no-reboot on both nodes at once (each one's cluster
# start waits for the other), then both started, autostart enabled.
post_no_reboot_both() {
	local n pids=() i=0
	for n in node1 node2; do
		"$LAB" exec $n -- bash -c "$B/clpbackup.sh --post --no-reboot" >"$BATS_FILE_TMPDIR/post-$n.log" 2>&1 &
		pids+=($!)
	done
	for n in node1 node2; do
		wait "${pids[i++]}" || fail "clpbackup.sh --post --no-reboot on $n: $(cat "$BATS_FILE_TMPDIR/post-$n.log")"
		assert_contains "$(cat "$BATS_FILE_TMPDIR/post-$n.log")" "returned from backup mode to normal mode"
	done
	for n in node1 node2; do
		wait_for 120 service_is $n started
		autostart_is $n enabled
		assert "$(backup_mode $n)" == off "backup mode on $n"
	done
}

# backup_both_to_images: the backup of 2.19.1 with clpbackup.sh --pre (the
# servers shut down, as 2.18 recommends for images taken outside the OS),
# each node's mirror disk saved to $BATS_FILE_TMPDIR/md01-NODE.img (lab
# save), the servers started and back to normal mode; a file before it and
# one after it (assert_restored).
backup_both_to_images() {
	local n
	write_file node1 before-backup
	lab_exec node1 "$B/clpgrp -t failover1"
	wait_for 60 offline_on node1
	for n in node1 node2; do
		shut_down $n "$B/clpbackup.sh --pre"
	done
	for n in node1 node2; do
		run_lab save $n mirror "$BATS_FILE_TMPDIR/md01-$n.img"
	done
	for n in node1 node2; do
		run_lab start $n
		proc_log $n
		assert_contains "$output" "switched to backup mode"
		autostart_is $n disabled
		lab_exec $n "systemctl is-active clpstack-mgr.service"
		units_inactive $n clpstack-core
		assert "$(backup_mode $n)" == on "backup mode on $n"
	done
	post_no_reboot_both
	wait_for 120 both_green
	wait_for 120 online_on node1 node1
	write_file node1 after-backup
}

# restore_pre_both: 2.20 steps 1-2: failover1 stopped, clprestore.sh --pre
# on both: autostart disabled, the servers shut down.
restore_pre_both() {
	local n
	lab_exec node1 "$B/clpgrp -t failover1"
	wait_for 60 offline_on node1
	for n in node1 node2; do
		shut_down $n "$B/clprestore.sh --pre"
	done
}

# start_restored NODE: 2.20 steps 4-5 on NODE: started, the cluster service
# not (autostart disabled by clprestore.sh --pre), the partitions' paths
# those of clp.conf.
start_restored() {
	run_lab start "$1"
	proc_log "$1"
	autostart_is "$1" disabled
	units_inactive "$1" clpstack-core
	lab_exec "$1" "test -b /dev/vdb1 && test -b /dev/vdb2 && grep -c '<cppath>/dev/vdb1</cppath><dppath>/dev/vdb2</dppath>' $CONF"
}

# backup_standby_node2 DISK...: the standby node2 backed up as 2.19.3 with
# clpbackup.sh --pre (it shuts down, as 2.18 asks), each DISK (mirror,
# root) saved by lab save to $BATS_FILE_TMPDIR/DISK-node2.img; a file on
# md01 before it and one after it (assert_restored, node2_holds_both_files).
backup_standby_node2() {
	local d
	write_file node1 before-backup
	lab_exec node1 "$B/clpgrp -t failover1"
	wait_for 60 offline_on node1
	shut_down node2 "$B/clpbackup.sh --pre"
	# Until its heartbeat times out node2 counts as up, and a start asks
	# it for the reservation: powered off, it cannot answer (the start is
	# refused, "cannot reach the daemon of node2").
	wait_for 60 hb_down_on node1 node2
	lab_exec node1 "$B/clpgrp -s failover1"
	wait_for 120 online_on node1 node1
	for d in "$@"; do
		run_lab save node2 "$d" "$BATS_FILE_TMPDIR/$d-node2.img"
	done
	run_lab start node2
	proc_log node2
	assert_contains "$output" "switched to backup mode"
	autostart_is node2 disabled
	lab_exec node2 "$B/clpbackup.sh --post --no-reboot"
	wait_for 120 service_is node2 started
	wait_for 300 both_green
	write_file node1 after-backup
}
# restored_node2_recovers: 2.18 steps 8-11 on node2, restored from its
# images: clprestore.sh --post reboots it (its copy marked restored,
# autostart enabled, the service started, backup mode off); the full copy
# from node1, where the data is updated (step 9: the driver has usually
# started it at the connection, an inconsistent copy facing a current one:
# the command finds it running and says so); GREEN on both, Normal (11).
restored_node2_recovers() {
	# step 8
	reboots node2 "$B/clprestore.sh --post"
	lab_exec node2 "grep -a -v '^exit' $PROCLOG || true"
	assert_contains "$output" "marked as restored from a disk image"
	autostart_is node2 enabled
	wait_for 180 service_is node2 started
	assert "$(backup_mode node2)" == off "backup mode on node2"
	# step 9
	lab_exec node1 "$B/clpmdctrl --force node1 md01"
	assert_match "$output" "md01: (full copy from node1 started|a full copy from node1 is running already)"
	# step 11
	wait_for 300 both_green
	lab_exec node2 "$B/clpmdstat --mirror md01"
	assert_contains "$output" "mirror_status : Normal"
	online_on node1 node1
}
# node2_holds_both_files: failover1 moved to node2 finds the file written
# before the backup and the one after it (the mirror's current data).
node2_holds_both_files() {
	lab_exec node1 "$B/clpgrp -m failover1 -h node2"
	wait_for 120 online_on node2 node2
	lab_exec node2 "cat $MNT/before-backup $MNT/after-backup"
	assert_match "$output" "^before-backup written at"
	assert_contains "$output" "after-backup written at"
}

# reboot_both CMD: CMD on both nodes at once; each reboots (the first to
# boot waits for the other at its cluster start).
reboot_both() {
	local n
	local -A before
	for n in node1 node2; do
		before[$n]=$("$LAB" boots $n)
		in_background $n "$1"
	done
	for n in node1 node2; do
		wait_for 240 boots_above $n "${before[$n]}"
		run_lab wait $n --timeout 300
	done
}

# holds_backup NODE IMAGE|PARTITION: a mirror disk image on NODE (a dd of
# /dev/vdb: its data partition through a loop device) or a data partition
# (/dev/vdb2, outside the cluster), mounted read-only: the file written
# before the backup is there, the one written after it is not.
holds_backup() {
	local setup="p=$2" teardown=:
	if [[ $2 != /dev/* ]]; then
		setup="d=\$(losetup -P -r -f --show $2) && p=\${d}p2"
		teardown="losetup -d \$d"
	fi
	lab_exec "$1" "$setup && mkdir -p /mnt/backup && mount -o ro,noload \$p /mnt/backup && cat /mnt/backup/before-backup; r=\$?; test -e /mnt/backup/after-backup && r=9; umount /mnt/backup; $teardown; exit \$r"
	assert_match "$output" "^before-backup written at"
}

# The replacement suites (81, 82): a random file on md01 written on node1
# and its hash, taken before the replacement; after it, data_intact NODE
# finds the same hash there.
write_data() {
	lab_exec node1 "head -c 8M /dev/urandom >$MNT/data.bin && sync -f $MNT/data.bin && sha256sum <$MNT/data.bin"
	echo "$output" >"$BATS_FILE_TMPDIR/data.sum"
}
data_intact() { # data_intact NODE
	lab_exec "$1" "sha256sum <$MNT/data.bin"
	assert "$output" == "$(cat "$BATS_FILE_TMPDIR/data.sum")" "the hash of data.bin on $1 (taken before)"
}
# partitions_identical: failover1 stopped, both data partitions are
# byte-identical (read past any cache).
partitions_identical() {
	local sum
	lab_exec node1 "dd if=/dev/vdb2 bs=1M iflag=direct status=none | sha256sum"
	sum=$output
	lab_exec node2 "dd if=/dev/vdb2 bs=1M iflag=direct status=none | sha256sum"
	assert "$output" == "$sum" "node2's data partition against node1's"
}
# save_layout NODE: NODE's partition table (without its disk and partition
# identities) and partition sizes, kept for apply_layout.
save_layout() {
	lab_exec "$1" "sfdisk -d /dev/vdb | sed -e '/^label-id:/d' -e 's/, *uuid=[0-9A-Fa-f-]*//'"
	echo "$output" >"$BATS_FILE_TMPDIR/layout"
	lab_exec "$1" "blockdev --getsize64 /dev/vdb1 /dev/vdb2"
	echo "$output" >"$BATS_FILE_TMPDIR/layout.sizes"
}
# apply_layout NODE: the saved layout written to NODE's new disk with
# sfdisk (fdisk's scriptable form); the partitions have the saved sizes.
apply_layout() {
	run_lab exec "$1" -i -- sfdisk -q /dev/vdb <"$BATS_FILE_TMPDIR/layout"
	lab_exec "$1" "udevadm settle; blockdev --getsize64 /dev/vdb1 /dev/vdb2"
	assert "$output" == "$(cat "$BATS_FILE_TMPDIR/layout.sizes")" "the partition sizes on $1"
}
# partition_like NODE FROM: "the same partitions as the original disk" on
# NODE's new disk: FROM's layout.
partition_like() {
	save_layout "$2"
	apply_layout "$1"
}
# size_of NODE DEVICE: $output = its size in bytes
size_of() {
	lab_exec "$1" "blockdev --getsize64 $2"
}
# log_from NODE: the next line number of NODE's clpmgrd.log (for
# "tail -n +N": the events from here on).
log_from() {
	lab_exec "$1" "wc -l <$P/log/clpmgrd.log"
	echo $((output + 1))
}
# full_copy_seen NODE FROM: a mirror recovery started and completed
# (events 114, 115) in NODE's log since line FROM.
full_copy_seen() {
	lab_exec "$1" "tail -n +$2 $P/log/clpmgrd.log | grep -a -E 'mirror 11[45]: '"
	assert_contains "$output" "mirror 114: "
	assert_contains "$output" "mirror 115: "
}

# replaced_node2_holds_data: after a replacement of node2's disk or node2,
# failover1 moved there finds the file hashed before, and with the group
# stopped both data partitions are byte-identical.
replaced_node2_holds_data() {
	lab_exec node1 "$B/clpgrp -m failover1 -h node2"
	wait_for 120 online_on node2 node2
	data_intact node2
	lab_exec node2 "$B/clpgrp -t failover1"
	wait_for 60 offline_on node2
	partitions_identical
}
