/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The file system on /dev/NMPn: mounting it at activation (mount(8) with
 * resource/md@<name>/parameters/fs and mount/option), unmounting every
 * mount of the device at deactivation, running helpers (mkfs).
 */
#ifndef CLP_MD_MOUNT_H
#define CLP_MD_MOUNT_H

#include <stddef.h>

#include "clp_md.h"

/* Where block device @dev is mounted: fills up to @max points, returns
 * how many mounts there are (0 if @dev does not exist) or -errno. */
int clp_md_mounts(const char *dev, char points[][CLP_MD_PATHLEN], int max);
/* mount -t <fs> -o <option> <nmppath> <point>; creates the point. */
int clp_md_mount(const struct clp_md *md, char *err, size_t errlen);
/* Unmount every mount of md->nmppath, last mounted first. */
int clp_md_umount_all(const struct clp_md *md, char *err, size_t errlen);
/* Run @argv (searching PATH), 0 when it exits 0, else -errno/-EIO with
 * the reason in @err. */
int clp_md_run(char *const argv[], char *err, size_t errlen);

#endif /* CLP_MD_MOUNT_H */
