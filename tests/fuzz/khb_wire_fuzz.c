// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry for the clpkhb wire decoder (kernel/clpkhb/khb_wire.c):
 *   clang -fsanitize=fuzzer,address,undefined -I kernel/clpkhb \
 *         tests/host/unit/khb_wire_fuzz.c kernel/clpkhb/khb_wire.c -lcrypto
 * Decodes every input with and without a key. A decoded packet must
 * re-encode to the same bytes, and with a key nothing but a packet signed
 * with that key may pass (the fuzzer cannot forge HMAC-SHA256).
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
	u8 re[KHB_MAX_LEN];
	int len;

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
	return 0;
}
