/*
 * pkcs12.h: a PKCS#12 (RFC 7292) key store holding one private key and its
 * certificate chain, as `openssl pkcs12 -export` (OpenSSL 3) writes it:
 *
 *  - the key in a pkcs8ShroudedKeyBag, the certificates in certBags inside
 *    an encryptedData; both encrypted with PBES2 (PBKDF2-HMAC-SHA256,
 *    AES-256-CBC);
 *  - the first certificate and the key share a localKeyId and a
 *    friendlyName (the alias Java shows);
 *  - integrity: HMAC-SHA256 over the AuthenticatedSafe, keyed with the
 *    PKCS#12 KDF (ID 3, SHA-256) of the password as a BMPString, which is
 *    what OpenSSL 3.0 and Java accept (PBMAC1 is newer than both).
 *
 * The password must be ASCII: PBKDF2 takes its bytes, the MAC its
 * UTF-16BE form, and both agree only there.
 */
#ifndef ICM_PKCS12_H
#define ICM_PKCS12_H

#include "../icm.h"
#include "key.h"

#define PKCS12_ITERATIONS 10000

struct pkcs12_cert {
	const uint8_t *der;
	size_t len;
};

/*
 * Builds the store: certs[0] is the key's certificate, the rest its chain.
 * *out is malloc'd.  0, or -1 reported with error().
 */
int pkcs12_make(const struct key *k, const struct pkcs12_cert *certs,
		size_t ncerts, const char *alias, const char *password,
		uint8_t **out, size_t *len) WARN_UNUSED;

/* The PKCS#12 KDF (RFC 7292 B.2) with SHA-256; n at most 32.  Exposed for
 * the unit tests. */
void pkcs12_kdf_sha256(unsigned id, const char *password,
		       const uint8_t *salt, size_t salt_len,
		       unsigned iterations, uint8_t *out, size_t n);
/* PBKDF2-HMAC-SHA256 (RFC 8018 5.2). */
void pbkdf2_sha256(const void *pw, size_t pw_len, const uint8_t *salt,
		   size_t salt_len, unsigned iterations, uint8_t *out,
		   size_t n);
/* The same with HMAC-SHA1 (InterSystems IRIS's PasswordHash). */
void pbkdf2_sha1(const void *pw, size_t pw_len, const uint8_t *salt,
		 size_t salt_len, unsigned iterations, uint8_t *out, size_t n);

#endif
