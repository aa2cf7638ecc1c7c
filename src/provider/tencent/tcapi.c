/*
 * tcapi.c: one Tencent Cloud API call (endpoint, TC3 signature, retries)
 * (see tcapi.h; a listing's pages are tclist.c's, the CLB task wait
 * tctask.c's, the answers' words tcerr.c's).
 */
#include "tcapi.h"
#include "tc3.h"
#include "../../crypto/rand.h"
#include "../../state/log.h"
#include "../../util/secret.h"
#include "../../util/str.h"
#include <ctype.h>

/* The answer header a call keeps: the server's time (clock skew). */
static const char *const cap_date = "Date";

int tc_send_http(void *arg, struct http_client *c,
		 const struct http_request *req, struct http_response *resp,
		 bool *transient, char **why)
{
	return http_send(c, req, resp, transient, why);
}

static void real_sleep(void *arg, long ms)
{
	http_sleep_ms(ms);
}

static time_t real_clock(void)
{
	return time(NULL);
}

int tc_init(struct tc *t, struct http_client *c, const char *secret_id,
	    const char *secret_key, char **err)
{
	size_t n = secret_id ? strlen(secret_id) : 0;

	memset(t, 0, sizeof(*t));
	t->http = c;
	t->send = tc_send_http;
	t->sleep_ms = real_sleep;
	t->now_ms = http_now_ms;
	t->clock = real_clock;
	*err = NULL;
	if (!n || n > TC3_NAME_MAX || strspn(secret_id,
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			"0123456789-_") != n) {
		*err = xstrdup(n ? "SecretID is not a Tencent SecretId "
			       "(letters and digits: CAM > API keys)" :
			       "SecretID is missing (CAM > API keys)");
		return -1;
	}
	if (!secret_key || !*secret_key || strlen(secret_key) > 256) {
		*err = xstrdup(secret_key && *secret_key ? "SecretKey is too "
			       "long for a Tencent SecretKey" : "SecretKey is "
			       "missing (CAM > API keys)");
		return -1;
	}
	secret_register("SecretKey", secret_key);
	t->secret_id = xstrdup(secret_id);
	t->secret_key = xstrdup(secret_key);
	return 0;
}

void tc_release(struct tc *t)
{
	free(t->secret_id);
	freezero_str(t->secret_key);
	memset(t, 0, sizeof(*t));
}

/* True for a host that is this machine (a test's fake). */
static bool loopback_host(const char *h)
{
	return !strcmp(h, "127.0.0.1") || !strcmp(h, "localhost") ||
		!strcmp(h, "::1");
}

/* The host name of a Host value (no port, no brackets), allocated. */
static char *host_name(const char *hostport)
{
	const char *e;

	if (hostport[0] == '[' && (e = strchr(hostport, ']')))
		return xstrndup(hostport + 1, (size_t)(e - hostport - 1));
	return xstrndup(hostport, strcspn(hostport, ":"));
}

int tc_endpoint(const char *service, char **url, char **host, char **err)
{
	char var[64], *h = NULL, *path = NULL, *why = NULL, *name = NULL;
	const char *env;
	size_t i;
	int ret = -1;

	*url = *host = *err = NULL;
	if (!service || !*service || strlen(service) > 32 ||
	    strspn(service, "abcdefghijklmnopqrstuvwxyz0123456789") !=
	    strlen(service)) {
		*err = xstrdup("not a Tencent service name");
		return -1;
	}
	snprintf(var, sizeof(var), "%s", TC_ENDPOINT_ENV_PREFIX);
	for (i = 0; service[i]; i++)
		var[strlen(TC_ENDPOINT_ENV_PREFIX) + i] =
			(char)toupper((unsigned char)service[i]);
	var[strlen(TC_ENDPOINT_ENV_PREFIX) + i] = '\0';
	env = getenv(var);
	if (!env || !*env) {
		snprintf(var, sizeof(var), "%s", TC_ENDPOINT_ENV);
		env = getenv(var);
	}
	if (!env || !*env) {
		*url = xasprintf("https://%s%s/", service, TC_HOST_SUFFIX);
		*host = xasprintf("%s%s", service, TC_HOST_SUFFIX);
		return 0;
	}
	if (strlen(env) > TC_ENDPOINT_MAX || strpbrk(env, "?# \t\r\n@"))
		goto bad;
	*url = strstr(env, "://") ? xasprintf("%s%s", env, str_ends(env, "/")
					      ? "" : "/") :
		xasprintf("https://%s/", env);
	if (http_url_split(*url, &h, &path, &why) || strcmp(path, "/"))
		goto bad;
	name = host_name(h);
	if (!str_starts(*url, "https://") &&
	    !(str_starts(*url, "http://") && loopback_host(name)))
		goto bad;
	*host = loopback_host(name) ? xasprintf("%s%s", service,
						TC_HOST_SUFFIX) :
		xstrdup(name);
	ret = 0;
	goto out;
bad:
	*err = xasprintf("%s is not an https:// URL or a host name (Tencent's "
			 "endpoint, such as %s%s; http:// only to this "
			 "machine)", var, service, TC_HOST_SUFFIX);
	free(*url);
	*url = NULL;
out:
	free(h);
	free(path);
	free(why);
	free(name);
	return ret;
}

/* The seconds of an HTTP Date ("Sun, 06 Dec 2026 21:03:22 GMT"), or -1. */
static time_t http_date(const char *v)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = v && *v ? strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm) : NULL;
	return end && !*end ? timegm(&tm) : (time_t)-1;
}

/* One call's fixed parts. */
struct call {
	const char *service, *version, *region, *action;
	const cJSON *params;
	char *url, *host, *body;
};

/* One signed attempt: 0 when an answer came (resp, *skew), or -1 with
 * *err and *retry. */
static int attempt(struct tc *t, const struct call *k,
		   struct http_response *resp, long *skew, bool *retry,
		   struct cloud_err *err)
{
	struct http_capture cap;
	struct http_header h[8];
	struct http_request req;
	struct tc3_request sr;
	struct tc3_result sig;
	char *why = NULL;
	bool transient = false;
	time_t server;
	size_t n = 0;
	int ret = -1;

	*retry = false;
	memset(&sr, 0, sizeof(sr));
	sr.service = k->service;
	sr.host = k->host;
	sr.payload = k->body;
	sr.payload_len = strlen(k->body);
	sr.when = t->clock();
	if (tc3_sign(&sr, t->secret_id, t->secret_key, &sig, &why)) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "Tencent %s %s: %s",
			      k->service, k->action, why);
		goto out;
	}
	h[n++] = (struct http_header){ "Authorization", sig.authorization };
	h[n++] = (struct http_header){ "Content-Type", TC3_CONTENT_TYPE };
	h[n++] = (struct http_header){ "Host", k->host };
	h[n++] = (struct http_header){ "X-TC-Action", k->action };
	h[n++] = (struct http_header){ "X-TC-Version", k->version };
	h[n++] = (struct http_header){ "X-TC-Timestamp", sig.timestamp };
	h[n++] = (struct http_header){ "X-TC-Language", TC_LANGUAGE };
	if (k->region && *k->region)
		h[n++] = (struct http_header){ "X-TC-Region", k->region };
	memset(&req, 0, sizeof(req));
	memset(&cap, 0, sizeof(cap));
	cap.name = cap_date;
	req.method = "POST";
	req.url = k->url;
	req.headers = h;
	req.nheaders = n;
	req.body = k->body;
	req.body_len = strlen(k->body);
	req.captures = &cap;
	req.ncaptures = 1;
	t->calls++;
	debug("Tencent %s %s %s", k->service, k->action,
	      k->region && *k->region ? k->region : "");
	if (t->send(t->send_arg, t->http, &req, resp, &transient, &why)) {
		cloud_err_set(err, transient ? CLOUD_ERR_TRANSIENT :
			      CLOUD_ERR_OTHER, "Tencent %s %s: %s", k->service,
			      k->action, why);
		*retry = transient;
		goto out;
	}
	server = http_date(cap.value);
	*skew = server == (time_t)-1 ? TC_SKEW_UNKNOWN :
		(long)(sr.when - server);
	ret = 0;
out:
	free(why);
	tc3_result_release(&sig);
	return ret;
}

/* Before another attempt: backoff.  0 after the pause, -1 when no
 * attempt or time is left. */
static int pause_to_retry(struct tc *t, struct http_backoff *bo,
			  int64_t deadline)
{
	uint32_t r = 0;
	long delay;

	bo->attempt++;
	if (bo->attempt >= bo->max_attempts)
		return -1;
	if (rand_bytes(&r, sizeof(r)))
		r = (uint32_t)t->now_ms();
	delay = http_backoff_delay(bo, r);
	if (t->now_ms() + delay > deadline)
		return -1;
	t->sleep_ms(t->sleep_arg, delay);
	return 0;
}

char *tc_request_body(const cJSON *params)
{
	char *text = params ? cJSON_PrintUnformatted(params) : NULL, *b;

	if (params && !text)
		abort();
	b = xstrdup(text ? text : "{}");
	cJSON_free(text);
	return b;
}

int tc_call(struct tc *t, const char *service, const char *version,
	    const char *region, const char *action, const cJSON *params,
	    cJSON **response, struct cloud_err *err)
{
	struct call k = { service, version, region, action, params, NULL,
			  NULL, NULL };
	struct http_response resp;
	struct http_backoff bo;
	long budget = t->budget_ms ? t->budget_ms : TC_BUDGET_MS, skew;
	char *why = NULL;
	int64_t deadline;
	bool retry;
	int ret = -1;

	if (response)
		*response = NULL;
	cloud_err_release(err);
	http_response_init(&resp);
	if (tc_endpoint(service, &k.url, &k.host, &why)) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "Tencent %.40s %.100s: %s",
			      service ? service : "", action, why);
		goto out;
	}
	k.body = tc_request_body(params);
	http_backoff_init(&bo, budget);
	deadline = t->now_ms() + budget;
	for (;;) {
		http_response_release(&resp);
		http_response_init(&resp);
		buf_init(&resp.body, TC_CAP_BODY);
		if (attempt(t, &k, &resp, &skew, &retry, err)) {
			if (!retry)
				goto out;
		} else if (resp.status != 200) {
			cloud_err_set(err, http_status_retryable(resp.status) ?
				      CLOUD_ERR_TRANSIENT : CLOUD_ERR_OTHER,
				      "Tencent %s %s: HTTP status %ld", service,
				      action, resp.status);
			if (!http_status_retryable(resp.status))
				goto out;
		} else if (!tc_answer(service, action, params, resp.body.data,
				      resp.body.len, skew, response, err)) {
			break;
		} else if (err->cls != CLOUD_ERR_THROTTLED &&
			   err->cls != CLOUD_ERR_TRANSIENT) {
			goto out;
		}
		if (pause_to_retry(t, &bo, deadline)) {
			cloud_err_take(err, err->cls, xasprintf("%s (still "
				       "failing after %d attempts)", err->msg,
				       bo.attempt));
			goto out;
		}
		debug("Tencent: attempt %d: %s", bo.attempt, err->msg);
	}
	cloud_err_release(err);
	ret = 0;
out:
	http_response_release(&resp);
	free(why);
	free(k.url);
	free(k.host);
	free(k.body);
	return ret;
}
