// SPDX-License-Identifier: GPL-2.0
/*
 * clpmgrd modules "nm" and "rc": servers up and down, and the groups
 * (Documentation/cluster.md).
 *
 * nm: rc_peer_event() is called by the hb module for every clpkhb
 * peer-up/peer-down event; that is the only source of "a server is down".
 * rc: one worker thread runs the jobs in order. A group runs on at most
 * one server: this server starts a group only when it is the first server
 * of the group's policy that is up, and at a failover only after it won
 * the network partition resolution (np.c), when one is configured.
 *
 * Event ids (module rc): 1 group started, 2 group stopped, 3 failover
 * started, 4 cluster started, 5 cluster stopped, 6 startup wait, 7 wait
 * ended, 8 adopted, 10 server up, 11 server down, 15 a group caught
 * starting/stopping cleaned up, 16 resume failed (shutdown), 17 no
 * failover while suspending, 18 groups handed over after a failed resume
 * (sent, or one taken here), 19 a handover not answered, 20 nothing to
 * take over,
 * 30 resource activated, 31 activation retry, 32 activation failed,
 * 33 moved after it, 34 start not reserved, 35/36 reservation granted/
 * refused to another server, 40 resource deactivated, 42 deactivation
 * failed, 50 final action, 60 network partition won, 61 lost (npaction),
 * 62 no resolution, 64 no resolution thread, 65 start abandoned (lost),
 * 66 a won majority reversed by a loss during its wait,
 * 70 a group claimed elsewhere while it runs here, 71 a group ran on two
 * servers (guide 2.12.9), 92 release failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <stdarg.h>
#include <unistd.h>

#include "clp_log.h"
#include "clp_time.h"
#include "clp_msg.h"
#include "cluster.h"
#include "fence.h"
#include "logcc.h"
#include "stats.h"

struct cluster clus = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static pthread_t worker;
static bool worker_running;

int np_resolve(char *why, size_t len);		/* np.c */
static void job_cl_stop(struct job *j);
static void cleanup(void);

const char *grp_st_name(enum grp_st s)
{
	static const char *const n[] = { "offline", "starting", "online", "stopping", "error",
					 "unknown" };

	return s <= GS_UNKNOWN ? n[s] : "?";
}

static const char *srv_name(int i)
{
	return i >= 0 && i < clus.cfg.nsrv ? clus.cfg.srv[i] : "-";
}

/* ---- the groups' state files: what a restarted daemon adopts ---- */

static void boot_id(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, (int)len, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
}

static void state_path(const char *grp, char *buf, size_t len)
{
	snprintf(buf, len, "%s/work/group/%s", clp_prefix(), grp);
}

/*
 * The file holds the boot id and the group's state here while it is not
 * offline here (starting, online, stopping, or failed with resources up):
 * a daemon killed mid-start or mid-stop finds it at restart and cleans up.
 */
static void state_save(int gi, enum grp_st st)
{
	char path[512], id[64];
	FILE *f;

	state_path(clus.cfg.grp[gi].name, path, sizeof(path));
	if (st == GS_OFFLINE) {
		unlink(path);
		return;
	}
	snprintf(id, sizeof(id), "%s/work", clp_prefix());
	mkdir(id, 0755);
	snprintf(id, sizeof(id), "%s/work/group", clp_prefix());
	mkdir(id, 0755);
	boot_id(id, sizeof(id));
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "%s\n%s\n", id, grp_st_name(st));
	fclose(f);
}

/*
 * A resource's retries (act/retry, deact/retry) come RETRY_GAP_MS apart:
 * what made an attempt fail (an address still answered by a server on its
 * way down, a script's transient error) gets the time to pass.
 */
#define RETRY_GAP_MS 1000

/* Stops resource @i of @g, with its deact/retry: 0, or the last failure
 * (its reason in @err). */
static int res_stop_retried(const struct clp_group *g, int i, char *err, size_t len)
{
	int t, ret = -1;

	for (t = 0; t <= g->res[i].deact.retry && ret; t++) {
		if (t)
			clp_sleep_ms(RETRY_GAP_MS);
		err[0] = '\0';
		ret = res_stop(g, i, err, len);
	}
	return ret;
}

/* Stops whatever of @g may run here; 0 when nothing is left running. */
static int state_cleanup(const struct clp_group *g)
{
	char err[512];
	int i, ret, bad = 0;

	for (i = g->nres - 1; i >= 0; i--) {
		if (res_running(g, i) == 0)
			continue;
		ret = res_stop_retried(g, i, err, sizeof(err));
		if (ret) {
			clp_event("rc", 42, "Stopping %s resource has failed. (%s)", g->res[i].name,
				  err);
			bad = ret;
		} else {
			clp_event("rc", 40, "%s: resource %s@%s deactivated", g->name,
				  clp_res_type_name(g->res[i].type), g->res[i].name);
		}
	}
	return bad;
}

/*
 * What a restarted daemon finds of group @gi (rc_start(), before anything
 * else runs): online here in this boot with every resource that can tell
 * running: adopted; failed with resources up: still failed; caught
 * starting or stopping (the daemon was killed): GS_STOPPING, and
 * cleanup() stops every resource that may run once the core runs (not
 * here: clpka's userw must be adopted within its timeout first). Returns
 * the state, and GS_OFFLINE for anything stale.
 */
static enum grp_st state_adopt(int gi)
{
	const struct clp_group *g = &clus.cfg.grp[gi];
	char path[512], saved[64] = "", st[32] = "", now[64];
	FILE *f;
	int i;

	state_path(g->name, path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return GS_OFFLINE;
	if (!fgets(saved, sizeof(saved), f))
		saved[0] = '\0';
	if (!fgets(st, sizeof(st), f))
		strcpy(st, "online");	/* written by an older daemon */
	fclose(f);
	saved[strcspn(saved, "\n")] = '\0';
	st[strcspn(st, "\n")] = '\0';
	boot_id(now, sizeof(now));
	if (strcmp(saved, now))
		goto stale;
	if (!strcmp(st, "error"))
		return GS_ERROR;
	if (!strcmp(st, "starting") || !strcmp(st, "stopping")) {
		clp_event("rc", 15, "group %s was %s here when the daemon stopped: stopping what "
			  "runs of it", g->name, st);
		clus.g[gi].cleanup = true;
		return GS_STOPPING;
	}
	for (i = 0; i < g->nres; i++)
		if (res_running(g, i) == 0)
			goto stale;
	return GS_ONLINE;
stale:
	unlink(path);
	return GS_OFFLINE;
}

/* ---- jobs ---- */

static int submit(struct job *j, bool wait, bool first)
{
	j->done = false;
	j->next = NULL;
	j->owned = !wait;
	pthread_mutex_lock(&clus.lock);
	if (first) {
		j->next = clus.head;
		clus.head = j;
		if (!clus.tail)
			clus.tail = j;
	} else if (clus.tail) {
		clus.tail->next = j;
		clus.tail = j;
	} else {
		clus.head = j;
		clus.tail = j;
	}
	pthread_cond_broadcast(&clus.cond);
	while (wait && !j->done)
		pthread_cond_wait(&clus.cond, &clus.lock);
	pthread_mutex_unlock(&clus.lock);
	return 0;
}

int rc_submit(struct job *j, bool wait)
{
	return submit(j, wait, false);
}

static void submit_new_at(enum job_type t, int grp, int srv, int arg, bool first)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j) {
		clp_event("rc", 99, "out of memory: job %d dropped", t);
		return;
	}
	j->type = t;
	j->grp = grp;
	j->srv = srv;
	j->arg = arg;
	submit(j, false, first);
}

static void submit_new(enum job_type t, int grp, int srv, int arg)
{
	submit_new_at(t, grp, srv, arg, false);
}

__attribute__((format(printf, 3, 4)))
static int jfail(struct job *j, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(j->msg, sizeof(j->msg), fmt, ap);
	va_end(ap);
	j->code = code;
	return code;
}

static void set_grp(int gi, enum grp_st st, int owner)
{
	pthread_mutex_lock(&clus.lock);
	clus.g[gi].st = st;
	clus.g[gi].owner = owner;
	clus.g[gi].failover_to = -1;
	pthread_mutex_unlock(&clus.lock);
	state_save(gi, owner == clus.cfg.self ? st : GS_OFFLINE);
}

/* ---- status shared with commands and the other daemons ---- */

struct json_object *rc_status_json(void)
{
	struct json_object *o = json_object_new_object(), *gl = json_object_new_array();
	struct json_object *sl = json_object_new_array();
	int i, r;

	pthread_mutex_lock(&clus.lock);
	json_object_object_add(o, "server", json_object_new_string(clus.m->server));
	json_object_object_add(o, "cluster", json_object_new_string(clus.cfg.name));
	json_object_object_add(o, "started", json_object_new_boolean(clus.started));
	json_object_object_add(o, "suspended", json_object_new_boolean(clus.suspended));
	json_object_object_add(o, "waiting", json_object_new_boolean(clus.waiting));
	json_object_object_add(o, "epoch", json_object_new_int64(clus.epoch));
	json_object_object_add(o, "seq", json_object_new_int64(++clus.seq));
	for (i = 0; i < clus.cfg.nsrv; i++) {
		struct json_object *s = json_object_new_object();
		static const char *const sn[] = { "unknown", "up", "down" };

		struct json_object *ll = json_object_new_array();

		json_object_object_add(s, "name", json_object_new_string(clus.cfg.srv[i]));
		json_object_object_add(s, "heartbeat", json_object_new_string(
			i == clus.cfg.self ? (clus.core_up ? "up" : "down") : sn[clus.srv[i]]));
		for (int l = 0; i != clus.cfg.self && l < CLP_LINK_MAX; l++) {
			struct json_object *lo;
			char name[16];

			if (clus.link[i][l] == SRV_UNKNOWN)
				continue;
			lo = json_object_new_object();
			snprintf(name, sizeof(name), "lankhb%d", l + 1);
			json_object_object_add(lo, "name", json_object_new_string(name));
			json_object_object_add(lo, "state", json_object_new_string(sn[clus.link[i][l]]));
			json_object_array_add(ll, lo);
		}
		json_object_object_add(s, "links", ll);
		json_object_array_add(sl, s);
	}
	for (i = 0; i < clus.cfg.ngrp; i++) {
		const struct clp_group *g = &clus.cfg.grp[i];
		struct json_object *go = json_object_new_object(), *rl = json_object_new_array();

		json_object_object_add(go, "name", json_object_new_string(g->name));
		json_object_object_add(go, "state", json_object_new_string(grp_st_name(clus.g[i].st)));
		json_object_object_add(go, "owner", json_object_new_string(srv_name(clus.g[i].owner)));
		if (clus.g[i].why[0])
			json_object_object_add(go, "why", json_object_new_string(clus.g[i].why));
		for (r = 0; r < g->nres; r++) {
			struct json_object *ro = json_object_new_object();
			char full[64];

			snprintf(full, sizeof(full), "%s@%s", clp_res_type_name(g->res[r].type),
				 g->res[r].name);
			json_object_object_add(ro, "name", json_object_new_string(full));
			json_object_object_add(ro, "state", json_object_new_string(
				grp_st_name(clus.g[i].res_st[r])));
			json_object_array_add(rl, ro);
		}
		json_object_object_add(go, "resources", rl);
		json_object_array_add(gl, go);
	}
	pthread_mutex_unlock(&clus.lock);
	json_object_object_add(o, "servers", sl);
	json_object_object_add(o, "groups", gl);
	return o;
}

/* What server @srv says of itself (a notify or a status reply). */
void rc_note_remote(int srv, struct json_object *st)
{
	struct json_object *gl, *go;
	size_t i, n;

	long long epoch, seq;
	bool twice = false;

	if (srv < 0 || srv == clus.cfg.self || !st)
		return;
	epoch = clp_msg_get_int(st, "epoch", 0);
	seq = clp_msg_get_int(st, "seq", 0);
	pthread_mutex_lock(&clus.lock);
	/* Sent before one already noted (a status reply overtaken by a
	 * notify): it says nothing new. A restarted daemon has a new epoch. */
	if (epoch < clus.peer_epoch[srv] ||
	    (epoch == clus.peer_epoch[srv] && seq <= clus.peer_seq[srv])) {
		pthread_mutex_unlock(&clus.lock);
		return;
	}
	clus.peer_epoch[srv] = epoch;
	clus.peer_seq[srv] = seq;
	clus.srv_started[srv] = clp_msg_get_int(st, "started", 0);
	if (json_object_object_get_ex(st, "groups", &gl) && json_object_is_type(gl, json_type_array)) {
		n = json_object_array_length(gl);
		for (i = 0; i < n; i++) {
			const char *name, *state, *owner;
			int gi;

			go = json_object_array_get_idx(gl, i);
			name = clp_msg_get_str(go, "name");
			state = clp_msg_get_str(go, "state");
			gi = name ? clp_cluster_group(&clus.cfg, name) : -1;
			if (gi < 0 || !state)
				continue;
			owner = clp_msg_get_str(go, "owner");
			/* Its start here is over: the reservation it held ends. */
			if (clus.g[gi].reserved_by == srv && strcmp(state, "starting"))
				clus.g[gi].reserved_by = -1;
			/* It runs here: a server claiming it too is a conflict to
			 * report, not a new owner (the reservation prevents it). */
			if ((clus.g[gi].st == GS_STARTING || clus.g[gi].st == GS_ONLINE ||
			     clus.g[gi].st == GS_STOPPING) && clus.g[gi].owner == clus.cfg.self) {
				if ((!strcmp(state, "online") || !strcmp(state, "starting")) &&
				    !clus.twice_queued) {
					clp_event("rc", 70, "%s is %s on %s too", clus.cfg.grp[gi].name,
						  state, clus.cfg.srv[srv]);
					twice = true;
				}
				continue;
			}
			/* It runs there, or failed there with resources still up. */
			if (!strcmp(state, "online") || !strcmp(state, "starting") ||
			    !strcmp(state, "stopping") ||
			    (!strcmp(state, "error") && owner && !strcmp(owner, clus.cfg.srv[srv]))) {
				clus.g[gi].owner = srv;
				clus.g[gi].failover_to = -1;
				/* A start that failed here, cleaned up: no longer ours. */
				if (clus.g[gi].st == GS_ERROR && !strcmp(state, "online"))
					clus.g[gi].st = GS_OFFLINE;
			} else if (clus.g[gi].owner == srv) {
				clus.g[gi].owner = -1;
			}
		}
	}
	if (twice)
		clus.twice_queued = true;
	pthread_mutex_unlock(&clus.lock);
	if (twice)
		submit_new(J_TWICE, -1, srv, 0);
}

/* Tell server @only (every server that is up when -1) what runs here
 * (best effort, short). */
static void notify(int only)
{
	struct json_object *req = json_object_new_object(), *r;
	char err[256];
	int i;

	json_object_object_add(req, "op", json_object_new_string("notify"));
	json_object_object_add(req, "status", rc_status_json());
	for (i = 0; i < clus.cfg.nsrv; i++) {
		bool up;

		if (i == clus.cfg.self || (only >= 0 && i != only))
			continue;
		pthread_mutex_lock(&clus.lock);
		up = clus.srv[i] == SRV_UP;
		pthread_mutex_unlock(&clus.lock);
		if (!up)
			continue;
		r = clp_msg_peer(&clus.cfg, i, req, 3000, err, sizeof(err));
		if (!r)
			clp_event("rc", 90, "cannot tell %s: %s", clus.cfg.srv[i], err);
		json_object_put(r);
	}
	json_object_put(req);
}

void rc_notify_peers(void)
{
	notify(-1);
}

/*
 * The worker's requests to another daemon. While it waits, a request of
 * that daemon that needs this worker would wait for it in turn (two
 * crossed moves): req.c refuses those at once (rc_worker_asking()).
 */
static struct json_object *peer_call(int srv, struct json_object *req, int timeout_ms,
				     char *err, size_t len)
{
	struct json_object *r;
	bool mine = pthread_equal(pthread_self(), worker);

	if (mine) {
		pthread_mutex_lock(&clus.lock);
		clus.asking = srv;
		pthread_mutex_unlock(&clus.lock);
	}
	r = clp_msg_peer(&clus.cfg, srv, req, timeout_ms, err, len);
	if (mine) {
		pthread_mutex_lock(&clus.lock);
		clus.asking = -1;
		pthread_mutex_unlock(&clus.lock);
	}
	return r;
}

bool rc_worker_asking(int srv)
{
	bool r;

	pthread_mutex_lock(&clus.lock);
	r = srv >= 0 && clus.asking == srv;
	pthread_mutex_unlock(&clus.lock);
	return r;
}

/* A request to another server's daemon, answered with an exit code. */
static int ask(int srv, const char *op, int gi, int arg, int timeout_ms, char *msg, size_t len)
{
	struct json_object *req = json_object_new_object(), *r;
	int code;

	json_object_object_add(req, "op", json_object_new_string(op));
	if (gi >= 0)
		json_object_object_add(req, "group", json_object_new_string(clus.cfg.grp[gi].name));
	json_object_object_add(req, "arg", json_object_new_int(arg));
	r = peer_call(srv, req, timeout_ms, msg, len);
	json_object_put(req);
	if (!r)
		return CLP_EXIT_ERROR;
	code = clp_msg_code(r);
	snprintf(msg, len, "%s", clp_msg_text(r));
	if (!strcmp(op, "status"))
		rc_note_remote(srv, r);
	json_object_put(r);
	return code;
}

static long grp_timeout_ms(const struct clp_group *g, bool act)
{
	long t = 30;
	int i;

	for (i = 0; i < g->nres; i++) {
		const struct clp_res_act *a = act ? &g->res[i].act : &g->res[i].deact;

		t += a->timeout_s * (1 + a->retry) + a->retry * RETRY_GAP_MS / 1000;
	}
	return t * 1000;
}

/* ---- final actions ---- */

/* Run @tool (this daemon's directory first, then PATH): its exit status,
 * or -1 when it could not run or was killed. */
static int self_tool(const char *tool, char *const args[], int nargs)
{
	char exe[512], path[600];
	char *argv[8];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	pid_t pid;
	int i, status = 0;

	exe[n > 0 ? n : 0] = '\0';
	if (strrchr(exe, '/'))
		*strrchr(exe, '/') = '\0';
	snprintf(path, sizeof(path), "%s/%s", exe, tool);
	argv[0] = path;
	for (i = 0; i < nargs && i < 6; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	pid = fork();
	if (pid == 0) {
		execv(path, argv);
		execvp(tool, argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* This server lost the network partition resolution. */
static void np_action(enum clp_npaction a, const char *why)
{
	char reason[128];
	char *args[] = { a == CLP_NP_KA_PANIC ? "--panic" : "--reset", "--reason", reason };
	struct job j = { .type = J_CL_STOP };
	int fd;

	clp_event("rc", 61, "network partition resolution lost (%s): %s", why,
		  clp_npaction_name(a));
	/* before the action: a failover never makes these copies current */
	fence_outdate_local();
	snprintf(reason, sizeof(reason), "network partition resolution lost: %s", why);
	switch (a) {
	case CLP_NP_NONE:
		return;
	case CLP_NP_STOP:
	case CLP_NP_SHUTDOWN:
	case CLP_NP_REBOOT:
		j.arg = a == CLP_NP_SHUTDOWN ? 1 : a == CLP_NP_REBOOT ? 2 : 0;
		if (!pthread_equal(pthread_self(), worker)) {
			/* Next, before any queued job (a start in progress sees
			 * np_lost and stops). */
			submit_new_at(J_CL_STOP, -1, -1, j.arg, true);
			return;
		}
		job_cl_stop(&j);
		return;
	case CLP_NP_PANIC:
		fd = open("/proc/sysrq-trigger", O_WRONLY);
		if (fd >= 0) {
			if (write(fd, "c", 1) < 0)
				clp_event("rc", 63, "sysrq panic failed: %s", strerror(errno));
			close(fd);
		}
		return;
	case CLP_NP_KA_RESET:
	case CLP_NP_KA_PANIC:
		self_tool("clpkactrl", args, 3);
		return;
	}
}

static void final_action(enum clp_final f, const char *why)
{
	char reason[128];
	char *args[] = { "--reset", "--reason", reason };

	int ret, fd;

	if (f != CLP_FINAL_RESET)
		return;
	snprintf(reason, sizeof(reason), "%s", why);
	clp_event("rc", 50, "final action: keepalive reset (%s)", why);
	ret = self_tool("clpkactrl", args, 3);
	if (ret == 0)
		return;
	/* clpka not loaded, or clpkactrl missing: the reset must happen all
	 * the same (another server takes over what runs here). */
	clp_event("rc", 51, "the keepalive reset failed (clpkactrl: %s): resetting with sysrq",
		  ret < 0 ? "did not run" : "exit status not 0");
	fd = open("/proc/sysrq-trigger", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "b", 1) < 0)
			clp_event("rc", 63, "sysrq reset failed: %s", strerror(errno));
		close(fd);
	}
}

void rc_self_reset(const char *why)
{
	final_action(CLP_FINAL_RESET, why);
}

/* ---- group start and stop on this server ---- */

static int stop_resources(int gi, int upto, struct job *j)
{
	const struct clp_group *g = &clus.cfg.grp[gi];
	char err[512];
	int i, ret;

	for (i = upto - 1; i >= 0; i--) {
		ret = res_stop_retried(g, i, err, sizeof(err));
		pthread_mutex_lock(&clus.lock);
		clus.g[gi].res_st[i] = ret ? GS_ERROR : GS_OFFLINE;
		pthread_mutex_unlock(&clus.lock);
		if (!ret) {
			clp_event("rc", 40, "%s: resource %s@%s deactivated", g->name,
				  clp_res_type_name(g->res[i].type), g->res[i].name);
			continue;
		}
		clp_event("rc", 42, "Stopping %s resource has failed. (%s)", g->res[i].name, err);
		if (j)
			jfail(j, CLP_EXIT_ERROR, "%s: stopping %s failed: %s", g->name,
			      g->res[i].name, err);
		final_action(g->res[i].deact.final, err);
		return ret;
	}
	return 0;
}

static int grp_stop_local(int gi, struct job *j)
{
	const struct clp_group *g = &clus.cfg.grp[gi];
	struct timespec t0;
	int ret;

	pthread_mutex_lock(&clus.lock);
	if (clus.suspended) {
		pthread_mutex_unlock(&clus.lock);
		return jfail(j, CLP_EXIT_STATE, "the cluster is suspended on %s: resume it first "
			     "(clpcl --resume)", clus.m->server);
	}
	if (clus.g[gi].st == GS_OFFLINE) {
		pthread_mutex_unlock(&clus.lock);
		return jfail(j, CLP_EXIT_STATE, "%s is not running on %s", g->name,
			     clus.m->server);
	}
	clus.g[gi].st = GS_STOPPING;
	pthread_mutex_unlock(&clus.lock);
	state_save(gi, GS_STOPPING);
	rc_notify_peers();
	clock_gettime(CLOCK_REALTIME, &t0);
	ret = stop_resources(gi, g->nres, j);
	stats_cluster(STATS_GROUP, NULL, g->name, "Stop", ret ? "Failure" : "Success", ret, &t0);
	set_grp(gi, ret ? GS_ERROR : GS_OFFLINE, ret ? clus.cfg.self : -1);
	if (!ret) {
		pthread_mutex_lock(&clus.lock);
		clus.g[gi].why[0] = '\0';
		pthread_mutex_unlock(&clus.lock);
		clp_event("rc", 2, "group %s stopped on %s", g->name, clus.m->server);
		jfail(j, 0, "%s stopped on %s", g->name, clus.m->server);
	}
	rc_notify_peers();
	return ret;
}

static int first_server(const struct clp_group *g, int skip);

/*
 * The failover threshold: an activation that failed here (after its
 * retries) moves the group to the next server of its policy, at most
 * failoverthreshold times in a row (the count travels with the request);
 * the resources started here are stopped first. Returns true when it
 * moved (j->code: the other server's answer), false for the final action.
 */
static bool move_after_failure(int gi, int failed, const char *err, struct job *j)
{
	const struct clp_group *g = &clus.cfg.grp[gi];
	struct json_object *req, *r;
	char msg[512];
	int hops = j ? j->hops : 0, to;

	pthread_mutex_lock(&clus.lock);
	to = first_server(g, clus.cfg.self);
	pthread_mutex_unlock(&clus.lock);
	if (hops >= g->threshold || to < 0)
		return false;
	if (stop_resources(gi, failed, NULL))
		return false;	/* could not clean up here: the final action */
	set_grp(gi, GS_OFFLINE, -1);
	rc_notify_peers();
	clp_event("rc", 33, "moving %s to %s after the failed activation (%d of %ld)", g->name,
		  srv_name(to), hops + 1, g->threshold);
	req = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string("group-start"));
	json_object_object_add(req, "group", json_object_new_string(g->name));
	json_object_object_add(req, "hops", json_object_new_int(hops + 1));
	r = peer_call(to, req, (int)grp_timeout_ms(g, true), msg, sizeof(msg));
	json_object_put(req);
	if (r) {
		jfail(j, clp_msg_code(r), "%s: activation failed on %s (%s); %s", g->name,
		      clus.m->server, err, clp_msg_text(r));
		json_object_put(r);
	} else {
		jfail(j, CLP_EXIT_ERROR, "%s: activation failed on %s (%s); moving it to %s "
		      "failed: %s", g->name, clus.m->server, err, srv_name(to), msg);
	}
	return true;
}

static long long now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Rank of server @s in @g's policy: 0 highest, nsrv when not in it. */
static int prio(const struct clp_group *g, int s)
{
	int i;

	for (i = 0; i < g->nsrv && g->srv[i] != s; i++)
		;
	return i;
}

static void release(int gi, const int *srv, int n)
{
	char msg[256];

	while (n-- > 0)
		if (ask(srv[n], "group-release", gi, 0, 3000, msg, sizeof(msg)))
			clp_event("rc", 92, "%s: cannot release the start reservation on %s: %s",
				  clus.cfg.grp[gi].name, srv_name(srv[n]), msg);
}

/*
 * Before a group starts here, every other server whose heartbeat is up
 * grants the start (rc_reserve()): none runs the group, is starting it,
 * or granted it to a third. Two servers reserving at once: the one of
 * higher priority in the group's policy wins, the other yields. A server
 * that is up and does not answer grants nothing: the group does not start
 * (its daemon may run the group). Servers whose heartbeat is down do not
 * take part (a failover: they are down). 0, or an exit code, the group
 * back offline here.
 */
static int reserve(int gi, struct job *j)
{
	const struct clp_group *g = &clus.cfg.grp[gi];
	int granted[CLP_SRV_MAX], n = 0, s, code = 0, winner = -1;
	char msg[512];
	bool up, yielded;

	for (s = 0; s < clus.cfg.nsrv && !code; s++) {
		if (s == clus.cfg.self)
			continue;
		pthread_mutex_lock(&clus.lock);
		up = clus.srv[s] == SRV_UP;
		pthread_mutex_unlock(&clus.lock);
		if (!up)
			continue;
		code = ask(s, "group-reserve", gi, 0, 5000, msg, sizeof(msg));
		if (code)
			jfail(j, code, "%s not started on %s: %s", g->name, clus.m->server, msg);
		else
			granted[n++] = s;
	}
	pthread_mutex_lock(&clus.lock);
	yielded = clus.g[gi].yielded;
	clus.g[gi].reserving = false;
	clus.g[gi].yielded = false;
	if (yielded) {
		winner = clus.g[gi].owner;
	} else if (code) {
		winner = clus.g[gi].owner == clus.cfg.self ? -1 : clus.g[gi].owner;
	}
	if (yielded || code) {
		clus.g[gi].st = GS_OFFLINE;
		clus.g[gi].owner = winner;
	}
	pthread_mutex_unlock(&clus.lock);
	if (!yielded && !code)
		return 0;
	release(gi, granted, n);
	if (yielded && !code)
		code = jfail(j, CLP_EXIT_STATE, "%s not started on %s: %s started it at the "
			     "same time and comes first in its policy", g->name, clus.m->server,
			     srv_name(winner));
	clp_event("rc", 34, "%s", j ? j->msg : "start not reserved");
	return code;
}

/* Server @from asks to start group @gi (see reserve()). */
int rc_reserve(int gi, int from, char *msg, size_t len)
{
	const struct clp_group *g = &clus.cfg.grp[gi];
	struct grp_rt *rt = &clus.g[gi];
	int code = CLP_EXIT_STATE;

	pthread_mutex_lock(&clus.lock);
	if (rt->st == GS_STARTING && rt->reserving && rt->owner == clus.cfg.self) {
		if (prio(g, from) >= prio(g, clus.cfg.self)) {
			snprintf(msg, len, "%s is being started on %s", g->name, clus.m->server);
			goto out;
		}
		rt->yielded = true;	/* reserve() on this server gives up */
	} else if (rt->owner == clus.cfg.self && rt->st != GS_OFFLINE) {
		snprintf(msg, len, "%s is %s on %s", g->name, grp_st_name(rt->st), clus.m->server);
		goto out;
	} else if (rt->reserved_by >= 0 && rt->reserved_by != from &&
		   now_s() < rt->reserved_until) {
		snprintf(msg, len, "%s is being started on %s", g->name, srv_name(rt->reserved_by));
		goto out;
	}
	rt->reserved_by = from;
	rt->reserved_until = now_s() + grp_timeout_ms(g, true) / 1000;
	rt->owner = from;
	code = 0;
	snprintf(msg, len, "%s may start on %s", g->name, srv_name(from));
out:
	pthread_mutex_unlock(&clus.lock);
	clp_event("rc", code ? 36 : 35, "start of %s on %s %s: %s", g->name, srv_name(from),
		  code ? "refused" : "granted", msg);
	return code;
}

void rc_release(int gi, int from)
{
	pthread_mutex_lock(&clus.lock);
	if (clus.g[gi].reserved_by == from) {
		clus.g[gi].reserved_by = -1;
		if (clus.g[gi].owner == from)
			clus.g[gi].owner = -1;
	}
	pthread_mutex_unlock(&clus.lock);
}

static int grp_start_local(int gi, bool failover, struct job *j)
{
	const struct clp_group *g = &clus.cfg.grp[gi];
	/* This server is a move's destination (a local job, or the mover's
	 * group-start with arg 2). */
	bool move = j && (j->type == J_MOVE || (j->type == J_START && j->arg == 2));
	const char *action = failover ? "Failover" : move ? "Move" : "Start";
	char err[512] = "";
	int i, t, ret = 0;
	bool lost = false;
	struct timespec t0;

	pthread_mutex_lock(&clus.lock);
	if (!clus.started) {
		bool susp = clus.suspended;

		pthread_mutex_unlock(&clus.lock);
		return jfail(j, CLP_EXIT_STATE, susp ? "the cluster is suspended on %s: resume it "
			     "first (clpcl --resume)" : "the cluster service is not started on %s",
			     clus.m->server);
	}
	if (clus.g[gi].reserved_by >= 0 && now_s() < clus.g[gi].reserved_until) {
		t = clus.g[gi].reserved_by;
		pthread_mutex_unlock(&clus.lock);
		return jfail(j, CLP_EXIT_STATE, "%s is being started on %s", g->name,
			     srv_name(t));
	}
	if (clus.g[gi].owner >= 0 && clus.g[gi].owner != clus.cfg.self) {
		t = clus.g[gi].owner;
		pthread_mutex_unlock(&clus.lock);
		return jfail(j, CLP_EXIT_STATE, "%s is already running on %s", g->name,
			     srv_name(t));
	}
	if (clus.g[gi].st == GS_ONLINE) {
		pthread_mutex_unlock(&clus.lock);
		/*
		 * A move here found the group started here meanwhile: this
		 * server's cluster startup took it (autostart) between the
		 * mover's stop and its request, which waited behind it. Where
		 * the administrator wanted it: the move is done.
		 */
		if (move)
			return jfail(j, 0, "%s runs on %s (started here meanwhile)", g->name,
				     clus.m->server);
		return jfail(j, CLP_EXIT_STATE, "%s is already running on %s", g->name,
			     clus.m->server);
	}
	clus.g[gi].st = GS_STARTING;
	clus.g[gi].owner = clus.cfg.self;
	clus.g[gi].reserving = true;
	clus.g[gi].yielded = false;
	clus.g[gi].why[0] = '\0';
	pthread_mutex_unlock(&clus.lock);
	clock_gettime(CLOCK_REALTIME, &t0);
	ret = reserve(gi, j);
	if (ret)
		return ret;
	state_save(gi, GS_STARTING);
	rc_notify_peers();
	for (i = 0; i < g->nres; i++) {
		pthread_mutex_lock(&clus.lock);
		lost = clus.np_lost;
		pthread_mutex_unlock(&clus.lock);
		if (lost)
			break;
		for (t = 0; t <= g->res[i].act.retry; t++) {
			if (t) {
				clp_event("rc", 31, "%s: retrying %s (%d of %ld): %s", g->name,
					  g->res[i].name, t, g->res[i].act.retry, err);
				clp_sleep_ms(RETRY_GAP_MS);
			}
			err[0] = '\0';
			ret = res_start(g, i, failover, err, sizeof(err));
			if (!ret)
				break;
		}
		pthread_mutex_lock(&clus.lock);
		clus.g[gi].res_st[i] = ret ? GS_ERROR : GS_ONLINE;
		pthread_mutex_unlock(&clus.lock);
		if (ret)
			break;
		clp_event("rc", 30, "%s: resource %s@%s activated", g->name,
			  clp_res_type_name(g->res[i].type), g->res[i].name);
	}
	if (lost) {
		/* The network partition resolution was lost meanwhile: what
		 * started here stops, the cluster stop queued first follows. */
		clp_event("rc", 65, "%s: start abandoned, this server lost the network partition "
			  "resolution", g->name);
		ret = stop_resources(gi, i, NULL);
		set_grp(gi, ret ? GS_ERROR : GS_OFFLINE, ret ? clus.cfg.self : -1);
		rc_notify_peers();
		stats_cluster(STATS_GROUP, NULL, g->name, action, "Cancel", CLP_EXIT_ERROR, &t0);
		return jfail(j, CLP_EXIT_ERROR, "%s: start abandoned on %s: it lost the network "
			     "partition resolution", g->name, clus.m->server);
	}
	stats_cluster(STATS_GROUP, NULL, g->name, action, ret ? "Failure" : "Success", ret, &t0);
	if (!ret) {
		set_grp(gi, GS_ONLINE, clus.cfg.self);
		clp_event("rc", 1, "group %s started on %s%s", g->name, clus.m->server,
			  failover ? " (failover)" : "");
		rc_notify_peers();
		return jfail(j, 0, "%s started on %s", g->name, clus.m->server);
	}
	clp_event("rc", 32, "Activating %s resource has failed. (%s)", g->res[i].name, err);
	logcc_ecap("rc", 32, g->name);
	pthread_mutex_lock(&clus.lock);
	snprintf(clus.g[gi].why, sizeof(clus.g[gi].why), "%s", err);
	pthread_mutex_unlock(&clus.lock);
	jfail(j, ret, "%s: %s", g->name, err);
	if (move_after_failure(gi, i, err, j))
		return j->code;
	switch (g->res[i].act.final) {
	case CLP_FINAL_NONE:
		set_grp(gi, GS_ERROR, clus.cfg.self);
		break;
	case CLP_FINAL_STOPGROUP:
		clp_event("rc", 50, "final action: stopping group %s", g->name);
		if (stop_resources(gi, i, NULL) == 0) {
			set_grp(gi, GS_ERROR, -1);
		} else {
			set_grp(gi, GS_ERROR, clus.cfg.self);
		}
		break;
	case CLP_FINAL_RESET:
		set_grp(gi, GS_ERROR, clus.cfg.self);
		final_action(CLP_FINAL_RESET, err);
		break;
	}
	rc_notify_peers();
	return ret;
}

/* Can server @s run a group now: its cluster service runs (as this
 * server knows it: its own flag, or the other's heartbeat and status)?
 * Under clus.lock. */
static bool srv_ready(int s)
{
	return s == clus.cfg.self ? clus.started : clus.srv[s] == SRV_UP && clus.srv_started[s];
}

/* First server of @g's policy that is up and runs the cluster, skipping
 * @skip; this server counts when its cluster service runs. */
static int first_server(const struct clp_group *g, int skip)
{
	int i, s;

	for (i = 0; i < g->nsrv; i++) {
		s = g->srv[i];
		if (s == skip)
			continue;
		if (srv_ready(s))
			return s;
	}
	return -1;
}

/* ---- jobs that span servers ---- */

static void job_move(struct job *j)
{
	const struct clp_group *g = &clus.cfg.grp[j->grp];
	int owner, to = j->srv, ret;
	char msg[512];

	pthread_mutex_lock(&clus.lock);
	if (clus.suspended) {
		pthread_mutex_unlock(&clus.lock);
		jfail(j, CLP_EXIT_STATE, "the cluster is suspended on %s: resume it first "
		      "(clpcl --resume)", clus.m->server);
		return;
	}
	owner = clus.g[j->grp].owner;
	if (to < 0) {
		for (int i = 0; i < g->nsrv && to < 0; i++) {
			int s = g->srv[i];

			if (s != owner && srv_ready(s))
				to = s;
		}
	}
	pthread_mutex_unlock(&clus.lock);
	if (owner < 0) {
		jfail(j, CLP_EXIT_STATE, "%s is not running: start it with 'clpgrp -s %s'",
		      g->name, g->name);
		return;
	}
	if (to < 0) {
		jfail(j, CLP_EXIT_STATE, "%s: no other server of its policy runs the cluster",
		      g->name);
		return;
	}
	if (to == owner) {
		jfail(j, CLP_EXIT_STATE, "%s already runs on %s", g->name, srv_name(to));
		return;
	}
	{
		bool in = false, ready;

		for (int i = 0; i < g->nsrv; i++)
			in |= g->srv[i] == to;
		pthread_mutex_lock(&clus.lock);
		ready = srv_ready(to);
		pthread_mutex_unlock(&clus.lock);
		if (!in || !ready) {
			jfail(j, CLP_EXIT_STATE, "%s may not move to %s: %s", g->name, srv_name(to),
			      !in ? "not in its policy" : "its cluster service does not run");
			return;
		}
	}
	if (owner == clus.cfg.self)
		ret = grp_stop_local(j->grp, j);
	else
		ret = ask(owner, "group-stop", j->grp, 0, (int)grp_timeout_ms(g, false), j->msg,
			  sizeof(j->msg));
	if (ret) {
		j->code = ret;
		return;
	}
	pthread_mutex_lock(&clus.lock);
	clus.g[j->grp].owner = -1;
	pthread_mutex_unlock(&clus.lock);
	if (to == clus.cfg.self) {
		grp_start_local(j->grp, false, j);
		return;
	}
	ret = ask(to, "group-start", j->grp, 2, (int)grp_timeout_ms(g, true), msg, sizeof(msg));
	jfail(j, ret, "%s", msg);
	if (!ret) {
		pthread_mutex_lock(&clus.lock);
		clus.g[j->grp].owner = to;
		pthread_mutex_unlock(&clus.lock);
	}
}

/*
 * Does this server resolve the network partition now that @dead is down?
 * When it is to take over a group of @dead, or when it runs groups and
 * every other server is down (it may be the isolated one). Under clus.lock.
 */
static bool np_needed(int dead)
{
	bool runs = false, alone = true;
	int gi, s;

	if (!clus.cfg.nping && !clus.cfg.majority)
		return false;
	for (gi = 0; gi < clus.cfg.ngrp; gi++) {
		const struct clp_group *g = &clus.cfg.grp[gi];

		if (clus.g[gi].owner == dead && g->autofailover &&
		    first_server(g, dead) == clus.cfg.self)
			return true;
		runs |= clus.g[gi].owner == clus.cfg.self;
	}
	for (s = 0; s < clus.cfg.nsrv; s++)
		alone &= s == clus.cfg.self || clus.srv[s] != SRV_UP;
	/* majority: a server running groups checks its side at every loss
	 * (it may be in the smaller part without being alone). */
	return runs && (alone || clus.cfg.majority);
}

static void *np_thread(void *arg)
{
	char why[256];
	bool won;

	(void)arg;
	for (;;) {
		won = np_resolve(why, sizeof(why)) >= 0;
		pthread_mutex_lock(&clus.lock);
		/* majority: a server lost while this one ran was counted as
		 * up; the side may have shrunk since: count again. */
		if (!won || !clus.np_again || !clus.cfg.majority)
			break;
		clus.np_again = false;
		pthread_mutex_unlock(&clus.lock);
	}
	clus.np_again = false;
	clus.np_busy = false;
	clus.np_lost = !won;
	clus.np_done++;
	if (won)
		clus.np_won_at = time(NULL);	/* fenced writes may go */
	pthread_cond_broadcast(&clus.cond);
	pthread_mutex_unlock(&clus.lock);
	if (won)
		fence_kick();
	else
		np_action(clus.cfg.npaction, why);
	return NULL;
}

/* Starts the resolution for @dead when needed; its number, 0: none. */
static int np_start(int dead)
{
	pthread_attr_t a;
	pthread_t t;
	bool spawn = false;
	int seq = 0;

	pthread_mutex_lock(&clus.lock);
	if (clus.np_busy) {
		seq = clus.np_seq;	/* the running one answers for this too */
		clus.np_again = true;	/* after counting again (np_thread) */
	} else if (np_needed(dead)) {
		clus.np_busy = true;
		seq = ++clus.np_seq;
		spawn = true;
	}
	pthread_mutex_unlock(&clus.lock);
	if (!spawn)
		return seq;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &a, np_thread, NULL)) {
		/* The failover job resolves by itself. */
		clp_event("rc", 64, "cannot start the network partition resolution thread");
		pthread_mutex_lock(&clus.lock);
		clus.np_busy = false;
		clus.np_seq--;
		pthread_mutex_unlock(&clus.lock);
		seq = 0;
	}
	pthread_attr_destroy(&a);
	return seq;
}

/* The result of resolution @seq (waited for): true won. */
static bool np_result(int seq)
{
	bool won;

	pthread_mutex_lock(&clus.lock);
	while (clus.np_done < seq)
		pthread_cond_wait(&clus.cond, &clus.lock);
	won = !clus.np_lost;
	pthread_mutex_unlock(&clus.lock);
	return won;
}

static void job_failover(struct job *j)
{
	char why[256];
	int gi, dead = j->srv, owner, target, from;
	bool won = true, resolved = j->arg > 0;

	/* Resolved at once by np_thread (j->arg: its number): its result. */
	if (resolved) {
		won = np_result(j->arg);
		if (!won)
			return;		/* np_thread took the npaction */
	}

	clp_event("rc", 11, "server %s is down", srv_name(dead));
	for (gi = 0; gi < clus.cfg.ngrp; gi++) {
		const struct clp_group *g = &clus.cfg.grp[gi];

		pthread_mutex_lock(&clus.lock);
		/* Queued behind other jobs: its heartbeat may be back. */
		if (clus.srv[dead] != SRV_DOWN) {
			pthread_mutex_unlock(&clus.lock);
			clp_event("rc", 21, "server %s is up again: nothing taken over",
				  srv_name(dead));
			return;
		}
		owner = clus.g[gi].owner;
		target = first_server(g, dead);
		from = dead;
		if (owner == dead) {
			clus.g[gi].owner = -1;
		} else if (owner < 0 && clus.g[gi].failover_to == dead) {
			/* The server that was to take it over went down first. */
			from = clus.g[gi].failover_from;
			owner = dead;
		}
		if (owner == dead && g->autofailover) {
			clus.g[gi].failover_to = target;
			clus.g[gi].failover_from = from;
		}
		pthread_mutex_unlock(&clus.lock);
		if (owner != dead)
			continue;
		if (!g->autofailover) {
			clp_event("rc", 20, "%s ran on %s, which is down; automatic failover is off",
				  g->name, srv_name(from));
			continue;
		}
		if (target != clus.cfg.self)
			continue;
		/* Not foreseen when the server went down (a job before this
		 * one changed the groups): resolve now, in the queue. */
		if (!resolved) {
			resolved = true;
			won = np_resolve(why, sizeof(why)) >= 0;
			if (!won) {
				np_action(clus.cfg.npaction, why);
				return;
			}
		}
		clp_event("rc", 3, "failover of %s from %s to %s%s%s", g->name, srv_name(from),
			  clus.m->server, from != dead ? " (" : "",
			  from != dead ? "the server that was to take it over went down too)" : "");
		grp_start_local(gi, true, j);
	}
	/* This server runs groups and lost every other: it too resolves. */
	if (!resolved && (clus.cfg.nping || clus.cfg.majority)) {
		bool runs = false, alone = true;

		pthread_mutex_lock(&clus.lock);
		for (gi = 0; gi < clus.cfg.ngrp; gi++)
			runs |= clus.g[gi].owner == clus.cfg.self;
		for (gi = 0; gi < clus.cfg.nsrv; gi++)
			alone &= gi == clus.cfg.self || clus.srv[gi] != SRV_UP;
		runs &= alone || clus.cfg.majority;
		pthread_mutex_unlock(&clus.lock);
		if (runs && np_resolve(why, sizeof(why)) < 0)
			np_action(clus.cfg.npaction, why);
	}
}

static void job_sync(struct job *j)
{
	char msg[256];

	clp_event("rc", 10, "server %s is up", srv_name(j->srv));
	if (ask(j->srv, "status", -1, 0, 3000, msg, sizeof(msg)) != 0)
		clp_event("rc", 91, "cannot learn the groups of %s: %s", srv_name(j->srv), msg);
	/*
	 * And tell it what runs here: it may have asked while our cluster
	 * service was still starting (the heartbeat starts first) and taken
	 * "not started" for the last word; then it would refuse to move a
	 * group here.
	 */
	notify(j->srv);
}

static void startup(void)
{
	struct timespec ts;
	int i, gi, first;
	bool all, told = false;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += clus.cfg.synctime_s;
	pthread_mutex_lock(&clus.lock);
	clus.waiting = true;
	clus.wait_cancel = false;
	for (;;) {
		all = true;
		for (i = 0; i < clus.cfg.nsrv; i++)
			if (i != clus.cfg.self && clus.srv[i] != SRV_UP)
				all = false;
		if (all || clus.wait_cancel || !clus.started)
			break;
		if (!told)
			clp_event("rc", 6, "waiting up to %ld s for the other servers "
				  "(clpbwctrl -c ends the wait)", clus.cfg.synctime_s);
		told = true;
		if (pthread_cond_timedwait(&clus.cond, &clus.lock, &ts) == ETIMEDOUT)
			break;
	}
	clus.waiting = false;
	pthread_mutex_unlock(&clus.lock);
	clp_event("rc", 7, "startup wait ended: %s", all ? "every server is up" :
		  clus.wait_cancel ? "cancelled by clpbwctrl -c" : "timed out");
	/* Learn what the others run before deciding anything. */
	for (i = 0; i < clus.cfg.nsrv; i++) {
		char msg[256];
		bool up;

		pthread_mutex_lock(&clus.lock);
		up = i != clus.cfg.self && clus.srv[i] == SRV_UP;
		pthread_mutex_unlock(&clus.lock);
		if (up)
			ask(i, "status", -1, 0, 3000, msg, sizeof(msg));
	}
	for (gi = 0; gi < clus.cfg.ngrp; gi++) {
		const struct clp_group *g = &clus.cfg.grp[gi];
		struct job j = { 0 };

		if (!g->autostart)
			continue;
		pthread_mutex_lock(&clus.lock);
		first = first_server(g, -1);
		if (clus.g[gi].owner >= 0)
			first = -1;
		pthread_mutex_unlock(&clus.lock);
		if (first == clus.cfg.self)
			grp_start_local(gi, false, &j);
	}
}

static void job_cl_start(struct job *j)
{
	pthread_mutex_lock(&clus.lock);
	if (clus.started || clus.suspended) {
		bool susp = clus.suspended;

		pthread_mutex_unlock(&clus.lock);
		jfail(j, CLP_EXIT_STATE, susp ? "the cluster is suspended on %s: clpcl --resume" :
		      "the cluster service is already started on %s", clus.m->server);
		return;
	}
	pthread_mutex_unlock(&clus.lock);
	if (!clus.core_up && mgr_core_start(clus.m) < 0) {
		jfail(j, CLP_EXIT_ERROR, "the cluster service failed to start on %s (see the log)",
		      clus.m->server);
		return;
	}
	pthread_mutex_lock(&clus.lock);
	clus.core_up = true;
	clus.started = true;
	clus.np_lost = false;
	pthread_mutex_unlock(&clus.lock);
	clp_event("rc", 4, "cluster service started on %s", clus.m->server);
	rc_notify_peers();	/* those that asked while it started heard "stopped" */
	jfail(j, 0, "the cluster service started on %s", clus.m->server);
	cleanup();
	submit_new(J_STARTUP, -1, -1, 0);
}

/* The heartbeat is stopped: what it said of the others no longer holds. */
static void core_stopped(void)
{
	int s, l;

	pthread_mutex_lock(&clus.lock);
	clus.core_up = false;
	for (s = 0; s < clus.cfg.nsrv; s++) {
		if (s != clus.cfg.self)
			clus.srv[s] = SRV_UNKNOWN;
		for (l = 0; l < CLP_LINK_MAX; l++)
			clus.link[s][l] = SRV_UNKNOWN;
	}
	pthread_mutex_unlock(&clus.lock);
}

/* After a cluster stop: @how 1 shuts the server down, 2 reboots it. */
static void power_action(int how)
{
	char *argv[] = { "shutdown", how == 1 ? "-h" : "-r", "now", NULL };
	pid_t pid;

	if (how != 1 && how != 2)
		return;
	clp_event("rc", 9, "%s the server", how == 1 ? "shutting down" : "rebooting");
	pid = fork();
	if (pid == 0) {
		setsid();
		execvp("shutdown", argv);
		_exit(127);
	}
}

static void job_cl_stop(struct job *j)
{
	int gi, ret = 0;

	pthread_mutex_lock(&clus.lock);
	if (!clus.started && !clus.core_up && !clus.suspended) {
		pthread_mutex_unlock(&clus.lock);
		jfail(j, CLP_EXIT_STATE, "the cluster service is not started on %s",
		      clus.m->server);
		goto power;
	}
	clus.started = false;
	clus.suspended = false;
	clus.wait_cancel = true;
	memset(clus.handover, 0, sizeof(clus.handover));
	pthread_cond_broadcast(&clus.cond);
	pthread_mutex_unlock(&clus.lock);
	for (gi = clus.cfg.ngrp - 1; gi >= 0; gi--) {
		struct job sj = { 0 };
		enum grp_st st;

		pthread_mutex_lock(&clus.lock);
		st = clus.g[gi].st;
		pthread_mutex_unlock(&clus.lock);
		if (st != GS_OFFLINE && grp_stop_local(gi, &sj))
			ret = sj.code;
	}
	if (ret) {
		/* Its resources may still run here: the heartbeat stays, so
		 * that no other server takes the group over meanwhile. */
		pthread_mutex_lock(&clus.lock);
		clus.started = true;
		pthread_mutex_unlock(&clus.lock);
		rc_notify_peers();
		clp_event("rc", 14, "a group did not stop on %s: the cluster service stays up",
			  clus.m->server);
		jfail(j, ret, "a group did not stop on %s: the cluster service stays up (see "
		      "clpstat)", clus.m->server);
		return;
	}
	rc_notify_peers();
	mgr_core_stop(clus.m);
	core_stopped();
	clp_event("rc", 5, "cluster service stopped on %s", clus.m->server);
	jfail(j, 0, "the cluster service stopped on %s", clus.m->server);
power:
	power_action(j->arg);
}

/* clpcl --suspend: the groups keep running, nothing watches them, and a
 * server seen going down (its heartbeat stopped by its own suspend) is
 * not failed over. */
static void job_cl_suspend(struct job *j)
{
	pthread_mutex_lock(&clus.lock);
	if (!clus.started) {
		pthread_mutex_unlock(&clus.lock);
		jfail(j, CLP_EXIT_STATE, "the cluster service is not started on %s",
		      clus.m->server);
		return;
	}
	clus.suspended = true;
	clus.started = false;
	clus.suspending_until = 0;
	pthread_mutex_unlock(&clus.lock);
	rc_notify_peers();
	mgr_core_stop(clus.m);
	core_stopped();
	clp_event("rc", 12, "cluster suspended on %s: groups left running, not monitored",
		  clus.m->server);
	jfail(j, 0, "the cluster is suspended on %s", clus.m->server);
}

/*
 * Phase 1 of clpcl --suspend on every server: each server that can
 * suspend (started, no group starting or stopping here) promises not to
 * fail anything over while the others stop their heartbeats (phase 2, one
 * server after the other); the promise lapses after 60 s, or by an abort
 * when another server cannot suspend.
 */
int rc_suspend_prepare(bool on, char *msg, size_t len)
{
	int gi, code = 0;

	pthread_mutex_lock(&clus.lock);
	if (!on) {
		clus.suspending_until = 0;
		snprintf(msg, len, "suspend aborted on %s", clus.m->server);
		goto out;
	}
	if (!clus.started) {
		code = CLP_EXIT_STATE;
		snprintf(msg, len, clus.suspended ? "the cluster is already suspended on %s" :
			 "the cluster service is not started on %s", clus.m->server);
		goto out;
	}
	for (gi = 0; gi < clus.cfg.ngrp; gi++) {
		if (clus.g[gi].st == GS_STARTING || clus.g[gi].st == GS_STOPPING) {
			code = CLP_EXIT_STATE;
			snprintf(msg, len, "%s is %s on %s: suspend when it is over",
				 clus.cfg.grp[gi].name, grp_st_name(clus.g[gi].st), clus.m->server);
			goto out;
		}
	}
	clus.suspending_until = now_s() + 60;
	snprintf(msg, len, "%s is ready to suspend", clus.m->server);
out:
	pthread_mutex_unlock(&clus.lock);
	return code;
}

/*
 * Server @j->srv runs a group that runs here too: both took it over in a
 * network partition (no resolution, or a resolution that could not tell),
 * and the interconnect is back (guide 2.12.9). For each such group the
 * server later in its policy stops its cluster service and shuts down;
 * the other keeps it. Both servers apply the same rule to the same
 * statuses, so exactly one of the two goes.
 */
static void job_twice(struct job *j)
{
	struct job stop = { .type = J_CL_STOP, .arg = 1 };
	struct json_object *req = json_object_new_object(), *st, *gl = NULL;
	int gi, other = j->srv, go = -1;
	char msg[256];

	/* What it runs now (the notify that told may be old). */
	json_object_object_add(req, "op", json_object_new_string("status"));
	st = peer_call(other, req, 3000, msg, sizeof(msg));
	json_object_put(req);
	if (st)
		rc_note_remote(other, st);	/* (queues no second job meanwhile) */
	pthread_mutex_lock(&clus.lock);
	clus.twice_queued = false;
	pthread_mutex_unlock(&clus.lock);
	if (!st) {
		clp_event("rc", 91, "cannot learn the groups of %s: %s", srv_name(other), msg);
		return;
	}
	if (!json_object_object_get_ex(st, "groups", &gl) ||
	    !json_object_is_type(gl, json_type_array))
		gl = NULL;
	for (size_t i = 0; gl && i < json_object_array_length(gl) && go < 0; i++) {
		struct json_object *o = json_object_array_get_idx(gl, i);
		const char *name = clp_msg_get_str(o, "name"), *state = clp_msg_get_str(o, "state");
		bool both;

		gi = name ? clp_cluster_group(&clus.cfg, name) : -1;
		if (gi < 0 || !state || (strcmp(state, "online") && strcmp(state, "starting")))
			continue;
		pthread_mutex_lock(&clus.lock);
		both = (clus.g[gi].st == GS_ONLINE || clus.g[gi].st == GS_STARTING) &&
		       clus.g[gi].owner == clus.cfg.self;
		pthread_mutex_unlock(&clus.lock);
		if (!both)
			continue;
		go = prio(&clus.cfg.grp[gi], clus.cfg.self) > prio(&clus.cfg.grp[gi], other) ?
		     clus.cfg.self : other;
		clp_event("rc", 71, "%s ran on %s and %s at once (a network partition, guide "
			  "2.12.9): %s, later in its policy, stops its cluster service and shuts "
			  "down", name, clus.m->server, srv_name(other), srv_name(go));
	}
	json_object_put(st);
	if (go == clus.cfg.self)
		job_cl_stop(&stop);
}

/* The groups state_adopt() found starting or stopping. */
static void cleanup(void)
{
	int gi, ret;

	for (gi = 0; gi < clus.cfg.ngrp; gi++) {
		pthread_mutex_lock(&clus.lock);
		if (!clus.g[gi].cleanup) {
			pthread_mutex_unlock(&clus.lock);
			continue;
		}
		clus.g[gi].cleanup = false;
		pthread_mutex_unlock(&clus.lock);
		ret = state_cleanup(&clus.cfg.grp[gi]);
		set_grp(gi, ret ? GS_ERROR : GS_OFFLINE, ret ? clus.cfg.self : -1);
		for (int r = 0; r < clus.cfg.grp[gi].nres; r++)
			clus.g[gi].res_st[r] = ret ? GS_ERROR : GS_OFFLINE;
		clp_event("rc", ret ? 42 : 2, "group %s %s on %s", clus.cfg.grp[gi].name,
			  ret ? "did not stop" : "stopped", clus.m->server);
		rc_notify_peers();
	}
}

/*
 * A server whose resume failed stopped the groups of @mask and hands them
 * over (answered in the peer thread, not queued). This server takes them
 * now if its cluster service runs, or when it resumes if it is still
 * suspended; stopped, it takes nothing.
 */
int rc_handover(int from, unsigned int mask, char *msg, size_t len)
{
	bool now, later;

	if (!mask || mask >> clus.cfg.ngrp) {
		snprintf(msg, len, "bad group set %#x (%d groups configured)", mask, clus.cfg.ngrp);
		return CLP_EXIT_USAGE;
	}
	pthread_mutex_lock(&clus.lock);
	now = clus.started;
	later = !now && clus.suspended;
	if (later)
		clus.handover[from] |= mask;
	pthread_mutex_unlock(&clus.lock);
	if (now)
		submit_new(J_HANDOVER, -1, from, (int)mask);
	snprintf(msg, len, now ? "%s takes them over" : later ? "%s takes them over when it "
		 "resumes" : "the cluster service does not run on %s: not taken", clus.m->server);
	return now || later ? 0 : CLP_EXIT_STATE;
}

/* After a resume: what was handed over meanwhile. */
static void handover_pending(void)
{
	unsigned int mask;
	int s;

	for (s = 0; s < clus.cfg.nsrv; s++) {
		pthread_mutex_lock(&clus.lock);
		mask = clus.handover[s];
		clus.handover[s] = 0;
		pthread_mutex_unlock(&clus.lock);
		if (mask)
			submit_new(J_HANDOVER, -1, s, (int)mask);
	}
}

/* Start here each handed-over group that runs nowhere else and whose
 * next server, without the one that handed it over, is this one. */
static void job_handover(struct job *j)
{
	int gi, owner, target;

	for (gi = 0; gi < clus.cfg.ngrp; gi++) {
		const struct clp_group *g = &clus.cfg.grp[gi];

		if (!((unsigned int)j->arg & (1u << gi)))
			continue;
		pthread_mutex_lock(&clus.lock);
		owner = clus.g[gi].owner;
		target = clus.started ? first_server(g, j->srv) : -1;
		if (owner == j->srv)
			clus.g[gi].owner = -1;
		pthread_mutex_unlock(&clus.lock);
		if ((owner >= 0 && owner != j->srv) || target != clus.cfg.self)
			continue;
		clp_event("rc", 18, "%s was stopped by %s after its failed resume: starting it here",
			  g->name, srv_name(j->srv));
		grp_start_local(gi, false, j);
	}
}

static void job_cl_resume(struct job *j)
{
	pthread_mutex_lock(&clus.lock);
	if (!clus.suspended) {
		pthread_mutex_unlock(&clus.lock);
		jfail(j, CLP_EXIT_STATE, "the cluster is not suspended on %s", clus.m->server);
		return;
	}
	pthread_mutex_unlock(&clus.lock);
	if (mgr_core_start(clus.m) < 0) {
		struct job stop = { .type = J_CL_STOP };
		unsigned int mine = 0;
		int gi, s;

		/*
		 * The groups run unwatched and without heartbeat. The guide's
		 * answer to a failed resume: this server stops them and shuts
		 * down. Its heartbeat never came back, so the other servers
		 * see no server going down: once the groups are stopped, they
		 * are handed over (the next server of each policy starts them).
		 */
		clp_event("rc", 16, "the cluster service failed to resume on %s: stopping the "
			  "groups, handing them over and shutting down", clus.m->server);
		pthread_mutex_lock(&clus.lock);
		for (gi = 0; gi < clus.cfg.ngrp; gi++)
			if (clus.g[gi].owner == clus.cfg.self || clus.g[gi].st != GS_OFFLINE)
				mine |= 1u << gi;
		pthread_mutex_unlock(&clus.lock);
		job_cl_stop(&stop);
		if (stop.code) {
			jfail(j, stop.code, "the cluster service failed to resume on %s, and %s",
			      clus.m->server, stop.msg);
			return;
		}
		for (s = 0; mine && s < clus.cfg.nsrv; s++) {
			char msg[512];
			int code;

			if (s == clus.cfg.self)
				continue;
			code = ask(s, "group-handover", -1, (int)mine, 3000, msg, sizeof(msg));
			clp_event("rc", code ? 19 : 18, "groups handed over to %s: %s%s",
				  srv_name(s), code ? "failed: " : "", msg);
		}
		jfail(j, CLP_EXIT_ERROR, "the cluster service failed to resume on %s (see the "
		      "log): its groups stopped and handed over, the server shuts down",
		      clus.m->server);
		power_action(1);
		return;
	}
	pthread_mutex_lock(&clus.lock);
	clus.core_up = true;
	clus.started = true;
	clus.suspended = false;
	pthread_mutex_unlock(&clus.lock);
	clp_event("rc", 13, "cluster resumed on %s", clus.m->server);
	rc_notify_peers();
	handover_pending();
	jfail(j, 0, "the cluster is resumed on %s", clus.m->server);
}

static void run(struct job *j)
{
	j->code = 0;
	j->msg[0] = '\0';
	switch (j->type) {
	case J_START:
		grp_start_local(j->grp, j->arg == 1, j);
		break;
	case J_STOP:
		grp_stop_local(j->grp, j);
		break;
	case J_MOVE:
		job_move(j);
		break;
	case J_FAILOVER:
		job_failover(j);
		break;
	case J_SYNC:
		job_sync(j);
		break;
	case J_CL_START:
		job_cl_start(j);
		break;
	case J_CL_STOP:
		job_cl_stop(j);
		break;
	case J_STARTUP:
		startup();
		break;
	case J_CL_SUSPEND:
		job_cl_suspend(j);
		break;
	case J_CL_RESUME:
		job_cl_resume(j);
		break;
	case J_CLEANUP:
		cleanup();
		break;
	case J_TWICE:
		job_twice(j);
		break;
	case J_HANDOVER:
		job_handover(j);
		break;
	}
}

static void *worker_main(void *arg)
{
	struct job *j;

	(void)arg;
	pthread_mutex_lock(&clus.lock);
	for (;;) {
		while (!clus.head && !clus.worker_stop)
			pthread_cond_wait(&clus.cond, &clus.lock);
		if (clus.worker_stop)
			break;
		j = clus.head;
		clus.head = j->next;
		if (!clus.head)
			clus.tail = NULL;
		pthread_mutex_unlock(&clus.lock);
		run(j);
		pthread_mutex_lock(&clus.lock);
		if (j->owned) {
			free(j);
		} else {
			j->done = true;
			pthread_cond_broadcast(&clus.cond);
		}
	}
	pthread_mutex_unlock(&clus.lock);
	return NULL;
}

/* ---- nm: server events from the heartbeat ---- */

void rc_peer_event(const char *server, bool up)
{
	int s = clp_cluster_server(&clus.cfg, server);
	enum srv_st old;
	bool hold;

	if (s < 0 || s == clus.cfg.self || !worker_running)
		return;
	pthread_mutex_lock(&clus.lock);
	hold = clus.suspended || now_s() < clus.suspending_until;
	old = clus.srv[s];
	clus.srv[s] = up ? SRV_UP : SRV_DOWN;
	if (!up) {
		clus.down_at[s] = time(NULL);
		clus.srv_started[s] = false;
	} else {
		clus.srv_started[s] = true;	/* its heartbeat runs with its cluster */
	}
	pthread_cond_broadcast(&clus.cond);
	pthread_mutex_unlock(&clus.lock);
	if (!up)
		fence_kick();	/* held writes: the other server is down */
	if (up && old != SRV_UP)
		submit_new(J_SYNC, -1, s, 0);
	else if (!up && old == SRV_UP && !hold)
		submit_new(J_FAILOVER, -1, s, np_start(s));
	else if (!up && old == SRV_UP)
		clp_event("rc", 17, "server %s is down while the cluster suspends: no failover",
			  srv_name(s));
}

bool rc_groups_here(void)
{
	bool any = false;
	int gi;

	pthread_mutex_lock(&clus.lock);
	for (gi = 0; gi < clus.cfg.ngrp; gi++)
		any |= clus.g[gi].st != GS_OFFLINE;
	pthread_mutex_unlock(&clus.lock);
	return any;
}

void rc_link_event(const char *server, unsigned int link, bool up)
{
	int s = clp_cluster_server(&clus.cfg, server);

	if (s < 0 || link < 1 || link > CLP_LINK_MAX)
		return;
	pthread_mutex_lock(&clus.lock);
	clus.link[s][link - 1] = up ? SRV_UP : SRV_DOWN;
	pthread_mutex_unlock(&clus.lock);
}

/* ---- the module ---- */

static int rc_start(struct mgr *m)
{
	char err[1024];
	struct timespec now;
	enum grp_st st;
	int gi, adopted = 0;

	clus.m = m;
	if (clp_cluster_load(m->conf, m->server, &clus.cfg, err, sizeof(err)) < 0) {
		clp_event("rc", 98, "%s", err);
		return -1;
	}
	clus.asking = -1;
	clock_gettime(CLOCK_REALTIME, &now);
	clus.epoch = (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
	for (gi = 0; gi < clus.cfg.ngrp; gi++) {
		clus.g[gi].owner = -1;
		clus.g[gi].failover_to = -1;
		clus.g[gi].reserved_by = -1;
		clus.g[gi].st = GS_OFFLINE;
		st = state_adopt(gi);
		if (st == GS_OFFLINE)
			continue;
		clus.g[gi].st = st;
		clus.g[gi].owner = clus.cfg.self;
		for (int r = 0; r < clus.cfg.grp[gi].nres; r++)
			clus.g[gi].res_st[r] = st;
		clp_event("rc", 8, "group %s is %s here: adopted", clus.cfg.grp[gi].name,
			  grp_st_name(st));
		adopted++;
	}
	pthread_mutex_lock(&clus.lock);
	clus.cfg_ready = true;
	pthread_mutex_unlock(&clus.lock);
	if (pthread_create(&worker, NULL, worker_main, NULL)) {
		clp_event("rc", 97, "cannot start the worker");
		return -1;
	}
	worker_running = true;
	(void)adopted;
	return 0;
}

static void rc_stop(struct mgr *m)
{
	(void)m;
	if (!worker_running)
		return;
	pthread_mutex_lock(&clus.lock);
	clus.worker_stop = true;
	clus.wait_cancel = true;
	clus.started = false;	/* a startup in progress starts nothing */
	pthread_cond_broadcast(&clus.cond);
	pthread_mutex_unlock(&clus.lock);
	pthread_join(worker, NULL);
	worker_running = false;
}

const struct mgr_module mgr_mod_rc = {
	.name = "rc",
	.start = rc_start,
	.stop = rc_stop,
};
