/*
 * seal.h: client-side encryption of the state objects that hold secrets
 * (the deployment CA's key, client keys, instances.json with passwords)
 * before they leave the machine for shared storage (S3).
 *
 * A sealed object is
 *   "ICMSEAL1" | nonce (12 random bytes) | AES-256-GCM ciphertext | tag (16)
 * under a 32-byte key the operators keep in a file (StateKeyFile or
 * ICM_STATE_KEY_FILE; `icm keygen state` makes one).  The additional
 * authenticated data binds an object to its name, so a sealed object
 * copied over another one does not unseal under the other's name.
 *
 * The AES and GHASH implementations are BearSSL's fastest constant-time
 * ones the CPU runs (AES-NI and PCLMUL, else ct64 and ctmul64).  Every
 * context and temporary that held the key or plaintext is wiped.  Nothing
 * here keeps state: all functions may be called from several threads.
 */
#ifndef ICM_CRYPTO_SEAL_H
#define ICM_CRYPTO_SEAL_H

#include "../icm.h"
#include "../util/buf.h"

#define SEAL_KEY_LEN 32
#define SEAL_MAGIC "ICMSEAL1"		/* 8 bytes at the start of every
					   sealed object */
#define SEAL_MAGIC_LEN 8
#define SEAL_NONCE_LEN 12
#define SEAL_TAG_LEN 16
#define SEAL_OVERHEAD (8 + 12 + 16)	/* magic, nonce, tag */

struct seal_key {
	uint8_t k[SEAL_KEY_LEN];
};

/*
 * Reads the key file at path into *key: exactly 32 bytes, or 64 hex digits
 * (either case) with an optional final newline.  Refuses a path that is
 * not a regular file and any other length ("holds N bytes; a state key is
 * 32 random bytes (icm keygen state makes one)"); warns (warning()) once
 * per process when the file can be read by its group or others.  0, or -1
 * with one line in *err (caller frees) that names the file and never holds
 * any byte of it; *key is wiped then.
 */
int seal_key_load(const char *path, struct seal_key *key, char **err)
	WARN_UNUSED;
/* Zeroes the key (explicit_bzero). */
void seal_key_wipe(struct seal_key *key);

/* True when data starts with SEAL_MAGIC. */
bool seal_is_sealed(const void *data, size_t len);

/*
 * Appends the sealed form of plain (len bytes) to out (the caller's buf,
 * its cap as set): MAGIC | nonce (getrandom, crypto/rand.h) |
 * AES-256-GCM(key, nonce, aad, plain) | tag.  aad binds the object to its
 * name: the caller passes e.g. "icm-state:" + the object's name, and the
 * same string to unseal().  Room is reserved once, so no copy of the
 * plaintext is left behind by growth.  0, or -1 (the cap is exceeded: out
 * is wiped and emptied, as buf.h's adders do; or getrandom failed,
 * reported, out unchanged).
 */
int seal(const struct seal_key *key, const char *aad, const void *plain,
	 size_t len, struct buf *out) WARN_UNUSED;

/*
 * The reverse: appends the plaintext of the sealed object data (len
 * bytes) to out.  -1 when data is not sealed, is cut short, or its tag
 * does not verify (wrong key, other aad, tampered); out receives nothing
 * then (what was decrypted is wiped).  The tag is compared in constant
 * time.  0, or -1 with a static reason in *why: "not sealed", "cut
 * short", "wrong key or tampered", or "too large" (over out's cap: out is
 * wiped and emptied).  Nothing is printed: the caller names the object.
 */
int unseal(const struct seal_key *key, const char *aad, const void *data,
	   size_t len, struct buf *out, const char **why) WARN_UNUSED;

#endif
