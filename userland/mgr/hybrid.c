// SPDX-License-Identifier: GPL-2.0
/*
 * The hybrid disk agent, a module of clpmgrd's cluster core
 * (Documentation/hybrid.md, "The cluster service").
 *
 * For each hybrid disk of which this server is a member, the agent keeps
 * the question "is this server the current server of its group?"
 * answered by the lease on the group's shared cluster partition
 * (clp_hd_lease.c):
 *   - not current: it tries to take the lease (the takeover rule waits
 *     out a live holder); once it holds it, it asks the servers of the
 *     other group which of them is current ("hd-current"), then creates
 *     the resource in the mirror driver with that server as the peer (the
 *     other group's first server when none answered) and hands it to the
 *     mirror agent (mirror_add());
 *   - current: it renews the lease every third of the lease time. A
 *     renewal that finds another holder (or fails on the disk) ends this
 *     server's turn at once: the resource leaves the driver; when it is
 *     active, the server resets through clpka (it must not write to the
 *     shared disk once another member may).
 * A member of this group that is to start the group while the holder is
 * alive and its resource is not active asks the holder to hand the lease
 * over ("hd-release"): the holder removes the resource from the driver,
 * releases the lease and leaves it to the asker for three lease times.
 * In backup mode (clpbackup.sh --pre, the flag on the shared cluster
 * partition) no member takes the lease; a current server switched to it
 * through this agent ("hd-backup") keeps the lease without the resource
 * until its cluster service stops.
 * A server of the other group that becomes current tells this one
 * ("hd-current"): the driver's peer address follows it (RES_SET, while
 * not connected: tried again at every renewal until the connection to the
 * former one has ended).
 *
 * Stopping the cluster service here releases the lease and removes the
 * resource from the driver, unless the resource is active (a suspended
 * cluster keeps its groups running): then both stay until the group
 * stops, the lease not renewed meanwhile.
 *
 * Two threads: one takes the leases this server does not hold (the
 * takeover rule waits lease times; creating the resource may initialise a
 * partition), the other only renews the leases it holds, so that nothing
 * delays a renewal. A holder whose heartbeat is up is never taken over,
 * whatever the lease's timing says (its daemon stopped with the resource
 * active, or a clock jumped).
 *
 * Locking: hy.lock protects each res[]'s current, created, turn, peer,
 * peer_seq, next_renew and hold_off, and hy.stop and hy.busy (the daemon
 * requests using res[], which hybrid_stop waits out), held only for copies, never across another
 * lock or a netlink or daemon request; res[].io serialises the lease's
 * I/O (it may be held for lease times by an acquisition).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clp_hd.h"
#include "clp_hd_lease.h"
#include "clp_log.h"
#include "clp_md_init.h"
#include "clp_md_meta.h"
#include "clp_md_nl.h"
#include "clp_msg.h"
#include "cluster.h"
#include "hybrid.h"
#include "mirror.h"

#define EV "hybrid"

enum {
	EV_CURRENT = 10,	/* this server became the current server */
	EV_CREATE_FAILED = 11,
	EV_LOST = 12,		/* another member took the lease */
	EV_LOST_ACTIVE = 13,	/* ... while the resource was active here */
	EV_RELEASED = 14,	/* the cluster service stopped: lease given up */
	EV_KEPT = 15,		/* stopped while active: lease and resource kept */
	EV_PEER = 16,		/* the other group's current server changed */
	EV_PEER_FAILED = 17,
	EV_LEASE_ERROR = 18,	/* the lease record could not be read/written */
	EV_WAITING = 19,	/* another member is current: waiting */
	EV_HANDED = 20,		/* lease handed to a member that starts the group */
	EV_HANDOVER = 21,	/* this server asked the live holder to hand over */
	EV_KEPT_ACTIVE = 22,	/* a hand-over refused: the resource is active here */
	EV_BACKUP = 23,		/* switched to backup mode here (clpbackup.sh --pre) */
	EV_BACKUP_WAIT = 24,	/* in backup mode: no member takes the lease */
	EV_STRAY = 25,		/* in the driver here while another member holds the lease */
	EV_STRAY_ACTIVE = 26,	/* ... active: the server resets */
};

struct hd_res {
	struct clp_hd hd;	/* loaded against the other group's first server */
	int fd;			/* the lease on the group's shared cluster partition */
	pthread_mutex_t io;	/* the lease's I/O (acquire, renew, release) */
	/* hy.lock: */
	bool current;		/* this server holds the lease */
	bool created;		/* ... and the resource is in the driver */
	unsigned int turn;	/* counts the acquisitions */
	unsigned int peer_seq;	/* counts the peers "hd-current" set */
	char peer[64];		/* the other group's current server (as known) */
	struct timespec next_renew;
	struct timespec hold_off;	/* no acquisition before (after a hand-over) */
	/* the acquiring thread's own: */
	bool told_wait, told_backup;
	struct timespec next_try;
};

static struct {
	struct mgr *m;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* stop */
	pthread_t acquirer, renewer;
	bool running, stop;
	int busy;		/* daemon requests using res[] (hybrid_stop waits) */
	int n;
	struct hd_res res[CLP_MD_MAX];
} hy = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

static struct hd_res *find(const char *name)
{
	int i;

	for (i = 0; i < hy.n; i++)
		if (!strcmp(hy.res[i].hd.name, name))
			return &hy.res[i];
	return NULL;
}

static void after_ms(struct timespec *t, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static bool due(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

/* The mirror disk view of @r with @peer as the other end. */
static int load_md(const struct hd_res *r, const char *peer, struct clp_md *md)
{
	char err[512];
	struct clp_hd hd;

	if (clp_hd_load(hy.m->conf, r->hd.name, hy.m->server, peer, &hd, err, sizeof(err)) < 0) {
		clp_err("%s", err);
		return -1;
	}
	*md = hd.md;
	return 0;
}

/* "a.b.c.d:port" of @peer as @r's other end. */
static int peer_addr(const struct hd_res *r, const char *peer, char *addr, size_t len)
{
	struct clp_md md;

	if (load_md(r, peer, &md) < 0)
		return -1;
	snprintf(addr, len, "%s:%ld", md.peer.addr, md.port);
	return 0;
}

/* The server of the other group whose mirror address is @addr. */
static const char *other_server_at(const struct hd_res *r, const char *addr)
{
	const struct clp_hd_group *g = &r->hd.group[1 - r->hd.local_group];
	char a[64];
	int k;

	for (k = 0; k < g->nservers; k++)
		if (peer_addr(r, g->servers[k], a, sizeof(a)) == 0 && !strcmp(a, addr))
			return g->servers[k];
	return NULL;
}

/*
 * Ask the other group's servers which is current; each that is learns
 * that this server is ours. The answer's name, or NULL.
 */
static const char *ask_other_group(const struct hd_res *r, char *who, size_t len)
{
	const struct clp_hd_group *g = &r->hd.group[1 - r->hd.local_group];
	const char *found = NULL;
	int k;

	for (k = 0; k < g->nservers && !found; k++) {
		int to = clp_cluster_server(&clus.cfg, g->servers[k]);
		struct json_object *q, *a, *cur;
		char err[256];

		if (to < 0 || to == clus.cfg.self)
			continue;
		q = json_object_new_object();
		json_object_object_add(q, "op", json_object_new_string("hd-current"));
		json_object_object_add(q, "hd", json_object_new_string(r->hd.name));
		a = clp_msg_peer(&clus.cfg, to, q, 5000, err, sizeof(err));
		json_object_put(q);
		if (!a)
			continue;
		if (json_object_object_get_ex(a, "current", &cur) && json_object_get_boolean(cur)) {
			snprintf(who, len, "%s", g->servers[k]);
			found = who;
		}
		json_object_put(a);
	}
	return found;
}

/*
 * Put the resource in the driver with @peer as the other end (hy.lock not
 * held: mirror_add() may initialise a blank partition). 0 or -1.
 */
static int create(const struct hd_res *r, const char *peer, char *peer_now, size_t len)
{
	struct clp_md_status st;
	struct clp_nl *nl = NULL;
	struct clp_md md;
	char addr[64];

	snprintf(peer_now, len, "%s", peer);
	if (load_md(r, peer, &md) < 0)
		return -1;
	if (clp_md_nl_open(&nl) < 0) {
		clp_event(EV, EV_CREATE_FAILED, "%s: the liscal family cannot be opened (is the "
			  "module loaded?)", md.name);
		return -1;
	}
	/* Already there (the daemon restarted): its peer follows @peer, or,
	 * connected, the current peer stays. */
	if (clp_md_nl_get(nl, md.name, &st) == 0) {
		const char *at = other_server_at(r, st.peer_addr);

		snprintf(addr, sizeof(addr), "%s:%ld", md.peer.addr, md.port);
		if (strcmp(st.peer_addr, addr)) {
			if (st.conn == LISCAL_CONN_CONNECTED && at) {
				snprintf(peer_now, len, "%s", at);
				if (load_md(r, at, &md) < 0) {
					clp_nl_close(nl);
					return -1;
				}
			} else if (clp_md_nl_set_peer(nl, md.name, addr) < 0) {
				clp_event(EV, EV_PEER_FAILED, "%s: the driver's peer cannot become %s: %s",
					  md.name, addr, clp_nl_errmsg(nl));
				clp_nl_close(nl);
				return -1;
			}
		}
	}
	clp_nl_close(nl);
	return mirror_add(&md);
}

/*
 * Take the resource out of the driver: 1 when it is gone (or was never
 * there), 0 when it is active here, -1 when it could not be removed or its
 * state is unknown (treated as active by the callers). @seen: the driver
 * was asked and had it.
 */
static int remove_resource_seen(const struct hd_res *r, bool *seen)
{
	struct clp_md_status st;
	struct clp_nl *nl = NULL;
	int ret;

	*seen = false;
	if (clp_md_nl_open(&nl) < 0)
		return -1;
	ret = clp_md_nl_get(nl, r->hd.name, &st);
	*seen = ret == 0;
	if (ret == -ENOENT) {
		mirror_remove(r->hd.name);
		clp_nl_close(nl);
		return 1;
	}
	if (ret < 0) {
		clp_err("%s: the driver's state cannot be read: %s", r->hd.name, clp_nl_errmsg(nl));
		clp_nl_close(nl);
		return -1;
	}
	if (st.role == LISCAL_ROLE_ACTIVE) {
		clp_nl_close(nl);
		return 0;
	}
	mirror_remove(r->hd.name);
	ret = clp_md_nl_cmd(nl, LISCAL_CMD_RES_DESTROY, r->hd.name, 0);
	if (ret < 0 && ret != -ENOENT) {
		struct clp_md md;
		char peer[64];

		clp_err("%s: removing it from the driver failed: %s", r->hd.name, clp_nl_errmsg(nl));
		clp_nl_close(nl);
		/* Still there (opened, activated meanwhile): watched again. */
		pthread_mutex_lock(&hy.lock);
		snprintf(peer, sizeof(peer), "%s", r->peer);
		pthread_mutex_unlock(&hy.lock);
		if (load_md(r, peer, &md) == 0)
			mirror_add(&md);
		return -1;
	}
	clp_nl_close(nl);
	return 1;
}

static int remove_resource(const struct hd_res *r)
{
	bool seen;

	return remove_resource_seen(r, &seen);
}

/*
 * This server no longer holds the lease (@why): the resource leaves the
 * driver; when it is active, or cannot be removed, the server resets: it
 * must not write to the shared disk once another member may. As a lease
 * holder whose watchdog fires.
 */
static void lost(struct hd_res *r, const char *why)
{
	const char *group = r->hd.group[r->hd.local_group].name;
	char reason[128];
	int gone;

	pthread_mutex_lock(&hy.lock);
	if (!r->current) {
		pthread_mutex_unlock(&hy.lock);
		return;
	}
	r->current = false;
	r->created = false;
	pthread_mutex_unlock(&hy.lock);
	gone = remove_resource(r);
	if (gone == 1) {
		clp_event(EV, EV_LOST, "%s: %s is no longer the current server of %s (%s): "
			  "resource removed from the driver", r->hd.name, hy.m->server, group, why);
		return;
	}
	clp_event(EV, EV_LOST_ACTIVE, "%s: %s is no longer the current server of %s (%s), but "
		  "the resource is %s here: the server resets", r->hd.name, hy.m->server, group,
		  why, gone == 0 ? "active" : "still");
	snprintf(reason, sizeof(reason), "%s: lease of %s lost while the resource is here",
		 r->hd.name, group);
	rc_self_reset(reason);
}

/*
 * Current, with the resource in the driver: the driver's peer is r->peer.
 * A change the driver refused (still connected to the former current
 * server of the other group, whose break it has not noticed yet) is
 * tried again here, every renewal, until it holds.
 */
static void follow_peer(struct hd_res *r)
{
	struct clp_md_status st;
	struct clp_nl *nl = NULL;
	char addr[64], peer[64];

	pthread_mutex_lock(&hy.lock);
	if (!r->current || !r->created) {
		pthread_mutex_unlock(&hy.lock);
		return;
	}
	snprintf(peer, sizeof(peer), "%s", r->peer);
	pthread_mutex_unlock(&hy.lock);
	if (peer_addr(r, peer, addr, sizeof(addr)) < 0 || clp_md_nl_open(&nl) < 0)
		return;
	if (clp_md_nl_get(nl, r->hd.name, &st) == 0 && strcmp(st.peer_addr, addr) &&
	    st.conn != LISCAL_CONN_CONNECTED) {
		if (clp_md_nl_set_peer(nl, r->hd.name, addr) == 0)
			clp_event(EV, EV_PEER, "%s: the driver's peer is now %s (%s)", r->hd.name,
				  peer, addr);
		else
			clp_event(EV, EV_PEER_FAILED, "%s: the driver's peer cannot become %s (%s): %s",
				  r->hd.name, peer, addr, clp_nl_errmsg(nl));
	}
	clp_nl_close(nl);
}

/* Give the lease up after a failed start of this server's turn. */
static void give_up(struct hd_res *r, unsigned int turn)
{
	char err[512];
	bool mine;

	pthread_mutex_lock(&hy.lock);
	mine = r->current && r->turn == turn;
	if (mine)
		r->current = false;
	pthread_mutex_unlock(&hy.lock);
	if (!mine)
		return;
	pthread_mutex_lock(&r->io);
	if (clp_hd_lease_release(r->fd, hy.m->server, err, sizeof(err)) < 0)
		clp_err("%s: %s", r->hd.name, err);
	pthread_mutex_unlock(&r->io);
}

/* This server took the lease (turn @turn): the peer, then the driver. */
static void become_current(struct hd_res *r, unsigned int turn)
{
	const char *group = r->hd.group[r->hd.local_group].name;
	char who[64], peer[64], used[64];
	const char *answer;
	unsigned int seq;
	bool still;
	int gone;

	pthread_mutex_lock(&hy.lock);
	seq = r->peer_seq;
	pthread_mutex_unlock(&hy.lock);
	answer = ask_other_group(r, who, sizeof(who));
	pthread_mutex_lock(&hy.lock);
	/* A peer that told us meanwhile ("hd-current") is the newer word. */
	if (answer && r->peer_seq == seq)
		snprintf(r->peer, sizeof(r->peer), "%s", answer);
	snprintf(peer, sizeof(peer), "%s", r->peer);
	pthread_mutex_unlock(&hy.lock);
	if (create(r, peer, used, sizeof(used)) < 0) {
		clp_event(EV, EV_CREATE_FAILED, "%s: %s took the lease of %s, but the resource "
			  "could not be put in the driver (above): lease given up", r->hd.name,
			  hy.m->server, group);
		give_up(r, turn);
		return;
	}
	pthread_mutex_lock(&hy.lock);
	still = r->current && r->turn == turn;
	if (still) {
		r->created = true;
		if (strcmp(used, peer) && r->peer_seq == seq)
			snprintf(r->peer, sizeof(r->peer), "%s", used);
	}
	pthread_mutex_unlock(&hy.lock);
	if (!still) {
		/* The lease was lost while the resource was being created. */
		gone = remove_resource(r);
		if (gone != 1) {
			char reason[128];

			snprintf(reason, sizeof(reason), "%s: lease of %s lost while the resource "
				 "was created", r->hd.name, group);
			rc_self_reset(reason);
		}
		return;
	}
	clp_event(EV, EV_CURRENT, "%s: %s is the current server of %s; mirror to %s%s",
		  r->hd.name, hy.m->server, group, used,
		  answer ? " (current server of the other group)" :
			   " (no server of the other group answered as current)");
	follow_peer(r);
}

/*
 * The holder named in the record is alive by the heartbeat: no takeover,
 * whatever the lease's timing says (a daemon stopped with its resource
 * active, a clock that jumped). Down or never seen: the takeover rule.
 */
static bool holder_alive(struct hd_res *r, char *holder, size_t len)
{
	struct clp_hd_lease l;
	char err[512];
	bool up = false;
	int s, ret;

	pthread_mutex_lock(&r->io);
	ret = clp_hd_lease_read(r->fd, &l, err, sizeof(err));
	pthread_mutex_unlock(&r->io);
	if (ret < 0 || !l.holder[0] || !strcmp(l.holder, hy.m->server))
		return false;
	snprintf(holder, len, "%s", l.holder);
	s = clp_cluster_server(&clus.cfg, l.holder);
	if (s >= 0) {
		pthread_mutex_lock(&clus.lock);
		up = clus.srv[s] == SRV_UP;
		pthread_mutex_unlock(&clus.lock);
	}
	return up;
}

/*
 * Not current, @holder (another member) holds the lease: the driver must
 * not have the resource here. It can, left by a daemon that stopped with
 * it active (hybrid 15) and started again after another member took the
 * lease over (its heartbeat had gone down meanwhile): removed, or, active,
 * the server resets as after a lost lease.
 */
static void drop_stray(struct hd_res *r, const char *holder)
{
	const char *group = r->hd.group[r->hd.local_group].name;
	char reason[128];
	bool seen;
	int gone;

	gone = remove_resource_seen(r, &seen);
	if (!seen)
		return;	/* not there (or no driver): nothing of it here */
	if (gone == 1) {
		clp_event(EV, EV_STRAY, "%s: in the driver of %s while %s holds the lease of %s: "
			  "removed", r->hd.name, hy.m->server, holder, group);
		return;
	}
	clp_event(EV, EV_STRAY_ACTIVE, "%s: %s in the driver of %s while %s holds the lease of "
		  "%s: the server resets", r->hd.name, gone == 0 ? "active" : "left",
		  hy.m->server, holder, group);
	snprintf(reason, sizeof(reason), "%s: in the driver while %s holds the lease of %s",
		 r->hd.name, holder, group);
	rc_self_reset(reason);
}

/* The acquiring thread's step for @r (not current): take the lease. */
static void try_acquire(struct hd_res *r)
{
	const char *group = r->hd.group[r->hd.local_group].name;
	unsigned int lease = CLP_HD_LEASE_MS_DEFAULT, turn;
	char err[512] = "", holder[64] = "";
	int ret;

	after_ms(&r->next_try, lease / 3);
	pthread_mutex_lock(&hy.lock);
	ret = due(&r->hold_off);
	pthread_mutex_unlock(&hy.lock);
	if (!ret)
		return;	/* handed over: the asker's turn */
	if (clp_md_cp_backup(&r->hd.md) == 1) {
		if (!r->told_backup)
			clp_event(EV, EV_BACKUP_WAIT, "%s: the cluster partition of %s is in backup "
				  "mode (clpbackup.sh --pre): %s does not take its lease until "
				  "clpbackup.sh --post", r->hd.name, group, hy.m->server);
		r->told_backup = true;
		return;
	}
	r->told_backup = false;
	if (holder_alive(r, holder, sizeof(holder))) {
		ret = -EBUSY;
		snprintf(err, sizeof(err), "its heartbeat is up");
	} else {
		pthread_mutex_lock(&r->io);
		ret = clp_hd_lease_acquire(r->fd, hy.m->server, lease, holder, sizeof(holder), err,
					   sizeof(err));
		pthread_mutex_unlock(&r->io);
	}
	if (ret == 0) {
		pthread_mutex_lock(&hy.lock);
		r->current = true;
		turn = ++r->turn;
		/* The first renewal at once: the settle time used most of the
		 * time the others give a silent holder. */
		clock_gettime(CLOCK_MONOTONIC, &r->next_renew);
		pthread_mutex_unlock(&hy.lock);
		r->told_wait = false;
		become_current(r, turn);
		return;
	}
	if (ret == -EBUSY) {
		if (holder[0] && strcmp(holder, hy.m->server))
			drop_stray(r, holder);
		if (!r->told_wait)
			clp_event(EV, EV_WAITING, "%s: %s is the current server of %s: %s waits (%s)",
				  r->hd.name, holder[0] ? holder : "another", group, hy.m->server,
				  err);
		r->told_wait = true;
		return;
	}
	clp_event(EV, EV_LEASE_ERROR, "%s: %s", r->hd.name, err);
}

static bool stopping(void)
{
	bool stop;

	pthread_mutex_lock(&hy.lock);
	stop = hy.stop;
	pthread_mutex_unlock(&hy.lock);
	return stop;
}

/* 100 ms, or until the module stops (hy.cond waits on CLOCK_REALTIME). */
static void nap(void)
{
	struct timespec wake;

	clock_gettime(CLOCK_REALTIME, &wake);
	wake.tv_nsec += 100000000L;
	if (wake.tv_nsec >= 1000000000L) {
		wake.tv_sec++;
		wake.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&hy.lock);
	if (!hy.stop)
		pthread_cond_timedwait(&hy.cond, &hy.lock, &wake);
	pthread_mutex_unlock(&hy.lock);
}

/* Takes the leases this server does not hold (may wait lease times). */
static void *acquire_thread(void *arg)
{
	int i;

	(void)arg;
	while (!stopping()) {
		for (i = 0; i < hy.n && !stopping(); i++) {
			struct hd_res *r = &hy.res[i];
			bool cur;

			pthread_mutex_lock(&hy.lock);
			cur = r->current;
			pthread_mutex_unlock(&hy.lock);
			if (!cur && due(&r->next_try))
				try_acquire(r);
		}
		nap();
	}
	return NULL;
}

/* Renews the leases this server holds, nothing else that could delay it. */
static void *renew_thread(void *arg)
{
	char err[512];
	int i, ret;

	(void)arg;
	while (!stopping()) {
		for (i = 0; i < hy.n; i++) {
			struct hd_res *r = &hy.res[i];
			bool go;

			pthread_mutex_lock(&hy.lock);
			go = r->current && due(&r->next_renew);
			if (go)
				after_ms(&r->next_renew, CLP_HD_LEASE_MS_DEFAULT / 3);
			pthread_mutex_unlock(&hy.lock);
			if (!go)
				continue;
			pthread_mutex_lock(&r->io);
			ret = clp_hd_lease_renew(r->fd, hy.m->server, err, sizeof(err));
			pthread_mutex_unlock(&r->io);
			if (ret == 0)
				follow_peer(r);
			else
				lost(r, err);
		}
		nap();
	}
	return NULL;
}

static void close_all(void)
{
	int i;

	for (i = 0; i < hy.n; i++) {
		if (hy.res[i].fd >= 0)
			close(hy.res[i].fd);
		pthread_mutex_destroy(&hy.res[i].io);
	}
	hy.n = 0;
}

static int hybrid_start(struct mgr *m)
{
	int i, n, ret;
	char err[512];

	hy.m = m;
	hy.stop = false;
	hy.running = false;
	hy.n = 0;
	n = clp_hd_count(m->conf);
	if (n <= 0)
		return 0;
	if (clp_hd_check_all(m->conf, err, sizeof(err)) < 0) {
		clp_err("%s", err);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const char *name = clp_hd_name_at(m->conf, i);
		struct hd_res *r = &hy.res[hy.n];

		memset(r, 0, sizeof(*r));
		r->fd = -1;
		ret = name ? clp_hd_load(m->conf, name, m->server, NULL, &r->hd, err, sizeof(err)) :
			     -ENOENT;
		if (ret == -EINVAL && r->hd.group[0].nservers && r->hd.local_group < 0)
			continue;	/* not a member: nothing to do here */
		if (ret < 0) {
			clp_err("%s", err);
			goto fail;
		}
		memcpy(r->peer, r->hd.group[1 - r->hd.local_group].servers[0], sizeof(r->peer));
		r->fd = clp_hd_lease_open(r->hd.md.local.cppath, err, sizeof(err));
		if (r->fd < 0) {
			clp_event(EV, EV_LEASE_ERROR, "%s: %s", name, err);
			goto fail;
		}
		pthread_mutex_init(&r->io, NULL);
		hy.n++;
	}
	if (!hy.n)
		return 0;
	ret = pthread_create(&hy.acquirer, NULL, acquire_thread, NULL);
	if (ret)
		goto fail_thread;
	ret = pthread_create(&hy.renewer, NULL, renew_thread, NULL);
	if (ret) {
		pthread_mutex_lock(&hy.lock);
		hy.stop = true;
		pthread_cond_broadcast(&hy.cond);
		pthread_mutex_unlock(&hy.lock);
		pthread_join(hy.acquirer, NULL);
		goto fail_thread;
	}
	hy.running = true;
	return 0;
fail_thread:
	clp_err("cannot start the hybrid disk agent threads: %s", strerror(ret));
fail:
	close_all();
	return -1;
}

static void hybrid_stop(struct mgr *m)
{
	char err[512];
	int i, gone;

	(void)m;
	if (!hy.running)
		return;
	pthread_mutex_lock(&hy.lock);
	hy.stop = true;
	pthread_cond_broadcast(&hy.cond);
	/* Requests in progress use res[]: their end before it goes. */
	while (hy.busy)
		pthread_cond_wait(&hy.cond, &hy.lock);
	pthread_mutex_unlock(&hy.lock);
	pthread_join(hy.acquirer, NULL);
	pthread_join(hy.renewer, NULL);
	hy.running = false;
	for (i = 0; i < hy.n; i++) {
		struct hd_res *r = &hy.res[i];
		const char *group = r->hd.group[r->hd.local_group].name;

		if (!r->current)
			continue;
		gone = remove_resource(r);
		if (gone != 1) {
			/* The other members do not take the lease of a server
			 * whose heartbeat is up (it runs while a group runs here). */
			clp_event(EV, EV_KEPT, "%s: %s while the cluster service stops: %s stays the "
				  "current server of %s (the lease is not renewed until the "
				  "service starts again)", r->hd.name,
				  gone == 0 ? "active" : "not removed from the driver", hy.m->server,
				  group);
			continue;
		}
		pthread_mutex_lock(&hy.lock);
		r->current = false;
		r->created = false;
		pthread_mutex_unlock(&hy.lock);
		if (clp_hd_lease_release(r->fd, hy.m->server, err, sizeof(err)) < 0)
			clp_err("%s: %s", r->hd.name, err);
		else
			clp_event(EV, EV_RELEASED, "%s: %s is no longer the current server of %s "
				  "(the cluster service stopped)", r->hd.name, hy.m->server, group);
	}
	close_all();
}

/*
 * Waiting to start the group: a holder of the same group whose heartbeat
 * is up is asked to hand the lease over (it does when its resource is not
 * active: the group left it, clpgrp -m or a failover of the group alone).
 */
static void ask_hand_over(struct hd_res *r)
{
	const char *group = r->hd.group[r->hd.local_group].name;
	struct json_object *q, *a;
	char holder[64], err[256];
	int to, code;

	if (!holder_alive(r, holder, sizeof(holder)) ||
	    clp_hd_group_of(&r->hd, holder) != r->hd.local_group)
		return;
	to = clp_cluster_server(&clus.cfg, holder);
	if (to < 0 || to == clus.cfg.self)
		return;
	clp_event(EV, EV_HANDOVER, "%s: %s is the current server of %s and its heartbeat is up: "
		  "%s asks it to hand over", r->hd.name, holder, group, hy.m->server);
	q = json_object_new_object();
	json_object_object_add(q, "op", json_object_new_string("hd-release"));
	json_object_object_add(q, "hd", json_object_new_string(r->hd.name));
	a = clp_msg_peer(&clus.cfg, to, q, 10000, err, sizeof(err));
	json_object_put(q);
	if (!a) {
		clp_err("%s: asking %s to hand over failed: %s", r->hd.name, holder, err);
		return;
	}
	code = clp_msg_code(a);
	if (code)
		clp_err("%s: %s did not hand over: %s", r->hd.name, holder, clp_msg_text(a));
	json_object_put(a);
}

int hybrid_wait_current(const char *name, long seconds, struct clp_md *md, char *err,
			size_t errlen)
{
	struct timespec ts = { 0, 100000000 }, end, ask = { 0, 0 }, last;
	char peer[64];

	/* A deadline, not a count: asking the holder may take seconds. */
	after_ms(&end, seconds * 1000);
	after_ms(&last, seconds * 1000 - 5000);
	for (;;) {
		struct hd_res *r;
		int ret = 1;

		pthread_mutex_lock(&hy.lock);
		r = find(name);
		if (!r) {
			snprintf(err, errlen, "%s: the hybrid disk agent does not run on %s (not a "
				 "member of its server groups, or the cluster service is stopped)",
				 name, clus.m->server);
			ret = -1;
		} else if (r->current && r->created) {
			snprintf(peer, sizeof(peer), "%s", r->peer);
			ret = 0;
		}
		pthread_mutex_unlock(&hy.lock);
		if (ret == 0 && load_md(r, peer, md) < 0) {
			snprintf(err, errlen, "%s: clp.conf cannot be read", name);
			return -1;
		}
		if (ret <= 0)
			return ret;
		if (due(&end))
			break;
		/* Every 2 s, from the first, not in the last 5 s. */
		if (seconds && due(&ask) && !due(&last)) {
			ask_hand_over(r);
			after_ms(&ask, 2000);
		}
		nanosleep(&ts, NULL);
	}
	pthread_mutex_lock(&hy.lock);
	{
		struct hd_res *r = find(name);

		snprintf(err, errlen, "%s: %s is not the current server of %s after %ld s (another "
			 "server of the group holds its lease, or the resource could not be put in "
			 "the driver: see the hybrid events)", name, clus.m->server,
			 r ? r->hd.group[r->hd.local_group].name : "its group", seconds);
	}
	pthread_mutex_unlock(&hy.lock);
	return -1;
}

bool hybrid_is_current(const char *name)
{
	struct hd_res *r;
	bool cur;

	pthread_mutex_lock(&hy.lock);
	r = find(name);
	cur = r && r->current && r->created;
	pthread_mutex_unlock(&hy.lock);
	return cur;
}

/*
 * "hd-release" from @server, a member of this group that is to start it:
 * the resource leaves the driver unless it is active here, and the lease
 * is released, left to the asker for three lease times.
 */
static struct json_object *hand_over(struct hd_res *r, const char *server)
{
	const char *group = r->hd.group[r->hd.local_group].name;
	char err[512];
	bool current;
	int gone, ret;

	pthread_mutex_lock(&hy.lock);
	current = r->current;
	pthread_mutex_unlock(&hy.lock);
	if (!current)
		return clp_msg_reply(0, "%s: %s is not the current server of %s", r->hd.name,
				     hy.m->server, group);
	gone = remove_resource(r);
	if (gone == 0) {
		clp_event(EV, EV_KEPT_ACTIVE, "%s: %s asks for the lease of %s, but the resource is "
			  "active on %s: not handed over", r->hd.name, server, group, hy.m->server);
		return clp_msg_reply(CLP_EXIT_STATE, "%s is active on %s: the lease of %s stays",
				     r->hd.name, hy.m->server, group);
	}
	if (gone < 0)
		return clp_msg_reply(CLP_EXIT_ERROR, "%s cannot be removed from the driver on %s: "
				     "the lease of %s stays", r->hd.name, hy.m->server, group);
	pthread_mutex_lock(&hy.lock);
	current = r->current;
	r->current = false;
	r->created = false;
	after_ms(&r->hold_off, 3 * CLP_HD_LEASE_MS_DEFAULT);
	pthread_mutex_unlock(&hy.lock);
	if (!current)	/* lost meanwhile: the renewal told it */
		return clp_msg_reply(0, "%s: %s is not the current server of %s", r->hd.name,
				     hy.m->server, group);
	pthread_mutex_lock(&r->io);
	ret = clp_hd_lease_release(r->fd, hy.m->server, err, sizeof(err));
	pthread_mutex_unlock(&r->io);
	if (ret < 0) {
		clp_err("%s: %s", r->hd.name, err);
		return clp_msg_reply(CLP_EXIT_ERROR, "%s: the lease of %s cannot be released on %s: "
				     "%s", r->hd.name, group, hy.m->server, err);
	}
	clp_event(EV, EV_HANDED, "%s: %s hands the lease of %s to %s (resource removed from the "
		  "driver)", r->hd.name, hy.m->server, group, server);
	return clp_msg_reply(0, "%s: %s released the lease of %s", r->hd.name, hy.m->server,
			     group);
}

/* The answer to "hd-backup": @marked says whether the flag is set now (with
 * "check": whether this server would set it). */
static struct json_object *backup_reply(int code, bool marked, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static struct json_object *backup_reply(int code, bool marked, const char *fmt, ...)
{
	struct json_object *o;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o = clp_msg_reply(code, "%s", msg);
	json_object_object_add(o, "marked", json_object_new_boolean(marked));
	return o;
}

/* Switch @r to backup mode here, the current server: 0, or an exit code. */
static struct json_object *backup_here(struct hd_res *r, bool check)
{
	const char *group = r->hd.group[r->hd.local_group].name;
	struct clp_md_status st;
	struct clp_nl *nl = NULL;
	unsigned int turn;
	int gone, ret;

	if (clp_md_nl_open(&nl) == 0) {
		ret = clp_md_nl_get(nl, r->hd.name, &st);
		clp_nl_close(nl);
		if (ret == 0 && st.role == LISCAL_ROLE_ACTIVE)
			return backup_reply(CLP_EXIT_STATE, false, "%s is active on %s, the current "
					    "server of %s: stop its group first (clpgrp -t)",
					    r->hd.name, hy.m->server, group);
		if (ret == 0 && st.recovery_dir != LISCAL_RECOVERY_NONE)
			return backup_reply(CLP_EXIT_STATE, false, "%s: a mirror recovery runs on %s, "
					    "the current server of %s: wait for its end",
					    r->hd.name, hy.m->server, group);
	}
	if (check)
		return backup_reply(0, true, "%s: %s, the current server of %s, can switch it to "
				    "backup mode", r->hd.name, hy.m->server, group);
	gone = remove_resource(r);
	if (gone != 1)
		return backup_reply(gone == 0 ? CLP_EXIT_STATE : CLP_EXIT_ERROR, false,
				    "%s: %s on %s: not switched to backup mode", r->hd.name,
				    gone == 0 ? "active" : "cannot be removed from the driver",
				    hy.m->server);
	pthread_mutex_lock(&hy.lock);
	r->created = false;
	turn = r->turn;
	pthread_mutex_unlock(&hy.lock);
	ret = clp_md_cp_edit(&r->hd.md, CLP_META_BACKUP_ON);
	if (ret) {
		/* Not current without the resource: the lease goes, and this
		 * server or another takes it again as after any release. */
		give_up(r, turn);
		return backup_reply(ret, false, "%s: the cluster partition %s of %s could not be "
				    "switched to backup mode (see clpmgrd.log): the lease is "
				    "released", r->hd.name, r->hd.md.local.cppath, group);
	}
	clp_event(EV, EV_BACKUP, "%s: the cluster partition of %s switched to backup mode by %s, "
		  "its current server (resource removed from the driver)", r->hd.name, group,
		  hy.m->server);
	return backup_reply(0, true, "%s: the cluster partition of %s switched to backup mode by "
			    "%s, its current server", r->hd.name, group, hy.m->server);
}

/*
 * "hd-backup" {hd, check, probe}: switch the shared cluster partition of this
 * server's group to backup mode (clphdinit --backup on, from clpbackup.sh
 * --pre while the cluster service runs). The current server does it,
 * keeping the lease; from a command on another member it is asked in
 * turn. "marked" false with code 0: no member is current (the caller
 * takes the lease itself). "probe" from a command only says whether the
 * agent runs here ("agent").
 */
static struct json_object *backup_request(struct json_object *req, struct hd_res *r, int from)
{
	const char *name = clp_msg_get_str(req, "hd");
	struct json_object *q, *a, *chk;
	char holder[64], err[256];
	bool current, check;
	int to;

	if (from < 0 && json_object_object_get_ex(req, "probe", &chk) &&
	    json_object_get_boolean(chk)) {
		/* Does the agent run here (clphdinit edits with it stopped)? */
		a = backup_reply(0, false, "%s: the hybrid disk agent %s on %s", name,
				 r ? "runs" : "does not run", clus.m->server);
		json_object_object_add(a, "agent", json_object_new_boolean(r != NULL));
		return a;
	}
	check = json_object_object_get_ex(req, "check", &chk) && json_object_get_boolean(chk);
	if (!r && from >= 0)	/* its resource may be active here, unrenewed */
		return backup_reply(CLP_EXIT_STATE, false, "%s: the hybrid disk agent does not run "
				    "on %s", name, clus.m->server);
	if (!r)
		return backup_reply(0, false, "%s: the hybrid disk agent does not run on %s", name,
				    clus.m->server);
	if (from >= 0 && clp_hd_group_of(&r->hd, clus.cfg.srv[from]) != r->hd.local_group)
		return backup_reply(CLP_EXIT_USAGE, false, "%s: %s is not in the server group of %s",
				    name, clus.cfg.srv[from], clus.m->server);
	pthread_mutex_lock(&hy.lock);
	current = r->current;
	pthread_mutex_unlock(&hy.lock);
	if (current)
		return backup_here(r, check);
	if (from >= 0)
		return backup_reply(CLP_EXIT_STATE, false, "%s: %s is not the current server of %s",
				    name, clus.m->server, r->hd.group[r->hd.local_group].name);
	if (!holder_alive(r, holder, sizeof(holder)) ||
	    clp_hd_group_of(&r->hd, holder) != r->hd.local_group ||
	    (to = clp_cluster_server(&clus.cfg, holder)) < 0 || to == clus.cfg.self) {
		/* No live current server: this agent is to take the lease
		 * (a command must not take it under the same name), unless
		 * the partition is in backup mode already. */
		if (clp_md_cp_backup(&r->hd.md) == 1)
			return backup_reply(0, true, "%s: the cluster partition of %s is in backup "
					    "mode already", name,
					    r->hd.group[r->hd.local_group].name);
		return backup_reply(CLP_EXIT_STATE, false, "%s: no server of %s is current yet (%s "
				    "is taking its lease): run the command again in a while",
				    name, r->hd.group[r->hd.local_group].name, clus.m->server);
	}
	q = json_object_new_object();
	json_object_object_add(q, "op", json_object_new_string("hd-backup"));
	json_object_object_add(q, "hd", json_object_new_string(name));
	json_object_object_add(q, "check", json_object_new_boolean(check));
	a = clp_msg_peer(&clus.cfg, to, q, 30000, err, sizeof(err));
	json_object_put(q);
	if (!a)
		return backup_reply(CLP_EXIT_ERROR, false, "%s: %s, the current server of %s, did "
				    "not answer: %s", name, holder, r->hd.group[r->hd.local_group].name,
				    err);
	return a;
}

/* "hd-release" from @server for @r (counted in hy.busy). */
static struct json_object *hand_over_request(struct hd_res *r, const char *server)
{
	if (clp_hd_group_of(&r->hd, server) != r->hd.local_group)
		return clp_msg_reply(CLP_EXIT_USAGE, "%s: %s is not in the server group of %s",
				     r->hd.name, server, hy.m->server);
	return hand_over(r, server);
}

struct json_object *hybrid_request(struct json_object *req, int from)
{
	const char *op = clp_msg_get_str(req, "op");
	const char *name = clp_msg_get_str(req, "hd");
	const char *server;
	struct json_object *a;
	struct hd_res *r;
	bool current, created;

	if (!name)
		return clp_msg_reply(CLP_EXIT_USAGE, "%s needs \"hd\"", op);
	if (strcmp(op, "hd-backup") && from < 0)
		return clp_msg_reply(CLP_EXIT_USAGE, "%s comes from daemons only", op);
	server = from >= 0 ? clus.cfg.srv[from] : clus.m->server;
	pthread_mutex_lock(&hy.lock);
	r = hy.stop ? NULL : find(name);
	if (r && strcmp(op, "hd-current")) {
		/* hand_over() and backup_request() use r unlocked */
		hy.busy++;
		pthread_mutex_unlock(&hy.lock);
		a = !strcmp(op, "hd-backup") ? backup_request(req, r, from) :
						hand_over_request(r, server);
		pthread_mutex_lock(&hy.lock);
		if (!--hy.busy)
			pthread_cond_broadcast(&hy.cond);
		pthread_mutex_unlock(&hy.lock);
		return a;
	}
	if (!strcmp(op, "hd-backup")) {
		pthread_mutex_unlock(&hy.lock);
		return backup_request(req, NULL, from);
	}
	if (!strcmp(op, "hd-release")) {
		pthread_mutex_unlock(&hy.lock);
		return clp_msg_reply(CLP_EXIT_USAGE, "%s: %s is not a member of its server groups "
				     "(or its cluster service is stopped)", name, clus.m->server);
	}
	if (r && clp_hd_group_of(&r->hd, server) != 1 - r->hd.local_group) {
		pthread_mutex_unlock(&hy.lock);
		return clp_msg_reply(CLP_EXIT_USAGE, "%s: %s is not in the other server group of "
				     "%s", name, server, clus.m->server);
	}
	current = r && r->current;
	created = current && r->created;
	if (current) {
		if (strcmp(r->peer, server))
			clp_event(EV, EV_PEER, "%s: %s is the current server of the other group: the "
				  "mirror goes to it", name, server);
		snprintf(r->peer, sizeof(r->peer), "%s", server);
		r->peer_seq++;
	}
	pthread_mutex_unlock(&hy.lock);
	/* The driver follows now when it can, else at the next renewals. */
	if (created)
		follow_peer(r);
	a = clp_msg_reply(0, "%s: %s is %sthe current server of its group", name, clus.m->server,
			  current ? "" : "not ");
	json_object_object_add(a, "current", json_object_new_boolean(current));
	return a;
}

const struct mgr_module mgr_mod_hybrid = {
	.name = "hybrid",
	.start = hybrid_start,
	.stop = hybrid_stop,
};
