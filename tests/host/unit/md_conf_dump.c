// SPDX-License-Identifier: GPL-2.0
/*
 * Host test helper: load clp.conf and print every value of one mirror disk
 * resource as clp_md_load() sees it from one server, "key=value" per line.
 *   md_conf_dump <clp.conf> <server> <md>
 * Exit 0, or 4 with the loader's message on stderr.
 */
#include <stdio.h>

#include "clp_md.h"

int main(int argc, char **argv)
{
	struct clp_conf *conf;
	struct clp_md md;
	char err[1024];

	if (argc != 4) {
		fprintf(stderr, "usage: md_conf_dump <clp.conf> <server> <md>\n");
		return 2;
	}
	conf = clp_conf_load(argv[1], err, sizeof(err));
	if (!conf) {
		fprintf(stderr, "%s\n", err);
		return 4;
	}
	if (clp_md_load(conf, argv[3], argv[2], &md, err, sizeof(err)) < 0 ||
	    clp_md_check_all(conf, argv[2], err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		clp_conf_free(conf);
		return 4;
	}
	printf("name=%s\nindex=%d\nnmp=%u\nnmppath=%s\n", md.name, md.index, md.nmp, md.nmppath);
	printf("fs=%s\nmount_point=%s\nmount_option=%s\n", md.fs, md.mount_point, md.mount_option);
	printf("fullcopy=%d\nmkfs=%d\nfencing=%d\nsync=%d\nsendqueuesize=%ld\nhotextents=%ld\nbandlimit=%ld\n",
	       md.fullcopy, md.mkfs, md.fencing, md.sync, md.sendqueuesize, md.hotextents,
	       md.bandlimit);
	printf("compress=%u\ncrypto=%d\nkeyfile=%s\n", md.compress, md.crypto, md.keyfile);
	printf("sendtimeout=%ld\nconnecttimeout=%ld\nacktimeout=%ld\nrecvnormaltimeout=%ld\n",
	       md.sendtimeout, md.connecttimeout, md.acktimeout, md.recvnormaltimeout);
	printf("hbinterval=%ld\npingtimeout=%ld\npingretry=%ld\n", md.hbinterval, md.pingtimeout,
	       md.pingretry);
	printf("mdc_device=%ld\nport=%ld\n", md.mdc_device, md.port);
	printf("local=%s node %u %s %s %s\n", md.local.server, md.local.node_id, md.local.addr,
	       md.local.dppath, md.local.cppath);
	printf("peer=%s node %u %s %s %s\n", md.peer.server, md.peer.node_id, md.peer.addr,
	       md.peer.dppath, md.peer.cppath);
	printf("reqqueue=%ld\ncperror=%s\ndperror=%s\nrecoverysize=%ld\ncptimeout=%ld\n"
	       "autorecovery=%d\nstatistics=%d\n", md.cluster.reqqueue, clp_md_ioerr_name(md.cluster.cperror),
	       clp_md_ioerr_name(md.cluster.dperror), md.cluster.recoverysize,
	       md.cluster.cptimeout, md.cluster.autorecovery, md.cluster.statistics);
	clp_conf_free(conf);
	return 0;
}
