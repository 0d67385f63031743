// SPDX-License-Identifier: GPL-2.0
/*
 * clpfiptool: the floating IP resource (userland/lib/clp_fip.c) by hand,
 * for the suites (tests/host/fip.bats, tests/lab/26-fip.bats). Built by
 * userland/Makefile into userland/bin/test/clpfiptool (not installed).
 *
 *   clpfiptool up|down|check <addr[/prefix]> [<ifname>]
 *
 * Exit 0 on success (check: the address is on this server, "present"),
 * 1 otherwise (check: "absent"), with the error message on stderr.
 */
#include <stdio.h>
#include <string.h>

#include "clp_fip.h"

static int usage(void)
{
	fprintf(stderr, "Usage: clpfiptool up|down|check <addr[/prefix]> [<ifname>]\n");
	return 1;
}

int main(int argc, char **argv)
{
	struct clp_fip f;
	char err[256] = "";
	int ret;

	if (argc < 3 || argc > 4)
		return usage();
	if (strcmp(argv[1], "up") && strcmp(argv[1], "down") && strcmp(argv[1], "check")) {
		fprintf(stderr, "clpfiptool: unknown action '%s'\n", argv[1]);
		return usage();
	}
	if (clp_fip_parse(argv[2], &f, err, sizeof(err)) < 0) {
		fprintf(stderr, "clpfiptool: %s\n", err);
		return 1;
	}
	snprintf(f.name, sizeof(f.name), "fip");
	if (argc == 4) {
		if (!argv[3][0] || strlen(argv[3]) >= sizeof(f.ifname)) {
			fprintf(stderr, "clpfiptool: '%s' is not an interface name\n", argv[3]);
			return 1;
		}
		strcpy(f.ifname, argv[3]);
	}
	if (!strcmp(argv[1], "up"))
		ret = clp_fip_up(&f, err, sizeof(err));
	else if (!strcmp(argv[1], "down"))
		ret = clp_fip_down(&f, err, sizeof(err));
	else
		ret = clp_fip_check(&f, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "clpfiptool: %s\n", err);
		return 1;
	}
	if (!strcmp(argv[1], "check")) {
		puts(ret ? "present" : "absent");
		return ret ? 0 : 1;
	}
	return 0;
}
