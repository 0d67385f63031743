// SPDX-License-Identifier: GPL-2.0
/*
 * clphdctrl: operate a hybrid disk resource (Documentation/commands.md,
 * Documentation/hybrid.md): the operations and syntax of clpmdctrl
 * (lib/clp_md_ctl.c), on the current server of this server group.
 *
 *   clphdctrl --active [-nomount] [-force] <hd>  --deactive <hd>
 *   clphdctrl --break <hd>    --recovery <hd>    --cancel <hd>
 *   clphdctrl --force [<source_server>] <hd>     --updatekey <hd>
 *   clphdctrl --resize [-force] <size> <hd>      (guide 2.24.1)
 *
 * The resource is in the driver of the current server only (the holder of
 * the lease on the group's shared cluster partition): elsewhere the
 * command refuses, naming the current server. The mirror's other end is
 * the other group's current server, read from the driver's peer address.
 * A copy source of --force may be any server of either group: every
 * member of a group holds that group's copy (its shared disk).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clp_hd.h"
#include "clp_hd_lease.h"
#include "clp_log.h"
#include "clp_md_ctl.h"

/* The resource as loaded by hd_load(), for node_of() and servers(). */
static struct clp_hd hd;

static int hd_load(struct clp_md_cmd *c, const char *name)
{
	char err[1024], holder[64], why[512];
	struct clp_md_status st;
	const char *peer;
	int ret, lg, have;

	ret = clp_hd_load(c->conf, name, c->server, NULL, &hd, err, sizeof(err));
	if (ret < 0) {
		clp_err("%s", err);
		return ret == -ENOENT ? CLP_EXIT_USAGE : CLP_EXIT_CONFIG;
	}
	lg = hd.local_group;
	if (clp_hd_lease_holder(hd.md.local.cppath, holder, sizeof(holder), why,
				sizeof(why)) < 0) {
		clp_err("%s: the lease of %s cannot be read: %s", name, hd.group[lg].name, why);
		return CLP_EXIT_ERROR;
	}
	if (!holder[0]) {
		clp_err("%s: %s has no current server: the hybrid disk runs nowhere in it (start "
			"its group, or see clphdstat --mirror %s)", name, hd.group[lg].name, name);
		return CLP_EXIT_STATE;
	}
	if (strcmp(holder, c->server)) {
		clp_err("%s: %s is the current server of %s, not %s: run clphdctrl there", name,
			holder, hd.group[lg].name, c->server);
		return CLP_EXIT_STATE;
	}
	/* The other end: whom this server's driver mirrors to. */
	c->md = hd.md;
	have = clp_md_cmd_in_driver(c, &st);
	if (have < 0)
		return -have;
	peer = have ? clp_hd_server_at(c->conf, &hd, 1 - lg, c->server, st.peer_addr) : NULL;
	if (have && !peer)
		clp_err("warning: %s: the driver's peer address %s is no server of %s in %s: "
			"messages name %s", name, st.peer_addr, hd.group[1 - lg].name,
			clp_conf_path(c->conf), hd.md.peer.server);
	if (peer) {
		char p[64];

		snprintf(p, sizeof(p), "%s", peer);
		ret = clp_hd_load(c->conf, name, c->server, p, &hd, err, sizeof(err));
		if (ret < 0) {
			clp_err("%s", err);
			return CLP_EXIT_CONFIG;
		}
	}
	c->md = hd.md;
	return CLP_EXIT_OK;
}

static int node_of(const struct clp_md_cmd *c, const char *server)
{
	int g = clp_hd_group_of(&hd, server);

	if (g < 0)
		return -1;
	return (int)(g == hd.local_group ? c->md.local.node_id : c->md.peer.node_id);
}

static void servers(const struct clp_md_cmd *c, char *buf, size_t len)
{
	size_t n = 0;
	int g, k;

	(void)c;
	buf[0] = 0;
	for (g = 0; g < 2; g++)
		for (k = 0; k < hd.group[g].nservers && n < len; k++)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
					      hd.group[g].servers[k]);
}

static const struct clp_md_ctl_kind hd_kind = {
	.cmd = "clphdctrl",
	.noun = "hybrid disk",
	.arg = "<hd>",
	.example = "hd1",
	.shrink_procedure = "2.24.2",
	.help_note = "Run it on the current server of this server group (clphdstat shows it);\n"
		     "the mirror's other end is the other group's current server.\n"
		     "A --force source may be any server of either group (a group's servers\n"
		     "share its copy).\n",
	.name_arg = clp_hd_name_arg,
	.load = hd_load,
	.node_of = node_of,
	.servers = servers,
};

int main(int argc, char **argv)
{
	return clp_md_ctl_main(argc, argv, &hd_kind);
}
