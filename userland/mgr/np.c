// SPDX-License-Identifier: GPL-2.0
/*
 * Network partition resolution of the cluster service. pingnp: a server
 * that lost every heartbeat to another one pings the configured targets;
 * it wins when one of them answers within its timeout. majority (3 or
 * more servers): it wins when its side holds most servers. Without either
 * there is no resolution: every server wins (guide 2.12.9: both may then
 * run a group, and the mirror reports split brain on reconnection).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clp_log.h"
#include "clp_time.h"
#include "cluster.h"

int np_resolve(char *why, size_t len);

/* One ICMP echo through a datagram ICMP socket: 0 answered, -1 not. */
static int ping_once(const char *target, long timeout_s, char *why, size_t len)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct icmphdr req = { .type = ICMP_ECHO }, ans;
	struct timespec start, now;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
	int type = SOCK_DGRAM;

	if (fd < 0) {
		fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
		type = SOCK_RAW;
	}
	if (fd < 0) {
		snprintf(why, len, "no ICMP socket: %s", strerror(errno));
		return -1;
	}
	inet_pton(AF_INET, target, &sa.sin_addr);
	req.un.echo.id = htons((uint16_t)getpid());
	req.un.echo.sequence = htons(1);
	if (type == SOCK_RAW) {
		uint32_t sum = 0;
		uint16_t *w = (uint16_t *)&req;

		for (size_t i = 0; i < sizeof(req) / 2; i++)
			sum += w[i];
		sum = (sum >> 16) + (sum & 0xffff);
		req.checksum = (uint16_t)~(sum + (sum >> 16));
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(why, len, "%s: %s", target, strerror(errno));
		close(fd);
		return -1;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char buf[512];
		long left;
		ssize_t n;
		size_t off = 0;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = timeout_s * 1000 - ((now.tv_sec - start.tv_sec) * 1000 +
					   (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			continue;
		if (type == SOCK_RAW)
			off = (size_t)(buf[0] & 0x0f) * 4;
		if ((size_t)n < off + sizeof(ans))
			continue;
		memcpy(&ans, buf + off, sizeof(ans));
		if (ans.type == ICMP_ECHOREPLY) {
			close(fd);
			return 0;
		}
	}
	close(fd);
	snprintf(why, len, "%s did not answer within %ld s", target, timeout_s);
	return -1;
}

/*
 * majority: this server's side wins when it holds more than half of the
 * servers (itself and those whose heartbeat is up); exactly half wins
 * when it holds the first server of the configuration. The other side
 * decides the same at its own heartbeat timeout, within about one
 * heartbeat interval: the winner lets that and 2 s pass before it
 * activates anything. The servers of the other side are not lost at the
 * same instant: a loss during that wait is counted at once (rc_peer_event
 * broadcasts clus.cond), and a side that falls to a minority loses then,
 * not after the wait. Under clus.lock.
 */
static bool majority_lost(char *why, size_t len)
{
	int i, up = 1, n = clus.cfg.nsrv;
	bool first;

	for (i = 0; i < n; i++)
		if (i != clus.cfg.self && clus.srv[i] == SRV_UP)
			up++;
	first = clus.cfg.self == 0 || clus.srv[0] == SRV_UP;
	snprintf(why, len, "majority: this side has %d of %d servers%s", up, n,
		 2 * up != n ? "" : first ? " with the first one" : ", not the first one");
	return 2 * up < n || (2 * up == n && !first);
}

static int np_majority(char *why, size_t len)
{
	struct timespec until;
	bool lost;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += clus.cfg.hb_interval_ms / 1000 + 2;
	until.tv_nsec += (clus.cfg.hb_interval_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&clus.lock);
	lost = majority_lost(why, len);
	pthread_mutex_unlock(&clus.lock);
	if (lost)
		return -1;
	clp_event("rc", 60, "network partition resolution won: %s; waiting %ld ms for the "
		  "other side's npaction", why, clus.cfg.hb_interval_ms + 2000);
	pthread_mutex_lock(&clus.lock);
	while (!(lost = majority_lost(why, len)) &&
	       pthread_cond_timedwait(&clus.cond, &clus.lock, &until) != ETIMEDOUT)
		;
	if (!lost)
		lost = majority_lost(why, len);
	pthread_mutex_unlock(&clus.lock);
	if (lost)
		clp_event("rc", 66, "network partition resolution reversed: a server was lost "
			  "during the wait; %s", why);
	return lost ? -1 : 0;
}

int np_resolve(char *why, size_t len)
{
	char one[256] = "";
	int i;

	if (clus.cfg.majority)
		return np_majority(why, len);
	if (!clus.cfg.nping) {
		snprintf(why, len, "no network partition resolution configured");
		clp_event("rc", 62, "%s", why);
		return 0;
	}
	for (i = 0; i < clus.cfg.nping; i++) {
		if (ping_once(clus.cfg.ping[i].target, clus.cfg.ping[i].timeout_s, one,
			      sizeof(one)) == 0) {
			long wait_s = 0;

			/*
			 * The loser needs up to its longest ping timeout to know it
			 * lost and to take its npaction: the winner lets that time
			 * pass (plus 2 s) before it activates anything.
			 */
			for (int k = 0; k < clus.cfg.nping; k++)
				if (clus.cfg.ping[k].timeout_s > wait_s)
					wait_s = clus.cfg.ping[k].timeout_s;
			wait_s += 2;
			snprintf(why, len, "ping target %s answered", clus.cfg.ping[i].target);
			clp_event("rc", 60, "network partition resolution won: %s; waiting %ld s "
				  "for the other side's npaction", why, wait_s);
			clp_sleep_ms(wait_s * 1000);
			return 0;
		}
	}
	snprintf(why, len, "no ping target answered (%s)", one);
	return -1;
}
