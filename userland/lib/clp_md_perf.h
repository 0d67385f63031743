/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mirror statistics files (guide 2.3): <prefix>/perf/disk/nmpN.cur, CSV
 * with a quoted header line and one row a sample, rotated at 16 MB to
 * nmpN.pre and nmpN.pre1. Rows are built from two RES_GET samples of the
 * liscal driver (Documentation/commands.md, "Mirror statistics file").
 */
#ifndef CLP_MD_PERF_H
#define CLP_MD_PERF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "clp_md_nl.h"

#define CLP_MD_PERF_INTERVAL 60			/* s between samples */
#define CLP_MD_PERF_LIMIT (16L * 1024 * 1024)	/* rotate at this size */

/* What the mirror agent measures itself (not the driver), microseconds:
 * the unmount at a deactivation by clpmgrd (max and last since it started). */
struct clp_md_perf_agent {
	uint64_t umount_max_us, umount_last_us;
};

/* The header line, newline included. */
const char *clp_md_perf_header(void);
/* One row for the sample @cur taken @interval seconds after @prev (the
 * previous sample; NULL for the first: totals count from zero), dated
 * @now, with the agent's own measurements @ag (NULL: none, 0). Returns the
 * length, or -1 when @len is too small. */
int clp_md_perf_row(char *buf, size_t len, time_t now, const struct clp_md_status *prev,
		    const struct clp_md_status *cur, double interval,
		    const struct clp_md_perf_agent *ag);
/* Append @row to @dir/nmp<N>.cur (header first when the file is new),
 * rotating before the append when the file has reached @limit bytes.
 * Returns 0 or -errno. */
int clp_md_perf_append(const char *dir, unsigned int nmp, const char *row, off_t limit);

#endif /* CLP_MD_PERF_H */
