/*
 * compute.c: one Compute Engine API call (token, JSON, retries), the
 * operations an insert or a delete answers with, paginated listings, and
 * requestIds (see gcp.h).
 */
#include "gcp.h"
#include "../../cloud/sigv4.h"
#include "../../state/log.h"
#include "../../util/buf.h"
#include "../../util/str.h"
#include <bearssl.h>
#include <time.h>

#define GCE_CAP_BODY (16u << 20)	/* one answer (a page of a listing) */
#define GCE_PAGES_MAX 1000		/* pages of one listing */

/* The URL of path at the session's endpoint.  An absolute link (an
 * operation's selfLink) is taken from its "projects/..." on, so the token
 * only ever goes to the endpoint; NULL when it has none. */
static char *url_of(const struct gcp *g, const char *path, const char *query)
{
	const char *sep = query ? (strchr(path, '?') ? "&" : "?") : "";

	if (str_starts(path, "http://") || str_starts(path, "https://")) {
		path = strstr(path, "/projects/");
		if (!path)
			return NULL;
		path++;
	}
	if (str_starts(path, "projects/"))
		return xasprintf("%s%s%s%s", g->endpoint, path, sep,
				 query ? query : "");
	return xasprintf("%s%s%s%s", g->base, path, sep, query ? query : "");
}

/* The path of a URL for the log line (no query: it may be long). */
static void log_call(const char *method, const char *url, const struct gcp *g)
{
	const char *p = str_starts(url, g->base) ? url + strlen(g->base) :
		str_starts(url, g->endpoint) ? url + strlen(g->endpoint) : url;
	size_t n = strcspn(p, "?");

	debug("GCE %s %.*s", method, (int)n, p);
}

/* One attempt.  0 with the answer in resp, or -1 with *err and *retry. */
static int attempt(struct gcp *g, const char *method, const char *url,
		   const char *body, struct http_response *resp, bool *retry,
		   struct cloud_err *err)
{
	struct http_header h[3];
	struct http_request req;
	char *token = NULL, *auth = NULL, *why = NULL;
	bool transient = false;
	int ret = -1;

	*retry = false;
	if (gcp_token_get(&g->auth, &g->http, &token, err)) {
		*retry = false;
		return -1;
	}
	auth = xasprintf("Bearer %s", token);
	h[0] = (struct http_header){ "Authorization", auth };
	h[1] = (struct http_header){ "Content-Type", "application/json" };
	h[2] = (struct http_header){ "Accept", "application/json" };
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.headers = h;
	req.nheaders = ARRAY_SIZE(h);
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	g->calls++;
	log_call(method, url, g);
	if (http_send(&g->http, &req, resp, &transient, &why)) {
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

int gce_call(struct gcp *g, const char *method, const char *path,
	     const char *query, const cJSON *body, cJSON **out,
	     struct cloud_err *err)
{
	struct http_response resp;
	struct http_backoff bo;
	char *url = url_of(g, path, query);
	char *text = body ? cJSON_PrintUnformatted(body) : NULL;
	bool retry, renewed = false;
	int ret = -1;

	if (out)
		*out = NULL;
	cloud_err_release(err);
	if (body && !text)
		abort();
	if (!url) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "a link outside the "
			      "Compute Engine API: %.200s", path);
		goto out;
	}
	http_backoff_init(&bo, 0);
	for (;;) {
		http_response_init(&resp);
		buf_init(&resp.body, GCE_CAP_BODY);
		if (attempt(g, method, url, text, &resp, &retry, err))
			goto failed;
		if (resp.status >= 200 && resp.status <= 299)
			break;
		gce_http_error(resp.status, resp.body.data, resp.body.len,
			       err);
		if (resp.status == 401 && !renewed) {
			/* expired or revoked behind the cache's back */
			gcp_token_invalidate(&g->auth);
			renewed = true;
			http_response_release(&resp);
			continue;
		}
		retry = http_status_retryable(resp.status) ||
			(resp.status == 403 &&
			 gce_rate_limited(resp.body.data, resp.body.len));
failed:
		http_response_release(&resp);
		if (!retry)
			goto out;
		if (http_backoff_wait(&bo)) {
			cloud_err_take(err, err->cls, xasprintf("%s (still "
				       "failing after %d attempts)", err->msg,
				       bo.attempt));
			goto out;
		}
		debug("GCE: attempt %d: %s", bo.attempt, err->msg);
	}
	cloud_err_release(err);
	if (out && resp.body.len) {
		*out = cJSON_ParseWithLength(resp.body.data, resp.body.len);
		if (!*out) {
			cloud_err_set(err, CLOUD_ERR_OTHER, "%s %s: the answer "
				      "is not JSON", method, path);
			http_response_release(&resp);
			goto out;
		}
	}
	http_response_release(&resp);
	ret = 0;
out:
	free(url);
	cJSON_free(text);
	return ret;
}

int gce_op_wait(struct gcp *g, const cJSON *op, struct cloud_err *err)
{
	cJSON *cur = NULL;
	const cJSON *o = op;
	const char *self = gcp_str(op, "selfLink");
	char *link = self ? xstrdup(self) : NULL;
	int64_t end = http_now_ms() + GCE_WAIT_MS;
	int ret = -1;

	while (o && strcmp(gcp_str(o, "status") ?: "", "DONE")) {
		char *wait;

		if (!link) {
			cloud_err_set(err, CLOUD_ERR_OTHER, "an operation "
				      "without a selfLink");
			goto out;
		}
		if (http_now_ms() > end) {
			cloud_err_set(err, CLOUD_ERR_TRANSIENT, "operation %s "
				      "still not done after %ld minutes",
				      gcp_str(o, "name") ?: "?",
				      GCE_WAIT_MS / 60000);
			goto out;
		}
		/* operations.wait answers when DONE, or after up to 2
		 * minutes with the operation as it is */
		wait = xasprintf("%s/wait", link);
		cJSON_Delete(cur);
		cur = NULL;
		if (gce_call(g, "POST", wait, NULL, NULL, &cur, err)) {
			free(wait);
			goto out;
		}
		free(wait);
		o = cur;
		if (o && strcmp(gcp_str(o, "status") ?: "", "DONE"))
			http_sleep_ms(GCE_POLL_MS);
	}
	ret = o ? gce_op_error(o, err) : 0;
out:
	cJSON_Delete(cur);
	free(link);
	return ret;
}

/* Appends a list answer's items (or an aggregated one's, flattened) to
 * all. */
static void take_items(cJSON *all, cJSON *page)
{
	cJSON *items = cJSON_DetachItemFromObjectCaseSensitive(page, "items");
	cJSON *it, *next;

	if (cJSON_IsArray(items)) {
		for (it = items->child; it; it = next) {
			next = it->next;
			cJSON_AddItemToArray(all,
					     cJSON_DetachItemViaPointer(items,
									it));
		}
	} else if (cJSON_IsObject(items)) {
		/* aggregated: {"zones/z": {"instances": [...]}, ...} */
		cJSON *scope;

		cJSON_ArrayForEach(scope, items) {
			cJSON *arr;

			cJSON_ArrayForEach(arr, scope) {
				if (!cJSON_IsArray(arr))
					continue;
				for (it = arr->child; it; it = next) {
					next = it->next;
					cJSON_AddItemToArray(all,
						cJSON_DetachItemViaPointer(arr,
									   it));
				}
			}
		}
	}
	cJSON_Delete(items);
}

int gce_list(struct gcp *g, const char *path, const char *filter,
	     cJSON **items, struct cloud_err *err)
{
	cJSON *all = cJSON_CreateArray(), *page = NULL;
	char *next = NULL, *fq = NULL;
	int pages = 0, ret = -1;

	if (!all)
		abort();
	if (filter) {
		struct buf b;

		buf_init(&b, 4096);
		if (sigv4_uri_encode(&b, filter, strlen(filter), false)) {
			buf_release(&b);
			cloud_err_set(err, CLOUD_ERR_OTHER, "filter too long");
			goto out;
		}
		fq = xasprintf("filter=%s", b.data);
		buf_release(&b);
	}
	do {
		char *q;

		if (++pages > GCE_PAGES_MAX) {
			cloud_err_set(err, CLOUD_ERR_OTHER, "%s: more than %d "
				      "pages", path, GCE_PAGES_MAX);
			goto out;
		}
		q = xasprintf("maxResults=500%s%s%s%s", fq ? "&" : "",
			      fq ? fq : "", next ? "&pageToken=" : "",
			      next ? next : "");
		cJSON_Delete(page);
		page = NULL;
		if (gce_call(g, "GET", path, q, NULL, &page, err)) {
			free(q);
			goto out;
		}
		free(q);
		free(next);
		next = NULL;
		if (page) {
			const char *t = gcp_str(page, "nextPageToken");

			take_items(all, page);
			if (t && *t && strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					      "abcdefghijklmnopqrstuvwxyz"
					      "0123456789-_=.") == strlen(t))
				next = xstrdup(t);
		}
	} while (next);
	*items = all;
	all = NULL;
	ret = 0;
out:
	cJSON_Delete(all);
	cJSON_Delete(page);
	free(next);
	free(fq);
	return ret;
}

void gce_request_id(const char *token, const char *salt, char out[37])
{
	br_sha256_context sc;
	unsigned char h[32];
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	br_sha256_init(&sc);
	br_sha256_update(&sc, token, strlen(token));
	br_sha256_update(&sc, "\n", 1);
	br_sha256_update(&sc, salt, strlen(salt));
	br_sha256_out(&sc, h);
	h[6] = (h[6] & 0x0f) | 0x40;	/* a version 4 (random-looking) UUID */
	h[8] = (h[8] & 0x3f) | 0x80;
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[h[i] >> 4];
		out[o++] = hex[h[i] & 15];
	}
	out[o] = '\0';
}

const char *gce_rel(const struct gcp *g, const char *link)
{
	const char *p;

	if (!link)
		return NULL;
	if (str_starts(link, g->base))
		return link + strlen(g->base);
	/* another endpoint spelling of this project's link */
	p = strstr(link, "/projects/");
	if (p && str_starts(p + 10, g->project) &&
	    p[10 + strlen(g->project)] == '/')
		return p + 11 + strlen(g->project);
	return NULL;
}
