// SPDX-License-Identifier: GPL-2.0
/*
 * clphdinit: initialise the cluster partition of a hybrid disk resource on
 * this server (guide 2.17: clphdinit --create force|quick <hd>).
 * Documentation/commands.md and Documentation/hybrid.md.
 *
 * The cluster partition of a server group is on its shared disk: before
 * rewriting it, clphdinit takes the group's lease (clp_hd_lease.c), so that
 * it never rewrites the partition under a live current server of the
 * group (a dead one is waited out by the takeover rule). The fresh
 * partition's lease is free.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clp_hd.h"
#include "clp_hd_lease.h"
#include "clp_log.h"
#include "clp_md_cmd.h"
#include "clp_md_init.h"

/* The lease time clphdinit holds the group's lease with. */
#define INIT_LEASE_MS 2000

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: clphdinit --create normal|quick|force [--check] <hd>\n"
		"  -c, --create normal  initialise the cluster partition of hybrid disk <hd> on\n"
		"                       this server (its server group's shared disk); refused\n"
		"                       when it already holds a valid one\n"
		"  -c, --create quick   the same for a partition zeroed with dd beforehand\n"
		"  -c, --create force   overwrite the cluster partition whatever it holds\n"
		"  -n, --check          only check (arguments, clp.conf, the driver); change nothing\n"
		"  -h, --help           this help\n"
		"The group's lease on the partition is taken first: refused while another\n"
		"server of the group is current (holds it and renews it).\n");
}

#define OWNED "stop the mirror agent and remove the resource from the driver first"

/*
 * Take the group's lease on the shared cluster partition (@release: give
 * it back, when still ours). A record never written (all zero: a new or
 * dd-zeroed partition, as quick wants it) is left as it is.
 */
static int take_lease(const struct clp_hd *hd, const char *server, bool release)
{
	char err[512], holder[64];
	struct clp_hd_lease l;
	int fd, ret;

	fd = clp_hd_lease_open(hd->md.local.cppath, err, sizeof(err));
	if (fd < 0) {
		clp_err("%s", err);
		return CLP_EXIT_ERROR;
	}
	if (release) {
		clp_hd_lease_release(fd, server, err, sizeof(err));
		close(fd);
		return CLP_EXIT_OK;
	}
	ret = clp_hd_lease_read(fd, &l, err, sizeof(err));
	if (!ret && (l.counter || l.holder[0]))
		ret = clp_hd_lease_acquire(fd, server, INIT_LEASE_MS, holder, sizeof(holder),
					   err, sizeof(err));
	close(fd);
	if (ret == -EBUSY) {
		clp_err("%s: %s: %s is the current server of %s: run clphdinit there, or stop "
			"its cluster service first", hd->name, hd->md.local.cppath, holder,
			hd->group[hd->local_group].name);
		return CLP_EXIT_STATE;
	}
	if (ret == -EBADMSG) {
		/* Not a lease (a new or foreign partition): force rewrites it. */
		clp_info("%s: %s: %s", hd->name, hd->md.local.cppath, err);
		return CLP_EXIT_OK;
	}
	if (ret) {
		clp_err("%s: %s: %s", hd->name, hd->md.local.cppath, err);
		return CLP_EXIT_ERROR;
	}
	return CLP_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "create", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct clp_md_cmd c = { 0 };
	enum clp_md_init_mode mode = CLP_MD_INIT_NORMAL;
	const char *mode_arg = NULL;
	struct clp_hd hd;
	char err[1024];
	bool check = false;
	int opt, ret;

	clp_log_init(argv[0]);
	while ((opt = getopt_long(argc, argv, "c:nh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			mode_arg = optarg;
			break;
		case 'n':
			check = true;
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
	ret = clp_md_init_mode_arg(mode_arg, false, &mode);
	if (ret)
		return ret;
	if (optind == argc) {
		clp_err("missing the hybrid disk resource name (e.g. hd1)");
		return CLP_EXIT_USAGE;
	}
	if (argc - optind > 1) {
		clp_err("unexpected argument '%s'", argv[optind + 1]);
		return CLP_EXIT_USAGE;
	}
	if (clp_hd_name_arg(argv[optind]))
		return CLP_EXIT_USAGE;
	ret = clp_md_cmd_root();
	if (!ret)
		ret = clp_md_cmd_conf(&c);
	if (!ret) {
		ret = clp_hd_load(c.conf, argv[optind], c.server, NULL, &hd, err, sizeof(err));
		if (ret < 0)
			clp_err("%s", err);
		ret = ret == -ENOENT ? CLP_EXIT_USAGE : ret < 0 ? CLP_EXIT_CONFIG : CLP_EXIT_OK;
	}
	if (!ret) {
		c.md = hd.md;
		ret = clp_md_cmd_not_in_driver(&c, OWNED);
	}
	if (!ret && !check) {
		ret = take_lease(&hd, c.server, false);
		if (!ret) {
			ret = clp_md_init_cp(&c.md, mode);
			take_lease(&hd, c.server, true);
		}
	}
	clp_md_cmd_free(&c);
	return ret;
}
