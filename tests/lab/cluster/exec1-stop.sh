#!/bin/sh
# exec1's stop script (50-cluster.bats).
echo "stop $CLP_EVENT $CLP_SERVERNAME $CLP_GROUPNAME" >> /var/log/exec1.log
