#!/usr/bin/env bats
# The floating IP resource (userland/lib/clp_fip.c) between two servers,
# through userland/bin/test/clpfiptool: node1 brings 198.18.1.100 up and
# node2 reaches it at node1's MAC; down removes it; node2 takes it over and
# its gratuitous ARPs move node1's neighbour entry without node1 asking;
# the ARP probe refuses node1 the address while node2 holds it; bad input
# is refused and changes nothing. Documentation/fip.md.

load helpers

FIP=198.18.1.100
T=$REPO/userland/bin/test/clpfiptool

setup_file() {
	skip_if_no_lab || return 0
	make -s -C "$REPO/userland" >&2
	export CLPLAB_NAME=t$$-fip
	run_lab up --name "$CLPLAB_NAME"
}

teardown_file() {
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

# mac NODE [IF]: the MAC address of NODE's interface (eth0 by default).
mac() {
	"$LAB" exec "$1" -- cat "/sys/class/net/${2:-eth0}/address"
}

# neigh NODE: NODE's neighbour entry for the floating IP on eth0.
neigh() {
	lab_exec "$1" "ip neigh show $FIP dev eth0"
}

# neigh_is NODE MAC: that entry holds MAC (for wait_for).
neigh_is() {
	"$LAB" exec "$1" -- ip neigh show "$FIP" dev eth0 | grep -q "lladdr $2 "
}

@test "node1 up: the address is a secondary of eth0, node2 reaches it at node1's MAC; up again is 0" {
	lab_exec node1 "$T up $FIP"
	lab_exec node1 "ip -4 -o addr show eth0"
	assert_match "$output" "inet 198\.18\.1\.100/24 brd 198\.18\.1\.255 scope global secondary eth0"
	lab_exec node1 "$T check $FIP"
	assert "$output" == present "check on node1"
	lab_exec node1 "$T check $FIP eth0"
	lab_exec 1 node1 "$T check $FIP eth1"
	assert "$output" == absent "check on node1's eth1"
	lab_exec node2 "ping -c1 -W2 $FIP"
	neigh node2
	assert_contains "$output" "lladdr $(mac node1) " "node2's neighbour entry for $FIP"
	lab_exec node1 "$T up $FIP"
	lab_exec node1 "ip -4 -o addr show to $FIP | wc -l"
	assert "$output" == 1 "addresses $FIP on node1 after a second up"
}

@test "node1 down: node2's ping fails; down again is 0" {
	lab_exec node1 "$T down $FIP"
	lab_exec 1 node1 "$T check $FIP"
	assert "$output" == absent "check on node1"
	lab_exec node1 "ip -4 -o addr show to $FIP"
	assert "$output" == "" "$FIP on node1"
	lab_exec node1 "ip -4 -o addr show eth0"
	assert_match "$output" "inet 198\.18\.1\.1/24 " "node1's own address stays"
	lab_exec 1 node2 "ping -c1 -W2 $FIP"
	lab_exec node1 "$T down $FIP"
}

@test "node2 up: its gratuitous ARPs move node1's neighbour entry to node2's MAC, node1 never asking" {
	# node1's entry for the address, as it would be left by a former
	# holder (STALE: the kernel sends nothing for it until it is used).
	lab_exec node1 "ip neigh replace $FIP lladdr 02:00:00:00:00:99 dev eth0 nud stale"
	neigh node1
	assert_contains "$output" "lladdr 02:00:00:00:00:99 " "node1's entry before"
	lab_exec node2 "$T up $FIP"
	# Without node1 sending to the address: the ARPs came from node2.
	wait_for 5 neigh_is node1 "$(mac node2)"
	neigh node1
	assert_contains "$output" "lladdr $(mac node2) " "node1's entry after node2's up"
	lab_exec node2 "$T check $FIP"
	assert "$output" == present "check on node2"
	lab_exec node1 "ping -c1 -W2 $FIP"
}

@test "node1 up while node2 holds it: refused by the ARP probe, nothing added" {
	local before
	lab_exec node1 "ip -4 -o addr show"
	before=$output
	lab_exec 1 node1 "$T up $FIP"
	assert "$output" == "clpfiptool: $FIP is already in use by another host (MAC $(mac node2))" \
		"the refusal names node2's MAC"
	lab_exec node1 "ip -4 -o addr show"
	assert "$output" == "$before" "node1's addresses"
	lab_exec 1 node1 "$T check $FIP"
	assert "$output" == absent "check on node1"
	lab_exec node2 "$T check $FIP"
	lab_exec node1 "ping -c1 -W2 $FIP"
	neigh node1
	assert_contains "$output" "lladdr $(mac node2) " "node1 still reaches node2 for $FIP"
	lab_exec node2 "$T down $FIP"
}

@test "the interface comes from the subnet: an address of the mirror network goes on eth1" {
	lab_exec node1 "$T up 198.18.2.100"
	lab_exec node1 "ip -4 -o addr show to 198.18.2.100"
	assert_match "$output" "eth1 +inet 198\.18\.2\.100/24 brd 198\.18\.2\.255 scope global secondary eth1"
	lab_exec node2 "ping -c1 -W2 198.18.2.100"
	lab_exec node2 "ip neigh show 198.18.2.100 dev eth1"
	assert_contains "$output" "lladdr $(mac node1 eth1) " "node2's neighbour entry on eth1"
	lab_exec node1 "$T down 198.18.2.100"
	lab_exec node1 "ip -4 -o addr show to 198.18.2.100"
	assert "$output" == "" "198.18.2.100 on node1 after down"
}

@test "bad input is refused with a message naming it, and changes nothing" {
	local before
	lab_exec node1 "ip -4 -o addr show"
	before=$output
	lab_exec 1 node1 "$T up 198.18.1.300"
	assert "$output" == "clpfiptool: '198.18.1.300' is not an IPv4 address (a.b.c.d or a.b.c.d/N)"
	lab_exec 1 node1 "$T up $FIP/33"
	assert "$output" == "clpfiptool: '$FIP/33': the prefix length '33' is not within 1-32"
	lab_exec 1 node1 "$T up 198.18.1.255/24"
	assert "$output" == "clpfiptool: '198.18.1.255/24': 198.18.1.255 is the broadcast address of the /24 subnet"
	lab_exec 1 node1 "$T up 127.0.0.5"
	assert "$output" == "clpfiptool: '127.0.0.5': 127.0.0.5 is a loopback address"
	lab_exec 1 node1 "$T up 10.9.9.9"
	assert "$output" == "clpfiptool: no interface of this server has an IPv4 subnet containing 10.9.9.9: give the interface"
	lab_exec 1 node1 "$T up 10.9.9.9 eth0"
	assert "$output" == "clpfiptool: no IPv4 subnet of eth0 contains 10.9.9.9: give the prefix length (10.9.9.9/N)"
	lab_exec 1 node1 "$T up $FIP/24 eth9"
	assert "$output" == "clpfiptool: there is no interface eth9 on this server"
	lab_exec 1 node1 "$T down $FIP eth9"
	assert "$output" == "clpfiptool: there is no interface eth9 on this server"
	lab_exec 1 node1 "$T move $FIP"
	assert_contains "$output" "unknown action 'move'"
	lab_exec 1 node1 "$T up"
	assert_contains "$output" "Usage: clpfiptool up|down|check <addr[/prefix]> [<ifname>]"
	lab_exec node1 "ip -4 -o addr show"
	assert "$output" == "$before" "node1's addresses"
}
