/*
 * oauth_answer.c: a token endpoint's 2xx answer read (see oauth.h); no
 * libcurl here, for the fuzz target.
 */
#include "../icm.h"
#include "oauth.h"
#include "../util/json.h"
#include "../util/str.h"

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
