# shellcheck shell=bash
# Part of scripts/demo (sourced): the cluster service runs failover group
# failover1 (mirror disk, script, floating address) on node1; a power cut
# of node1; node2 takes the group over by itself (no -force typed); node1
# comes back and its copy is recovered to GREEN/GREEN.

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

grp_on() { # grp_on VIEWER SERVER: failover1 is online on SERVER, seen from VIEWER
	[ "$("$LAB" exec "$1" -- bash -c "$B/clpstat --json | jq -r '.groups[0] | .state + \" \" + (.current // \"-\")'")" = "online $2" ]
}
start_stack() {
	on "$1" "for m in clpkhb clpka liscal; do lsmod | grep -q \"^\$m \" || insmod $K/\$m/\$m.ko; done"
	"$LAB" exec "$1" -- bash -c "setsid -f $B/clpmgrd -f -n >>/var/log/clpmgrd.log 2>&1 </dev/null"
	until_ok 30 "clpmgrd on $1" "$LAB" exec "$1" -- test -S /opt/clpstack/work/clpmgrd.sock
}

step "clp.conf: two servers, kernel heartbeat on both networks, userw, and failover group failover1 = mirror disk md01 (/dev/NMP1 on /dev/vdb2, ext4 on /mnt/md01) + script exec1 + floating address 198.18.1.100"
for n in node1 node2; do
	on "$n" "mkdir -p /opt/clpstack/etc /opt/clpstack/scripts && sed 's|@SYNCTIME@|120|' $REPO/tests/lab/cluster/clp.conf >$CONF && cp $REPO/tests/lab/cluster/exec1-*.sh /opt/clpstack/scripts/ && $B/clpmgrd --check"
	on "$n" "$B/clpmdinit --create force md01"
done

step "The cluster daemon (clpmgrd) on both servers; 'clpcl -s -a' starts the cluster: heartbeat, mirror agent, then failover1 on node1"
start_stack node1
start_stack node2
on node1 "$B/clpcl -s -a"
until_ok 300 "failover1 online on node1" grp_on node1 node1
on node1 "$B/clpstat"
until_ok 900 "initial mirror construction" both_green
on node1 "$B/clpmdstat --mirror md01"

step "Write a file on the mirror disk through node1"
on node1 "head -c 16M /dev/urandom >/mnt/md01/data.bin && date >/mnt/md01/written-on-node1 && sync && md5sum /mnt/md01/data.bin"
sum1=$("$LAB" exec node1 -- md5sum /mnt/md01/data.bin | cut -d' ' -f1)

step "Power cut of node1, the active server (no shutdown; its mirror disk loses every write it had not flushed). Nobody types anything on node2:"
"$LAB" cut node1
until_ok 180 "node2 takes failover1 over by itself" grp_on node2 node2
on node2 "grep -a -E ' (rc|hb) [0-9]+: ' /opt/clpstack/log/clpmgrd.log | tail -n 12"
on node2 "$B/clpstat"
on node2 "cat /mnt/md01/written-on-node1; md5sum /mnt/md01/data.bin; ip -4 addr show dev eth0 | grep 198.18.1.100"
sum2=$("$LAB" exec node2 -- md5sum /mnt/md01/data.bin | cut -d' ' -f1)
if [ "$sum1" = "$sum2" ]; then echo "demo: data.bin is identical on the survivor ($sum2)"; else echo "demo: DATA DIFFERS: $sum1 vs $sum2" >&2; exit 1; fi
on node2 "head -c 8M /dev/urandom >/mnt/md01/written-on-node2.bin && sync"

step "Power node1 back on and start its cluster service: it joins, failover1 stays on node2, the mirror agent recovers node1's copy (node2 -> node1)"
"$LAB" start node1
start_stack node1
on node1 "$B/clpcl -s"
until_ok 900 "mirror recovery to GREEN/GREEN" both_green
on node1 "$B/clpstat"
on node2 "$B/clpmdstat --mirror md01"

step "Both data partitions are byte-identical (md5 of /dev/vdb2 after 'clpcl -t -a' stopped the cluster)"
on node1 "$B/clpcl -t -a"
d1=$("$LAB" exec node1 -- sh -c "dd if=/dev/vdb2 bs=1M iflag=direct 2>/dev/null | md5sum")
d2=$("$LAB" exec node2 -- sh -c "dd if=/dev/vdb2 bs=1M iflag=direct 2>/dev/null | md5sum")
echo "node1 /dev/vdb2: $d1"
echo "node2 /dev/vdb2: $d2"
if [ "$d1" = "$d2" ]; then echo "demo: the two data partitions are identical"; else echo "demo: DATA PARTITIONS DIFFER" >&2; exit 1; fi
