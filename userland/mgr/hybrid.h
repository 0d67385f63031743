/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hybrid disk agent (hybrid.c): which server of a hybrid disk's
 * server group is current, for the resource agents and the other daemons.
 */
#ifndef CLP_MGR_HYBRID_H
#define CLP_MGR_HYBRID_H

#include <stdbool.h>
#include <json-c/json.h>

#include "clp_md.h"

/* Wait up to @seconds until this server is the current server of hybrid
 * disk @name's group with the resource in the driver; 0 with @md (the
 * mirror disk view, the other end the other group's current server), or
 * -1 with err set. With @seconds, a live holder of the same group is asked
 * to hand the lease over ("hd-release") every 2 s. */
int hybrid_wait_current(const char *name, long seconds, struct clp_md *md, char *err,
			size_t errlen);
/* This server is the current server of @name's group, the resource in the
 * driver. */
bool hybrid_is_current(const char *name);
/* "hd-current" from daemon @from: it is the current server of the other
 * group; the answer says whether this server is current of its own.
 * "hd-release" from a daemon of this server's own group, which is to start
 * the group: hand the lease over unless the resource is active here. */
struct json_object *hybrid_request(struct json_object *req, int from);

#endif /* CLP_MGR_HYBRID_H */
