/*
 * key_read.c: private keys read back (see key.h): PEM in PKCS#1, SEC1 and
 * PKCS#8, and OpenSSH's own format, each checked before icm uses it.
 */
#include "key_int.h"
#include "sshkey.h"
#include "../util/str.h"

/*
 * Reading keys back.  BearSSL's br_skey_decoder keeps no RSA modulus and
 * its br_rsa_i31_compute_modulus() runs out of room at 4096 bits, so the
 * RSA forms are parsed here (n and e are in every one of them) and a
 * sign-and-verify round trip proves the parts belong together.
 *
 * BearSSL's big-integer code is private (its src/inner.h); these are the
 * calls the OpenSSH reader needs to derive RSA's CRT exponents, declared
 * as vendor/libssh2-bearssl declares them.
 */
void br_i31_decode(uint32_t *x, const void *src, size_t len);
void br_i31_decode_reduce(uint32_t *x, const void *src, size_t len,
			  const uint32_t *m);
void br_i31_encode(void *dst, size_t len, const uint32_t *x);

#define I31_WORDS(len) (1 + ((len) * 8 + 30) / 31)

/* DER of the OIDs a private key names (tag and length left out). */
static const uint8_t oid_rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
				   0x01, 0x01 };
static const uint8_t oid_ec[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
static const uint8_t oid_ed25519[] = { 0x2b, 0x65, 0x70 };

static bool oid_is(const struct der_reader *oid, const uint8_t *want,
		   size_t n)
{
	return oid->len == n && !memcmp(oid->p, want, n);
}

/* Says why a key cannot be used; returns -1. */
static int why_not(char *why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int why_not(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, KEY_WHY_MAX, fmt, ap);
	va_end(ap);
	return -1;
}

#define DAMAGED "not a well-formed private key"

/* A big-endian unsigned integer inside the key file. */
struct bn {
	const uint8_t *p;
	size_t len;
};

static struct bn bn_trim(const uint8_t *p, size_t len)
{
	while (len && !*p) {
		p++;
		len--;
	}
	return (struct bn){ p, len };
}

static unsigned bn_bits(struct bn b)
{
	unsigned bits = (unsigned)b.len * 8;
	uint8_t top = b.len ? b.p[0] : 0;

	if (!b.len)
		return 0;
	while (!(top & 0x80)) {
		top <<= 1;
		bits--;
	}
	return bits;
}

/* Copies b into buf at *off; false when full. */
static bool kput(uint8_t *buf, size_t size, size_t *off, unsigned char **dst,
		 size_t *dlen, struct bn b)
{
	if (b.len > size - *off)
		return false;
	memcpy(buf + *off, b.p, b.len);
	*dst = buf + *off;
	*dlen = b.len;
	*off += b.len;
	return true;
}

struct rsa_parts {
	struct bn n, e, d, p, q, dp, dq, iq;
};

/* BearSSL's BR_MAX_RSA_SIZE (4096 as released, 8192 with
 * vendor/patches/bearssl/0002-rsa-8192-bits.patch). */
static long bearssl_rsa_max_bits(void)
{
	const br_config_option *o;

	for (o = br_get_config(); o->name; o++)
		if (!strcmp(o->name, "BR_MAX_RSA_SIZE"))
			return o->value;
	return 0;
}

/* Signs a fixed hash and verifies it: the parts are one key, and this
 * build can sign with it. */
static int rsa_check(const struct key *k, char *why)
{
	static const unsigned char hash[32] = "icm checks the key it reads.";
	unsigned char sig[KEY_RSA_MAX_BITS / 8], back[sizeof(hash)];

	if (!br_rsa_pkcs1_sign_get_default()(BR_HASH_OID_SHA256, hash,
					     sizeof(hash), &k->rsa, sig))
		return why_not(why, "an RSA key of %u bits, more than this "
			       "build's BearSSL can sign with (%ld at most)",
			       k->bits, bearssl_rsa_max_bits());
	if (!br_rsa_pkcs1_vrfy_get_default()(sig, k->rsa_pub.nlen,
					     BR_HASH_OID_SHA256, sizeof(back),
					     &k->rsa_pub, back) ||
	    memcmp(back, hash, sizeof(hash)))
		return why_not(why, "an RSA key whose parts do not belong "
			       "together (damaged?)");
	return 0;
}

static int rsa_set(struct key *k, const struct rsa_parts *r, char *why)
{
	br_rsa_private_key *sk = &k->rsa;
	size_t off = 0, size = sizeof(k->kpriv);
	unsigned bits = bn_bits(r->n);

	if (!r->e.len || !r->d.len || !r->p.len || !r->q.len ||
	    !r->dp.len || !r->dq.len || !r->iq.len)
		return why_not(why, DAMAGED);
	if (bits < KEY_RSA_MIN_BITS || bits > KEY_RSA_MAX_BITS)
		return why_not(why, "an RSA key of %u bits (icm takes %d to "
			       "%d)", bits, KEY_RSA_MIN_BITS,
			       KEY_RSA_MAX_BITS);
	if (r->e.len > 4 || r->d.len > sizeof(k->d))
		return why_not(why, DAMAGED);
	k->type = KEY_RSA;
	k->bits = bits;
	memcpy(k->kpub, r->n.p, r->n.len);
	memcpy(k->kpub + r->n.len, r->e.p, r->e.len);
	k->rsa_pub.n = k->kpub;
	k->rsa_pub.nlen = r->n.len;
	k->rsa_pub.e = k->kpub + r->n.len;
	k->rsa_pub.elen = r->e.len;
	memcpy(k->d, r->d.p, r->d.len);
	k->dlen = r->d.len;
	sk->n_bitlen = bits;
	if (!kput(k->kpriv, size, &off, &sk->p, &sk->plen, r->p) ||
	    !kput(k->kpriv, size, &off, &sk->q, &sk->qlen, r->q) ||
	    !kput(k->kpriv, size, &off, &sk->dp, &sk->dplen, r->dp) ||
	    !kput(k->kpriv, size, &off, &sk->dq, &sk->dqlen, r->dq) ||
	    !kput(k->kpriv, size, &off, &sk->iq, &sk->iqlen, r->iq))
		return why_not(why, DAMAGED);
	return rsa_check(k, why);
}

static int ec_set(struct key *k, const struct curve *c, struct bn x,
		  char *why)
{
	size_t off = 0, xlen = 0;

	if (!c->taken)
		return why_not(why, "an EC key on %s (icm takes P-256 and "
			       "P-384)", c->name);
	k->type = KEY_EC;
	k->bits = c->id == BR_EC_secp256r1 ? 256 : 384;
	k->ec.curve = c->id;
	if (!x.len || x.len > k->bits / 8 ||
	    !kput(k->kpriv, sizeof(k->kpriv), &off, &k->ec.x, &xlen, x))
		return why_not(why, DAMAGED);
	k->ec.xlen = xlen;
	if (!br_ec_compute_pub(br_ec_get_default(), &k->ec_pub, k->kpub,
			       &k->ec))
		return why_not(why, DAMAGED);
	return 0;
}

/* A non-negative INTEGER, leading zeros dropped. */
static bool read_uint(struct der_reader *r, struct bn *out)
{
	struct der_reader in;

	if (!der_read(r, DER_INTEGER, &in) || !in.len || (in.p[0] & 0x80))
		return false;
	*out = bn_trim(in.p, in.len);
	return true;
}

/* PKCS#1 RSAPrivateKey (two primes). */
static int rsa_from_pkcs1(struct key *k, const uint8_t *der, size_t len,
			  char *why)
{
	struct der_reader r, s;
	struct rsa_parts p;
	struct bn version;

	der_read_init(&r, der, len);
	if (!der_read(&r, DER_SEQUENCE, &s) || !read_uint(&s, &version) ||
	    !read_uint(&s, &p.n) || !read_uint(&s, &p.e) ||
	    !read_uint(&s, &p.d) || !read_uint(&s, &p.p) ||
	    !read_uint(&s, &p.q) || !read_uint(&s, &p.dp) ||
	    !read_uint(&s, &p.dq) || !read_uint(&s, &p.iq))
		return why_not(why, DAMAGED);
	if (version.len)
		return why_not(why, "a multi-prime RSA key (icm takes "
			       "two-prime keys)");
	return rsa_set(k, &p, why);
}

/* SEC1 ECPrivateKey; c is the curve PKCS#8 named (NULL: the key's own
 * parameters must name it). */
static int ec_from_sec1(struct key *k, const uint8_t *der, size_t len,
			const struct curve *c, char *why)
{
	struct der_reader r, s, x, params, oid;
	struct bn version;

	der_read_init(&r, der, len);
	if (!der_read(&r, DER_SEQUENCE, &s) || !read_uint(&s, &version) ||
	    version.len != 1 || version.p[0] != 1 ||
	    !der_read(&s, DER_OCTET_STRING, &x))
		return why_not(why, DAMAGED);
	if (der_read_opt(&s, DER_CTX(0), &params)) {
		if (!der_read(&params, DER_OID, &oid))
			return why_not(why, DAMAGED);
		c = key_curve_by_oid(&oid);
		if (!c)
			return why_not(why, "an EC key on a curve icm does "
				       "not take (P-256 or P-384)");
	}
	if (!c)
		return why_not(why, DAMAGED);
	return ec_set(k, c, bn_trim(x.p, x.len), why);
}

/* PKCS#8 PrivateKeyInfo, unencrypted. */
static int key_from_pkcs8(struct key *k, const uint8_t *der, size_t len,
			  char *why)
{
	struct der_reader r, s, alg, oid, params, priv;
	struct bn version;
	const struct curve *c;

	der_read_init(&r, der, len);
	if (!der_read(&r, DER_SEQUENCE, &s) || !read_uint(&s, &version) ||
	    !der_read(&s, DER_SEQUENCE, &alg) ||
	    !der_read(&alg, DER_OID, &oid))
		return why_not(why, DAMAGED);
	if (oid_is(&oid, oid_ed25519, sizeof(oid_ed25519)))
		return why_not(why, "an Ed25519 key (icm takes RSA and ECDSA "
			       "keys)");
	if (!der_read(&s, DER_OCTET_STRING, &priv))
		return why_not(why, DAMAGED);
	if (oid_is(&oid, oid_rsa, sizeof(oid_rsa)))
		return rsa_from_pkcs1(k, priv.p, priv.len, why);
	if (!oid_is(&oid, oid_ec, sizeof(oid_ec)))
		return why_not(why, "a PKCS#8 key of a kind icm does not take "
			       "(RSA or ECDSA)");
	if (!der_read(&alg, DER_OID, &params))
		return why_not(why, DAMAGED);
	c = key_curve_by_oid(&params);
	if (!c)
		return why_not(why, "an EC key on a curve icm does not take "
			       "(P-256 or P-384)");
	return ec_from_sec1(k, priv.p, priv.len, c, why);
}

/* The SSH wire format of RFC 4251 5: uint32 and string. */
struct ssh_reader {
	const uint8_t *p;
	size_t len;
	bool err;
};

static uint32_t ssh_u32(struct ssh_reader *r)
{
	uint32_t v;

	if (r->err || r->len < 4) {
		r->err = true;
		return 0;
	}
	v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	    (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->len -= 4;
	return v;
}

static struct bn ssh_string(struct ssh_reader *r)
{
	uint32_t n = ssh_u32(r);
	struct bn s = { NULL, 0 };

	if (r->err || n > r->len) {
		r->err = true;
		return s;
	}
	s.p = r->p;
	s.len = n;
	r->p += n;
	r->len -= n;
	return s;
}

static bool ssh_is(struct bn s, const char *want)
{
	return s.len == strlen(want) && !memcmp(s.p, want, s.len);
}

/* out (p.len bytes) = d mod (p - 1), p odd. */
static int crt_exponent(uint8_t *out, struct bn d, struct bn p)
{
	size_t words = I31_WORDS(p.len);
	uint32_t *m, *x;
	uint8_t *pm1;

	if (!p.len || !(p.p[p.len - 1] & 1))
		return -1;
	m = xcalloc(2 * words, sizeof(uint32_t));
	x = m + words;
	pm1 = xmalloc(p.len);
	memcpy(pm1, p.p, p.len);
	pm1[p.len - 1] &= 0xfe;
	br_i31_decode(m, pm1, p.len);
	br_i31_decode_reduce(x, d.p, d.len, m);
	br_i31_encode(out, p.len, x);
	explicit_bzero(m, 2 * words * sizeof(uint32_t));
	explicit_bzero(pm1, p.len);
	free(m);
	free(pm1);
	return 0;
}

static int rsa_from_openssh(struct key *k, struct ssh_reader *r, char *why)
{
	struct rsa_parts p;
	uint8_t *crt = NULL;
	int ret;

	p.n = ssh_string(r);
	p.e = ssh_string(r);
	p.d = ssh_string(r);
	p.iq = ssh_string(r);
	p.p = ssh_string(r);
	p.q = ssh_string(r);
	if (r->err)
		return why_not(why, DAMAGED);
	p.n = bn_trim(p.n.p, p.n.len);
	p.e = bn_trim(p.e.p, p.e.len);
	p.d = bn_trim(p.d.p, p.d.len);
	p.iq = bn_trim(p.iq.p, p.iq.len);
	p.p = bn_trim(p.p.p, p.p.len);
	p.q = bn_trim(p.q.p, p.q.len);
	if (p.p.len > KEY_RSA_MAX_BITS / 8 || p.q.len > KEY_RSA_MAX_BITS / 8)
		return why_not(why, DAMAGED);
	crt = xmalloc(p.p.len + p.q.len + 1);
	if (crt_exponent(crt, p.d, p.p) ||
	    crt_exponent(crt + p.p.len, p.d, p.q)) {
		ret = why_not(why, DAMAGED);
		goto out;
	}
	p.dp = bn_trim(crt, p.p.len);
	p.dq = bn_trim(crt + p.p.len, p.q.len);
	ret = rsa_set(k, &p, why);
out:
	explicit_bzero(crt, p.p.len + p.q.len + 1);
	free(crt);
	return ret;
}

static int ec_from_openssh(struct key *k, struct ssh_reader *r, char *why)
{
	struct bn name = ssh_string(r), q = ssh_string(r);
	struct bn x = ssh_string(r);
	const struct curve *c = key_curve_by_ssh(name.p, name.len);

	if (r->err)
		return why_not(why, DAMAGED);
	if (!c)
		return why_not(why, "an EC key on a curve icm does not take "
			       "(P-256 or P-384)");
	if (ec_set(k, c, bn_trim(x.p, x.len), why))
		return -1;
	if (q.len != k->ec_pub.qlen || memcmp(q.p, k->ec_pub.q, q.len))
		return why_not(why, "an EC key whose public point is not its "
			       "private key's (damaged?)");
	return 0;
}

#define OPENSSH_MAGIC "openssh-key-v1"	/* and its NUL */

/* OpenSSH's "openssh-key-v1", unencrypted, one key. */
static int key_from_openssh(struct key *k, const uint8_t *bin, size_t len,
			    char *why)
{
	struct ssh_reader r = { bin, len, false }, priv;
	struct bn cipher, type, s;
	uint32_t check1, check2;

	if (len < sizeof(OPENSSH_MAGIC) ||
	    memcmp(bin, OPENSSH_MAGIC, sizeof(OPENSSH_MAGIC)))
		return why_not(why, DAMAGED);
	r.p += sizeof(OPENSSH_MAGIC);
	r.len -= sizeof(OPENSSH_MAGIC);
	cipher = ssh_string(&r);
	ssh_string(&r);			/* kdfname */
	ssh_string(&r);			/* kdfoptions */
	if (!r.err && !ssh_is(cipher, "none"))
		return why_not(why, "protected by a passphrase (icm needs it "
			       "unencrypted: ssh-keygen -p -N '' -f FILE)");
	if (ssh_u32(&r) != 1)
		return why_not(why, r.err ? DAMAGED : "more than one key");
	ssh_string(&r);			/* the public key */
	s = ssh_string(&r);
	if (r.err)
		return why_not(why, DAMAGED);
	priv = (struct ssh_reader){ s.p, s.len, false };
	check1 = ssh_u32(&priv);
	check2 = ssh_u32(&priv);
	type = ssh_string(&priv);
	if (priv.err || check1 != check2)
		return why_not(why, DAMAGED);
	if (ssh_is(type, "ssh-rsa"))
		return rsa_from_openssh(k, &priv, why);
	if (type.len > 11 && !memcmp(type.p, "ecdsa-sha2-", 11))
		return ec_from_openssh(k, &priv, why);
	if (ssh_is(type, "ssh-ed25519"))
		return why_not(why, "an Ed25519 key (icm takes RSA and ECDSA "
			       "keys)");
	return why_not(why, "an SSH key of type '%.*s' (icm takes RSA and "
		       "ECDSA keys)", (int)(type.len > 40 ? 40 : type.len),
		       (const char *)type.p);
}

#define OPENSSH_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define OPENSSH_END "-----END OPENSSH PRIVATE KEY-----"

/*
 * The body of an "OPENSSH PRIVATE KEY" block, decoded into b (ssh-keygen's
 * 70-column lines split base64 quartets, which BearSSL's PEM decoder
 * refuses).  b is sized once, so no copy of the key is left behind by
 * growth; the caller wipes it.  0, or -1 when text holds no such block.
 */
static int openssh_body(const char *text, size_t len, struct buf *b)
{
	const char *s = memmem(text, len, OPENSSH_BEGIN,
			       sizeof(OPENSSH_BEGIN) - 1), *e;
	size_t n;

	buf_init(b, 0);		/* the caller wipes b on every path */
	if (!s)
		return -1;
	s += sizeof(OPENSSH_BEGIN) - 1;
	e = memmem(s, (size_t)(text + len - s), OPENSSH_END,
		   sizeof(OPENSSH_END) - 1);
	if (!e)
		return -1;
	n = (size_t)(e - s);
	buf_init(b, n + 1);
	if (buf_add(b, s, n))
		return -1;
	b->len = 0;
	return base64_decode(b, s, n);
}

/* The first PEM object in text whose label ends in "PRIVATE KEY" (an
 * "EC PARAMETERS" block may come first). */
static int private_pem(const char *text, size_t len, char *label,
		       uint8_t **der, size_t *n)
{
	static const char begin[] = "-----BEGIN ";
	const char *p = text, *end = text + len;

	while ((p = memmem(p, (size_t)(end - p), begin, sizeof(begin) - 1))) {
		size_t l;

		if (pem_decode(p, (size_t)(end - p), label, der, n))
			return -1;
		l = strlen(label);
		if (l >= 11 && !strcmp(label + l - 11, "PRIVATE KEY"))
			return 0;
		explicit_bzero(*der, *n);
		free(*der);
		*der = NULL;
		p += sizeof(begin) - 1;
	}
	return -1;
}

int key_from_pem(struct key *k, const void *text, size_t len, char *why)
{
	char label[PEM_LABEL_MAX];
	uint8_t *der = NULL;
	size_t n = 0;
	int ret = -1;

	memset(k, 0, sizeof(*k));
	*why = 0;
	if (memmem(text, len, "Proc-Type: 4,ENCRYPTED", 22) ||
	    memmem(text, len, "BEGIN ENCRYPTED PRIVATE KEY", 27)) {
		why_not(why, "protected by a passphrase (icm needs the key "
			"unencrypted)");
		goto out;
	}
	if (memmem(text, len, OPENSSH_BEGIN, sizeof(OPENSSH_BEGIN) - 1)) {
		struct buf b;

		if (openssh_body(text, len, &b))
			why_not(why, DAMAGED);
		else
			ret = key_from_openssh(k, (const uint8_t *)b.data,
					       b.len, why);
		buf_wipe(&b);
		goto out;
	}
	if (private_pem(text, len, label, &der, &n)) {
		why_not(why, "not a PEM or OpenSSH private key");
		goto out;
	}
	if (!strcmp(label, "RSA PRIVATE KEY"))
		ret = rsa_from_pkcs1(k, der, n, why);
	else if (!strcmp(label, "EC PRIVATE KEY"))
		ret = ec_from_sec1(k, der, n, NULL, why);
	else if (!strcmp(label, "PRIVATE KEY"))
		ret = key_from_pkcs8(k, der, n, why);
	else
		why_not(why, "a '%s' (icm takes RSA and ECDSA keys)", label);
out:
	if (der)
		explicit_bzero(der, n);
	free(der);
	if (ret)
		key_wipe(k);
	return ret;
}
