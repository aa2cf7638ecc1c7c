/* key.c: key generation and encodings on BearSSL (see key.h). */
#include "key.h"
#include "rand.h"
#include "../state/log.h"
#include "../util/str.h"
#include <bearssl.h>

#define OID_RSA_ENCRYPTION "1.2.840.113549.1.1.1"
#define OID_SHA256_RSA "1.2.840.113549.1.1.11"
#define OID_EC_PUBLIC_KEY "1.2.840.10045.2.1"
#define OID_P256 "1.2.840.10045.3.1.7"
#define OID_ECDSA_SHA256 "1.2.840.10045.4.3.2"

int key_generate(struct key *k, enum key_type type, unsigned bits)
{
	br_hmac_drbg_context rng;
	int ret = -1;

	memset(k, 0, sizeof(*k));
	k->type = type;
	if (rand_drbg_init(&rng))
		return -1;
	if (type == KEY_RSA) {
		if (bits < KEY_RSA_MIN_BITS || bits > KEY_RSA_MAX_BITS) {
			error("RSA keys are %d to %d bits, not %u",
			      KEY_RSA_MIN_BITS, KEY_RSA_MAX_BITS, bits);
			goto out;
		}
		k->bits = bits;
		if (!br_rsa_keygen_get_default()(&rng.vtable, &k->rsa,
						 k->kpriv, &k->rsa_pub, k->kpub,
						 bits, KEY_RSA_EXPONENT)) {
			error("RSA key generation failed");
			goto out;
		}
		k->dlen = br_rsa_compute_privexp_get_default()(
			k->d, &k->rsa, KEY_RSA_EXPONENT);
		if (!k->dlen) {
			error("RSA private exponent computation failed");
			goto out;
		}
	} else {
		const br_ec_impl *ec = br_ec_get_default();

		k->bits = 256;
		if (!br_ec_keygen(&rng.vtable, ec, &k->ec, k->kpriv,
				  BR_EC_secp256r1) ||
		    !br_ec_compute_pub(ec, &k->ec_pub, k->kpub, &k->ec)) {
			error("EC key generation failed");
			goto out;
		}
	}
	ret = 0;
out:
	explicit_bzero(&rng, sizeof(rng));
	if (ret)
		key_wipe(k);
	return ret;
}

void key_wipe(struct key *k)
{
	explicit_bzero(k, sizeof(*k));
}

int pem_add(struct buf *out, const char *label, const void *data,
	    size_t len)
{
	size_t n = br_pem_encode(NULL, data, len, label, BR_PEM_LINE64);
	char *p = xmalloc(n + 1);
	int ret;

	br_pem_encode(p, data, len, label, BR_PEM_LINE64);
	ret = buf_add(out, p, n);
	explicit_bzero(p, n + 1);
	free(p);
	return ret;
}

/* The private key as DER: PKCS#8, or the raw PKCS#1 / SEC1 form. */
static uint8_t *private_der(const struct key *k, bool pkcs8, size_t *len)
{
	uint8_t *der = NULL;
	size_t n;
	int pass;

	/* BearSSL's encoders give the length first (NULL), then encode. */
	for (pass = 0; pass < 2; pass++) {
		if (k->type == KEY_RSA && pkcs8)
			n = br_encode_rsa_pkcs8_der(der, &k->rsa, &k->rsa_pub,
						    k->d, k->dlen);
		else if (k->type == KEY_RSA)
			n = br_encode_rsa_raw_der(der, &k->rsa, &k->rsa_pub,
						  k->d, k->dlen);
		else if (pkcs8)
			n = br_encode_ec_pkcs8_der(der, &k->ec, &k->ec_pub);
		else
			n = br_encode_ec_raw_der(der, &k->ec, &k->ec_pub);
		if (!n)
			return NULL;
		if (!der)
			der = xmalloc(n);
	}
	*len = n;
	return der;
}

int key_private_pem(const struct key *k, struct buf *out)
{
	size_t n = 0;
	uint8_t *der = private_der(k, false, &n);
	int ret;

	if (!der) {
		buf_wipe(out);
		return error("cannot encode the private key");
	}
	ret = pem_add(out, k->type == KEY_RSA ? "RSA PRIVATE KEY" :
		      "EC PRIVATE KEY", der, n);
	explicit_bzero(der, n);
	free(der);
	return ret;
}

uint8_t *key_pkcs8(const struct key *k, size_t *len)
{
	return private_der(k, true, len);
}

/* The subjectPublicKey bits: RSAPublicKey DER, or the EC point. */
static uint8_t *public_bits(const struct key *k, size_t *len)
{
	struct der d;

	der_init(&d, DER_CAP_CERT);
	if (k->type == KEY_RSA) {
		der_begin(&d, DER_SEQUENCE);
		der_uint(&d, k->rsa_pub.n, k->rsa_pub.nlen);
		der_uint(&d, k->rsa_pub.e, k->rsa_pub.elen);
		der_end(&d);
	} else {
		der_raw(&d, k->ec_pub.q, k->ec_pub.qlen);
	}
	return der_take(&d, len);
}

void key_spki(struct der *d, const struct key *k)
{
	size_t n = 0;
	uint8_t *bits = public_bits(k, &n);

	if (!bits) {
		d->err = true;
		return;
	}
	der_begin(d, DER_SEQUENCE);
	der_begin(d, DER_SEQUENCE);
	if (k->type == KEY_RSA) {
		der_oid(d, OID_RSA_ENCRYPTION);
		der_null(d);
	} else {
		der_oid(d, OID_EC_PUBLIC_KEY);
		der_oid(d, OID_P256);
	}
	der_end(d);
	der_bits(d, bits, n);
	der_end(d);
	free(bits);
}

void key_id(const struct key *k, uint8_t out[20])
{
	br_sha1_context h;
	size_t n = 0;
	uint8_t *bits = public_bits(k, &n);

	br_sha1_init(&h);
	if (bits)
		br_sha1_update(&h, bits, n);
	br_sha1_out(&h, out);
	free(bits);
}

void key_sig_alg(struct der *d, const struct key *k)
{
	der_begin(d, DER_SEQUENCE);
	if (k->type == KEY_RSA) {
		der_oid(d, OID_SHA256_RSA);
		der_null(d);
	} else {
		der_oid(d, OID_ECDSA_SHA256);
	}
	der_end(d);
}

void key_sign(struct der *d, const struct key *k, const void *data,
	      size_t len)
{
	unsigned char hash[32], sig[KEY_RSA_MAX_BITS / 8];
	br_sha256_context h;
	size_t n;

	br_sha256_init(&h);
	br_sha256_update(&h, data, len);
	br_sha256_out(&h, hash);
	if (k->type == KEY_RSA) {
		n = k->rsa_pub.nlen;
		if (!br_rsa_pkcs1_sign_get_default()(BR_HASH_OID_SHA256, hash,
						     sizeof(hash), &k->rsa,
						     sig))
			n = 0;
	} else {
		n = br_ecdsa_sign_asn1_get_default()(br_ec_get_default(),
						     &br_sha256_vtable, hash,
						     &k->ec, sig);
	}
	if (n)
		der_raw(d, sig, n);
	else
		d->err = true;
	explicit_bzero(&h, sizeof(h));
}

static void pem_append(void *ctx, const void *data, size_t len)
{
	der_raw(ctx, data, len);
}

int pem_decode(const void *text, size_t len, char *label, uint8_t **der,
	       size_t *der_len)
{
	br_pem_decoder_context pc;
	struct der sink;	/* wipes what it held as it grows */
	const uint8_t *p = text;
	bool in = false;
	int ret = -1;

	der_init(&sink, DER_CAP_CERT);
	br_pem_decoder_init(&pc);
	while (len) {
		size_t n = br_pem_decoder_push(&pc, p, len);

		p += n;
		len -= n;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			strlcpy_icm(label, br_pem_decoder_name(&pc),
				    PEM_LABEL_MAX);
			br_pem_decoder_setdest(&pc, pem_append, &sink);
			in = true;
			break;
		case BR_PEM_END_OBJ:
			if (!in || !sink.len)
				goto out;
			*der = der_take(&sink, der_len);
			ret = *der ? 0 : -1;
			goto out;
		case BR_PEM_ERROR:
			goto out;
		}
	}
out:
	der_release(&sink);
	explicit_bzero(&pc, sizeof(pc));
	return ret;
}

/* Copies n bytes into the key's buffer at *off; false when full. */
static bool kput(uint8_t *buf, size_t size, size_t *off, unsigned char **dst,
		 const void *src, size_t n)
{
	if (n > size - *off)
		return false;
	memcpy(buf + *off, src, n);
	*dst = buf + *off;
	*off += n;
	return true;
}

static int rsa_from(struct key *k, const br_rsa_private_key *sk)
{
	br_rsa_private_key *r = &k->rsa;
	size_t off = 0, nlen;
	uint32_t e;

	if (sk->n_bitlen < KEY_RSA_MIN_BITS || sk->n_bitlen > KEY_RSA_MAX_BITS)
		return -1;
	k->type = KEY_RSA;
	k->bits = sk->n_bitlen;
	r->n_bitlen = sk->n_bitlen;
	r->plen = sk->plen;
	r->qlen = sk->qlen;
	r->dplen = sk->dplen;
	r->dqlen = sk->dqlen;
	r->iqlen = sk->iqlen;
	if (!kput(k->kpriv, sizeof(k->kpriv), &off, &r->p, sk->p, sk->plen) ||
	    !kput(k->kpriv, sizeof(k->kpriv), &off, &r->q, sk->q, sk->qlen) ||
	    !kput(k->kpriv, sizeof(k->kpriv), &off, &r->dp, sk->dp,
		  sk->dplen) ||
	    !kput(k->kpriv, sizeof(k->kpriv), &off, &r->dq, sk->dq,
		  sk->dqlen) ||
	    !kput(k->kpriv, sizeof(k->kpriv), &off, &r->iq, sk->iq,
		  sk->iqlen))
		return -1;
	nlen = br_rsa_compute_modulus_get_default()(NULL, r);
	e = br_rsa_compute_pubexp_get_default()(r);
	if (!nlen || !e || nlen + 4 > sizeof(k->kpub))
		return -1;
	br_rsa_compute_modulus_get_default()(k->kpub, r);
	k->rsa_pub.n = k->kpub;
	k->rsa_pub.nlen = nlen;
	k->kpub[nlen] = (uint8_t)(e >> 24);
	k->kpub[nlen + 1] = (uint8_t)(e >> 16);
	k->kpub[nlen + 2] = (uint8_t)(e >> 8);
	k->kpub[nlen + 3] = (uint8_t)e;
	k->rsa_pub.e = k->kpub + nlen;
	k->rsa_pub.elen = 4;
	while (k->rsa_pub.elen > 1 && !k->rsa_pub.e[0]) {
		k->rsa_pub.e++;
		k->rsa_pub.elen--;
	}
	k->dlen = br_rsa_compute_privexp_get_default()(k->d, r, e);
	return k->dlen ? 0 : -1;
}

static int ec_from(struct key *k, const br_ec_private_key *sk)
{
	size_t off = 0;

	if (sk->curve != BR_EC_secp256r1)
		return -1;
	k->type = KEY_EC;
	k->bits = 256;
	k->ec.curve = sk->curve;
	k->ec.xlen = sk->xlen;
	if (!kput(k->kpriv, sizeof(k->kpriv), &off, &k->ec.x, sk->x, sk->xlen))
		return -1;
	return br_ec_compute_pub(br_ec_get_default(), &k->ec_pub, k->kpub,
				 &k->ec) ? 0 : -1;
}

int key_from_pem(struct key *k, const void *text, size_t len)
{
	br_skey_decoder_context sd;
	char label[PEM_LABEL_MAX];
	uint8_t *der = NULL;
	size_t n = 0;
	int ret = -1;

	memset(k, 0, sizeof(*k));
	if (pem_decode(text, len, label, &der, &n))
		return -1;
	if (strcmp(label, "RSA PRIVATE KEY") && strcmp(label, "EC PRIVATE KEY") &&
	    strcmp(label, "PRIVATE KEY"))
		goto out;
	br_skey_decoder_init(&sd);
	br_skey_decoder_push(&sd, der, n);
	if (br_skey_decoder_last_error(&sd))
		goto out;
	if (br_skey_decoder_key_type(&sd) == BR_KEYTYPE_RSA)
		ret = rsa_from(k, br_skey_decoder_get_rsa(&sd));
	else if (br_skey_decoder_key_type(&sd) == BR_KEYTYPE_EC)
		ret = ec_from(k, br_skey_decoder_get_ec(&sd));
out:
	explicit_bzero(&sd, sizeof(sd));
	explicit_bzero(der, n);
	free(der);
	if (ret)
		key_wipe(k);
	return ret;
}
