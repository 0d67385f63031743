// SPDX-License-Identifier: GPL-2.0
/*
 * Heartbeat statistics file of clpmgrd (guide 2.6): every interval (60 s;
 * $CLP_HB_STATS_SECS overrides it for tests) one row per heartbeat link and
 * peer is appended to <prefix>/perf/cluster/heartbeat/lankhb.cur:
 *
 *   "Date","Name","Type","Local","Remote","RecvCount","RecvError",
 *   "RecvTime (Min) ","RecvTime (Max) ","RecvTime (Avg) ","SendCount",
 *   "SendError","SendTime (Min) ","SendTime (Max) ","SendTime (Avg) "
 *
 * Counts and averages are for the interval (differences of the driver's
 * counters); minimum and maximum are since the heartbeat started (the
 * driver keeps no per-interval extremes). Times in milliseconds. The file
 * is renamed to lankhb.pre when it passes 16 MB.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>

#include <clpstack/clpkhb.h>

#include "clp_conf.h"
#include "clp_log.h"
#include "clp_nl.h"
#include "clp_stats.h"
#include "hb_stats.h"
#include "ticker.h"

struct hb_snap {
	uint32_t node, link;
	uint64_t rc, re, rsum, sc, se, ssum;
};

/* Written before the sampler thread starts, then used by it alone. */
static struct {
	struct ticker tk;
	const char *local;
	char path[512];
	struct hb_snap prev[CLPKHB_MAX_PEERS * CLPKHB_MAX_LINKS];
	unsigned int nprev;
} hs;

static const char header[] =
	"\"Date\",\"Name\",\"Type\",\"Local\",\"Remote\",\"RecvCount\",\"RecvError\","
	"\"RecvTime (Min) \",\"RecvTime (Max) \",\"RecvTime (Avg) \",\"SendCount\","
	"\"SendError\",\"SendTime (Min) \",\"SendTime (Max) \",\"SendTime (Avg) \"\n";

static struct hb_snap *prev_of(uint32_t node, uint32_t link)
{
	unsigned int i;

	for (i = 0; i < hs.nprev; i++)
		if (hs.prev[i].node == node && hs.prev[i].link == link)
			return &hs.prev[i];
	if (hs.nprev == sizeof(hs.prev) / sizeof(hs.prev[0]))
		return NULL;
	memset(&hs.prev[hs.nprev], 0, sizeof(hs.prev[0]));
	hs.prev[hs.nprev].node = node;
	hs.prev[hs.nprev].link = link;
	return &hs.prev[hs.nprev++];
}

struct row_ctx {
	FILE *f;
	char date[64];
};

static void write_link(struct row_ctx *c, const char *peer, uint32_t node,
		       const struct nlattr *link)
{
	const struct nlattr *tb[CLPKHB_A_MAX + 1] = { 0 };
	struct hb_snap now, *p;
	uint64_t drc, dsc;
	uint32_t id;

	clp_nl_parse_nested(link, tb, CLPKHB_A_MAX);
	if (!tb[CLPKHB_A_LINK_ID] || mnl_attr_validate(tb[CLPKHB_A_LINK_ID], MNL_TYPE_U32) < 0)
		return;
	id = mnl_attr_get_u32(tb[CLPKHB_A_LINK_ID]);
	now = (struct hb_snap){ node, id, clp_nl_u64(tb[CLPKHB_A_RECV_COUNT]),
		clp_nl_u64(tb[CLPKHB_A_RECV_ERROR]), clp_nl_u64(tb[CLPKHB_A_RECV_TIME_SUM_US]),
		clp_nl_u64(tb[CLPKHB_A_SEND_COUNT]), clp_nl_u64(tb[CLPKHB_A_SEND_ERROR]),
		clp_nl_u64(tb[CLPKHB_A_SEND_TIME_SUM_US]) };
	p = prev_of(node, id);
	if (!p)
		return;
	/* Counters went back: the driver restarted; count from zero. */
	if (now.rc < p->rc || now.sc < p->sc)
		memset(&p->rc, 0, sizeof(*p) - offsetof(struct hb_snap, rc));
	drc = now.rc - p->rc;
	dsc = now.sc - p->sc;
	fprintf(c->f, "\"%s\",\"lankhb%u\",\"lankhb\",\"%s\",\"%s\",\"%llu\",\"%llu\","
		"\"%llu\",\"%llu\",\"%llu\",\"%llu\",\"%llu\",\"%llu\",\"%llu\",\"%llu\"\n",
		c->date, id, hs.local, peer, (unsigned long long)drc,
		(unsigned long long)(now.re - p->re),
		(unsigned long long)(clp_nl_u64(tb[CLPKHB_A_RECV_TIME_MIN_US]) / 1000),
		(unsigned long long)(clp_nl_u64(tb[CLPKHB_A_RECV_TIME_MAX_US]) / 1000),
		(unsigned long long)(drc ? (now.rsum - p->rsum) / drc / 1000 : 0),
		(unsigned long long)dsc, (unsigned long long)(now.se - p->se),
		(unsigned long long)(clp_nl_u64(tb[CLPKHB_A_SEND_TIME_MIN_US]) / 1000),
		(unsigned long long)(clp_nl_u64(tb[CLPKHB_A_SEND_TIME_MAX_US]) / 1000),
		(unsigned long long)(dsc ? (now.ssum - p->ssum) / dsc / 1000 : 0));
	*p = now;
}

static int peers_cb(const struct nlmsghdr *nlh, void *data)
{
	struct row_ctx *c = data;
	const struct nlattr *a, *l;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		const struct nlattr *tb[CLPKHB_A_MAX + 1] = { 0 };
		const char *name;
		uint32_t node;

		if (mnl_attr_get_type(a) != CLPKHB_A_PEER)
			continue;
		clp_nl_parse_nested(a, tb, CLPKHB_A_MAX);
		if (!tb[CLPKHB_A_NAME] || mnl_attr_validate(tb[CLPKHB_A_NAME], MNL_TYPE_NUL_STRING) < 0 ||
		    !tb[CLPKHB_A_NODE_ID] || mnl_attr_validate(tb[CLPKHB_A_NODE_ID], MNL_TYPE_U32) < 0)
			continue;
		name = mnl_attr_get_str(tb[CLPKHB_A_NAME]);
		node = mnl_attr_get_u32(tb[CLPKHB_A_NODE_ID]);
		mnl_attr_for_each_nested(l, a)
			if (mnl_attr_get_type(l) == CLPKHB_A_LINK)
				write_link(c, name, node, l);
	}
	return MNL_CB_OK;
}

static void hb_stats_write(void *arg)
{
	struct row_ctx c;
	struct timespec ts;
	struct clp_nl *nl;
	char *rows = NULL;
	size_t len = 0;
	int ret;

	if (clp_nl_open(&nl, CLPKHB_FAMILY_NAME) < 0)
		return;
	c.f = open_memstream(&rows, &len);
	if (!c.f)
		goto out_close;
	clock_gettime(CLOCK_REALTIME, &ts);
	clp_stats_date(c.date, sizeof(c.date), &ts, true);
	if (clp_nl_talk(nl, clp_nl_req(nl, CLPKHB_CMD_GET_PEERS, 0), peers_cb, &c) < 0)
		clp_event("hb", 6, "cannot read heartbeat counters: %s", clp_nl_errmsg(nl));
	fclose(c.f);
	if (len) {
		ret = clp_stats_append(hs.path, header, rows, CLP_STATS_HB_LIMIT, 1);
		if (ret)
			clp_event("hb", 6, "cannot write %s: %s", hs.path, strerror(-ret));
	}
	free(rows);
out_close:
	clp_nl_close(nl);
}

int hb_stats_start(const char *local)
{
	const char *e = getenv("CLP_HB_STATS_SECS");
	long secs = e ? strtol(e, NULL, 10) : 60;

	if (secs < 1 || secs > 86400)
		secs = 60;
	hs.local = local;
	hs.nprev = 0;
	snprintf(hs.path, sizeof(hs.path), "%s/perf/cluster/heartbeat/lankhb.cur", clp_prefix());
	return ticker_start(&hs.tk, secs * 1000, hb_stats_write, NULL);
}

void hb_stats_stop(void)
{
	ticker_stop(&hs.tk);
}
