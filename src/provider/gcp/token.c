/*
 * token.c: the JWT exchanged for an access token at the key's token_uri,
 * and the token cache (see auth.h).
 */
#include "../../icm.h"
#include "auth.h"
#include "../../state/log.h"
#include "../../util/buf.h"
#include "../../util/json.h"
#include "../../util/str.h"
#include <ctype.h>

/* The grant type form-encoded (':' as %3A), as urlencode() writes it. */
#define GRANT_FORM "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
#define DESC_MAX 200			/* Google's words quoted in a message */

char *gcp_token_form(const char *jwt)
{
	/* A JWT is base64url and '.': nothing in it needs encoding. */
	return xasprintf("grant_type=%s&assertion=%s", GRANT_FORM, jwt);
}

/* A copy of s for a message: printable ASCII, at most DESC_MAX. */
static char *quote_words(const char *s)
{
	char *q = xstrndup(s, strnlen(s, DESC_MAX)), *p;

	for (p = q; *p; p++)
		if (*p < ' ' || *p > '~')
			*p = '?';
	return q;
}

static const char *json_str(const cJSON *o, const char *name)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(f) ? f->valuestring : NULL;
}

/* True if word occurs in s as a whole word ("iat", not "appropriate"). */
static bool has_word(const char *s, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = s; (p = strcasestr(p, word)); p++)
		if ((p == s || !isalnum((unsigned char)p[-1])) &&
		    !isalnum((unsigned char)p[n]))
			return true;
	return false;
}

/* An error about the JWT's time window (iat, exp, lifetime)?  Google's:
 * "Invalid JWT: Token must be a short-lived token (60 minutes) and in a
 * reasonable timeframe. Check your iat and exp values in the JWT claim." */
static bool clock_complaint(const char *desc)
{
	static const char *const words[] = {
		"iat", "exp", "short-lived", "timeframe", "too early",
		"too late", "expired",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (has_word(desc, words[i]))
			return true;
	return false;
}

/* A refused grant (a 4xx with an OAuth error) as a message and class. */
static int refused(const struct gcp_auth *a, time_t now, long status,
		   const char *code, const char *desc, struct cloud_err *e)
{
	const struct gcp_key *k = &a->key;
	char *d = quote_words(desc ? desc : ""), when[32];
	struct tm tm;
	int ret;

	if (code && !strcmp(code, "invalid_grant") &&
	    strcasestr(d, "Invalid JWT Signature")) {
		ret = cloud_err_set(e, CLOUD_ERR_AUTH, "the token endpoint %s "
				    "refused key %s of %s from '%s' (%s): the "
				    "key was revoked or deleted, or it is not "
				    "this account's; make a new key",
				    k->token_uri, k->key_id, k->client_email,
				    k->file, d);
	} else if (code && !strcmp(code, "invalid_grant") &&
		   clock_complaint(d)) {
		gmtime_r(&now, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		ret = cloud_err_set(e, CLOUD_ERR_AUTH, "the token endpoint %s "
				    "refused the JWT's times (%s): this "
				    "machine's clock is probably off (it says "
				    "%s); check it and set it right (in the "
				    "ICM container that needs docker run "
				    "--cap-add SYS_TIME)", k->token_uri, d,
				    when);
	} else {
		ret = cloud_err_set(e, status == 429 ? CLOUD_ERR_THROTTLED :
				    CLOUD_ERR_AUTH, "the token endpoint %s "
				    "refused the service account %s ('%s'): "
				    "HTTP %ld %s%s%s", k->token_uri,
				    k->client_email, k->file, status,
				    code ? code : "", *d ? ": " : "", d);
	}
	free(d);
	return ret;
}

/* Reads a 2xx answer: the token (allocated) and its lifetime. */
static int parse_answer(const struct gcp_auth *a, const char *body,
			size_t len, char **token, long *expires_in,
			struct cloud_err *e)
{
	const char *why;

	if (!oauth_answer_parse(body, len, GCP_TOKEN_MAX,
				GCP_TOKEN_LIFETIME_MAX, token, expires_in,
				&why))
		return 0;
	return cloud_err_set(e, CLOUD_ERR_OTHER, "the token endpoint %s "
			     "answered for %s, but %s", a->key.token_uri,
			     a->key.client_email, why);
}

/* A non-2xx answer as an error: the OAuth error when there is one. */
static int answer_error(const struct gcp_auth *a, time_t now,
			const struct http_response *r, bool *retry,
			struct cloud_err *e)
{
	cJSON *o = r->body.len ? cJSON_ParseWithLength(r->body.data,
						       r->body.len) : NULL;
	const char *code = o ? json_str(o, "error") : NULL;
	const char *desc = o ? json_str(o, "error_description") : NULL;
	int ret;

	*retry = http_status_retryable(r->status);
	if (!*retry && code)
		ret = refused(a, now, r->status, code, desc, e);
	else
		ret = cloud_err_set(e, r->status == 429 ? CLOUD_ERR_THROTTLED :
				    *retry ? CLOUD_ERR_TRANSIENT :
				    CLOUD_ERR_AUTH, "the token endpoint %s "
				    "answered HTTP %ld%s%s", a->key.token_uri,
				    r->status, code ? " " : "",
				    code ? code : "");
	cJSON_Delete(o);
	return ret;
}

/* One attempt: 0 with the token, or -1 with *e and *retry. */
static int attempt(struct gcp_auth *a, struct http_client *c,
		   const struct http_request *req, time_t now, char **token,
		   long *expires_in, bool *retry, struct cloud_err *e)
{
	struct http_response resp;
	char *why = NULL;
	int ret = -1;

	http_response_init(&resp);
	buf_init(&resp.body, GCP_TOKEN_CAP_BODY);
	*retry = false;
	if (buf_reserve(&resp.body, GCP_TOKEN_CAP_BODY - 1)) {
		cloud_err_set(e, CLOUD_ERR_OTHER, "out of memory");
		goto out;
	}
	if (a->post(a->post_arg, c, req, &resp, retry, &why)) {
		cloud_err_set(e, *retry ? CLOUD_ERR_TRANSIENT :
			      CLOUD_ERR_OTHER, "cannot reach the token "
			      "endpoint %s: %s", a->key.token_uri, why);
		goto out;
	}
	if (resp.status < 200 || resp.status > 299) {
		answer_error(a, now, &resp, retry, e);
		goto out;
	}
	ret = parse_answer(a, resp.body.data ? resp.body.data : "",
			   resp.body.len, token, expires_in, e);
out:
	free(why);
	buf_wipe(&resp.body);
	http_response_release(&resp);
	return ret;
}

/* A new token (oauth_fetch_fn: the cache's lock held). */
static int exchange(void *arg, struct http_client *c, char **out,
		    long *expires_in, time_t *at, struct cloud_err *e)
{
	struct gcp_auth *a = arg;
	static const struct http_header hdrs[] = {
		{ "Content-Type", "application/x-www-form-urlencoded" },
		{ "Accept", "application/json" },
	};
	struct http_request req = {
		.method = "POST", .url = a->key.token_uri, .headers = hdrs,
		.nheaders = ARRAY_SIZE(hdrs),
	};
	struct http_backoff bo;
	char *jwt = NULL, *form = NULL, *token = NULL, *why = NULL;
	bool retry;
	time_t now;
	int ret = -1;

	http_backoff_init(&bo, a->budget_ms);
	for (;;) {
		/* A fresh JWT each attempt: its iat is the clock's now. */
		now = a->cache.now();
		freezero_str(jwt);
		freezero_str(form);
		form = NULL;
		if (gcp_jwt(&a->key, a->scope, now, &jwt, &why)) {
			cloud_err_take(e, CLOUD_ERR_OTHER, why);
			goto out;
		}
		form = gcp_token_form(jwt);
		req.body = form;
		req.body_len = strlen(form);
		if (!attempt(a, c, &req, now, &token, expires_in, &retry, e))
			break;
		if (!retry)
			goto out;
		if (http_backoff_wait(&bo)) {
			cloud_err_take(e, e->cls, xasprintf("%s (still failing "
				       "after %d attempts)", e->msg,
				       bo.attempt));
			goto out;
		}
		debug("gcp: token exchange attempt %d: %s", bo.attempt,
		      e->msg);
	}
	cloud_err_release(e);
	*out = token;
	token = NULL;
	*at = now;
	ret = 0;
out:
	freezero_str(jwt);
	freezero_str(form);
	freezero_str(token);
	return ret;
}

int gcp_auth_init(struct gcp_auth *a, const char *path, char **err)
{
	memset(a, 0, sizeof(*a));
	oauth_cache_init(&a->cache, "the GCP access token");
	a->scope = GCP_SCOPE_COMPUTE;
	a->post = oauth_send_http;
	return gcp_key_load(&a->key, path, err);
}

void gcp_auth_release(struct gcp_auth *a)
{
	oauth_cache_release(&a->cache);
	gcp_key_release(&a->key);
}

int gcp_token_get(struct gcp_auth *a, struct http_client *c, char **token,
		  struct cloud_err *err)
{
	return oauth_cache_get(&a->cache, GCP_TOKEN_MARGIN, exchange, a, c,
			       token, err);
}

void gcp_token_invalidate(struct gcp_auth *a)
{
	oauth_cache_drop(&a->cache);
}
