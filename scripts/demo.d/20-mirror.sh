# shellcheck shell=bash
# Part of scripts/demo (sourced): a mirror disk with the kernel heartbeat,
# replication, a power cut of the active server, takeover on the survivor,
# and differential mirror recovery back to GREEN/GREEN.

CONF=/opt/clpstack/etc/clp.conf

# until SECONDS WHAT CMD...: poll CMD until it succeeds, or give up.
until_ok() {
	local t=$1 what=$2 i
	shift 2
	for ((i = 0; i < t * 2; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	echo "demo: gave up waiting for: $what" >&2
	return 1
}
# colour NODE WHICH: this (local) or the other server's colour, seen from NODE.
colour() {
	"$LAB" exec "$1" -- "$B/clpmdstat" --mirror md01 --json |
		jq -r --argjson l "$([ "$2" = this ] && echo true || echo false)" \
			'.servers[] | select(.local == $l) | .colour'
}
both_green() { [ "$(colour node1 this)/$(colour node1 other)" = GREEN/GREEN ]; }
is_colour() { [ "$(colour "$1" this)" = "$2" ]; }
peer_is() { "$LAB" exec "$1" -- bash -c "$B/clpkhbctrl --json | jq -e '.peers[0].state == \"$2\"'"; }
start_stack() {
	on "$1" "for m in clpkhb clpka liscal; do lsmod | grep -q \"^\$m \" || insmod $K/\$m/\$m.ko; done"
	"$LAB" exec "$1" -- bash -c "setsid -f $B/clpmgrd -f >>/var/log/clpmgrd.log 2>&1 </dev/null"
}

step "clp.conf: two servers, kernel heartbeat on both networks, mirror disk md01 (/dev/NMP1 on /dev/vdb2, cluster partition /dev/vdb1)"
sed -e 's|<name>lab</name>|<name>lab</name><heartbeat><interval>500</interval><timeout>5000</timeout></heartbeat>|' \
    -e 's|  <resource>|  <heartbeat><lankhb name="lankhb1"><priority>0</priority><device>0</device></lankhb><lankhb name="lankhb2"><priority>1</priority><device>1</device></lankhb></heartbeat>\n  <resource>|' \
    "$REPO/userland/conf/examples/lab-clp.conf" >/tmp/clpstack-demo-clp.conf
for n in node1 node2; do
	"$LAB" exec "$n" -i -- bash -c "mkdir -p /opt/clpstack/etc && cat >$CONF" </tmp/clpstack-demo-clp.conf
	on "$n" "$B/clpmdinit --create force md01"
done
rm -f /tmp/clpstack-demo-clp.conf

step "Starting the manager daemon (clpmgrd) on both servers: heartbeat, then the mirror agent's initial mirror construction"
start_stack node1
start_stack node2
until_ok 60 "node2 heartbeat up on node1" peer_is node1 up
on node1 "$B/clpkhbctrl --lines"
until_ok 900 "initial mirror construction" both_green
on node1 "$B/clpmdstat --mirror md01"

step "Activate md01 on node1 (mkfs was configured: ext4 on /dev/NMP1, mounted on /mnt/md01) and write a file"
on node1 "$B/clpmdctrl --active md01"
on node1 "head -c 16M /dev/urandom >/mnt/md01/data.bin && date >/mnt/md01/written-on-node1 && sync && md5sum /mnt/md01/data.bin"
sum1=$("$LAB" exec node1 -- md5sum /mnt/md01/data.bin | cut -d' ' -f1)

step "Power cut of node1, the active server (no shutdown; its mirror disk loses every write it had not flushed)"
"$LAB" cut node1
until_ok 60 "node2 sees node1 down" peer_is node2 down
on node2 "$B/clpkhbctrl --lines"
until_ok 120 "node2 notices the broken mirror" is_colour node2 RED
on node2 "$B/clpmdstat --mirror md01"

step "Take over on node2: its copy held every acknowledged write when node1 died, so it is activated with -force"
on node2 "$B/clpmdctrl --active -force md01"
on node2 "cat /mnt/md01/written-on-node1; md5sum /mnt/md01/data.bin"
sum2=$("$LAB" exec node2 -- md5sum /mnt/md01/data.bin | cut -d' ' -f1)
if [ "$sum1" = "$sum2" ]; then echo "demo: data.bin is identical on the survivor ($sum2)"; else echo "demo: DATA DIFFERS: $sum1 vs $sum2" >&2; exit 1; fi
on node2 "head -c 8M /dev/urandom >/mnt/md01/written-on-node2.bin && sync"

step "Power node1 back on: the mirror agent reconnects and runs a differential mirror recovery node2 -> node1"
"$LAB" start node1
start_stack node1
until_ok 900 "mirror recovery to GREEN/GREEN" both_green
on node2 "$B/clpmdstat --mirror md01"
echo "demo: node2's statistics (send_total counts replicated and recovery data; the data partition is far larger):"
on node2 "$B/clpmdstat --mirror md01 --json | jq .statistics"

step "Both data partitions are byte-identical (md5 of /dev/vdb2 after deactivating)"
on node2 "$B/clpmdctrl --deactive md01"
d1=$("$LAB" exec node1 -- sh -c "dd if=/dev/vdb2 bs=1M iflag=direct 2>/dev/null | md5sum")
d2=$("$LAB" exec node2 -- sh -c "dd if=/dev/vdb2 bs=1M iflag=direct 2>/dev/null | md5sum")
echo "node1 /dev/vdb2: $d1"
echo "node2 /dev/vdb2: $d2"
if [ "$d1" = "$d2" ]; then echo "demo: the two data partitions are identical"; else echo "demo: DATA PARTITIONS DIFFER" >&2; exit 1; fi
