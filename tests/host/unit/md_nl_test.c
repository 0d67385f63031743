// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of the liscal reply/event parser (userland/lib/
 * clp_md_nl.c, clp_md_nl_parse): attributes land in the right fields,
 * attributes of the wrong size are ignored, a message without a resource
 * name is refused, random attribute soup never crashes. TAP output.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#include "clp_md.h"
#include "clp_md_nl.h"

static int n, fails;

static void ok(int cond, const char *what)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++n, what);
	if (!cond)
		fails++;
}

static struct nlmsghdr *msg(char *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	nlh->nlmsg_type = 0x20;
	g->cmd = cmd;
	return nlh;
}

/* Counter names: present, "write_bytes" style, unique. */
static int counter_names(void)
{
	char names[LISCAL_STATS_A_MAX + 1][64];
	unsigned int a, b;
	size_t i;

	for (a = 1; a <= LISCAL_STATS_A_MAX; a++) {
		if (!clp_md_stat_name(a, names[a], sizeof(names[a])))
			return 0;
		for (i = 0; names[a][i]; i++)
			if (!islower((unsigned char)names[a][i]) && !isdigit((unsigned char)names[a][i]) &&
			    names[a][i] != '_')
				return 0;
		for (b = 1; b < a; b++)
			if (!strcmp(names[a], names[b]))
				return 0;
	}
	return clp_md_stat_name(LISCAL_STATS_A_WRITE_BYTES, names[0], sizeof(names[0])) &&
	       !strcmp(names[0], "write_bytes") &&
	       clp_md_stat_name(LISCAL_STATS_A_REFUSED_PACKETS, names[0], sizeof(names[0])) &&
	       !strcmp(names[0], "refused_packets");
}

int main(void)
{
	char name[64];
	static char buf[8192];
	struct clp_md_status st;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int i, r, crashes = 0;

	printf("1..14\n");
	nlh = msg(buf, LISCAL_CMD_RES_GET);
	mnl_attr_put_strz(nlh, LISCAL_A_RES_NAME, "md01");
	mnl_attr_put_u32(nlh, LISCAL_A_MINOR, 1);
	mnl_attr_put_u8(nlh, LISCAL_A_ROLE, LISCAL_ROLE_ACTIVE);
	mnl_attr_put_u8(nlh, LISCAL_A_CONN_STATE, LISCAL_CONN_CONNECTED);
	mnl_attr_put_u8(nlh, LISCAL_A_DISK_STATE, LISCAL_DISK_UPTODATE);
	mnl_attr_put_u8(nlh, LISCAL_A_PEER_DISK_STATE, LISCAL_DISK_OUTDATED);
	mnl_attr_put_u8(nlh, LISCAL_A_SPLIT_BRAIN, 1);
	mnl_attr_put_u64(nlh, LISCAL_A_DIRTY_BYTES, 123456789ULL);
	mnl_attr_put_u64(nlh, LISCAL_A_DATA_SIZE, 1ULL << 30);
	mnl_attr_put_strz(nlh, LISCAL_A_PEER_ADDR, "198.18.2.2:29031");
	nest = mnl_attr_nest_start(nlh, LISCAL_A_STATS);
	mnl_attr_put_u64(nlh, LISCAL_STATS_A_WRITE_BYTES, 4096);
	mnl_attr_put_u64(nlh, LISCAL_STATS_A_MAX + 7, 1);	/* unknown: ignored */
	mnl_attr_nest_end(nlh, nest);
	r = clp_md_nl_parse(nlh, &st);
	ok(r == 0 && !strcmp(st.name, "md01") && st.minor == 1, "name and minor");
	ok(st.role == LISCAL_ROLE_ACTIVE && st.conn == LISCAL_CONN_CONNECTED &&
	   st.disk == LISCAL_DISK_UPTODATE && st.peer_disk == LISCAL_DISK_OUTDATED,
	   "role, connection and disk states");
	ok(st.split_brain && st.dirty_bytes == 123456789ULL && st.data_size == 1ULL << 30,
	   "split brain, difference and size");
	ok(!strcmp(st.peer_addr, "198.18.2.2:29031"), "peer address");
	ok(st.has_stats && st.stats[LISCAL_STATS_A_WRITE_BYTES] == 4096, "nested statistics");

	/* Wrong sizes: a u8 where a u64 belongs and the reverse are ignored. */
	nlh = msg(buf, LISCAL_CMD_STATE_CHANGE);
	mnl_attr_put_strz(nlh, LISCAL_A_RES_NAME, "md02");
	mnl_attr_put_u8(nlh, LISCAL_A_DIRTY_BYTES, 7);
	mnl_attr_put_u64(nlh, LISCAL_A_ROLE, 2);
	mnl_attr_put_u32(nlh, LISCAL_A_REASON, LISCAL_REASON_SPLIT_BRAIN);
	r = clp_md_nl_parse(nlh, &st);
	ok(r == 0 && st.dirty_bytes == 0 && st.role == 0, "attributes of the wrong size are ignored");
	ok(st.reason == LISCAL_REASON_SPLIT_BRAIN &&
	   !strcmp(clp_md_reason_name(st.reason), "split brain detected"), "event reason");
	ok(!strcmp(clp_md_reason_name(999), "state changed"), "unknown reason has a name");

	nlh = msg(buf, LISCAL_CMD_RES_GET);
	mnl_attr_put_u32(nlh, LISCAL_A_MINOR, 3);
	ok(clp_md_nl_parse(nlh, &st) < 0, "a reply without a resource name is refused");

	/* Random attributes of random types and lengths. */
	srand(12345);
	for (i = 0; i < 20000; i++) {
		int k, na = rand() % 12;
		char junk[64];

		nlh = msg(buf, (uint8_t)(rand() % 16));
		for (k = 0; k < na; k++) {
			size_t len = (size_t)(rand() % (int)sizeof(junk));
			size_t j;

			for (j = 0; j < len; j++)
				junk[j] = (char)rand();
			mnl_attr_put(nlh, (uint16_t)(rand() % (LISCAL_A_MAX + 4)), len, junk);
		}
		if (clp_md_nl_parse(nlh, &st) == 0 && strlen(st.name) > LISCAL_NAME_MAX)
			crashes++;
	}
	ok(crashes == 0, "20000 random attribute sets parse without overflow");
	ok(counter_names(), "every counter LISCAL_STATS_A_* has a lower-case name, all distinct");
	ok(!clp_md_stat_name(0, name, sizeof(name)) &&
	   !clp_md_stat_name(LISCAL_STATS_A_MAX + 1, name, sizeof(name)) &&
	   !clp_md_stat_name(LISCAL_STATS_A_WRITE_BYTES, name, 5),
	   "no name for UNSPEC, past the last counter, or into a short buffer");

	/* The key fingerprint clpmdctrl --updatekey sends to the other
	 * server (clp_md.c): SHA-256 of the tag, the name and the key
	 * (expected values from Python's hashlib), different per resource. */
	{
		uint8_t key[CLP_MD_KEYLEN];
		char fp[CLP_MD_KEYFP_LEN], fp2[CLP_MD_KEYFP_LEN];

		for (i = 0; i < CLP_MD_KEYLEN; i++)
			key[i] = (uint8_t)i;
		ok(!clp_md_key_fingerprint("md01", key, fp) &&
		   !strcmp(fp, "56bd3fbfec26d9cd6749888f9f924f8937c86933561585dcf7df52923630c704"),
		   "key fingerprint: SHA-256 of tag, name and key");
		ok(!clp_md_key_fingerprint("md02", key, fp2) &&
		   !strcmp(fp2, "5ec9cde89df515a30e0ee9c2565905892e1590d54b55db5dd7e82a270c89ced0"),
		   "key fingerprint: another resource, another fingerprint");
	}
	return fails ? 1 : 0;
}
