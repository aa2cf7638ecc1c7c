/*
 * t-pki.c: the deployment PKI (state/pki): the CA made once and kept, a
 * TLSKeyDir CA (RSA) adopted and signing, node certificates whose SANs
 * BearSSL validates by name, the expiry read back, and the renewal
 * decision (missing, valid, expiring, expired, names changed, another CA,
 * a key that is not the certificate's).
 */
#include "icm.h"
#include "config/plan.h"
#include "crypto/x509.h"
#include "state/pki.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/str.h"
#include "tap.h"
#include <bearssl.h>
#include "testutil.h"

#define DAY 86400

struct anchor {
	uint8_t dn[1024];
	size_t dnlen;
	br_x509_pkey pkey;
	uint8_t keybuf[600];
};

static void dn_append(void *ctx, const void *buf, size_t len)
{
	struct anchor *a = ctx;

	if (a->dnlen + len <= sizeof(a->dn)) {
		memcpy(a->dn + a->dnlen, buf, len);
		a->dnlen += len;
	}
}

/* The DER of the first PEM object in path (malloc'd), or NULL. */
static uint8_t *pem_file(const char *path, size_t *len)
{
	struct buf b;
	char label[PEM_LABEL_MAX];
	uint8_t *der = NULL;

	buf_init(&b, 1 << 20);
	if (fs_read_file(path, &b) ||
	    pem_decode(b.data, b.len, label, &der, len))
		der = NULL;
	buf_release(&b);
	return der;
}

/* Decodes the CA certificate as BearSSL's trust anchor. */
static bool anchor_load(const char *path, struct anchor *a)
{
	br_x509_decoder_context x;
	const br_x509_pkey *pk;
	size_t len = 0;
	uint8_t *der = pem_file(path, &len);
	bool good;

	memset(a, 0, sizeof(*a));
	if (!der)
		return false;
	br_x509_decoder_init(&x, dn_append, a);
	br_x509_decoder_push(&x, der, len);
	pk = br_x509_decoder_get_pkey(&x);
	good = pk && !br_x509_decoder_last_error(&x) &&
	       br_x509_decoder_isCA(&x);
	if (good)
		pkey_copy(&a->pkey, a->keybuf, pk);
	free(der);
	return good;
}

/* br_x509_minimal on [cert] under the anchor, for name. */
static unsigned validate(const char *cert, struct anchor *a,
			 const char *name)
{
	br_x509_minimal_context x;
	br_x509_trust_anchor ta;
	const br_x509_class **vt = &x.vtable;
	size_t len = 0;
	uint8_t *der = pem_file(cert, &len);
	time_t now = time(NULL);
	unsigned r;

	if (!der)
		return 9999;
	ta.dn.data = a->dn;
	ta.dn.len = a->dnlen;
	ta.flags = BR_X509_TA_CA;
	ta.pkey = a->pkey;
	br_x509_minimal_init(&x, &br_sha256_vtable, &ta, 1);
	br_x509_minimal_set_hash(&x, br_sha256_ID, &br_sha256_vtable);
	br_x509_minimal_set_rsa(&x, br_rsa_pkcs1_vrfy_get_default());
	br_x509_minimal_set_ecdsa(&x, br_ec_get_default(),
				  br_ecdsa_vrfy_asn1_get_default());
	br_x509_minimal_set_time(&x, (uint32_t)(719528 + now / DAY),
				 (uint32_t)(now % DAY));
	(*vt)->start_chain(vt, name);
	(*vt)->start_cert(vt, (uint32_t)len);
	(*vt)->append(vt, der, len);
	(*vt)->end_cert(vt);
	r = (*vt)->end_chain(vt);
	free(der);
	return r;
}

static void node_init(struct node *n, const char *name, const char *dns,
		      const char *ip, const char *private_ip)
{
	memset(n, 0, sizeof(*n));
	n->name = (char *)name;
	n->role = (char *)"DM";
	n->fields = cJSON_CreateObject();
	cJSON_AddStringToObject(n->fields, "MachineName", name);
	if (dns)
		cJSON_AddStringToObject(n->fields, "DNSName", dns);
	if (ip)
		cJSON_AddStringToObject(n->fields, "IPAddress", ip);
	if (private_ip)
		cJSON_AddStringToObject(n->fields, "PrivateIPAddress",
					private_ip);
}

static enum pki_state state_at(const char *dir, const struct node *n,
			       time_t now)
{
	struct pki_status st;

	if (pki_node_check(dir, n, now, &st))
		return (enum pki_state)-1;
	return st.state;
}

static int copy_file(const char *from, const char *to)
{
	char *s = slurp(from);
	int r = s ? fs_write_atomic(to, s, strlen(s), 0600) : -1;

	free(s);
	return r;
}

static void ca_made_once(const char *dir)
{
	char *path = xasprintf("%s/pki/ca.pem", dir);
	char *key = xasprintf("%s/pki/ca-key.pem", dir);
	char *first, *again;
	struct stat st;

	is_int(pki_ensure_ca(dir, NULL, KEY_EC, 0, PKI_CA_DAYS), PKI_CA_MADE,
	       "first call makes the CA");
	first = slurp(path);
	is_int(pki_ensure_ca(dir, NULL, KEY_EC, 0, PKI_CA_DAYS), PKI_CA_KEPT,
	       "second call keeps it");
	again = slurp(path);
	ok(first && again && !strcmp(first, again),
	   "the CA certificate is the same bytes");
	ok(!stat(key, &st) && (st.st_mode & 0777) == 0600, "ca-key.pem 0600");
	free(path);
	path = xasprintf("%s/pki", dir);
	ok(!stat(path, &st) && (st.st_mode & 0777) == 0700, "pki/ 0700");
	free(first);
	free(again);
	free(path);
	free(key);
}

static void node_certs(const char *dir, const char *other_dir)
{
	struct node n, m;
	struct anchor a;
	struct x509_info *info = xcalloc(1, sizeof(*info));
	char *ca = xasprintf("%s/pki/ca.pem", dir);
	char *cert = xasprintf("%s/pki/nodes/Label-DM-Tag-0001/server-cert.pem",
			       dir);
	char *key = xasprintf("%s/pki/nodes/Label-DM-Tag-0001/server-key.pem",
			      dir);
	char *other_key = xasprintf("%s/pki/nodes/Label-DM-Tag-0002/"
				    "server-key.pem", dir);
	char *foreign = xasprintf("%s/pki/nodes/Label-DM-Tag-0001/"
				  "server-cert.pem", other_dir);
	uint8_t *der;
	size_t len = 0, i;
	time_t now = time(NULL), exp = 0, back = 0;
	bool ip = false, pip = false;
	struct stat st;

	node_init(&n, "Label-DM-Tag-0001", "ec2-10-0-0-5.example.com",
		  "10.0.0.5", "172.31.0.5");
	node_init(&m, "Label-DM-Tag-0002", NULL, "10.0.0.6", NULL);
	is_int(state_at(dir, &n, now), PKI_MISSING, "no certificate yet");
	ok(!pki_node_cert(dir, &n, 90, &exp), "node certificate issued");
	ok(exp >= now + 90 * DAY && exp < now + 90 * DAY + 60,
	   "valid for -days");
	ok(!stat(key, &st) && (st.st_mode & 0777) == 0600,
	   "server-key.pem 0600");
	ok(anchor_load(ca, &a), "BearSSL decodes the CA");
	is_int(validate(cert, &a, "Label-DM-Tag-0001"), 0,
	       "valid for the machine name");
	is_int(validate(cert, &a, "ec2-10-0-0-5.example.com"), 0,
	       "valid for the DNS name");
	is_int(validate(cert, &a, "Label-DM-Tag-0002"),
	       BR_ERR_X509_BAD_SERVER_NAME, "not for another node");
	der = pem_file(cert, &len);
	ok(der && !x509_read(der, len, info), "x509_read reads it");
	for (i = 0; i < info->nsan; i++) {
		ip |= !strcmp(info->san[i], "10.0.0.5");
		pip |= !strcmp(info->san[i], "172.31.0.5");
	}
	is_int(info->nsan, 4, "four SANs: name, DNS name, two IPs");
	ok(ip && pip, "IPAddress and PrivateIPAddress are SANs");
	free(der);
	is_int(pki_node_expiry(dir, &n, &back), 1, "expiry read back");
	ok(back == exp, "expiry is the notAfter written");
	is_int(pki_node_expiry(dir, &m, &back), 0, "no certificate: none");

	is_int(state_at(dir, &n, now), PKI_VALID, "valid now");
	is_int(state_at(dir, &n, now + 59 * DAY), PKI_VALID,
	       "valid 31 days before expiry");
	is_int(state_at(dir, &n, now + 61 * DAY), PKI_EXPIRING,
	       "expiring within 30 days");
	is_int(state_at(dir, &n, now + 91 * DAY), PKI_EXPIRED, "expired");
	cJSON_ReplaceItemInObject(n.fields, "IPAddress",
				  cJSON_CreateString("10.0.0.50"));
	is_int(state_at(dir, &n, now), PKI_NAMES_CHANGED,
	       "a changed IP renews");
	ok(!pki_node_cert(dir, &n, 90, NULL), "reissued");
	is_int(state_at(dir, &n, now), PKI_VALID, "valid with the new IP");

	ok(!pki_node_cert(dir, &m, 90, NULL), "second node issued");
	ok(!copy_file(other_key, key), "swap in another node's key");
	is_int(state_at(dir, &n, now), PKI_KEY_MISMATCH, "key mismatch found");
	ok(!pki_node_cert(dir, &n, 90, NULL), "reissued");
	ok(!copy_file(foreign, cert), "a certificate from another CA");
	is_int(state_at(dir, &n, now), PKI_KEY_MISMATCH,
	       "(its key is not ours either)");
	free(foreign);
	foreign = xasprintf("%s/pki/nodes/Label-DM-Tag-0001/server-key.pem",
			    other_dir);
	ok(!copy_file(foreign, key), "with its own key");
	is_int(state_at(dir, &n, now), PKI_OTHER_CA, "another CA found");
	cJSON_Delete(n.fields);
	cJSON_Delete(m.fields);
	free(info);
	free(ca);
	free(cert);
	free(key);
	free(other_key);
	free(foreign);
}

/* A user's RSA CA in TLSKeyDir is copied and signs the node certificates. */
static void adopted(const char *dir, const char *user)
{
	static const struct x509_name name = { .o = "Example", .cn = "user CA" };
	struct key *k = xcalloc(1, sizeof(*k));
	struct x509_spec s;
	struct buf kb, cb;
	struct node n;
	struct anchor a;
	uint8_t *der = NULL;
	size_t len = 0;
	time_t now = time(NULL);
	char *uc = xasprintf("%s/ca.pem", user), *uk = xasprintf("%s/ca-key.pem",
								   user);
	char *c = xasprintf("%s/pki/ca.pem", dir);
	char *cert = xasprintf("%s/pki/nodes/Label-DM-Tag-0001/server-cert.pem",
			       dir);
	char *mine, *theirs;

	buf_init(&kb, 1 << 16);
	buf_init(&cb, 1 << 16);
	memset(&s, 0, sizeof(s));
	s.key = k;
	s.subject = &name;
	s.not_before = now - 60;
	s.not_after = now + 365 * DAY;
	s.ca = true;
	if (!ok(!key_generate(k, KEY_RSA, 2048) && !x509_make(&s, &der, &len) &&
		!key_private_pem(k, &kb) &&
		!pem_add(&cb, "CERTIFICATE", der, len) && !fs_mkdirs(user, 0700) &&
		!fs_write_atomic(uk, kb.data, kb.len, 0600) &&
		!fs_write_atomic(uc, cb.data, cb.len, 0644),
		"a user CA (RSA 2048) in TLSKeyDir"))
		return;
	is_int(pki_ensure_ca(dir, user, KEY_EC, 0, PKI_CA_DAYS),
	       PKI_CA_ADOPTED, "the TLSKeyDir CA is adopted");
	mine = slurp(c);
	theirs = slurp(uc);
	ok(mine && theirs && !strcmp(mine, theirs), "same CA certificate");
	is_int(pki_ensure_ca(dir, user, KEY_EC, 0, PKI_CA_DAYS), PKI_CA_KEPT,
	       "then kept");
	node_init(&n, "Label-DM-Tag-0001", NULL, "10.0.0.5", NULL);
	ok(!pki_node_cert(dir, &n, 30, NULL), "node certificate under it");
	ok(anchor_load(c, &a) && a.pkey.key_type == BR_KEYTYPE_RSA,
	   "the CA is RSA");
	is_int(validate(cert, &a, "Label-DM-Tag-0001"), 0,
	       "the loaded RSA key signed it");
	is_int(state_at(dir, &n, now + 60), PKI_EXPIRING,
	       "30 days of validity is within the renewal window");
	cJSON_Delete(n.fields);
	buf_wipe(&kb);
	buf_release(&cb);
	key_wipe(k);
	free(k);
	free(der);
	free(uc);
	free(uk);
	free(c);
	free(cert);
	free(mine);
	free(theirs);
}

static void client(const char *dir)
{
	struct pki_status st;

	ok(!pki_client_check(dir, time(NULL), &st) && st.state == PKI_MISSING,
	   "no client certificate yet");
	ok(!pki_client_cert(dir, 365, NULL), "client certificate issued");
	ok(!pki_client_check(dir, time(NULL), &st) && st.state == PKI_VALID,
	   "then valid");
}

int main(void)
{
	char base[] = "/tmp/t-pki.XXXXXX";
	char *a, *b, *user;
	struct node bad;

	if (!ok(mkdtemp(base) != NULL, "temp dir"))
		return done_testing();
	a = xasprintf("%s/a", base);
	b = xasprintf("%s/b", base);
	user = xasprintf("%s/user-tls", base);
	ca_made_once(a);
	client(a);
	adopted(b, user);
	node_certs(a, b);
	node_init(&bad, "../evil", NULL, NULL, NULL);
	ok(pki_node_dir(a, &bad, NULL) == NULL, "a machine name with '/' refused");
	cJSON_Delete(bad.fields);
	ok(!fs_remove_tree(base), "cleanup");
	free(a);
	free(b);
	free(user);
	return done_testing();
}
