// SPDX-License-Identifier: GPL-2.0
/*
 * clp.conf reading with libxml2: parse, RELAX NG validation, XPath getters.
 * See clp_conf.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xpath.h>

#include "clp_conf.h"

/* The schema in the source tree, for running from the build directory. */
#ifndef CLP_SRC_SCHEMA
#define CLP_SRC_SCHEMA "userland/conf/clp.rng"
#endif

struct clp_conf {
	xmlDocPtr doc;
	xmlXPathContextPtr xp;
	char path[256];
	char err[1024];
	bool err_keyed;		/* err names an element below root */
};

const char *clp_prefix(void)
{
	const char *p = getenv("CLP_PREFIX");

	return p && *p ? p : CLP_DEFAULT_PREFIX;
}

const char *clp_conf_default_path(void)
{
	static char buf[512];
	const char *p = getenv("CLP_CONF");

	if (p && *p)
		return p;
	snprintf(buf, sizeof(buf), "%s/%s", clp_prefix(), CLP_CONF_NAME);
	return buf;
}

const char *clp_conf_local_server(void)
{
	static char host[256];
	const char *s = getenv("CLP_SERVER");
	char *dot;

	if (s && *s)
		return s;
	if (gethostname(host, sizeof(host) - 1) < 0)
		snprintf(host, sizeof(host), "localhost");
	dot = strchr(host, '.');
	if (dot)
		*dot = '\0';
	return host;
}

const char *clp_conf_error(const struct clp_conf *conf)
{
	return conf->err;
}

const char *clp_conf_path(const struct clp_conf *conf)
{
	return conf->path;
}

/* The key of element @n in clp.conf notation, below root:
 * "resource/md@md01/parameters/diskdev/dpath". Empty for the root. */
static void node_key(xmlNodePtr n, char *buf, size_t len)
{
	char tmp[512];
	xmlChar *name;

	buf[0] = '\0';
	for (; n && n->type == XML_ELEMENT_NODE && n->parent &&
	       n->parent->type == XML_ELEMENT_NODE; n = n->parent) {
		name = xmlGetProp(n, BAD_CAST "name");
		snprintf(tmp, sizeof(tmp), "%s%s%s%s%s", (const char *)n->name, name ? "@" : "",
			 name ? (const char *)name : "", buf[0] ? "/" : "", buf);
		xmlFree(name);
		snprintf(buf, len, "%s", tmp);
	}
}

/* libxml2 structured errors: keep the first, as "file:line: key: message"
 * (the key when the error is about an element below root). */
static void xml_error(void *ctx, const xmlError *e)
{
	struct clp_conf *conf = ctx;
	char *err = conf->err, key[512] = "";
	xmlNodePtr node = e->node;
	long line = e->line;
	size_t n;

	if (node && node->type == XML_ELEMENT_NODE) {
		node_key(node, key, sizeof(key));
		if (line <= 0)
			line = xmlGetLineNo(node);
	}
	/* Keep the first error, unless a later one names an element and the
	 * first did not (libxml2's interleave errors come first and vague). */
	if (err[0] && (conf->err_keyed || !key[0]))
		return;
	conf->err_keyed = key[0] != '\0';
	snprintf(err, sizeof(conf->err), "%s:%ld: %s%s%s", e->file ? e->file : (node && node->doc &&
		 node->doc->URL ? (const char *)node->doc->URL : "clp.conf"), line, key,
		 key[0] ? ": " : "", e->message ? e->message : "invalid XML");
	n = strlen(err);
	while (n && err[n - 1] == '\n')
		err[--n] = '\0';
}

/* The schema: $CLP_SCHEMA, else <prefix>/share/clp.rng when installed,
 * else the source tree's. */
static const char *schema_path(void)
{
	static char buf[512];
	const char *p = getenv("CLP_SCHEMA");

	if (p && *p)
		return p;
	snprintf(buf, sizeof(buf), "%s/share/clp.rng", clp_prefix());
	return access(buf, R_OK) == 0 ? buf : CLP_SRC_SCHEMA;
}

static int validate(struct clp_conf *conf)
{
	xmlRelaxNGParserCtxtPtr pctx;
	xmlRelaxNGValidCtxtPtr vctx;
	xmlRelaxNGPtr schema;
	int ret = -1;

	pctx = xmlRelaxNGNewParserCtxt(schema_path());
	if (!pctx)
		goto out;
	schema = xmlRelaxNGParse(pctx);
	if (!schema) {
		if (!conf->err[0])
			snprintf(conf->err, sizeof(conf->err),
				 "%s: cannot read the configuration schema", schema_path());
		goto free_parser;
	}
	vctx = xmlRelaxNGNewValidCtxt(schema);
	if (!vctx)
		goto free_schema;
	xmlRelaxNGSetValidStructuredErrors(vctx, (xmlStructuredErrorFunc)xml_error, conf);
	ret = xmlRelaxNGValidateDoc(vctx, conf->doc) == 0 ? 0 : -1;
	if (ret < 0 && !conf->err[0])
		snprintf(conf->err, sizeof(conf->err), "%s: does not match the schema",
			 conf->path);
	xmlRelaxNGFreeValidCtxt(vctx);
free_schema:
	xmlRelaxNGFree(schema);
free_parser:
	xmlRelaxNGFreeParserCtxt(pctx);
out:
	return ret;
}

struct clp_conf *clp_conf_load(const char *path, char *err, size_t errlen)
{
	struct clp_conf *conf = calloc(1, sizeof(*conf));

	if (!conf) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if (strlen(path) >= sizeof(conf->path)) {
		snprintf(err, errlen, "configuration path is too long (%zu bytes)", strlen(path));
		goto free_conf;
	}
	snprintf(conf->path, sizeof(conf->path), "%s", path);
	if (access(path, R_OK) < 0) {
		snprintf(err, errlen, "%s: cannot read the configuration: %s", path,
			 strerror(errno));
		goto free_conf;
	}
	xmlSetStructuredErrorFunc(conf, (xmlStructuredErrorFunc)xml_error);
	conf->doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	if (!conf->doc) {
		if (!conf->err[0])
			snprintf(conf->err, sizeof(conf->err), "%s: not an XML file", path);
		goto copy_error;
	}
	if (validate(conf) < 0)
		goto copy_error;
	conf->xp = xmlXPathNewContext(conf->doc);
	if (!conf->xp) {
		snprintf(conf->err, sizeof(conf->err), "%s: out of memory", path);
		goto copy_error;
	}
	xmlSetStructuredErrorFunc(NULL, NULL);
	return conf;

copy_error:
	xmlSetStructuredErrorFunc(NULL, NULL);
	snprintf(err, errlen, "%s", conf->err);
free_conf:
	clp_conf_free(conf);
	return NULL;
}

/* node_text() caches strings in _private; xmlFreeDoc does not free them. */
static void free_cached(xmlNodePtr n)
{
	xmlAttrPtr a;

	for (; n; n = n->next) {
		if (n->_private) {
			xmlFree(n->_private);
			n->_private = NULL;
		}
		if (n->type == XML_ELEMENT_NODE)
			for (a = n->properties; a; a = a->next)
				free_cached(a->children);
		free_cached(n->children);
	}
}

void clp_conf_free(struct clp_conf *conf)
{
	if (!conf)
		return;
	if (conf->doc)
		free_cached(conf->doc->children);
	if (conf->xp)
		xmlXPathFreeContext(conf->xp);
	if (conf->doc)
		xmlFreeDoc(conf->doc);
	free(conf);
}

/* Nodes matching @xpath; the caller frees the result. */
static xmlXPathObjectPtr eval(struct clp_conf *conf, const char *xpath)
{
	xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST xpath, conf->xp);

	if (r && (r->type != XPATH_NODESET || !r->nodesetval)) {
		xmlXPathFreeObject(r);
		return NULL;
	}
	return r;
}

static xmlNodePtr first_node(struct clp_conf *conf, const char *xpath)
{
	xmlXPathObjectPtr r = eval(conf, xpath);
	xmlNodePtr n = NULL;

	if (r && r->nodesetval->nodeNr > 0)
		n = r->nodesetval->nodeTab[0];
	xmlXPathFreeObject(r);
	return n;
}

/* Node text, owned by the document (cached in the node's _private). */
static const char *node_text(xmlNodePtr n)
{
	if (!n->_private)
		n->_private = xmlNodeGetContent(n);
	return (const char *)n->_private;
}

const char *clp_conf_str(struct clp_conf *conf, const char *xpath, const char *def)
{
	xmlNodePtr n = first_node(conf, xpath);

	return n ? node_text(n) : def;
}

int clp_conf_int(struct clp_conf *conf, const char *xpath, long min, long max,
		 long def, long *out)
{
	xmlNodePtr n = first_node(conf, xpath);
	const char *s;
	char *end;
	long v;

	if (!n) {
		*out = def;
		return 0;
	}
	s = node_text(n);
	errno = 0;
	v = strtol(s, &end, 0);
	while (end && (*end == ' ' || *end == '\n' || *end == '\t'))
		end++;
	if (errno || end == s || *end) {
		snprintf(conf->err, sizeof(conf->err), "%s:%ld: %s: '%s' is not an integer",
			 conf->path, xmlGetLineNo(n), xpath, s);
		return -1;
	}
	if (v < min || v > max) {
		snprintf(conf->err, sizeof(conf->err),
			 "%s:%ld: %s: %ld is out of range (%ld-%ld)",
			 conf->path, xmlGetLineNo(n), xpath, v, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

const char *clp_conf_node_name(struct clp_conf *conf, const char *xpath)
{
	xmlNodePtr n = first_node(conf, xpath);

	return n ? (const char *)n->name : NULL;
}

long clp_conf_line(struct clp_conf *conf, const char *xpath)
{
	xmlNodePtr n = first_node(conf, xpath);

	return n ? xmlGetLineNo(n) : 0;
}

int clp_conf_count(struct clp_conf *conf, const char *xpath)
{
	xmlXPathObjectPtr r = eval(conf, xpath);
	int n = r ? r->nodesetval->nodeNr : 0;

	xmlXPathFreeObject(r);
	return n;
}

const char *clp_conf_name_at(struct clp_conf *conf, const char *xpath, int i)
{
	xmlXPathObjectPtr r = eval(conf, xpath);
	const char *name = NULL;
	xmlAttrPtr a;

	if (r && i >= 0 && i < r->nodesetval->nodeNr) {
		a = xmlHasProp(r->nodesetval->nodeTab[i], BAD_CAST "name");
		if (a && a->children)
			name = node_text(a->children);
	}
	xmlXPathFreeObject(r);
	return name;
}

int clp_conf_key_verr(struct clp_conf *conf, long line, const char *key, char *err,
		      size_t errlen, const char *fmt, va_list ap)
{
	char what[512];

	vsnprintf(what, sizeof(what), fmt, ap);
	if (line > 0)
		snprintf(err, errlen, "%s:%ld: %s: %s", conf->path, line, key, what);
	else
		snprintf(err, errlen, "%s: %s: %s", conf->path, key, what);
	return -EINVAL;
}

int clp_conf_key_err(struct clp_conf *conf, long line, const char *key, char *err,
		     size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = clp_conf_key_verr(conf, line, key, err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

int clp_conf_key_text(struct clp_conf *conf, const char *xp, const char *key, char *buf,
		      size_t len, long *line, bool *found, char *err, size_t errlen)
{
	int count = clp_conf_count(conf, xp);
	const char *s;
	size_t n;

	*found = false;
	*line = clp_conf_line(conf, xp);
	buf[0] = '\0';
	if (count == 0)
		return 0;
	if (count > 1)
		return clp_conf_key_err(conf, *line, key, err, errlen, "given %d times", count);
	s = clp_conf_str(conf, xp, "");
	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= len)
		return clp_conf_key_err(conf, *line, key, err, errlen,
					"value is too long (%zu bytes, at most %zu)", n, len - 1);
	memcpy(buf, s, n);
	buf[n] = '\0';
	*found = true;
	return 0;
}

int clp_conf_key_long(struct clp_conf *conf, const char *xp, const char *key, long min,
		      long max, long def, long *out, char *err, size_t errlen)
{
	char buf[64], *end;
	long line, v;
	bool found;
	int ret = clp_conf_key_text(conf, xp, key, buf, sizeof(buf), &line, &found, err, errlen);

	if (ret < 0)
		return ret;
	if (!found) {
		*out = def;
		return 0;
	}
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno == ERANGE || (buf[0] && !*end && (v < min || v > max)))
		return clp_conf_key_err(conf, line, key, err, errlen, "%s is out of range (%ld-%ld)",
					buf, min, max);
	if (!buf[0] || *end)
		return clp_conf_key_err(conf, line, key, err, errlen, "'%s' is not an integer", buf);
	*out = v;
	return 0;
}

int clp_conf_key_unknown(struct clp_conf *conf, const char *xp, const char *keybase,
			 const char *known, char *err, size_t errlen)
{
	char q[512], key[256];
	const char *name;

	snprintf(q, sizeof(q), "%s/*[not(%s)]", xp, known);
	name = clp_conf_node_name(conf, q);
	if (!name)
		return 0;
	snprintf(key, sizeof(key), "%s/%s", keybase, name);
	return clp_conf_key_err(conf, clp_conf_line(conf, q), key, err, errlen, "unknown key");
}

bool clp_conf_name_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > 31)
		return false;
	for (i = 0; i < n; i++) {
		if (isalnum((unsigned char)s[i]) || s[i] == '_')
			continue;
		if (i == 0 || !strchr(".-", s[i]))
			return false;
	}
	return true;
}
