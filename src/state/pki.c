/* pki.c: the deployment's CA and certificates (see pki.h). */
#include "pki.h"
#include "log.h"
#include "../config/plan.h"
#include "../crypto/x509.h"
#include "../util/buf.h"
#include "../util/fs.h"
#include "../util/str.h"
#include <arpa/inet.h>
#include <bearssl.h>

#define PKI_FILE_CAP (256u << 10)	/* one PEM file */
#define PKI_BACKDATE 300		/* for nodes whose clocks lag */
#define PKI_CA_RSA_BITS 4096
#define DAY 86400

static const struct x509_name ca_name = {
	.o = "InterSystems", .ou = "icm", .cn = "icm deployment CA"
};

/* A certificate and its key, loaded. */
struct pair {
	struct key key;
	uint8_t *der;
	size_t len;
	struct x509_info info;	/* points into der */
};

static struct pair *pair_new(void)
{
	return xcalloc(1, sizeof(struct pair));
}

static void pair_free(struct pair *p)
{
	if (!p)
		return;
	free(p->der);
	key_wipe(&p->key);
	free(p);
}

static int read_text(const char *path, struct buf *b)
{
	buf_init(b, PKI_FILE_CAP);
	return fs_read_file(path, b);
}

/* Which file of a pair could not be used, and why (for the caller's
 * error). */
struct pair_err {
	const char *file;
	char why[KEY_WHY_MAX];
};

static int pair_err_set(struct pair_err *e, const char *file,
			const char *why)
{
	e->file = file;
	if (why != e->why)
		strlcpy_icm(e->why, why, sizeof(e->why));
	return -1;
}

/* Reads a PEM certificate; 0, or -1 with e set. */
static int cert_load(const char *path, struct pair *p, struct pair_err *e)
{
	struct buf b;
	char label[PEM_LABEL_MAX];
	int ret = -1;

	if (read_text(path, &b))
		return pair_err_set(e, path, fs_strerror(errno));
	if (!pem_decode(b.data, b.len, label, &p->der, &p->len)) {
		if (!strcmp(label, "CERTIFICATE") &&
		    !x509_read(p->der, p->len, &p->info))
			ret = 0;
	}
	buf_release(&b);
	if (ret)
		pair_err_set(e, path, "not a PEM certificate icm can read");
	return ret;
}

/* Reads a private key; 0, or -1 with e set. */
static int key_load(const char *path, struct key *k, struct pair_err *e)
{
	struct buf b;
	int ret;

	if (read_text(path, &b))
		return pair_err_set(e, path, fs_strerror(errno));
	ret = key_from_pem(k, b.data, b.len, e->why);
	buf_wipe(&b);
	return ret ? pair_err_set(e, path, e->why) : 0;
}

/* True when the certificate's SubjectPublicKeyInfo is the key's. */
static bool key_matches(const struct pair *p)
{
	struct der d;
	bool same;

	der_init(&d, DER_CAP_CERT);
	key_spki(&d, &p->key);
	same = !der_error(&d) && d.len == p->info.spki_len &&
	       !memcmp(d.data, p->info.spki, d.len);
	der_release(&d);
	return same;
}

/* Loads cert and key; 0, -1 unreadable (e says which and why), -2 the
 * key is not the cert's. */
static int pair_load(const char *cert, const char *key, struct pair *p,
		     struct pair_err *e)
{
	if (cert_load(cert, p, e) || key_load(key, &p->key, e))
		return -1;
	return key_matches(p) ? 0 : -2;
}

static char *ca_path(const char *state_dir, const char *file)
{
	return xasprintf("%s/" PKI_DIR "/%s", state_dir, file);
}

static int ca_load(const char *state_dir, struct pair *ca)
{
	char *c = ca_path(state_dir, "ca.pem");
	char *k = ca_path(state_dir, "ca-key.pem");
	struct pair_err e;
	int r = pair_load(c, k, ca, &e);

	if (r == -1)
		error("cannot read the deployment CA: '%s': %s", e.file,
		      e.why);
	else if (r == -2)
		error("'%s' is not the key of '%s'", k, c);
	free(c);
	free(k);
	return r ? -1 : 0;
}

/* Writes key (first) and certificate PEM files into dir, all 0600. */
static int pair_write(const char *dir, const char *cert_name,
		      const char *key_name, const struct key *k,
		      const uint8_t *der, size_t len)
{
	struct buf kb, cb;
	char *kp = xasprintf("%s/%s", dir, key_name);
	char *cp = xasprintf("%s/%s", dir, cert_name);
	int ret = -1;

	buf_init(&kb, PKI_FILE_CAP);
	buf_init(&cb, PKI_FILE_CAP);
	if (key_private_pem(k, &kb) || pem_add(&cb, "CERTIFICATE", der, len)) {
		error("cannot encode the certificate for '%s'", dir);
		goto out;
	}
	if (fs_mkdirs(dir, 0700)) {
		error("cannot create directory '%s': %s", dir, strerror(errno));
		goto out;
	}
	if (fs_write_atomic(kp, kb.data, kb.len, 0600) ||
	    fs_write_atomic(cp, cb.data, cb.len, 0600)) {
		error("cannot write '%s': %s", dir, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	buf_wipe(&kb);
	buf_release(&cb);
	free(kp);
	free(cp);
	return ret;
}

static int ca_make(const char *state_dir, enum key_type type, unsigned bits,
		   long days)
{
	struct key *k = xcalloc(1, sizeof(*k));
	struct x509_spec s;
	uint8_t *der = NULL;
	size_t len = 0;
	time_t now = time(NULL);
	char *dir = xasprintf("%s/" PKI_DIR, state_dir);
	int ret = -1;

	if (key_generate(k, type, bits ? bits : PKI_CA_RSA_BITS))
		goto out;
	memset(&s, 0, sizeof(s));
	s.key = k;
	s.subject = &ca_name;
	s.not_before = now - PKI_BACKDATE;
	s.not_after = now + days * DAY;
	s.ca = true;
	if (x509_make(&s, &der, &len) ||
	    pair_write(dir, "ca.pem", "ca-key.pem", k, der, len))
		goto out;
	ret = 0;
out:
	free(der);
	free(dir);
	key_wipe(k);
	free(k);
	return ret;
}

/* Copies TLSKeyDir's CA after checking the pair loads and matches (only
 * checks when !write). */
static int ca_adopt(const char *state_dir, const char *cert,
		    const char *key, bool write)
{
	struct pair *p = pair_new();
	char *dir = xasprintf("%s/" PKI_DIR, state_dir);
	struct pair_err e;
	int r = pair_load(cert, key, p, &e), ret = -1;

	if (r == -1)
		error("TLSKeyDir: cannot use the CA file '%s': %s", e.file,
		      e.why);
	else if (r == -2)
		error("TLSKeyDir: '%s' is not the key of '%s'", key, cert);
	else if (!write)
		ret = 0;
	else
		ret = pair_write(dir, "ca.pem", "ca-key.pem", &p->key, p->der,
				 p->len);
	pair_free(p);
	free(dir);
	return ret;
}

/* pki_ensure_ca(); with !write, what it would do, checked, nothing made. */
static int ca_ensure(const char *state_dir, const char *tlskeydir,
		     enum key_type type, unsigned bits, long days, bool write)
{
	char *c = ca_path(state_dir, "ca.pem");
	char *k = ca_path(state_dir, "ca-key.pem");
	char *uc = NULL, *uk = NULL;
	struct pair *p = NULL;
	int ret = -1;

	if (fs_exists(c) || fs_exists(k)) {
		p = pair_new();
		if (!ca_load(state_dir, p))
			ret = PKI_CA_KEPT;
		goto out;
	}
	if (tlskeydir && *tlskeydir) {
		uc = xasprintf("%s/ca.pem", tlskeydir);
		uk = xasprintf("%s/ca-key.pem", tlskeydir);
		if (fs_exists(uc) && fs_exists(uk)) {
			if (!ca_adopt(state_dir, uc, uk, write))
				ret = PKI_CA_ADOPTED;
			goto out;
		}
	}
	if (!write || !ca_make(state_dir, type, bits, days))
		ret = PKI_CA_MADE;
out:
	pair_free(p);
	free(c);
	free(k);
	free(uc);
	free(uk);
	return ret;
}

int pki_ensure_ca(const char *state_dir, const char *tlskeydir,
		  enum key_type type, unsigned bits, long days)
{
	return ca_ensure(state_dir, tlskeydir, type, bits, days, true);
}

int pki_check_ca(const char *state_dir, const char *tlskeydir)
{
	return ca_ensure(state_dir, tlskeydir, KEY_EC, 0, 0, false);
}

const char *pki_state_name(enum pki_state s)
{
	static const char *const names[] = {
		[PKI_MISSING] = "none",
		[PKI_VALID] = "valid",
		[PKI_EXPIRING] = "expiring",
		[PKI_EXPIRED] = "expired",
		[PKI_NAMES_CHANGED] = "names changed",
		[PKI_OTHER_CA] = "not signed by the deployment CA",
		[PKI_KEY_MISMATCH] = "key does not match",
		[PKI_UNREADABLE] = "unreadable",
	};

	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}

static bool machine_name_ok(const char *s)
{
	size_t i;

	if (!s || !*s || s[0] == '.' || strlen(s) > 255)
		return false;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("._-", s[i])))
			return false;
	return true;
}

char *pki_node_dir(const char *state_dir, const struct node *n, char **why)
{
	if (!machine_name_ok(n->name)) {
		error_why(why, "machine name '%s' cannot name a certificate "
			  "directory", n->name ? n->name : "");
		return NULL;
	}
	return xasprintf("%s/" PKI_DIR "/nodes/%s", state_dir, n->name);
}

static char *client_dir(const char *state_dir)
{
	return xasprintf("%s/" PKI_DIR "/client", state_dir);
}

static bool san_has(const char *const *san, size_t n, const char *v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcasecmp(san[i], v))
			return true;
	return false;
}

size_t pki_node_sans(const struct node *n, const char **san,
		     char ip_text[][46])
{
	static const char *const fields[] = {
		"DNSName", "IPAddress", "PrivateIPAddress",
	};
	size_t k, nsan = 0, nip = 0;

	san[nsan++] = n->name;
	for (k = 0; k < ARRAY_SIZE(fields); k++) {
		const char *v = node_get(n, fields[k]);
		unsigned char ip[16];

		if (!v || !*v)
			continue;
		/* IPs as inet_ntop() writes them, as x509_read() gives. */
		if (inet_pton(AF_INET, v, ip) == 1 &&
		    inet_ntop(AF_INET, ip, ip_text[nip], 46))
			v = ip_text[nip++];
		else if (inet_pton(AF_INET6, v, ip) == 1 &&
			 inet_ntop(AF_INET6, ip, ip_text[nip], 46))
			v = ip_text[nip++];
		if (!san_has(san, nsan, v) && nsan < PKI_MAX_SAN)
			san[nsan++] = v;
	}
	return nsan;
}

/* True when the certificate's SANs are exactly want[] (any order). */
static bool sans_equal(const struct x509_info *info, const char *const *want,
		       size_t nwant)
{
	const char *got[X509_MAX_SAN];
	size_t i;

	for (i = 0; i < info->nsan; i++)
		got[i] = info->san[i];
	for (i = 0; i < nwant; i++)
		if (!san_has(got, info->nsan, want[i]))
			return false;
	for (i = 0; i < info->nsan; i++)
		if (!san_has(want, nwant, got[i]))
			return false;
	return true;
}

/* Verifies der's signature with the CA as BearSSL's trust anchor, at a
 * time inside its validity (expiry is judged separately), no name. */
static bool signed_by(const struct pair *ca, const struct pair *c)
{
	br_x509_minimal_context x;
	br_x509_trust_anchor ta;
	const br_x509_class **vt = &x.vtable;
	time_t t = c->info.not_before +
		   (c->info.not_after - c->info.not_before) / 2;

	memset(&ta, 0, sizeof(ta));
	ta.dn.data = (unsigned char *)ca->info.subject;
	ta.dn.len = ca->info.subject_len;
	ta.flags = BR_X509_TA_CA;
	if (ca->key.type == KEY_RSA) {
		ta.pkey.key_type = BR_KEYTYPE_RSA;
		ta.pkey.key.rsa = ca->key.rsa_pub;
	} else {
		ta.pkey.key_type = BR_KEYTYPE_EC;
		ta.pkey.key.ec = ca->key.ec_pub;
	}
	br_x509_minimal_init(&x, &br_sha256_vtable, &ta, 1);
	br_x509_minimal_set_hash(&x, br_sha256_ID, &br_sha256_vtable);
	br_x509_minimal_set_rsa(&x, br_rsa_pkcs1_vrfy_get_default());
	br_x509_minimal_set_ecdsa(&x, br_ec_get_default(),
				  br_ecdsa_vrfy_asn1_get_default());
	/* Days since year 0 (BearSSL's epoch): 719528 at 1970-01-01. */
	br_x509_minimal_set_time(&x, (uint32_t)(719528 + t / DAY),
				 (uint32_t)(t % DAY));
	(*vt)->start_chain(vt, NULL);
	(*vt)->start_cert(vt, (uint32_t)c->len);
	(*vt)->append(vt, c->der, c->len);
	(*vt)->end_cert(vt);
	return (*vt)->end_chain(vt) == 0;
}

/* The state of dir/cert_name + key_name; want NULL skips the SANs. */
static int leaf_check(const char *state_dir, const char *dir,
		      const char *cert_name, const char *key_name,
		      const char *const *want, size_t nwant, time_t now,
		      struct pki_status *st)
{
	struct pair *ca = pair_new(), *c = pair_new();
	char *cp = xasprintf("%s/%s", dir, cert_name);
	char *kp = xasprintf("%s/%s", dir, key_name);
	struct pair_err e;
	int r, ret = -1;

	memset(st, 0, sizeof(*st));
	if (ca_load(state_dir, ca))
		goto out;
	ret = 0;
	if (!fs_exists(cp) || !fs_exists(kp)) {
		st->state = PKI_MISSING;
		goto out;
	}
	r = pair_load(cp, kp, c, &e);
	st->expires = c->info.not_after;
	if (r == -1)
		st->state = PKI_UNREADABLE;
	else if (r == -2)
		st->state = PKI_KEY_MISMATCH;
	else if (!signed_by(ca, c))
		st->state = PKI_OTHER_CA;
	else if (want && !sans_equal(&c->info, want, nwant))
		st->state = PKI_NAMES_CHANGED;
	else if (c->info.not_after <= now)
		st->state = PKI_EXPIRED;
	else if (c->info.not_after - now < PKI_RENEW_DAYS * DAY)
		st->state = PKI_EXPIRING;
	else
		st->state = PKI_VALID;
out:
	pair_free(ca);
	pair_free(c);
	free(cp);
	free(kp);
	return ret;
}

int pki_node_check(const char *state_dir, const struct node *n, time_t now,
		   struct pki_status *st)
{
	const char *san[PKI_MAX_SAN];
	char ips[PKI_MAX_SAN][46];
	size_t nsan = pki_node_sans(n, san, ips);
	char *dir = pki_node_dir(state_dir, n, NULL);
	int ret;

	if (!dir)
		return -1;
	ret = leaf_check(state_dir, dir, "server-cert.pem", "server-key.pem",
			 san, nsan, now, st);
	free(dir);
	return ret;
}

int pki_client_check(const char *state_dir, time_t now,
		     struct pki_status *st)
{
	char *dir = client_dir(state_dir);
	int ret = leaf_check(state_dir, dir, "cert.pem", "key.pem", NULL, 0,
			     now, st);

	free(dir);
	return ret;
}

/* Makes a key and a certificate signed by the CA into dir. */
static int leaf_issue(const char *state_dir, const char *dir,
		      const char *cert_name, const char *key_name,
		      const char *cn, unsigned usage, const char *const *san,
		      size_t nsan, long days, time_t *expires)
{
	struct pair *ca = pair_new();
	struct key *k = xcalloc(1, sizeof(*k));
	struct x509_name subject = ca_name;
	struct x509_spec s;
	uint8_t *der = NULL;
	size_t len = 0;
	time_t now = time(NULL);
	int ret = -1;

	if (ca_load(state_dir, ca) ||
	    key_generate(k, ca->key.type, PKI_LEAF_RSA_BITS))
		goto out;
	subject.cn = cn;
	memset(&s, 0, sizeof(s));
	s.key = k;
	s.subject = &subject;
	s.issuer_dn = ca->info.subject;
	s.issuer_dn_len = ca->info.subject_len;
	s.issuer_key = &ca->key;
	s.not_before = now - PKI_BACKDATE;
	s.not_after = now + days * DAY;
	s.usage = usage;
	s.san = san;
	s.nsan = nsan;
	if (x509_make(&s, &der, &len) ||
	    pair_write(dir, cert_name, key_name, k, der, len))
		goto out;
	if (expires)
		*expires = s.not_after;
	ret = 0;
out:
	free(der);
	key_wipe(k);
	free(k);
	pair_free(ca);
	return ret;
}

int pki_node_cert(const char *state_dir, const struct node *n, long days,
		  time_t *expires)
{
	const char *san[PKI_MAX_SAN];
	char ips[PKI_MAX_SAN][46];
	size_t nsan = pki_node_sans(n, san, ips);
	char *dir = pki_node_dir(state_dir, n, NULL);
	int ret;

	if (!dir)
		return -1;
	ret = leaf_issue(state_dir, dir, "server-cert.pem", "server-key.pem",
			 n->name, X509_SERVER | X509_CLIENT, san, nsan, days,
			 expires);
	free(dir);
	return ret;
}

int pki_client_cert(const char *state_dir, long days, time_t *expires)
{
	char *dir = client_dir(state_dir);
	int ret = leaf_issue(state_dir, dir, "cert.pem", "key.pem", "icm",
			     X509_CLIENT, NULL, 0, days, expires);

	free(dir);
	return ret;
}

int pki_node_expiry(const char *state_dir, const struct node *n,
		    time_t *expires)
{
	struct pair *c;
	struct pair_err e;
	char *path;
	int ret = -1;

	if (!machine_name_ok(n->name))
		return -1;
	path = xasprintf("%s/" PKI_DIR "/nodes/%s/server-cert.pem", state_dir,
			 n->name);
	if (!fs_exists(path)) {
		free(path);
		return 0;
	}
	c = pair_new();
	if (!cert_load(path, c, &e)) {
		*expires = c->info.not_after;
		ret = 1;
	}
	pair_free(c);
	free(path);
	return ret;
}
