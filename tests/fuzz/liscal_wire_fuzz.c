// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry for every liscal decoder of outside input, shared with
 * the kernel (kernel/liscal/liscal_wire.c, liscal_meta.c): the packet
 * header, the I/O range check, each fixed payload (HELLO, STATE, SYNC,
 * FORCE, AUTH), the sealed record header and the whole 4 KiB cluster partition superblock.
 *
 * The first input byte picks the decoder, the rest is its input (zero
 * padded to the decoder's size). What a decoder accepts must make sense:
 * a header's I/O range checked against a device lies inside it, a HELLO
 * names a valid resource, a superblock re-encodes to a block the decoder
 * accepts with the same contents. Anything else aborts (a finding).
 */
#include <stdlib.h>
#include <string.h>

#include "liscal_meta.h"
#include "liscal_wire.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static void take(void *dst, size_t dlen, const u8 *src, size_t slen)
{
	memset(dst, 0, dlen);
	memcpy(dst, src, slen < dlen ? slen : dlen);
}

static void fuzz_hdr(const u8 *d, size_t n)
{
	struct liscal_wire_hdr_disk hd;
	struct liscal_wire_hdr h;
	char err[128];
	u64 dev = 192ULL << 20;
	int fixed;

	take(&hd, sizeof(hd), d, n);
	if (liscal_wire_decode_hdr(&hd, &h, err, sizeof(err)))
		return;
	fixed = liscal_wire_fixed_len(h.type);
	if (fixed >= 0 && h.len != (u32)fixed)
		abort();
	/* GROW: a size of whole 4 KiB blocks; a reason only on a refusal */
	if (h.type == LISCAL_P_GROW &&
	    (!h.sector || (h.sector & 7) ||
	     ((h.flags & LISCAL_WF_ERROR) && !(h.flags & LISCAL_WF_REPLY)) ||
	     (!(h.flags & LISCAL_WF_ERROR) && h.size) ||
	     h.size >= __LISCAL_GROW_MAX))
		abort();
	/* flushes ahead: FLUSHED covers at least one ack and has no range */
	if (h.type == LISCAL_P_FLUSHED && (!h.seq || h.size || h.sector))
		abort();
	if ((h.flags & LISCAL_WF_AHEAD) && (h.type != LISCAL_P_DATA || !h.size))
		abort();
	if ((h.flags & LISCAL_WF_FLUSHING) &&
	    (h.type != LISCAL_P_DATA_ACK || (h.flags & LISCAL_WF_ERROR)))
		abort();
	if (!liscal_wire_check_io(&h, dev, err, sizeof(err)) && h.size &&
	    ((h.sector << 9) + h.size > dev || (h.sector << 9) / 512 != h.sector))
		abort();
}

static void fuzz_hello(const u8 *d, size_t n)
{
	struct liscal_wire_hello_disk hd, re;
	struct liscal_wire_hello h;
	char err[128];

	take(&hd, sizeof(hd), d, n);
	if (liscal_wire_decode_hello(&hd, &h, err, sizeof(err)))
		return;
	if (!liscal_name_valid(h.name))
		abort();
	liscal_wire_encode_hello(&h, &re);
	if (liscal_wire_decode_hello(&re, &h, err, sizeof(err)))
		abort();
}

static void fuzz_state(const u8 *d, size_t n)
{
	struct liscal_wire_state_disk sd, re;
	struct liscal_wire_state s, s2;
	char err[128];

	/* zeroed: memcmp below also compares the padding */
	memset(&s, 0, sizeof(s));
	memset(&s2, 0, sizeof(s2));
	take(&sd, sizeof(sd), d, n);
	if (liscal_wire_decode_state(&sd, &s, err, sizeof(err)))
		return;
	liscal_wire_encode_state(&s, &re);
	if (liscal_wire_decode_state(&re, &s2, err, sizeof(err)) ||
	    memcmp(&s, &s2, sizeof(s)))
		abort();
}

static void fuzz_sync(const u8 *d, size_t n)
{
	struct liscal_wire_sync_disk sd, re;
	struct liscal_wire_sync s, s2;

	take(&sd, sizeof(sd), d, n);
	liscal_wire_decode_sync(&sd, &s);
	liscal_wire_encode_sync(&s, &re);
	liscal_wire_decode_sync(&re, &s2);
	if (s.gen != s2.gen || s.bytes != s2.bytes)
		abort();
}

static void fuzz_force(const u8 *d, size_t n)
{
	struct liscal_wire_force_disk fd, re;
	struct liscal_wire_force f, f2;
	char err[128];

	take(&fd, sizeof(fd), d, n);
	if (liscal_wire_decode_force(&fd, &f, err, sizeof(err)))
		return;
	liscal_wire_encode_force(&f, &re);
	if (liscal_wire_decode_force(&re, &f2, err, sizeof(err)) ||
	    f.source_node != f2.source_node || f.flags != f2.flags)
		abort();
}

/* Protocol 4: an AUTH payload (either kind) and a sealed record header. */
static void fuzz_auth(const u8 *d, size_t n)
{
	struct liscal_wire_auth_disk ad, re;
	struct liscal_wire_auth a, a2;
	bool proof = n && (d[0] & 1);
	char err[128];

	take(&ad, sizeof(ad), n ? d + 1 : d, n ? n - 1 : 0);
	if (liscal_wire_decode_auth(&ad, &a, proof, err, sizeof(err)))
		return;
	if (a.proto != LISCAL_WIRE_PROTO || a.mode > LISCAL_AUTH_CRYPT ||
	    (proof && a.mode == LISCAL_AUTH_NONE))
		abort();
	liscal_wire_encode_auth(&a, &re);
	if (liscal_wire_decode_auth(&re, &a2, proof, err, sizeof(err)) ||
	    memcmp(&a, &a2, sizeof(a)))
		abort();
}

static void fuzz_rec(const u8 *d, size_t n)
{
	u8 rec[LISCAL_WIRE_REC_HDR];
	char err[128];
	u32 len;

	take(rec, sizeof(rec), d, n);
	if (liscal_wire_decode_rec(rec, &len, err, sizeof(err)))
		return;
	/* what the receiver reads into its 64 KiB buffer after the header */
	if (len <= LISCAL_WIRE_TAG_LEN ||
	    LISCAL_WIRE_REC_HDR + len > LISCAL_WIRE_REC_HDR + LISCAL_WIRE_REC_MAX +
	    LISCAL_WIRE_TAG_LEN)
		abort();
}

static void fuzz_sb_block(const u8 *d, size_t n, bool fix_csum)
{
	static struct liscal_sb_disk in, re;
	struct liscal_sb sb, sb2;
	char err[160];

	memset(&sb, 0, sizeof(sb));
	memset(&sb2, 0, sizeof(sb2));
	take(&in, sizeof(in), d, n);
	if (fix_csum) {
		/* past the checksum, to the checks behind it */
		in.checksum = 0;
		in.checksum = cpu_to_le32(clp_crc32c(&in, sizeof(in)));
	}
	if (liscal_meta_decode(&in, &sb, NULL, err, sizeof(err)))
		return;
	if (!liscal_name_valid(sb.name))
		abort();
	liscal_meta_encode(&sb, &re);
	if (liscal_meta_decode(&re, &sb2, NULL, err, sizeof(err)) ||
	    memcmp(&sb, &sb2, sizeof(sb)))
		abort();
}

static void fuzz_sb(const u8 *d, size_t n)
{
	fuzz_sb_block(d, n, false);
}

static void fuzz_sb_csum(const u8 *d, size_t n)
{
	fuzz_sb_block(d, n, true);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static void (*const fn[])(const u8 *, size_t) = {
		fuzz_hdr, fuzz_hello, fuzz_state, fuzz_sync, fuzz_force, fuzz_sb,
		fuzz_sb_csum, fuzz_auth, fuzz_rec,
	};

	if (!size)
		return 0;
	fn[data[0] % (sizeof(fn) / sizeof(fn[0]))](data + 1, size - 1);
	return 0;
}
