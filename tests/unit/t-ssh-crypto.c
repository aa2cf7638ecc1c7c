/*
 * t-ssh-crypto.c: known-answer tests for libssh2's BearSSL backend
 * (vendor/libssh2-bearssl/), through libssh2's internal _libssh2_*
 * functions.  Vectors: RFC 1321, FIPS 180 examples, RFC 2202/4231,
 * SP 800-38A F.2/F.5, RFC 5903 8.1, RFC 7748 5.2/6.1; DH results, the RSA
 * and the ECDSA signatures were computed independently with Python
 * (pow(), the cryptography package) from the fixtures in
 * tests/data/ssh-keys/ (test keys only, see the README there).
 *
 * Build: libssh2's private headers (build/work/libssh2/src) with
 * -DLIBSSH2_BEARSSL, linked with -lssh2 -lbearssl.  Run from the top of the
 * tree (or set ICM_SSH_KEYS to the key directory).
 */
#include <sys/uio.h>     /* libssh2_priv.h wants struct iovec */

#include "libssh2_priv.h"
#undef snprintf          /* libssh2_setup.h maps it to its own fallback */

#include <stdlib.h>

#include "tap.h"

static LIBSSH2_SESSION *session;

static size_t unhex(unsigned char *out, const char *hex)
{
	size_t n = 0;

	for (; hex[0] && hex[1]; hex += 2)
		sscanf(hex, "%2hhx", &out[n++]);
	return n;
}

static int eq_hex(const unsigned char *got, size_t len, const char *hex)
{
	unsigned char want[1100];

	return unhex(want, hex) == len && memcmp(got, want, len) == 0;
}

/* ------------------------------------------------------------ hashes */

static void test_hashes(void)
{
	static const char m448[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	unsigned char out[64];
	libssh2_md5_ctx md5;
	libssh2_sha256_ctx s256;

	ok(libssh2_md5_init(&md5) && libssh2_md5_update(md5, "abc", 3) &&
	   libssh2_md5_final(md5, out) &&
	   eq_hex(out, 16, "900150983cd24fb0d6963f7d28e17f72"), "MD5 abc");
	(void)libssh2_md5_init(&md5);
	(void)libssh2_md5_update(md5, "message digest", 14);
	(void)libssh2_md5_final(md5, out);
	ok(eq_hex(out, 16, "f96b697d7cb7938d525a2f31aaf161d0"),
	   "MD5 'message digest' (RFC 1321)");

	ok(libssh2_sha1("abc", 3, out) == 0 &&
	   eq_hex(out, 20, "a9993e364706816aba3e25717850c26c9cd0d89d"),
	   "SHA-1 abc");
	libssh2_sha1(m448, strlen(m448), out);
	ok(eq_hex(out, 20, "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
	   "SHA-1 448-bit message");
	libssh2_sha256("abc", 3, out);
	ok(eq_hex(out, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9c"
		  "b410ff61f20015ad"), "SHA-256 abc");
	/* the streaming form, split across calls */
	ok(libssh2_sha256_init(&s256) &&
	   libssh2_sha256_update(s256, m448, 10) &&
	   libssh2_sha256_update(s256, m448 + 10, strlen(m448) - 10) &&
	   libssh2_sha256_final(s256, out) &&
	   eq_hex(out, 32, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167"
		  "f6ecedd419db06c1"), "SHA-256 448-bit message, in 2 parts");
	libssh2_sha384("abc", 3, out);
	ok(eq_hex(out, 48, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
		  "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"),
	   "SHA-384 abc");
	libssh2_sha512("abc", 3, out);
	ok(eq_hex(out, 64, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea2"
		  "0a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423"
		  "643ce80e2a9ac94fa54ca49f"), "SHA-512 abc");
}

static void hmac_case(int (*init)(libssh2_hmac_ctx *, void *, size_t),
		      const void *key, size_t keylen, const char *msg,
		      size_t outlen, const char *want, const char *name)
{
	libssh2_hmac_ctx ctx;
	unsigned char out[64];
	int r;

	r = _libssh2_hmac_ctx_init(&ctx) && init(&ctx, (void *)key, keylen) &&
	    _libssh2_hmac_update(&ctx, msg, strlen(msg)) &&
	    _libssh2_hmac_final(&ctx, out);
	_libssh2_hmac_cleanup(&ctx);
	ok(r && eq_hex(out, outlen, want), "%s", name);
}

static void test_hmac(void)
{
	unsigned char aa[131];
	const char *jefe = "what do ya want for nothing?";

	hmac_case(_libssh2_hmac_sha1_init, "Jefe", 4, jefe, 20,
		  "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
		  "HMAC-SHA1 RFC 2202 case 2");
	hmac_case(_libssh2_hmac_sha256_init, "Jefe", 4, jefe, 32,
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b9"
		  "64ec3843", "HMAC-SHA256 RFC 4231 case 2");
	hmac_case(_libssh2_hmac_sha512_init, "Jefe", 4, jefe, 64,
		  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7"
		  "ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b"
		  "636e070a38bce737", "HMAC-SHA512 RFC 4231 case 2");
	memset(aa, 0xaa, sizeof(aa));
	hmac_case(_libssh2_hmac_sha256_init, aa, sizeof(aa),
		  "Test Using Larger Than Block-Size Key - Hash Key First", 32,
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f"
		  "0ee37f54", "HMAC-SHA256 RFC 4231 case 6 (key > block)");
}

/* ----------------------------------------------------------- ciphers */

static const char sp_pt[] =
	"6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
	"30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

/* encrypt in two calls (the state carries over), then decrypt */
static void cipher_case(int algo, const char *key, const char *iv,
			const char *pt, const char *ct, const char *name)
{
	unsigned char k[32], v[16], v2[16], p[64], buf[64];
	size_t plen = unhex(p, pt);
	_libssh2_cipher_ctx ctx;
	int r;

	unhex(k, key);
	unhex(v, iv);
	memcpy(v2, v, sizeof(v));
	memcpy(buf, p, plen);
	r = !_libssh2_cipher_init(&ctx, algo, v, k, 1) &&
	    !_libssh2_cipher_crypt(&ctx, algo, 1, buf, 16, 0) &&
	    !_libssh2_cipher_crypt(&ctx, algo, 1, buf + 16, plen - 16, 0);
	_libssh2_cipher_dtor(&ctx);
	ok(r && eq_hex(buf, plen, ct), "%s encrypt", name);
	r = !_libssh2_cipher_init(&ctx, algo, v2, k, 0) &&
	    !_libssh2_cipher_crypt(&ctx, algo, 0, buf, plen, 0);
	_libssh2_cipher_dtor(&ctx);
	ok(r && !memcmp(buf, p, plen), "%s decrypt", name);
}

static void test_ciphers(void)
{
	static const char ctr_iv[] = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
	static const char cbc_iv[] = "000102030405060708090a0b0c0d0e0f";
	static const char k128[] = "2b7e151628aed2a6abf7158809cf4f3c";
	static const char k192[] =
		"8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b";
	static const char k256[] =
		"603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
	static const char pt64[] =
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
		"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";
	unsigned char k[16] = { 0 }, v[16] = { 0 }, b[17];
	_libssh2_cipher_ctx ctx;

	static const struct {
		int algo;
		const char *key, *iv, *pt, *ct, *name;
	} cases[] = {
		{ _libssh2_cipher_aes128ctr, k128, ctr_iv, sp_pt,
		  "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187b"
		  "b9fffdff5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1"
		  "792170a0f3009cee", "AES-128-CTR SP 800-38A F.5.1" },
		{ _libssh2_cipher_aes192ctr, k192, ctr_iv, sp_pt,
		  "1abc932417521ca24f2b0459fe7e6e0b090339ec0aa6faefd5ccc2c6"
		  "f4ce8e941e36b26bd1ebc670d1bd1d665620abf74f78a7f6d2980958"
		  "5a97daec58c6b050", "AES-192-CTR SP 800-38A F.5.3" },
		{ _libssh2_cipher_aes256ctr, k256, ctr_iv, sp_pt,
		  "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990"
		  "cacaf5c52b0930daa23de94ce87017ba2d84988ddfc9c58db67aada6"
		  "13c2dd08457941a6", "AES-256-CTR SP 800-38A F.5.5" },
		/* SSH's counter is all 128 bits: the carry crosses 2^64 and
		   2^128 wraps to zero (a 96+32-bit CTR gets both wrong) */
		{ _libssh2_cipher_aes128ctr,
		  "000102030405060708090a0b0c0d0e0f",
		  "0000000000000000ffffffffffffffff", pt64,
		  "39a6ed090e5d54afb7db092848b29a1d03098879f0be11b968bab0a6"
		  "2ca387c1afb50b6768aa6d12b16b381e993df112a4657407285a6f46"
		  "c6378c598dc6a76f", "AES-128-CTR counter carry across 2^64" },
		{ _libssh2_cipher_aes128ctr,
		  "000102030405060708090a0b0c0d0e0f",
		  "ffffffffffffffffffffffffffffffff", pt64,
		  "3c451d31ca0284246cdea892025db51cd6b02924939a4d9577569b79"
		  "bdd5c666536731b6b1e59239615297c849d9032579e7b560adae90bb"
		  "dbb040535cbc8ea2", "AES-128-CTR counter wrap at 2^128" },
		{ _libssh2_cipher_aes128, k128, cbc_iv, sp_pt,
		  "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a"
		  "917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09"
		  "120eca307586e1a7", "AES-128-CBC SP 800-38A F.2.1/F.2.2" },
		{ _libssh2_cipher_aes192, k192, cbc_iv, sp_pt,
		  "4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e73876"
		  "3f69145a571b242012fb7ae07fa9baac3df102e008b0e27988598881"
		  "d920a9e64f5615cd", "AES-192-CBC SP 800-38A F.2.3/F.2.4" },
		{ _libssh2_cipher_aes256, k256, cbc_iv, sp_pt,
		  "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777b"
		  "c6702c7d39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fc"
		  "da6c19078c6a9d1b", "AES-256-CBC SP 800-38A F.2.5/F.2.6" },
		{ _libssh2_cipher_3des,
		  "0123456789abcdef23456789abcdef01456789abcdef0123",
		  "1234567890abcdef",
		  "4e6f77206973207468652074696d6520666f7220616c6c20676f6f64"
		  "206d656e",
		  "f3c0ff026c023089656fbb169def7edb30ba36075d6f017615c82ad9"
		  "3fca176c", "3DES-CBC (Python cryptography)" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cipher_case(cases[i].algo, cases[i].key, cases[i].iv,
			    cases[i].pt, cases[i].ct, cases[i].name);

	/* lengths are checked in every build (cf. CVE-2026-66033) */
	_libssh2_cipher_init(&ctx, _libssh2_cipher_aes128ctr, v, k, 1);
	ok(_libssh2_cipher_crypt(&ctx, _libssh2_cipher_aes128ctr, 1, b, 17,
				 0) != 0 &&
	   _libssh2_cipher_crypt(&ctx, _libssh2_cipher_aes128ctr, 1, b, 0,
				 0) != 0, "cipher refuses partial blocks");
	_libssh2_cipher_dtor(&ctx);
}

/* ----------------------------------------------------------- bignums */

static void test_bignum(void)
{
	static const unsigned char lead[] = { 0, 0, 0x80, 1 };
	unsigned char out[8];
	_libssh2_bn *bn = _libssh2_bn_init();

	ok(bn && _libssh2_bn_bytes(bn) == 0 && _libssh2_bn_bits(bn) == 0,
	   "bn starts at zero");
	ok(_libssh2_bn_to_bin(bn, out) != 0, "zero is never written out");
	ok(!_libssh2_bn_from_bin(bn, sizeof(lead), lead) &&
	   _libssh2_bn_bytes(bn) == 2 && _libssh2_bn_bits(bn) == 16 &&
	   !_libssh2_bn_to_bin(bn, out) && out[0] == 0x80 && out[1] == 1,
	   "bn drops leading zero bytes");
	ok(!_libssh2_bn_set_word(bn, 2) && _libssh2_bn_bits(bn) == 2,
	   "bn set_word");
	_libssh2_bn_free(bn);
}

/* -------------------------------------------------------------- DH */

/* RFC 3526 group 14 */
static const char p14[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
	"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
	"9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
	"3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF";

static _libssh2_bn *bn_hex(const char *hex)
{
	unsigned char b[1100];
	_libssh2_bn *bn = _libssh2_bn_init();

	_libssh2_bn_from_bin(bn, unhex(b, hex), b);
	return bn;
}

/* secret = f^x mod p through the DH API, with a chosen x */
static int dh_check(const char *p_hex, const char *f_hex, const char *x_hex,
		    const char *want_hex, int want_sha256)
{
	_libssh2_bn *p = bn_hex(p_hex), *f = bn_hex(f_hex);
	_libssh2_bn *k = _libssh2_bn_init();
	_libssh2_dh_ctx x = bn_hex(x_hex);
	unsigned char out[1024], h[32];
	int r;

	r = _libssh2_dh_secret(&x, k, f, p) == 0 &&
	    !_libssh2_bn_to_bin(k, out);
	if (r && want_sha256) {
		unsigned char full[1024] = { 0 };

		memcpy(full + 1024 - k->len, out, k->len);
		libssh2_sha256(full, 1024, h);
		r = eq_hex(h, 32, want_hex);
	} else if (r) {
		r = eq_hex(out, k->len, want_hex);
	}
	_libssh2_dh_dtor(&x);
	_libssh2_bn_free(p);
	_libssh2_bn_free(f);
	_libssh2_bn_free(k);
	return r;
}

static void test_dh(void)
{
	char p8192[2 * 1024 + 1];
	_libssh2_bn *p, *g, *e1, *e2, *k1, *k2, *bad;
	_libssh2_dh_ctx x1, x2;
	unsigned char b1[1024], b2[1024];

	ok(dh_check(p14, "02", "0123456789abcdef",
		    "396beaa14a3ea5a31d40a99230fb3fb556eceabfd18f94af7ca61c29"
		    "2161c35390e15ee2dd70366c82cc4c67c94ca9fe3b4f3bdef6260613"
		    "6607993dcedd07bbc2635f296ad5f05f684c5806e88cb834d7107b62"
		    "5a7b4bfa6a79640ee0b5079ea28d6080d78f30294aba4a100e09cde0"
		    "ae6a12ab6d370676ce27f84f8297e1f2bf450dce133088dc15b7f8d5"
		    "e647ffb073f5ffa99d6c7db90fa5a7abb762218bfdaa3b281c0fee0d"
		    "0ab3e8f69995d199fb8c2bafc13c2cd0579432c3ed9ab709298cae30"
		    "f883489cf73f78b3d1eb587ca417bf16329c6fc5e312fbe8919b6480"
		    "4983d79f6dc4f5eff891605608b309b25c675bc682147d38f65d5275"
		    "d9b2bb5c", 0), "DH group 14: 2^x mod p (Python pow)");
	ok(dh_check(p14, "05", "fedcba9876543210fedcba98",
		    "7bf8fd0ab65c8890dac1c84462125ad22bccff41366c14d388e978e0"
		    "b3bdd8a938f01bbd6dbddb01f0a594b51422cada7232757f19315c35"
		    "18f1d4876b943c63cf0e863a62479c65367ca27e5c2a85c128fcd935"
		    "4f867fc10780b525573acb712b68e1254421eda5e925d82ec692592e"
		    "775e281f50348fa2055fa971106e647ea1d6de4e1a49a44341f10451"
		    "1927df8889ba840d75ad8bcbf3b243c9a3ff41d749a881687f03feb5"
		    "89d818e3e54981cb8a86168d941f5a9522665b75bf05a70289a81875"
		    "727b202a6ba8ac9d6a35bb7ddaa2875036700800b152792f1eb2f5ed"
		    "fd8341ce8a0b90c8bb63544ee173b23d377ddc0099008d1e821e5704"
		    "2533192a", 0), "DH group 14: 5^x mod p (Python pow)");
	/* an 8192-bit modulus (2^8192 - 1): SHA-256 of the 1024-byte result */
	memset(p8192, 'f', sizeof(p8192) - 1);
	p8192[sizeof(p8192) - 1] = '\0';
	ok(dh_check(p8192, "03", "0123456789abcdef0123456789abcdef",
		    "8b12f4898137b3d2862ae953f64ac034f0165b7dd4ea24453ee6ab17"
		    "5116071b", 1), "DH 8192-bit modexp (Python pow)");

	/* key pair + agreement both ways */
	p = bn_hex(p14);
	g = bn_hex("02");
	e1 = _libssh2_bn_init();
	e2 = _libssh2_bn_init();
	k1 = _libssh2_bn_init();
	k2 = _libssh2_bn_init();
	_libssh2_dh_init(&x1);
	_libssh2_dh_init(&x2);
	ok(!_libssh2_dh_key_pair(&x1, e1, g, p, 256) &&
	   !_libssh2_dh_key_pair(&x2, e2, g, p, 256) &&
	   !_libssh2_dh_secret(&x1, k1, e2, p) &&
	   !_libssh2_dh_secret(&x2, k2, e1, p) &&
	   !_libssh2_bn_to_bin(k1, b1) && !_libssh2_bn_to_bin(k2, b2) &&
	   k1->len == k2->len && !memcmp(b1, b2, k1->len) &&
	   _libssh2_bn_bits(x1) == 2047, "DH key pair agreement, 2047-bit x");
	/* f must be in 1 < f < p - 1 (RFC 4253 section 8) */
	bad = bn_hex("01");
	ok(_libssh2_dh_secret(&x1, k1, bad, p) != 0 &&
	   _libssh2_bn_to_bin(k1, b1) != 0, "DH refuses f = 1");
	_libssh2_bn_free(bad);
	bad = _libssh2_bn_init();
	unhex(b2, p14);
	b2[255] -= 1;   /* p - 1 */
	_libssh2_bn_from_bin(bad, 256, b2);
	ok(_libssh2_dh_secret(&x1, k1, bad, p) != 0, "DH refuses f = p - 1");
	_libssh2_bn_free(bad);
	_libssh2_dh_dtor(&x1);
	_libssh2_dh_dtor(&x2);
	_libssh2_bn_free(p);
	_libssh2_bn_free(g);
	_libssh2_bn_free(e1);
	_libssh2_bn_free(e2);
	_libssh2_bn_free(k1);
	_libssh2_bn_free(k2);
}

/* ------------------------------------------------ ECDH and X25519 */

static void test_ecdh(void)
{
	/* RFC 5903 8.1: our side is i, the peer's public key is g^r */
	static const char gr[] =
		"04d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494"
		"bf6356fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f3303"
		"9872ab";
	unsigned char i[32], q[65], out[64];
	_libssh2_ec_key *key = calloc(1, sizeof(*key));
	_libssh2_bn *k = _libssh2_bn_init();
	unsigned char *pub = NULL, *priv = NULL, *pub2 = NULL, *priv2 = NULL;
	size_t qlen = unhex(q, gr), publen;
	_libssh2_ec_key *e1 = NULL, *e2 = NULL;
	_libssh2_bn *k1 = _libssh2_bn_init(), *k2 = _libssh2_bn_init();
	uint8_t a[32], bpub[32];

	unhex(i, "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d"
	      "1433");
	key->sk.curve = BR_EC_secp256r1;
	key->sk.x = key->x;
	key->sk.xlen = 32;
	memcpy(key->x, i, 32);
	ok(!_libssh2_ecdh_gen_k(&k, key, q, qlen) &&
	   !_libssh2_bn_to_bin(k, out) && k->len == 32 &&
	   eq_hex(out, 32, "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03"
		  "812464d04b9442de"), "ECDH P-256 RFC 5903 8.1 shared x");
	q[40] ^= 1;     /* off the curve */
	ok(_libssh2_ecdh_gen_k(&k, key, q, qlen) != 0,
	   "ECDH refuses a point off the curve");
	free(key);

	/* fresh key pairs on each curve agree */
	ok(!_libssh2_ecdsa_create_key(session, &e1, &pub, &publen,
				      LIBSSH2_EC_CURVE_NISTP384) &&
	   publen == 97 &&
	   !_libssh2_ecdsa_create_key(session, &e2, &pub2, &publen,
				      LIBSSH2_EC_CURVE_NISTP384) &&
	   !_libssh2_ecdh_gen_k(&k1, e1, pub2, publen) &&
	   !_libssh2_ecdh_gen_k(&k2, e2, pub, publen) &&
	   k1->len == k2->len && !memcmp(k1->v, k2->v, k1->len),
	   "ECDH P-384 key pairs agree");
	_libssh2_ecdsa_free(e1);
	_libssh2_ecdsa_free(e2);
	LIBSSH2_FREE(session, pub);
	LIBSSH2_FREE(session, pub2);
	pub = pub2 = NULL;

	/* RFC 7748 5.2 (first vector) and 6.1 */
	unhex(a, "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba44"
	      "9ac4");
	unhex(bpub, "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0"
	      "ab1c4c");
	ok(!_libssh2_curve25519_gen_k(&k1, a, bpub) && k1->len == 32 &&
	   eq_hex(k1->v, 32, "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f7"
		  "54b4075577a28552"), "X25519 RFC 7748 5.2");
	unhex(a, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db9"
	      "2c2a");
	unhex(bpub, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f"
	      "882b4f");
	ok(!_libssh2_curve25519_gen_k(&k1, a, bpub) &&
	   eq_hex(k1->v, 32, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e33"
		  "76f09b3c1e161742"), "X25519 RFC 7748 6.1 shared secret");
	memset(bpub, 0, sizeof(bpub));
	ok(_libssh2_curve25519_gen_k(&k1, a, bpub) != 0,
	   "X25519 refuses an all-zero result");
	ok(!_libssh2_curve25519_new(session, &pub, &priv) &&
	   !_libssh2_curve25519_new(session, &pub2, &priv2) &&
	   !_libssh2_curve25519_gen_k(&k1, priv, pub2) &&
	   !_libssh2_curve25519_gen_k(&k2, priv2, pub) &&
	   !memcmp(k1->v, k2->v, 32), "X25519 key pairs agree");
	LIBSSH2_FREE(session, pub);
	LIBSSH2_FREE(session, priv);
	LIBSSH2_FREE(session, pub2);
	LIBSSH2_FREE(session, priv2);
	_libssh2_bn_free(k);
	_libssh2_bn_free(k1);
	_libssh2_bn_free(k2);
}

/* ------------------------------------------------------------- keys */

static const char *keydir;
static const char *pass = "icm-test-pass";

static char *path(const char *name)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", keydir, name);
	return buf;
}

/* the blob of NAME.pub */
static size_t pub_blob(const char *name, unsigned char **blob)
{
	char line[4096], *b64, *end;
	size_t len = 0;
	FILE *f = fopen(path(name), "r");

	*blob = NULL;
	if (!f || !fgets(line, sizeof(line), f)) {
		if (f)
			fclose(f);
		return 0;
	}
	fclose(f);
	b64 = strchr(line, ' ');
	end = b64 ? strchr(b64 + 1, ' ') : NULL;
	if (!end ||
	    _libssh2_base64_decode(session, (char **)blob, &len, b64 + 1,
				   (size_t)(end - b64 - 1)))
		return 0;
	return len;
}

static void key_case(const char *file, const char *pw, const char *pub,
		     const char *method)
{
	unsigned char *m = NULL, *blob = NULL, *want = NULL;
	size_t mlen = 0, blen = 0, wlen = pub_blob(pub, &want);
	int r;

	r = _libssh2_pub_priv_keyfile(session, &m, &mlen, &blob, &blen,
				      path(file), pw);
	ok(r == 0 && mlen == strlen(method) && !memcmp(m, method, mlen) &&
	   wlen && blen == wlen && !memcmp(blob, want, wlen),
	   "%s%s: loads, public key equals %s", file, pw ? " + passphrase" : "",
	   pub);
	if (m)
		LIBSSH2_FREE(session, m);
	if (blob)
		LIBSSH2_FREE(session, blob);
	if (want)
		LIBSSH2_FREE(session, want);
}

static int key_fails_with(const char *file, const char *pw, const char *text)
{
	unsigned char *m = NULL, *blob = NULL;
	size_t mlen, blen;
	char *msg = NULL;
	int r;

	r = _libssh2_pub_priv_keyfile(session, &m, &mlen, &blob, &blen,
				      path(file), pw);
	libssh2_session_last_error(session, &msg, NULL, 0);
	if (!r) {
		LIBSSH2_FREE(session, m);
		LIBSSH2_FREE(session, blob);
		return 0;
	}
	if (!strstr(msg, text))
		printf("#   error was: %s\n", msg);
	return strstr(msg, text) != NULL;
}

static void test_key_loading(void)
{
	static const char *rsa_files[] = {
		"rsa2048", "rsa2048.pkcs1.pem", "rsa2048.pkcs8.pem"
	};
	static const char *rsa_enc[] = {
		"rsa2048-pass", "rsa2048-aes128.pem", "rsa2048-aes256.pem",
		"rsa2048-des3.pem"
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof(rsa_files) / sizeof(rsa_files[0]); i++)
		key_case(rsa_files[i], NULL, "rsa2048.pub", "ssh-rsa");
	for (i = 0; i < sizeof(rsa_enc) / sizeof(rsa_enc[0]); i++)
		key_case(rsa_enc[i], pass, "rsa2048.pub", "ssh-rsa");
	key_case("rsa4096", NULL, "rsa4096.pub", "ssh-rsa");
	key_case("ecdsa256", NULL, "ecdsa256.pub", "ecdsa-sha2-nistp256");
	key_case("ecdsa384", NULL, "ecdsa384.pub", "ecdsa-sha2-nistp384");
	key_case("ecdsa521", NULL, "ecdsa521.pub", "ecdsa-sha2-nistp521");
	key_case("ecdsa256-pass", pass, "ecdsa256.pub", "ecdsa-sha2-nistp256");
	key_case("ecdsa256.sec1.pem", NULL, "ecdsa256.pub",
		 "ecdsa-sha2-nistp256");
	key_case("ecdsa384.pkcs8.pem", NULL, "ecdsa384.pub",
		 "ecdsa-sha2-nistp384");
	key_case("ecdsa521-aes128.pem", pass, "ecdsa521.pub",
		 "ecdsa-sha2-nistp521");

	s = LIBSSH2_ED25519_UNSUPPORTED_TEXT;
	ok(strstr(s, "Ed25519 keys are not supported by this build") &&
	   strstr(s, "BearSSL has no Ed25519") &&
	   key_fails_with("ed25519", NULL, s),
	   "Ed25519 OpenSSH key: a clear error");
	ok(key_fails_with("ed25519.pkcs8.pem", NULL, s),
	   "Ed25519 PKCS#8 key: a clear error");
	ok(key_fails_with("rsa2048-aes128.pem", "wrong", "wrong passphrase"),
	   "legacy PEM, wrong passphrase: says so");
	ok(key_fails_with("rsa2048-aes128.pem", NULL, "no passphrase"),
	   "legacy PEM, no passphrase: says so");
	ok(key_fails_with("rsa2048-pass", NULL, "no passphrase"),
	   "OpenSSH key, no passphrase: says so");
	ok(key_fails_with("rsa2048-pass", "wrong", "password"),
	   "OpenSSH key, wrong passphrase: fails");
	ok(key_fails_with("rsa2048.pub", NULL, "Not a PEM or OpenSSH"),
	   "a public key is not a private key");
}

/* ---------------------------------------------------- RSA and ECDSA */

static void test_rsa(void)
{
	static const char sig256[] =
		"83010104c9b75c99217db829ca9c8784450b0b734cceae9b41f98d7833245b2f"
		"9123235a78e5d81337389b8ff0b259e3443ad739bf221753b5247997f42f2617"
		"3da4b8ed74b3ed05ceb70a9b63403e66a3bd2006a836d29055cf46071b7853b8"
		"f54c10276d84b6fbbb17afe8f4a5b5e68f4b1e5cad7ef15e566a8a5efd4ed2db"
		"1954c31b5547767248e1c7ab3cae4384e2b3e0c8b61997c135de55937ad6771a"
		"be1f7be09f3249d0ba4c90f978f754ef2cd93ab8fc529250843123dbd01901af"
		"5dcb4c70de62e4afd1686b3d5b5baa07b836d0ef8981bb76dc78080e4b9cf42e"
		"55e2c9f3f886540dc56dc9020cf3d129962fd2e573eb424028cc39c1fb03b15e";
	static const char sig512[] =
		"d00b055b4a3fc2425016d5908c44fd3d8e9fd89686466145883314cfe38643ab"
		"e8f8bad0cffb9fad2985ee90603497494970d7a401e72a3e9a5905c867f64f1a"
		"f6124b5828c0446ce0ea3c4b84fb5f13b7fe579ab028d2d557c6fec275ce0d0f"
		"fa8e059dfad06ef086b8bcffd1d44811626c1499300618380bc8373e3d8c7606"
		"1efc9ea7d3dd6fbac8ba9ee7fb7686651cd470344dab4add11135929db10dd01"
		"5f6855ac914e6ef51378557bfc95781d490987e935b32349de1d33a212e9abcc"
		"6b40bd697079b86664d4b5f5abe3930db047e7cbcc1df8ed076339324d8b1c76"
		"a9780896abc89e77babf4f1a7af86a808c8eebe2dc6eba3785793a07d7622290";
	/* the same key in OpenSSH form (CRT exponents computed), PKCS#1 and
	   legacy 3DES PEM all give Python's deterministic signature */
	static const char *files[] = { "rsa2048", "rsa2048.pkcs1.pem",
				       "rsa2048-des3.pem" };
	unsigned char h[64], want[256], *sig = NULL;
	size_t siglen = 0, i;
	libssh2_rsa_ctx *rsa = NULL;

	libssh2_sha256("abc", 3, h);
	for (i = 0; i < 3; i++) {
		int r = !_libssh2_rsa_new_private(&rsa, session, path(files[i]),
						  (const unsigned char *)pass) &&
			!_libssh2_rsa_sha2_sign(session, rsa, h, 32, &sig,
						&siglen) &&
			eq_hex(sig, siglen, sig256);

		ok(r, "RSA PKCS#1 v1.5 SHA-256 signature, key from %s",
		   files[i]);
		if (sig)
			LIBSSH2_FREE(session, sig);
		sig = NULL;
		if (i < 2)
			_libssh2_rsa_free(rsa);
	}
	libssh2_sha512("abc", 3, h);
	ok(!_libssh2_rsa_sha2_sign(session, rsa, h, 64, &sig, &siglen) &&
	   eq_hex(sig, siglen, sig512), "RSA PKCS#1 v1.5 SHA-512 signature");
	if (sig)
		LIBSSH2_FREE(session, sig);

	unhex(want, sig256);
	ok(!_libssh2_rsa_sha2_verify(rsa, 32, want, 256,
				     (const unsigned char *)"abc", 3),
	   "rsa-sha2-256 verify");
	unhex(want, sig512);
	ok(!_libssh2_rsa_sha2_verify(rsa, 64, want, 256,
				     (const unsigned char *)"abc", 3),
	   "rsa-sha2-512 verify");
	ok(_libssh2_rsa_sha2_verify(rsa, 64, want, 256,
				    (const unsigned char *)"abd", 3) != 0,
	   "rsa-sha2-512 verify refuses another message");
	want[100] ^= 1;
	ok(_libssh2_rsa_sha2_verify(rsa, 64, want, 256,
				    (const unsigned char *)"abc", 3) != 0,
	   "rsa-sha2-512 verify refuses a changed signature");
	libssh2_sha1("abc", 3, h);
	ok(!_libssh2_rsa_sha1_sign(session, rsa, h, 20, &sig, &siglen) &&
	   !_libssh2_rsa_sha1_verify(rsa, sig, siglen,
				     (const unsigned char *)"abc", 3),
	   "ssh-rsa (SHA-1) sign and verify");
	LIBSSH2_FREE(session, sig);
	/* a signature that starts with a zero byte, which some peers drop:
	   accepted with and without it */
	for (i = 0; i < 4096; i++) {
		unsigned char m[2] = { (unsigned char)(i >> 8),
				       (unsigned char)i };

		libssh2_sha1(m, 2, h);
		if (_libssh2_rsa_sha1_sign(session, rsa, h, 20, &sig, &siglen))
			break;
		if (sig[0] == 0) {
			ok(!_libssh2_rsa_sha1_verify(rsa, sig, siglen, m, 2) &&
			   !_libssh2_rsa_sha1_verify(rsa, sig + 1, siglen - 1,
						     m, 2),
			   "RSA verify takes a signature without its leading "
			   "zero byte");
			break;
		}
		LIBSSH2_FREE(session, sig);
		sig = NULL;
	}
	if (sig)
		LIBSSH2_FREE(session, sig);
	ok(i < 4096, "found a signature with a leading zero byte");
	_libssh2_rsa_free(rsa);
}

/* parse "mpint r, mpint s" */
static int split_sig(const unsigned char *sig, size_t len,
		     const unsigned char **r, size_t *rl,
		     const unsigned char **s, size_t *sl)
{
	if (len < 8)
		return -1;
	*rl = _libssh2_ntohu32(sig);
	if (*rl + 8 > len)
		return -1;
	*r = sig + 4;
	*sl = _libssh2_ntohu32(sig + 4 + *rl);
	*s = sig + 8 + *rl;
	return 8 + *rl + *sl == len ? 0 : -1;
}

static void test_ecdsa(void)
{
	unsigned char r[33], s[33], h[64], *sig = NULL;
	const unsigned char *rp, *sp;
	size_t siglen, rl, sl, i;
	libssh2_ecdsa_ctx *ec = NULL, *pub = NULL;
	int mpints_ok = 1;

	ok(!_libssh2_ecdsa_new_private(&ec, session,
				       path("ecdsa256.sec1.pem"), NULL) &&
	   _libssh2_ecdsa_get_curve_type(ec) == LIBSSH2_EC_CURVE_NISTP256,
	   "ECDSA P-256 key loads");
	ok(!_libssh2_ecdsa_curve_name_with_octal_new(&pub, ec->q, 65,
						      LIBSSH2_EC_CURVE_NISTP256),
	   "ECDSA public key from its point");
	/* Python's signature over "abc"; r with a leading 00 sign byte, as
	   an mpint of a high-bit value comes */
	r[0] = 0;
	unhex(r + 1, "a21afe1cb699b84c066a8f2de89695e445b353a599587ba049d0c7066"
	      "bb238e4");
	unhex(s, "2e3a10f5fe0b9039305c187e4108893e740b287e811fad57e663de29099f"
	      "a771");
	ok(!_libssh2_ecdsa_verify(pub, r, 33, s, 32,
				  (const unsigned char *)"abc", 3),
	   "ECDSA P-256 verifies a known-good signature (r with sign byte)");
	ok(_libssh2_ecdsa_verify(pub, r, 33, s, 32,
				 (const unsigned char *)"abd", 3) != 0,
	   "ECDSA refuses another message");
	r[0] = 1;
	ok(_libssh2_ecdsa_verify(pub, r, 33, s, 32,
				 (const unsigned char *)"abc", 3) != 0,
	   "ECDSA refuses an r longer than the order");

	/* round trips; every mpint is minimal with a sign byte when needed */
	for (i = 0; i < 16; i++) {
		unsigned char m[1] = { (unsigned char)i };

		libssh2_sha256(m, 1, h);
		if (_libssh2_ecdsa_sign(session, ec, h, 32, &sig, &siglen) ||
		    split_sig(sig, siglen, &rp, &rl, &sp, &sl) ||
		    _libssh2_ecdsa_verify(pub, rp, rl, sp, sl, m, 1) ||
		    (rp[0] & 0x80) || (sp[0] & 0x80) ||
		    (rp[0] == 0 && !(rp[1] & 0x80)) ||
		    (sp[0] == 0 && !(sp[1] & 0x80)))
			mpints_ok = 0;
		if (sig)
			LIBSSH2_FREE(session, sig);
		sig = NULL;
	}
	ok(mpints_ok, "ECDSA P-256 sign/verify round trips, mpint encoding");
	_libssh2_ecdsa_free(ec);
	_libssh2_ecdsa_free(pub);

	ok(!_libssh2_ecdsa_new_private(&ec, session, path("ecdsa521"), NULL) &&
	   !libssh2_sha512("x", 1, h) &&
	   !_libssh2_ecdsa_sign(session, ec, h, 64, &sig, &siglen) &&
	   !split_sig(sig, siglen, &rp, &rl, &sp, &sl) &&
	   !_libssh2_ecdsa_verify(ec, rp, rl, sp, sl,
				  (const unsigned char *)"x", 1),
	   "ECDSA P-521 sign/verify round trip");
	if (sig)
		LIBSSH2_FREE(session, sig);
	_libssh2_ecdsa_free(ec);
}

int main(void)
{
	keydir = getenv("ICM_SSH_KEYS");
	if (!keydir)
		keydir = "tests/data/ssh-keys";
	if (libssh2_init(0) || !(session = libssh2_session_init())) {
		printf("Bail out! libssh2 init failed\n");
		return 1;
	}
	ok(libssh2_crypto_engine() == libssh2_bearssl, "engine is BearSSL");
	test_hashes();
	test_hmac();
	test_ciphers();
	test_bignum();
	test_dh();
	test_ecdh();
	test_key_loading();
	test_rsa();
	test_ecdsa();
	libssh2_session_free(session);
	libssh2_exit();
	return done_testing();
}
