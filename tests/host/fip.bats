#!/usr/bin/env bats
# The floating IP resource (userland/lib/clp_fip.c) on the host, through
# userland/bin/test/clpfiptool: clp_fip_parse refusing bad addresses with a
# message naming what is wrong (before any netlink), usage errors, and, as
# root, up/down/check and the ARP probe between two network namespaces
# joined by a veth pair (the two-server version is tests/lab/26-fip.bats).

load helpers

T=$REPO/userland/bin/test/clpfiptool

setup_file() {
	make -s -C "$REPO/userland" >&2
}

# refused TEXT MESSAGE: clpfiptool check TEXT exits 1 printing MESSAGE.
refused() {
	run "$T" check "$1"
	assert_failure 1
	assert_output "clpfiptool: $2"
}

@test "parse: not an address" {
	refused "" "missing the floating IP address"
	refused 1.2.3 "'1.2.3' is not an IPv4 address (a.b.c.d or a.b.c.d/N)"
	refused 1.2.3.4.5 "'1.2.3.4.5' is not an IPv4 address (a.b.c.d or a.b.c.d/N)"
	refused 198.18.1.300 "'198.18.1.300' is not an IPv4 address (a.b.c.d or a.b.c.d/N)"
	refused node1 "'node1' is not an IPv4 address (a.b.c.d or a.b.c.d/N)"
	refused 01.2.3.4 "'01.2.3.4' is not an IPv4 address (a.b.c.d or a.b.c.d/N)"
	refused "198.18.1.100 " "'198.18.1.100 ' is not an IPv4 address (a.b.c.d or a.b.c.d/N)"
	refused 2001:db8::1 "'2001:db8::1' is not an IPv4 address (a.b.c.d or a.b.c.d/N)"
	refused /24 "'/24' is not an IPv4 address (a.b.c.d or a.b.c.d/N)"
	refused "$(printf '1%.0s' {1..70})" "'11111111111111111111...' is too long for an IPv4 address"
}

@test "parse: bad prefix length" {
	refused 198.18.1.100/33 "'198.18.1.100/33': the prefix length '33' is not within 1-32"
	refused 198.18.1.100/0 "'198.18.1.100/0': the prefix length '0' is not within 1-32"
	refused 198.18.1.100/99999999999999999999 \
		"'198.18.1.100/99999999999999999999': the prefix length '99999999999999999999' is not within 1-32"
	refused 198.18.1.100/ "'198.18.1.100/': the prefix length '' is not a number"
	refused 198.18.1.100/24x "'198.18.1.100/24x': the prefix length '24x' is not a number"
	refused 198.18.1.100/+24 "'198.18.1.100/+24': the prefix length '+24' is not a number"
	refused 198.18.1.100/-1 "'198.18.1.100/-1': the prefix length '-1' is not a number"
	refused "198.18.1.100/ 24" "'198.18.1.100/ 24': the prefix length ' 24' is not a number"
	refused 198.18.1.100/24/8 "'198.18.1.100/24/8': the prefix length '24/8' is not a number"
	refused 198.18.1.100/255.255.255.0 \
		"'198.18.1.100/255.255.255.0': the prefix length '255.255.255.0' is not a number"
}

@test "parse: addresses that cannot float" {
	refused 0.0.0.0 "'0.0.0.0': 0.0.0.0 is the unspecified address"
	refused 255.255.255.255 "'255.255.255.255': 255.255.255.255 is the broadcast address"
	refused 127.0.0.1 "'127.0.0.1': 127.0.0.1 is a loopback address"
	refused 224.0.0.18/24 "'224.0.0.18/24': 224.0.0.18 is a multicast address"
	refused 240.1.2.3 "'240.1.2.3': 240.1.2.3 is a reserved (class E) address"
	refused 0.1.2.3 "'0.1.2.3': 0.1.2.3 is in 0.0.0.0/8 (this network)"
	refused 198.18.1.0/24 "'198.18.1.0/24': 198.18.1.0 is the network address of the /24 subnet"
	refused 198.18.1.255/24 "'198.18.1.255/24': 198.18.1.255 is the broadcast address of the /24 subnet"
	refused 198.18.1.64/26 "'198.18.1.64/26': 198.18.1.64 is the network address of the /26 subnet"
}

@test "parse: good addresses pass (check reads the address list)" {
	# 192.0.2.0/24 is TEST-NET-1: on no host's interface.
	for a in 192.0.2.7 192.0.2.7/24 192.0.2.0/31 192.0.2.255/32 10.0.0.1/8; do
		run "$T" check "$a"
		assert_failure 1
		assert_output absent
	done
}

@test "usage: wrong arguments exit 1 with the usage" {
	run "$T"
	assert_failure 1
	assert_output --partial "Usage: clpfiptool up|down|check <addr[/prefix]> [<ifname>]"
	run "$T" up
	assert_failure 1
	assert_output --partial "Usage: clpfiptool"
	run "$T" frob 192.0.2.7
	assert_failure 1
	assert_output --partial "unknown action 'frob'"
	run "$T" up 192.0.2.7 eth0 extra
	assert_failure 1
	assert_output --partial "Usage: clpfiptool"
	run "$T" up 192.0.2.7 this-name-is-too-long-for-linux
	assert_failure 1
	assert_output "clpfiptool: 'this-name-is-too-long-for-linux' is not an interface name"
}

# Two network namespaces A (198.18.1.1) and B (198.18.1.2), eth0 each,
# joined by a veth pair.
netns_pair() {
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
	command -v ip >/dev/null || skip "needs ip (iproute2)"
	NA=clpfipA$$ NB=clpfipB$$
	ip netns add "$NA" || skip "cannot create a network namespace here"
	ip netns add "$NB"
	ip link add fa$$ netns "$NA" type veth peer name fb$$ netns "$NB"
	ip -n "$NA" link set fa$$ name eth0
	ip -n "$NB" link set fb$$ name eth0
	ip -n "$NA" addr add 198.18.1.1/24 dev eth0
	ip -n "$NB" addr add 198.18.1.2/24 dev eth0
	ip -n "$NA" link set eth0 up
	ip -n "$NB" link set eth0 up
}

teardown() {
	[ -z "${NA:-}" ] || ip netns del "$NA" 2>/dev/null || true
	[ -z "${NB:-}" ] || ip netns del "$NB" 2>/dev/null || true
}

mac_of() { # mac_of NS
	ip -n "$1" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\) .*/\1/p'
}

@test "netns: up, check, idempotent up, probe refuses the holder's address, down" {
	netns_pair
	run ip netns exec "$NA" "$T" up 198.18.1.100
	assert_success
	run ip -n "$NA" -4 -o addr show eth0
	assert_output --regexp "inet 198\.18\.1\.100/24 brd 198\.18\.1\.255 scope global secondary eth0"
	run ip netns exec "$NA" "$T" check 198.18.1.100
	assert_success
	assert_output present
	run ip netns exec "$NA" "$T" check 198.18.1.100 eth0
	assert_success
	run ip netns exec "$NA" "$T" up 198.18.1.100
	assert_success
	run ip netns exec "$NB" ping -c1 -W2 198.18.1.100
	assert_success
	run ip netns exec "$NB" "$T" up 198.18.1.100
	assert_failure 1
	assert_output "clpfiptool: 198.18.1.100 is already in use by another host (MAC $(mac_of "$NA"))"
	run ip -n "$NB" -4 -o addr show to 198.18.1.100
	assert_output ""
	run ip netns exec "$NA" "$T" down 198.18.1.100
	assert_success
	run ip netns exec "$NA" "$T" check 198.18.1.100
	assert_failure 1
	assert_output absent
	run ip netns exec "$NA" "$T" down 198.18.1.100
	assert_success
}

@test "netns: the gratuitous ARP moves the neighbour's entry; /32 and interface errors" {
	netns_pair
	ip -n "$NA" neigh replace 198.18.1.100 lladdr 02:00:00:00:00:99 dev eth0 nud stale
	run ip netns exec "$NB" "$T" up 198.18.1.100
	assert_success
	run ip -n "$NA" neigh show 198.18.1.100 dev eth0
	assert_output --partial "lladdr $(mac_of "$NB") "
	run ip netns exec "$NA" "$T" up 198.18.1.101/32 eth0
	assert_success
	run ip -n "$NA" -4 -o addr show to 198.18.1.101
	assert_output --partial "inet 198.18.1.101/32 scope global eth0"
	run ip netns exec "$NA" "$T" up 10.9.9.9
	assert_failure 1
	assert_output "clpfiptool: no interface of this server has an IPv4 subnet containing 10.9.9.9: give the interface"
	run ip netns exec "$NA" "$T" up 10.9.9.9 eth0
	assert_failure 1
	assert_output "clpfiptool: no IPv4 subnet of eth0 contains 10.9.9.9: give the prefix length (10.9.9.9/N)"
	run ip netns exec "$NA" "$T" up 10.9.9.9/24 eth9
	assert_failure 1
	assert_output "clpfiptool: there is no interface eth9 on this server"
	run ip netns exec "$NA" "$T" up 198.18.1.101/32 lo
	assert_failure 1
	assert_output "clpfiptool: 198.18.1.101 is already on eth0 of this server, not on lo"
	ip -n "$NA" link set eth0 down
	run ip netns exec "$NA" "$T" up 198.18.1.102
	assert_failure 1
	assert_output "clpfiptool: eth0 is down: cannot announce 198.18.1.102 on it"
}
