#!/usr/bin/env bats
# A lying peer on the mirror port (issue 13, section 5): malformed packets
# of every kind from tests/lab/tools/mirror-forge.py run in node1, and
# writes not aligned to a data partition of 4 KiB blocks. The liscal driver
# is driven over netlink with tests/lab/tools/liscal-nl.c. Bad links (tc
# netem) are tests/lab/long/31-bad-links.bats. Both run in make soak, not in
# make check: this suite took 97 s and 187 s with its lab's start on the
# shared host, the lying peer's test alone 67 s (make check keeps
# 25-liscal-faults' stranger sending state packets).

load ../helpers
load ../liscal-nl
load ../fault-helpers

F=$REPO/tests/lab/tools/mirror-forge.py
PARAMS="ack-timeout=$((5000 * S)) hb-interval=1000 ping-timeout=2000 ping-retry=$((3 * S)) connect-timeout=2000 send-timeout=$((5000 * S))"

setup_file() {
	skip_if_no_lab || return 0
	liscal_lab_up mfault 192M
	# for clpmdstat --counters; no mirror agent runs
	lab_exec node2 "mkdir -p /opt/clpstack/etc && cp $REPO/userland/conf/examples/lab-clp.conf /opt/clpstack/etc/clp.conf"
}

# The state a refused packet must not change.
snapshot() {
	"$LAB" exec "$1" -- "$T" get md01 |
		grep -E '^(role|disk|split_brain|recovery_dir|sb_flags|gen_current|gen_bitmap|dirty_bits)='
}

# forge_cases PHASE...: the forger's cases of those phases, minus the
# truncated ones (run on their own), on one line.
forge_cases() {
	local phases=$*
	"$LAB" exec node1 -- "$F" --list |
		awk -F'\t' -v p=" $phases " 'index(p, " " $2 " ") && $1 !~ /truncated/ { print $1 }' | tr '\n' ' '
}

@test "mirror of two fresh copies assumed in sync (nothing copied)" {
	lab_exec node1 "$T init md01 0 /dev/vdb1 /dev/vdb2"
	lab_exec node2 "$T init md01 1 /dev/vdb1 /dev/vdb2"
	create node1
	create node2
	wait_for 60 is node1 conn 3
	lab_exec node1 "$T recover md01 assume-sync"
	wait_for 60 both_uptodate
}

# node1 breaks its own connection and lends its address to the forger;
# node2 (node id 1) listens for node1 and takes the forger's connection.
@test "a lying peer on the mirror port: every malformed packet refused and counted, nothing written, no state changed" {
	local ref state r0 b0 w0 conn_cases hs_cases n_conn n_hs
	lab_exec node1 "$T break md01"
	wait_for 30 is node2 conn 2
	# The forger speaks the protocol: a valid DATA lands and is acknowledged
	# (then the zeros it replaced are written back).
	ref=$(data_md5 node2)
	lab_exec node1 "$F --timeout $((30 * S)) write 245760 0xa5 4096"
	wait_for 30 is node2 conn 2
	lab_exec node2 "dd if=/dev/vdb2 bs=4096 skip=30720 count=1 iflag=direct status=none | od -An -v -tx1 | tr -s ' ' '\\n' | sort -u | tr -d '\\n'"
	assert "$output" == a5 "the bytes of the forger's valid write on node2"
	lab_exec node1 "$F --timeout $((30 * S)) write 245760 0 4096"
	wait_for 30 is node2 conn 2
	assert "$(data_md5 node2)" == "$ref" "node2's data partition back as before the valid write"

	state=$(snapshot node2)
	r0=$(st node2 stat_refused_packets)
	b0=$(st node2 stat_breaks)
	w0=$(st node2 stat_peer_write_bytes)
	conn_cases=$(forge_cases conn)
	hs_cases=$(forge_cases hello bitmap)
	n_conn=$(wc -w <<<"$conn_cases")
	n_hs=$(wc -w <<<"$hs_cases")
	assert "$n_conn" -ge 20 "malformed packets after the handshake"
	assert "$n_hs" -ge 10 "malformed packets in the handshake"
	lab_exec node1 "$F --timeout $((30 * S)) $conn_cases $hs_cases"
	echo "# ${output//$'\n'/$'\n'# }" >&3
	lab_exec node1 "$F --timeout $((30 * S)) data-truncated-close header-truncated"
	lab_exec node1 "$F --timeout $((60 * S)) data-truncated-stall"
	wait_for 30 is node2 conn 2
	assert "$(st node2 stat_refused_packets)" == $((r0 + n_conn + n_hs)) "node2's refused packets: one per malformed packet"
	lab_exec node2 "$REPO/userland/bin/clpmdstat --counters md01"
	assert_match "$output" "^ +refused_packets : $((r0 + n_conn + n_hs))\$" "clpmdstat --counters on node2"
	assert "$(st node2 stat_breaks)" == $((b0 + n_conn + 3)) "node2's breaks: one per connection that passed the handshake"
	assert "$(st node2 stat_peer_write_bytes)" == "$w0" "bytes written for the peer"
	assert "$(data_md5 node2)" == "$ref" "node2's data partition unchanged"
	assert "$(snapshot node2)" == "$state" "node2's state unchanged"
	# From another address of node1's mirror network: no HELLO at all.
	lab_exec node1 "ip addr add 198.18.2.9/24 dev $(mirror_if node1)"
	lab_exec node1 "$F --bind 198.18.2.9 --timeout $((30 * S)) stranger"
	lab_exec node1 "ip addr del 198.18.2.9/24 dev $(mirror_if node1)"
	lab_exec node2 "dmesg | grep -c 'md01: refused a connection from 198.18.2.9'"
	assert "$output" -ge 1 "node2 logged the stranger's address"
	# The real peer back: connected, in sync; nobody else gets in then.
	lab_exec node1 "$T connect md01"
	wait_for 60 both_uptodate
	lab_exec node1 "$F port-closed"
	assert "$(data_md5 node1)" == "$ref" "node1's data partition"
}

# node2's data partition behind a device of 4 KiB logical blocks (dm-crypt
# with the null cipher: the same bytes, 4 KiB sectors; it fails every bio
# not aligned to them). A DATA aligned to 512 bytes only is valid for
# node1's disk but would fail node2's: the driver refuses it before the
# disk sees it (before, the disk failed: "I/O error on the data partition").
@test "a lying peer's write not aligned to the data partition's 4 KiB blocks: refused, the disk does not fail" {
	local n r0 ref forged
	"$LAB" exec node2 -- modprobe dm-crypt || skip "node2's kernel has no dm-crypt"
	command -v dmsetup >/dev/null || skip "dmsetup is not installed (scripts/deps)"
	lab_exec node1 "$T break md01"
	wait_for 30 is node2 conn 2
	lab_exec node2 "$T destroy md01"
	n=$("$LAB" exec node2 -- blockdev --getsz /dev/vdb2)
	lab_exec node2 "dmsetup create d4k --table '0 $((n / 8 * 8)) crypt cipher_null-ecb - 0 /dev/vdb2 0 1 sector_size:4096' && dmsetup mknodes d4k"
	lab_exec node2 "blockdev --getss /dev/mapper/d4k"
	assert "$output" == 4096 "logical block size of node2's data partition"
	ref=$(region_md5 node2 /dev/mapper/d4k)
	lab_exec node2 "$T create md01 1 /dev/mapper/d4k /dev/vdb1 1 198.18.2.2:29031 198.18.2.1:29031 $PARAMS"
	wait_for 30 is node2 conn 2
	is node2 disk 3
	r0=$(st node2 stat_refused_packets)
	lab_exec '?' node1 "$F --timeout $((30 * S)) data-misaligned-start data-misaligned-size"
	echo "# ${output//$'\n'/$'\n'# }" >&3
	forged=$status
	is node2 disk 3
	lab_exec node2 "dmesg | grep -c 'I/O error' || true"
	assert "$output" == 0 "I/O errors on node2"
	assert "$forged" == 0 "the forger's exit status (0: both writes refused)"
	wait_for 30 is node2 conn 2
	assert "$(st node2 stat_refused_packets)" == $((r0 + 2)) "node2's refused packets"
	assert "$(region_md5 node2 /dev/mapper/d4k)" == "$ref" "node2's data partition unchanged"
	lab_exec node2 "$T destroy md01 && dmsetup remove d4k"
	create node2
	lab_exec node1 "$T connect md01"
	wait_for 60 both_uptodate
}

@test "kernel logs clean" {
	dmesg_clean node1
	dmesg_clean node2
}
