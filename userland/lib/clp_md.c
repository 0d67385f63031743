// SPDX-License-Identifier: GPL-2.0
/*
 * Mirror disk resources in clp.conf: keys, defaults, ranges. See clp_md.h
 * and Documentation/configuration.md (keep the three in step).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/evp.h>

#include <clpstack/liscal.h>

#include "clp_log.h"
#include "clp_md.h"

#define XP_MD "/root/resource/md"

/* What a lookup needs: the file, the resource, the error buffer. */
struct md_ctx {
	struct clp_conf *conf;
	const char *kind;	/* element of the resource: "md", or "hd" (clp_hd.c) */
	const char *name;	/* NULL for the cluster-wide sections */
	const char *server;	/* for per-server overrides; may be NULL */
	char *err;
	size_t errlen;
};

bool clp_md_kind_name_valid(const char *kind, const char *name)
{
	size_t n = strlen(name), i;

	if (n < 3 || n > 15 || strncmp(name, kind, 2))
		return false;
	for (i = 2; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return false;
	return true;
}

bool clp_md_name_valid(const char *name)
{
	return clp_md_kind_name_valid("md", name);
}

int clp_md_name_arg(const char *name)
{
	if (clp_md_name_valid(name))
		return 0;
	clp_err("'%s' is not a mirror disk resource name (md followed by 1-13 letters, "
		"digits or _)", name);
	return CLP_EXIT_USAGE;
}

int clp_md_count(struct clp_conf *conf)
{
	return clp_conf_count(conf, XP_MD);
}

const char *clp_md_name_at(struct clp_conf *conf, int i)
{
	return clp_conf_name_at(conf, XP_MD, i);
}

const char *clp_md_ioerr_name(enum clp_md_ioerr e)
{
	switch (e) {
	case CLP_MD_IOERR_RESET:
		return "RESET";
	case CLP_MD_IOERR_PANIC:
		return "PANIC";
	default:
		return "NONE";
	}
}

/* XPath of @rel below the resource's parameters (or root/cluster). */
static void xpath_of(const struct md_ctx *c, const char *rel, char *buf, size_t len)
{
	if (c->name)
		snprintf(buf, len, "/root/resource/%s[@name='%s']/parameters/%s", c->kind,
			 c->name, rel);
	else
		snprintf(buf, len, "/root/cluster/%s", rel);
}

/* The key as the documentation writes it. */
static void key_of(const struct md_ctx *c, const char *rel, char *buf, size_t len)
{
	if (c->name)
		snprintf(buf, len, "resource/%s@%s/parameters/%s", c->kind, c->name, rel);
	else
		snprintf(buf, len, "cluster/%s", rel);
}

__attribute__((format(printf, 4, 5)))
static int key_err(const struct md_ctx *c, long line, const char *rel, const char *fmt, ...)
{
	char key[256];
	va_list ap;
	int ret;

	key_of(c, rel, key, sizeof(key));
	va_start(ap, fmt);
	ret = clp_conf_key_verr(c->conf, line, key, c->err, c->errlen, fmt, ap);
	va_end(ap);
	return ret;
}

/* Text of key @rel trimmed of white space (NULL when absent); a key given
 * twice is an error (returns -EINVAL). */
static int get_text(const struct md_ctx *c, const char *xp, const char *rel,
		    char *buf, size_t len, long *line, bool *found)
{
	char key[256];

	key_of(c, rel, key, sizeof(key));
	return clp_conf_key_text(c->conf, xp, key, buf, len, line, found, c->err, c->errlen);
}

static int get_str_xp(const struct md_ctx *c, const char *xp, const char *rel,
		      const char *def, char *buf, size_t len, long *line)
{
	bool found;
	int ret = get_text(c, xp, rel, buf, len, line, &found);

	if (ret < 0)
		return ret;
	if (!found)
		snprintf(buf, len, "%s", def ? def : "");
	return 0;
}

static int get_str(const struct md_ctx *c, const char *rel, const char *def,
		   char *buf, size_t len, long *line)
{
	char xp[512];

	xpath_of(c, rel, xp, sizeof(xp));
	return get_str_xp(c, xp, rel, def, buf, len, line);
}

static int get_int(const struct md_ctx *c, const char *rel, long min, long max,
		   long def, long *out)
{
	char xp[512], key[256];

	xpath_of(c, rel, xp, sizeof(xp));
	key_of(c, rel, key, sizeof(key));
	return clp_conf_key_long(c->conf, xp, key, min, max, def, out, c->err, c->errlen);
}

static int get_bool(const struct md_ctx *c, const char *rel, bool def, bool *out)
{
	long v;
	int ret = get_int(c, rel, 0, 1, def, &v);

	if (ret == 0)
		*out = v != 0;
	return ret;
}

/* One of @names (case-sensitive); index into @out. */
static int get_enum(const struct md_ctx *c, const char *rel, const char *const *names,
		    int def, int *out)
{
	char buf[32], list[128] = "";
	long line;
	int i, ret;

	ret = get_str(c, rel, names[def], buf, sizeof(buf), &line);
	if (ret < 0)
		return ret;
	for (i = 0; names[i]; i++) {
		if (!strcmp(buf, names[i])) {
			*out = i;
			return 0;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i ? ", " : "", names[i]);
	}
	return key_err(c, line, rel, "'%s' is not one of %s", buf, list);
}

static int check_path(const struct md_ctx *c, const char *rel, const char *val, long line,
		      bool required)
{
	if (!val[0])
		return required ? key_err(c, line, rel, "is required") : 0;
	if (val[0] != '/')
		return key_err(c, line, rel, "'%s' is not an absolute path", val);
	return 0;
}

/* A child of cluster/@section that is none of @known (an XPath test). */
static int unknown_keys(const struct md_ctx *c, const char *section, const char *known)
{
	char xp[256], base[128];

	snprintf(xp, sizeof(xp), "/root/cluster/%s", section);
	snprintf(base, sizeof(base), "cluster/%s", section);
	return clp_conf_key_unknown(c->conf, xp, base, known, c->err, c->errlen);
}

int clp_md_cluster_load(struct clp_conf *conf, struct clp_md_cluster *cl,
			char *err, size_t errlen)
{
	static const char *const ioerr[] = { "NONE", "RESET", "PANIC", NULL };
	struct md_ctx c = { conf, "md", NULL, NULL, err, errlen };
	long v;
	int e, ret;

	ret = unknown_keys(&c, "mirrordriver", "self::reqqueue or self::cperror or self::dperror");
	if (!ret)
		ret = unknown_keys(&c, "mirroragent",
				   "self::recoverysize or self::cptimeout or self::autorecovery "
				   "or self::statistics");
	if (!ret)
		ret = get_int(&c, "mirrordriver/reqqueue", 256, 65535, 2048, &cl->reqqueue);
	if (!ret)
		ret = get_enum(&c, "mirrordriver/cperror", ioerr, CLP_MD_IOERR_RESET, &e);
	if (!ret) {
		cl->cperror = e;
		ret = get_enum(&c, "mirrordriver/dperror", ioerr, CLP_MD_IOERR_RESET, &e);
	}
	if (!ret) {
		cl->dperror = e;
		ret = get_int(&c, "mirroragent/recoverysize", LISCAL_CHUNK_MIN / 1024,
			      LISCAL_CHUNK_MAX / 1024, LISCAL_CHUNK_DEFAULT / 1024,
			      &cl->recoverysize);
	}
	if (!ret)
		ret = get_int(&c, "mirroragent/cptimeout", 5, 300, 30, &cl->cptimeout);
	if (!ret)
		ret = get_int(&c, "mirroragent/autorecovery", 0, 1, 1, &v);
	if (!ret) {
		cl->autorecovery = v != 0;
		ret = get_int(&c, "mirroragent/statistics", 0, 1, 1, &v);
	}
	if (!ret)
		cl->statistics = v != 0;
	if (!ret && clp_conf_count(conf, "/root/cluster/mirrordriver") > 1)
		ret = key_err(&c, clp_conf_line(conf, "/root/cluster/mirrordriver[2]"),
			      "mirrordriver", "given twice");
	if (!ret && clp_conf_count(conf, "/root/cluster/mirroragent") > 1)
		ret = key_err(&c, clp_conf_line(conf, "/root/cluster/mirroragent[2]"),
			      "mirroragent", "given twice");
	return ret;
}

/* A server's mirror connect address: device @id of type mdc. */
static int server_addr(const struct md_ctx *c, const char *server, long id,
		       bool id_given, char *addr, size_t len)
{
	char xp[256], key[64];
	const char *type, *info;
	int n;

	if (!id_given) {
		/* The server's first mirror connect device. */
		snprintf(xp, sizeof(xp), "/root/server[@name='%s']/device[type='mdc']", server);
		n = clp_conf_count(c->conf, xp);
		if (n == 0)
			return key_err(c, clp_conf_line(c->conf, "/root/resource"), "mdc/device",
				       "server %s has no mirror connect device (device type mdc)",
				       server);
		snprintf(xp, sizeof(xp),
			 "/root/server[@name='%s']/device[type='mdc'][1]/info", server);
		snprintf(addr, len, "%s", clp_conf_str(c->conf, xp, ""));
		return 0;
	}
	snprintf(xp, sizeof(xp), "/root/server[@name='%s']/device[@id='%ld']/type", server, id);
	type = clp_conf_str(c->conf, xp, NULL);
	snprintf(key, sizeof(key), "mdc/device");
	if (!type) {
		char k[512];

		xpath_of(c, key, k, sizeof(k));
		return key_err(c, clp_conf_line(c->conf, k), key,
			       "server %s has no device %ld", server, id);
	}
	if (strcmp(type, "mdc")) {
		char k[512];

		xpath_of(c, key, k, sizeof(k));
		return key_err(c, clp_conf_line(c->conf, k), key,
			       "device %ld of server %s is of type %s, not mdc", id, server,
			       type);
	}
	snprintf(xp, sizeof(xp), "/root/server[@name='%s']/device[@id='%ld']/info", server, id);
	info = clp_conf_str(c->conf, xp, "");
	snprintf(addr, len, "%s", info);
	return 0;
}

/* Partition paths of @end, per-server override first. */
static int load_paths(const struct md_ctx *c, struct clp_md_end *end)
{
	static const char *const keys[] = { "diskdev/dppath", "diskdev/cppath" };
	char *const vals[] = { end->dppath, end->cppath };
	char xp[512];
	long line;
	int i, ret;

	for (i = 0; i < 2; i++) {
		snprintf(xp, sizeof(xp),
			 "/root/resource/%s[@name='%s']/server[@name='%s']/parameters/%s",
			 c->kind, c->name, end->server, keys[i]);
		if (clp_conf_count(c->conf, xp) > 0) {
			char key[128];
			struct md_ctx sc = *c;

			/* Errors name the override's own key. */
			snprintf(key, sizeof(key), "../server@%s/parameters/%s", end->server,
				 keys[i]);
			ret = get_str_xp(&sc, xp, key, NULL, vals[i], CLP_MD_PATHLEN, &line);
			if (!ret)
				ret = check_path(&sc, key, vals[i], line, true);
		} else {
			ret = get_str(c, keys[i], NULL, vals[i], CLP_MD_PATHLEN, &line);
			if (!ret) {
				if (!vals[i][0]) {
					snprintf(xp, sizeof(xp), "/root/resource/%s[@name='%s']",
						 c->kind, c->name);
					line = clp_conf_line(c->conf, xp);
				}
				ret = check_path(c, keys[i], vals[i], line, true);
			}
		}
		if (ret)
			return ret;
	}
	if (!strcmp(end->dppath, end->cppath))
		return key_err(c, 0, "diskdev",
			       "data and cluster partition are the same device %s on server %s",
			       end->dppath, end->server);
	return 0;
}

static int load_ends(const struct md_ctx *c, struct clp_md *md);

static int load_servers(const struct md_ctx *c, struct clp_md *md)
{
	char xp[512];
	int n, i;
	const char *s;

	if (!clp_conf_name_valid(c->server)) {
		snprintf(c->err, c->errlen, "'%s' is not a valid server name", c->server);
		return -EINVAL;
	}
	snprintf(xp, sizeof(xp), "/root/server[@name='%s']", c->server);
	if (clp_conf_count(c->conf, xp) == 0) {
		snprintf(c->err, c->errlen, "%s: this server (%s) is not in the configuration",
			 clp_conf_path(c->conf), c->server);
		return -EINVAL;
	}
	n = clp_conf_count(c->conf, "/root/server");
	if (n != 2) {
		snprintf(c->err, c->errlen,
			 "%s: resource/md@%s: a mirror disk needs exactly two servers (%d configured)",
			 clp_conf_path(c->conf), md->name, n);
		return -EINVAL;
	}
	snprintf(md->local.server, sizeof(md->local.server), "%s", c->server);
	for (i = 0; i < n; i++) {
		s = clp_conf_name_at(c->conf, "/root/server", i);
		if (s && strcmp(s, c->server)) {
			snprintf(md->peer.server, sizeof(md->peer.server), "%s", s);
			md->peer.node_id = (unsigned int)i;
		} else {
			md->local.node_id = (unsigned int)i;
		}
	}
	if (!md->peer.server[0]) {
		snprintf(c->err, c->errlen, "%s: server %s is configured twice",
			 clp_conf_path(c->conf), c->server);
		return -EINVAL;
	}
	return load_ends(c, md);
}

/* Mirror connect addresses and partitions of md->local and md->peer (their
 * servers set). */
static int load_ends(const struct md_ctx *c, struct clp_md *md)
{
	char xp[512];
	bool given;
	int ret;

	xpath_of(c, "mdc/device", xp, sizeof(xp));
	given = clp_conf_count(c->conf, xp) > 0;
	ret = get_int(c, "mdc/device", 0, 999, 0, &md->mdc_device);
	if (!ret)
		ret = server_addr(c, md->local.server, md->mdc_device, given, md->local.addr,
				  sizeof(md->local.addr));
	if (!ret)
		ret = server_addr(c, md->peer.server, md->mdc_device, given, md->peer.addr,
				  sizeof(md->peer.addr));
	if (!ret && !strcmp(md->local.addr, md->peer.addr))
		ret = key_err(c, clp_conf_line(c->conf, xp), "mdc/device",
			      "servers %s and %s have the same mirror connect address %s",
			      md->local.server, md->peer.server, md->local.addr);
	if (!ret)
		ret = load_paths(c, &md->local);
	if (!ret)
		ret = load_paths(c, &md->peer);
	return ret;
}

static int load_nmp(const struct md_ctx *c, struct clp_md *md)
{
	char def[32], *end;
	unsigned long n;
	long line;
	int ret;

	snprintf(def, sizeof(def), "/dev/NMP%d", md->index + 1);
	ret = get_str(c, "nmppath", def, md->nmppath, sizeof(md->nmppath), &line);
	if (ret)
		return ret;
	if (strncmp(md->nmppath, "/dev/NMP", 8) || !isdigit((unsigned char)md->nmppath[8]))
		return key_err(c, line, "nmppath", "'%s' is not /dev/NMP<number>", md->nmppath);
	errno = 0;
	n = strtoul(md->nmppath + 8, &end, 10);
	if (*end || errno || n < LISCAL_MINOR_MIN || n > LISCAL_MINOR_MAX ||
	    md->nmppath[8] == '0')
		return key_err(c, line, "nmppath", "'%s': the number must be %d-%d", md->nmppath,
			       LISCAL_MINOR_MIN, LISCAL_MINOR_MAX);
	md->nmp = (unsigned int)n;
	return 0;
}

static int load_fs(const struct md_ctx *c, struct clp_md *md)
{
	static const char *const fs[] = { "ext4", "ext3", "ext2", "xfs", NULL };
	long line;
	int i, ret;

	ret = get_enum(c, "fs", fs, 0, &i);
	if (ret)
		return ret;
	snprintf(md->fs, sizeof(md->fs), "%s", fs[i]);
	ret = get_str(c, "mount/point", "", md->mount_point, sizeof(md->mount_point), &line);
	if (!ret)
		ret = check_path(c, "mount/point", md->mount_point, line, false);
	if (!ret)
		ret = get_str(c, "mount/option", "rw", md->mount_option,
			      sizeof(md->mount_option), &line);
	if (!ret && (!md->mount_option[0] || strpbrk(md->mount_option, " \t\n")))
		ret = key_err(c, line, "mount/option",
			      "'%s' is not a comma-separated option list", md->mount_option);
	return ret;
}

static int load_driver(const struct md_ctx *c, struct clp_md *md)
{
	char xp[512];
	long v, line;
	int ret;

	ret = get_int(c, "mddriver/syncmode", 0, 1, 1, &v);
	md->sync = v != 0;
	if (!ret)
		ret = get_int(c, "mddriver/sendqueuesize", 0, 999999, 2048, &md->sendqueuesize);
	if (!ret)
		ret = get_int(c, "mddriver/hotextents", 0, LISCAL_HOT_EXTENTS_MAX,
			      LISCAL_HOT_EXTENTS_DEFAULT, &md->hotextents);
	if (!ret)
		ret = get_int(c, "mddriver/bandlimit/limit", 0, 999999999, 0, &md->bandlimit);
	if (!ret && md->sync && md->bandlimit) {
		xpath_of(c, "mddriver/bandlimit/limit", xp, sizeof(xp));
		ret = key_err(c, clp_conf_line(c->conf, xp), "mddriver/bandlimit/limit",
			      "a bandwidth limit needs asynchronous mode (mddriver/syncmode 0)");
	}
	if (!ret)
		ret = get_int(c, "mddriver/compress", 0, 3, 0, &v);
	if (!ret) {
		md->compress = (unsigned int)v;
		if (md->sync && (md->compress & CLP_MD_COMPRESS_DATA)) {
			xpath_of(c, "mddriver/compress", xp, sizeof(xp));
			ret = key_err(c, clp_conf_line(c->conf, xp), "mddriver/compress",
				      "compressing mirror data (bit 1) needs asynchronous mode "
				      "(mddriver/syncmode 0); synchronous mode allows 2 (recovery data) only");
		}
	}
	if (!ret)
		ret = get_bool(c, "mddriver/crypto/use", false, &md->crypto);
	if (!ret) {
		const char *kf = clp_conf_str(c->conf, "/root/cluster/heartbeat/keyfile", NULL);

		snprintf(md->authkeyfile, sizeof(md->authkeyfile), "%s", kf ? kf : "");
	}
	if (!ret)
		ret = get_str(c, "mddriver/crypto/keyfile", "", md->keyfile,
			      sizeof(md->keyfile), &line);
	if (!ret) {
		if (md->crypto && !md->keyfile[0]) {
			xpath_of(c, "mddriver/crypto/use", xp, sizeof(xp));
			line = clp_conf_line(c->conf, xp);
		}
		ret = check_path(c, "mddriver/crypto/keyfile", md->keyfile, line, md->crypto);
	}
	return ret;
}

/* A clp.conf timeout range (seconds) the driver's netlink range holds. */
#define CONF_TIMEOUT_FITS(k)                                                   \
	_Static_assert(LISCAL_CONF_##k##_MIN * 1000L >= LISCAL_TIMEOUT_MIN_MS && \
		       LISCAL_CONF_##k##_MAX * 1000L <= LISCAL_TIMEOUT_MAX_MS,   \
		       "clp.conf range of " #k " outside the driver's")
CONF_TIMEOUT_FITS(SEND_TIMEOUT);
CONF_TIMEOUT_FITS(CONNECT_TIMEOUT);
CONF_TIMEOUT_FITS(ACK_TIMEOUT);
CONF_TIMEOUT_FITS(RECV_TIMEOUT);
CONF_TIMEOUT_FITS(HB_INTERVAL);
CONF_TIMEOUT_FITS(PING_TIMEOUT);

static int load_timeouts(const struct md_ctx *c, struct clp_md *md)
{
	int ret;

	ret = get_int(c, "sendtimeout", LISCAL_CONF_SEND_TIMEOUT_MIN,
		      LISCAL_CONF_SEND_TIMEOUT_MAX, 30, &md->sendtimeout);
	if (!ret)
		ret = get_int(c, "connecttimeout", LISCAL_CONF_CONNECT_TIMEOUT_MIN,
			      LISCAL_CONF_CONNECT_TIMEOUT_MAX, 10, &md->connecttimeout);
	if (!ret)
		ret = get_int(c, "acktimeout", LISCAL_CONF_ACK_TIMEOUT_MIN,
			      LISCAL_CONF_ACK_TIMEOUT_MAX, 100, &md->acktimeout);
	if (!ret)
		ret = get_int(c, "recvnormaltimeout", LISCAL_CONF_RECV_TIMEOUT_MIN,
			      LISCAL_CONF_RECV_TIMEOUT_MAX, 100, &md->recvnormaltimeout);
	if (!ret)
		ret = get_int(c, "hbinterval", LISCAL_CONF_HB_INTERVAL_MIN,
			      LISCAL_CONF_HB_INTERVAL_MAX, 10, &md->hbinterval);
	if (!ret)
		ret = get_int(c, "pingtimeout", LISCAL_CONF_PING_TIMEOUT_MIN,
			      LISCAL_CONF_PING_TIMEOUT_MAX, 2, &md->pingtimeout);
	if (!ret)
		ret = get_int(c, "pingretry", LISCAL_PING_RETRY_MIN, LISCAL_PING_RETRY_MAX,
			      8, &md->pingretry);
	return ret;
}

static int load_params(const struct md_ctx *c, struct clp_md *md);

int clp_md_load(struct clp_conf *conf, const char *name, const char *server,
		struct clp_md *md, char *err, size_t errlen)
{
	struct md_ctx c = { conf, "md", name, server, err, errlen };
	char xp[256];
	int i, n, ret;

	memset(md, 0, sizeof(*md));
	if (!clp_md_name_valid(name)) {
		snprintf(err, errlen,
			 "%s: not a mirror disk resource name (md followed by 1-13 letters, digits or _)",
			 name);
		return -ENOENT;
	}
	snprintf(md->name, sizeof(md->name), "%s", name);
	md->index = -1;
	n = clp_md_count(conf);
	for (i = 0; i < n; i++) {
		const char *s = clp_md_name_at(conf, i);

		if (s && !clp_md_name_valid(s)) {
			snprintf(xp, sizeof(xp), XP_MD "[%d]", i + 1);
			snprintf(err, errlen, "%s:%ld: resource/md@%s: '%s' is not a mirror disk "
				 "resource name (md followed by 1-13 letters, digits or _)",
				 clp_conf_path(conf), clp_conf_line(conf, xp), s, s);
			return -EINVAL;
		}
	}
	for (i = 0; i < n; i++) {
		const char *s = clp_md_name_at(conf, i);

		if (s && !strcmp(s, name)) {
			if (md->index >= 0) {
				snprintf(xp, sizeof(xp), XP_MD "[@name='%s'][2]", name);
				return key_err(&c, clp_conf_line(conf, xp), "", "defined twice");
			}
			md->index = i;
		}
	}
	if (md->index < 0) {
		snprintf(err, errlen, "%s: no such mirror disk resource in %s", name,
			 clp_conf_path(conf));
		return -ENOENT;
	}
	ret = load_params(&c, md);
	if (!ret && server)
		ret = load_servers(&c, md);
	return ret;
}

int clp_md_load_ends(struct clp_conf *conf, const char *kind, const char *name, int index,
		     const char *local, unsigned int local_id, const char *peer,
		     unsigned int peer_id, struct clp_md *md, char *err, size_t errlen)
{
	struct md_ctx c = { conf, kind, name, local, err, errlen };
	int ret;

	memset(md, 0, sizeof(*md));
	snprintf(md->name, sizeof(md->name), "%s", name);
	md->index = index;
	ret = load_params(&c, md);
	if (ret)
		return ret;
	snprintf(md->local.server, sizeof(md->local.server), "%s", local);
	snprintf(md->peer.server, sizeof(md->peer.server), "%s", peer);
	md->local.node_id = local_id;
	md->peer.node_id = peer_id;
	return load_ends(&c, md);
}

/* Every key below the resource's parameters, its servers aside. */
static int load_params(const struct md_ctx *c, struct clp_md *md)
{
	struct clp_conf *conf = c->conf;
	char xp[256];
	long line;
	int i, ret;

	snprintf(xp, sizeof(xp), "/root/resource/%s[@name='%s']/parameters", c->kind, c->name);
	if (clp_conf_count(conf, xp) > 1)
		return key_err(c, clp_conf_line(conf, xp), "", "parameters given twice");
	/* Every section below parameters may appear once. */
	{
		static const char *const sections[] = { "diskdev", "mount", "mddriver",
			"mddriver/bandlimit", "mddriver/crypto", "mdc", NULL };

		for (i = 0; sections[i]; i++) {
			xpath_of(c, sections[i], xp, sizeof(xp));
			if (clp_conf_count(conf, xp) > 1) {
				line = clp_conf_line(conf, xp);
				return key_err(c, line, sections[i], "given twice");
			}
		}
	}

	ret = clp_md_cluster_load(conf, &md->cluster, c->err, c->errlen);
	if (!ret)
		ret = load_nmp(c, md);
	if (!ret)
		ret = get_bool(c, "fullcopy", true, &md->fullcopy);
	if (!ret)
		ret = get_bool(c, "mkfs", false, &md->mkfs);
	if (!ret)
		ret = get_bool(c, "fencing", false, &md->fencing);
	if (!ret)
		ret = load_fs(c, md);
	if (!ret)
		ret = load_driver(c, md);
	if (!ret)
		ret = load_timeouts(c, md);
	if (!ret)
		ret = get_int(c, "mdc/port", 1024, 65535, 29030 + (long)md->nmp, &md->port);
	return ret;
}

int clp_md_conflict(struct clp_conf *conf, const struct clp_md *a, const struct clp_md *b,
		    const char *server, char *err, size_t errlen)
{
	/* The element is the name's prefix: md01 is md@md01, hd1 hd@hd1. */
	if (a->nmp == b->nmp)
		snprintf(err, errlen, "%s: resource/%.2s@%s and %.2s@%s both use %s",
			 clp_conf_path(conf), a->name, a->name, b->name, b->name, b->nmppath);
	else if (a->port == b->port)
		snprintf(err, errlen, "%s: resource/%.2s@%s and %.2s@%s both use port %ld",
			 clp_conf_path(conf), a->name, a->name, b->name, b->name, b->port);
	else if (server && (!strcmp(a->local.dppath, b->local.dppath) ||
			    !strcmp(a->local.cppath, b->local.cppath) ||
			    !strcmp(a->local.dppath, b->local.cppath) ||
			    !strcmp(a->local.cppath, b->local.dppath)))
		snprintf(err, errlen,
			 "%s: resource/%.2s@%s and %.2s@%s share a partition on server %s",
			 clp_conf_path(conf), a->name, a->name, b->name, b->name, server);
	else
		return 0;
	return -EINVAL;
}

int clp_md_check_all(struct clp_conf *conf, const char *server, char *err, size_t errlen)
{
	struct clp_md *mds;
	int n = clp_md_count(conf), i, j, ret = 0;

	if (n > CLP_MD_MAX) {
		snprintf(err, errlen, "%s: %d mirror disk resources, at most %d",
			 clp_conf_path(conf), n, CLP_MD_MAX);
		return -EINVAL;
	}
	mds = calloc((size_t)n + 1, sizeof(*mds));
	if (!mds) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < n && !ret; i++) {
		const char *name = clp_md_name_at(conf, i);

		ret = clp_md_load(conf, name ? name : "", server, &mds[i], err, errlen);
		for (j = 0; j < i && !ret; j++)
			ret = clp_md_conflict(conf, &mds[j], &mds[i], server, err, errlen);
	}
	free(mds);
	return ret;
}

static int read_key_file(const struct clp_md *md, const char *path,
			 uint8_t key[CLP_MD_KEYLEN], char *err, size_t errlen);

int clp_md_read_key(const struct clp_md *md, uint8_t key[CLP_MD_KEYLEN], char *err,
		    size_t errlen)
{
	return read_key_file(md, md->keyfile, key, err, errlen);
}

int clp_md_key_fingerprint(const char *name, const uint8_t key[CLP_MD_KEYLEN],
			   char fp[CLP_MD_KEYFP_LEN])
{
	static const char tag[] = "clpstack mirror key\n";
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0, i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
	     EVP_DigestUpdate(ctx, tag, sizeof(tag) - 1) &&
	     EVP_DigestUpdate(ctx, name, strlen(name)) &&
	     EVP_DigestUpdate(ctx, "\n", 1) &&
	     EVP_DigestUpdate(ctx, key, CLP_MD_KEYLEN) &&
	     EVP_DigestFinal_ex(ctx, d, &dlen) && dlen == 32;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -EIO;
	for (i = 0; i < dlen; i++)
		snprintf(fp + 2 * i, 3, "%02x", d[i]);
	OPENSSL_cleanse(d, sizeof(d));
	return 0;
}

int clp_md_keyfile_fingerprint(const struct clp_md *md, char fp[CLP_MD_KEYFP_LEN],
			       char *err, size_t errlen)
{
	uint8_t key[CLP_MD_KEYLEN];
	int ret;

	ret = clp_md_read_key(md, key, err, errlen);
	if (!ret && clp_md_key_fingerprint(md->name, key, fp)) {
		snprintf(err, errlen, "%s: key file %s: the digest failed", md->name, md->keyfile);
		ret = -EIO;
	}
	explicit_bzero(key, sizeof(key));
	return ret;
}

int clp_md_key(const struct clp_md *md, uint8_t key[CLP_MD_KEYLEN], char *err,
	       size_t errlen)
{
	int ret;

	if (md->crypto) {
		ret = read_key_file(md, md->keyfile, key, err, errlen);
		return ret < 0 ? ret : LISCAL_KEY_CRYPT;
	}
	if (md->authkeyfile[0]) {
		ret = read_key_file(md, md->authkeyfile, key, err, errlen);
		return ret < 0 ? ret : LISCAL_KEY_AUTH;
	}
	return LISCAL_KEY_NONE;
}

static int read_key_file(const struct clp_md *md, const char *path,
			 uint8_t key[CLP_MD_KEYLEN], char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: key file %s: %s", md->name, path,
			 strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size != CLP_MD_KEYLEN) {
		snprintf(err, errlen,
			 "%s: key file %s must be a regular file of exactly %d bytes "
			 "(openssl rand -out <file> %d)", md->name, path, CLP_MD_KEYLEN,
			 CLP_MD_KEYLEN);
		ret = -EINVAL;
		goto out;
	}
	n = read(fd, key, CLP_MD_KEYLEN);
	if (n != CLP_MD_KEYLEN) {
		snprintf(err, errlen, "%s: key file %s: short read", md->name, path);
		ret = -EIO;
	}
out:
	close(fd);
	return ret;
}
