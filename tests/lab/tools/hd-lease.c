// SPDX-License-Identifier: GPL-2.0
/*
 * Test tool over libclp's hybrid disk lease (userland/lib/clp_hd_lease.c):
 *   hd-lease DEV show                     holder=<name|none> counter=N lease_ms=N
 *   hd-lease DEV acquire ME LEASE_MS      once: 0 current, 1 held by another
 *   hd-lease DEV hold ME LEASE_MS         acquire (again while held by
 *                                         another), print "current ME", then
 *                                         renew every LEASE_MS/3 until killed;
 *                                         "lost: ..." and exit 3 when taken
 *   hd-lease DEV release ME               0, or 3 when ME is not the holder
 * Exit 2 on bad arguments, 4 on a corrupt record or an I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clp_hd_lease.h"

static int usage(void)
{
	fprintf(stderr, "usage: hd-lease DEV show | acquire ME LEASE_MS | hold ME LEASE_MS | "
		"release ME\n");
	return 2;
}

static int exit_of(int ret, const char *err)
{
	if (!ret)
		return 0;
	fprintf(stderr, "hd-lease: %s\n", err);
	return ret == -EBUSY ? 1 : ret == -ESTALE ? 3 : ret == -EINVAL ? 2 : 4;
}

static long lease_arg(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < CLP_HD_LEASE_MS_MIN || v > CLP_HD_LEASE_MS_MAX) {
		fprintf(stderr, "hd-lease: bad LEASE_MS '%s' (%d-%d)\n", s, CLP_HD_LEASE_MS_MIN,
			CLP_HD_LEASE_MS_MAX);
		return -1;
	}
	return v;
}

static int hold(int fd, const char *me, unsigned int lease_ms)
{
	struct timespec tick = { lease_ms / 3 / 1000, (long)(lease_ms / 3 % 1000) * 1000000 };
	char err[256];
	int ret;

	while ((ret = clp_hd_lease_acquire(fd, me, lease_ms, NULL, 0, err, sizeof(err))) ==
	       -EBUSY)
		;
	if (ret)
		return exit_of(ret, err);
	printf("current %s\n", me);
	fflush(stdout);
	for (;;) {
		nanosleep(&tick, NULL);
		ret = clp_hd_lease_renew(fd, me, err, sizeof(err));
		if (ret == -ESTALE) {
			printf("lost: %s\n", err);
			fflush(stdout);
			return 3;
		}
		if (ret)
			return exit_of(ret, err);
	}
}

int main(int argc, char **argv)
{
	struct clp_hd_lease l;
	char err[256];
	long ms = 0;
	int fd, ret;

	if (argc < 3)
		return usage();
	if ((!strcmp(argv[2], "acquire") || !strcmp(argv[2], "hold")) && argc == 5) {
		ms = lease_arg(argv[4]);
		if (ms < 0)
			return 2;
	} else if (!((!strcmp(argv[2], "show") && argc == 3) ||
		     (!strcmp(argv[2], "release") && argc == 4))) {
		return usage();
	}
	fd = clp_hd_lease_open(argv[1], err, sizeof(err));
	if (fd < 0)
		return exit_of(fd, err);
	if (!strcmp(argv[2], "show")) {
		ret = clp_hd_lease_read(fd, &l, err, sizeof(err));
		if (!ret)
			printf("holder=%s counter=%llu lease_ms=%u\n", l.holder[0] ? l.holder : "none",
			       (unsigned long long)l.counter, l.lease_ms);
	} else if (!strcmp(argv[2], "acquire")) {
		ret = clp_hd_lease_acquire(fd, argv[3], (unsigned int)ms, NULL, 0, err,
					   sizeof(err));
		if (!ret)
			printf("current %s\n", argv[3]);
	} else if (!strcmp(argv[2], "hold")) {
		return hold(fd, argv[3], (unsigned int)ms);
	} else {
		ret = clp_hd_lease_release(fd, argv[3], err, sizeof(err));
	}
	close(fd);
	return exit_of(ret, err);
}
