// SPDX-License-Identifier: GPL-2.0
/*
 * Driver fencing, the cluster side (Documentation/cluster.md, "Fencing").
 *
 * A mirror disk with fencing = 1 that breaks while active here holds its
 * writes in the driver (neither failed nor acknowledged). This thread lets
 * them go (LISCAL_CMD_FENCE_RELEASE) once it may:
 *   (a) the other server's daemon, asked over the interconnect
 *       ("md-outdate"), marked its copy outdated and fenced on its cluster
 *       partition (LISCAL_CMD_OUTDATE) and said so;
 *   (b) the other server is down and this server won the network partition
 *       resolution after that;
 *   (c) the other server is down and no resolution is configured (the
 *       unsafe case: in a partition, the other side may take over too).
 * A lost resolution releases nothing: the npaction fences this server with
 * its writes unacknowledged. Before taking its npaction a server marks its
 * own standby copies fenced (fence_outdate_local()).
 *
 * For the failover rule (res.c) it also remembers, per mirror disk, whether
 * this daemon saw its standby copy turn outdated at a break while the other
 * server was active, with no connection since: such a copy was current at
 * the break and, unless fenced, the other side acknowledged nothing after
 * it without its confirmation.
 *
 * Locking: fence.lock protects pending, told and seen; the thread does its
 * netlink and network requests without it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clp_log.h"
#include "clp_md.h"
#include "clp_md_nl.h"
#include "clp_msg.h"
#include "cluster.h"
#include "fence.h"

#define EV "mirror"

enum {
	EV_RELEASED = 41,	/* released, with the reason */
	EV_WAITING = 42,	/* not released yet, with the reason */
	EV_OUTDATED = 43,	/* this copy marked fenced (asked, or lost) */
	EV_RELEASE_FAILED = 44,
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool running, stop;
	int n;
	struct clp_md md[CLP_MD_MAX];
	bool pending[CLP_MD_MAX];	/* the driver said: fenced */
	bool told[CLP_MD_MAX];		/* EV_WAITING logged since */
	bool seen[CLP_MD_MAX];		/* outdated at a break seen here */
} fence = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

static int md_index(const char *name)
{
	int i;

	for (i = 0; i < fence.n; i++)
		if (!strcmp(fence.md[i].name, name))
			return i;
	return -1;
}

void fence_note(const struct clp_md_status *st)
{
	int i;

	pthread_mutex_lock(&fence.lock);
	i = md_index(st->name);
	if (i >= 0) {
		if (st->fenced && !fence.pending[i]) {
			fence.pending[i] = true;
			fence.told[i] = false;
			pthread_cond_broadcast(&fence.cond);
		}
		if (st->conn == LISCAL_CONN_CONNECTED || st->disk == LISCAL_DISK_UPTODATE)
			fence.seen[i] = false;
		else if (st->reason >= LISCAL_REASON_BREAK_ADMIN &&
			 st->reason <= LISCAL_REASON_BREAK_PROTOCOL &&
			 st->old_disk == LISCAL_DISK_UPTODATE &&
			 st->disk == LISCAL_DISK_OUTDATED && st->role != LISCAL_ROLE_ACTIVE)
			fence.seen[i] = true;
	}
	pthread_mutex_unlock(&fence.lock);
}

bool fence_break_seen(const char *name)
{
	bool r;
	int i;

	pthread_mutex_lock(&fence.lock);
	i = md_index(name);
	r = i >= 0 && fence.seen[i];
	pthread_mutex_unlock(&fence.lock);
	return r;
}

void fence_kick(void)
{
	pthread_mutex_lock(&fence.lock);
	pthread_cond_broadcast(&fence.cond);
	pthread_mutex_unlock(&fence.lock);
}

/* OUTDATE of mirror disk @name here: 0, or an exit code with @msg set. */
int fence_outdate(const char *name, char *msg, size_t len)
{
	struct clp_nl *nl = NULL;
	int ret;

	if (clp_md_nl_open(&nl) < 0) {
		snprintf(msg, len, "the mirror driver liscal is not loaded on %s", clus.m->server);
		return CLP_EXIT_NOMODULE;
	}
	ret = clp_md_nl_cmd(nl, LISCAL_CMD_OUTDATE, name, 0);
	if (ret < 0) {
		snprintf(msg, len, "%s on %s: %s", name, clus.m->server, clp_nl_errmsg(nl));
		clp_nl_close(nl);
		return ret == -ENOENT ? CLP_EXIT_USAGE : CLP_EXIT_STATE;
	}
	clp_nl_close(nl);
	snprintf(msg, len, "%s: the copy on %s is outdated and fenced", name, clus.m->server);
	clp_event(EV, EV_OUTDATED, "%s", msg);
	return 0;
}

void fence_outdate_local(void)
{
	struct clp_md_status st;
	struct clp_nl *nl = NULL;
	char msg[256];
	int i;

	if (clp_md_nl_open(&nl) < 0)
		return;
	for (i = 0; i < fence.n; i++) {
		if (!fence.md[i].fencing || clp_md_nl_get(nl, fence.md[i].name, &st) < 0 ||
		    st.role == LISCAL_ROLE_ACTIVE || st.conn == LISCAL_CONN_CONNECTED)
			continue;
		if (clp_md_nl_cmd(nl, LISCAL_CMD_OUTDATE, fence.md[i].name, 0) < 0)
			snprintf(msg, sizeof(msg), "%s: marking this copy fenced failed: %s",
				 fence.md[i].name, clp_nl_errmsg(nl));
		else
			snprintf(msg, sizeof(msg), "%s: this server lost the network partition "
				 "resolution: its copy is outdated and fenced", fence.md[i].name);
		clp_event(EV, EV_OUTDATED, "%s", msg);
	}
	clp_nl_close(nl);
}

/* Asks the other server to outdate its copy: 0 when it did. */
static int ask_outdate(int peer, const char *name, char *msg, size_t len)
{
	struct json_object *req = json_object_new_object(), *r;
	int code;

	json_object_object_add(req, "op", json_object_new_string("md-outdate"));
	json_object_object_add(req, "md", json_object_new_string(name));
	r = clp_msg_peer(&clus.cfg, peer, req, 2000, msg, len);
	json_object_put(req);
	if (!r)
		return CLP_EXIT_ERROR;
	code = clp_msg_code(r);
	snprintf(msg, len, "%s", clp_msg_text(r));
	json_object_put(r);
	return code;
}

/*
 * Decides for one fenced mirror disk. Returns true when it is no longer
 * pending (released, or not fenced any more).
 */
static bool try_release(struct clp_nl *nl, int i)
{
	const struct clp_md *md = &fence.md[i];
	int peer = clp_cluster_server(&clus.cfg, md->peer.server);
	bool resolution = clus.cfg.nping || clus.cfg.majority;
	struct clp_md_status st;
	enum srv_st sst = SRV_UNKNOWN;
	time_t down = 0, won = 0;
	char why[512] = "", msg[384];
	int ret;

	if (clp_md_nl_get(nl, md->name, &st) < 0 || !st.fenced)
		return true;
	pthread_mutex_lock(&clus.lock);
	if (peer >= 0) {
		sst = clus.srv[peer];
		down = clus.down_at[peer];
	}
	won = clus.np_won_at;
	pthread_mutex_unlock(&clus.lock);
	if (sst == SRV_DOWN) {
		if (!resolution)
			snprintf(why, sizeof(why), "%s is down and no network partition resolution "
				 "is configured (unsafe in a partition)", md->peer.server);
		else if (won && won >= down)
			snprintf(why, sizeof(why), "%s is down and this server won the network "
				 "partition resolution", md->peer.server);
	} else if (peer >= 0) {
		if (ask_outdate(peer, md->name, msg, sizeof(msg)) == 0)
			snprintf(why, sizeof(why), "%s confirmed: %s", md->peer.server, msg);
	} else {
		snprintf(msg, sizeof(msg), "%s is not a server of the cluster", md->peer.server);
	}
	if (!why[0]) {
		pthread_mutex_lock(&fence.lock);
		if (!fence.told[i])
			clp_event(EV, EV_WAITING, "%s: writes held: %s", md->name,
				  sst == SRV_DOWN ? "waiting for the network partition resolution" :
						    msg);
		fence.told[i] = true;
		pthread_mutex_unlock(&fence.lock);
		return false;
	}
	ret = clp_md_nl_cmd(nl, LISCAL_CMD_FENCE_RELEASE, md->name, 0);
	if (ret < 0 && ret != -EALREADY) {
		clp_event(EV, EV_RELEASE_FAILED, "%s: releasing the held writes failed: %s",
			  md->name, clp_nl_errmsg(nl));
		return false;
	}
	clp_event(EV, EV_RELEASED, "%s: held writes released: %s", md->name, why);
	return true;
}

static void *fence_thread(void *arg)
{
	struct clp_nl *nl = arg;
	struct timespec ts;
	bool any;
	int i;

	pthread_mutex_lock(&fence.lock);
	while (!fence.stop) {
		any = false;
		for (i = 0; i < fence.n && !fence.stop; i++) {
			if (!fence.pending[i])
				continue;
			pthread_mutex_unlock(&fence.lock);
			if (try_release(nl, i)) {
				pthread_mutex_lock(&fence.lock);
				fence.pending[i] = false;
				continue;
			}
			pthread_mutex_lock(&fence.lock);
			any = true;
		}
		if (fence.stop)
			break;
		if (!any) {
			pthread_cond_wait(&fence.cond, &fence.lock);
			continue;
		}
		/* Retried every 200 ms while held (the peer's mirror may not
		 * have noticed the break yet, a resolution may be running). */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&fence.cond, &fence.lock, &ts);
	}
	pthread_mutex_unlock(&fence.lock);
	clp_nl_close(nl);
	return NULL;
}

int fence_start(const struct clp_md *mds, int n)
{
	struct clp_nl *nl = NULL;
	int i, ret;

	pthread_mutex_lock(&fence.lock);
	fence.n = n;
	fence.stop = false;
	for (i = 0; i < n; i++) {
		fence.md[i] = mds[i];
		fence.pending[i] = false;
		fence.told[i] = false;
		fence.seen[i] = false;
	}
	pthread_mutex_unlock(&fence.lock);
	if (clp_md_nl_open(&nl) < 0)
		return -1;
	ret = pthread_create(&fence.thread, NULL, fence_thread, nl);
	if (ret) {
		clp_err("cannot start the fencing thread: %s", strerror(ret));
		clp_nl_close(nl);
		return -1;
	}
	fence.running = true;
	return 0;
}

void fence_stop(void)
{
	if (!fence.running)
		return;
	pthread_mutex_lock(&fence.lock);
	fence.stop = true;
	pthread_cond_broadcast(&fence.cond);
	pthread_mutex_unlock(&fence.lock);
	pthread_join(fence.thread, NULL);
	fence.running = false;
}
