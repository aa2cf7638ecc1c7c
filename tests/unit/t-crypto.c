/*
 * t-crypto.c: the key-derivation functions of crypto/pkcs12 and the
 * base64 of crypto/sshkey against published vectors (RFC 7914 11, RFC 4648
 * 10) and values computed by OpenSSL 3: `openssl kdf ... -kdfopt
 * hexpass:<the password as BMPString, terminator included> PKCS12KDF`
 * (its provider takes the password already in BMP form).
 */
#include "icm.h"
#include "crypto/jks.h"
#include "crypto/pkcs12.h"
#include "crypto/sshkey.h"
#include "tap.h"

static const char *hex(const uint8_t *p, size_t n)
{
	static char s[512];
	size_t i;

	for (i = 0; i < n && 2 * i + 2 < sizeof(s); i++)
		snprintf(s + 2 * i, 3, "%02x", p[i]);
	s[2 * i] = '\0';
	return s;
}

static void kdfs(void)
{
	uint8_t out[64];
	static const uint8_t salt1[] = { 0x0a, 0x58, 0xcf, 0x64, 0x53, 0x0d,
					 0x82, 0x3f };
	static const uint8_t salt2[] = { 0x05, 0xde, 0xc9, 0x59, 0xac, 0xff,
					 0x72, 0xf7 };
	uint8_t salt33[33];
	size_t i;

	pbkdf2_sha256("passwd", 6, (const uint8_t *)"salt", 4, 1, out, 64);
	is_str(hex(out, 64),
	       "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
	       "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
	       "PBKDF2-HMAC-SHA256, RFC 7914 vector (2 blocks)");
	pkcs12_kdf_sha256(3, "smeg", salt1, sizeof(salt1), 1, out, 32);
	is_str(hex(out, 32),
	       "b26d0cad11e901ad0ba0ce08b18df8fc49d2eb271bf02a0cee1669e01251b18d",
	       "PKCS#12 KDF SHA-256, MAC key, 1 iteration");
	pkcs12_kdf_sha256(3, "queeg", salt2, sizeof(salt2), 1000, out, 32);
	is_str(hex(out, 32),
	       "64bd552bb4ecec8224b888d4fa1dc49c6ff894bfc59b10402d83ad46c0d8da4b",
	       "PKCS#12 KDF SHA-256, 1000 iterations");
	for (i = 0; i < sizeof(salt33); i++)
		salt33[i] = salt1[i % 8];
	pkcs12_kdf_sha256(1, "pw", salt33, sizeof(salt33), 2, out, 32);
	is_str(hex(out, 32),
	       "bc7abe3089ac59ba2817d632e22e0b8fb5732af450f63c293aaa36bcdd0b4d34",
	       "PKCS#12 KDF SHA-256, 33-byte salt (two blocks), ID 1");
}

static void base64(void)
{
	static const char *const v[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		struct buf b;

		buf_init(&b, 64);
		ok(!base64_add(&b, v[i][0], strlen(v[i][0])), "base64 add");
		is_str(b.data ? b.data : "", v[i][1], "RFC 4648 base64 vector");
		buf_release(&b);
	}
}

static void jks(void)
{
	static const uint8_t cert[] = { 0x30, 0x00 };
	struct jks_cert c = { "ca", cert, sizeof(cert) };
	struct jks_cert upper = { "CA", cert, sizeof(cert) };
	struct buf b;

	buf_init(&b, 4096);
	ok(!jks_make(&c, 1, "pw", 1, &b), "JKS with one certificate");
	is_str(hex((const uint8_t *)b.data, 12), "feedfeed0000000200000001",
	       "magic, version 2, one entry");
	is_str(hex((const uint8_t *)b.data + 12, 18),
	       "0000000200026361" "00000000000003e8" "0005",
	       "trustedCertEntry, alias, time in ms, type length");
	is_int(b.len, 12 + 4 + 4 + 8 + 7 + 4 + 2 + 20, "length with digest");
	buf_release(&b);
	buf_init(&b, 4096);
	ok(jks_make(&upper, 1, "pw", 1, &b) == -1, "upper-case alias refused");
	buf_release(&b);
}

int main(void)
{
	kdfs();
	base64();
	jks();
	return done_testing();
}
