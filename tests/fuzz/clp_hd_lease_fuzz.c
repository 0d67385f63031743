// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry for a hybrid disk's lease record as read from the shared
 * cluster partition (userland/lib/clp_hd_lease.c, clp_hd_lease_decode()).
 * The input is the 4096-byte block (shorter inputs are zero-padded). A
 * refusal must carry a message; an accepted record must name a terminated
 * holder and a lease time in range.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clp_hd_lease.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static unsigned char block[CLP_HD_LEASE_SIZE];
	struct clp_hd_lease l;
	char err[256] = "";
	int ret;

	memset(block, 0, sizeof(block));
	memcpy(block, data, size < sizeof(block) ? size : sizeof(block));
	ret = clp_hd_lease_decode(block, &l, err, sizeof(err));
	if (ret) {
		if (ret != -EBADMSG || !err[0])
			abort();
		return 0;
	}
	if (memchr(l.holder, 0, sizeof(l.holder)) == NULL)
		abort();
	if ((l.holder[0] || l.counter) &&
	    (l.lease_ms < CLP_HD_LEASE_MS_MIN || l.lease_ms > CLP_HD_LEASE_MS_MAX))
		abort();
	return 0;
}
