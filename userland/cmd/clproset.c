// SPDX-License-Identifier: GPL-2.0
/*
 * clproset: make the data partition of a mirror disk resource writable
 * regardless of the cluster, or read-only again (guide 2.22, "Changing
 * disk resources file system"; Documentation/commands.md).
 *
 *   clproset -w -d <device>
 *     the partition leaves this server's liscal driver (refused while the
 *     resource is active here or a mirror recovery runs), its copy is
 *     marked as written outside the mirror (refused unless it is current:
 *     it becomes the source of a full mirror recovery when the two copies
 *     meet again) and its read-only flag is cleared.
 *   clproset -o -d <device>
 *     set its read-only flag (refused while the driver holds it): nothing
 *     writes it until the mirror agent takes it back at the next start of
 *     the cluster service.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "clp_log.h"
#include "clp_md_cmd.h"
#include "clp_md_init.h"
#include "clp_md_meta.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: clproset -w|-o -d <device>\n"
		"  -w           make <device> readable/writable regardless of the cluster:\n"
		"               it leaves this server's liscal driver (refused while active\n"
		"               here or recovering) and this server's copy, which must be\n"
		"               current, becomes the source of a full mirror recovery\n"
		"  -o           make <device> read-only until the cluster service takes it\n"
		"               back (refused while the liscal driver holds it)\n"
		"  -d <device>  the data partition of a mirror disk resource on this server\n"
		"               (its dppath in clp.conf)\n"
		"  -h, --help   this help\n"
		"Run it with the cluster stopped (clpcl -t -a): then create the file system,\n"
		"run clproset -o, change fs in clp.conf and start the cluster.\n");
}

/* The mirror disk resource of clp.conf whose data partition on this server
 * is @dev (the same path or the same block device) into c->md. */
static int find_resource(struct clp_md_cmd *c, const char *dev)
{
	struct stat want, st;
	bool blk = stat(dev, &want) == 0 && S_ISBLK(want.st_mode);
	int i, n = clp_md_count(c->conf), ret;
	char list[512] = "";
	size_t len = 0;

	if (!blk) {
		clp_err("-d %s: not a block device", dev);
		return CLP_EXIT_USAGE;
	}
	for (i = 0; i < n; i++) {
		ret = clp_md_cmd_resource(c, clp_md_name_at(c->conf, i));
		if (ret)
			return ret;
		if (!strcmp(c->md.local.dppath, dev) ||
		    (stat(c->md.local.dppath, &st) == 0 && S_ISBLK(st.st_mode) &&
		     st.st_rdev == want.st_rdev))
			return CLP_EXIT_OK;
		if (len < sizeof(list))
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s %s",
						i ? ", " : "", c->md.name, c->md.local.dppath);
	}
	clp_err("-d %s: not the data partition of a mirror disk resource on this server "
		"(clp.conf: %s)", dev, n ? list : "no mirror disk resource");
	return CLP_EXIT_USAGE;
}

/* -w: out of the driver, marked written outside the mirror, writable. */
static int set_writable(struct clp_md_cmd *c)
{
	struct clp_md_status st;
	int ret = clp_md_cmd_in_driver(c, &st);

	if (ret < 0)
		return -ret;
	if (ret && st.disk != LISCAL_DISK_UPTODATE) {
		clp_err("%s: the copy on this server (%s) is %s, not current: write the file "
			"system on the server whose copy is current", c->md.name,
			c->md.local.dppath, clp_md_disk_name(st.disk));
		return CLP_EXIT_STATE;
	}
	ret = clp_md_cmd_release(c, true);
	if (!ret)
		ret = clp_md_cmd_release(c, false);
	if (!ret)
		ret = clp_md_cp_edit(&c->md, CLP_META_WRITTEN);
	if (!ret)
		ret = clp_md_dp_ro(&c->md, 0, true, NULL);
	if (!ret)
		clp_info("%s: %s is readable/writable; run 'clproset -o -d %s' when done",
			 c->md.name, c->md.local.dppath, c->md.local.dppath);
	return ret;
}

/* -o: read-only, while the driver does not hold it. */
static int set_readonly(struct clp_md_cmd *c)
{
	int ret = clp_md_cmd_not_in_driver(c, "the mirror protects its data partition then; "
					   "clproset -o follows clproset -w");

	if (!ret)
		ret = clp_md_dp_ro(&c->md, 1, true, NULL);
	if (!ret)
		clp_info("%s: %s is read-only until the cluster service takes it back",
			 c->md.name, c->md.local.dppath);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct clp_md_cmd c = { 0 };
	const char *dev = NULL;
	int opt, ret, mode = 0;

	clp_log_init(argv[0]);
	while ((opt = getopt_long(argc, argv, "wod:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'w':
		case 'o':
			if (mode && mode != opt) {
				clp_err("-w and -o cannot be used together");
				return CLP_EXIT_USAGE;
			}
			mode = opt;
			break;
		case 'd':
			dev = optarg;
			break;
		case 'h':
			usage(stdout);
			return CLP_EXIT_OK;
		default:
			usage(stderr);
			return CLP_EXIT_USAGE;
		}
	}
	if (!mode) {
		clp_err("missing -w (readable/writable) or -o (read-only)");
		usage(stderr);
		return CLP_EXIT_USAGE;
	}
	if (!dev || !*dev) {
		clp_err("missing -d <device>");
		return CLP_EXIT_USAGE;
	}
	if (optind < argc) {
		clp_err("unexpected argument '%s'", argv[optind]);
		return CLP_EXIT_USAGE;
	}
	ret = clp_md_cmd_root();
	if (!ret)
		ret = clp_md_cmd_conf(&c);
	if (!ret)
		ret = find_resource(&c, dev);
	if (!ret)
		ret = mode == 'w' ? set_writable(&c) : set_readonly(&c);
	clp_md_cmd_free(&c);
	return ret;
}
