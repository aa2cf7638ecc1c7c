/*
 * sshkey.h: a key pair in the SSH formats ICM uses.
 *
 *  - the OpenSSH one-line public key ("ssh-rsa AAAA... comment"), for
 *    authorized_keys and every provider but AWS;
 *  - the RFC 4716 "SSH2" public key ("---- BEGIN SSH2 PUBLIC KEY ----"),
 *    the form ICM's AWS samples name in SSHPublicKey;
 *  - the private key is PEM (key_private_pem(): PKCS#1 "RSA PRIVATE KEY"
 *    as ICM's documentation shows, or SEC1 "EC PRIVATE KEY"), which
 *    OpenSSH, libssh2 and ssh-keygen read.
 *
 * RSA keys are "ssh-rsa" (signatures rsa-sha2-256/512 at login); P-256
 * keys are "ecdsa-sha2-nistp256" (P-384 read from a file:
 * "ecdsa-sha2-nistp384").  Each appender returns 0, or -1 with the
 * buffer released.
 */
#ifndef ICM_SSHKEY_H
#define ICM_SSHKEY_H

#include "../icm.h"
#include "../util/buf.h"
#include "key.h"

/* "ssh-rsa", "ecdsa-sha2-nistp256" or "ecdsa-sha2-nistp384". */
const char *sshkey_type(const struct key *k);
/* The public key blob of RFC 4253 6.6 / RFC 5656 3.1. */
int sshkey_blob(const struct key *k, struct buf *out) WARN_UNUSED;
/* One line, newline-terminated; comment may be NULL. */
int sshkey_openssh(const struct key *k, const char *comment,
		   struct buf *out) WARN_UNUSED;
/* RFC 4716 with a Comment header (quoted; at most 60 characters). */
int sshkey_rfc4716(const struct key *k, const char *comment,
		   struct buf *out) WARN_UNUSED;

/* Appends the base64 of data (no line breaks).  0 or -1. */
int base64_add(struct buf *out, const void *data, size_t len) WARN_UNUSED;
/*
 * Base64 (RFC 4648) decoding: appends the decoded bytes of s[0..n),
 * ignoring whitespace; fails (-1) on any other non-alphabet character or
 * bad padding.
 */
int base64_decode(struct buf *out, const char *s, size_t n) WARN_UNUSED;

#endif
