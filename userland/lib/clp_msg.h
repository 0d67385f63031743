/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages of the cluster service (Documentation/cluster-protocol.md): one
 * JSON object per line (json-c), between a command and its local daemon
 * over a UNIX socket, and between the daemons of the servers over TCP on
 * the interconnect.
 *
 * Between daemons every exchange is one request and one reply on a fresh
 * connection: the server sends {"nonce": hex} first, the client answers
 * {"from": server, "req": "<request text>", "mac": hex}, the server
 * replies {"reply": "<reply text>", "mac": hex}. With a cluster key the
 * macs are HMAC-SHA256(key, nonce "\n" req) and (key, nonce "\nreply\n"
 * reply): a request cannot be forged, altered or replayed. Without a key
 * "mac" is absent and only the source address is checked.
 */
#ifndef CLP_MSG_H
#define CLP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "clp_grp.h"

#define CLP_MSG_MAX (256 * 1024)	/* longest message */

/* Write @o and a newline. 0 or -errno. */
int clp_msg_send(int fd, struct json_object *o);
/* Read one line within @timeout_ms and parse it as a JSON object. NULL
 * with @err set on timeout, end of stream, or text that is not an object. */
struct json_object *clp_msg_recv(int fd, int timeout_ms, char *err, size_t errlen);

/* The local daemon's socket: <prefix>/work/clpmgrd.sock. */
const char *clp_msg_sock_path(void);
/* Send @req to the local daemon, wait up to @timeout_ms for the reply.
 * NULL with @err set when the daemon cannot be reached. */
struct json_object *clp_msg_local(struct json_object *req, int timeout_ms, char *err,
				  size_t errlen);

/* HMAC-SHA256 of @a "\n" @b (and "\n" @c when not NULL) as 64 hex digits. */
void clp_msg_mac(const uint8_t key[32], const char *a, const char *b, const char *c,
		 char hex[65]);

/* A request to the daemon of server @to (index in @cl) from this server.
 * Returns the reply object, or NULL with @err set. */
struct json_object *clp_msg_peer(const struct clp_cluster *cl, int to, struct json_object *req,
				 int timeout_ms, char *err, size_t errlen);

/* Reply fields every answer has: {"ok": bool, "code": exit code, "msg": text}. */
struct json_object *clp_msg_reply(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int clp_msg_code(struct json_object *reply);
const char *clp_msg_text(struct json_object *reply);
const char *clp_msg_get_str(struct json_object *o, const char *key);
int64_t clp_msg_get_int(struct json_object *o, const char *key, int64_t def);

#endif /* CLP_MSG_H */
