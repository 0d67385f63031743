// SPDX-License-Identifier: GPL-2.0
/* Waiting a fixed time (clp_time.h). */
#include <errno.h>
#include <time.h>

#include "clp_time.h"

void clp_sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
