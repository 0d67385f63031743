// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus metrics and the status page, a module of clpmgrd
 * (Documentation/metrics.md).
 *
 * With cluster/metrics/listen = "<IPv4 address>:<port>" in clp.conf, an
 * HTTP server (libmicrohttpd, its own thread) answers GET /metrics with
 * the text exposition format (version 0.0.4): the state and counters of
 * every liscal resource, read from the driver at each scrape, then the
 * heartbeat, keepalive and cluster service (metrics_cluster.c). The same
 * collection answers GET /status.json, which the status page (GET /,
 * status.html compiled in by status_page.c) polls. Without the
 * key the module does nothing. A malformed value stops clpmgrd with an
 * error naming file, line and key; an address it cannot listen on is
 * logged (event 2) and clpmgrd runs on without metrics.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clp_log.h"
#include "clp_md_nl.h"
#include "clp_md_state.h"
#include "metrics_cluster.h"
#include "mgr.h"
#include "status_page.h"

#define EV "metrics"
#define KEY "cluster/metrics/listen"
#define XP "/root/cluster/metrics/listen"
#define MAX_RES 64
/* How often the status page asks for /status.json. */
#define STATUS_REFRESH_S 2

static struct MHD_Daemon *httpd;

/*
 * "a.b.c.d:port" into @sa. Returns 0, -ENOENT when the key is absent, or
 * -EINVAL with the error in @err.
 */
static int listen_conf(struct clp_conf *conf, struct sockaddr_in *sa, char *err,
		       size_t errlen)
{
	char buf[64], *colon, *end = NULL;
	bool found;
	long line, port = 0;
	int ret;

	ret = clp_conf_key_unknown(conf, "/root/cluster/metrics", "cluster/metrics", "self::listen",
				   err, errlen);
	if (!ret)
		ret = clp_conf_key_text(conf, XP, KEY, buf, sizeof(buf), &line, &found, err, errlen);
	if (ret)
		return ret;
	if (!found)
		return -ENOENT;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	colon = strrchr(buf, ':');
	if (colon) {
		*colon = 0;
		errno = 0;
		port = strtol(colon + 1, &end, 10);
	}
	if (!colon || inet_pton(AF_INET, buf, &sa->sin_addr) != 1 || colon[1] < '0' ||
	    colon[1] > '9' || *end || errno || port < 1 || port > 65535) {
		if (colon)
			*colon = ':';
		return clp_conf_key_err(conf, line, KEY, err, errlen,
					"'%s' is not an IPv4 address and a port 1-65535 "
					"(e.g. 127.0.0.1:9731)", buf);
	}
	sa->sin_port = htons((uint16_t)port);
	return 0;
}

struct scrape {
	struct clp_md_status st[MAX_RES];
	int n;
};

static void collect(const struct clp_md_status *st, void *arg)
{
	struct scrape *s = arg;

	if (s->n < MAX_RES)
		s->st[s->n++] = *st;
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One gauge family over every resource; @get gives each one's value. */
static void gauge(FILE *f, const struct scrape *s, const char *name, const char *help,
		  double (*get)(const struct clp_md_status *st))
{
	int i;

	family(f, name, "gauge", help);
	for (i = 0; i < s->n; i++)
		fprintf(f, "%s{resource=\"%s\"} %.17g\n", name, s->st[i].name, get(&s->st[i]));
}

static double g_active(const struct clp_md_status *st)
{
	return st->role == LISCAL_ROLE_ACTIVE;
}

static double g_connected(const struct clp_md_status *st)
{
	return st->conn == LISCAL_CONN_CONNECTED;
}

static double g_split(const struct clp_md_status *st)
{
	return st->split_brain;
}

static double g_oos(const struct clp_md_status *st)
{
	return (double)st->dirty_bytes;
}

static double g_size(const struct clp_md_status *st)
{
	return (double)st->data_size;
}

static double g_rs_done(const struct clp_md_status *st)
{
	return (double)st->recovery_done;
}

static double g_rs_total(const struct clp_md_status *st)
{
	return (double)st->recovery_total;
}

/* Mirror colours as a state set: 1 for the colour each server has. */
static void colours(FILE *f, const struct scrape *s)
{
	static const enum clp_md_colour all[] = { CLP_MD_GREEN, CLP_MD_YELLOW, CLP_MD_RED,
						  CLP_MD_GRAY };
	size_t c;
	int i, side;

	family(f, "clpstack_mirror_colour", "gauge",
	       "Mirror colour of this server (server=\"local\") and of the other as this driver knows it (server=\"peer\"): 1 for the current colour, as clpmdstat shows it.");
	for (i = 0; i < s->n; i++)
		for (side = 0; side < 2; side++) {
			enum clp_md_colour cur = side ? clp_md_peer_colour(&s->st[i]) :
						       clp_md_local_colour(&s->st[i]);

			for (c = 0; c < sizeof(all) / sizeof(all[0]); c++)
				fprintf(f, "clpstack_mirror_colour{resource=\"%s\",server=\"%s\",colour=\"%s\"} %d\n",
					s->st[i].name, side ? "peer" : "local",
					clp_md_colour_name(all[c]), cur == all[c]);
		}
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/*
 * The driver's counters under Prometheus names, from their UAPI names
 * (clp_md_stat_name()): times (microseconds in the driver) become
 * seconds, *_max and *_cur are gauges, the rest counters ending _total;
 * "<x>_count" counts become "<x>s_total". The agent's period values
 * (*_max2, *_total2) are left out: the agent resets them.
 */
static void counters(FILE *f, const struct scrape *s)
{
	static const char *const times[] = { "sync_time", "sync_ack", "recovery_ack", "mdc_hb",
					     "lw_wait_rr", "rr_wait_lw" };
	char base[64], name[128], help[160];
	unsigned int a;
	size_t t;
	int i;

	for (a = 1; a <= LISCAL_STATS_A_MAX; a++) {
		bool us = false, g;
		double scale = 1;
		size_t len;

		if (!clp_md_stat_name(a, base, sizeof(base)) || ends_with(base, "2"))
			continue;
		for (t = 0; t < sizeof(times) / sizeof(times[0]); t++)
			if (!strncmp(base, times[t], strlen(times[t])))
				us = true;
		g = ends_with(base, "_max") || ends_with(base, "_cur");
		len = strlen(base);
		if (ends_with(base, "_total"))
			base[len -= 6] = 0;
		if (ends_with(base, "_count"))
			snprintf(base + len - 6, sizeof(base) - (len - 6), "s");
		if (us)
			scale = 1e-6;
		snprintf(name, sizeof(name), "clpstack_mirror_%s%s%s%s", base,
			 us ? "_seconds" : "", !us && !strncmp(base, "sync_diff", 9) ? "_bytes" : "",
			 g ? "" : "_total");
		snprintf(help, sizeof(help), "liscal counter %s (LISCAL_STATS_A_*, clpmdstat --counters)%s.",
			 base, us ? ", in seconds" : "");
		family(f, name, g ? "gauge" : "counter", help);
		for (i = 0; i < s->n; i++)
			fprintf(f, "%s{resource=\"%s\"} %.17g\n", name, s->st[i].name,
				(double)s->st[i].stats[a] * scale);
	}
}

/* One request's reading of the drivers and the cluster service. */
struct reading {
	struct scrape md;
	bool md_up;		/* liscal answered */
	struct metrics_cluster *cl;
};

static struct reading *read_all(void)
{
	struct reading *r = calloc(1, sizeof(*r));
	struct clp_nl *nl = NULL;
	int ret;

	if (!r)
		return NULL;
	ret = clp_md_nl_open(&nl);
	if (!ret)
		ret = clp_md_nl_dump(nl, collect, &r->md);
	if (nl)
		clp_nl_close(nl);
	r->md_up = ret >= 0;
	r->cl = metrics_cluster_collect();
	if (!r->cl) {
		free(r);
		return NULL;
	}
	return r;
}

static void reading_free(struct reading *r)
{
	free(r->cl);
	free(r);
}

/* The exposition text of @r into *@buf (malloc'ed); 0 or a negative errno. */
static int render(const struct reading *r, char **buf, size_t *len)
{
	const struct scrape *s = &r->md;
	FILE *f;

	f = open_memstream(buf, len);
	if (!f)
		return -ENOMEM;
	family(f, "clpstack_mirror_driver_up", "gauge",
	       "1 when the liscal driver answered this scrape.");
	fprintf(f, "clpstack_mirror_driver_up %d\n", r->md_up);
	if (r->md_up && s->n) {
		gauge(f, s, "clpstack_mirror_active", "1 when /dev/NMPn is active (writable) on this server.",
		      g_active);
		gauge(f, s, "clpstack_mirror_connected", "1 while the mirror connection is up.",
		      g_connected);
		gauge(f, s, "clpstack_mirror_split_brain", "1 after a split brain was detected.",
		      g_split);
		colours(f, s);
		gauge(f, s, "clpstack_mirror_out_of_sync_bytes",
		      "Bytes that may differ from the other copy (regions set in the bitmap).", g_oos);
		gauge(f, s, "clpstack_mirror_size_bytes", "Size of the mirrored data.", g_size);
		gauge(f, s, "clpstack_mirror_recovery_done_bytes",
		      "Bytes copied by the running or last mirror recovery (source side).", g_rs_done);
		gauge(f, s, "clpstack_mirror_recovery_total_bytes",
		      "Bytes the running or last mirror recovery copies (source side).", g_rs_total);
		counters(f, s);
	}
	metrics_cluster_text(f, r->cl);
	return fclose(f) ? -errno : 0;
}

static struct json_object *colour_json(const char *server, bool local, enum clp_md_colour c)
{
	struct json_object *o = json_object_new_object();
	int ret = 0;

	if (!o)
		return NULL;
	ret |= metrics_json_add(o, "server", json_object_new_string(server));
	ret |= metrics_json_add(o, "local", json_object_new_boolean(local));
	ret |= metrics_json_add(o, "colour", json_object_new_string(clp_md_colour_name(c)));
	if (ret) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *mirror_json(const struct reading *r)
{
	struct json_object *a, *m, *c, *o = metrics_json_section(r->md_up, "resources", &a);
	int ret = 0, i;

	if (!o)
		return NULL;
	for (i = 0; !ret && i < r->md.n; i++) {
		const struct clp_md_status *st = &r->md.st[i];

		m = json_object_new_object();
		c = json_object_new_array();
		ret |= metrics_json_add(a, NULL, m);
		if (ret) {
			json_object_put(c);
			break;
		}
		ret |= metrics_json_add(m, "colours", c);
		ret |= metrics_json_add(m, "name", json_object_new_string(st->name));
		ret |= metrics_json_add(m, "role", json_object_new_string(clp_md_role_name(st->role)));
		ret |= metrics_json_add(m, "connection",
					json_object_new_string(clp_md_conn_name(st->conn)));
		ret |= metrics_json_add(m, "disk", json_object_new_string(clp_md_disk_name(st->disk)));
		ret |= metrics_json_add(m, "split_brain", json_object_new_boolean(st->split_brain));
		ret |= metrics_json_add(m, "out_of_sync_bytes", json_object_new_uint64(st->dirty_bytes));
		ret |= metrics_json_add(m, "recovery_done_bytes",
					json_object_new_uint64(st->recovery_done));
		ret |= metrics_json_add(m, "recovery_total_bytes",
					json_object_new_uint64(st->recovery_total));
		if (ret)
			break;
		ret |= metrics_json_add(c, NULL, colour_json(metrics_cluster_self(r->cl), true,
							     clp_md_local_colour(st)));
		ret |= metrics_json_add(c, NULL, colour_json(metrics_cluster_peer(r->cl), false,
							     clp_md_peer_colour(st)));
	}
	if (ret) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* The status document of @r (Documentation/metrics.md, "Status page") into
 * *@buf (malloc'ed); 0 or a negative errno. */
static int render_json(const struct reading *r, char **buf, size_t *len)
{
	struct json_object *o = json_object_new_object();
	const char *txt;
	int ret = 0;

	if (!o)
		return -ENOMEM;
	ret |= metrics_json_add(o, "server", json_object_new_string(metrics_cluster_self(r->cl)));
	ret |= metrics_json_add(o, "time", json_object_new_int64((int64_t)time(NULL)));
	ret |= metrics_json_add(o, "refresh_seconds", json_object_new_int(STATUS_REFRESH_S));
	ret |= metrics_json_add(o, "mirror", mirror_json(r));
	ret |= metrics_cluster_json(o, r->cl);
	txt = ret ? NULL : json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	*buf = txt ? strdup(txt) : NULL;
	*len = txt ? strlen(txt) : 0;
	json_object_put(o);
	return *buf ? 0 : -ENOMEM;
}

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned int code, char *body,
			      size_t len, const char *type)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

/* GET (or HEAD) @url: its status code, body (malloc'ed) and type. */
static unsigned int route(const char *url, char **body, size_t *len, const char **type)
{
	bool text = !strcmp(url, "/metrics"), json = !strcmp(url, "/status.json");
	struct reading *r;
	int ret;

	if (!strcmp(url, "/") || !strcmp(url, "/status")) {
		*len = status_page_len();
		*body = malloc(*len);
		if (*body)
			memcpy(*body, status_page, *len);
		*type = "text/html; charset=utf-8";
		return MHD_HTTP_OK;
	}
	*type = "text/plain; charset=utf-8";
	if (!text && !json) {
		*body = strdup("not found: the metrics are at /metrics, the status page at /, its data at /status.json\n");
		return MHD_HTTP_NOT_FOUND;
	}
	r = read_all();
	ret = !r ? -ENOMEM : text ? render(r, body, len) : render_json(r, body, len);
	if (r)
		reading_free(r);
	if (ret < 0) {
		free(*body);
		*body = strdup("cannot read the state\n");
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	*type = text ? "text/plain; version=0.0.4; charset=utf-8" : "application/json";
	return MHD_HTTP_OK;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **req)
{
	const char *type = "text/plain; charset=utf-8";
	char *body = NULL;
	size_t len = 0;
	unsigned int code;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		code = MHD_HTTP_METHOD_NOT_ALLOWED;
		body = strdup("only GET\n");
	} else {
		code = route(url, &body, &len, &type);
	}
	if (!body)
		return MHD_NO;
	if (code != MHD_HTTP_OK)
		len = strlen(body);
	return answer(conn, code, body, len, type);
}

static int metrics_start(struct mgr *m)
{
	struct sockaddr_in sa;
	char err[512], addr[INET_ADDRSTRLEN];
	int ret = listen_conf(m->conf, &sa, err, sizeof(err));

	if (ret == -ENOENT)
		return 0;
	if (ret) {
		clp_event(EV, 1, "%s", err);
		return -1;
	}
	inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof(addr));
	httpd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handle, NULL,
				 MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				 MHD_OPTION_CONNECTION_LIMIT, (unsigned int)16,
				 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
				 MHD_OPTION_END);
	if (!httpd) {
		clp_event(EV, 2, "cannot serve metrics on %s:%u (address in use or not on this server?); running without them",
			  addr, ntohs(sa.sin_port));
		return 0;
	}
	clp_event(EV, 3, "serving Prometheus metrics on http://%s:%u/metrics, the status page on http://%s:%u/",
		  addr, ntohs(sa.sin_port), addr, ntohs(sa.sin_port));
	return 0;
}

static void metrics_stop(struct mgr *m)
{
	if (httpd)
		MHD_stop_daemon(httpd);
	httpd = NULL;
}

const struct mgr_module mgr_mod_metrics = {
	.name = "metrics",
	.start = metrics_start,
	.stop = metrics_stop,
};
