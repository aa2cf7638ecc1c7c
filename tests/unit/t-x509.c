/*
 * t-x509.c: certificates from crypto/x509 read back with BearSSL's own
 * decoder (subject, key type, CA flag) and validated by name with its
 * X.509 engine against the CA as trust anchor.
 */
#include "icm.h"
#include "crypto/x509.h"
#include "tap.h"
#include <bearssl.h>
#include "testutil.h"

struct dn {
	uint8_t b[1024];
	size_t n;
};

static void dn_append(void *ctx, const void *buf, size_t len)
{
	struct dn *dn = ctx;

	if (dn->n + len <= sizeof(dn->b)) {
		memcpy(dn->b + dn->n, buf, len);
		dn->n += len;
	}
}

struct decoded {
	struct dn subject;
	int key_type;
	bool ca, ok;
	br_x509_pkey pkey;
	uint8_t keybuf[600];
};

static void decode(const uint8_t *der, size_t len, struct decoded *out)
{
	br_x509_decoder_context x;
	const br_x509_pkey *pk;

	memset(out, 0, sizeof(*out));
	br_x509_decoder_init(&x, dn_append, &out->subject);
	br_x509_decoder_push(&x, der, len);
	pk = br_x509_decoder_get_pkey(&x);
	out->ok = pk && !br_x509_decoder_last_error(&x);
	if (!out->ok)
		return;
	out->key_type = pk->key_type;
	out->ca = br_x509_decoder_isCA(&x);
	pkey_copy(&out->pkey, out->keybuf, pk);
}

/* Validates the chain [cert] against ca as the anchor, for server name. */
static unsigned validate(const uint8_t *cert, size_t len,
			 struct decoded *ca, const char *name, time_t now)
{
	br_x509_minimal_context x;
	br_x509_trust_anchor ta;
	const br_x509_class **vt = &x.vtable;

	ta.dn.data = ca->subject.b;
	ta.dn.len = ca->subject.n;
	ta.flags = BR_X509_TA_CA;
	ta.pkey = ca->pkey;
	br_x509_minimal_init(&x, &br_sha256_vtable, &ta, 1);
	br_x509_minimal_set_hash(&x, br_sha256_ID, &br_sha256_vtable);
	br_x509_minimal_set_rsa(&x, br_rsa_pkcs1_vrfy_get_default());
	br_x509_minimal_set_ecdsa(&x, br_ec_get_default(),
				  br_ecdsa_vrfy_asn1_get_default());
	/* Days since year 0 (BearSSL's epoch): 719528 at 1970-01-01. */
	br_x509_minimal_set_time(&x, (uint32_t)(719528 + now / 86400),
				 (uint32_t)(now % 86400));
	(*vt)->start_chain(vt, name);
	(*vt)->start_cert(vt, (uint32_t)len);
	(*vt)->append(vt, cert, len);
	(*vt)->end_cert(vt);
	return (*vt)->end_chain(vt);
}

static void chain(enum key_type type, unsigned bits, const char *what)
{
	struct key ca, srv;
	struct x509_name ca_name = { "US", "Massachusetts", "Cambridge",
				     "InterSystems", "Development", "icm CA" };
	struct x509_name srv_name = { NULL, NULL, NULL, "InterSystems", NULL,
				      "Label-DM-Tag-0001" };
	const char *const sans[] = { "Label-DM-Tag-0001",
				     "ec2-1-2-3-4.example.com", "10.0.0.5",
				     "fe80::1" };
	struct x509_spec s;
	struct decoded dca, dsrv;
	struct der dn;
	uint8_t *ca_der = NULL, *srv_der = NULL, *want_dn;
	size_t ca_len = 0, srv_len = 0, want_len = 0;
	time_t now = time(NULL);

	if (!ok(!key_generate(&ca, type, bits), "%s: CA key", what) ||
	    !ok(!key_generate(&srv, type, bits), "%s: server key", what))
		return;
	memset(&s, 0, sizeof(s));
	s.key = &ca;
	s.subject = &ca_name;
	s.not_before = now - 300;
	s.not_after = now + 365 * 86400;
	s.ca = true;
	ok(!x509_make(&s, &ca_der, &ca_len), "%s: self-signed CA", what);
	decode(ca_der, ca_len, &dca);
	ok(dca.ok, "%s: BearSSL decodes the CA", what);
	ok(dca.ca, "%s: CA flag set", what);
	is_int(dca.key_type, type == KEY_RSA ? BR_KEYTYPE_RSA : BR_KEYTYPE_EC,
	       "key type");
	der_init(&dn, DER_CAP_CERT);
	x509_name(&dn, &ca_name);
	want_dn = der_take(&dn, &want_len);
	ok(want_dn && want_len == dca.subject.n &&
	   !memcmp(want_dn, dca.subject.b, want_len),
	   "%s: the CA's subject reads back", what);

	memset(&s, 0, sizeof(s));
	s.key = &srv;
	s.subject = &srv_name;
	s.issuer_dn = want_dn;
	s.issuer_dn_len = want_len;
	s.issuer_key = &ca;
	s.not_before = now - 300;
	s.not_after = now + 30 * 86400;
	s.usage = X509_SERVER | X509_CLIENT;
	s.san = sans;
	s.nsan = ARRAY_SIZE(sans);
	ok(!x509_make(&s, &srv_der, &srv_len), "%s: server certificate", what);
	decode(srv_der, srv_len, &dsrv);
	ok(dsrv.ok && !dsrv.ca, "%s: server decodes, not a CA", what);
	is_int(validate(srv_der, srv_len, &dca, "Label-DM-Tag-0001", now), 0,
	       "valid for the machine name");
	is_int(validate(srv_der, srv_len, &dca, "ec2-1-2-3-4.example.com",
			now), 0, "valid for the DNS name");
	is_int(validate(srv_der, srv_len, &dca, "other-host", now),
	       BR_ERR_X509_BAD_SERVER_NAME, "not valid for another name");
	is_int(validate(srv_der, srv_len, &dca, "Label-DM-Tag-0001",
			now + 31 * 86400), BR_ERR_X509_EXPIRED,
	       "expired after its validity");
	is_int(validate(srv_der, srv_len, &dsrv, "Label-DM-Tag-0001", now),
	       BR_ERR_X509_NOT_TRUSTED, "not trusted under another anchor");
	srv_der[srv_len - 5] ^= 1;
	ok(validate(srv_der, srv_len, &dca, "Label-DM-Tag-0001", now) != 0,
	   "%s: a changed signature is refused", what);
	free(ca_der);
	free(srv_der);
	free(want_dn);
	key_wipe(&ca);
	key_wipe(&srv);
}

static void refusals(void)
{
	struct key k;
	struct x509_name n = { .cn = "x" };
	const char *const bad[] = { "under_score" };
	struct x509_spec s;
	uint8_t *der = NULL;
	size_t len;

	ok(key_generate(&k, KEY_RSA, 1024) == -1, "RSA 1024 refused");
	ok(key_generate(&k, KEY_RSA, 8192) == -1, "RSA 8192 refused");
	if (key_generate(&k, KEY_EC, 0))
		return;
	memset(&s, 0, sizeof(s));
	s.key = &k;
	s.subject = &n;
	s.not_before = 100;
	s.not_after = 100;
	ok(x509_make(&s, &der, &len) == -1, "empty validity refused");
	s.not_after = 200;
	s.san = bad;
	s.nsan = 1;
	ok(x509_make(&s, &der, &len) == -1, "a name with '_' refused");
	s.nsan = 0;
	s.not_after = 2524608000 + 86400;	/* 2050: GeneralizedTime */
	ok(x509_make(&s, &der, &len) == 0, "validity into 2050");
	free(der);
	key_wipe(&k);
}

int main(void)
{
	chain(KEY_EC, 0, "ECDSA P-256");
	chain(KEY_RSA, 2048, "RSA 2048");
	refusals();
	return done_testing();
}
