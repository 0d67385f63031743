#!/usr/bin/env bats
# clpmgrd's status page and its JSON document on the host (no lab: the
# drivers are absent, the cluster service not started): the document's
# shape, the page rendered by chromium after its script ran, and bad
# requests refused without a change (Documentation/metrics.md, "Status
# page"). The cable-pull test in a real cluster is in
# tests/lab/53-observability.bats.

load helpers

B=$REPO/userland/bin

setup_file() {
	make -s -C "$REPO/userland" >&2
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The lab suite's clp.conf for node1 on the loopback, with metrics on $PORT;
# clpmgrd -n (cluster service not started) under $BATS_TEST_TMPDIR.
setup() {
	PORT=$(free_port)
	URL=http://127.0.0.1:$PORT
	CONF=$BATS_TEST_TMPDIR/clp.conf
	sed -e 's|@SYNCTIME@|300|' -e 's|<info>198.18.1.1</info>|<info>127.0.0.1</info>|' \
		-e "s|<cluster>|<cluster><metrics><listen>127.0.0.1:$PORT</listen></metrics><daemon><port>$(free_port)</port></daemon>|" \
		"$REPO/tests/lab/cluster/clp.conf" > "$CONF"
	CLP_PREFIX=$BATS_TEST_TMPDIR timeout 120 "$B/clpmgrd" -f -n -c "$CONF" -s node1 \
		> "$BATS_TEST_TMPDIR/clpmgrd.log" 2>&1 3>&- &
	MGR=$!
	local i
	for i in $(seq 100); do
		curl -sf -o /dev/null "$URL/status.json" && return 0
		kill -0 $MGR 2>/dev/null || break
		sleep 0.1
	done
	cat "$BATS_TEST_TMPDIR/clpmgrd.log" >&2
	return 1
}

teardown() {
	[ -n "${MGR:-}" ] && kill "$MGR" 2>/dev/null
	wait 2>/dev/null || true
}

@test "status.json: servers, groups with their resources, mirror, heartbeat and keepalive, typed" {
	run curl -s -D "$BATS_TEST_TMPDIR/h" "$URL/status.json"
	assert_success
	run grep -i '^content-type: application/json' "$BATS_TEST_TMPDIR/h"
	assert_success
	curl -s "$URL/status.json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert set(d) == {"server", "time", "refresh_seconds", "mirror", "cluster", "heartbeat", "keepalive"}, sorted(d)
assert d["server"] == "node1" and d["refresh_seconds"] == 2 and isinstance(d["time"], int)
c = d["cluster"]
assert c["name"] == "lab" and c["service_up"] is False
assert c["servers"] == [{"name": "node1", "self": True, "up": False},
                        {"name": "node2", "self": False, "up": False}], c["servers"]
g, = c["groups"]
assert g["name"] == "failover1" and g["state"] == "offline" and g["owner"] is None, g
assert [(r["name"], r["type"], r["state"]) for r in g["resources"]] == \
    [("md01", "md", "offline"), ("exec1", "exec", "offline"), ("fip1", "fip", "offline")], g
for k in "mirror", "heartbeat", "keepalive":
    assert isinstance(d[k]["driver_up"], bool), k
assert isinstance(d["mirror"]["resources"], list)
for m in d["mirror"]["resources"]:
    assert {"name", "role", "connection", "disk", "split_brain", "out_of_sync_bytes", "colours"} <= set(m)
    assert [x["server"] for x in m["colours"]] == ["node1", "node2"]
assert isinstance(d["heartbeat"]["servers"], list) and isinstance(d["keepalive"]["clients"], list)
print("ok")'
}

@test "the page in chromium: its script fills the tables from status.json and polls again by itself" {
	command -v chromium >/dev/null || skip "chromium is not installed (scripts/deps)"
	# Virtual time: 5 s of the page's timers, fetches waited for in real time.
	run bash -c "timeout 60 chromium --headless --no-sandbox --disable-gpu --virtual-time-budget=5000 --dump-dom $URL/ 2>/dev/null"
	assert_success
	assert_output --partial '<span id="server">node1</span>'
	assert_output --partial '<tr><td>node1 (this server)</td><td class="down">down</td></tr>'
	assert_output --partial '<tr><td>failover1</td><td></td><td>group</td><td>offline</td><td>-</td></tr>'
	assert_output --partial '<tr><td>failover1</td><td>fip1</td><td>fip</td><td>offline</td><td></td></tr>'
	assert_output --partial '<span id="error"></span>'
	# 2 s refresh: at least 2 answers in 5 s.
	[[ "$output" =~ id=\"polls\"\>([0-9]+)\< ]]
	assert [ "${BASH_REMATCH[1]}" -ge 2 ]
}

@test "bad requests: 404 for an unknown path, 405 (Allow: GET, HEAD) for another method; nothing changes" {
	local before after p m
	before=$(curl -s "$URL/status.json" | python3 -c 'import json, sys; d = json.load(sys.stdin); del d["time"]; print(json.dumps(d, sort_keys=True))')
	for p in /nope /status.json/x /metrics/ /index.html; do
		run curl -s -o /dev/null -w '%{http_code}' "$URL$p"
		assert_output 404
	done
	run curl -s "$URL/nope"
	assert_output "not found: the metrics are at /metrics, the status page at /, its data at /status.json"
	for m in POST PUT DELETE PATCH; do
		for p in / /status.json /metrics /nope; do
			run curl -s -D "$BATS_TEST_TMPDIR/h" -X "$m" -d x=1 "$URL$p"
			assert_output "only GET"
			run grep -c -i -e '^HTTP/1.1 405' -e '^allow: GET, HEAD' "$BATS_TEST_TMPDIR/h"
			assert_output 2
		done
	done
	after=$(curl -s "$URL/status.json" | python3 -c 'import json, sys; d = json.load(sys.stdin); del d["time"]; print(json.dumps(d, sort_keys=True))')
	assert_equal "$after" "$before"
	run curl -s -o /dev/null -w '%{http_code}' -I "$URL/"
	assert_output 200
}

@test "the page puts names in as text: markup in a status document stays text, no element is made of it" {
	command -v chromium >/dev/null || skip "chromium is not installed (scripts/deps)"
	local d=$BATS_TEST_TMPDIR/www port bad='<b id=\"inj\">x</b><img src=x onerror=alert(1)>'
	mkdir "$d"
	cp "$REPO/userland/mgr/status.html" "$d/index.html"
	cat > "$d/status.json" <<-JSON
	{"server": "$bad", "time": 1, "refresh_seconds": 2,
	 "mirror": {"driver_up": true, "resources": [{"name": "$bad", "role": "$bad", "connection": "x",
	   "out_of_sync_bytes": 0, "colours": [{"server": "$bad", "local": true, "colour": "$bad"}]}]},
	 "cluster": {"servers": [{"name": "$bad", "self": true, "up": true}],
	   "groups": [{"name": "$bad", "state": "$bad", "owner": "$bad", "resources": []}]},
	 "heartbeat": {"driver_up": true, "servers": [{"name": "$bad", "up": true,
	   "links": [{"name": "$bad", "up": false, "silence_seconds": 1}]}]},
	 "keepalive": {"driver_up": true, "clients": [{"name": "$bad", "state": "$bad"}]}}
	JSON
	python3 -m json.tool "$d/status.json" >/dev/null
	python3 -m http.server -b 127.0.0.1 -d "$d" "$PORT" >/dev/null 2>&1 3>&- &
	local srv=$!
	kill "$MGR"	# the port is the static server's now
	wait "$MGR" 2>/dev/null || true
	MGR=$srv
	local i
	for i in $(seq 50); do curl -sf -o /dev/null "$URL/status.json" && break; sleep 0.1; done
	run bash -c "timeout 60 chromium --headless --no-sandbox --disable-gpu --virtual-time-budget=3000 --dump-dom $URL/ 2>/dev/null"
	assert_success
	# 13 places show it (the colour cell twice: server and colour), each as
	# text; the colour became the fixed class GRAY.
	assert_equal "$(grep -o '&lt;b id="inj"&gt;x&lt;/b&gt;&lt;img src=x onerror=alert(1)&gt;' <<< "$output" | wc -l)" 13
	refute_output --partial '<b id="inj">'
	refute_output --partial '<img'
	assert_output --partial 'class="GRAY" data-resource="&lt;b id=&quot;inj&quot;&gt;x'
}
