// SPDX-License-Identifier: GPL-2.0
/*
 * clpmgrd module "userw": the user-mode stall monitor (guide 2.12.7). A
 * dedicated thread opens /dev/clpka, arms it with the monitor's timeout and
 * action (root/monitor/userw@<name>/{timeout,interval,action}; timeout and
 * interval default to the heartbeat's, action to RESET) and pings every
 * interval. If the daemon stalls (stopped, starved, deadlocked) longer than
 * the timeout, clpka resets or panics the server. A clean stop disarms.
 *
 * Each ping is a monitor execution of the guide's cluster statistics
 * (2.6): a row "Monitor" in perf/cluster/monitor/userw.cur. The ping thread
 * never writes a file (a stalled disk must not delay the ping that keeps
 * the server alive): it puts the sample in a small queue under its own
 * lock and a ticker thread writes the rows every second. A full queue
 * drops samples, counted and logged by the writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <clpstack/clpka.h>
#include <clpstack/clpkhb.h>

#include "clp_log.h"
#include "mgr.h"
#include "stats.h"
#include "ticker.h"

#define UW_QUEUE 256	/* samples between two writes (one a second) */

struct uw_sample {
	struct timespec start, end;	/* CLOCK_REALTIME */
	int err;			/* the ping's errno, 0 */
};

static struct {
	pthread_t thread;
	bool running;
	int fd;
	long interval_ms;
	struct mgr *m;
	pthread_mutex_t lock;	/* protects stop and cond */
	pthread_cond_t cond;
	bool stop;
	char name[64];		/* the monitor's, for its statistics rows */
	struct ticker writer;	/* writes the queued samples */
	/* Held for copies only, never across I/O: */
	pthread_mutex_t q_lock;	/* protects q, nq and dropped */
	struct uw_sample q[UW_QUEUE];
	int nq;
	unsigned long dropped;
	/* The writer's own: */
	unsigned long unreported;	/* dropped, not logged yet */
	int since_told;			/* writes since the last log */
} uw = { .fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER,
	 .q_lock = PTHREAD_MUTEX_INITIALIZER };

/* The ping thread: queue one sample (or count it dropped). */
static void userw_queue(const struct timespec *start, const struct timespec *end, int err)
{
	pthread_mutex_lock(&uw.q_lock);
	if (uw.nq < UW_QUEUE)
		uw.q[uw.nq++] = (struct uw_sample){ .start = *start, .end = *end, .err = err };
	else
		uw.dropped++;
	pthread_mutex_unlock(&uw.q_lock);
}

/* The writer: the queued samples become rows of userw.cur. @arg NULL: the
 * last write at the stop, which also logs what was dropped. */
static void userw_write(void *arg)
{
	struct uw_sample s[UW_QUEUE];
	unsigned long dropped;
	int i, n;

	pthread_mutex_lock(&uw.q_lock);
	n = uw.nq;
	memcpy(s, uw.q, sizeof(s[0]) * (size_t)n);
	uw.nq = 0;
	dropped = uw.dropped;
	uw.dropped = 0;
	pthread_mutex_unlock(&uw.q_lock);
	for (i = 0; i < n; i++)
		stats_cluster_at(STATS_MON, "userw", uw.name, "Monitor",
				 s[i].err ? "Failure" : "Success", s[i].err, &s[i].start, &s[i].end);
	/* Told at most once a minute (an interval of a few ms fills it). */
	uw.unreported += dropped;
	if (uw.unreported && (!arg || ++uw.since_told >= 60)) {
		clp_event("userw", 5, "%lu monitor statistics rows dropped (the writer fell behind "
			  "or the interval is shorter than a row takes)", uw.unreported);
		uw.unreported = 0;
		uw.since_told = 0;
	}
}

static void *userw_thread(void *arg)
{
	struct timespec ts;

	(void)arg;
	pthread_mutex_lock(&uw.lock);
	while (!uw.stop) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += uw.interval_ms / 1000;
		ts.tv_nsec += (uw.interval_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while (!uw.stop && pthread_cond_timedwait(&uw.cond, &uw.lock, &ts) == 0)
			;
		if (uw.stop)
			break;
		{
			struct timespec t0, t1;
			int err = 0;

			clock_gettime(CLOCK_REALTIME, &t0);
			if (ioctl(uw.fd, CLPKA_IOC_PING) < 0) {
				err = errno;
				clp_event("userw", 3, "keepalive ping failed: %s", strerror(err));
			}
			clock_gettime(CLOCK_REALTIME, &t1);
			userw_queue(&t0, &t1, err);
		}
	}
	pthread_mutex_unlock(&uw.lock);
	return NULL;
}

static int userw_start(struct mgr *m)
{
	struct clpka_arm a = { 0 };
	pthread_condattr_t ca;
	char xp[256];
	const char *name, *act;
	long tmo, hbtmo, hbint, ival;

	if (clp_conf_count(m->conf, "/root/monitor/userw") <= 0)
		return 0;
	name = clp_conf_name_at(m->conf, "/root/monitor/userw", 0);
	if (clp_conf_int(m->conf, "/root/cluster/heartbeat/timeout", CLPKHB_MIN_TIMEOUT_MS,
			 CLPKHB_MAX_TIMEOUT_MS, CLPKHB_DEF_TIMEOUT_MS, &hbtmo) < 0 ||
	    clp_conf_int(m->conf, "/root/cluster/heartbeat/interval", CLPKHB_MIN_INTERVAL_MS,
			 CLPKHB_MAX_INTERVAL_MS, CLPKHB_DEF_INTERVAL_MS, &hbint) < 0)
		goto err_conf;
	snprintf(xp, sizeof(xp), "/root/monitor/userw[@name='%s']/timeout", name);
	/* With groups, below the heartbeat timeout (clp_grp.c, check_timing). */
	if (clp_conf_int(m->conf, xp, CLPKA_MIN_TIMEOUT_MS, CLPKA_MAX_TIMEOUT_MS,
			 clp_conf_count(m->conf, "/root/group") > 0 ? hbtmo - hbint : hbtmo,
			 &tmo) < 0)
		goto err_conf;
	snprintf(xp, sizeof(xp), "/root/monitor/userw[@name='%s']/interval", name);
	if (clp_conf_int(m->conf, xp, CLPKA_MIN_INTERVAL_MS, tmo - 1, hbint < tmo ? hbint : tmo / 4, &ival) < 0)
		goto err_conf;
	snprintf(xp, sizeof(xp), "/root/monitor/userw[@name='%s']/action", name);
	act = clp_conf_str(m->conf, xp, "RESET");
	a.action = !strcasecmp(act, "PANIC") ? CLPKA_ACTION_PANIC :
		   !strcasecmp(act, "LOG") ? CLPKA_ACTION_LOG : CLPKA_ACTION_RESET;
	a.timeout_ms = (uint32_t)tmo;
	snprintf(a.name, sizeof(a.name), "%s", name);

	uw.fd = open("/dev/clpka", O_WRONLY | O_CLOEXEC);
	if (uw.fd < 0) {
		clp_event("userw", 2, "cannot open /dev/clpka: %s%s", strerror(errno),
			  errno == ENOENT ? " (is the clpka module loaded?)" : "");
		return -1;
	}
	if (ioctl(uw.fd, CLPKA_IOC_ARM, &a) < 0) {
		clp_event("userw", 2, "cannot arm the keepalive: %s", strerror(errno));
		goto err_close;
	}
	uw.interval_ms = ival;
	uw.stop = false;
	uw.m = m;
	snprintf(uw.name, sizeof(uw.name), "%s", name);
	uw.nq = 0;
	uw.dropped = 0;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&uw.cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&uw.thread, NULL, userw_thread, NULL) != 0) {
		clp_event("userw", 2, "cannot start the monitor thread");
		ioctl(uw.fd, CLPKA_IOC_DISARM);
		goto err_close;
	}
	uw.running = true;
	uw.unreported = 0;
	uw.since_told = 60;
	if (ticker_start(&uw.writer, 1000, userw_write, &uw) < 0)
		clp_event("userw", 5, "no writer thread: monitor statistics are not recorded");
	clp_event("userw", 1, "user-mode monitor %s started: timeout %ld ms, interval %ld ms, action %s",
		  name, tmo, ival, a.action == CLPKA_ACTION_PANIC ? "PANIC" :
		  a.action == CLPKA_ACTION_LOG ? "LOG" : "RESET");
	return 0;

err_close:
	close(uw.fd);
	uw.fd = -1;
	return -1;
err_conf:
	clp_event("userw", 2, "%s", clp_conf_error(m->conf));
	return -1;
}

static void userw_stop(struct mgr *m)
{
	(void)m;
	if (!uw.running)
		return;
	pthread_mutex_lock(&uw.lock);
	uw.stop = true;
	pthread_cond_signal(&uw.cond);
	pthread_mutex_unlock(&uw.lock);
	pthread_join(uw.thread, NULL);
	if (uw.writer.running) {
		ticker_stop(&uw.writer);
		userw_write(NULL);
	}
	if (ioctl(uw.fd, CLPKA_IOC_DISARM) < 0)
		clp_event("userw", 3, "cannot disarm the keepalive: %s", strerror(errno));
	close(uw.fd);
	uw.fd = -1;
	uw.running = false;
	clp_event("userw", 4, "user-mode monitor stopped");
}

const struct mgr_module mgr_mod_userw = {
	.name = "userw",
	.start = userw_start,
	.stop = userw_stop,
};
