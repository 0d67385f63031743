// SPDX-License-Identifier: GPL-2.0
/*
 * clpmgrd module "peer": requests from the other servers' daemons over TCP
 * on the interconnect (cluster/daemon/port, 29001), protocol in clp_msg.h
 * and Documentation/cluster-protocol.md. A connection is accepted only
 * from a configured server's interconnect address, and its "from" must
 * name that server; with a cluster key the request's HMAC over this
 * connection's nonce must match. Anything else is refused with the reason
 * and logged; nothing changes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clp_log.h"
#include "clp_msg.h"
#include "cluster.h"

static int peer_fd = -1;
static pthread_t peer_thread;

struct conn {
	int fd;
	int from;	/* server index of the source address */
};

static void refuse(int fd, const char *why, const char *addr)
{
	struct json_object *r = clp_msg_reply(CLP_EXIT_PERM, "refused: %s", why);

	clp_event("peer", 3, "request from %s refused: %s", addr, why);
	clp_msg_send(fd, r);
	json_object_put(r);
}

static void *serve(void *arg)
{
	struct conn *c = arg;
	struct json_object *hello = json_object_new_object(), *env = NULL, *req = NULL, *r = NULL;
	unsigned char rnd[16];
	char nonce[33], err[256], hex[65], dir[2 * CLP_NAME_LEN + 16];
	const char *from, *text, *mac;
	const char *addr = clus.cfg.addr[c->from];
	int i;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto out;
	for (i = 0; i < 16; i++)
		sprintf(nonce + 2 * i, "%02x", rnd[i]);
	json_object_object_add(hello, "nonce", json_object_new_string(nonce));
	if (clp_msg_send(c->fd, hello) < 0)
		goto out;
	env = clp_msg_recv(c->fd, 5000, err, sizeof(err));
	if (!env) {
		refuse(c->fd, err, addr);
		goto out;
	}
	from = clp_msg_get_str(env, "from");
	text = clp_msg_get_str(env, "req");
	if (!from || !text) {
		refuse(c->fd, "no \"from\" or \"req\"", addr);
		goto out;
	}
	if (strcmp(from, clus.cfg.srv[c->from])) {
		refuse(c->fd, "\"from\" does not name the server of the source address", addr);
		goto out;
	}
	if (clus.cfg.has_key) {
		mac = clp_msg_get_str(env, "mac");
		snprintf(dir, sizeof(dir), "req %s>%s", from, clus.m->server);
		clp_msg_mac(clus.cfg.key, nonce, dir, text, hex);
		if (!mac || strlen(mac) != 64 || CRYPTO_memcmp(mac, hex, 64)) {
			refuse(c->fd, "not signed with the cluster key", addr);
			goto out;
		}
	}
	req = json_tokener_parse(text);
	if (!req || !json_object_is_type(req, json_type_object)) {
		refuse(c->fd, "the request is not a JSON object", addr);
		goto out;
	}
	r = req_handle(req, c->from);
	text = json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN);
	json_object_put(env);
	env = json_object_new_object();
	json_object_object_add(env, "reply", json_object_new_string(text));
	if (clus.cfg.has_key) {
		snprintf(dir, sizeof(dir), "reply %s>%s", clus.m->server, clus.cfg.srv[c->from]);
		clp_msg_mac(clus.cfg.key, nonce, dir, text, hex);
		json_object_object_add(env, "mac", json_object_new_string(hex));
	}
	clp_msg_send(c->fd, env);
out:
	json_object_put(hello);
	json_object_put(env);
	json_object_put(req);
	json_object_put(r);
	close(c->fd);
	free(c);
	return NULL;
}

static void *peer_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct sockaddr_in sa;
		socklen_t l = sizeof(sa);
		char addr[INET_ADDRSTRLEN] = "?";
		struct conn *c;
		pthread_t t;
		int fd = accept4(peer_fd, (struct sockaddr *)&sa, &l, SOCK_CLOEXEC), i, from = -1;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof(addr));
		for (i = 0; i < clus.cfg.nsrv; i++)
			if (i != clus.cfg.self && !strcmp(addr, clus.cfg.addr[i]))
				from = i;
		c = from >= 0 ? malloc(sizeof(*c)) : NULL;
		if (!c) {
			refuse(fd, "not the interconnect address of another server", addr);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->from = from;
		if (pthread_create(&t, NULL, serve, c)) {
			close(fd);
			free(c);
			continue;
		}
		pthread_detach(t);
	}
	return NULL;
}

static int peer_start(struct mgr *m)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1;

	(void)m;
	if (clus.cfg.nsrv < 2 || !clus.cfg.addr[clus.cfg.self][0])
		return 0;	/* no interconnect address: a cluster of one */
	sa.sin_port = htons((uint16_t)clus.cfg.port);
	inet_pton(AF_INET, clus.cfg.addr[clus.cfg.self], &sa.sin_addr);
	peer_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (peer_fd < 0)
		goto fail;
	setsockopt(peer_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* The address may come up later (IP_FREEBIND): the daemon starts at boot. */
	setsockopt(peer_fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	if (bind(peer_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(peer_fd, 16) < 0)
		goto fail;
	if (pthread_create(&peer_thread, NULL, peer_main, NULL))
		goto fail;
	clp_event("peer", 1, "listening on %s:%ld", clus.cfg.addr[clus.cfg.self], clus.cfg.port);
	return 0;
fail:
	clp_event("peer", 2, "cannot listen on %s:%ld: %s", clus.cfg.addr[clus.cfg.self],
		  clus.cfg.port, strerror(errno));
	if (peer_fd >= 0)
		close(peer_fd);
	peer_fd = -1;
	return -1;
}

static void peer_stop(struct mgr *m)
{
	(void)m;
	if (peer_fd < 0)
		return;
	shutdown(peer_fd, SHUT_RDWR);
	pthread_cancel(peer_thread);
	pthread_join(peer_thread, NULL);
	close(peer_fd);
	peer_fd = -1;
}

const struct mgr_module mgr_mod_peer = {
	.name = "peer",
	.start = peer_start,
	.stop = peer_stop,
};
