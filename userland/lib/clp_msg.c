// SPDX-License-Identifier: GPL-2.0
/* Messages of the cluster service. See clp_msg.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>

#include "clp_conf.h"
#include "clp_log.h"
#include "clp_msg.h"

int clp_msg_send(int fd, struct json_object *o)
{
	size_t len, off = 0;
	const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	char *buf = malloc(len + 1);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, s, len);
	buf[len++] = '\n';
	while (off < len) {
		n = send(fd, buf + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return -errno;
		}
		off += (size_t)n;
	}
	free(buf);
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct json_object *clp_msg_recv(int fd, int timeout_ms, char *err, size_t errlen)
{
	int64_t end = now_ms() + timeout_ms;
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	struct json_object *o = NULL;
	struct json_tokener *tok;
	enum json_tokener_error jerr;

	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = end - now_ms();
		ssize_t n;

		if (left <= 0) {
			snprintf(err, errlen, "no answer within %d ms", timeout_ms);
			goto out;
		}
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			continue;
		if (len + 1 >= cap) {
			char *nb;

			if (cap >= CLP_MSG_MAX) {
				snprintf(err, errlen, "message longer than %d bytes", CLP_MSG_MAX);
				goto out;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		n = recv(fd, buf + len, 1, 0);	/* byte-wise: never read past the line */
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "receive failed: %s", strerror(errno));
			goto out;
		}
		if (n == 0) {
			snprintf(err, errlen, "connection closed before an answer");
			goto out;
		}
		if (buf[len] == '\n')
			break;
		len++;
	}
	buf[len] = '\0';
	tok = json_tokener_new();
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	o = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	if (!o || jerr != json_tokener_success || !json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "not a JSON object: %s",
			 jerr != json_tokener_success ? json_tokener_error_desc(jerr) :
							"another JSON type");
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
out:
	free(buf);
	return o;
}

const char *clp_msg_sock_path(void)
{
	static char path[sizeof(((struct sockaddr_un *)0)->sun_path)];

	snprintf(path, sizeof(path), "%s/work/clpmgrd.sock", clp_prefix());
	return path;
}

struct json_object *clp_msg_local(struct json_object *req, int timeout_ms, char *err,
				  size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct json_object *r;
	int fd, ret;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", clp_msg_sock_path());
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return NULL;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "the cluster daemon clpmgrd is not running on this server "
			 "(%s: %s)", sa.sun_path, strerror(errno));
		close(fd);
		return NULL;
	}
	ret = clp_msg_send(fd, req);
	if (ret < 0) {
		snprintf(err, errlen, "sending to clpmgrd: %s", strerror(-ret));
		close(fd);
		return NULL;
	}
	r = clp_msg_recv(fd, timeout_ms, err, errlen);
	close(fd);
	return r;
}

void clp_msg_mac(const uint8_t key[32], const char *a, const char *b, const char *c,
		 char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	size_t la = strlen(a), lb = strlen(b), lc = c ? strlen(c) : 0;
	size_t len = la + 1 + lb + (c ? 1 + lc : 0);
	unsigned char *buf = malloc(len ? len : 1);

	hex[0] = '\0';
	if (!buf)
		return;
	memcpy(buf, a, la);
	buf[la] = '\n';
	memcpy(buf + la + 1, b, lb);
	if (c) {
		buf[la + 1 + lb] = '\n';
		memcpy(buf + la + 2 + lb, c, lc);
	}
	if (HMAC(EVP_sha256(), key, 32, buf, len, md, &mdlen))
		for (i = 0; i < mdlen && i < 32; i++)
			sprintf(hex + 2 * i, "%02x", md[i]);
	free(buf);
}

static int connect_to(const struct clp_cluster *cl, int to, int timeout_ms, char *err,
		      size_t errlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET }, me = { .sin_family = AF_INET };
	struct pollfd p;
	socklen_t sl = sizeof(int);
	int fd, soerr = 0;

	sa.sin_port = htons((uint16_t)cl->port);
	if (inet_pton(AF_INET, cl->addr[to], &sa.sin_addr) != 1) {
		snprintf(err, errlen, "bad address %s", cl->addr[to]);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* From this server's interconnect address: the peer checks it. */
	if (inet_pton(AF_INET, cl->addr[cl->self], &me.sin_addr) == 1)
		(void)bind(fd, (struct sockaddr *)&me, sizeof(me));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS)
		goto fail;
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, timeout_ms) <= 0) {
		errno = ETIMEDOUT;
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr) {
		errno = soerr ? soerr : errno;
		goto fail;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
fail:
	snprintf(err, errlen, "cannot reach the daemon of %s (%s:%ld): %s", cl->srv[to],
		 cl->addr[to], cl->port, strerror(errno));
	close(fd);
	return -1;
}

struct json_object *clp_msg_peer(const struct clp_cluster *cl, int to, struct json_object *req,
				 int timeout_ms, char *err, size_t errlen)
{
	struct json_object *hello = NULL, *env = NULL, *ans = NULL, *reply = NULL;
	const char *nonce, *text, *mac;
	char hex[65], dir[2 * CLP_NAME_LEN + 16];
	int fd, ret;

	fd = connect_to(cl, to, timeout_ms < 3000 ? timeout_ms : 3000, err, errlen);
	if (fd < 0)
		return NULL;
	hello = clp_msg_recv(fd, 3000, err, errlen);
	nonce = hello ? clp_msg_get_str(hello, "nonce") : NULL;
	if (!nonce) {
		if (hello)
			snprintf(err, errlen, "%s: no nonce in the greeting", cl->srv[to]);
		goto out;
	}
	text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	env = json_object_new_object();
	json_object_object_add(env, "from", json_object_new_string(cl->srv[cl->self]));
	json_object_object_add(env, "req", json_object_new_string(text));
	if (cl->has_key) {
		snprintf(dir, sizeof(dir), "req %s>%s", cl->srv[cl->self], cl->srv[to]);
		clp_msg_mac(cl->key, nonce, dir, text, hex);
		json_object_object_add(env, "mac", json_object_new_string(hex));
	}
	ret = clp_msg_send(fd, env);
	if (ret < 0) {
		snprintf(err, errlen, "sending to %s: %s", cl->srv[to], strerror(-ret));
		goto out;
	}
	ans = clp_msg_recv(fd, timeout_ms, err, errlen);
	if (!ans)
		goto out;
	text = clp_msg_get_str(ans, "reply");
	if (!text) {
		snprintf(err, errlen, "%s: %s", cl->srv[to],
			 clp_msg_get_str(ans, "msg") ? clp_msg_get_str(ans, "msg") :
						       "answer without a reply");
		goto out;
	}
	if (cl->has_key) {
		mac = clp_msg_get_str(ans, "mac");
		snprintf(dir, sizeof(dir), "reply %s>%s", cl->srv[to], cl->srv[cl->self]);
		clp_msg_mac(cl->key, nonce, dir, text, hex);
		if (!mac || strlen(mac) != 64 || CRYPTO_memcmp(mac, hex, 64)) {
			snprintf(err, errlen, "%s: the reply is not signed with the cluster key",
				 cl->srv[to]);
			goto out;
		}
	}
	reply = json_tokener_parse(text);
	if (!reply || !json_object_is_type(reply, json_type_object)) {
		json_object_put(reply);
		reply = NULL;
		snprintf(err, errlen, "%s: the reply is not a JSON object", cl->srv[to]);
	}
out:
	json_object_put(hello);
	json_object_put(env);
	json_object_put(ans);
	close(fd);
	return reply;
}

struct json_object *clp_msg_reply(int code, const char *fmt, ...)
{
	struct json_object *o = json_object_new_object();
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_object_add(o, "ok", json_object_new_boolean(code == 0));
	json_object_object_add(o, "code", json_object_new_int(code));
	json_object_object_add(o, "msg", json_object_new_string(buf));
	return o;
}

const char *clp_msg_get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int64_t clp_msg_get_int(struct json_object *o, const char *key, int64_t def)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_boolean)))
		return def;
	return json_object_get_int64(v);
}

int clp_msg_code(struct json_object *reply)
{
	return (int)clp_msg_get_int(reply, "code", CLP_EXIT_ERROR);
}

const char *clp_msg_text(struct json_object *reply)
{
	const char *s = clp_msg_get_str(reply, "msg");

	return s ? s : "";
}
