/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clp.conf: the cluster configuration, XML in EXPRESSCLUSTER's tree layout
 * (root/server@name, root/resource/md@md01/parameters/...), read with
 * libxml2 and validated against the RELAX NG schema userland/conf/clp.rng.
 *
 * Paths given to the getters are XPath expressions relative to the document,
 * e.g. "/root/resource/md[@name='md01']/parameters/sendtimeout".
 * Every getter that can fail writes a message naming the file, the line and
 * the offending key into the handle's error buffer (clp_conf_error()).
 */
#ifndef CLP_CONF_H
#define CLP_CONF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLP_DEFAULT_PREFIX "/opt/clpstack"
#define CLP_CONF_NAME "etc/clp.conf"

struct clp_conf;

/* The configuration file path: $CLP_CONF, else $CLP_PREFIX/etc/clp.conf,
 * else /opt/clpstack/etc/clp.conf. */
const char *clp_conf_default_path(void);
/* The installation prefix: $CLP_PREFIX, else /opt/clpstack. */
const char *clp_prefix(void);

/* Parse and validate @path. On failure returns NULL and writes the reason
 * (file:line: what) into @err. */
struct clp_conf *clp_conf_load(const char *path, char *err, size_t errlen);
void clp_conf_free(struct clp_conf *conf);
const char *clp_conf_error(const struct clp_conf *conf);
const char *clp_conf_path(const struct clp_conf *conf);

/* Text of the first node matching @xpath, or @def when there is none.
 * The returned string lives as long as @conf. */
const char *clp_conf_str(struct clp_conf *conf, const char *xpath, const char *def);
/* Integer at @xpath in [min, max]; @def when absent. Returns 0, or -1 with
 * the error naming file, line and key when the value is not an integer or
 * is out of range. */
int clp_conf_int(struct clp_conf *conf, const char *xpath, long min, long max,
		 long def, long *out);
/* Element name of the first node matching @xpath; NULL when none. */
const char *clp_conf_node_name(struct clp_conf *conf, const char *xpath);
/* Line in the file of the first node matching @xpath; 0 when none. */
long clp_conf_line(struct clp_conf *conf, const char *xpath);
/* Number of nodes matching @xpath, and the @name attribute of the i-th. */
int clp_conf_count(struct clp_conf *conf, const char *xpath);
const char *clp_conf_name_at(struct clp_conf *conf, const char *xpath, int i);

/*
 * Keys named as the documentation writes them (e.g.
 * "resource/md@md01/parameters/sendtimeout"), shared by the readers of
 * each section (clp_md.c, clp_grp.c). Errors go to @err as
 * "<file>:<line>: <key>: <what>" (no line when @line <= 0), and the
 * functions return -EINVAL.
 */
int clp_conf_key_verr(struct clp_conf *conf, long line, const char *key, char *err,
		      size_t errlen, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));
int clp_conf_key_err(struct clp_conf *conf, long line, const char *key, char *err,
		     size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Text at @xp trimmed of white space into @buf (*found false and "" when
 * absent; *line its line); given twice, or longer than @len - 1: -EINVAL. */
int clp_conf_key_text(struct clp_conf *conf, const char *xp, const char *key, char *buf,
		      size_t len, long *line, bool *found, char *err, size_t errlen);
/* A decimal integer at @xp in [@min, @max]; @def when absent. */
int clp_conf_key_long(struct clp_conf *conf, const char *xp, const char *key, long min,
		      long max, long def, long *out, char *err, size_t errlen);

/* A child of the element at @xp that is none of @known (an XPath test,
 * e.g. "self::port or self::shutdown"): -EINVAL naming it as
 * "<keybase>/<child>: unknown key"; 0 when there is none. */
int clp_conf_key_unknown(struct clp_conf *conf, const char *xp, const char *keybase,
			 const char *known, char *err, size_t errlen);

/* A server, group or resource name as the schema allows it: 1-31 of
 * letters, digits, '_' and (not first) '.' '-'; also keeps XPath quoting
 * safe. */
bool clp_conf_name_valid(const char *s);

/* This server's name in the configuration: $CLP_SERVER, else the host name. */
const char *clp_conf_local_server(void);

#endif /* CLP_CONF_H */
