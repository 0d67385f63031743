// SPDX-License-Identifier: GPL-2.0
/* Mirror statistics sampler of the mirror agent. See mirror_perf.h. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clp_log.h"
#include "clp_md_nl.h"
#include "clp_md_perf.h"
#include "mirror_perf.h"
#include "ticker.h"

#define EV "mirror"
#define EV_PERF_FAILED 27

/* Written before the sampler thread starts, then used by it alone. */
static struct {
	struct ticker tk;
	struct clp_nl *nl;
	double last;		/* CLOCK_MONOTONIC s of the last sample */
	int n, first_hybrid;
	struct clp_md md[2 * CLP_MD_MAX];
	struct clp_md_status prev[2 * CLP_MD_MAX];
	bool have_prev[2 * CLP_MD_MAX];
	bool told[2 * CLP_MD_MAX];	/* a failure was logged (no repeats) */
	char dir[512];
} perf;

/* Unmount times by resource name, kept while clpmgrd runs (whether or not
 * the sampler does). */
static struct {
	pthread_mutex_t lock;	/* protects n and t */
	int n;
	struct { char name[CLP_MD_NAMELEN]; struct clp_md_perf_agent ag; } t[CLP_MD_MAX];
} umt = { .lock = PTHREAD_MUTEX_INITIALIZER };

void mirror_perf_unmounted(const char *name, uint64_t us)
{
	int i;

	pthread_mutex_lock(&umt.lock);
	for (i = 0; i < umt.n && strcmp(umt.t[i].name, name); i++)
		;
	if (i == umt.n && umt.n < CLP_MD_MAX)
		snprintf(umt.t[umt.n++].name, sizeof(umt.t[0].name), "%s", name);
	if (i < umt.n) {
		umt.t[i].ag.umount_last_us = us;
		if (us > umt.t[i].ag.umount_max_us)
			umt.t[i].ag.umount_max_us = us;
	}
	pthread_mutex_unlock(&umt.lock);
}

static struct clp_md_perf_agent agent_of(const char *name)
{
	struct clp_md_perf_agent ag = { 0 };
	int i;

	pthread_mutex_lock(&umt.lock);
	for (i = 0; i < umt.n; i++)
		if (!strcmp(umt.t[i].name, name))
			ag = umt.t[i].ag;
	pthread_mutex_unlock(&umt.lock);
	return ag;
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sample(struct clp_nl *nl, int i, double interval)
{
	struct clp_md_perf_agent ag = agent_of(perf.md[i].name);
	struct clp_md_status st;
	char row[4096];
	int ret;

	ret = clp_md_nl_get_flags(nl, perf.md[i].name, LISCAL_F_STATS_PERIOD, &st);
	if (ret == -ENOENT && i >= perf.first_hybrid) {
		/* a hybrid disk: not the current server of its group now */
		perf.have_prev[i] = false;
		return;
	}
	if (ret == 0 && clp_md_perf_row(row, sizeof(row), time(NULL),
					perf.have_prev[i] ? &perf.prev[i] : NULL, &st,
					interval, &ag) > 0)
		ret = clp_md_perf_append(perf.dir, perf.md[i].nmp, row, CLP_MD_PERF_LIMIT);
	if (ret < 0 && !perf.told[i])
		clp_event(EV, EV_PERF_FAILED, "%s: mirror statistics not recorded in %s: %s",
			  perf.md[i].name, perf.dir, ret == -ENOENT ? "not in the driver" :
			  strerror(-ret));
	perf.told[i] = ret < 0;
	if (ret == 0) {
		perf.prev[i] = st;
		perf.have_prev[i] = true;
	}
}

static void perf_tick(void *arg)
{
	int i;

	for (i = 0; i < perf.n; i++)
		sample(perf.nl, i, mono() - perf.last);
	perf.last = mono();
}

int mirror_perf_start(const struct clp_md *mds, int n, int first_hybrid)
{
	if (n <= 0 || n > 2 * CLP_MD_MAX)
		return 0;
	perf.n = n;
	perf.first_hybrid = first_hybrid;
	memcpy(perf.md, mds, sizeof(*mds) * (size_t)n);
	memset(perf.have_prev, 0, sizeof(perf.have_prev));
	snprintf(perf.dir, sizeof(perf.dir), "%s/perf/disk", clp_prefix());
	if (clp_md_nl_open(&perf.nl) < 0)
		return -1;
	perf.last = mono();
	if (ticker_start(&perf.tk, CLP_MD_PERF_INTERVAL * 1000L, perf_tick, NULL) < 0) {
		clp_nl_close(perf.nl);
		return -1;
	}
	return 0;
}

void mirror_perf_stop(void)
{
	if (!perf.tk.running)
		return;
	ticker_stop(&perf.tk);
	clp_nl_close(perf.nl);
}
