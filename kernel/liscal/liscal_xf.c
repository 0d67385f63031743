// SPDX-License-Identifier: GPL-2.0
/*
 * liscal_xf.c - peer authentication and the encrypted record layer of the
 * mirror connection (Documentation/wire-protocol.md, "Authentication and
 * encryption").
 *
 * The handshake's AUTH step (liscal_conn.c) proves with HMAC-SHA256 over
 * both sides' nonces that the peer holds the key. With encryption the
 * packet stream then goes in sealed records (AES-256-GCM): the sender
 * collects the bytes of its packets in a buffer and seals it when full or
 * at the end of a packet; the receiver opens one record at a time and
 * hands its bytes to the packet reads. Each direction of each connection
 * has its own key (HMAC of the key over both nonces and the sender's
 * node id) and counts its records from 0: the 96-bit nonce is that
 * counter, so no nonce repeats under a key.
 *
 * Compression of DATA / RS_DATA (LZ4 per packet) is at the end of this
 * file: also a transform applied per packet on send and reversed on
 * receive.
 *
 * Locking: the transmit half (tx_*) is used under res->send_mutex, the
 * receive half (rx_*) by the connection thread only. res->xf is set and
 * cleared under send_mutex by the connection thread.
 */
#include <crypto/aead.h>
#include <crypto/hash.h>
#include <crypto/algapi.h>
#include <linux/highmem.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "liscal_int.h"

#define LISCAL_XF_BUF	(LISCAL_WIRE_REC_HDR + LISCAL_WIRE_REC_MAX + \
			 LISCAL_WIRE_TAG_LEN)
#define LISCAL_XF_IV	12

struct liscal_xf_dir {
	struct crypto_aead *tfm;
	struct aead_request *req;
	u8 *buf;		/* record header, plaintext/ciphertext, tag */
	u64 ctr;		/* records sealed/opened so far */
	u32 fill;		/* tx: plaintext bytes collected */
	u32 off, len;		/* rx: plaintext bytes used, opened */
};

struct liscal_xf {
	struct liscal_xf_dir tx, rx;
};

/* HMAC-SHA256 of @msg under @key into @out (32 bytes). */
int liscal_xf_hmac(const u8 *key, const u8 *msg, size_t len, u8 *out)
{
	struct crypto_shash *tfm;
	int ret;

	tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	ret = crypto_shash_setkey(tfm, key, LISCAL_WIRE_KEY_LEN);
	if (!ret) {
		SHASH_DESC_ON_STACK(desc, tfm);

		desc->tfm = tfm;
		ret = crypto_shash_digest(desc, msg, len, out);
		shash_desc_zero(desc);
	}
	crypto_free_shash(tfm);
	return ret;
}

/* The proof (or derived key) of @node for this connection. */
int liscal_xf_mac(const u8 *key, const char *label, u32 node, u32 mode,
		  const u8 *nonce0, const u8 *nonce1, u8 *out)
{
	u8 msg[LISCAL_WIRE_AUTH_MSG_LEN];

	liscal_wire_auth_msg(msg, label, node, mode, nonce0, nonce1);
	return liscal_xf_hmac(key, msg, sizeof(msg), out);
}

static void liscal_xf_dir_free(struct liscal_xf_dir *d)
{
	aead_request_free(d->req);
	if (d->tfm)
		crypto_free_aead(d->tfm);
	kfree_sensitive(d->buf);
}

void liscal_xf_free(struct liscal_xf *xf)
{
	if (!xf)
		return;
	liscal_xf_dir_free(&xf->tx);
	liscal_xf_dir_free(&xf->rx);
	kfree_sensitive(xf);
}

/* One direction: a synchronous gcm(aes) under @key, its request, buffer. */
static int liscal_xf_dir_init(struct liscal_xf_dir *d, const u8 *key)
{
	int ret;

	d->tfm = crypto_alloc_aead("gcm(aes)", 0, CRYPTO_ALG_ASYNC);
	if (IS_ERR(d->tfm)) {
		ret = PTR_ERR(d->tfm);
		d->tfm = NULL;
		return ret;
	}
	ret = crypto_aead_setkey(d->tfm, key, LISCAL_WIRE_KEY_LEN);
	if (!ret)
		ret = crypto_aead_setauthsize(d->tfm, LISCAL_WIRE_TAG_LEN);
	if (ret)
		return ret;
	if (WARN_ON_ONCE(crypto_aead_ivsize(d->tfm) != LISCAL_XF_IV))
		return -EINVAL;
	d->req = aead_request_alloc(d->tfm, GFP_NOIO);
	d->buf = kmalloc(LISCAL_XF_BUF, GFP_NOIO);
	if (!d->req || !d->buf)
		return -ENOMEM;
	return 0;
}

/*
 * The record layer of a connection whose AUTH step proved @key with the
 * nonces @nonce0/@nonce1 (node 0's, node 1's); @node is this side's id.
 */
struct liscal_xf *liscal_xf_create(const u8 *key, u32 node,
				   const u8 *nonce0, const u8 *nonce1)
{
	u8 k[LISCAL_WIRE_MAC_LEN];
	struct liscal_xf *xf;
	int ret;

	xf = kzalloc(sizeof(*xf), GFP_NOIO);
	if (!xf)
		return ERR_PTR(-ENOMEM);
	ret = liscal_xf_mac(key, "liscal key", node, LISCAL_AUTH_CRYPT,
			    nonce0, nonce1, k);
	if (!ret)
		ret = liscal_xf_dir_init(&xf->tx, k);
	if (!ret)
		ret = liscal_xf_mac(key, "liscal key", 1 - node,
				    LISCAL_AUTH_CRYPT, nonce0, nonce1, k);
	if (!ret)
		ret = liscal_xf_dir_init(&xf->rx, k);
	memzero_explicit(k, sizeof(k));
	if (ret) {
		liscal_xf_free(xf);
		return ERR_PTR(ret);
	}
	return xf;
}

/* Runs the AEAD over @d->buf: @plen plaintext bytes (encrypting) or
 * ciphertext + tag bytes (decrypting) after the record header.
 */
static int liscal_xf_crypt(struct liscal_xf_dir *d, u32 len, bool enc)
{
	struct scatterlist sg;
	u8 iv[LISCAL_XF_IV] = { 0 };
	__be64 ctr = cpu_to_be64(d->ctr);

	memcpy(iv + 4, &ctr, sizeof(ctr));
	sg_init_one(&sg, d->buf, LISCAL_WIRE_REC_HDR + len +
		    (enc ? LISCAL_WIRE_TAG_LEN : 0));
	aead_request_set_callback(d->req, 0, NULL, NULL);
	aead_request_set_crypt(d->req, &sg, &sg, len, iv);
	aead_request_set_ad(d->req, LISCAL_WIRE_REC_HDR);
	d->ctr++;
	return enc ? crypto_aead_encrypt(d->req) : crypto_aead_decrypt(d->req);
}

/* Seals the collected bytes and sends them as one record. send_mutex. */
static int liscal_xf_seal(struct liscal_res *res, struct liscal_xf *xf,
			  int more)
{
	struct liscal_xf_dir *d = &xf->tx;
	u32 n = d->fill;
	int ret;

	if (!n)
		return 0;
	d->fill = 0;
	liscal_wire_encode_rec(n + LISCAL_WIRE_TAG_LEN, d->buf);
	ret = liscal_xf_crypt(d, n, true);
	if (ret)
		return ret;
	return liscal_sock_send(res->sock, d->buf, LISCAL_WIRE_REC_HDR + n +
				LISCAL_WIRE_TAG_LEN, more);
}

/*
 * Adds @len bytes of a packet to the record being collected, sealing and
 * sending full records. Context: send_mutex held, noio.
 */
int liscal_xf_put(struct liscal_res *res, const void *buf, size_t len)
{
	struct liscal_xf *xf = res->xf;
	struct liscal_xf_dir *d = &xf->tx;

	while (len) {
		u32 n = min_t(size_t, len, LISCAL_WIRE_REC_MAX - d->fill);
		int ret;

		memcpy(d->buf + LISCAL_WIRE_REC_HDR + d->fill, buf, n);
		d->fill += n;
		buf += n;
		len -= n;
		if (d->fill == LISCAL_WIRE_REC_MAX) {
			ret = liscal_xf_seal(res, xf, MSG_MORE);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int liscal_xf_put_page(struct liscal_res *res, const struct bio_vec *bv)
{
	void *p = kmap_local_page(bv->bv_page);
	int ret = liscal_xf_put(res, p + bv->bv_offset, bv->bv_len);

	kunmap_local(p);
	return ret;
}

/* End of a packet: what is collected goes out (and pushes the packet). */
int liscal_xf_flush(struct liscal_res *res)
{
	return liscal_xf_seal(res, res->xf, 0);
}

/*
 * Reads and opens the next record. A record that fails its
 * authentication (tag) was not sealed by the peer's key and counter:
 * counted as an authentication failure, the connection breaks.
 */
static int liscal_xf_open(struct liscal_res *res, bool timers)
{
	struct liscal_xf_dir *d = &res->xf->rx;
	char err[96];
	u32 len;
	int ret;

	ret = liscal_sock_recv(res, d->buf, LISCAL_WIRE_REC_HDR, timers);
	if (ret)
		return ret;
	ret = liscal_wire_decode_rec(d->buf, &len, err, sizeof(err));
	if (ret) {
		pr_err("%s: invalid record from the peer: %s\n", res->name,
		       err);
		return ret;
	}
	ret = liscal_sock_recv(res, d->buf + LISCAL_WIRE_REC_HDR, len, timers);
	if (ret)
		return ret;
	ret = liscal_xf_crypt(d, len, false);
	if (ret) {
		pr_err_ratelimited("%s: a record from the peer failed authentication (%d): not sealed with this side's key, or altered\n",
				   res->name, ret);
		liscal_auth_failed(res);
		return -EPROTO;
	}
	d->off = 0;
	d->len = len - LISCAL_WIRE_TAG_LEN;
	return 0;
}

/* Reads @len bytes of the packet stream from the opened records. */
int liscal_xf_recv(struct liscal_res *res, void *buf, size_t len, bool timers)
{
	struct liscal_xf_dir *d = &res->xf->rx;

	while (len) {
		u32 n;
		int ret;

		if (d->off == d->len) {
			ret = liscal_xf_open(res, timers);
			if (ret)
				return ret;
		}
		n = min_t(size_t, len, d->len - d->off);
		memcpy(buf, d->buf + LISCAL_WIRE_REC_HDR + d->off, n);
		d->off += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Bytes of the open record not yet read? Context: conn_task. */
bool liscal_xf_rx_buffered(struct liscal_res *res)
{
	const struct liscal_xf_dir *d = &res->xf->rx;

	return d->off < d->len;
}

int liscal_xf_recv_page(struct liscal_res *res, const struct bio_vec *bv)
{
	void *p = kmap_local_page(bv->bv_page);
	int ret = liscal_xf_recv(res, p + bv->bv_offset, bv->bv_len, true);

	kunmap_local(p);
	return ret;
}

/*
 * Compression (LISCAL_A_COMPRESS): LZ4 through the crypto API, one packet
 * at a time. The sender copies the I/O's pages into a linear buffer and
 * compresses it into at most size - 1 bytes; when that fails (the data
 * does not shrink) the packet goes as is. The receiver reads the
 * compressed payload, decompresses it, and takes it only when it comes
 * out at exactly the packet's size.
 */
struct liscal_comp {
	struct crypto_comp *tfm;
	u8 *in;			/* LISCAL_WIRE_MAX_RS bytes */
	u8 *out;		/* LISCAL_WIRE_MAX_RS bytes */
};

static void liscal_comp_put(struct liscal_comp *c)
{
	if (!c)
		return;
	if (!IS_ERR_OR_NULL(c->tfm))
		crypto_free_comp(c->tfm);
	vfree(c->in);
	vfree(c->out);
	kfree(c);
}

void liscal_comp_free(struct liscal_res *res)
{
	mutex_lock(&res->send_mutex);
	liscal_comp_put(res->comp_tx);
	res->comp_tx = NULL;
	mutex_unlock(&res->send_mutex);
	liscal_comp_put(res->comp_rx);
	res->comp_rx = NULL;
}

/* *@pc, allocated now if needed. Context: noio scope (vmalloc). */
static struct liscal_comp *liscal_comp_get(struct liscal_res *res,
					   struct liscal_comp **pc)
{
	struct liscal_comp *c = *pc;

	if (c)
		return c;
	c = kzalloc(sizeof(*c), GFP_NOIO);
	if (!c)
		return NULL;
	c->tfm = crypto_alloc_comp("lz4", 0, 0);
	c->in = vmalloc(LISCAL_WIRE_MAX_RS);
	c->out = vmalloc(LISCAL_WIRE_MAX_RS);
	if (IS_ERR(c->tfm) || !c->in || !c->out) {
		pr_warn_ratelimited("%s: compression unavailable (lz4 %d, buffers %s)\n",
				    res->name, PTR_ERR_OR_ZERO(c->tfm),
				    c->in && c->out ? "ok" : "not allocated");
		liscal_comp_put(c);
		return NULL;
	}
	*pc = c;
	return c;
}

/* Is @h (DATA or RS_DATA with data) to be compressed? */
bool liscal_comp_wanted(struct liscal_res *res, const struct liscal_wire_hdr *h)
{
	u8 c = READ_ONCE(res->p.compress);

	if (!h->size)
		return false;
	if (h->type == LISCAL_P_RS_DATA)
		return c & LISCAL_COMPRESS_RECOVERY;
	/* mirror data: asynchronous mode only (liscal_nl_check_params) */
	return h->type == LISCAL_P_DATA && (c & LISCAL_COMPRESS_DATA) &&
	       READ_ONCE(res->p.sync_mode) == LISCAL_SYNC_ASYNC;
}

/*
 * The @size bytes of @bio compressed: the buffer and *@clen (< @size), or
 * NULL to send the data as is. Context: send_mutex held, noio scope.
 */
const void *liscal_comp_bio(struct liscal_res *res, struct bio *bio, u32 size,
			    u32 *clen)
{
	struct liscal_comp *c = liscal_comp_get(res, &res->comp_tx);
	struct bvec_iter it;
	struct bio_vec bv;
	unsigned int dlen = size - 1;
	u32 off = 0;

	if (!c || WARN_ON_ONCE(size > LISCAL_WIRE_MAX_RS))
		return NULL;
	bio_for_each_segment(bv, bio, it) {
		if (WARN_ON_ONCE(off + bv.bv_len > size))
			return NULL;
		memcpy_from_bvec(c->in + off, &bv);
		off += bv.bv_len;
	}
	if (off != size)
		return NULL;
	if (crypto_comp_compress(c->tfm, c->in, size, c->out, &dlen) || !dlen ||
	    dlen >= size)
		return NULL;
	*clen = dlen;
	return c->out;
}

/* Where the receiver reads a compressed payload. Context: conn_task. */
void *liscal_comp_rx_buf(struct liscal_res *res)
{
	struct liscal_comp *c = liscal_comp_get(res, &res->comp_rx);

	return c ? c->in : NULL;
}

/*
 * The compressed payload of @h (in the rx buffer) into the pages of @bio.
 * Returns 0, or -EPROTO when it does not decompress to h->size bytes.
 */
int liscal_comp_unpack(struct liscal_res *res, const struct liscal_wire_hdr *h,
		       struct bio *bio)
{
	struct liscal_comp *c = res->comp_rx;
	unsigned int dlen = LISCAL_WIRE_MAX_RS, i;
	u32 off = 0;

	if (WARN_ON_ONCE(!c))
		return -EINVAL;
	if (crypto_comp_decompress(c->tfm, c->in, h->len, c->out, &dlen) ||
	    dlen != h->size) {
		pr_err("%s: compressed %s at sector %llu: %u bytes do not decompress to %u\n",
		       res->name, liscal_wire_type_name(h->type), h->sector,
		       h->len, h->size);
		return -EPROTO;
	}
	for (i = 0; i < bio->bi_vcnt && off < dlen; i++) {
		struct bio_vec *bv = &bio->bi_io_vec[i];

		memcpy_to_page(bv->bv_page, bv->bv_offset, c->out + off,
			       bv->bv_len);
		off += bv->bv_len;
	}
	return off == dlen ? 0 : -EINVAL;
}
