/* SPDX-License-Identifier: GPL-2.0 */
/* Driver fencing, the cluster side (fence.c, Documentation/cluster.md). */
#ifndef CLP_MGR_FENCE_H
#define CLP_MGR_FENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "clp_md.h"
#include "clp_md_nl.h"

/* The mirror agent's start and stop: the mirror disks of clp.conf. */
int fence_start(const struct clp_md *mds, int n);
void fence_stop(void);
/* A driver status or event of one mirror disk (the mirror agent). */
void fence_note(const struct clp_md_status *st);
/* Look at the held writes again (a resolution was won, a server down). */
void fence_kick(void);
/* This daemon saw its standby copy of @name turn outdated at a break, and
 * no connection since (the failover rule, res.c). */
bool fence_break_seen(const char *name);
/* The other server's "md-outdate": 0, or an exit code with @msg set. */
int fence_outdate(const char *name, char *msg, size_t len);
/* A lost resolution: every standby copy with fencing here is fenced. */
void fence_outdate_local(void);

#endif /* CLP_MGR_FENCE_H */
