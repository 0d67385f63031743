#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# liscal-records.sh DEV [FIRST [fsync]]: test workload for
# tests/lab/20-liscal.bats. Writes record N ("rec %08d\n" padded to 4 KiB)
# to block N of DEV with O_DIRECT|O_DSYNC (a FUA write), or with fsync:
# with O_DIRECT then fsync() (a write, then an empty flush: a database's
# commit), and only after the write (and fsync) returned logs "LISCAL-ACK N"
# to the kernel log, which reaches the node's console log and survives a
# power cut. Runs until killed or a write fails.
dev=$1
n=${2:-0}
how="conv=sync,notrunc oflag=direct,dsync"
[ "$3" = fsync ] && how="conv=sync,notrunc,fsync oflag=direct"
while :; do
	# shellcheck disable=SC2086 # $how is two dd operands
	printf 'rec %08d\n' "$n" |
		dd of="$dev" bs=4096 seek="$n" $how status=none || exit 1
	echo "LISCAL-ACK $n" >/dev/kmsg
	n=$((n + 1))
done
