// SPDX-License-Identifier: GPL-2.0
/* Mirror statistics files. See clp_md_perf.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clp_md_perf.h"
#include "clp_stats.h"

static const char *const columns[] = {
	"Date", "Write, Total", "Write, Avg", "Read, Total", "Read, Avg",
	"Local Disk Write, Total", "Local Disk Write, Avg", "Local Disk Read, Total",
	"Local Disk Read, Avg", "Send, Total", "Send, Avg", "Compress Ratio",
	"Sync Time, Max", "Sync Time, Avg", "Sync Ack Time, Max", "Sync Ack Time, Cur",
	"Recovery Ack Time, Max", "Recovery Ack Time, Max2", "Recovery Ack Time, Cur",
	"Sync Diff, Max", "Sync Diff, Cur", "Send Queue, Max", "Send Queue, Max2",
	"Send Queue, Cur", "Request Queue, Max", "Request Queue, Max2", "Request Queue, Cur",
	"MDC HB Time, Max", "MDC HB Time, Max2", "MDC HB Time, Cur",
	"Local-Write Waiting Recovery-Read Time, Total",
	"Local-Write Waiting Recovery-Read Time, Total2",
	"Recovery-Read Waiting Local-Write Time, Total",
	"Recovery-Read Waiting Local-Write Time, Total2",
	"Unmount Time, Max", "Unmount Time, Last", "Fsck Time, Max", "Fsck Time, Last",
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

const char *clp_md_perf_header(void)
{
	static char buf[2048];
	size_t i, n = 0;

	if (buf[0])
		return buf;
	for (i = 0; i < NCOLS; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\"%s\"", i ? ", " : "",
				      columns[i]);
	snprintf(buf + n, sizeof(buf) - n, "\n");
	return buf;
}

struct row {
	char *buf;
	size_t len, n;
	int cols;
	bool overflow;
};

__attribute__((format(printf, 2, 3)))
static void col(struct row *r, const char *fmt, ...)
{
	char v[64];
	va_list ap;
	int w;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	w = snprintf(r->buf + r->n, r->len - r->n, "%s\"%s\"", r->cols ? ", " : "", v);
	if (w < 0 || (size_t)w >= r->len - r->n) {
		r->overflow = true;
		return;
	}
	r->n += (size_t)w;
	r->cols++;
}

static uint64_t delta(const struct clp_md_status *prev, const struct clp_md_status *cur,
		      int a)
{
	uint64_t p = prev ? prev->stats[a] : 0;

	/* A counter that went back: the resource was created again. */
	return cur->stats[a] >= p ? cur->stats[a] - p : cur->stats[a];
}

/* Microseconds as seconds / milliseconds with three decimals. */
static void col_us_s(struct row *r, uint64_t us)
{
	col(r, "%" PRIu64 ".%03" PRIu64, us / 1000000, us % 1000000 / 1000);
}

static void col_us_ms(struct row *r, uint64_t us)
{
	col(r, "%" PRIu64 ".%03" PRIu64, us / 1000, us % 1000);
}

int clp_md_perf_row(char *buf, size_t len, time_t now, const struct clp_md_status *prev,
		    const struct clp_md_status *cur, double interval,
		    const struct clp_md_perf_agent *ag)
{
	static const int totals[] = {
		LISCAL_STATS_A_WRITE_BYTES, LISCAL_STATS_A_READ_BYTES,
		LISCAL_STATS_A_LOCAL_WRITE_BYTES, LISCAL_STATS_A_LOCAL_READ_BYTES,
		LISCAL_STATS_A_SEND_BYTES,
	};
	struct row r = { buf, len, 0, 0, false };
	const uint64_t *s = cur->stats;
	uint64_t d, cnt;
	size_t i;
	char date[32];
	struct tm tm;

	if (interval <= 0)
		interval = CLP_MD_PERF_INTERVAL;
	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y/%m/%d %H:%M:%S", &tm);
	col(&r, "%s", date);
	/* Write, Read, Local Disk Write, Local Disk Read, Send: Total, Avg. */
	for (i = 0; i < sizeof(totals) / sizeof(totals[0]); i++) {
		d = delta(prev, cur, totals[i]);
		col(&r, "%" PRIu64, d);
		col(&r, "%" PRIu64, (uint64_t)((double)d / interval));
	}
	/* Compress Ratio: sent / before compression, % (100: none) */
	d = delta(prev, cur, LISCAL_STATS_A_COMPRESS_IN_BYTES);
	col(&r, "%" PRIu64, d ? delta(prev, cur, LISCAL_STATS_A_COMPRESS_OUT_BYTES) * 100 / d : 100);
	col_us_s(&r, s[LISCAL_STATS_A_SYNC_TIME_MAX]);
	cnt = delta(prev, cur, LISCAL_STATS_A_SYNC_COUNT);
	col_us_s(&r, cnt ? delta(prev, cur, LISCAL_STATS_A_SYNC_TIME_TOTAL) / cnt : 0);
	col_us_ms(&r, s[LISCAL_STATS_A_SYNC_ACK_MAX]);
	col_us_ms(&r, s[LISCAL_STATS_A_SYNC_ACK_CUR]);
	col_us_ms(&r, s[LISCAL_STATS_A_RECOVERY_ACK_MAX]);
	col_us_ms(&r, s[LISCAL_STATS_A_RECOVERY_ACK_MAX2]);
	col_us_ms(&r, s[LISCAL_STATS_A_RECOVERY_ACK_CUR]);
	col(&r, "%" PRIu64, s[LISCAL_STATS_A_SYNC_DIFF_MAX]);
	col(&r, "%" PRIu64, s[LISCAL_STATS_A_SYNC_DIFF_CUR]);
	col(&r, "%" PRIu64, s[LISCAL_STATS_A_SEND_QUEUE_MAX]);
	col(&r, "%" PRIu64, s[LISCAL_STATS_A_SEND_QUEUE_MAX2]);
	col(&r, "%" PRIu64, s[LISCAL_STATS_A_SEND_QUEUE_CUR]);
	col(&r, "%" PRIu64, s[LISCAL_STATS_A_REQ_QUEUE_MAX]);
	col(&r, "%" PRIu64, s[LISCAL_STATS_A_REQ_QUEUE_MAX2]);
	col(&r, "%" PRIu64, s[LISCAL_STATS_A_REQ_QUEUE_CUR]);
	col_us_s(&r, s[LISCAL_STATS_A_MDC_HB_MAX]);
	col_us_s(&r, s[LISCAL_STATS_A_MDC_HB_MAX2]);
	col_us_s(&r, s[LISCAL_STATS_A_MDC_HB_CUR]);
	col_us_s(&r, s[LISCAL_STATS_A_LW_WAIT_RR_TOTAL]);
	col_us_s(&r, s[LISCAL_STATS_A_LW_WAIT_RR_TOTAL2]);
	col_us_s(&r, s[LISCAL_STATS_A_RR_WAIT_LW_TOTAL]);
	col_us_s(&r, s[LISCAL_STATS_A_RR_WAIT_LW_TOTAL2]);
	/* Unmount Time Max, Last, seconds: the agent's own; Fsck Time Max,
	 * Last: no fsck is run at activation (Documentation/statistics.md). */
	col_us_s(&r, ag ? ag->umount_max_us : 0);
	col_us_s(&r, ag ? ag->umount_last_us : 0);
	col(&r, "0");
	col(&r, "0");
	if (r.overflow || r.n + 2 > len || (size_t)r.cols != NCOLS)
		return -1;
	buf[r.n++] = '\n';
	buf[r.n] = '\0';
	return (int)r.n;
}

int clp_md_perf_append(const char *dir, unsigned int nmp, const char *row, off_t limit)
{
	char cur[512];

	snprintf(cur, sizeof(cur), "%s/nmp%u.cur", dir, nmp);
	return clp_stats_append(cur, clp_md_perf_header(), row, limit, 2);
}
