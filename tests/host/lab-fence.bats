#!/usr/bin/env bats
# The lab's fence device on the host (scripts/lab.d/fenced.py, "lab up
# --fence"; Documentation/lab.md) without qemu: the test plays two nodes'
# qemus (the unix sockets fenced.py connects to) and a lab script that
# records what it is asked. Each request gets its answer with its ID;
# "off" cuts a running node and only that; malformed requests, unknown
# actions and nodes are refused and change nothing; every request is in
# fence.log with the node that asked. The node side, fence_clplab: its
# meta-data is well-formed XML with the actions Pacemaker's fencer needs,
# and bad options are refused.

load helpers

FENCED=$REPO/scripts/lab.d/fenced.py
AGENT=$REPO/scripts/lab.d/fence_clplab

setup() {
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/lab/node1" "$T/lab/node2"
	# The lab script: node2 runs until cut; every call recorded.
	cat >"$T/lab.sh" <<EOF
#!/bin/bash
echo "\$*" >>"$T/calls"
case "\$3" in
status) echo "node1 running"; [ -e "$T/node2-cut" ] && echo "node2 stopped" || echo "node2 running" ;;
cut) touch "$T/node2-cut" ;;
start) ;;
*) exit 1 ;;
esac
EOF
	chmod +x "$T/lab.sh"
}

teardown() {
	[ -f "$T/lab/fenced.pid" ] && kill "$(cat "$T/lab/fenced.pid")" 2>/dev/null || true
}

# converse NODE LINE...: start fenced.py, be NODE's qemu, send each LINE
# and print each answer (or "(none)" when none comes within 5 s).
converse() {
	local node=$1
	shift
	python3 - "$FENCED" "$T" "$node" "$@" <<'EOF'
import os, socket, subprocess, sys
fenced, t, node, lines = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
srv = {}
for n in ("node1", "node2"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(f"{t}/lab/{n}/fence.sock")
    s.listen(1)
    srv[n] = s
log = open(f"{t}/fenced.out", "w")
p = subprocess.Popen([fenced, f"{t}/lab.sh", "lab1", f"{t}/lab", "2", f"{t}/lab/fenced.pid"],
                     stdin=subprocess.DEVNULL, stdout=log, stderr=log)
srv[node].settimeout(10)
c, _ = srv[node].accept()
c.settimeout(5)
f = c.makefile("rb")
for line in lines:
    c.sendall(line.encode() + b"\n")
    if line.startswith("zz"):  # no ID: no answer expected
        continue
    try:
        print(f.readline().decode().rstrip("\n") or "(none)")
    except socket.timeout:
        print("(none)")
p.terminate()
p.wait()
EOF
}

@test "fenced.py: off cuts the running node once, status follows, each answer carries its ID" {
	run converse node1 "1a status node2" "2b off node2" "3c status node2" "4d off node2" "5e list" "6f monitor" "7a on node2"
	assert_success
	assert_output "1a on
2b ok powered off
3c off
4d ok already off
5e ok node1 node2
6f ok
7a ok powering on"
	run grep -c -- "--name lab1 cut node2" "$T/calls"
	assert_output 1
	run grep -c -- "--name lab1 start node2" "$T/calls"
	assert_output 1
	run cat "$T/lab/fence.log"
	assert_line --regexp '^[0-9T:-]+Z node1: 2b off node2: ok powered off$'
}

@test "fenced.py: malformed requests, unknown actions and nodes are refused and change nothing" {
	run converse node2 "zz off node1" "1 explode node1" "2 off node9" "3 off" "4 list node1" "5 status node1"
	assert_success
	assert_output "1 error unknown action 'explode' (off, on, reboot, status, list, monitor)
2 error unknown target 'node9' (this lab has node1, node2)
3 error off needs a target (node1, node2)
4 error list takes no target
5 on"
	run grep -c -E -- " (cut|start) " "$T/calls"
	assert_output 0
	run cat "$T/lab/fence.log"
	assert_line --regexp "^[0-9T:-]+Z node2: zz off node1: dropped malformed request 'zz off node1'$"
}

@test "fence_clplab: meta-data for Pacemaker's fencer; bad options refused" {
	run "$AGENT" -o metadata
	assert_success
	run xmllint --xpath 'count(/resource-agent/actions/action[@name="off" or @name="on" or @name="reboot" or @name="status" or @name="monitor" or @name="list" or @name="metadata"])' - <<<"$output"
	assert_output 7
	run "$AGENT" -o off
	assert_failure 1
	assert_output "fence_clplab: off needs the node (plug=NODE, or -n NODE)"
	run "$AGENT" <<<"action=explode"
	assert_failure 1
	assert_output --partial "fence_clplab: unknown action 'explode'"
	run "$AGENT" --bogus
	assert_failure 1
	assert_output "fence_clplab: unknown argument '--bogus' (-o ACTION [-n NODE])"
}
