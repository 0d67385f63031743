// SPDX-License-Identifier: GPL-2.0
/*
 * clpmdctrl: operate a mirror disk resource (Documentation/commands.md).
 *
 *   clpmdctrl --active [-nomount] [-force] <md>  -a  activate (and mount)
 *   clpmdctrl --deactive <md>               -d  unmount and deactivate
 *   clpmdctrl --break <md>                  -b  break the mirror
 *   clpmdctrl --recovery <md>               -r  differential mirror recovery
 *   clpmdctrl --force [<source_server>] <md> -f  forced recovery / full copy
 *   clpmdctrl --cancel <md>                 -c  cancel a running recovery
 *   clpmdctrl --updatekey <md>                  new encryption key (guide 2.29)
 *   clpmdctrl --resize [-force] <size> <md>     grow online (guide 2.23.1)
 *
 * The operations are those of clphdctrl too (lib/clp_md_ctl.c).
 */
#include <stdio.h>

#include "clp_md.h"
#include "clp_md_ctl.h"

static void servers(const struct clp_md_cmd *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s, %s", c->md.local.server, c->md.peer.server);
}

static const struct clp_md_ctl_kind md_kind = {
	.cmd = "clpmdctrl",
	.noun = "mirror disk",
	.arg = "<md>",
	.example = "md01",
	.shrink_procedure = "2.23.2",
	.name_arg = clp_md_name_arg,
	.load = clp_md_cmd_resource,
	.node_of = clp_md_cmd_node_of,
	.servers = servers,
};

int main(int argc, char **argv)
{
	return clp_md_ctl_main(argc, argv, &md_kind);
}
