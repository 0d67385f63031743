/* SPDX-License-Identifier: GPL-2.0 */
/* The heartbeat, the keepalive driver and the cluster service's servers,
 * groups and resources as the metrics module reads them (metrics.c's
 * scrape; Documentation/metrics.md): one collection, then the Prometheus
 * text or the status page's JSON document from it. */
#ifndef CLP_MGR_METRICS_CLUSTER_H
#define CLP_MGR_METRICS_CLUSTER_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

struct metrics_cluster;

/* Read clpkhb, clpka's sysfs and the cluster service (under clus.lock);
 * NULL when out of memory. Freed with free(). */
struct metrics_cluster *metrics_cluster_collect(void);
/* The exposition text of what @c holds. */
void metrics_cluster_text(FILE *f, const struct metrics_cluster *c);
/* "cluster", "heartbeat" and "keepalive" members of @root; 0 or -ENOMEM. */
int metrics_cluster_json(struct json_object *root, const struct metrics_cluster *c);
/* This server's name and the other one's (a two-server cluster), for the
 * mirror colours; "local" and "peer" when not known. */
const char *metrics_cluster_self(const struct metrics_cluster *c);
const char *metrics_cluster_peer(const struct metrics_cluster *c);
/* @v as member @key of @o, or appended to the array @o when @key is NULL;
 * -ENOMEM when @v is NULL or cannot be added (@v is released then). */
int metrics_json_add(struct json_object *o, const char *key, struct json_object *v);
/* {"driver_up": @up, @key: []} with the empty array in *@list; NULL when
 * out of memory. */
struct json_object *metrics_json_section(bool up, const char *key, struct json_object **list);

#endif /* CLP_MGR_METRICS_CLUSTER_H */
