/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A thread calling a function every interval until stopped: the samplers
 * of the statistics files (mirror_perf.c, hb_stats.c, stats.c). The
 * interval is measured on CLOCK_MONOTONIC from the previous deadline; a
 * stop wakes the thread at once.
 */
#ifndef CLP_MGR_TICKER_H
#define CLP_MGR_TICKER_H

#include <pthread.h>
#include <stdbool.h>

struct ticker {
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;	/* protects stop */
	pthread_cond_t cond;	/* signalled when stop is set */
	bool stop;
	long ms;
	void (*tick)(void *arg);
	void *arg;
};

/* Call @tick(@arg) every @ms milliseconds in a new thread. 0 or -1. */
int ticker_start(struct ticker *t, long ms, void (*tick)(void *arg), void *arg);
/* Stop and join it (nothing when it does not run). */
void ticker_stop(struct ticker *t);

#endif /* CLP_MGR_TICKER_H */
