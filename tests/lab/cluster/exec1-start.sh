#!/bin/sh
# exec1's start script: records how and where it ran (50-cluster.bats).
echo "start $CLP_EVENT $CLP_SERVER $CLP_SERVERNAME $CLP_GROUPNAME $CLP_RESOURCENAME" >> /var/log/exec1.log
mountpoint -q /mnt/md01 || { echo "md01 not mounted" >&2; exit 1; }
# A start made to fail on this server (the failover threshold test).
[ ! -e /run/exec1-fail ] || { echo "told to fail (/run/exec1-fail)" >&2; exit 3; }
# A start held until the file goes (the daemon killed mid-start).
while [ -e /run/exec1-hold ]; do sleep 0.2; done
