// SPDX-License-Identifier: GPL-2.0
/* Statistics files: appending, rotation, dates. See clp_stats.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "clp_stats.h"

static int write_all(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* mkdir -p of the directory part of @path. */
static int make_dirs(const char *path)
{
	char p[512];
	size_t i;

	if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	for (i = 1; p[i]; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		p[i] = '/';
	}
	return 0;
}

/* <base>.pre (@gen 0) or <base>.pre<gen>. */
static void pre_name(char *buf, size_t len, const char *path, int gen)
{
	int base = (int)strlen(path) - 4;

	if (gen)
		snprintf(buf, len, "%.*s.pre%d", base, path, gen);
	else
		snprintf(buf, len, "%.*s.pre", base, path);
}

static int rotate(const char *path, int gens)
{
	char from[520], to[520];
	int g;

	for (g = gens - 1; g > 0; g--) {
		pre_name(from, sizeof(from), path, g - 1);
		pre_name(to, sizeof(to), path, g);
		if (rename(from, to) < 0 && errno != ENOENT)
			return -errno;
	}
	pre_name(to, sizeof(to), path, 0);
	return rename(path, to) < 0 ? -errno : 0;
}

int clp_stats_append(const char *path, const char *header, const char *row, off_t limit,
		     int gens)
{
	size_t n = strlen(path);
	struct stat st;
	int fd, ret;

	if (n < 5 || n > 500 || strcmp(path + n - 4, ".cur") || gens < 1)
		return -EINVAL;
	ret = make_dirs(path);
	if (ret)
		return ret;
	if (stat(path, &st) == 0 && st.st_size >= limit) {
		ret = rotate(path, gens);
		if (ret)
			return ret;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0 && st.st_size == 0)
		ret = write_all(fd, header);
	if (!ret)
		ret = write_all(fd, row);
	close(fd);
	return ret;
}

void clp_stats_date(char *buf, size_t len, const struct timespec *ts, bool ms)
{
	struct tm tm;
	size_t n;

	localtime_r(&ts->tv_sec, &tm);
	n = strftime(buf, len, "%Y/%m/%d %H:%M:%S", &tm);
	if (ms && n)
		snprintf(buf + n, len - n, ".%03ld", ts->tv_nsec / 1000000);
}

const char clp_stats_cluster_header[] =
	"\"Date\",\"Name\",\"Action\",\"Result\",\"ReturnCode\",\"StartTime\",\"EndTime\","
	"\"ResponseTime(ms)\"\n";

int clp_stats_cluster_row(char *buf, size_t len, const char *name, const char *action,
			  const char *result, int code, const struct timespec *start,
			  const struct timespec *end)
{
	char s[32], e[32], rc[16] = "";
	long long ms;
	int n;

	clp_stats_date(s, sizeof(s), start, true);
	clp_stats_date(e, sizeof(e), end, true);
	ms = (long long)(end->tv_sec - start->tv_sec) * 1000 +
	     (end->tv_nsec - start->tv_nsec) / 1000000;
	if (ms < 0)
		ms = 0;
	if (code)
		snprintf(rc, sizeof(rc), "%d", code);
	/* The date of the row is the end of the action (guide's examples). */
	n = snprintf(buf, len, "\"%s\",\"%s\",\"%s\",\"%s\",%s,\"%s\",\"%s\",\"%lld\"\n", e, name,
		     action, result, rc, s, e, ms);
	return n < 0 || (size_t)n >= len ? -1 : n;
}
