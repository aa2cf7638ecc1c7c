/*
 * known_hosts.h: host keys pinned in an OpenSSH known_hosts file, and the
 * small pieces of SSH key handling the SSH layer needs without a server
 * (fingerprints, base64, what kind of private key a file holds).
 *
 * icm keeps one known_hosts per deployment (design.md 3.4): keys are pinned
 * on first use for machines icm just created and checked strictly after.
 * The file format is OpenSSH's (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
 *
 *   [@revoked|@cert-authority] patterns keytype base64-key [comment]
 *
 * patterns is a comma-separated list of host names or addresses with the
 * wildcards * and ?, negated with a leading !, written as [host]:port when
 * the port is not 22, or a hashed name |1|base64(salt)|base64(HMAC-SHA1).
 * Lines icm does not understand are kept as they are and never match.
 * @cert-authority lines are ignored (icm does not use host certificates);
 * a key on a matching @revoked line is refused.
 *
 * Writers go through kh_pin(): one writer at a time in the process (a
 * mutex), and the whole file is written again atomically (fs_write_atomic)
 * after re-reading it under that mutex, so concurrent pins from a fan-out
 * never lose a line and a reader never sees half a file.
 *
 * Key blobs are the SSH wire encoding of a public key (RFC 4253 6.6): the
 * bytes libssh2_session_hostkey() returns and known_hosts holds in base64.
 */
#ifndef ICM_NODE_KNOWN_HOSTS_H
#define ICM_NODE_KNOWN_HOSTS_H

#include "../icm.h"
#include "../util/buf.h"

#define KH_CAP_FILE (4u << 20)  /* a known_hosts file */
#define KH_FP_LEN 51            /* "SHA256:" + 43 base64 characters + NUL */

enum kh_result {
	KH_NOTFOUND,    /* no line names this host */
	KH_MATCH,       /* a line for this host holds this very key */
	KH_MISMATCH,    /* lines name this host, none with this key */
	KH_REVOKED,     /* the key is on a matching @revoked line */
};

/* What a lookup found.  The strings are empty when not applicable. */
struct kh_lookup {
	enum kh_result result;
	int line;                       /* the line that decided (1-based) */
	char pinned_type[40];           /* MISMATCH: the pinned key's type */
	char pinned_fp[KH_FP_LEN];      /* MISMATCH: its fingerprint */
	/* The key types pinned for this host, comma-separated (for the
	 * client's host-key preference). */
	char pinned_types[160];
};

/*
 * The name a host is filed under: "host" for port 22, "[host]:port"
 * otherwise (as ssh does).  Returns a new string.
 */
char *kh_hostname(const char *host, int port);

/*
 * Looks up the key blob for host:port in the known_hosts text (NUL-
 * terminated).  Among the lines naming the host, a line with the same key
 * is a MATCH; otherwise, any line for the host makes it a MISMATCH (a key
 * of another type counts too: a server must not get past a pin by
 * offering a different kind of key).  Never fails.
 */
void kh_check(const char *text, const char *host, int port,
	      const unsigned char *key, size_t keylen, struct kh_lookup *out);

/*
 * Pins the key for host:port in the file at path (created 0600 if
 * missing): under the writer mutex, re-reads the file, and if the host is
 * still unknown appends "name keytype base64" and writes the file
 * atomically.  *out tells what the re-read found (MATCH when another
 * thread pinned the same key meanwhile, MISMATCH/REVOKED when it pinned
 * another; then nothing is written).  Returns 0, or -1 with an error()
 * message when the file cannot be read or written.
 */
int kh_pin(const char *path, const char *host, int port,
	   const unsigned char *key, size_t keylen, struct kh_lookup *out)
	WARN_UNUSED;

/* "SHA256:<base64 without padding>" of the blob, as ssh-keygen -l shows. */
void kh_fingerprint(const unsigned char *key, size_t keylen,
		    char out[KH_FP_LEN]);

/*
 * The key type at the start of a blob ("ecdsa-sha2-nistp256", ...) copied
 * into out (size n); "" when the blob is malformed.
 */
void kh_blob_type(const unsigned char *key, size_t keylen, char *out,
		  size_t n);

/* "RSA", "ECDSA", "ED25519", "DSA" or the type itself, as ssh prints it. */
const char *kh_type_label(const char *keytype);


/* What kind of private key a file holds, from its text alone. */
struct sshkey_info {
	char type[40];      /* "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa",
			       "ssh-ed25519", ... or "" when unknown */
	const char *format; /* "OpenSSH", "PEM", "PKCS#8", "PuTTY" */
	bool encrypted;     /* needs a passphrase */
};

/*
 * Looks at a private key's text (OpenSSH "openssh-key-v1", PEM
 * "RSA/EC/DSA PRIVATE KEY" with or without Proc-Type ENCRYPTED, PKCS#8).
 * The key type of an OpenSSH key is read from its public part, which is
 * not encrypted.  Returns 0, or -1 with *why set to a static reason
 * ("a public key", "not a private key") when the text is no private key.
 */
int sshkey_info(const char *text, size_t len, struct sshkey_info *out,
		const char **why) WARN_UNUSED;

#endif
