/*
 * s3_int.h: the S3 client's parts that need no server, shared with its
 * tests (tests/unit/t-s3.c; tests/cloud/s3-check.c's signatures for
 * botocore); callers use s3.h.
 */
#ifndef ICM_CLOUD_S3_INT_H
#define ICM_CLOUD_S3_INT_H

#include "s3.h"
#include "http.h"
#include "sigv4.h"

#define S3_MAX_PAGES 100000		/* ListObjectsV2 pages of one list */
#define S3_MSG_MAX 300			/* bytes of S3's <Message> quoted */

struct s3 {
	char *bucket;
	char *region;
	char *origin;		/* "scheme://host[:port]" requests go to
				   (the bucket's name in front for
				   virtual-hosted style) */
	char *host;		/* the Host header: origin's host[:port] */
	char *base;		/* "/<bucket>" path-style, else "" */
	const struct aws_creds *creds;
	struct http_client http;
	bool have_http;
};

/* One request as s3.c sends it (every attempt). */
struct s3_req {
	const char *op;			/* for messages: "GET", "LIST" */
	const char *method;
	const char *key;		/* NULL: the bucket */
	const char *shown;		/* what messages name (key, prefix) */
	const char *query;		/* encoded, or NULL */
	const void *body;		/* PUT: never NULL */
	size_t len;
	const char *if_match;
	bool if_none_match;
	struct buf *out;		/* a 2xx answer's body, or NULL */
	struct s3_info *info;		/* or NULL */
};

#define S3_MAX_HEADERS 12		/* a request's, signed */

/*
 * Signs r (path: s3_target()'s) at when: hdrs (S3_MAX_HEADERS) gets every
 * header to send, Authorization last, values pointing into r and *sig
 * (released by the caller with sigv4_result_release(), also after a
 * failure).  0, or -1 with *err.
 */
int s3_sign(const struct s3 *s, const struct s3_req *r, const char *path,
	    time_t when, struct sigv4_result *sig, struct http_header *hdrs,
	    size_t *nhdrs, char **err) WARN_UNUSED;

/* 0 when name is a valid bucket name, else -1 with *err. */
int s3_check_bucket(const char *name, char **err) WARN_UNUSED;
/* 0 when key is a key this client sends, else -1 with *err. */
int s3_check_key(const char *key, char **err) WARN_UNUSED;

/* s3_open() without the HTTP client: checks cfg, fills *s (released with
 * s3_release()).  0, or -1 with *err. */
int s3_setup(struct s3 *s, const struct s3_config *cfg,
	     char **err) WARN_UNUSED;
void s3_release(struct s3 *s);

/*
 * The path of key (NULL: the bucket itself) to sign into *path, NOT
 * encoded (sigv4_sign() encodes it once, byte for byte as the URL has it),
 * and the URL (key encoded, "?query" when query is not NULL: already
 * encoded) into *url, both allocated.  0, or -1 over the caps.
 */
int s3_target(const struct s3 *s, const char *key, const char *query,
	      char **path, char **url) WARN_UNUSED;

/*
 * The one-line reason of a refused request: op ("GET", ...), the object
 * named (key NULL: the bucket), the answer's status and body (S3's XML
 * error, or anything).  *code (may be NULL) gets S3's <Code>, allocated,
 * or NULL when the body had none.  Returns the allocated reason.
 */
char *s3_error_text(const struct s3 *s, const char *op, const char *key,
		    long status, const char *body, size_t len, char **code);

/* An HTTP date (RFC 7231 IMF-fixdate) in seconds; 0 when v is NULL, empty
 * or not one. */
time_t s3_http_date(const char *v);

/* A listing's callback (s3.h). */
typedef int (*s3_list_fn)(void *arg, const char *key, const char *etag,
			  int64_t size);

/*
 * Reads one ListObjectsV2 page (len bytes of XML): fn per <Contents>, *n
 * counted up (more than S3_LIST_CAP is an error), *next the
 * NextContinuationToken (allocated) when IsTruncated is true, else NULL.
 * 0; 1 when fn said stop; -1 with *err.
 */
int s3_list_page(const char *xml, size_t len, s3_list_fn fn, void *arg,
		 size_t *n, char **next, char **err) WARN_UNUSED;

#endif
