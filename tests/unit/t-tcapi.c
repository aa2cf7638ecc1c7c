/*
 * t-tcapi.c: one Tencent Cloud API call, a listing's pages and a CLB
 * task's wait (provider/tencent/tcapi.h), through a fake transport, a
 * fake clock and a sleep hook that records the pauses (nothing sleeps).
 *
 * - tc_init(): SecretID and SecretKey checked; tc_endpoint(): the default
 *   host, $TENCENTCLOUD_ENDPOINT_<SERVICE>, $TENCENTCLOUD_ENDPOINT (a
 *   loopback URL keeps S.tencentcloudapi.com as Host), plain http
 *   elsewhere refused.
 * - A call: POST /, the X-TC-* headers, the JSON body, a TC3
 *   Authorization that tc3_sign() gives for the same body and time, the
 *   Response returned.
 * - Retries: RequestLimitExceeded and .subcodes, InternalError, 503, a
 *   refused connection; with backoff, until the attempts run out; other
 *   codes not retried.
 * - Every error kind worded: SignatureExpire (seconds ahead / behind
 *   from the Date header; unknown without), SecretIdNotFound,
 *   SignatureFailure, InsufficientBalance, sold out (InstanceType and
 *   Zone), LimitExceeded, InvalidImageId, InvalidParameter(Value),
 *   MissingParameter, UnauthorizedOperation, NotFound, others; a body
 *   that is not JSON; Tencent's words bounded and printable.
 * - tc_list(): Offset/Limit (numbers, or strings), TotalCount;
 *   tc_clb_task_wait(): Status 2 then 0; 1; a deadline.
 * - Once through libcurl to a loopback server forked here (plain http to
 *   127.0.0.1 by TENCENTCLOUD_ENDPOINT): the request line, Host
 *   cvm.tencentcloudapi.com as signed, the answer's Date read for the
 *   clock skew.
 * - The SecretKey in no message, no log line, no request but as its
 *   signature.
 */
#include "icm.h"
#include "provider/tencent/tcapi.h"
#include "provider/tencent/tc3.h"
#include "util/buf.h"
#include "util/report.h"
#include "util/str.h"
#include "tap.h"
#include "testutil.h"
#include <stdlib.h>
#include <sys/wait.h>

#define SID "AKIDunitTestSecretId0123456789"
#define SKEY "unitTestSecretKey-0123456789abc"
#define WHEN ((time_t)1765000000)
#define NANS 16
#define NREQ 16

struct answer {
	long status;
	const char *body;
	const char *date;
};

struct fake {
	struct answer ans[NANS];
	int n, calls;
	char *url[NREQ], *body[NREQ], *hdrs[NREQ];
	bool down;
};

static struct fake F;
static int64_t clock_ms;
static long slept[64];
static int nslept;
static char *messages, *logged;

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

static time_t fake_clock(void)
{
	return WHEN;
}

static void fake_sleep(void *arg, long ms)
{
	if (nslept < (int)ARRAY_SIZE(slept))
		slept[nslept++] = ms;
	clock_ms += ms;
}

static int fake_send(void *arg, struct http_client *c,
		     const struct http_request *req,
		     struct http_response *resp, bool *transient, char **why)
{
	struct fake *f = arg;
	int i = f->calls < f->n ? f->calls : f->n - 1, k = f->calls % NREQ;
	const struct answer *a = &f->ans[i];
	char *h = xstrdup("");
	size_t j;

	f->calls++;
	for (j = 0; j < req->nheaders; j++) {
		char *n = xasprintf("%s%s: %s\n", h, req->headers[j].name,
				    req->headers[j].value);
		free(h);
		h = n;
	}
	free(f->url[k]);
	free(f->body[k]);
	free(f->hdrs[k]);
	f->url[k] = xstrdup(req->url);
	f->body[k] = xstrndup(req->body, req->body_len);
	f->hdrs[k] = h;
	for (j = 0; j < req->ncaptures; j++)
		snprintf(req->captures[j].value, sizeof(req->captures[j].value),
			 "%s", !strcasecmp(req->captures[j].name, "Date") &&
			 a->date ? a->date : "");
	if (f->down) {
		*transient = true;
		*why = xstrdup("Connection refused");
		return -1;
	}
	resp->status = a->status;
	return a->body ? buf_adds(&resp->body, a->body) : 0;
}

static void fake_reset(void)
{
	int i;

	for (i = 0; i < NREQ; i++) {
		free(F.url[i]);
		free(F.body[i]);
		free(F.hdrs[i]);
	}
	memset(&F, 0, sizeof(F));
	nslept = 0;
	clock_ms = 1000000;
}

static struct answer *add(const char *body)
{
	struct answer *a = &F.ans[F.n++];

	memset(a, 0, sizeof(*a));
	a->status = 200;
	a->body = body;
	return a;
}

static void seen(const struct cloud_err *e)
{
	char *m = xasprintf("%s%s\n", messages ? messages : "",
			    e->msg ? e->msg : "");

	free(messages);
	messages = m;
}

static int setup(struct tc *t)
{
	char *err = NULL;
	int ret;

	fake_reset();
	ret = tc_init(t, NULL, SID, SKEY, &err);
	if (ret)
		printf("# %s\n", err);
	free(err);
	t->send = fake_send;
	t->send_arg = &F;
	t->sleep_ms = fake_sleep;
	t->now_ms = fake_now;
	t->clock = fake_clock;
	return ret;
}

static bool has(const char *s, const char *w)
{
	return s && strstr(s, w);
}

static void test_init(void)
{
	struct tc t;
	char *err = NULL, *url = NULL, *host = NULL;

	ok(tc_init(&t, NULL, "", SKEY, &err) && has(err, "SecretID is "
						    "missing"), "no SecretID");
	tc_release(&t);
	free(err);
	ok(tc_init(&t, NULL, "AKID x", SKEY, &err) &&
	   has(err, "SecretID is not"), "a SecretID with a space");
	tc_release(&t);
	free(err);
	ok(tc_init(&t, NULL, SID, "", &err) && has(err, "SecretKey is "
						   "missing"), "no SecretKey");
	tc_release(&t);
	free(err);

	ok(!tc_endpoint("cvm", &url, &host, &err) &&
	   !strcmp(url, "https://cvm.tencentcloudapi.com/") &&
	   !strcmp(host, "cvm.tencentcloudapi.com"), "the default endpoint");
	free(url);
	free(host);
	setenv(TC_ENDPOINT_ENV, "https://127.0.0.1:9443", 1);
	ok(!tc_endpoint("vpc", &url, &host, &err) &&
	   !strcmp(url, "https://127.0.0.1:9443/") &&
	   !strcmp(host, "vpc.tencentcloudapi.com"), "TENCENTCLOUD_ENDPOINT "
	   "to loopback: the URL there, Host the service's real name");
	free(url);
	free(host);
	setenv("TENCENTCLOUD_ENDPOINT_CVM", "cvm.ap-guangzhou."
	       "tencentcloudapi.com", 1);
	ok(!tc_endpoint("cvm", &url, &host, &err) &&
	   !strcmp(url, "https://cvm.ap-guangzhou.tencentcloudapi.com/") &&
	   !strcmp(host, "cvm.ap-guangzhou.tencentcloudapi.com"),
	   "TENCENTCLOUD_ENDPOINT_CVM as a host name (as the SDKs take it) "
	   "wins over TENCENTCLOUD_ENDPOINT");
	free(url);
	free(host);
	setenv("TENCENTCLOUD_ENDPOINT_CVM", "http://cvm.example.net", 1);
	ok(tc_endpoint("cvm", &url, &host, &err) && !url &&
	   has(err, "TENCENTCLOUD_ENDPOINT_CVM is not an https:// URL"),
	   "plain http to another machine: refused");
	free(err);
	setenv("TENCENTCLOUD_ENDPOINT_CVM", "http://127.0.0.1:8080/", 1);
	ok(!tc_endpoint("cvm", &url, &host, &err) &&
	   !strcmp(url, "http://127.0.0.1:8080/") &&
	   !strcmp(host, "cvm.tencentcloudapi.com"), "plain http to "
	   "loopback: taken");
	free(url);
	free(host);
	setenv("TENCENTCLOUD_ENDPOINT_CVM", "https://127.0.0.1:1/x", 1);
	ok(tc_endpoint("cvm", &url, &host, &err) && !url, "a path: refused");
	free(err);
	unsetenv("TENCENTCLOUD_ENDPOINT_CVM");
	unsetenv(TC_ENDPOINT_ENV);
}

static void test_call(void)
{
	struct tc t;
	struct cloud_err e = CLOUD_ERR_INIT;
	struct tc3_request sr;
	struct tc3_result sig;
	cJSON *params = cJSON_Parse("{\"Limit\": 1, \"Filters\": [{\"Name\": "
				    "\"tag:ICM\", \"Values\": [\"d1\"]}]}");
	cJSON *r = NULL;
	char *err = NULL, *want;

	if (setup(&t))
		return;
	add("{\"Response\": {\"TotalCount\": 0, \"InstanceSet\": [], "
	    "\"RequestId\": \"r-1\"}}");
	ok(!tc_call(&t, "cvm", "2017-03-12", "ap-guangzhou",
		    "DescribeInstances", params, &r, &e), "a call");
	ok(r && cJSON_GetObjectItem(r, "RequestId") &&
	   cJSON_GetObjectItem(r, "InstanceSet"), "... the Response");
	cJSON_Delete(r);
	is_str(F.url[0], "https://cvm.tencentcloudapi.com/", "... POST /");
	is_str(F.body[0], "{\"Limit\":1,\"Filters\":[{\"Name\":\"tag:ICM\","
	       "\"Values\":[\"d1\"]}]}", "... the parameters as JSON");
	memset(&sr, 0, sizeof(sr));
	sr.service = "cvm";
	sr.host = "cvm.tencentcloudapi.com";
	sr.payload = F.body[0];
	sr.payload_len = strlen(F.body[0]);
	sr.when = WHEN;
	if (tc3_sign(&sr, SID, SKEY, &sig, &err))
		printf("# %s\n", err);
	want = xasprintf("Authorization: %s\nContent-Type: application/json; "
			 "charset=utf-8\nHost: cvm.tencentcloudapi.com\n"
			 "X-TC-Action: DescribeInstances\nX-TC-Version: "
			 "2017-03-12\nX-TC-Timestamp: 1765000000\n"
			 "X-TC-Language: en-US\nX-TC-Region: ap-guangzhou\n",
			 sig.authorization ? sig.authorization : "?");
	is_str(F.hdrs[0], want, "... the headers, the TC3 signature of that "
	       "body and time");
	free(want);
	tc3_result_release(&sig);
	ok(!has(F.hdrs[0], SKEY) && !has(F.body[0], SKEY),
	   "... the SecretKey not sent");

	fake_reset();
	add("{\"Response\": {\"RequestId\": \"r\"}}");
	ok(!tc_call(&t, "cvm", "2017-03-12", NULL, "DescribeRegions", NULL,
		    NULL, &e) && !strcmp(F.body[0], "{}") &&
	   !has(F.hdrs[0], "X-TC-Region"), "no params, no region: {} and "
	   "no X-TC-Region");

	fake_reset();
	add("{\"Response\": {\"Error\": {\"Code\": \"RequestLimitExceeded\", "
	    "\"Message\": \"too fast\"}, \"RequestId\": \"a\"}}");
	add("{\"Response\": {\"Error\": {\"Code\": \"RequestLimitExceeded."
	    "UinLimitExceeded\", \"Message\": \"uin\"}, \"RequestId\": "
	    "\"b\"}}");
	add("{\"Response\": {\"Error\": {\"Code\": \"InternalError\", "
	    "\"Message\": \"oops\"}, \"RequestId\": \"c\"}}");
	add(NULL)->status = 503;
	add("{\"Response\": {\"RequestId\": \"d\"}}");
	ok(!tc_call(&t, "cvm", "2017-03-12", "ap-guangzhou", "RunInstances",
		    params, NULL, &e) && F.calls == 5 && nslept == 4 &&
	   slept[0] <= HTTP_BACKOFF_BASE_MS * 2 &&
	   slept[3] <= HTTP_BACKOFF_BASE_MS * 16, "RequestLimitExceeded, "
	   ".UinLimitExceeded, InternalError, 503: retried with backoff");
	fake_reset();
	F.down = true;
	add(NULL);
	ok(tc_call(&t, "cvm", "2017-03-12", "ap-guangzhou", "RunInstances",
		   params, NULL, &e) && e.cls == CLOUD_ERR_TRANSIENT &&
	   F.calls > 1 && has(e.msg, "Connection refused") &&
	   has(e.msg, "still failing after"), "a refused connection: "
	   "retried, then the reason");
	seen(&e);
	fake_reset();
	add("{\"Response\": {\"Error\": {\"Code\": \"RequestLimitExceeded\", "
	    "\"Message\": \"too fast\"}, \"RequestId\": \"a\"}}");
	ok(tc_call(&t, "cvm", "2017-03-12", "ap-guangzhou", "RunInstances",
		   params, NULL, &e) && e.cls == CLOUD_ERR_THROTTLED &&
	   F.calls == HTTP_MAX_ATTEMPTS, "a limit that stays: "
	   "HTTP_MAX_ATTEMPTS, then THROTTLED");
	seen(&e);
	fake_reset();
	add("{\"Response\": {\"Error\": {\"Code\": \"ResourceInUse\", "
	    "\"Message\": \"busy\"}, \"RequestId\": \"a\"}}");
	ok(tc_call(&t, "vpc", "2017-03-12", "ap-guangzhou", "DeleteVpc",
		   params, NULL, &e) && F.calls == 1 && e.cls ==
	   CLOUD_ERR_OTHER && has(e.msg, "Tencent vpc DeleteVpc: "
				  "ResourceInUse: busy"),
	   "another code: not retried, Tencent's code and words");
	seen(&e);
	fake_reset();
	add(NULL)->status = 403;
	ok(tc_call(&t, "vpc", "2017-03-12", "ap-guangzhou", "DeleteVpc",
		   params, NULL, &e) && F.calls == 1 &&
	   has(e.msg, "HTTP status 403"), "HTTP 403: not retried");
	seen(&e);
	cJSON_Delete(params);
	tc_release(&t);
}

/* One refusal: code and message for action with params; its class and
 * every want in the message. */
static void refusal(const char *action, const char *params,
		    const char *code, const char *msg, const char *date,
		    enum cloud_err_class cls, const char *want1,
		    const char *want2, const char *what)
{
	struct tc t;
	struct cloud_err e = CLOUD_ERR_INIT;
	cJSON *p = cJSON_Parse(params);
	char *body = xasprintf("{\"Response\": {\"Error\": {\"Code\": \"%s\", "
			       "\"Message\": \"%s\"}, \"RequestId\": "
			       "\"0f1e\"}}", code, msg);

	if (setup(&t))
		return;
	add(body)->date = date;
	ok(tc_call(&t, "cvm", "2017-03-12", "ap-guangzhou", action, p, NULL,
		   &e) && e.cls == cls && has(e.msg, want1) &&
	   (!want2 || has(e.msg, want2)), "%s", what);
	if (e.msg && !(has(e.msg, want1) && (!want2 || has(e.msg, want2))))
		printf("# %s\n", e.msg);
	seen(&e);
	cloud_err_release(&e);
	tc_release(&t);
	cJSON_Delete(p);
	free(body);
}

static void test_errors(void)
{
	const char *run = "{\"InstanceType\": \"S5.LARGE8\", \"ImageId\": "
		"\"img-pi0ii46r\", \"Placement\": {\"Zone\": "
		"\"ap-guangzhou-3\"}}";
	char *longw = xasprintf("%0900d", 7);

	refusal("DescribeInstances", "{}", "AuthFailure.SignatureExpire",
		"Signature expired.", "Sat, 06 Dec 2025 05:36:40 GMT",
		CLOUD_ERR_AUTH, "clock is 600 seconds ahead of Tencent's",
		"NTP", "SignatureExpire: the clock 600 s ahead, from the "
		"answer's Date");
	refusal("DescribeInstances", "{}", "AuthFailure.SignatureExpire",
		"Signature expired.", "Sat, 06 Dec 2025 06:06:40 GMT",
		CLOUD_ERR_AUTH, "1200 seconds behind", NULL,
		"... 1200 s behind");
	refusal("DescribeInstances", "{}", "AuthFailure.SignatureExpire",
		"Signature expired.", NULL, CLOUD_ERR_AUTH,
		"off by more than 5 minutes", NULL,
		"... no Date: by more than 5 minutes");
	refusal("DescribeInstances", "{}", "AuthFailure.SecretIdNotFound",
		"The SecretId is not found", NULL, CLOUD_ERR_AUTH,
		"check SecretID", "AuthFailure.SecretIdNotFound",
		"SecretIdNotFound names SecretID");
	refusal("DescribeInstances", "{}", "AuthFailure.SignatureFailure",
		"The provided credentials could not be validated.", NULL,
		CLOUD_ERR_AUTH, "SecretKey is the one of SecretID", NULL,
		"SignatureFailure names SecretKey and SecretID");
	refusal("RunInstances", run, "FailedOperation.InsufficientBalance",
		"Insufficient balance.", NULL, CLOUD_ERR_INVALID, "top up",
		NULL, "FailedOperation.InsufficientBalance: top up");
	refusal("RunInstances", run, "InsufficientBalance",
		"Insufficient balance.", NULL, CLOUD_ERR_INVALID, "balance is "
		"too low", NULL, "InsufficientBalance: top up");
	refusal("RunInstances", run, "ResourceInsufficient."
		"SpecifiedInstanceType", "The specified type is sold out.",
		NULL, CLOUD_ERR_INVALID, "instance type S5.LARGE8 is sold out "
		"in zone ap-guangzhou-3", "another Zone or InstanceType",
		"sold out: the type, the zone, another one");
	refusal("RunInstances", run, "ResourcesSoldOut.SpecifiedInstanceType",
		"sold out", NULL, CLOUD_ERR_INVALID, "S5.LARGE8 is sold out",
		NULL, "ResourcesSoldOut.*: the same");
	refusal("RunInstances", run, "LimitExceeded.InstanceQuota",
		"The quota of instances is exceeded.", NULL,
		CLOUD_ERR_INVALID, "quota InstanceQuota is reached: ask "
		"Tencent for more", "(LimitExceeded.InstanceQuota: The quota "
		"of instances is exceeded.)",
		"LimitExceeded.*: the quota");
	refusal("RunInstances", run, "InvalidImageId.NotFound",
		"The image is not found.", NULL, CLOUD_ERR_INVALID,
		"image img-pi0ii46r refused (InvalidImageId.NotFound)",
		"check ImageId, or OSName", "InvalidImageId.*: the image");
	refusal("RunInstances", run, "InvalidParameterValue",
		"The value `ap-x` of parameter `Placement.Zone` is invalid",
		NULL, CLOUD_ERR_INVALID, "parameter Placement.Zone refused",
		NULL, "InvalidParameterValue: the name quoted after "
		"\"parameter\"");
	refusal("RunInstances", run, "InvalidParameterValue."
		"InstanceTypeNotFound", "no such type", NULL,
		CLOUD_ERR_INVALID, "parameter InstanceTypeNotFound refused",
		NULL, "InvalidParameterValue.X: X");
	refusal("RunInstances", run, "InvalidParameterConflict",
		"`DataDisks` and `SystemDisk` conflict", NULL,
		CLOUD_ERR_INVALID, "parameter DataDisks refused "
		"(InvalidParameterConflict)", NULL, "InvalidParameter*: the "
		"same");
	refusal("RunInstances", run, "MissingParameter",
		"The request is missing a required parameter `Placement`.",
		NULL, CLOUD_ERR_INVALID, "parameter Placement refused "
		"(MissingParameter)", NULL, "MissingParameter: the parameter");
	refusal("RunInstances", run, "UnauthorizedOperation",
		"not authorized", NULL, CLOUD_ERR_AUTH, "may not call "
		"cvm:RunInstances", "CAM policy", "UnauthorizedOperation: "
		"the action and CAM");
	refusal("TerminateInstances", "{}", "InvalidInstanceId.NotFound",
		"gone", NULL, CLOUD_ERR_NOT_FOUND, "InvalidInstanceId.NotFound",
		NULL, "*.NotFound: NOT_FOUND");
	refusal("DescribeInstances", "{}", "Weird\\nCode", "line1\\nline2 "
		"\\u00e9", NULL, CLOUD_ERR_OTHER, "Weird", NULL,
		"another code: its words up to the line break");
	refusal("DescribeInstances", "{}", "FailedOperation", longw, NULL,
		CLOUD_ERR_OTHER, "FailedOperation: 0000", NULL,
		"900 bytes of words: kept");
	ok(messages && !strstr(messages, "line2") &&
	   !strstr(messages, "\xc3\xa9") && !strstr(messages, longw),
	   "... no line break, no byte outside ASCII, at most "
	   "TC_WORDS_MAX bytes of Tencent's words");
	free(longw);
	{
		struct tc t;
		struct cloud_err e = CLOUD_ERR_INIT;

		if (!setup(&t)) {
			add("<html>bad gateway</html>");
			ok(tc_call(&t, "cvm", "2017-03-12", NULL, "X", NULL,
				   NULL, &e) && has(e.msg, "not JSON"),
			   "a body that is not JSON");
			add("{\"Error\": 1}");
			F.calls = 1;
			ok(tc_call(&t, "cvm", "2017-03-12", NULL, "X", NULL,
				   NULL, &e) && has(e.msg, "no Response"),
			   "JSON without Response");
			seen(&e);
			cloud_err_release(&e);
			tc_release(&t);
		}
	}
}

static void test_list(void)
{
	struct tc t;
	struct cloud_err e = CLOUD_ERR_INIT;
	cJSON *items = NULL, *p = cJSON_Parse("{\"Filters\": []}");
	static char page1[8000];
	size_t n;
	int i;

	if (setup(&t))
		return;
	n = (size_t)snprintf(page1, sizeof(page1), "{\"Response\": "
			     "{\"TotalCount\": 102, \"InstanceSet\": [");
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(page1 + n, sizeof(page1) - n,
				      "%s{\"InstanceId\": \"ins-%d\"}",
				      i ? "," : "", i);
	snprintf(page1 + n, sizeof(page1) - n, "], \"RequestId\": \"p1\"}}");
	add(page1);
	add("{\"Response\": {\"TotalCount\": 102, \"InstanceSet\": "
	    "[{\"InstanceId\": \"ins-100\"}, {\"InstanceId\": \"ins-101\"}], "
	    "\"RequestId\": \"p2\"}}");
	add("{\"Response\": {\"Error\": {\"Code\": \"X\", \"Message\": "
	    "\"a third page was asked for\"}, \"RequestId\": \"p3\"}}");
	ok(!tc_list(&t, "cvm", "2017-03-12", "ap-guangzhou",
		    "DescribeInstances", p, "InstanceSet", false, &items, &e) &&
	   cJSON_GetArraySize(items) == 102 && F.calls == 2,
	   "two pages up to TotalCount 102");
	ok(has(F.body[0], "\"Offset\":0,\"Limit\":100") &&
	   has(F.body[1], "\"Offset\":100,\"Limit\":100") &&
	   has(F.body[1], "\"Filters\":[]"), "... Offset and Limit as "
	   "numbers, the params kept");
	cJSON_Delete(items);
	fake_reset();
	add("{\"Response\": {\"TotalCount\": 1, \"VpcSet\": [{\"VpcId\": "
	    "\"vpc-1\"}], \"RequestId\": \"v\"}}");
	ok(!tc_list(&t, "vpc", "2017-03-12", "ap-guangzhou", "DescribeVpcs",
		    NULL, "VpcSet", true, &items, &e) &&
	   cJSON_GetArraySize(items) == 1 &&
	   has(F.body[0], "\"Offset\":\"0\",\"Limit\":\"100\""),
	   "string paging (DescribeVpcs): \"0\" and \"100\"");
	cJSON_Delete(items);
	fake_reset();
	add("{\"Response\": {\"InstanceSet\": [{\"InstanceId\": \"ins-1\"}], "
	    "\"RequestId\": \"v\"}}");
	ok(!tc_list(&t, "cvm", "2017-03-12", "ap-guangzhou",
		    "DescribeInstances", p, "InstanceSet", false, &items, &e) &&
	   cJSON_GetArraySize(items) == 1 && F.calls == 1,
	   "no TotalCount: a short page ends it");
	cJSON_Delete(items);
	fake_reset();
	add("{\"Response\": {\"Error\": {\"Code\": \"AuthFailure."
	    "SignatureFailure\", \"Message\": \"x\"}, \"RequestId\": "
	    "\"v\"}}");
	ok(tc_list(&t, "cvm", "2017-03-12", "ap-guangzhou",
		   "DescribeInstances", p, "InstanceSet", false, &items, &e) &&
	   !items && e.cls == CLOUD_ERR_AUTH, "a refused page: the error, "
	   "no items");
	seen(&e);
	cloud_err_release(&e);
	cJSON_Delete(p);
	tc_release(&t);
}

static void test_task(void)
{
	struct tc t;
	struct cloud_err e = CLOUD_ERR_INIT;

	if (setup(&t))
		return;
	add("{\"Response\": {\"Status\": 2, \"RequestId\": \"t1\"}}");
	add("{\"Response\": {\"Status\": 2, \"RequestId\": \"t2\"}}");
	add("{\"Response\": {\"Status\": 0, \"RequestId\": \"t3\"}}");
	ok(!tc_clb_task_wait(&t, "ap-guangzhou", "5f0e-task", &e) &&
	   F.calls == 3 && nslept == 2 && slept[0] == TC_TASK_POLL_MS &&
	   has(F.url[0], "https://clb.tencentcloudapi.com/") &&
	   has(F.hdrs[0], "X-TC-Action: DescribeTaskStatus\n") &&
	   has(F.hdrs[0], "X-TC-Version: 2018-03-17\n") &&
	   !strcmp(F.body[0], "{\"TaskId\":\"5f0e-task\"}"),
	   "a CLB task: Status 2, 2, then 0 (DescribeTaskStatus at clb)");
	fake_reset();
	add("{\"Response\": {\"Status\": 1, \"RequestId\": \"t1\"}}");
	ok(tc_clb_task_wait(&t, "ap-guangzhou", "5f0e-task", &e) &&
	   e.cls == CLOUD_ERR_OTHER && has(e.msg, "CLB task 5f0e-task "
					     "failed"), "Status 1: failed");
	seen(&e);
	fake_reset();
	add("{\"Response\": {\"Status\": 2, \"RequestId\": \"t1\"}}");
	t.task_wait_ms = 10000;
	ok(tc_clb_task_wait(&t, "ap-guangzhou", "5f0e-task", &e) &&
	   e.cls == CLOUD_ERR_TRANSIENT && has(e.msg, "still running after "
					       "10 s") && F.calls == 6,
	   "a task that stays: task_wait_ms, then TRANSIENT");
	seen(&e);
	fake_reset();
	add("{\"Response\": {\"RequestId\": \"t1\"}}");
	ok(tc_clb_task_wait(&t, "ap-guangzhou", "5f0e-task", &e) &&
	   has(e.msg, "no Status"), "no Status: an error");
	seen(&e);
	cloud_err_release(&e);
	tc_release(&t);
}

static void test_loopback(void)
{
	struct http_endpoint ep = { .no_proxy = true };
	struct http_client c;
	struct tc t;
	struct cloud_err e = CLOUD_ERR_INIT;
	char tmpl[] = "/tmp/t-tcapi.XXXXXX", *dir = mkdtemp(tmpl);
	char *save = xasprintf("%s/request", dir ? dir : "/nonexistent");
	char *err = NULL, *env, *got = NULL;
	const char *reply = "HTTP/1.1 200 OK\r\nContent-Type: application/"
		"json\r\nDate: Sat, 06 Dec 2025 05:36:40 GMT\r\n"
		"Content-Length: 127\r\nConnection: close\r\n\r\n"
		"{\"Response\": {\"Error\": {\"Code\": \"AuthFailure."
		"SignatureExpire\", \"Message\": \"Signature expired.\"}, "
		"\"RequestId\": \"r-loopback-01\"}}";
	int port = 0, st = -1;
	pid_t pid;

	pid = dir ? serve_once(reply, save, &port) : -1;
	if (pid < 0) {
		ok(0, "a loopback server starts");
		goto out;
	}
	env = xasprintf("http://127.0.0.1:%d", port);
	setenv(TC_ENDPOINT_ENV, env, 1);
	free(env);
	if (http_client_init_for(&c, &ep, &err) ||
	    tc_init(&t, &c, SID, SKEY, &err)) {
		ok(0, "set up: %s", err);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		goto out;
	}
	t.clock = fake_clock;
	t.budget_ms = 1;
	ok(tc_call(&t, "cvm", "2017-03-12", "ap-guangzhou",
		   "DescribeInstances", NULL, NULL, &e) && e.cls ==
	   CLOUD_ERR_AUTH && has(e.msg, "600 seconds ahead"),
	   "through libcurl: the refusal, the skew from the answer's Date");
	seen(&e);
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the server got one whole "
	   "request");
	got = slurp(save);
	ok(got && str_starts(got, "POST / HTTP/1.1\r\n") &&
	   strstr(got, "\r\nHost: cvm.tencentcloudapi.com\r\n") &&
	   strstr(got, "\r\nX-TC-Action: DescribeInstances\r\n") &&
	   strstr(got, "\r\nAuthorization: TC3-HMAC-SHA256 Credential=" SID
		  "/2025-12-06/cvm/tc3_request, SignedHeaders=content-type;"
		  "host, Signature=") && str_ends(got, "\r\n\r\n{}") &&
	   !strstr(got, SKEY), "the request: POST /, Host the service's "
	   "name, the signature, the body {}; no SecretKey");
	free(got);
	cloud_err_release(&e);
	tc_release(&t);
	http_client_release(&c);
out:
	unsetenv(TC_ENDPOINT_ENV);
	free(err);
	if (dir) {
		unlink(save);
		rmdir(dir);
	}
	free(save);
}

int main(void)
{
	unsetenv(TC_ENDPOINT_ENV);
	unsetenv("TENCENTCLOUD_ENDPOINT_CVM");
	unsetenv("TENCENTCLOUD_ENDPOINT_VPC");
	unsetenv("TENCENTCLOUD_ENDPOINT_CLB");
	report_set_sink(log_sink);
	test_init();
	test_call();
	test_errors();
	test_list();
	test_task();
	test_loopback();
	report_set_sink(NULL);
	ok(messages && !strstr(messages, SKEY), "the SecretKey in no message");
	ok(logged && strstr(logged, "Tencent cvm RunInstances ap-guangzhou") &&
	   !strstr(logged, SKEY) && !strstr(logged, "********"),
	   "log lines: the calls, no SecretKey (none ever written)");
	free(messages);
	free(logged);
	fake_reset();
	return done_testing();
}
