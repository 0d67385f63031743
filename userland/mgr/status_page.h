/* SPDX-License-Identifier: GPL-2.0 */
/* The status page (mgr/status.html), compiled into clpmgrd by
 * status_page.c; served by the metrics module (Documentation/metrics.md). */
#ifndef CLP_MGR_STATUS_PAGE_H
#define CLP_MGR_STATUS_PAGE_H

#include <stddef.h>

extern const char status_page[], status_page_end[];

static inline size_t status_page_len(void)
{
	return (size_t)(status_page_end - status_page);
}

#endif /* CLP_MGR_STATUS_PAGE_H */
