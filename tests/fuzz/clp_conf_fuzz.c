// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry for clp.conf as clpmgrd and the commands read it
 * (userland/lib: clp_conf on libxml2 with the RELAX NG schema, then the
 * mirror disk, hybrid disk and heartbeat models clp_md, clp_hd and
 * clp_hb). The input is the file's text. A configuration is loaded; when
 * it validates, every md and hd resource is read from every server named
 * in it, the cluster-wide settings, the cross-resource checks and the
 * heartbeat configuration.
 * Every refusal must say what is wrong (a non-empty message); anything
 * the sanitizers see is a finding.
 *
 * The schema is the source tree's (CLP_SCHEMA). Key files named by the
 * input are opened and read as the commands do; standard input is
 * /dev/null so that a path like /dev/stdin cannot block a run.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clp_conf.h"
#include "clp_hb.h"
#include "clp_hd.h"
#include "clp_md.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static char dir[] = "/tmp/clp_conf_fuzz.XXXXXX";
static char path[64];

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd < 0 || dup2(fd, 0) < 0 || !mkdtemp(dir))
		abort();
	close(fd);
	snprintf(path, sizeof(path), "%s/clp.conf", dir);
	atexit(cleanup);
	setenv("CLP_SCHEMA", CLP_SRC_SCHEMA, 1);
	return 0;
}

static void must_say(const char *err)
{
	if (!err[0])
		abort();
}

/* Hybrid disks (clp_hd): each from @server, and the checks of them all. */
static void read_hd(struct clp_conf *conf, const char *server)
{
	struct clp_hd *hd = malloc(sizeof(*hd));
	char err[1024];
	int i, n;

	if (!hd)
		abort();
	n = clp_hd_count(conf);
	for (i = 0; i < n && i < CLP_MD_MAX + 1; i++) {
		const char *name = clp_hd_name_at(conf, i);

		err[0] = 0;
		if (name && clp_hd_load(conf, name, server, NULL, hd, err, sizeof(err)) < 0)
			must_say(err);
	}
	err[0] = 0;
	if (clp_hd_check_all(conf, err, sizeof(err)) < 0)
		must_say(err);
	free(hd);
}

static void read_models(struct clp_conf *conf, const char *server)
{
	struct clp_md_cluster c;
	struct clp_hb_conf hb;
	struct clp_md md;
	char err[1024];
	int i, n;

	err[0] = 0;
	if (clp_md_cluster_load(conf, &c, err, sizeof(err)) < 0)
		must_say(err);
	n = clp_md_count(conf);
	for (i = 0; i < n && i < CLP_MD_MAX + 1; i++) {
		const char *name = clp_md_name_at(conf, i);

		err[0] = 0;
		if (name && clp_md_load(conf, name, server, &md, err, sizeof(err)) < 0)
			must_say(err);
	}
	err[0] = 0;
	if (clp_md_check_all(conf, server, err, sizeof(err)) < 0)
		must_say(err);
	err[0] = 0;
	if (clp_hb_conf_read(conf, server, &hb, err, sizeof(err)) < 0)
		must_say(err);
	read_hd(conf, server);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct clp_conf *conf;
	char err[1024];
	FILE *f;
	int i, n;

	f = fopen(path, "w");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	err[0] = 0;
	conf = clp_conf_load(path, err, sizeof(err));
	if (!conf) {
		must_say(err);
		return 0;
	}
	n = clp_conf_count(conf, "/root/server");
	for (i = 0; i < n && i < 4; i++) {
		const char *server = clp_conf_name_at(conf, "/root/server", i);

		if (server)
			read_models(conf, server);
	}
	/* A server that is not in the configuration. */
	read_models(conf, "no-such-server");
	clp_conf_free(conf);
	return 0;
}
