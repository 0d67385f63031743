#!/usr/bin/env bats
# clp.conf of the cluster service (groups, exec and fip resources, network
# partition resolution, startup wait): the lab suite's configuration is
# valid, and every kind of bad configuration is refused by 'clpmgrd --check'
# with file:line: key: what, exit 4.

load helpers

B=$REPO/userland/bin
GOOD=$REPO/tests/lab/cluster/clp.conf

setup_file() {
	make -s -C "$REPO/userland" >&2
}

# A copy of the lab suite's clp.conf with the sed script $1 applied.
conf() {
	CONF=$BATS_TEST_TMPDIR/clp.conf
	sed -e 's|@SYNCTIME@|300|' -e "${1:-}" "$GOOD" > "$CONF"
}

# check EXPECTED_STATUS MESSAGE [SERVER]: clpmgrd --check on $CONF.
check() {
	run "$B/clpmgrd" --check -c "$CONF" -s "${3:-node1}"
	assert_equal "$status" "$1"
	assert_output --partial "$2"
}

@test "cluster conf: the lab suite's configuration validates for both servers" {
	conf
	run xmllint --noout --relaxng "$REPO/userland/conf/clp.rng" "$CONF"
	assert_success
	check 0 "valid for server node1 (1 group)"
	check 0 "valid for server node2 (1 group)" node2
}

@test "cluster conf: bad groups are refused with file:line: key" {
	local -a cases=(
		's|<policy name="node2"/>|<policy name="node9"/>|;;group@failover1/policy: '"'node9'"' is not a server of this cluster'
		's|<policy name="node2"/>|<policy name="node1"/>|;;group@failover1/policy: '"'node1'"' is given twice'
		's|<policy name="node1"/>||; s|<policy name="node2"/>||;;group@failover1/policy: no server'
		's|<resource name="md@md01"/>|<resource name="md@md09"/>|;;group@failover1/resource: '"'md@md09'"' is not a resource of this configuration'
		's|<resource name="exec@exec1"/>|<resource name="disk@exec1"/>|;;unknown resource type'
		's|<resource name="exec@exec1"/>|<resource name="exec1"/>|;;is not <type>@<name>'
		's|<resource name="fip@fip1"/>|<resource name="exec@exec1"/>|;;'"'exec@exec1'"' is already in group failover1'
		's|<group name="failover1">|<group name="bad name">|;;is not a group name'
		's|<policy name="node1"/>|<policy name="node1"/><start>2</start>|;;group@failover1/start: 2 is out of range (0-1)'
		's|<policy name="node1"/>|<policy name="node1"/><failover>yes</failover>|;;group@failover1/failover: '"'yes'"' is not an integer'
	)
	local c sedexp msg
	for c in "${cases[@]}"; do
		sedexp=${c%%;;*} msg=${c#*;;}
		conf "$sedexp"
		check 4 "$msg"
		assert_output --regexp "$CONF:[0-9]+: "
	done
}

@test "cluster conf: bad resources, partition resolution, timing and keys are refused" {
	local -a cases=(
		's|<start>/opt/clpstack/scripts/exec1-start.sh</start>||;;resource/exec@exec1/parameters/start: is required'
		's|<stop>/opt/clpstack/scripts/exec1-stop.sh</stop>|<stop>exec1-stop.sh</stop>|;;resource/exec@exec1/parameters/stop: '"'exec1-stop.sh'"' is not an absolute path'
		's|<ip>198.18.1.100</ip>|<ip>198.18.1.300</ip>|;;resource/fip@fip1/parameters/ip: '"'198.18.1.300'"' is not an IPv4 address'
		's|<ip>198.18.1.100</ip>|<ip>198.18.1.100/33</ip>|;;is not an IPv4 address'
		's|<act><timeout>60</timeout></act>|<act><timeout>0</timeout></act>|;;resource/exec@exec1/act/timeout: 0 is out of range (1-9999)'
		's|<act><timeout>60</timeout></act>|<act><retry>100</retry></act>|;;resource/exec@exec1/act/retry: 100 is out of range (0-99)'
		's|<deact><timeout>60</timeout></deact>|<deact><action>reboot</action></deact>|;;resource/exec@exec1/deact/action: '"'reboot'"' is not one of none, stopgroup, reset'
		's|</resource>|</resource><networkpartition><npaction>7</npaction></networkpartition>|;;networkpartition/npaction: 7 is out of range (0-6)'
		's|</resource>|</resource><networkpartition><pingnp name="p1"><target>host</target></pingnp></networkpartition>|;;networkpartition/pingnp@p1/target: '"'host'"' is not an IPv4 address'
		's|</resource>|</resource><networkpartition><pingnp name="p1"><target>198.18.1.3</target><timeout>0</timeout></pingnp></networkpartition>|;;networkpartition/pingnp@p1/timeout: 0 is out of range (1-60)'
		's|</resource>|</resource><networkpartition><majority/></networkpartition>|;;networkpartition/majority: needs 3 or more servers (2 configured)'
		's|</resource>|</resource><networkpartition><majority>yes</majority></networkpartition>|;;majority'
		's|<synctime>300</synctime>|<synctime>soon</synctime>|;;cluster/startup/synctime: '"'soon'"' is not an integer'
		's|<synctime>300</synctime>|<synctime>300</synctime><waittime>3</waittime>|;;cluster/startup/waittime: unknown key'
		's|<startup>|<daemon><port>80</port></daemon><startup>|;;cluster/daemon/port: 80 is out of range (1024-65535)'
		's|<action>RESET</action>|<action>RESET</action><timeout>8000</timeout>|;;monitor/userw/timeout: 8000 ms is not below the heartbeat timeout (8000 ms)'
		'/<lankhb /d;;groups need a heartbeat'
		'/<userw /d;;monitor/userw: groups need the user-mode monitor'
		's|<device id="0"><type>lan</type><info>198.18.1.2</info></device>||;;server@node2/device: no lan device'
	)
	local c sedexp msg
	for c in "${cases[@]}"; do
		sedexp=${c%%;;*} msg=${c#*;;}
		conf "$sedexp"
		check 4 "$msg"
	done
	conf
	check 4 "this server 'node7' is not one of its servers" node7
}

@test "cluster conf: a group with a hybrid disk (the hybrid lab suite's) validates for its three servers; bad hd references are refused" {
	local s c sedexp msg
	CONF=$BATS_TEST_TMPDIR/clp.conf
	sed -e 's|@SYNCTIME@|300|' "$REPO/tests/lab/cluster/clp-hybrid.conf" > "$CONF"
	run xmllint --noout --relaxng "$REPO/userland/conf/clp.rng" "$CONF"
	assert_success
	for s in node1 node2 node3; do
		check 0 "valid for server $s (1 group)" $s
	done
	local -a cases=(
		's|<resource name="hd@hd1"/>|<resource name="hd@hd9"/>|;;group@failover1/resource: '"'hd@hd9'"' is not a resource of this configuration'
		's|<resource name="hd@hd1"/>|<resource name="hd@hd1"/><resource name="hd@hd1"/>|;;'"'hd@hd1'"' is already in group failover1'
		's|<resource name="hd@hd1"/>|<resource name="hdd@hd1"/>|;;unknown resource type (md, hd, exec or fip)'
		'/<servergroup name="svg1">/,/<\/servergroup>/{/<server name="node2"\/>/d};;'"'hd@hd1'"': policy server node2 is in neither of its server groups'
		's|<mkfs>1</mkfs>|<mkfs>1</mkfs><fencing>1</fencing>|;;resource/hd@hd1/parameters/fencing: 1 is not supported for hybrid disks yet'
	)
	for c in "${cases[@]}"; do
		sedexp=${c%%;;*} msg=${c#*;;}
		sed -e 's|@SYNCTIME@|300|' -e "$sedexp" "$REPO/tests/lab/cluster/clp-hybrid.conf" > "$CONF"
		check 4 "$msg"
		assert_output --regexp "$CONF:[0-9]+: "
	done
}
