// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus metrics of the heartbeat (clpkhb's GET_PEERS, read at each
 * scrape), the keepalive driver (/sys/class/misc/clpka/, sysfs.md) and the
 * cluster service (clus, under clus.lock), collected once per request and
 * written as Prometheus text or as the status page's JSON document. See
 * metrics_cluster.h.
 */
#include <errno.h>
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

#define KA_CLIENTS_MAX 32

struct ka_client {
	char name[64], state[16];
	long long timeout, remaining;	/* ms */
};

struct grp_snap {
	enum grp_st st, res_st[CLP_GRP_RES_MAX];
	int owner;
};

struct metrics_cluster {
	struct hb_scrape hb;
	bool hb_up;
	long long ka_ratio, ka_armed;	/* -1: clpka not loaded */
	int nka;
	struct ka_client ka[KA_CLIENTS_MAX];
	bool ready, started;		/* clus.cfg_ready, clus.started */
	bool srv_up[CLP_SRV_MAX];
	struct grp_snap g[CLP_GRP_MAX];
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

static void hb_collect(struct metrics_cluster *c)
{
	struct clp_nl *nl = NULL;
	int ret = -1;

	if (clp_nl_open(&nl, CLPKHB_FAMILY_NAME) == 0)
		ret = clp_nl_talk(nl, clp_nl_req(nl, CLPKHB_CMD_GET_PEERS, 0), peers_cb, &c->hb);
	if (nl)
		clp_nl_close(nl);
	c->hb_up = ret >= 0;
}

static void hb_text(FILE *f, const struct hb_scrape *s, bool up)
{
	static const struct { const char *name, *type, *help; } fam[] = {
		{ "clpstack_heartbeat_received_total", "counter", "Heartbeat packets received on the link." },
		{ "clpstack_heartbeat_receive_errors_total", "counter", "Heartbeat packets refused on the link (bad signature, size, sender...)." },
		{ "clpstack_heartbeat_sent_total", "counter", "Heartbeat packets sent on the link." },
		{ "clpstack_heartbeat_send_errors_total", "counter", "Heartbeat sends that failed on the link." },
		{ "clpstack_heartbeat_silence_seconds", "gauge", "Time since the last good packet on the link." },
	};
	size_t k;
	int i;

	family(f, "clpstack_heartbeat_driver_up", "gauge",
	       "1 when the clpkhb driver answered this scrape.");
	fprintf(f, "clpstack_heartbeat_driver_up %d\n", up);
	if (!up || !s->n)
		return;
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

static void ka_collect(struct metrics_cluster *c)
{
	char line[512], name[64], state[16];
	long long timeout, remaining;
	FILE *in;

	c->ka_ratio = ka_value("ratio");
	c->ka_armed = ka_value("armed");
	if (c->ka_ratio < 0)
		return;
	in = fopen("/sys/class/misc/clpka/clients", "re");
	/* "<id> <name> <pid> <comm> <timeout_ms> <action> <state> <remaining_ms> <orphan>" */
	while (in && c->nka < KA_CLIENTS_MAX && fgets(line, sizeof(line), in))
		if (sscanf(line, "%*u %63s %*d %*s %lld %*s %15s %lld", name, &timeout, state,
			   &remaining) == 4 && strcmp(name, "-")) {
			struct ka_client *k = &c->ka[c->nka++];

			snprintf(k->name, sizeof(k->name), "%s", name);
			snprintf(k->state, sizeof(k->state), "%s", state);
			k->timeout = timeout;
			k->remaining = remaining;
		}
	if (in)
		fclose(in);
}

static void ka_text(FILE *f, const struct metrics_cluster *c)
{
	const struct ka_client *k = c->ka;
	int n = c->nka, i;

	family(f, "clpstack_keepalive_driver_up", "gauge",
	       "1 when the clpka driver is loaded (its sysfs directory could be read).");
	fprintf(f, "clpstack_keepalive_driver_up %d\n", c->ka_ratio >= 0);
	if (c->ka_ratio < 0)
		return;
	family(f, "clpstack_keepalive_ratio", "gauge", "Timeout ratio applied to every client (clptoratio).");
	fprintf(f, "clpstack_keepalive_ratio %lld\n", c->ka_ratio);
	family(f, "clpstack_keepalive_armed_clients", "gauge",
	       "Clients of /dev/clpka with a running deadline.");
	fprintf(f, "clpstack_keepalive_armed_clients %lld\n", c->ka_armed < 0 ? 0 : c->ka_armed);
	if (!n)
		return;
	family(f, "clpstack_keepalive_client_timeout_seconds", "gauge",
	       "A keepalive client's timeout (before the ratio).");
	for (i = 0; i < n; i++)
		fprintf(f, "clpstack_keepalive_client_timeout_seconds{client=\"%s\"} %.3f\n", k[i].name,
			(double)k[i].timeout / 1000);
	family(f, "clpstack_keepalive_client_remaining_seconds", "gauge",
	       "Time left before the client's action, 0 unless armed.");
	for (i = 0; i < n; i++)
		fprintf(f, "clpstack_keepalive_client_remaining_seconds{client=\"%s\"} %.3f\n",
			k[i].name, (double)k[i].remaining / 1000);
	family(f, "clpstack_keepalive_client_expired", "gauge",
	       "1 when the client's deadline passed (its action was taken).");
	for (i = 0; i < n; i++)
		fprintf(f, "clpstack_keepalive_client_expired{client=\"%s\"} %d\n", k[i].name,
			!strcmp(k[i].state, "expired"));
}

/* The cluster service's state under clus.lock; cfg is fixed once ready. */
static void grp_collect(struct metrics_cluster *c)
{
	const struct clp_cluster *cfg = &clus.cfg;
	int g, s;

	pthread_mutex_lock(&clus.lock);
	c->ready = clus.cfg_ready;
	if (c->ready) {
		c->started = clus.started;
		for (s = 0; s < cfg->nsrv; s++)
			c->srv_up[s] = s == cfg->self ? clus.started : clus.srv[s] == SRV_UP;
		for (g = 0; g < cfg->ngrp; g++) {
			c->g[g].st = clus.g[g].st;
			c->g[g].owner = clus.g[g].owner;
			memcpy(c->g[g].res_st, clus.g[g].res_st, sizeof(c->g[g].res_st));
		}
	}
	pthread_mutex_unlock(&clus.lock);
}

static void grp_text(FILE *f, const struct metrics_cluster *c)
{
	static const enum grp_st states[] = { GS_OFFLINE, GS_STARTING, GS_ONLINE, GS_STOPPING,
					      GS_ERROR };
	const struct clp_cluster *cfg = &clus.cfg;
	size_t k;
	int g, r, s;

	if (!c->ready)
		return;
	family(f, "clpstack_cluster_service_up", "gauge",
	       "1 while the cluster service runs on this server (clpcl -s).");
	fprintf(f, "clpstack_cluster_service_up %d\n", c->started);
	family(f, "clpstack_server_up", "gauge",
	       "1 for a server up as this one sees it (this server: its cluster service runs).");
	for (s = 0; s < cfg->nsrv; s++)
		fprintf(f, "clpstack_server_up{server=\"%s\"} %d\n", cfg->srv[s],
			c->srv_up[s]);
	family(f, "clpstack_group_state", "gauge",
	       "Group state on this server: 1 for the current one (offline, starting, online, stopping, error).");
	for (g = 0; g < cfg->ngrp; g++)
		for (k = 0; k < sizeof(states) / sizeof(states[0]); k++)
			fprintf(f, "clpstack_group_state{group=\"%s\",state=\"%s\"} %d\n",
				cfg->grp[g].name, grp_st_name(states[k]), c->g[g].st == states[k]);
	family(f, "clpstack_group_owner", "gauge",
	       "1 for the server running the group as this server knows it.");
	for (g = 0; g < cfg->ngrp; g++)
		for (s = 0; s < cfg->nsrv; s++)
			fprintf(f, "clpstack_group_owner{group=\"%s\",server=\"%s\"} %d\n",
				cfg->grp[g].name, cfg->srv[s], c->g[g].owner == s);
	family(f, "clpstack_resource_state", "gauge",
	       "Group resource state on this server: 1 for the current one.");
	for (g = 0; g < cfg->ngrp; g++)
		for (r = 0; r < cfg->grp[g].nres; r++)
			for (k = 0; k < sizeof(states) / sizeof(states[0]); k++)
				fprintf(f, "clpstack_resource_state{group=\"%s\",resource=\"%s\",type=\"%s\",state=\"%s\"} %d\n",
					cfg->grp[g].name, cfg->grp[g].res[r].name,
					clp_res_type_name(cfg->grp[g].res[r].type),
					grp_st_name(states[k]), c->g[g].res_st[r] == states[k]);
}

struct metrics_cluster *metrics_cluster_collect(void)
{
	struct metrics_cluster *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	hb_collect(c);
	ka_collect(c);
	grp_collect(c);
	return c;
}

void metrics_cluster_text(FILE *f, const struct metrics_cluster *c)
{
	hb_text(f, &c->hb, c->hb_up);
	ka_text(f, c);
	grp_text(f, c);
}

const char *metrics_cluster_self(const struct metrics_cluster *c)
{
	return c->ready ? clus.cfg.srv[clus.cfg.self] : "local";
}

const char *metrics_cluster_peer(const struct metrics_cluster *c)
{
	return c->ready && clus.cfg.nsrv == 2 ? clus.cfg.srv[!clus.cfg.self] : "peer";
}

int metrics_json_add(struct json_object *o, const char *key, struct json_object *v)
{
	if (v && !(key ? json_object_object_add(o, key, v) : json_object_array_add(o, v)))
		return 0;
	json_object_put(v);
	return -ENOMEM;
}

struct json_object *metrics_json_section(bool up, const char *key, struct json_object **list)
{
	struct json_object *o = json_object_new_object();

	*list = json_object_new_array();
	if (o && *list && !metrics_json_add(o, "driver_up", json_object_new_boolean(up)) &&
	    !json_object_object_add(o, key, *list))
		return o;
	if (!o || json_object_object_get(o, key) != *list)
		json_object_put(*list);
	json_object_put(o);
	return NULL;
}

static struct json_object *hb_json(const struct metrics_cluster *c)
{
	const struct hb_scrape *s = &c->hb;
	struct json_object *srvs, *srv = NULL, *links = NULL, *l;
	struct json_object *o = metrics_json_section(c->hb_up, "servers", &srvs);
	char name[32];
	int ret = 0, i;

	if (!o)
		return NULL;
	for (i = 0; c->hb_up && i < s->n && !ret; i++) {
		if (!i || strcmp(s->l[i].server, s->l[i - 1].server)) {
			srv = json_object_new_object();
			links = json_object_new_array();
			ret |= metrics_json_add(srvs, NULL, srv);
			if (ret) {
				json_object_put(links);
				break;
			}
			ret |= metrics_json_add(srv, "name", json_object_new_string(s->l[i].server));
			ret |= metrics_json_add(srv, "up", json_object_new_boolean(s->l[i].peer_up));
			ret |= metrics_json_add(srv, "links", links);
			if (ret)
				break;
		}
		l = json_object_new_object();
		ret |= metrics_json_add(links, NULL, l);
		if (ret)
			break;
		snprintf(name, sizeof(name), "lankhb%u", s->l[i].link);
		ret |= metrics_json_add(l, "name", json_object_new_string(name));
		ret |= metrics_json_add(l, "up", json_object_new_boolean(s->l[i].link_up));
		ret |= metrics_json_add(l, "received", json_object_new_uint64(s->l[i].v[0]));
		ret |= metrics_json_add(l, "silence_seconds",
					json_object_new_double((double)s->l[i].v[4] / 1000));
	}
	if (ret) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *ka_json(const struct metrics_cluster *c)
{
	struct json_object *cl, *k, *o = metrics_json_section(c->ka_ratio >= 0, "clients", &cl);
	int ret = 0, i;

	if (!o)
		return NULL;
	for (i = 0; i < c->nka && !ret; i++) {
		k = json_object_new_object();
		ret |= metrics_json_add(cl, NULL, k);
		if (ret)
			break;
		ret |= metrics_json_add(k, "name", json_object_new_string(c->ka[i].name));
		ret |= metrics_json_add(k, "state", json_object_new_string(c->ka[i].state));
		ret |= metrics_json_add(k, "timeout_seconds",
					json_object_new_double((double)c->ka[i].timeout / 1000));
		ret |= metrics_json_add(k, "remaining_seconds",
					json_object_new_double((double)c->ka[i].remaining / 1000));
	}
	if (ret) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *res_json(const struct metrics_cluster *c, int g)
{
	const struct clp_group *grp = &clus.cfg.grp[g];
	struct json_object *a = json_object_new_array(), *r;
	int ret = 0, i;

	for (i = 0; a && i < grp->nres && !ret; i++) {
		r = json_object_new_object();
		ret |= metrics_json_add(a, NULL, r);
		if (ret)
			break;
		ret |= metrics_json_add(r, "name", json_object_new_string(grp->res[i].name));
		ret |= metrics_json_add(r, "type",
					json_object_new_string(clp_res_type_name(grp->res[i].type)));
		ret |= metrics_json_add(r, "state",
					json_object_new_string(grp_st_name(c->g[g].res_st[i])));
	}
	if (ret) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

/* null until the configuration is loaded */
static int grp_json(struct json_object *root, const struct metrics_cluster *c)
{
	const struct clp_cluster *cfg = &clus.cfg;
	struct json_object *o, *srvs, *grps, *x;
	int ret = 0, i;

	if (!c->ready)
		return json_object_object_add(root, "cluster", NULL) ? -ENOMEM : 0;
	o = json_object_new_object();
	if (metrics_json_add(root, "cluster", o))
		return -ENOMEM;
	srvs = json_object_new_array();
	grps = json_object_new_array();
	ret |= metrics_json_add(o, "name", json_object_new_string(cfg->name));
	ret |= metrics_json_add(o, "service_up", json_object_new_boolean(c->started));
	ret |= metrics_json_add(o, "servers", srvs);
	ret |= metrics_json_add(o, "groups", grps);
	for (i = 0; !ret && i < cfg->nsrv; i++) {
		x = json_object_new_object();
		ret |= metrics_json_add(srvs, NULL, x);
		if (ret)
			break;
		ret |= metrics_json_add(x, "name", json_object_new_string(cfg->srv[i]));
		ret |= metrics_json_add(x, "self", json_object_new_boolean(i == cfg->self));
		ret |= metrics_json_add(x, "up", json_object_new_boolean(c->srv_up[i]));
	}
	for (i = 0; !ret && i < cfg->ngrp; i++) {
		int owner = c->g[i].owner;

		x = json_object_new_object();
		ret |= metrics_json_add(grps, NULL, x);
		if (ret)
			break;
		ret |= metrics_json_add(x, "name", json_object_new_string(cfg->grp[i].name));
		ret |= metrics_json_add(x, "state", json_object_new_string(grp_st_name(c->g[i].st)));
		if (owner >= 0 && owner < cfg->nsrv)
			ret |= metrics_json_add(x, "owner", json_object_new_string(cfg->srv[owner]));
		else if (json_object_object_add(x, "owner", NULL))
			ret = -ENOMEM;
		ret |= metrics_json_add(x, "resources", res_json(c, i));
	}
	return ret;
}

int metrics_cluster_json(struct json_object *root, const struct metrics_cluster *c)
{
	int ret = grp_json(root, c);

	ret |= metrics_json_add(root, "heartbeat", hb_json(c));
	ret |= metrics_json_add(root, "keepalive", ka_json(c));
	return ret;
}
