// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of the clpkhb wire code (kernel/clpkhb/khb_wire.c, the
 * same file the module compiles). HMAC-SHA256 comes from OpenSSL here and
 * from the kernel crypto API in the module; the test checks the tag against
 * an independently computed one, so both sides agree on the format.
 *
 *   khb_wire_test            the deterministic cases
 *   khb_wire_test fuzz N     N random and mutated packets: never a crash,
 *                            never accepted unless bit-identical to a valid one
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "khb_wire.h"

static int failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		failures++;						\
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

struct key {
	u8 k[32];
};

static int mac_openssl(void *ctx, const u8 *data, size_t len, u8 *out)
{
	struct key *key = ctx;
	unsigned int olen = 0;

	if (!HMAC(EVP_sha256(), key->k, sizeof(key->k), data, len, out, &olen))
		return -1;
	return olen == 32 ? 0 : -1;
}

static int mac_fail(void *ctx, const u8 *data, size_t len, u8 *out)
{
	(void)ctx; (void)data; (void)len; (void)out;
	return -5;
}

static const struct khb_pkt sample = {
	.node_id = 2, .link_id = 1, .incarnation = 0x1122334455667788ull,
	.seq = 42, .interval_ms = 1000, .timeout_ms = 10000,
};

static int same(const struct khb_pkt *a, const struct khb_pkt *b)
{
	return a->node_id == b->node_id && a->link_id == b->link_id &&
	       a->incarnation == b->incarnation && a->seq == b->seq &&
	       a->interval_ms == b->interval_ms && a->timeout_ms == b->timeout_ms;
}

static void test_roundtrip(void)
{
	struct key key, other;
	struct khb_pkt out;
	u8 buf[KHB_MAX_LEN], ref[32];
	unsigned int olen;
	int len, err;

	memset(key.k, 0xa5, sizeof(key.k));
	memset(other.k, 0xa5, sizeof(other.k));
	other.k[31] ^= 1;

	len = khb_wire_encode(&sample, buf, sizeof(buf), NULL, NULL);
	CHECK(len == KHB_HDR_LEN, "untagged length %d", len);
	CHECK(buf[0] == 'C' && buf[1] == 'K' && buf[2] == 'H' && buf[3] == 'B',
	      "magic bytes");
	CHECK(buf[8] == 0 && buf[11] == 2, "node id big-endian");
	err = khb_wire_decode(buf, (size_t)len, &out, NULL, NULL);
	CHECK(err == KHB_OK && same(&out, &sample), "untagged roundtrip: %s",
	      khb_wire_strerror(err));
	err = khb_wire_decode(buf, (size_t)len, &out, mac_openssl, &key);
	CHECK(err == KHB_ENOTAG, "untagged packet with a key: %d", err);

	len = khb_wire_encode(&sample, buf, sizeof(buf), mac_openssl, &key);
	CHECK(len == KHB_MAX_LEN, "tagged length %d", len);
	HMAC(EVP_sha256(), key.k, 32, buf, KHB_HDR_LEN, ref, &olen);
	CHECK(memcmp(ref, buf + KHB_HDR_LEN, 32) == 0, "tag is HMAC-SHA256 of the header");
	err = khb_wire_decode(buf, (size_t)len, &out, mac_openssl, &key);
	CHECK(err == KHB_OK && same(&out, &sample), "tagged roundtrip: %s",
	      khb_wire_strerror(err));
	err = khb_wire_decode(buf, (size_t)len, &out, mac_openssl, &other);
	CHECK(err == KHB_ETAG, "wrong key accepted: %d", err);
	err = khb_wire_decode(buf, (size_t)len, &out, NULL, NULL);
	CHECK(err == KHB_EUNEXPTAG, "tagged packet without a key: %d", err);
	err = khb_wire_decode(buf, (size_t)len, &out, mac_fail, NULL);
	CHECK(err == KHB_EMAC, "failing MAC: %d", err);
	CHECK(khb_wire_encode(&sample, buf, sizeof(buf), mac_fail, NULL) == -1,
	      "encode with a failing MAC");
	CHECK(khb_wire_encode(&sample, buf, KHB_HDR_LEN, mac_openssl, &key) == -1,
	      "encode into a short buffer");
}

static void test_every_bit(void)
{
	struct key key;
	struct khb_pkt out;
	u8 buf[KHB_MAX_LEN], m[KHB_MAX_LEN];
	size_t i;
	int b, err;

	memset(key.k, 0x3c, sizeof(key.k));
	khb_wire_encode(&sample, buf, sizeof(buf), mac_openssl, &key);
	for (i = 0; i < KHB_MAX_LEN; i++)
		for (b = 0; b < 8; b++) {
			memcpy(m, buf, sizeof(m));
			m[i] ^= (u8)(1u << b);
			err = khb_wire_decode(m, sizeof(m), &out, mac_openssl, &key);
			CHECK(err != KHB_OK, "bit %d of byte %zu flipped, accepted", b, i);
		}
	for (i = 0; i < KHB_MAX_LEN; i++) {
		err = khb_wire_decode(buf, i, &out, mac_openssl, &key);
		CHECK(err != KHB_OK, "truncated to %zu accepted", i);
	}
}

static void test_fields(void)
{
	struct khb_pkt p;
	u8 buf[KHB_MAX_LEN];

	p = sample; p.node_id = 0;
	CHECK(khb_wire_encode(&p, buf, sizeof(buf), NULL, NULL) == -1, "node 0");
	p = sample; p.node_id = KHB_WIRE_MAX_NODE_ID + 1;
	CHECK(khb_wire_encode(&p, buf, sizeof(buf), NULL, NULL) == -1, "node too big");
	p = sample; p.link_id = 0;
	CHECK(khb_wire_encode(&p, buf, sizeof(buf), NULL, NULL) == -1, "link 0");
	p = sample; p.incarnation = 0;
	CHECK(khb_wire_encode(&p, buf, sizeof(buf), NULL, NULL) == -1, "incarnation 0");
	p = sample; p.seq = 0;
	CHECK(khb_wire_encode(&p, buf, sizeof(buf), NULL, NULL) == -1, "seq 0");
	p = sample; p.timeout_ms = p.interval_ms;
	CHECK(khb_wire_encode(&p, buf, sizeof(buf), NULL, NULL) == -1, "timeout == interval");

	/* A hand-made packet with a field out of range is refused on decode. */
	khb_wire_encode(&sample, buf, sizeof(buf), NULL, NULL);
	buf[11] = 0;	/* node id 0 */
	CHECK(khb_wire_decode(buf, KHB_HDR_LEN, &p, NULL, NULL) == KHB_EFIELD, "decode node 0");
	khb_wire_encode(&sample, buf, sizeof(buf), NULL, NULL);
	buf[47] = 1;
	CHECK(khb_wire_decode(buf, KHB_HDR_LEN, &p, NULL, NULL) == KHB_ERESERVED, "reserved");
	khb_wire_encode(&sample, buf, sizeof(buf), NULL, NULL);
	buf[4] = 2;
	CHECK(khb_wire_decode(buf, KHB_HDR_LEN, &p, NULL, NULL) == KHB_EVERSION, "version");
	khb_wire_encode(&sample, buf, sizeof(buf), NULL, NULL);
	buf[5] = 0x80;
	CHECK(khb_wire_decode(buf, KHB_HDR_LEN, &p, NULL, NULL) == KHB_EFLAGS, "flags");
	khb_wire_encode(&sample, buf, sizeof(buf), NULL, NULL);
	CHECK(khb_wire_decode(buf, KHB_HDR_LEN + 1, &p, NULL, NULL) == KHB_ELENGTH, "trailing byte");
	CHECK(strcmp(khb_wire_strerror(KHB_ETAG), "ok") != 0, "strerror");
	CHECK(strcmp(khb_wire_strerror(1000), "unknown error") == 0, "strerror range");
}

/* Random bytes and mutations of valid packets. Accepting anything that is
 * not a byte-exact valid encoding would be a bug. */
static void fuzz(unsigned long n)
{
	struct key key;
	struct khb_pkt out, enc;
	u8 valid[KHB_MAX_LEN], m[KHB_MAX_LEN + 16], re[KHB_MAX_LEN];
	unsigned long i;
	size_t len;
	int err, vlen;

	srand(12345);
	memset(key.k, 0x77, sizeof(key.k));
	vlen = khb_wire_encode(&sample, valid, sizeof(valid), mac_openssl, &key);
	for (i = 0; i < n; i++) {
		int with_key = rand() & 1;

		len = (size_t)rand() % sizeof(m);
		if (rand() & 1) {
			size_t j;

			for (j = 0; j < len; j++)
				m[j] = (u8)rand();
		} else {
			int k, flips = 1 + rand() % 4;

			memcpy(m, valid, (size_t)vlen);
			len = (size_t)vlen;
			if (!with_key) {
				len = KHB_HDR_LEN;
				m[5] = 0;
				m[7] = KHB_HDR_LEN;
			}
			for (k = 0; k < flips; k++)
				m[rand() % (int)len] ^= (u8)(1u << (rand() % 8));
		}
		err = khb_wire_decode(m, len, &out, with_key ? mac_openssl : NULL,
				      with_key ? (void *)&key : NULL);
		CHECK(err >= 0 && err < KHB_NERR, "error code %d out of range", err);
		if (err != KHB_OK)
			continue;
		/* Accepted: it must re-encode to exactly the same bytes. */
		enc = out;
		vlen = khb_wire_encode(&enc, re, sizeof(re), with_key ? mac_openssl : NULL,
				       with_key ? (void *)&key : NULL);
		CHECK((size_t)vlen == len && memcmp(re, m, len) == 0,
		      "accepted a packet that is not a canonical encoding");
		/* With a key only the untouched valid packet can pass. */
		CHECK(!with_key || memcmp(m, valid, len) == 0,
		      "accepted a tagged packet that was not the valid one");
		vlen = khb_wire_encode(&sample, valid, sizeof(valid), mac_openssl, &key);
	}
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "fuzz") == 0) {
		fuzz(strtoul(argv[2], NULL, 0));
	} else {
		test_roundtrip();
		test_every_bit();
		test_fields();
	}
	if (failures) {
		fprintf(stderr, "%d failures\n", failures);
		return 1;
	}
	printf("ok\n");
	return 0;
}
