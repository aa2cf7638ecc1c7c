/*
 * tc3.h: Tencent Cloud's API 3.0 signature, TC3-HMAC-SHA256 (HMAC and
 * SHA-256 from BearSSL, through cloud/sigv4.h), as Tencent's "Signature
 * v3" specifies it and its SDKs compute it for a JSON POST:
 *
 *   CanonicalRequest = "POST\n/\n\n"
 *	"content-type:application/json; charset=utf-8\nhost:<host>\n\n"
 *	"content-type;host\n" hex(SHA256(payload))
 *   StringToSign = "TC3-HMAC-SHA256\n<timestamp>\n"
 *	"<date>/<service>/tc3_request\n" hex(SHA256(CanonicalRequest))
 *   key = HMAC(HMAC(HMAC("TC3" SecretKey, date), service), "tc3_request")
 *   Authorization = "TC3-HMAC-SHA256 Credential=<SecretId>/<date>/"
 *	"<service>/tc3_request, SignedHeaders=content-type;host, "
 *	"Signature=" hex(HMAC(key, StringToSign))
 *
 * date is the UTC day of the timestamp (YYYY-MM-DD); host is the Host
 * header sent, without a port (the SDKs sign the URL's host name); service
 * is the first label of Tencent's host ("cvm" of cvm.tencentcloudapi.com).
 * Only content-type and host are signed, as the SDKs do; the X-TC-*
 * headers go along unsigned.  The request must carry Content-Type
 * TC3_CONTENT_TYPE exactly.
 *
 * The intermediate strings are kept for tests; none holds the secret key.
 * The derived keys are wiped before tc3_sign() returns.
 */
#ifndef ICM_PROVIDER_TENCENT_TC3_H
#define ICM_PROVIDER_TENCENT_TC3_H

#include "../../icm.h"

#define TC3_ALGORITHM "TC3-HMAC-SHA256"
#define TC3_CONTENT_TYPE "application/json; charset=utf-8"
#define TC3_SIGNED_HEADERS "content-type;host"
#define TC3_NAME_MAX 128		/* service, host, SecretId */
#define TC3_PAYLOAD_MAX (10u << 20)	/* Tencent's own limit is 10 MB */

struct tc3_request {
	const char *service;		/* "cvm", "vpc", "clb" */
	const char *host;		/* "cvm.tencentcloudapi.com" */
	const void *payload;		/* the JSON body (NULL: empty) */
	size_t payload_len;
	time_t when;			/* X-TC-Timestamp (UTC seconds) */
};

struct tc3_result {
	char timestamp[21];		/* X-TC-Timestamp's value */
	char date[11];			/* 2019-02-25 */
	char payload_hash[65];
	char *canonical_request;
	char *string_to_sign;
	char signature[65];		/* lower-case hex */
	char *authorization;		/* the Authorization header's value */
};

/*
 * Signs req with secret_id and secret_key (neither kept).  Fills *res,
 * which the caller releases with tc3_result_release() (also after a
 * failure).  0, or -1 with a reason in *err (allocated, no secret):
 * a missing or overlong service, host or SecretId, a service or host
 * with a byte outside [a-z0-9.-] (a-z0-9- for a service), a time before
 * 1970, an empty SecretKey, a payload over TC3_PAYLOAD_MAX.
 */
int tc3_sign(const struct tc3_request *req, const char *secret_id,
	     const char *secret_key, struct tc3_result *res,
	     char **err) WARN_UNUSED;
void tc3_result_release(struct tc3_result *res);

#endif
