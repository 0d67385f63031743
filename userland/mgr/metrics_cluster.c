// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus metrics of the heartbeat (clpkhb's GET_PEERS, read at each
 * scrape), the keepalive driver (/sys/class/misc/clpka/, sysfs.md) and the
 * cluster service (clus, under clus.lock). See metrics_cluster.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#include <clpstack/clpkhb.h>

#include "clp_nl.h"
#include "cluster.h"
#include "metrics_cluster.h"

#define HB_LINKS_MAX (CLPKHB_MAX_PEERS * CLPKHB_MAX_LINKS)

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

struct hb_link {
	char server[CLP_NAME_LEN];
	uint32_t link;
	bool peer_up, link_up;
	uint64_t v[5];	/* received, receive errors, sent, send errors, silence ms */
};

struct hb_scrape {
	struct hb_link l[HB_LINKS_MAX];
	int n;
};

static uint8_t u8_of(const struct nlattr *a)
{
	return a && mnl_attr_validate(a, MNL_TYPE_U8) == 0 ? mnl_attr_get_u8(a) : 0;
}

static int peers_cb(const struct nlmsghdr *nlh, void *data)
{
	struct hb_scrape *s = data;
	const struct nlattr *a, *l;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		const struct nlattr *tb[CLPKHB_A_MAX + 1] = { 0 };
		bool up;

		if (mnl_attr_get_type(a) != CLPKHB_A_PEER)
			continue;
		clp_nl_parse_nested(a, tb, CLPKHB_A_MAX);
		if (!tb[CLPKHB_A_NAME] || mnl_attr_validate(tb[CLPKHB_A_NAME], MNL_TYPE_NUL_STRING) < 0)
			continue;
		up = u8_of(tb[CLPKHB_A_STATE]) == CLPKHB_STATE_UP;
		mnl_attr_for_each_nested(l, a) {
			const struct nlattr *lb[CLPKHB_A_MAX + 1] = { 0 };
			struct hb_link *h;

			if (mnl_attr_get_type(l) != CLPKHB_A_LINK || s->n == HB_LINKS_MAX)
				continue;
			clp_nl_parse_nested(l, lb, CLPKHB_A_MAX);
			if (!lb[CLPKHB_A_LINK_ID] ||
			    mnl_attr_validate(lb[CLPKHB_A_LINK_ID], MNL_TYPE_U32) < 0)
				continue;
			h = &s->l[s->n++];
			snprintf(h->server, sizeof(h->server), "%s",
				 mnl_attr_get_str(tb[CLPKHB_A_NAME]));
			h->link = mnl_attr_get_u32(lb[CLPKHB_A_LINK_ID]);
			h->peer_up = up;
			h->link_up = u8_of(lb[CLPKHB_A_STATE]) == CLPKHB_STATE_UP;
			h->v[0] = clp_nl_u64(lb[CLPKHB_A_RECV_COUNT]);
			h->v[1] = clp_nl_u64(lb[CLPKHB_A_RECV_ERROR]);
			h->v[2] = clp_nl_u64(lb[CLPKHB_A_SEND_COUNT]);
			h->v[3] = clp_nl_u64(lb[CLPKHB_A_SEND_ERROR]);
			h->v[4] = clp_nl_u64(lb[CLPKHB_A_SILENCE_MS]);
		}
	}
	return MNL_CB_OK;
}

void metrics_heartbeat(FILE *f)
{
	static const struct { const char *name, *type, *help; } fam[] = {
		{ "clpstack_heartbeat_received_total", "counter", "Heartbeat packets received on the link." },
		{ "clpstack_heartbeat_receive_errors_total", "counter", "Heartbeat packets refused on the link (bad signature, size, sender...)." },
		{ "clpstack_heartbeat_sent_total", "counter", "Heartbeat packets sent on the link." },
		{ "clpstack_heartbeat_send_errors_total", "counter", "Heartbeat sends that failed on the link." },
		{ "clpstack_heartbeat_silence_seconds", "gauge", "Time since the last good packet on the link." },
	};
	struct hb_scrape *s = calloc(1, sizeof(*s));
	struct clp_nl *nl = NULL;
	int ret = -1, i;
	size_t k;

	if (!s)
		return;
	if (clp_nl_open(&nl, CLPKHB_FAMILY_NAME) == 0)
		ret = clp_nl_talk(nl, clp_nl_req(nl, CLPKHB_CMD_GET_PEERS, 0), peers_cb, s);
	if (nl)
		clp_nl_close(nl);
	family(f, "clpstack_heartbeat_driver_up", "gauge",
	       "1 when the clpkhb driver answered this scrape.");
	fprintf(f, "clpstack_heartbeat_driver_up %d\n", ret >= 0);
	if (ret < 0 || !s->n) {
		free(s);
		return;
	}
	family(f, "clpstack_heartbeat_peer_up", "gauge",
	       "1 while the other server is up by its heartbeats (any link).");
	for (i = 0; i < s->n; i++)
		if (!i || strcmp(s->l[i].server, s->l[i - 1].server))
			fprintf(f, "clpstack_heartbeat_peer_up{server=\"%s\"} %d\n", s->l[i].server,
				s->l[i].peer_up);
	family(f, "clpstack_heartbeat_link_up", "gauge", "1 while the heartbeat link lankhbN to the server is up.");
	for (i = 0; i < s->n; i++)
		fprintf(f, "clpstack_heartbeat_link_up{server=\"%s\",link=\"lankhb%u\"} %d\n",
			s->l[i].server, s->l[i].link, s->l[i].link_up);
	for (k = 0; k < sizeof(fam) / sizeof(fam[0]); k++) {
		family(f, fam[k].name, fam[k].type, fam[k].help);
		for (i = 0; i < s->n; i++)
			fprintf(f, "%s{server=\"%s\",link=\"lankhb%u\"} %.17g\n", fam[k].name,
				s->l[i].server, s->l[i].link,
				k == 4 ? (double)s->l[i].v[k] / 1000 : (double)s->l[i].v[k]);
	}
	free(s);
}

/* A number from /sys/class/misc/clpka/@name; -1 when unreadable. */
static long long ka_value(const char *name)
{
	char path[128], buf[64];
	long long v = -1;
	FILE *in;

	snprintf(path, sizeof(path), "/sys/class/misc/clpka/%s", name);
	in = fopen(path, "re");
	if (!in)
		return -1;
	if (fgets(buf, sizeof(buf), in))
		v = strtoll(buf, NULL, 10);
	fclose(in);
	return v;
}

void metrics_keepalive(FILE *f)
{
	struct { char name[64]; long long timeout, remaining; char state[16]; } c[32];
	long long ratio = ka_value("ratio"), armed = ka_value("armed");
	char line[512], name[64], state[16];
	long long timeout, remaining;
	int n = 0, i;
	FILE *in;

	family(f, "clpstack_keepalive_driver_up", "gauge",
	       "1 when the clpka driver is loaded (its sysfs directory could be read).");
	fprintf(f, "clpstack_keepalive_driver_up %d\n", ratio >= 0);
	if (ratio < 0)
		return;
	family(f, "clpstack_keepalive_ratio", "gauge", "Timeout ratio applied to every client (clptoratio).");
	fprintf(f, "clpstack_keepalive_ratio %lld\n", ratio);
	family(f, "clpstack_keepalive_armed_clients", "gauge",
	       "Clients of /dev/clpka with a running deadline.");
	fprintf(f, "clpstack_keepalive_armed_clients %lld\n", armed < 0 ? 0 : armed);
	in = fopen("/sys/class/misc/clpka/clients", "re");
	/* "<id> <name> <pid> <comm> <timeout_ms> <action> <state> <remaining_ms> <orphan>" */
	while (in && n < 32 && fgets(line, sizeof(line), in))
		if (sscanf(line, "%*u %63s %*d %*s %lld %*s %15s %lld", name, &timeout, state,
			   &remaining) == 4 && strcmp(name, "-")) {
			snprintf(c[n].name, sizeof(c[n].name), "%s", name);
			snprintf(c[n].state, sizeof(c[n].state), "%s", state);
			c[n].timeout = timeout;
			c[n++].remaining = remaining;
		}
	if (in)
		fclose(in);
	if (!n)
		return;
	family(f, "clpstack_keepalive_client_timeout_seconds", "gauge",
	       "A keepalive client's timeout (before the ratio).");
	for (i = 0; i < n; i++)
		fprintf(f, "clpstack_keepalive_client_timeout_seconds{client=\"%s\"} %.3f\n", c[i].name,
			(double)c[i].timeout / 1000);
	family(f, "clpstack_keepalive_client_remaining_seconds", "gauge",
	       "Time left before the client's action, 0 unless armed.");
	for (i = 0; i < n; i++)
		fprintf(f, "clpstack_keepalive_client_remaining_seconds{client=\"%s\"} %.3f\n",
			c[i].name, (double)c[i].remaining / 1000);
	family(f, "clpstack_keepalive_client_expired", "gauge",
	       "1 when the client's deadline passed (its action was taken).");
	for (i = 0; i < n; i++)
		fprintf(f, "clpstack_keepalive_client_expired{client=\"%s\"} %d\n", c[i].name,
			!strcmp(c[i].state, "expired"));
}

void metrics_groups(FILE *f)
{
	static const enum grp_st states[] = { GS_OFFLINE, GS_STARTING, GS_ONLINE, GS_STOPPING,
					      GS_ERROR };
	const struct clp_cluster *cfg = &clus.cfg;
	size_t k;
	int g, r, s;

	pthread_mutex_lock(&clus.lock);
	if (!clus.cfg_ready) {
		pthread_mutex_unlock(&clus.lock);
		return;
	}
	family(f, "clpstack_cluster_service_up", "gauge",
	       "1 while the cluster service runs on this server (clpcl -s).");
	fprintf(f, "clpstack_cluster_service_up %d\n", clus.started);
	family(f, "clpstack_server_up", "gauge",
	       "1 for a server up as this one sees it (this server: its cluster service runs).");
	for (s = 0; s < cfg->nsrv; s++)
		fprintf(f, "clpstack_server_up{server=\"%s\"} %d\n", cfg->srv[s],
			s == cfg->self ? clus.started : clus.srv[s] == SRV_UP);
	family(f, "clpstack_group_state", "gauge",
	       "Group state on this server: 1 for the current one (offline, starting, online, stopping, error).");
	for (g = 0; g < cfg->ngrp; g++)
		for (k = 0; k < sizeof(states) / sizeof(states[0]); k++)
			fprintf(f, "clpstack_group_state{group=\"%s\",state=\"%s\"} %d\n",
				cfg->grp[g].name, grp_st_name(states[k]), clus.g[g].st == states[k]);
	family(f, "clpstack_group_owner", "gauge",
	       "1 for the server running the group as this server knows it.");
	for (g = 0; g < cfg->ngrp; g++)
		for (s = 0; s < cfg->nsrv; s++)
			fprintf(f, "clpstack_group_owner{group=\"%s\",server=\"%s\"} %d\n",
				cfg->grp[g].name, cfg->srv[s], clus.g[g].owner == s);
	family(f, "clpstack_resource_state", "gauge",
	       "Group resource state on this server: 1 for the current one.");
	for (g = 0; g < cfg->ngrp; g++)
		for (r = 0; r < cfg->grp[g].nres; r++)
			for (k = 0; k < sizeof(states) / sizeof(states[0]); k++)
				fprintf(f, "clpstack_resource_state{group=\"%s\",resource=\"%s\",type=\"%s\",state=\"%s\"} %d\n",
					cfg->grp[g].name, cfg->grp[g].res[r].name,
					clp_res_type_name(cfg->grp[g].res[r].type),
					grp_st_name(states[k]), clus.g[g].res_st[r] == states[k]);
	pthread_mutex_unlock(&clus.lock);
}
