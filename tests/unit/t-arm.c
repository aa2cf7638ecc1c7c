/*
 * t-arm.c: one Azure Resource Manager call and its long-running
 * operations (provider/azure/arm.h), through a fake transport, a fake
 * clock and a sleep hook that records the pauses asked for (nothing
 * sleeps for real).
 *
 * - arm_init(): SubscriptionId and ARM_ENDPOINT checked.
 * - A call: its URL (relative to the subscription, to the endpoint, or
 *   absolute at the endpoint; elsewhere refused before anything is sent),
 *   api-version, the bearer token, the JSON body; 429 retried after its
 *   Retry-After (capped), 5xx and AnotherOperationInProgress with
 *   backoff, a 401 with a new token once, a 429 that stays; the
 *   rate-limit headers slowing the next call of their kind.
 * - ARM's errors worded: AuthorizationFailed (action, scope, role),
 *   SkuNotAvailable (Size, Location), QuotaExceeded and
 *   OperationNotAllowed (quota, Location, limit), AllocationFailed,
 *   InvalidParameter (the parameter), InvalidTemplate,
 *   ResourceGroupNotFound, 404 as NOT_FOUND, a code in details, other
 *   words masked; the token in no message.
 * - A listing across pages by nextLink (only at the endpoint).
 * - Long-running operations: Azure-AsyncOperation (InProgress, then
 *   Succeeded; Failed with its error; Canceled), Location (202 until the
 *   result), Retry-After honoured between polls, a deadline, a resume from
 *   the saved URL, a poll URL off the endpoint refused.
 * - Once through libcurl to a loopback server forked here: the request
 *   and the captured answer headers.
 */
#include "icm.h"
#include "provider/azure/arm.h"
#include "util/buf.h"
#include "util/report.h"
#include "util/fs.h"
#include "util/str.h"
#include "tap.h"
#include "testutil.h"
#include <stdlib.h>
#include <sys/wait.h>

#define SUB "6c7e1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
#define EP "https://management.azure.com/"
#define RG EP "subscriptions/" SUB "/resourceGroups/"
#define TOKEN "eyJ0eXAi.arm-unit-token.sig"
#define OP EP "subscriptions/" SUB "/providers/Microsoft.Compute/" \
	"locations/eastus/operations/0f1e2d3c?api-version=2024-07-01"
#define NANS 16

static char *dir;

/* One scripted answer. */
struct answer {
	long status;
	const char *body;
	const char *async_op, *location, *retry_after, *writes, *reads;
};

/* The fake ARM: answers in turn (the last one repeats); what it got. */
struct fake {
	struct answer ans[NANS];
	int n, calls;
	char *method[NANS], *url[NANS], *auth[NANS], *body[NANS];
	bool down;
};

static struct fake F;
static int64_t clock_ms;
static long slept[64];
static int nslept;
static char *messages;			/* every error message seen */
static char *logged;			/* every log line (redacted) */

static void log_sink(const char *text)
{
	char *l = xasprintf("%s%s", logged ? logged : "", text);

	free(logged);
	logged = l;
}

static int64_t fake_now(void)
{
	return clock_ms;
}

static void fake_sleep(void *arg, long ms)
{
	if (nslept < (int)ARRAY_SIZE(slept))
		slept[nslept++] = ms;
	clock_ms += ms;
}

static void put_capture(const struct http_request *req, const char *name,
			const char *value)
{
	size_t i;

	for (i = 0; value && i < req->ncaptures; i++)
		if (!strcasecmp(req->captures[i].name, name))
			snprintf(req->captures[i].value,
				 sizeof(req->captures[i].value), "%s", value);
}

static int fake_send(void *arg, struct http_client *c,
		     const struct http_request *req,
		     struct http_response *resp, bool *transient, char **why)
{
	struct fake *f = arg;
	int i = f->calls < f->n ? f->calls : f->n - 1, k = f->calls % NANS;
	const struct answer *a = &f->ans[i];
	size_t h;

	f->calls++;
	free(f->method[k]);
	free(f->url[k]);
	free(f->auth[k]);
	free(f->body[k]);
	f->method[k] = xstrdup(req->method);
	f->url[k] = xstrdup(req->url);
	f->auth[k] = NULL;
	for (h = 0; h < req->nheaders; h++)
		if (!strcmp(req->headers[h].name, "Authorization"))
			f->auth[k] = xstrdup(req->headers[h].value);
	f->body[k] = req->body ? xstrndup(req->body, req->body_len) : NULL;
	for (h = 0; h < req->ncaptures; h++)
		req->captures[h].value[0] = '\0';
	if (f->down) {
		*transient = true;
		*why = xstrdup("Connection refused");
		return -1;
	}
	put_capture(req, "Azure-AsyncOperation", a->async_op);
	put_capture(req, "Location", a->location);
	put_capture(req, "Retry-After", a->retry_after);
	put_capture(req, "x-ms-ratelimit-remaining-subscription-writes",
		    a->writes);
	put_capture(req, "x-ms-ratelimit-remaining-subscription-reads",
		    a->reads);
	resp->status = a->status;
	return a->body ? buf_adds(&resp->body, a->body) : 0;
}

static void fake_reset(void)
{
	int i;

	for (i = 0; i < NANS; i++) {
		free(F.method[i]);
		free(F.url[i]);
		free(F.auth[i]);
		free(F.body[i]);
	}
	memset(&F, 0, sizeof(F));
	nslept = 0;
	clock_ms = 1000000;
}

static struct answer *add(long status, const char *body)
{
	struct answer *a = &F.ans[F.n++];

	memset(a, 0, sizeof(*a));
	a->status = status;
	a->body = body;
	return a;
}

/* The token endpoint: always a token (counted in the cache). */
static int token_send(void *arg, struct http_client *c,
		      const struct http_request *req,
		      struct http_response *resp, bool *transient, char **why)
{
	resp->status = 200;
	return buf_adds(&resp->body, "{\"access_token\": \"" TOKEN "\", "
			"\"expires_in\": 3599, \"token_type\": \"Bearer\"}");
}

static struct az_auth auth;

static int setup(struct arm *a)
{
	char *err = NULL;
	int ret;

	fake_reset();
	ret = arm_init(a, &auth, NULL, SUB, &err);
	if (ret)
		printf("# %s\n", err);
	free(err);
	a->send = fake_send;
	a->send_arg = &F;
	a->sleep_ms = fake_sleep;
	a->now_ms = fake_now;
	return ret;
}

static void seen(const struct cloud_err *e)
{
	char *m = xasprintf("%s%s\n", messages ? messages : "",
			    e->msg ? e->msg : "");

	free(messages);
	messages = m;
}

static void test_init(void)
{
	struct arm a;
	char *err = NULL;

	ok(arm_init(&a, &auth, NULL, "", &err) && err &&
	   strstr(err, "SubscriptionId is missing"), "no SubscriptionId");
	arm_release(&a);
	free(err);
	ok(arm_init(&a, &auth, NULL, "abc/../x", &err) && err &&
	   strstr(err, "SubscriptionId is not a subscription id"),
	   "a SubscriptionId that is no GUID");
	arm_release(&a);
	free(err);
	setenv(ARM_ENDPOINT_ENV, "http://arm.example.net", 1);
	ok(arm_init(&a, &auth, NULL, SUB, &err) && err &&
	   strstr(err, "ARM_ENDPOINT is not an https:// URL"),
	   "ARM_ENDPOINT over plain http to another machine: refused");
	arm_release(&a);
	free(err);
	setenv(ARM_ENDPOINT_ENV, "http://127.0.0.1.example.net", 1);
	ok(arm_init(&a, &auth, NULL, SUB, &err) && err,
	   "... to a name that only starts like loopback: refused");
	arm_release(&a);
	free(err);
	setenv(ARM_ENDPOINT_ENV, "https://127.0.0.1:9443", 1);
	ok(!arm_init(&a, &auth, NULL, SUB, &err) &&
	   !strcmp(a.endpoint, "https://127.0.0.1:9443/"),
	   "ARM_ENDPOINT taken, with its '/'");
	arm_release(&a);
	unsetenv(ARM_ENDPOINT_ENV);
	ok(!arm_init(&a, &auth, NULL, SUB, &err) &&
	   !strcmp(a.endpoint, ARM_ENDPOINT_DEFAULT), "the default endpoint");
	arm_release(&a);
}

static void test_call(void)
{
	struct arm a;
	struct arm_headers h;
	struct cloud_err e = CLOUD_ERR_INIT;
	cJSON *out = NULL, *body = cJSON_Parse("{\"location\": \"eastus\", "
					       "\"tags\": {\"icm\": \"d1\"}}");
	unsigned ex0;

	if (setup(&a))
		return;
	add(200, "{\"name\": \"rg1\"}")->reads = "11999";
	ok(!arm_call(&a, "GET", "resourceGroups/rg1", "2021-04-01", NULL,
		     &out, &h, &e), "a GET");
	is_str(F.url[0], RG "rg1?api-version=2021-04-01",
	       "... at the subscription, with api-version");
	is_str(F.auth[0], "Bearer " TOKEN, "... the bearer token");
	ok(out && !strcmp(az_str(out, "name"), "rg1"), "... the answer's "
	   "JSON");
	ok(h.status == 200 && h.reads_left == 11999 && h.writes_left == -1 &&
	   h.retry_after == -1 && !arm_lro_pending(&h),
	   "... its headers read");
	is_int((int)a.calls, 1, "one call counted");
	cJSON_Delete(out);

	fake_reset();
	add(201, "{\"name\": \"rg2\"}");
	ok(!arm_call(&a, "PUT", "/subscriptions/" SUB "/resourceGroups/rg2?"
		     "x=1", "2021-04-01", body, NULL, NULL, &e) &&
	   !strcmp(F.url[0], RG "rg2?x=1&api-version=2021-04-01") &&
	   F.body[0] && !strcmp(F.body[0], "{\"location\":\"eastus\","
				"\"tags\":{\"icm\":\"d1\"}}"),
	   "a PUT from the endpoint's root: '&' before api-version, the "
	   "body as JSON");
	fake_reset();
	add(200, NULL);
	ok(!arm_call(&a, "GET", OP, NULL, NULL, &out, NULL, &e) && !out &&
	   !strcmp(F.url[0], OP), "an absolute URL at the endpoint: as "
	   "given, no api-version added; an empty body is NULL");
	fake_reset();
	ok(arm_call(&a, "GET", "https://evil.example/subscriptions/" SUB,
		    NULL, NULL, NULL, NULL, &e) && F.calls == 0 &&
	   e.msg && strstr(e.msg, "a link outside ARM's endpoint"),
	   "an absolute URL elsewhere: refused, nothing sent (the token "
	   "stays)");
	seen(&e);

	fake_reset();
	add(429, "{\"error\": {\"code\": \"TooManyRequests\", \"message\": "
	    "\"slow down\"}}")->retry_after = "7";
	add(200, "{}");
	ok(!arm_call(&a, "GET", "resourceGroups", "2021-04-01", NULL, NULL,
		     NULL, &e) && F.calls == 2 && nslept == 1 &&
	   slept[0] == 7000, "429 with Retry-After: 7: retried after "
	   "7000 ms");
	fake_reset();
	add(429, "{}")->retry_after = "86400";
	add(200, "{}");
	ok(!arm_call(&a, "GET", "resourceGroups", "2021-04-01", NULL, NULL,
		     NULL, &e) && nslept == 1 &&
	   slept[0] == ARM_RETRY_AFTER_MAX_S * 1000L,
	   "a day's Retry-After: capped at ARM_RETRY_AFTER_MAX_S");
	{
		/* an HTTP date 30 s from now (RFC 9110 allows either) */
		static char when[64];
		time_t t = time(NULL) + 30;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		fake_reset();
		add(429, "{}")->retry_after = when;
		add(200, "{}");
		ok(!arm_call(&a, "GET", "resourceGroups", "2021-04-01", NULL,
			     NULL, NULL, &e) && nslept == 1 &&
		   slept[0] >= 29000 && slept[0] <= 31000,
		   "Retry-After as an HTTP date 30 s ahead: retried after "
		   "about 30000 ms (%ld)", nslept ? slept[0] : -1L);
		fake_reset();
		add(429, "{}")->retry_after = "Thu, 01 Jan 1970 00:00:00 GMT";
		add(200, "{}");
		ok(!arm_call(&a, "GET", "resourceGroups", "2021-04-01", NULL,
			     NULL, NULL, &e) && nslept == 1 && slept[0] == 0,
		   "... a date that passed: retried at once");
	}
	fake_reset();
	add(503, "busy");
	add(500, "{\"error\": {\"code\": \"InternalServerError\"}}");
	add(200, "{}");
	ok(!arm_call(&a, "GET", "resourceGroups", "2021-04-01", NULL, NULL,
		     NULL, &e) && F.calls == 3 && nslept == 2 &&
	   slept[0] <= HTTP_BACKOFF_BASE_MS * 2 &&
	   slept[1] <= HTTP_BACKOFF_BASE_MS * 4,
	   "503 and 500 without Retry-After: retried with backoff");
	fake_reset();
	add(409, "{\"error\": {\"code\": \"AnotherOperationInProgress\", "
	    "\"message\": \"Another operation on this or dependent resource "
	    "is in progress.\"}}");
	add(200, "{}");
	ok(!arm_call(&a, "PUT", "resourceGroups/rg/providers/Microsoft."
		     "Network/virtualNetworks/v", "2024-05-01", body, NULL,
		     NULL, &e) && F.calls == 2,
	   "409 AnotherOperationInProgress: retried");
	fake_reset();
	add(409, "{\"error\": {\"code\": \"Conflict\", \"message\": "
	    "\"no\"}}");
	ok(arm_call(&a, "PUT", "resourceGroups/rg", "2021-04-01", body, NULL,
		    NULL, &e) && F.calls == 1, "another 409: not retried");
	seen(&e);
	fake_reset();
	add(429, "{}")->retry_after = "1";
	ok(arm_call(&a, "GET", "resourceGroups", "2021-04-01", NULL, NULL,
		    NULL, &e) && e.cls == CLOUD_ERR_THROTTLED &&
	   F.calls == HTTP_MAX_ATTEMPTS && strstr(e.msg, "(still failing "
						  "after 12 attempts)"),
	   "a 429 that stays: THROTTLED after HTTP_MAX_ATTEMPTS");
	seen(&e);
	fake_reset();
	F.down = true;
	add(0, NULL);
	a.budget_ms = 3000;
	ok(arm_call(&a, "GET", "resourceGroups", "2021-04-01", NULL, NULL,
		    NULL, &e) && e.cls == CLOUD_ERR_TRANSIENT && F.calls >= 2,
	   "no connection: retried, then TRANSIENT within the budget");
	seen(&e);
	a.budget_ms = 0;

	fake_reset();
	ex0 = auth.cache.exchanges;
	add(401, "{\"error\": {\"code\": \"ExpiredAuthenticationToken\", "
	    "\"message\": \"The access token expiry UTC time is earlier than "
	    "current UTC time.\"}}");
	add(200, "{}");
	ok(!arm_call(&a, "GET", "resourceGroups", "2021-04-01", NULL, NULL,
		     NULL, &e) && F.calls == 2 && nslept == 0 &&
	   auth.cache.exchanges == ex0 + 1, "a 401: a new token, once, "
	   "and the call again");
	fake_reset();
	add(401, "{\"error\": {\"code\": \"InvalidAuthenticationToken\", "
	    "\"message\": \"The access token is invalid.\"}}");
	ok(arm_call(&a, "GET", "resourceGroups", "2021-04-01", NULL, NULL,
		    NULL, &e) && F.calls == 2 && e.cls == CLOUD_ERR_AUTH &&
	   strstr(e.msg, "ARM refused the access token "
		  "(InvalidAuthenticationToken)"), "two 401s: AUTH");
	if (e.msg && !strstr(e.msg, "ARM refused"))
		printf("#   %d calls: %s\n", F.calls, e.msg);
	seen(&e);

	fake_reset();
	a.writes_left = a.reads_left = -1;
	add(200, "{}")->writes = "3";
	ok(!arm_call(&a, "PUT", "resourceGroups/rg", "2021-04-01", body, NULL,
		     NULL, &e) && nslept == 0 && a.writes_left == 3,
	   "3 writes left: noted");
	ok(!arm_call(&a, "GET", "resourceGroups/rg", "2021-04-01", NULL, NULL,
		     NULL, &e) && nslept == 0, "... a read goes at once");
	ok(!arm_call(&a, "DELETE", "resourceGroups/rg", "2021-04-01", NULL,
		     NULL, NULL, &e) && nslept == 1 &&
	   slept[0] == ARM_RATE_PAUSE_MS, "... the next write waits "
	   "ARM_RATE_PAUSE_MS first");
	cloud_err_release(&e);
	cJSON_Delete(body);
	arm_release(&a);
	fake_reset();
}

/* One call answered status and body: *e's class and words. */
static void expect(const char *what, long status, const char *body,
		   enum cloud_err_class cls, const char *w1, const char *w2)
{
	struct arm a;
	struct cloud_err e = CLOUD_ERR_INIT;
	bool words;

	if (setup(&a))
		return;
	add(status, body);
	words = arm_call(&a, "PUT", "resourceGroups/rg", "2021-04-01", NULL,
			 NULL, NULL, &e) && e.msg && strstr(e.msg, w1) &&
		(!w2 || strstr(e.msg, w2));
	ok(words && e.cls == cls && F.calls == 1, "%s", what);
	if (!words || e.cls != cls)
		printf("#   got (class %s): %s\n", cloud_err_class_name(e.cls),
		       e.msg ? e.msg : "(no error)");
	seen(&e);
	cloud_err_release(&e);
	arm_release(&a);
}

#define ERR(code, msg) "{\"error\": {\"code\": \"" code "\", " \
	"\"message\": \"" msg "\"}}"

static void test_errors(void)
{
	expect("AuthorizationFailed: the action, the scope, the role", 403,
	       ERR("AuthorizationFailed", "The client '0a1b' with object id "
		   "'0a1b' does not have authorization to perform action "
		   "'Microsoft.Compute/virtualMachines/write' over scope "
		   "'/subscriptions/" SUB "/resourceGroups/rg/providers/"
		   "Microsoft.Compute/virtualMachines/vm1' or the scope is "
		   "invalid. If access was recently granted, please refresh "
		   "your credentials."), CLOUD_ERR_AUTH,
	       "may not do Microsoft.Compute/virtualMachines/write on "
	       "/subscriptions/" SUB "/resourceGroups/rg/providers/Microsoft."
	       "Compute/virtualMachines/vm1", "Contributor");
	expect("LinkedAuthorizationFailed: the action and the linked scope "
	       "lacking", 403, ERR("LinkedAuthorizationFailed", "The client "
				   "'0a1b' has permission to perform action "
				   "'Microsoft.Compute/virtualMachines/write' "
				   "on scope '/subscriptions/" SUB "/vm1'; "
				   "however, it does not have permission to "
				   "perform action(s) 'Microsoft.Network/"
				   "virtualNetworks/subnets/join/action' on "
				   "the linked scope(s) '/subscriptions/" SUB
				   "/subnets/default' (respectively) or the "
				   "linked scope(s) are invalid."),
	       CLOUD_ERR_AUTH, "may not do Microsoft.Network/virtualNetworks/"
	       "subnets/join/action on /subscriptions/" SUB "/subnets/default",
	       NULL);
	expect("SkuNotAvailable: the Size and the Location", 409,
	       ERR("SkuNotAvailable", "The requested VM size for resource "
		   "'Following SKUs have failed for Capacity Restrictions: "
		   "Standard_D2s_v3' is currently not available in location "
		   "'eastus'. Please try another size or deploy to a "
		   "different location or different zone."),
	       CLOUD_ERR_INVALID, "Size Standard_D2s_v3 is not available in "
	       "Location eastus (SkuNotAvailable)", "choose another Size");
	expect("QuotaExceeded: the quota, its Location, limit and usage",
	       409, ERR("QuotaExceeded", "Operation could not be completed "
			"as it results in exceeding approved Total Regional "
			"Cores quota. Additional details - Deployment Model: "
			"Resource Manager, Location: eastus, Current Limit: "
			"10, Current Usage: 8, Additional Required: 4, "
			"(Minimum) New Limit Required: 12."),
	       CLOUD_ERR_INVALID, "quota Total Regional Cores exceeded in "
	       "Location eastus (limit 10, in use 8, 4 more needed) "
	       "(QuotaExceeded)", "ask for more");
	expect("OperationNotAllowed about a quota: the same", 409,
	       ERR("OperationNotAllowed", "Operation could not be completed "
		   "as it results in exceeding approved standardDSv3Family "
		   "Cores quota. Additional details - Deployment Model: "
		   "Resource Manager, Location: westus2, Current Limit: 0, "
		   "Current Usage: 0, Additional Required: 2."),
	       CLOUD_ERR_INVALID, "quota standardDSv3Family Cores exceeded "
	       "in Location westus2 (limit 0", NULL);
	expect("OperationNotAllowed about something else: its words", 409,
	       ERR("OperationNotAllowed", "The operation is not allowed."),
	       CLOUD_ERR_OTHER, "OperationNotAllowed: The operation is not "
	       "allowed.", NULL);
	expect("AllocationFailed: another Size or Zone", 409,
	       ERR("AllocationFailed", "Allocation failed. We do not have "
		   "sufficient capacity for the requested VM size in this "
		   "region."), CLOUD_ERR_INVALID, "try another Size or Zone",
	       "sufficient capacity");
	expect("InvalidParameter: the parameter named", 400,
	       "{\"error\": {\"code\": \"InvalidParameter\", \"message\": "
	       "\"The value of parameter linuxConfiguration.ssh.publicKeys."
	       "keyData is invalid.\", \"target\": \"linuxConfiguration.ssh."
	       "publicKeys.keyData\"}}", CLOUD_ERR_INVALID, "invalid "
	       "linuxConfiguration.ssh.publicKeys.keyData (InvalidParameter)",
	       NULL);
	expect("InvalidTemplate: its words", 400, ERR("InvalidTemplate",
		   "Deployment template validation failed: 'The template "
		   "parameter 'vmSize' is not valid.'."), CLOUD_ERR_INVALID,
	       "InvalidTemplate: Deployment template validation failed",
	       NULL);
	expect("ResourceGroupNotFound: the group named", 404,
	       ERR("ResourceGroupNotFound", "Resource group 'icm-rg' could "
		   "not be found."), CLOUD_ERR_NOT_FOUND, "resource group "
	       "icm-rg does not exist (ResourceGroupNotFound)",
	       "ResourceGroupName");
	expect("ResourceNotFound: NOT_FOUND", 404, ERR("ResourceNotFound",
		   "The Resource 'Microsoft.Compute/virtualMachines/vm9' "
		   "under resource group 'rg' was not found."),
	       CLOUD_ERR_NOT_FOUND, "ResourceNotFound: The Resource", NULL);
	expect("a 404 without a body: NOT_FOUND", 404, NULL,
	       CLOUD_ERR_NOT_FOUND, "HTTP status 404", NULL);
	expect("a known code in details under a wrapper", 400,
	       "{\"error\": {\"code\": \"InvalidTemplateDeployment\", "
	       "\"message\": \"The template deployment failed.\", "
	       "\"details\": [{\"code\": \"SkuNotAvailable\", \"message\": "
	       "\"The requested size for resource 'x' is currently not "
	       "available in location 'westeurope' zones '2' for "
	       "subscription 'y'.\"}]}}", CLOUD_ERR_INVALID, "not available "
	       "in Location westeurope Zone 2", NULL);
	expect("an unknown code: its words, control bytes masked", 400,
	       ERR("Weird\\u001b[1m", "line\\u0007one\\nTrace: x"),
	       CLOUD_ERR_INVALID, "Weird?[1m: line?one", NULL);
	ok(messages && !strstr(messages, "Trace: x"), "... up to the first "
	   "line break");
}

static void test_list(void)
{
	struct arm a;
	struct cloud_err e = CLOUD_ERR_INIT;
	cJSON *items = NULL;

	if (setup(&a))
		return;
	add(200, "{\"value\": [{\"name\": \"a\"}, {\"name\": \"b\"}], "
	    "\"nextLink\": \"" RG "?api-version=2021-04-01&%24skiptoken=x\"}");
	add(200, "{\"value\": [{\"name\": \"c\"}]}");
	ok(!arm_list(&a, "resourceGroups", "2021-04-01", &items, &e) &&
	   cJSON_GetArraySize(items) == 3 && F.calls == 2 &&
	   !strcmp(az_str(cJSON_GetArrayItem(items, 2), "name"), "c"),
	   "a listing: both pages' values, in order");
	is_str(F.url[1], RG "?api-version=2021-04-01&%24skiptoken=x",
	       "... the nextLink as given (its own api-version)");
	cJSON_Delete(items);
	fake_reset();
	add(200, "{\"value\": [], \"nextLink\": \"https://evil.example/"
	    "next\"}");
	ok(arm_list(&a, "resourceGroups", "2021-04-01", &items, &e) &&
	   !items && F.calls == 1 && strstr(e.msg, "outside ARM's endpoint"),
	   "a nextLink off the endpoint: refused, not followed");
	seen(&e);
	cloud_err_release(&e);
	arm_release(&a);
	fake_reset();
}

static void test_lro(void)
{
	struct arm a;
	struct arm_headers h;
	struct cloud_err e = CLOUD_ERR_INIT;
	cJSON *out = NULL;
	struct answer *an;

	if (setup(&a))
		return;
	an = add(201, "{\"properties\": {\"provisioningState\": "
		 "\"Creating\"}}");
	an->async_op = OP;
	an->retry_after = "3";
	add(200, "{\"status\": \"InProgress\"}")->retry_after = "2";
	add(200, "{\"status\": \"InProgress\"}");
	add(200, "{\"status\": \"Succeeded\", \"startTime\": \"x\"}");
	ok(!arm_call(&a, "PUT", "resourceGroups/rg/providers/Microsoft."
		     "Compute/virtualMachines/vm1", "2024-07-01", NULL, NULL,
		     &h, &e) && arm_lro_pending(&h) &&
	   !strcmp(arm_lro_url(&h), OP), "a 201 with Azure-AsyncOperation: "
	   "pending, its URL to keep");
	ok(!arm_lro_wait(&a, &h, &out, &e) && F.calls == 4,
	   "followed: InProgress twice, then Succeeded");
	ok(F.url[1] && !strcmp(F.url[1], OP) && !strcmp(F.url[3], OP) &&
	   !strcmp(F.method[3], "GET") && !strcmp(F.auth[3], "Bearer " TOKEN),
	   "... polled with GETs at the operation's URL as given");
	ok(nslept == 3 && slept[0] == 3000 && slept[1] == 2000 &&
	   slept[2] == ARM_POLL_MS, "... waiting each answer's Retry-After "
	   "(3 s, 2 s), else ARM_POLL_MS");
	ok(out && !strcmp(az_str(out, "status"), "Succeeded"),
	   "... the operation's last answer");
	cJSON_Delete(out);

	fake_reset();
	an = add(202, NULL);
	an->location = EP "subscriptions/" SUB "/operationresults/abc";
	an->retry_after = "1";
	add(202, NULL)->retry_after = "4";
	add(202, NULL);
	add(200, "{\"name\": \"rg\", \"done\": true}");
	ok(!arm_call(&a, "DELETE", "resourceGroups/rg", "2021-04-01", NULL,
		     NULL, &h, &e) && arm_lro_pending(&h) &&
	   !arm_lro_wait(&a, &h, &out, &e) && F.calls == 4 &&
	   !strcmp(F.url[2], EP "subscriptions/" SUB "/operationresults/abc")
	   && nslept == 3 && slept[0] == 1000 && slept[1] == 4000,
	   "a 202 with Location: 202 twice, then the result");
	ok(out && cJSON_IsTrue(cJSON_GetObjectItem(out, "done")),
	   "... the result's JSON");
	cJSON_Delete(out);
	out = NULL;

	fake_reset();
	add(200, "{}");
	ok(!arm_call(&a, "PUT", "resourceGroups/rg", "2021-04-01", NULL, NULL,
		     &h, &e) && !arm_lro_pending(&h) &&
	   !arm_lro_wait(&a, &h, NULL, &e) && F.calls == 1 && nslept == 0,
	   "a 200 without either header: nothing to follow");

	fake_reset();
	an = add(201, "{}");
	an->async_op = OP;
	an->retry_after = "0";
	add(200, "{\"status\": \"Failed\", \"error\": {\"code\": "
	    "\"AllocationFailed\", \"message\": \"Allocation failed. "
	    "Please try reducing the VM size.\"}}");
	ok(!arm_call(&a, "PUT", "resourceGroups/rg/providers/Microsoft."
		     "Compute/virtualMachines/vm1", "2024-07-01", NULL, NULL,
		     &h, &e) && arm_lro_wait(&a, &h, NULL, &e) &&
	   e.cls == CLOUD_ERR_INVALID && strstr(e.msg, "Azure cannot "
						"allocate this VM now "
						"(AllocationFailed)"),
	   "Failed: the operation's error, worded");
	seen(&e);
	fake_reset();
	an = add(202, NULL);
	an->async_op = OP;
	add(200, "{\"status\": \"Canceled\"}");
	ok(!arm_call(&a, "DELETE", "resourceGroups/rg", "2021-04-01", NULL,
		     NULL, &h, &e) && arm_lro_wait(&a, &h, NULL, &e) &&
	   e.cls == CLOUD_ERR_OTHER && strstr(e.msg, "was canceled"),
	   "Canceled: said so");
	seen(&e);

	fake_reset();
	a.lro_wait_ms = 10000;
	an = add(201, NULL);
	an->async_op = OP;
	add(200, "{\"status\": \"InProgress\"}")->retry_after = "3";
	ok(!arm_call(&a, "PUT", "resourceGroups/rg", "2021-04-01", NULL, NULL,
		     &h, &e) && arm_lro_wait(&a, &h, NULL, &e) &&
	   e.cls == CLOUD_ERR_TRANSIENT && strstr(e.msg, "is still not done")
	   && strstr(e.msg, OP) && F.calls == 3 && clock_ms - 1000000 <= 10000,
	   "an operation past lro_wait_ms: TRANSIENT naming its URL, within "
	   "the deadline");
	seen(&e);
	a.lro_wait_ms = 0;

	fake_reset();
	add(200, "{\"status\": \"InProgress\"}")->retry_after = "1";
	add(200, "{\"status\": \"Succeeded\"}");
	ok(!arm_lro_resume(&a, OP, NULL, &e) && F.calls == 2 &&
	   !strcmp(F.url[0], OP) && slept[0] == 0,
	   "resumed from the saved URL: polled at once, to its end");

	fake_reset();
	ok(arm_lro_resume(&a, "https://evil.example/op", NULL, &e) &&
	   F.calls == 0 && strstr(e.msg, "outside ARM's endpoint"),
	   "an operation URL off the endpoint: refused, nothing sent");
	seen(&e);
	cloud_err_release(&e);
	arm_release(&a);
	fake_reset();
}

static void test_loopback(void)
{
	struct http_endpoint ep = { .no_proxy = true };
	struct http_client c;
	struct arm a;
	struct arm_headers h;
	struct cloud_err e = CLOUD_ERR_INIT;
	char *save = xasprintf("%s/request", dir), *err = NULL, *reply, *env;
	char *got;
	int port = 0, st = -1;
	pid_t pid;

	reply = xasprintf("HTTP/1.1 201 Created\r\nContent-Type: application/"
			  "json\r\nAzure-AsyncOperation: %s\r\nRetry-After: "
			  "4\r\nx-ms-ratelimit-remaining-subscription-writes: "
			  "1199\r\nContent-Length: 2\r\nConnection: close\r\n"
			  "\r\n{}", OP);
	pid = serve_once(reply, save, &port);
	free(reply);
	if (pid < 0) {
		ok(0, "a loopback server starts");
		goto out;
	}
	env = xasprintf("http://127.0.0.1:%d", port);
	setenv(ARM_ENDPOINT_ENV, env, 1);
	free(env);
	if (http_client_init_for(&c, &ep, &err) ||
	    arm_init(&a, &auth, &c, SUB, &err)) {
		ok(0, "set up: %s", err);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		goto out;
	}
	ok(!arm_call(&a, "PUT", "resourceGroups/rg", "2021-04-01", NULL, NULL,
		     &h, &e), "through libcurl: a PUT answered 201");
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the server got one whole "
	   "request");
	ok(h.status == 201 && !strcmp(h.async_op, OP) && h.retry_after == 4 &&
	   h.writes_left == 1199 && !h.location[0] && h.reads_left == -1,
	   "the answer's headers captured (http.h's captures)");
	got = slurp(save);
	ok(got && str_starts(got, "PUT /subscriptions/" SUB "/resourceGroups/"
			     "rg?api-version=2021-04-01 HTTP/1.1\r\n"),
	   "the request line");
	ok(got && strstr(got, "\r\nAuthorization: Bearer " TOKEN "\r\n"),
	   "the bearer token");
	free(got);
	cloud_err_release(&e);
	arm_release(&a);
	http_client_release(&c);
out:
	unsetenv(ARM_ENDPOINT_ENV);
	free(err);
	free(save);
}

int main(void)
{
	char tmpl[] = "/tmp/t-arm.XXXXXX", *err = NULL;

	unsetenv(ARM_ENDPOINT_ENV);
	unsetenv(AZ_AUTHORITY_ENV);
	dir = mkdtemp(tmpl);
	if (!dir || az_auth_init(&auth, false, "72f988bf-86f1-41af-91ab-"
				 "2d7cd011db47", "0a1b2c3d", "s3cret-value",
				 &err)) {
		printf("1..0 # SKIP cannot set up: %s\n", err ? err : "");
		return 0;
	}
	auth.send = token_send;
	report_set_sink(log_sink);
	test_init();
	test_call();
	test_errors();
	test_list();
	test_lro();
	test_loopback();
	ok(messages && !strstr(messages, TOKEN) &&
	   !strstr(messages, "s3cret-value"), "no token or secret in any "
	   "message");
	report_set_sink(NULL);
	ok(logged && strstr(logged, "ARM PUT subscriptions/" SUB "/resource"
			    "Groups/rg\n") && !strstr(logged, TOKEN) &&
	   !strstr(logged, "********") && !strstr(logged, "api-version"),
	   "log lines: the calls without their query, nothing redacted (no "
	   "secret was ever written)");
	free(logged);
	az_auth_release(&auth);
	free(messages);
	if (fs_remove_tree(dir))
		printf("# cannot remove %s\n", dir);
	return done_testing();
}
