/* SPDX-License-Identifier: GPL-2.0 */
/* Prometheus metrics of the heartbeat, the keepalive driver and the
 * cluster service's servers, groups and resources (metrics.c's scrape;
 * Documentation/metrics.md). */
#ifndef CLP_MGR_METRICS_CLUSTER_H
#define CLP_MGR_METRICS_CLUSTER_H

#include <stdio.h>

void metrics_heartbeat(FILE *f);
void metrics_keepalive(FILE *f);
void metrics_groups(FILE *f);

#endif /* CLP_MGR_METRICS_CLUSTER_H */
