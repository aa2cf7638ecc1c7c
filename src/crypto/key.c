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
