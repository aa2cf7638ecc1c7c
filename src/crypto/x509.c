/* x509.c: the certificate writer (see x509.h). */
#include "x509.h"
#include "rand.h"
#include "../state/log.h"
#include <arpa/inet.h>

#define OID_C  "2.5.4.6"
#define OID_ST "2.5.4.8"
#define OID_L  "2.5.4.7"
#define OID_O  "2.5.4.10"
#define OID_OU "2.5.4.11"
#define OID_CN "2.5.4.3"
#define OID_SUBJECT_KEY_ID "2.5.29.14"
#define OID_KEY_USAGE "2.5.29.15"
#define OID_SUBJECT_ALT_NAME "2.5.29.17"
#define OID_BASIC_CONSTRAINTS "2.5.29.19"
#define OID_AUTHORITY_KEY_ID "2.5.29.35"
#define OID_EXT_KEY_USAGE "2.5.29.37"
#define OID_SERVER_AUTH "1.3.6.1.5.5.7.3.1"
#define OID_CLIENT_AUTH "1.3.6.1.5.5.7.3.2"

/* keyUsage bits (RFC 5280 4.2.1.3). */
#define KU_DIGITAL_SIGNATURE (1u << 0)
#define KU_KEY_ENCIPHERMENT (1u << 2)
#define KU_KEY_CERT_SIGN (1u << 5)
#define KU_CRL_SIGN (1u << 6)

static void rdn(struct der *d, const char *oid, unsigned tag, const char *v)
{
	if (!v || !*v)
		return;
	der_begin(d, DER_SET);
	der_begin(d, DER_SEQUENCE);
	der_oid(d, oid);
	der_str(d, tag, v);
	der_end(d);
	der_end(d);
}

void x509_name(struct der *d, const struct x509_name *n)
{
	der_begin(d, DER_SEQUENCE);
	rdn(d, OID_C, DER_PRINTABLE, n->c);
	rdn(d, OID_ST, DER_UTF8, n->st);
	rdn(d, OID_L, DER_UTF8, n->l);
	rdn(d, OID_O, DER_UTF8, n->o);
	rdn(d, OID_OU, DER_UTF8, n->ou);
	rdn(d, OID_CN, DER_UTF8, n->cn);
	der_end(d);
}

/* Opens an extension: SEQUENCE { extnID, [critical,] OCTET STRING { */
static void ext_begin(struct der *d, const char *oid, bool critical)
{
	der_begin(d, DER_SEQUENCE);
	der_oid(d, oid);
	if (critical)
		der_bool(d, true);
	der_begin(d, DER_OCTET_STRING);
}

static void ext_end(struct der *d)
{
	der_end(d);
	der_end(d);
}

static int san(struct der *d, const struct x509_spec *s)
{
	size_t i;

	if (!s->nsan)
		return 0;
	ext_begin(d, OID_SUBJECT_ALT_NAME, false);
	der_begin(d, DER_SEQUENCE);
	for (i = 0; i < s->nsan; i++) {
		const char *v = s->san[i];
		unsigned char ip[16];

		if (inet_pton(AF_INET, v, ip) == 1) {
			der_tlv(d, DER_CTX_PRIM(7), ip, 4);
		} else if (inet_pton(AF_INET6, v, ip) == 1) {
			der_tlv(d, DER_CTX_PRIM(7), ip, 16);
		} else {
			const char *c;

			if (!*v)
				return error("empty certificate name");
			for (c = v; *c; c++)
				if (!((*c >= 'a' && *c <= 'z') ||
				      (*c >= 'A' && *c <= 'Z') ||
				      (*c >= '0' && *c <= '9') ||
				      *c == '-' || *c == '.' || *c == '*'))
					return error("'%s' is neither a DNS "
						     "name nor an IP address",
						     v);
			der_str(d, DER_CTX_PRIM(2), v);
		}
	}
	der_end(d);
	ext_end(d);
	return 0;
}

static int extensions(struct der *d, const struct x509_spec *s,
		      const struct key *issuer)
{
	uint8_t id[20];
	unsigned ku;

	der_begin(d, DER_CTX(3));
	der_begin(d, DER_SEQUENCE);

	ext_begin(d, OID_BASIC_CONSTRAINTS, true);
	der_begin(d, DER_SEQUENCE);
	if (s->ca)
		der_bool(d, true);
	der_end(d);
	ext_end(d);

	ku = KU_DIGITAL_SIGNATURE;
	if (s->ca)
		ku |= KU_KEY_CERT_SIGN | KU_CRL_SIGN;
	else if (s->key->type == KEY_RSA)
		ku |= KU_KEY_ENCIPHERMENT;
	ext_begin(d, OID_KEY_USAGE, true);
	der_named_bits(d, ku);
	ext_end(d);

	if (s->usage) {
		ext_begin(d, OID_EXT_KEY_USAGE, false);
		der_begin(d, DER_SEQUENCE);
		if (s->usage & X509_SERVER)
			der_oid(d, OID_SERVER_AUTH);
		if (s->usage & X509_CLIENT)
			der_oid(d, OID_CLIENT_AUTH);
		der_end(d);
		ext_end(d);
	}
	if (san(d, s))
		return -1;

	key_id(s->key, id);
	ext_begin(d, OID_SUBJECT_KEY_ID, false);
	der_octets(d, id, sizeof(id));
	ext_end(d);

	key_id(issuer, id);
	ext_begin(d, OID_AUTHORITY_KEY_ID, false);
	der_begin(d, DER_SEQUENCE);
	der_tlv(d, DER_CTX_PRIM(0), id, sizeof(id));
	der_end(d);
	ext_end(d);

	der_end(d);
	der_end(d);
	return 0;
}

int x509_make(const struct x509_spec *s, uint8_t **out, size_t *len)
{
	const struct key *issuer = s->issuer_key ? s->issuer_key : s->key;
	struct der subj, tbs, cert;
	uint8_t serial[16], *subject = NULL, *body = NULL;
	size_t subject_len = 0, body_len = 0;
	int ret = -1;

	der_init(&subj, DER_CAP_CERT);
	der_init(&tbs, DER_CAP_CERT);
	der_init(&cert, DER_CAP_CERT);
	if (s->issuer_key && !s->issuer_dn) {
		error("an issuer key needs the issuer's name");
		goto out;
	}
	if (s->not_after <= s->not_before) {
		error("certificate validity ends before it begins");
		goto out;
	}
	/* Positive and exactly 16 bytes: top bit clear, next bit set. */
	if (rand_bytes(serial, sizeof(serial)))
		goto out;
	serial[0] = (uint8_t)((serial[0] & 0x7f) | 0x40);

	x509_name(&subj, s->subject);
	subject = der_take(&subj, &subject_len);
	if (!subject) {
		error("cannot encode the certificate subject");
		goto out;
	}

	der_begin(&tbs, DER_SEQUENCE);
	der_begin(&tbs, DER_CTX(0));
	der_int(&tbs, 2);		/* v3 */
	der_end(&tbs);
	der_uint(&tbs, serial, sizeof(serial));
	key_sig_alg(&tbs, issuer);
	if (s->issuer_key)
		der_raw(&tbs, s->issuer_dn, s->issuer_dn_len);
	else
		der_raw(&tbs, subject, subject_len);
	der_begin(&tbs, DER_SEQUENCE);
	der_time(&tbs, s->not_before);
	der_time(&tbs, s->not_after);
	der_end(&tbs);
	der_raw(&tbs, subject, subject_len);
	key_spki(&tbs, s->key);
	if (extensions(&tbs, s, issuer))
		goto out;
	der_end(&tbs);
	body = der_take(&tbs, &body_len);
	if (!body) {
		error("cannot encode the certificate (too large, or a time "
		      "outside 1950-9999)");
		goto out;
	}

	der_begin(&cert, DER_SEQUENCE);
	der_raw(&cert, body, body_len);
	key_sig_alg(&cert, issuer);
	der_begin(&cert, DER_BIT_STRING);
	der_raw(&cert, "", 1);		/* no unused bits */
	key_sign(&cert, issuer, body, body_len);
	der_end(&cert);
	der_end(&cert);
	*out = der_take(&cert, len);
	if (!*out) {
		error("cannot sign the certificate");
		goto out;
	}
	ret = 0;
out:
	der_release(&subj);
	der_release(&tbs);
	der_release(&cert);
	free(subject);
	free(body);
	return ret;
}

/* One GeneralName into out->san; other forms than dNSName and iPAddress
 * are skipped. */
static bool read_general_name(struct der_reader *r, struct x509_info *out)
{
	struct der_reader v;
	char *dst;
	int tag = der_read_peek(r);

	if (tag < 0)
		return false;
	if (!der_read(r, (unsigned)tag, &v))
		return false;
	if (tag != DER_CTX_PRIM(2) && tag != DER_CTX_PRIM(7))
		return true;
	if (out->nsan == X509_MAX_SAN)
		return false;
	dst = out->san[out->nsan];
	if (tag == DER_CTX_PRIM(2)) {
		if (v.len >= X509_SAN_LEN || memchr(v.p, 0, v.len))
			return false;
		memcpy(dst, v.p, v.len);
		dst[v.len] = '\0';
	} else if (!(v.len == 4 &&
		     inet_ntop(AF_INET, v.p, dst, X509_SAN_LEN)) &&
		   !(v.len == 16 &&
		     inet_ntop(AF_INET6, v.p, dst, X509_SAN_LEN))) {
		return false;
	}
	out->nsan++;
	return true;
}

static bool read_extensions(struct der_reader *r, struct x509_info *out)
{
	static const uint8_t san_oid[] = { 0x55, 0x1d, 0x11 };	/* 2.5.29.17 */
	struct der_reader exts, ext, oid, val, names;

	if (!der_read(r, DER_SEQUENCE, &exts))
		return false;
	while (der_read_more(&exts)) {
		if (!der_read(&exts, DER_SEQUENCE, &ext) ||
		    !der_read(&ext, DER_OID, &oid))
			return false;
		der_read_opt(&ext, DER_BOOLEAN, NULL);
		if (!der_read(&ext, DER_OCTET_STRING, &val))
			return false;
		if (oid.len != sizeof(san_oid) ||
		    memcmp(oid.p, san_oid, sizeof(san_oid)))
			continue;
		if (!der_read(&val, DER_SEQUENCE, &names))
			return false;
		while (der_read_more(&names))
			if (!read_general_name(&names, out))
				return false;
		if (der_read_error(&names))
			return false;
	}
	return !der_read_error(&exts);
}

int x509_read(const uint8_t *der, size_t len, struct x509_info *out)
{
	struct der_reader r, cert, tbs, validity, ext;

	memset(out, 0, sizeof(*out));
	der_read_init(&r, der, len);
	if (!der_read(&r, DER_SEQUENCE, &cert) || der_read_more(&r) ||
	    !der_read(&cert, DER_SEQUENCE, &tbs))
		return -1;
	der_read_opt(&tbs, DER_CTX(0), NULL);		/* version */
	if (!der_read(&tbs, DER_INTEGER, NULL) ||	/* serial */
	    !der_read(&tbs, DER_SEQUENCE, NULL) ||	/* signature */
	    !der_read_raw(&tbs, DER_SEQUENCE, &out->issuer,
			  &out->issuer_len) ||
	    !der_read(&tbs, DER_SEQUENCE, &validity) ||
	    !der_read_time(&validity, &out->not_before) ||
	    !der_read_time(&validity, &out->not_after) ||
	    der_read_more(&validity) ||
	    !der_read_raw(&tbs, DER_SEQUENCE, &out->subject,
			  &out->subject_len) ||
	    !der_read_raw(&tbs, DER_SEQUENCE, &out->spki, &out->spki_len))
		return -1;
	der_read_opt(&tbs, DER_CTX_PRIM(1), NULL);	/* issuerUniqueID */
	der_read_opt(&tbs, DER_CTX_PRIM(2), NULL);	/* subjectUniqueID */
	if (der_read_opt(&tbs, DER_CTX(3), &ext) &&
	    !read_extensions(&ext, out))
		return -1;
	if (der_read_error(&tbs) || der_read_more(&tbs))
		return -1;
	return 0;
}
