// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry for the clpkhb wire decoder (common/khb_wire.c), built
 * by tests/fuzz/Makefile. Decodes every input with and without a key. A
 * decoded packet must re-encode to the same bytes, and with a key nothing
 * but a packet signed with that key may pass (the fuzzer cannot forge
 * HMAC-SHA256). An input of a signed packet's length is also decoded once
 * more with its tag replaced by the right one, so that the checks behind
 * the tag (the fields' ranges) are fuzzed with a key too.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "khb_wire.h"

static const u8 key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
			    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };

static int mac(void *ctx, const u8 *data, size_t len, u8 *out)
{
	unsigned int olen = 0;

	(void)ctx;
	return HMAC(EVP_sha256(), key, sizeof(key), data, len, out, &olen) && olen == 32 ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct khb_pkt p;
	u8 re[KHB_MAX_LEN], signed_pkt[KHB_MAX_LEN];
	int len, ret;

	if (khb_wire_decode(data, size, &p, NULL, NULL) == KHB_OK) {
		len = khb_wire_encode(&p, re, sizeof(re), NULL, NULL);
		if (len < 0 || (size_t)len != size || memcmp(re, data, size))
			abort();
	}
	if (khb_wire_decode(data, size, &p, mac, NULL) == KHB_OK) {
		len = khb_wire_encode(&p, re, sizeof(re), mac, NULL);
		if (len < 0 || (size_t)len != size || memcmp(re, data, size))
			abort();
	}
	if (size == KHB_MAX_LEN) {
		memcpy(signed_pkt, data, size);
		if (mac(NULL, signed_pkt, KHB_HDR_LEN, signed_pkt + KHB_HDR_LEN))
			abort();
		ret = khb_wire_decode(signed_pkt, size, &p, mac, NULL);
		if (ret == KHB_ETAG || ret == KHB_EMAC || ret < 0 || ret >= KHB_NERR)
			abort();
		if (ret == KHB_OK) {
			len = khb_wire_encode(&p, re, sizeof(re), mac, NULL);
			if (len != KHB_MAX_LEN || memcmp(re, signed_pkt, size))
				abort();
		}
	}
	return 0;
}
