// SPDX-License-Identifier: GPL-2.0
/*
 * The mirror agent, a module of clpmgrd (Documentation/commands.md,
 * "clpmgrd").
 *
 * At start it reads every resource/md@<name> of clp.conf, creates the
 * kernel resources in the liscal driver (or checks that the ones already
 * there match), which makes the driver connect to the other server. Then a
 * thread listens to the driver's "events" multicast group, logs every state
 * change with an event id (module "mirror", id 100 + the driver's reason)
 * and decides what the agent does on its own:
 *   - initial mirror construction (fullcopy = 1): when both copies are
 *     fresh (never mirrored), the server with node id 0 makes its copy the
 *     source of a full copy; when only the other copy is fresh, the server
 *     holding the current data starts a full copy to it;
 *   - fullcopy = 0: when both copies are fresh, the server with node id 0
 *     has the driver assume the normal state (both current, nothing
 *     copied); a fresh copy facing a current one waits for
 *     'clpmdctrl --force <source_server> <md>' (the driver, told
 *     auto-construct 0, does not start it either);
 *   - automatic mirror recovery (cluster/mirroragent/autorecovery = 1):
 *     when connected and the other copy is outdated, the server holding the
 *     current data starts a differential recovery;
 *   - split brain: nothing is copied; the event says how to resolve it.
 * With cluster/mirroragent/statistics = 1 a second thread records the
 * mirror statistics files (mirror_perf.c).
 * The kernel resources stay when clpmgrd stops: mirroring does not depend
 * on the agent running.
 *
 * Hybrid disks (hybrid.c) join the agent while this server is the
 * current server of its group (mirror_add(), mirror_remove()): the same
 * decisions apply to them. agent.lock serialises the resource table and
 * the requests socket between the event thread and hybrid.c.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "clp_hd.h"
#include "clp_log.h"
#include "clp_md_init.h"
#include "clp_md_nl.h"
#include "clp_md_state.h"
#include "mgr.h"
#include "fence.h"
#include "mirror.h"
#include "mirror_perf.h"

#define EV "mirror"

/* Event ids of the agent itself (driver state changes: 100 + reason). */
enum {
	EV_CREATED = 10,	/* resource created in the driver */
	EV_PRESENT = 11,	/* already in the driver, settings match */
	EV_CREATE_FAILED = 12,
	EV_MISMATCH = 13,	/* in the driver with other settings */
	/* 14 (a configured feature the driver lacked): every mirror disk
	 * parameter of clp.conf is implemented now. */
	EV_NOMODULE = 15,
	EV_CONSTRUCTION = 20,	/* initial mirror construction started */
	EV_AUTORECOVERY = 21,	/* automatic mirror recovery started */
	EV_START_FAILED = 22,	/* starting a recovery failed */
	EV_CONSTRUCTION_OFF = 23,	/* fullcopy 0: waiting for the administrator */
	EV_SPLIT_BRAIN = 24,
	EV_AUTORECOVERY_OFF = 25,
	EV_LISTEN_FAILED = 26,
	EV_PERF_FAILED = 27,	/* mirror statistics not recorded (mirror_perf.c) */
	EV_ASSUMED = 28,	/* fullcopy 0, both fresh: normal state assumed */
	EV_NO_CURRENT = 29,	/* neither copy current nor both fresh: wait */
	EV_INITIALISED = 30,	/* a blank cluster partition initialised */
	EV_READ_WRITE = 31,	/* the data partition's read-only flag cleared */
	EV_STATE_BASE = 100,
};

struct mirror_res {
	struct clp_md md;
	/* Notices already logged since the last connection (no repeats). */
	bool told_off, told_split;
};

static struct {
	struct mgr *m;
	pthread_mutex_t lock;	/* n, res[], cmd after start */
	struct clp_nl *cmd;	/* requests (used by start, then under lock) */
	struct clp_nl *ev;	/* the events group */
	pthread_t thread;
	bool running;
	int n;
	struct mirror_res res[CLP_MD_MAX];
} agent = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct mirror_res *find_res(const char *name)
{
	int i;

	for (i = 0; i < agent.n; i++)
		if (!strcmp(agent.res[i].md.name, name))
			return &agent.res[i];
	return NULL;
}

static void start_recovery(struct mirror_res *r, uint32_t flags, int source, int ev,
			   const char *what)
{
	int ret = clp_md_nl_recovery(agent.cmd, r->md.name, flags, source);

	if (ret < 0)
		clp_event(EV, EV_START_FAILED, "%s: starting %s failed: %s", r->md.name, what,
			  clp_nl_errmsg(agent.cmd));
	else
		clp_event(EV, ev, "%s: %s started", r->md.name, what);
}

/*
 * fullcopy 0 with both copies fresh: both are taken as identical and
 * current, nothing copied (the administrator's word that the data
 * partitions are the same image, or both zeroed).
 */
static void assume_sync(struct mirror_res *r)
{
	int ret = clp_md_nl_recovery(agent.cmd, r->md.name, LISCAL_F_ASSUME_SYNC, -1);

	if (ret < 0)
		clp_event(EV, EV_START_FAILED, "%s: assuming the normal state failed: %s",
			  r->md.name, clp_nl_errmsg(agent.cmd));
	else
		clp_event(EV, EV_ASSUMED, "%s: initial mirror construction is off (fullcopy 0) "
			  "and both copies are fresh: the normal state is assumed, both copies "
			  "current, nothing copied", r->md.name);
}

/* What the agent does on its own for a resource in state @st. */
static void decide(struct mirror_res *r, const struct clp_md_status *st)
{
	const struct clp_md *md = &r->md;

	if (st->conn != LISCAL_CONN_CONNECTED) {
		r->told_off = false;
		r->told_split = false;
		return;
	}
	if (st->recovery_dir != LISCAL_RECOVERY_NONE)
		return;
	if (st->split_brain) {
		if (!r->told_split)
			clp_event(EV, EV_SPLIT_BRAIN,
				  "%s: split brain: both servers changed the data while "
				  "disconnected; nothing is copied. Keep one server's data with "
				  "'clpmdctrl --force <server> %s'", md->name, md->name);
		r->told_split = true;
		return;
	}
	if (st->peer_disk == LISCAL_DISK_INCONSISTENT &&
	    (st->disk == LISCAL_DISK_INCONSISTENT || st->disk == LISCAL_DISK_UPTODATE)) {
		if (!md->fullcopy && st->disk == LISCAL_DISK_INCONSISTENT && st->fresh &&
		    st->peer_fresh) {
			/* Both fresh (guide 2.14.2, 2.20.1): the normal state is assumed. */
			if (md->local.node_id == 0 && !r->told_off)
				assume_sync(r);
			r->told_off = true;
			return;
		}
		if (!md->fullcopy && (st->peer_fresh || st->disk == LISCAL_DISK_INCONSISTENT)) {
			if (!r->told_off)
				clp_event(EV, EV_CONSTRUCTION_OFF,
					  "%s: initial mirror construction is off (fullcopy 0): "
					  "start it with 'clpmdctrl --force <source_server> %s'",
					  md->name, md->name);
			r->told_off = true;
			return;
		}
		if (st->disk == LISCAL_DISK_UPTODATE && !st->peer_fresh) {
			/*
			 * Not a fresh copy: one restored from a disk image (guide
			 * 2.20.2 after 'clpmdctrl --force', 2.20.3) or whose
			 * recovery was cancelled. An interrupted recovery is the
			 * driver's to resume at the handshake; the rest waits for
			 * the administrator (2.20.2 step 13).
			 */
			if (!r->told_off)
				clp_event(EV, EV_NO_CURRENT,
					  "%s: the other server's copy is not current (restored from a "
					  "disk image, or its recovery cancelled): start the copy with "
					  "'clpmdctrl --recovery %s'", md->name, md->name);
			r->told_off = true;
			return;
		}
		if (st->disk == LISCAL_DISK_UPTODATE) {
			/* A fresh copy (fullcopy 1). */
			start_recovery(r, LISCAL_F_FULL, -1, EV_CONSTRUCTION,
				       "initial mirror construction (full copy to the other server)");
			return;
		}
		if (!st->fresh || !st->peer_fresh) {
			/*
			 * Neither copy is current, and they are not both fresh:
			 * both restored from their own disk images (guide
			 * 2.20.2) or both interrupted. Which holds the data to
			 * keep is the administrator's choice, never node 0's.
			 */
			if (!r->told_off)
				clp_event(EV, EV_NO_CURRENT,
					  "%s: neither copy is current (restored from disk images?): "
					  "nothing is copied; run 'clpmdctrl --force %s' on the server "
					  "whose data is to be kept", md->name, md->name);
			r->told_off = true;
			return;
		}
		/* Both fresh: the server with node id 0 is the source. */
		if (md->local.node_id == 0)
			start_recovery(r, LISCAL_F_FORCE | LISCAL_F_FULL, (int)md->local.node_id,
				       EV_CONSTRUCTION,
				       "initial mirror construction (full copy from this server)");
		return;
	}
	if (st->disk == LISCAL_DISK_UPTODATE && st->peer_disk == LISCAL_DISK_OUTDATED) {
		if (!md->cluster.autorecovery) {
			if (!r->told_off)
				clp_event(EV, EV_AUTORECOVERY_OFF,
					  "%s: automatic mirror recovery is off: start it with "
					  "'clpmdctrl --recovery %s'", md->name, md->name);
			r->told_off = true;
			return;
		}
		start_recovery(r, 0, -1, EV_AUTORECOVERY, "automatic mirror recovery");
	}
}

static void decide_now(struct mirror_res *r)
{
	struct clp_md_status st;

	if (clp_md_nl_get(agent.cmd, r->md.name, &st) == 0) {
		fence_note(&st);
		decide(r, &st);
	}
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct clp_md_status st;
	struct mirror_res *r;
	int old;

	/* Runs inside clp_nl_recv(), where the thread may be cancelled: not
	 * while it logs or holds agent.lock. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	if (clp_nl_cmd(nlh) != LISCAL_CMD_STATE_CHANGE || clp_md_nl_parse(nlh, &st) < 0)
		goto out;
	clp_event(EV, EV_STATE_BASE + (int)st.reason,
		  "%s: %s%s%s (role %s, %s, disk %s, other server's disk %s%s)", st.name,
		  clp_md_reason_name(st.reason), st.message[0] ? ": " : "", st.message,
		  clp_md_role_name(st.role), clp_md_conn_name(st.conn), clp_md_disk_name(st.disk),
		  clp_md_disk_name(st.peer_disk), st.split_brain ? ", split brain" : "");
	fence_note(&st);
	pthread_mutex_lock(&agent.lock);
	r = find_res(st.name);
	if (r)
		decide_now(r);
	pthread_mutex_unlock(&agent.lock);
out:
	pthread_setcancelstate(old, NULL);
	return MNL_CB_OK;
}

static void *event_thread(void *arg)
{
	int ret, old;

	/* Cancelled by stop() only while waiting for an event. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	for (;;) {
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
		pthread_testcancel();
		ret = clp_nl_recv(agent.ev, event_cb, NULL);
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
		if (ret < 0 && ret != -EINTR && ret != -ENOBUFS) {
			clp_event(EV, EV_LISTEN_FAILED, "listening to liscal events failed: %s",
				  strerror(-ret));
			break;
		}
		if (ret == -ENOBUFS) {
			/* Events were lost: look at every resource again. */
			int i;

			pthread_mutex_lock(&agent.lock);
			for (i = 0; i < agent.n; i++)
				decide_now(&agent.res[i]);
			pthread_mutex_unlock(&agent.lock);
		}
	}
	return NULL;
}

/* The resource is in the driver already: same devices and peers? */
static int check_present(const struct mirror_res *r, const struct clp_md_status *st)
{
	const struct clp_md *md = &r->md;
	char local[64], peer[64];

	snprintf(local, sizeof(local), "%s:%ld", md->local.addr, md->port);
	snprintf(peer, sizeof(peer), "%s:%ld", md->peer.addr, md->port);
	if (st->minor == md->nmp && !strcmp(st->data_path, md->local.dppath) &&
	    !strcmp(st->cp_path, md->local.cppath) && !strcmp(st->local_addr, local) &&
	    !strcmp(st->peer_addr, peer) && st->node_id == md->local.node_id) {
		/* clp.conf may have changed the timeouts since it was created. */
		if (clp_md_nl_set(agent.cmd, md) < 0) {
			clp_event(EV, EV_MISMATCH, "%s: applying clp.conf's parameters failed: %s",
				  md->name, clp_nl_errmsg(agent.cmd));
			return -1;
		}
		clp_event(EV, EV_PRESENT, "%s: already configured in the driver; parameters of "
			  "clp.conf applied", md->name);
		return 0;
	}
	clp_event(EV, EV_MISMATCH,
		  "%s: the driver has it with other settings (NMP%u %s %s %s -> %s, node %u); "
		  "deactivate it and remove it from the driver, or fix clp.conf", md->name,
		  st->minor, st->data_path, st->cp_path, st->local_addr, st->peer_addr,
		  st->node_id);
	return -1;
}

static int setup_res(struct mirror_res *r)
{
	struct clp_md_status st;
	int ret;

	ret = clp_md_nl_get(agent.cmd, r->md.name, &st);
	if (ret == 0)
		return check_present(r, &st);
	/* Backup mode (clpbackup.sh --pre) ends with clpbackup.sh --post only. */
	if (clp_md_cp_backup(&r->md) == 1) {
		clp_event(EV, EV_CREATE_FAILED, "%s: the cluster partition %s is in backup mode "
			  "(clpbackup.sh --pre): run clpbackup.sh --post", r->md.name,
			  r->md.local.cppath);
		return -1;
	}
	/*
	 * A new disk (guide 2.14, 2.16.1 step 5): its blank cluster partition
	 * is initialised here as 'clpmdinit --create quick' does (the whole
	 * metadata area must be zero), with the initial mkfs when configured.
	 * The copy is fresh: the initial mirror construction fills it.
	 */
	if (clp_md_cp_blank(&r->md) == 1) {
		if (clp_md_init_cp(&r->md, CLP_MD_INIT_QUICK) != CLP_EXIT_OK) {
			clp_event(EV, EV_CREATE_FAILED, "%s: initialising the blank cluster "
				  "partition %s failed (above): initialise it with clpmdinit",
				  r->md.name, r->md.local.cppath);
			return -1;
		}
		clp_event(EV, EV_INITIALISED, "%s: the blank cluster partition %s initialised "
			  "(a new disk)%s", r->md.name, r->md.local.cppath,
			  r->md.mkfs ? ", file system created on the data partition" : "");
	}
	/* clproset -o (guide 2.22) kept the data partition read-only until
	 * the mirror takes it back. */
	if (clp_md_dp_ro(&r->md, 0, false, &ret) == CLP_EXIT_OK && ret)
		clp_event(EV, EV_READ_WRITE, "%s: the data partition %s was read-only (clproset "
			  "-o): read/write again for the mirror", r->md.name, r->md.local.dppath);
	ret = clp_md_nl_create(agent.cmd, &r->md, r->md.local.node_id, 0);
	if (ret < 0) {
		clp_event(EV, EV_CREATE_FAILED, "%s: creating %s on %s (cluster partition %s) "
			  "failed: %s", r->md.name, r->md.nmppath, r->md.local.dppath,
			  r->md.local.cppath, clp_nl_errmsg(agent.cmd));
		return -1;
	}
	clp_event(EV, EV_CREATED, "%s: %s created on %s, mirror connect %s -> %s:%ld",
		  r->md.name, r->md.nmppath, r->md.local.dppath, r->md.local.addr,
		  r->md.peer.addr, r->md.port);
	return 0;
}

static void close_all(void)
{
	clp_nl_close(agent.ev);
	clp_nl_close(agent.cmd);
	agent.ev = NULL;
	agent.cmd = NULL;
}

/* The hybrid disks of which this server is a member, as mirror disks. */
static int hybrid_disks(struct mgr *m, struct clp_md *out, int max)
{
	int i, n = clp_hd_count(m->conf), k = 0;
	char err[1024];
	struct clp_hd hd;

	for (i = 0; i < n && k < max; i++) {
		const char *name = clp_hd_name_at(m->conf, i);

		if (name && clp_hd_load(m->conf, name, m->server, NULL, &hd, err, sizeof(err)) == 0)
			out[k++] = hd.md;
	}
	return k;
}

static int mirror_start(struct mgr *m)
{
	static struct clp_md mds[2 * CLP_MD_MAX];
	char err[1024];
	int i, n, nh, ret;

	pthread_mutex_lock(&agent.lock);
	agent.n = 0;
	pthread_mutex_unlock(&agent.lock);
	agent.m = m;
	agent.running = false;
	n = clp_md_count(m->conf);
	if (n == 0 && clp_hd_count(m->conf) == 0)
		return 0;
	if (clp_md_check_all(m->conf, m->server, err, sizeof(err)) < 0) {
		clp_err("%s", err);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const char *name = clp_md_name_at(m->conf, i);

		if (!name || clp_md_load(m->conf, name, m->server, &agent.res[i].md, err,
					 sizeof(err)) < 0) {
			clp_err("%s", err);
			return -1;
		}
	}
	agent.n = n;

	ret = clp_md_nl_open(&agent.cmd);
	if (ret == 0)
		ret = clp_md_nl_open(&agent.ev);
	if (ret < 0) {
		clp_event(EV, EV_NOMODULE, "%s", ret == -ENOENT ?
			  "the liscal module is not loaded: mirror disks cannot run" :
			  "cannot open generic netlink");
		close_all();
		return -1;
	}
	/* Join before creating anything, so that no state change is missed. */
	if (clp_nl_join(agent.ev, LISCAL_MCGRP_EVENTS) < 0) {
		clp_event(EV, EV_LISTEN_FAILED, "cannot listen to liscal events: %s",
			  clp_nl_errmsg(agent.ev));
		close_all();
		return -1;
	}
	for (i = 0; i < agent.n; i++) {
		if (setup_res(&agent.res[i]) < 0) {
			close_all();
			return -1;
		}
	}
	for (i = 0; i < agent.n; i++)
		mds[i] = agent.res[i].md;
	if (fence_start(mds, agent.n) < 0) {
		close_all();
		return -1;
	}
	/* a fenced resource (a restarted daemon) is picked up here */
	for (i = 0; i < agent.n; i++)
		decide_now(&agent.res[i]);
	ret = pthread_create(&agent.thread, NULL, event_thread, NULL);
	if (ret) {
		clp_err("cannot start the mirror agent thread: %s", strerror(ret));
		fence_stop();
		close_all();
		return -1;
	}
	agent.running = true;
	/* The hybrid disks of which this server is a member: sampled while it
	 * is their group's current server. */
	nh = hybrid_disks(m, mds + agent.n, CLP_MD_MAX);
	if (agent.n + nh && mds[0].cluster.statistics) {
		if (mirror_perf_start(mds, agent.n + nh, agent.n) < 0)
			clp_event(EV, EV_PERF_FAILED, "mirror statistics cannot be recorded");
	}
	return 0;
}

static void mirror_stop(struct mgr *m)
{
	mirror_perf_stop();
	if (agent.running) {
		pthread_cancel(agent.thread);
		pthread_join(agent.thread, NULL);
		agent.running = false;
	}
	fence_stop();
	close_all();
}

int mirror_add(const struct clp_md *md)
{
	struct mirror_res *r;
	int ret = -1;

	pthread_mutex_lock(&agent.lock);
	if (!agent.running || !agent.cmd) {
		clp_event(EV, EV_NOMODULE, "%s: the mirror agent does not run", md->name);
		goto out;
	}
	r = find_res(md->name);
	if (!r) {
		if (agent.n == CLP_MD_MAX) {
			clp_event(EV, EV_CREATE_FAILED, "%s: the mirror agent watches %d resources "
				  "already (the most)", md->name, CLP_MD_MAX);
			goto out;
		}
		r = &agent.res[agent.n];
	}
	memset(r, 0, sizeof(*r));
	r->md = *md;
	if (setup_res(r) < 0)
		goto out;
	if (r == &agent.res[agent.n])
		agent.n++;
	decide_now(r);
	ret = 0;
out:
	pthread_mutex_unlock(&agent.lock);
	return ret;
}

void mirror_remove(const char *name)
{
	struct mirror_res *r;

	pthread_mutex_lock(&agent.lock);
	r = find_res(name);
	if (r) {
		*r = agent.res[agent.n - 1];
		agent.n--;
	}
	pthread_mutex_unlock(&agent.lock);
}

const struct mgr_module mgr_mod_mirror = {
	.name = "mirror",
	.start = mirror_start,
	.stop = mirror_stop,
};
