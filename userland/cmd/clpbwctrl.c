// SPDX-License-Identifier: GPL-2.0
/*
 * clpbwctrl -c: end the cluster's startup synchronisation wait on this
 * server (guide 2.21); fails with a message when nothing waits.
 */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "clp_cli.h"
#include "clp_log.h"

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cancel", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct json_object *req;
	bool cancel = false;
	int c, ret;

	clp_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, "ch", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cancel = true;
			break;
		case 'h':
			printf("Usage: clpbwctrl -c\n"
			       "  -c, --cancel   end the startup wait for the other servers\n"
			       "Exit: 0 done, 1 failed, 2 bad arguments, 5 not waiting, 6 not root.\n");
			return CLP_EXIT_OK;
		default:
			fprintf(stderr, "Usage: clpbwctrl -c\n");
			return CLP_EXIT_USAGE;
		}
	}
	if (!cancel || optind < argc) {
		clp_err(optind < argc ? "unexpected argument" : "give -c");
		return CLP_EXIT_USAGE;
	}
	if (geteuid() != 0) {
		clp_err("must be run as root");
		return CLP_EXIT_PERM;
	}
	req = clp_cli_req("wait-cancel");
	ret = clp_cli_request(req, 10000, false, NULL);
	json_object_put(req);
	return ret;
}
