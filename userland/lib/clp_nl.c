// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink client on libmnl: family resolution, request/reply with
 * extended acks, multicast groups. See clp_nl.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "clp_nl.h"

#define CLP_NL_BUFSZ 32768
#define CLP_NL_MAX_GROUPS 8

struct clp_nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	uint16_t family_id;
	unsigned int ngroups;
	struct {
		char name[GENL_NAMSIZ];
		uint32_t id;
	} groups[CLP_NL_MAX_GROUPS];
	char errmsg[256];
	char buf[CLP_NL_BUFSZ];
};

static void set_err(struct clp_nl *nl, int err, const char *msg)
{
	if (msg && *msg)
		snprintf(nl->errmsg, sizeof(nl->errmsg), "%s", msg);
	else
		snprintf(nl->errmsg, sizeof(nl->errmsg), "%s", strerror(-err));
}

int clp_nl_fail(struct clp_nl *nl, int err, const char *msg)
{
	set_err(nl, err, msg);
	return err;
}

const char *clp_nl_errmsg(const struct clp_nl *nl)
{
	return nl->errmsg;
}

uint8_t clp_nl_cmd(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	return g->cmd;
}

struct parse_ctx {
	const struct nlattr **tb;
	int maxattr;
};

static int parse_attr_cb(const struct nlattr *attr, void *data)
{
	struct parse_ctx *ctx = data;
	int type = mnl_attr_get_type(attr);

	if (type > 0 && type <= ctx->maxattr)
		ctx->tb[type] = attr;
	return MNL_CB_OK;
}

int clp_nl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb, int maxattr)
{
	struct parse_ctx ctx = { tb, maxattr };

	memset(tb, 0, sizeof(*tb) * (size_t)(maxattr + 1));
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), parse_attr_cb, &ctx);
}

int clp_nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb, int maxattr)
{
	struct parse_ctx ctx = { tb, maxattr };

	memset(tb, 0, sizeof(*tb) * (size_t)(maxattr + 1));
	return mnl_attr_parse_nested(nest, parse_attr_cb, &ctx);
}

uint64_t clp_nl_u64(const struct nlattr *a)
{
	return a && mnl_attr_validate(a, MNL_TYPE_U64) == 0 ? mnl_attr_get_u64(a) : 0;
}

uint32_t clp_nl_u32(const struct nlattr *a)
{
	return a && mnl_attr_validate(a, MNL_TYPE_U32) == 0 ? mnl_attr_get_u32(a) : 0;
}

uint8_t clp_nl_u8(const struct nlattr *a)
{
	return a && mnl_attr_validate(a, MNL_TYPE_U8) == 0 ? mnl_attr_get_u8(a) : 0;
}

const char *clp_nl_str(const struct nlattr *a)
{
	return a && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 ? mnl_attr_get_str(a) : "";
}

struct nlmsghdr *clp_nl_req(struct clp_nl *nl, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = nl->family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

/* Pull NLMSGERR_ATTR_MSG out of an extended ack. */
static const char *extack_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (mnl_nlmsg_get_payload_len(nlh) < off)
		return NULL;
	mnl_attr_for_each(attr, nlh, off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			return mnl_attr_get_str(attr);
	}
	return NULL;
}

struct talk_ctx {
	struct clp_nl *nl;
	mnl_cb_t cb;
	void *data;
};

static int talk_error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *t = data;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (e->error == 0)
		return MNL_CB_STOP;
	set_err(t->nl, e->error, extack_msg(nlh));
	errno = -e->error;
	return MNL_CB_ERROR;
}

/* End of a dump; the kernel may put an error code (and extack) in it. */
static int talk_done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *t = data;
	int err = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(int));
	if (err >= 0)
		return MNL_CB_STOP;
	set_err(t->nl, err, NULL);
	errno = -err;
	return MNL_CB_ERROR;
}

static int talk_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *t = data;

	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

static int run_replies(struct clp_nl *nl, unsigned int seq, mnl_cb_t cb, void *data)
{
	struct talk_ctx t = { nl, cb, data };
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { 0 };
	int ret;

	ctl[NLMSG_ERROR] = talk_error_cb;
	ctl[NLMSG_DONE] = talk_done_cb;
	nl->errmsg[0] = '\0';
	for (;;) {
		ret = (int)mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (ret < 0) {
			ret = -errno;
			break;
		}
		ret = mnl_cb_run2(nl->buf, (size_t)ret, seq, nl->portid,
				  talk_data_cb, &t, ctl, NLMSG_MIN_TYPE);
		if (ret <= MNL_CB_STOP) {
			ret = ret < 0 ? -errno : 0;
			break;
		}
	}
	if (ret < 0 && !nl->errmsg[0])
		set_err(nl, ret, NULL);
	return ret;
}

int clp_nl_talk(struct clp_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0) {
		int err = -errno;

		set_err(nl, err, NULL);
		return err;
	}
	return run_replies(nl, req->nlmsg_seq, cb, data);
}

static int group_cb(const struct nlattr *grp, struct clp_nl *nl)
{
	const struct nlattr *a, *name = NULL, *id = NULL;

	mnl_attr_for_each_nested(a, grp) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			name = a;
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
			 mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			id = a;
	}
	if (name && id && nl->ngroups < CLP_NL_MAX_GROUPS) {
		snprintf(nl->groups[nl->ngroups].name, GENL_NAMSIZ, "%s",
			 mnl_attr_get_str(name));
		nl->groups[nl->ngroups].id = mnl_attr_get_u32(id);
		nl->ngroups++;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct clp_nl *nl = data;
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	const struct nlattr *g;

	clp_nl_parse(nlh, tb, CTRL_ATTR_MAX);
	if (tb[CTRL_ATTR_FAMILY_ID] &&
	    mnl_attr_validate(tb[CTRL_ATTR_FAMILY_ID], MNL_TYPE_U16) == 0)
		nl->family_id = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_MCAST_GROUPS])
		mnl_attr_for_each_nested(g, tb[CTRL_ATTR_MCAST_GROUPS])
			group_cb(g, nl);
	return MNL_CB_OK;
}

int clp_nl_open(struct clp_nl **out, const char *family)
{
	struct clp_nl *nl = calloc(1, sizeof(*nl));
	struct nlmsghdr *nlh;
	int one = 1, ret;

	*out = NULL;
	if (!nl)
		return -ENOMEM;
	nl->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err_close;
	}
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned int)time(NULL);

	nl->family_id = GENL_ID_CTRL;
	nlh = clp_nl_req(nl, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, family);
	nl->family_id = 0;
	ret = clp_nl_talk(nl, nlh, family_cb, nl);
	if (ret == 0 && !nl->family_id)
		ret = -ENOENT;
	if (ret < 0)
		goto err_close;
	*out = nl;
	return 0;

err_close:
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl);
	return ret;
}

void clp_nl_close(struct clp_nl *nl)
{
	if (!nl)
		return;
	mnl_socket_close(nl->sock);
	free(nl);
}

int clp_nl_join(struct clp_nl *nl, const char *group)
{
	unsigned int i;

	for (i = 0; i < nl->ngroups; i++) {
		if (strcmp(nl->groups[i].name, group))
			continue;
		if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
					  &nl->groups[i].id, sizeof(uint32_t)) < 0) {
			int err = -errno;

			set_err(nl, err, NULL);
			return err;
		}
		return 0;
	}
	snprintf(nl->errmsg, sizeof(nl->errmsg), "no multicast group '%s'", group);
	return -ENOENT;
}

int clp_nl_recv(struct clp_nl *nl, mnl_cb_t cb, void *data)
{
	int ret;

	for (;;) {
		ret = (int)mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(nl->buf, (size_t)ret, 0, 0, cb, data);
		if (ret <= MNL_CB_STOP)
			return ret < 0 ? -errno : 0;
	}
}
