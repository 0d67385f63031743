// SPDX-License-Identifier: GPL-2.0
/* Log collection in clpmgrd. See logcc.h and Documentation/commands.md. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "clp_log.h"
#include "clp_logcc.h"
#include "clp_msg.h"
#include "cluster.h"
#include "logcc.h"

#define EV "logcc"
#define CHUNK (96 * 1024)	/* base64: 128 KiB, below CLP_MSG_MAX */
#define NAME_HEX 16

/* "logcc-<16 hex>.tar.gz", the only names logcc-read and -done take. */
static bool name_valid(const char *n)
{
	int i;

	if (!n || strlen(n) != 6 + NAME_HEX + 7 || strncmp(n, "logcc-", 6) ||
	    strcmp(n + 6 + NAME_HEX, ".tar.gz"))
		return false;
	for (i = 6; i < 6 + NAME_HEX; i++)
		if (!strchr("0123456789abcdef", n[i]))
			return false;
	return true;
}

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/tmp/%s", clp_prefix(), name);
}

static struct json_object *make(struct json_object *req)
{
	int type = (int)clp_msg_get_int(req, "type", 1);
	unsigned char rnd[NAME_HEX / 2];
	char name[64], path[512], err[512];
	struct json_object *r;
	struct stat st;
	int i;

	if (type < 1 || type > CLP_LOGCC_TYPES)
		return clp_msg_reply(CLP_EXIT_USAGE, "log collection type %d: not 1-%d", type,
				     CLP_LOGCC_TYPES);
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return clp_msg_reply(CLP_EXIT_ERROR, "no random name");
	strcpy(name, "logcc-");
	for (i = 0; i < NAME_HEX / 2; i++)
		sprintf(name + 6 + 2 * i, "%02x", rnd[i]);
	strcat(name, ".tar.gz");
	snprintf(path, sizeof(path), "%s/tmp", clp_prefix());
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return clp_msg_reply(CLP_EXIT_ERROR, "%s: cannot create %s: %s", clus.m->server,
				     path, strerror(errno));
	path_of(path, sizeof(path), name);
	if (clp_logcc_make(clp_prefix(), clus.m->server, type, path, err, sizeof(err)) < 0)
		return clp_msg_reply(CLP_EXIT_ERROR, "%s: %s", clus.m->server, err);
	if (stat(path, &st) < 0)
		return clp_msg_reply(CLP_EXIT_ERROR, "%s: %s: %s", clus.m->server, path,
				     strerror(errno));
	clp_event(EV, 1, "log archive %s (type%d) written for collection", path, type);
	r = clp_msg_reply(0, "%s", name);
	json_object_object_add(r, "name", json_object_new_string(name));
	json_object_object_add(r, "size", json_object_new_int64(st.st_size));
	return r;
}

static struct json_object *read_chunk(const char *name, int64_t off)
{
	unsigned char *buf = NULL;
	char path[512], *b64 = NULL;
	struct json_object *r;
	ssize_t n;
	int fd;

	path_of(path, sizeof(path), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return clp_msg_reply(CLP_EXIT_STATE, "%s: no archive %s: %s", clus.m->server, name,
				     strerror(errno));
	buf = malloc(CHUNK);
	b64 = malloc(4 * CHUNK / 3 + 4);
	n = buf && b64 ? pread(fd, buf, CHUNK, off) : -1;
	close(fd);
	if (n < 0) {
		r = clp_msg_reply(CLP_EXIT_ERROR, "%s: cannot read %s", clus.m->server, name);
		goto out;
	}
	EVP_EncodeBlock((unsigned char *)b64, buf, (int)n);
	r = clp_msg_reply(0, "read");
	json_object_object_add(r, "data", json_object_new_string(b64));
	json_object_object_add(r, "len", json_object_new_int64(n));
	json_object_object_add(r, "eof", json_object_new_boolean(n < CHUNK));
out:
	free(buf);
	free(b64);
	return r;
}

struct json_object *logcc_request(struct json_object *req)
{
	const char *op = clp_msg_get_str(req, "op");
	const char *name = clp_msg_get_str(req, "name");
	int64_t off = clp_msg_get_int(req, "offset", 0);
	char path[512];

	if (!strcmp(op, "logcc"))
		return make(req);
	if (strcmp(op, "logcc-read") && strcmp(op, "logcc-done"))
		return clp_msg_reply(CLP_EXIT_USAGE, "unknown request '%s'", op);
	if (!name_valid(name))
		return clp_msg_reply(CLP_EXIT_USAGE, "%s: '%s' is not a log archive name "
				     "(logcc-<16 hex digits>.tar.gz)", op, name ? name : "");
	if (!strcmp(op, "logcc-done")) {
		path_of(path, sizeof(path), name);
		if (unlink(path) < 0)
			return clp_msg_reply(CLP_EXIT_STATE, "%s: no archive %s: %s",
					     clus.m->server, name, strerror(errno));
		return clp_msg_reply(0, "removed");
	}
	if (off < 0 || off > ((int64_t)1 << 40))
		return clp_msg_reply(CLP_EXIT_USAGE, "logcc-read: offset %lld out of range",
				     (long long)off);
	return read_chunk(name, off);
}

struct ecap {
	char path[512];
	char what[128];
};

static void *ecap_thread(void *arg)
{
	struct ecap *e = arg;
	char err[512];

	if (clp_logcc_make(clp_prefix(), clus.m->server, 1 | CLP_LOGCC_NO_ECAP, e->path, err,
			    sizeof(err)) < 0)
		clp_event(EV, 3, "investigation log of %s not written: %s", e->what, err);
	else
		clp_event(EV, 2, "investigation log of %s: %s", e->what, e->path);
	free(e);
	return NULL;
}

void logcc_ecap(const char *module, int event, const char *what)
{
	struct ecap *e = calloc(1, sizeof(*e));
	pthread_attr_t at;
	pthread_t t;
	struct tm tm;
	time_t now = time(NULL);
	char dir[256], date[32];

	if (!e)
		return;
	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y%m%d%H%M%S", &tm);
	snprintf(dir, sizeof(dir), "%s/log/ecap", clp_prefix());
	mkdir(dir, 0755);
	snprintf(e->path, sizeof(e->path), "%s/%s_%s_%d.tar.gz", dir, date, module, event);
	snprintf(e->what, sizeof(e->what), "%s", what);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &at, ecap_thread, e)) {
		clp_event(EV, 3, "investigation log of %s not written: no thread", what);
		free(e);
	}
	pthread_attr_destroy(&at);
}
