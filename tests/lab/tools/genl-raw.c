// SPDX-License-Identifier: GPL-2.0
/*
 * genl-raw: sends one hand-made generic netlink request to the liscal or
 * clpka family and prints how the kernel answered, for the raw netlink
 * tests of tests/lab/20-liscal.bats and 31-keepalive.bats. It checks
 * nothing itself (no user id, no range): whatever is refused is refused
 * by the kernel.
 *
 *   genl-raw FAMILY [-r RESERVED] CMD [ATTR...]
 *
 * FAMILY liscal or clpka; CMD a command name of netlink/FAMILY.yaml
 * (res-create, shutdown-arm, ...) or a number. ATTR is NAME=VALUE, encoded
 * with the attribute's type (u8, u32, u64 or a NUL-terminated string), or
 * NAME:ENC=VALUE with a forced encoding: u8 u16 u32 u64, str (with NUL),
 * nonul (without), zeros (VALUE zero bytes). NAME is an attribute name of
 * the family or a number. -r puts RESERVED in the genetlink header.
 *
 * Prints "ok" (and for res-get the attributes NAME=VALUE, one a line), or
 * one line "error ENAME" followed by what the extended ack says:
 * " attr=NAME" (the attribute it points at), " missing=NAME",
 * " range=MIN..MAX", " mask=0xM", " maxlen=N" and " msg=TEXT" (last).
 * Exit 0 when accepted, 1 when refused, 2 bad usage, 3 no such family.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <clpstack/clpka.h>
#include <clpstack/liscal.h>

enum enc { E_U8 = 1, E_U16, E_U32, E_U64, E_STR, E_NONUL, E_ZEROS };

struct name { const char *n; int v; enum enc e; };

#define END { NULL, 0, 0 }

static const struct name liscal_cmds[] = {
	{ "get-version", LISCAL_CMD_GET_VERSION, 0 },
	{ "res-create", LISCAL_CMD_RES_CREATE, 0 },
	{ "res-destroy", LISCAL_CMD_RES_DESTROY, 0 },
	{ "res-set", LISCAL_CMD_RES_SET, 0 },
	{ "res-get", LISCAL_CMD_RES_GET, 0 },
	{ "activate", LISCAL_CMD_ACTIVATE, 0 },
	{ "deactivate", LISCAL_CMD_DEACTIVATE, 0 },
	{ "connect", LISCAL_CMD_CONNECT, 0 },
	{ "break", LISCAL_CMD_BREAK, 0 },
	{ "recovery-start", LISCAL_CMD_RECOVERY_START, 0 },
	{ "recovery-cancel", LISCAL_CMD_RECOVERY_CANCEL, 0 },
	{ "force-current", LISCAL_CMD_FORCE_CURRENT, 0 },
	{ "state-change", LISCAL_CMD_STATE_CHANGE, 0 },
	{ "fence-release", LISCAL_CMD_FENCE_RELEASE, 0 },
	{ "outdate", LISCAL_CMD_OUTDATE, 0 },
	END
};

static const struct name liscal_attrs[] = {
	{ "version", LISCAL_A_VERSION, E_STR },
	{ "res-name", LISCAL_A_RES_NAME, E_STR },
	{ "minor", LISCAL_A_MINOR, E_U32 },
	{ "data-path", LISCAL_A_DATA_PATH, E_STR },
	{ "cp-path", LISCAL_A_CP_PATH, E_STR },
	{ "node-id", LISCAL_A_NODE_ID, E_U8 },
	{ "local-addr", LISCAL_A_LOCAL_ADDR, E_STR },
	{ "peer-addr", LISCAL_A_PEER_ADDR, E_STR },
	{ "sync-mode", LISCAL_A_SYNC_MODE, E_U8 },
	{ "send-timeout", LISCAL_A_SEND_TIMEOUT, E_U32 },
	{ "connect-timeout", LISCAL_A_CONNECT_TIMEOUT, E_U32 },
	{ "ack-timeout", LISCAL_A_ACK_TIMEOUT, E_U32 },
	{ "recv-timeout", LISCAL_A_RECV_TIMEOUT, E_U32 },
	{ "hb-interval", LISCAL_A_HB_INTERVAL, E_U32 },
	{ "ping-timeout", LISCAL_A_PING_TIMEOUT, E_U32 },
	{ "ping-retry", LISCAL_A_PING_RETRY, E_U32 },
	{ "recovery-chunk", LISCAL_A_RECOVERY_CHUNK, E_U32 },
	{ "cp-io-error", LISCAL_A_CP_IO_ERROR, E_U8 },
	{ "dp-io-error", LISCAL_A_DP_IO_ERROR, E_U8 },
	{ "flags", LISCAL_A_FLAGS, E_U32 },
	{ "source-node", LISCAL_A_SOURCE_NODE, E_U8 },
	{ "role", LISCAL_A_ROLE, E_U8 },
	{ "conn-state", LISCAL_A_CONN_STATE, E_U8 },
	{ "disk-state", LISCAL_A_DISK_STATE, E_U8 },
	{ "gen-current", LISCAL_A_GEN_CURRENT, E_U64 },
	{ "data-size", LISCAL_A_DATA_SIZE, E_U64 },
	{ "auto-construct", LISCAL_A_AUTO_CONSTRUCT, E_U8 },
	{ "fencing", LISCAL_A_FENCING, E_U8 },
	{ "fenced", LISCAL_A_FENCED, E_U8 },
	{ "send-queue-size", LISCAL_A_SEND_QUEUE_SIZE, E_U32 },
	{ "bandlimit", LISCAL_A_BANDLIMIT, E_U32 },
	{ "hot-extents", LISCAL_A_HOT_EXTENTS, E_U32 },
	END
};

static const struct name clpka_cmds[] = {
	{ "get-version", CLPKA_CMD_GET_VERSION, 0 },
	{ "get-status", CLPKA_CMD_GET_STATUS, 0 },
	{ "action", CLPKA_CMD_ACTION, 0 },
	{ "shutdown-arm", CLPKA_CMD_SHUTDOWN_ARM, 0 },
	{ "shutdown-disarm", CLPKA_CMD_SHUTDOWN_DISARM, 0 },
	END
};

static const struct name clpka_attrs[] = {
	{ "version", CLPKA_A_VERSION, E_STR },
	{ "action", CLPKA_A_ACTION, E_U32 },
	{ "reason", CLPKA_A_REASON, E_STR },
	{ "timeout-ms", CLPKA_A_TIMEOUT_MS, E_U32 },
	{ "client-id", CLPKA_A_CLIENT_ID, E_U32 },
	{ "name", CLPKA_A_NAME, E_STR },
	{ "pid", CLPKA_A_PID, E_U32 },
	{ "ratio", CLPKA_A_RATIO, E_U32 },
	END
};

static const struct name encs[] = {
	{ "u8", E_U8, 0 }, { "u16", E_U16, 0 }, { "u32", E_U32, 0 },
	{ "u64", E_U64, 0 }, { "str", E_STR, 0 }, { "nonul", E_NONUL, 0 },
	{ "zeros", E_ZEROS, 0 },
	END
};

static const struct name *attrs;

static const struct name *lookup(const struct name *t, const char *n, size_t len)
{
	for (; t->n; t++)
		if (strlen(t->n) == len && !strncmp(t->n, n, len))
			return t;
	return NULL;
}

static const char *attr_name(int type)
{
	static char buf[16];
	const struct name *t;

	for (t = attrs; t->n; t++)
		if (t->v == type)
			return t->n;
	snprintf(buf, sizeof(buf), "%d", type);
	return buf;
}

static int usage(const char *why)
{
	fprintf(stderr, "genl-raw: %s (usage: see tests/lab/tools/genl-raw.c)\n", why);
	return 2;
}

/* NAME[:ENC]=VALUE into @nlh; -1 when it cannot be understood. */
static int put_attr(struct nlmsghdr *nlh, char *arg)
{
	char *eq = strchr(arg, '='), *colon, *end;
	const struct name *a, *e = NULL;
	unsigned long long v = 0;
	int type;

	if (!eq)
		return -1;
	*eq++ = '\0';
	colon = strchr(arg, ':');
	if (colon) {
		e = lookup(encs, colon + 1, strlen(colon + 1));
		if (!e)
			return -1;
		*colon = '\0';
	}
	a = lookup(attrs, arg, strlen(arg));
	type = a ? a->v : (int)strtol(arg, &end, 0);
	if (!a && (*end || end == arg))
		return -1;
	if (!e && !a)
		return -1;
	if ((e ? (enum enc)e->v : a->e) <= E_U64 ||
	    (e && (enum enc)e->v == E_ZEROS)) {
		errno = 0;
		v = strtoull(eq, &end, 0);
		if (errno || *end || end == eq)
			return -1;
	}
	switch (e ? (enum enc)e->v : a->e) {
	case E_U8:
		mnl_attr_put_u8(nlh, type, (uint8_t)v);
		break;
	case E_U16:
		mnl_attr_put_u16(nlh, type, (uint16_t)v);
		break;
	case E_U32:
		mnl_attr_put_u32(nlh, type, (uint32_t)v);
		break;
	case E_U64:
		mnl_attr_put_u64(nlh, type, v);
		break;
	case E_STR:
		mnl_attr_put_strz(nlh, type, eq);
		break;
	case E_NONUL:
		mnl_attr_put_str(nlh, type, eq);
		break;
	case E_ZEROS: {
		static const char zero[512];

		if (v > sizeof(zero))
			return -1;
		mnl_attr_put(nlh, type, (size_t)v, zero);
		break;
	}
	}
	return 0;
}

/* " range=..", " mask=.." and " maxlen=.." of NLMSGERR_ATTR_POLICY. */
static void print_policy(const struct nlattr *pol)
{
	const struct nlattr *a, *min = NULL, *max = NULL;

	mnl_attr_for_each_nested(a, pol) {
		switch (mnl_attr_get_type(a)) {
		case NL_POLICY_TYPE_ATTR_MIN_VALUE_U:
		case NL_POLICY_TYPE_ATTR_MIN_VALUE_S:
			min = a;
			break;
		case NL_POLICY_TYPE_ATTR_MAX_VALUE_U:
		case NL_POLICY_TYPE_ATTR_MAX_VALUE_S:
			max = a;
			break;
		case NL_POLICY_TYPE_ATTR_MASK:
			printf(" mask=0x%" PRIx64, mnl_attr_get_u64(a));
			break;
		case NL_POLICY_TYPE_ATTR_MAX_LENGTH:
			printf(" maxlen=%u", mnl_attr_get_u32(a));
			break;
		}
	}
	if (min && max)
		printf(" range=%" PRIu64 "..%" PRIu64, mnl_attr_get_u64(min),
		       mnl_attr_get_u64(max));
}

static const char *errno_name(int e)
{
	static const struct name t[] = {
		{ "EPERM", EPERM, 0 }, { "ENOENT", ENOENT, 0 },
		{ "EINTR", EINTR, 0 }, { "EBUSY", EBUSY, 0 },
		{ "EEXIST", EEXIST, 0 }, { "EINVAL", EINVAL, 0 },
		{ "ERANGE", ERANGE, 0 }, { "EOPNOTSUPP", EOPNOTSUPP, 0 },
		{ "EALREADY", EALREADY, 0 }, { "ENOTCONN", ENOTCONN, 0 },
		{ "EIO", EIO, 0 }, { "ENODEV", ENODEV, 0 },
		{ "EMSGSIZE", EMSGSIZE, 0 },
		END
	};
	static char buf[16];
	const struct name *p;

	for (p = t; p->n; p++)
		if (p->v == e)
			return p->n;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

/* The error (ack) message of our request: print it, return the exit code. */
static int print_ack(const struct nlmsghdr *nlh, const struct nlmsghdr *req)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *msg = NULL;
	size_t off = sizeof(*e);

	if (!e->error)
		return 0;
	if (req->nlmsg_type == GENL_ID_CTRL)
		return 1;
	printf("error %s", errno_name(-e->error));
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
		mnl_attr_for_each(a, nlh, off) {
			switch (mnl_attr_get_type(a)) {
			case NLMSGERR_ATTR_MSG:
				msg = a;
				break;
			case NLMSGERR_ATTR_OFFS: {
				uint32_t o = mnl_attr_get_u32(a);

				if (o + sizeof(struct nlattr) <= req->nlmsg_len)
					printf(" attr=%s", attr_name(mnl_attr_get_type(
					       (const struct nlattr *)((const char *)req + o))));
				break;
			}
			case NLMSGERR_ATTR_MISS_TYPE:
				printf(" missing=%s", attr_name((int)mnl_attr_get_u32(a)));
				break;
			case NLMSGERR_ATTR_POLICY:
				print_policy(a);
				break;
			}
		}
	}
	if (msg)
		printf(" msg=%s", mnl_attr_get_str(msg));
	printf("\n");
	return 1;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			*(uint16_t *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static int reply_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	(void)data;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		int t = mnl_attr_get_type(a);
		const struct name *n;

		for (n = attrs; n->n && n->v != t; n++)
			;
		if (!n->n)
			continue;
		if (n->e == E_STR)
			printf("%s=%s\n", n->n, mnl_attr_get_str(a));
		else if (n->e == E_U8)
			printf("%s=%u\n", n->n, mnl_attr_get_u8(a));
		else if (n->e == E_U32)
			printf("%s=%u\n", n->n, mnl_attr_get_u32(a));
		else if (n->e == E_U64)
			printf("%s=%" PRIu64 "\n", n->n, mnl_attr_get_u64(a));
	}
	return MNL_CB_OK;
}

/* Sends @req, runs the answers: 0 accepted, 1 refused (printed), -1 I/O. */
static int talk(struct mnl_socket *s, struct nlmsghdr *req, mnl_cb_t cb,
		void *data)
{
	static char buf[65536];
	unsigned int portid = mnl_socket_get_portid(s);
	int n, r;

	if (mnl_socket_sendto(s, req, req->nlmsg_len) < 0)
		return -1;
	for (;;) {
		n = (int)mnl_socket_recvfrom(s, buf, sizeof(buf));
		if (n < 0)
			return -1;
		for (const struct nlmsghdr *h = (void *)buf; mnl_nlmsg_ok(h, n);
		     h = mnl_nlmsg_next(h, &n)) {
			if (h->nlmsg_seq != req->nlmsg_seq || h->nlmsg_pid != portid)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR)
				return print_ack(h, req);
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			r = mnl_cb_run(h, h->nlmsg_len, req->nlmsg_seq, portid, cb, data);
			if (r < 0)
				return -1;
		}
	}
}

static struct nlmsghdr *request(char *buf, uint16_t type, uint8_t cmd,
				uint16_t reserved)
{
	static unsigned int seq;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq ? ++seq : (seq = (unsigned int)time(NULL));
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	g->reserved = reserved;
	return nlh;
}

int main(int argc, char **argv)
{
	static char buf[16384];
	const struct name *cmds, *c;
	struct mnl_socket *s;
	struct nlmsghdr *nlh;
	uint16_t family = 0, reserved = 0;
	int one = 1, i = 2, cmd, r;
	char *end;

	if (argc < 3)
		return usage("FAMILY and CMD required");
	if (!strcmp(argv[1], LISCAL_FAMILY_NAME)) {
		cmds = liscal_cmds;
		attrs = liscal_attrs;
	} else if (!strcmp(argv[1], CLPKA_FAMILY_NAME)) {
		cmds = clpka_cmds;
		attrs = clpka_attrs;
	} else {
		return usage("FAMILY is liscal or clpka");
	}
	if (!strcmp(argv[i], "-r") && i + 2 < argc) {
		reserved = (uint16_t)strtoul(argv[i + 1], NULL, 0);
		i += 2;
	}
	c = lookup(cmds, argv[i], strlen(argv[i]));
	cmd = c ? c->v : (int)strtol(argv[i], &end, 0);
	if (!c && (*end || end == argv[i]))
		return usage("unknown command");
	s = mnl_socket_open(NETLINK_GENERIC);
	if (!s || mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("genl-raw: netlink socket");
		return 3;
	}
	mnl_socket_setsockopt(s, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s, NETLINK_CAP_ACK, &one, sizeof(one));
	nlh = request(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, argv[1]);
	if (talk(s, nlh, family_cb, &family) || !family) {
		fprintf(stderr, "genl-raw: family %s not found\n", argv[1]);
		return 3;
	}
	nlh = request(buf, family, (uint8_t)cmd, reserved);
	for (i++; i < argc; i++)
		if (put_attr(nlh, argv[i]))
			return usage(argv[i]);
	r = talk(s, nlh, reply_cb, NULL);
	if (r < 0) {
		perror("genl-raw");
		return 3;
	}
	if (!r)
		printf("ok\n");
	mnl_socket_close(s);
	return r;
}
