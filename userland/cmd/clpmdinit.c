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
 *
 *   clpmdinit --backup on|off <md>
 *     switch the cluster partition to / from backup mode (guide 2.19, run by
 *     clpbackup.sh): a flag in the superblock. "on" first takes the resource
 *     out of this server's driver (refused while it is active here or a
 *     mirror recovery runs); "off" is refused while the driver has it.
 *   clpmdinit --restore <md>
 *     mark the copy as restored from a disk image (guide 2.20, run by
 *     clprestore.sh --post): not current, full copy pending.
 */
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "clp_log.h"
#include "clp_md_cmd.h"
#include "clp_md_init.h"
#include "clp_md_meta.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: clpmdinit --create normal|quick|force|skip-copy [--check] <md>\n"
		"       clpmdinit --backup on|off [--check] <md>\n"
		"       clpmdinit --restore [--check] <md>\n"
		"  -c, --create normal  initialise the cluster partition of <md> on this server;\n"
		"                       refused when it already holds a valid one\n"
		"  -c, --create quick   the same for a partition zeroed with dd beforehand:\n"
		"                       checks the zeroes and writes the superblock only\n"
		"  -c, --create force   overwrite the cluster partition whatever it holds\n"
		"  -c, --create skip-copy  as force, for copies restored from the same disk\n"
		"                       image (clprestore.sh --post --skip-copy); refused unless\n"
		"                       fullcopy and mkfs are 0\n"
		"  -b, --backup on|off  switch <md>'s cluster partition to / from backup mode\n"
		"                       (clpbackup.sh); 'on' takes <md> out of this server's\n"
		"                       liscal driver first (refused while active or recovering)\n"
		"  -r, --restore        mark <md>'s copy as restored from a disk image\n"
		"                       (clprestore.sh): not current, a full copy is needed\n"
		"  -n, --check          only check (arguments, clp.conf, the driver, skip-copy's\n"
		"                       settings); change nothing\n"
		"  -h, --help           this help\n"
		"With resource/md@<md>/parameters/mkfs = 1, the data partition's file system\n"
		"is then created (all its data is lost). The copy is empty afterwards: the\n"
		"initial mirror construction fills it from the other server.\n");
}

/* The driver owns the partitions while it has the resource. */
#define OWNED "stop the mirror agent and remove the resource from the driver first"

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "create", required_argument, NULL, 'c' },
		{ "backup", required_argument, NULL, 'b' },
		{ "restore", no_argument, NULL, 'r' },
		{ "check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct clp_md_cmd c = { 0 };
	const char *mode_arg = NULL, *backup_arg = NULL;
	enum clp_md_init_mode mode = CLP_MD_INIT_NORMAL;
	bool restore = false, check = false;
	int opt, ret, edit = -1;

	clp_log_init(argv[0]);
	while ((opt = getopt_long(argc, argv, "c:b:rnh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			mode_arg = optarg;
			break;
		case 'b':
			backup_arg = optarg;
			break;
		case 'r':
			restore = true;
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
	if (!!mode_arg + !!backup_arg + restore != 1) {
		clp_err(mode_arg || backup_arg || restore ?
			"--create, --backup and --restore cannot be used together" :
			"missing --create normal|quick|force, --backup on|off or --restore");
		usage(stderr);
		return CLP_EXIT_USAGE;
	}
	if (clp_md_init_action(mode_arg, backup_arg, restore, &edit, &mode))
		return CLP_EXIT_USAGE;
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
	if (!ret && check) {
		/* --check: every check before the partition is opened, no change */
		ret = edit == CLP_META_BACKUP_ON ? clp_md_cmd_release(&c, true) :
						   clp_md_cmd_not_in_driver(&c, OWNED);
		if (!ret && mode == CLP_MD_INIT_SKIP_COPY && edit < 0)
			ret = clp_md_init_skip_copy_ok(&c.md);
		clp_md_cmd_free(&c);
		return ret;
	}
	if (!ret)
		ret = edit == CLP_META_BACKUP_ON ? clp_md_cmd_release(&c, false) :
						   clp_md_cmd_not_in_driver(&c, OWNED);
	if (!ret)
		ret = edit >= 0 ? clp_md_cp_edit(&c.md, edit) : clp_md_init_cp(&c.md, mode);
	clp_md_cmd_free(&c);
	return ret;
}
