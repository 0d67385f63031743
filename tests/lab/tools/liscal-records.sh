#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# liscal-records.sh DEV [FIRST]: test workload for tests/lab/20-liscal.bats.
# Writes record N ("rec %08d\n" padded to 4 KiB) to block N of DEV with
# O_DIRECT|O_DSYNC, and only after the write returned logs "LISCAL-ACK N" to
# the kernel log, which reaches the node's console log and survives a power
# cut. Runs until killed or a write fails.
dev=$1
n=${2:-0}
while :; do
	printf 'rec %08d\n' "$n" |
		dd of="$dev" bs=4096 seek="$n" conv=sync,notrunc oflag=direct,dsync status=none || exit 1
	echo "LISCAL-ACK $n" >/dev/kmsg
	n=$((n + 1))
done
