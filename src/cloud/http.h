/*
 * http.h: a small libcurl wrapper for cloud APIs (EC2, ELB, and the other
 * providers' REST APIs).
 *
 * - One struct http_client per thread (it holds one curl handle and its
 *   connection cache; curl handles are not shared between threads).
 * - TLS: peers are verified against the CA trust cloud/trust.h finds
 *   ($SSL_CERT_FILE, the system bundle, else the embedded bundle); http://
 *   is accepted too (local emulators; the callers decide when).
 * - Every answer's body is capped at HTTP_CAP_BODY; connection and
 *   request timeouts are bounded, and each request is also bounded by the
 *   caller's time budget.
 * - http_send() makes one attempt.  Retrying is the caller's loop (it must
 *   sign every attempt again), with struct http_backoff: exponential
 *   backoff with full jitter (a delay drawn uniformly from
 *   [0, min(cap, base * 2^attempt)]), a bounded number of attempts and a
 *   total time budget.  http_status_retryable() and the `transient` flag
 *   of http_send() say which failures are worth retrying.
 * Secrets: header values (Authorization, tokens) are wiped from the
 * memory this module allocated for them after each request; URLs must not
 * carry secrets (reasons quote them).
 */
#ifndef ICM_CLOUD_HTTP_H
#define ICM_CLOUD_HTTP_H

#include "../icm.h"
#include "../util/buf.h"
#include "trust.h"

#define HTTP_CAP_BODY (16u << 20)	/* an API answer (the XML reader's
					   input cap too) */
#define HTTP_CONNECT_TIMEOUT_MS 10000L
#define HTTP_REQUEST_TIMEOUT_MS 60000L	/* one attempt, answer included */
#define HTTP_BUDGET_MS 300000L		/* one call with all its retries */
#define HTTP_BACKOFF_BASE_MS 250L
#define HTTP_BACKOFF_CAP_MS 20000L
#define HTTP_MAX_ATTEMPTS 12
#define HTTP_MAX_HEADERS 32

struct http_header {
	const char *name;
	const char *value;
};

struct http_request {
	const char *method;		/* "GET", "POST", ... */
	const char *url;
	const struct http_header *headers;	/* sent as given */
	size_t nheaders;
	const void *body;		/* NULL: none */
	size_t body_len;
	long timeout_ms;		/* 0: HTTP_REQUEST_TIMEOUT_MS */
};

struct http_response {
	long status;			/* 0 when no answer came */
	struct buf body;		/* capped at HTTP_CAP_BODY */
};

struct http_client {
	void *curl;			/* CURL * */
	struct trust trust;
	bool have_trust;
	char errbuf[256];		/* curl's CURLOPT_ERRORBUFFER */
};

/* Sets up *c (one curl handle).  0, or -1 with a reason in *err. */
int http_client_init(struct http_client *c, char **err) WARN_UNUSED;
void http_client_release(struct http_client *c);

void http_response_init(struct http_response *r);
void http_response_release(struct http_response *r);

/*
 * One attempt.  Returns 0 when an HTTP answer arrived (whatever its
 * status; resp filled), or -1 with a reason in *err (caller frees) and
 * *transient true when trying again could help (connection refused or
 * reset, timeout, TLS handshake cut short, nothing received).  An answer
 * over HTTP_CAP_BODY is an error, not transient.
 */
int http_send(struct http_client *c, const struct http_request *req,
	      struct http_response *resp, bool *transient,
	      char **err) WARN_UNUSED;

/* 429 and every 5xx. */
bool http_status_retryable(long status);

/* Retry pacing for one call. */
struct http_backoff {
	int attempt;			/* attempts made so far */
	int max_attempts;
	int64_t deadline_ms;		/* http_now_ms() limit */
	long base_ms, cap_ms;
};

/* Monotonic milliseconds. */
int64_t http_now_ms(void);

/* attempt 0, HTTP_MAX_ATTEMPTS, the deadline budget_ms from now
 * (0: HTTP_BUDGET_MS), HTTP_BACKOFF_BASE_MS and _CAP_MS. */
void http_backoff_init(struct http_backoff *b, long budget_ms);

/* The delay before attempt number b->attempt + 1 for a random value r:
 * r mod (min(cap, base * 2^attempt) + 1) ms. */
long http_backoff_delay(const struct http_backoff *b, uint32_t r);

/* Milliseconds left in the budget (0 when spent). */
long http_backoff_left(const struct http_backoff *b);

/*
 * Counts the attempt just made; if another is allowed (attempts and time
 * left for the drawn delay), sleeps that delay and returns 0; otherwise
 * returns -1 at once.
 */
int http_backoff_wait(struct http_backoff *b);

/*
 * Splits an http:// or https:// URL for signing: *host the Host header's
 * value (host, plus ":port" when the URL names a port), *path (at least
 * "/"), both allocated.  0, or -1 with a reason in *err.
 */
int http_url_split(const char *url, char **host, char **path,
		   char **err) WARN_UNUSED;

#endif
