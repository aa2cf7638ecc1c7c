/*
 * http.c: icm's one libcurl wrapper (see http.h): one attempt per
 * http_perform()/http_send(), capped or streamed bodies, stall limits,
 * CA trust from cloud/trust.h or a client's own mutual TLS, raw
 * connections for an HTTP upgrade, and the backoff with full jitter that
 * callers retry with.
 */
#include "../icm.h"
#include "http.h"
#include "../util/sleep.h"
#include "../crypto/rand.h"
#include "../util/str.h"
#include <curl/curl.h>
#include <pthread.h>
#include <strings.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void http_global_init(void)
{
	pthread_once(&curl_once, curl_init_once);
}

int64_t http_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int http_client_init(struct http_client *c, char **err)
{
	return http_client_init_for(c, NULL, err);
}

int http_client_init_for(struct http_client *c, const struct http_endpoint *e,
			 char **err)
{
	char *pin;

	memset(c, 0, sizeof(*c));
	*err = NULL;
	http_global_init();
	c->curl = curl_easy_init();
	if (!c->curl) {
		*err = xstrdup("cannot set up an HTTP client (libcurl)");
		return -1;
	}
	c->connect_timeout_ms = e && e->connect_timeout_ms ?
				e->connect_timeout_ms : HTTP_CONNECT_TIMEOUT_MS;
	if (e && e->ca_file)
		c->ca_file = xstrdup(e->ca_file);
	else
		c->have_trust = trust_locate(&c->trust) == 0;
	if (!e)
		return 0;
	c->cert_file = e->cert_file ? xstrdup(e->cert_file) : NULL;
	c->key_file = e->key_file ? xstrdup(e->key_file) : NULL;
	c->https_only = e->https_only;
	c->no_proxy = e->no_proxy;
	c->insecure = e->insecure;
	if (e->pin_name && e->pin_ip) {
		pin = xasprintf(strchr(e->pin_ip, ':') ? "%s:%d:[%s]" :
				"%s:%d:%s", e->pin_name, e->pin_port,
				e->pin_ip);
		c->resolve = curl_slist_append(NULL, pin);
		free(pin);
		if (!c->resolve) {
			http_client_release(c);
			*err = xstrdup("cannot set up an HTTP client "
				       "(out of memory)");
			return -1;
		}
	}
	return 0;
}

void http_client_release(struct http_client *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->resolve);
	free(c->ca_file);
	free(c->cert_file);
	free(c->key_file);
	memset(c, 0, sizeof(*c));
}

void http_response_init(struct http_response *r)
{
	r->status = 0;
	r->captured[0] = '\0';
	buf_init(&r->body, HTTP_CAP_BODY);
}

void http_response_release(struct http_response *r)
{
	explicit_bzero(r->captured, sizeof(r->captured));
	buf_release(&r->body);
	r->status = 0;
}

/* One transfer's state, for the callbacks. */
struct xfer {
	CURL *h;
	const struct http_request *req;
	struct http_response *resp;
	int64_t moved_ms;		/* when a byte last moved */
	curl_off_t seen_ul, seen_dl;
};

/* The value of header line p (len bytes) if it is name's, else NULL;
 * *vl its length, blanks and the line end trimmed. */
static const char *header_value(const char *p, size_t len, const char *name,
				size_t *vl)
{
	size_t nl = strlen(name);
	const char *v;

	if (len <= nl || p[nl] != ':' || strncasecmp(p, name, nl))
		return NULL;
	v = p + nl + 1;
	*vl = len - nl - 1;
	while (*vl && (*v == ' ' || *v == '\t'))
		v++, (*vl)--;
	while (*vl && (v[*vl - 1] == '\r' || v[*vl - 1] == '\n' ||
		       v[*vl - 1] == ' '))
		(*vl)--;
	return v;
}

/* Keeps value v (vl bytes) in out (size n): "" when it does not fit. */
static void keep_value(char *out, size_t n, const char *v, size_t vl)
{
	explicit_bzero(out, n);
	if (vl < n)
		memcpy(out, v, vl);
}

/* An answer header: the request's capture and captures headers' values
 * are kept (see http.h); the others are not looked at. */
static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n, vl = 0, i;
	const char *v;

	if (x->req->capture &&
	    (v = header_value(p, len, x->req->capture, &vl)))
		keep_value(x->resp->captured, sizeof(x->resp->captured), v,
			   vl);
	for (i = 0; i < x->req->ncaptures; i++) {
		struct http_capture *cap = &x->req->captures[i];

		if ((v = header_value(p, len, cap->name, &vl)))
			keep_value(cap->value, sizeof(cap->value), v, vl);
	}
	return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;
	long status = 0;

	if (x->req->sink) {
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200 && status <= 299) {
			if (!x->req->sink(x->req->sink_arg, p, len))
				return len;
			x->resp->stopped = HTTP_STOP_SINK;
			return 0;	/* stops the transfer */
		}
	}
	if (buf_add(&x->resp->body, p, len)) {
		x->resp->stopped = HTTP_STOP_OVER;
		return 0;
	}
	return len;
}

/* Long transfers: stopped when nothing moves for too long. */
static int on_xfer(void *arg, curl_off_t dltotal, curl_off_t dlnow,
		   curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = arg;
	int64_t now = http_now_ms();
	bool waiting = ultotal > 0 && ulnow >= ultotal && dlnow == 0;

	if (dlnow != x->seen_dl || ulnow != x->seen_ul) {
		x->seen_dl = dlnow;
		x->seen_ul = ulnow;
		x->moved_ms = now;
		return 0;
	}
	if (now - x->moved_ms <= (waiting ? x->req->wait_after_upload_ms
					  : x->req->stall_ms))
		return 0;
	x->resp->stopped = waiting ? HTTP_STOP_WAIT : HTTP_STOP_STALL;
	x->resp->idle_ms = (long)(now - x->moved_ms);
	return 1;
}

static size_t on_upload(char *p, size_t size, size_t n, void *arg)
{
	FILE *f = arg;
	size_t got = fread(p, 1, size * n, f);

	if (got == 0 && ferror(f))
		return CURL_READFUNC_ABORT;
	return got;
}

static void slist_wipe_free(struct curl_slist *l)
{
	struct curl_slist *p;

	for (p = l; p; p = p->next)
		explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

static bool transient_code(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

/* The options every handle of the client carries: TLS, the pin, the
 * connect timeout, no signals. */
static void setup_handle(struct http_client *c, CURL *h)
{
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, c->https_only ? "https" :
			 "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->insecure ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->insecure ? 0L : 2L);
	if (c->ca_file) {
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	} else if (c->have_trust && c->trust.source == TRUST_EMBEDDED) {
		struct curl_blob blob = {
			.data = (void *)c->trust.blob,
			.len = c->trust.blob_len,
			.flags = CURL_BLOB_NOCOPY,
		};

		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
	} else if (c->have_trust) {
		curl_easy_setopt(h, CURLOPT_CAINFO, c->trust.file);
	}
	if (c->cert_file)
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->cert_file);
	if (c->key_file)
		curl_easy_setopt(h, CURLOPT_SSLKEY, c->key_file);
	if (c->resolve)
		curl_easy_setopt(h, CURLOPT_RESOLVE, c->resolve);
	if (c->no_proxy)
		curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "icm/" ICM_VERSION);
}

/* The request's timeouts (see http.h). */
static void set_limits(CURL *h, const struct http_request *req,
		       struct xfer *x)
{
	if (req->timeout_ms >= 0) {
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ?
				 req->timeout_ms : HTTP_REQUEST_TIMEOUT_MS);
		return;
	}
	x->moved_ms = http_now_ms();
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_xfer);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
}

/* The request's body: in memory, streamed from a file, or none. */
static void set_body(CURL *h, const struct http_request *req)
{
	if (req->upload) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_upload);
		curl_easy_setopt(h, CURLOPT_READDATA, req->upload);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
				 (curl_off_t)req->upload_len);
	} else if (req->body || !strcmp(req->method, "POST")) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(req->body ? req->body_len : 0));
		curl_easy_setopt(h, CURLOPT_POSTFIELDS,
				 req->body ? req->body : "");
	} else if (!strcmp(req->method, "HEAD")) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	}
}

int http_perform(struct http_client *c, const struct http_request *req,
		 struct http_response *resp)
{
	CURL *h = c->curl;
	struct curl_slist *hdrs = NULL, *t;
	struct xfer x = { .h = h, .req = req, .resp = resp };
	char *line;
	CURLcode rc;
	size_t i;
	int ret = -1;

	resp->status = 0;
	resp->stopped = HTTP_STOP_NONE;
	resp->idle_ms = 0;
	resp->transient = false;
	resp->reason[0] = '\0';
	if (req->nheaders > HTTP_MAX_HEADERS ||
	    req->ncaptures > HTTP_MAX_CAPTURES) {
		snprintf(resp->reason, sizeof(resp->reason),
			 "too many request headers or captures");
		return -1;
	}
	for (i = 0; i < req->ncaptures; i++)
		req->captures[i].value[0] = '\0';
	for (i = 0; i < req->nheaders; i++) {
		line = xasprintf("%s: %s", req->headers[i].name,
				 req->headers[i].value);
		t = curl_slist_append(hdrs, line);
		freezero_str(line);
		if (!t)
			goto oom;
		hdrs = t;
	}
	/* no "Expect: 100-continue" round trip on POST bodies */
	t = curl_slist_append(hdrs, "Expect:");
	if (!t)
		goto oom;
	hdrs = t;

	curl_easy_reset(h);
	c->errbuf[0] = '\0';
	setup_handle(c, h);
	curl_easy_setopt(h, CURLOPT_URL, req->url);
	set_limits(h, req, &x);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	set_body(h, req);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	if (req->capture || req->ncaptures) {
		curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
	}

	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	if (resp->stopped != HTTP_STOP_NONE)
		goto out;
	if (rc != CURLE_OK) {
		resp->transient = transient_code(rc);
		snprintf(resp->reason, sizeof(resp->reason), "%s",
			 c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
		goto out;
	}
	ret = 0;
	goto out;
oom:
	snprintf(resp->reason, sizeof(resp->reason), "out of memory");
out:
	/* curl keeps the pointers until the next request: drop them */
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, NULL);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, NULL);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, NULL);
	curl_easy_setopt(h, CURLOPT_READDATA, NULL);
	slist_wipe_free(hdrs);
	return ret;
}

int http_send(struct http_client *c, const struct http_request *req,
	      struct http_response *resp, bool *transient, char **err)
{
	*err = NULL;
	*transient = false;
	buf_release(&resp->body);
	if (http_perform(c, req, resp) == 0)
		return 0;
	*transient = resp->transient;
	if (resp->stopped == HTTP_STOP_OVER)
		*err = xasprintf("the answer from %s is larger than %u MiB",
				 req->url, HTTP_CAP_BODY >> 20);
	else if (resp->stopped != HTTP_STOP_NONE)
		*err = xasprintf("%s: the transfer was stopped", req->url);
	else
		*err = xasprintf("%s: %s", req->url, resp->reason);
	return -1;
}

int http_conn_open(struct http_client *c, const char *url,
		   struct http_conn *conn, char *reason)
{
	curl_socket_t fd = CURL_SOCKET_BAD;
	CURLcode rc;

	conn->fd = -1;
	reason[0] = '\0';
	conn->curl = curl_easy_init();
	if (!conn->curl) {
		snprintf(reason, 256, "cannot set up libcurl");
		return -1;
	}
	setup_handle(c, conn->curl);
	curl_easy_setopt(conn->curl, CURLOPT_URL, url);
	curl_easy_setopt(conn->curl, CURLOPT_CONNECT_ONLY, 1L);
	c->errbuf[0] = '\0';
	rc = curl_easy_perform(conn->curl);
	if (rc != CURLE_OK) {
		snprintf(reason, 256, "%s", c->errbuf[0] ? c->errbuf :
			 curl_easy_strerror(rc));
		goto fail;
	}
	if (curl_easy_getinfo(conn->curl, CURLINFO_ACTIVESOCKET, &fd) !=
	    CURLE_OK || fd == CURL_SOCKET_BAD) {
		snprintf(reason, 256, "libcurl has no socket for the "
			 "connection");
		goto fail;
	}
	conn->fd = (int)fd;
	return 0;
fail:
	http_conn_close(conn);
	return -1;
}

void http_conn_close(struct http_conn *conn)
{
	if (conn->curl)
		curl_easy_cleanup(conn->curl);
	conn->curl = NULL;
	conn->fd = -1;
}

static enum http_io io_result(CURLcode rc, const char **why)
{
	*why = curl_easy_strerror(rc);
	switch (rc) {
	case CURLE_OK:
		return HTTP_IO_OK;
	case CURLE_AGAIN:
		return HTTP_IO_AGAIN;
	case CURLE_RECV_ERROR:
	case CURLE_READ_ERROR:
		return HTTP_IO_DROPPED;
	case CURLE_SEND_ERROR:
		return HTTP_IO_SEND_FAILED;
	default:
		return HTTP_IO_FAILED;
	}
}

enum http_io http_conn_send(struct http_conn *conn, const void *p,
			    size_t len, size_t *n, const char **why)
{
	*n = 0;
	return io_result(curl_easy_send(conn->curl, p, len, n), why);
}

enum http_io http_conn_recv(struct http_conn *conn, void *p, size_t size,
			    size_t *n, const char **why)
{
	*n = 0;
	return io_result(curl_easy_recv(conn->curl, p, size, n), why);
}

bool http_status_retryable(long status)
{
	return status == 429 || (status >= 500 && status <= 599);
}

void http_backoff_init(struct http_backoff *b, long budget_ms)
{
	b->attempt = 0;
	b->max_attempts = HTTP_MAX_ATTEMPTS;
	b->deadline_ms = http_now_ms() + (budget_ms > 0 ? budget_ms :
					  HTTP_BUDGET_MS);
	b->base_ms = HTTP_BACKOFF_BASE_MS;
	b->cap_ms = HTTP_BACKOFF_CAP_MS;
}

long http_backoff_delay(const struct http_backoff *b, uint32_t r)
{
	long ceiling = b->base_ms;
	int i;

	for (i = 0; i < b->attempt && ceiling < b->cap_ms; i++)
		ceiling *= 2;
	if (ceiling > b->cap_ms)
		ceiling = b->cap_ms;
	return (long)(r % ((uint32_t)ceiling + 1));
}

long http_backoff_left(const struct http_backoff *b)
{
	int64_t left = b->deadline_ms - http_now_ms();

	return left > 0 ? (long)left : 0;
}

int http_backoff_wait(struct http_backoff *b)
{
	uint32_t r = 0;
	long delay;

	b->attempt++;
	if (b->attempt >= b->max_attempts)
		return -1;
	if (rand_bytes(&r, sizeof(r)))
		r = (uint32_t)http_now_ms();
	delay = http_backoff_delay(b, r);
	if (delay >= http_backoff_left(b))
		return -1;
	http_sleep_ms(delay);
	return 0;
}

void http_sleep_ms(long ms)
{
	sleep_ms(ms);
}

int http_url_split(const char *url, char **host, char **path, char **err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *h = NULL, *port = NULL, *p = NULL;
	int ret = -1;

	*host = *path = *err = NULL;
	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) ||
	    (strcmp(scheme, "http") && strcmp(scheme, "https"))) {
		*err = xasprintf("'%s' is not an http:// or https:// URL",
				 url);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, 0))
		port = NULL;
	if (curl_url_get(u, CURLUPART_PATH, &p, 0) || !p || !*p)
		*path = xstrdup("/");
	else
		*path = xstrdup(p);
	if (port && strcmp(port, strcmp(scheme, "https") ? "80" : "443"))
		*host = xasprintf("%s:%s", h, port);
	else
		*host = xstrdup(h);
	ret = 0;
out:
	curl_free(scheme);
	curl_free(h);
	curl_free(port);
	curl_free(p);
	curl_url_cleanup(u);
	return ret;
}
