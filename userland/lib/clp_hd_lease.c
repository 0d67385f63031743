// SPDX-License-Identifier: GPL-2.0
/*
 * The lease of a hybrid disk's current server. See clp_hd_lease.h and
 * Documentation/hybrid.md.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clp_compat.h"
#include "clp_hd_lease.h"
#include "clp_time.h"

/* On-disk offsets in the record. */
#define OFF_MAGIC 0
#define OFF_VERSION 4
#define OFF_CSUM 8
#define OFF_LEASE 12
#define OFF_COUNTER 16
#define OFF_TIME 24
#define OFF_HOLDER 32

int clp_hd_lease_open(const char *dev, char *err, size_t errlen)
{
	int fd = open(dev, O_RDWR | O_DIRECT | O_CLOEXEC);

	if (fd < 0 && errno == EINVAL)
		fd = open(dev, O_RDWR | O_DSYNC | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", dev, strerror(e));
		return -e;
	}
	return fd;
}

static void *block_alloc(void)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, CLP_HD_LEASE_SIZE))
		return NULL;
	memset(p, 0, CLP_HD_LEASE_SIZE);
	return p;
}

static int io_err(const char *what, ssize_t n, char *err, size_t errlen)
{
	int e = n < 0 ? errno : EIO;

	snprintf(err, errlen, "%s of the lease record (offset %d): %s", what,
		 CLP_HD_LEASE_OFFSET, n < 0 ? strerror(e) : "short transfer");
	return -e;
}

int clp_hd_lease_decode(const uint8_t *block, struct clp_hd_lease *l, char *err, size_t errlen)
{
	uint8_t *b = block_alloc();
	uint32_t v, csum;
	int ret = 0;
	size_t i;

	if (!b) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(b, block, CLP_HD_LEASE_SIZE);
	memset(l, 0, sizeof(*l));
	for (i = 0; i < CLP_HD_LEASE_SIZE && !b[i]; i++)
		;
	if (i == CLP_HD_LEASE_SIZE)
		goto out_free;	/* never written: free */
	memcpy(&v, b + OFF_MAGIC, 4);
	if (le32toh(v) != CLP_HD_LEASE_MAGIC) {
		snprintf(err, errlen, "no lease record at offset %d (magic 0x%08x, not 0x%08x)",
			 CLP_HD_LEASE_OFFSET, le32toh(v), CLP_HD_LEASE_MAGIC);
		ret = -EBADMSG;
		goto out_free;
	}
	memcpy(&v, b + OFF_VERSION, 4);
	if (le32toh(v) != CLP_HD_LEASE_VERSION) {
		snprintf(err, errlen, "lease record version %u (this build reads %d)", le32toh(v),
			 CLP_HD_LEASE_VERSION);
		ret = -EBADMSG;
		goto out_free;
	}
	memcpy(&csum, b + OFF_CSUM, 4);
	memset(b + OFF_CSUM, 0, 4);
	if (clp_crc32c(b, CLP_HD_LEASE_SIZE) != le32toh(csum)) {
		snprintf(err, errlen, "lease record checksum mismatch (corrupt record)");
		ret = -EBADMSG;
		goto out_free;
	}
	memcpy(&v, b + OFF_LEASE, 4);
	l->lease_ms = le32toh(v);
	memcpy(&l->counter, b + OFF_COUNTER, 8);
	l->counter = le64toh(l->counter);
	memcpy(&l->time_ms, b + OFF_TIME, 8);
	l->time_ms = le64toh(l->time_ms);
	memcpy(l->holder, b + OFF_HOLDER, sizeof(l->holder));
	if (l->holder[sizeof(l->holder) - 1] ||
	    l->lease_ms < CLP_HD_LEASE_MS_MIN || l->lease_ms > CLP_HD_LEASE_MS_MAX) {
		snprintf(err, errlen, "lease record out of range (holder not terminated or "
			 "lease %u ms not %d-%d)", l->lease_ms, CLP_HD_LEASE_MS_MIN,
			 CLP_HD_LEASE_MS_MAX);
		ret = -EBADMSG;
	}
out_free:
	free(b);
	return ret;
}

int clp_hd_lease_read(int fd, struct clp_hd_lease *l, char *err, size_t errlen)
{
	uint8_t *b = block_alloc();
	ssize_t n;
	int ret;

	if (!b) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memset(l, 0, sizeof(*l));
	n = pread(fd, b, CLP_HD_LEASE_SIZE, CLP_HD_LEASE_OFFSET);
	if (n != CLP_HD_LEASE_SIZE)
		ret = io_err("read", n, err, errlen);
	else
		ret = clp_hd_lease_decode(b, l, err, errlen);
	free(b);
	return ret;
}

static uint64_t now_ms(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int lease_write(int fd, const struct clp_hd_lease *l, char *err, size_t errlen)
{
	uint8_t *b = block_alloc();
	uint32_t v;
	uint64_t q;
	ssize_t n;
	int ret = 0;

	if (!b) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	v = htole32(CLP_HD_LEASE_MAGIC);
	memcpy(b + OFF_MAGIC, &v, 4);
	v = htole32(CLP_HD_LEASE_VERSION);
	memcpy(b + OFF_VERSION, &v, 4);
	v = htole32(l->lease_ms);
	memcpy(b + OFF_LEASE, &v, 4);
	q = htole64(l->counter);
	memcpy(b + OFF_COUNTER, &q, 8);
	q = htole64(now_ms(CLOCK_REALTIME));
	memcpy(b + OFF_TIME, &q, 8);
	memcpy(b + OFF_HOLDER, l->holder, sizeof(l->holder) - 1);
	v = htole32(clp_crc32c(b, CLP_HD_LEASE_SIZE));
	memcpy(b + OFF_CSUM, &v, 4);
	n = pwrite(fd, b, CLP_HD_LEASE_SIZE, CLP_HD_LEASE_OFFSET);
	if (n != CLP_HD_LEASE_SIZE)
		ret = io_err("write", n, err, errlen);
	else if (fdatasync(fd))
		ret = io_err("flush", -1, err, errlen);
	free(b);
	return ret;
}

static bool same_holder(const struct clp_hd_lease *a, const struct clp_hd_lease *b)
{
	return a->counter == b->counter && !strcmp(a->holder, b->holder);
}

static int busy(const char *who, char *holder, size_t holderlen, char *err, size_t errlen,
		const char *why)
{
	if (holder)
		snprintf(holder, holderlen, "%s", who);
	snprintf(err, errlen, "the lease is held by %s (%s)", who, why);
	return -EBUSY;
}

int clp_hd_lease_acquire(int fd, const char *me, unsigned int lease_ms, char *holder,
			 size_t holderlen, char *err, size_t errlen)
{
	struct clp_hd_lease l, again, mine;
	int ret;

	if (!me[0] || strlen(me) >= sizeof(l.holder)) {
		snprintf(err, errlen, "'%s' is not a server name for the lease", me);
		return -EINVAL;
	}
	if (lease_ms < CLP_HD_LEASE_MS_MIN || lease_ms > CLP_HD_LEASE_MS_MAX) {
		snprintf(err, errlen, "lease time %u ms is out of range (%d-%d)", lease_ms,
			 CLP_HD_LEASE_MS_MIN, CLP_HD_LEASE_MS_MAX);
		return -EINVAL;
	}
	ret = clp_hd_lease_read(fd, &l, err, errlen);
	if (ret)
		return ret;
	if (l.holder[0] && strcmp(l.holder, me)) {
		/* Alive while its counter moves within its own lease time. */
		clp_sleep_ms(l.lease_ms + l.lease_ms / 2);
		ret = clp_hd_lease_read(fd, &again, err, errlen);
		if (ret)
			return ret;
		if (!same_holder(&l, &again) && again.holder[0])
			return busy(again.holder, holder, holderlen, err, errlen, "renewed");
		l = again;
	}
	mine = l;
	mine.counter = l.counter + 1;
	mine.lease_ms = lease_ms;
	snprintf(mine.holder, sizeof(mine.holder), "%s", me);
	ret = lease_write(fd, &mine, err, errlen);
	if (ret)
		return ret;
	/* Anyone who read it free or expired with us writes within this. */
	clp_sleep_ms(lease_ms);
	ret = clp_hd_lease_read(fd, &again, err, errlen);
	if (ret)
		return ret;
	if (!same_holder(&mine, &again))
		return busy(again.holder[0] ? again.holder : "nobody", holder, holderlen, err,
			    errlen, "written after ours");
	return 0;
}

/* The holder's rewrite: counter + 1, and free when @release; -ESTALE
 * unless @me holds it. */
static int holder_write(int fd, const char *me, bool release, char *err, size_t errlen)
{
	struct clp_hd_lease l;
	int ret = clp_hd_lease_read(fd, &l, err, errlen);

	if (ret)
		return ret;
	if (strcmp(l.holder, me)) {
		snprintf(err, errlen, "%s does not hold the lease (holder: %s)", me,
			 l.holder[0] ? l.holder : "none");
		return -ESTALE;
	}
	l.counter++;
	if (release)
		l.holder[0] = 0;
	return lease_write(fd, &l, err, errlen);
}

int clp_hd_lease_renew(int fd, const char *me, char *err, size_t errlen)
{
	return holder_write(fd, me, false, err, errlen);
}

int clp_hd_lease_release(int fd, const char *me, char *err, size_t errlen)
{
	return holder_write(fd, me, true, err, errlen);
}

int clp_hd_lease_holder(const char *dev, char *holder, size_t len, char *err, size_t errlen)
{
	struct clp_hd_lease l;
	int fd, ret;

	fd = clp_hd_lease_open(dev, err, errlen);
	if (fd < 0)
		return fd;
	ret = clp_hd_lease_read(fd, &l, err, errlen);
	close(fd);
	if (ret < 0)
		return ret;
	snprintf(holder, len, "%s", l.holder);
	return 0;
}
