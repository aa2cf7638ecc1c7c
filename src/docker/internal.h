/*
 * internal.h: what the Docker API files share (api.c, exec.c) and what the
 * unit tests reach below the public API (tests/unit/t-docker.c): the
 * struct docker itself, the curl handle setup, the raw-stream
 * demultiplexer and the version negotiation.  Not for other modules.
 */
#ifndef ICM_DOCKER_INTERNAL_H
#define ICM_DOCKER_INTERNAL_H

#include "api.h"
#include <curl/curl.h>

#define DOCKER_ERRMSG_MAX 512
#define DOCKER_CAP_HEADERS (64u << 10)	/* a hijacked answer's headers */

struct docker {
	CURL *c;			/* ordinary calls (connection reused) */
	struct curl_slist *resolve;	/* "name:port:ip" */
	char *name, *ip, *ca_file, *cert_file, *key_file;
	int port;
	char *base;			/* "https://name:port" */
	long connect_timeout_ms, timeout_ms;
	char version[16];		/* negotiated: "1.41" */
	char *server_version;		/* the daemon's "Version" */
	char curl_err[CURL_ERROR_SIZE];
	char errmsg[DOCKER_ERRMSG_MAX];
};

/* A monotonic clock in milliseconds. */
int64_t docker_now_ms(void);

/* Sets docker_errmsg() (printf-like, truncated to one line). */
void docker_seterr(struct docker *d, const char *fmt, ...) PRINTF_LIKE(2, 3);

/*
 * The options every handle to this daemon carries (TLS files, the name
 * pinned to the IP, connect timeout, no signals).  Used after
 * curl_easy_reset() on d->c and on the connect-only handle of a hijack.
 */
void docker_setup_handle(struct docker *d, CURL *c);

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
