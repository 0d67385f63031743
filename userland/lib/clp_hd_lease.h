/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The current server of a hybrid disk's server group: a lease on the
 * group's shared cluster partition (Documentation/hybrid.md, "The current
 * server and its lease").
 *
 * One 4096-byte record at CLP_HD_LEASE_OFFSET of the cluster partition
 * (the superblock's reserved area, which the mirror driver does not read),
 * little endian: magic, version, CRC32C, lease time, the holder's renewal
 * counter, the holder's name (empty: free), the writer's clock. An
 * all-zero block is a free lease never written. Every access is one
 * aligned block with O_DIRECT and a flush after every write, so that what
 * another server of the group reads is what is on the shared disk.
 */
#ifndef CLP_HD_LEASE_H
#define CLP_HD_LEASE_H

#include <stddef.h>
#include <stdint.h>

#define CLP_HD_LEASE_OFFSET 8192
#define CLP_HD_LEASE_SIZE 4096
#define CLP_HD_LEASE_MAGIC 0x534c4448u	/* "HDLS" */
#define CLP_HD_LEASE_VERSION 1
#define CLP_HD_LEASE_MS_MIN 500
#define CLP_HD_LEASE_MS_MAX 600000
/* The cluster service's lease time (hybrid.c): a member takes over a dead
 * holder's lease after about 2.5 of it. */
#define CLP_HD_LEASE_MS_DEFAULT 4000

struct clp_hd_lease {
	uint32_t lease_ms;	/* the holder renews within this */
	uint64_t counter;	/* incremented at every write */
	char holder[64];	/* empty: free */
	uint64_t time_ms;	/* writer's CLOCK_REALTIME, for people */
};

/* Open @dev for the lease (O_RDWR | O_DIRECT; a file system that refuses
 * O_DIRECT, as tmpfs, gets O_DSYNC). fd or -errno, err set. */
int clp_hd_lease_open(const char *dev, char *err, size_t errlen);

/* Decode the CLP_HD_LEASE_SIZE bytes of a record read from the disk: as
 * clp_hd_lease_read(). */
int clp_hd_lease_decode(const uint8_t *block, struct clp_hd_lease *l, char *err, size_t errlen);

/* Read the record: 0; -EBADMSG when it is not a lease record or its
 * checksum is wrong (err says which); -errno on I/O. */
int clp_hd_lease_read(int fd, struct clp_hd_lease *l, char *err, size_t errlen);

/*
 * Become the holder (the takeover rule). Free, or held by @me: written at
 * once. Held by another: its counter is read, and read again after
 * lease_ms of that record plus half of it; moved or another holder, the
 * lease is alive (-EBUSY). Unmoved: the holder is taken for dead. Then
 * the record is written with @me and read back after a settle time of
 * @lease_ms: another server that found it free or expired at the same
 * time and wrote after us wins (-EBUSY naming it). On success 0.
 * @holder (may be NULL) receives the holder when -EBUSY.
 */
int clp_hd_lease_acquire(int fd, const char *me, unsigned int lease_ms, char *holder,
			 size_t holderlen, char *err, size_t errlen);

/* The holder's renewal: -ESTALE when @me is no longer the holder (another
 * server took over: the caller must stop being current at once). */
int clp_hd_lease_renew(int fd, const char *me, char *err, size_t errlen);

/* Give the lease up (free), only when held by @me: 0 or -ESTALE. */
int clp_hd_lease_release(int fd, const char *me, char *err, size_t errlen);

/* Read the holder of the lease on @dev (open, read, close): 0 with
 * @holder ("" when free), or -errno / -EBADMSG with @err. */
int clp_hd_lease_holder(const char *dev, char *holder, size_t len, char *err, size_t errlen);

#endif /* CLP_HD_LEASE_H */
