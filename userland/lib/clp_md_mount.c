// SPDX-License-Identifier: GPL-2.0
/* Mounting the file system of a mirror disk. See clp_md_mount.h. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "clp_md_mount.h"

extern char **environ;

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

int clp_md_mounts(const char *dev, char points[][CLP_MD_PATHLEN], int max)
{
	unsigned int maj, min;
	char line[4096], mp[4096];
	struct stat st;
	FILE *f;
	int n = 0;

	if (stat(dev, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISBLK(st.st_mode))
		return 0;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &maj, &min, mp) != 3)
			continue;
		if (maj != major(st.st_rdev) || min != minor(st.st_rdev))
			continue;
		unescape(mp);
		if (n < max) {
			size_t len = strnlen(mp, CLP_MD_PATHLEN - 1);

			memcpy(points[n], mp, len);
			points[n][len] = '\0';
		}
		n++;
	}
	fclose(f);
	return n;
}

int clp_md_run(char *const argv[], char *err, size_t errlen)
{
	pid_t pid;
	int status, ret;

	ret = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (ret) {
		snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(ret));
		return -ret;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "waiting for %s: %s", argv[0], strerror(errno));
			return -errno;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(err, errlen, "%s exited with status %d", argv[0], WEXITSTATUS(status));
	else
		snprintf(err, errlen, "%s was killed by signal %d", argv[0], WTERMSIG(status));
	return -EIO;
}

int clp_md_mount(const struct clp_md *md, char *err, size_t errlen)
{
	char *argv[] = { "mount", "-t", (char *)md->fs, "-o", (char *)md->mount_option,
			 (char *)md->nmppath, (char *)md->mount_point, NULL };
	struct stat st;

	if (stat(md->mount_point, &st) < 0) {
		if (errno != ENOENT || mkdir(md->mount_point, 0755) < 0) {
			snprintf(err, errlen, "mount point %s: %s", md->mount_point,
				 strerror(errno));
			return -errno;
		}
	} else if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "mount point %s is not a directory", md->mount_point);
		return -ENOTDIR;
	}
	return clp_md_run(argv, err, errlen);
}

int clp_md_umount_all(const struct clp_md *md, char *err, size_t errlen)
{
	char points[8][CLP_MD_PATHLEN];
	int n, i;

	n = clp_md_mounts(md->nmppath, points, 8);
	if (n < 0) {
		snprintf(err, errlen, "cannot read the mount table: %s", strerror(-n));
		return n;
	}
	for (i = (n > 8 ? 8 : n) - 1; i >= 0; i--) {
		if (umount2(points[i], 0) < 0) {
			int e = errno;

			snprintf(err, errlen, "cannot unmount %s from %s: %s", md->nmppath,
				 points[i], strerror(e));
			return -e;
		}
	}
	return 0;
}
