/*
 * sigv4.h: AWS Signature Version 4 (header-based, HMAC-SHA256 from BearSSL).
 *
 * The caller describes a request as it will be sent (method, the path and
 * query as they appear on the request line, every header it sends and
 * wants signed, the body); sigv4_sign() computes the canonical request,
 * the string to sign, the signature and the Authorization value, and says
 * which headers the caller must add to the request before sending it:
 * X-Amz-Date (unless the request already has one), X-Amz-Security-Token
 * (with a session token) and, with sign_body, X-Amz-Content-SHA256.
 *
 * Canonicalisation follows AWS's rules for every service but S3:
 * - the path is normalised (RFC 3986 dot segments removed, empty segments
 *   dropped) unless normalize_path is false, then URI-encoded byte by byte
 *   (unreserved characters and '/' kept), which encodes an already encoded
 *   path a second time ("double encoding");
 * - the query's names and values are percent-decoded and encoded again
 *   (unreserved kept, everything else %XX upper case), sorted by name, then
 *   by value;
 * - header names are lower-cased, values trimmed with inner runs of
 *   spaces, tabs and line folds collapsed to one space; repeated headers
 *   are joined with ',' in the order given; headers are sorted by name.
 *
 * The intermediate strings are kept in the result so tests can compare
 * them with AWS's published suite.  The secret key never appears in them.
 */
#ifndef ICM_CLOUD_SIGV4_H
#define ICM_CLOUD_SIGV4_H

#include "../icm.h"

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
/* Caps on what is signed (EC2 requests are far smaller). */
#define SIGV4_MAX_HEADERS 64
#define SIGV4_CAP_TEXT (1u << 20)	/* canonical request, paths, queries */

struct sigv4_header {
	const char *name;
	const char *value;
};

struct sigv4_request {
	const char *method;		/* "GET", "POST" */
	const char *path;		/* as on the request line: "/" */
	const char *query;		/* after '?', or NULL / "" */
	const struct sigv4_header *headers;	/* Host included */
	size_t nheaders;
	const void *body;		/* NULL: empty */
	size_t body_len;
};

struct sigv4_params {
	const char *access_key;
	const char *secret_key;
	const char *session_token;	/* NULL or "": none */
	const char *region;
	const char *service;		/* "ec2", "elasticloadbalancing" */
	time_t when;			/* signing time (UTC seconds) */
	bool normalize_path;		/* true for every service but S3 */
	bool sign_body;			/* add and sign X-Amz-Content-SHA256 */
	bool omit_session_token;	/* token header added, not signed */
};

/* A header the caller must add to the request (values point into *res). */
struct sigv4_result {
	char amz_date[17];		/* 20150830T123600Z */
	char *canonical_request;
	char *string_to_sign;
	char signature[65];		/* lower-case hex */
	char *authorization;		/* the Authorization header's value */
	char payload_hash[65];
	struct sigv4_header add[3];	/* to send with the request */
	size_t nadd;
};

/*
 * Fills *res (which the caller releases with sigv4_result_release(), also
 * after a failure).  Returns 0, or -1 with a reason in *err (caller frees):
 * a missing field, too many headers, a header without a name, a bad
 * percent escape in the query.
 */
int sigv4_sign(const struct sigv4_request *req, const struct sigv4_params *p,
	       struct sigv4_result *res, char **err) WARN_UNUSED;
void sigv4_result_release(struct sigv4_result *res);

/* "20150830T123600Z" for t (out has room for 17 bytes). */
void sigv4_amz_date(time_t t, char out[17]);

/*
 * Appends s (len bytes) to b percent-encoded as AWS wants: A-Z a-z 0-9
 * - _ . ~ kept, '/' kept when keep_slash, every other byte %XX (upper
 * case).  Used for query and form values too.  0 or -1 (over the cap).
 */
struct buf;
int sigv4_uri_encode(struct buf *b, const char *s, size_t len,
		     bool keep_slash) WARN_UNUSED;

/* in (n bytes) as lower-case hex into out (2n + 1 bytes, NUL-ended). */
void sigv4_hex(const unsigned char *in, size_t n, char *out);

/* Lower-case hex SHA-256 of data into out[65]. */
void sigv4_sha256_hex(const void *data, size_t len, char out[65]);

/* out = HMAC-SHA256(key, data) (32 bytes); the contexts are wiped.  Also
 * TC3-HMAC-SHA256's (provider/tencent/tc3.c). */
void sigv4_hmac_sha256(const void *key, size_t klen, const void *data,
		       size_t dlen, unsigned char out[32]);

#endif
