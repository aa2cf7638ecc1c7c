/*
 * seal_int.h: the AES-256-GCM step seal() and unseal() are built on,
 * exported for the known-answer tests (tests/unit/t-seal.c), which must
 * choose the nonce.  Not for callers: seal.h is the interface.
 */
#ifndef ICM_CRYPTO_SEAL_INT_H
#define ICM_CRYPTO_SEAL_INT_H

#include "seal.h"

/*
 * AES-256-GCM over data (len bytes, in place) under key and nonce, with
 * aad (aad_len bytes) authenticated.  encrypt: data becomes ciphertext and
 * the tag is written to tag; returns 0.  Otherwise data is decrypted and
 * tag is compared (constant time) with the one computed: 0 when they
 * match, -1 when not (data then holds plaintext that must not be used:
 * the caller wipes it).  The GCM and AES contexts are wiped before it
 * returns.
 */
int seal_gcm(const uint8_t key[SEAL_KEY_LEN],
	     const uint8_t nonce[SEAL_NONCE_LEN], const void *aad,
	     size_t aad_len, void *data, size_t len, bool encrypt,
	     uint8_t tag[SEAL_TAG_LEN]);

#endif
