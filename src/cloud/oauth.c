/*
 * oauth.c: a token endpoint's transport and answer, and the token cache
 * (see oauth.h).
 */
#include "../icm.h"
#include "oauth.h"
#include "../util/json.h"
#include "../util/secret.h"
#include "../util/str.h"

int oauth_send_http(void *arg, struct http_client *c,
		    const struct http_request *req, struct http_response *resp,
		    bool *transient, char **why)
{
	*transient = false;
	if (http_perform(c, req, resp) == 0)
		return 0;
	*transient = resp->transient;
	if (resp->stopped == HTTP_STOP_OVER)
		*why = xasprintf("the answer is larger than %zu KiB",
				 resp->body.cap >> 10);
	else
		*why = xstrdup(resp->reason[0] ? resp->reason
					       : "no answer");
	return -1;
}

int oauth_answer_parse(const char *body, size_t len, size_t token_max,
		       long life_max, char **token, long *expires_in,
		       const char **why)
{
	cJSON *o = cJSON_ParseWithLength(body, len), *f, *ty;
	const char *t = NULL;
	long life = 0;

	*token = NULL;
	*why = NULL;
	f = cJSON_GetObjectItemCaseSensitive(o, "access_token");
	if (cJSON_IsString(f))
		t = f->valuestring;
	ty = cJSON_GetObjectItemCaseSensitive(o, "token_type");
	f = cJSON_GetObjectItemCaseSensitive(o, "expires_in");
	if (cJSON_IsNumber(f) && f->valuedouble >= 1 &&
	    f->valuedouble <= life_max)
		life = (long)f->valuedouble;
	else if (cJSON_IsString(f) && str_to_long(f->valuestring, &life))
		life = 0;
	if (!cJSON_IsObject(o))
		*why = "it is not a JSON object";
	else if (!t || !*t)
		*why = "it has no access_token";
	else if (strlen(t) > token_max)
		*why = "its access_token is too long";
	else if (strspn(t, OAUTH_TOKEN_CHARS) != strlen(t))
		*why = "its access_token holds characters a bearer token "
		       "cannot have";
	else if (ty && !(cJSON_IsString(ty) &&
			 !strcasecmp(ty->valuestring, "Bearer")))
		*why = "its token_type is not Bearer";
	else if (life < 1 || life > life_max)
		*why = "its expires_in is missing or out of range";
	if (!*why) {
		*token = xstrdup(t);
		*expires_in = life;
	}
	if (t)
		explicit_bzero((char *)t, strlen(t));
	cJSON_Delete(o);
	return *why ? -1 : 0;
}

static time_t wall_clock(void)
{
	return time(NULL);
}

void oauth_cache_init(struct oauth_cache *oc, const char *what)
{
	memset(oc, 0, sizeof(*oc));
	oc->what = what;
	oc->now = wall_clock;
	pthread_mutex_init(&oc->lock, NULL);
}

void oauth_cache_release(struct oauth_cache *oc)
{
	freezero_str(oc->token);
	oc->token = NULL;
	pthread_mutex_destroy(&oc->lock);
}

int oauth_cache_get(struct oauth_cache *oc, long margin, oauth_fetch_fn *fetch,
		    void *arg, struct http_client *c, char **out,
		    struct cloud_err *e)
{
	char *token = NULL;
	long life = 0;
	time_t at = 0;
	int ret = 0;

	*out = NULL;
	cloud_err_release(e);
	pthread_mutex_lock(&oc->lock);
	if (!oc->token || oc->expires - oc->now() < margin) {
		ret = fetch(arg, c, &token, &life, &at, e);
		if (!ret) {
			secret_register(oc->what, token);
			freezero_str(oc->token);
			oc->token = token;
			oc->expires = at + life;
			oc->exchanges++;
		}
	}
	if (!ret)
		*out = xstrdup(oc->token);
	pthread_mutex_unlock(&oc->lock);
	return ret;
}

void oauth_cache_drop(struct oauth_cache *oc)
{
	pthread_mutex_lock(&oc->lock);
	freezero_str(oc->token);
	oc->token = NULL;
	pthread_mutex_unlock(&oc->lock);
}
