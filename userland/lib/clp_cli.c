// SPDX-License-Identifier: GPL-2.0
/* What the cluster commands share. See clp_cli.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clp_cli.h"
#include "clp_log.h"
#include "clp_msg.h"

struct json_object *clp_cli_req(const char *op)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "op", json_object_new_string(op));
	return o;
}

int clp_cli_request(struct json_object *req, int timeout_ms, bool quiet,
		    struct json_object **reply)
{
	char err[512];
	struct json_object *r = clp_msg_local(req, timeout_ms, err, sizeof(err));
	int code;

	if (reply)
		*reply = NULL;
	if (!r && geteuid() != 0) {
		/* The socket is root's (mode 0600): say so, not "not running". */
		clp_err("must be run as root (the cluster daemon takes requests from root only)");
		return CLP_EXIT_PERM;
	}
	if (!r) {
		clp_err("%s", err);
		return CLP_EXIT_ERROR;
	}
	code = clp_msg_code(r);
	if (!quiet || code) {
		if (code)
			clp_err("%s", clp_msg_text(r));
		else if (clp_msg_text(r)[0])
			clp_info("%s", clp_msg_text(r));
	}
	if (reply)
		*reply = r;
	else
		json_object_put(r);
	return code;
}

int clp_cli_spawn_daemon(void)
{
	char exe[512], path[600];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int status, i;
	pid_t pid;

	exe[n > 0 ? n : 0] = '\0';
	if (strrchr(exe, '/'))
		*strrchr(exe, '/') = '\0';
	snprintf(path, sizeof(path), "%s/clpmgrd", exe);
	pid = fork();
	if (pid < 0) {
		clp_err("fork: %s", strerror(errno));
		return CLP_EXIT_ERROR;
	}
	if (pid == 0) {
		execl(path, path, "-n", (char *)NULL);
		execlp("clpmgrd", "clpmgrd", "-n", (char *)NULL);
		_exit(127);
	}
	/* clpmgrd forks into the background once it is ready or fails. */
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		clp_err("clpmgrd did not start (exit %d); see %s/log/clpmgrd.log",
			WIFEXITED(status) ? WEXITSTATUS(status) : -1, clp_prefix());
		return CLP_EXIT_ERROR;
	}
	for (i = 0; i < 100; i++) {
		struct json_object *q = clp_cli_req("status"), *r;
		char err[256];
		struct timespec ts = { 0, 100000000 };

		r = clp_msg_local(q, 2000, err, sizeof(err));
		json_object_put(q);
		if (r) {
			json_object_put(r);
			return 0;
		}
		nanosleep(&ts, NULL);
	}
	clp_err("clpmgrd started but does not answer on %s", clp_msg_sock_path());
	return CLP_EXIT_ERROR;
}
