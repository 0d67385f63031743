#!/bin/sh
# exec2's start and stop script (52-cluster-majority.bats): records each run.
echo "$CLP_EVENT $CLP_SERVERNAME $CLP_GROUPNAME" >> /var/log/exec2.log
