// SPDX-License-Identifier: GPL-2.0
/*
 * Resource agents of the cluster service: start, stop and "is it running
 * here" for each resource type (Documentation/cluster.md, "Resources").
 *
 *   md    activate the mirror disk (and mount it), deactivate (unmount
 *         first). At a failover the survivor's copy turned outdated when
 *         the mirror broke; it is made current (the driver's FORCE) only
 *         if the break came no earlier than the other server's last sign
 *         of life: a copy whose mirror broke while the other server still
 *         ran (and may have written alone) is never activated by itself.
 *   exec  run the start or stop script with a timeout (its process group
 *         is killed after it), output appended to <prefix>/log/<name>.log,
 *         environment CLP_EVENT, CLP_SERVER, CLP_SERVERNAME, CLP_GROUPNAME,
 *         CLP_RESOURCENAME.
 *   fip   add/remove the floating address (clp_fip.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clp_fip.h"
#include "clp_log.h"
#include "clp_md.h"
#include "clp_md_mount.h"
#include "clp_md_nl.h"
#include "cluster.h"
#include "mirror_perf.h"
#include "stats.h"
#include "fence.h"
#include "hybrid.h"
#include "clp_hd.h"
#include "clp_hd_lease.h"
#include "liscal_meta.h"

/*
 * The mirror disk view of resource @r: an md from clp.conf; an hd as the
 * hybrid disk agent has it once this server is the current server of its
 * group (waited for up to three lease times and a margin: a member
 * taking over a dead holder's lease).
 */
static int md_load(const struct clp_res *r, struct clp_md *md, struct clp_nl **nl, char *err,
		   size_t errlen)
{
	int ret;

	if (r->type == CLP_RES_HD)
		ret = hybrid_wait_current(r->name, 3 * CLP_HD_LEASE_MS_DEFAULT / 1000 + 10, md,
					  err, errlen) < 0 ? -EAGAIN : 0;
	else
		ret = clp_md_load(clus.m->conf, r->name, clus.m->server, md, err, errlen);
	if (ret == -EAGAIN)
		return CLP_EXIT_STATE;
	if (ret < 0)
		return CLP_EXIT_CONFIG;
	ret = clp_md_nl_open(nl);
	if (ret < 0) {
		snprintf(err, errlen, "the mirror driver liscal is not loaded");
		return CLP_EXIT_NOMODULE;
	}
	return 0;
}

static int md_get(struct clp_nl *nl, const char *name, struct clp_md_status *st, char *err,
		  size_t errlen)
{
	if (clp_md_nl_get(nl, name, st) < 0) {
		snprintf(err, errlen, "%s: not in the mirror driver: %s", name, clp_nl_errmsg(nl));
		return CLP_EXIT_STATE;
	}
	return 0;
}

/*
 * Whether the outdated copy of a failover may be made current (see top).
 * With fencing the fact decides where it can: a copy marked fenced lacks
 * acknowledged writes (RED); a copy this daemon saw turn outdated at the
 * break, not fenced, holds every write the other side acknowledged (it
 * acknowledged nothing after the break without this side's confirmation
 * or a won resolution, which would have fenced this copy first). Otherwise
 * (fencing off, or the break happened while this daemon did not run) the
 * timing rule.
 */
static int md_takeover_ok(const struct clp_md *md, const struct clp_md_status *st, char *err,
			  size_t errlen)
{
	int peer = clp_cluster_server(&clus.cfg, md->peer.server);
	time_t down = 0, last_alive;

	if (md->fencing && (st->sb_flags & LISCAL_SB_F_FENCED)) {
		snprintf(err, errlen, "%s: this copy is outdated (RED) and fenced: %s went on "
			 "writing without it; not activated (after checking, 'clpmdctrl --active "
			 "-force %s')", md->name, md->peer.server, md->name);
		return CLP_EXIT_STATE;
	}

	pthread_mutex_lock(&clus.lock);
	if (peer >= 0 && clus.srv[peer] == SRV_DOWN)
		down = clus.down_at[peer];
	pthread_mutex_unlock(&clus.lock);
	if (!down) {
		snprintf(err, errlen, "%s: this copy is outdated and %s is not known to be down: "
			 "not activated", md->name, md->peer.server);
		return CLP_EXIT_STATE;
	}
	if (md->fencing && fence_break_seen(md->name))
		return 0;
	/* Last heartbeat from the peer: the heartbeat timeout before "down";
	 * break_time has a resolution of a second. */
	last_alive = down - (clus.cfg.hb_timeout_ms + 999) / 1000;
	if (!st->break_time || (time_t)st->break_time + 2 < last_alive) {
		char when[32] = "never";
		struct tm tm;

		if (st->break_time) {
			time_t bt = (time_t)st->break_time;

			strftime(when, sizeof(when), "%F %T", localtime_r(&bt, &tm));
		}
		snprintf(err, errlen, "%s: this copy is outdated (RED): the mirror broke at %s, "
			 "while %s was still running and may have written alone; not "
			 "activated (after checking, 'clpmdctrl --active -force %s')",
			 md->name, when, md->peer.server, md->name);
		return CLP_EXIT_STATE;
	}
	return 0;
}

static bool peer_still_active(const struct clp_md_status *st)
{
	return st->conn == LISCAL_CONN_CONNECTED && st->peer_role == LISCAL_ROLE_ACTIVE;
}

static bool still_deciding(const struct clp_md_status *st)
{
	return st->role != LISCAL_ROLE_ACTIVE && st->disk != LISCAL_DISK_UPTODATE &&
	       !st->split_brain;
}

/* Poll the driver every 100 ms while @cond holds, at most @seconds. */
static int md_wait(struct clp_nl *nl, const struct clp_md *md, struct clp_md_status *st,
		   bool (*cond)(const struct clp_md_status *st), long seconds, char *err,
		   size_t errlen)
{
	struct timespec ts = { 0, 100000000 };
	long i;
	int ret;

	for (i = 0; cond(st) && i < seconds * 10; i++) {
		nanosleep(&ts, NULL);
		ret = md_get(nl, md->name, st, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

static int md_start(const struct clp_res *r, bool failover, char *err, size_t errlen)
{
	char points[1][CLP_MD_PATHLEN];
	struct clp_md_status st;
	struct clp_md md;
	struct clp_nl *nl = NULL;
	bool force = false;
	int ret;

	ret = md_load(r, &md, &nl, err, errlen);
	if (ret)
		return ret;
	ret = md_get(nl, md.name, &st, err, errlen);
	if (ret)
		goto out;
	/* The other server's death: wait until the mirror notices. A start
	 * right after the cluster's: the mirror may still be connecting and
	 * deciding which copy is current. */
	ret = md_wait(nl, &md, &st, failover ? peer_still_active : still_deciding,
		      failover ? md.pingtimeout * md.pingretry + md.hbinterval + 5 :
				 md.connecttimeout + 20, err, errlen);
	if (ret)
		goto out;
	if (st.role != LISCAL_ROLE_ACTIVE) {
		if (st.conn == LISCAL_CONN_CONNECTED && st.peer_role == LISCAL_ROLE_ACTIVE) {
			snprintf(err, errlen, "%s is active on %s (the mirror is connected)",
				 md.name, md.peer.server);
			ret = CLP_EXIT_STATE;
			goto out;
		}
		if (st.split_brain) {
			snprintf(err, errlen, "%s: split brain: both copies hold writes the other "
				 "lacks; resolve with 'clpmdctrl --force <server> %s'", md.name,
				 md.name);
			ret = CLP_EXIT_STATE;
			goto out;
		}
		if (st.disk != LISCAL_DISK_UPTODATE) {
			if (!failover || st.conn == LISCAL_CONN_CONNECTED ||
			    st.disk != LISCAL_DISK_OUTDATED) {
				snprintf(err, errlen, "%s: this server's copy is %s, not the latest "
					 "data: not activated", md.name, clp_md_disk_name(st.disk));
				ret = CLP_EXIT_STATE;
				goto out;
			}
			ret = md_takeover_ok(&md, &st, err, errlen);
			if (ret)
				goto out;
			force = true;
		}
		if (clp_md_nl_cmd(nl, LISCAL_CMD_ACTIVATE, md.name, force ? LISCAL_F_FORCE : 0) < 0) {
			snprintf(err, errlen, "%s: activation refused: %s", md.name,
				 clp_nl_errmsg(nl));
			ret = CLP_EXIT_STATE;
			goto out;
		}
		clp_event("rc", 30, "%s: activated%s", md.name,
			  force ? " (outdated copy made current: the other server is down)" : "");
	}
	if (md.mount_point[0] && clp_md_mounts(md.nmppath, points, 1) == 0 &&
	    clp_md_mount(&md, err, errlen) < 0) {
		clp_md_nl_cmd(nl, LISCAL_CMD_DEACTIVATE, md.name, 0);
		ret = CLP_EXIT_ERROR;
		goto out;
	}
	ret = 0;
out:
	clp_nl_close(nl);
	return ret;
}

/* Unmount and deactivate @md; closes @nl. */
static int md_stop_in(const struct clp_md *md, struct clp_nl *nl, char *err, size_t errlen)
{
	struct timespec t0, t1;
	struct clp_md_status st;
	int ret;

	ret = md_get(nl, md->name, &st, err, errlen);
	if (ret)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (clp_md_umount_all(md, err, errlen) < 0) {
		ret = CLP_EXIT_ERROR;
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	mirror_perf_unmounted(md->name, (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000 +
			      (uint64_t)(t1.tv_nsec - t0.tv_nsec) / 1000);
	if (st.role == LISCAL_ROLE_ACTIVE &&
	    clp_md_nl_cmd(nl, LISCAL_CMD_DEACTIVATE, md->name, 0) < 0) {
		snprintf(err, errlen, "%s: deactivation failed: %s", md->name, clp_nl_errmsg(nl));
		ret = CLP_EXIT_ERROR;
	}
out:
	clp_nl_close(nl);
	return ret;
}

static int md_stop(const struct clp_res *r, char *err, size_t errlen)
{
	struct clp_md md;
	struct clp_nl *nl = NULL;
	int ret;

	ret = md_load(r, &md, &nl, err, errlen);
	if (ret)
		return ret;
	return md_stop_in(&md, nl, err, errlen);
}

/*
 * Not the current server of the group: the resource is normally not in
 * this driver; when it still is (its lease lost while active and the
 * reset failed), it is stopped all the same.
 */
static int hd_stop(const struct clp_res *r, char *err, size_t errlen)
{
	struct clp_md_status st;
	struct clp_nl *nl = NULL;
	struct clp_hd hd;

	if (hybrid_is_current(r->name))
		return md_stop(r, err, errlen);
	if (clp_md_nl_open(&nl) < 0)
		return 0;	/* no driver: nothing of it here */
	if (clp_md_nl_get(nl, r->name, &st) == -ENOENT) {
		clp_nl_close(nl);
		return 0;
	}
	if (clp_hd_load(clus.m->conf, r->name, clus.m->server, NULL, &hd, err, errlen) < 0) {
		clp_nl_close(nl);
		return CLP_EXIT_CONFIG;
	}
	return md_stop_in(&hd.md, nl, err, errlen);
}

static int md_running(const struct clp_res *r)
{
	struct clp_md_status st;
	struct clp_nl *nl;
	int ret;

	if (clp_md_nl_open(&nl) < 0)
		return -1;
	ret = clp_md_nl_get(nl, r->name, &st) < 0 ? -1 : st.role == LISCAL_ROLE_ACTIVE;
	clp_nl_close(nl);
	return ret;
}

/* Run @script for @event; kill its process group after @timeout_s. */
static int exec_run(const struct clp_group *g, const struct clp_res *r, const char *script,
		    const char *event, long timeout_s, char *err, size_t errlen)
{
	char log[512], home[8];
	struct pollfd p;
	pid_t pid;
	int pfd, status = 0, n;

	snprintf(log, sizeof(log), "%s/log/%s.log", clp_prefix(), r->name);
	snprintf(home, sizeof(home), "%s", g->srv[0] == clus.cfg.self ? "HOME" : "OTHER");
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return CLP_EXIT_ERROR;
	}
	if (pid == 0) {
		sigset_t none;
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setsid();
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, 0);
		setenv("CLP_EVENT", event, 1);
		setenv("CLP_SERVER", home, 1);
		setenv("CLP_SERVERNAME", clus.m->server, 1);
		setenv("CLP_GROUPNAME", g->name, 1);
		setenv("CLP_RESOURCENAME", r->name, 1);
		execl(script, script, (char *)NULL);
		fprintf(stderr, "cannot run %s: %s\n", script, strerror(errno));
		_exit(127);
	}
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	p = (struct pollfd){ .fd = pfd, .events = POLLIN };
	do
		n = pfd >= 0 ? poll(&p, 1, (int)(timeout_s * 1000)) : 1;
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
		close(pfd);
		snprintf(err, errlen, "%s: %s did not finish within %ld s (99 : command is timeout)",
			 r->name, script, timeout_s);
		return CLP_EXIT_ERROR;
	}
	waitpid(pid, &status, 0);
	if (pfd >= 0)
		close(pfd);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(err, errlen, "%s: %s exited with %d (output in %s)", r->name, script,
			 WEXITSTATUS(status), log);
	else
		snprintf(err, errlen, "%s: %s killed by signal %d", r->name, script,
			 WTERMSIG(status));
	return CLP_EXIT_ERROR;
}

static int fip_do(const struct clp_res *r, int up, char *err, size_t errlen)
{
	struct clp_fip f;
	char e[256];
	int ret;

	if (clp_fip_parse(r->ip, &f, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "%s: %s", r->name, e);
		return CLP_EXIT_CONFIG;
	}
	snprintf(f.name, sizeof(f.name), "%s", r->name);
	if (up < 0)
		return clp_fip_check(&f, e, sizeof(e));
	ret = up ? clp_fip_up(&f, e, sizeof(e)) : clp_fip_down(&f, e, sizeof(e));
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", r->name, e);
		return CLP_EXIT_ERROR;
	}
	return 0;
}

static int start_type(const struct clp_group *g, int ri, bool failover, char *err, size_t errlen)
{
	const struct clp_res *r = &g->res[ri];

	switch (r->type) {
	case CLP_RES_MD:
	case CLP_RES_HD:
		return md_start(r, failover, err, errlen);
	case CLP_RES_EXEC:
		return exec_run(g, r, r->start, failover ? "FAILOVER" : "START", r->act.timeout_s,
				err, errlen);
	case CLP_RES_FIP:
		return fip_do(r, 1, err, errlen);
	}
	return CLP_EXIT_ERROR;
}

static int stop_type(const struct clp_group *g, int ri, char *err, size_t errlen)
{
	const struct clp_res *r = &g->res[ri];

	switch (r->type) {
	case CLP_RES_MD:
		return md_stop(r, err, errlen);
	case CLP_RES_HD:
		return hd_stop(r, err, errlen);
	case CLP_RES_EXEC:
		return exec_run(g, r, r->stop, "STOP", r->deact.timeout_s, err, errlen);
	case CLP_RES_FIP:
		return fip_do(r, 0, err, errlen);
	}
	return CLP_EXIT_ERROR;
}

/* The resource's row in its type's cluster statistics file. */
static void res_stats(const struct clp_res *r, const char *action, int ret, const char *err,
		      const struct timespec *t0)
{
	stats_cluster(STATS_RES, clp_res_type_name(r->type), r->name, action,
		      !ret ? "Success" : strstr(err, "is timeout") ? "Timeout" : "Failure", ret, t0);
}

int res_start(const struct clp_group *g, int ri, bool failover, char *err, size_t errlen)
{
	struct timespec t0;
	int ret;

	clock_gettime(CLOCK_REALTIME, &t0);
	ret = start_type(g, ri, failover, err, errlen);
	res_stats(&g->res[ri], "Start", ret, err, &t0);
	return ret;
}

int res_stop(const struct clp_group *g, int ri, char *err, size_t errlen)
{
	struct timespec t0;
	int ret;

	clock_gettime(CLOCK_REALTIME, &t0);
	ret = stop_type(g, ri, err, errlen);
	res_stats(&g->res[ri], "Stop", ret, err, &t0);
	return ret;
}

int res_running(const struct clp_group *g, int ri)
{
	const struct clp_res *r = &g->res[ri];
	char err[256];
	int ret;

	switch (r->type) {
	case CLP_RES_MD:
	case CLP_RES_HD:
		return md_running(r);
	case CLP_RES_FIP:
		ret = fip_do(r, -1, err, sizeof(err));
		return ret < 0 ? -1 : ret;
	case CLP_RES_EXEC:
		return -1;
	}
	return -1;
}
