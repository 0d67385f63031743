// SPDX-License-Identifier: GPL-2.0
/* Heartbeat configuration: clp.conf -> clpkhb. See clp_hb.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clp_hb.h"
#include "clp_nl.h"

static int conf_err(struct clp_conf *conf, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", clp_conf_error(conf));
	return -1;
}

/* Address of @server's device @dev, or 0 when it has none. */
static int server_addr(struct clp_conf *conf, const char *server, uint32_t dev,
		       struct in_addr *out)
{
	char xp[256];
	const char *s;

	snprintf(xp, sizeof(xp), "/root/server[@name='%s']/device[@id='%u']/info",
		 server, dev);
	s = clp_conf_str(conf, xp, NULL);
	if (!s)
		return 0;
	return inet_pton(AF_INET, s, out) == 1 ? 1 : -1;
}

int clp_hb_read_key(const char *path, uint8_t *key, char *err, size_t errlen)
{
	uint8_t buf[CLPKHB_KEY_LEN + 1];
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open key file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && (st.st_mode & 077))
		fprintf(stderr, "warning: key file %s is readable by others (mode %o)\n",
			path, (unsigned int)(st.st_mode & 0777));
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n != CLPKHB_KEY_LEN) {
		snprintf(err, errlen,
			 "key file %s must hold exactly %d bytes (e.g. openssl rand -out %s 32)",
			 path, CLPKHB_KEY_LEN, path);
		return -1;
	}
	memcpy(key, buf, CLPKHB_KEY_LEN);
	return 0;
}

static int read_links(struct clp_conf *conf, const char *server,
		      struct clp_hb_conf *hb, char *err, size_t errlen)
{
	const char *base = "/root/heartbeat/lankhb";
	int i, n = clp_conf_count(conf, base);
	char xp[256];
	long v;

	if (n <= 0) {
		snprintf(err, errlen, "%s: no heartbeat/lankhb configured",
			 clp_conf_path(conf));
		return -1;
	}
	if (n > CLPKHB_MAX_LINKS) {
		snprintf(err, errlen, "%s: too many lankhb (at most %d)",
			 clp_conf_path(conf), CLPKHB_MAX_LINKS);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct clp_hb_link *l = &hb->links[i];
		const char *name = clp_conf_name_at(conf, base, i);
		unsigned int j;
		int r;

		if (!name || sscanf(name, "lankhb%u", &l->id) != 1 || l->id < 1 ||
		    l->id > CLPKHB_MAX_LINK_ID) {
			snprintf(err, errlen, "%s: heartbeat/lankhb@%s: bad name",
				 clp_conf_path(conf), name ? name : "?");
			return -1;
		}
		for (j = 0; j < (unsigned int)i; j++)
			if (hb->links[j].id == l->id) {
				snprintf(err, errlen, "%s: heartbeat/lankhb@%s appears twice",
					 clp_conf_path(conf), name);
				return -1;
			}
		snprintf(xp, sizeof(xp), "%s[@name='%s']/device", base, name);
		if (clp_conf_int(conf, xp, 0, 65535, -1, &v) < 0)
			return conf_err(conf, err, errlen);
		l->device = (uint32_t)v;
		snprintf(xp, sizeof(xp), "%s[@name='%s']/priority", base, name);
		if (clp_conf_int(conf, xp, 0, 255, i, &v) < 0)
			return conf_err(conf, err, errlen);
		l->prio = (uint32_t)v;
		r = server_addr(conf, server, l->device, &l->local);
		if (r <= 0) {
			snprintf(err, errlen,
				 "%s: heartbeat/lankhb@%s uses device %u, but server@%s/device@%u/info is %s",
				 clp_conf_path(conf), name, l->device, server, l->device,
				 r < 0 ? "not an IPv4 address" : "missing");
			return -1;
		}
	}
	hb->nlinks = (unsigned int)n;
	return 0;
}

static int read_peers(struct clp_conf *conf, const char *server,
		      struct clp_hb_conf *hb, char *err, size_t errlen)
{
	int i, n = clp_conf_count(conf, "/root/server");

	if (n > CLPKHB_MAX_NODE_ID) {
		snprintf(err, errlen, "%s: too many servers (at most %d)",
			 clp_conf_path(conf), CLPKHB_MAX_NODE_ID);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const char *name = clp_conf_name_at(conf, "/root/server", i);
		struct clp_hb_peer *p;
		unsigned int li;
		bool any = false;

		if (!name)
			continue;
		if (strcmp(name, server) == 0) {
			hb->node_id = (uint32_t)i + 1;
			snprintf(hb->name, sizeof(hb->name), "%s", name);
			continue;
		}
		if (hb->npeers >= CLPKHB_MAX_PEERS) {
			snprintf(err, errlen, "%s: too many servers (at most %d peers)",
				 clp_conf_path(conf), CLPKHB_MAX_PEERS);
			return -1;
		}
		p = &hb->peers[hb->npeers];
		memset(p, 0, sizeof(*p));
		p->node_id = (uint32_t)i + 1;
		snprintf(p->name, sizeof(p->name), "%s", name);
		for (li = 0; li < hb->nlinks; li++) {
			int r = server_addr(conf, name, hb->links[li].device, &p->addr[li]);

			if (r < 0) {
				snprintf(err, errlen, "%s: server@%s/device@%u/info is not an IPv4 address",
					 clp_conf_path(conf), name, hb->links[li].device);
				return -1;
			}
			p->has_addr[li] = r > 0;
			any |= r > 0;
		}
		if (!any) {
			snprintf(err, errlen,
				 "%s: server@%s has no address on any heartbeat link",
				 clp_conf_path(conf), name);
			return -1;
		}
		hb->npeers++;
	}
	if (!hb->node_id) {
		snprintf(err, errlen, "%s: this server '%s' is not in the configuration",
			 clp_conf_path(conf), server);
		return -1;
	}
	return 0;
}

int clp_hb_conf_read(struct clp_conf *conf, const char *server,
		     struct clp_hb_conf *hb, char *err, size_t errlen)
{
	const char *kf;
	char xp[256];
	long v;

	memset(hb, 0, sizeof(*hb));
	if (clp_conf_int(conf, "/root/cluster/heartbeat/interval",
			 CLPKHB_MIN_INTERVAL_MS, CLPKHB_MAX_INTERVAL_MS,
			 CLPKHB_DEF_INTERVAL_MS, &v) < 0)
		return conf_err(conf, err, errlen);
	hb->interval_ms = (uint32_t)v;
	if (clp_conf_int(conf, "/root/cluster/heartbeat/timeout",
			 CLPKHB_MIN_TIMEOUT_MS, CLPKHB_MAX_TIMEOUT_MS,
			 CLPKHB_DEF_TIMEOUT_MS, &v) < 0)
		return conf_err(conf, err, errlen);
	hb->timeout_ms = (uint32_t)v;
	if (hb->timeout_ms < 2 * hb->interval_ms) {
		snprintf(err, errlen,
			 "%s: cluster/heartbeat/timeout (%u ms) must be at least twice cluster/heartbeat/interval (%u ms)",
			 clp_conf_path(conf), hb->timeout_ms, hb->interval_ms);
		return -1;
	}
	if (clp_conf_int(conf, "/root/cluster/heartbeat/port", 1, 65535,
			 CLPKHB_DEF_PORT, &v) < 0)
		return conf_err(conf, err, errlen);
	hb->port = (uint16_t)v;
	kf = clp_conf_str(conf, "/root/cluster/heartbeat/keyfile", NULL);
	if (kf) {
		snprintf(hb->keyfile, sizeof(hb->keyfile), "%s", kf);
		if (clp_hb_read_key(kf, hb->key, err, errlen) < 0)
			return -1;
		hb->has_key = true;
	}
	snprintf(xp, sizeof(xp), "/root/server[@name='%s']", server);
	if (clp_conf_count(conf, xp) != 1) {
		snprintf(err, errlen, "%s: this server '%s' is not in the configuration",
			 clp_conf_path(conf), server);
		return -1;
	}
	if (read_links(conf, server, hb, err, errlen) < 0)
		return -1;
	return read_peers(conf, server, hb, err, errlen);
}

/* One request; @err gets the driver's message on failure. */
static int talk(struct clp_nl *nl, struct nlmsghdr *req, const char *what,
		char *err, size_t errlen)
{
	int ret = clp_nl_talk(nl, req, NULL, NULL);

	if (ret < 0)
		snprintf(err, errlen, "%s: %s", what, clp_nl_errmsg(nl));
	return ret;
}

static int open_khb(struct clp_nl **nl, char *err, size_t errlen)
{
	int ret = clp_nl_open(nl, CLPKHB_FAMILY_NAME);

	if (ret == -ENOENT)
		snprintf(err, errlen, "the clpkhb module is not loaded");
	else if (ret < 0)
		snprintf(err, errlen, "cannot talk to clpkhb: %s", strerror(-ret));
	return ret;
}

int clp_hb_reset(char *err, size_t errlen)
{
	struct clp_nl *nl;
	int ret = open_khb(&nl, err, errlen);

	if (ret < 0)
		return ret;
	ret = talk(nl, clp_nl_req(nl, CLPKHB_CMD_RESET, 0), "reset", err, errlen);
	clp_nl_close(nl);
	return ret;
}

int clp_hb_apply(const struct clp_hb_conf *hb, char *err, size_t errlen)
{
	struct nlmsghdr *req;
	struct clp_nl *nl;
	unsigned int i, li;
	char what[96];
	int ret = open_khb(&nl, err, errlen);

	if (ret < 0)
		return ret;
	ret = talk(nl, clp_nl_req(nl, CLPKHB_CMD_RESET, 0), "reset", err, errlen);
	if (ret < 0)
		goto out;
	req = clp_nl_req(nl, CLPKHB_CMD_SET_PARAMS, 0);
	mnl_attr_put_u32(req, CLPKHB_A_NODE_ID, hb->node_id);
	mnl_attr_put_u32(req, CLPKHB_A_INTERVAL_MS, hb->interval_ms);
	mnl_attr_put_u32(req, CLPKHB_A_TIMEOUT_MS, hb->timeout_ms);
	mnl_attr_put_u16(req, CLPKHB_A_PORT, hb->port);
	ret = talk(nl, req, "set parameters", err, errlen);
	if (ret < 0)
		goto out;
	if (hb->has_key) {
		req = clp_nl_req(nl, CLPKHB_CMD_SET_KEY, 0);
		mnl_attr_put(req, CLPKHB_A_KEY, CLPKHB_KEY_LEN, hb->key);
		ret = talk(nl, req, "set key", err, errlen);
		if (ret < 0)
			goto out;
	}
	for (li = 0; li < hb->nlinks; li++) {
		const struct clp_hb_link *l = &hb->links[li];

		req = clp_nl_req(nl, CLPKHB_CMD_ADD_LINK, 0);
		mnl_attr_put_u32(req, CLPKHB_A_LINK_ID, l->id);
		mnl_attr_put_u32(req, CLPKHB_A_PRIORITY, l->prio);
		mnl_attr_put_u32(req, CLPKHB_A_LOCAL_ADDR, l->local.s_addr);
		snprintf(what, sizeof(what), "add lankhb%u", l->id);
		ret = talk(nl, req, what, err, errlen);
		if (ret < 0)
			goto out;
	}
	for (i = 0; i < hb->npeers; i++) {
		const struct clp_hb_peer *p = &hb->peers[i];

		for (li = 0; li < hb->nlinks; li++) {
			if (!p->has_addr[li])
				continue;
			req = clp_nl_req(nl, CLPKHB_CMD_ADD_PEER, 0);
			mnl_attr_put_u32(req, CLPKHB_A_NODE_ID, p->node_id);
			mnl_attr_put_strz(req, CLPKHB_A_NAME, p->name);
			mnl_attr_put_u32(req, CLPKHB_A_LINK_ID, hb->links[li].id);
			mnl_attr_put_u32(req, CLPKHB_A_PEER_ADDR, p->addr[li].s_addr);
			snprintf(what, sizeof(what), "add peer %s on lankhb%u",
				 p->name, hb->links[li].id);
			ret = talk(nl, req, what, err, errlen);
			if (ret < 0)
				goto out;
		}
	}
	ret = talk(nl, clp_nl_req(nl, CLPKHB_CMD_START, 0), "start", err, errlen);
out:
	clp_nl_close(nl);
	return ret;
}
