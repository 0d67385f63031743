/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System and process resource statistics (guide 2.4, 2.5): samples read
 * from a proc file system (normally "/proc"; the host tests pass a fake
 * one) and the rows of perf/system/system.cur and process.cur.
 */
#ifndef CLP_SYSPERF_H
#define CLP_SYSPERF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#define CLP_SYSPERF_INTERVAL 60			/* s between samples */
#define CLP_SYSPERF_SYSTEM_LIMIT (16L << 20)	/* system.cur rotates here */
#define CLP_SYSPERF_PROCESS_LIMIT (32L << 20)	/* process.cur rotates here */

enum { CLP_CPU_USER, CLP_CPU_NICE, CLP_CPU_SYSTEM, CLP_CPU_IDLE, CLP_CPU_IOWAIT,
       CLP_CPU_IRQ, CLP_CPU_SOFTIRQ, CLP_CPU_STEAL, CLP_CPU_N };

struct clp_sys_sample {
	unsigned int ncpu;
	uint64_t cpu[CLP_CPU_N];	/* /proc/stat "cpu", USER_HZ ticks (10 ms) */
	uint64_t cpu_total;		/* their sum */
	/* /proc/meminfo, KiB */
	uint64_t mem_total, mem_free, buffers, cached, dirty, active_file, inactive_file,
		 shmem, swap_total, swap_free;
	uint64_t pswpin, pswpout;	/* /proc/vmstat */
	uint64_t threads_max, threads;	/* kernel/threads-max, loadavg's total */
	uint64_t file_max, file_nr;	/* fs/file-max, fs/file-nr's first */
	uint64_t inode_nr, inode_free;	/* fs/inode-nr */
	uint64_t nproc;			/* numeric entries of /proc */
};

/* Read a sample from @proc. Returns 0, or -errno when /proc/stat or
 * /proc/meminfo cannot be read (the rest counts 0 when missing). */
int clp_sys_read(const char *proc, struct clp_sys_sample *s);
const char *clp_sys_header(void);
/* The row of @cur dated @now; CPU utilization over the time since @prev
 * (NULL: since boot). Returns the length or -1. */
int clp_sys_row(char *buf, size_t len, time_t now, const struct clp_sys_sample *prev,
		const struct clp_sys_sample *cur);

/* Per-process CPU time of the previous sample, to compute utilization. */
struct clp_proc_prev {
	struct clp_proc_tick { pid_t pid; uint64_t start, ticks; } *e;
	size_t n;
	uint64_t cpu_total;		/* the system's at that sample, 0: none */
};

const char *clp_proc_header(void);
/* One row per process of @proc into @out, dated @now; CPU utilization of
 * each since @prev (share of all CPUs' time, %), @prev then updated to
 * this sample with @cpu_total (the system sample's). Returns the number of
 * rows or -errno. */
int clp_proc_rows(const char *proc, FILE *out, time_t now, struct clp_proc_prev *prev,
		  uint64_t cpu_total);
void clp_proc_prev_free(struct clp_proc_prev *prev);

#endif /* CLP_SYSPERF_H */
