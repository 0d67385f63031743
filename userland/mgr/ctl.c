// SPDX-License-Identifier: GPL-2.0
/*
 * clpmgrd module "ctl": the commands' UNIX socket <prefix>/work/clpmgrd.sock
 * (mode 0600: root only, and the peer's credentials are checked again).
 * One request and one reply per connection, each in a thread of its own:
 * a long group start does not hold up clpstat.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "clp_log.h"
#include "clp_msg.h"
#include "cluster.h"

static int ctl_fd = -1;
static pthread_t ctl_thread;

static void *serve(void *arg)
{
	int fd = (int)(intptr_t)arg;
	struct json_object *req, *r;
	struct ucred cr;
	socklen_t l = sizeof(cr);
	char err[256];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &l) < 0 || cr.uid != 0) {
		r = clp_msg_reply(CLP_EXIT_PERM, "the cluster daemon takes requests from root only");
		clp_msg_send(fd, r);
		goto out;
	}
	req = clp_msg_recv(fd, 10000, err, sizeof(err));
	r = req ? req_handle(req, -1) : clp_msg_reply(CLP_EXIT_USAGE, "bad request: %s", err);
	json_object_put(req);
	clp_msg_send(fd, r);
out:
	json_object_put(r);
	close(fd);
	return NULL;
}

static void *ctl_main(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_t t;
		int fd = accept4(ctl_fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		if (pthread_create(&t, NULL, serve, (void *)(intptr_t)fd)) {
			close(fd);
			continue;
		}
		pthread_detach(t);
	}
	return NULL;
}

static int ctl_start(struct mgr *m)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[512];

	(void)m;
	snprintf(dir, sizeof(dir), "%s/work", clp_prefix());
	mkdir(clp_prefix(), 0755);
	mkdir(dir, 0755);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", clp_msg_sock_path());
	ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ctl_fd < 0)
		goto fail;
	unlink(sa.sun_path);
	if (bind(ctl_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(sa.sun_path, 0600) < 0 || listen(ctl_fd, 16) < 0)
		goto fail;
	if (pthread_create(&ctl_thread, NULL, ctl_main, NULL))
		goto fail;
	return 0;
fail:
	clp_event("ctl", 2, "cannot listen on %s: %s", sa.sun_path, strerror(errno));
	if (ctl_fd >= 0)
		close(ctl_fd);
	ctl_fd = -1;
	return -1;
}

static void ctl_stop(struct mgr *m)
{
	(void)m;
	if (ctl_fd < 0)
		return;
	shutdown(ctl_fd, SHUT_RDWR);
	pthread_cancel(ctl_thread);
	pthread_join(ctl_thread, NULL);
	close(ctl_fd);
	unlink(clp_msg_sock_path());
	ctl_fd = -1;
}

const struct mgr_module mgr_mod_ctl = {
	.name = "ctl",
	.start = ctl_start,
	.stop = ctl_stop,
};
