/*
 * tcapi.h: Tencent Cloud's API 3.0 without an SDK: one call (TC3 signing,
 * JSON, retries, errors a person can act on), the pages of a Describe*
 * listing, and the wait for a CLB asynchronous task.
 *
 * A call: POST <endpoint>/ with the parameters as a JSON body, headers
 * Content-Type (TC3_CONTENT_TYPE), Host, X-TC-Action, X-TC-Version,
 * X-TC-Timestamp, X-TC-Region (when a region is given), X-TC-Language
 * (en-US: English messages) and Authorization (tc3.h, signed again for
 * every attempt).  Tencent answers HTTP 200 with {"Response": {...,
 * "RequestId"}}, or {"Response": {"Error": {"Code", "Message"},
 * "RequestId"}} for a refusal.
 *
 * Endpoint of service S: $TENCENTCLOUD_ENDPOINT_<S> (S upper-case: a host
 * name as the SDKs take it, or an https:// URL), else $TC_ENDPOINT_ENV
 * (every service: the tests' fake), else https://S.tencentcloudapi.com/.
 * An override is https://, or http:// to this machine only.  The Host
 * header sent and signed is the URL's host name, except for a URL to this
 * machine: then S.tencentcloudapi.com, as an SDK whose connection is
 * redirected sends it (the fake checks the signature over it).
 *
 * Retries, within budget_ms (TC_BUDGET_MS) and HTTP_MAX_ATTEMPTS:
 * RequestLimitExceeded and its RequestLimitExceeded.* subcodes
 * (CLOUD_ERR_THROTTLED), InternalError and InternalError.*
 * (CLOUD_ERR_TRANSIENT), a retryable HTTP status (429, 5xx) and a
 * connection that failed, with http_backoff's delays.  Only calls that are
 * safe to repeat should be made with these (RunInstances carries a
 * ClientToken).
 *
 * Errors (tcerr.c), each "Tencent <service> <Action>: ..." and class:
 *   AuthFailure.SignatureExpire: the clock, by how much it is off
 *     (from the answer's Date header) (AUTH);
 *   AuthFailure.SecretIdNotFound / .InvalidSecretId: check SecretID;
 *     AuthFailure.SignatureFailure: SecretKey does not go with SecretID
 *     (AUTH);
 *   UnauthorizedOperation(.*) / AuthFailure.UnauthorizedOperation: the
 *     action and the CAM policy to grant (AUTH);
 *   InsufficientBalance / FailedOperation.InsufficientBalance /
 *     InvalidAccount.InsufficientBalance: top up (INVALID);
 *   ResourceInsufficient.SpecifiedInstanceType / ResourcesSoldOut(.*) /
 *     ResourceInsufficient.ZoneSoldOut*: InstanceType and Zone from the
 *     request, another zone or type (INVALID);
 *   LimitExceeded(.*): the quota (INVALID);
 *   InvalidImageId(.*): the ImageId, OSName (INVALID);
 *   InvalidParameter* (InvalidParameterValue.* ...) / MissingParameter:
 *     the parameter (the `name` the message quotes after "parameter ",
 *     else the first it quotes, else the subcode)
 *     (INVALID);
 *   *NotFound*: NOT_FOUND; others: Tencent's code and words (OTHER).
 * Tencent's words are quoted printable (other bytes '?'), on one line,
 * at most TC_WORDS_MAX bytes.  No message ever holds the SecretKey.
 *
 * Threads: one struct tc per thread (it holds the thread's http_client).
 */
#ifndef ICM_PROVIDER_TENCENT_TCAPI_H
#define ICM_PROVIDER_TENCENT_TCAPI_H

#include "../../icm.h"
#include "../../cloud/err.h"
#include "../../cloud/http.h"
#include "../../cloud/oauth.h"
#include <cjson/cJSON.h>

#define TC_HOST_SUFFIX ".tencentcloudapi.com"
#define TC_ENDPOINT_ENV "TENCENTCLOUD_ENDPOINT"	/* every service */
#define TC_ENDPOINT_ENV_PREFIX "TENCENTCLOUD_ENDPOINT_"	/* + CVM, VPC */
#define TC_LANGUAGE "en-US"
#define TC_CAP_BODY (16u << 20)		/* one answer */
#define TC_BUDGET_MS 300000L		/* one call with its retries */
#define TC_WORDS_MAX 400		/* Tencent's words in a message */
#define TC_ENDPOINT_MAX 512
#define TC_PAGE_LIMIT 100		/* Limit of a Describe* page */
#define TC_PAGES_MAX 1000		/* pages of one listing */
#define TC_TASK_POLL_MS 2000L		/* between DescribeTaskStatus */
#define TC_TASK_WAIT_MS (10 * 60 * 1000L)	/* one CLB task */
#define TC_CLB_VERSION "2018-03-17"
#define TC_SKEW_UNKNOWN LONG_MIN

/* One request and its answer (tests replace it); as oauth_send_fn. */
typedef oauth_send_fn tc_send_fn;
/* http_send() with its worded reasons. */
tc_send_fn tc_send_http;

struct tc {
	char *secret_id;
	char *secret_key;		/* secret_register()ed; wiped by
					   tc_release() */
	struct http_client *http;	/* the caller's (this thread's) */
	unsigned calls;			/* requests sent (bench, tests) */
	long budget_ms;			/* one call (0: TC_BUDGET_MS) */
	long task_wait_ms;		/* one CLB task (0: TC_TASK_WAIT_MS) */
	/* test hooks: */
	tc_send_fn *send;		/* tc_send_http unless set */
	void *send_arg;
	void (*sleep_ms)(void *arg, long ms);	/* http_sleep_ms */
	void *sleep_arg;
	int64_t (*now_ms)(void);	/* http_now_ms (deadlines) */
	time_t (*clock)(void);		/* the signing time: time(NULL) */
};

/*
 * Sets up *t with SecretID and SecretKey (copied; the key is registered
 * as a secret) and c (the caller's; it must outlive *t).  0, or -1 with
 * one line in *err naming SecretID or SecretKey; tc_release() either way.
 */
int tc_init(struct tc *t, struct http_client *c, const char *secret_id,
	    const char *secret_key, char **err) WARN_UNUSED;
/* Wipes the key and frees what *t holds. */
void tc_release(struct tc *t);

/*
 * The endpoint of service (see above): *url (ends with '/') and *host,
 * the Host header to send and sign; both allocated.  0, or -1 with *err
 * naming the environment variable.
 */
int tc_endpoint(const char *service, char **url, char **host,
		char **err) WARN_UNUSED;

/*
 * One call: action (version) of service in region (NULL or "": none) with
 * params (a JSON object; NULL: {}).  0 with the answer's Response object
 * in *response (when not NULL; the caller cJSON_Delete()s it), or -1 with
 * *err (see above).
 */
int tc_call(struct tc *t, const char *service, const char *version,
	    const char *region, const char *action, const cJSON *params,
	    cJSON **response, struct cloud_err *err) WARN_UNUSED;

/* The JSON body of a call with params (NULL: "{}"), as tc_call() sends
 * and signs it (allocated). */
char *tc_request_body(const cJSON *params);

/*
 * A Describe* listing: tc_call() with params plus Offset and Limit
 * (TC_PAGE_LIMIT), page after page (at most TC_PAGES_MAX), the items of
 * the answer's array set ("InstanceSet", "VpcSet") appended into *items
 * (a new array; the caller cJSON_Delete()s it), until TotalCount items
 * came (or a page came short when there is no TotalCount).  string_paging:
 * Offset and Limit as strings (VPC's DescribeVpcs and DescribeSubnets
 * take them so).  0, or -1 with *err.
 */
int tc_list(struct tc *t, const char *service, const char *version,
	    const char *region, const char *action, const cJSON *params,
	    const char *set, bool string_paging, cJSON **items,
	    struct cloud_err *err) WARN_UNUSED;

/*
 * Waits for CLB's asynchronous task task_id (an asynchronous CLB action's
 * RequestId) in region: DescribeTaskStatus every TC_TASK_POLL_MS until
 * its Status is 0 (done: 0 returned) or 1 (failed: -1, CLOUD_ERR_OTHER,
 * the task named), at most task_wait_ms (then -1, CLOUD_ERR_TRANSIENT).
 */
int tc_clb_task_wait(struct tc *t, const char *region, const char *task_id,
		     struct cloud_err *err) WARN_UNUSED;

/* tcerr.c */
/*
 * A 200 answer's body for service's action (called with params, whose
 * InstanceType, Placement.Zone and ImageId name what a refusal is about):
 * 0 with its Response object detached into *response (when not NULL), or
 * -1 with *err: its Error worded (see above), or CLOUD_ERR_OTHER when the
 * body is not JSON or has no Response.  skew_s: how many seconds the
 * request's timestamp was ahead of the answer's time (TC_SKEW_UNKNOWN:
 * no time came).  body may be NULL.
 */
int tc_answer(const char *service, const char *action, const cJSON *params,
	      const char *body, size_t len, long skew_s, cJSON **response,
	      struct cloud_err *err) WARN_UNUSED;
/* The text of s for a message (allocated): up to its first line break,
 * other bytes that are not printable ASCII as '?', at most max bytes. */
char *tc_words(const char *s, size_t max);

#endif
