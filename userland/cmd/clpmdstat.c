// SPDX-License-Identifier: GPL-2.0
/*
 * clpmdstat: show the state of mirror disk resources.
 *
 *   clpmdstat --version [--json]   command and liscal module versions
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "clp_log.h"
#include "clp_version.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: clpmdstat --version [--json]\n"
		"  -v, --version   show the command's and the liscal module's versions\n"
		"  -j, --json      JSON output\n"
		"  -h, --help      this help\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "version", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool json = false, version = false;
	int c;

	clp_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, "vjh", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			version = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return CLP_EXIT_OK;
		default:
			usage(stderr);
			return CLP_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		clp_err("unexpected argument '%s'", argv[optind]);
		return CLP_EXIT_USAGE;
	}
	if (!version) {
		usage(stderr);
		return CLP_EXIT_USAGE;
	}
	return clp_show_version("liscal", "major", json);
}
