#!/usr/bin/env bats
# Statistics files (guide 2.3-2.6) and log collection (2.9) on the host:
# the writers, headers and rotation with a small limit (unit test), and
# clplogcc's archive of this server and its answers to bad input.

load md-helpers

setup_file() {
	md_build_units
}

setup() {
	unset CLP_CONF CLP_SERVER CLP_PREFIX
	md_conf
	export CLP_PREFIX=$BATS_TEST_TMPDIR/pfx
	mkdir -p "$CLP_PREFIX"/log "$CLP_PREFIX"/alert/log "$CLP_PREFIX"/etc \
		"$CLP_PREFIX"/perf/disk "$CLP_PREFIX"/perf/system "$CLP_PREFIX"/perf/cluster/group \
		"$BATS_TEST_TMPDIR"/out
	echo "module log" > "$CLP_PREFIX"/log/clpmgrd.log
	echo "alert" > "$CLP_PREFIX"/alert/log/alert.log
	cp "$CONF" "$CLP_PREFIX"/etc/clp.conf
	echo '"Date"' > "$CLP_PREFIX"/perf/disk/nmp1.cur
	echo '"Date"' > "$CLP_PREFIX"/perf/system/system.cur
	echo '"Date"' > "$CLP_PREFIX"/perf/cluster/group/group.cur
}

need_root() {
	[ "$(id -u)" = 0 ] || skip "clplogcc runs as root"
}

@test "statistics files: rotation, generations, cluster/system/process rows and headers (unit)" {
	run "$REPO/tests/host/bin/stats_test" "$BATS_TEST_TMPDIR"
	assert_success
	refute_output --partial "not ok"
	assert_output --partial "1..23"
}

# members NAME: the archive's member list, sorted.
members() {
	tar tzf "$BATS_TEST_TMPDIR/out/$1.tar.gz" | sort
}

@test "clplogcc --local: type1 holds logs, alert log, configuration, OS information, no statistics" {
	need_root
	run "$B/clplogcc" --local -o "$BATS_TEST_TMPDIR/out"
	assert_success
	assert_output "node1: $BATS_TEST_TMPDIR/out/node1.tar.gz"
	run members node1
	assert_line node1/log/clpmgrd.log
	assert_line node1/alert/log/alert.log
	assert_line node1/etc/clp.conf
	assert_line node1/info/uname.txt
	assert_line node1/info/proc-meminfo
	refute_line --partial perf/
	[ ! -e "$BATS_TEST_TMPDIR/out/node1.tar.gz.part" ]
}

@test "clplogcc -t: type2 mirror, type3 system, type6 cluster statistics, type5 no logs" {
	need_root
	local t want
	for t in 2:perf/disk/nmp1.cur 3:perf/system/system.cur 6:perf/cluster/group/group.cur; do
		want=${t#*:}
		"$B/clplogcc" --local -t "type${t%%:*}" -o "$BATS_TEST_TMPDIR/out"
		run members node1
		assert_line "node1/$want"
		[ "$(members node1 | grep -c 'node1/perf/.*\.cur')" = 1 ]
	done
	"$B/clplogcc" --local -t type4 -o "$BATS_TEST_TMPDIR/out"
	[ "$(members node1 | grep -c 'node1/perf/.*\.cur')" = 3 ]
	"$B/clplogcc" --local -t type5 -o "$BATS_TEST_TMPDIR/out"
	run members node1
	assert_line node1/etc/clp.conf
	refute_line --partial node1/log/
}

@test "clplogcc: bad input gives a clear error, exit 2, and writes nothing" {
	need_root
	run "$B/clplogcc" -t type7
	assert_failure 2
	assert_output --partial "-t: 'type7' is not a log collection type (type1 ... type6)"
	run "$B/clplogcc" -t 0
	assert_failure 2
	run "$B/clplogcc" -n node9
	assert_failure 2
	assert_output --partial "-n: there is no server 'node9' in"
	run "$B/clplogcc" -o "$BATS_TEST_TMPDIR/none"
	assert_failure 2
	assert_output --partial "-o: $BATS_TEST_TMPDIR/none is not a directory"
	run "$B/clplogcc" --local -n node1
	assert_failure 2
	assert_output --partial "--local and -n exclude each other"
	run "$B/clplogcc" extra
	assert_failure 2
	assert_output --partial "unexpected argument 'extra'"
	run "$B/clplogcc" --bogus
	assert_failure 2
	[ -z "$(ls "$BATS_TEST_TMPDIR/out")" ]
}

@test "clplogcc -n: another server without a running cluster daemon fails naming why" {
	need_root
	run "$B/clplogcc" -n node2 -o "$BATS_TEST_TMPDIR/out"
	assert_failure 1
	assert_output --partial "the cluster daemon clpmgrd is not running on this server"
	[ ! -e "$BATS_TEST_TMPDIR/out/node2.tar.gz" ]
}

@test "clpmgrd: a bad cluster/statistics key stops it at start naming file, line and key" {
	local bad
	for bad in '<system>2</system>' '<cluster>yes</cluster>' '<sample>1</sample>'; do
		md_conf "s|<name>lab</name>|<name>lab</name><statistics>$bad</statistics>|"
		run timeout 20 "$B/clpmgrd" -f -n
		assert_failure 1
		case $bad in
		*system*) assert_output --partial "clp.conf:12: cluster/statistics/system: '2' is not 0 or 1" ;;
		*cluster*) assert_output --partial "cluster/statistics/cluster: 'yes' is not 0 or 1" ;;
		*) assert_output --partial "cluster/statistics/sample: unknown key" ;;
		esac
		refute_output --partial "module rc started"
	done
}

@test "the module log rotates to clpmgrd.log.1 at its size limit" {
	md_conf "s|<name>lab</name>|<name>lab</name><statistics><system>2</system></statistics>|"
	mkdir -p "$CLP_PREFIX/log"
	head -c 300 /dev/zero | tr '\0' x > "$CLP_PREFIX/log/clpmgrd.log"
	CLP_LOG_LIMIT=290 run timeout 20 "$B/clpmgrd" -f -n
	assert_failure 1
	# The old content moved aside whole; the new file holds this run's events.
	[ "$(tr -d x < "$CLP_PREFIX/log/clpmgrd.log.1" | wc -c)" = 0 ]
	[ "$(wc -c < "$CLP_PREFIX/log/clpmgrd.log.1")" = 300 ]
	run cat "$CLP_PREFIX/log/clpmgrd.log"
	assert_output --partial "stats 1: "
	refute_output --partial "xxx"
}

@test "the alert log names the server with each event and rotates to alert.log.1 at the same limit" {
	md_conf "s|<name>lab</name>|<name>lab</name><statistics><system>2</system></statistics>|"
	head -c 300 /dev/zero | tr '\0' x > "$CLP_PREFIX/alert/log/alert.log"
	CLP_SERVER=node1 CLP_LOG_LIMIT=290 run timeout 20 "$B/clpmgrd" -f -n
	assert_failure 1
	[ "$(tr -d x < "$CLP_PREFIX/alert/log/alert.log.1" | wc -c)" = 0 ]
	[ "$(wc -c < "$CLP_PREFIX/alert/log/alert.log.1")" = 300 ]
	run grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} node1 stats 1: ' "$CLP_PREFIX/alert/log/alert.log"
	assert_output 1
	run grep -c xxx "$CLP_PREFIX/alert/log/alert.log"
	assert_output 0
	# The same event in the module log, without the server.
	run grep -c ' stats 1: ' "$CLP_PREFIX/log/clpmgrd.log"
	assert_output 1
}
