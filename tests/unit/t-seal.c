/*
 * t-seal.c: crypto/seal, the client-side encryption of state objects.
 *
 * The AES-256-GCM step is checked against the published vectors: the GCM
 * specification's AES-256 test cases 13 to 16 (D. McGrew, J. Viega, "The
 * Galois/Counter Mode of Operation (GCM)", 2005, appendix B; 12-byte IVs),
 * driven through seal_gcm() with the spec's nonce.  Then seal()/unseal():
 * round trips (0 bytes, 1 byte, 1 MiB), every refusal with its reason
 * (wrong key, other aad, each single flipped bit, each truncation),
 * fresh nonces, the cap; and the key file's forms and refusals.
 */
#include "icm.h"
#include "crypto/seal_int.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/report.h"
#include "util/str.h"
#include "tap.h"
#include <ctype.h>

#define AAD "icm-state:pki/ca-key.pem"
#define MIB (1u << 20)

/* hex into out (room for strlen(hex) / 2 bytes); the byte count. */
static size_t unhex(const char *hex, uint8_t *out)
{
	size_t i, n = strlen(hex) / 2;
	unsigned v;

	for (i = 0; i < n; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			abort();
		out[i] = (uint8_t)v;
	}
	return n;
}

/* The spec's AES-256 cases; ct is the ciphertext then the tag. */
static const struct kat {
	const char *name, *key, *iv, *pt, *aad, *ct;
} kats[] = {
	{ "GCM spec test case 13 (empty)",
	  "0000000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "", "",
	  "530f8afbc74536b9a963b4f1c4cb738b" },
	{ "GCM spec test case 14 (one zero block)",
	  "0000000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "00000000000000000000000000000000", "",
	  "cea7403d4d606b6e074ec5d3baf39d18"
	  "d0d1c8a799996bf0265b98b5d48ab919" },
	{ "GCM spec test case 15 (4 blocks)",
	  "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
	  "cafebabefacedbaddecaf888",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
	  "",
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"
	  "b094dac5d93471bdec1a502270e3cc6c" },
	{ "GCM spec test case 16 (60 bytes, 20 bytes of aad)",
	  "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
	  "cafebabefacedbaddecaf888",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
	  "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
};

static void test_vectors(void)
{
	uint8_t key[32], iv[12], pt[64], aad[32], want[80], got[64];
	uint8_t tag[16];
	size_t i, n, na, nw;

	for (i = 0; i < ARRAY_SIZE(kats); i++) {
		const struct kat *k = &kats[i];

		unhex(k->key, key);
		unhex(k->iv, iv);
		n = unhex(k->pt, pt);
		na = unhex(k->aad, aad);
		nw = unhex(k->ct, want);
		memcpy(got, pt, n);
		ok(seal_gcm(key, iv, aad, na, got, n, true, tag) == 0 &&
		   nw == n + 16 && !memcmp(got, want, n) &&
		   !memcmp(tag, want + n, 16), "%s: ciphertext and tag",
		   k->name);
		ok(seal_gcm(key, iv, aad, na, got, n, false, tag) == 0 &&
		   !memcmp(got, pt, n), "%s: decrypts, the tag verifies",
		   k->name);
		tag[15] ^= 1;
		ok(seal_gcm(key, iv, aad, na, got, n, false, tag) == -1,
		   "%s: a tag one bit off does not verify", k->name);
	}
}

static struct seal_key key_a, key_b;

/* Seals then unseals len bytes; true when they come back unchanged. */
static bool round_trip(size_t len)
{
	uint8_t *plain = xmalloc(len ? len : 1);
	struct buf s, u;
	const char *why = NULL;
	size_t i;
	bool good;

	for (i = 0; i < len; i++)
		plain[i] = (uint8_t)(i * 7 + 3);
	buf_init(&s, 2 * MIB);
	buf_init(&u, 2 * MIB);
	good = !seal(&key_a, AAD, plain, len, &s) &&
	       s.len == len + SEAL_OVERHEAD &&
	       seal_is_sealed(s.data, s.len) &&
	       (len < 16 || memcmp(s.data + 20, plain, 16)) &&
	       !unseal(&key_a, AAD, s.data, s.len, &u, &why) &&
	       u.len == len && (!len || !memcmp(u.data, plain, len));
	buf_release(&s);
	buf_release(&u);
	free(plain);
	return good;
}

/* unseal() of data into a buf already holding "kept"; the reason, or
 * "ok", or "appended to": it must append nothing when it refuses. */
static const char *refusal(const struct seal_key *k, const char *aad,
			   const void *data, size_t len)
{
	const char *why = "ok";
	struct buf u;
	int r;

	buf_init(&u, MIB);
	if (buf_adds(&u, "kept"))
		abort();
	r = unseal(k, aad, data, len, &u, &why);
	if (r && (u.len != 4 || strcmp(u.data, "kept")))
		why = "appended to";
	buf_release(&u);
	return why;
}

static void test_seal(void)
{
	static const char secret[] = "{\"ISCPassword\": \"s3cr3t!\"}";
	struct buf s, t, small;
	size_t i, bad;
	uint8_t *p;

	ok(round_trip(0), "round trip: 0 bytes");
	ok(round_trip(1), "round trip: 1 byte");
	ok(round_trip(MIB), "round trip: 1 MiB");

	buf_init(&s, MIB);
	buf_init(&t, MIB);
	if (seal(&key_a, AAD, secret, strlen(secret), &s) ||
	    seal(&key_a, AAD, secret, strlen(secret), &t))
		abort();
	ok(!memcmp(s.data, SEAL_MAGIC, 8), "starts with " SEAL_MAGIC);
	ok(!memmem(s.data, s.len, "s3cr3t", 6), "the plaintext is not in it");
	ok(s.len == t.len && memcmp(s.data + 8, t.data + 8, 12) &&
	   memcmp(s.data + 20, t.data + 20, s.len - 20),
	   "two seals of the same plaintext differ (nonce and all)");
	is_str(refusal(&key_a, AAD, s.data, s.len), "ok", "it unseals");
	is_str(refusal(&key_b, AAD, s.data, s.len), "wrong key or tampered",
	       "another key: refused");
	is_str(refusal(&key_a, "icm-state:instances.json", s.data, s.len),
	       "wrong key or tampered", "another aad (object name): refused");
	is_str(refusal(&key_a, AAD, secret, strlen(secret)), "not sealed",
	       "plain text: not sealed");

	p = (uint8_t *)s.data;
	bad = 0;
	for (i = 0; i < 8 * s.len; i++) {
		const char *want = i < 64 ? "not sealed" :
				   "wrong key or tampered";

		p[i / 8] ^= (uint8_t)(1u << (i % 8));
		if (strcmp(refusal(&key_a, AAD, p, s.len), want))
			bad++;
		p[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	is_int(bad, 0, "each of its bits flipped: refused (magic: not "
	       "sealed; nonce, ciphertext, tag: wrong key or tampered)");
	bad = 0;
	for (i = 0; i < s.len; i++) {
		const char *want = i < 8 ? "not sealed" :
				   i < SEAL_OVERHEAD ? "cut short" :
				   "wrong key or tampered";

		if (strcmp(refusal(&key_a, AAD, p, i), want))
			bad++;
	}
	is_int(bad, 0, "cut at each length: refused (under 8 bytes: not "
	       "sealed; under 36: cut short; longer: wrong key or "
	       "tampered)");
	is_str(refusal(&key_a, AAD, p, s.len), "ok",
	       "and put back, it unseals");

	buf_init(&small, SEAL_OVERHEAD + 4);
	ok(seal(&key_a, AAD, "1234", 4, &small) == -1,
	   "seal: 4 bytes into a buf capped at overhead + 4 (room for the "
	   "NUL too): refused");
	buf_release(&small);
	buf_init(&small, strlen(secret) + 1);
	ok(unseal(&key_a, AAD, s.data, s.len, &small, &(const char *){ 0 }) ==
	   0, "unseal needs no room beyond the plaintext's");
	buf_release(&small);
	buf_release(&s);
	buf_release(&t);
}

static char dir[] = "/tmp/t-seal.XXXXXX";
static struct buf warnings;

static void sink(const char *text)
{
	if (buf_adds(&warnings, text))
		abort();
}

static char *put(const char *name, const void *data, size_t len,
		 mode_t mode)
{
	char *p = xasprintf("%s/%s", dir, name);

	if (fs_write_atomic(p, data, len, mode))
		abort();
	return p;
}

/* Loads name; "ok" when it loads the key of test_keyfile(), else the
 * error (freed by the next call). */
static const char *load(const char *name, const void *data, size_t len)
{
	static char *last;
	char *p = put(name, data, len, 0600), *err = NULL;
	struct seal_key k;

	free(last);
	last = NULL;
	memset(&k, 0xaa, sizeof(k));
	if (seal_key_load(p, &k, &err)) {
		last = err;
		ok(!memchr(k.k, 0xaa, sizeof(k.k)) && !k.k[0] &&
		   !memcmp(k.k, k.k + 1, sizeof(k.k) - 1),
		   "%s: refused, the key left zeroed", name);
	} else {
		last = xstrdup(memcmp(k.k, key_a.k, 32) ? "other key" : "ok");
	}
	free(p);
	return last;
}

static void test_keyfile(void)
{
	char hex[66], *p, *err = NULL;
	uint8_t big[40];
	struct seal_key k;
	const char *e;
	size_t i;

	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", key_a.k[i]);
	hex[64] = '\n';
	is_str(load("raw", key_a.k, 32), "ok", "32 raw bytes");
	is_str(load("hex", hex, 64), "ok", "64 hex digits");
	is_str(load("hex-nl", hex, 65), "ok", "64 hex digits and a newline");
	for (i = 0; i < 64; i++)
		hex[i] = (char)toupper((unsigned char)hex[i]);
	is_str(load("HEX", hex, 65), "ok", "upper-case hex");

	/* Printable key bytes, so a leak would show in the message. */
	memset(big, 'Q', sizeof(big));
	e = load("short", big, 31);
	ok(strstr(e, "holds 31 bytes; a state key is 32 random bytes (icm "
		  "keygen state makes one)") && strstr(e, "/short'"),
	   "31 bytes: refused, the file named (%s)", e);
	ok(!strchr(e, 'Q'), "no key byte in the message");
	e = load("long", big, 33);
	ok(strstr(e, "holds 33 bytes;") && !strchr(e, 'Q'),
	   "33 bytes: refused, no key byte in the message");
	hex[10] = 'Q';
	e = load("nothex", hex, 64);
	ok(strstr(e, "not 64 hex digits") && !strchr(e, 'Q'),
	   "64 bytes, not all hex: refused (%s)", e);
	hex[10] = '0';
	hex[64] = 'x';
	ok(strstr(load("hex-x", hex, 65), "holds 65 bytes"),
	   "65 bytes not ending in a newline: refused");
	e = load("empty", "", 0);
	ok(strstr(e, "holds 0 bytes"), "an empty file: refused");

	p = xasprintf("%s/adir", dir);
	if (mkdir(p, 0700))
		abort();
	i = (size_t)seal_key_load(p, &k, &err);
	ok(i == (size_t)-1 && err &&
	   strstr(err, "not a regular file (a directory)") &&
	   strstr(err, "adir'"), "a directory: refused (%s)", err);
	free(err);
	free(p);
	p = xasprintf("%s/missing", dir);
	ok(seal_key_load(p, &k, &err) == -1 && strstr(err, "missing'"),
	   "a missing file: refused, named");
	free(err);
	free(p);

	buf_init(&warnings, MIB);
	report_reset();
	report_set_sink(sink);
	is_str(load("quiet", key_a.k, 32), "ok", "a 0600 key file");
	is_str(warnings.data, NULL, "no warning");
	p = put("open", key_a.k, 32, 0644);
	ok(!seal_key_load(p, &k, &err) && !seal_key_load(p, &k, &err),
	   "a 0644 key file loads (twice)");
	ok(warnings.data && strstr(warnings.data, "can be read by others") &&
	   strstr(warnings.data, "(mode 0644)") &&
	   strstr(warnings.data, "/open'"), "with a warning (%s)",
	   warnings.data ? warnings.data : "none");
	ok(warnings.data && !strstr(strstr(warnings.data, "can be read") + 1,
				    "can be read"), "given once");
	report_set_sink(NULL);
	buf_release(&warnings);
	free(p);
	seal_key_wipe(&k);
	ok(!k.k[0] && !memcmp(k.k, k.k + 1, 31), "seal_key_wipe zeroes");
}

int main(void)
{
	size_t i;

	for (i = 0; i < 32; i++) {
		key_a.k[i] = (uint8_t)(0x11 * i + 5);
		key_b.k[i] = key_a.k[i];
	}
	key_b.k[31] ^= 0x80;
	if (!mkdtemp(dir))
		abort();
	test_vectors();
	test_seal();
	test_keyfile();
	ok(!fs_remove_tree(dir), "scratch directory removed");
	return done_testing();
}
