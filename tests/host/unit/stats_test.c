// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of the statistics files (userland/lib/clp_stats.c,
 * clp_sysperf.c): rotation with a small limit and the generations kept,
 * the cluster statistics row, the system and process rows read from a
 * fake /proc, each header against the guide's column list (2.4-2.6).
 * TAP output.   stats_test <tmpdir>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clp_stats.h"
#include "clp_sysperf.h"

static int n, fails;
static char tmp[256];

static void ok(int cond, const char *what)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++n, what);
	if (!cond)
		fails++;
}

static bool exists(const char *name)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", tmp, name);
	return stat(p, &st) == 0;
}

static off_t size_of(const char *name)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", tmp, name);
	return stat(p, &st) == 0 ? st.st_size : -1;
}

static bool starts_with_header(const char *name, const char *header)
{
	char p[512], line[2048] = "";
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", tmp, name);
	f = fopen(p, "r");
	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	return !strcmp(line, header);
}

static void put(const char *name, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/proc/%s", tmp, name);
	for (char *s = strchr(p + strlen(tmp) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	f = fopen(p, "w");
	if (!f) {
		perror(p);
		exit(2);
	}
	fwrite(text, 1, strlen(text), f);
	fclose(f);
}

/* A process of the fake /proc: @ticks of CPU time (utime + stime). */
static void fake_pid(const char *pid, const char *comm, const char *cmdline, size_t cmdlen,
		     int ticks, int nfd)
{
	char name[64], text[512];
	int i;

	snprintf(name, sizeof(name), "%s/stat", pid);
	snprintf(text, sizeof(text), "%s (%s) S 1 1 1 0 -1 4194560 100 0 0 0 %d %d 0 0 20 0 1 0 "
		 "4242 1000 200\n", pid, comm, ticks / 2, ticks - ticks / 2);
	put(name, text);
	snprintf(name, sizeof(name), "%s/status", pid);
	put(name, cmdlen ? "Name:\tx\nVmSize:\t  239924 kB\nVmRSS:\t    2880 kB\nThreads:\t3\n"
			 : "Name:\tx\nThreads:\t1\n");
	snprintf(name, sizeof(name), "%s/cmdline", pid);
	snprintf(text, sizeof(text), "%s/proc/%s", tmp, name);
	FILE *f = fopen(text, "w");

	fwrite(cmdline, 1, cmdlen, f);
	fclose(f);
	for (i = 0; i < nfd; i++) {
		snprintf(name, sizeof(name), "%s/fd/%d", pid, i);
		put(name, "");
	}
}

/* Field @i (0-based) of a ", "-separated row, quotes removed. */
static void field(const char *row, int i, char *out, size_t len)
{
	const char *p = row, *e;

	while (i-- > 0 && p)
		if ((p = strstr(p, ", ")))
			p += 2;
	out[0] = '\0';
	if (!p)
		return;
	if (*p == '"')
		p++;
	e = p + strcspn(p, "\"\n");
	if (*e == '"' || *e == '\n')
		snprintf(out, len, "%.*s", (int)(e - p), p);
}

static int count(const char *row, const char *sep)
{
	int c = 1;

	for (; (row = strstr(row, sep)); row += strlen(sep))
		c++;
	return c;
}

int main(int argc, char **argv)
{
	/* The guide's headers, as its examples print them. */
	static const char sys_header[] =
		"\"Date\", \"CPUCount\", \"CPUUtilization\", \"CPUTotal\", \"CPUUser\", \"CPUNice\", "
		"\"CPUSystem\", \"CPUIdle\", \"CPUIOWait\", \"CPUIntr\", \"CPUSoftIntr\", \"CPUSteal\", "
		"\"MemoryTotalSize\", \"MemoryCurrentSize\", \"MemoryBufSize\", \"MemoryCached\", "
		"\"MemoryMemFree\", \"MemoryDirty\", \"MemoryActive(file)\", \"MemoryInactive(file)\", "
		"\"MemoryShmem\", \"SwapTotalSize\", \"SwapCurrentSize\", \"SwapIn\", \"SwapOut\", "
		"\"ThreadLimitSize\", \"ThreadCurrentSize\", \"FileLimitSize\", \"FileCurrentSize\", "
		"\"FileLimitinode\", \"FileCurrentinode\", \"ProcessCurrentCount\"\n";
	static const char proc_header[] =
		"\"Date\", \"PID\", \"CPUUtilization\", \"MemoryPhysicalSize\", \"MemoryVirtualSize\", "
		"\"ThreadCurrentCount\", \"FileCurrentCount\", \"ProcessName\"\n";
	static const char grp_header[] =
		"\"Date\",\"Name\",\"Action\",\"Result\",\"ReturnCode\",\"StartTime\",\"EndTime\","
		"\"ResponseTime(ms)\"\n";
	struct clp_sys_sample a, b;
	struct clp_proc_prev pp = { 0 };
	struct timespec t0 = { 1000, 785000000 }, t1 = { 1007, 925000000 };
	char row[2048], path[512], f[128], *rows = NULL;
	size_t len = 0;
	FILE *mf;
	int i, ret;

	if (argc != 2)
		return 2;
	snprintf(tmp, sizeof(tmp), "%s", argv[1]);
	setenv("TZ", "UTC", 1);
	printf("1..23\n");

	/* Rotation: one generation (.pre) and two (.pre, .pre1). */
	snprintf(path, sizeof(path), "%s/a/b/group.cur", tmp);
	for (i = 0, ret = 0; i < 50 && !ret; i++)
		ret = clp_stats_append(path, clp_stats_cluster_header, "\"row\",\"x\"\n", 300, 1);
	ok(ret == 0, "append with missing directories");
	ok(exists("a/b/group.pre") && !exists("a/b/group.pre1"), "one generation: .pre, no .pre1");
	ok(size_of("a/b/group.cur") < 300 + 12 && size_of("a/b/group.pre") >= 300,
	   ".cur rotated once it reached the limit");
	ok(starts_with_header("a/b/group.cur", grp_header) &&
	   starts_with_header("a/b/group.pre", grp_header), "each generation starts with the header");
	snprintf(path, sizeof(path), "%s/two.cur", tmp);
	for (i = 0; i < 50; i++)
		clp_stats_append(path, "\"H\"\n", "\"row\"\n", 100, 2);
	ok(exists("two.pre") && exists("two.pre1") && !exists("two.pre2"),
	   "two generations: .pre and .pre1, no .pre2");
	snprintf(path, sizeof(path), "%s/bad.csv", tmp);
	ok(clp_stats_append(path, "h\n", "r\n", 100, 1) < 0 && !exists("bad.csv"),
	   "a name not ending in .cur is refused, nothing written");

	/* Cluster statistics row (guide's group.cur example: 7140 ms). */
	ok(!strcmp(clp_stats_cluster_header, grp_header), "group/resource header as the guide's");
	ret = clp_stats_cluster_row(row, sizeof(row), "failoverA", "Start", "Success", 0, &t0, &t1);
	ok(ret > 0 && !strcmp(row, "\"1970/01/01 00:16:47.925\",\"failoverA\",\"Start\",\"Success\",,"
			     "\"1970/01/01 00:16:40.785\",\"1970/01/01 00:16:47.925\",\"7140\"\n"),
	   "row: end date, name, action, result, empty code, start, end, 7140 ms");
	clp_stats_cluster_row(row, sizeof(row), "exec01", "Stop", "Failure", 1, &t0, &t1);
	ok(strstr(row, "\"Failure\",1,") != NULL, "a failure's return code is written");
	ok(clp_stats_cluster_row(row, 40, "failoverA", "Start", "Success", 0, &t0, &t1) < 0,
	   "too small a buffer is refused");

	/* System statistics from a fake /proc (the guide's example values). */
	put("stat", "cpu  100 10 50 800 20 5 5 10 0 0\ncpu0 50 5 25 400 10 2 2 5 0 0\n"
		    "cpu1 50 5 25 400 10 3 3 5 0 0\nintr 0\n");
	put("meminfo", "MemTotal:         754236 kB\nMemFree:          186888 kB\n"
		       "Buffers:             948 kB\nCached:           334736 kB\n"
		       "Active(file):     111320 kB\nInactive(file):   167468 kB\n"
		       "Dirty:                12 kB\nShmem:             50688 kB\n"
		       "SwapTotal:        839676 kB\nSwapFree:         839600 kB\n");
	put("vmstat", "nr_free_pages 1\npswpin 7\npswpout 9\n");
	put("loadavg", "0.00 0.01 0.05 1/183 4242\n");
	put("sys/kernel/threads-max", "5725\n");
	put("sys/fs/file-nr", "1696\t0\t71371\n");
	put("sys/fs/file-max", "71371\n");
	put("sys/fs/inode-nr", "22626\t407\n");
	fake_pid("620", "systemd-logind", "/usr/lib/systemd/systemd-logind", 32, 100, 3);
	fake_pid("2", "kthreadd", "", 0, 0, 0);
	snprintf(path, sizeof(path), "%s/proc", tmp);
	ok(clp_sys_read(path, &a) == 0, "system sample read");
	ok(!strcmp(clp_sys_header(), sys_header), "system.cur header: the guide's 32 columns");
	ok(clp_sys_row(row, sizeof(row), 0, NULL, &a) > 0 && count(row, ", ") == 32,
	   "system row: 32 columns");
	field(row, 1, f, sizeof(f));
	ok(!strcmp(f, "2"), "CPUCount 2");
	field(row, 13, f, sizeof(f));
	ok(!strcmp(f, "231664"), "MemoryCurrentSize: total - free - buffers - cached (231664 KB)");
	field(row, 22, f, sizeof(f));
	ok(!strcmp(f, "76"), "SwapCurrentSize: total - free");
	field(row, 30, f, sizeof(f));
	ok(!strcmp(f, "22219") && (field(row, 31, f, sizeof(f)), !strcmp(f, "2")),
	   "FileCurrentinode 22219, ProcessCurrentCount 2");
	b = a;
	b.cpu_total += 100;
	b.cpu[CLP_CPU_IDLE] += 70;
	b.cpu[CLP_CPU_IOWAIT] += 5;
	clp_sys_row(row, sizeof(row), 0, &a, &b);
	field(row, 2, f, sizeof(f));
	ok(!strcmp(f, "25"), "CPUUtilization over the interval: 25 %");

	/* Process statistics. */
	ok(!strcmp(clp_proc_header(), proc_header), "process.cur header: the guide's 8 columns");
	mf = open_memstream(&rows, &len);
	ret = clp_proc_rows(path, mf, 0, &pp, 1000);
	fclose(mf);
	ok(ret == 2 && strstr(rows, "\"620\", \"0\", \"2880\", \"239924\", \"3\", \"3\", "
				     "/usr/lib/systemd/systemd-logind\n"),
	   "a process row: PID, CPU, RSS, virtual, threads, files, unquoted command line");
	ok(strstr(rows, "\"2\", \"0\", \"0\", \"0\", \"1\", \"0\", [kthreadd]\n") != NULL,
	   "a kernel thread: its [name]");
	free(rows);
	rows = NULL;
	fake_pid("620", "systemd-logind", "/usr/lib/systemd/systemd-logind", 32, 150, 3);
	mf = open_memstream(&rows, &len);
	clp_proc_rows(path, mf, 0, &pp, 1200);
	fclose(mf);
	ok(strstr(rows, "\"620\", \"25\", ") != NULL,
	   "CPUUtilization: 50 ticks of 200 on all CPUs = 25 %");
	free(rows);
	snprintf(path, sizeof(path), "%s/none", tmp);
	ok(clp_sys_read(path, &a) < 0, "no /proc: an error, not a row of zeros");
	clp_proc_prev_free(&pp);
	return fails ? 1 : 0;
}
