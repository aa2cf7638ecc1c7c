/*
 * internal.h: what the Docker API files share (api.c, exec.c) and what the
 * unit tests reach below the public API (tests/unit/t-docker.c): the
 * struct docker itself (its HTTP client is cloud/http.h's), the
 * raw-stream demultiplexer and the version negotiation.  Not for other
 * modules.
 */
#ifndef ICM_DOCKER_INTERNAL_H
#define ICM_DOCKER_INTERNAL_H

#include "api.h"
#include "../cloud/http.h"

#define DOCKER_ERRMSG_MAX 512
#define DOCKER_CAP_HEADERS (64u << 10)	/* a hijacked answer's headers */
#define DOCKER_CAP_LINE (1u << 20)	/* one line of a pull/load stream */

struct docker {
	struct http_client http;	/* mutual TLS, the name pinned to the
					   IP; ordinary calls (connection
					   reused) */
	char *name;
	int port;
	char *base;			/* "https://name:port" */
	long timeout_ms;
	char version[16];		/* negotiated: "1.41" */
	char *server_version;		/* the daemon's "Version" */
	char errmsg[DOCKER_ERRMSG_MAX];
};

/* Sets docker_errmsg() (printf-like, truncated to one line). */
void docker_seterr(struct docker *d, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* One HTTP request to the daemon (api.c's engine). */
struct docker_req {
	const char *method;
	char *path;			/* below /v<version> (owned: freed) */
	bool unversioned;
	const char *content_type;
	const char *body;		/* in memory, or */
	size_t body_len;
	FILE *upload;			/* streamed from a file */
	int64_t upload_len;
	const char *auth;		/* X-Registry-Auth (wiped after) */
	long timeout_ms;		/* 0: the target's; -1: a long
					   transfer (see api.h) */
	struct buf resp;		/* the body (its cap set by the
					   caller) */
	/* streamed lines of a 2xx answer instead of resp: */
	int (*line_fn)(void *arg, const char *line);
	void *line_arg;
	struct buf line;
	/* filled in: */
	long status;
	const char *overflow;		/* a line over its cap */
	const char *what;		/* the answer's name in that message */
	bool line_failed;		/* line_fn said stop */
};

/* A request with a body capped at cap (DOCKER_CAP_JSON...). */
void docker_req_init(struct docker_req *r, const char *method, size_t cap);
void docker_req_release(struct docker_req *r);

/* Performs r: 0 when an answer came (r->status set), -1 when none did
 * (docker_errmsg() set). */
int docker_perform(struct docker *d, struct docker_req *r) WARN_UNUSED;
/* docker_perform() and an answer with status ok (or ok2) expected; else
 * the daemon's error. */
int docker_perform_ok(struct docker *d, struct docker_req *r, long ok, long ok2)
	WARN_UNUSED;
/* A JSON call whose path is docker_path(fmt, ...); timeout_ms as in
 * struct docker_req. */
int docker_callf(struct docker *d, const char *method, const cJSON *body,
		 long timeout_ms, long *status, cJSON **resp,
		 const char *fmt, ...) PRINTF_LIKE(7, 8) WARN_UNUSED;
/* A call whose answer is only a status: 0 when it is one of ok1/ok2. */
int docker_expect(struct docker *d, int rc, long status, long ok1,
		  long ok2) WARN_UNUSED;

/*
 * The daemon's error for an answer with this status and body: the JSON
 * "message" when there is one, else the body's first line, else the
 * status.  Stored with docker_seterr().
 */
void docker_set_http_error(struct docker *d, long status, const char *body,
			   size_t len);

/*
 * The raw stream of a non-TTY attach or exec: frames of an 8-byte header
 * [stream, 0, 0, 0, size as big-endian uint32] and size bytes of payload;
 * stream 1 is stdout, 2 stderr (0, stdin, is written to stdout as the
 * daemon's own client does).  Frames may be split anywhere across reads.
 * docker_demux_feed() appends each payload to out or err (each capped by
 * its own buf cap); -1 on a bad stream number or a full buffer (*what
 * says which).
 */
struct docker_demux {
	unsigned char hdr[8];
	size_t hlen;			/* header bytes collected */
	uint32_t left;			/* payload bytes still to come */
	int stream;
};

void docker_demux_init(struct docker_demux *m);
int docker_demux_feed(struct docker_demux *m, const void *data, size_t len,
		      struct buf *out, struct buf *err, const char **what)
	WARN_UNUSED;
/* True when the stream ended between frames (not inside one). */
bool docker_demux_clean(const struct docker_demux *m);

/*
 * The API version to speak with a daemon that says daemon_api (its
 * /version ApiVersion): min(daemon_api, DOCKER_API_MAX) into out (size
 * 16).  -1 when daemon_api is malformed or older than DOCKER_API_MIN;
 * *why (caller frees) names the versions.
 */
int docker_version_pick(const char *daemon_api, char *out, char **why)
	WARN_UNUSED;

#endif
