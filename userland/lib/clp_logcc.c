// SPDX-License-Identifier: GPL-2.0
/* Log collection archives. See clp_logcc.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "clp_logcc.h"

extern char **environ;

int clp_logcc_type(const char *s)
{
	char *end;
	long t;

	if (!s)
		return -1;
	if (!strncmp(s, "type", 4))
		s += 4;
	if (*s < '1' || *s > '9')
		return -1;
	t = strtol(s, &end, 10);
	return *end || t < 1 || t > CLP_LOGCC_TYPES ? -1 : (int)t;
}

/* Run @argv with stdout and stderr to @out (when not NULL); its exit
 * status, or -1 when it could not run. */
static int run(char *const argv[], const char *out)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, ret;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out) {
		posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
	}
	ret = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (ret)
		return -1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The OS information of type 1 (what a collector of the guide's 2.9
 * "common" folder holds): command outputs and /proc files into @dir. */
static void os_info(const char *dir)
{
	static const char *const cmds[][8] = {
		{ "uname.txt", "uname", "-a" },
		{ "ip-addr.txt", "ip", "addr" },
		{ "ip-route.txt", "ip", "route" },
		{ "ip-neigh.txt", "ip", "neigh" },
		{ "ps.txt", "ps", "-eo", "pid,ppid,stat,lstart,rss,vsz,args" },
		{ "df.txt", "df", "-k" },
		{ "lsmod.txt", "lsmod" },
		{ "dmesg.txt", "dmesg" },
		{ "journal.txt", "journalctl", "-b", "--no-pager", "-n", "20000" },
	};
	static const char *const procs[] = {
		"cpuinfo", "meminfo", "mounts", "partitions", "modules", "version", "loadavg",
		"uptime", "diskstats", "net/dev",
	};
	char out[640], src[64], buf[8192];
	size_t i;
	ssize_t n;
	int in, fd;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(out, sizeof(out), "%s/%s", dir, cmds[i][0]);
		run((char *const *)&cmds[i][1], out);
	}
	for (i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
		snprintf(src, sizeof(src), "/proc/%s", procs[i]);
		snprintf(out, sizeof(out), "%s/proc-%s", dir, procs[i]);
		for (char *p = out + strlen(dir) + 1; *p; p++)
			if (*p == '/')
				*p = '-';
		in = open(src, O_RDONLY | O_CLOEXEC);
		if (in < 0)
			continue;
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0) {
			while ((n = read(in, buf, sizeof(buf))) > 0)
				if (write(fd, buf, (size_t)n) != n)
					break;
			close(fd);
		}
		close(in);
	}
}

/* Remove the files of @dir/info, then the directories. */
static void remove_stage(const char *dir)
{
	char sub[540], path[800];
	struct dirent *de;
	DIR *d;

	snprintf(sub, sizeof(sub), "%s/info", dir);
	d = opendir(sub);
	if (d) {
		while ((de = readdir(d)))
			if (de->d_name[0] != '.') {
				snprintf(path, sizeof(path), "%s/%s", sub, de->d_name);
				unlink(path);
			}
		closedir(d);
	}
	rmdir(sub);
	rmdir(dir);
}

int clp_logcc_make(const char *prefix, const char *server, int type, const char *out,
		   char *err, size_t errlen)
{
	/* Directories under the prefix, by type (bit t-1 set: in type t). */
	static const struct { const char *dir; unsigned int types; } dirs[] = {
		{ "log", 0x2f }, { "alert/log", 0x2f }, { "etc", 0x3f },
		{ "perf/disk", 0x0a }, { "perf/system", 0x0c }, { "perf/cluster", 0x28 },
	};
	char stage[512], info[540], part[600], xform[128], *argv[32];
	const char *slash = strrchr(out, '/');
	bool no_ecap = type & CLP_LOGCC_NO_ECAP;
	struct stat st;
	size_t i;
	int a = 0, ret;

	type &= ~CLP_LOGCC_NO_ECAP;
	if (strlen(out) > 400 || strlen(prefix) > 400) {
		snprintf(err, errlen, "path too long: %.64s...", out);
		return -1;
	}
	if (type < 1 || type > CLP_LOGCC_TYPES) {
		snprintf(err, errlen, "log collection type %d: not 1-%d", type, CLP_LOGCC_TYPES);
		return -1;
	}
	snprintf(stage, sizeof(stage), "%.*s/.logcc-XXXXXX", slash ? (int)(slash - out) : 1,
		 slash ? out : ".");
	if (!mkdtemp(stage)) {
		snprintf(err, errlen, "cannot create a directory next to %s: %s", out,
			 strerror(errno));
		return -1;
	}
	snprintf(info, sizeof(info), "%s/info", stage);
	mkdir(info, 0700);
	os_info(info);
	snprintf(part, sizeof(part), "%s.part", out);
	snprintf(xform, sizeof(xform), "--transform=s,^,%s/,", server);
	argv[a++] = "tar";
	argv[a++] = "-czf";
	argv[a++] = part;
	argv[a++] = "--ignore-failed-read";
	argv[a++] = "--warning=no-file-changed";
	argv[a++] = "--warning=no-file-removed";
	argv[a++] = "--exclude=*.part";
	if (no_ecap)
		argv[a++] = "--exclude=log/ecap";
	argv[a++] = xform;
	argv[a++] = "-C";
	argv[a++] = (char *)prefix;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[600];

		snprintf(path, sizeof(path), "%s/%s", prefix, dirs[i].dir);
		if ((dirs[i].types & (1u << (type - 1))) && stat(path, &st) == 0)
			argv[a++] = (char *)dirs[i].dir;
	}
	argv[a++] = "-C";
	argv[a++] = stage;
	argv[a++] = "info";
	argv[a] = NULL;
	/* 1: some file changed while read (a log being written): archived. */
	ret = run(argv, NULL);
	remove_stage(stage);
	if (ret != 0 && ret != 1) {
		unlink(part);
		snprintf(err, errlen, ret < 0 ? "cannot run tar to write %s" :
			 "tar failed writing %s (exit %d)", out, ret);
		return -1;
	}
	if (rename(part, out) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", out, strerror(errno));
		unlink(part);
		return -1;
	}
	return 0;
}
