/* libssh2 crypto backend on BearSSL 0.6 (icm: vendor/libssh2-bearssl/).
 *
 * Copyright (C) icm contributors
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Compiled as part of crypto.c (LIBSSH2_CRYPTO_C).  What the backend offers
 * is listed in bearssl.h.  Conventions: functions return 0 or -1 unless
 * crypto.h or HACKING-CRYPTO say otherwise; key structures are malloc'ed
 * (libssh2 frees them without a session) and wiped before free(); buffers
 * handed to libssh2 come from LIBSSH2_ALLOC.
 */

#ifdef LIBSSH2_CRYPTO_C /* Compile this via crypto.c */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <bearssl_x509.h>   /* br_skey_decoder */

/* BearSSL's integer code is private (src/inner.h, which cannot be included
   next to a file called bearssl.h); these functions are exported from
   libbearssl.a and BearSSL is frozen at 0.6, so their prototypes are
   repeated here. */
void br_i31_decode(uint32_t *x, const void *src, size_t len);
uint32_t br_i31_decode_mod(uint32_t *x, const void *src, size_t len,
                           const uint32_t *m);
void br_i31_decode_reduce(uint32_t *x, const void *src, size_t len,
                          const uint32_t *m);
void br_i31_encode(void *dst, size_t len, const uint32_t *x);
uint32_t br_i31_ninv31(uint32_t x);
void br_i31_mulacc(uint32_t *d, const uint32_t *a, const uint32_t *b);
uint32_t br_i31_modpow_opt(uint32_t *x, const unsigned char *e, size_t elen,
                           const uint32_t *m, uint32_t m0i, uint32_t *tmp,
                           size_t twlen);

/* br_get_config() and its record are in BearSSL's bearssl.h, which this
   backend's own bearssl.h hides; repeated as the i31 prototypes are. */
typedef struct {
    const char *name;
    long value;
} br_config_option;
const br_config_option *br_get_config(void);

/* Largest private key file read (they are a few kB). */
#define BR_KEYFILE_MAX (1024 * 1024)

/* RSA modulus bounds: OpenSSH refuses less; BearSSL does no more than
   its BR_MAX_RSA_SIZE (private inner.h: 4096 bits as released, 8192 with
   icm's BearSSL patch), which rsa_max_bytes() reads at run time. */
#define BR_RSA_MIN_BITS 1024
#define BR_RSA_BUF_BYTES (8192 / 8)     /* the largest modulus ever taken */

/* The largest modulus this BearSSL signs and verifies with, in bytes. */
static size_t
rsa_max_bytes(void)
{
    const br_config_option *o;

    for(o = br_get_config(); o->name; o++)
        if(!strcmp(o->name, "BR_MAX_RSA_SIZE"))
            return (size_t)o->value / 8 < BR_RSA_BUF_BYTES ?
                (size_t)o->value / 8 : BR_RSA_BUF_BYTES;
    return 4096 / 8;
}

/* The error for an RSA key out of those bounds (static text). */
static const char *
rsa_range_error(void)
{
    return rsa_max_bytes() >= 8192 / 8 ?
        "Invalid or unsupported RSA key (1024 to 8192 bits)" :
        "Invalid or unsupported RSA key (1024 to 4096 bits)";
}

/*******************************************************************/
/* Helpers */

static void
wipe_free(void *p, size_t len)
{
    if(p) {
        _libssh2_explicit_zero(p, len);
        free(p);
    }
}

static void
wipe_session_free(LIBSSH2_SESSION *session, void *p, size_t len)
{
    if(p) {
        _libssh2_explicit_zero(p, len);
        LIBSSH2_FREE(session, p);
    }
}

/* 1 when equal; time depends on len only */
static int
ct_equal(const unsigned char *a, const unsigned char *b, size_t len)
{
    unsigned char d = 0;
    size_t i;

    for(i = 0; i < len; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

static void
strip_zeros(const unsigned char **p, size_t *len)
{
    while(*len > 0 && **p == 0) {
        (*p)++;
        (*len)--;
    }
}

/* big-endian unsigned comparison of normalised numbers: -1, 0, 1 */
static int
be_cmp(const unsigned char *a, size_t alen,
       const unsigned char *b, size_t blen)
{
    strip_zeros(&a, &alen);
    strip_zeros(&b, &blen);
    if(alen != blen)
        return alen < blen ? -1 : 1;
    return alen ? memcmp(a, b, alen) : 0;
}

/*******************************************************************/
/* Random numbers and a DRBG for BearSSL functions that want one */

int
_libssh2_bearssl_random(void *buf, size_t len)
{
    unsigned char *p = buf;

    while(len > 0) {
        ssize_t n = getrandom(p, len, 0);

        if(n < 0) {
            if(errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int
drbg_seed(br_hmac_drbg_context *drbg)
{
    unsigned char seed[48];

    if(_libssh2_bearssl_random(seed, sizeof(seed)))
        return -1;
    br_hmac_drbg_init(drbg, &br_sha256_vtable, seed, sizeof(seed));
    _libssh2_explicit_zero(seed, sizeof(seed));
    return 0;
}

/*******************************************************************/
/* Hashes and HMAC */

int
_libssh2_bearssl_hash(const br_hash_class *vt, const void *data,
                      size_t len, void *out)
{
    br_hash_compat_context hc;

    vt->init(&hc.vtable);
    vt->update(&hc.vtable, data, len);
    vt->out(&hc.vtable, out);
    return 0;
}

int
_libssh2_hmac_ctx_init(libssh2_hmac_ctx *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
    return 1;
}

static int
hmac_init(libssh2_hmac_ctx *ctx, const br_hash_class *vt,
          const void *key, size_t keylen)
{
    br_hmac_key_context kc;

    br_hmac_key_init(&kc, vt, key, keylen);
    br_hmac_init(&ctx->ctx, &kc, 0);
    ctx->out_len = br_hmac_size(&ctx->ctx);
    _libssh2_explicit_zero(&kc, sizeof(kc));
    return 1;
}

int
_libssh2_hmac_md5_init(libssh2_hmac_ctx *ctx, void *key, size_t keylen)
{
    return hmac_init(ctx, &br_md5_vtable, key, keylen);
}

int
_libssh2_hmac_sha1_init(libssh2_hmac_ctx *ctx, void *key, size_t keylen)
{
    return hmac_init(ctx, &br_sha1_vtable, key, keylen);
}

int
_libssh2_hmac_sha256_init(libssh2_hmac_ctx *ctx, void *key, size_t keylen)
{
    return hmac_init(ctx, &br_sha256_vtable, key, keylen);
}

int
_libssh2_hmac_sha512_init(libssh2_hmac_ctx *ctx, void *key, size_t keylen)
{
    return hmac_init(ctx, &br_sha512_vtable, key, keylen);
}

int
_libssh2_hmac_update(libssh2_hmac_ctx *ctx, const void *data, size_t len)
{
    if(!ctx->out_len)
        return 0;
    br_hmac_update(&ctx->ctx, data, len);
    return 1;
}

int
_libssh2_hmac_final(libssh2_hmac_ctx *ctx, void *out)
{
    if(!ctx->out_len)
        return 0;
    br_hmac_out(&ctx->ctx, out);
    return 1;
}

void
_libssh2_hmac_cleanup(libssh2_hmac_ctx *ctx)
{
    _libssh2_explicit_zero(ctx, sizeof(*ctx));
}

/*******************************************************************/
/* Ciphers.  CTR uses the ctrcbc classes: their ctr() runs a 128-bit
   big-endian counter with carry, which is SSH's aes-ctr (RFC 4344);
   br_block_ctr_class has a 32-bit counter and would be wrong. */

void
_libssh2_init_aes_ctr(void)
{
}

int
_libssh2_cipher_init(_libssh2_cipher_ctx *ctx, _libssh2_cipher_type(algo),
                     unsigned char *iv, unsigned char *secret, int encrypt)
{
    size_t keylen;

    memset(ctx, 0, sizeof(*ctx));
    ctx->algo = algo;
    ctx->encrypt = encrypt;

    switch(algo) {
    case _libssh2_cipher_aes128ctr:
    case _libssh2_cipher_aes192ctr:
    case _libssh2_cipher_aes256ctr:
        keylen = 16 + 8 * (size_t)(algo - _libssh2_cipher_aes128ctr);
        ctx->u.ctr = br_aes_x86ni_ctrcbc_get_vtable();
        if(!ctx->u.ctr)
            ctx->u.ctr = &br_aes_ct64_ctrcbc_vtable;
        ctx->u.ctr->init(&ctx->u.ctr, secret, keylen);
        memcpy(ctx->iv, iv, 16);
        return 0;
    case _libssh2_cipher_aes128:
    case _libssh2_cipher_aes192:
    case _libssh2_cipher_aes256:
        keylen = 16 + 8 * (size_t)(algo - _libssh2_cipher_aes128);
        if(encrypt) {
            ctx->u.cbcenc = br_aes_x86ni_cbcenc_get_vtable();
            if(!ctx->u.cbcenc)
                ctx->u.cbcenc = &br_aes_ct64_cbcenc_vtable;
            ctx->u.cbcenc->init(&ctx->u.cbcenc, secret, keylen);
        }
        else {
            ctx->u.cbcdec = br_aes_x86ni_cbcdec_get_vtable();
            if(!ctx->u.cbcdec)
                ctx->u.cbcdec = &br_aes_ct64_cbcdec_vtable;
            ctx->u.cbcdec->init(&ctx->u.cbcdec, secret, keylen);
        }
        memcpy(ctx->iv, iv, 16);
        return 0;
    case _libssh2_cipher_3des:
        if(encrypt) {
            ctx->u.cbcenc = &br_des_ct_cbcenc_vtable;
            ctx->u.cbcenc->init(&ctx->u.cbcenc, secret, 24);
        }
        else {
            ctx->u.cbcdec = &br_des_ct_cbcdec_vtable;
            ctx->u.cbcdec->init(&ctx->u.cbcdec, secret, 24);
        }
        memcpy(ctx->iv, iv, 8);
        return 0;
    default:
        return -1;
    }
}

/* Lengths are checked here in every build, not asserted: libssh2's
   CVE-2026-66033 was an OpenSSL-backend cipher_crypt() whose only bounds
   checks were assert()s, gone in release builds. */
int
_libssh2_cipher_crypt(_libssh2_cipher_ctx *ctx, _libssh2_cipher_type(algo),
                      int encrypt, unsigned char *block, size_t blocksize,
                      int firstlast)
{
    size_t bs = algo == _libssh2_cipher_3des ? 8 : 16;

    (void)firstlast;
    if(algo != ctx->algo || encrypt != ctx->encrypt ||
       blocksize == 0 || blocksize % bs != 0)
        return -1;

    switch(algo) {
    case _libssh2_cipher_aes128ctr:
    case _libssh2_cipher_aes192ctr:
    case _libssh2_cipher_aes256ctr:
        ctx->u.ctr->ctr(&ctx->u.ctr, ctx->iv, block, blocksize);
        return 0;
    case _libssh2_cipher_aes128:
    case _libssh2_cipher_aes192:
    case _libssh2_cipher_aes256:
    case _libssh2_cipher_3des:
        if(encrypt)
            ctx->u.cbcenc->run(&ctx->u.cbcenc, ctx->iv, block, blocksize);
        else
            ctx->u.cbcdec->run(&ctx->u.cbcdec, ctx->iv, block, blocksize);
        return 0;
    default:
        return -1;
    }
}

void
_libssh2_bearssl_cipher_dtor(_libssh2_cipher_ctx *ctx)
{
    _libssh2_explicit_zero(ctx, sizeof(*ctx));
}

/*******************************************************************/
/* Big numbers */

_libssh2_bn *
_libssh2_bearssl_bn_init(void)
{
    return calloc(1, sizeof(_libssh2_bn));
}

int
_libssh2_bearssl_bn_from_bin(_libssh2_bn *bn, size_t len,
                             const unsigned char *bin)
{
    unsigned char *v = NULL;

    if(!bn)
        return -1;
    strip_zeros(&bin, &len);
    if(len) {
        v = malloc(len);
        if(!v)
            return -1;
        memcpy(v, bin, len);
    }
    wipe_free(bn->v, bn->len);
    bn->v = v;
    bn->len = len;
    return 0;
}

int
_libssh2_bearssl_bn_set_word(_libssh2_bn *bn, unsigned long word)
{
    unsigned char b[sizeof(word)];
    size_t i;

    for(i = 0; i < sizeof(word); i++)
        b[sizeof(word) - 1 - i] = (unsigned char)(word >> (8 * i));
    return _libssh2_bearssl_bn_from_bin(bn, sizeof(b), b);
}

/* Zero never goes on the wire in SSH's key exchanges: it is what a failed
   DH computation leaves (kex.c ignores libssh2_dh_secret()'s result), so
   writing it out fails. */
int
_libssh2_bearssl_bn_to_bin(const _libssh2_bn *bn, unsigned char *bin)
{
    if(!bn || !bn->len)
        return -1;
    memcpy(bin, bn->v, bn->len);
    return 0;
}

size_t
_libssh2_bearssl_bn_bits(const _libssh2_bn *bn)
{
    size_t bits;
    unsigned char top;

    if(!bn->len)
        return 0;
    bits = 8 * (bn->len - 1);
    for(top = bn->v[0]; top; top >>= 1)
        bits++;
    return bits;
}

void
_libssh2_bearssl_bn_free(_libssh2_bn *bn)
{
    if(bn) {
        wipe_free(bn->v, bn->len);
        free(bn);
    }
}

/*******************************************************************/
/* Diffie-Hellman: modexp on BearSSL's i31 code with buffers sized by the
   modulus, so 8192-bit groups work (br_rsa_*_public stops at 4096). */

/* i31 words for an integer of len bytes, including the header word */
#define I31_WORDS(len) (1 + ((len) * 8 + 30) / 31)
/* temporaries for br_i31_modpow_opt: room for a 4-bit window */
#define DH_TMP_INTS 18

/* out (plen bytes) = base^e mod p; p odd.  0 or -1. */
static int
dh_modpow(unsigned char *out, const _libssh2_bn *base,
          const unsigned char *e, size_t elen, const _libssh2_bn *p)
{
    size_t words, twlen;
    uint32_t *m = NULL, *x, *tmp;
    int rc = -1;

    if(!p->len || !(p->v[p->len - 1] & 1) ||
       p->len > LIBSSH2_DH_MAX_MODULUS_BITS / 8)
        return -1;
    words = I31_WORDS(p->len);
    twlen = DH_TMP_INTS * words;
    m = calloc(2 * words + twlen, sizeof(uint32_t));
    if(!m)
        return -1;
    x = m + words;
    tmp = x + words;

    br_i31_decode(m, p->v, p->len);
    if(br_i31_decode_mod(x, base->v, base->len, m) &&
       br_i31_modpow_opt(x, e, elen, m, br_i31_ninv31(m[1]), tmp, twlen)) {
        br_i31_encode(out, p->len, x);
        rc = 0;
    }
    wipe_free(m, (2 * words + twlen) * sizeof(uint32_t));
    return rc;
}

/* 1 < v < p - 1 (RFC 4253 section 8; p is odd, so p - 1 only differs from
   p in its last byte) */
static int
dh_in_range(const _libssh2_bn *v, const _libssh2_bn *p)
{
    unsigned char one = 1;
    unsigned char *pm1;
    int ok;

    if(!p->len || be_cmp(v->v, v->len, &one, 1) <= 0)
        return 0;
    pm1 = malloc(p->len);
    if(!pm1)
        return 0;
    memcpy(pm1, p->v, p->len);
    pm1[p->len - 1] &= 0xFE;
    ok = be_cmp(v->v, v->len, pm1, p->len) < 0;
    free(pm1);
    return ok;
}

void
_libssh2_dh_init(_libssh2_dh_ctx *dhctx)
{
    *dhctx = _libssh2_bearssl_bn_init();
}

/* x has 8 * group_order - 1 bits, its top bit set, as in the other
   backends; e = g^x mod p. */
int
_libssh2_dh_key_pair(_libssh2_dh_ctx *dhctx, _libssh2_bn *public,
                     _libssh2_bn *g, _libssh2_bn *p, int group_order)
{
    unsigned char *x = NULL, *e = NULL;
    size_t xlen = (size_t)group_order;
    int rc = -1;

    if(!*dhctx || group_order < 2 || xlen > p->len || !dh_in_range(g, p))
        return -1;
    x = malloc(xlen);
    e = malloc(p->len);
    if(!x || !e || _libssh2_bearssl_random(x, xlen))
        goto out;
    x[0] = (unsigned char)((x[0] & 0x7F) | 0x40);
    if(dh_modpow(e, g, x, xlen, p) ||
       _libssh2_bearssl_bn_from_bin(public, p->len, e) ||
       _libssh2_bearssl_bn_from_bin(*dhctx, xlen, x))
        goto out;
    rc = 0;
out:
    wipe_free(x, xlen);
    free(e);
    return rc;
}

int
_libssh2_dh_secret(_libssh2_dh_ctx *dhctx, _libssh2_bn *secret,
                   _libssh2_bn *f, _libssh2_bn *p)
{
    unsigned char *k;
    int rc = -1;

    _libssh2_bearssl_bn_from_bin(secret, 0, NULL);
    if(!*dhctx || !(*dhctx)->len || !dh_in_range(f, p))
        return -1;
    k = malloc(p->len);
    if(!k)
        return -1;
    if(!dh_modpow(k, f, (*dhctx)->v, (*dhctx)->len, p))
        rc = _libssh2_bearssl_bn_from_bin(secret, p->len, k);
    wipe_free(k, p->len);
    return rc;
}

void
_libssh2_dh_dtor(_libssh2_dh_ctx *dhctx)
{
    _libssh2_bearssl_bn_free(*dhctx);
    *dhctx = NULL;
}

/*******************************************************************/
/* RSA */

void
_libssh2_bearssl_rsa_free(libssh2_rsa_ctx *rsa)
{
    if(rsa) {
        wipe_free(rsa->mem, rsa->mem_len);
        _libssh2_explicit_zero(rsa, sizeof(*rsa));
        free(rsa);
    }
}

/* out (plen bytes) = d mod (p - 1); p odd */
static int
rsa_crt_exponent(unsigned char *out, const unsigned char *d, size_t dlen,
                 const unsigned char *p, size_t plen)
{
    size_t words = I31_WORDS(plen);
    uint32_t *m, *x;
    unsigned char *pm1;

    if(!plen || !(p[plen - 1] & 1) || (plen == 1 && p[0] < 5))
        return -1;
    m = calloc(2 * words, sizeof(uint32_t));
    pm1 = malloc(plen);
    if(!m || !pm1) {
        free(m);
        free(pm1);
        return -1;
    }
    x = m + words;
    memcpy(pm1, p, plen);
    pm1[plen - 1] &= 0xFE;
    br_i31_decode(m, pm1, plen);
    br_i31_decode_reduce(x, d, dlen, m);
    br_i31_encode(out, plen, x);
    wipe_free(m, 2 * words * sizeof(uint32_t));
    wipe_free(pm1, plen);
    return 0;
}

/* p * q == n, checked with caller-sized buffers (BearSSL's
   br_rsa_i31_compute_modulus runs out of room for 4096-bit keys) */
static int
rsa_check_modulus(const unsigned char *n, size_t nl,
                  const unsigned char *p, size_t pl,
                  const unsigned char *q, size_t ql)
{
    size_t pw = I31_WORDS(pl), qw = I31_WORDS(ql), tw = pw + qw + 1;
    uint32_t *a, *b, *t;
    unsigned char *got;
    int ok = 0;

    a = calloc(pw + qw + tw, sizeof(uint32_t));
    got = malloc(pl + ql);
    if(a && got) {
        b = a + pw;
        t = b + qw;
        br_i31_decode(a, p, pl);
        br_i31_decode(b, q, ql);
        t[0] = a[0];        /* br_i31_zero(t, a[0]): calloc'ed */
        br_i31_mulacc(t, a, b);
        br_i31_encode(got, pl + ql, t);
        ok = be_cmp(got, pl + ql, n, nl) == 0;
    }
    wipe_free(a, (pw + qw + tw) * sizeof(uint32_t));
    free(got);
    return ok ? 0 : -1;
}

/* e1 (d mod (p-1)) and e2 (d mod (q-1)) may be NULL: OpenSSH's key format
   has no CRT exponents, they are computed from d then. */
int
_libssh2_rsa_new(libssh2_rsa_ctx **rsa,
                 const unsigned char *edata, unsigned long elen,
                 const unsigned char *ndata, unsigned long nlen,
                 const unsigned char *ddata, unsigned long dlen,
                 const unsigned char *pdata, unsigned long plen,
                 const unsigned char *qdata, unsigned long qlen,
                 const unsigned char *e1data, unsigned long e1len,
                 const unsigned char *e2data, unsigned long e2len,
                 const unsigned char *coeffdata, unsigned long coefflen)
{
    libssh2_rsa_ctx *ctx;
    size_t el = elen, nl = nlen, dl = dlen, pl = plen, ql = qlen;
    size_t e1l = e1len, e2l = e2len, cl = coefflen, need;
    unsigned char *w;
    unsigned char top;

    *rsa = NULL;
    if(!edata || !ndata)
        return -1;
    strip_zeros(&edata, &el);
    strip_zeros(&ndata, &nl);
    if(!el || el > nl || nl > rsa_max_bytes() || !(ndata[nl - 1] & 1))
        return -1;

    ctx = calloc(1, sizeof(*ctx));
    if(!ctx)
        return -1;
    need = el + nl;
    if(ddata) {
        if(!pdata || !qdata || !coeffdata)
            goto fail;
        strip_zeros(&ddata, &dl);
        strip_zeros(&pdata, &pl);
        strip_zeros(&qdata, &ql);
        strip_zeros(&coeffdata, &cl);
        if(e1data)
            strip_zeros(&e1data, &e1l);
        if(e2data)
            strip_zeros(&e2data, &e2l);
        if(!dl || !pl || !ql || !cl || pl > nl || ql > nl)
            goto fail;
        need += 3 * pl + 2 * ql;    /* p, dp, iq (< p) ; q, dq */
        if(cl > pl || (e1data && e1l > pl) || (e2data && e2l > ql))
            goto fail;
    }
    ctx->mem = calloc(1, need);
    if(!ctx->mem)
        goto fail;
    ctx->mem_len = need;

    w = ctx->mem;
    ctx->pk.n = w;
    ctx->pk.nlen = nl;
    memcpy(w, ndata, nl);
    w += nl;
    ctx->pk.e = w;
    ctx->pk.elen = el;
    memcpy(w, edata, el);
    w += el;

    ctx->sk.n_bitlen = (uint32_t)(8 * (nl - 1));
    for(top = ndata[0]; top; top >>= 1)
        ctx->sk.n_bitlen++;
    if(ctx->sk.n_bitlen < BR_RSA_MIN_BITS)
        goto fail;

    if(ddata) {
        ctx->sk.p = w;
        ctx->sk.plen = pl;
        memcpy(w, pdata, pl);
        w += pl;
        ctx->sk.q = w;
        ctx->sk.qlen = ql;
        memcpy(w, qdata, ql);
        w += ql;
        ctx->sk.dp = w;
        ctx->sk.dplen = pl;
        if(e1data)
            memcpy(w + pl - e1l, e1data, e1l);
        else if(rsa_crt_exponent(w, ddata, dl, pdata, pl))
            goto fail;
        w += pl;
        ctx->sk.dq = w;
        ctx->sk.dqlen = ql;
        if(e2data)
            memcpy(w + ql - e2l, e2data, e2l);
        else if(rsa_crt_exponent(w, ddata, dl, qdata, ql))
            goto fail;
        w += ql;
        ctx->sk.iq = w;
        ctx->sk.iqlen = pl;
        memcpy(w + pl - cl, coeffdata, cl);

        /* catches keys that are corrupt or mixed up */
        if(rsa_check_modulus(ndata, nl, pdata, pl, qdata, ql))
            goto fail;
        ctx->has_private = 1;
    }
    *rsa = ctx;
    return 0;
fail:
    _libssh2_bearssl_rsa_free(ctx);
    return -1;
}

static const unsigned char *
rsa_hash_oid(size_t hash_len)
{
    switch(hash_len) {
    case SHA_DIGEST_LENGTH:
        return BR_HASH_OID_SHA1;
    case SHA256_DIGEST_LENGTH:
        return BR_HASH_OID_SHA256;
    case SHA384_DIGEST_LENGTH:
        return BR_HASH_OID_SHA384;
    case SHA512_DIGEST_LENGTH:
        return BR_HASH_OID_SHA512;
    default:
        return NULL;
    }
}

static const br_hash_class *
hash_by_len(size_t hash_len)
{
    switch(hash_len) {
    case SHA_DIGEST_LENGTH:
        return &br_sha1_vtable;
    case SHA256_DIGEST_LENGTH:
        return &br_sha256_vtable;
    case SHA384_DIGEST_LENGTH:
        return &br_sha384_vtable;
    case SHA512_DIGEST_LENGTH:
        return &br_sha512_vtable;
    default:
        return NULL;
    }
}

int
_libssh2_rsa_sha2_verify(libssh2_rsa_ctx *rsa, size_t hash_len,
                         const unsigned char *sig, size_t sig_len,
                         const unsigned char *m, size_t m_len)
{
    const unsigned char *oid = rsa_hash_oid(hash_len);
    const br_hash_class *hf = hash_by_len(hash_len);
    unsigned char want[64], got[64];
    unsigned char padded[BR_RSA_BUF_BYTES];
    size_t modlen = rsa->pk.nlen;

    /* Some peers drop the signature's leading zero bytes; OpenSSH pads
       them back, so do the same. */
    strip_zeros(&sig, &sig_len);
    if(!oid || sig_len > modlen)
        return -1;
    memset(padded, 0, modlen - sig_len);
    memcpy(padded + modlen - sig_len, sig, sig_len);

    _libssh2_bearssl_hash(hf, m, m_len, want);
    if(!br_rsa_pkcs1_vrfy_get_default()(padded, modlen, oid, hash_len,
                                        &rsa->pk, got))
        return -1;
    return ct_equal(want, got, hash_len) ? 0 : -1;
}

int
_libssh2_rsa_sha1_verify(libssh2_rsa_ctx *rsa,
                         const unsigned char *sig, size_t sig_len,
                         const unsigned char *m, size_t m_len)
{
    return _libssh2_rsa_sha2_verify(rsa, SHA_DIGEST_LENGTH, sig, sig_len,
                                    m, m_len);
}

int
_libssh2_rsa_sha2_sign(LIBSSH2_SESSION *session, libssh2_rsa_ctx *rsa,
                       const unsigned char *hash, size_t hash_len,
                       unsigned char **signature, size_t *signature_len)
{
    const unsigned char *oid = rsa_hash_oid(hash_len);
    size_t len = (rsa->sk.n_bitlen + 7) / 8;
    unsigned char *sig;

    if(!rsa->has_private)
        return _libssh2_error(session, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED,
                              "RSA key has no private part");
    if(!oid)
        return _libssh2_error(session, LIBSSH2_ERROR_PROTO,
                              "Unsupported hash digest length");
    sig = LIBSSH2_ALLOC(session, len);
    if(!sig)
        return -1;
    if(!br_rsa_pkcs1_sign_get_default()(oid, hash, hash_len, &rsa->sk,
                                        sig)) {
        LIBSSH2_FREE(session, sig);
        return _libssh2_error(session, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED,
                              "RSA signing failed");
    }
    *signature = sig;
    *signature_len = len;
    return 0;
}

int
_libssh2_rsa_sha1_sign(LIBSSH2_SESSION *session, libssh2_rsa_ctx *rsa,
                       const unsigned char *hash, size_t hash_len,
                       unsigned char **signature, size_t *signature_len)
{
    return _libssh2_rsa_sha2_sign(session, rsa, hash, hash_len,
                                  signature, signature_len);
}

/* "ssh-rsa", mpint e, mpint n */
static unsigned char *
rsa_public_blob(LIBSSH2_SESSION *session, const libssh2_rsa_ctx *rsa,
                size_t *len)
{
    unsigned char *blob, *p;

    blob = LIBSSH2_ALLOC(session, 4 + 7 + 4 + 1 + rsa->pk.elen +
                         4 + 1 + rsa->pk.nlen);
    if(!blob)
        return NULL;
    p = blob;
    _libssh2_store_str(&p, "ssh-rsa", 7);
    _libssh2_store_bignum2_bytes(&p, rsa->pk.e, rsa->pk.elen);
    _libssh2_store_bignum2_bytes(&p, rsa->pk.n, rsa->pk.nlen);
    *len = (size_t)(p - blob);
    return blob;
}

/*******************************************************************/
/* ECDSA, ECDH and X25519 */

struct ec_curve {
    int id;
    const char *name;       /* SSH key type */
    const char *ident;      /* SSH curve identifier */
    size_t olen;            /* order length: r and s */
    size_t plen;            /* uncompressed point length */
    const br_hash_class *hash;
    size_t hlen;
};

static const struct ec_curve ec_curves[] = {
    { BR_EC_secp256r1, "ecdsa-sha2-nistp256", "nistp256", 32, 65,
      &br_sha256_vtable, SHA256_DIGEST_LENGTH },
    { BR_EC_secp384r1, "ecdsa-sha2-nistp384", "nistp384", 48, 97,
      &br_sha384_vtable, SHA384_DIGEST_LENGTH },
    { BR_EC_secp521r1, "ecdsa-sha2-nistp521", "nistp521", 66, 133,
      &br_sha512_vtable, SHA512_DIGEST_LENGTH },
};

static const struct ec_curve *
ec_curve_by_id(int id)
{
    size_t i;

    for(i = 0; i < sizeof(ec_curves) / sizeof(ec_curves[0]); i++)
        if(ec_curves[i].id == id)
            return &ec_curves[i];
    return NULL;
}

static const struct ec_curve *
ec_curve_by_name(const char *name, size_t len)
{
    size_t i;

    for(i = 0; i < sizeof(ec_curves) / sizeof(ec_curves[0]); i++)
        if(strlen(ec_curves[i].name) == len &&
           !memcmp(ec_curves[i].name, name, len))
            return &ec_curves[i];
    return NULL;
}

void
_libssh2_bearssl_ec_free(struct _libssh2_bearssl_ec *ec)
{
    wipe_free(ec, ec ? sizeof(*ec) : 0);
}

libssh2_curve_type
_libssh2_ecdsa_get_curve_type(libssh2_ecdsa_ctx *ec)
{
    return (libssh2_curve_type)ec->pk.curve;
}

int
_libssh2_ecdsa_curve_type_from_name(const char *name,
                                    libssh2_curve_type *out_type)
{
    const struct ec_curve *c = name ? ec_curve_by_name(name, strlen(name))
                                    : NULL;

    if(!c)
        return -1;
    if(out_type)
        *out_type = (libssh2_curve_type)c->id;
    return 0;
}

/* A public key from its point, checked to be on the curve. */
static struct _libssh2_bearssl_ec *
ec_new_public(const struct ec_curve *c, const unsigned char *q, size_t qlen)
{
    static const unsigned char one = 1;
    struct _libssh2_bearssl_ec *ec;
    unsigned char tmp[BR_EC_KBUF_PUB_MAX_SIZE];

    if(qlen != c->plen || q[0] != 0x04)
        return NULL;
    memcpy(tmp, q, qlen);
    if(!br_ec_get_default()->mul(tmp, qlen, &one, 1, c->id))
        return NULL;
    ec = calloc(1, sizeof(*ec));
    if(!ec)
        return NULL;
    memcpy(ec->q, q, qlen);
    ec->pk.curve = c->id;
    ec->pk.q = ec->q;
    ec->pk.qlen = qlen;
    return ec;
}

/* A private key from its scalar (1 <= x < order, checked by BearSSL while
   it computes the public point). */
static struct _libssh2_bearssl_ec *
ec_new_private(const struct ec_curve *c, const unsigned char *x, size_t xlen)
{
    struct _libssh2_bearssl_ec *ec;

    strip_zeros(&x, &xlen);
    if(!xlen || xlen > c->olen)
        return NULL;
    ec = calloc(1, sizeof(*ec));
    if(!ec)
        return NULL;
    memcpy(ec->x, x, xlen);
    ec->sk.curve = c->id;
    ec->sk.x = ec->x;
    ec->sk.xlen = xlen;
    if(br_ec_compute_pub(br_ec_get_default(), &ec->pk, ec->q, &ec->sk) !=
       c->plen) {
        _libssh2_bearssl_ec_free(ec);
        return NULL;
    }
    ec->has_private = 1;
    return ec;
}

int
_libssh2_ecdsa_curve_name_with_octal_new(libssh2_ecdsa_ctx **ec,
                                         const unsigned char *k,
                                         size_t k_len,
                                         libssh2_curve_type type)
{
    const struct ec_curve *c = ec_curve_by_id((int)type);

    *ec = c ? ec_new_public(c, k, k_len) : NULL;
    return *ec ? 0 : -1;
}

int
_libssh2_ecdsa_verify(libssh2_ecdsa_ctx *ec,
                      const unsigned char *r, size_t r_len,
                      const unsigned char *s, size_t s_len,
                      const unsigned char *m, size_t m_len)
{
    const struct ec_curve *c = ec_curve_by_id(ec->pk.curve);
    unsigned char raw[2 * 66], hash[64];

    strip_zeros(&r, &r_len);
    strip_zeros(&s, &s_len);
    if(!c || !r_len || !s_len || r_len > c->olen || s_len > c->olen)
        return -1;
    memset(raw, 0, sizeof(raw));
    memcpy(raw + c->olen - r_len, r, r_len);
    memcpy(raw + 2 * c->olen - s_len, s, s_len);
    _libssh2_bearssl_hash(c->hash, m, m_len, hash);
    return br_ecdsa_i31_vrfy_raw(br_ec_get_default(), hash, c->hlen,
                                 &ec->pk, raw, 2 * c->olen) ? 0 : -1;
}

/* The signature is mpint r, mpint s (RFC 5656 section 3.1.2); hostkey.c
   and userauth.c wrap it. */
int
_libssh2_ecdsa_sign(LIBSSH2_SESSION *session, libssh2_ecdsa_ctx *ec,
                    const unsigned char *hash, size_t hash_len,
                    unsigned char **signature, size_t *signature_len)
{
    const struct ec_curve *c = ec_curve_by_id(ec->sk.curve);
    const br_hash_class *hf = hash_by_len(hash_len);
    unsigned char raw[2 * 66], *sig, *p;

    if(!ec->has_private || !c || !hf)
        return _libssh2_error(session, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED,
                              "ECDSA signing not possible with this key");
    if(br_ecdsa_i31_sign_raw(br_ec_get_default(), hf, hash, &ec->sk, raw) !=
       2 * c->olen)
        return _libssh2_error(session, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED,
                              "ECDSA signing failed");
    sig = LIBSSH2_ALLOC(session, 2 * (4 + 1 + c->olen));
    if(!sig)
        return -1;
    p = sig;
    _libssh2_store_bignum2_bytes(&p, raw, c->olen);
    _libssh2_store_bignum2_bytes(&p, raw + c->olen, c->olen);
    *signature = sig;
    *signature_len = (size_t)(p - sig);
    return 0;
}

/* string key type, string curve, string point */
static unsigned char *
ec_public_blob(LIBSSH2_SESSION *session, const struct _libssh2_bearssl_ec *ec,
               size_t *len)
{
    const struct ec_curve *c = ec_curve_by_id(ec->pk.curve);
    unsigned char *blob, *p;

    blob = LIBSSH2_ALLOC(session, 4 + 19 + 4 + 8 + 4 + ec->pk.qlen);
    if(!blob)
        return NULL;
    p = blob;
    _libssh2_store_str(&p, c->name, strlen(c->name));
    _libssh2_store_str(&p, c->ident, strlen(c->ident));
    _libssh2_store_str(&p, (const char *)ec->pk.q, ec->pk.qlen);
    *len = (size_t)(p - blob);
    return blob;
}

int
_libssh2_ecdsa_create_key(LIBSSH2_SESSION *session,
                          _libssh2_ec_key **out_private_key,
                          unsigned char **out_public_key_octal,
                          size_t *out_public_key_octal_len,
                          libssh2_curve_type curve_type)
{
    const struct ec_curve *c = ec_curve_by_id((int)curve_type);
    br_hmac_drbg_context drbg;
    unsigned char x[BR_EC_KBUF_PRIV_MAX_SIZE];
    br_ec_private_key sk;
    size_t xlen;
    int rc = -1;

    *out_private_key = NULL;
    *out_public_key_octal = NULL;
    if(!c || drbg_seed(&drbg))
        return -1;
    xlen = br_ec_keygen(&drbg.vtable, br_ec_get_default(), &sk, x, c->id);
    if(xlen) {
        *out_private_key = ec_new_private(c, x, xlen);
        if(*out_private_key) {
            *out_public_key_octal = LIBSSH2_ALLOC(session, c->plen);
            if(*out_public_key_octal) {
                memcpy(*out_public_key_octal, (*out_private_key)->q,
                       c->plen);
                *out_public_key_octal_len = c->plen;
                rc = 0;
            }
            else {
                _libssh2_bearssl_ec_free(*out_private_key);
                *out_private_key = NULL;
            }
        }
    }
    _libssh2_explicit_zero(&drbg, sizeof(drbg));
    _libssh2_explicit_zero(x, sizeof(x));
    _libssh2_explicit_zero(&sk, sizeof(sk));
    return rc;
}

int
_libssh2_ecdh_gen_k(_libssh2_bn **k, _libssh2_ec_key *private_key,
                    const unsigned char *server_public_key,
                    size_t server_public_key_len)
{
    const struct ec_curve *c = ec_curve_by_id(private_key->sk.curve);
    const br_ec_impl *impl = br_ec_get_default();
    unsigned char point[BR_EC_KBUF_PUB_MAX_SIZE];
    size_t xoff, xlen;
    int rc = -1;

    if(!*k || !c || server_public_key_len != c->plen ||
       server_public_key[0] != 0x04)
        return -1;
    memcpy(point, server_public_key, c->plen);
    if(impl->mul(point, c->plen, private_key->sk.x, private_key->sk.xlen,
                 c->id)) {
        xoff = impl->xoff(c->id, &xlen);
        rc = _libssh2_bearssl_bn_from_bin(*k, xlen, point + xoff);
    }
    _libssh2_explicit_zero(point, sizeof(point));
    return rc;
}

int
_libssh2_curve25519_new(LIBSSH2_SESSION *session, uint8_t **out_public_key,
                        uint8_t **out_private_key)
{
    uint8_t *pub = LIBSSH2_ALLOC(session, LIBSSH2_ED25519_KEY_LEN);
    uint8_t *priv = LIBSSH2_ALLOC(session, LIBSSH2_ED25519_KEY_LEN);

    if(!pub || !priv ||
       _libssh2_bearssl_random(priv, LIBSSH2_ED25519_KEY_LEN) ||
       br_ec_c25519_m31.mulgen(pub, priv, LIBSSH2_ED25519_KEY_LEN,
                               BR_EC_curve25519) != LIBSSH2_ED25519_KEY_LEN) {
        if(pub)
            LIBSSH2_FREE(session, pub);
        wipe_session_free(session, priv, LIBSSH2_ED25519_KEY_LEN);
        return -1;
    }
    *out_public_key = pub;
    *out_private_key = priv;
    return 0;
}

/* An all-zero result (a low-order peer point) is refused, as RFC 7748
   section 6.1 allows and OpenSSH does. */
int
_libssh2_curve25519_gen_k(_libssh2_bn **k,
                          uint8_t private_key[LIBSSH2_ED25519_KEY_LEN],
                          uint8_t server_public_key[LIBSSH2_ED25519_KEY_LEN])
{
    static const unsigned char zero[LIBSSH2_ED25519_KEY_LEN];
    unsigned char shared[LIBSSH2_ED25519_KEY_LEN];
    int rc = -1;

    if(!*k)
        return -1;
    memcpy(shared, server_public_key, sizeof(shared));
    if(br_ec_c25519_m31.mul(shared, sizeof(shared), private_key,
                            LIBSSH2_ED25519_KEY_LEN, BR_EC_curve25519) &&
       !ct_equal(shared, zero, sizeof(shared)))
        rc = _libssh2_bearssl_bn_from_bin(*k, sizeof(shared), shared);
    _libssh2_explicit_zero(shared, sizeof(shared));
    return rc;
}

/*******************************************************************/
/* Private key files */

#include "bearssl_keys.c"

#endif /* LIBSSH2_CRYPTO_C */
