/*
 * key.c: key generation and encodings on BearSSL (see key.h): PEM,
 * PKCS#8, SubjectPublicKeyInfo, signatures, the curves icm knows;
 * key_read.c reads private keys back (key_int.h).
 */
#include "key_int.h"
#include "rand.h"
#include "../state/log.h"
#include "../util/str.h"
#include <bearssl.h>

#define OID_RSA_ENCRYPTION "1.2.840.113549.1.1.1"
#define OID_SHA256_RSA "1.2.840.113549.1.1.11"
#define OID_EC_PUBLIC_KEY "1.2.840.10045.2.1"
#define OID_ECDSA_SHA256 "1.2.840.10045.4.3.2"

/* The curves icm knows by name; it signs with the ones taken. */
static const struct curve curves[] = {
	{ BR_EC_secp256r1, "P-256", "nistp256",
	  { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 }, 8, true },
	{ BR_EC_secp384r1, "P-384", "nistp384",
	  { 0x2b, 0x81, 0x04, 0x00, 0x22 }, 5, true },
	{ BR_EC_secp521r1, "P-521", "nistp521",
	  { 0x2b, 0x81, 0x04, 0x00, 0x23 }, 5, false },
};

static const struct curve *curve_by_id(int id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(curves); i++)
		if (curves[i].id == id)
			return &curves[i];
	return NULL;
}

int key_generate(struct key *k, enum key_type type, unsigned bits)
{
	br_hmac_drbg_context rng;
	int ret = -1;

	memset(k, 0, sizeof(*k));
	k->type = type;
	if (rand_drbg_init(&rng))
		return -1;
	if (type == KEY_RSA) {
		if (bits < KEY_RSA_MIN_BITS || bits > KEY_RSA_GEN_MAX_BITS) {
			error("RSA keys are %d to %d bits, not %u",
			      KEY_RSA_MIN_BITS, KEY_RSA_GEN_MAX_BITS, bits);
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
		const struct curve *c = curve_by_id(k->ec.curve);

		der_oid(d, OID_EC_PUBLIC_KEY);
		if (c)
			der_tlv(d, DER_OID, c->oid, c->oid_len);
		else
			d->err = true;
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

const struct curve *key_curve_by_oid(const struct der_reader *oid)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(curves); i++)
		if (oid->len == curves[i].oid_len &&
		    !memcmp(oid->p, curves[i].oid, oid->len))
			return &curves[i];
	return NULL;
}

const struct curve *key_curve_by_ssh(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(curves); i++)
		if (len == strlen(curves[i].ssh) &&
		    !memcmp(p, curves[i].ssh, len))
			return &curves[i];
	return NULL;
}

const char *key_curve_name(const struct key *k)
{
	const struct curve *c = curve_by_id(k->ec.curve);

	return c ? c->name : "?";
}

const char *key_curve_ssh(const struct key *k)
{
	const struct curve *c = curve_by_id(k->ec.curve);

	return c ? c->ssh : "?";
}
