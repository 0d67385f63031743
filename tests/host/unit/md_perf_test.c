// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of the mirror statistics file (userland/lib/clp_md_perf.c):
 * header and row shape, per-sample deltas and averages, unit conversions,
 * rotation to .pre / .pre1. TAP output.   md_perf_test <tmpdir>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clp_md_perf.h"

static int n, fails;

static void ok(int cond, const char *what)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++n, what);
	if (!cond)
		fails++;
}

/* Field @i (0-based) of a row, unquoted, into @out. */
static void field(const char *row, int i, char *out, size_t len)
{
	const char *p = row;

	while (i-- > 0 && p)
		p = strstr(p + 1, "\", \"");
	out[0] = '\0';
	if (!p)
		return;
	p += (p == row) ? 1 : 4;
	snprintf(out, len, "%.*s", (int)strcspn(p, "\""), p);
}

static int count_fields(const char *row)
{
	int c = 1;

	for (; (row = strstr(row, "\", \"")); row++)
		c++;
	return c;
}

int main(int argc, char **argv)
{
	struct clp_md_status a, b;
	char row[4096], f[64], path[512];
	struct stat st;
	int i;

	if (argc != 2)
		return 2;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.stats[LISCAL_STATS_A_WRITE_BYTES] = 1000;
	b.stats[LISCAL_STATS_A_WRITE_BYTES] = 1000 + 6000;
	b.stats[LISCAL_STATS_A_SEND_BYTES] = 600;
	a.stats[LISCAL_STATS_A_SYNC_TIME_TOTAL] = 1000;
	a.stats[LISCAL_STATS_A_SYNC_COUNT] = 1;
	b.stats[LISCAL_STATS_A_SYNC_TIME_TOTAL] = 1000 + 3 * 2500;	/* 3 writes of 2.5 ms */
	b.stats[LISCAL_STATS_A_SYNC_COUNT] = 4;
	b.stats[LISCAL_STATS_A_SYNC_ACK_MAX] = 12345;			/* us */
	b.stats[LISCAL_STATS_A_MDC_HB_CUR] = 1500000;			/* 1.5 s */
	b.stats[LISCAL_STATS_A_SYNC_DIFF_CUR] = 4096;

	printf("1..14\n");
	ok(count_fields(clp_md_perf_header()) == 38, "header has 38 columns");
	ok(!strncmp(clp_md_perf_header(), "\"Date\", \"Write, Total\", \"Write, Avg\"", 36),
	   "header starts with Date, Write Total, Write Avg");
	ok(clp_md_perf_row(row, sizeof(row), 0, &a, &b, 60, NULL) > 0, "row built");
	ok(count_fields(row) == 38, "row has 38 columns");
	field(row, 1, f, sizeof(f));
	ok(!strcmp(f, "6000"), "write total is the delta of the sample");
	field(row, 2, f, sizeof(f));
	ok(!strcmp(f, "100"), "write average is bytes per second (6000 / 60)");
	field(row, 13, f, sizeof(f));
	ok(!strcmp(f, "0.002"), "sync time average in seconds over the sample's writes");
	field(row, 14, f, sizeof(f));
	ok(!strcmp(f, "12.345"), "sync ack time max in milliseconds");
	field(row, 29, f, sizeof(f));
	ok(!strcmp(f, "1.500"), "MDC HB time in seconds");
	ok(clp_md_perf_row(row, 100, 0, &a, &b, 60, NULL) < 0, "too small a buffer is refused");

	{
		struct clp_md_perf_agent ag = { 2500000, 1250000 };

		clp_md_perf_row(row, sizeof(row), 0, &a, &b, 60, &ag);
		field(row, 34, f, sizeof(f));
		ok(!strcmp(f, "2.500"), "unmount time max in seconds (the agent's)");
		field(row, 35, f, sizeof(f));
		ok(!strcmp(f, "1.250"), "unmount time last in seconds");
	}
	clp_md_perf_row(row, sizeof(row), 0, NULL, &b, 60, NULL);
	for (i = 0; i < 40; i++)
		clp_md_perf_append(argv[1], 1, row, 4096);
	snprintf(path, sizeof(path), "%s/nmp1.pre1", argv[1]);
	ok(stat(path, &st) == 0, "rotated twice: nmp1.pre1 exists");
	snprintf(path, sizeof(path), "%s/nmp1.cur", argv[1]);
	ok(stat(path, &st) == 0 && st.st_size < 4096 + (off_t)strlen(row) + 2048,
	   "nmp1.cur stays near the limit");
	return fails ? 1 : 0;
}
