// SPDX-License-Identifier: GPL-2.0
/*
 * clphdstat: show the state of a hybrid disk resource as this server sees
 * it (Documentation/commands.md, Documentation/hybrid.md).
 *
 *   clphdstat --mirror <hd> [--json]      -m  the mirror status, this
 *                                             group's current server, the
 *                                             colour of each group's copy
 *   clphdstat -a --mirror <hd> [--json]       also every server of both
 *                                             groups: its group, current
 *
 * What is known here: this group's current server from the lease on its
 * shared cluster partition; when this server is current, the driver's
 * state, its peer (the other group's current server, from the driver's
 * peer address) and both colours. Otherwise the mirror runs on the
 * current server of this group: "run clphdstat there".
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clp_hd.h"
#include "clp_hd_lease.h"
#include "clp_log.h"
#include "clp_md_cmd.h"
#include "clp_md_init.h"
#include "clp_md_meta.h"
#include "clp_md_state.h"
#include "clp_out.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: clphdstat [-a] --mirror <hd> [--json]\n"
		"       clphdstat --list [--json]\n"
		"  -m, --mirror  mirror status of hybrid disk <hd>: this server group's current\n"
		"                server (its lease), the colour of each group's copy\n"
		"  -a, --all     also every server of both server groups and which is current\n"
		"  -l, --list    the hybrid disks of which this server is a member\n"
		"  -j, --json    JSON output\n"
		"  -h, --help    this help\n"
		"Configuration: $CLP_CONF, else $CLP_PREFIX/etc/clp.conf (/opt/clpstack).\n");
}

static void out_group(struct clp_out *o, const struct clp_hd *hd, int g, const char *current,
		      const char *colour, bool all)
{
	int k;

	clp_out_obj_begin(o, NULL);
	clp_out_str(o, "server_group", hd->group[g].name);
	clp_out_bool(o, "local", g == hd->local_group);
	clp_out_str(o, "current_server", current);
	clp_out_str(o, "colour", colour);
	if (all) {
		clp_out_list_begin(o, "servers");
		for (k = 0; k < hd->group[g].nservers; k++) {
			const char *s = hd->group[g].servers[k];

			clp_out_obj_begin(o, NULL);
			clp_out_str(o, "server", s);
			clp_out_str(o, "current", !strcmp(current, "unknown") ? "unknown" :
				    !strcmp(current, s) ? "yes" : "no");
			clp_out_obj_end(o);
		}
		clp_out_list_end(o);
	}
	clp_out_obj_end(o);
}

static int show(const char *name, bool all, bool json)
{
	struct clp_md_cmd c = { 0 };
	char err[1024], holder[64] = "", why[512] = "";
	const char *peer = NULL, *mine, *theirs;
	struct clp_md_status st;
	struct clp_out o;
	struct clp_hd hd;
	int ret, have = 0, lg, backup;

	ret = clp_md_cmd_root();
	if (!ret)
		ret = clp_md_cmd_conf(&c);
	if (ret)
		goto out;
	ret = clp_hd_load(c.conf, name, c.server, NULL, &hd, err, sizeof(err));
	if (ret < 0) {
		clp_err("%s", err);
		ret = ret == -ENOENT ? CLP_EXIT_USAGE : CLP_EXIT_CONFIG;
		goto out;
	}
	lg = hd.local_group;
	c.md = hd.md;
	if (clp_hd_lease_holder(hd.md.local.cppath, holder, sizeof(holder), why,
				sizeof(why)) < 0) {
		clp_err("%s: the lease of %s cannot be read: %s", name, hd.group[lg].name, why);
		ret = CLP_EXIT_ERROR;
		goto out;
	}
	if (!strcmp(holder, c.server)) {
		have = clp_md_cmd_in_driver(&c, &st);
		if (have < 0) {
			ret = -have;
			goto out;
		}
		if (have && st.conn == LISCAL_CONN_CONNECTED)
			peer = clp_hd_server_at(c.conf, &hd, 1 - lg, c.server, st.peer_addr);
	}
	/* Backup mode (clpbackup.sh, guide 2.19): the flag on the group's
	 * shared cluster partition, read from the driver or the partition. */
	backup = have > 0 ? clp_meta_flags_backup(st.sb_flags) : clp_md_cp_backup(&hd.md);
	mine = have ? clp_md_colour_name(clp_md_local_colour(&st)) : "unknown";
	theirs = have ? clp_md_colour_name(clp_md_peer_colour(&st)) : "unknown";

	clp_out_init(&o, stdout, json);
	clp_out_obj_begin(&o, NULL);
	clp_out_str(&o, "name", name);
	clp_out_str(&o, "server", c.server);
	clp_out_str(&o, "server_group", hd.group[lg].name);
	clp_out_bool(&o, "current", have > 0);
	if (have)
		clp_out_str(&o, "mirror_status", clp_md_mirror_name(clp_md_mirror_status(&st)));
	else if (!holder[0])
		clp_out_str(&o, "mirror_status", "No current server in this server group");
	else if (!strcmp(holder, c.server))
		clp_out_str(&o, "mirror_status", "Current here, not in the driver yet");
	else
		clp_out_fmt(&o, "mirror_status", "Runs on %s, the current server of %s (run "
			    "clphdstat there)", holder, hd.group[lg].name);
	clp_out_str(&o, "backup_mode", backup < 0 ? "unknown" : backup ? "on" : "off");
	clp_out_str(&o, "device", hd.md.nmppath);
	clp_out_str(&o, "connection", have ? clp_md_conn_name(st.conn) : "unknown");
	clp_out_list_begin(&o, "groups");
	out_group(&o, &hd, lg, holder[0] ? holder : "none", mine, all);
	out_group(&o, &hd, 1 - lg, peer ? peer : "unknown", theirs, all);
	clp_out_list_end(&o);
	clp_out_obj_end(&o);
	clp_out_finish(&o);
	ret = CLP_EXIT_OK;
out:
	clp_md_cmd_free(&c);
	return ret;
}

/* The hybrid disks of which this server is a member ("<hd1>" a line). */
static int show_list(bool json)
{
	struct clp_md_cmd c = { 0 };
	const char **names;
	char err[1024];
	struct clp_hd hd;
	int ret, i, n, k = 0;

	ret = clp_md_cmd_conf(&c);
	if (ret)
		return ret;
	n = clp_hd_count(c.conf);
	names = calloc(n > 0 ? (size_t)n : 1, sizeof(*names));
	if (!names) {
		clp_err("out of memory");
		clp_md_cmd_free(&c);
		return CLP_EXIT_ERROR;
	}
	for (i = 0; i < n; i++) {
		const char *name = clp_hd_name_at(c.conf, i);

		if (!name)
			continue;
		ret = clp_hd_load(c.conf, name, c.server, NULL, &hd, err, sizeof(err));
		if (ret == -EINVAL && hd.group[0].nservers && hd.local_group < 0)
			continue;	/* not a member */
		if (ret < 0) {
			clp_err("%s", err);
			free(names);
			clp_md_cmd_free(&c);
			return CLP_EXIT_CONFIG;
		}
		names[k++] = name;
	}
	clp_md_cmd_print_list(names, k, json);
	free(names);
	clp_md_cmd_free(&c);
	return CLP_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mirror", no_argument, NULL, 'm' },
		{ "all", no_argument, NULL, 'a' },
		{ "list", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool json = false, all = false, mirror = false, list = false;
	int c;

	clp_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, "maljh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			mirror = true;
			break;
		case 'a':
			all = true;
			break;
		case 'l':
			list = true;
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
	if (list) {
		if (mirror || all || optind < argc) {
			clp_err("--list takes no resource and no other option but --json");
			return CLP_EXIT_USAGE;
		}
		return show_list(json);
	}
	if (!mirror) {
		clp_err("give --mirror <hd> or --list");
		usage(stderr);
		return CLP_EXIT_USAGE;
	}
	if (optind == argc) {
		clp_err("--mirror: missing the hybrid disk resource name (e.g. hd1)");
		return CLP_EXIT_USAGE;
	}
	if (argc - optind > 1) {
		clp_err("unexpected argument '%s'", argv[optind + 1]);
		return CLP_EXIT_USAGE;
	}
	if (clp_hd_name_arg(argv[optind]))
		return CLP_EXIT_USAGE;
	return show(argv[optind], all, json);
}
