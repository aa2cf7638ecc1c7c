/*
 * http.c: the libcurl wrapper for cloud APIs (see http.h): one attempt
 * per http_send(), capped bodies, CA trust from cloud/trust.h, and the
 * backoff with full jitter that callers retry with.
 */
#include "../icm.h"
#include "http.h"
#include "../crypto/rand.h"
#include "../util/str.h"
#include <curl/curl.h>
#include <pthread.h>

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

int64_t http_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int http_client_init(struct http_client *c, char **err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	memset(c, 0, sizeof(*c));
	*err = NULL;
	pthread_once(&once, curl_init_once);
	c->curl = curl_easy_init();
	if (!c->curl) {
		*err = xstrdup("cannot set up an HTTP client (libcurl)");
		return -1;
	}
	c->have_trust = trust_locate(&c->trust) == 0;
	return 0;
}

void http_client_release(struct http_client *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	memset(c, 0, sizeof(*c));
}

void http_response_init(struct http_response *r)
{
	r->status = 0;
	buf_init(&r->body, HTTP_CAP_BODY);
}

void http_response_release(struct http_response *r)
{
	buf_release(&r->body);
	r->status = 0;
}

struct sink {
	struct buf *b;
	bool over;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	if (buf_add(s->b, p, size * n)) {
		s->over = true;
		return 0;		/* stops the transfer */
	}
	return size * n;
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

static void set_trust(struct http_client *c, CURL *h)
{
	if (!c->have_trust)
		return;
	if (c->trust.source == TRUST_EMBEDDED) {
		struct curl_blob blob = {
			.data = (void *)c->trust.blob,
			.len = c->trust.blob_len,
			.flags = CURL_BLOB_NOCOPY,
		};

		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
	} else {
		curl_easy_setopt(h, CURLOPT_CAINFO, c->trust.file);
	}
}

int http_send(struct http_client *c, const struct http_request *req,
	      struct http_response *resp, bool *transient, char **err)
{
	CURL *h = c->curl;
	struct curl_slist *hdrs = NULL, *t;
	struct sink sink = { &resp->body, false };
	char *line;
	CURLcode rc;
	size_t i;
	int ret = -1;

	*err = NULL;
	*transient = false;
	resp->status = 0;
	buf_release(&resp->body);
	if (req->nheaders > HTTP_MAX_HEADERS) {
		*err = xstrdup("too many request headers");
		return -1;
	}
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
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	set_trust(c, h);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
			 HTTP_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ?
			 req->timeout_ms : HTTP_REQUEST_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "icm/" ICM_VERSION);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	if (req->body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)req->body_len);
	} else if (!strcmp(req->method, "HEAD")) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	}
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);

	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	if (sink.over) {
		*err = xasprintf("the answer from %s is larger than %u MiB",
				 req->url, HTTP_CAP_BODY >> 20);
		goto out;
	}
	if (rc != CURLE_OK) {
		*transient = transient_code(rc);
		*err = xasprintf("%s: %s", req->url, c->errbuf[0] ? c->errbuf :
				 curl_easy_strerror(rc));
		goto out;
	}
	ret = 0;
	goto out;
oom:
	*err = xstrdup("out of memory");
out:
	/* curl keeps the pointers until the next request: drop them */
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
	slist_wipe_free(hdrs);
	return ret;
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
	struct timespec ts;

	b->attempt++;
	if (b->attempt >= b->max_attempts)
		return -1;
	if (rand_bytes(&r, sizeof(r)))
		r = (uint32_t)http_now_ms();
	delay = http_backoff_delay(b, r);
	if (delay >= http_backoff_left(b))
		return -1;
	ts.tv_sec = delay / 1000;
	ts.tv_nsec = (delay % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	return 0;
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
