/* rand.c: getrandom() and a DRBG seeded from it (see rand.h). */
#include "rand.h"
#include "../state/log.h"
#include <sys/random.h>
#include <bearssl.h>

int rand_bytes(void *buf, size_t len)
{
	unsigned char *p = buf;
	ssize_t n;

	while (len) {
		n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return error("cannot get random numbers from the "
				     "kernel (getrandom): %s", strerror(errno));
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int rand_drbg_init(br_hmac_drbg_context *ctx)
{
	unsigned char seed[48];

	if (rand_bytes(seed, sizeof(seed)))
		return -1;
	br_hmac_drbg_init(ctx, &br_sha256_vtable, seed, sizeof(seed));
	explicit_bzero(seed, sizeof(seed));
	return 0;
}

int rand_password(char *out, size_t len)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[64];
	size_t i = 0, j = sizeof(r);

	while (i < len) {
		if (j == sizeof(r)) {
			if (rand_bytes(r, sizeof(r)))
				return -1;
			j = 0;
		}
		/* 62 * 4 = 248: bytes from 248 up are dropped (no bias). */
		if (r[j] < 248)
			out[i++] = set[r[j] % 62];
		j++;
	}
	out[len] = '\0';
	explicit_bzero(r, sizeof(r));
	return 0;
}
