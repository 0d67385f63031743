/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mirror agent (mirror.c) for the hybrid disk agent (hybrid.c): a
 * hybrid disk joins it while this server is the current server of its
 * server group, with the mirror disk's decisions (initial construction,
 * automatic recovery, split brain).
 */
#ifndef CLP_MGR_MIRROR_H
#define CLP_MGR_MIRROR_H

#include "clp_md.h"

/* Create @md in the driver (or check the one there) and watch it:
 * 0, or -1 after logging why. */
int mirror_add(const struct clp_md *md);
/* Stop watching resource @name (the driver's resource is the caller's). */
void mirror_remove(const char *name);

#endif /* CLP_MGR_MIRROR_H */
