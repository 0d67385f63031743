// SPDX-License-Identifier: GPL-2.0
/*
 * clpmdinit: initialise the cluster partition of a mirror disk resource on
 * this server (Documentation/commands.md).
 *
 *   clpmdinit --create normal|quick|force <md>
 *     normal  refuse when the partition already holds a valid cluster
 *             partition; else write a fresh one (superblock + zeroed bitmap)
 *     quick   for a partition zeroed with dd: check that the metadata area
 *             is zero and write the superblock only
 *     force   overwrite whatever is there
 * then run mkfs on the data partition when resource/md@<name>/parameters/mkfs
 * is 1. Refused while the resource is configured in the liscal driver.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "clp_log.h"
#include "clp_md_cmd.h"
#include "clp_md_init.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: clpmdinit --create normal|quick|force <md>\n"
		"  -c, --create normal  initialise the cluster partition of <md> on this server;\n"
		"                       refused when it already holds a valid one\n"
		"  -c, --create quick   the same for a partition zeroed with dd beforehand:\n"
		"                       checks the zeroes and writes the superblock only\n"
		"  -c, --create force   overwrite the cluster partition whatever it holds\n"
		"  -h, --help           this help\n"
		"With resource/md@<md>/parameters/mkfs = 1, the data partition's file system\n"
		"is then created (all its data is lost). The copy is empty afterwards: the\n"
		"initial mirror construction fills it from the other server.\n");
}

/* The resource must not be in the driver (the driver owns the partition
 * then). The module not being loaded is fine: nothing can use it. */
static int check_not_in_driver(struct clp_md_cmd *c)
{
	struct clp_md_status st;
	int ret = clp_md_nl_open(&c->nl);

	if (ret == -ENOENT)
		return CLP_EXIT_OK;
	if (ret < 0) {
		clp_err("cannot open generic netlink: %s", strerror(-ret));
		return CLP_EXIT_ERROR;
	}
	ret = clp_md_nl_get(c->nl, c->md.name, &st);
	if (ret == 0) {
		clp_err("%s: configured in the liscal driver (%s, %s): stop the mirror agent and "
			"remove the resource from the driver first", c->md.name,
			clp_md_role_name(st.role), clp_md_conn_name(st.conn));
		return CLP_EXIT_STATE;
	}
	if (ret != -ENOENT)
		return clp_md_cmd_fail(c, "status", ret);
	return CLP_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "create", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct clp_md_cmd c = { 0 };
	const char *mode_arg = NULL;
	enum clp_md_init_mode mode;
	int opt, ret;

	clp_log_init(argv[0]);
	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			mode_arg = optarg;
			break;
		case 'h':
			usage(stdout);
			return CLP_EXIT_OK;
		default:
			usage(stderr);
			return CLP_EXIT_USAGE;
		}
	}
	if (!mode_arg) {
		clp_err("missing --create normal|quick|force");
		usage(stderr);
		return CLP_EXIT_USAGE;
	}
	if (!strcmp(mode_arg, "normal")) {
		mode = CLP_MD_INIT_NORMAL;
	} else if (!strcmp(mode_arg, "quick")) {
		mode = CLP_MD_INIT_QUICK;
	} else if (!strcmp(mode_arg, "force")) {
		mode = CLP_MD_INIT_FORCE;
	} else {
		clp_err("--create: '%s' is not one of normal, quick, force", mode_arg);
		return CLP_EXIT_USAGE;
	}
	if (optind == argc) {
		clp_err("missing the mirror disk resource name (e.g. md01)");
		return CLP_EXIT_USAGE;
	}
	if (argc - optind > 1) {
		clp_err("unexpected argument '%s'", argv[optind + 1]);
		return CLP_EXIT_USAGE;
	}
	if (clp_md_name_arg(argv[optind]))
		return CLP_EXIT_USAGE;
	ret = clp_md_cmd_root();
	if (!ret)
		ret = clp_md_cmd_conf(&c);
	if (!ret)
		ret = clp_md_cmd_resource(&c, argv[optind]);
	if (!ret)
		ret = check_not_in_driver(&c);
	if (!ret)
		ret = clp_md_init_cp(&c.md, mode);
	clp_md_cmd_free(&c);
	return ret;
}
