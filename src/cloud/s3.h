/*
 * s3.h: a small, strict client of S3-compatible object storage (AWS S3,
 * MinIO, Ceph RGW, moto), for a deployment's state kept in a bucket
 * (state/remote*.c).  What it does: GET, HEAD, PUT (with If-Match or
 * If-None-Match: *), DELETE (with If-Match) of one object, and a
 * ListObjectsV2 listing under a prefix.  What it does not: create buckets,
 * multipart uploads, streaming, versions.
 *
 * Requests are signed with SigV4 (service "s3", the path not normalised,
 * the body's SHA-256 signed: no UNSIGNED-PAYLOAD) and sent through
 * cloud/http.h, one struct s3 per thread (it owns an http_client).
 *
 * Names: the bucket must be a valid S3 name (3-63 characters: lower-case
 * letters, digits, '.', '-', starting and ending with a letter or digit);
 * a key is 1..S3_KEY_MAX bytes without control characters and without
 * "." or ".." path segments (libcurl would fold them).  A bad one is a -1
 * with a clear reason and nothing is sent.  A bucket with a '.' is always
 * addressed path-style (its virtual-host name would not match a TLS
 * certificate's wildcard).
 *
 * Retries (as the EC2 client's, cloud/http.h's backoff, each attempt
 * signed again): 5xx, 429 and SlowDown, 409 ConditionalRequestConflict,
 * RequestTimeout, and transient transport failures.  412 is never retried.
 *
 * Errors are one line: "S3 <Op> s3://<bucket>/<key>: <Code>: <Message>
 * (HTTP <status>)", with words of their own for a missing bucket, refused
 * credentials (naming where they came from), no permission and a clock too
 * far from the server's.  No secret and no Authorization value ever goes
 * into one.  Every *err is allocated; the caller frees it.
 */
#ifndef ICM_CLOUD_S3_H
#define ICM_CLOUD_S3_H

#include "../icm.h"
#include "../util/buf.h"
#include "awscreds.h"

#define S3_ETAG_MAX 128
#define S3_KEY_MAX 1024			/* S3's own limit on a key, bytes */
#define S3_LIST_CAP 100000		/* objects one s3_list() reports */

struct s3_config {
	const char *bucket;
	const char *endpoint;	/* "https://host[:port]" or "http://..." (a
				   local emulator); NULL:
				   https://s3.<region>.amazonaws.com */
	const char *region;	/* NULL: "us-east-1" */
	bool path_style;	/* <endpoint>/<bucket>/<key>; else
				   <scheme>://<bucket>.<host>/<key> */
	const struct aws_creds *creds;	/* borrowed; must outlive the handle */
};

/* What an answer said about an object. */
struct s3_info {
	char etag[S3_ETAG_MAX];	/* as S3 sends it, quotes included */
	int64_t size;
	time_t last_modified;	/* Last-Modified, 0 when absent */
	time_t server_date;	/* the answer's Date header, 0 when absent */
};

enum { S3_OK = 0, S3_NOT_FOUND = 1, S3_PRECONDITION = 2 };	/* -1: failed */

struct s3;			/* one per thread (it owns an http_client) */

/*
 * Checks cfg (bucket name, endpoint URL: scheme, host and port only,
 * credentials present) and sets up *out, which the caller closes with
 * s3_close().  Nothing is sent.  0, or -1 with *err.
 */
int s3_open(const struct s3_config *cfg, struct s3 **out,
	    char **err) WARN_UNUSED;
void s3_close(struct s3 *s);	/* NULL is fine */

/*
 * GET: the object's body into out (the caller's buf with its cap; out is
 * emptied first, and an object over the cap is an error).  S3_OK,
 * S3_NOT_FOUND (404 NoSuchKey), or -1 with *err (out empty).  info may be
 * NULL.
 */
int s3_get(struct s3 *s, const char *key, struct buf *out,
	   struct s3_info *info, char **err) WARN_UNUSED;

/*
 * HEAD: S3_OK (info: ETag, Content-Length, dates), S3_NOT_FOUND, or -1.
 * A HEAD answer has no body, so a missing bucket is S3_NOT_FOUND too.
 */
int s3_head(struct s3 *s, const char *key, struct s3_info *info,
	    char **err) WARN_UNUSED;

/*
 * PUT len bytes (data may be NULL when len is 0).  if_match: NULL none,
 * else sent as If-Match (an ETag as S3 gave it); if_none_match: send
 * "If-None-Match: *" (create only).  S3_OK (info->etag the new ETag,
 * info->server_date; info may be NULL), S3_PRECONDITION (412
 * PreconditionFailed: the condition did not hold -- never retried), or -1.
 *
 * Beware: a conditional PUT whose answer was lost (a timeout, a reset
 * connection) is sent again, and the second attempt can be refused with
 * 412 because the first one DID succeed: S3_PRECONDITION does not prove
 * that someone else wrote.  The caller tells the two apart by a HEAD and a
 * comparison with what it wrote.  This module does not try to hide it.
 */
int s3_put(struct s3 *s, const char *key, const void *data, size_t len,
	   const char *if_match, bool if_none_match, struct s3_info *info,
	   char **err) WARN_UNUSED;

/*
 * DELETE, with If-Match when if_match is not NULL: S3_OK (also when the
 * object was not there), S3_PRECONDITION, or -1.  The same caveat as
 * s3_put()'s applies to a retried conditional delete.
 */
int s3_delete(struct s3 *s, const char *key, const char *if_match,
	      char **err) WARN_UNUSED;

/*
 * ListObjectsV2 of every key under prefix ("" or NULL: the whole bucket),
 * all pages (continuation tokens); fn is called per object in S3's order
 * (lexicographic by UTF-8 bytes) with its key, ETag (quotes included) and
 * size, pointers valid during the call.  fn returns 0 to go on, -1 to stop:
 * then s3_list() returns -1 without setting *err.  More than S3_LIST_CAP
 * objects is an error (-1 with *err).
 */
int s3_list(struct s3 *s, const char *prefix,
	    int (*fn)(void *arg, const char *key, const char *etag,
		      int64_t size),
	    void *arg, char **err) WARN_UNUSED;

#endif
