/*
 * words.c: Microsoft's answers read for messages (see auth.h): their
 * words printable and bounded, a string member, the AADSTS number of a
 * refusal.  No libcurl here, for the fuzz target.
 */
#include "../../icm.h"
#include "auth.h"
#include "../../util/str.h"
#include <stdlib.h>

char *az_words(const char *s, size_t max)
{
	const char *t = s ? s : "";
	char *q = xstrndup(t, strnlen(t, max)), *p;

	q[strcspn(q, "\r\n")] = '\0';
	for (p = q; *p; p++)
		if (*p < ' ' || *p > '~')
			*p = '?';
	return q;
}

const char *az_str(const cJSON *o, const char *name)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(f) ? f->valuestring : NULL;
}

long az_aadsts(const char *body, size_t len)
{
	cJSON *o = body && len ? cJSON_ParseWithLength(body, len) : NULL;
	const cJSON *codes = cJSON_GetObjectItemCaseSensitive(o, "error_codes");
	const char *d = az_str(o, "error_description");
	long n = 0;

	if (cJSON_IsArray(codes) && cJSON_IsNumber(codes->child) &&
	    codes->child->valuedouble > 0 && codes->child->valuedouble < 1e9)
		n = (long)codes->child->valuedouble;
	else if (d && str_starts(d, "AADSTS"))
		n = strtol(d + 6, NULL, 10);
	cJSON_Delete(o);
	return n > 0 && n < 1000000000L ? n : 0;
}
