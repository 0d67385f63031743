// SPDX-License-Identifier: GPL-2.0
/*
 * The operations of clpmdctrl (mirror disks) and clphdctrl (hybrid disks)
 * on one resource, and their command line: the two commands differ only in
 * how the resource is found (struct clp_md_ctl_kind). See clp_md_ctl.h.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "clp_log.h"
#include "clp_md_cmd.h"
#include "clp_md_ctl.h"
#include "clp_md_init.h"
#include "clp_md_mount.h"
#include "clp_md_state.h"
#include "clp_msg.h"

enum action {
	A_NONE, A_ACTIVE, A_DEACTIVE, A_BREAK, A_RECOVERY, A_FORCE, A_CANCEL, A_UPDATEKEY,
	A_RESIZE
};

static void usage(FILE *f, const struct clp_md_ctl_kind *k)
{
	const char *m = k->cmd, *r = k->arg, *n = k->noun;

	fprintf(f,
		"Usage: %s --active [-nomount] [-force] %s\n"
		"       %s --deactive %s\n"
		"       %s --break %s\n"
		"       %s --recovery %s\n"
		"       %s --force [<source_server>] %s\n"
		"       %s --cancel %s\n"
		"       %s --updatekey %s\n"
		"       %s --resize [-force] <size> %s\n",
		m, r, m, r, m, r, m, r, m, r, m, r, m, r, m, r);
	fprintf(f,
		"  -a, --active     activate the %s on this server and mount it\n"
		"                   (-nomount: do not mount; -force: even though the other\n"
		"                   server cannot be reached - only when it is known to be down)\n"
		"  -d, --deactive   unmount and deactivate the %s on this server\n"
		"  -b, --break      break the mirror: stop mirroring to the other server\n"
		"  -r, --recovery   start differential mirror recovery\n"
		"  -f, --force      without a server: make this server's copy the latest (GREEN);\n"
		"                   with a server: full copy from <source_server>\n"
		"  -c, --cancel     cancel a running mirror recovery\n"
		"      --updatekey  give both servers' drivers the key files' new key (the other\n"
		"                   server's file must hold the same key); mirroring is suspended\n"
		"                   until both reconnect with it: run --recovery afterwards\n"
		"      --resize     grow the data partition (an LVM logical volume: lvextend)\n"
		"                   and the %s to <size> (bytes, or K, M, G, T):\n"
		"                   on the standby first, then on the active; -force: grow\n"
		"                   this server alone after a mirror break (a full copy follows)\n"
		"  -h, --help       this help\n"
		"%s"
		"Configuration: $CLP_CONF, else $CLP_PREFIX/etc/clp.conf (/opt/clpstack).\n",
		n, n, n, k->help_note ? k->help_note : "");
}

/* Extra seconds over the configured connect timeout for --recovery/--force. */
#define CONNECT_SLACK 5

static int do_active(const struct clp_md_ctl_kind *k, struct clp_md_cmd *c, bool nomount,
		     bool force)
{
	char points[1][CLP_MD_PATHLEN], err[512];
	struct clp_md_status st;
	bool mount = !nomount && c->md.mount_point[0];
	int ret;

	ret = clp_md_cmd_status(c, &st);
	if (ret)
		return ret;
	if (st.role == LISCAL_ROLE_ACTIVE) {
		clp_err("%s: already active on this server", c->md.name);
		return CLP_EXIT_STATE;
	}
	/* -force after the active server died: the survivor turned RED
	 * (outdated) at the break; the driver's FORCE makes it current. */
	if (clp_md_local_colour(&st) != CLP_MD_GREEN &&
	    !(force && st.conn != LISCAL_CONN_CONNECTED && st.disk == LISCAL_DISK_OUTDATED &&
	      !st.split_brain)) {
		bool takeover = st.conn != LISCAL_CONN_CONNECTED &&
				st.disk == LISCAL_DISK_OUTDATED && !st.split_brain;
		char advice[160];

		if (takeover)
			snprintf(advice, sizeof(advice), "if the other server is down, take over "
				 "with '%s --active -force %s'", k->cmd, c->md.name);
		else
			snprintf(advice, sizeof(advice), "make it current with '%s --force %s' or "
				 "recover it", k->cmd, c->md.name);
		clp_err("%s: this server's copy is %s (%s), not the latest data: activation "
			"refused (%s)", c->md.name, clp_md_colour_name(clp_md_local_colour(&st)),
			st.split_brain ? "split brain" : clp_md_disk_name(st.disk), advice);
		return CLP_EXIT_STATE;
	}
	if (mount && clp_md_mounts(c->md.nmppath, points, 1) > 0) {
		clp_err("%s: %s is already mounted on %s", c->md.name, c->md.nmppath, points[0]);
		return CLP_EXIT_STATE;
	}
	ret = clp_md_nl_cmd(c->nl, LISCAL_CMD_ACTIVATE, c->md.name, force ? LISCAL_F_FORCE : 0);
	if (ret < 0)
		return clp_md_cmd_fail(c, "activate", ret);
	if (!mount) {
		clp_info("%s: activated (%s, not mounted)", c->md.name, c->md.nmppath);
		return CLP_EXIT_OK;
	}
	ret = clp_md_mount(&c->md, err, sizeof(err));
	if (ret < 0) {
		clp_err("%s: mounting %s on %s failed: %s; deactivating again", c->md.name,
			c->md.nmppath, c->md.mount_point, err);
		if (clp_md_nl_cmd(c->nl, LISCAL_CMD_DEACTIVATE, c->md.name, 0) < 0)
			clp_err("%s: deactivate failed: %s", c->md.name, clp_nl_errmsg(c->nl));
		return CLP_EXIT_ERROR;
	}
	clp_info("%s: activated, %s mounted on %s", c->md.name, c->md.nmppath,
		 c->md.mount_point);
	return CLP_EXIT_OK;
}

static int do_deactive(struct clp_md_cmd *c)
{
	struct clp_md_status st;
	char err[512];
	int ret;

	ret = clp_md_cmd_status(c, &st);
	if (ret)
		return ret;
	if (st.role != LISCAL_ROLE_ACTIVE) {
		clp_err("%s: not active on this server", c->md.name);
		return CLP_EXIT_STATE;
	}
	ret = clp_md_umount_all(&c->md, err, sizeof(err));
	if (ret < 0) {
		clp_err("%s: %s", c->md.name, err);
		return CLP_EXIT_STATE;
	}
	ret = clp_md_nl_cmd(c->nl, LISCAL_CMD_DEACTIVATE, c->md.name, 0);
	if (ret < 0)
		return clp_md_cmd_fail(c, "deactivate", ret);
	clp_info("%s: deactivated", c->md.name);
	return CLP_EXIT_OK;
}

static int do_simple(struct clp_md_cmd *c, uint8_t cmd, const char *what, const char *done)
{
	struct clp_md_status st;
	int ret;

	ret = clp_md_cmd_status(c, &st);
	if (ret)
		return ret;
	ret = clp_md_nl_cmd(c->nl, cmd, c->md.name, 0);
	if (ret < 0)
		return clp_md_cmd_fail(c, what, ret);
	clp_info("%s: %s", c->md.name, done);
	return CLP_EXIT_OK;
}

/*
 * The other server's daemon checks the new key against its own key file
 * and gives its driver the key (mgr/mdkey.c). Returns 1 when it was told,
 * 0 when it could not be asked (@why says why), or minus an exit code when
 * it refused (message printed; nothing changed anywhere).
 */
static int updatekey_peer(struct clp_md_cmd *c, const char *fp, char *why, size_t len)
{
	struct json_object *q = json_object_new_object(), *r, *u;
	int code;

	json_object_object_add(q, "op", json_object_new_string("md-updatekey"));
	json_object_object_add(q, "md", json_object_new_string(c->md.name));
	json_object_object_add(q, "keyfp", json_object_new_string(fp));
	r = clp_msg_local(q, 45000, why, len);
	json_object_put(q);
	if (!r)
		return 0;
	code = clp_msg_code(r);
	if (code && json_object_object_get_ex(r, "unreachable", &u) && json_object_get_boolean(u)) {
		snprintf(why, len, "%s", clp_msg_text(r));
		json_object_put(r);
		return 0;
	}
	if (code)
		clp_err("%s", clp_msg_text(r));
	else
		clp_info("%s", clp_msg_text(r));
	json_object_put(r);
	return code ? -code : 1;
}

/*
 * Guide 2.29: the key file was replaced on every server. The other
 * server checks that its file holds the same key and gives its driver
 * the key (through the daemons, so also while the mirror is not
 * connected); then this driver gets it (RES_SET reads the file). While
 * connected the drivers also carry it over the encrypted link (REKEY);
 * both reconnect with it.
 */
static int do_updatekey(const struct clp_md_ctl_kind *k, struct clp_md_cmd *c)
{
	char fp[CLP_MD_KEYFP_LEN], why[512];
	struct clp_md_status st;
	int ret, told;

	ret = clp_md_cmd_status(c, &st);
	if (ret)
		return ret;
	ret = clp_md_keyfile_fingerprint(&c->md, fp, why, sizeof(why));
	if (ret) {
		clp_err("%s: update key failed: %s", c->md.name, why);
		return clp_md_nl_exit(ret);
	}
	told = updatekey_peer(c, fp, why, sizeof(why));
	if (told < 0)
		return -told;
	ret = clp_md_nl_set(c->nl, &c->md);
	if (ret < 0)
		return clp_md_cmd_fail(c, "update key", ret);
	clp_info("%s: the driver on %s has the new key", c->md.name, c->server);
	if (!told && st.conn == LISCAL_CONN_CONNECTED)
		clp_err("warning: %s: %s was not asked (%s): it gets the key over the mirror "
			"link", c->md.name, c->md.peer.server, why);
	else if (!told)
		clp_err("warning: %s: %s was not asked (%s): a server that starts reads its key "
			"file; if the %s runs there now, run '%s --updatekey' on it too",
			c->md.name, c->md.peer.server, why, k->noun, k->cmd);
	if (told || st.conn == LISCAL_CONN_CONNECTED)
		clp_info("%s: mirroring is suspended until both servers reconnect with the new "
			 "key: then run '%s --recovery' if the mirror is not GREEN", c->md.name,
			 k->cmd);
	return CLP_EXIT_OK;
}

static int do_recovery(const struct clp_md_ctl_kind *k, struct clp_md_cmd *c,
		       const char *source)
{
	int src = -1, ret;
	uint32_t flags = 0;

	if (source) {
		src = k->node_of(c, source);
		flags = LISCAL_F_FORCE | LISCAL_F_FULL;
	}
	ret = clp_md_cmd_connect(c, (int)c->md.connecttimeout + CONNECT_SLACK);
	if (ret)
		return ret;
	if (source) {
		struct clp_md_status st;
		bool to_local = src != (int)c->md.local.node_id;

		/* A full copy overwrites the target under its mounted file
		 * system: the target must not be active. */
		ret = clp_md_cmd_status(c, &st);
		if (ret)
			return ret;
		if ((to_local ? st.role : st.peer_role) == LISCAL_ROLE_ACTIVE) {
			clp_err("%s: the copy target %s is active: deactivate it there first "
				"(%s --deactive %s)", c->md.name,
				to_local ? c->md.local.server : c->md.peer.server, k->cmd,
				c->md.name);
			return CLP_EXIT_STATE;
		}
	}
	ret = clp_md_nl_recovery(c->nl, c->md.name, flags, src);
	if (ret < 0) {
		struct clp_md_status st;
		char why[256];
		bool got;

		/* The status read below replaces the refusal's message. */
		snprintf(why, sizeof(why), "%s", clp_nl_errmsg(c->nl));
		got = clp_md_nl_get(c->nl, c->md.name, &st) == 0;

		/* The mirror agent may have started it on connection, and a
		 * short one may be over already. */
		if (!source && got && st.recovery_dir != LISCAL_RECOVERY_NONE) {
			clp_info("%s: mirror recovery is running (started by the mirror agent)",
				 c->md.name);
			return CLP_EXIT_OK;
		}
		if (!source && got && st.conn == LISCAL_CONN_CONNECTED &&
		    st.disk == LISCAL_DISK_UPTODATE && st.peer_disk == LISCAL_DISK_UPTODATE &&
		    !st.split_brain) {
			clp_info("%s: both copies are current (the mirror agent's recovery is "
				 "done)", c->md.name);
			return CLP_EXIT_OK;
		}
		/*
		 * The mirror agent (fullcopy 1: guide 2.14.2 step 10 (B)) or
		 * the driver (a restored copy: 2.18 step 9) started a full
		 * copy from that server when the copies connected, before this
		 * command: it is the copy asked for.
		 */
		if (source && ret == -EALREADY && got &&
		    st.recovery_dir == (src == (int)c->md.local.node_id ?
					LISCAL_RECOVERY_TO_PEER : LISCAL_RECOVERY_FROM_PEER) &&
		    st.recovery_total == st.data_size) {
			clp_info("%s: a full copy from %s is running already (started when the "
				 "copies connected)", c->md.name, source);
			return CLP_EXIT_OK;
		}
		clp_err("%s: %s failed: %s", c->md.name, source ? "full copy" : "mirror recovery",
			why);
		return clp_md_nl_exit(ret);
	}
	if (source)
		clp_info("%s: full copy from %s started", c->md.name, source);
	else
		clp_info("%s: mirror recovery started", c->md.name);
	return CLP_EXIT_OK;
}

/*
 * <size> as the guide writes it: "500G", "1022M", or bytes; K, M, G, T are
 * binary units. 0 and *bytes set, or -1 with a message.
 */
static int parse_size(const char *s, uint64_t *bytes)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	const char *u;
	char *end;
	int shift = 0;

	errno = 0;
	v = isdigit((unsigned char)s[0]) ? strtoull(s, &end, 10) : 0;
	if (!isdigit((unsigned char)s[0]) || errno) {
		clp_err("size '%s': expected a number of bytes, or with K, M, G or T (500G)", s);
		return -1;
	}
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u || end[1]) {
			clp_err("size '%s': unknown unit '%s' (K, M, G or T)", s, end);
			return -1;
		}
		shift = 10 * (int)(u - units + 1);
	}
	if (!v || v > (UINT64_MAX >> shift)) {
		clp_err("size '%s' is out of range", s);
		return -1;
	}
	v <<= shift;
	if (v & 4095) {
		clp_err("size '%s' (%llu bytes) is not a multiple of 4 KiB", s, v);
		return -1;
	}
	*bytes = v;
	return 0;
}

/* Whether @path is an LVM logical volume (a device-mapper device of LVM). */
static bool is_lv(const char *path)
{
	char sys[96], uuid[8] = "";
	struct stat st;
	FILE *f;

	if (stat(path, &st) < 0 || !S_ISBLK(st.st_mode))
		return false;
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/dm/uuid", major(st.st_rdev),
		 minor(st.st_rdev));
	f = fopen(sys, "r");
	if (!f)
		return false;
	if (!fgets(uuid, sizeof(uuid), f))
		uuid[0] = 0;
	fclose(f);
	return !strncmp(uuid, "LVM-", 4);
}

/*
 * Guide 2.23.1: the data partition (an LV) is extended with lvextend up to
 * <size> (rounded up to whole extents: the mirror disk keeps <size>), then
 * the driver grows: on the standby it only gets ready (the new region
 * zeroed), on the other server both grow. With -force after a mirror
 * break, this server grows alone and a full copy follows.
 */
static int do_resize(const struct clp_md_ctl_kind *k, struct clp_md_cmd *c, uint64_t bytes,
		     bool force)
{
	struct clp_md_status st;
	uint64_t part;
	char err[256];
	int fd, ret;

	ret = clp_md_cmd_status(c, &st);
	if (ret)
		return ret;
	if (bytes == st.data_size) {
		clp_info("%s: the %s has %" PRIu64 " bytes already", c->md.name, k->noun, bytes);
		return CLP_EXIT_OK;
	}
	if (bytes < st.data_size) {
		clp_err("%s: %" PRIu64 " bytes is smaller than the %s's %" PRIu64
			": --resize only extends (to shrink, follow procedure %s)",
			c->md.name, bytes, k->noun, st.data_size, k->shrink_procedure);
		return CLP_EXIT_USAGE;
	}
	if (!force && !(st.conn == LISCAL_CONN_CONNECTED && st.disk == LISCAL_DISK_UPTODATE &&
			st.peer_disk == LISCAL_DISK_UPTODATE && !st.split_brain)) {
		clp_err("%s: --resize works only in the normal status (both copies GREEN and "
			"connected; now %s here, %s on %s): after a mirror break use -force, then "
			"recover the mirror", c->md.name,
			clp_md_colour_name(clp_md_local_colour(&st)),
			clp_md_colour_name(clp_md_peer_colour(&st)), c->md.peer.server);
		return CLP_EXIT_STATE;
	}
	fd = clp_md_open_dev(st.data_path, O_RDONLY, &part);
	if (fd < 0)
		return CLP_EXIT_ERROR;
	close(fd);
	if (part < bytes) {
		char size[32];
		char *argv[] = { "lvextend", "-L", size, st.data_path, NULL };

		if (!is_lv(st.data_path)) {
			clp_err("%s: the data partition %s has %" PRIu64 " bytes and is not an LVM "
				"logical volume: extend it first, or follow procedure %s",
				c->md.name, st.data_path, part, k->shrink_procedure);
			return CLP_EXIT_STATE;
		}
		snprintf(size, sizeof(size), "%" PRIu64 "k", bytes >> 10);
		if (clp_md_run(argv, err, sizeof(err))) {
			clp_err("%s: cannot extend the data partition %s: %s", c->md.name,
				st.data_path, err);
			return CLP_EXIT_ERROR;
		}
	}
	ret = clp_md_nl_grow(c->nl, c->md.name, bytes, force ? LISCAL_F_FORCE : 0);
	if (ret < 0)
		return clp_md_cmd_fail(c, "resize", ret);
	ret = clp_md_cmd_status(c, &st);
	if (ret)
		return ret;
	if (st.data_size != bytes) {
		clp_info("%s: this server is ready for %" PRIu64 " bytes: now run "
			 "'%s --resize %" PRIu64 " %s' on %s", c->md.name, bytes, k->cmd, bytes,
			 c->md.name, c->md.peer.server);
		return CLP_EXIT_OK;
	}
	if (st.conn == LISCAL_CONN_CONNECTED && st.peer_disk == LISCAL_DISK_UPTODATE)
		clp_info("%s: %s grown to %" PRIu64 " bytes on both servers; extend "
			 "the file system on the active server (resize2fs -p %s, or xfs_growfs "
			 "on its mount point)", c->md.name, k->noun, bytes, c->md.nmppath);
	else
		clp_info("%s: %s grown to %" PRIu64 " bytes on this server alone: "
			 "run --resize -force on %s too if it has not grown, then recover the "
			 "mirror (a full copy)", c->md.name, k->noun, bytes, c->md.peer.server);
	return CLP_EXIT_OK;
}

/* The guide writes "-nomount" (like "--resize -force") with one dash:
 * take such a word out before getopt. */
static bool take_word(int *argc, char **argv, const char *word, bool dashdash)
{
	bool found = false;
	int i, j;

	for (i = 1, j = 1; i < *argc; i++) {
		if (!strcmp(argv[i], word) ||
		    (dashdash && argv[i][0] == '-' && !strcmp(argv[i] + 1, word)))
			found = true;
		else
			argv[j++] = argv[i];
	}
	argv[j] = NULL;
	*argc = j;
	return found;
}

int clp_md_ctl_main(int argc, char **argv, const struct clp_md_ctl_kind *k)
{
	static const struct option opts[] = {
		{ "active", no_argument, NULL, 'a' },
		{ "deactive", no_argument, NULL, 'd' },
		{ "break", no_argument, NULL, 'b' },
		{ "recovery", no_argument, NULL, 'r' },
		{ "force", no_argument, NULL, 'f' },
		{ "cancel", no_argument, NULL, 'c' },
		{ "updatekey", no_argument, NULL, 'u' },
		{ "resize", no_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct clp_md_cmd c = { 0 };
	enum action act = A_NONE;
	const char *source = NULL, *name;
	bool nomount, force;
	int opt, nargs, maxargs, ret;
	uint64_t size = 0;

	clp_log_init(argv[0]);
	nomount = take_word(&argc, argv, "-nomount", true);
	/* "--force" is the forced recovery: only "-force" modifies --active. */
	force = take_word(&argc, argv, "-force", false);
	while ((opt = getopt_long(argc, argv, "adbrfch", opts, NULL)) != -1) {
		enum action a;

		switch (opt) {
		case 'a':
			a = A_ACTIVE;
			break;
		case 'd':
			a = A_DEACTIVE;
			break;
		case 'b':
			a = A_BREAK;
			break;
		case 'r':
			a = A_RECOVERY;
			break;
		case 'f':
			a = A_FORCE;
			break;
		case 'c':
			a = A_CANCEL;
			break;
		case 'u':
			a = A_UPDATEKEY;
			break;
		case 'z':
			a = A_RESIZE;
			break;
		case 'h':
			usage(stdout, k);
			return CLP_EXIT_OK;
		default:
			usage(stderr, k);
			return CLP_EXIT_USAGE;
		}
		if (act != A_NONE && act != a) {
			clp_err("give only one of --active, --deactive, --break, --recovery, "
				"--force, --cancel, --updatekey, --resize");
			return CLP_EXIT_USAGE;
		}
		act = a;
	}
	nargs = argc - optind;
	if (act == A_NONE) {
		clp_err("give one of --active, --deactive, --break, --recovery, --force, --cancel, "
			"--updatekey, --resize");
		usage(stderr, k);
		return CLP_EXIT_USAGE;
	}
	if (nomount && act != A_ACTIVE) {
		clp_err("-nomount goes with --active only");
		return CLP_EXIT_USAGE;
	}
	if (force && act != A_ACTIVE && act != A_RESIZE) {
		clp_err("-force goes with --active or --resize only");
		return CLP_EXIT_USAGE;
	}
	if (nargs == 0) {
		clp_err("missing the %s resource name (e.g. %s)", k->noun, k->example);
		return CLP_EXIT_USAGE;
	}
	if (act == A_RESIZE && nargs == 1) {
		clp_err("--resize needs the new size and the %s (--resize 500G %s)", k->noun,
			k->example);
		return CLP_EXIT_USAGE;
	}
	maxargs = act == A_FORCE || act == A_RESIZE ? 2 : 1;
	if (nargs > maxargs) {
		clp_err("unexpected argument '%s'", argv[optind + maxargs]);
		return CLP_EXIT_USAGE;
	}
	if (act == A_RESIZE && parse_size(argv[optind], &size))
		return CLP_EXIT_USAGE;
	if (nargs == 2 && act == A_FORCE)
		source = argv[optind];
	name = argv[argc - 1];
	if (k->name_arg(name))
		return CLP_EXIT_USAGE;

	ret = clp_md_cmd_root();
	if (!ret)
		ret = clp_md_cmd_conf(&c);
	if (!ret)
		ret = k->load(&c, name);
	if (!ret && source && k->node_of(&c, source) < 0) {
		char list[512];

		k->servers(&c, list, sizeof(list));
		clp_err("%s: no such server in %s (servers of %s: %s)", source,
			clp_conf_path(c.conf), name, list);
		ret = CLP_EXIT_USAGE;
	}
	if (!ret && act == A_UPDATEKEY && !c.md.crypto) {
		clp_err("%s: mirror communication is not encrypted (mddriver/crypto/use 0): "
			"there is no key to update", name);
		ret = CLP_EXIT_USAGE;
	}
	if (!ret)
		ret = clp_md_cmd_driver(&c);
	if (ret)
		goto out;

	switch (act) {
	case A_ACTIVE:
		ret = do_active(k, &c, nomount, force);
		break;
	case A_DEACTIVE:
		ret = do_deactive(&c);
		break;
	case A_BREAK:
		ret = do_simple(&c, LISCAL_CMD_BREAK, "break", "mirror break done");
		break;
	case A_RECOVERY:
		ret = do_recovery(k, &c, NULL);
		break;
	case A_FORCE:
		if (source)
			ret = do_recovery(k, &c, source);
		else
			ret = do_simple(&c, LISCAL_CMD_FORCE_CURRENT, "forced recovery",
					"this server's copy is now the latest data (GREEN)");
		break;
	case A_CANCEL:
		ret = do_simple(&c, LISCAL_CMD_RECOVERY_CANCEL, "cancel", "mirror recovery cancelled");
		break;
	case A_UPDATEKEY:
		ret = do_updatekey(k, &c);
		break;
	case A_RESIZE:
		ret = do_resize(k, &c, size, force);
		break;
	default:
		ret = CLP_EXIT_USAGE;
	}
out:
	clp_md_cmd_free(&c);
	return ret;
}
