/*
 * tc3.c: TC3-HMAC-SHA256 (see tc3.h): canonical request, string to sign,
 * the date -> service -> "tc3_request" key chain and the Authorization
 * value.
 */
#include "tc3.h"
#include "../../cloud/sigv4.h"
#include "../../util/str.h"

/* A name of lower-case letters, digits, '-' (and '.' when dots). */
static bool name_ok(const char *s, bool dots)
{
	size_t n = s ? strlen(s) : 0;

	return n && n <= TC3_NAME_MAX &&
		strspn(s, dots ? "abcdefghijklmnopqrstuvwxyz0123456789-." :
		       "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static int check(const struct tc3_request *req, const char *secret_id,
		 const char *secret_key, char **err)
{
	size_t n = secret_id ? strlen(secret_id) : 0;

	if (!name_ok(req->service, false))
		*err = xstrdup("TC3: the service is not a Tencent service "
			       "name (cvm, vpc, clb)");
	else if (!name_ok(req->host, true))
		*err = xstrdup("TC3: the host is not a host name");
	else if (!n || n > TC3_NAME_MAX || strspn(secret_id,
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			"0123456789-_") != n)
		*err = xstrdup(n ? "SecretID is not a SecretId (letters and "
			       "digits, AKID...)" : "SecretID is missing");
	else if (!secret_key || !*secret_key)
		*err = xstrdup("SecretKey is missing");
	else if (req->when < 0)
		*err = xstrdup("TC3: a time before 1970");
	else if (req->payload_len > TC3_PAYLOAD_MAX)
		*err = xasprintf("TC3: a request over %u bytes",
				 TC3_PAYLOAD_MAX);
	return *err ? -1 : 0;
}

int tc3_sign(const struct tc3_request *req, const char *secret_id,
	     const char *secret_key, struct tc3_result *res, char **err)
{
	unsigned char k1[32], k2[32], sig[32];
	char crhash[65], *k0 = NULL;
	struct tm tm;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	*err = NULL;
	if (check(req, secret_id, secret_key, err))
		goto out;
	snprintf(res->timestamp, sizeof(res->timestamp), "%lld",
		 (long long)req->when);
	gmtime_r(&req->when, &tm);
	strftime(res->date, sizeof(res->date), "%Y-%m-%d", &tm);
	sigv4_sha256_hex(req->payload ? req->payload : "", req->payload_len,
			 res->payload_hash);
	res->canonical_request = xasprintf("POST\n/\n\ncontent-type:%s\n"
					   "host:%s\n\n%s\n%s",
					   TC3_CONTENT_TYPE, req->host,
					   TC3_SIGNED_HEADERS,
					   res->payload_hash);
	sigv4_sha256_hex(res->canonical_request,
			 strlen(res->canonical_request), crhash);
	res->string_to_sign = xasprintf("%s\n%s\n%s/%s/tc3_request\n%s",
					TC3_ALGORITHM, res->timestamp,
					res->date, req->service, crhash);
	k0 = xasprintf("TC3%s", secret_key);
	sigv4_hmac_sha256(k0, strlen(k0), res->date, strlen(res->date), k1);
	sigv4_hmac_sha256(k1, 32, req->service, strlen(req->service), k2);
	sigv4_hmac_sha256(k2, 32, "tc3_request", 11, k1);
	sigv4_hmac_sha256(k1, 32, res->string_to_sign,
			  strlen(res->string_to_sign), sig);
	sigv4_hex(sig, sizeof(sig), res->signature);
	res->authorization = xasprintf("%s Credential=%s/%s/%s/tc3_request, "
				       "SignedHeaders=%s, Signature=%s",
				       TC3_ALGORITHM, secret_id, res->date,
				       req->service, TC3_SIGNED_HEADERS,
				       res->signature);
	ret = 0;
out:
	freezero_str(k0);
	explicit_bzero(k1, sizeof(k1));
	explicit_bzero(k2, sizeof(k2));
	explicit_bzero(sig, sizeof(sig));
	return ret;
}

void tc3_result_release(struct tc3_result *res)
{
	free(res->canonical_request);
	free(res->string_to_sign);
	free(res->authorization);
	memset(res, 0, sizeof(*res));
}
