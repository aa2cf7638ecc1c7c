/*
 * x509.h: an X.509 v3 certificate writer on BearSSL.
 *
 * Certificates carry: version 3, a random positive 128-bit serial, issuer
 * and subject names, validity, the subject's public key, and the
 * extensions icm's PKI needs: basicConstraints (critical), keyUsage
 * (critical), extendedKeyUsage (serverAuth, clientAuth), subjectAltName
 * (DNS names and IP addresses), subject and authority key identifiers.
 * They are signed with SHA-256 by the issuer's key (RSA PKCS#1 v1.5 or
 * ECDSA).
 */
#ifndef ICM_X509_H
#define ICM_X509_H

#include "../icm.h"
#include "key.h"

/* A distinguished name; NULL or "" attributes are left out.  C is a
 * PrintableString, the others UTF8String. */
struct x509_name {
	const char *c, *st, *l, *o, *ou, *cn;
};

#define X509_SERVER 0x01	/* extendedKeyUsage serverAuth */
#define X509_CLIENT 0x02	/* extendedKeyUsage clientAuth */

struct x509_spec {
	const struct key *key;		/* the subject's key */
	const struct x509_name *subject;
	/* The issuer's name as DER (a Name SEQUENCE) and key; a NULL
	 * issuer_key makes the certificate self-signed by `key`. */
	const uint8_t *issuer_dn;
	size_t issuer_dn_len;
	const struct key *issuer_key;
	time_t not_before, not_after;
	bool ca;			/* basicConstraints cA, keyCertSign */
	unsigned usage;			/* X509_SERVER | X509_CLIENT */
	/* subjectAltName entries: text that parses as an IPv4 or IPv6
	 * address becomes an iPAddress, anything else a dNSName. */
	const char *const *san;
	size_t nsan;
};

/* Writes a Name SEQUENCE. */
void x509_name(struct der *d, const struct x509_name *n);

/*
 * Builds and signs the certificate; *der (malloc'd) and *len on success.
 * 0, or -1 reported with error().
 */
int x509_make(const struct x509_spec *s, uint8_t **der,
	      size_t *len) WARN_UNUSED;

/*
 * What icm reads back from a certificate (BearSSL's decoder gives neither
 * the validity nor the SANs): validity, issuer and subject names and the
 * SubjectPublicKeyInfo (whole DER values pointing into the certificate),
 * and the subjectAltName entries as text: dNSName as written, iPAddress
 * as inet_ntop() prints it.  Other GeneralName forms are skipped.
 */
#define X509_MAX_SAN 32
#define X509_SAN_LEN 256

struct x509_info {
	time_t not_before, not_after;
	const uint8_t *issuer, *subject, *spki;
	size_t issuer_len, subject_len, spki_len;
	size_t nsan;
	char san[X509_MAX_SAN][X509_SAN_LEN];
};

/* Reads a DER certificate.  0, or -1 (not reported: the caller says
 * which file) when it is not a well-formed v1-v3 certificate or has more
 * than X509_MAX_SAN names. */
int x509_read(const uint8_t *der, size_t len,
	      struct x509_info *out) WARN_UNUSED;

#endif
