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
 *
 * --backup, --restore and --create skip-copy are clpmdinit's for the
 * guide's 2.19 and 2.20 (clpbackup.sh, clprestore.sh), on the group's
 * shared cluster partition. --backup on while the cluster service runs
 * goes through the daemons ("hd-backup"): the group's current server
 * takes the resource out of its driver and sets the flag, keeping the
 * lease, so that no member takes the group over in between; otherwise,
 * and for the other edits (refused while this server's hybrid disk agent
 * runs), under the group's lease as --create.
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
#include "clp_md_meta.h"
#include "clp_msg.h"

/* The lease time clphdinit holds the group's lease with. */
#define INIT_LEASE_MS 2000

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: clphdinit --create normal|quick|force|skip-copy [--check] <hd>\n"
		"       clphdinit --backup on|off [--check] <hd>\n"
		"       clphdinit --restore [--check] <hd>\n"
		"  -c, --create normal  initialise the cluster partition of hybrid disk <hd> on\n"
		"                       this server (its server group's shared disk); refused\n"
		"                       when it already holds a valid one\n"
		"  -c, --create quick   the same for a partition zeroed with dd beforehand\n"
		"  -c, --create force   overwrite the cluster partition whatever it holds\n"
		"  -c, --create skip-copy  as force, for copies restored from the same disk\n"
		"                       image (clprestore.sh --post --skip-copy); refused unless\n"
		"                       fullcopy and mkfs are 0\n"
		"  -b, --backup on|off  switch the group's cluster partition to / from backup\n"
		"                       mode (clpbackup.sh); 'on' with the cluster service\n"
		"                       running asks the group's current server, which takes\n"
		"                       <hd> out of its driver (refused while it is active)\n"
		"  -r, --restore        mark the group's copy as restored from a disk image\n"
		"                       (clprestore.sh): not current, a full copy is needed\n"
		"  -n, --check          only check (arguments, clp.conf, the driver); change nothing\n"
		"  -h, --help           this help\n"
		"The group's lease on the partition is taken first: refused while another\n"
		"server of the group is current (holds it and renews it). --backup off,\n"
		"--restore and skip-copy are refused while the cluster service runs here.\n");
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

/*
 * "hd-backup" to this server's daemon. @probe: 1 when its hybrid disk
 * agent runs here, else 0. Otherwise (--backup on): -1 when the caller
 * takes the lease itself (no daemon, no agent, no live current server),
 * else the exit code (0: switched, or with @check, switchable).
 */
static int ask_daemon(const char *name, bool probe, bool check)
{
	struct json_object *q = json_object_new_object(), *a, *v;
	char why[256];
	bool yes;
	int code;

	json_object_object_add(q, "op", json_object_new_string("hd-backup"));
	json_object_object_add(q, "hd", json_object_new_string(name));
	json_object_object_add(q, probe ? "probe" : "check", json_object_new_boolean(probe || check));
	a = clp_msg_local(q, 60000, why, sizeof(why));
	json_object_put(q);
	if (!a)
		return probe ? 0 : -1;	/* no daemon: its agent does not run */
	code = clp_msg_code(a);
	yes = json_object_object_get_ex(a, probe ? "agent" : "marked", &v) &&
	      json_object_get_boolean(v);
	if (probe) {
		json_object_put(a);
		return !code && yes;
	}
	if (code)
		clp_err("%s", clp_msg_text(a));
	else if (yes)
		clp_info("%s", clp_msg_text(a));
	json_object_put(a);
	if (code)
		return code;
	return yes ? 0 : -1;
}

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
	enum clp_md_init_mode mode = CLP_MD_INIT_NORMAL;
	const char *mode_arg = NULL, *backup_arg = NULL;
	struct clp_hd hd;
	char err[1024];
	bool check = false, restore = false;
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
			"missing --create normal|quick|force|skip-copy, --backup on|off or --restore");
		usage(stderr);
		return CLP_EXIT_USAGE;
	}
	ret = clp_md_init_action(mode_arg, backup_arg, restore, &edit, &mode);
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
	if (!ret)
		c.md = hd.md;
	if (!ret && edit == CLP_META_BACKUP_ON) {
		/* The cluster service runs: its current server does it. */
		ret = ask_daemon(hd.name, false, check);
		if (ret >= 0)
			goto out;
		ret = CLP_EXIT_OK;
	} else if (!ret && (edit >= 0 || mode == CLP_MD_INIT_SKIP_COPY) &&
		   ask_daemon(hd.name, true, false) == 1) {
		clp_err("%s: the cluster service runs on %s (its hybrid disk agent has %s): stop "
			"it first (clpcl -t)", hd.name, c.server, hd.name);
		ret = CLP_EXIT_STATE;
	}
	if (!ret)
		ret = edit == CLP_META_BACKUP_ON ? clp_md_cmd_release(&c, check) :
						   clp_md_cmd_not_in_driver(&c, OWNED);
	if (!ret && mode == CLP_MD_INIT_SKIP_COPY && edit < 0)
		ret = clp_md_init_skip_copy_ok(&c.md);
	if (!ret && !check) {
		ret = take_lease(&hd, c.server, false);
		if (!ret) {
			ret = edit >= 0 ? clp_md_cp_edit(&c.md, edit) : clp_md_init_cp(&c.md, mode);
			take_lease(&hd, c.server, true);
		}
	}
out:
	clp_md_cmd_free(&c);
	return ret;
}
