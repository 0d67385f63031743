// SPDX-License-Identifier: GPL-2.0
/* Text and JSON output sharing one code path. See clp_out.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "clp_out.h"

void clp_out_init(struct clp_out *o, FILE *f, bool json)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	o->json = json;
	o->first[0] = true;
}

static void json_escape(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Separator and key before a member; text: indentation and "key : ". */
static void member(struct clp_out *o, const char *key, bool container)
{
	if (o->json) {
		if (!o->first[o->depth])
			fputc(',', o->f);
		o->first[o->depth] = false;
		if (key && !o->in_list[o->depth]) {
			json_escape(o->f, key);
			fputc(':', o->f);
		}
		return;
	}
	if (!key) {
		/* An object in a list: a "-" line starts each one. */
		if (container && o->in_list[o->depth])
			fprintf(o->f, "%*s-\n", o->depth * 2, "");
		return;
	}
	fprintf(o->f, "%*s%s%s", o->depth * 2, "", key, container ? ":\n" : " : ");
}

static void push(struct clp_out *o, bool list)
{
	if (o->depth + 1 >= CLP_OUT_DEPTH)
		return;
	o->depth++;
	o->first[o->depth] = true;
	o->in_list[o->depth] = list;
}

void clp_out_obj_begin(struct clp_out *o, const char *key)
{
	member(o, key, true);
	if (o->json)
		fputc('{', o->f);
	push(o, false);
}

void clp_out_obj_end(struct clp_out *o)
{
	if (o->depth > 0)
		o->depth--;
	if (o->json)
		fputc('}', o->f);
}

void clp_out_list_begin(struct clp_out *o, const char *key)
{
	member(o, key, true);
	if (o->json)
		fputc('[', o->f);
	push(o, true);
}

void clp_out_list_end(struct clp_out *o)
{
	if (o->depth > 0)
		o->depth--;
	if (o->json)
		fputc(']', o->f);
}

void clp_out_str(struct clp_out *o, const char *key, const char *val)
{
	member(o, key, false);
	if (o->json)
		json_escape(o->f, val ? val : "");
	else
		fprintf(o->f, "%s\n", val ? val : "");
}

void clp_out_u64(struct clp_out *o, const char *key, uint64_t val)
{
	member(o, key, false);
	fprintf(o->f, o->json ? "%" PRIu64 : "%" PRIu64 "\n", val);
}

void clp_out_s64(struct clp_out *o, const char *key, int64_t val)
{
	member(o, key, false);
	fprintf(o->f, o->json ? "%" PRId64 : "%" PRId64 "\n", val);
}

void clp_out_bool(struct clp_out *o, const char *key, bool val)
{
	member(o, key, false);
	fprintf(o->f, o->json ? "%s" : "%s\n", val ? "true" : "false");
}

void clp_out_fmt(struct clp_out *o, const char *key, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	clp_out_str(o, key, buf);
}

void clp_out_finish(struct clp_out *o)
{
	if (o->json)
		fputc('\n', o->f);
	fflush(o->f);
}
