/*
 * gceerr.c: Compute Engine's errors as values (cloud/err.h) with a line a
 * person can act on: an answer's {"error": {code, message, errors[{reason,
 * message}], status}}, and a DONE operation's error.errors[{code,
 * message, errorDetails}] (quota, zone exhaustion, permissions named).
 * Google's words are quoted printable and bounded.
 */
#include "gcp.h"
#include "../../util/str.h"

#define WORDS_MAX 400

/* Google's words for a message: printable ASCII, bounded (allocated). */
static char *words(const char *s)
{
	const char *t = s ? s : "";
	char *q = xstrndup(t, strnlen(t, WORDS_MAX)), *p;

	for (p = q; *p; p++)
		if (*p < ' ' || *p > '~')
			*p = '?';
	return q;
}

/* The first errors[] entry's reason of an error object. */
static const char *reason_of(const cJSON *e)
{
	const cJSON *errs = cJSON_GetObjectItemCaseSensitive(e, "errors");

	return cJSON_IsArray(errs) ? gcp_str(errs->child, "reason") : NULL;
}

static bool rate_reason(const char *r)
{
	return r && (!strcmp(r, "rateLimitExceeded") ||
		     !strcmp(r, "userRateLimitExceeded"));
}

bool gce_rate_limited(const char *body, size_t len)
{
	cJSON *root = body ? cJSON_ParseWithLength(body, len) : NULL;
	bool ret = rate_reason(reason_of(
		cJSON_GetObjectItemCaseSensitive(root, "error")));

	cJSON_Delete(root);
	return ret;
}

int gce_http_error(long status, const char *body, size_t len,
		   struct cloud_err *err)
{
	cJSON *root = body && len ? cJSON_ParseWithLength(body, len) : NULL;
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
	const char *reason = reason_of(e);
	char *msg = words(gcp_str(e, "message") ?: "");
	enum cloud_err_class c = CLOUD_ERR_OTHER;
	char *line;

	if (!*msg) {
		free(msg);
		msg = xasprintf("HTTP status %ld", status);
	}
	if (status == 404)
		c = CLOUD_ERR_NOT_FOUND;
	else if (status == 409)
		c = CLOUD_ERR_EXISTS;
	else if (status == 429 || rate_reason(reason))
		c = CLOUD_ERR_THROTTLED;
	else if (status >= 500)
		c = CLOUD_ERR_TRANSIENT;
	else if (status == 401)
		c = CLOUD_ERR_AUTH;
	else if (status == 403 && reason && !strcmp(reason, "quotaExceeded"))
		c = CLOUD_ERR_INVALID;
	else if (status == 403)
		c = CLOUD_ERR_AUTH;
	else if (status == 400)
		c = CLOUD_ERR_INVALID;
	if (status == 401)
		line = xasprintf("the access token was refused: %s", msg);
	else if (c == CLOUD_ERR_AUTH)
		/* Google's message names the permission ("Required
		 * 'compute.instances.create' permission for ...") */
		line = xasprintf("permission denied: %s (grant the service "
				 "account a role with it, e.g. Compute Admin)",
				 msg);
	else
		line = xstrdup(msg);
	free(msg);
	cJSON_Delete(root);
	return cloud_err_take(err, c, line);
}

/* The text after marker in s up to one of stop (allocated), or NULL. */
static char *after(const char *s, const char *marker, const char *stop)
{
	const char *p = s ? strstr(s, marker) : NULL;

	if (!p)
		return NULL;
	p += strlen(marker);
	return xstrndup(p, strcspn(p, stop));
}

/* A quota error: "quota CPUS exceeded in region us-east1 (limit 4)". */
static int quota(const cJSON *e, struct cloud_err *err)
{
	const char *m = gcp_str(e, "message");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "errorDetails");
	const cJSON *qi = NULL, *it;
	char *metric = NULL, *region = NULL, *limit = NULL, *w;

	cJSON_ArrayForEach(it, d)
		if ((qi = cJSON_GetObjectItemCaseSensitive(it, "quotaInfo")))
			break;
	if (qi) {
		const cJSON *dims = cJSON_GetObjectItemCaseSensitive(
			qi, "dimensions");
		const cJSON *lim = cJSON_GetObjectItemCaseSensitive(qi,
								     "limit");

		metric = gcp_str(qi, "metricName") ?
			xstrdup(gcp_str(qi, "metricName")) : NULL;
		region = gcp_str(dims, "region") ?
			xstrdup(gcp_str(dims, "region")) : NULL;
		if (cJSON_IsNumber(lim))
			limit = xasprintf("%g", lim->valuedouble);
	}
	if (!metric)
		metric = after(m, "Quota '", "'");
	if (!region)
		region = after(m, "in region ", ". ");
	if (!limit)
		limit = after(m, "Limit: ", " ");
	if (limit && str_ends(limit, ".0"))
		limit[strlen(limit) - 2] = '\0';
	w = words(metric ? metric : "?");
	cloud_err_set(err, CLOUD_ERR_INVALID, "quota %s exceeded%s%s%s%s%s: "
		      "ask for more (IAM & Admin > Quotas) or plan fewer or "
		      "smaller machines", w, region ? " in region " : "",
		      region ? region : "", limit ? " (limit " : "",
		      limit ? limit : "", limit ? ")" : "");
	free(w);
	free(metric);
	free(region);
	free(limit);
	return -1;
}

/* The zone of "... 'projects/p/zones/us-east1-b' ..." (allocated). */
static char *zone_of(const char *m)
{
	char *z = after(m, "/zones/", "' ");

	return z ? z : xstrdup("?");
}

int gce_op_error(const cJSON *op, struct cloud_err *err)
{
	const cJSON *errs = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(op, "error"), "errors");
	const cJSON *e = cJSON_IsArray(errs) ? errs->child : NULL;
	const char *code, *m;
	char *w, *z;

	if (!e)
		return 0;
	code = gcp_str(e, "code") ?: "ERROR";
	m = gcp_str(e, "message");
	if (!strcmp(code, "QUOTA_EXCEEDED"))
		return quota(e, err);
	w = words(m);
	if (str_starts(code, "ZONE_RESOURCE_POOL_EXHAUSTED")) {
		z = zone_of(m);
		cloud_err_set(err, CLOUD_ERR_INVALID, "zone %s does not have "
			      "enough resources for this request now: try "
			      "another Zone of its region (or again later)",
			      z);
		free(z);
	} else if (strstr(code, "PERMISSION") || !strcmp(code, "FORBIDDEN")) {
		cloud_err_set(err, CLOUD_ERR_AUTH, "permission denied: %s", w);
	} else if (strstr(code, "ALREADY_EXISTS")) {
		cloud_err_set(err, CLOUD_ERR_EXISTS, "%s", w);
	} else if (strstr(code, "NOT_FOUND")) {
		cloud_err_set(err, CLOUD_ERR_NOT_FOUND, "%s", w);
	} else {
		char *c = words(code);

		cloud_err_set(err, CLOUD_ERR_OTHER, "%s: %s", c, w);
		free(c);
	}
	free(w);
	return -1;
}
