/* jks.c: the JKS trust store writer (see jks.h). */
#include "jks.h"
#include "../state/log.h"
#include <bearssl.h>

#define JKS_MAGIC 0xfeedfeedu
#define JKS_VERSION 2
#define JKS_TRUSTED_CERT 2

static int u32(struct buf *b, uint32_t v)
{
	uint8_t p[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };

	return buf_add(b, p, 4);
}

static int utf(struct buf *b, const char *s)
{
	size_t n = strlen(s);
	uint8_t l[2] = { (uint8_t)(n >> 8), (uint8_t)n };

	if (n > 0xffff)
		return -1;
	return buf_add(b, l, 2) || buf_add(b, s, n) ? -1 : 0;
}

int jks_make(const struct jks_cert *certs, size_t n, const char *password,
	     time_t created, struct buf *out)
{
	static const char whitener[] = "Mighty Aphrodite";
	uint64_t ms = (uint64_t)created * 1000;
	br_sha1_context h;
	uint8_t digest[20];
	size_t i;

	for (i = 0; password[i]; i++)
		if ((unsigned char)password[i] >= 0x80)
			return error("the trust store password must be ASCII");
	for (i = 0; i < n; i++) {
		const char *c;

		for (c = certs[i].alias; *c; c++)
			if ((unsigned char)*c >= 0x80 || (*c >= 'A' && *c <= 'Z'))
				return error("JKS alias '%s': lower-case "
					     "ASCII only", certs[i].alias);
	}
	if (u32(out, JKS_MAGIC) || u32(out, JKS_VERSION) ||
	    u32(out, (uint32_t)n))
		goto fail;
	for (i = 0; i < n; i++)
		if (u32(out, JKS_TRUSTED_CERT) || utf(out, certs[i].alias) ||
		    u32(out, (uint32_t)(ms >> 32)) || u32(out, (uint32_t)ms) ||
		    utf(out, "X.509") || u32(out, (uint32_t)certs[i].len) ||
		    buf_add(out, certs[i].der, certs[i].len))
			goto fail;
	br_sha1_init(&h);
	for (i = 0; password[i]; i++) {
		/* UTF-16BE of the ASCII password. */
		uint8_t c[2] = { 0, (uint8_t)password[i] };

		br_sha1_update(&h, c, 2);
	}
	br_sha1_update(&h, whitener, strlen(whitener));
	br_sha1_update(&h, out->data, out->len);
	br_sha1_out(&h, digest);
	if (buf_add(out, digest, sizeof(digest)))
		goto fail;
	return 0;
fail:
	buf_release(out);
	return error("cannot encode the Java trust store");
}
