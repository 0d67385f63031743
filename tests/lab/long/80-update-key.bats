#!/usr/bin/env bats
# Guide 2.29, "Updating an encryption key", step by step, on two systemd
# nodes (procedures.bash) whose md01 encrypts its mirror communication
# (mddriver/crypto/use 1, key file /opt/clpstack/etc/md01.key): a new key
# made with openssl (step 1), written over the key file of every server,
# the original kept (step 2), clpmdctrl --updatekey md01 run on one
# server (step 3): the key reaches both drivers, mirroring is suspended
# and resumes with it (steps 4-5). Once while the mirror is connected,
# once with its cable pulled, where only the daemons can carry the key to
# the other server (Documentation/cluster-protocol.md, md-updatekey).
# Before that, a key file that differs between the servers is refused and
# nothing changes.

load ../helpers
load procedures

KEY=$P/etc/md01.key
PROC_CONF_SED="s|<mkfs>1</mkfs>|<mkfs>1</mkfs><mddriver><crypto><use>1</use><keyfile>$KEY</keyfile></crypto></mddriver>|"

proc_prepare_node() { # the first key, the same on both servers
	[ -f "$BATS_FILE_TMPDIR/key0" ] || head -c 32 /dev/urandom >"$BATS_FILE_TMPDIR/key0"
	"$LAB" exec "$1" -i -- bash -c "mkdir -p $P/etc && cat >$KEY && chmod 600 $KEY && sync $KEY" <"$BATS_FILE_TMPDIR/key0"
}

# new_key_on NODE FILE: the host's FILE written over NODE's key file (step
# 2; the original is kept once as md01.key.orig).
new_key_on() {
	"$LAB" exec "$1" -i -- bash -c "test -e $KEY.orig || cp -p $KEY $KEY.orig; cat >$KEY.new && mv $KEY.new $KEY && chmod 600 $KEY && sync $P/etc" <"$2"
}
# step 1 on node1: a new key file, fetched to the host as FILE. The
# guide's "openssl rand 32 -out key.bin" is refused by Debian 12's OpenSSL
# 3.0 ("rand: Use -help"): the options come before the byte count.
make_key() { # make_key FILE
	lab_exec node1 "openssl rand -out /root/key.bin 32 && stat -c %s /root/key.bin"
	assert "$output" == 32 "the size of the key openssl made"
	"$LAB" exec node1 -- cat /root/key.bin >"$1"
}
key_changes() { # key_changes NODE: the driver's "key changed/updated" lines so far
	lab_exec "$1" "dmesg | grep -c -E 'md01: (key changed|encryption key updated by the peer)' || true"
}
mirror_broken() { [[ $(colours node2) != "GREEN GREEN Normal" ]]; }

@test "before the update: md01 encrypted, failover1 on node1, a file and its hash; GREEN on both" {
	online_on node1 node1
	write_data
	both_green
	key_changes node1
	assert "$output" == 0 "key changes on node1 before the update"
}

@test "2.29 refused: node2's key file holds another key; nothing changes on either server" {
	make_key "$BATS_FILE_TMPDIR/key1"
	head -c 32 /dev/urandom >"$BATS_FILE_TMPDIR/other"
	new_key_on node1 "$BATS_FILE_TMPDIR/key1"
	new_key_on node2 "$BATS_FILE_TMPDIR/other"
	lab_exec 5 node1 "$B/clpmdctrl --updatekey md01"
	assert_contains "$output" "md01: the key file $KEY on node2 holds another key than node1's"
	assert_contains "$output" "nothing changed"
	lab_exec node2 "grep -a -c 'mirror 46: md01: the key file' $P/log/clpmgrd.log"
	both_green
	key_changes node1
	assert "$output" == 0 "key changes on node1 after the refusal"
	key_changes node2
	assert "$output" == 0 "key changes on node2 after the refusal"
	# an unknown mirror disk: refused before anything is asked
	lab_exec 2 node1 "$B/clpmdctrl --updatekey md09"
	assert_contains "$output" "md09"
}

@test "2.29 steps 2-5 while mirroring: --updatekey on node1 reaches node2's driver; both reconnect with the new key, GREEN; the data moves with failover1" {
	local from
	from=$(log_from node2)
	new_key_on node2 "$BATS_FILE_TMPDIR/key1"
	lab_exec node1 "$B/clpmdctrl --updatekey md01"
	assert_contains "$output" "md01: the driver on node2 has the new key"
	assert_contains "$output" "md01: the driver on node1 has the new key"
	assert_contains "$output" "mirroring is suspended"
	lab_exec node2 "tail -n +$from $P/log/clpmgrd.log | grep -a -c 'mirror 45: md01: the driver on node2 has the new key'"
	# the first driver to change its key restarts the connection
	key_changes node2
	assert "$output" -ge 1 "key changes on node2"
	wait_for 180 both_green
	# step 5: a recovery if the mirror is not GREEN (it is: nothing to do)
	write_file node1 after-update
	lab_exec node1 "$B/clpgrp -m failover1 -h node2"
	wait_for 120 online_on node2 node2
	data_intact node2
	lab_exec node2 "cat $MNT/after-update"
	assert_match "$output" "^after-update written at"
}

@test "2.29 with the mirror cable pulled: --updatekey on the standby node1 reaches the active node2 through the daemons; plugged back, both connect with the new key and recover" {
	local from
	make_key "$BATS_FILE_TMPDIR/key2"
	run_lab link node1 mirror down
	wait_for 60 mirror_broken
	write_file node2 while-broken
	new_key_on node1 "$BATS_FILE_TMPDIR/key2"
	new_key_on node2 "$BATS_FILE_TMPDIR/key2"
	from=$(log_from node2)
	lab_exec node1 "$B/clpmdctrl --updatekey md01"
	assert_contains "$output" "md01: the driver on node2 has the new key"
	assert_contains "$output" "md01: the driver on node1 has the new key"
	lab_exec node2 "tail -n +$from $P/log/clpmgrd.log | grep -a -c 'mirror 45: md01: the driver on node2 has the new key'"
	write_file node2 after-update2
	run_lab link node1 mirror up
	# without the new key in node2's driver the handshake is refused for ever
	wait_for 180 both_green
	lab_exec node2 "$B/clpgrp -m failover1 -h node1"
	wait_for 120 online_on node1 node1
	data_intact node1
	lab_exec node1 "cat $MNT/while-broken $MNT/after-update2"
	assert_match "$output" "^while-broken written at"
	assert_contains "$output" "after-update2 written at"
}
