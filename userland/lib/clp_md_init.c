// SPDX-License-Identifier: GPL-2.0
/*
 * Writing a fresh cluster partition for clpmdinit with the driver's own
 * format code (through clp_md_meta.h). See clp_md_init.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "clp_log.h"
#include "clp_md_init.h"
#include "clp_md_mount.h"
#include "clp_md_meta.h"

#ifndef BLKROSET
#define BLKROSET _IO(0x12, 93)	/* as <linux/fs.h> */
#define BLKROGET _IO(0x12, 94)
#endif
#ifndef BLKGETSIZE64
#define BLKGETSIZE64 _IOR(0x12, 114, size_t)	/* as <linux/fs.h> */
#endif

#define ZBUF (1024 * 1024)

int clp_md_open_dev(const char *path, int flags, uint64_t *size)
{
	struct stat st;
	int fd;

	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		clp_err("%s: %s%s", path, strerror(e), e == EBUSY ?
			" (in use: mounted, or held by the liscal driver?)" : "");
		return -1;
	}
	if (fstat(fd, &st) < 0 || (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode))) {
		clp_err("%s: not a block device", path);
		close(fd);
		return -1;
	}
	if (S_ISREG(st.st_mode))
		*size = (uint64_t)st.st_size;
	else if (ioctl(fd, BLKGETSIZE64, size) < 0) {
		clp_err("%s: cannot read its size: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static bool is_blk(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISBLK(st.st_mode);
}

/* The cluster partition of @md opened for writing: exclusively on a block
 * device, which fails while anything holds it (mounted, the driver); then
 * *@fail is set to CLP_EXIT_STATE, on other failures to CLP_EXIT_ERROR. */
static int open_cp(const struct clp_md *md, uint64_t *size, int *fail)
{
	int cp = clp_md_open_dev(md->local.cppath, O_RDWR, size);

	if (cp >= 0 && is_blk(cp)) {
		close(cp);
		cp = clp_md_open_dev(md->local.cppath, O_RDWR | O_EXCL, size);
		if (cp < 0) {
			*fail = CLP_EXIT_STATE;
			return -1;
		}
	}
	if (cp < 0)
		*fail = CLP_EXIT_ERROR;
	return cp;
}

/*
 * Forget the page cache of @fd's device before reading it: the driver
 * writes the superblock with its own I/O, another server of a hybrid
 * disk's group writes the shared partition, and a descriptor kept open
 * (the hybrid agent's lease) keeps a stale cache alive. Clean pages only;
 * writes here are flushed (fsync) before anyone reads them.
 */
static void drop_cache(int fd)
{
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
}

/* The superblock of @md's cluster partition @cp into a new aligned block
 * (free() it); NULL, with a message, when it cannot be read. */
static unsigned char *read_sb(int cp, const struct clp_md *md)
{
	unsigned char *block = aligned_alloc(4096, CLP_META_SB_SIZE);

	drop_cache(cp);
	if (block && pread(cp, block, CLP_META_SB_SIZE, 0) != CLP_META_SB_SIZE) {
		clp_err("%s: cannot read the superblock of %s: %s", md->name, md->local.cppath,
			strerror(errno));
		free(block);
		block = NULL;
	}
	return block;
}

/* First non-zero byte in [from, to), or -1 when all zero, -2 on error. */
static int64_t first_nonzero(int fd, uint64_t from, uint64_t to, const char *path)
{
	unsigned char *buf = malloc(ZBUF);
	uint64_t off = from;
	int64_t found = -1;

	if (!buf)
		return -2;
	while (off < to && found == -1) {
		size_t len = to - off > ZBUF ? ZBUF : (size_t)(to - off), i;
		ssize_t n = pread(fd, buf, len, (off_t)off);

		if (n <= 0) {
			clp_err("%s: read at %" PRIu64 ": %s", path, off,
				n < 0 ? strerror(errno) : "end of device");
			found = -2;
			break;
		}
		for (i = 0; i < (size_t)n; i++)
			if (buf[i]) {
				found = (int64_t)(off + i);
				break;
			}
		off += (uint64_t)n;
	}
	free(buf);
	return found;
}

static int write_zero(int fd, uint64_t from, uint64_t to, const char *path)
{
	unsigned char *buf = calloc(1, ZBUF);
	uint64_t off = from;
	int ret = 0;

	if (!buf)
		return -1;
	while (off < to) {
		size_t len = to - off > ZBUF ? ZBUF : (size_t)(to - off);
		ssize_t n = pwrite(fd, buf, len, (off_t)off);

		if (n <= 0) {
			clp_err("%s: write at %" PRIu64 ": %s", path, off,
				n < 0 ? strerror(errno) : "short write");
			ret = -1;
			break;
		}
		off += (uint64_t)n;
	}
	free(buf);
	return ret;
}

static int run_mkfs(const struct clp_md *md)
{
	char err[512];
	char *ext[] = { "mkfs", "-t", (char *)md->fs, "-F", "-q", (char *)md->local.dppath,
			NULL };
	char *xfs[] = { "mkfs", "-t", "xfs", "-f", "-q", (char *)md->local.dppath, NULL };

	clp_info("%s: creating the %s file system on %s", md->name, md->fs, md->local.dppath);
	if (clp_md_run(strcmp(md->fs, "xfs") ? ext : xfs, err, sizeof(err)) < 0) {
		clp_err("%s: mkfs on %s failed: %s", md->name, md->local.dppath, err);
		return CLP_EXIT_ERROR;
	}
	return CLP_EXIT_OK;
}

int clp_md_init_action(const char *mode_arg, const char *backup_arg, bool restore, int *edit,
		       enum clp_md_init_mode *mode)
{
	static const struct {
		const char *name;
		enum clp_md_init_mode mode;
	} modes[] = {
		{ "normal", CLP_MD_INIT_NORMAL },
		{ "quick", CLP_MD_INIT_QUICK },
		{ "force", CLP_MD_INIT_FORCE },
		{ "skip-copy", CLP_MD_INIT_SKIP_COPY },
	};
	size_t i;

	if (backup_arg && !strcmp(backup_arg, "on")) {
		*edit = CLP_META_BACKUP_ON;
	} else if (backup_arg && !strcmp(backup_arg, "off")) {
		*edit = CLP_META_BACKUP_OFF;
	} else if (backup_arg) {
		clp_err("--backup: '%s' is not one of on, off", backup_arg);
		return CLP_EXIT_USAGE;
	} else if (restore) {
		*edit = CLP_META_RESTORED;
	} else {
		for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
			if (!strcmp(mode_arg, modes[i].name)) {
				*mode = modes[i].mode;
				return CLP_EXIT_OK;
			}
		clp_err("--create: '%s' is not one of normal, quick, force, skip-copy", mode_arg);
		return CLP_EXIT_USAGE;
	}
	return CLP_EXIT_OK;
}

int clp_md_init_skip_copy_ok(const struct clp_md *md)
{
	if (md->fullcopy || md->mkfs) {
		clp_err("%s: Execute the initial mirror construction (fullcopy) and Execute initial "
			"mkfs (mkfs) must be disabled for --skip-copy: set "
			"resource/%s@%s/parameters/%s to 0 in clp.conf and run the command again",
			md->name, clp_md_kind_name_valid("hd", md->name) ? "hd" : "md", md->name,
			md->fullcopy ? "fullcopy" : "mkfs");
		return CLP_EXIT_STATE;
	}
	return CLP_EXIT_OK;
}

int clp_md_init_cp(const struct clp_md *md, enum clp_md_init_mode mode)
{
	const char *mname = mode == CLP_MD_INIT_QUICK ? "quick" :
			    mode == CLP_MD_INIT_FORCE ? "force" :
			    mode == CLP_MD_INIT_SKIP_COPY ? "skip-copy" : "normal";
	struct clp_meta_info info;
	uint64_t cp_size = 0, dp_size = 0, gen = 0, need = 0;
	uint8_t uuid[CLP_META_UUID_LEN];
	unsigned char *block = NULL;
	char why[256];
	int cp = -1, dp = -1, ret = CLP_EXIT_ERROR, r;
	int64_t nz;

	if (mode == CLP_MD_INIT_SKIP_COPY && clp_md_init_skip_copy_ok(md))
		return CLP_EXIT_STATE;
	cp = open_cp(md, &cp_size, &ret);
	if (cp < 0)
		goto out;
	dp = clp_md_open_dev(md->local.dppath, O_RDONLY, &dp_size);
	if (dp < 0)
		goto out;
	r = clp_meta_layout(dp_size, cp_size, &need);
	if (clp_meta_too_small(r)) {
		clp_err("%s: cluster partition %s is too small: %" PRIu64 " bytes, a data "
			"partition of %" PRIu64 " bytes needs %" PRIu64, md->name, md->local.cppath,
			cp_size, dp_size, need);
		ret = CLP_EXIT_STATE;
		goto out;
	}
	if (r) {
		clp_err("%s: data partition %s: size %" PRIu64 " bytes cannot be mirrored (%s)",
			md->name, md->local.dppath, dp_size, clp_meta_strerror(r));
		ret = CLP_EXIT_STATE;
		goto out;
	}
	block = read_sb(cp, md);
	if (!block)
		goto out;
	if (mode == CLP_MD_INIT_NORMAL &&
	    clp_meta_check(block, NULL, -1, 0, 0, &info, why, sizeof(why)) == 0) {
		clp_err("%s: %s already holds a valid cluster partition (resource %s, node %u); "
			"'clpmdinit --create force %s' overwrites it", md->name, md->local.cppath,
			info.name, info.node_id, md->name);
		ret = CLP_EXIT_STATE;
		goto out;
	}
	if (mode == CLP_MD_INIT_QUICK) {
		nz = first_nonzero(cp, 0, need, md->local.cppath);
		if (nz == -2)
			goto out;
		if (nz >= 0) {
			clp_err("%s: %s is not zeroed (byte %" PRId64 " of the %" PRIu64
				" metadata bytes is not 0): zero it with 'dd if=/dev/zero of=%s' "
				"first, or use --create normal or force", md->name, md->local.cppath,
				nz, need, md->local.cppath);
			ret = CLP_EXIT_STATE;
			goto out;
		}
	}
	if (getrandom(uuid, sizeof(uuid), 0) != (ssize_t)sizeof(uuid) ||
	    getrandom(&gen, sizeof(gen), 0) != (ssize_t)sizeof(gen)) {
		clp_err("getrandom: %s", strerror(errno));
		goto out;
	}
	r = clp_meta_build(block, md->name, md->local.node_id, dp_size, cp_size, uuid, gen,
			   (uint64_t)time(NULL));
	if (r) {
		clp_err("%s: cannot build a superblock: %s", md->name, clp_meta_strerror(r));
		goto out;
	}
	/* The bitmap first, the superblock last: a crash in between leaves no
	 * valid superblock over a half-written bitmap. */
	if (mode != CLP_MD_INIT_QUICK &&
	    (write_zero(cp, CLP_META_SB_SIZE, need, md->local.cppath) || fsync(cp) < 0)) {
		clp_err("%s: zeroing the bitmap failed: %s", md->local.cppath, strerror(errno));
		goto out;
	}
	if (pwrite(cp, block, CLP_META_SB_SIZE, 0) != CLP_META_SB_SIZE || fsync(cp) < 0) {
		clp_err("%s: writing the superblock: %s", md->local.cppath, strerror(errno));
		goto out;
	}
	/* Read it back through the same checks the driver makes. */
	if (pread(cp, block, CLP_META_SB_SIZE, 0) != CLP_META_SB_SIZE ||
	    clp_meta_check(block, md->name, (int)md->local.node_id, dp_size, cp_size, &info,
			   why, sizeof(why))) {
		clp_err("%s: the superblock read back from %s is not valid: %s", md->name,
			md->local.cppath, why);
		goto out;
	}
	clp_info("%s: cluster partition %s initialised (%s, node %u, data partition %s of %"
		 PRIu64 " bytes, %" PRIu64 " bitmap bits of %u KiB)", md->name, md->local.cppath,
		 mname, md->local.node_id, md->local.dppath, dp_size, info.bm_bits,
		 (1U << info.bm_shift) / 1024);
	close(dp);
	dp = -1;
	ret = md->mkfs ? run_mkfs(md) : CLP_EXIT_OK;
out:
	free(block);
	if (dp >= 0)
		close(dp);
	if (cp >= 0)
		close(cp);
	return ret;
}

static const char *const edit_done[] = {
	[CLP_META_BACKUP_ON] = "switched to backup mode",
	[CLP_META_BACKUP_OFF] = "returned from backup mode to normal mode",
	[CLP_META_RESTORED] = ("marked as restored from a disk image (not current; "
			       "a full mirror recovery is needed)"),
	[CLP_META_WRITTEN] = ("marked as written outside the mirror (a new generation: the "
			      "source of a full mirror recovery to the other server)"),
};

int clp_md_cp_edit(const struct clp_md *md, int edit)
{
	uint64_t cp_size = 0;
	unsigned char *block = NULL;
	uint32_t old_flags = 0, new_flags = 0;
	uint64_t gen = 0;
	char why[256] = "";
	int cp, ret = CLP_EXIT_ERROR, r;

	if (edit < CLP_META_BACKUP_ON || edit > CLP_META_WRITTEN)
		return CLP_EXIT_USAGE;
	if (edit == CLP_META_WRITTEN && getrandom(&gen, sizeof(gen), 0) != (ssize_t)sizeof(gen)) {
		clp_err("getrandom: %s", strerror(errno));
		return CLP_EXIT_ERROR;
	}
	cp = open_cp(md, &cp_size, &ret);
	if (cp < 0)
		return ret;
	block = read_sb(cp, md);
	if (!block)
		goto out;
	r = clp_meta_edit(block, md->name, (int)md->local.node_id, edit, gen, &old_flags,
			  &new_flags, why, sizeof(why));
	if (r == CLP_META_NOT_CURRENT) {
		clp_err("%s: the copy on this server (%s) cannot be written outside the mirror: "
			"%s; do it on the server whose copy is current", md->name,
			md->local.dppath, why);
		ret = CLP_EXIT_STATE;
		goto out;
	}
	if (r) {
		clp_err("%s: %s does not hold a valid cluster partition of this resource and "
			"server: %s", md->name, md->local.cppath, why[0] ? why : clp_meta_strerror(r));
		ret = CLP_EXIT_STATE;
		goto out;
	}
	if (pwrite(cp, block, CLP_META_SB_SIZE, 0) != CLP_META_SB_SIZE || fsync(cp) < 0) {
		clp_err("%s: writing the superblock: %s", md->local.cppath, strerror(errno));
		goto out;
	}
	if (pread(cp, block, CLP_META_SB_SIZE, 0) != CLP_META_SB_SIZE ||
	    clp_meta_check(block, md->name, (int)md->local.node_id, 0, 0, NULL, why,
			   sizeof(why))) {
		clp_err("%s: the superblock read back from %s is not valid: %s", md->name,
			md->local.cppath, why);
		goto out;
	}
	clp_info("%s: cluster partition %s %s%s", md->name, md->local.cppath, edit_done[edit],
		 old_flags == new_flags && edit != CLP_META_WRITTEN ? " (it already was)" : "");
	ret = CLP_EXIT_OK;
out:
	free(block);
	close(cp);
	return ret;
}

int clp_md_cp_backup(const struct clp_md *md)
{
	unsigned char *block = aligned_alloc(4096, CLP_META_SB_SIZE);
	uint32_t flags = 0;
	char why[256];
	int fd, ret = -1;

	if (!block)
		return -1;
	fd = open(md->local.cppath, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		drop_cache(fd);
	if (fd >= 0 && pread(fd, block, CLP_META_SB_SIZE, 0) == CLP_META_SB_SIZE &&
	    !clp_meta_edit(block, md->name, -1, CLP_META_BACKUP_ON, 0, &flags, NULL, why,
			   sizeof(why)))
		ret = clp_meta_flags_backup(flags);
	if (fd >= 0)
		close(fd);
	free(block);
	return ret;
}

int clp_md_cp_blank(const struct clp_md *md)
{
	int fd = open(md->local.cppath, O_RDONLY | O_CLOEXEC), ret = -1;

	if (fd < 0)
		return -1;
	drop_cache(fd);
	ret = (int)first_nonzero(fd, 0, CLP_META_SB_SIZE, md->local.cppath);
	close(fd);
	return ret == -1 ? 1 : ret >= 0 ? 0 : -1;
}

int clp_md_dp_ro(const struct clp_md *md, int ro, bool excl, int *was)
{
	int fd, cur = 0, ret = CLP_EXIT_STATE;
	uint64_t size;

	if (was)
		*was = 0;
	/* clproset: exclusively, refused while mounted or held by the driver. */
	fd = excl ? clp_md_open_dev(md->local.dppath, O_RDONLY | O_EXCL, &size) :
		    open(md->local.dppath, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return excl ? CLP_EXIT_STATE : CLP_EXIT_OK;
	if (!is_blk(fd)) {
		if (excl)
			clp_err("%s: not a block device", md->local.dppath);
		ret = excl ? CLP_EXIT_STATE : CLP_EXIT_OK;
		goto out;
	}
	ret = CLP_EXIT_ERROR;
	if (ioctl(fd, BLKROGET, &cur) < 0) {
		clp_err("%s: cannot read its read-only flag: %s", md->local.dppath, strerror(errno));
		goto out;
	}
	ret = CLP_EXIT_OK;
	if (was)
		*was = cur;
	if ((excl || cur != ro) && ioctl(fd, BLKROSET, &ro) < 0) {
		clp_err("%s: cannot set it %s: %s", md->local.dppath,
			ro ? "read-only" : "read/write", strerror(errno));
		ret = CLP_EXIT_ERROR;
	}
out:
	close(fd);
	return ret;
}
