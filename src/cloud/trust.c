/* trust.c: CA bundle lookup (see trust.h). */
#include "trust.h"
#include "../embed/embedded.h"
#include "../util/report.h"

const char *const trust_system_paths[] = {
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/ca-bundle.pem",
	"/etc/ssl/cert.pem",
	NULL
};

static bool readable_file(const char *path)
{
	struct stat st;
	bool ok;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	ok = !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0;
	close(fd);
	return ok;
}

/* Copies root + path into t->file if that file is readable. */
static bool try_file(struct trust *t, const char *root, const char *path,
		     enum trust_source source)
{
	int n = snprintf(t->file, sizeof(t->file), "%s%s", root, path);

	if (n < 0 || (size_t)n >= sizeof(t->file) || !readable_file(t->file)) {
		t->file[0] = '\0';
		return false;
	}
	t->source = source;
	return true;
}

int trust_locate_in(struct trust *t, const char *root, const char *env_file)
{
	const struct embedded_file *f;
	size_t i;

	memset(t, 0, sizeof(*t));
	if (env_file && *env_file) {
		if (try_file(t, "", env_file, TRUST_ENV))
			return 0;
		debug("SSL_CERT_FILE '%s' is not a readable file; ignored",
		      env_file);
	}
	for (i = 0; trust_system_paths[i]; i++)
		if (try_file(t, root, trust_system_paths[i], TRUST_SYSTEM))
			return 0;
	f = embedded_find(EMBEDDED_CA_BUNDLE);
	if (!f || !f->len)
		return -1;
	t->source = TRUST_EMBEDDED;
	t->blob = f->data;
	t->blob_len = f->len;
	return 0;
}

int trust_locate(struct trust *t)
{
	return trust_locate_in(t, "", getenv("SSL_CERT_FILE"));
}
