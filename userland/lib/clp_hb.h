/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Heartbeat configuration shared by clpmgrd (mgr/hb.c) and clpkhbctrl
 * --config: read the heartbeat part of clp.conf into struct clp_hb_conf,
 * and push it to the clpkhb driver over generic netlink.
 *
 * Node ids: a server's position among root/server elements (1 = first),
 * the same on every node because every node has the same clp.conf.
 * A lankhbN uses device D (root/heartbeat/lankhb@lankhbN/device): each
 * server's address on it is root/server@name/device@D/info.
 */
#ifndef CLP_HB_H
#define CLP_HB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include <clpstack/clpkhb.h>

#include "clp_conf.h"

struct clp_hb_link {
	uint32_t id;			/* N of lankhbN */
	uint32_t prio;
	uint32_t device;
	struct in_addr local;
};

struct clp_hb_peer {
	uint32_t node_id;
	char name[CLPKHB_NAME_LEN];
	bool has_addr[CLPKHB_MAX_LINKS];
	struct in_addr addr[CLPKHB_MAX_LINKS];	/* index: link slot */
};

struct clp_hb_conf {
	uint32_t node_id;
	char name[CLPKHB_NAME_LEN];
	uint32_t interval_ms;
	uint32_t timeout_ms;
	uint16_t port;
	bool has_key;
	uint8_t key[CLPKHB_KEY_LEN];
	char keyfile[512];
	unsigned int nlinks, npeers;
	struct clp_hb_link links[CLPKHB_MAX_LINKS];
	struct clp_hb_peer peers[CLPKHB_MAX_PEERS];
};

/* Read the heartbeat configuration of @server. Returns 0, or -1 with a
 * message naming the file and key in @err. */
int clp_hb_conf_read(struct clp_conf *conf, const char *server,
		     struct clp_hb_conf *hb, char *err, size_t errlen);

/* Read a cluster key file: exactly CLPKHB_KEY_LEN bytes. */
int clp_hb_read_key(const char *path, uint8_t *key, char *err, size_t errlen);

/* Stop clpkhb, configure it from @hb and start it. Returns 0, or a negative
 * errno with the driver's message in @err (-ENOENT: module not loaded). */
int clp_hb_apply(const struct clp_hb_conf *hb, char *err, size_t errlen);

/* Stop clpkhb and forget its configuration. */
int clp_hb_reset(char *err, size_t errlen);

#endif /* CLP_HB_H */
