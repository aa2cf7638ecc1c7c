/*
 * t-gcp-parts.c: the GCP provider's pieces that need no server
 * (provider/gcp/gcp.h):
 * - Compute Engine's error answers as cloud_err classes and lines: 404,
 *   409, 429 and rate-limit 403s, permission 403s (the permission named),
 *   quota 403s, 401, 5xx, 400; an answer that is not JSON; Google's words
 *   kept printable and bounded;
 * - a DONE operation's error: QUOTA_EXCEEDED from errorDetails.quotaInfo
 *   and from the message alone (quota, region, limit named),
 *   ZONE_RESOURCE_POOL_EXHAUSTED (the zone named, another suggested), a
 *   permission error, an unknown code; none: 0;
 * - requestIds: UUID version 4 in shape, the same for the same token and
 *   machine, another for another;
 * - GCE names (lowercase, other characters '-'), a zone's region, and the
 *   subnets' CIDRs (10.0.<i>.0/24; net_subnet_cidr and the blocks after
 *   it; refusals).
 */
#include "icm.h"
#include "provider/gcp/gcp.h"
#include "provider/cidr.h"
#include "util/str.h"
#include "tap.h"

static int http_err(long status, const char *body, struct cloud_err *e)
{
	cloud_err_release(e);
	return gce_http_error(status, body, body ? strlen(body) : 0, e);
}

static int op_err(const char *json, struct cloud_err *e)
{
	cJSON *op = cJSON_Parse(json);
	int ret;

	cloud_err_release(e);
	ret = gce_op_error(op, e);
	cJSON_Delete(op);
	return ret;
}

#define ERRBODY(code, reason, msg) \
	"{\"error\": {\"code\": " #code ", \"message\": \"" msg "\", " \
	"\"errors\": [{\"message\": \"" msg "\", \"domain\": \"global\", " \
	"\"reason\": \"" reason "\"}]}}"

static void http_errors(void)
{
	struct cloud_err e = CLOUD_ERR_INIT;
	char big[2000];

	is_int(http_err(404, ERRBODY(404, "notFound", "The resource "
		"'projects/p/zones/z/instances/x' was not found"), &e), -1,
	       "404: -1");
	is_int(e.cls, CLOUD_ERR_NOT_FOUND, "404: not found");
	is_str(e.msg, "The resource 'projects/p/zones/z/instances/x' was not "
	       "found", "... Google's words");
	http_err(409, ERRBODY(409, "alreadyExists", "exists"), &e);
	is_int(e.cls, CLOUD_ERR_EXISTS, "409: exists");
	http_err(429, ERRBODY(429, "rateLimitExceeded", "Rate Limit"), &e);
	is_int(e.cls, CLOUD_ERR_THROTTLED, "429: throttled");
	http_err(403, ERRBODY(403, "userRateLimitExceeded", "slow"), &e);
	is_int(e.cls, CLOUD_ERR_THROTTLED, "403 userRateLimitExceeded: "
	       "throttled");
	ok(gce_rate_limited(ERRBODY(403, "rateLimitExceeded", "x"), 200),
	   "gce_rate_limited: rateLimitExceeded");
	ok(!gce_rate_limited(ERRBODY(403, "forbidden", "x"), 200),
	   "... not forbidden");
	ok(!gce_rate_limited("not json", 8), "... not a body that is no JSON");
	http_err(403, ERRBODY(403, "forbidden", "Required "
		"'compute.instances.create' permission for "
		"'projects/p/zones/z/instances/x'"), &e);
	is_int(e.cls, CLOUD_ERR_AUTH, "403 forbidden: auth");
	is_str(e.msg, "permission denied: Required 'compute.instances.create' "
	       "permission for 'projects/p/zones/z/instances/x' (grant the "
	       "service account a role with it, e.g. Compute Admin)",
	       "... naming the permission");
	http_err(403, ERRBODY(403, "quotaExceeded", "Quota exceeded"), &e);
	is_int(e.cls, CLOUD_ERR_INVALID, "403 quotaExceeded: invalid");
	http_err(401, ERRBODY(401, "authError", "Invalid Credentials"), &e);
	is_int(e.cls, CLOUD_ERR_AUTH, "401: auth");
	is_str(e.msg, "the access token was refused: Invalid Credentials",
	       "... said so");
	http_err(503, ERRBODY(503, "backendError", "Internal error"), &e);
	is_int(e.cls, CLOUD_ERR_TRANSIENT, "503: transient");
	http_err(400, ERRBODY(400, "invalid", "Invalid value"), &e);
	is_int(e.cls, CLOUD_ERR_INVALID, "400: invalid");
	http_err(502, "<html>bad gateway</html>", &e);
	is_int(e.cls, CLOUD_ERR_TRANSIENT, "502 without JSON: transient");
	is_str(e.msg, "HTTP status 502", "... named by its status");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	{
		char *b = xasprintf("{\"error\": {\"message\": \"\\u0007%s\"}}",
				    big);

		http_err(400, b, &e);
		free(b);
	}
	ok(e.msg && e.msg[0] == '?' && strlen(e.msg) <= 400,
	   "Google's words: printable, at most 400 characters");
	cloud_err_release(&e);
}

static void op_errors(void)
{
	struct cloud_err e = CLOUD_ERR_INIT;

	is_int(op_err("{\"status\": \"DONE\"}", &e), 0, "no error: 0");
	is_int(e.cls, CLOUD_ERR_NONE, "... none set");
	op_err("{\"status\": \"DONE\", \"error\": {\"errors\": [{\"code\": "
	       "\"QUOTA_EXCEEDED\", \"message\": \"Quota 'CPUS' exceeded.  "
	       "Limit: 24.0 in region us-east1.\", \"errorDetails\": [{"
	       "\"quotaInfo\": {\"metricName\": \"compute.googleapis.com/"
	       "cpus\", \"limitName\": \"CPUS-per-project-region\", "
	       "\"dimensions\": {\"region\": \"us-east4\"}, \"limit\": 8}}]}]}}",
	       &e);
	is_int(e.cls, CLOUD_ERR_INVALID, "QUOTA_EXCEEDED: invalid");
	is_str(e.msg, "quota compute.googleapis.com/cpus exceeded in region "
	       "us-east4 (limit 8): ask for more (IAM & Admin > Quotas) or "
	       "plan fewer or smaller machines", "... quotaInfo named");
	op_err("{\"error\": {\"errors\": [{\"code\": \"QUOTA_EXCEEDED\", "
	       "\"message\": \"Quota 'DISKS_TOTAL_GB' exceeded.  Limit: 4096.0 "
	       "in region europe-west1.\"}]}}", &e);
	is_str(e.msg, "quota DISKS_TOTAL_GB exceeded in region europe-west1 "
	       "(limit 4096): ask for more (IAM & Admin > Quotas) or plan "
	       "fewer or smaller machines", "... or read from the message");
	op_err("{\"error\": {\"errors\": [{\"code\": \"ZONE_RESOURCE_POOL_"
	       "EXHAUSTED\", \"message\": \"The zone 'projects/p/zones/"
	       "asia-east1-a' does not have enough resources available to "
	       "fulfill the request.\"}]}}", &e);
	is_str(e.msg, "zone asia-east1-a does not have enough resources for "
	       "this request now: try another Zone of its region (or again "
	       "later)", "ZONE_RESOURCE_POOL_EXHAUSTED: the zone named");
	op_err("{\"error\": {\"errors\": [{\"code\": \"PERMISSIONS_ERROR\", "
	       "\"message\": \"Required 'compute.disks.create'\"}]}}", &e);
	is_int(e.cls, CLOUD_ERR_AUTH, "a permission error: auth");
	op_err("{\"error\": {\"errors\": [{\"code\": \"RESOURCE_NOT_READY\", "
	       "\"message\": \"not ready\"}]}}", &e);
	is_str(e.msg, "RESOURCE_NOT_READY: not ready", "another code: code and "
	       "words");
	cloud_err_release(&e);
}

static void request_ids(void)
{
	char a[37], b[37], c[37];

	gce_request_id("icm-0123456789abcdef01234567", "M-DM-T-0001", a);
	gce_request_id("icm-0123456789abcdef01234567", "M-DM-T-0001", b);
	gce_request_id("icm-0123456789abcdef01234567", "M-DM-T-0002", c);
	is_str(a, b, "requestId: the same inputs, the same UUID");
	ok(strcmp(a, c), "... another machine, another");
	ok(strlen(a) == 36 && a[8] == '-' && a[13] == '-' && a[14] == '4' &&
	   a[18] == '-' && strchr("89ab", a[19]) && a[23] == '-',
	   "... a version 4 UUID in shape (%s)", a);
}

static void names(void)
{
	cJSON *f = cJSON_CreateObject();
	struct node n = { .name = "X", .role = "DM", .fields = f };
	char *s;

	s = gcp_name("Sample-DATA-TEST_0001.x");
	is_str(s, "sample-data-test-0001-x", "gcp_name");
	free(s);
	s = gcp_zone_region("us-east1-b");
	is_str(s, "us-east1", "a zone's region");
	free(s);
	s = provider_subnet_cidr(&n, 2);
	is_str(s, "10.0.2.0/24", "subnet CIDR without net_subnet_cidr");
	free(s);
	cJSON_AddStringToObject(f, "net_subnet_cidr", "198.18.0.0/24");
	s = provider_subnet_cidr(&n, 0);
	is_str(s, "198.18.0.0/24", "net_subnet_cidr for the first region");
	free(s);
	s = provider_subnet_cidr(&n, 1);
	is_str(s, "198.18.1.0/24", "... the next block for the second");
	free(s);
	cJSON_ReplaceItemInObject(f, "net_subnet_cidr",
				  cJSON_CreateString("10.8.5.9/22"));
	s = provider_subnet_cidr(&n, 1);
	is_str(s, "10.8.8.0/22", "... a /22's base and the block after it");
	free(s);
	cJSON_ReplaceItemInObject(f, "net_subnet_cidr",
				  cJSON_CreateString("255.255.255.0/24"));
	ok(!(s = provider_subnet_cidr(&n, 1)), "... no room past the end: NULL");
	free(s);
	cJSON_ReplaceItemInObject(f, "net_subnet_cidr",
				  cJSON_CreateString("10.0.0.0/31"));
	ok(!(s = provider_subnet_cidr(&n, 0)), "... a /31: refused");
	free(s);
	cJSON_ReplaceItemInObject(f, "net_subnet_cidr",
				  cJSON_CreateString("10.0.0/24"));
	ok(!(s = provider_subnet_cidr(&n, 0)), "... not an address: refused");
	free(s);
	cJSON_Delete(f);
}

int main(void)
{
	http_errors();
	op_errors();
	request_ids();
	names();
	return done_testing();
}
