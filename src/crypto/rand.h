/*
 * rand.h: random numbers for icm's keys, serials and passwords.
 *
 * Everything comes from the kernel's getrandom() (no /dev needed, so icm
 * still works in an empty chroot).  A failure is reported and returned,
 * never papered over with a weaker source.
 */
#ifndef ICM_RAND_H
#define ICM_RAND_H

#include "../icm.h"
#include <bearssl.h>

/* Fills buf with len random bytes.  0, or -1 reported with error(). */
int rand_bytes(void *buf, size_t len) WARN_UNUSED;

/*
 * Seeds an HMAC-DRBG (SHA-256) with 48 bytes from getrandom(), for the
 * BearSSL functions that take a br_prng_class (key generation).  The
 * caller wipes the context after use (explicit_bzero).  0 or -1.
 */
int rand_drbg_init(br_hmac_drbg_context *ctx) WARN_UNUSED;

/*
 * Writes a random password of len characters from [A-Za-z0-9] (no
 * modulo bias) and a NUL into out (room for len + 1).  0 or -1.
 */
int rand_password(char *out, size_t len) WARN_UNUSED;

#endif
