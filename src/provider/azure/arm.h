/*
 * arm.h: Azure Resource Manager's REST API without an SDK: one call
 * (bearer token, JSON, api-version, retries, errors) and the long-running
 * operations PUTs and DELETEs start.
 *
 * A call: METHOD {endpoint}{path}?api-version=V with Authorization:
 * Bearer (auth.h) and a JSON body.
 * - 429: retried after its Retry-After (seconds or an HTTP date, at most
 *   ARM_RETRY_AFTER_MAX_S), else with backoff; 5xx, a connection that
 *   failed and AnotherOperationInProgress: retried with backoff; a 401
 *   gets a new token once; all within ARM_BUDGET_MS or
 *   HTTP_MAX_ATTEMPTS.
 * - x-ms-ratelimit-remaining-subscription-writes / -reads: when fewer
 *   than ARM_RATE_LOW remain, the next call of that kind waits
 *   ARM_RATE_PAUSE_MS first.
 * - ARM's error body {"error": {"code", "message", "target", "details":
 *   [...]}} becomes a cloud_err (armerr.c) a person can act on:
 *   AuthorizationFailed names the action and the scope and the role to
 *   give; SkuNotAvailable the Size and Location; QuotaExceeded and
 *   OperationNotAllowed (a quota) the quota, its Location and limit;
 *   AllocationFailed says to try another Size or Zone; InvalidParameter
 *   and the other validation errors the parameter; ResourceGroupNotFound
 *   the group; 404 is CLOUD_ERR_NOT_FOUND.  Microsoft's words are quoted
 *   printable and bounded.
 *
 * Long-running operations (ARM's async pattern): an answer with
 * Azure-AsyncOperation is followed there (GET: {"status": "InProgress"}
 * until Succeeded, Failed or Canceled, with its "error"); else a 202 with
 * Location is followed there (202 until done; then 200/201/204 with the
 * result).  Polls wait the answer's Retry-After (else ARM_POLL_MS), all
 * within the struct's lro_wait_ms.  The URL polled can be saved
 * (arm_lro_url()) and followed again by a later process
 * (arm_lro_resume()): a provision killed mid-poll follows the same
 * operation.  Absolute URLs (these headers) are followed only at the
 * endpoint: the token never goes elsewhere.
 *
 * Threads: one struct arm per thread (it holds the thread's
 * http_client); the struct az_auth is shared (it locks).
 */
#ifndef ICM_PROVIDER_AZURE_ARM_H
#define ICM_PROVIDER_AZURE_ARM_H

#include "../../icm.h"
#include "auth.h"

#define ARM_ENDPOINT_DEFAULT "https://management.azure.com/"
#define ARM_ENDPOINT_ENV "ARM_ENDPOINT"	/* the tests' fake ARM */
#define ARM_CAP_BODY (16u << 20)	/* one answer */
#define ARM_BUDGET_MS 300000L		/* one call with its retries */
#define ARM_RETRY_AFTER_MAX_S 120	/* a longer Retry-After is cut */
#define ARM_POLL_MS 5000L		/* between polls without Retry-After */
#define ARM_LRO_WAIT_MS (30 * 60 * 1000L)	/* one operation */
#define ARM_RATE_LOW 10			/* remaining calls deemed low */
#define ARM_RATE_PAUSE_MS 2000L		/* the pause when they are */
#define ARM_WORDS_MAX 400		/* Microsoft's words in a message */
#define ARM_PAGES_MAX 1000		/* pages of one listing */

/* What a call's answer said in its headers (arm_call()'s hdrs). */
struct arm_headers {
	long status;
	char async_op[HTTP_CAPTURE_MAX];	/* Azure-AsyncOperation, or "" */
	char location[HTTP_CAPTURE_MAX];	/* Location, or "" */
	long retry_after;		/* seconds, -1 when none */
	long writes_left, reads_left;	/* x-ms-ratelimit-remaining-
					   subscription-*, -1 when none */
};

/* One request and its answer (tests replace it); as oauth_send_fn. */
typedef oauth_send_fn arm_send_fn;
/* http_send() with its worded reasons. */
arm_send_fn arm_send_http;

struct arm {
	char *endpoint;			/* ends with '/' */
	char *subscription;		/* SubscriptionId */
	struct http_client *http;	/* the caller's (this thread's) */
	struct az_auth *auth;		/* shared */
	unsigned calls;			/* requests sent (bench, tests) */
	long budget_ms;			/* one call (0: ARM_BUDGET_MS) */
	long lro_wait_ms;		/* one operation (0: ARM_LRO_WAIT_MS) */
	long writes_left, reads_left;	/* the last answer's, -1 unknown */
	/* test hooks: */
	arm_send_fn *send;		/* arm_send_http unless set */
	void *send_arg;
	void (*sleep_ms)(void *arg, long ms);	/* http_sleep_ms */
	void *sleep_arg;
	int64_t (*now_ms)(void);	/* http_now_ms (deadlines) */
};

/*
 * Sets up *a for subscription (a GUID) with auth and c (both the
 * caller's, they must outlive *a).  The endpoint is $ARM_ENDPOINT when set
 * (https://, or http:// to loopback), else ARM_ENDPOINT_DEFAULT.  0, or -1
 * with one line in *err naming SubscriptionId or ARM_ENDPOINT;
 * arm_release() either way.
 */
int arm_init(struct arm *a, struct az_auth *auth, struct http_client *c,
	     const char *subscription, char **err) WARN_UNUSED;
void arm_release(struct arm *a);

/*
 * One call: method on path with ?api-version=api_version (NULL: none, the
 * path has its own), body (NULL: none).  path is relative to the
 * subscription ("resourceGroups/rg"), or to the endpoint when it starts
 * with '/' ("/subscriptions/<id>/providers"), or an absolute URL at the
 * endpoint.  0 with the answer's JSON in *out (when out is not NULL; NULL
 * for an empty body; the caller cJSON_Delete()s it) and its headers in
 * *hdrs (when not NULL), or -1 with *err (see above).
 */
int arm_call(struct arm *a, const char *method, const char *path,
	     const char *api_version, const cJSON *body, cJSON **out,
	     struct arm_headers *hdrs, struct cloud_err *err) WARN_UNUSED;

/*
 * A listing: GET path (as arm_call()) and every page after it by its
 * nextLink (at the endpoint only, at most ARM_PAGES_MAX pages), their
 * "value" items appended into *items (a new array; the caller
 * cJSON_Delete()s it).  0, or -1 with *err.
 */
int arm_list(struct arm *a, const char *path, const char *api_version,
	     cJSON **items, struct cloud_err *err) WARN_UNUSED;

/* True if the answer hdrs describes started a long-running operation. */
bool arm_lro_pending(const struct arm_headers *hdrs);
/* The URL to poll for it (Azure-AsyncOperation, else Location), or NULL;
 * points into hdrs.  What a journal keeps to resume. */
const char *arm_lro_url(const struct arm_headers *hdrs);

/*
 * Follows the operation hdrs started to its end (nothing to do when none
 * started).  0 when it succeeded, with the last answer's JSON in *out
 * (when out is not NULL; NULL for an empty body): the Location pattern's
 * result, or Azure-AsyncOperation's last status (GET the resource for its
 * state then), or -1 with *err:
 * its "error" as arm_call() words errors (class as the code says) when
 * it Failed, CLOUD_ERR_OTHER when Canceled, CLOUD_ERR_TRANSIENT when
 * lro_wait_ms passed first (the URL is named: resume it).
 */
int arm_lro_wait(struct arm *a, const struct arm_headers *hdrs, cJSON **out,
		 struct cloud_err *err) WARN_UNUSED;
/* The same from a saved URL (arm_lro_url()'s), in this process or
 * another. */
int arm_lro_resume(struct arm *a, const char *url, cJSON **out,
		   struct cloud_err *err) WARN_UNUSED;

/*
 * One poll of the operation at url (several run side by side: the
 * provider's waits): *done false while it runs, with *retry_after the
 * answer's Retry-After (seconds, -1 none); done: 0 with *out as
 * arm_lro_wait()'s.  -1 with *err when it Failed or was Canceled (as
 * arm_lro_wait()) or the poll failed.
 */
int arm_lro_poll(struct arm *a, const char *url, bool *done,
		 long *retry_after, cJSON **out, struct cloud_err *err)
	WARN_UNUSED;
/* The pause before a poll for a Retry-After of retry_after seconds (-1:
 * none): ARM_POLL_MS, or it capped at ARM_RETRY_AFTER_MAX_S. */
long arm_poll_delay_ms(long retry_after);

/* armerr.c */
/*
 * An error answer (status, ARM's body) as *err: its class and a line for
 * a person (see above).  Returns -1.  body may be NULL or not JSON.
 */
int arm_http_error(long status, const char *body, size_t len,
		   struct cloud_err *err);
/* An "error" object ({"code", "message", "target", "details"}: a failed
 * operation's) as *err; status 0 when none.  Returns -1. */
int arm_error_obj(const cJSON *error, long status, struct cloud_err *err);
/* True for an error code worth retrying (AnotherOperationInProgress,
 * RetryableError, ...). */
bool arm_code_retryable(const char *body, size_t len);

#endif
