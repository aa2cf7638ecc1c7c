/*
 * trust.h: where icm's HTTPS client finds its CA trust anchors.
 *
 * libcurl on BearSSL reads anchors only from a PEM file (CURLOPT_CAINFO)
 * or from PEM in memory (CURLOPT_CAINFO_BLOB), and ignores SSL_CERT_FILE.
 * A portable static binary therefore looks, in order, for:
 *   1. $SSL_CERT_FILE, if set and readable;
 *   2. the first readable system bundle of trust_system_paths[]
 *      (Debian/Ubuntu/Alpine/Arch, RHEL/Fedora/Amazon Linux, SUSE, BSD-ish);
 *   3. the bundle compiled into the binary (embedded "ca-bundle.pem").
 * "Readable" means a non-empty regular file that can be opened for reading.
 *
 * The result needs no release: the path is copied into the struct and the
 * embedded bundle is static data.
 */
#ifndef ICM_TRUST_H
#define ICM_TRUST_H

#include "../icm.h"

enum trust_source { TRUST_NONE, TRUST_ENV, TRUST_SYSTEM, TRUST_EMBEDDED };

struct trust {
	enum trust_source source;
	char file[PATH_MAX];		/* TRUST_ENV/SYSTEM: the PEM file */
	const unsigned char *blob;	/* TRUST_EMBEDDED: PEM, static */
	size_t blob_len;
};

/* The system bundle paths, in the order tried; NULL-terminated. */
extern const char *const trust_system_paths[];

/* trust_locate_in(t, "", getenv("SSL_CERT_FILE")). */
int trust_locate(struct trust *t) WARN_UNUSED;

/*
 * Fills *t from the first source found.  root is prefixed to every system
 * path (for tests; "" in real use); env_file is the SSL_CERT_FILE value
 * (NULL or "" when unset; used as is, without root).  Returns 0, or -1
 * with t->source TRUST_NONE when nothing is found (only possible if the
 * binary was built without a bundle).
 */
int trust_locate_in(struct trust *t, const char *root,
		    const char *env_file) WARN_UNUSED;

#endif
