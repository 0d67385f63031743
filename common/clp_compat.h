/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clp_compat.h - lets code shared by a kernel module and userland
 * (on-disk format, bitmap math, wire protocol) compile in both.
 *
 * In the kernel it only pulls in the kernel headers. In userland it maps
 * the kernel's fixed-endian types and helpers onto <endian.h> and provides
 * clp_crc32c() as a small table-driven CRC32C (Castagnoli, reflected
 * polynomial 0x82F63B78), identical to the kernel's ~__crc32c_le(~0, ...).
 */
#ifndef _CLP_COMPAT_H
#define _CLP_COMPAT_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/crc32.h>
#include <linux/bits.h>
#include <asm/byteorder.h>

/* CRC32C update without pre/post inversion (chainable). */
static inline u32 clp_crc32c_raw(u32 crc, const void *buf, size_t len)
{
	return __crc32c_le(crc, buf, len);
}

#else /* userland */

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <stdio.h>
#include <errno.h>
#include <endian.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;
#include <linux/types.h>	/* __le16 .. __be64 */

#define cpu_to_le16(x) htole16(x)
#define cpu_to_le32(x) htole32(x)
#define cpu_to_le64(x) htole64(x)
#define le16_to_cpu(x) le16toh(x)
#define le32_to_cpu(x) le32toh(x)
#define le64_to_cpu(x) le64toh(x)
#define cpu_to_be16(x) htobe16(x)
#define cpu_to_be32(x) htobe32(x)
#define cpu_to_be64(x) htobe64(x)
#define be16_to_cpu(x) be16toh(x)
#define be32_to_cpu(x) be32toh(x)
#define be64_to_cpu(x) be64toh(x)

#ifndef BIT
#define BIT(n) (1UL << (n))
#define BIT_ULL(n) (1ULL << (n))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef __packed
#define __packed __attribute__((packed))
#endif
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), #cond)

static inline u32 clp_crc32c_raw(u32 crc, const void *buf, size_t len)
{
	static u32 table[256];
	static bool ready;
	const u8 *p = buf;
	size_t i;

	if (!ready) {
		for (i = 0; i < 256; i++) {
			u32 c = (u32)i;
			int k;

			for (k = 0; k < 8; k++)
				c = (c & 1) ? (c >> 1) ^ 0x82F63B78U : c >> 1;
			table[i] = c;
		}
		ready = true;
	}
	for (i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return crc;
}

#endif /* __KERNEL__ */

/* Standard CRC32C of a buffer (initial ~0, final inversion). */
static inline u32 clp_crc32c(const void *buf, size_t len)
{
	return ~clp_crc32c_raw(~0U, buf, len);
}

#endif /* _CLP_COMPAT_H */
