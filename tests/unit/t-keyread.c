/*
 * t-keyread.c: every private key a user has reaches key_from_pem(), and a
 * readable key works as a TLSKeyDir CA.
 *
 * The keys come from where users get them: `icm keygen tls` (its default
 * RSA 4096 CA) and `icm keygen ssh` (tests/data/keys, see the README
 * there), and openssl and ssh-keygen run here into a temp dir: RSA 2048,
 * 3072, 4096 and 8192 (8192 from tests/data/keys: slow to generate),
 * P-256 and P-384, as PKCS#1, SEC1 (with and without openssl's "EC
 * PARAMETERS" block), PKCS#8 and unencrypted "OPENSSH PRIVATE KEY".
 *
 * Each key becomes the CA of a TLSKeyDir (ca.pem made by `openssl req
 * -x509` from the key, or from its PEM twin for OpenSSH files): icm adopts
 * it (so the key is the certificate's), issues a node certificate under it
 * that icm's own check (BearSSL's X.509 engine) and `openssl verify`
 * accept.  Keys icm does not take
 * (RSA 1024, P-521, Ed25519, a passphrase, a certificate) are refused with
 * a reason, and nothing is adopted.
 */
#include "icm.h"
#include "config/plan.h"
#include "crypto/key.h"
#include "state/pki.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/str.h"
#include "tap.h"
#include "testutil.h"
#include <cjson/cJSON.h>

#define KEYS "tests/data/keys"
#define DAY 86400

static char *base;

/* Runs a shell command quietly; true when it exits 0. */
__attribute__((format(printf, 1, 2)))
static bool sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd, *quiet;
	int st;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		cmd = NULL;
	va_end(ap);
	if (!cmd)
		return false;
	quiet = xasprintf("(%s) >/dev/null 2>&1", cmd);
	st = system(quiet);
	free(cmd);
	free(quiet);
	return st == 0;
}

/* Reads the key in path; 0, or -1 with why. */
static int load(const char *path, struct key *k, char *why)
{
	char *text = slurp(path);
	int ret;

	if (!text) {
		snprintf(why, KEY_WHY_MAX, "cannot read %s", path);
		return -1;
	}
	ret = key_from_pem(k, text, strlen(text), why);
	explicit_bzero(text, strlen(text));
	free(text);
	return ret;
}

/*
 * The key in `key` (its PEM twin `pem`, which openssl reads, may be the
 * same file) as the CA of a TLSKeyDir (under base, named by tag):
 * adopted, a node certificate issued under it, verified by openssl.
 */
static void as_ca(const char *name, const char *tag, const char *key,
		  const char *pem)
{
	char *user = xasprintf("%s/%s-user", base, tag);
	char *state = xasprintf("%s/%s-state", base, tag);
	char *cert = xasprintf("%s/pki/nodes/Label-DM-Tag-0001/server-cert.pem",
			       state);
	struct pki_status st;
	struct node n;
	int r;

	memset(&n, 0, sizeof(n));
	n.name = (char *)"Label-DM-Tag-0001";
	n.role = (char *)"DM";
	n.fields = cJSON_CreateObject();
	cJSON_AddStringToObject(n.fields, "MachineName", n.name);
	cJSON_AddStringToObject(n.fields, "IPAddress", "10.0.0.5");
	if (!ok(sh("mkdir -p %s && cp %s %s/ca-key.pem && openssl req -x509 "
		   "-new -key %s -subj /CN=user-ca -days 365 -out %s/ca.pem",
		   user, key, user, pem, user),
		"%s: openssl makes a CA certificate for it", name))
		goto out;
	ok(pki_ensure_ca(state, user, KEY_EC, 0, PKI_CA_DAYS) ==
	   PKI_CA_ADOPTED, "%s: the TLSKeyDir CA is adopted", name);
	ok(!pki_node_cert(state, &n, 90, NULL),
	   "%s: a node certificate issued under it", name);
	r = pki_node_check(state, &n, time(NULL), &st);
	ok(!r && st.state == PKI_VALID, "%s: which icm checks as valid (%d, %s)",
	   name, r, r ? "-" : pki_state_name(st.state));
	ok(sh("openssl verify -CAfile %s/ca.pem %s", user, cert),
	   "%s: openssl verify accepts it", name);
out:
	cJSON_Delete(n.fields);
	free(user);
	free(state);
	free(cert);
}

struct good {
	const char *name;
	const char *make;	/* %1$s: the key file; %2$s its PEM twin */
	bool openssh;		/* the key is OpenSSH's; the twin is PEM */
	enum key_type type;
	unsigned bits;
};

static const struct good goods[] = {
	{ "icm keygen tls (RSA 4096 CA)",
	  "cp " KEYS "/icm-keygen-tls/ca-key.pem %1$s", false, KEY_RSA,
	  4096 },
	{ "icm keygen ssh (RSA 2048)",
	  "cp " KEYS "/icm-keygen-ssh/insecure %1$s", false, KEY_RSA, 2048 },
	{ "openssl RSA 2048 PKCS#1",
	  "openssl genrsa -traditional -out %1$s 2048", false, KEY_RSA, 2048 },
	{ "openssl RSA 3072 PKCS#8",
	  "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 "
	  "-out %1$s", false, KEY_RSA, 3072 },
	{ "openssl RSA 4096 PKCS#1",
	  "openssl genrsa -traditional -out %1$s 4096", false, KEY_RSA, 4096 },
	{ "openssl RSA 4096 PKCS#8",
	  "openssl genrsa -out %1$s 4096", false, KEY_RSA, 4096 },
	{ "openssl P-256 SEC1",
	  "openssl ecparam -name prime256v1 -genkey -noout -out %1$s", false,
	  KEY_EC, 256 },
	{ "openssl P-256 PKCS#8",
	  "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
	  "-out %1$s", false, KEY_EC, 256 },
	{ "openssl P-384 SEC1 after EC PARAMETERS",
	  "openssl ecparam -name secp384r1 -genkey -out %1$s", false, KEY_EC,
	  384 },
	{ "openssl P-384 PKCS#8",
	  "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 "
	  "-out %1$s", false, KEY_EC, 384 },
	{ "ssh-keygen RSA 3072 OpenSSH",
	  "ssh-keygen -q -t rsa -b 3072 -N '' -f %1$s && cp %1$s %2$s && "
	  "ssh-keygen -q -p -N '' -m PEM -f %2$s", true, KEY_RSA, 3072 },
	{ "ssh-keygen RSA 4096 OpenSSH",
	  "ssh-keygen -q -t rsa -b 4096 -N '' -f %1$s && cp %1$s %2$s && "
	  "ssh-keygen -q -p -N '' -m PEM -f %2$s", true, KEY_RSA, 4096 },
	{ "ssh-keygen P-256 OpenSSH",
	  "ssh-keygen -q -t ecdsa -b 256 -N '' -f %1$s && cp %1$s %2$s && "
	  "ssh-keygen -q -p -N '' -m PEM -f %2$s", true, KEY_EC, 256 },
	{ "ssh-keygen P-384 OpenSSH",
	  "ssh-keygen -q -t ecdsa -b 384 -N '' -f %1$s && cp %1$s %2$s && "
	  "ssh-keygen -q -p -N '' -m PEM -f %2$s", true, KEY_EC, 384 },
	{ "ssh-keygen P-384 PKCS#8",
	  "ssh-keygen -q -t ecdsa -b 384 -N '' -m PKCS8 -f %1$s", false,
	  KEY_EC, 384 },
	{ "ssh-keygen RSA 2048 PEM (PKCS#1)",
	  "ssh-keygen -q -t rsa -b 2048 -N '' -m PEM -f %1$s", false, KEY_RSA,
	  2048 },
	{ "RSA 8192 PKCS#1",
	  "cp " KEYS "/rsa8192.pem %1$s", false, KEY_RSA, 8192 },
	{ "RSA 8192 PKCS#8",
	  "openssl pkey -in " KEYS "/rsa8192.pem -out %1$s", false, KEY_RSA,
	  8192 },
	{ "RSA 8192 OpenSSH",
	  "cp " KEYS "/rsa8192.pem %1$s && cp %1$s %2$s && chmod 600 %1$s && "
	  "ssh-keygen -q -p -N '' -f %1$s", true, KEY_RSA, 8192 },
};

static void good(const struct good *g, unsigned i)
{
	char *file = xasprintf("%s/good%u", base, i);
	char *twin = g->openssh ? xasprintf("%s/good%u.pem", base, i) :
		     xstrdup(file);
	char *make = NULL, *tag = NULL;
	char why[KEY_WHY_MAX];
	struct key *k = xcalloc(1, sizeof(*k));

	if (asprintf(&make, g->make, file, twin) < 0)
		make = NULL;
	if (!ok(make && sh("%s", make), "%s: made", g->name))
		goto out;
	if (g->openssh)
		ok(sh("grep -q 'BEGIN OPENSSH PRIVATE KEY' %s", file),
		   "%s: the file is OpenSSH's format", g->name);
	if (!ok(!load(file, k, why), "%s: read", g->name)) {
		printf("#   why: %s\n", why);
		goto out;
	}
	ok(k->type == g->type && k->bits == g->bits, "%s: %s %u", g->name,
	   k->type == KEY_RSA ? "RSA" : key_curve_name(k), k->bits);
	tag = xasprintf("good%u", i);
	as_ca(g->name, tag, file, twin);
out:
	key_wipe(k);
	free(k);
	free(file);
	free(twin);
	free(make);
	free(tag);
}

struct bad {
	const char *name;
	const char *make;	/* %s: the key file */
	const char *why;	/* in the reason */
};

static const struct bad bads[] = {
	{ "openssl RSA 1024", "openssl genrsa -traditional -out %s 1024",
	  "an RSA key of 1024 bits (icm takes 2048 to 8192)" },
	{ "openssl RSA 1024 PKCS#8", "openssl genrsa -out %s 1024",
	  "an RSA key of 1024 bits" },
	{ "openssl P-521",
	  "openssl ecparam -name secp521r1 -genkey -noout -out %s",
	  "an EC key on P-521 (icm takes P-256 and P-384)" },
	{ "ssh-keygen P-521 OpenSSH",
	  "ssh-keygen -q -t ecdsa -b 521 -N '' -f %s", "P-521" },
	{ "ssh-keygen Ed25519", "ssh-keygen -q -t ed25519 -N '' -f %s",
	  "an Ed25519 key" },
	{ "openssl Ed25519 PKCS#8", "openssl genpkey -algorithm ed25519 "
	  "-out %s", "an Ed25519 key" },
	{ "ssh-keygen with a passphrase",
	  "ssh-keygen -q -t ecdsa -N secret -f %s", "passphrase" },
	{ "PKCS#1 with a passphrase", "openssl genrsa -traditional -aes128 "
	  "-passout pass:secret -out %s 2048", "passphrase" },
	{ "encrypted PKCS#8", "openssl genpkey -algorithm EC -pkeyopt "
	  "ec_paramgen_curve:P-256 -aes128 -pass pass:secret -out %s",
	  "passphrase" },
	{ "a certificate", "cp " KEYS "/icm-keygen-tls/ca.pem %s",
	  "not a PEM or OpenSSH private key" },
	{ "a damaged RSA key", "openssl genrsa -traditional 2048 | "
	  "sed '5s/[A-Za-z]/A/g' > %s", "" },
};

static void bad(const struct bad *b, unsigned i)
{
	char *file = xasprintf("%s/bad%u", base, i);
	char *user = xasprintf("%s/bad%u-user", base, i);
	char *state = xasprintf("%s/bad%u-state", base, i);
	char *adopted = xasprintf("%s/pki/ca.pem", state);
	char *make = NULL;
	char why[KEY_WHY_MAX];
	struct key k;

	if (asprintf(&make, b->make, file) < 0)
		make = NULL;
	if (!ok(make && sh("%s", make), "%s: made", b->name))
		goto out;
	if (ok(load(file, &k, why), "%s: refused", b->name))
		ok(strstr(why, b->why) && *why, "%s: '%s'", b->name, why);
	ok(!strstr(why, "secret"), "%s: no secret in the reason", b->name);
	if (ok(sh("mkdir -p %s && cp %s %s/ca-key.pem && cp "
		  KEYS "/icm-keygen-tls/ca.pem %s/ca.pem", user, file, user,
		  user), "%s: as a TLSKeyDir", b->name)) {
		ok(pki_ensure_ca(state, user, KEY_EC, 0, PKI_CA_DAYS) == -1,
		   "%s: TLSKeyDir refused", b->name);
		ok(!fs_exists(adopted), "%s: nothing adopted", b->name);
	}
out:
	free(file);
	free(user);
	free(state);
	free(adopted);
	free(make);
}

/* A key generated here and written back is read back the same. */
static void roundtrip(void)
{
	struct key *k = xcalloc(1, sizeof(*k)), *r = xcalloc(1, sizeof(*r));
	char why[KEY_WHY_MAX];
	struct buf b;

	buf_init(&b, 1 << 16);
	ok(!key_generate(k, KEY_EC, 0) && !key_private_pem(k, &b) &&
	   !key_from_pem(r, b.data, b.len, why) &&
	   r->ec_pub.qlen == k->ec_pub.qlen &&
	   !memcmp(r->ec_pub.q, k->ec_pub.q, k->ec_pub.qlen),
	   "a P-256 key icm makes reads back the same");
	buf_wipe(&b);
	key_wipe(k);
	key_wipe(r);
	free(k);
	free(r);
}

/* Fills the stack below the caller with garbage, as a process that has
 * run for a while leaves it. */
static __attribute__((noinline)) void dirty_stack(void)
{
	volatile unsigned char junk[16384];
	size_t i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = 0xa5;
}

/* An OpenSSH key without its END line is refused (the buffer for its
 * body is set up before anything can fail: found by fuzz-key). */
static void openssh_cut(void)
{
	static const char text[] = "-----BEGIN OPENSSH PRIVATE KEY-----\n"
		"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB\n";
	struct key *k = xcalloc(1, sizeof(*k));
	char why[KEY_WHY_MAX];

	dirty_stack();
	ok(key_from_pem(k, text, sizeof(text) - 1, why) == -1 &&
	   !strcmp(why, "not a well-formed private key"),
	   "an OpenSSH key cut before its END line: refused as damaged");
	free(k);
}

int main(void)
{
	char dir[] = "/tmp/t-keyread.XXXXXX";
	unsigned i;

	if (!sh("command -v openssl && command -v ssh-keygen")) {
		printf("1..0 # skip openssl and ssh-keygen are needed\n");
		return 0;
	}
	if (!ok(mkdtemp(dir) != NULL, "temp dir"))
		return done_testing();
	base = dir;
	roundtrip();
	openssh_cut();
	for (i = 0; i < ARRAY_SIZE(goods); i++)
		good(&goods[i], i);
	for (i = 0; i < ARRAY_SIZE(bads); i++)
		bad(&bads[i], i);
	ok(!fs_remove_tree(base), "cleanup");
	return done_testing();
}
