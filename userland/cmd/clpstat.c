// SPDX-License-Identifier: GPL-2.0
/*
 * clpstat: the cluster's status as every server's daemon reports it:
 * servers (cluster service, heartbeat as this server sees it), groups with
 * their state on each server and their resources (Documentation/
 * commands.md, "clpstat").
 *
 *   clpstat [-g <group>] [-h <server>] [--json]
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clp_cli.h"
#include "clp_log.h"
#include "clp_msg.h"

static struct json_object *arr(struct json_object *o, const char *key)
{
	struct json_object *a;

	if (!o || !json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array))
		return NULL;
	return a;
}

static struct json_object *find(struct json_object *a, const char *key, const char *val)
{
	size_t i;

	for (i = 0; a && i < json_object_array_length(a); i++) {
		struct json_object *o = json_object_array_get_idx(a, i);
		const char *v = clp_msg_get_str(o, key);

		if (v && !strcmp(v, val))
			return o;
	}
	return NULL;
}

static bool running_state(const char *s)
{
	return s && strcmp(s, "offline") && strcmp(s, "unknown");
}

/* The whole picture as one JSON object: what --json prints, and what the
 * text is printed from. */
static struct json_object *build(struct json_object *r, const char *gfilter,
				 const char *sfilter)
{
	struct json_object *out = json_object_new_object(), *sl = json_object_new_array();
	struct json_object *gl = json_object_new_array(), *per = arr(r, "servers");
	struct json_object *self = NULL, *hb;
	size_t i, k;

	/* The local daemon's own entry: its view of the heartbeats. */
	for (i = 0; per && i < json_object_array_length(per); i++) {
		struct json_object *s = json_object_array_get_idx(per, i);

		if (clp_msg_get_str(s, "server") && clp_msg_get_str(r, "local") &&
		    !strcmp(clp_msg_get_str(s, "server"), clp_msg_get_str(r, "local"))) {
			self = s;
			break;
		}
	}
	json_object_object_add(out, "cluster", json_object_new_string(
		self && clp_msg_get_str(self, "cluster") ? clp_msg_get_str(self, "cluster") : "?"));
	hb = self ? arr(self, "servers") : NULL;
	for (i = 0; per && i < json_object_array_length(per); i++) {
		struct json_object *s = json_object_array_get_idx(per, i), *o;
		const char *name = clp_msg_get_str(s, "server");
		struct json_object *h;

		if (!name || (sfilter && strcmp(sfilter, name)))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(name));
		if (json_object_object_get_ex(s, "unreachable", NULL)) {
			json_object_object_add(o, "service", json_object_new_string("unknown"));
			json_object_object_add(o, "reason", json_object_new_string(
				clp_msg_get_str(s, "unreachable")));
		} else {
			json_object_object_add(o, "service", json_object_new_string(
				clp_msg_get_int(s, "started", 0) ? "started" :
				clp_msg_get_int(s, "suspended", 0) ? "suspended" : "stopped"));
			json_object_object_add(o, "waiting", json_object_new_boolean(
				clp_msg_get_int(s, "waiting", 0)));
		}
		h = find(hb, "name", name);
		json_object_object_add(o, "heartbeat", json_object_new_string(
			h && clp_msg_get_str(h, "heartbeat") ? clp_msg_get_str(h, "heartbeat") : "unknown"));
		json_object_object_add(o, "links", arr(h, "links") ? json_object_get(arr(h, "links")) :
						   json_object_new_array());
		json_object_array_add(sl, o);
	}
	json_object_object_add(out, "servers", sl);
	for (i = 0; self && i < json_object_array_length(arr(self, "groups")); i++) {
		struct json_object *g = json_object_array_get_idx(arr(self, "groups"), i);
		const char *gname = clp_msg_get_str(g, "name");
		struct json_object *o, *states = json_object_new_array(), *res = NULL;
		const char *current = NULL, *cur_state = "offline", *why = NULL;

		if (gfilter && strcmp(gfilter, gname))
			continue;
		for (k = 0; k < json_object_array_length(per); k++) {
			struct json_object *s = json_object_array_get_idx(per, k), *so;
			struct json_object *mine = find(arr(s, "groups"), "name", gname);
			const char *st = mine ? clp_msg_get_str(mine, "state") : "unknown";

			if (!clp_msg_get_str(s, "server"))
				continue;
			so = json_object_new_object();
			json_object_object_add(so, "server", json_object_new_string(
				clp_msg_get_str(s, "server")));
			json_object_object_add(so, "state", json_object_new_string(st));
			json_object_array_add(states, so);
			if (running_state(st) && !current) {
				current = clp_msg_get_str(s, "server");
				cur_state = st;
				res = arr(mine, "resources");
				why = clp_msg_get_str(mine, "why");
			}
		}
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(gname));
		json_object_object_add(o, "state", json_object_new_string(cur_state));
		json_object_object_add(o, "current", current ? json_object_new_string(current) : NULL);
		if (why)
			json_object_object_add(o, "why", json_object_new_string(why));
		json_object_object_add(o, "servers", states);
		if (!res)
			res = arr(g, "resources");
		json_object_object_add(o, "resources", res ? json_object_get(res) : json_object_new_array());
		json_object_array_add(gl, o);
	}
	json_object_object_add(out, "groups", gl);
	return out;
}

static void print_text(struct json_object *o)
{
	struct json_object *sl = arr(o, "servers"), *gl = arr(o, "groups");
	size_t i, k;

	printf(" ===========================  CLUSTER STATUS  ===========================\n");
	printf("  Cluster : %s\n", clp_msg_get_str(o, "cluster"));
	printf("  <server>\n");
	for (i = 0; i < json_object_array_length(sl); i++) {
		struct json_object *s = json_object_array_get_idx(sl, i);

		struct json_object *ll = arr(s, "links");

		printf("    %-16s: service %-8s heartbeat %-8s%s\n", clp_msg_get_str(s, "name"),
		       clp_msg_get_str(s, "service"), clp_msg_get_str(s, "heartbeat"),
		       clp_msg_get_int(s, "waiting", 0) ? " (waiting for the other servers)" : "");
		for (k = 0; ll && k < json_object_array_length(ll); k++) {
			struct json_object *l = json_object_array_get_idx(ll, k);

			printf("      %-14s: %s\n", clp_msg_get_str(l, "name"), clp_msg_get_str(l, "state"));
		}
	}
	printf("  <group>\n");
	for (i = 0; i < json_object_array_length(gl); i++) {
		struct json_object *g = json_object_array_get_idx(gl, i), *rl = arr(g, "resources");
		const char *cur = clp_msg_get_str(g, "current");

		printf("    %-16s: %-8s%s%s\n", clp_msg_get_str(g, "name"), clp_msg_get_str(g, "state"),
		       cur ? " on " : "", cur ? cur : "");
		if (clp_msg_get_str(g, "why"))
			printf("      (%s)\n", clp_msg_get_str(g, "why"));
		for (k = 0; rl && k < json_object_array_length(rl); k++) {
			struct json_object *r = json_object_array_get_idx(rl, k);

			printf("      %-14s: %s\n", clp_msg_get_str(r, "name"),
			       clp_msg_get_str(r, "state"));
		}
	}
	printf(" ========================================================================\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "group", required_argument, NULL, 'g' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'H' },
		{ 0 }
	};
	const char *gfilter = NULL, *sfilter = NULL;
	struct json_object *req, *r = NULL, *o;
	bool json = false;
	int c, ret;

	clp_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, "g:h:", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			gfilter = optarg;
			break;
		case 'h':
			sfilter = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'H':
			printf("Usage: clpstat [-g <group>] [-h <server>] [--json]\n"
			       "  -g, --group <group>  that group only\n"
			       "  -h <server>          that server only\n"
			       "      --json           JSON\n"
			       "Exit: 0 done, 1 the daemon is not running, 2 bad arguments.\n");
			return CLP_EXIT_OK;
		default:
			fprintf(stderr, "Usage: clpstat [-g <group>] [-h <server>] [--json]\n");
			return CLP_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		clp_err("unexpected argument '%s'", argv[optind]);
		return CLP_EXIT_USAGE;
	}
	req = clp_cli_req("status");
	json_object_object_add(req, "all", json_object_new_boolean(1));
	ret = clp_cli_request(req, 20000, true, &r);
	json_object_put(req);
	if (ret)
		return ret;
	o = build(r, gfilter, sfilter);
	if (gfilter && !json_object_array_length(arr(o, "groups"))) {
		clp_err("there is no group '%s'", gfilter);
		ret = CLP_EXIT_USAGE;
	} else if (sfilter && !json_object_array_length(arr(o, "servers"))) {
		clp_err("there is no server '%s'", sfilter);
		ret = CLP_EXIT_USAGE;
	} else if (json) {
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_SPACED));
	} else {
		print_text(o);
	}
	json_object_put(o);
	json_object_put(r);
	return ret;
}
