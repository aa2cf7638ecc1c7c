/* sshkey.c: SSH public key formats (see sshkey.h). */
#include "sshkey.h"
#include <ctype.h>

#define RFC4716_LINE 70		/* ssh-keygen -e wraps here (limit 72) */

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(int c)
{
	const char *p = c ? strchr(b64chars, c) : NULL;

	return p ? (int)(p - b64chars) : -1;
}

int base64_decode(struct buf *out, const char *s, size_t n)
{
	unsigned v = 0;
	int bits = 0, pad = 0, d;
	unsigned char c;
	size_t i;

	for (i = 0; i < n; i++) {
		if (isspace((unsigned char)s[i]))
			continue;
		if (s[i] == '=') {
			pad++;
			continue;
		}
		d = b64_value(s[i]);
		if (d < 0 || pad)
			return -1;
		v = (v << 6) | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			c = (unsigned char)(v >> bits);
			if (buf_add(out, &c, 1))
				return -1;
		}
	}
	/* Leftover bits must be the zero padding of a whole quantum. */
	if (pad > 2 || (bits == 6) || (v & ((1u << bits) - 1)))
		return -1;
	return buf_add(out, "", 0);
}

int base64_add(struct buf *out, const void *data, size_t len)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	char q[4];
	size_t i;

	for (i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = tab[v >> 18];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? tab[v & 63] : '=';
		if (buf_add(out, q, 4))
			return -1;
	}
	return 0;
}

static int put_string(struct buf *b, const void *p, size_t n)
{
	unsigned char l[4] = { (unsigned char)(n >> 24),
			       (unsigned char)(n >> 16),
			       (unsigned char)(n >> 8), (unsigned char)n };

	return buf_add(b, l, 4) || buf_add(b, p, n) ? -1 : 0;
}

/* An mpint of a non-negative big-endian number (RFC 4251 5). */
static int put_mpint(struct buf *b, const unsigned char *p, size_t n)
{
	static const unsigned char zero = 0;
	size_t pad;
	unsigned char l[4];

	while (n && !*p) {
		p++;
		n--;
	}
	pad = n && (p[0] & 0x80);
	l[0] = (unsigned char)((n + pad) >> 24);
	l[1] = (unsigned char)((n + pad) >> 16);
	l[2] = (unsigned char)((n + pad) >> 8);
	l[3] = (unsigned char)(n + pad);
	if (buf_add(b, l, 4) || (pad && buf_add(b, &zero, 1)))
		return -1;
	return buf_add(b, p, n);
}

const char *sshkey_type(const struct key *k)
{
	if (k->type == KEY_RSA)
		return "ssh-rsa";
	return k->ec.curve == BR_EC_secp384r1 ? "ecdsa-sha2-nistp384" :
	       "ecdsa-sha2-nistp256";
}

int sshkey_blob(const struct key *k, struct buf *out)
{
	const char *t = sshkey_type(k);

	if (put_string(out, t, strlen(t)))
		return -1;
	if (k->type == KEY_RSA)
		return put_mpint(out, k->rsa_pub.e, k->rsa_pub.elen) ||
		       put_mpint(out, k->rsa_pub.n, k->rsa_pub.nlen) ? -1 : 0;
	return put_string(out, key_curve_ssh(k), strlen(key_curve_ssh(k))) ||
	       put_string(out, k->ec_pub.q, k->ec_pub.qlen) ? -1 : 0;
}

static int blob64(const struct key *k, struct buf *out)
{
	struct buf blob;
	int ret;

	buf_init(&blob, 4096);
	ret = sshkey_blob(k, &blob) || base64_add(out, blob.data, blob.len);
	buf_release(&blob);
	if (ret)
		buf_release(out);
	return ret ? -1 : 0;
}

int sshkey_openssh(const struct key *k, const char *comment,
		   struct buf *out)
{
	if (buf_addf(out, "%s ", sshkey_type(k)) || blob64(k, out))
		return -1;
	if (comment && *comment && buf_addf(out, " %s", comment))
		return -1;
	return buf_adds(out, "\n");
}

int sshkey_rfc4716(const struct key *k, const char *comment,
		   struct buf *out)
{
	struct buf b64;
	size_t i;
	int ret = -1;

	buf_init(&b64, 8192);
	if (blob64(k, &b64))
		goto out;
	if (buf_adds(out, "---- BEGIN SSH2 PUBLIC KEY ----\n"))
		goto out;
	if (comment && *comment &&
	    buf_addf(out, "Comment: \"%.60s\"\n", comment))
		goto out;
	for (i = 0; i < b64.len; i += RFC4716_LINE) {
		size_t n = b64.len - i < RFC4716_LINE ? b64.len - i :
			   RFC4716_LINE;

		if (buf_add(out, b64.data + i, n) || buf_adds(out, "\n"))
			goto out;
	}
	if (buf_adds(out, "---- END SSH2 PUBLIC KEY ----\n"))
		goto out;
	ret = 0;
out:
	buf_release(&b64);
	return ret;
}
