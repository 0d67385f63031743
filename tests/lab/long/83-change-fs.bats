#!/usr/bin/env bats
# Guide 2.22, "Changing disk resources file system", step by step, for the
# mirror disk md01 (clpstack's disk resources are mirror disks), on two
# systemd nodes (procedures.bash): ext4 becomes ext3. The file system is
# created on node1's data partition between clproset -w and -o, with the
# cluster stopped; at the start of the cluster node1's copy, marked as
# written outside the mirror, is copied whole to node2.
#
# Cluster WebUI's Stop Cluster and Start Cluster are clpcl -t -a and
# clpcl -s -a; its change and upload of the configuration is the edit of
# clp.conf on both servers (as in 71-restore-same.bats) and a restart of
# the manager there, which reads clp.conf only when it starts.

load ../helpers
load procedures

fstype() { # fstype NODE: the file system mounted on md01's mount point
	lab_exec "$1" "findmnt -n -o FSTYPE $MNT"
}

@test "before the change: md01 holds ext4 and a file; GREEN" {
	write_file node1 before-change
	fstype node1
	assert "$output" == ext4 "md01's file system"
	both_green
}

@test "2.22 step 1: Stop Cluster" {
	lab_exec node1 "$B/clpcl -t -a"
	wait_for 60 service_is node1 stopped
	wait_for 60 service_is node2 stopped
}

@test "2.22 step 2: clproset -w -d /dev/vdb2 on node1: out of the driver, its copy marked as written outside the mirror, writable" {
	# -o is refused while the driver holds the partition, nothing changed
	lab_exec 5 node1 "$B/clproset -o -d /dev/vdb2"
	assert_contains "$output" "md01: configured in the liscal driver (standby, "
	assert_contains "$output" "the mirror protects its data partition then"
	lab_exec node1 "blockdev --getro /dev/vdb2"
	assert "$output" == 0 "the read-only flag after the refused -o"
	# step 2
	lab_exec node1 "$B/clproset -w -d /dev/vdb2"
	assert_contains "$output" "md01: released by this server's liscal driver"
	assert_contains "$output" "md01: cluster partition /dev/vdb1 marked as written outside the mirror"
	assert_contains "$output" "md01: /dev/vdb2 is readable/writable"
	lab_exec node1 "blockdev --getro /dev/vdb2"
	assert "$output" == 0 "the read-only flag after -w"
}

@test "2.22 step 3: the file system created on the partition (ext3)" {
	lab_exec node1 "mkfs -t ext3 -F -q /dev/vdb2 && blkid -o value -s TYPE /dev/vdb2"
	assert "$output" == ext3 "the new file system"
}

@test "2.22 step 4: clproset -o -d /dev/vdb2: read-only" {
	lab_exec node1 "$B/clproset -o -d /dev/vdb2"
	assert_contains "$output" "md01: /dev/vdb2 is read-only until the cluster service takes it back"
	lab_exec node1 "blockdev --getro /dev/vdb2"
	assert "$output" == 1 "the read-only flag after -o"
	lab_exec '?' node1 "dd if=/dev/zero of=/dev/vdb2 bs=4k count=1 oflag=direct status=none"
	assert "$status" != 0 "a write to the read-only partition"
}

@test "2.22 steps 5-6: the file system of md01 changed in the configuration, uploaded to both servers" {
	local n
	for n in node1 node2; do
		# step 5: the change; step 6: the upload. clpmgrd reads clp.conf
		# when it starts (Documentation/commands.md): the manager is
		# restarted to take it, the cluster service staying stopped
		# (its unit stopped too, so that the restart does not start it).
		lab_exec $n "sed -i 's|<fs>ext4</fs>|<fs>ext3</fs>|' $CONF && grep -c '<fs>ext3</fs>' $CONF && $B/clpmgrd --check"
		lab_exec $n "systemctl stop clpstack-core.service; systemctl restart clpstack-mgr.service"
	done
	for n in node1 node2; do
		wait_for 60 service_is $n stopped
	done
	# the read-only flag survives the manager's restart
	lab_exec node1 "blockdev --getro /dev/vdb2"
	assert "$output" == 1 "the read-only flag after the upload"
}

@test "2.22 step 7: Start Cluster: the partition read/write again, failover1 on node1 with ext3, the full copy to node2; GREEN" {
	local from
	from=$(log_from node1)
	lab_exec node1 "$B/clpcl -s -a"
	wait_for 120 service_is node1 started
	wait_for 120 service_is node2 started
	lab_exec node1 "tail -n +$from $P/log/clpmgrd.log | grep -a 'mirror 31: '"
	assert_contains "$output" "md01: the data partition /dev/vdb2 was read-only (clproset -o)"
	wait_for 180 online_on node1 node1
	fstype node1
	assert "$output" == ext3 "md01's file system after the change"
	lab_exec '?' node1 "test -e $MNT/before-change"
	assert "$status" == 1 "the old file system's file on the new one"
	# node1's copy, written outside the mirror, is copied whole to node2
	wait_for 300 both_green
	full_copy_seen node1 "$from"
}

@test "2.22: the new file system on node2 too; both data partitions byte-identical" {
	write_file node1 after-change
	lab_exec node1 "$B/clpgrp -m failover1 -h node2"
	wait_for 120 online_on node2 node2
	fstype node2
	assert "$output" == ext3 "md01's file system on node2"
	lab_exec node2 "cat $MNT/after-change"
	assert_match "$output" "^after-change written at"
	lab_exec node2 "$B/clpgrp -t failover1"
	wait_for 60 offline_on node2
	partitions_identical
}
