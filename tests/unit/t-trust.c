/* t-trust.c: CA bundle lookup order (cloud/trust.h). */
#include "cloud/trust.h"
#include "util/fs.h"
#include "util/str.h"
#include "embed/embedded.h"
#include "tap.h"

static const char pem[] = "-----BEGIN CERTIFICATE-----\n"
			  "-----END CERTIFICATE-----\n";

/* Creates root/path (and its directories) holding len bytes of pem. */
static void put(const char *root, const char *path, size_t len)
{
	char *full = xasprintf("%s%s", root, path);
	char *dir = xstrdup(full);

	*strrchr(dir, '/') = '\0';
	if (fs_mkdirs(dir, 0755) || fs_write_atomic(full, pem, len, 0644))
		printf("# cannot create %s\n", full);
	free(dir);
	free(full);
}

static void expect(const struct trust *t, enum trust_source src,
		   const char *file, const char *name)
{
	is_int(t->source, src, name);
	if (file)
		is_str(t->file, file, name);
}

int main(void)
{
	char tmpl[] = "/tmp/t-trust.XXXXXX";
	char *root = mkdtemp(tmpl), *env = NULL, *want = NULL;
	const struct embedded_file *ca = embedded_find(EMBEDDED_CA_BUNDLE);
	struct trust t;

	if (!root) {
		printf("1..0 # SKIP cannot make a temporary directory\n");
		return 0;
	}

	ok(!trust_locate_in(&t, root, NULL), "an empty root: found one");
	expect(&t, TRUST_EMBEDDED, NULL, "an empty root: the embedded bundle");
	ok(ca && t.blob == ca->data && t.blob_len == ca->len,
	   "the blob is the embedded ca-bundle.pem");

	put(root, "/etc/ssl/cert.pem", 0);
	ok(!trust_locate_in(&t, root, ""), "empty file and SSL_CERT_FILE=\"\"");
	expect(&t, TRUST_EMBEDDED, NULL, "an empty bundle file is skipped");

	put(root, "/etc/ssl/cert.pem", sizeof(pem) - 1);
	want = xasprintf("%s/etc/ssl/cert.pem", root);
	ok(!trust_locate_in(&t, root, NULL), "the last system path");
	expect(&t, TRUST_SYSTEM, want, "/etc/ssl/cert.pem is used");
	free(want);

	put(root, "/etc/pki/tls/certs/ca-bundle.crt", sizeof(pem) - 1);
	put(root, "/etc/ssl/ca-bundle.pem", sizeof(pem) - 1);
	want = xasprintf("%s/etc/pki/tls/certs/ca-bundle.crt", root);
	ok(!trust_locate_in(&t, root, NULL), "several system paths");
	expect(&t, TRUST_SYSTEM, want, "the first in list order wins");
	free(want);

	/* A directory where the Debian bundle should be is not a bundle. */
	want = xasprintf("%s/etc/ssl/certs/ca-certificates.crt", root);
	ok(!fs_mkdirs(want, 0755), "made a directory in a bundle's place");
	free(want);
	want = xasprintf("%s/etc/pki/tls/certs/ca-bundle.crt", root);
	ok(!trust_locate_in(&t, root, NULL), "a directory in the list");
	expect(&t, TRUST_SYSTEM, want, "a directory is skipped");
	free(want);

	env = xasprintf("%s/mine.pem", root);
	ok(!trust_locate_in(&t, root, env), "SSL_CERT_FILE missing");
	is_int(t.source, TRUST_SYSTEM, "a missing SSL_CERT_FILE falls through");
	put(root, "/mine.pem", sizeof(pem) - 1);
	ok(!trust_locate_in(&t, root, env), "SSL_CERT_FILE readable");
	expect(&t, TRUST_ENV, env, "SSL_CERT_FILE beats the system paths");

	setenv("SSL_CERT_FILE", env, 1);
	ok(!trust_locate(&t), "trust_locate()");
	expect(&t, TRUST_ENV, env, "trust_locate() reads SSL_CERT_FILE");
	unsetenv("SSL_CERT_FILE");
	ok(!trust_locate(&t), "trust_locate() without SSL_CERT_FILE");
	ok(t.source == TRUST_SYSTEM ? t.file[0] != '\0' :
	   t.source == TRUST_EMBEDDED && t.blob != NULL,
	   "this host: a system bundle or the embedded one (%d)", t.source);
	free(env);

	ok(!fs_remove_tree(root), "cleaned up");
	return done_testing();
}
