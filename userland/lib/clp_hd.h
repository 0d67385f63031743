/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hybrid disk resources in clp.conf (Documentation/hybrid.md): server
 * groups and root/resource/hd@<name>.
 *
 * A hybrid disk spans exactly two server groups (root/servergroup@<name>,
 * each 1-8 servers sharing one disk). Its keys below parameters/ are those
 * of a mirror disk (clp_md.c reads them, with errors naming
 * resource/hd@<name>/...); the mirror runs between the current server of
 * each group, so one end is this server and the other a server of the
 * other group. The cluster partition node id of a group is its position
 * in the resource (0 or 1): every member of a group initialises and reads
 * the same shared cluster partition as that node.
 */
#ifndef CLP_HD_H
#define CLP_HD_H

#include <stdbool.h>
#include <stddef.h>

#include "clp_conf.h"
#include "clp_md.h"

#define CLP_HD_GROUP_MAX 8	/* servers per server group */

struct clp_hd_group {
	char name[32];
	int nservers;
	char servers[CLP_HD_GROUP_MAX][64];	/* clp.conf order: the first is the default current */
};

struct clp_hd {
	char name[CLP_MD_NAMELEN];
	int index;			/* position among the hd resources, from 0 */
	struct clp_hd_group group[2];	/* the resource's order; node id = index */
	int local_group;		/* group of the local server */
	struct clp_md md;		/* local: this server; peer: the other group's server */
};

/* "hd" followed by 1-13 letters, digits or '_'. */
bool clp_hd_name_valid(const char *name);
/* The same for a command-line argument: 0, or CLP_EXIT_USAGE after saying
 * what is wrong. */
int clp_hd_name_arg(const char *name);

int clp_hd_count(struct clp_conf *conf);
const char *clp_hd_name_at(struct clp_conf *conf, int i);

/*
 * Read hd resource @name as seen from @server, the mirror's other end
 * being @peer (a server of the other group; NULL: that group's first).
 * Returns 0; -ENOENT when there is no such resource; -EINVAL when a key or
 * a server group is wrong (err names file:line: key: what).
 */
int clp_hd_load(struct clp_conf *conf, const char *name, const char *server, const char *peer,
		struct clp_hd *hd, char *err, size_t errlen);

/* Every hd resource from every member of its groups, and what must hold
 * between them and the md resources (NMP numbers, ports, partitions). */
int clp_hd_check_all(struct clp_conf *conf, char *err, size_t errlen);

/* The group of @server in @hd: 0, 1, or -1. */
int clp_hd_group_of(const struct clp_hd *hd, const char *server);

/* The server of group @g of @hd (loaded as seen from @me) whose mirror
 * address is @addr ("a.b.c.d:port", as the driver reports its peer); NULL
 * when none is. */
const char *clp_hd_server_at(struct clp_conf *conf, const struct clp_hd *hd, int g,
			     const char *me, const char *addr);

#endif /* CLP_HD_H */
