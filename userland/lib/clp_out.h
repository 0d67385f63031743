/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output of clpstack's commands: one code path for text and --json.
 *
 * A command describes what it shows as nested objects, lists and key/value
 * pairs; the text form prints "key : value" lines indented by depth, the
 * JSON form prints the same tree as one JSON document.
 */
#ifndef CLP_OUT_H
#define CLP_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CLP_OUT_DEPTH 16

struct clp_out {
	FILE *f;
	bool json;
	int depth;
	bool first[CLP_OUT_DEPTH];
	bool in_list[CLP_OUT_DEPTH];
};

void clp_out_init(struct clp_out *o, FILE *f, bool json);
/* Close the document (JSON: newline after the top-level object). */
void clp_out_finish(struct clp_out *o);

/* An object; @key names it inside its parent (NULL inside a list or at top). */
void clp_out_obj_begin(struct clp_out *o, const char *key);
void clp_out_obj_end(struct clp_out *o);
/* A list of objects or values. */
void clp_out_list_begin(struct clp_out *o, const char *key);
void clp_out_list_end(struct clp_out *o);

void clp_out_str(struct clp_out *o, const char *key, const char *val);
void clp_out_u64(struct clp_out *o, const char *key, uint64_t val);
void clp_out_s64(struct clp_out *o, const char *key, int64_t val);
void clp_out_bool(struct clp_out *o, const char *key, bool val);
__attribute__((format(printf, 3, 4)))
void clp_out_fmt(struct clp_out *o, const char *key, const char *fmt, ...);

#endif /* CLP_OUT_H */
