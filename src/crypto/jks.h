/*
 * jks.h: a Java KeyStore (JKS, version 2) holding trusted certificates,
 * what `keytool -importcert` writes for a trust store:
 *
 *   0xFEEDFEED, version 2, entry count;
 *   per entry: tag 2 (trustedCertEntry), alias (Java modified UTF-8 with a
 *   16-bit length), creation time (ms since 1970), "X.509", the DER;
 *   SHA-1 over password (UTF-16BE) + "Mighty Aphrodite" + all the above.
 *
 * Aliases are ASCII, lower case (keytool folds them).
 */
#ifndef ICM_JKS_H
#define ICM_JKS_H

#include "../icm.h"
#include "../util/buf.h"

struct jks_cert {
	const char *alias;
	const uint8_t *der;
	size_t len;
};

/* Writes the store into out (initialised by the caller).  0, or -1
 * reported. */
int jks_make(const struct jks_cert *certs, size_t n, const char *password,
	     time_t created, struct buf *out) WARN_UNUSED;

#endif
