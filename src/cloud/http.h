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
#include <stdio.h>

#define HTTP_CAP_BODY (16u << 20)	/* an API answer (the XML reader's
					   input cap too) */
#define HTTP_CONNECT_TIMEOUT_MS 10000L
#define HTTP_REQUEST_TIMEOUT_MS 60000L	/* one attempt, answer included */
#define HTTP_BUDGET_MS 300000L		/* one call with all its retries */
#define HTTP_BACKOFF_BASE_MS 250L
#define HTTP_BACKOFF_CAP_MS 20000L
#define HTTP_MAX_ATTEMPTS 12
#define HTTP_MAX_HEADERS 32
#define HTTP_CAPTURE_MAX 1024	/* a captured answer header's value */
#define HTTP_MAX_CAPTURES 8	/* a request's captures */

struct http_header {
	const char *name;
	const char *value;
};

/* An answer header to keep (struct http_request's captures): the last
 * value of name (case-insensitive) goes to value, "" when none came or it
 * did not fit. */
struct http_capture {
	const char *name;
	char value[HTTP_CAPTURE_MAX];
};

struct http_request {
	const char *method;		/* "GET", "POST", ... */
	const char *url;
	const struct http_header *headers;	/* sent as given */
	size_t nheaders;
	const void *body;		/* NULL: none (a POST sends an empty
					   one) */
	size_t body_len;
	FILE *upload;			/* or a body streamed from a file, */
	int64_t upload_len;		/* of this many bytes */
	/*
	 * 0: HTTP_REQUEST_TIMEOUT_MS; > 0: this limit for the whole
	 * exchange; < 0: a long transfer with no total limit that fails when
	 * no byte has moved for stall_ms, or, once a whole upload is sent,
	 * for wait_after_upload_ms before the answer starts.
	 */
	long timeout_ms;
	long stall_ms;
	long wait_after_upload_ms;
	/*
	 * The body of a 2xx answer goes to sink (when not NULL) as it comes,
	 * instead of to resp->body; sink returns 0 to go on, -1 to stop the
	 * transfer (resp->stopped HTTP_STOP_SINK).  Any other answer's body
	 * goes to resp->body (for the error message).
	 */
	int (*sink)(void *arg, const char *data, size_t len);
	void *sink_arg;
	/* The name of one answer header (case-insensitive) whose value goes
	 * to resp->captured (a session cookie); NULL: none. */
	const char *capture;
	/* More answer headers to keep (a REST API's Location, Retry-After,
	 * ...): the caller's array of ncaptures, at most HTTP_MAX_CAPTURES,
	 * emptied when the request starts.  Not wiped: no secrets there. */
	struct http_capture *captures;
	size_t ncaptures;
};

/* Why a transfer was stopped before its end. */
enum http_stop {
	HTTP_STOP_NONE,
	HTTP_STOP_OVER,			/* resp->body reached its cap */
	HTTP_STOP_SINK,			/* the request's sink said stop */
	HTTP_STOP_STALL,		/* no byte moved for stall_ms */
	HTTP_STOP_WAIT,			/* no answer wait_after_upload_ms
					   after the upload */
};

struct http_response {
	long status;			/* 0 when no answer came */
	struct buf body;		/* capped at HTTP_CAP_BODY (or the
					   cap the caller gives it) */
	/* http_perform() fills these in: */
	enum http_stop stopped;
	long idle_ms;			/* STALL, WAIT: for how long */
	bool transient;			/* see http_send() */
	char reason[256];		/* libcurl's, when no answer came */
	/* The last value of the request's capture header ("" when none
	 * came or it did not fit): may be a secret, wiped by
	 * http_response_release(). */
	char captured[HTTP_CAPTURE_MAX];
};

/* What a client of one server sets instead of the defaults; zero or NULL
 * fields keep them.  The strings are copied. */
struct http_endpoint {
	const char *ca_file;		/* PEM: the only trust anchors */
	const char *cert_file;		/* client certificate (PEM) */
	const char *key_file;		/* and its key */
	const char *pin_name;		/* name:port resolved to pin_ip */
	int pin_port;
	const char *pin_ip;
	long connect_timeout_ms;	/* 0: HTTP_CONNECT_TIMEOUT_MS */
	bool https_only;
	bool no_proxy;			/* ignore http(s)_proxy */
	/* The server's certificate is NOT verified (a lab's self-signed
	 * vCenter, asked for by a field the caller warns about). */
	bool insecure;
};

struct http_client {
	void *curl;			/* CURL * */
	struct trust trust;
	bool have_trust;
	char *ca_file, *cert_file, *key_file;
	void *resolve;			/* struct curl_slist *: the pin */
	long connect_timeout_ms;
	bool https_only, no_proxy, insecure;
	char errbuf[256];		/* curl's CURLOPT_ERRORBUFFER */
};

/* libcurl's global set-up, once per process (before threads start;
 * http_client_init() does it too). */
void http_global_init(void);

/* Sets up *c (one curl handle).  0, or -1 with a reason in *err. */
int http_client_init(struct http_client *c, char **err) WARN_UNUSED;
/* The same for the server e describes (NULL: the defaults). */
int http_client_init_for(struct http_client *c, const struct http_endpoint *e,
			 char **err) WARN_UNUSED;
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

/*
 * One attempt, the answer appended to resp->body (or given to req->sink):
 * 0 when an HTTP answer arrived in whole, or -1 and resp->stopped (the
 * transfer was stopped) or resp->reason (libcurl's words, no URL) and
 * resp->transient say why.  resp->status is the answer's, if one started.
 * For callers that word their own messages; http_send() words them for
 * cloud APIs.
 */
int http_perform(struct http_client *c, const struct http_request *req,
		 struct http_response *resp) WARN_UNUSED;

/*
 * A connection to url's server with the client's TLS settings, for a
 * protocol of its own after an HTTP upgrade (Docker's hijacked exec):
 * the caller writes the request and reads the answer with
 * http_conn_send()/http_conn_recv(), polling http_conn_fd().
 */
struct http_conn {
	void *curl;			/* CURL *: a connect-only handle */
	int fd;
};

/* Opens *conn.  0, or -1 with libcurl's reason in reason (size 256). */
int http_conn_open(struct http_client *c, const char *url,
		   struct http_conn *conn, char *reason) WARN_UNUSED;
void http_conn_close(struct http_conn *conn);

/* What a send or a receive on a connection did. */
enum http_io {
	HTTP_IO_OK,			/* *n bytes (a receive: 0 is the end) */
	HTTP_IO_AGAIN,			/* nothing now: poll and call again */
	HTTP_IO_DROPPED,		/* the connection ended without a TLS
					   close (a receive) */
	HTTP_IO_SEND_FAILED,		/* TLS could not send (a receive can
					   answer the peer's close) */
	HTTP_IO_FAILED,
};

/* One send or receive; what went wrong in *why (static text). */
enum http_io http_conn_send(struct http_conn *conn, const void *p,
			    size_t len, size_t *n, const char **why);
enum http_io http_conn_recv(struct http_conn *conn, void *p, size_t size,
			    size_t *n, const char **why);

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
/* Sleeps ms milliseconds (signals do not cut it short): the pause between
 * polls of a cloud's long operations. */
void http_sleep_ms(long ms);

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
