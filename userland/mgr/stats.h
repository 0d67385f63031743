/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clpmgrd module "stats": the system and process resource statistics
 * (perf/system/system.cur, process.cur, every 60 s) and the writer of the
 * cluster statistics of groups, group resources and monitors
 * (perf/cluster/group/group.cur, <type>.cur, perf/cluster/monitor/<type>.cur).
 * Keys cluster/statistics/system and cluster/statistics/cluster (0/1,
 * default 1). Documentation/statistics.md.
 */
#ifndef CLP_MGR_STATS_H
#define CLP_MGR_STATS_H

#include <time.h>

enum stats_kind { STATS_GROUP, STATS_RES, STATS_MON };

/* A finished action: @kind's file (group.cur, or @type.cur of resources or
 * monitors) gets a row for @name's @action ("Start", "Stop", "Move",
 * "Failover", "Monitor") with @result ("Success", "Failure", "Warning",
 * "Timeout", "Cancel") and @code, started at @start (CLOCK_REALTIME),
 * ending now. Nothing when cluster statistics are off. Thread-safe. */
void stats_cluster(enum stats_kind kind, const char *type, const char *name,
		   const char *action, const char *result, int code,
		   const struct timespec *start);
/* The same for an action that ended at @end (CLOCK_REALTIME): a row
 * written later than the action, from a queue (userw.c). */
void stats_cluster_at(enum stats_kind kind, const char *type, const char *name,
		      const char *action, const char *result, int code,
		      const struct timespec *start, const struct timespec *end);

#endif /* CLP_MGR_STATS_H */
