/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mirror agent's statistics sampler: every 60 s, one row per mirror
 * disk resource, and per hybrid disk on its group's current server, into
 * <prefix>/perf/disk/nmpN.cur (guide 2.3).
 */
#ifndef MIRROR_PERF_H
#define MIRROR_PERF_H

#include <stdint.h>

#include "clp_md.h"

/* Start sampling the @n resources of @mds (copied); those from index
 * @first_hybrid on are hybrid disks, sampled while this server is current
 * (in the driver), skipped silently otherwise. Returns 0 or -1. */
int mirror_perf_start(const struct clp_md *mds, int n, int first_hybrid);
void mirror_perf_stop(void);
/* The md resource agent (res.c) unmounted resource @name in @us. */
void mirror_perf_unmounted(const char *name, uint64_t us);

#endif /* MIRROR_PERF_H */
