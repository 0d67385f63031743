/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics files of the guide (2.3-2.6): CSV files <name>.cur under
 * <prefix>/perf/..., a quoted header line first, rotated to <name>.pre
 * (and .pre1, ...) when they reach a size limit. Writers:
 *   mirror   perf/disk/nmpN.cur          clp_md_perf.c (mgr/mirror_perf.c)
 *   system   perf/system/system.cur      clp_sysperf.c (mgr/stats.c)
 *   process  perf/system/process.cur     clp_sysperf.c (mgr/stats.c)
 *   cluster  perf/cluster/heartbeat/lankhb.cur (mgr/hb_stats.c),
 *            perf/cluster/group/group.cur and <resource type>.cur,
 *            perf/cluster/monitor/<monitor type>.cur (mgr/stats.c)
 * Documentation/statistics.md describes every file.
 */
#ifndef CLP_STATS_H
#define CLP_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/*
 * Append @row (one or more lines) to @path, writing @header first when the
 * file is new or empty. Before that, when @path has reached @limit bytes,
 * rotate it: <base>.pre<gens-2> ... <base>.pre1 <- <base>.pre <- @path
 * (@path ends in ".cur"; @gens rotated files are kept, 1: only .pre).
 * Creates the missing directories of @path. Returns 0 or -errno.
 */
int clp_stats_append(const char *path, const char *header, const char *row, off_t limit,
		     int gens);

/* "YYYY/MM/DD HH:MM:SS" (local time), with ".mmm" when @ms. */
void clp_stats_date(char *buf, size_t len, const struct timespec *ts, bool ms);

/*
 * The cluster statistics files of groups, group resources and monitors
 * (guide Table 2.12): the header, and one row for an action (Start, Stop,
 * Move, Failover, Monitor) with its result (Success, Failure, Warning,
 * Timeout, Cancel) and return code (left empty on success), started at
 * @start (CLOCK_REALTIME) and ended at @end. Returns the length or -1.
 */
extern const char clp_stats_cluster_header[];
int clp_stats_cluster_row(char *buf, size_t len, const char *name, const char *action,
			  const char *result, int code, const struct timespec *start,
			  const struct timespec *end);

#define CLP_STATS_GROUP_LIMIT (1L << 20)	/* group.cur */
#define CLP_STATS_RES_LIMIT (3L << 20)		/* <resource type>.cur */
#define CLP_STATS_MON_LIMIT (10L << 20)		/* <monitor type>.cur */
#define CLP_STATS_HB_LIMIT (16L << 20)		/* lankhb.cur */

#endif /* CLP_STATS_H */
