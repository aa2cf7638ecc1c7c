#ifndef LIBSSH2_BEARSSL_H
#define LIBSSH2_BEARSSL_H
/* libssh2 crypto backend on BearSSL 0.6 (icm: vendor/libssh2-bearssl/).
 *
 * Copyright (C) icm contributors
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * What it offers, and what it does not:
 *   hashes      MD5, SHA-1, SHA-256, SHA-384, SHA-512 (br_*_context)
 *   HMAC        hmac-sha1(-96), hmac-sha2-256/512, hmac-md5; no RIPEMD-160
 *   ciphers     aes128/192/256-ctr (br_aes_*_ctrcbc: SSH's 128-bit counter),
 *               aes128/192/256-cbc, 3des-cbc; no Blowfish, RC4, CAST, GCM.
 *               chacha20-poly1305 is libssh2's own.
 *   kex         curve25519-sha256 (X25519; see LIBSSH2_CURVE25519),
 *               ecdh-sha2-nistp256/384/521, DH groups 14/16/18 and
 *               group exchange up to 8192 bits (br_i31_modpow_opt)
 *   keys        RSA (1024-4096 bits; rsa-sha2-256/512, ssh-rsa),
 *               ECDSA P-256/384/521; PEM (PKCS#1, SEC1, PKCS#8, legacy
 *               encrypted), OpenSSH (plain or with a passphrase)
 *   no          Ed25519 (BearSSL has none; a clear error says so), DSA,
 *               FIDO sk-* keys, encrypted PKCS#8
 *
 * Random numbers come from getrandom(); a failure is reported, never
 * papered over.  Everything that held key material is wiped when freed.
 *
 * The file name is libssh2's convention (crypto.h includes "bearssl.h"), so
 * BearSSL's own umbrella <bearssl.h> cannot be used here: it would find this
 * file again.  Its per-area headers are included instead.
 */

#define LIBSSH2_CRYPTO_ENGINE libssh2_bearssl

#include <bearssl_hash.h>
#include <bearssl_hmac.h>
#include <bearssl_block.h>
#include <bearssl_rsa.h>
#include <bearssl_ec.h>
#include <bearssl_rand.h>

#define LIBSSH2_MD5             1

#define LIBSSH2_HMAC_RIPEMD     0
#define LIBSSH2_HMAC_SHA256     1
#define LIBSSH2_HMAC_SHA512     1

#define LIBSSH2_AES_CBC         1
#define LIBSSH2_AES_CTR         1
#define LIBSSH2_AES_GCM         0
#define LIBSSH2_BLOWFISH        0
#define LIBSSH2_RC4             0
#define LIBSSH2_CAST            0
#define LIBSSH2_3DES            1

#define LIBSSH2_RSA             1
#define LIBSSH2_RSA_SHA1        1
#define LIBSSH2_RSA_SHA2        1
#define LIBSSH2_DSA             0
#define LIBSSH2_ECDSA           1
#define LIBSSH2_ED25519         0
#define LIBSSH2_CURVE25519      1

#define LIBSSH2_ED25519_UNSUPPORTED_TEXT \
    "Ed25519 keys are not supported by this build (BearSSL has no " \
    "Ed25519); use an RSA or ECDSA key"

#include "crypto_config.h"

#define MD5_DIGEST_LENGTH      16
#define SHA_DIGEST_LENGTH      20
#define SHA256_DIGEST_LENGTH   32
#define SHA384_DIGEST_LENGTH   48
#define SHA512_DIGEST_LENGTH   64

#define EC_MAX_POINT_LEN ((528 * 2 / 8) + 1)

/* Generic */

#define libssh2_crypto_init()   ((void)0)
#define libssh2_crypto_exit()   ((void)0)

/* 0 on success, -1 when getrandom() failed */
#define _libssh2_random(buf, len) _libssh2_bearssl_random(buf, len)

#define libssh2_prepare_iovec(vec, len)  /* Empty. */

/* HMAC: a BearSSL context plus the output length (0 until initialised) */

typedef struct {
    br_hmac_context ctx;
    size_t out_len;
} libssh2_hmac_ctx;

/* Hashes: the _init/_update/_final macros return 1; the one-shot ones 0. */

#define libssh2_sha1_ctx br_sha1_context
#define libssh2_sha1_init(pctx) (br_sha1_init(pctx), 1)
#define libssh2_sha1_update(ctx, data, len) \
    (br_sha1_update(&(ctx), data, len), 1)
#define libssh2_sha1_final(ctx, out) (br_sha1_out(&(ctx), out), 1)
#define libssh2_sha1(data, len, out) \
    _libssh2_bearssl_hash(&br_sha1_vtable, data, len, out)

#define libssh2_sha256_ctx br_sha256_context
#define libssh2_sha256_init(pctx) (br_sha256_init(pctx), 1)
#define libssh2_sha256_update(ctx, data, len) \
    (br_sha256_update(&(ctx), data, len), 1)
#define libssh2_sha256_final(ctx, out) (br_sha256_out(&(ctx), out), 1)
#define libssh2_sha256(data, len, out) \
    _libssh2_bearssl_hash(&br_sha256_vtable, data, len, out)

#define libssh2_sha384_ctx br_sha384_context
#define libssh2_sha384_init(pctx) (br_sha384_init(pctx), 1)
#define libssh2_sha384_update(ctx, data, len) \
    (br_sha384_update(&(ctx), data, len), 1)
#define libssh2_sha384_final(ctx, out) (br_sha384_out(&(ctx), out), 1)
#define libssh2_sha384(data, len, out) \
    _libssh2_bearssl_hash(&br_sha384_vtable, data, len, out)

#define libssh2_sha512_ctx br_sha512_context
#define libssh2_sha512_init(pctx) (br_sha512_init(pctx), 1)
#define libssh2_sha512_update(ctx, data, len) \
    (br_sha512_update(&(ctx), data, len), 1)
#define libssh2_sha512_final(ctx, out) (br_sha512_out(&(ctx), out), 1)
#define libssh2_sha512(data, len, out) \
    _libssh2_bearssl_hash(&br_sha512_vtable, data, len, out)

#define libssh2_md5_ctx br_md5_context
#define libssh2_md5_init(pctx) (br_md5_init(pctx), 1)
#define libssh2_md5_update(ctx, data, len) \
    (br_md5_update(&(ctx), data, len), 1)
#define libssh2_md5_final(ctx, out) (br_md5_out(&(ctx), out), 1)

/* RSA.  One allocation holds the numbers, big-endian and without leading
   zeros; pk always, sk when has_private (CRT form, as BearSSL signs). */

struct _libssh2_bearssl_rsa {
    br_rsa_public_key pk;
    br_rsa_private_key sk;
    int has_private;
    size_t mem_len;
    unsigned char *mem;
};
#define libssh2_rsa_ctx struct _libssh2_bearssl_rsa

#define _libssh2_rsa_free(rsa) _libssh2_bearssl_rsa_free(rsa)

/* ECDSA and ECDH keys: the curve is BearSSL's id (BR_EC_secp256r1, ...). */

typedef enum {
    LIBSSH2_EC_CURVE_NISTP256 = BR_EC_secp256r1,
    LIBSSH2_EC_CURVE_NISTP384 = BR_EC_secp384r1,
    LIBSSH2_EC_CURVE_NISTP521 = BR_EC_secp521r1
} libssh2_curve_type;

struct _libssh2_bearssl_ec {
    br_ec_public_key pk;
    br_ec_private_key sk;
    int has_private;
    unsigned char q[BR_EC_KBUF_PUB_MAX_SIZE];
    unsigned char x[BR_EC_KBUF_PRIV_MAX_SIZE];
};
#define libssh2_ecdsa_ctx struct _libssh2_bearssl_ec
#define _libssh2_ec_key   struct _libssh2_bearssl_ec

#define _libssh2_ecdsa_free(ctx) _libssh2_bearssl_ec_free(ctx)

/* Ciphers */

enum {
    _libssh2_cipher_aes128ctr = 1,
    _libssh2_cipher_aes192ctr,
    _libssh2_cipher_aes256ctr,
    _libssh2_cipher_aes128,
    _libssh2_cipher_aes192,
    _libssh2_cipher_aes256,
    _libssh2_cipher_3des,
    _libssh2_cipher_chacha20       /* libssh2's own; never given to us */
};

typedef struct {
    int algo;
    int encrypt;
    unsigned char iv[16];
    union {
        const br_block_ctrcbc_class *ctr;
        const br_block_cbcenc_class *cbcenc;
        const br_block_cbcdec_class *cbcdec;
        br_aes_gen_ctrcbc_keys aes_ctr;
        br_aes_gen_cbcenc_keys aes_cbcenc;
        br_aes_gen_cbcdec_keys aes_cbcdec;
        br_des_gen_cbcenc_keys des_cbcenc;
        br_des_gen_cbcdec_keys des_cbcdec;
    } u;
} _libssh2_cipher_ctx;

#define _libssh2_cipher_type(name) int name

#define _libssh2_cipher_dtor(ctx) _libssh2_bearssl_cipher_dtor(ctx)

/* Big numbers: a normalised big-endian byte string (no leading zeros; the
   empty string is zero).  Only DH needs arithmetic, done in bearssl.c. */

typedef struct {
    unsigned char *v;
    size_t len;
} _libssh2_bn;

#define _libssh2_bn_ctx int
#define _libssh2_bn_ctx_new() 0
#define _libssh2_bn_ctx_free(bnctx) ((void)0)

#define _libssh2_bn_init() _libssh2_bearssl_bn_init()
#define _libssh2_bn_init_from_bin() _libssh2_bearssl_bn_init()
/* these three return 0 on success, as kex.c expects */
#define _libssh2_bn_set_word(bn, word) _libssh2_bearssl_bn_set_word(bn, word)
#define _libssh2_bn_from_bin(bn, len, bin) \
    _libssh2_bearssl_bn_from_bin(bn, len, bin)
#define _libssh2_bn_to_bin(bn, bin) _libssh2_bearssl_bn_to_bin(bn, bin)
#define _libssh2_bn_bytes(bn) ((bn)->len)
#define _libssh2_bn_bits(bn) _libssh2_bearssl_bn_bits(bn)
#define _libssh2_bn_free(bn) _libssh2_bearssl_bn_free(bn)

/* Diffie-Hellman: the context is the private exponent. */

#define LIBSSH2_DH_GEX_MINGROUP     2048
#define LIBSSH2_DH_GEX_OPTGROUP     4096
#define LIBSSH2_DH_GEX_MAXGROUP     8192

#define LIBSSH2_DH_MAX_MODULUS_BITS 8192

typedef _libssh2_bn *_libssh2_dh_ctx;
#define libssh2_dh_init(dhctx) _libssh2_dh_init(dhctx)
#define libssh2_dh_key_pair(dhctx, public, g, p, group_order, bnctx) \
    _libssh2_dh_key_pair(dhctx, public, g, p, group_order)
#define libssh2_dh_secret(dhctx, secret, f, p, bnctx) \
    _libssh2_dh_secret(dhctx, secret, f, p)
#define libssh2_dh_dtor(dhctx) _libssh2_dh_dtor(dhctx)

/* Forward declarations */

int _libssh2_bearssl_random(void *buf, size_t len);
int _libssh2_bearssl_hash(const br_hash_class *vt, const void *data,
                          size_t len, void *out);
void _libssh2_bearssl_rsa_free(libssh2_rsa_ctx *rsa);
void _libssh2_bearssl_ec_free(struct _libssh2_bearssl_ec *ec);
void _libssh2_bearssl_cipher_dtor(_libssh2_cipher_ctx *ctx);

_libssh2_bn *_libssh2_bearssl_bn_init(void);
int _libssh2_bearssl_bn_set_word(_libssh2_bn *bn, unsigned long word);
int _libssh2_bearssl_bn_from_bin(_libssh2_bn *bn, size_t len,
                                 const unsigned char *bin);
int _libssh2_bearssl_bn_to_bin(const _libssh2_bn *bn, unsigned char *bin);
size_t _libssh2_bearssl_bn_bits(const _libssh2_bn *bn);
void _libssh2_bearssl_bn_free(_libssh2_bn *bn);

void _libssh2_init_aes_ctr(void);
void _libssh2_dh_init(_libssh2_dh_ctx *dhctx);
int _libssh2_dh_key_pair(_libssh2_dh_ctx *dhctx, _libssh2_bn *public,
                         _libssh2_bn *g, _libssh2_bn *p, int group_order);
int _libssh2_dh_secret(_libssh2_dh_ctx *dhctx, _libssh2_bn *secret,
                       _libssh2_bn *f, _libssh2_bn *p);
void _libssh2_dh_dtor(_libssh2_dh_ctx *dhctx);

#endif /* LIBSSH2_BEARSSL_H */
