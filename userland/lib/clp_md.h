/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mirror disk resources in clp.conf: the configuration model.
 *
 * clp_md_load() reads every key of root/resource/md@<name>/parameters/ and
 * of the cluster-wide root/cluster/mirrordriver and mirroragent sections,
 * applies the defaults and checks the ranges of
 * Documentation/configuration.md. Errors name the file, the line and the
 * key in clp.conf notation:
 *   /opt/clpstack/etc/clp.conf:57: resource/md@md01/parameters/sendtimeout:
 *   5 is out of range (10-99)
 */
#ifndef CLP_MD_H
#define CLP_MD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clp_conf.h"

#define CLP_MD_NAMELEN 16	/* "md" + up to 13 characters + NUL */
#define CLP_MD_MAX 32		/* resources per configuration */
#define CLP_MD_PATHLEN 256
#define CLP_MD_KEYLEN 32	/* bytes of an encryption key file */

/* Operation at an I/O error on the cluster or the data partition. */
enum clp_md_ioerr {
	CLP_MD_IOERR_NONE,
	CLP_MD_IOERR_RESET,
	CLP_MD_IOERR_PANIC,
};

/* Cluster-wide settings of the mirror driver and the mirror agent. */
struct clp_md_cluster {
	long reqqueue;		/* request queue maximum */
	enum clp_md_ioerr cperror;	/* at an I/O error on the cluster partition */
	enum clp_md_ioerr dperror;	/* ... on the data partition */
	long recoverysize;	/* recovery data size, KiB */
	long cptimeout;		/* cluster partition I/O timeout, s */
	bool autorecovery;	/* automatic mirror recovery */
	bool statistics;	/* mirror statistics files (perf/disk/nmpN.cur) */
};

/* One server's end of a mirror disk resource. */
struct clp_md_end {
	char server[64];
	unsigned int node_id;	/* position of the server in clp.conf: 0 or 1 */
	char addr[16];		/* mirror connect IPv4 address */
	char dppath[CLP_MD_PATHLEN];
	char cppath[CLP_MD_PATHLEN];
};

struct clp_md {
	char name[CLP_MD_NAMELEN];
	int index;		/* position among the md resources, from 0 */
	unsigned int nmp;	/* N of /dev/NMPN */
	char nmppath[64];
	char fs[16];		/* ext2, ext3, ext4, xfs */
	char mount_point[CLP_MD_PATHLEN];	/* empty: never mounted */
	char mount_option[128];
	bool fullcopy;		/* initial mirror construction */
	bool mkfs;		/* initial mkfs by clpmdinit */
	bool fencing;		/* hold writes at a break while active */
	bool sync;		/* synchronous mode (syncmode 1) */
	long sendqueuesize;	/* asynchronous queue length, 0 unlimited */
	long hotextents;	/* hot set size in extents, 0 none (liscal.md) */
	long bandlimit;		/* KiB/s, 0 unlimited */
	unsigned int compress;	/* CLP_MD_COMPRESS_* */
	bool crypto;
	char keyfile[CLP_MD_PATHLEN];
	/* the cluster key (heartbeat/keyfile): mirror peers authenticate */
	char authkeyfile[CLP_MD_PATHLEN];
	long sendtimeout;	/* s */
	long connecttimeout;	/* s */
	long acktimeout;	/* s */
	long recvnormaltimeout;	/* s */
	long hbinterval;	/* s */
	long pingtimeout;	/* s */
	long pingretry;
	long mdc_device;	/* server device id of the mirror connect */
	long port;		/* TCP port of the mirror connect */
	struct clp_md_end local, peer;
	struct clp_md_cluster cluster;
};

#define CLP_MD_COMPRESS_DATA 1		/* mirror data (asynchronous mode only) */
#define CLP_MD_COMPRESS_RECOVERY 2	/* recovery data */

/* "md" followed by 1-13 letters, digits or '_' (the schema's pattern). */
bool clp_md_name_valid(const char *name);
/* The same with the prefix @kind ("md", "hd"). */
bool clp_md_kind_name_valid(const char *kind, const char *name);
/* The same check for a command-line argument: 0, or CLP_EXIT_USAGE after
 * saying what is wrong with @name. */
int clp_md_name_arg(const char *name);

/* Number of md resources and the name of the i-th (document order). */
int clp_md_count(struct clp_conf *conf);
const char *clp_md_name_at(struct clp_conf *conf, int i);

/*
 * Read md resource @name as seen from server @server. Returns 0; -ENOENT
 * when there is no such resource (err says so); -EINVAL when a key is
 * wrong (err names file:line: key: what).
 */
int clp_md_load(struct clp_conf *conf, const char *name, const char *server,
		struct clp_md *md, char *err, size_t errlen);
/* The cluster-wide settings alone. */
int clp_md_cluster_load(struct clp_conf *conf, struct clp_md_cluster *c,
			char *err, size_t errlen);
/* Every md resource, and what must hold between them (distinct NMP
 * numbers, ports and partitions). */
int clp_md_check_all(struct clp_conf *conf, const char *server, char *err,
		     size_t errlen);

/*
 * The keys of resource @kind@@name ("md", or "hd" for a hybrid disk,
 * clp_hd.c) with explicit ends: @local and @peer are servers (their mirror
 * connect addresses and partitions), @local_id and @peer_id their node ids
 * in the cluster partition; @index places the default /dev/NMP<index + 1>.
 * Returns 0 or -EINVAL with err set.
 */
int clp_md_load_ends(struct clp_conf *conf, const char *kind, const char *name, int index,
		     const char *local, unsigned int local_id, const char *peer,
		     unsigned int peer_id, struct clp_md *md, char *err, size_t errlen);
/* What must not hold between two resources (md or hd) on @server (NULL:
 * the partitions are not compared): the same NMP number, port or a shared
 * partition. 0, or -EINVAL with err naming both. */
int clp_md_conflict(struct clp_conf *conf, const struct clp_md *a, const struct clp_md *b,
		    const char *server, char *err, size_t errlen);

/* The key file's 32 bytes. Returns 0 or -errno with err set. */
/*
 * The key the driver gets and its mode (LISCAL_KEY_*): the encryption
 * key with crypto/use, else the cluster key when heartbeat/keyfile is
 * set, else none (returns LISCAL_KEY_NONE, key untouched).
 */
int clp_md_key(const struct clp_md *md, uint8_t key[CLP_MD_KEYLEN], char *err,
	       size_t errlen);
int clp_md_read_key(const struct clp_md *md, uint8_t key[CLP_MD_KEYLEN],
		    char *err, size_t errlen);

/*
 * A key's fingerprint, to compare the key files of two servers without
 * sending the key (clpmdctrl --updatekey): SHA-256 of "clpstack mirror
 * key\n", the resource's name, "\n" and the key, as 64 lower-case hex
 * digits and a NUL. 0, or -EIO when the digest fails.
 */
#define CLP_MD_KEYFP_LEN 65
int clp_md_key_fingerprint(const char *name, const uint8_t key[CLP_MD_KEYLEN],
			   char fp[CLP_MD_KEYFP_LEN]);
/* The fingerprint of @md's key file (mddriver/crypto/keyfile), the key
 * wiped after. 0, or -errno with err set (an unreadable file, a failed
 * digest). */
int clp_md_keyfile_fingerprint(const struct clp_md *md, char fp[CLP_MD_KEYFP_LEN],
			       char *err, size_t errlen);

const char *clp_md_ioerr_name(enum clp_md_ioerr e);

#endif /* CLP_MD_H */
