/*
 * token.c: an ARM access token from the token endpoint (client
 * credentials) or the instance metadata service (managed identity), its
 * refusals as messages, and the token cache (see auth.h).
 */
#include "../../icm.h"
#include "auth.h"
#include "../../cloud/sigv4.h"
#include "../../state/log.h"
#include "../../util/buf.h"
#include "../../util/str.h"

#define DESC_MAX 300			/* Microsoft's words in a message */
#define FORM_CAP 8192			/* the form: ids and the secret
					   encoded fit (AZ_ID_MAX, AZ_SECRET_MAX) */

/* The endpoint's URL (allocated; no secret in it). */
static char *token_url(const struct az_auth *a)
{
	if (a->msi)
		return xasprintf("%s/metadata/identity/oauth2/token?"
				 "api-version=" AZ_IMDS_API "&resource=https"
				 "%%3A%%2F%%2Fmanagement.azure.com%%2F%s%s",
				 a->imds, a->client_id ? "&client_id=" : "",
				 a->client_id ? a->client_id : "");
	return xasprintf("%s/%s/oauth2/v2.0/token", a->authority, a->tenant);
}

/* The client-credentials form (allocated, holds the secret: wipe it), or
 * NULL when over the cap. */
static char *token_form(const struct az_auth *a)
{
	struct buf b;
	int r;

	buf_init(&b, FORM_CAP);
	/* sized once: no growth leaves a copy of the secret behind */
	r = buf_reserve(&b, FORM_CAP - 1);
	r |= buf_adds(&b, "grant_type=client_credentials&client_id=");
	r |= sigv4_uri_encode(&b, a->client_id, strlen(a->client_id), false);
	r |= buf_adds(&b, "&client_secret=");
	r |= sigv4_uri_encode(&b, a->secret, strlen(a->secret), false);
	r |= buf_adds(&b, "&scope=");
	r |= sigv4_uri_encode(&b, AZ_SCOPE_ARM, strlen(AZ_SCOPE_ARM), false);
	if (r) {
		buf_wipe(&b);
		return NULL;
	}
	return buf_take(&b);
}

/* A refusal (a 4xx with an OAuth error) as one line, class AUTH. */
static int refused(const struct az_auth *a, const char *url, long status,
		   const struct http_response *r, struct cloud_err *e)
{
	cJSON *o = cJSON_ParseWithLength(r->body.data, r->body.len);
	long code = az_aadsts(r->body.data, r->body.len);
	char *err = az_words(az_str(o, "error"), 64);
	char *d = az_words(az_str(o, "error_description"), DESC_MAX);
	const char *id = a->client_id ? a->client_id : "";
	int ret;

	if (a->msi && (strcasestr(d, "identity not found") ||
		       strcasestr(d, "no managed identity")))
		ret = cloud_err_set(e, CLOUD_ERR_AUTH, "UseMSI: this VM has "
				    "no managed identity%s%s (%s): assign one "
				    "to the VM with a role on the subscription, "
				    "or set TenantId, ClientId and ClientSecret",
				    *id ? " with ClientId " : "", id, d);
	else if (a->msi)
		ret = cloud_err_set(e, CLOUD_ERR_AUTH, "UseMSI: the instance "
				    "metadata service refused a token: HTTP "
				    "%ld %s%s%s", status, err, *d ? ": " : "",
				    d);
	else if (code == 7000215)
		ret = cloud_err_set(e, CLOUD_ERR_AUTH, "ClientSecret is wrong "
				    "for application %s in tenant %s "
				    "(AADSTS7000215): give the secret's Value, "
				    "not its Secret ID", id, a->tenant);
	else if (code == 7000222)
		ret = cloud_err_set(e, CLOUD_ERR_AUTH, "ClientSecret of "
				    "application %s has expired "
				    "(AADSTS7000222): make a new one (az ad app "
				    "credential reset --id %s) and put it in "
				    "ClientSecret", id, id);
	else if (code == 700016)
		ret = cloud_err_set(e, CLOUD_ERR_AUTH, "no application with "
				    "ClientId %s in the tenant TenantId %s "
				    "(AADSTS700016): check both, and that the "
				    "application has a service principal there",
				    id, a->tenant);
	else if (code == 90002)
		ret = cloud_err_set(e, CLOUD_ERR_AUTH, "no tenant TenantId %s "
				    "(AADSTS90002): check TenantId (az account "
				    "show --query tenantId)", a->tenant);
	else
		ret = cloud_err_set(e, CLOUD_ERR_AUTH, "the token endpoint %s "
				    "refused application %s of tenant %s: HTTP "
				    "%ld %s%s%s", url, id, a->tenant, status,
				    err, *d ? ": " : "", d);
	free(err);
	free(d);
	cJSON_Delete(o);
	return ret;
}

/* One attempt: 0 with the token, or -1 with *e and *retry. */
static int attempt(struct az_auth *a, struct http_client *c,
		   const struct http_request *req, char **token,
		   long *expires_in, bool *retry, struct cloud_err *e)
{
	struct http_response resp;
	const char *bad;
	char *why = NULL;
	int ret = -1;

	http_response_init(&resp);
	buf_init(&resp.body, AZ_TOKEN_CAP_BODY);
	*retry = false;
	/* sized once: no growth leaves a copy of the token behind */
	if (buf_reserve(&resp.body, AZ_TOKEN_CAP_BODY - 1)) {
		cloud_err_set(e, CLOUD_ERR_OTHER, "out of memory");
		goto out;
	}
	if (a->send(a->send_arg, c, req, &resp, retry, &why)) {
		if (a->msi) {
			/* outside Azure nothing answers there: no retries */
			*retry = false;
			cloud_err_set(e, CLOUD_ERR_AUTH, "UseMSI: the instance "
				      "metadata service %s does not answer "
				      "(%s): a managed identity is there only "
				      "when icm runs on an Azure VM; elsewhere "
				      "set TenantId, ClientId and ClientSecret",
				      a->imds, why);
		} else {
			cloud_err_set(e, *retry ? CLOUD_ERR_TRANSIENT :
				      CLOUD_ERR_OTHER, "cannot reach the token "
				      "endpoint %s: %s", req->url, why);
		}
		goto out;
	}
	if (resp.status < 200 || resp.status > 299) {
		*retry = http_status_retryable(resp.status);
		if (*retry || resp.status < 400 || !resp.body.len)
			cloud_err_set(e, resp.status == 429 ?
				      CLOUD_ERR_THROTTLED : *retry ?
				      CLOUD_ERR_TRANSIENT : CLOUD_ERR_AUTH,
				      "the token endpoint %s answered HTTP "
				      "%ld", req->url, resp.status);
		else
			refused(a, req->url, resp.status, &resp, e);
		goto out;
	}
	if (oauth_answer_parse(resp.body.data ? resp.body.data : "",
			       resp.body.len, AZ_TOKEN_MAX,
			       AZ_TOKEN_LIFETIME_MAX, token, expires_in,
			       &bad)) {
		cloud_err_set(e, CLOUD_ERR_OTHER, "the token endpoint %s "
			      "answered, but %s", req->url, bad);
		goto out;
	}
	ret = 0;
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
	struct az_auth *a = arg;
	static const struct http_header form_hdrs[] = {
		{ "Content-Type", "application/x-www-form-urlencoded" },
		{ "Accept", "application/json" },
	};
	static const struct http_header imds_hdrs[] = {
		{ "Metadata", "true" },
		{ "Accept", "application/json" },
	};
	char *url = token_url(a), *form = NULL, *token = NULL;
	struct http_request req = {
		.method = a->msi ? "GET" : "POST", .url = url,
		.headers = a->msi ? imds_hdrs : form_hdrs,
		.nheaders = 2, .timeout_ms = a->msi ? 10000 : 0,
	};
	struct http_backoff bo;
	bool retry;
	int ret = -1;

	if (!a->msi) {
		form = token_form(a);
		if (!form) {
			cloud_err_set(e, CLOUD_ERR_OTHER, "ClientId or "
				      "ClientSecret too long");
			goto out;
		}
		req.body = form;
		req.body_len = strlen(form);
	}
	http_backoff_init(&bo, a->budget_ms);
	for (;;) {
		*at = a->cache.now();
		if (!attempt(a, c, &req, &token, expires_in, &retry, e))
			break;
		if (!retry)
			goto out;
		if (http_backoff_wait(&bo)) {
			cloud_err_take(e, e->cls, xasprintf("%s (still failing "
				       "after %d attempts)", e->msg,
				       bo.attempt));
			goto out;
		}
		debug("azure: token attempt %d: %s", bo.attempt, e->msg);
	}
	cloud_err_release(e);
	*out = token;
	token = NULL;
	ret = 0;
out:
	freezero_str(form);
	freezero_str(token);
	free(url);
	return ret;
}

int az_token_get(struct az_auth *a, struct http_client *c, char **token,
		 struct cloud_err *err)
{
	return oauth_cache_get(&a->cache, AZ_TOKEN_MARGIN, exchange, a, c,
			       token, err);
}

void az_token_invalidate(struct az_auth *a)
{
	oauth_cache_drop(&a->cache);
}
