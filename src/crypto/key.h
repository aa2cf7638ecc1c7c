/*
 * key.h: a key pair generated with BearSSL (RSA or ECDSA P-256) or read
 * from a user's file (RSA 2048-8192, ECDSA P-256 or P-384), and what the
 * writers need from it: the PEM private key, PKCS#8, the X.509
 * SubjectPublicKeyInfo and key identifier, and SHA-256 signatures.
 *
 * struct key holds its key material inline (no allocation); key_wipe()
 * zeroes it.  Keys never leave through the log: writers put them only in
 * files of mode 0600.
 */
#ifndef ICM_KEY_H
#define ICM_KEY_H

#include "../icm.h"
#include "../util/buf.h"
#include "der.h"
#include <bearssl.h>

enum key_type { KEY_RSA, KEY_EC };

#define KEY_RSA_MIN_BITS 2048
#define KEY_RSA_MAX_BITS 8192		/* what key_from_pem() reads */
#define KEY_RSA_GEN_MAX_BITS 4096	/* what BearSSL's keygen makes */
#define KEY_RSA_EXPONENT 65537

struct key {
	enum key_type type;
	unsigned bits;			/* RSA modulus size; 256 or 384 for EC */
	br_rsa_private_key rsa;
	br_rsa_public_key rsa_pub;
	br_ec_private_key ec;
	br_ec_public_key ec_pub;
	unsigned char kpriv[BR_RSA_KBUF_PRIV_SIZE(KEY_RSA_MAX_BITS)];
	unsigned char kpub[BR_RSA_KBUF_PUB_SIZE(KEY_RSA_MAX_BITS)];
	unsigned char d[KEY_RSA_MAX_BITS / 8];	/* RSA private exponent */
	size_t dlen;
};

/*
 * Generates a key: RSA of `bits` (KEY_RSA_MIN_BITS..KEY_RSA_GEN_MAX_BITS,
 * e = 65537) or, for KEY_EC, P-256 (bits ignored).  0, or -1 reported.
 */
int key_generate(struct key *k, enum key_type type, unsigned bits) WARN_UNUSED;
void key_wipe(struct key *k);

/*
 * Appends the private key in PEM: PKCS#1 "RSA PRIVATE KEY" or SEC1
 * "EC PRIVATE KEY" (what ssh-keygen, openssl and dockerd read).
 * 0, or -1 (the buffer is released).
 */
int key_private_pem(const struct key *k, struct buf *out) WARN_UNUSED;
/* The private key as unencrypted PKCS#8 DER (malloc'd; the caller wipes
 * and frees it).  NULL on failure. */
uint8_t *key_pkcs8(const struct key *k, size_t *len);

/* Writes the SubjectPublicKeyInfo. */
void key_spki(struct der *d, const struct key *k);
/* The key identifier: SHA-1 of the subjectPublicKey bits (RFC 5280
 * 4.2.1.2, method 1). */
void key_id(const struct key *k, uint8_t out[20]);
/* Writes the AlgorithmIdentifier of the key's SHA-256 signature:
 * sha256WithRSAEncryption or ecdsa-with-SHA256. */
void key_sig_alg(struct der *d, const struct key *k);
/*
 * Signs SHA-256(data) and appends the signature as an X.509 BIT STRING
 * value would hold it (PKCS#1 v1.5 for RSA, ASN.1 DER for ECDSA).
 */
void key_sign(struct der *d, const struct key *k, const void *data,
	      size_t len);

/* Appends data as PEM with the given label, 64-column lines.  0 or -1. */
int pem_add(struct buf *out, const char *label, const void *data,
	    size_t len) WARN_UNUSED;

/*
 * Decodes the first PEM object in text (up to DER_CAP_CERT bytes of DER);
 * its label (e.g. "CERTIFICATE") goes to label (room for PEM_LABEL_MAX).
 * *der is malloc'd; the caller wipes (keys pass through here) and frees
 * it.  0, or -1 (not reported: the caller names the file).
 */
#define PEM_LABEL_MAX 64
int pem_decode(const void *text, size_t len, char *label, uint8_t **der,
	       size_t *der_len) WARN_UNUSED;

/* "P-256" or "P-384" (messages), "nistp256" or "nistp384" (SSH). */
const char *key_curve_name(const struct key *k);
const char *key_curve_ssh(const struct key *k);

/*
 * Reads an unencrypted private key, the first one in text: PKCS#1 "RSA
 * PRIVATE KEY", SEC1 "EC PRIVATE KEY", PKCS#8 "PRIVATE KEY" of either, or
 * OpenSSH's "OPENSSH PRIVATE KEY"; RSA of KEY_RSA_MIN_BITS to
 * KEY_RSA_MAX_BITS, EC on P-256 or P-384.  An RSA key is proven whole by
 * signing and verifying once (the build's BearSSL must be able to sign
 * with it).  0, or -1 with why (KEY_WHY_MAX bytes) saying what the key
 * is, e.g. "an RSA key of 1024 bits (icm takes 2048 to 8192)", for the
 * caller to report with the file's name (nothing is reported here, and
 * why never holds key material).
 */
#define KEY_WHY_MAX 160
int key_from_pem(struct key *k, const void *text, size_t len,
		 char *why) WARN_UNUSED;

#endif
