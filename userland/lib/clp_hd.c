// SPDX-License-Identifier: GPL-2.0
/*
 * Hybrid disk resources and server groups in clp.conf. See clp_hd.h and
 * Documentation/hybrid.md.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clp_hd.h"
#include "clp_log.h"

#define XP_HD "/root/resource/hd"

bool clp_hd_name_valid(const char *name)
{
	return clp_md_kind_name_valid("hd", name);
}

int clp_hd_name_arg(const char *name)
{
	if (clp_hd_name_valid(name))
		return 0;
	clp_err("'%s' is not a hybrid disk resource name (hd followed by 1-13 letters, "
		"digits or _)", name);
	return CLP_EXIT_USAGE;
}

int clp_hd_count(struct clp_conf *conf)
{
	return clp_conf_count(conf, XP_HD);
}

const char *clp_hd_name_at(struct clp_conf *conf, int i)
{
	return clp_conf_name_at(conf, XP_HD, i);
}

int clp_hd_group_of(const struct clp_hd *hd, const char *server)
{
	int g, i;

	for (g = 0; g < 2; g++)
		for (i = 0; i < hd->group[g].nservers; i++)
			if (!strcmp(hd->group[g].servers[i], server))
				return g;
	return -1;
}

__attribute__((format(printf, 5, 6)))
static int conf_err(struct clp_conf *conf, const char *xp, char *err, size_t errlen,
		    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%ld: %s", clp_conf_path(conf), clp_conf_line(conf, xp), msg);
	return -EINVAL;
}

/* Server group @gname into @g: it exists once, has 1-8 servers of
 * root/server, each once, none in another server group. */
static int load_group(struct clp_conf *conf, const char *hdname, const char *gname,
		      struct clp_hd_group *g, char *err, size_t errlen)
{
	char xp[256], sxp[320];
	int n, i, j, k, ng;

	snprintf(xp, sizeof(xp), "/root/servergroup[@name='%s']", gname);
	n = clp_conf_count(conf, xp);
	if (n == 0) {
		snprintf(xp, sizeof(xp), XP_HD "[@name='%s']/servergroup[@name='%s']", hdname,
			 gname);
		return conf_err(conf, xp, err, errlen,
				"resource/hd@%s/servergroup@%s: no such server group (root/servergroup@%s)",
				hdname, gname, gname);
	}
	if (n > 1)
		return conf_err(conf, xp, err, errlen, "servergroup@%s: defined twice", gname);
	snprintf(g->name, sizeof(g->name), "%s", gname);
	snprintf(sxp, sizeof(sxp), "%s/server", xp);
	n = clp_conf_count(conf, sxp);
	if (n < 1 || n > CLP_HD_GROUP_MAX)
		return conf_err(conf, xp, err, errlen,
				"servergroup@%s: %d servers, a server group has 1-%d", gname, n,
				CLP_HD_GROUP_MAX);
	g->nservers = n;
	for (i = 0; i < n; i++) {
		const char *s = clp_conf_name_at(conf, sxp, i);
		char one[320];

		if (!s || !clp_conf_name_valid(s))
			return conf_err(conf, sxp, err, errlen,
					"servergroup@%s: '%s' is not a server name", gname,
					s ? s : "");
		snprintf(one, sizeof(one), "/root/server[@name='%s']", s);
		if (clp_conf_count(conf, one) == 0)
			return conf_err(conf, sxp, err, errlen,
					"servergroup@%s: server %s is not in the configuration (root/server@%s)",
					gname, s, s);
		for (j = 0; j < i; j++)
			if (!strcmp(g->servers[j], s))
				return conf_err(conf, sxp, err, errlen,
						"servergroup@%s: server %s is listed twice", gname, s);
		snprintf(g->servers[i], sizeof(g->servers[i]), "%s", s);
		/* In no other server group. */
		ng = clp_conf_count(conf, "/root/servergroup");
		for (k = 0; k < ng; k++) {
			const char *other = clp_conf_name_at(conf, "/root/servergroup", k);

			if (!other || !strcmp(other, gname))
				continue;
			snprintf(one, sizeof(one), "/root/servergroup[@name='%s']/server[@name='%s']",
				 other, s);
			if (clp_conf_count(conf, one) > 0)
				return conf_err(conf, one, err, errlen,
						"server %s is in two server groups (%s and %s)", s,
						gname, other);
		}
	}
	return 0;
}

/* The resource @name: index, valid name, its two server groups. */
static int load_groups(struct clp_conf *conf, const char *name, struct clp_hd *hd, char *err,
		       size_t errlen)
{
	char xp[256];
	int i, n, ret;

	n = clp_hd_count(conf);
	hd->index = -1;
	for (i = 0; i < n; i++) {
		const char *s = clp_hd_name_at(conf, i);

		snprintf(xp, sizeof(xp), XP_HD "[%d]", i + 1);
		if (s && !clp_hd_name_valid(s))
			return conf_err(conf, xp, err, errlen,
					"resource/hd@%s: '%s' is not a hybrid disk resource name "
					"(hd followed by 1-13 letters, digits or _)", s, s);
		if (s && !strcmp(s, name)) {
			if (hd->index >= 0)
				return conf_err(conf, xp, err, errlen,
						"resource/hd@%s: defined twice", name);
			hd->index = i;
		}
	}
	if (hd->index < 0) {
		snprintf(err, errlen, "%s: no such hybrid disk resource in %s", name,
			 clp_conf_path(conf));
		return -ENOENT;
	}
	snprintf(xp, sizeof(xp), XP_HD "[@name='%s']/servergroup", name);
	n = clp_conf_count(conf, xp);
	if (n != 2)
		return conf_err(conf, n ? xp : XP_HD, err, errlen,
				"resource/hd@%s: a hybrid disk needs exactly two server groups "
				"(servergroup@<name>), %d given", name, n);
	for (i = 0; i < 2; i++) {
		const char *g = clp_conf_name_at(conf, xp, i);

		ret = load_group(conf, name, g ? g : "", &hd->group[i], err, errlen);
		if (ret)
			return ret;
	}
	if (!strcmp(hd->group[0].name, hd->group[1].name))
		return conf_err(conf, xp, err, errlen,
				"resource/hd@%s: servergroup@%s given twice", name,
				hd->group[0].name);
	return 0;
}

int clp_hd_load(struct clp_conf *conf, const char *name, const char *server, const char *peer,
		struct clp_hd *hd, char *err, size_t errlen)
{
	const struct clp_hd_group *other;
	int ret, g;

	memset(hd, 0, sizeof(*hd));
	if (!clp_hd_name_valid(name)) {
		snprintf(err, errlen,
			 "%s: not a hybrid disk resource name (hd followed by 1-13 letters, digits or _)",
			 name);
		return -ENOENT;
	}
	snprintf(hd->name, sizeof(hd->name), "%s", name);
	ret = load_groups(conf, name, hd, err, errlen);
	if (ret)
		return ret;
	hd->local_group = clp_hd_group_of(hd, server);
	if (hd->local_group < 0) {
		snprintf(err, errlen, "%s: resource/hd@%s: server %s is in neither of its server "
			 "groups (%s, %s)", clp_conf_path(conf), name, server, hd->group[0].name,
			 hd->group[1].name);
		return -EINVAL;
	}
	other = &hd->group[1 - hd->local_group];
	if (!peer)
		peer = other->servers[0];
	g = clp_hd_group_of(hd, peer);
	if (g != 1 - hd->local_group) {
		snprintf(err, errlen, "%s: resource/hd@%s: server %s is not in server group %s",
			 clp_conf_path(conf), name, peer, other->name);
		return -EINVAL;
	}
	/* NMP numbers after the mirror disks' by default. */
	return clp_md_load_ends(conf, "hd", name, clp_md_count(conf) + hd->index, server,
				(unsigned int)hd->local_group, peer, (unsigned int)g, &hd->md, err,
				errlen);
}

/* Resource @name from every member of its groups (@hd's groups loaded),
 * against the other group's first server; @hd->md from the last. */
static int check_members(struct clp_conf *conf, const char *name, struct clp_hd *hd, char *err,
			 size_t errlen)
{
	struct clp_hd one;
	int g, k, ret;

	for (g = 0; g < 2; g++)
		for (k = 0; k < hd->group[g].nservers; k++) {
			ret = clp_hd_load(conf, name, hd->group[g].servers[k], NULL, &one, err,
					  errlen);
			if (ret)
				return ret;
			hd->md = one.md;
		}
	return 0;
}

int clp_hd_check_all(struct clp_conf *conf, char *err, size_t errlen)
{
	int nmd = clp_md_count(conf), nhd = clp_hd_count(conf), i, j, ret = 0;
	struct clp_hd *hds;
	struct clp_md md;

	if (nmd + nhd > CLP_MD_MAX) {
		snprintf(err, errlen, "%s: %d mirror and hybrid disk resources, at most %d",
			 clp_conf_path(conf), nmd + nhd, CLP_MD_MAX);
		return -EINVAL;
	}
	hds = calloc((size_t)nhd + 1, sizeof(*hds));
	if (!hds) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < nhd && !ret; i++) {
		const char *name = clp_hd_name_at(conf, i);

		name = name ? name : "";
		ret = load_groups(conf, name, &hds[i], err, errlen);
		if (!ret)
			ret = check_members(conf, name, &hds[i], err, errlen);
		if (!ret && hds[i].md.fencing) {
			/* The cluster service's fencing knows mirror disks only:
			 * writes held at a break would never be released. */
			char xp[256];

			snprintf(xp, sizeof(xp), "/root/resource/hd[@name='%s']/parameters/fencing",
				 name);
			snprintf(err, errlen, "%s:%ld: resource/hd@%s/parameters/fencing: 1 is not "
				 "supported for hybrid disks yet (0)", clp_conf_path(conf),
				 clp_conf_line(conf, xp), name);
			ret = -EINVAL;
		}
		for (j = 0; j < i && !ret; j++)
			ret = clp_md_conflict(conf, &hds[j].md, &hds[i].md, NULL, err, errlen);
		for (j = 0; j < nmd && !ret; j++) {
			const char *mname = clp_md_name_at(conf, j);

			ret = clp_md_load(conf, mname ? mname : "", NULL, &md, err, errlen);
			if (!ret)
				ret = clp_md_conflict(conf, &md, &hds[i].md, NULL, err, errlen);
		}
	}
	free(hds);
	return ret;
}

const char *clp_hd_server_at(struct clp_conf *conf, const struct clp_hd *hd, int g,
			     const char *me, const char *addr)
{
	struct clp_hd one;
	char a[64], err[512];
	int k;

	if (g < 0 || g > 1)
		return NULL;
	for (k = 0; k < hd->group[g].nservers; k++) {
		if (clp_hd_load(conf, hd->name, me, hd->group[g].servers[k], &one, err,
				sizeof(err)) < 0)
			continue;
		snprintf(a, sizeof(a), "%s:%ld", one.md.peer.addr, one.md.port);
		if (!strcmp(a, addr))
			return hd->group[g].servers[k];
	}
	return NULL;
}
