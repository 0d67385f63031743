/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink client of clpstack's userland, on libmnl.
 *
 * One struct clp_nl is one socket bound to one family. Requests are built in
 * the handle's buffer with clp_nl_req() and mnl_attr_put*(), then sent with
 * clp_nl_talk(), which runs a callback on every reply message and returns
 * 0 or a negative errno; on error, clp_nl_errmsg() holds the kernel's extack
 * message (or strerror when the kernel gave none).
 */
#ifndef CLP_NL_H
#define CLP_NL_H

#include <stdint.h>
#include <stddef.h>
#include <libmnl/libmnl.h>

struct clp_nl;

/* Open a socket and resolve @family. Returns 0 or -errno (-ENOENT: the
 * family is not registered, i.e. the module is not loaded). */
int clp_nl_open(struct clp_nl **out, const char *family);
void clp_nl_close(struct clp_nl *nl);

/* Start a request for @cmd in the handle's buffer. @flags: NLM_F_DUMP or 0
 * (NLM_F_REQUEST | NLM_F_ACK are always set). */
struct nlmsghdr *clp_nl_req(struct clp_nl *nl, uint8_t cmd, uint16_t flags);

/* Send @req and read replies until the ack or NLMSG_DONE; @cb (may be NULL)
 * runs on each reply with @data. */
int clp_nl_talk(struct clp_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data);
/* A request that failed before it was sent: @msg for clp_nl_errmsg(), returns @err. */
int clp_nl_fail(struct clp_nl *nl, int err, const char *msg);

/* Join the family's multicast group @group; then clp_nl_recv() delivers
 * events to @cb until it returns MNL_CB_STOP or an error occurs. */
int clp_nl_join(struct clp_nl *nl, const char *group);
int clp_nl_recv(struct clp_nl *nl, mnl_cb_t cb, void *data);

/* The last error's message: kernel extack text when there was one. */
const char *clp_nl_errmsg(const struct clp_nl *nl);

/* Parse the attributes of a generic netlink message into @tb[0..maxattr]. */
int clp_nl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb, int maxattr);

/* Parse the attributes nested in @nest into @tb[0..maxattr] (zeroed first). */
int clp_nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb, int maxattr);

/* An attribute's value, or 0 / "" when it is absent or malformed. */
uint64_t clp_nl_u64(const struct nlattr *a);
uint32_t clp_nl_u32(const struct nlattr *a);
uint8_t clp_nl_u8(const struct nlattr *a);
const char *clp_nl_str(const struct nlattr *a);

/* The command number of a generic netlink message. */
uint8_t clp_nl_cmd(const struct nlmsghdr *nlh);

#endif /* CLP_NL_H */
