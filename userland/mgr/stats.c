// SPDX-License-Identifier: GPL-2.0
/*
 * clpmgrd module "stats": system and process resource statistics (guide
 * 2.4, 2.5) and the cluster statistics of groups, group resources and
 * monitors (2.6). See stats.h. $CLP_SYS_STATS_SECS overrides the 60 s
 * sampling interval for tests.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clp_log.h"
#include "clp_stats.h"
#include "clp_sysperf.h"
#include "mgr.h"
#include "stats.h"
#include "ticker.h"

#define EV "stats"

static struct {
	struct ticker tk;
	bool system, cluster;	/* written once before any thread runs */
	/* The sampler thread's own: */
	bool told;		/* a system statistics failure was logged */
	struct clp_sys_sample prev;
	bool have_prev;
	struct clp_proc_prev pp;
	pthread_mutex_t write_lock;	/* serializes the cluster statistics files */
} st = { .write_lock = PTHREAD_MUTEX_INITIALIZER };

/* cluster/statistics/@name: 0 or 1, default 1. */
static int flag_conf(struct clp_conf *conf, const char *name, bool *out, char *err,
		     size_t errlen)
{
	char xp[64], key[64], buf[16];
	long line;
	bool found;
	int ret;

	snprintf(xp, sizeof(xp), "/root/cluster/statistics/%s", name);
	snprintf(key, sizeof(key), "cluster/statistics/%s", name);
	ret = clp_conf_key_text(conf, xp, key, buf, sizeof(buf), &line, &found, err, errlen);
	if (ret)
		return ret;
	*out = !found || !strcmp(buf, "1");
	if (found && strcmp(buf, "0") && strcmp(buf, "1"))
		return clp_conf_key_err(conf, line, key, err, errlen, "'%s' is not 0 or 1", buf);
	return 0;
}

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/perf/system/%s", clp_prefix(), name);
}

static void sample(void *arg)
{
	struct clp_sys_sample cur;
	char row[1024], path[512];
	char *rows = NULL;
	size_t len = 0;
	time_t now = time(NULL);
	FILE *f;
	int ret;

	ret = clp_sys_read("/proc", &cur);
	if (!ret && clp_sys_row(row, sizeof(row), now, st.have_prev ? &st.prev : NULL, &cur) < 0)
		ret = -EOVERFLOW;
	if (!ret) {
		path_of(path, sizeof(path), "system.cur");
		ret = clp_stats_append(path, clp_sys_header(), row, CLP_SYSPERF_SYSTEM_LIMIT, 1);
	}
	if (!ret) {
		st.prev = cur;
		st.have_prev = true;
		f = open_memstream(&rows, &len);
		ret = f ? 0 : -ENOMEM;
		if (f) {
			ret = clp_proc_rows("/proc", f, now, &st.pp, cur.cpu_total);
			fclose(f);
		}
		if (ret >= 0) {
			path_of(path, sizeof(path), "process.cur");
			ret = clp_stats_append(path, clp_proc_header(), rows,
					       CLP_SYSPERF_PROCESS_LIMIT, 1);
		}
		free(rows);
	}
	if (ret < 0 && !st.told)
		clp_event(EV, 2, "system resource statistics not recorded in %s/perf/system: %s",
			  clp_prefix(), strerror(-ret));
	st.told = ret < 0;
}

void stats_cluster(enum stats_kind kind, const char *type, const char *name,
		   const char *action, const char *result, int code,
		   const struct timespec *start)
{
	struct timespec end;

	clock_gettime(CLOCK_REALTIME, &end);
	stats_cluster_at(kind, type, name, action, result, code, start, &end);
}

void stats_cluster_at(enum stats_kind kind, const char *type, const char *name,
		      const char *action, const char *result, int code,
		      const struct timespec *start, const struct timespec *end)
{
	static const char *const dirs[] = { "group", "group", "monitor" };
	static const long limits[] = { CLP_STATS_GROUP_LIMIT, CLP_STATS_RES_LIMIT,
				       CLP_STATS_MON_LIMIT };
	char row[512], path[512];
	int ret;

	if (!st.cluster)
		return;
	if (clp_stats_cluster_row(row, sizeof(row), name, action, result, code, start, end) < 0)
		return;
	snprintf(path, sizeof(path), "%s/perf/cluster/%s/%s.cur", clp_prefix(), dirs[kind],
		 kind == STATS_GROUP ? "group" : type);
	pthread_mutex_lock(&st.write_lock);
	ret = clp_stats_append(path, clp_stats_cluster_header, row, limits[kind], 1);
	pthread_mutex_unlock(&st.write_lock);
	if (ret)
		clp_event(EV, 3, "cluster statistics not recorded in %s: %s", path, strerror(-ret));
}

static int stats_start(struct mgr *m)
{
	const char *e = getenv("CLP_SYS_STATS_SECS");
	char err[512];
	long secs;
	int ret;

	ret = clp_conf_key_unknown(m->conf, "/root/cluster/statistics", "cluster/statistics",
				   "self::system or self::cluster", err, sizeof(err));
	if (!ret)
		ret = flag_conf(m->conf, "system", &st.system, err, sizeof(err));
	if (!ret)
		ret = flag_conf(m->conf, "cluster", &st.cluster, err, sizeof(err));
	if (ret) {
		clp_event(EV, 1, "%s", err);
		return -1;
	}
	secs = e ? strtol(e, NULL, 10) : CLP_SYSPERF_INTERVAL;
	if (secs < 1 || secs > 86400)
		secs = CLP_SYSPERF_INTERVAL;
	st.have_prev = false;
	if (st.system && ticker_start(&st.tk, secs * 1000, sample, NULL) < 0)
		clp_event(EV, 2, "cannot start the system resource statistics");
	return 0;
}

static void stats_stop(struct mgr *m)
{
	ticker_stop(&st.tk);
	clp_proc_prev_free(&st.pp);
}

const struct mgr_module mgr_mod_stats = {
	.name = "stats",
	.start = stats_start,
	.stop = stats_stop,
};
