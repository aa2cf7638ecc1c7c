/*
 * s3.c: the S3 client (see s3.h): names checked, URLs built, requests
 * signed and sent with retries, answers' headers and errors read, and the
 * ListObjectsV2 pages walked.
 */
#include "../icm.h"
#include "s3_int.h"
#include "sigv4.h"
#include "xml.h"
#include "../util/report.h"
#include "../util/str.h"

#define S3_CAP_TEXT (16u << 10)		/* a URL, a path, a query */
#define S3_DEFAULT_REGION "us-east-1"
#define S3_CONTENT_TYPE "application/octet-stream"

/* ---- names ------------------------------------------------------------- */

static bool lower_or_digit(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int s3_check_bucket(const char *name, char **err)
{
	size_t i, n = name ? strlen(name) : 0;

	*err = NULL;
	if (n < 3 || n > 63)
		goto bad;
	for (i = 0; i < n; i++)
		if (!lower_or_digit(name[i]) && name[i] != '-' &&
		    (name[i] != '.' || name[i + 1] == '.'))
			goto bad;
	if (!lower_or_digit(name[0]) || !lower_or_digit(name[n - 1]))
		goto bad;
	return 0;
bad:
	*err = xasprintf("'%.80s' is not an S3 bucket name (3 to 63 "
			 "lower-case letters, digits, '.' and '-', starting "
			 "and ending with a letter or digit)",
			 name ? name : "");
	for (i = 0; (*err)[i]; i++)	/* a quoted name stays one line */
		if (str_is_control((unsigned char)(*err)[i]))
			(*err)[i] = '?';
	return -1;
}

/* A "." or ".." segment: libcurl removes them from the request line, so
 * what is signed would not be what is sent. */
static bool dot_segment(const char *key)
{
	const char *p = key, *end;
	size_t n;

	for (;;) {
		end = strchr(p, '/');
		n = end ? (size_t)(end - p) : strlen(p);
		if ((n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return true;
		if (!end)
			return false;
		p = end + 1;
	}
}

int s3_check_key(const char *key, char **err)
{
	size_t i, n = key ? strlen(key) : 0;

	*err = NULL;
	if (!n) {
		*err = xstrdup("an S3 key cannot be empty");
		return -1;
	}
	if (n > S3_KEY_MAX) {
		*err = xasprintf("an S3 key is at most %d bytes (this one has "
				 "%zu)", S3_KEY_MAX, n);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (str_is_control((unsigned char)key[i])) {
			*err = xasprintf("the S3 key '%.*s...' has a control "
					 "character", (int)(i < 80 ? i : 80),
					 key);
			return -1;
		}
	if (dot_segment(key)) {
		*err = xasprintf("the S3 key '%.200s' has a '.' or '..' path "
				 "segment", key);
		return -1;
	}
	return 0;
}

static bool region_ok(const char *r)
{
	size_t n = strlen(r);

	if (!n || n > 32)
		return false;
	for (; *r; r++)
		if (!lower_or_digit(*r) && *r != '-')
			return false;
	return true;
}

/* ---- set-up -------------------------------------------------------------- */

int s3_setup(struct s3 *s, const struct s3_config *cfg, char **err)
{
	const char *region = cfg->region ? cfg->region : S3_DEFAULT_REGION;
	char *endpoint = NULL, *host = NULL, *path = NULL;
	bool https, path_style = cfg->path_style;
	int ret = -1;

	memset(s, 0, sizeof(*s));
	*err = NULL;
	if (s3_check_bucket(cfg->bucket, err))
		goto out;
	if (!region_ok(region)) {
		*err = xasprintf("'%.64s' is not an AWS region (like "
				 "us-east-1)", region);
		goto out;
	}
	if (!cfg->creds || !cfg->creds->access_key ||
	    !cfg->creds->secret_key) {
		*err = xstrdup("no AWS credentials loaded for S3");
		goto out;
	}
	endpoint = cfg->endpoint ? xstrdup(cfg->endpoint) :
		xasprintf("https://s3.%s.amazonaws.com", region);
	if (strchr(endpoint, '@')) {	/* a password is never quoted */
		*err = xstrdup("the S3 endpoint must not hold a user name or "
			       "password");
		goto out;
	}
	if (strlen(endpoint) > 512 || strpbrk(endpoint, "?# ") ||
	    http_url_split(endpoint, &host, &path, err) ||
	    strcmp(path, "/")) {
		free(*err);
		*err = xasprintf("the S3 endpoint '%.512s' is not "
				 "http(s)://HOST[:PORT]", endpoint);
		goto out;
	}
	https = str_starts(endpoint, "https://");
	/* a dotted bucket's virtual host name matches no *.host
	 * certificate */
	if (strchr(cfg->bucket, '.'))
		path_style = true;
	s->bucket = xstrdup(cfg->bucket);
	s->region = xstrdup(region);
	s->creds = cfg->creds;
	if (path_style) {
		s->host = xstrdup(host);
		s->base = xasprintf("/%s", cfg->bucket);
	} else {
		s->host = xasprintf("%s.%s", cfg->bucket, host);
		s->base = xstrdup("");
	}
	s->origin = xasprintf("%s://%s", https ? "https" : "http", s->host);
	ret = 0;
out:
	free(endpoint);
	free(host);
	free(path);
	if (ret)
		s3_release(s);
	return ret;
}

void s3_release(struct s3 *s)
{
	if (s->have_http)
		http_client_release(&s->http);
	free(s->bucket);
	free(s->region);
	free(s->origin);
	free(s->host);
	free(s->base);
	memset(s, 0, sizeof(*s));
}

int s3_open(const struct s3_config *cfg, struct s3 **out, char **err)
{
	struct s3 *s = xcalloc(1, sizeof(*s));

	*out = NULL;
	if (s3_setup(s, cfg, err))
		goto fail;
	if (http_client_init_for(&s->http, NULL, err))
		goto fail;
	s->have_http = true;
	*out = s;
	return 0;
fail:
	s3_release(s);
	free(s);
	return -1;
}

void s3_close(struct s3 *s)
{
	if (!s)
		return;
	s3_release(s);
	free(s);
}

int s3_target(const struct s3 *s, const char *key, const char *query,
	      char **path, char **url)
{
	struct buf b;
	char *enc;

	*path = *url = NULL;
	buf_init(&b, S3_CAP_TEXT);
	/* the bucket's name needs no encoding; a key does */
	if (buf_adds(&b, s->base) || buf_adds(&b, "/") ||
	    (key && sigv4_uri_encode(&b, key, strlen(key), true)))
		return -1;
	/* path-style's bucket itself: "/bucket", as the SDKs send it */
	if (!key && *s->base)
		b.data[--b.len] = '\0';
	enc = buf_take(&b);
	*path = key ? xasprintf("%s/%s", s->base, key) : xstrdup(enc);
	*url = xasprintf("%s%s%s%s", s->origin, enc, query ? "?" : "",
			 query ? query : "");
	free(enc);
	return 0;
}

/* ---- answers ------------------------------------------------------------- */

time_t s3_http_date(const char *v)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = v && *v ? strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm) : NULL;
	return end && !*end ? timegm(&tm) : 0;
}

/* n bytes of s, control characters as '?', at most max. */
static char *one_line(const char *s, size_t n, size_t max)
{
	char *r = xstrndup(s, n < max ? n : max), *p;

	for (p = r; *p; p++)
		if (str_is_control((unsigned char)*p))
			*p = '?';
	return r;
}

char *s3_error_text(const struct s3 *s, const char *op, const char *key,
		    long status, const char *body, size_t len, char **code)
{
	struct xml_node *root = NULL;
	const char *c = NULL, *m = NULL, *src;
	char *cs = NULL, *ms = NULL, *what, *r;
	size_t n = 0;

	if (code)
		*code = NULL;
	if (len && !xml_parse(body, len, &root, NULL) &&
	    !strcmp(root->name, "Error")) {
		c = xml_text(xml_child(root, "Code"));
		m = xml_text(xml_child(root, "Message"));
	}
	what = xasprintf("S3 %s s3://%s/%s", op, s->bucket, key ? key : "");
	src = s->creds && s->creds->source ? s->creds->source :
		"where they were loaded from";
	if (c && *c) {
		cs = one_line(c, strlen(c), 64);
		ms = one_line(m ? m : "", m ? strlen(m) : 0, S3_MSG_MAX);
		if (code)
			*code = xstrdup(cs);
	}
	if (!cs) {
		while (n < len && n < 200 && body[n] != '\n' && body[n] != '\r')
			n++;
		ms = one_line(body, n, 200);
		r = n ? xasprintf("%s: HTTP %ld: %s", what, status, ms) :
			xasprintf("%s: HTTP %ld", what, status);
	} else if (!strcmp(cs, "NoSuchBucket")) {
		r = xasprintf("%s: the bucket %s does not exist (icm does not "
			      "create it)", what, s->bucket);
	} else if (!strcmp(cs, "AccessDenied")) {
		r = xasprintf("%s: access denied: the credentials from %s "
			      "lack a permission on bucket %s (%s: %s, HTTP "
			      "%ld)", what, src, s->bucket, cs, ms, status);
	} else if (!strcmp(cs, "InvalidAccessKeyId") ||
		   !strcmp(cs, "SignatureDoesNotMatch")) {
		r = xasprintf("%s: the credentials from %s were refused "
			      "(%s: %s, HTTP %ld)", what, src, cs, ms, status);
	} else if (!strcmp(cs, "RequestTimeTooSkewed")) {
		r = xasprintf("%s: this machine's clock is too far from the "
			      "server's; set it right (NTP) (%s: %s, HTTP "
			      "%ld)", what, cs, ms, status);
	} else {
		r = xasprintf("%s: %s: %s (HTTP %ld)", what, cs, ms, status);
	}
	free(what);
	free(cs);
	free(ms);
	xml_free(root);
	return r;
}

/* ---- requests ------------------------------------------------------------ */

enum { CAP_ETAG, CAP_LAST_MODIFIED, CAP_DATE, CAP_LENGTH, CAP_N };

/* A GET's body into the caller's buf; over its cap stops the transfer. */
struct sink {
	struct buf *out;
	bool over;
};

static int to_out(void *arg, const char *data, size_t len)
{
	struct sink *k = arg;

	if (buf_add(k->out, data, len)) {
		k->over = true;
		return -1;
	}
	return 0;
}

int s3_sign(const struct s3 *s, const struct s3_req *r, const char *path,
	    time_t when, struct sigv4_result *sig, struct http_header *hdrs,
	    size_t *nhdrs, char **err)
{
	struct sigv4_header h[4];
	struct sigv4_request q = {
		.method = r->method, .path = path, .query = r->query,
		.headers = h, .body = r->body, .body_len = r->len,
	};
	struct sigv4_params p = {
		.access_key = s->creds->access_key,
		.secret_key = s->creds->secret_key,
		.session_token = s->creds->session_token,
		.region = s->region, .service = "s3", .when = when,
		.normalize_path = false, .sign_body = true,
	};
	size_t i;

	h[q.nheaders++] = (struct sigv4_header){ "Host", s->host };
	if (r->body)
		h[q.nheaders++] = (struct sigv4_header){ "Content-Type",
							 S3_CONTENT_TYPE };
	if (r->if_match)
		h[q.nheaders++] = (struct sigv4_header){ "If-Match",
							 r->if_match };
	if (r->if_none_match)
		h[q.nheaders++] = (struct sigv4_header){ "If-None-Match",
							 "*" };
	if (sigv4_sign(&q, &p, sig, err))
		return -1;
	*nhdrs = 0;
	for (i = 0; i < q.nheaders; i++)
		hdrs[(*nhdrs)++] = (struct http_header){ h[i].name,
							 h[i].value };
	for (i = 0; i < sig->nadd; i++)
		hdrs[(*nhdrs)++] = (struct http_header){ sig->add[i].name,
							 sig->add[i].value };
	hdrs[(*nhdrs)++] = (struct http_header){ "Authorization",
						 sig->authorization };
	return 0;
}

/* Codes worth another attempt whatever their status. */
static bool code_retryable(const char *code)
{
	static const char *const codes[] = {
		"SlowDown", "ConditionalRequestConflict", "RequestTimeout",
		"InternalError", "ServiceUnavailable",
	};
	size_t i;

	for (i = 0; code && i < ARRAY_SIZE(codes); i++)
		if (!strcmp(code, codes[i]))
			return true;
	return false;
}

/* The answer's headers into r->info. */
static int read_info(const struct s3 *s, const struct s3_req *r,
		     const struct http_capture *cap, char **err)
{
	struct s3_info *i = r->info;
	long long n;

	if (!i)
		return 0;
	memset(i, 0, sizeof(*i));
	if (strlen(cap[CAP_ETAG].value) >= sizeof(i->etag)) {
		*err = xasprintf("S3 %s s3://%s/%s: the answer's ETag is "
				 "longer than %d bytes", r->op, s->bucket,
				 r->shown, S3_ETAG_MAX - 1);
		return -1;
	}
	strlcpy_icm(i->etag, cap[CAP_ETAG].value, sizeof(i->etag));
	i->last_modified = s3_http_date(cap[CAP_LAST_MODIFIED].value);
	i->server_date = s3_http_date(cap[CAP_DATE].value);
	if (r->out)
		i->size = (int64_t)r->out->len;
	else if (r->body)
		i->size = (int64_t)r->len;
	else if (*cap[CAP_LENGTH].value &&
		 sscanf(cap[CAP_LENGTH].value, "%lld", &n) == 1 && n >= 0)
		i->size = n;
	return 0;
}

/*
 * One attempt.  0 with resp->status what S3 said (2xx: info read), or -1
 * with *why (allocated) and *retry.  *code: the error's <Code>.
 */
static int attempt(struct s3 *s, const struct s3_req *r, const char *path,
		   const char *url, long timeout_ms,
		   struct http_response *resp, char **code, char **why,
		   bool *retry)
{
	struct http_header hdrs[S3_MAX_HEADERS];
	struct http_capture cap[CAP_N] = {
		[CAP_ETAG] = { .name = "ETag" },
		[CAP_LAST_MODIFIED] = { .name = "Last-Modified" },
		[CAP_DATE] = { .name = "Date" },
		[CAP_LENGTH] = { .name = "Content-Length" },
	};
	struct sink k = { .out = r->out };
	struct sigv4_result sig;
	struct http_request req = {
		.method = r->method, .url = url, .headers = hdrs,
		.body = r->body, .body_len = r->len, .timeout_ms = timeout_ms,
		.captures = cap, .ncaptures = CAP_N,
		.sink = r->out ? to_out : NULL, .sink_arg = &k,
	};
	char *e = NULL;
	int ret = -1;

	*retry = false;
	if (r->out)
		buf_wipe(r->out);	/* a retry starts again */
	if (s3_sign(s, r, path, time(NULL), &sig, hdrs, &req.nheaders,
		    &e)) {
		*why = xasprintf("S3 %s s3://%s/%s: %s", r->op, s->bucket,
				 r->shown, e);
		goto out;
	}
	if (http_send(&s->http, &req, resp, retry, &e)) {
		if (k.over)
			*why = xasprintf("S3 %s s3://%s/%s: the object is "
					 "larger than %zu bytes", r->op,
					 s->bucket, r->shown, r->out->cap);
		else
			*why = xasprintf("S3 %s s3://%s/%s: %s", r->op,
					 s->bucket, r->shown, e);
		goto out;
	}
	if (resp->status >= 200 && resp->status <= 299) {
		ret = read_info(s, r, cap, why);
		goto out;
	}
	*why = s3_error_text(s, r->op, r->shown, resp->status,
			     resp->body.data, resp->body.len, code);
	*retry = http_status_retryable(resp->status) || code_retryable(*code);
	ret = 0;
	if (*retry)
		ret = -1;
out:
	free(e);
	sigv4_result_release(&sig);
	return ret;
}

/*
 * r sent until an answer that is not worth retrying: S3_OK (2xx: resp
 * holds it), S3_NOT_FOUND (404 but a missing bucket), S3_PRECONDITION
 * (412), or -1 with *err.
 */
static int s3_call(struct s3 *s, const struct s3_req *r,
		   struct http_response *resp, char **err)
{
	struct http_backoff bo;
	char *path = NULL, *url = NULL, *why = NULL, *code = NULL;
	long left;
	int n = 0, ret = -1;
	bool retry;

	*err = NULL;
	if (r->key && s3_check_key(r->key, err))
		return -1;
	/* an ETag goes on a header line as given */
	if (r->if_match && (!*r->if_match ||
			    strlen(r->if_match) >= S3_ETAG_MAX ||
			    strpbrk(r->if_match, "\r\n"))) {
		*err = xasprintf("S3 %s s3://%s/%s: If-Match needs an ETag as "
				 "S3 gave it", r->op, s->bucket, r->shown);
		return -1;
	}
	if (s3_target(s, r->key, r->query, &path, &url)) {
		*err = xasprintf("S3 %s s3://%s/%.200s...: the request is too "
				 "long", r->op, s->bucket, r->shown);
		return -1;
	}
	http_backoff_init(&bo, 0);
	for (;;) {
		left = http_backoff_left(&bo);
		if (left > HTTP_REQUEST_TIMEOUT_MS)
			left = HTTP_REQUEST_TIMEOUT_MS;
		free(why);
		free(code);
		why = code = NULL;
		n++;
		if (!attempt(s, r, path, url, left > 1000 ? left : 1000, resp,
			     &code, &why, &retry))
			break;
		if (!retry)
			goto fail;
		debug("S3 attempt %d failed: %s", n, why);
		if (http_backoff_wait(&bo)) {
			*err = xasprintf("%s (still failing after %d "
					 "attempts)", why, n);
			goto out;
		}
	}
	if (resp->status >= 200 && resp->status <= 299)
		ret = S3_OK;
	else if (resp->status == 412)
		ret = S3_PRECONDITION;
	else if (resp->status == 404 &&
		 (!code || !strcmp(code, "NoSuchKey")))
		ret = S3_NOT_FOUND;
	else
		goto fail;
	goto out;
fail:
	*err = why;
	why = NULL;
out:
	if (ret != S3_OK && r->out)
		buf_wipe(r->out);
	free(path);
	free(url);
	free(why);
	free(code);
	return ret;
}

/* s3_call() with a response of its own. */
static int call(struct s3 *s, const struct s3_req *r, char **err)
{
	struct http_response resp;
	int ret;

	http_response_init(&resp);
	ret = s3_call(s, r, &resp, err);
	http_response_release(&resp);
	return ret;
}

int s3_get(struct s3 *s, const char *key, struct buf *out,
	   struct s3_info *info, char **err)
{
	struct s3_req r = {
		.op = "GET", .method = "GET", .key = key, .shown = key,
		.out = out, .info = info,
	};

	return call(s, &r, err);
}

int s3_head(struct s3 *s, const char *key, struct s3_info *info, char **err)
{
	struct s3_req r = {
		.op = "HEAD", .method = "HEAD", .key = key, .shown = key,
		.info = info,
	};

	return call(s, &r, err);
}

int s3_put(struct s3 *s, const char *key, const void *data, size_t len,
	   const char *if_match, bool if_none_match, struct s3_info *info,
	   char **err)
{
	struct s3_req r = {
		.op = "PUT", .method = "PUT", .key = key, .shown = key,
		.body = data ? data : "", .len = len, .if_match = if_match,
		.if_none_match = if_none_match, .info = info,
	};

	return call(s, &r, err);
}

int s3_delete(struct s3 *s, const char *key, const char *if_match,
	      char **err)
{
	struct s3_req r = {
		.op = "DELETE", .method = "DELETE", .key = key, .shown = key,
		.if_match = if_match,
	};
	int ret;

	ret = call(s, &r, err);
	return ret == S3_NOT_FOUND ? S3_OK : ret;
}

/* ---- listings ------------------------------------------------------------ */

int s3_list_page(const char *xml, size_t len, s3_list_fn fn, void *arg,
		 size_t *n, char **next, char **err)
{
	struct xml_node *root = NULL;
	const struct xml_node *c;
	const char *key, *etag, *size, *t;
	long long v;
	char *perr = NULL, end;
	int ret = -1;

	*next = *err = NULL;
	if (xml_parse(xml ? xml : "", len, &root, &perr)) {
		*err = xasprintf("the listing is not XML: %s", perr);
		goto out;
	}
	if (strcmp(root->name, "ListBucketResult")) {
		*err = xasprintf("the listing is a <%s>, not a "
				 "<ListBucketResult>", root->name);
		goto out;
	}
	for (c = xml_child(root, "Contents"); c; c = xml_next_same(c)) {
		key = xml_text(xml_child(c, "Key"));
		etag = xml_text(xml_child(c, "ETag"));
		size = xml_text(xml_child(c, "Size"));
		if (!key || !*key || strlen(key) > S3_KEY_MAX || !size ||
		    sscanf(size, "%lld%c", &v, &end) != 1 || v < 0) {
			*err = xstrdup("the listing has an object without a "
				       "usable Key or Size");
			goto out;
		}
		if (++*n > S3_LIST_CAP) {
			*err = xasprintf("more than %d objects", S3_LIST_CAP);
			goto out;
		}
		if (fn(arg, key, etag ? etag : "", (int64_t)v)) {
			ret = 1;
			goto out;
		}
	}
	t = xml_text(xml_child(root, "IsTruncated"));
	if (t && !strcmp(t, "true")) {
		t = xml_text(xml_child(root, "NextContinuationToken"));
		if (!t || !*t || strlen(t) > S3_CAP_TEXT / 4) {
			*err = xstrdup("a truncated listing without a usable "
				       "NextContinuationToken");
			goto out;
		}
		*next = xstrdup(t);
	}
	ret = 0;
out:
	free(perr);
	xml_free(root);
	return ret;
}

/* "name=value" (value encoded) appended to the query q. */
static int query_add(struct buf *q, const char *name, const char *value)
{
	return buf_addf(q, "%s%s=", q->len ? "&" : "", name) ||
	       sigv4_uri_encode(q, value, strlen(value), false);
}

int s3_list(struct s3 *s, const char *prefix, s3_list_fn fn, void *arg,
	    char **err)
{
	struct http_response resp;
	struct s3_req r = { .op = "LIST", .method = "GET" };
	struct buf q;
	char *token = NULL, *next = NULL, *why = NULL;
	size_t n = 0;
	long page;
	int rc, ret = -1;

	*err = NULL;
	prefix = prefix ? prefix : "";
	r.shown = prefix;
	if (*prefix && s3_check_key(prefix, err))
		return -1;
	http_response_init(&resp);
	for (page = 0; page < S3_MAX_PAGES; page++) {
		buf_init(&q, S3_CAP_TEXT);
		if (query_add(&q, "list-type", "2") ||
		    (*prefix && query_add(&q, "prefix", prefix)) ||
		    (token && query_add(&q, "continuation-token", token))) {
			*err = xasprintf("S3 LIST s3://%s/%s: the request is "
					 "too long", s->bucket, prefix);
			goto out;
		}
		r.query = q.data;
		rc = s3_call(s, &r, &resp, err);
		buf_release(&q);
		if (rc > 0)		/* 404 without a code, 412 */
			*err = s3_error_text(s, "LIST", prefix, resp.status,
					     NULL, 0, NULL);
		if (rc)
			goto out;
		rc = s3_list_page(resp.body.data, resp.body.len, fn, arg, &n,
				  &next, &why);
		if (rc)
			goto out;
		if (!next) {
			ret = 0;
			goto out;
		}
		if (token && !strcmp(token, next)) {
			why = xstrdup("the same continuation token came "
				      "twice");
			goto out;
		}
		free(token);
		token = next;
		next = NULL;
	}
	why = xasprintf("more than %d pages", S3_MAX_PAGES);
out:
	if (why)
		*err = xasprintf("S3 LIST s3://%s/%s: %s", s->bucket, prefix,
				 why);
	free(why);
	free(token);
	free(next);
	http_response_release(&resp);
	return ret;
}
