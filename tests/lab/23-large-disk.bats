#!/usr/bin/env bats
# The mirror handshake on a large data partition: 1 TiB (sparse images), so
# 16.7 M bitmap bits of 64 KiB, 2 MiB of bitmap each way. When both sides
# sent their whole bitmap before reading the peer's, both blocked once the
# socket buffers were full and the mirror never connected (120 s measured;
# 512 MiB connected in 5 s). The exchange is now ordered (node 0 first).

load helpers
load liscal-nl

PARAMS="ack-timeout=$((5000 * S)) hb-interval=1000 ping-timeout=2000 ping-retry=$((3 * S)) connect-timeout=30000 send-timeout=$((5000 * S))"

setup_file() {
	skip_if_no_lab || return 0
	liscal_lab_up large 1T
}

@test "1 TiB data partition: the handshake completes and both sides connect" {
	lab_exec node1 "$T init md01 0 /dev/vdb1 /dev/vdb2"
	lab_exec node2 "$T init md01 1 /dev/vdb1 /dev/vdb2"
	create node1
	create node2
	run st node1 data_size
	assert "$output" -gt $((1000 * 1024 * 1024 * 1024)) "data partition over 1000 GiB"
	wait_for 60 is node1 conn 3
	wait_for 60 is node2 conn 3
}

# The bitmap is sent whole whatever it holds (2 MiB each way), here over a
# link throttled to 64 Mbit/s: about a quarter of a second per side, far
# more than the socket buffers hold at any moment.
@test "1 TiB over a throttled link: the handshake completes after a break" {
	local dev tbf="tbf rate 64mbit burst 64kb latency 2s"
	"$LAB" exec node1 -- bash -c "tc qdisc add dev lo root $tbf && tc qdisc del dev lo root" ||
		skip "node1's kernel has no token bucket qdisc (CONFIG_NET_SCH_TBF)"
	lab_exec node1 "ip -o -4 addr show to 198.18.2.1 | awk '{ print \$2 }'"
	dev=$output
	assert_match "$dev" '^[a-z0-9]+$' "node1's mirror interface"
	run_lab link node1 mirror down
	wait_for 30 is node1 conn 2
	lab_exec node1 "tc qdisc add dev $dev root $tbf"
	run_lab link node1 mirror up
	wait_for 90 is node1 conn 3
	wait_for 30 is node2 conn 3
	lab_exec node1 "tc qdisc del dev $dev root"
	lab_exec node1 "dmesg | grep -c 'md01: connected to node 1'"
	assert "$output" -ge 2 "node1 connected twice (initially and after the break)"
}

@test "kernel logs clean" {
	dmesg_clean node1
	dmesg_clean node2
}
