/*
 * sigv4.c: AWS Signature Version 4 (see sigv4.h): canonical request,
 * string to sign, signing key derivation and the Authorization value,
 * with BearSSL's SHA-256 and HMAC.
 */
#include "../icm.h"
#include "sigv4.h"
#include "../util/buf.h"
#include "../util/str.h"
#include <bearssl.h>
#include <ctype.h>

static const char hexdigits[] = "0123456789abcdef";

void sigv4_hex(const unsigned char *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hexdigits[in[i] >> 4];
		out[2 * i + 1] = hexdigits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void sigv4_sha256_hex(const void *data, size_t len, char out[65])
{
	br_sha256_context sc;
	unsigned char h[32];

	br_sha256_init(&sc);
	br_sha256_update(&sc, data, len);
	br_sha256_out(&sc, h);
	sigv4_hex(h, sizeof(h), out);
}

void sigv4_hmac_sha256(const void *key, size_t klen, const void *data,
		       size_t dlen, unsigned char out[32])
{
	br_hmac_key_context kc;
	br_hmac_context hc;

	br_hmac_key_init(&kc, &br_sha256_vtable, key, klen);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, data, dlen);
	br_hmac_out(&hc, out);
	explicit_bzero(&kc, sizeof(kc));
	explicit_bzero(&hc, sizeof(hc));
}

void sigv4_amz_date(time_t t, char out[17])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static bool unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

int sigv4_uri_encode(struct buf *b, const char *s, size_t len,
		     bool keep_slash)
{
	static const char HEX[] = "0123456789ABCDEF";
	unsigned char c;
	size_t i;
	char esc[3];

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (unreserved(c) || (keep_slash && c == '/')) {
			if (buf_add(b, &s[i], 1))
				return -1;
			continue;
		}
		esc[0] = '%';
		esc[1] = HEX[c >> 4];
		esc[2] = HEX[c & 15];
		if (buf_add(b, esc, 3))
			return -1;
	}
	return 0;
}

/*
 * The path with dot segments and empty segments removed; a trailing '/'
 * (or a trailing "." or ".." segment) keeps one trailing '/'.
 */
static int normalize_path(const char *path, struct buf *out)
{
	const char *p = path, *seg, *end;
	size_t *starts = NULL, nseg = 0, len;
	size_t plen = strlen(path);
	bool trailing = false;
	int ret = -1;

	starts = xcalloc(plen + 1, sizeof(*starts));
	if (buf_add(out, "/", 1))
		goto out;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		seg = p;
		end = strchr(seg, '/');
		if (!end)
			end = seg + strlen(seg);
		len = (size_t)(end - seg);
		p = end;
		trailing = *end == '/';
		if (len == 1 && seg[0] == '.') {
			trailing = true;
			continue;
		}
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			trailing = true;
			if (nseg) {
				out->len = starts[--nseg];
				out->data[out->len] = '\0';
			}
			continue;
		}
		starts[nseg++] = out->len;
		if ((out->len > 1 && buf_add(out, "/", 1)) ||
		    buf_add(out, seg, len))
			goto out;
	}
	if (trailing && out->len > 1 && buf_add(out, "/", 1))
		goto out;
	ret = 0;
out:
	free(starts);
	return ret;
}

static int canonical_uri(const char *path, bool normalize, struct buf *b)
{
	struct buf norm;
	int ret;

	if (!path || !*path)
		path = "/";
	if (!normalize)
		return sigv4_uri_encode(b, path, strlen(path), true);
	buf_init(&norm, SIGV4_CAP_TEXT);
	ret = normalize_path(path, &norm);
	if (!ret)
		ret = sigv4_uri_encode(b, norm.data, norm.len, true);
	buf_release(&norm);
	return ret;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes %XX escapes of s[0..len) and encodes the bytes again. */
static int reencode(struct buf *b, const char *s, size_t len, char **err)
{
	char *raw = xmalloc(len + 1);
	size_t i, n = 0;
	int hi, lo, ret;

	for (i = 0; i < len; i++) {
		if (s[i] != '%') {
			raw[n++] = s[i];
			continue;
		}
		hi = i + 2 < len ? hexval(s[i + 1]) : -1;
		lo = i + 2 < len ? hexval(s[i + 2]) : -1;
		if (hi < 0 || lo < 0) {
			*err = xasprintf("bad percent escape in the query "
					 "'%.*s'", (int)len, s);
			free(raw);
			return -1;
		}
		raw[n++] = (char)(hi << 4 | lo);
		i += 2;
	}
	ret = sigv4_uri_encode(b, raw, n, false);
	free(raw);
	if (ret)
		*err = xstrdup("the query is too long");
	return ret;
}

struct qpair {
	char *key, *value;
};

static int qpair_cmp(const void *a, const void *b)
{
	const struct qpair *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->value, y->value);
}

static char *reencoded(const char *s, size_t len, char **err)
{
	struct buf b;

	buf_init(&b, SIGV4_CAP_TEXT);
	if (reencode(&b, s, len, err)) {
		buf_release(&b);
		return NULL;
	}
	return b.len ? buf_take(&b) : xstrdup("");
}

static int canonical_query(const char *q, struct buf *b, char **err)
{
	struct qpair *v = NULL;
	size_t n = 0, i, alloc = 0, len;
	const char *p = q, *amp, *eq;
	int ret = -1;

	while (p && *p) {
		amp = strchr(p, '&');
		len = amp ? (size_t)(amp - p) : strlen(p);
		if (len) {
			if (n == alloc) {
				alloc = alloc ? 2 * alloc : 16;
				v = xrealloc(v, alloc * sizeof(*v));
			}
			eq = memchr(p, '=', len);
			v[n].key = reencoded(p, eq ? (size_t)(eq - p) : len,
					     err);
			v[n].value = eq ? reencoded(eq + 1,
						    len - (size_t)(eq - p) - 1,
						    err) : xstrdup("");
			n++;
			if (!v[n - 1].key || !v[n - 1].value)
				goto out;
		}
		p = amp ? amp + 1 : NULL;
	}
	if (n)
		qsort(v, n, sizeof(*v), qpair_cmp);
	for (i = 0; i < n; i++)
		if (buf_addf(b, "%s%s=%s", i ? "&" : "", v[i].key,
			     v[i].value)) {
			*err = xstrdup("the query is too long");
			goto out;
		}
	ret = 0;
out:
	for (i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
	return ret;
}

/* One header, name lower-cased and value trimmed and folded. */
struct chdr {
	char *name;
	char *value;
	size_t order;
};

static int chdr_cmp(const void *a, const void *b)
{
	const struct chdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static char *fold_value(const char *v)
{
	char *out = xmalloc(strlen(v) + 1), *o = out;
	bool space = false;

	for (; *v; v++) {
		if (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n') {
			space = o != out;
			continue;
		}
		if (space)
			*o++ = ' ';
		space = false;
		*o++ = *v;
	}
	*o = '\0';
	return out;
}

static bool has_header(const struct sigv4_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nheaders; i++)
		if (req->headers[i].name &&
		    !strcasecmp(req->headers[i].name, name))
			return true;
	return false;
}

/* Appends the canonical headers block and fills signed (names with ';'). */
static int canonical_headers(const struct sigv4_header *h, size_t n,
			     struct buf *b, struct buf *names, char **err)
{
	struct chdr v[SIGV4_MAX_HEADERS];
	size_t i, j;
	int ret = -1;

	for (i = 0; i < n; i++) {
		v[i].name = xstrdup(h[i].name);
		for (j = 0; v[i].name[j]; j++)
			v[i].name[j] = (char)tolower(
				(unsigned char)v[i].name[j]);
		v[i].value = fold_value(h[i].value ? h[i].value : "");
		v[i].order = i;
	}
	qsort(v, n, sizeof(*v), chdr_cmp);
	for (i = 0; i < n; i++) {
		int r;

		if (i && !strcmp(v[i].name, v[i - 1].name))
			r = buf_addf(b, ",%s", v[i].value);
		else
			r = buf_addf(b, "%s%s:%s", i ? "\n" : "", v[i].name,
				     v[i].value) ||
			    buf_addf(names, "%s%s", i ? ";" : "", v[i].name);
		if (r) {
			*err = xstrdup("the headers are too long");
			goto out;
		}
	}
	if (buf_add(b, "\n", 1)) {
		*err = xstrdup("the headers are too long");
		goto out;
	}
	ret = 0;
out:
	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	return ret;
}

static int check(const struct sigv4_request *req, const struct sigv4_params *p,
		 char **err)
{
	size_t i;

	if (!req->method || !*req->method || !p->access_key ||
	    !*p->access_key || !p->secret_key || !*p->secret_key ||
	    !p->region || !*p->region || !p->service || !*p->service) {
		*err = xstrdup("a request to sign needs a method, an access "
			       "key, a secret key, a region and a service");
		return -1;
	}
	if (req->nheaders + 3 > SIGV4_MAX_HEADERS) {
		*err = xasprintf("too many headers to sign (%zu)",
				 req->nheaders);
		return -1;
	}
	for (i = 0; i < req->nheaders; i++)
		if (!req->headers[i].name || !*req->headers[i].name) {
			*err = xstrdup("a header to sign has no name");
			return -1;
		}
	return 0;
}

static void signing_key(const struct sigv4_params *p, const char *date8,
			unsigned char key[32])
{
	char *k = xasprintf("AWS4%s", p->secret_key);
	unsigned char t[32];

	sigv4_hmac_sha256(k, strlen(k), date8, 8, t);
	sigv4_hmac_sha256(t, 32, p->region, strlen(p->region), key);
	sigv4_hmac_sha256(key, 32, p->service, strlen(p->service), t);
	sigv4_hmac_sha256(t, 32, "aws4_request", 12, key);
	explicit_bzero(t, sizeof(t));
	freezero_str(k);
}

int sigv4_sign(const struct sigv4_request *req, const struct sigv4_params *p,
	       struct sigv4_result *res, char **err)
{
	struct sigv4_header all[SIGV4_MAX_HEADERS];
	struct buf creq, sts, names;
	unsigned char key[32], sig[32];
	char scope[256], creq_hash[65];
	size_t n;
	bool token = p->session_token && *p->session_token;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	*err = NULL;
	buf_init(&creq, SIGV4_CAP_TEXT);
	buf_init(&sts, SIGV4_CAP_TEXT);
	buf_init(&names, SIGV4_CAP_TEXT);
	if (check(req, p, err))
		goto out;
	sigv4_amz_date(p->when, res->amz_date);
	sigv4_sha256_hex(req->body ? req->body : "", req->body_len,
			 res->payload_hash);

	if (req->nheaders)
		memcpy(all, req->headers, req->nheaders * sizeof(*all));
	n = req->nheaders;
	if (!has_header(req, "x-amz-date"))
		res->add[res->nadd++] = (struct sigv4_header){
			"X-Amz-Date", res->amz_date };
	if (token && !has_header(req, "x-amz-security-token"))
		res->add[res->nadd++] = (struct sigv4_header){
			"X-Amz-Security-Token", p->session_token };
	if (p->sign_body && !has_header(req, "x-amz-content-sha256"))
		res->add[res->nadd++] = (struct sigv4_header){
			"X-Amz-Content-SHA256", res->payload_hash };
	for (size_t i = 0; i < res->nadd; i++)
		if (!p->omit_session_token ||
		    strcmp(res->add[i].name, "X-Amz-Security-Token"))
			all[n++] = res->add[i];

	if (buf_addf(&creq, "%s\n", req->method) ||
	    canonical_uri(req->path, p->normalize_path, &creq) ||
	    buf_add(&creq, "\n", 1)) {
		*err = xstrdup("the path is too long");
		goto out;
	}
	if (canonical_query(req->query, &creq, err))
		goto out;
	if (buf_add(&creq, "\n", 1) ||
	    canonical_headers(all, n, &creq, &names, err))
		goto out;
	if (buf_addf(&creq, "\n%s\n%s", names.data, res->payload_hash)) {
		*err = xstrdup("the canonical request is too long");
		goto out;
	}

	snprintf(scope, sizeof(scope), "%.8s/%s/%s/aws4_request",
		 res->amz_date, p->region, p->service);
	sigv4_sha256_hex(creq.data, creq.len, creq_hash);
	if (buf_addf(&sts, SIGV4_ALGORITHM "\n%s\n%s\n%s", res->amz_date,
		     scope, creq_hash)) {
		*err = xstrdup("the string to sign is too long");
		goto out;
	}
	signing_key(p, res->amz_date, key);
	sigv4_hmac_sha256(key, sizeof(key), sts.data, sts.len, sig);
	sigv4_hex(sig, sizeof(sig), res->signature);
	res->authorization = xasprintf(SIGV4_ALGORITHM " Credential=%s/%s, "
				       "SignedHeaders=%s, Signature=%s",
				       p->access_key, scope, names.data,
				       res->signature);
	res->canonical_request = buf_take(&creq);
	res->string_to_sign = buf_take(&sts);
	ret = 0;
out:
	explicit_bzero(key, sizeof(key));
	buf_release(&creq);
	buf_release(&sts);
	buf_release(&names);
	return ret;
}

void sigv4_result_release(struct sigv4_result *res)
{
	free(res->canonical_request);
	free(res->string_to_sign);
	free(res->authorization);
	memset(res, 0, sizeof(*res));
}
