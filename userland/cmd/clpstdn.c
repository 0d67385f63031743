// SPDX-License-Identifier: GPL-2.0
/*
 * clpstdn: shut the cluster down: every server stops its groups and its
 * cluster service, then shuts down (-r: reboots); this server last.
 */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "clp_cli.h"
#include "clp_log.h"

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reboot", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct json_object *req;
	bool reboot = false;
	int c, ret;

	clp_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, "rh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			reboot = true;
			break;
		case 'h':
			printf("Usage: clpstdn [-r]\n"
			       "  Stops the cluster on every server, then shuts them down.\n"
			       "  -r, --reboot   reboot instead of shutting down\n"
			       "Exit: 0 done, 1 failed, 2 bad arguments, 6 not root.\n");
			return CLP_EXIT_OK;
		default:
			fprintf(stderr, "Usage: clpstdn [-r]\n");
			return CLP_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		clp_err("unexpected argument '%s'", argv[optind]);
		return CLP_EXIT_USAGE;
	}
	if (geteuid() != 0) {
		clp_err("must be run as root");
		return CLP_EXIT_PERM;
	}
	req = clp_cli_req("cluster-stop");
	json_object_object_add(req, "all", json_object_new_boolean(1));
	json_object_object_add(req, "arg", json_object_new_int(reboot ? 2 : 1));
	ret = clp_cli_request(req, 3600 * 1000, false, NULL);
	json_object_put(req);
	return ret;
}
