/*
 * t-tc3.c: TC3-HMAC-SHA256 (provider/tencent/tc3.h).
 *
 * - Tencent's published example ("Signature v3", API 3.0 common
 *   parameters): CVM DescribeInstances in ap-guangzhou at 1551113065 with
 *   the documentation's example SecretId and SecretKey: the payload hash,
 *   the canonical request, the string to sign (its hash of the canonical
 *   request), the signature 72e494ea... and the Authorization value.
 * - The date is the timestamp's UTC day (00:44 in UTC+8 is still the day
 *   before), the service is in the scope, the key chain depends on each
 *   of date, service and key.
 * - Refusals: no SecretId, no SecretKey, a bad service or host; the
 *   secret key in no string of the result and no message.
 */
#include "icm.h"
#include "provider/tencent/tc3.h"
#include "util/str.h"
#include "tap.h"

#define SID "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
#define SKEY "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
#define DOC_PAYLOAD "{\"Limit\": 1, \"Filters\": [{\"Values\": " \
	"[\"\\u672a\\u547d\\u540d\"], \"Name\": \"instance-name\"}]}"

static bool holds_key(const struct tc3_result *r)
{
	return (r->canonical_request && strstr(r->canonical_request, SKEY)) ||
		(r->string_to_sign && strstr(r->string_to_sign, SKEY)) ||
		(r->authorization && strstr(r->authorization, SKEY));
}

static void test_published(void)
{
	struct tc3_request req = {
		"cvm", "cvm.tencentcloudapi.com", DOC_PAYLOAD,
		sizeof(DOC_PAYLOAD) - 1, 1551113065
	};
	struct tc3_result r;
	char *err = NULL;

	ok(!tc3_sign(&req, SID, SKEY, &r, &err), "Tencent's example signs");
	is_str(r.payload_hash, "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7"
	       "f6e89887f1398934f064", "... the payload's hash (published)");
	is_str(r.canonical_request, "POST\n/\n\ncontent-type:application/"
	       "json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\n"
	       "content-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1"
	       "ff7f6e89887f1398934f064", "... the canonical request");
	is_str(r.string_to_sign, "TC3-HMAC-SHA256\n1551113065\n2019-02-25/"
	       "cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee70963"
	       "8e2749d62a09ca18d7031", "... the string to sign (published "
	       "hash of the canonical request)");
	is_str(r.signature, "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2"
	       "f66e2c5a96525168", "... the published signature");
	is_str(r.authorization, "TC3-HMAC-SHA256 Credential=" SID "/2019-02-"
	       "25/cvm/tc3_request, SignedHeaders=content-type;host, "
	       "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2"
	       "f66e2c5a96525168", "... the Authorization value");
	is_str(r.timestamp, "1551113065", "... X-TC-Timestamp");
	ok(!holds_key(&r), "... the SecretKey in none of its strings");
	tc3_result_release(&r);
}

static void test_parts(void)
{
	struct tc3_request req = {
		"cvm", "cvm.tencentcloudapi.com", "{}", 2, 1551113065
	};
	struct tc3_result a, b;
	char *err = NULL;

	/* 2019-02-25T23:59:59Z and 2019-02-26T00:00:00Z */
	req.when = 1551139199;
	ok(!tc3_sign(&req, SID, SKEY, &a, &err) &&
	   !strcmp(a.date, "2019-02-25"), "23:59:59 UTC: that day");
	req.when = 1551139200;
	ok(!tc3_sign(&req, SID, SKEY, &b, &err) &&
	   !strcmp(b.date, "2019-02-26") &&
	   strstr(b.string_to_sign, "\n2019-02-26/cvm/tc3_request\n") &&
	   strcmp(a.signature, b.signature), "00:00:00 UTC: the next day, "
	   "another key and signature");
	tc3_result_release(&a);
	tc3_result_release(&b);
	req.service = "vpc";
	req.host = "vpc.tencentcloudapi.com";
	ok(!tc3_sign(&req, SID, SKEY, &a, &err) &&
	   strstr(a.authorization, "/2019-02-26/vpc/tc3_request, ") &&
	   strstr(a.canonical_request, "\nhost:vpc.tencentcloudapi.com\n"),
	   "the service in the scope, the host in the canonical request");
	ok(!tc3_sign(&req, SID, SKEY "x", &b, &err) &&
	   strcmp(a.signature, b.signature), "another key: another "
	   "signature");
	tc3_result_release(&a);
	tc3_result_release(&b);
	req.payload = NULL;
	req.payload_len = 0;
	ok(!tc3_sign(&req, SID, SKEY, &a, &err) &&
	   !strcmp(a.payload_hash, "e3b0c44298fc1c149afbf4c8996fb92427ae41e"
		   "4649b934ca495991b7852b855"), "no payload: the empty "
	   "string's hash");
	tc3_result_release(&a);
}

static void refused(const char *service, const char *host, const char *id,
		    const char *key, const char *want, const char *what)
{
	struct tc3_request req = { service, host, "{}", 2, 1551113065 };
	struct tc3_result r;
	char *err = NULL;

	ok(tc3_sign(&req, id, key, &r, &err) && err && strstr(err, want) &&
	   !strstr(err, SKEY) && !r.authorization, "%s", what);
	tc3_result_release(&r);
	free(err);
}

int main(void)
{
	test_published();
	test_parts();
	refused("cvm", "cvm.tencentcloudapi.com", "", SKEY,
		"SecretID is missing", "no SecretID: refused");
	refused("cvm", "cvm.tencentcloudapi.com", "AKID x\n", SKEY,
		"SecretID is not a SecretId", "a SecretID with a space and "
		"a line break: refused");
	refused("cvm", "cvm.tencentcloudapi.com", SID, "",
		"SecretKey is missing", "no SecretKey: refused");
	refused("CVM/x", "cvm.tencentcloudapi.com", SID, SKEY,
		"not a Tencent service", "a service with '/': refused");
	refused("cvm", "cvm.tencentcloudapi.com\nx-evil:1", SID, SKEY,
		"not a host name", "a host with a line break: refused");
	return done_testing();
}
