// SPDX-License-Identifier: GPL-2.0
/*
 * Host test helper: load clp.conf, check every hybrid disk resource
 * (clp_hd_check_all), and print one as clp_hd_load() sees it from one
 * server, "key=value" per line.
 *   hd_conf_dump <clp.conf> <server> <hd> [<peer>]
 * Exit 0, or 4 with the loader's message on stderr.
 */
#include <stdio.h>

#include "clp_hd.h"

int main(int argc, char **argv)
{
	struct clp_conf *conf;
	struct clp_hd hd;
	char err[1024];
	int g, i;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: hd_conf_dump <clp.conf> <server> <hd> [<peer>]\n");
		return 2;
	}
	conf = clp_conf_load(argv[1], err, sizeof(err));
	if (!conf) {
		fprintf(stderr, "%s\n", err);
		return 4;
	}
	if (clp_hd_check_all(conf, err, sizeof(err)) < 0 ||
	    clp_hd_load(conf, argv[3], argv[2], argc == 5 ? argv[4] : NULL, &hd, err,
			sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		clp_conf_free(conf);
		return 4;
	}
	printf("name=%s\nindex=%d\nlocal_group=%d\n", hd.name, hd.index, hd.local_group);
	for (g = 0; g < 2; g++) {
		printf("group%d=%s", g, hd.group[g].name);
		for (i = 0; i < hd.group[g].nservers; i++)
			printf(" %s", hd.group[g].servers[i]);
		printf("\n");
	}
	printf("nmppath=%s\nport=%ld\nfs=%s\nmount_point=%s\nsync=%d\n", hd.md.nmppath,
	       hd.md.port, hd.md.fs, hd.md.mount_point, hd.md.sync);
	printf("local=%s node %u %s %s %s\n", hd.md.local.server, hd.md.local.node_id,
	       hd.md.local.addr, hd.md.local.dppath, hd.md.local.cppath);
	printf("peer=%s node %u %s %s %s\n", hd.md.peer.server, hd.md.peer.node_id,
	       hd.md.peer.addr, hd.md.peer.dppath, hd.md.peer.cppath);
	clp_conf_free(conf);
	return 0;
}
