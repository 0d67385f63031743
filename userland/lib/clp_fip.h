/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The floating IP address resource ("fip"): one IPv4 address that follows
 * the active server. Activation adds it to an interface of this server
 * (a secondary address next to the interface's own one) after an ARP probe
 * found no other host using it, then announces it with gratuitous ARPs so
 * that the neighbours' ARP caches point at this server; deactivation
 * removes it. Addresses and interfaces through libnl-route-3 (rtnetlink),
 * ARP through a raw AF_PACKET socket. Documentation/fip.md.
 */
#ifndef CLP_FIP_H
#define CLP_FIP_H

#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>

struct clp_fip {
	char name[32];		/* resource name, e.g. "fip1" (for messages only) */
	struct in_addr addr;
	/* 0 = take the prefix of the interface's subnet that contains addr */
	unsigned int prefix;
	/* empty = the interface whose configured IPv4 subnet contains addr */
	char ifname[IFNAMSIZ];
};

/* ARP probe window before adding the address, and gratuitous ARPs sent
 * after (CLP_FIP_GARP_COUNT, CLP_FIP_GARP_GAP_MS apart). */
#define CLP_FIP_PROBE_MS 1000
#define CLP_FIP_GARP_COUNT 3
#define CLP_FIP_GARP_GAP_MS 200

/* "198.18.1.100" or "198.18.1.100/24" into @f (name and ifname cleared).
 * Refuses anything else (other text, prefix out of 1-32, unspecified,
 * broadcast, loopback, multicast or reserved class E addresses, the
 * network or broadcast address of the given prefix) with the reason in
 * @err. 0 or -EINVAL. */
int clp_fip_parse(const char *text, struct clp_fip *f, char *err, size_t errlen);
/* Add the address to its interface, then send gratuitous ARPs. 0 if it is
 * already there (on that interface). -EADDRINUSE when another host
 * answers the ARP probe for it ("... already in use by another host (MAC
 * ...)"); other failures -errno, with the reason in @err. */
int clp_fip_up(const struct clp_fip *f, char *err, size_t errlen);
/* Remove the address; 0 when it is not there. */
int clp_fip_down(const struct clp_fip *f, char *err, size_t errlen);
/* 1 when the address is on this server (on f->ifname if given), 0 when
 * not, -errno on error. */
int clp_fip_check(const struct clp_fip *f, char *err, size_t errlen);

#endif /* CLP_FIP_H */
