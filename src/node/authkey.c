/* authkey.c: a public key file as one authorized_keys line (authkey.h). */
#include "authkey.h"
#include "known_hosts.h"
#include "../crypto/sshkey.h"
#include "../util/fs.h"
#include "../util/str.h"

#define RFC4716_BEGIN "---- BEGIN SSH2 PUBLIC KEY ----"
#define RFC4716_END "---- END SSH2 PUBLIC KEY ----"
#define AUTHKEY_TYPE_MAX 64

static const char *const key_types[] = {
	"ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521", "ssh-ed25519",
};

static bool known_type(const char *t)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(key_types); i++)
		if (!strcmp(t, key_types[i]))
			return true;
	return false;
}

/* The next line of [*p, end): its start and length without CR/LF. */
static bool next_line(const char **p, const char *end, const char **s,
		      size_t *n)
{
	const char *e;

	if (*p >= end)
		return false;
	e = memchr(*p, '\n', (size_t)(end - *p));
	if (!e)
		e = end;
	*s = *p;
	*n = (size_t)(e - *p);
	if (*n && (*s)[*n - 1] == '\r')
		(*n)--;
	*p = e < end ? e + 1 : end;
	return true;
}

/*
 * RFC 4716 3.3-3.5: after BEGIN, header lines ("Tag: value", a trailing
 * backslash continuing one), then base64 lines up to END.
 */
static int rfc4716_blob(const char *p, const char *end, struct buf *blob,
			const char **why)
{
	const char *s;
	size_t n;
	bool in_header = true, cont = false, ended = false;
	struct buf b64;
	int ret = -1;

	buf_init(&b64, AUTHKEY_FILE_CAP);

	while (next_line(&p, end, &s, &n)) {
		if (n == strlen(RFC4716_END) && !memcmp(s, RFC4716_END, n)) {
			ended = true;
			break;
		}
		if (in_header && (cont || memchr(s, ':', n))) {
			cont = n && s[n - 1] == '\\';
			continue;
		}
		in_header = false;
		if (buf_add(&b64, s, n)) {
			*why = "it is larger than 64 KiB";
			goto out;
		}
	}
	*why = "it has no '" RFC4716_END "' line";
	if (!ended)
		goto out;
	*why = "its key lines are not base64";
	if (!b64.len || base64_decode(blob, b64.data, b64.len))
		goto out;
	ret = 0;
out:
	buf_release(&b64);
	return ret;
}

int authkey_line(const char *text, size_t len, struct buf *out,
		 const char **why)
{
	const char *end = text + len, *p = text, *s, *sp;
	char type[AUTHKEY_TYPE_MAX], named[AUTHKEY_TYPE_MAX];
	struct buf blob;
	size_t n = 0, k;
	bool got;
	int ret = -1;

	buf_init(&blob, AUTHKEY_FILE_CAP);
	*why = "it is empty";
	named[0] = '\0';
	while ((got = next_line(&p, end, &s, &n)) && !n)
		;
	if (!got)
		goto out;
	if (n == strlen(RFC4716_BEGIN) && !memcmp(s, RFC4716_BEGIN, n)) {
		if (rfc4716_blob(p, end, &blob, why))
			goto out;
	} else {
		/* "<type> <base64>[ comment]" */
		sp = memchr(s, ' ', n);
		k = sp ? (size_t)(sp - s) : 0;
		*why = "it is neither an OpenSSH public key line nor an "
		       "RFC 4716 (SSH2) public key";
		if (!k || k >= sizeof(named))
			goto out;
		memcpy(named, s, k);
		named[k] = '\0';
		if (!known_type(named))
			goto out;
		s = sp + 1;
		n -= k + 1;
		sp = memchr(s, ' ', n);
		if (sp)
			n = (size_t)(sp - s);
		if (!n || base64_decode(&blob, s, n))
			goto out;
	}
	kh_blob_type((const unsigned char *)blob.data, blob.len, type,
		     sizeof(type));
	if (!known_type(type)) {
		*why = "its key type is not one OpenSSH accepts";
		goto out;
	}
	if (named[0] && strcmp(named, type)) {
		*why = "the type at the start of the line is not the key's";
		goto out;
	}
	if (buf_adds(out, type) || buf_adds(out, " ") ||
	    base64_add(out, blob.data, blob.len) || buf_adds(out, "\n")) {
		*why = "out of memory";
		goto out;
	}
	ret = 0;
out:
	buf_release(&blob);
	return ret;
}

int authkey_read(const char *path, struct buf *out, const char **why)
{
	struct buf text;
	int ret = -1;

	buf_init(&text, AUTHKEY_FILE_CAP);
	if (fs_read_file(path, &text)) {
		*why = errno == EFBIG ? "it is larger than 64 KiB" :
		       fs_strerror(errno);
		goto out;
	}
	ret = authkey_line(text.data ? text.data : "", text.len, out, why);
out:
	buf_release(&text);
	return ret;
}
