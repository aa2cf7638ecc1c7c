/*
 * keygen.c: `icm keygen ssh|tls [DIR]`, what ICM's keygenSSH.sh and
 * keygenTLS.sh did with ssh-keygen, openssl and keytool, on BearSSL alone,
 * and `icm keygen state [FILE]`, the key that seals the state's secrets.
 *
 * ssh (default ./ssh; ICM's scripts used /Samples/ssh): one key pair,
 * RSA 2048 (-bits) or P-256 (-type ecdsa), written under every name ICM's
 * samples and guide use:
 *   insecure, secure-ssh2          private key, PEM (0600)
 *   insecure.pub                   OpenSSH one-line public key
 *   insecure-ssh2.pub, secure-ssh2.pub
 *                                  RFC 4716 "SSH2" public key (AWS)
 *
 * tls (default ./tls): a CA and two certificates signed by it, RSA 4096
 * (-bits) or P-256, valid -days (365), random serials:
 *   ca.pem, ca-key.pem             the CA (its key unencrypted, 0600)
 *   server-cert.pem, server-key.pem
 *                                  serverAuth+clientAuth; SANs localhost,
 *                                  127.0.0.1 and the -names given
 *   cert.pem, key.pem, keycert.pem the client (CN=client), keycert.pem
 *                                  being key then certificate
 *   keystore.p12                   PKCS#12: client key, cert and CA
 *   truststore.jks                 JKS with the CA (alias "ca")
 *   SSLConfig.Properties           Java TLS settings, one random password
 *                                  for both stores (ICM's keys)
 * The password is registered as a secret: it never reaches the console or
 * icm.log, only SSLConfig.Properties (0600).
 *
 * Every target is checked before any is written (an existing file is
 * refused unless -force), as `icm samples` does.
 *
 * tls -renew: the deployment's PKI (state/pki, see state/pki.h) from
 * instances.json, under the state lock: the CA is kept, adopted from
 * TLSKeyDir or made (-type, -bits); the client certificate and every
 * selected node's server certificate (load balancers have none) are
 * issued when missing, when the node's names or IPs changed, when not
 * signed by the CA, or when they expire within PKI_RENEW_DAYS; -days is
 * the new validity.  One line per node says what was done.
 *
 * state (default ./state.key; its directory made 0700): 32 random
 * bytes, 0600, the key crypto/seal.h encrypts the state's secret objects
 * with.  An existing file is refused even with -force: a state key
 * replaced is a state lost.
 */
#include "cmd.h"
#include "../crypto/jks.h"
#include "../crypto/key.h"
#include "../crypto/pkcs12.h"
#include "../crypto/rand.h"
#include "../crypto/seal.h"
#include "../crypto/sshkey.h"
#include "../crypto/x509.h"
#include "../config/instances.h"
#include "../state/log.h"
#include "../state/pki.h"
#include "../util/buf.h"
#include "../util/fs.h"
#include "../util/str.h"

#define KEYGEN_CAP (1u << 20)		/* one output file */
#define SSH_DEFAULT_BITS 2048
#define TLS_DEFAULT_BITS 4096
#define TLS_DEFAULT_DAYS 365
#define TLS_MAX_DAYS 36500
#define TLS_PASSWORD_LEN 20
#define TLS_MAX_NAMES 64
/* Certificates start a little in the past, for nodes whose clocks lag. */
#define TLS_BACKDATE 300

struct out_file {
	const char *name;
	mode_t mode;
	struct buf data;
};

struct outputs {
	struct out_file f[12];
	size_t n;
};

static struct buf *out_add(struct outputs *o, const char *name, mode_t mode)
{
	struct out_file *f = &o->f[o->n++];

	f->name = name;
	f->mode = mode;
	buf_init(&f->data, KEYGEN_CAP);
	return &f->data;
}

static void outputs_release(struct outputs *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		buf_wipe(&o->f[i].data);
	o->n = 0;
}

/* Checks every target, then writes them all; says each path written. */
static int outputs_write(struct ctx *ctx, const char *dir,
			 struct outputs *o)
{
	bool force = opt_on(&ctx->opts, OPT_FORCE);
	cJSON *written = cJSON_CreateArray();
	char *path[ARRAY_SIZE(o->f)] = { NULL };
	size_t i;
	int ret = -1, bad = 0;

	if (fs_exists(dir) && !fs_is_dir(dir)) {
		error("'%s' exists and is not a directory", dir);
		goto out;
	}
	for (i = 0; i < o->n; i++) {
		path[i] = xasprintf("%s%s%s", dir, str_ends(dir, "/") ? "" : "/",
				    o->f[i].name);
		if (!fs_exists(path[i]))
			continue;
		if (fs_is_dir(path[i]))
			bad = error("'%s' exists and is a directory", path[i]);
		else if (!force)
			bad = error("'%s' already exists (use -force to "
				    "overwrite)", path[i]);
	}
	if (bad)
		goto out;
	if (fs_mkdirs(dir, 0700)) {
		error("cannot create directory '%s': %s", dir, strerror(errno));
		goto out;
	}
	for (i = 0; i < o->n; i++) {
		if (fs_write_atomic(path[i], o->f[i].data.data, o->f[i].data.len,
				    o->f[i].mode)) {
			error("cannot write '%s': %s", path[i], strerror(errno));
			goto out;
		}
		say("%s", path[i]);
		cJSON_AddItemToArray(written, cJSON_CreateString(path[i]));
	}
	cJSON_Delete(ctx->response);
	ctx->response = written;
	written = NULL;
	ret = 0;
out:
	for (i = 0; i < o->n; i++)
		free(path[i]);
	cJSON_Delete(written);
	return ret;
}

/* -type and -bits into a key type and size. */
static int key_options(struct ctx *ctx, unsigned def_bits,
		       enum key_type *type, unsigned *bits)
{
	const char *t = opt_str(&ctx->opts, OPT_TYPE);
	const char *b = opt_str(&ctx->opts, OPT_BITS);
	long v;

	*type = KEY_RSA;
	*bits = def_bits;
	if (t && !strcmp(t, "ecdsa"))
		*type = KEY_EC;
	else if (t && strcmp(t, "rsa"))
		return error("-type: expected rsa or ecdsa, got '%s'", t);
	if (!b)
		return 0;
	if (str_to_long(b, &v))
		return error("-bits: expected a number, got '%s'", b);
	if (*type == KEY_EC) {
		if (v != 256)
			return error("-bits: ECDSA keys are P-256 (256 bits)");
		return 0;
	}
	if (v < KEY_RSA_MIN_BITS || v > KEY_RSA_GEN_MAX_BITS || v % 8)
		return error("-bits: RSA keys are %d to %d bits (a multiple "
			     "of 8), not '%s'", KEY_RSA_MIN_BITS,
			     KEY_RSA_GEN_MAX_BITS, b);
	*bits = (unsigned)v;
	return 0;
}

static int keygen_ssh(struct ctx *ctx, const char *dir)
{
	struct outputs o = { .n = 0 };
	struct key *k = xcalloc(1, sizeof(*k));
	enum key_type type;
	unsigned bits;
	char comment[64];
	int ret = -1;

	if (key_options(ctx, SSH_DEFAULT_BITS, &type, &bits))
		goto out;
	if (key_generate(k, type, bits))
		goto out;
	if (k->type == KEY_RSA)
		snprintf(comment, sizeof(comment), "%u-bit RSA, icm keygen",
			 k->bits);
	else
		snprintf(comment, sizeof(comment), "256-bit ECDSA, icm keygen");
	if (key_private_pem(k, out_add(&o, "insecure", 0600)) ||
	    sshkey_openssh(k, "icm", out_add(&o, "insecure.pub", 0644)) ||
	    sshkey_rfc4716(k, comment, out_add(&o, "insecure-ssh2.pub",
					       0644)) ||
	    key_private_pem(k, out_add(&o, "secure-ssh2", 0600)) ||
	    sshkey_rfc4716(k, comment, out_add(&o, "secure-ssh2.pub", 0644))) {
		error("cannot encode the SSH key");
		goto out;
	}
	ret = outputs_write(ctx, dir, &o);
out:
	outputs_release(&o);
	key_wipe(k);
	free(k);
	return ret;
}

/* The TLS set: keys, certificates and stores, built before any write. */
struct tls_set {
	struct key ca, server, client;
	uint8_t *ca_der, *server_der, *client_der;
	size_t ca_len, server_len, client_len;
	char password[TLS_PASSWORD_LEN + 1];
};

static void tls_set_free(struct tls_set *t)
{
	free(t->ca_der);
	free(t->server_der);
	free(t->client_der);
	explicit_bzero(t, sizeof(*t));
	free(t);
}

/* Splits -names at commas into names[] (pointers into copy). */
static int split_names(const char *list, char *copy, const char **names,
		       size_t *n)
{
	char *p = copy, *comma;

	if (!list)
		return 0;
	strlcpy_icm(copy, list, strlen(list) + 1);
	for (;;) {
		comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (*p) {
			if (*n == TLS_MAX_NAMES)
				return error("-names: at most %d names",
					     TLS_MAX_NAMES - 2);
			names[(*n)++] = p;
		}
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static int days_option(struct ctx *ctx, long *days)
{
	const char *s = opt_str(&ctx->opts, OPT_DAYS);

	*days = TLS_DEFAULT_DAYS;
	if (s && (str_to_long(s, days) || *days < 1 || *days > TLS_MAX_DAYS))
		return error("-days: expected a whole number from 1 to %d, "
			     "got '%s'", TLS_MAX_DAYS, s);
	return 0;
}

static int make_certs(struct ctx *ctx, struct tls_set *t)
{
	static const struct x509_name ca_name = {
		"US", "Massachusetts", "Cambridge", "InterSystems",
		"Development", "icm CA"
	};
	struct x509_name server_name = ca_name, client_name = ca_name;
	const char *names[TLS_MAX_NAMES], *client_sans[] = { "127.0.0.1" };
	const char *list = opt_str(&ctx->opts, OPT_NAMES);
	char *copy = list ? xstrdup(list) : NULL;
	struct x509_spec s;
	struct der dn;
	uint8_t *ca_dn = NULL;
	size_t nnames = 0, ca_dn_len = 0;
	time_t now = time(NULL);
	long days;
	int ret = -1;

	if (days_option(ctx, &days) || split_names(list, copy, names, &nnames))
		goto out;
	server_name.cn = nnames ? names[0] : "127.0.0.1";
	client_name.cn = "client";
	names[nnames++] = "localhost";
	names[nnames++] = "127.0.0.1";

	memset(&s, 0, sizeof(s));
	s.key = &t->ca;
	s.subject = &ca_name;
	s.not_before = now - TLS_BACKDATE;
	s.not_after = now + days * 86400;
	s.ca = true;
	if (x509_make(&s, &t->ca_der, &t->ca_len))
		goto out;
	der_init(&dn, DER_CAP_CERT);
	x509_name(&dn, &ca_name);
	ca_dn = der_take(&dn, &ca_dn_len);
	if (!ca_dn) {
		error("cannot encode the CA's name");
		goto out;
	}

	s.ca = false;
	s.issuer_key = &t->ca;
	s.issuer_dn = ca_dn;
	s.issuer_dn_len = ca_dn_len;
	s.key = &t->server;
	s.subject = &server_name;
	s.usage = X509_SERVER | X509_CLIENT;
	s.san = names;
	s.nsan = nnames;
	if (x509_make(&s, &t->server_der, &t->server_len))
		goto out;

	s.key = &t->client;
	s.subject = &client_name;
	s.usage = X509_CLIENT;
	s.san = client_sans;
	s.nsan = ARRAY_SIZE(client_sans);
	if (x509_make(&s, &t->client_der, &t->client_len))
		goto out;
	ret = 0;
out:
	free(copy);
	free(ca_dn);
	return ret;
}

static int ssl_config(struct buf *b, const char *dir, const char *pw,
		      enum key_type type)
{
	char cwd[PATH_MAX], *abs = NULL;
	const char *d = dir;
	int ret;

	/* Java resolves relative store paths against its own directory. */
	if (dir[0] != '/' && getcwd(cwd, sizeof(cwd))) {
		while (str_starts(d, "./"))
			d += 2;
		abs = xasprintf("%s/%s", cwd, d);
		d = abs;
	}

	/* ICM's cipher suite needs an RSA server key. */
	ret = buf_addf(b, "logFile=javassl.log\n"
		       "keyStore=%s/keystore.p12\n"
		       "keyStoreType=pkcs12\n"
		       "keyStorePassword=%s\n"
		       "keyRecoveryPassword=%s\n"
		       "trustStore=%s/truststore.jks\n"
		       "trustStorePassword=%s\n"
		       "trustStoreRecoveryPassword=%s\n"
		       "protocol=TLS\n"
		       "cipherSuites=%s\n", d, pw, pw, d, pw, pw,
		       type == KEY_RSA ? "TLS_RSA_WITH_AES_128_CBC_SHA" :
		       "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
	free(abs);
	return ret;
}

static int keygen_tls(struct ctx *ctx, const char *dir)
{
	struct outputs o = { .n = 0 };
	struct tls_set *t = xcalloc(1, sizeof(*t));
	struct pkcs12_cert chain[2];
	struct jks_cert trust[1];
	struct buf *b;
	uint8_t *p12 = NULL;
	size_t p12_len = 0;
	enum key_type type;
	unsigned bits;
	int ret = -1;

	if (key_options(ctx, TLS_DEFAULT_BITS, &type, &bits))
		goto out;
	if (days_option(ctx, &(long){ 0 }))
		goto out;
	if (type == KEY_RSA)
		say("Generating RSA %u keys (CA, server, client)...", bits);
	else
		say("Generating ECDSA P-256 keys (CA, server, client)...");
	if (key_generate(&t->ca, type, bits) ||
	    key_generate(&t->server, type, bits) ||
	    key_generate(&t->client, type, bits) || make_certs(ctx, t))
		goto out;
	if (rand_password(t->password, TLS_PASSWORD_LEN))
		goto out;
	secret_register("the keystore password", t->password);

	chain[0] = (struct pkcs12_cert){ t->client_der, t->client_len };
	chain[1] = (struct pkcs12_cert){ t->ca_der, t->ca_len };
	trust[0] = (struct jks_cert){ "ca", t->ca_der, t->ca_len };
	if (pkcs12_make(&t->client, chain, 2, "client", t->password, &p12,
			&p12_len))
		goto out;

	if (pem_add(out_add(&o, "ca.pem", 0644), "CERTIFICATE", t->ca_der,
		    t->ca_len) ||
	    key_private_pem(&t->ca, out_add(&o, "ca-key.pem", 0600)) ||
	    pem_add(out_add(&o, "server-cert.pem", 0644), "CERTIFICATE",
		    t->server_der, t->server_len) ||
	    key_private_pem(&t->server, out_add(&o, "server-key.pem", 0600)) ||
	    pem_add(out_add(&o, "cert.pem", 0644), "CERTIFICATE",
		    t->client_der, t->client_len) ||
	    key_private_pem(&t->client, out_add(&o, "key.pem", 0600)))
		goto enc;
	b = out_add(&o, "keycert.pem", 0600);
	if (key_private_pem(&t->client, b) ||
	    pem_add(b, "CERTIFICATE", t->client_der, t->client_len) ||
	    buf_add(out_add(&o, "keystore.p12", 0600), p12, p12_len))
		goto enc;
	if (jks_make(trust, 1, t->password, time(NULL),
		     out_add(&o, "truststore.jks", 0644)))
		goto out;
	if (ssl_config(out_add(&o, "SSLConfig.Properties", 0600), dir,
		       t->password, type))
		goto enc;
	if (outputs_write(ctx, dir, &o))
		goto out;
	ret = 0;
	goto out;
enc:
	error("cannot encode the TLS files");
out:
	outputs_release(&o);
	if (p12)
		explicit_bzero(p12, p12_len);
	free(p12);
	tls_set_free(t);
	return ret;
}

/* YYYY-MM-DD (UTC) into out. */
static const char *day_text(time_t t, char out[16])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, 16, "%Y-%m-%d", &tm))
		strlcpy_icm(out, "?", 16);
	return out;
}

/* The TLSKeyDir of the deployment (any node's: it is deployment-wide). */
static const char *tls_key_dir(const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const char *v = node_get(&p->nodes[i], "TLSKeyDir");

		if (v && *v)
			return v;
	}
	return NULL;
}

/* Checks one certificate and reissues it when needed; prints its line
 * and adds its JSON object.  n NULL: the client certificate. */
static int renew_one(struct ctx *ctx, const struct node *n, long days,
		     time_t now, cJSON *arr)
{
	const char *what = n ? n->name : "client certificate";
	struct pki_status st;
	cJSON *o;
	char old[16], until[16];
	time_t exp = 0;

	if (n ? pki_node_check(ctx->state_dir, n, now, &st) :
	    pki_client_check(ctx->state_dir, now, &st))
		return -1;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "MachineName", n ? n->name : "");
	if (st.state == PKI_VALID) {
		say("%s valid until %s", what, day_text(st.expires, until));
		cJSON_AddStringToObject(o, "Action", "valid");
	} else {
		if ((n ? pki_node_cert(ctx->state_dir, n, days, &exp) :
		     pki_client_cert(ctx->state_dir, days, &exp))) {
			cJSON_Delete(o);
			return -1;
		}
		day_text(exp, until);
		if (st.state == PKI_MISSING)
			say("Issued %s, valid until %s", what, until);
		else if (st.state == PKI_EXPIRED || st.state == PKI_EXPIRING)
			say("Renewed %s (%s %s), valid until %s", what,
			    st.state == PKI_EXPIRED ? "expired" : "expires",
			    day_text(st.expires, old), until);
		else
			say("Renewed %s (%s), valid until %s", what,
			    pki_state_name(st.state), until);
		cJSON_AddStringToObject(o, "Action", st.state == PKI_MISSING ?
					"issued" : "renewed");
		cJSON_AddStringToObject(o, "Reason",
					pki_state_name(st.state));
		st.expires = exp;
	}
	cJSON_AddStringToObject(o, "CertExpires", day_text(st.expires, until));
	cJSON_AddItemToArray(arr, o);
	return 0;
}

static int keygen_renew(struct ctx *ctx)
{
	enum key_type type;
	unsigned bits;
	long days;
	time_t now = time(NULL);
	cJSON *arr;
	size_t i;
	int r, ret = 0;

	if (ctx->nargs > 1)
		return error("-renew works on the state directory's pki/ "
			     "(-stateDir), not on '%s'", ctx->args[1]);
	if (opt_str(&ctx->opts, OPT_NAMES))
		return error("-names does not apply with -renew: node "
			     "certificates carry the nodes' own names");
	if (key_options(ctx, 0, &type, &bits) || days_option(ctx, &days))
		return -1;
	if (ctx_open_state(ctx) ||
	    instances_load(ctx->instances_path, &ctx->inst) ||
	    select_nodes(ctx, true) || ctx_begin_changes(ctx))
		return -1;
	r = pki_ensure_ca(ctx->state_dir, tls_key_dir(&ctx->inst), type, bits,
			  PKI_CA_DAYS);
	if (r < 0)
		return -1;
	if (r == PKI_CA_MADE)
		say("Made the deployment CA %s/" PKI_DIR "/ca.pem",
		    ctx->state_dir);
	else if (r == PKI_CA_ADOPTED)
		say("Adopted the CA of TLSKeyDir %s", tls_key_dir(&ctx->inst));
	arr = cJSON_CreateArray();
	if (renew_one(ctx, NULL, days, now, arr))
		ret = -1;
	for (i = 0; i < ctx->nsel; i++)
		if (strcmp(ctx->sel[i]->role, "LB") &&
		    renew_one(ctx, ctx->sel[i], days, now, arr))
			ret = -1;
	cJSON_Delete(ctx->response);
	ctx->response = arr;
	return ret;
}

/* Writes n bytes to a file that must not exist yet (O_EXCL: no check
 * then write race), mode exactly 0600; removes it again on failure. */
static int write_new_secret(const char *path, const void *data, size_t n)
{
	const char *p = data;
	ssize_t r;
	int fd, ret = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0 && errno == EEXIST)
		return error(fs_is_dir(path) ? "'%s' exists and is a "
			     "directory" : "'%s' already exists; it is not "
			     "replaced (not even with -force): a state key "
			     "replaced is a state lost", path);
	if (fd < 0)
		return error("cannot create '%s': %s", path, strerror(errno));
	if (fchmod(fd, 0600))
		goto fail;
	while (n) {
		r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		p += r;
		n -= (size_t)r;
	}
	if (fsync(fd))
		goto fail;
	ret = 0;
	goto out;
fail:
	error("cannot write '%s': %s", path, strerror(errno));
	unlink(path);
out:
	if (close(fd) && !ret)
		ret = error("cannot write '%s': %s", path, strerror(errno));
	return ret;
}

static int keygen_state(struct ctx *ctx, const char *path)
{
	struct seal_key key;
	const char *slash;
	char *dir = NULL;
	int ret = -1;

	if (opt_str(&ctx->opts, OPT_TYPE) || opt_str(&ctx->opts, OPT_BITS) ||
	    opt_str(&ctx->opts, OPT_DAYS) || opt_str(&ctx->opts, OPT_NAMES))
		return error("-type, -bits, -days and -names do not apply to "
			     "'icm keygen state' (a state key is 32 random "
			     "bytes)");
	/* Its directory is made (0700) as ssh's and tls's are. */
	slash = strrchr(path, '/');
	if (slash && slash != path) {
		dir = xstrndup(path, (size_t)(slash - path));
		if (fs_mkdirs(dir, 0700)) {
			error("cannot create directory '%s': %s", dir,
			      strerror(errno));
			goto out;
		}
	}
	if (rand_bytes(key.k, sizeof(key.k)) ||
	    write_new_secret(path, key.k, sizeof(key.k)))
		goto out;
	say("%s", path);
	say("Give it to icm with the StateKeyFile field or "
	    "ICM_STATE_KEY_FILE; keep a copy: without it the state's secrets "
	    "cannot be read");
	cJSON_Delete(ctx->response);
	ctx->response = cJSON_CreateArray();
	cJSON_AddItemToArray(ctx->response, cJSON_CreateString(path));
	ret = 0;
out:
	seal_key_wipe(&key);
	free(dir);
	return ret;
}

int cmd_keygen(struct ctx *ctx)
{
	const char *what = ctx->nargs ? ctx->args[0] : NULL;
	const char *dir = ctx->nargs > 1 ? ctx->args[1] : NULL;

	if (!what)
		return error("'icm keygen' needs ssh, tls or state (try \"icm "
			     "help keygen\")");
	if (dir && !*dir)
		return error("the key %s name is empty",
			     strcmp(what, "state") ? "directory" : "file");
	if (!strcmp(what, "ssh")) {
		if (opt_str(&ctx->opts, OPT_DAYS) ||
		    opt_str(&ctx->opts, OPT_NAMES))
			return error("-days and -names apply to 'icm keygen "
				     "tls' only");
		return keygen_ssh(ctx, dir ? dir : "ssh");
	}
	if (!strcmp(what, "tls") && opt_on(&ctx->opts, OPT_RENEW))
		return keygen_renew(ctx);
	if (opt_on(&ctx->opts, OPT_RENEW) || opt_str(&ctx->opts, OPT_MACHINE) ||
	    opt_str(&ctx->opts, OPT_ROLE) ||
	    opt_str(&ctx->opts, OPT_INSTANCES) ||
	    opt_str(&ctx->opts, OPT_STATEDIR))
		return error("-renew, -machine, -role, -instances and -stateDir "
			     "apply to 'icm keygen tls -renew' only");
	if (!strcmp(what, "tls"))
		return keygen_tls(ctx, dir ? dir : "tls");
	if (!strcmp(what, "state"))
		return keygen_state(ctx, dir ? dir : "state.key");
	return error("'icm keygen' makes ssh, tls or state keys, not '%s'",
		     what);
}
