/* known_hosts.c: pinned host keys, fingerprints, key files (known_hosts.h). */
#include "known_hosts.h"
#include "../crypto/sshkey.h"
#include "../state/log.h"
#include "../util/fs.h"
#include "../util/str.h"
#include <bearssl.h>
#include <ctype.h>
#include <pthread.h>

void kh_fingerprint(const unsigned char *key, size_t keylen,
		    char out[KH_FP_LEN])
{
	unsigned char h[br_sha256_SIZE];
	br_sha256_context sc;
	struct buf b;

	br_sha256_init(&sc);
	br_sha256_update(&sc, key, keylen);
	br_sha256_out(&sc, h);
	buf_init(&b, 64);
	if (base64_add(&b, h, sizeof(h)) == 0) {
		/* ssh-keygen leaves the '=' padding out. */
		while (b.len && b.data[b.len - 1] == '=')
			b.data[--b.len] = '\0';
		snprintf(out, KH_FP_LEN, "SHA256:%s", b.data);
	} else {
		snprintf(out, KH_FP_LEN, "SHA256:?");
	}
	buf_release(&b);
}

/* Reads an SSH string (uint32 length + bytes) at *p; -1 past the end. */
static int get_string(const unsigned char **p, const unsigned char *end,
		      const unsigned char **s, size_t *n)
{
	uint32_t len;

	if (end - *p < 4)
		return -1;
	len = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 |
	      (uint32_t)(*p)[2] << 8 | (*p)[3];
	*p += 4;
	if ((size_t)(end - *p) < len)
		return -1;
	*s = *p;
	*n = len;
	*p += len;
	return 0;
}

void kh_blob_type(const unsigned char *key, size_t keylen, char *out,
		  size_t n)
{
	const unsigned char *p = key, *s;
	size_t len;

	out[0] = '\0';
	if (get_string(&p, key + keylen, &s, &len) || len >= n ||
	    memchr(s, '\0', len))
		return;
	memcpy(out, s, len);
	out[len] = '\0';
}

const char *kh_type_label(const char *keytype)
{
	static const struct { const char *prefix, *label; } labels[] = {
		{ "ssh-rsa", "RSA" }, { "rsa-sha2-", "RSA" },
		{ "ecdsa-sha2-", "ECDSA" }, { "ssh-ed25519", "ED25519" },
		{ "ssh-dss", "DSA" }, { "ecdsa", "ECDSA" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(labels); i++)
		if (str_starts(keytype, labels[i].prefix))
			return labels[i].label;
	return keytype;
}

char *kh_hostname(const char *host, int port)
{
	if (port == 22)
		return xstrdup(host);
	return xasprintf("[%s]:%d", host, port);
}

/*
 * OpenSSH's match_pattern: * and ?, case-insensitive for host names.
 * Iterative: a mismatch goes back to the last * and lets it take one more
 * character, so the time is at most the name's length times the
 * pattern's, whatever the number of stars (each * only ever moves on).
 */
static bool wild_match(const char *s, const char *pat, size_t patlen)
{
	const char *pend = pat + patlen, *star = NULL, *resume = NULL;

	while (*s) {
		if (pat < pend && *pat == '*') {
			star = ++pat;
			resume = s;
		} else if (pat < pend && (*pat == '?' ||
					  tolower((unsigned char)*pat) ==
					  tolower((unsigned char)*s))) {
			pat++;
			s++;
		} else if (star) {
			pat = star;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (pat < pend && *pat == '*')
		pat++;
	return pat == pend;
}

/* |1|salt|hash: HMAC-SHA1 keyed with the salt over the name. */
static bool hashed_match(const char *name, const char *pat, size_t patlen)
{
	const char *sep = memchr(pat + 3, '|', patlen - 3);
	unsigned char mac[br_sha1_SIZE];
	br_hmac_key_context kc;
	br_hmac_context hc;
	struct buf salt, want;
	bool ret = false;

	if (!sep)
		return false;
	buf_init(&salt, 256);
	buf_init(&want, 256);
	if (base64_decode(&salt, pat + 3, (size_t)(sep - pat - 3)) ||
	    base64_decode(&want, sep + 1, (size_t)(pat + patlen - sep - 1)) ||
	    want.len != sizeof(mac))
		goto out;
	br_hmac_key_init(&kc, &br_sha1_vtable, salt.data, salt.len);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, name, strlen(name));
	br_hmac_out(&hc, mac);
	ret = !memcmp(mac, want.data, sizeof(mac));
out:
	buf_release(&salt);
	buf_release(&want);
	return ret;
}

/* 1: the list names the host; -1: a negated pattern names it; 0: no. */
static int match_hostlist(const char *name, const char *list, size_t n)
{
	const char *p = list, *end = list + n, *comma;
	int found = 0;
	bool neg;

	if (n > 3 && !memcmp(list, "|1|", 3))
		return hashed_match(name, list, n) ? 1 : 0;
	while (p < end) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (!comma)
			comma = end;
		neg = *p == '!';
		if (wild_match(name, p + neg, (size_t)(comma - p - neg))) {
			if (neg)
				return -1;
			found = 1;
		}
		p = comma + 1;
	}
	return found;
}

/* One parsed line; the pointers point into the text. */
struct kh_line {
	const char *marker, *hosts, *type, *key;
	size_t markerlen, hostslen, typelen, keylen;
};

static const char *word(const char *p, const char *end, const char **w,
			size_t *n)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	*w = p;
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	*n = (size_t)(p - *w);
	return p;
}

static bool parse_line(const char *p, const char *end, struct kh_line *l)
{
	memset(l, 0, sizeof(*l));
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p == '#')
		return false;
	if (*p == '@')
		p = word(p, end, &l->marker, &l->markerlen);
	p = word(p, end, &l->hosts, &l->hostslen);
	p = word(p, end, &l->type, &l->typelen);
	word(p, end, &l->key, &l->keylen);
	return l->hostslen && l->typelen && l->keylen;
}

static bool marker_is(const struct kh_line *l, const char *m)
{
	return l->markerlen == strlen(m) && !memcmp(l->marker, m, l->markerlen);
}

static void add_type(char *list, size_t size, const char *t, size_t n)
{
	size_t len = strlen(list);
	const char *p = list;

	for (; *p; p += strcspn(p, ","), p += *p == ',')
		if (strcspn(p, ",") == n && !memcmp(p, t, n))
			return;
	if (len + n + 2 > size)
		return;
	if (len)
		list[len++] = ',';
	memcpy(list + len, t, n);
	list[len + n] = '\0';
}

void kh_check(const char *text, const char *host, int port,
	      const unsigned char *key, size_t keylen, struct kh_lookup *out)
{
	char *name = kh_hostname(host, port);
	char type[40];
	const char *p = text ? text : "", *eol;
	struct kh_line l;
	struct buf blob;
	int lineno = 0, mismatch_line = 0;
	bool same_type, mismatch_same_type = false;

	memset(out, 0, sizeof(*out));
	out->result = KH_NOTFOUND;
	kh_blob_type(key, keylen, type, sizeof(type));
	buf_init(&blob, 64 << 10);
	for (; *p; p = *eol ? eol + 1 : eol) {
		eol = p + strcspn(p, "\n");
		lineno++;
		if (!parse_line(p, eol, &l) ||
		    match_hostlist(name, l.hosts, l.hostslen) != 1)
			continue;
		if (l.marker && !marker_is(&l, "@revoked"))
			continue;       /* @cert-authority: not used */
		buf_release(&blob);
		if (base64_decode(&blob, l.key, l.keylen))
			continue;
		if (blob.len == keylen && !memcmp(blob.data, key, keylen)) {
			out->line = lineno;
			if (l.marker) {
				out->result = KH_REVOKED;
				goto out;
			}
			out->result = KH_MATCH;
			continue;       /* a later @revoked line still wins */
		}
		if (l.marker)
			continue;
		add_type(out->pinned_types, sizeof(out->pinned_types),
			 l.type, l.typelen);
		same_type = l.typelen == strlen(type) &&
			    !memcmp(l.type, type, l.typelen);
		if (!mismatch_line || (same_type && !mismatch_same_type)) {
			mismatch_line = lineno;
			mismatch_same_type = same_type;
			snprintf(out->pinned_type, sizeof(out->pinned_type),
				 "%.*s", (int)l.typelen, l.type);
			kh_fingerprint((unsigned char *)blob.data, blob.len,
				       out->pinned_fp);
		}
	}
	if (out->result == KH_NOTFOUND && mismatch_line) {
		out->result = KH_MISMATCH;
		out->line = mismatch_line;
	}
out:
	if (out->result != KH_MISMATCH) {
		out->pinned_type[0] = '\0';
		out->pinned_fp[0] = '\0';
	}
	buf_release(&blob);
	free(name);
}

static pthread_mutex_t kh_write_lock = PTHREAD_MUTEX_INITIALIZER;

int kh_pin(const char *path, const char *host, int port,
	   const unsigned char *key, size_t keylen, struct kh_lookup *out)
{
	char type[40], *name = kh_hostname(host, port);
	struct buf text;
	int ret = -1;

	buf_init(&text, KH_CAP_FILE);
	kh_blob_type(key, keylen, type, sizeof(type));
	pthread_mutex_lock(&kh_write_lock);
	if (fs_read_file(path, &text)) {
		if (errno != ENOENT) {
			error("cannot read known_hosts file '%s': %s", path,
			      fs_strerror(errno));
			goto out;
		}
		buf_release(&text);
	}
	kh_check(text.data, host, port, key, keylen, out);
	if (out->result != KH_NOTFOUND) {
		ret = 0;
		goto out;
	}
	if ((text.len && text.data[text.len - 1] != '\n' &&
	     buf_adds(&text, "\n")) ||
	    buf_addf(&text, "%s %s ", name, type) ||
	    base64_add(&text, key, keylen) || buf_adds(&text, "\n")) {
		error("known_hosts file '%s' is too large (over %u bytes)",
		      path, KH_CAP_FILE);
		goto out;
	}
	if (fs_write_atomic(path, text.data, text.len, 0600)) {
		error("cannot write known_hosts file '%s': %s", path,
		      strerror(errno));
		goto out;
	}
	ret = 0;
out:
	pthread_mutex_unlock(&kh_write_lock);
	buf_release(&text);
	free(name);
	return ret;
}

/* The base64 body between a PEM BEGIN line and its END line. */
static int pem_body(const char *text, size_t len, struct buf *out)
{
	const char *p = memchr(text, '\n', len), *end = text + len, *stop;

	if (!p)
		return -1;
	for (stop = ++p; stop < end; stop++)
		if (*stop == '-' && (stop == text || stop[-1] == '\n'))
			break;
	return base64_decode(out, p, (size_t)(stop - p));
}

/*
 * openssh-key-v1: magic, string cipher, string kdf, string kdfopts,
 * uint32 nkeys, string pubkey (whose first string is the key type), ...
 */
static int openssh_info(const char *text, size_t len, struct sshkey_info *o)
{
	static const char magic[] = "openssh-key-v1";
	const unsigned char *p, *end, *s, *cipher, *pub;
	size_t n, cipherlen, publen;
	struct buf b;
	int ret = -1;

	buf_init(&b, 1 << 20);
	if (pem_body(text, len, &b) || b.len < sizeof(magic) ||
	    memcmp(b.data, magic, sizeof(magic)))
		goto out;
	p = (unsigned char *)b.data + sizeof(magic);
	end = (unsigned char *)b.data + b.len;
	if (get_string(&p, end, &cipher, &cipherlen) ||
	    get_string(&p, end, &s, &n) || get_string(&p, end, &s, &n) ||
	    end - p < 4)
		goto out;
	p += 4;
	if (get_string(&p, end, &pub, &publen))
		goto out;
	kh_blob_type(pub, publen, o->type, sizeof(o->type));
	o->encrypted = !(cipherlen == 4 && !memcmp(cipher, "none", 4));
	ret = 0;
out:
	buf_release(&b);
	return ret;
}

int sshkey_info(const char *text, size_t len, struct sshkey_info *out,
		const char **why)
{
	static const struct {
		const char *begin, *type, *format;
	} kinds[] = {
		{ "-----BEGIN OPENSSH PRIVATE KEY-----", "", "OpenSSH" },
		{ "-----BEGIN RSA PRIVATE KEY-----", "ssh-rsa", "PEM" },
		{ "-----BEGIN EC PRIVATE KEY-----", "ecdsa", "PEM" },
		{ "-----BEGIN DSA PRIVATE KEY-----", "ssh-dss", "PEM" },
		{ "-----BEGIN PRIVATE KEY-----", "", "PKCS#8" },
		{ "-----BEGIN ENCRYPTED PRIVATE KEY-----", "", "PKCS#8" },
		{ "PuTTY-User-Key-File-", "", "PuTTY" },
	};
	const char *p = text, *end = text + len;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	while (p < end && isspace((unsigned char)*p))
		p++;
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		n = strlen(kinds[i].begin);
		if ((size_t)(end - p) < n || memcmp(p, kinds[i].begin, n))
			continue;
		snprintf(out->type, sizeof(out->type), "%s", kinds[i].type);
		out->format = kinds[i].format;
		if (i == 0) {
			if (openssh_info(p, (size_t)(end - p), out)) {
				*why = "a damaged OpenSSH private key";
				return -1;
			}
		} else {
			out->encrypted = i == 5 ||
				memmem(p, (size_t)(end - p), "ENCRYPTED", 9);
		}
		return 0;
	}
	for (n = 0; p + n < end && n < 40 && p[n] != ' '; n++)
		;
	if ((n > 4 && !memcmp(p, "ssh-", 4)) || (n > 6 && !memcmp(p, "ecdsa-", 6)))
		*why = "a public key, not a private key";
	else
		*why = "not a private key (no \"-----BEGIN ... PRIVATE KEY-----\" line)";
	return -1;
}
