// SPDX-License-Identifier: GPL-2.0
/*
 * clpmdctrl --updatekey (guide 2.29) across the servers. The administrator
 * has put the new key file on every server and runs the command on one of
 * them; the key reaches every driver that holds the mirror disk:
 *
 * - The command asks its daemon with the new key's fingerprint
 *   (clp_md_key_fingerprint(), never the key itself).
 * - The daemon passes the request on to the other server of the mirror
 *   disk. That server's daemon reads its own key file and compares the
 *   fingerprints: a different key is refused and nothing changes on
 *   either server (the command leaves its driver alone). An equal one
 *   goes to its driver (RES_SET reads the file), which ends the mirror
 *   connection made with the old key, so that both reconnect with the new
 *   one; a driver without the resource or a module not loaded takes the
 *   file's key when the mirror agent creates the resource.
 * - The command then gives its own driver the key. With the mirror
 *   connected the drivers carry the key over the link as well (REKEY); the
 *   second RES_SET with the same key changes nothing.
 *
 * A hybrid disk (clphdctrl --updatekey) goes the same way between the two
 * groups' current servers: the daemon asked by the command must be its
 * group's current server and passes the request to the server its hybrid
 * agent mirrors to; the daemon asked by another checks that the asking
 * server is of the other group.
 *
 *   op            fields      from
 *   md-updatekey  md, keyfp   commands: asks the other server, replies
 *                             with its answer ("unreachable": true when
 *                             it could not be asked)
 *                             daemons: checks and applies it here
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clp_hd.h"
#include "clp_log.h"
#include "clp_md.h"
#include "clp_md_nl.h"
#include "clp_msg.h"
#include "cluster.h"
#include "hybrid.h"
#include "mdkey.h"

#define EV "mirror"

enum {
	EV_KEY_UPDATED = 45,	/* the driver has the key file's new key */
	EV_KEY_REFUSED = 46,	/* another server's key differs from this file's */
};

/* Here: check the fingerprint against this server's key file, then give
 * the driver the key. */
static struct json_object *apply_here(const struct clp_md *md, const char *fp, int from)
{
	char own[CLP_MD_KEYFP_LEN], err[512];
	struct clp_nl *nl = NULL;
	struct clp_md_status st;
	int ret;

	ret = clp_md_keyfile_fingerprint(md, own, err, sizeof(err));
	if (ret)
		return clp_msg_reply(CLP_EXIT_ERROR, "%s: %s: nothing changed", clus.m->server, err);
	if (strcmp(own, fp)) {
		clp_event(EV, EV_KEY_REFUSED, "%s: the key file %s on %s holds another key than "
			  "%s's: key update refused", md->name, md->keyfile, clus.m->server,
			  clus.cfg.srv[from]);
		return clp_msg_reply(CLP_EXIT_STATE, "%s: the key file %s on %s holds another key "
				     "than %s's: copy the new key file to every server first "
				     "(guide 2.29 step 2); nothing changed", md->name, md->keyfile,
				     clus.m->server, clus.cfg.srv[from]);
	}
	if (clp_md_nl_open(&nl) < 0)
		return clp_msg_reply(0, "%s: the mirror driver is not loaded on %s: it takes the new "
				     "key from %s when it starts", md->name, clus.m->server,
				     md->keyfile);
	ret = clp_md_nl_get(nl, md->name, &st);
	if (ret == -ENOENT) {
		clp_nl_close(nl);
		return clp_msg_reply(0, "%s is not in %s's driver: it takes the new key from %s "
				     "when the mirror agent creates it", md->name, clus.m->server,
				     md->keyfile);
	}
	if (!ret)
		ret = clp_md_nl_set(nl, md);
	if (ret < 0) {
		struct json_object *r = clp_msg_reply(CLP_EXIT_ERROR, "%s on %s: %s", md->name,
						      clus.m->server, clp_nl_errmsg(nl));

		clp_nl_close(nl);
		return r;
	}
	clp_nl_close(nl);
	clp_event(EV, EV_KEY_UPDATED, "%s: the driver on %s has the new key of %s (asked by %s)",
		  md->name, clus.m->server, md->keyfile, clus.cfg.srv[from]);
	return clp_msg_reply(0, "%s: the driver on %s has the new key", md->name, clus.m->server);
}

struct json_object *mdkey_request(struct json_object *req, int from)
{
	const char *name = clp_msg_get_str(req, "md");
	const char *fp = clp_msg_get_str(req, "keyfp");
	struct json_object *q, *r;
	struct clp_md md;
	char err[512];
	int peer, ret;

	if (!name || !fp)
		return clp_msg_reply(CLP_EXIT_USAGE, "md-updatekey needs \"md\" and \"keyfp\"");
	if (strlen(fp) != CLP_MD_KEYFP_LEN - 1 || strspn(fp, "0123456789abcdef") != strlen(fp))
		return clp_msg_reply(CLP_EXIT_USAGE, "md-updatekey: \"keyfp\" is not 64 hex digits");
	if (clp_hd_name_valid(name) && from < 0) {
		/* A hybrid disk from a command: this server must be its
		 * group's current server; the other end is the one the hybrid
		 * agent mirrors to. */
		if (hybrid_wait_current(name, 0, &md, err, sizeof(err)))
			return clp_msg_reply(CLP_EXIT_STATE, "%s", err);
		ret = 0;
	} else if (clp_hd_name_valid(name)) {
		/* From a daemon: the asking server must be of the other group;
		 * it is the other end. */
		struct clp_hd hd;

		ret = clp_hd_load(clus.m->conf, name, clus.m->server, NULL, &hd, err, sizeof(err));
		if (!ret && clp_hd_group_of(&hd, clus.cfg.srv[from]) != 1 - hd.local_group)
			return clp_msg_reply(CLP_EXIT_USAGE, "%s is not a server of the other server "
					     "group of %s", clus.cfg.srv[from], name);
		if (!ret)
			ret = clp_hd_load(clus.m->conf, name, clus.m->server, clus.cfg.srv[from], &hd,
					  err, sizeof(err));
		md = hd.md;
	} else {
		ret = clp_md_load(clus.m->conf, name, clus.m->server, &md, err, sizeof(err));
	}
	if (ret)
		return clp_msg_reply(ret == -ENOENT ? CLP_EXIT_USAGE : CLP_EXIT_CONFIG, "%s", err);
	if (!md.crypto)
		return clp_msg_reply(CLP_EXIT_USAGE, "%s is not encrypted (mddriver/crypto/use 0): "
				     "it has no key to update", name);
	if (from >= 0) {
		if (strcmp(md.peer.server, clus.cfg.srv[from]))
			return clp_msg_reply(CLP_EXIT_USAGE, "%s is not a server of %s", clus.cfg.srv[from],
					     name);
		return apply_here(&md, fp, from);
	}
	peer = clp_cluster_server(&clus.cfg, md.peer.server);
	if (peer < 0)
		return clp_msg_reply(CLP_EXIT_CONFIG, "%s: its other server %s is not in the cluster",
				     name, md.peer.server);
	q = json_object_new_object();
	json_object_object_add(q, "op", json_object_new_string("md-updatekey"));
	json_object_object_add(q, "md", json_object_new_string(name));
	json_object_object_add(q, "keyfp", json_object_new_string(fp));
	r = clp_msg_peer(&clus.cfg, peer, q, 30000, err, sizeof(err));
	json_object_put(q);
	if (!r) {
		r = clp_msg_reply(CLP_EXIT_ERROR, "%s could not be asked: %s", md.peer.server, err);
		json_object_object_add(r, "unreachable", json_object_new_boolean(1));
	}
	return r;
}
