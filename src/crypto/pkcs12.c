/* pkcs12.c: the PKCS#12 writer (see pkcs12.h). */
#include "pkcs12.h"
#include "der.h"
#include "rand.h"
#include "../state/log.h"
#include "../util/str.h"

#define OID_DATA "1.2.840.113549.1.7.1"
#define OID_ENCRYPTED_DATA "1.2.840.113549.1.7.6"
#define OID_SHROUDED_KEY_BAG "1.2.840.113549.1.12.10.1.2"
#define OID_CERT_BAG "1.2.840.113549.1.12.10.1.3"
#define OID_X509_CERT "1.2.840.113549.1.9.22.1"
#define OID_FRIENDLY_NAME "1.2.840.113549.1.9.20"
#define OID_LOCAL_KEY_ID "1.2.840.113549.1.9.21"
#define OID_PBES2 "1.2.840.113549.1.5.13"
#define OID_PBKDF2 "1.2.840.113549.1.5.12"
#define OID_HMAC_SHA256 "1.2.840.113549.2.9"
#define OID_AES256_CBC "2.16.840.1.101.3.4.1.42"
#define OID_SHA256 "2.16.840.1.101.3.4.2.1"

#define SALT_LEN 16
#define SHA256_LEN 32
#define SHA256_BLOCK 64

/* PBKDF2 (RFC 8018) with HMAC over hash. */
static void pbkdf2(const br_hash_class *hash, const void *pw, size_t pw_len,
		   const uint8_t *salt, size_t salt_len, unsigned iterations,
		   uint8_t *out, size_t n)
{
	size_t hl = (size_t)((hash->desc >> BR_HASHDESC_OUT_OFF) &
			    BR_HASHDESC_OUT_MASK);
	br_hmac_key_context kc;
	br_hmac_context h;
	uint8_t u[64], t[64];
	uint32_t block;
	unsigned i, j;

	br_hmac_key_init(&kc, hash, pw, pw_len);
	for (block = 1; n; block++) {
		uint8_t be[4] = { (uint8_t)(block >> 24), (uint8_t)(block >> 16),
				  (uint8_t)(block >> 8), (uint8_t)block };
		size_t take = n < hl ? n : hl;

		br_hmac_init(&h, &kc, 0);
		br_hmac_update(&h, salt, salt_len);
		br_hmac_update(&h, be, 4);
		br_hmac_out(&h, u);
		memcpy(t, u, hl);
		for (i = 1; i < iterations; i++) {
			br_hmac_init(&h, &kc, 0);
			br_hmac_update(&h, u, hl);
			br_hmac_out(&h, u);
			for (j = 0; j < hl; j++)
				t[j] ^= u[j];
		}
		memcpy(out, t, take);
		out += take;
		n -= take;
	}
	explicit_bzero(&kc, sizeof(kc));
	explicit_bzero(&h, sizeof(h));
	explicit_bzero(u, sizeof(u));
	explicit_bzero(t, sizeof(t));
}

void pbkdf2_sha256(const void *pw, size_t pw_len, const uint8_t *salt,
		   size_t salt_len, unsigned iterations, uint8_t *out,
		   size_t n)
{
	pbkdf2(&br_sha256_vtable, pw, pw_len, salt, salt_len, iterations,
	       out, n);
}

void pbkdf2_sha1(const void *pw, size_t pw_len, const uint8_t *salt,
		 size_t salt_len, unsigned iterations, uint8_t *out, size_t n)
{
	pbkdf2(&br_sha1_vtable, pw, pw_len, salt, salt_len, iterations, out,
	       n);
}

/* Fills dst (a multiple of SHA256_BLOCK) with copies of src. */
static void repeat(uint8_t *dst, size_t dn, const uint8_t *src, size_t sn)
{
	size_t i;

	for (i = 0; i < dn; i++)
		dst[i] = src[i % sn];
}

void pkcs12_kdf_sha256(unsigned id, const char *password,
		       const uint8_t *salt, size_t salt_len,
		       unsigned iterations, uint8_t *out, size_t n)
{
	/* Password as a BMPString with its two-byte terminator. */
	size_t pl = 2 * strlen(password) + 2, i;
	size_t sv = SHA256_BLOCK * ((salt_len + SHA256_BLOCK - 1) /
				    SHA256_BLOCK);
	size_t pv = SHA256_BLOCK * ((pl + SHA256_BLOCK - 1) / SHA256_BLOCK);
	uint8_t *bmp = xcalloc(1, pl), *in = xmalloc(sv + pv);
	uint8_t d[SHA256_BLOCK], a[SHA256_LEN];
	br_sha256_context h;
	unsigned r;

	for (i = 0; password[i]; i++)
		bmp[2 * i + 1] = (uint8_t)password[i];
	if (salt_len)
		repeat(in, sv, salt, salt_len);
	repeat(in + sv, pv, bmp, pl);
	memset(d, (int)id, sizeof(d));
	br_sha256_init(&h);
	br_sha256_update(&h, d, sizeof(d));
	br_sha256_update(&h, in, sv + pv);
	br_sha256_out(&h, a);
	for (r = 1; r < iterations; r++) {
		br_sha256_init(&h);
		br_sha256_update(&h, a, sizeof(a));
		br_sha256_out(&h, a);
	}
	/* One block of output is all a SHA-256 MAC key needs. */
	memcpy(out, a, n < SHA256_LEN ? n : SHA256_LEN);
	explicit_bzero(bmp, pl);
	explicit_bzero(in, sv + pv);
	explicit_bzero(a, sizeof(a));
	free(bmp);
	free(in);
}

/* Writes the PBES2 AlgorithmIdentifier. */
static void pbes2_alg(struct der *d, const uint8_t *salt, const uint8_t *iv)
{
	der_begin(d, DER_SEQUENCE);
	der_oid(d, OID_PBES2);
	der_begin(d, DER_SEQUENCE);
	der_begin(d, DER_SEQUENCE);
	der_oid(d, OID_PBKDF2);
	der_begin(d, DER_SEQUENCE);
	der_octets(d, salt, SALT_LEN);
	der_int(d, PKCS12_ITERATIONS);
	der_begin(d, DER_SEQUENCE);
	der_oid(d, OID_HMAC_SHA256);
	der_null(d);
	der_end(d);
	der_end(d);
	der_end(d);
	der_begin(d, DER_SEQUENCE);
	der_oid(d, OID_AES256_CBC);
	der_octets(d, iv, 16);
	der_end(d);
	der_end(d);
	der_end(d);
}

/*
 * Encrypts plain with PBES2 and writes the AlgorithmIdentifier followed by
 * the ciphertext with the given tag (OCTET STRING for a shrouded key, [0]
 * IMPLICIT in encryptedData).
 */
static int pbes2_encrypt(struct der *d, const char *password,
			 const uint8_t *plain, size_t len, unsigned tag)
{
	uint8_t salt[SALT_LEN], iv[16], iv2[16], key[32], *ct;
	br_aes_ct_cbcenc_keys aes;
	size_t pad = 16 - len % 16, n = len + pad;

	if (rand_bytes(salt, sizeof(salt)) || rand_bytes(iv, sizeof(iv)))
		return -1;
	pbkdf2_sha256(password, strlen(password), salt, sizeof(salt),
		      PKCS12_ITERATIONS, key, sizeof(key));
	ct = xmalloc(n);
	memcpy(ct, plain, len);
	memset(ct + len, (int)pad, pad);
	memcpy(iv2, iv, sizeof(iv));
	br_aes_ct_cbcenc_init(&aes, key, sizeof(key));
	br_aes_ct_cbcenc_run(&aes, iv2, ct, n);
	pbes2_alg(d, salt, iv);
	der_tlv(d, tag, ct, n);
	explicit_bzero(key, sizeof(key));
	explicit_bzero(&aes, sizeof(aes));
	free(ct);
	return 0;
}

static void bag_attributes(struct der *d, const char *alias,
			   const uint8_t *id, size_t id_len)
{
	der_begin(d, DER_SET);
	der_begin(d, DER_SEQUENCE);
	der_oid(d, OID_FRIENDLY_NAME);
	der_begin(d, DER_SET);
	der_bmp(d, alias);
	der_end(d);
	der_end(d);
	der_begin(d, DER_SEQUENCE);
	der_oid(d, OID_LOCAL_KEY_ID);
	der_begin(d, DER_SET);
	der_octets(d, id, id_len);
	der_end(d);
	der_end(d);
	der_end(d);
}

/* SafeContents of certBags, encrypted: the encryptedData ContentInfo. */
static int cert_bags(struct der *d, const struct pkcs12_cert *certs,
		     size_t ncerts, const char *alias, const uint8_t *id,
		     const char *password)
{
	struct der sc;
	uint8_t *plain;
	size_t i, len = 0;
	int ret;

	der_init(&sc, DER_CAP_STORE);
	der_begin(&sc, DER_SEQUENCE);
	for (i = 0; i < ncerts; i++) {
		der_begin(&sc, DER_SEQUENCE);
		der_oid(&sc, OID_CERT_BAG);
		der_begin(&sc, DER_CTX(0));
		der_begin(&sc, DER_SEQUENCE);
		der_oid(&sc, OID_X509_CERT);
		der_begin(&sc, DER_CTX(0));
		der_octets(&sc, certs[i].der, certs[i].len);
		der_end(&sc);
		der_end(&sc);
		der_end(&sc);
		if (i == 0)
			bag_attributes(&sc, alias, id, 20);
		der_end(&sc);
	}
	der_end(&sc);
	plain = der_take(&sc, &len);
	if (!plain)
		return error("cannot encode the PKCS#12 certificates");
	der_begin(d, DER_SEQUENCE);
	der_oid(d, OID_ENCRYPTED_DATA);
	der_begin(d, DER_CTX(0));
	der_begin(d, DER_SEQUENCE);
	der_int(d, 0);
	der_begin(d, DER_SEQUENCE);
	der_oid(d, OID_DATA);
	ret = pbes2_encrypt(d, password, plain, len, DER_CTX_PRIM(0));
	der_end(d);
	der_end(d);
	der_end(d);
	der_end(d);
	free(plain);
	return ret;
}

/* The shrouded key in a plain data ContentInfo. */
static int key_bag(struct der *d, const struct key *k, const char *alias,
		   const uint8_t *id, const char *password)
{
	struct der sc;
	uint8_t *p8, *safe;
	size_t p8_len = 0, len = 0;
	int ret;

	p8 = key_pkcs8(k, &p8_len);
	if (!p8)
		return error("cannot encode the private key (PKCS#8)");
	der_init(&sc, DER_CAP_STORE);
	der_begin(&sc, DER_SEQUENCE);
	der_begin(&sc, DER_SEQUENCE);
	der_oid(&sc, OID_SHROUDED_KEY_BAG);
	der_begin(&sc, DER_CTX(0));
	der_begin(&sc, DER_SEQUENCE);
	ret = pbes2_encrypt(&sc, password, p8, p8_len, DER_OCTET_STRING);
	der_end(&sc);
	der_end(&sc);
	bag_attributes(&sc, alias, id, 20);
	der_end(&sc);
	der_end(&sc);
	explicit_bzero(p8, p8_len);
	free(p8);
	safe = der_take(&sc, &len);
	if (ret || !safe) {
		free(safe);
		return ret ? -1 : error("cannot encode the PKCS#12 key");
	}
	der_begin(d, DER_SEQUENCE);
	der_oid(d, OID_DATA);
	der_begin(d, DER_CTX(0));
	der_octets(d, safe, len);
	der_end(d);
	der_end(d);
	free(safe);
	return 0;
}

int pkcs12_make(const struct key *k, const struct pkcs12_cert *certs,
		size_t ncerts, const char *alias, const char *password,
		uint8_t **out, size_t *len)
{
	struct der as, pfx;
	uint8_t id[20], salt[SALT_LEN], mkey[SHA256_LEN], mac[SHA256_LEN];
	uint8_t *auth = NULL;
	size_t auth_len = 0;
	br_hmac_key_context kc;
	br_hmac_context h;
	int ret = -1;

	der_init(&as, DER_CAP_STORE);
	der_init(&pfx, DER_CAP_STORE);
	if (!ncerts) {
		error("a PKCS#12 store needs the key's certificate");
		goto out;
	}
	for (const char *c = password; *c; c++)
		if ((unsigned char)*c >= 0x80) {
			error("the PKCS#12 password must be ASCII");
			goto out;
		}
	key_id(k, id);
	der_begin(&as, DER_SEQUENCE);
	if (cert_bags(&as, certs, ncerts, alias, id, password) ||
	    key_bag(&as, k, alias, id, password))
		goto out;
	der_end(&as);
	auth = der_take(&as, &auth_len);
	if (!auth || rand_bytes(salt, sizeof(salt)))
		goto fail;

	pkcs12_kdf_sha256(3, password, salt, sizeof(salt), PKCS12_ITERATIONS,
			  mkey, sizeof(mkey));
	br_hmac_key_init(&kc, &br_sha256_vtable, mkey, sizeof(mkey));
	br_hmac_init(&h, &kc, 0);
	br_hmac_update(&h, auth, auth_len);
	br_hmac_out(&h, mac);

	der_begin(&pfx, DER_SEQUENCE);
	der_int(&pfx, 3);
	der_begin(&pfx, DER_SEQUENCE);
	der_oid(&pfx, OID_DATA);
	der_begin(&pfx, DER_CTX(0));
	der_octets(&pfx, auth, auth_len);
	der_end(&pfx);
	der_end(&pfx);
	der_begin(&pfx, DER_SEQUENCE);		/* MacData */
	der_begin(&pfx, DER_SEQUENCE);		/* DigestInfo */
	der_begin(&pfx, DER_SEQUENCE);
	der_oid(&pfx, OID_SHA256);
	der_null(&pfx);
	der_end(&pfx);
	der_octets(&pfx, mac, sizeof(mac));
	der_end(&pfx);
	der_octets(&pfx, salt, sizeof(salt));
	der_int(&pfx, PKCS12_ITERATIONS);
	der_end(&pfx);
	der_end(&pfx);
	*out = der_take(&pfx, len);
	if (!*out)
		goto fail;
	ret = 0;
	goto out;
fail:
	error("cannot encode the PKCS#12 store");
out:
	explicit_bzero(mkey, sizeof(mkey));
	explicit_bzero(&kc, sizeof(kc));
	explicit_bzero(&h, sizeof(h));
	der_release(&as);
	der_release(&pfx);
	free(auth);
	return ret;
}
