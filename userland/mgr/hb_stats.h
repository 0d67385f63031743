/* SPDX-License-Identifier: GPL-2.0 */
/* clpmgrd: heartbeat statistics file (perf/cluster/heartbeat/lankhb.cur). */
#ifndef HB_STATS_H
#define HB_STATS_H

int hb_stats_start(const char *local);
void hb_stats_stop(void);

#endif /* HB_STATS_H */
