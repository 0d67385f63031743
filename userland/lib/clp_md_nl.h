/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Client of the liscal generic netlink family (netlink/liscal.yaml,
 * Documentation/liscal-netlink.md): resource creation from a clp_md,
 * the role / connection / recovery commands, status and events.
 *
 * Every call returns 0 or a negative errno; the kernel's extack message
 * is then in clp_nl_errmsg(). clp_md_nl_exit() maps an errno to the
 * commands' exit code.
 */
#ifndef CLP_MD_NL_H
#define CLP_MD_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <clpstack/liscal.h>

#include "clp_md.h"
#include "clp_nl.h"

/* What RES_GET (or a STATE_CHANGE event) says about one resource. */
struct clp_md_status {
	char name[LISCAL_NAME_MAX + 1];
	char data_path[LISCAL_PATH_MAX + 1];
	char cp_path[LISCAL_PATH_MAX + 1];
	char local_addr[LISCAL_ADDR_MAX + 1];
	char peer_addr[LISCAL_ADDR_MAX + 1];
	char message[256];		/* events only */
	uint32_t minor;
	uint8_t node_id;
	uint8_t role, peer_role;	/* enum liscal_role, 0 unknown */
	uint8_t conn;			/* enum liscal_conn_state */
	uint8_t disk, peer_disk;	/* enum liscal_disk_state */
	uint8_t old_role, old_conn, old_disk, old_peer_disk;	/* events */
	bool split_brain;
	uint8_t recovery_dir;		/* enum liscal_recovery_dir */
	uint32_t reason;		/* events: enum liscal_reason */
	uint32_t bit_size, sb_flags;
	uint64_t gen_current, gen_bitmap, gen_history1, gen_history2;
	uint64_t peer_gen_current;
	uint64_t data_size, total_bits, dirty_bits, dirty_bytes;
	uint64_t recovery_done, recovery_total;
	uint64_t last_update, break_time;	/* unix seconds, 0 never */
	uint64_t stats[LISCAL_STATS_A_MAX + 1];
	bool has_stats;
	/* RES_GET: auto-construct setting (fullcopy); this copy / the peer's
	 * (while connected) never held mirrored data. */
	uint8_t auto_construct, fresh, peer_fresh;
	/* fencing setting; fenced: writes held since a break (also in events) */
	uint8_t fencing, fenced;
};

/* Open the liscal family. -ENOENT: the module is not loaded. */
int clp_md_nl_open(struct clp_nl **nl);

/* RES_CREATE from the configuration; @node_id 0 or 1, @flags LISCAL_F_*. */
int clp_md_nl_create(struct clp_nl *nl, const struct clp_md *md, unsigned int node_id,
		     uint32_t flags);
/* RES_SET: the configuration's timeouts, intervals, recovery data size and
 * I/O error actions (the devices and addresses cannot change). */
int clp_md_nl_set(struct clp_nl *nl, const struct clp_md *md);
/* RES_SET of the peer's address alone ("a.b.c.d:port"), refused while
 * connected: a hybrid disk's other server group has a new current server. */
int clp_md_nl_set_peer(struct clp_nl *nl, const char *name, const char *peer_addr);
/* A command taking the resource name and optional flags (DESTROY, ACTIVATE,
 * DEACTIVATE, CONNECT, BREAK, RECOVERY_CANCEL, FORCE_CURRENT). */
int clp_md_nl_cmd(struct clp_nl *nl, uint8_t cmd, const char *name, uint32_t flags);
/* RECOVERY_START; @source_node < 0: none given. */
int clp_md_nl_recovery(struct clp_nl *nl, const char *name, uint32_t flags,
		       int source_node);
/* GROW to @bytes (LISCAL_F_FORCE: this side alone). */
int clp_md_nl_grow(struct clp_nl *nl, const char *name, uint64_t bytes, uint32_t flags);
/* RES_GET of one resource (-ENOENT or the kernel's error when absent). */
int clp_md_nl_get(struct clp_nl *nl, const char *name, struct clp_md_status *st);
/* The same with LISCAL_F_* @flags (STATS_PERIOD: end the sampling period;
 * only the mirror agent's sampler sets it). */
int clp_md_nl_get_flags(struct clp_nl *nl, const char *name, uint32_t flags,
			struct clp_md_status *st);
/* RES_GET dump: @cb runs for each resource. */
int clp_md_nl_dump(struct clp_nl *nl, void (*cb)(const struct clp_md_status *st, void *arg),
		   void *arg);

/* Fill @st from a RES_GET reply or a STATE_CHANGE event. */
int clp_md_nl_parse(const struct nlmsghdr *nlh, struct clp_md_status *st);

/* Exit code (enum clp_exit) for a failed call's errno. */
int clp_md_nl_exit(int err);

const char *clp_md_role_name(unsigned int role);
const char *clp_md_conn_name(unsigned int conn);
const char *clp_md_disk_name(unsigned int disk);
const char *clp_md_reason_name(unsigned int reason);
/* Counter @a (LISCAL_STATS_A_*) as "write_bytes": the UAPI name in lower
 * case, into @buf. False for an attribute without a name. */
bool clp_md_stat_name(unsigned int a, char *buf, size_t len);

#endif /* CLP_MD_NL_H */
