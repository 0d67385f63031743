// SPDX-License-Identifier: GPL-2.0
/*
 * Requests to the cluster daemon (Documentation/cluster-protocol.md), from
 * the commands over the UNIX socket (from < 0) and from the daemons of the
 * other servers (from = their index). A request naming another server
 * ("server") is passed on to that server's daemon; the other daemons may
 * not ask this one to pass anything on.
 *
 *   op              fields                   from
 *   status          all (bool)               commands, daemons
 *   notify          status                   daemons
 *   cluster-start   server, all              commands, daemons
 *   cluster-stop    server, all, arg (1 shut down, 2 reboot)
 *   group-start     group, server, hops (moves after failed activations),
 *                   arg (2: a move's destination, daemons only)
 *   group-stop      group, server
 *   group-move      group, server (destination; none: the next one)
 *   cluster-suspend / cluster-resume   all   every server (suspend: this one last)
 *   group-reserve / group-release  group     daemons: may the sender start it?
 *   group-handover  arg (group mask)         daemons: the sender's resume failed,
 *                                            it stopped these groups: take them
 *   cluster-suspend-prepare / -abort         daemons: phase 1 of a suspend
 *   wait-cancel                              commands
 *   logcc           server, type             commands, daemons: make a log archive
 *   logcc-read      server, name, offset     ... read it (base64 chunks)
 *   logcc-done      server, name             ... remove it (logcc.c)
 *   md-outdate      md                       daemons: outdate and fence this
 *                                            server's copy (fence.c)
 *   md-updatekey    md, keyfp                commands, daemons: the new key file
 *                                            of guide 2.29 on every server (mdkey.c;
 *                                            md names a mirror or a hybrid disk)
 */
#include <stdio.h>
#include <string.h>

#include "clp_log.h"
#include "clp_msg.h"
#include "cluster.h"
#include "logcc.h"
#include "fence.h"
#include "hybrid.h"
#include "mdkey.h"

static struct json_object *job_reply(enum job_type t, int grp, int srv, int arg)
{
	struct job j = { .type = t, .grp = grp, .srv = srv, .arg = arg };

	rc_submit(&j, true);
	return clp_msg_reply(j.code, "%s", j.msg);
}

/* A stop queues behind a startup wait: end the wait now, and start no
 * group after it (the stop job sees the core still up and stops it). */
static void stop_waiting(void)
{
	pthread_mutex_lock(&clus.lock);
	if (clus.waiting)
		clus.started = false;
	clus.wait_cancel = true;
	pthread_cond_broadcast(&clus.cond);
	pthread_mutex_unlock(&clus.lock);
}

static struct json_object *forward(int srv, struct json_object *req)
{
	struct json_object *copy, *r;
	char err[512];

	/* The receiver acts on itself: drop "server" and "all". */
	copy = json_tokener_parse(json_object_to_json_string(req));
	json_object_object_del(copy, "server");
	json_object_object_del(copy, "all");
	r = clp_msg_peer(&clus.cfg, srv, copy, 3600 * 1000, err, sizeof(err));
	json_object_put(copy);
	return r ? r : clp_msg_reply(CLP_EXIT_ERROR, "%s", err);
}

/* One peer's status for clpstat -a, asked in a thread of its own so that
 * unreachable servers cost one timeout together, not one each. */
struct status_ask {
	int srv, timeout_ms;
	pthread_t thread;
	bool threaded;
	struct json_object *reply;
	char err[256];
};

static void *status_ask_one(void *arg)
{
	struct status_ask *a = arg;
	struct json_object *q = json_object_new_object();

	json_object_object_add(q, "op", json_object_new_string("status"));
	a->reply = clp_msg_peer(&clus.cfg, a->srv, q, a->timeout_ms, a->err, sizeof(a->err));
	json_object_put(q);
	return NULL;
}

static struct json_object *status(struct json_object *req, int from)
{
	struct status_ask ask[CLP_SRV_MAX] = { 0 };
	struct json_object *r, *list, *one;
	int i;

	if (from >= 0 || !clp_msg_get_int(req, "all", 0)) {
		r = rc_status_json();
		json_object_object_add(r, "code", json_object_new_int(0));
		return r;
	}
	for (i = 0; i < clus.cfg.nsrv; i++) {
		if (i == clus.cfg.self)
			continue;
		ask[i].srv = i;
		/* A server without heartbeat may still run its daemon: ask briefly. */
		pthread_mutex_lock(&clus.lock);
		ask[i].timeout_ms = clus.srv[i] == SRV_UP ? 3000 : 1000;
		pthread_mutex_unlock(&clus.lock);
		ask[i].threaded = !pthread_create(&ask[i].thread, NULL, status_ask_one, &ask[i]);
		if (!ask[i].threaded)
			status_ask_one(&ask[i]);
	}
	r = clp_msg_reply(0, "status");
	json_object_object_add(r, "local", json_object_new_string(clus.m->server));
	list = json_object_new_array();
	for (i = 0; i < clus.cfg.nsrv; i++) {
		if (i == clus.cfg.self) {
			json_object_array_add(list, rc_status_json());
			continue;
		}
		if (ask[i].threaded)
			pthread_join(ask[i].thread, NULL);
		one = ask[i].reply;
		if (!one) {
			one = json_object_new_object();
			json_object_object_add(one, "server", json_object_new_string(clus.cfg.srv[i]));
			json_object_object_add(one, "unreachable", json_object_new_string(ask[i].err));
		} else {
			rc_note_remote(i, one);
		}
		json_object_array_add(list, one);
	}
	json_object_object_add(r, "servers", list);
	return r;
}

static struct json_object *cluster_all(struct json_object *req, enum job_type t, int arg);

/* Phase 1 of a suspend on server @i (this one directly). */
static struct json_object *suspend_prepare(int i, bool on)
{
	struct json_object *q, *r;
	char msg[512];
	int code;

	if (i == clus.cfg.self) {
		code = rc_suspend_prepare(on, msg, sizeof(msg));
		return clp_msg_reply(code, "%s", msg);
	}
	q = json_object_new_object();
	json_object_object_add(q, "op", json_object_new_string(on ? "cluster-suspend-prepare" :
								     "cluster-suspend-abort"));
	r = forward(i, q);
	json_object_put(q);
	return r;
}

/* clpcl --suspend: every server promises first (no failover meanwhile),
 * or none suspends. */
static struct json_object *suspend_all(struct json_object *req)
{
	struct json_object *r;
	int i, k;

	for (i = 0; i < clus.cfg.nsrv; i++) {
		r = suspend_prepare(i, true);
		if (!clp_msg_code(r)) {
			json_object_put(r);
			continue;
		}
		for (k = 0; k < i; k++)
			json_object_put(suspend_prepare(k, false));
		return r;
	}
	return cluster_all(req, J_CL_SUSPEND, 0);
}

/* cluster-start/stop with "all": every server, this one last for a stop. */
static struct json_object *cluster_all(struct json_object *req, enum job_type t, int arg)
{
	char msg[2048] = "";
	int i, k, code = 0, nstate = 0;

	for (k = 0; k < clus.cfg.nsrv; k++) {
		struct json_object *r;

		/* A stop/shutdown ends with this server; a start begins with it. */
		i = t == J_CL_STOP || t == J_CL_SUSPEND ? (clus.cfg.self + 1 + k) % clus.cfg.nsrv :
				     (clus.cfg.self + k) % clus.cfg.nsrv;
		if (i == clus.cfg.self) {
			if (t == J_CL_STOP)
				stop_waiting();
			r = job_reply(t, -1, -1, arg);
		} else {
			r = forward(i, req);
		}
		/* Already so on a server is no failure, unless on every one. */
		if (clp_msg_code(r) == CLP_EXIT_STATE)
			nstate++;
		else if (clp_msg_code(r) && !code)
			code = clp_msg_code(r);
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "%s%s: %s",
			 msg[0] ? "\n" : "", clus.cfg.srv[i], clp_msg_text(r));
		json_object_put(r);
	}
	if (!code && nstate == clus.cfg.nsrv)
		code = CLP_EXIT_STATE;
	return clp_msg_reply(code, "%s", msg);
}

static bool md_configured(const char *name)
{
	int i, n = clp_md_count(clus.m->conf);

	for (i = 0; i < n; i++) {
		const char *s = clp_md_name_at(clus.m->conf, i);

		if (s && !strcmp(s, name))
			return true;
	}
	return false;
}

struct json_object *req_handle(struct json_object *req, int from)
{
	const char *op = clp_msg_get_str(req, "op");
	const char *gname = clp_msg_get_str(req, "group");
	const char *sname = clp_msg_get_str(req, "server");
	int arg = (int)clp_msg_get_int(req, "arg", 0);
	bool all = clp_msg_get_int(req, "all", 0);
	int gi = -1, srv = -1;

	if (!op)
		return clp_msg_reply(CLP_EXIT_USAGE, "request without \"op\"");
	if (gname) {
		gi = clp_cluster_group(&clus.cfg, gname);
		if (gi < 0)
			return clp_msg_reply(CLP_EXIT_USAGE, "there is no group '%s' in %s", gname,
					     clp_conf_path(clus.m->conf));
	}
	if (sname) {
		srv = clp_cluster_server(&clus.cfg, sname);
		if (srv < 0)
			return clp_msg_reply(CLP_EXIT_USAGE, "there is no server '%s' in %s",
					     sname, clp_conf_path(clus.m->conf));
		if (from >= 0)
			return clp_msg_reply(CLP_EXIT_USAGE, "a daemon may not name a server");
	}
	if (!strcmp(op, "status"))
		return status(req, from);
	/* These wait for this server's worker, which waits for the sender. */
	if (from >= 0 && rc_worker_asking(from) &&
	    ((!strncmp(op, "cluster-", 8) && !strstr(op, "-suspend-")) ||
	     !strcmp(op, "group-start") ||
	     !strcmp(op, "group-stop") || !strcmp(op, "group-move")))
		return clp_msg_reply(CLP_EXIT_STATE, "%s is busy waiting for an answer from %s "
				     "(crossed requests): try again", clus.m->server,
				     clus.cfg.srv[from]);
	if (!strcmp(op, "notify")) {
		struct json_object *st;

		if (from < 0)
			return clp_msg_reply(CLP_EXIT_USAGE, "notify comes from daemons only");
		if (json_object_object_get_ex(req, "status", &st))
			rc_note_remote(from, st);
		return clp_msg_reply(0, "noted");
	}
	if (!strcmp(op, "cluster-start") || !strcmp(op, "cluster-stop")) {
		enum job_type t = !strcmp(op, "cluster-start") ? J_CL_START : J_CL_STOP;

		if (arg < 0 || arg > 2)
			return clp_msg_reply(CLP_EXIT_USAGE, "bad arg %d", arg);
		if (from < 0 && all)
			return cluster_all(req, t, arg);
		if (srv >= 0 && srv != clus.cfg.self)
			return forward(srv, req);
		if (t == J_CL_STOP)
			stop_waiting();
		return job_reply(t, -1, -1, arg);
	}
	if (!strcmp(op, "cluster-suspend-prepare") || !strcmp(op, "cluster-suspend-abort")) {
		char msg[512];
		int code;

		if (from < 0)
			return clp_msg_reply(CLP_EXIT_USAGE, "%s comes from daemons only", op);
		code = rc_suspend_prepare(!strcmp(op, "cluster-suspend-prepare"), msg, sizeof(msg));
		return clp_msg_reply(code, "%s", msg);
	}
	if (!strcmp(op, "cluster-suspend") || !strcmp(op, "cluster-resume")) {
		enum job_type t = !strcmp(op, "cluster-suspend") ? J_CL_SUSPEND : J_CL_RESUME;

		if (from < 0 && all)
			return t == J_CL_SUSPEND ? suspend_all(req) : cluster_all(req, t, 0);
		if (srv >= 0)
			return clp_msg_reply(CLP_EXIT_USAGE, "%s applies to every server", op);
		return job_reply(t, -1, -1, 0);
	}
	if (!strcmp(op, "group-start") || !strcmp(op, "group-stop") || !strcmp(op, "group-move")) {
		bool move = !strcmp(op, "group-move");

		if (gi < 0)
			return clp_msg_reply(CLP_EXIT_USAGE, "%s needs a group", op);
		if (move)
			return job_reply(J_MOVE, gi, srv, 0);
		if (srv >= 0 && srv != clus.cfg.self)
			return forward(srv, req);
		if (!strcmp(op, "group-stop"))
			return job_reply(J_STOP, gi, -1, 0);
		{
			const struct clp_group *g = &clus.cfg.grp[gi];
			bool in = false;

			for (int i = 0; i < g->nsrv; i++)
				in |= g->srv[i] == clus.cfg.self;
			if (!in)
				return clp_msg_reply(CLP_EXIT_STATE, "%s may not run on %s (not in "
						     "its policy)", g->name, clus.m->server);
		}
		{
			/* arg 2: the mover's request to its destination (rc.c
			 * job_move()); from the daemons only. */
			struct job j = { .type = J_START, .grp = gi, .srv = -1, .arg = arg,
					 .hops = (int)clp_msg_get_int(req, "hops", 0) };

			if (j.hops < 0 || j.hops > CLP_SRV_MAX)
				return clp_msg_reply(CLP_EXIT_USAGE, "bad hops %d", j.hops);
			if (arg != 0 && (arg != 2 || from < 0))
				return clp_msg_reply(CLP_EXIT_USAGE, "bad arg %d for group-start", arg);
			rc_submit(&j, true);
			return clp_msg_reply(j.code, "%s", j.msg);
		}
	}
	if (!strcmp(op, "group-reserve") || !strcmp(op, "group-release")) {
		char msg[512];
		int code;

		if (from < 0 || gi < 0)
			return clp_msg_reply(CLP_EXIT_USAGE, "%s comes from daemons only and "
					     "needs a group", op);
		if (!strcmp(op, "group-release")) {
			rc_release(gi, from);
			return clp_msg_reply(0, "released");
		}
		code = rc_reserve(gi, from, msg, sizeof(msg));
		return clp_msg_reply(code, "%s", msg);
	}
	if (!strcmp(op, "group-handover")) {
		char msg[512];
		int64_t mask = clp_msg_get_int(req, "arg", 0);

		if (from < 0)
			return clp_msg_reply(CLP_EXIT_USAGE, "group-handover comes from daemons only");
		if (mask <= 0 || mask > 0xffffffffLL)
			return clp_msg_reply(CLP_EXIT_USAGE, "group-handover: bad group set %lld",
					     (long long)mask);
		return clp_msg_reply(rc_handover(from, (unsigned int)mask, msg, sizeof(msg)),
				     "%s", msg);
	}
	if (!strcmp(op, "md-outdate")) {
		const char *md = clp_msg_get_str(req, "md");
		char msg[512];
		int code;

		if (from < 0 || !md)
			return clp_msg_reply(CLP_EXIT_USAGE, "md-outdate comes from daemons only "
					     "and needs \"md\"");
		if (!md_configured(md))
			return clp_msg_reply(CLP_EXIT_USAGE, "there is no mirror disk '%s' in %s",
					     md, clp_conf_path(clus.m->conf));
		code = fence_outdate(md, msg, sizeof(msg));
		return clp_msg_reply(code, "%s", msg);
	}
	if (!strcmp(op, "md-updatekey"))
		return mdkey_request(req, from);
	if (!strcmp(op, "hd-current") || !strcmp(op, "hd-release") || !strcmp(op, "hd-backup"))
		return hybrid_request(req, from);
	if (!strcmp(op, "wait-cancel")) {
		bool was;

		if (from >= 0)
			return clp_msg_reply(CLP_EXIT_USAGE, "wait-cancel comes from commands only");
		pthread_mutex_lock(&clus.lock);
		was = clus.waiting && !clus.wait_cancel;
		clus.wait_cancel = true;
		pthread_cond_broadcast(&clus.cond);
		pthread_mutex_unlock(&clus.lock);
		if (!was)
			return clp_msg_reply(CLP_EXIT_STATE, "the cluster is not waiting for the "
					     "other servers at startup on %s", clus.m->server);
		return clp_msg_reply(0, "startup wait cancelled on %s", clus.m->server);
	}
	if (!strcmp(op, "logcc") || !strncmp(op, "logcc-", 6)) {
		if (srv >= 0 && srv != clus.cfg.self)
			return forward(srv, req);
		return logcc_request(req);
	}
	return clp_msg_reply(CLP_EXIT_USAGE, "unknown request '%s'", op);
}
