/*
 * arm.c: one Azure Resource Manager call (token, JSON, retries, the
 * rate-limit headers) and a listing's pages (see arm.h; the long-running
 * operations are lro.c's).
 */
#include "arm.h"
#include "../../crypto/rand.h"
#include "../../state/log.h"
#include "../../util/buf.h"
#include "../../util/str.h"
#include <stdlib.h>

#define SUB_MAX 64			/* a subscription id */
#define ENDPOINT_MAX 512

/* The answer headers a call keeps, in this order. */
enum { CAP_ASYNC, CAP_LOCATION, CAP_RETRY, CAP_WRITES, CAP_READS, NCAPS };
static const char *const cap_names[NCAPS] = {
	"Azure-AsyncOperation", "Location", "Retry-After",
	"x-ms-ratelimit-remaining-subscription-writes",
	"x-ms-ratelimit-remaining-subscription-reads",
};

int arm_send_http(void *arg, struct http_client *c,
		  const struct http_request *req, struct http_response *resp,
		  bool *transient, char **why)
{
	return http_send(c, req, resp, transient, why);
}

static void real_sleep(void *arg, long ms)
{
	http_sleep_ms(ms);
}

int arm_init(struct arm *a, struct az_auth *auth, struct http_client *c,
	     const char *subscription, char **err)
{
	const char *env = getenv(ARM_ENDPOINT_ENV);
	size_t n;

	memset(a, 0, sizeof(*a));
	a->auth = auth;
	a->http = c;
	a->writes_left = a->reads_left = -1;
	a->send = arm_send_http;
	a->sleep_ms = real_sleep;
	a->now_ms = http_now_ms;
	*err = NULL;
	n = subscription ? strlen(subscription) : 0;
	if (!n || n > SUB_MAX ||
	    strspn(subscription, "0123456789abcdefABCDEF-") != n) {
		*err = xstrdup(n ? "SubscriptionId is not a subscription id "
			       "(a GUID: az account show --query id)" :
			       "SubscriptionId is missing (az account show "
			       "--query id)");
		return -1;
	}
	if (env && *env && (strlen(env) > ENDPOINT_MAX ||
			    strpbrk(env, "?# \t\r\n") ||
			    !(str_starts(env, "https://") ||
			      az_loopback_url(env)))) {
		*err = xasprintf("%s is not an https:// URL (ARM's endpoint, "
				 "such as %s)", ARM_ENDPOINT_ENV,
				 ARM_ENDPOINT_DEFAULT);
		return -1;
	}
	a->subscription = xstrdup(subscription);
	a->endpoint = env && *env ? xasprintf("%s%s", env, str_ends(env, "/") ?
					      "" : "/") :
		xstrdup(ARM_ENDPOINT_DEFAULT);
	return 0;
}

void arm_release(struct arm *a)
{
	free(a->endpoint);
	free(a->subscription);
	memset(a, 0, sizeof(*a));
}

/* The URL of path (see arm_call()), or NULL for an absolute URL that is
 * not at the endpoint. */
static char *url_of(const struct arm *a, const char *path,
		    const char *api_version)
{
	const char *sep = strchr(path, '?') ? "&" : "?";
	char *base, *url;

	if (str_starts(path, "http://") || str_starts(path, "https://")) {
		if (strncasecmp(path, a->endpoint, strlen(a->endpoint)))
			return NULL;
		base = xstrdup(path);
	} else if (path[0] == '/') {
		base = xasprintf("%s%s", a->endpoint, path + 1);
	} else {
		base = xasprintf("%ssubscriptions/%s/%s", a->endpoint,
				 a->subscription, path);
	}
	if (!api_version)
		return base;
	url = xasprintf("%s%sapi-version=%s", base, sep, api_version);
	free(base);
	return url;
}

/* A header's whole number of seconds or calls, or -1. */
static long count_of(const char *v)
{
	size_t n = strlen(v);

	if (!n || n > 9 || strspn(v, "0123456789") != n)
		return -1;
	return strtol(v, NULL, 10);
}

/* Retry-After: seconds, or an HTTP date (RFC 9110: IMF-fixdate) made
 * seconds from now (0 when it passed); -1 when neither. */
static long retry_after_of(const char *v, int64_t now_ms)
{
	struct tm tm;
	const char *end;
	time_t t;

	if (count_of(v) >= 0 || !*v)
		return count_of(v);
	memset(&tm, 0, sizeof(tm));
	end = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!end || *end)
		return -1;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	return t * 1000LL > now_ms ? (long)((t * 1000LL - now_ms + 999) / 1000)
		: 0;
}

static void read_headers(const struct http_capture *caps, long status,
			 struct arm_headers *h)
{
	h->status = status;
	snprintf(h->async_op, sizeof(h->async_op), "%s",
		 caps[CAP_ASYNC].value);
	snprintf(h->location, sizeof(h->location), "%s",
		 caps[CAP_LOCATION].value);
	h->retry_after = retry_after_of(caps[CAP_RETRY].value,
					(int64_t)time(NULL) * 1000);
	h->writes_left = count_of(caps[CAP_WRITES].value);
	h->reads_left = count_of(caps[CAP_READS].value);
}

static bool is_read(const char *method)
{
	return !strcmp(method, "GET") || !strcmp(method, "HEAD");
}

/* Waits a while before a call of method's kind when few are left. */
static void pace(struct arm *a, const char *method)
{
	long left = is_read(method) ? a->reads_left : a->writes_left;

	if (left >= 0 && left < ARM_RATE_LOW) {
		debug("ARM: %ld %s left this hour: slowing down", left,
		      is_read(method) ? "reads" : "writes");
		a->sleep_ms(a->sleep_arg, ARM_RATE_PAUSE_MS);
	}
}

/* Before another attempt: Retry-After seconds (capped) when given, else
 * backoff.  0 after the pause, -1 when no attempt or time is left. */
static int pause_to_retry(struct arm *a, struct http_backoff *bo,
			  int64_t deadline, long retry_after)
{
	uint32_t r = 0;
	long delay;

	bo->attempt++;
	if (bo->attempt >= bo->max_attempts)
		return -1;
	if (retry_after >= 0) {
		delay = (retry_after < ARM_RETRY_AFTER_MAX_S ? retry_after :
			 ARM_RETRY_AFTER_MAX_S) * 1000L;
	} else {
		if (rand_bytes(&r, sizeof(r)))
			r = (uint32_t)a->now_ms();
		delay = http_backoff_delay(bo, r);
	}
	if (a->now_ms() + delay > deadline)
		return -1;
	a->sleep_ms(a->sleep_arg, delay);
	return 0;
}

/* One attempt: 0 when an answer came (resp, caps), or -1 with *err and
 * *retry. */
static int attempt(struct arm *a, const char *method, const char *url,
		   const char *body, struct http_capture *caps,
		   struct http_response *resp, bool *retry,
		   struct cloud_err *err)
{
	struct http_header h[3];
	struct http_request req;
	char *token = NULL, *auth = NULL, *why = NULL;
	bool transient = false;
	size_t n = strcspn(url + strlen(a->endpoint), "?");
	int ret = -1;

	*retry = false;
	if (az_token_get(a->auth, a->http, &token, err))
		return -1;
	auth = xasprintf("Bearer %s", token);
	h[0] = (struct http_header){ "Authorization", auth };
	h[1] = (struct http_header){ "Accept", "application/json" };
	h[2] = (struct http_header){ "Content-Type", "application/json" };
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.headers = h;
	req.nheaders = body ? 3 : 2;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	req.captures = caps;
	req.ncaptures = NCAPS;
	a->calls++;
	debug("ARM %s %.*s", method, (int)n, url + strlen(a->endpoint));
	if (a->send(a->send_arg, a->http, &req, resp, &transient, &why)) {
		cloud_err_set(err, transient ? CLOUD_ERR_TRANSIENT :
			      CLOUD_ERR_OTHER, "%s", why);
		*retry = transient;
		goto out;
	}
	ret = 0;
out:
	free(why);
	freezero_str(auth);
	freezero_str(token);
	return ret;
}

/* The answer's JSON into *out (NULL for an empty body). */
static int take_json(const struct http_response *resp, const char *method,
		     const char *path, cJSON **out, struct cloud_err *err)
{
	if (!out || !resp->body.len)
		return 0;
	*out = cJSON_ParseWithLength(resp->body.data, resp->body.len);
	if (*out)
		return 0;
	return cloud_err_set(err, CLOUD_ERR_OTHER, "ARM %s %.200s: the "
			     "answer is not JSON", method, path);
}

int arm_call(struct arm *a, const char *method, const char *path,
	     const char *api_version, const cJSON *body, cJSON **out,
	     struct arm_headers *hdrs, struct cloud_err *err)
{
	struct http_capture caps[NCAPS];
	struct http_response resp;
	struct http_backoff bo;
	struct arm_headers h;
	char *url = url_of(a, path, api_version);
	char *text = body ? cJSON_PrintUnformatted(body) : NULL;
	int64_t deadline;
	long wait_s;
	bool retry, renewed = false;
	size_t i;
	int ret = -1;

	if (out)
		*out = NULL;
	cloud_err_release(err);
	memset(&h, 0, sizeof(h));
	http_response_init(&resp);
	if (body && !text)
		abort();
	if (!url) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "a link outside ARM's "
			      "endpoint %s: %.200s", a->endpoint, path);
		goto out;
	}
	for (i = 0; i < NCAPS; i++)
		caps[i].name = cap_names[i];
	http_backoff_init(&bo, a->budget_ms ? a->budget_ms : ARM_BUDGET_MS);
	deadline = a->now_ms() + (a->budget_ms ? a->budget_ms : ARM_BUDGET_MS);
	pace(a, method);
	for (;;) {
		http_response_release(&resp);
		http_response_init(&resp);
		buf_init(&resp.body, ARM_CAP_BODY);
		wait_s = -1;
		if (attempt(a, method, url, text, caps, &resp, &retry, err)) {
			if (!retry)
				goto out;
		} else {
			read_headers(caps, resp.status, &h);
			if (h.writes_left >= 0)
				a->writes_left = h.writes_left;
			if (h.reads_left >= 0)
				a->reads_left = h.reads_left;
			if (resp.status >= 200 && resp.status <= 299)
				break;
			arm_http_error(resp.status, resp.body.data,
				       resp.body.len, err);
			if (resp.status == 401 && !renewed) {
				/* expired or revoked behind the cache */
				az_token_invalidate(a->auth);
				renewed = true;
				continue;
			}
			retry = http_status_retryable(resp.status) ||
				(resp.status == 409 &&
				 arm_code_retryable(resp.body.data,
						    resp.body.len));
			if (!retry)
				goto out;
			wait_s = h.retry_after;
		}
		if (pause_to_retry(a, &bo, deadline, wait_s)) {
			cloud_err_take(err, err->cls, xasprintf("%s (still "
				       "failing after %d attempts)", err->msg,
				       bo.attempt));
			goto out;
		}
		debug("ARM: attempt %d: %s", bo.attempt, err->msg);
	}
	cloud_err_release(err);
	if (take_json(&resp, method, path, out, err))
		goto out;
	if (hdrs)
		*hdrs = h;
	ret = 0;
out:
	http_response_release(&resp);
	free(url);
	cJSON_free(text);
	return ret;
}

int arm_list(struct arm *a, const char *path, const char *api_version,
	     cJSON **items, struct cloud_err *err)
{
	cJSON *all = cJSON_CreateArray(), *page = NULL, *v, *it;
	char *next = NULL;
	int pages = 0, ret = -1;

	*items = NULL;
	if (!all)
		abort();
	do {
		if (++pages > ARM_PAGES_MAX) {
			cloud_err_set(err, CLOUD_ERR_OTHER, "%.200s: more than "
				      "%d pages", path, ARM_PAGES_MAX);
			goto out;
		}
		cJSON_Delete(page);
		page = NULL;
		/* a nextLink carries its own api-version */
		if (arm_call(a, "GET", next ? next : path,
			     next ? NULL : api_version, NULL, &page, NULL,
			     err))
			goto out;
		free(next);
		next = NULL;
		v = cJSON_DetachItemFromObjectCaseSensitive(page, "value");
		while (cJSON_IsArray(v) && (it = v->child))
			cJSON_AddItemToArray(all,
					     cJSON_DetachItemViaPointer(v, it));
		cJSON_Delete(v);
		if (az_str(page, "nextLink") && *az_str(page, "nextLink"))
			next = xstrdup(az_str(page, "nextLink"));
	} while (next);
	*items = all;
	all = NULL;
	ret = 0;
out:
	cJSON_Delete(all);
	cJSON_Delete(page);
	free(next);
	return ret;
}
