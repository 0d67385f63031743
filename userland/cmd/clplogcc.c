// SPDX-License-Identifier: GPL-2.0
/*
 * clplogcc: collect logs for investigation (guide 2.9): one tar.gz archive
 * per server, <dir>/<server>.tar.gz, with the files of the type asked
 * (clp_logcc.h). This server's archive is written here; another server's
 * is made by its cluster daemon and read back through the local daemon
 * over the daemons' signed request channel (no ssh).
 *
 *   clplogcc [-t type1..type6] [-o <dir>] [-n <server>]... [--local]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/evp.h>

#include "clp_cli.h"
#include "clp_conf.h"
#include "clp_log.h"
#include "clp_logcc.h"
#include "clp_msg.h"

#define MAX_SRV 16
#define TIMEOUT_MS (600 * 1000)

static const char usage_text[] =
	"Usage: clplogcc [-t <type>] [-o <dir>] [-n <server>]... [--local]\n";

static void help(void)
{
	printf("%s"
	       "  Collects logs into <dir>/<server>.tar.gz, one archive per server.\n"
	       "  -t, --type <type>      type1 (default: logs, alert log, configuration, OS\n"
	       "                         information), type2 (and mirror statistics), type3 (and\n"
	       "                         system and process statistics), type4 (and every\n"
	       "                         statistics file), type5 (configuration and OS information\n"
	       "                         only), type6 (and cluster statistics)\n"
	       "  -o, --output <dir>     where the archives go (default <prefix>/tmp)\n"
	       "  -n, --node <server>    collect from this server (repeatable; default: every\n"
	       "                         server of the configuration)\n"
	       "  --local                this server only, without the cluster daemon\n"
	       "Exit: 0 every archive written, 1 some failed, 2 bad arguments, 4 bad\n"
	       "configuration, 6 not root.\n", usage_text);
}

/* @server's archive through the local daemon into @out. */
static int remote(const char *server, int type, const char *out)
{
	struct json_object *req, *r = NULL;
	char name[64], part[620];
	unsigned char *bin = NULL;
	int64_t off = 0;
	bool eof = false;
	int ret, fd;

	req = clp_cli_req("logcc");
	json_object_object_add(req, "server", json_object_new_string(server));
	json_object_object_add(req, "type", json_object_new_int(type));
	ret = clp_cli_request(req, TIMEOUT_MS, true, &r);
	json_object_put(req);
	if (ret) {
		json_object_put(r);
		return ret;
	}
	snprintf(name, sizeof(name), "%s", clp_msg_get_str(r, "name") ? clp_msg_get_str(r, "name") : "");
	json_object_put(r);
	snprintf(part, sizeof(part), "%s.part", out);
	fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		clp_err("cannot write %s: %s", part, strerror(errno));
		ret = CLP_EXIT_ERROR;
		goto done;
	}
	while (!eof && !ret) {
		const char *data;
		int64_t len;
		int n;

		req = clp_cli_req("logcc-read");
		json_object_object_add(req, "server", json_object_new_string(server));
		json_object_object_add(req, "name", json_object_new_string(name));
		json_object_object_add(req, "offset", json_object_new_int64(off));
		ret = clp_cli_request(req, TIMEOUT_MS, true, &r);
		json_object_put(req);
		if (ret)
			break;
		data = clp_msg_get_str(r, "data");
		len = clp_msg_get_int(r, "len", -1);
		eof = clp_msg_get_int(r, "eof", 1);
		free(bin);
		bin = data ? malloc(strlen(data) / 4 * 3 + 3) : NULL;
		n = bin ? EVP_DecodeBlock(bin, (const unsigned char *)data, (int)strlen(data)) : -1;
		/* The decoded block is padded to whole groups of 3: @len is the true size. */
		if (n < 0 || len < 0 || len > n || write(fd, bin, (size_t)len) != len) {
			clp_err("%s: a damaged or unwritable chunk at offset %lld of %s", server,
				(long long)off, name);
			ret = CLP_EXIT_ERROR;
		}
		off += len > 0 ? len : 0;
		json_object_put(r);
	}
	free(bin);
	if (close(fd) < 0 && !ret) {
		clp_err("cannot write %s: %s", part, strerror(errno));
		ret = CLP_EXIT_ERROR;
	}
	if (!ret && rename(part, out) < 0) {
		clp_err("cannot write %s: %s", out, strerror(errno));
		ret = CLP_EXIT_ERROR;
	}
	if (ret)
		unlink(part);
done:
	req = clp_cli_req("logcc-done");
	json_object_object_add(req, "server", json_object_new_string(server));
	json_object_object_add(req, "name", json_object_new_string(name));
	clp_cli_request(req, TIMEOUT_MS, true, NULL);
	json_object_put(req);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "node", required_argument, NULL, 'n' },
		{ "local", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *srv[MAX_SRV], *dir = NULL, *local;
	char defdir[512], out[600], err[512];
	int nsrv = 0, type = 1, c, i, n, ret = CLP_EXIT_OK;
	bool only_local = false;
	struct clp_conf *conf;
	struct stat st;

	clp_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, "t:o:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			type = clp_logcc_type(optarg);
			if (type < 0) {
				clp_err("-t: '%s' is not a log collection type (type1 ... type%d)",
					optarg, CLP_LOGCC_TYPES);
				return CLP_EXIT_USAGE;
			}
			break;
		case 'o':
			dir = optarg;
			break;
		case 'n':
			if (nsrv == MAX_SRV) {
				clp_err("-n: more than %d servers", MAX_SRV);
				return CLP_EXIT_USAGE;
			}
			srv[nsrv++] = optarg;
			break;
		case 'l':
			only_local = true;
			break;
		case 'h':
			help();
			return CLP_EXIT_OK;
		default:
			fputs(usage_text, stderr);
			return CLP_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		clp_err("unexpected argument '%s'", argv[optind]);
		return CLP_EXIT_USAGE;
	}
	if (only_local && nsrv) {
		clp_err("--local and -n exclude each other");
		return CLP_EXIT_USAGE;
	}
	if (geteuid() != 0) {
		clp_err("must be run as root");
		return CLP_EXIT_PERM;
	}
	conf = clp_conf_load(clp_conf_default_path(), err, sizeof(err));
	if (!conf) {
		clp_err("%s", err);
		return CLP_EXIT_CONFIG;
	}
	local = clp_conf_local_server();
	n = clp_conf_count(conf, "/root/server");
	for (i = 0; i < nsrv; i++) {
		char xp[128];

		snprintf(xp, sizeof(xp), "/root/server[@name='%s']", srv[i]);
		if (!clp_conf_name_valid(srv[i]) || clp_conf_count(conf, xp) != 1) {
			clp_err("-n: there is no server '%s' in %s", srv[i], clp_conf_path(conf));
			clp_conf_free(conf);
			return CLP_EXIT_USAGE;
		}
	}
	if (only_local)
		srv[nsrv++] = local;
	for (i = 0; !nsrv && i < n && i < MAX_SRV; i++)
		srv[i] = clp_conf_name_at(conf, "/root/server", i);
	if (!nsrv)
		nsrv = n < MAX_SRV ? n : MAX_SRV;
	if (!dir) {
		snprintf(defdir, sizeof(defdir), "%s/tmp", clp_prefix());
		mkdir(defdir, 0700);
		dir = defdir;
	}
	if (strlen(dir) > 400 || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		clp_err("-o: %s is not a directory", dir);
		clp_conf_free(conf);
		return CLP_EXIT_USAGE;
	}
	for (i = 0; i < nsrv; i++) {
		int r;

		snprintf(out, sizeof(out), "%s/%s.tar.gz", dir, srv[i]);
		if (!strcmp(srv[i], local)) {
			r = clp_logcc_make(clp_prefix(), local, type, out, err, sizeof(err));
			if (r)
				clp_err("%s: %s", local, err);
			r = r ? CLP_EXIT_ERROR : 0;
		} else {
			r = remote(srv[i], type, out);
		}
		if (!r)
			printf("%s: %s\n", srv[i], out);
		else
			ret = CLP_EXIT_ERROR;
	}
	clp_conf_free(conf);
	return ret;
}
