// SPDX-License-Identifier: GPL-2.0
/* System and process resource statistics. See clp_sysperf.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "clp_stats.h"
#include "clp_sysperf.h"

/* The first line of @proc/@name into @buf; 0 or -errno. */
static int read_line(const char *proc, const char *name, char *buf, size_t len)
{
	char path[512];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%s", proc, name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		ret = -EIO;
	fclose(f);
	return ret;
}

static uint64_t read_u64(const char *proc, const char *name)
{
	char buf[128];

	return read_line(proc, name, buf, sizeof(buf)) ? 0 : strtoull(buf, NULL, 10);
}

static int read_stat(const char *proc, struct clp_sys_sample *s)
{
	char path[512], line[512];
	unsigned long long v[CLP_CPU_N] = { 0 };
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/stat", proc);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "cpu ", 4))
			sscanf(line + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
			       &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
		else if (!strncmp(line, "cpu", 3) && isdigit((unsigned char)line[3]))
			s->ncpu++;
	}
	fclose(f);
	for (i = 0; i < CLP_CPU_N; i++) {
		s->cpu[i] = v[i];
		s->cpu_total += v[i];
	}
	return 0;
}

static int read_meminfo(const char *proc, struct clp_sys_sample *s)
{
	static const struct { const char *key; size_t off; } keys[] = {
#define K(k, f) { k ":", offsetof(struct clp_sys_sample, f) }
		K("MemTotal", mem_total), K("MemFree", mem_free), K("Buffers", buffers),
		K("Cached", cached), K("Dirty", dirty), K("Active(file)", active_file),
		K("Inactive(file)", inactive_file), K("Shmem", shmem),
		K("SwapTotal", swap_total), K("SwapFree", swap_free),
#undef K
	};
	char path[512], line[256];
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s/meminfo", proc);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strncmp(line, keys[i].key, strlen(keys[i].key)))
				*(uint64_t *)((char *)s + keys[i].off) =
					strtoull(line + strlen(keys[i].key), NULL, 10);
	fclose(f);
	return 0;
}

static void read_vmstat(const char *proc, struct clp_sys_sample *s)
{
	char path[512], key[64];
	unsigned long long v;
	FILE *f;

	snprintf(path, sizeof(path), "%s/vmstat", proc);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fscanf(f, "%63s %llu", key, &v) == 2) {
		if (!strcmp(key, "pswpin"))
			s->pswpin = v;
		else if (!strcmp(key, "pswpout"))
			s->pswpout = v;
	}
	fclose(f);
}

/* A directory entry that is a process id. */
static bool is_pid(const char *name)
{
	if (!*name)
		return false;
	for (; *name; name++)
		if (!isdigit((unsigned char)*name))
			return false;
	return true;
}

int clp_sys_read(const char *proc, struct clp_sys_sample *s)
{
	unsigned long long a = 0, b = 0;
	char buf[256], *slash;
	struct dirent *de;
	DIR *d;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = read_stat(proc, s);
	if (!ret)
		ret = read_meminfo(proc, s);
	if (ret)
		return ret;
	read_vmstat(proc, s);
	s->threads_max = read_u64(proc, "sys/kernel/threads-max");
	/* loadavg: "0.00 0.01 0.05 1/183 4242": 183 scheduling entities. */
	if (!read_line(proc, "loadavg", buf, sizeof(buf)) && (slash = strchr(buf, '/')))
		s->threads = strtoull(slash + 1, NULL, 10);
	s->file_max = read_u64(proc, "sys/fs/file-max");
	s->file_nr = read_u64(proc, "sys/fs/file-nr");
	if (!read_line(proc, "sys/fs/inode-nr", buf, sizeof(buf)) &&
	    sscanf(buf, "%llu %llu", &a, &b) == 2) {
		s->inode_nr = a;
		s->inode_free = b;
	}
	d = opendir(proc);
	if (d) {
		while ((de = readdir(d)))
			s->nproc += is_pid(de->d_name);
		closedir(d);
	}
	return 0;
}

static const char *const sys_cols[] = {
	"Date", "CPUCount", "CPUUtilization", "CPUTotal", "CPUUser", "CPUNice", "CPUSystem",
	"CPUIdle", "CPUIOWait", "CPUIntr", "CPUSoftIntr", "CPUSteal", "MemoryTotalSize",
	"MemoryCurrentSize", "MemoryBufSize", "MemoryCached", "MemoryMemFree", "MemoryDirty",
	"MemoryActive(file)", "MemoryInactive(file)", "MemoryShmem", "SwapTotalSize",
	"SwapCurrentSize", "SwapIn", "SwapOut", "ThreadLimitSize", "ThreadCurrentSize",
	"FileLimitSize", "FileCurrentSize", "FileLimitinode", "FileCurrentinode",
	"ProcessCurrentCount",
};
#define NSYS (sizeof(sys_cols) / sizeof(sys_cols[0]))

static const char *const proc_cols[] = {
	"Date", "PID", "CPUUtilization", "MemoryPhysicalSize", "MemoryVirtualSize",
	"ThreadCurrentCount", "FileCurrentCount", "ProcessName",
};
#define NPROC (sizeof(proc_cols) / sizeof(proc_cols[0]))

/* The guide's header: quoted names separated by ", ". */
static void header(char *buf, size_t len, const char *const *cols, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s\"%s\"", i ? ", " : "", cols[i]);
	if (o < len)
		snprintf(buf + o, len - o, "\n");
}

const char *clp_sys_header(void)
{
	static char buf[1024];

	if (!buf[0])
		header(buf, sizeof(buf), sys_cols, NSYS);
	return buf;
}

const char *clp_proc_header(void)
{
	static char buf[256];

	if (!buf[0])
		header(buf, sizeof(buf), proc_cols, NPROC);
	return buf;
}

static uint64_t sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

int clp_sys_row(char *buf, size_t len, time_t now, const struct clp_sys_sample *prev,
		const struct clp_sys_sample *cur)
{
	const struct clp_sys_sample *s = cur;
	uint64_t v[NSYS - 1], total, idle;
	struct timespec ts = { .tv_sec = now };
	char date[32];
	size_t i, o;
	int w;

	total = sub0(s->cpu_total, prev ? prev->cpu_total : 0);
	idle = sub0(s->cpu[CLP_CPU_IDLE] + s->cpu[CLP_CPU_IOWAIT],
		    prev ? prev->cpu[CLP_CPU_IDLE] + prev->cpu[CLP_CPU_IOWAIT] : 0);
	i = 0;
	v[i++] = s->ncpu;
	v[i++] = total ? (total - (idle < total ? idle : total)) * 100 / total : 0;
	v[i++] = s->cpu_total;
	v[i++] = s->cpu[CLP_CPU_USER];
	v[i++] = s->cpu[CLP_CPU_NICE];
	v[i++] = s->cpu[CLP_CPU_SYSTEM];
	v[i++] = s->cpu[CLP_CPU_IDLE];
	v[i++] = s->cpu[CLP_CPU_IOWAIT];
	v[i++] = s->cpu[CLP_CPU_IRQ];
	v[i++] = s->cpu[CLP_CPU_SOFTIRQ];
	v[i++] = s->cpu[CLP_CPU_STEAL];
	v[i++] = s->mem_total;
	/* In use: neither free nor buffers nor page cache (the guide's example). */
	v[i++] = sub0(s->mem_total, s->mem_free + s->buffers + s->cached);
	v[i++] = s->buffers;
	v[i++] = s->cached;
	v[i++] = s->mem_free;
	v[i++] = s->dirty;
	v[i++] = s->active_file;
	v[i++] = s->inactive_file;
	v[i++] = s->shmem;
	v[i++] = s->swap_total;
	v[i++] = sub0(s->swap_total, s->swap_free);
	v[i++] = s->pswpin;
	v[i++] = s->pswpout;
	v[i++] = s->threads_max;
	v[i++] = s->threads;
	v[i++] = s->file_max;
	v[i++] = s->file_nr;
	v[i++] = s->inode_nr;
	v[i++] = sub0(s->inode_nr, s->inode_free);
	v[i++] = s->nproc;
	clp_stats_date(date, sizeof(date), &ts, false);
	w = snprintf(buf, len, "\"%s\"", date);
	if (w < 0 || (size_t)w >= len)
		return -1;
	o = (size_t)w;
	for (i = 0; i < NSYS - 1; i++) {
		w = snprintf(buf + o, len - o, ", \"%" PRIu64 "\"", v[i]);
		if (w < 0 || (size_t)w >= len - o)
			return -1;
		o += (size_t)w;
	}
	if (o + 2 > len)
		return -1;
	buf[o++] = '\n';
	buf[o] = '\0';
	return (int)o;
}

struct proc_info {
	uint64_t ticks, start, rss, vsize, threads, files;
	char name[512];
};

/* Command line with spaces for NULs, or "[comm]" for a kernel thread. */
static void proc_name(const char *dir, const char *comm, char *out, size_t len)
{
	char path[600];
	size_t n = 0, i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cmdline", dir);
	f = fopen(path, "re");
	if (f) {
		n = fread(out, 1, len - 1, f);
		fclose(f);
	}
	while (n && out[n - 1] == '\0')
		n--;
	out[n] = '\0';
	for (i = 0; i < n; i++)
		if (out[i] == '\0')
			out[i] = ' ';
		else if ((unsigned char)out[i] < 0x20)
			out[i] = '?';	/* one row a line */
	if (!n)
		snprintf(out, len, "[%s]", comm);
}

static int proc_read(const char *proc, const char *pid, struct proc_info *p)
{
	char dir[300], path[600], line[1024], comm[64] = "", *rp;
	unsigned long long ut = 0, st = 0, start = 0;
	struct dirent *de;
	FILE *f;
	DIR *d;

	memset(p, 0, sizeof(*p));
	snprintf(dir, sizeof(dir), "%s/%s", proc, pid);
	snprintf(path, sizeof(path), "%s/stat", dir);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	rp = fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
	fclose(f);
	if (!rp || !strchr(line, '('))
		return -EINVAL;
	snprintf(comm, sizeof(comm), "%.*s", (int)(rp - strchr(line, '(') - 1),
		 strchr(line, '(') + 1);
	/* After "pid (comm) ": state is field 3, utime 14, stime 15, starttime 22. */
	if (sscanf(rp + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d "
		   "%*d %*d %*d %llu", &ut, &st, &start) != 3)
		return -EINVAL;
	p->ticks = ut + st;
	p->start = start;
	snprintf(path, sizeof(path), "%s/status", dir);
	f = fopen(path, "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "VmRSS:", 6))
				p->rss = strtoull(line + 6, NULL, 10);
			else if (!strncmp(line, "VmSize:", 7))
				p->vsize = strtoull(line + 7, NULL, 10);
			else if (!strncmp(line, "Threads:", 8))
				p->threads = strtoull(line + 8, NULL, 10);
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/fd", dir);
	d = opendir(path);
	if (d) {
		while ((de = readdir(d)))
			p->files += is_pid(de->d_name);
		closedir(d);
	}
	proc_name(dir, comm, p->name, sizeof(p->name));
	return 0;
}

static const struct clp_proc_tick *prev_of(const struct clp_proc_prev *prev, pid_t pid,
					   uint64_t start)
{
	size_t i;

	for (i = 0; i < prev->n; i++)
		if (prev->e[i].pid == pid && prev->e[i].start == start)
			return &prev->e[i];
	return NULL;
}

int clp_proc_rows(const char *proc, FILE *out, time_t now, struct clp_proc_prev *prev,
		  uint64_t cpu_total)
{
	struct timespec ts = { .tv_sec = now };
	struct clp_proc_tick *next = NULL, *grown;
	const struct clp_proc_tick *was;
	uint64_t dt = sub0(cpu_total, prev->cpu_total);
	size_t n = 0, cap = 0;
	struct proc_info p;
	struct dirent *de;
	char date[32];
	int rows = 0;
	DIR *d;

	d = opendir(proc);
	if (!d)
		return -errno;
	clp_stats_date(date, sizeof(date), &ts, false);
	while ((de = readdir(d))) {
		pid_t pid;

		if (!is_pid(de->d_name) || proc_read(proc, de->d_name, &p) < 0)
			continue;	/* gone meanwhile */
		pid = (pid_t)atol(de->d_name);
		was = prev->cpu_total ? prev_of(prev, pid, p.start) : NULL;
		fprintf(out, "\"%s\", \"%d\", \"%" PRIu64 "\", \"%" PRIu64 "\", \"%" PRIu64 "\", "
			"\"%" PRIu64 "\", \"%" PRIu64 "\", %s\n", date, (int)pid,
			was && dt ? sub0(p.ticks, was->ticks) * 100 / dt : 0, p.rss, p.vsize,
			p.threads, p.files, p.name);
		rows++;
		if (n == cap) {
			grown = realloc(next, (cap ? 2 * cap : 256) * sizeof(*next));
			if (!grown)
				continue;	/* utilization of the rest reads 0 next time */
			next = grown;
			cap = cap ? 2 * cap : 256;
		}
		next[n++] = (struct clp_proc_tick){ pid, p.start, p.ticks };
	}
	closedir(d);
	free(prev->e);
	prev->e = next;
	prev->n = n;
	prev->cpu_total = cpu_total;
	return rows;
}

void clp_proc_prev_free(struct clp_proc_prev *prev)
{
	free(prev->e);
	prev->e = NULL;
	prev->n = 0;
	prev->cpu_total = 0;
}
