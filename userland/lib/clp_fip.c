// SPDX-License-Identifier: GPL-2.0
/*
 * The floating IP address resource. See clp_fip.h and Documentation/fip.md.
 *
 * The interface and the address are found in libnl-route-3's link and
 * address caches (one rtnetlink dump each per call); the address is added
 * and removed with rtnl_addr_add()/rtnl_addr_delete(). ARP goes through an
 * AF_PACKET datagram socket bound to the interface (the kernel writes the
 * Ethernet header): an RFC 5227 probe (sender IP 0.0.0.0) before the
 * address is added, gratuitous ARP requests (sender IP = target IP = the
 * address) after.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if_arp.h>
#include <netinet/if_ether.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clp_fip.h"
#include "clp_time.h"

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#define MAC_LEN 6

/* ---- parsing ---- */

__attribute__((format(printf, 3, 4)))
static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int clp_fip_parse(const char *text, struct clp_fip *f, char *err, size_t errlen)
{
	char buf[64], *slash, *end;
	unsigned long prefix = 0;
	uint32_t a, mask;

	memset(f, 0, sizeof(*f));
	if (!text || !*text)
		return bad(err, errlen, "missing the floating IP address");
	if (strlen(text) >= sizeof(buf))
		return bad(err, errlen, "'%.20s...' is too long for an IPv4 address", text);
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash) {
		*slash++ = '\0';
		/* strtoul would take a sign or leading blanks: digits only. */
		if (*slash < '0' || *slash > '9')
			return bad(err, errlen, "'%s': the prefix length '%s' is not a number", text, slash);
		errno = 0;
		prefix = strtoul(slash, &end, 10);
		if (*end)
			return bad(err, errlen, "'%s': the prefix length '%s' is not a number", text, slash);
		if (errno || prefix < 1 || prefix > 32)
			return bad(err, errlen, "'%s': the prefix length '%s' is not within 1-32", text, slash);
	}
	if (inet_pton(AF_INET, buf, &f->addr) != 1)
		return bad(err, errlen, "'%s' is not an IPv4 address (a.b.c.d or a.b.c.d/N)", text);
	a = ntohl(f->addr.s_addr);
	if (a == 0)
		return bad(err, errlen, "'%s': %s is the unspecified address", text, buf);
	if (a == 0xffffffffu)
		return bad(err, errlen, "'%s': %s is the broadcast address", text, buf);
	if ((a >> 24) == 127)
		return bad(err, errlen, "'%s': %s is a loopback address", text, buf);
	if ((a >> 28) == 0xe)
		return bad(err, errlen, "'%s': %s is a multicast address", text, buf);
	if ((a >> 28) == 0xf)
		return bad(err, errlen, "'%s': %s is a reserved (class E) address", text, buf);
	if ((a >> 24) == 0)
		return bad(err, errlen, "'%s': %s is in 0.0.0.0/8 (this network)", text, buf);
	if (prefix && prefix <= 30) {
		mask = 0xffffffffu << (32 - prefix);
		if ((a & ~mask) == 0)
			return bad(err, errlen, "'%s': %s is the network address of the /%lu subnet",
				   text, buf, prefix);
		if ((a & ~mask) == ~mask)
			return bad(err, errlen, "'%s': %s is the broadcast address of the /%lu subnet",
				   text, buf, prefix);
	}
	f->prefix = (unsigned int)prefix;
	return 0;
}

/* ---- rtnetlink ---- */

struct fip_nl {
	struct nl_sock *sk;
	struct nl_cache *links;
	struct nl_cache *addrs;
};

/* libnl's error codes as errno values. */
static int nl_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_NOMEM: return ENOMEM;
	case NLE_PERM: return EPERM;
	case NLE_EXIST: return EEXIST;
	case NLE_INVAL: return EINVAL;
	case NLE_RANGE: return ERANGE;
	case NLE_NODEV: return ENODEV;
	case NLE_NOADDR: return EADDRNOTAVAIL;
	case NLE_OBJ_NOTFOUND: return ENOENT;
	case NLE_BUSY: return EBUSY;
	case NLE_AF_NOSUPPORT: return EAFNOSUPPORT;
	case NLE_OPNOTSUPP: return EOPNOTSUPP;
	default: return EIO;
	}
}

static void fip_nl_close(struct fip_nl *nl)
{
	if (nl->addrs)
		nl_cache_free(nl->addrs);
	if (nl->links)
		nl_cache_free(nl->links);
	if (nl->sk)
		nl_socket_free(nl->sk);
	memset(nl, 0, sizeof(*nl));
}

static int fip_nl_open(struct fip_nl *nl, char *err, size_t errlen)
{
	const char *what = "rtnetlink socket";
	int ret;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		snprintf(err, errlen, "cannot allocate a netlink socket");
		return -ENOMEM;
	}
	ret = nl_connect(nl->sk, NETLINK_ROUTE);
	if (ret >= 0) {
		what = "interface list";
		ret = rtnl_link_alloc_cache(nl->sk, AF_UNSPEC, &nl->links);
	}
	if (ret >= 0) {
		what = "IPv4 address list";
		ret = rtnl_addr_alloc_cache(nl->sk, &nl->addrs);
	}
	if (ret < 0) {
		snprintf(err, errlen, "cannot read the %s: %s", what, nl_geterror(ret));
		fip_nl_close(nl);
		return -nl_errno(ret);
	}
	return 0;
}

/* The IPv4 address of @a as host-order integer; 0 when it is none. */
static uint32_t addr_v4(struct rtnl_addr *a)
{
	struct nl_addr *l;
	uint32_t v;

	if (rtnl_addr_get_family(a) != AF_INET)
		return 0;
	l = rtnl_addr_get_local(a);
	if (!l || nl_addr_get_len(l) != 4)
		return 0;
	memcpy(&v, nl_addr_get_binary_addr(l), 4);
	return ntohl(v);
}

static uint32_t prefix_mask(unsigned int prefix)
{
	return prefix ? 0xffffffffu << (32 - prefix) : 0;
}

/* The address object of f->addr on @ifindex (any interface when 0), or
 * NULL. Owned by the cache. */
static struct rtnl_addr *find_fip(struct fip_nl *nl, const struct clp_fip *f, int ifindex)
{
	uint32_t want = ntohl(f->addr.s_addr);
	struct nl_object *o;

	for (o = nl_cache_get_first(nl->addrs); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;

		if (addr_v4(a) != want)
			continue;
		if (ifindex && rtnl_addr_get_ifindex(a) != ifindex)
			continue;
		return a;
	}
	return NULL;
}

/* The index of f->ifname, 0 when f->ifname is empty, -ENODEV if there is
 * no such interface. */
static int named_ifindex(struct fip_nl *nl, const struct clp_fip *f, char *err, size_t errlen)
{
	int i;

	if (!f->ifname[0])
		return 0;
	i = rtnl_link_name2i(nl->links, f->ifname);
	if (i <= 0) {
		snprintf(err, errlen, "there is no interface %s on this server", f->ifname);
		return -ENODEV;
	}
	return i;
}

/*
 * Where f->addr goes: the interface (f->ifname, or the one with an IPv4
 * subnet containing the address, longest prefix first) and the prefix
 * (f->prefix, or that subnet's). The address itself does not count as a
 * subnet.
 */
static int resolve(struct fip_nl *nl, const struct clp_fip *f, int *ifindex,
		   unsigned int *prefix, char *err, size_t errlen)
{
	uint32_t want = ntohl(f->addr.s_addr);
	char ip[INET_ADDRSTRLEN];
	unsigned int best = 0;
	struct nl_object *o;
	int named, found = 0;

	inet_ntop(AF_INET, &f->addr, ip, sizeof(ip));
	named = named_ifindex(nl, f, err, errlen);
	if (named < 0)
		return named;
	for (o = nl_cache_get_first(nl->addrs); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		uint32_t v = addr_v4(a);
		int plen = rtnl_addr_get_prefixlen(a);

		if (!v || v == want || plen <= 0 || plen > 32)
			continue;
		if (named && rtnl_addr_get_ifindex(a) != named)
			continue;
		if (((v ^ want) & prefix_mask((unsigned int)plen)) != 0)
			continue;
		if ((unsigned int)plen > best) {
			best = (unsigned int)plen;
			found = rtnl_addr_get_ifindex(a);
		}
	}
	if (named) {
		*ifindex = named;
		if (!f->prefix && !found) {
			snprintf(err, errlen,
				 "no IPv4 subnet of %s contains %s: give the prefix length (%s/N)",
				 f->ifname, ip, ip);
			return -EADDRNOTAVAIL;
		}
	} else {
		if (!found) {
			snprintf(err, errlen,
				 "no interface of this server has an IPv4 subnet containing %s: "
				 "give the interface", ip);
			return -EADDRNOTAVAIL;
		}
		*ifindex = found;
	}
	*prefix = f->prefix ? f->prefix : best;
	return 0;
}

/* The interface's name, for messages. */
static const char *ifname_of(struct fip_nl *nl, int ifindex, char *buf, size_t len)
{
	if (!rtnl_link_i2name(nl->links, ifindex, buf, len))
		snprintf(buf, len, "interface %d", ifindex);
	return buf;
}

/* ---- ARP ---- */

static void mac_str(const uint8_t *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int arp_socket(int ifindex)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ARP),
		.sll_ifindex = ifindex,
	};
	int fd;

	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* One ARP request, Ethernet broadcast: sender @mac/@spa, target IP @tpa,
 * target hardware address zero. */
static int arp_request(int fd, int ifindex, const uint8_t *mac, uint32_t spa, uint32_t tpa)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ARP),
		.sll_ifindex = ifindex,
		.sll_halen = MAC_LEN,
		.sll_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	};
	struct ether_arp p;

	memset(&p, 0, sizeof(p));
	p.arp_hrd = htons(ARPHRD_ETHER);
	p.arp_pro = htons(ETH_P_IP);
	p.arp_hln = MAC_LEN;
	p.arp_pln = 4;
	p.arp_op = htons(ARPOP_REQUEST);
	memcpy(p.arp_sha, mac, MAC_LEN);
	memcpy(p.arp_spa, &spa, 4);
	memcpy(p.arp_tpa, &tpa, 4);
	if (sendto(fd, &p, sizeof(p), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

/*
 * RFC 5227 probe, compressed into CLP_FIP_PROBE_MS: probes (sender IP
 * 0.0.0.0) at the start and every third of the window; another host uses
 * @addr (network order) when any ARP packet from a MAC other than ours has
 * it as sender IP, or is a probe for it (someone else claiming it now).
 * 1 with the other MAC in @peer, 0 when nobody answered, -errno.
 */
static int arp_probe(int fd, int ifindex, const uint8_t *mac, uint32_t addr, uint8_t *peer)
{
	long long start = now_ms(), next = start, end = start + CLP_FIP_PROBE_MS;
	int sent = 0, ret;

	for (;;) {
		long long t = now_ms();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		struct ether_arp p;
		uint32_t spa, tpa;
		ssize_t n;

		if (t >= end)
			return 0;
		if (sent < 3 && t >= next) {
			ret = arp_request(fd, ifindex, mac, 0, addr);
			if (ret < 0)
				return ret;
			sent++;
			next = start + (long long)sent * CLP_FIP_PROBE_MS / 3;
			continue;
		}
		ret = poll(&pfd, 1, (int)((sent < 3 ? next : end) - t));
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (ret == 0)
			continue;
		n = recvfrom(fd, &p, sizeof(p), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		/* Our own frames, and what another interface queued before
		 * bind() took effect. */
		if (n < (ssize_t)sizeof(p) || from.sll_pkttype == PACKET_OUTGOING ||
		    from.sll_ifindex != ifindex)
			continue;
		if (ntohs(p.arp_hrd) != ARPHRD_ETHER || ntohs(p.arp_pro) != ETH_P_IP ||
		    p.arp_hln != MAC_LEN || p.arp_pln != 4)
			continue;
		if (!memcmp(p.arp_sha, mac, MAC_LEN))
			continue;
		memcpy(&spa, p.arp_spa, 4);
		memcpy(&tpa, p.arp_tpa, 4);
		if (spa == addr || (spa == 0 && tpa == addr && ntohs(p.arp_op) == ARPOP_REQUEST)) {
			memcpy(peer, p.arp_sha, MAC_LEN);
			return 1;
		}
	}
}

/* ---- the resource ---- */

int clp_fip_check(const struct clp_fip *f, char *err, size_t errlen)
{
	struct fip_nl nl;
	int ret;

	ret = fip_nl_open(&nl, err, errlen);
	if (ret < 0)
		return ret;
	ret = named_ifindex(&nl, f, err, errlen);
	if (ret >= 0)
		ret = find_fip(&nl, f, ret) ? 1 : 0;
	fip_nl_close(&nl);
	return ret;
}

int clp_fip_down(const struct clp_fip *f, char *err, size_t errlen)
{
	char ip[INET_ADDRSTRLEN], ifn[IFNAMSIZ + 16];
	struct rtnl_addr *a;
	struct fip_nl nl;
	int ret;

	inet_ntop(AF_INET, &f->addr, ip, sizeof(ip));
	ret = fip_nl_open(&nl, err, errlen);
	if (ret < 0)
		return ret;
	ret = named_ifindex(&nl, f, err, errlen);
	if (ret < 0)
		goto out;
	a = find_fip(&nl, f, ret);
	ret = 0;
	if (!a)
		goto out;
	ret = rtnl_addr_delete(nl.sk, a, 0);
	if (ret == -NLE_NOADDR || ret == -NLE_OBJ_NOTFOUND) {
		ret = 0;	/* gone in the meantime */
	} else if (ret < 0) {
		snprintf(err, errlen, "cannot remove %s from %s: %s", ip,
			 ifname_of(&nl, rtnl_addr_get_ifindex(a), ifn, sizeof(ifn)),
			 nl_geterror(ret));
		ret = -nl_errno(ret);
	}
out:
	fip_nl_close(&nl);
	return ret;
}

/* Add f->addr/@prefix to @ifindex as an address of global scope (the
 * kernel makes it secondary when the interface has one in that subnet). */
static int add_addr(struct fip_nl *nl, const struct clp_fip *f, int ifindex,
		    unsigned int prefix, const char *ifn, char *err, size_t errlen)
{
	struct nl_addr *local = NULL, *brd = NULL;
	char ip[INET_ADDRSTRLEN];
	struct rtnl_addr *a;
	int ret = -NLE_NOMEM;

	inet_ntop(AF_INET, &f->addr, ip, sizeof(ip));
	a = rtnl_addr_alloc();
	local = nl_addr_build(AF_INET, &f->addr, 4);
	if (!a || !local)
		goto fail;
	nl_addr_set_prefixlen(local, (int)prefix);
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, AF_INET);
	ret = rtnl_addr_set_local(a, local);
	if (ret < 0)
		goto fail;
	rtnl_addr_set_prefixlen(a, (int)prefix);
	if (prefix <= 30) {
		uint32_t b = htonl(ntohl(f->addr.s_addr) | ~prefix_mask(prefix));

		ret = -NLE_NOMEM;
		brd = nl_addr_build(AF_INET, &b, 4);
		if (!brd)
			goto fail;
		ret = rtnl_addr_set_broadcast(a, brd);
		if (ret < 0)
			goto fail;
	}
	ret = rtnl_addr_add(nl->sk, a, NLM_F_CREATE | NLM_F_EXCL);
fail:
	if (ret < 0)
		snprintf(err, errlen, "cannot add %s/%u to %s: %s", ip, prefix, ifn,
			 nl_geterror(ret));
	nl_addr_put(brd);
	nl_addr_put(local);
	if (a)
		rtnl_addr_put(a);
	return ret < 0 ? -nl_errno(ret) : 0;
}

int clp_fip_up(const struct clp_fip *f, char *err, size_t errlen)
{
	char ip[INET_ADDRSTRLEN], ifn[IFNAMSIZ + 16], ms[24];
	uint8_t mac[MAC_LEN], peer[MAC_LEN] = { 0 };
	struct rtnl_link *link = NULL;
	struct nl_addr *hw;
	struct rtnl_addr *have;
	unsigned int prefix;
	struct fip_nl nl;
	int ifindex, ret, fd = -1, i;

	inet_ntop(AF_INET, &f->addr, ip, sizeof(ip));
	ret = fip_nl_open(&nl, err, errlen);
	if (ret < 0)
		return ret;
	ret = resolve(&nl, f, &ifindex, &prefix, err, errlen);
	if (ret < 0)
		goto out;
	ifname_of(&nl, ifindex, ifn, sizeof(ifn));
	have = find_fip(&nl, f, 0);
	if (have) {
		char other[IFNAMSIZ + 16];

		if (rtnl_addr_get_ifindex(have) == ifindex)
			goto out;	/* already up here: ret is 0 */
		snprintf(err, errlen, "%s is already on %s of this server, not on %s", ip,
			 ifname_of(&nl, rtnl_addr_get_ifindex(have), other, sizeof(other)), ifn);
		ret = -EEXIST;
		goto out;
	}
	link = rtnl_link_get(nl.links, ifindex);
	if (!link) {
		snprintf(err, errlen, "interface %s disappeared", ifn);
		ret = -ENODEV;
		goto out;
	}
	if (!(rtnl_link_get_flags(link) & IFF_UP)) {
		snprintf(err, errlen, "%s is down: cannot announce %s on it", ifn, ip);
		ret = -ENETDOWN;
		goto out;
	}
	hw = rtnl_link_get_addr(link);
	if (rtnl_link_get_arptype(link) != ARPHRD_ETHER || !hw ||
	    nl_addr_get_len(hw) != MAC_LEN) {
		snprintf(err, errlen, "%s is not an Ethernet interface: no ARP for %s", ifn, ip);
		ret = -EOPNOTSUPP;
		goto out;
	}
	memcpy(mac, nl_addr_get_binary_addr(hw), MAC_LEN);

	fd = arp_socket(ifindex);
	if (fd < 0) {
		ret = fd;
		snprintf(err, errlen, "cannot open an ARP socket on %s: %s", ifn, strerror(-ret));
		goto out;
	}
	ret = arp_probe(fd, ifindex, mac, f->addr.s_addr, peer);
	if (ret < 0) {
		snprintf(err, errlen, "ARP probe for %s on %s: %s", ip, ifn, strerror(-ret));
		goto out;
	}
	if (ret > 0) {
		mac_str(peer, ms, sizeof(ms));
		snprintf(err, errlen, "%s is already in use by another host (MAC %s)", ip, ms);
		ret = -EADDRINUSE;
		goto out;
	}
	ret = add_addr(&nl, f, ifindex, prefix, ifn, err, errlen);
	if (ret < 0)
		goto out;
	for (i = 0; i < CLP_FIP_GARP_COUNT; i++) {
		if (i)
			clp_sleep_ms(CLP_FIP_GARP_GAP_MS);
		ret = arp_request(fd, ifindex, mac, f->addr.s_addr, f->addr.s_addr);
		if (ret < 0) {
			snprintf(err, errlen, "%s was added to %s but its gratuitous ARP failed: %s",
				 ip, ifn, strerror(-ret));
			goto out;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	if (link)
		rtnl_link_put(link);
	fip_nl_close(&nl);
	return ret;
}
