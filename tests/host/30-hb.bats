#!/usr/bin/env bats
# Host tests of the heartbeat/keepalive side: the shared clpkhb wire code
# (unit test and random/mutation fuzzing, built with ASan/UBSan; the libFuzzer run is in fuzz.bats), the
# commands' argument checking, and reading the heartbeat part of clp.conf.
# The modules are not loaded on the host, so a command that gets past its
# checks ends with exit 3 ("module not loaded"): that is how a test tells
# "accepted" from "refused" (2 usage, 4 configuration).

load helpers

B=$REPO/userland/bin

setup_file() {
	# The host unit tests' one sanitizer build (tests/host/unit/Makefile).
	make -s -C "$REPO/tests/host/unit" >&2
}

setup() {
	TMP=$(mktemp -d)
}

teardown() {
	rm -rf "$TMP"
}

conf() { # conf INTERVAL TIMEOUT [extra heartbeat xml] [extra root xml]
	cat > "$TMP/clp.conf" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<root>
  <cluster><heartbeat><interval>$1</interval><timeout>$2</timeout>${3:-}</heartbeat></cluster>
  <server name="node1">
    <device id="0"><type>lan</type><info>198.18.1.1</info></device>
    <device id="1"><type>mdc</type><info>198.18.2.1</info></device>
  </server>
  <server name="node2">
    <device id="0"><type>lan</type><info>198.18.1.2</info></device>
  </server>
  <heartbeat>
    <lankhb name="lankhb1"><priority>0</priority><device>0</device></lankhb>
    ${4:-<lankhb name=\"lankhb2\"><priority>1</priority><device>1</device></lankhb>}
  </heartbeat>
</root>
EOF
}

@test "wire format: unit test (roundtrip, every bit flip, truncation, ranges, HMAC)" {
	run "$REPO/tests/host/bin/khb_wire_test"
	assert_success
	assert_output "ok"
}

@test "wire format: 300000 random and mutated packets, no crash, nothing forged accepted" {
	run "$REPO/tests/host/bin/khb_wire_test" fuzz 300000
	assert_success
	assert_output "ok"
}

@test "clptoratio refuses bad ratios and times with a clear message" {
	for args in "-r 1 -t 1m" "-r 10001 -t 1h" "-r x -t 1m" "-r -5 -t 1m" "-r 10 -t 0m" \
		    "-r 10 -t 10" "-r 10 -t 1w" "-r 10 -t 367d" "-r 10 -t -1h" "-r 10" "-t 1h" \
		    "-i -s" "-i extra" "-s -r 2 -t 1m" "--json -i"; do
		run "$B/clptoratio" $args
		assert_equal "$status" 2
		assert_output --regexp "clptoratio: (invalid|use one|-r and -t|unexpected|--json)"
	done
	run "$B/clptoratio" -r 40 -t 1h
	assert_equal "$status" 3
	assert_output --partial "clpkhb module is not loaded"
	run "$B/clptoratio" -r 2 -t 366d
	assert_equal "$status" 3
}

@test "clpkactrl refuses bad arguments" {
	for args in "--reset" "--panic --reason ''" "--log --reason" "--reason x" \
		    "--shutdown-arm 50 --action reset" "--shutdown-arm 1000" "--shutdown-arm 1000 --action boom" \
		    "--client --timeout 1000" "--client --timeout 99 --action log" \
		    "--client --timeout 1000 --action log --interval 1000" "--timeout 1000" \
		    "--reset --panic --reason x" "--bogus" "extra"; do
		eval "run $B/clpkactrl $args"
		assert_equal "$status" 2
	done
	run "$B/clpkactrl" --reset --reason "$(printf 'x%.0s' {1..200})"
	assert_equal "$status" 2
	assert_output --partial "too long"
	run "$B/clpkactrl" --log --reason "test"
	assert_equal "$status" 3
}

@test "clpkhbctrl refuses bad arguments" {
	for args in "--bogus" "--count 0 --events" "--count x --events" "--wait 1" "--server a" \
		    "--status --events" "extra"; do
		run "$B/clpkhbctrl" $args
		assert_equal "$status" 2
	done
	run "$B/clpkhbctrl" --json
	assert_equal "$status" 3
}

@test "heartbeat configuration: a valid clp.conf passes (then: module not loaded)" {
	conf 200 2000
	run "$B/clpkhbctrl" --config "$TMP/clp.conf" --server node1
	assert_equal "$status" 3
	# node2 has no address on lankhb2's device: a link of this server must
	# have a local address.
	run "$B/clpkhbctrl" --config "$TMP/clp.conf" --server node2
	assert_equal "$status" 4
	assert_output --partial "server@node2/device@1/info is missing"
}

@test "heartbeat configuration: bad values are refused naming the key" {
	conf 10 2000
	run "$B/clpkhbctrl" --config "$TMP/clp.conf" --server node1
	assert_equal "$status" 4
	assert_output --partial "interval"
	conf 1000 1500
	run "$B/clpkhbctrl" --config "$TMP/clp.conf" --server node1
	assert_equal "$status" 4
	assert_output --partial "at least twice"
	conf 1000 99999999
	run "$B/clpkhbctrl" --config "$TMP/clp.conf" --server node1
	assert_equal "$status" 4
	assert_output --partial "timeout"
	conf 1000 10000 "<port>70000</port>"
	run "$B/clpkhbctrl" --config "$TMP/clp.conf" --server node1
	assert_equal "$status" 4
	assert_output --partial "port"
	conf 1000 10000 "" '<lankhb name="lankhb0"><device>1</device></lankhb>'
	run "$B/clpkhbctrl" --config "$TMP/clp.conf" --server node1
	assert_equal "$status" 4
	conf 1000 10000 "" '<lankhb name="lankhb2"><device>7</device></lankhb>'
	run "$B/clpkhbctrl" --config "$TMP/clp.conf" --server node1
	assert_equal "$status" 4
	assert_output --partial "device@7/info is missing"
	conf 1000 10000
	run "$B/clpkhbctrl" --config "$TMP/clp.conf" --server node9
	assert_equal "$status" 4
	assert_output --partial "'node9' is not in the configuration"
}

@test "heartbeat configuration: the key file must hold exactly 32 bytes" {
	head -c 31 /dev/urandom > "$TMP/short.key"
	conf 1000 10000 "<keyfile>$TMP/short.key</keyfile>"
	run "$B/clpkhbctrl" --config "$TMP/clp.conf" --server node1
	assert_equal "$status" 4
	assert_output --partial "exactly 32 bytes"
	conf 1000 10000 "<keyfile>$TMP/missing.key</keyfile>"
	run "$B/clpkhbctrl" --config "$TMP/clp.conf" --server node1
	assert_equal "$status" 4
	assert_output --partial "cannot open key file"
	head -c 32 /dev/urandom > "$TMP/good.key"
	chmod 600 "$TMP/good.key"
	conf 1000 10000 "<keyfile>$TMP/good.key</keyfile>"
	run "$B/clpkhbctrl" --config "$TMP/clp.conf" --server node1
	assert_equal "$status" 3
}

@test "userw monitor section: only known actions validate" {
	conf 1000 10000
	sed -i 's|</root>|<monitor><userw name="userw"><action>REBOOT</action></userw></monitor></root>|' "$TMP/clp.conf"
	run "$B/clpkhbctrl" --config "$TMP/clp.conf" --server node1
	assert_equal "$status" 4
	conf 1000 10000
	sed -i 's|</root>|<monitor><userw name="userw"><action>PANIC</action><timeout>5000</timeout></userw></monitor></root>|' "$TMP/clp.conf"
	run "$B/clpkhbctrl" --config "$TMP/clp.conf" --server node1
	assert_equal "$status" 3
}
