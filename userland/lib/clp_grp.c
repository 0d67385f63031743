// SPDX-License-Identifier: GPL-2.0
/*
 * The cluster service's configuration: groups, exec and fip resources,
 * network partition resolution, startup wait. See clp_grp.h and
 * Documentation/configuration.md (keep the three in step).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clp_grp.h"
#include "clp_hb.h"
#include "clp_hd.h"
#include "clp_md.h"

struct gctx {
	struct clp_conf *conf;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 4, 5)))
static int kerr(const struct gctx *c, long line, const char *key, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = clp_conf_key_verr(c->conf, line, key, c->err, c->errlen, fmt, ap);
	va_end(ap);
	return ret;
}

/* Trimmed text at @xp into @buf ("" when absent); given twice: an error. */
static int text(const struct gctx *c, const char *xp, const char *key, char *buf, size_t len,
		long *line)
{
	bool found;

	return clp_conf_key_text(c->conf, xp, key, buf, len, line, &found, c->err, c->errlen);
}

static int num(const struct gctx *c, const char *xp, const char *key, long min, long max,
	       long def, long *out)
{
	return clp_conf_key_long(c->conf, xp, key, min, max, def, out, c->err, c->errlen);
}

/* A child of @xp that is none of @known (an XPath test): unknown key. */
static int unknown(const struct gctx *c, const char *xp, const char *keybase, const char *known)
{
	return clp_conf_key_unknown(c->conf, xp, keybase, known, c->err, c->errlen);
}

const char *clp_res_type_name(enum clp_res_type t)
{
	static const char *const n[] = { "md", "exec", "fip", "hd" };

	return t <= CLP_RES_HD ? n[t] : "?";
}

static const char *const final_names[] = { "none", "stopgroup", "reset", NULL };

const char *clp_final_name(enum clp_final f)
{
	return f <= CLP_FINAL_RESET ? final_names[f] : "?";
}

const char *clp_npaction_name(enum clp_npaction a)
{
	static const char *const n[] = {
		"none", "stop the cluster service", "stop the cluster service and shut down",
		"stop the cluster service and reboot", "sysrq panic", "keepalive reset",
		"keepalive panic",
	};

	return a <= CLP_NP_KA_PANIC ? n[a] : "?";
}

int clp_cluster_server(const struct clp_cluster *cl, const char *name)
{
	int i;

	for (i = 0; i < cl->nsrv; i++)
		if (!strcmp(cl->srv[i], name))
			return i;
	return -1;
}

int clp_cluster_group(const struct clp_cluster *cl, const char *name)
{
	int i;

	for (i = 0; i < cl->ngrp; i++)
		if (!strcmp(cl->grp[i].name, name))
			return i;
	return -1;
}

static int load_servers(const struct gctx *c, struct clp_cluster *cl, const char *server)
{
	char xp[256];
	const char *name, *a;
	int i, n = clp_conf_count(c->conf, "/root/server");

	if (n > CLP_SRV_MAX)
		return kerr(c, clp_conf_line(c->conf, "/root/server[9]"), "server",
			    "%d servers, at most %d", n, CLP_SRV_MAX);
	for (i = 0; i < n; i++) {
		name = clp_conf_name_at(c->conf, "/root/server", i);
		snprintf(cl->srv[i], CLP_NAME_LEN, "%s", name ? name : "");
		snprintf(xp, sizeof(xp), "/root/server[@name='%s']/device[type='lan']/info",
			 cl->srv[i]);
		a = clp_conf_str(c->conf, xp, NULL);
		snprintf(cl->addr[i], sizeof(cl->addr[i]), "%s", a ? a : "");
	}
	cl->nsrv = n;
	cl->self = clp_cluster_server(cl, server);
	if (cl->self < 0) {
		snprintf(c->err, c->errlen, "%s: this server '%s' is not one of its servers",
			 clp_conf_path(c->conf), server);
		return -EINVAL;
	}
	return 0;
}

static int load_act(const struct gctx *c, const char *base, const char *keybase,
		    const char *which, struct clp_res_act *a, long def_retry, enum clp_final def)
{
	char xp[384], key[256], buf[32];
	long line, v;
	int i, ret;

	snprintf(xp, sizeof(xp), "%s/%s/timeout", base, which);
	snprintf(key, sizeof(key), "%s/%s/timeout", keybase, which);
	ret = num(c, xp, key, 1, 9999, 1800, &a->timeout_s);
	if (ret < 0)
		return ret;
	snprintf(xp, sizeof(xp), "%s/%s/retry", base, which);
	snprintf(key, sizeof(key), "%s/%s/retry", keybase, which);
	ret = num(c, xp, key, 0, 99, def_retry, &v);
	if (ret < 0)
		return ret;
	a->retry = v;
	snprintf(xp, sizeof(xp), "%s/%s/action", base, which);
	snprintf(key, sizeof(key), "%s/%s/action", keybase, which);
	ret = text(c, xp, key, buf, sizeof(buf), &line);
	if (ret < 0)
		return ret;
	a->final = def;
	if (!buf[0])
		return 0;
	for (i = 0; final_names[i]; i++) {
		if (!strcmp(buf, final_names[i])) {
			a->final = (enum clp_final)i;
			return 0;
		}
	}
	return kerr(c, line, key, "'%s' is not one of none, stopgroup, reset", buf);
}

static int check_script(const struct gctx *c, const char *xp, const char *key, char *buf,
			size_t len)
{
	long line;
	int ret = text(c, xp, key, buf, len, &line);

	if (ret < 0)
		return ret;
	if (!buf[0])
		return kerr(c, line, key, "is required");
	if (buf[0] != '/')
		return kerr(c, line, key, "'%s' is not an absolute path", buf);
	return 0;
}

/* "a.b.c.d" or "a.b.c.d/0-32". */
static bool ip_valid(const char *s)
{
	char a[24], *slash, *end;
	struct in_addr in;
	long p;

	snprintf(a, sizeof(a), "%s", s);
	slash = strchr(a, '/');
	if (slash) {
		*slash = '\0';
		p = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || p < 1 || p > 32)
			return false;
	}
	return inet_pton(AF_INET, a, &in) == 1;
}

/* Resource "type@name" of a group, read from root/resource/<type>@<name>. */
static int load_res(const struct gctx *c, const char *ref, long line, const char *gkey,
		    const char *server, struct clp_res *r)
{
	char base[256], kb[128], xp[384], key[256], err[512];
	const char *at = strchr(ref, '@');
	struct clp_hd hd;
	struct clp_md md;
	long l;
	int ret;

	if (!at || !clp_conf_name_valid(at + 1))
		return kerr(c, line, gkey, "'%s' is not <type>@<name> (md, hd, exec or fip)", ref);
	snprintf(r->name, sizeof(r->name), "%s", at + 1);
	if (!strncmp(ref, "md@", 3))
		r->type = CLP_RES_MD;
	else if (!strncmp(ref, "exec@", 5))
		r->type = CLP_RES_EXEC;
	else if (!strncmp(ref, "fip@", 4))
		r->type = CLP_RES_FIP;
	else if (!strncmp(ref, "hd@", 3))
		r->type = CLP_RES_HD;
	else
		return kerr(c, line, gkey, "'%s': unknown resource type (md, hd, exec or fip)", ref);
	snprintf(base, sizeof(base), "/root/resource/%s[@name='%s']", clp_res_type_name(r->type),
		 r->name);
	if (clp_conf_count(c->conf, base) != 1)
		return kerr(c, line, gkey, "'%s' is not a resource of this configuration", ref);
	snprintf(kb, sizeof(kb), "resource/%s", ref);
	/*
	 * fip: five more attempts by default, as EXPRESSCLUSTER's floating
	 * IP resource. They come 1 s apart (rc.c), so a failover rides out
	 * a losing server that still answers for its address for a few
	 * seconds before its npaction (52-cluster-majority).
	 */
	ret = load_act(c, base, kb, "act", &r->act, r->type == CLP_RES_FIP ? 5 : 0,
		       CLP_FINAL_STOPGROUP);
	if (!ret)
		ret = load_act(c, base, kb, "deact", &r->deact, 0, CLP_FINAL_RESET);
	if (ret)
		return ret;
	switch (r->type) {
	case CLP_RES_MD:
		if (clp_md_load(c->conf, r->name, server, &md, err, sizeof(err)) < 0) {
			snprintf(c->err, c->errlen, "%s", err);
			return -EINVAL;
		}
		return 0;
	case CLP_RES_HD:
		/* Every server of the group's policy is a member of one of
		 * the hybrid disk's server groups. */
		if (clp_hd_load(c->conf, r->name, server, NULL, &hd, err, sizeof(err)) < 0) {
			snprintf(c->err, c->errlen, "%s", err);
			return -EINVAL;
		}
		return 0;
	case CLP_RES_EXEC:
		snprintf(xp, sizeof(xp), "%s/parameters/start", base);
		snprintf(key, sizeof(key), "%s/parameters/start", kb);
		ret = check_script(c, xp, key, r->start, sizeof(r->start));
		if (ret)
			return ret;
		snprintf(xp, sizeof(xp), "%s/parameters/stop", base);
		snprintf(key, sizeof(key), "%s/parameters/stop", kb);
		return check_script(c, xp, key, r->stop, sizeof(r->stop));
	case CLP_RES_FIP:
		snprintf(xp, sizeof(xp), "%s/parameters/ip", base);
		snprintf(key, sizeof(key), "%s/parameters/ip", kb);
		ret = text(c, xp, key, r->ip, sizeof(r->ip), &l);
		if (ret)
			return ret;
		if (!r->ip[0])
			return kerr(c, l, key, "is required");
		if (!ip_valid(r->ip))
			return kerr(c, l, key, "'%s' is not an IPv4 address (a.b.c.d or a.b.c.d/prefix)",
				    r->ip);
		return 0;
	}
	return -EINVAL;
}

/* A resource may belong to one group only. */
static int res_used(const struct clp_cluster *cl, const struct clp_res *r, int upto_grp,
		    int upto_res)
{
	int g, i;

	for (g = 0; g <= upto_grp; g++) {
		const struct clp_group *gr = &cl->grp[g];
		int n = g == upto_grp ? upto_res : gr->nres;

		for (i = 0; i < n; i++)
			if (gr->res[i].type == r->type && !strcmp(gr->res[i].name, r->name))
				return g;
	}
	return -1;
}

static int load_group(const struct gctx *c, struct clp_cluster *cl, int gi, const char *server)
{
	struct clp_group *g = &cl->grp[gi];
	char base[256], kb[128], xp[384], key[256];
	const char *name = clp_conf_name_at(c->conf, "/root/group", gi);
	long line, v;
	int i, n, s, ret;

	snprintf(base, sizeof(base), "/root/group[%d]", gi + 1);
	line = clp_conf_line(c->conf, base);
	if (!name || !clp_conf_name_valid(name))
		return kerr(c, line, "group", "'%s' is not a group name (1-31 letters, digits, _ . -)",
			    name ? name : "");
	snprintf(g->name, sizeof(g->name), "%s", name);
	if (clp_cluster_group(cl, name) >= 0 && clp_cluster_group(cl, name) < gi)
		return kerr(c, line, "group", "'%s' is given twice", name);
	snprintf(kb, sizeof(kb), "group@%s", name);
	snprintf(xp, sizeof(xp), "%s/policy", base);
	n = clp_conf_count(c->conf, xp);
	snprintf(key, sizeof(key), "%s/policy", kb);
	if (n == 0)
		return kerr(c, line, key, "no server: give each server it may run on, "
			    "highest priority first");
	for (i = 0; i < n && i < CLP_SRV_MAX; i++) {
		const char *sv = clp_conf_name_at(c->conf, xp, i);
		char one[400];

		snprintf(one, sizeof(one), "%s/policy[%d]", base, i + 1);
		s = sv ? clp_cluster_server(cl, sv) : -1;
		if (s < 0)
			return kerr(c, clp_conf_line(c->conf, one), key,
				    "'%s' is not a server of this cluster", sv ? sv : "");
		for (int j = 0; j < i; j++)
			if (g->srv[j] == s)
				return kerr(c, clp_conf_line(c->conf, one), key,
					    "'%s' is given twice", sv);
		g->srv[i] = s;
	}
	g->nsrv = i;
	snprintf(xp, sizeof(xp), "%s/start", base);
	snprintf(key, sizeof(key), "%s/start", kb);
	ret = num(c, xp, key, 0, 1, 1, &v);
	if (ret)
		return ret;
	g->autostart = v;
	snprintf(xp, sizeof(xp), "%s/failover", base);
	snprintf(key, sizeof(key), "%s/failover", kb);
	ret = num(c, xp, key, 0, 1, 1, &v);
	if (ret)
		return ret;
	g->autofailover = v;
	snprintf(xp, sizeof(xp), "%s/failoverthreshold", base);
	snprintf(key, sizeof(key), "%s/failoverthreshold", kb);
	ret = num(c, xp, key, 0, CLP_SRV_MAX, 1, &g->threshold);
	if (ret)
		return ret;
	snprintf(xp, sizeof(xp), "%s/resource", base);
	snprintf(key, sizeof(key), "%s/resource", kb);
	n = clp_conf_count(c->conf, xp);
	if (n > CLP_GRP_RES_MAX)
		return kerr(c, line, key, "%d resources, at most %d", n, CLP_GRP_RES_MAX);
	for (i = 0; i < n; i++) {
		const char *ref = clp_conf_name_at(c->conf, xp, i);
		char one[400];
		struct clp_res *r = &g->res[i];
		int other;

		snprintf(one, sizeof(one), "%s/resource[%d]", base, i + 1);
		line = clp_conf_line(c->conf, one);
		ret = load_res(c, ref ? ref : "", line, key, server, r);
		if (ret)
			return ret;
		other = res_used(cl, r, gi, i);
		if (other >= 0)
			return kerr(c, line, key, "'%s' is already in group %s", ref,
				    cl->grp[other].name);
		if (r->type == CLP_RES_HD) {
			/* It runs on the current server of a server group:
			 * every server of the policy is in one of them. */
			for (int k = 0; k < g->nsrv; k++) {
				struct clp_hd hd;
				char e[512];

				if (clp_hd_load(c->conf, r->name, cl->srv[g->srv[k]], NULL, &hd, e,
						sizeof(e)) < 0)
					return kerr(c, line, key, "'%s': policy server %s is in "
						    "neither of its server groups", ref,
						    cl->srv[g->srv[k]]);
			}
		}
	}
	g->nres = n;
	return 0;
}

static int load_np(const struct gctx *c, struct clp_cluster *cl)
{
	char xp[400], key[128], buf[32];
	const char *base = "/root/networkpartition";
	long v, line;
	int i, n, ret;

	ret = num(c, "/root/networkpartition/npaction", "networkpartition/npaction", 0, 6,
		  CLP_NP_SHUTDOWN, &v);
	if (ret)
		return ret;
	cl->npaction = (enum clp_npaction)v;
	snprintf(xp, sizeof(xp), "%s/pingnp", base);
	n = clp_conf_count(c->conf, xp);
	if (n > CLP_PINGNP_MAX)
		return kerr(c, clp_conf_line(c->conf, xp), "networkpartition/pingnp",
			    "%d ping targets, at most %d", n, CLP_PINGNP_MAX);
	for (i = 0; i < n; i++) {
		struct clp_pingnp *p = &cl->ping[i];
		const char *name = clp_conf_name_at(c->conf, xp, i);
		char one[300];

		snprintf(one, sizeof(one), "%s/pingnp[%d]", base, i + 1);
		snprintf(p->name, sizeof(p->name), "%s", name ? name : "");
		snprintf(key, sizeof(key), "networkpartition/pingnp@%s/target", p->name);
		snprintf(xp, sizeof(xp), "%s/target", one);
		ret = text(c, xp, key, buf, sizeof(buf), &line);
		if (ret)
			return ret;
		if (!buf[0] || strchr(buf, '/') || !ip_valid(buf))
			return kerr(c, line ? line : clp_conf_line(c->conf, one), key,
				    "'%s' is not an IPv4 address", buf);
		memcpy(p->target, buf, sizeof(p->target) - 1);	/* ip_valid: short */
		snprintf(key, sizeof(key), "networkpartition/pingnp@%s/timeout", p->name);
		snprintf(xp, sizeof(xp), "%s/timeout", one);
		ret = num(c, xp, key, 1, 60, 3, &p->timeout_s);
		if (ret)
			return ret;
		snprintf(xp, sizeof(xp), "%s/pingnp", base);
	}
	cl->nping = n;
	snprintf(xp, sizeof(xp), "%s/majority", base);
	n = clp_conf_count(c->conf, xp);
	if (n > 1)
		return kerr(c, clp_conf_line(c->conf, xp), "networkpartition/majority",
			    "given %d times", n);
	if (n && cl->nsrv < 3)
		return kerr(c, clp_conf_line(c->conf, xp), "networkpartition/majority",
			    "needs 3 or more servers (%d configured): with two, each half is "
			    "exactly half", cl->nsrv);
	if (n && cl->nping)
		return kerr(c, clp_conf_line(c->conf, xp), "networkpartition/majority",
			    "give one of majority and pingnp, not both");
	cl->majority = n == 1;
	return 0;
}

/*
 * The failover timing argument (Documentation/cluster.md, "Why a stalled
 * server never runs a group twice"): the user-mode monitor must reset a
 * stalled server before its peer can declare it down, so its timeout must
 * be below the heartbeat timeout.
 */
static int check_timing(const struct gctx *c, struct clp_cluster *cl)
{
	char xp[256];
	const char *uw = clp_conf_name_at(c->conf, "/root/monitor/userw", 0);
	long v;
	int ret;

	cl->userw_timeout_ms = 0;
	if (!uw && cl->ngrp)
		return kerr(c, clp_conf_line(c->conf, "/root/group"), "monitor/userw",
			    "groups need the user-mode monitor: without it a stalled server "
			    "keeps its groups while another one takes them over");
	if (!uw)
		return 0;
	snprintf(xp, sizeof(xp), "/root/monitor/userw[@name='%s']/timeout", uw);
	ret = num(c, xp, "monitor/userw/timeout", 1, 3600000, 0, &v);
	if (ret)
		return ret;
	if (!v)
		v = cl->hb_timeout_ms - cl->hb_interval_ms;
	cl->userw_timeout_ms = v;
	if (cl->ngrp && v >= cl->hb_timeout_ms)
		return kerr(c, clp_conf_line(c->conf, xp), "monitor/userw/timeout",
			    "%ld ms is not below the heartbeat timeout (%ld ms): a stalled "
			    "server could still run its groups when the other server takes "
			    "them over", v, cl->hb_timeout_ms);
	return 0;
}

int clp_cluster_load(struct clp_conf *conf, const char *server, struct clp_cluster *cl,
		     char *err, size_t errlen)
{
	struct gctx c = { conf, err, errlen };
	struct clp_hb_conf *hb;
	int i, ret;

	memset(cl, 0, sizeof(*cl));
	snprintf(cl->name, sizeof(cl->name), "%s",
		 clp_conf_str(conf, "/root/cluster/name", "cluster"));
	ret = load_servers(&c, cl, server);
	if (ret)
		return ret;
	ret = unknown(&c, "/root/cluster/startup", "cluster/startup", "self::synctime");
	if (!ret)
		ret = unknown(&c, "/root/cluster/daemon", "cluster/daemon", "self::port");
	if (!ret)
		ret = num(&c, "/root/cluster/startup/synctime", "cluster/startup/synctime", 0,
			  86400, 300, &cl->synctime_s);
	if (!ret)
		ret = num(&c, "/root/cluster/daemon/port", "cluster/daemon/port", 1024, 65535,
			  CLP_DEFAULT_PORT, &cl->port);
	if (ret)
		return ret;

	hb = calloc(1, sizeof(*hb));
	if (!hb) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (clp_conf_count(conf, "/root/heartbeat/lankhb") > 0) {
		ret = clp_hb_conf_read(conf, server, hb, err, errlen);
		cl->hb_timeout_ms = hb->timeout_ms;
		cl->hb_interval_ms = hb->interval_ms;
		cl->has_key = hb->has_key;
		memcpy(cl->key, hb->key, sizeof(cl->key) < sizeof(hb->key) ?
		       sizeof(cl->key) : sizeof(hb->key));
	}
	free(hb);
	if (ret)
		return ret < 0 ? ret : -EINVAL;

	cl->ngrp = clp_conf_count(conf, "/root/group");
	if (cl->ngrp > CLP_GRP_MAX)
		return kerr(&c, 0, "group", "%d groups, at most %d", cl->ngrp, CLP_GRP_MAX);
	if (cl->ngrp && !cl->hb_timeout_ms)
		return kerr(&c, clp_conf_line(conf, "/root/group"), "group",
			    "groups need a heartbeat (heartbeat/lankhb): nothing would tell "
			    "a server that the other one is down");
	for (i = 0; i < cl->nsrv && cl->ngrp; i++) {
		char key[128], xp[128];

		snprintf(key, sizeof(key), "server@%s/device", cl->srv[i]);
		snprintf(xp, sizeof(xp), "/root/server[@name='%s']", cl->srv[i]);
		if (!cl->addr[i][0])
			return kerr(&c, clp_conf_line(conf, xp), key, "no lan device: the "
				    "cluster daemons talk over the interconnect");
	}
	for (i = 0; i < cl->ngrp; i++) {
		ret = load_group(&c, cl, i, server);
		if (ret)
			return ret;
	}
	ret = load_np(&c, cl);
	if (!ret)
		ret = check_timing(&c, cl);
	return ret;
}
