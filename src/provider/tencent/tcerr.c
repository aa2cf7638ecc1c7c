/*
 * tcerr.c: Tencent Cloud's answers: the Response object, or its Error as
 * a value (cloud/err.h) with a line a person can act on (see tcapi.h).
 */
#include "tcapi.h"
#include "../../util/str.h"

char *tc_words(const char *s, size_t max)
{
	const char *t = s ? s : "";
	size_t n = strnlen(t, max), i;
	char *q;

	n = strcspn(t, "\r\n") < n ? strcspn(t, "\r\n") : n;
	q = xstrndup(t, n);
	for (i = 0; i < n; i++)
		if (q[i] < ' ' || q[i] > '~')
			q[i] = '?';
	return q;
}

/* A string member of o, or NULL. */
static const char *str_of(const cJSON *o, const char *name)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(f) ? f->valuestring : NULL;
}

/* code is family or starts with "family." */
static bool in_family(const char *code, const char *family)
{
	size_t n = strlen(family);

	return !strncmp(code, family, n) && (!code[n] || code[n] == '.');
}

/* A request parameter for a message (allocated), "?" when absent: name,
 * or sub of the object name when sub is not NULL. */
static char *param(const cJSON *params, const char *name, const char *sub)
{
	const char *v = sub ? str_of(cJSON_GetObjectItemCaseSensitive(params,
								     name),
				     sub) : str_of(params, name);

	return tc_words(v ? v : "?", 100);
}

/* The `name` quoted after "parameter " in m, else the first one quoted
 * (allocated), or NULL. */
static char *quoted(const char *m)
{
	const char *p = m ? strstr(m, "parameter `") : NULL, *e;

	if (p)
		p += strlen("parameter ");
	else if (m)
		p = strchr(m, '`');

	if (!p || !(e = strchr(p + 1, '`')) || e == p + 1 || e - p > 100)
		return NULL;
	return tc_words(p + 1, (size_t)(e - p - 1));
}

static int clock_skew(const char *what, long skew, struct cloud_err *err)
{
	if (skew == TC_SKEW_UNKNOWN)
		return cloud_err_set(err, CLOUD_ERR_AUTH, "%s: Tencent refused "
				     "the request's time (AuthFailure."
				     "SignatureExpire): this machine's clock "
				     "is off by more than 5 minutes; set it "
				     "right (NTP) and run icm again", what);
	return cloud_err_set(err, CLOUD_ERR_AUTH, "%s: Tencent refused the "
			     "request's time (AuthFailure.SignatureExpire): "
			     "this machine's clock is %ld seconds %s "
			     "Tencent's (at most 5 minutes are allowed); set "
			     "it right (NTP) and run icm again", what,
			     skew < 0 ? -skew : skew,
			     skew < 0 ? "behind" : "ahead of");
}

static int sold_out(const char *what, const char *c, const char *w,
		    const cJSON *params, struct cloud_err *err)
{
	char *type = param(params, "InstanceType", NULL);
	char *zone = param(params, "Placement", "Zone");

	cloud_err_set(err, CLOUD_ERR_INVALID, "%s: instance type %s is sold "
		      "out in zone %s (%s): choose another Zone or "
		      "InstanceType (the zone's offered types: cvm "
		      "DescribeZoneInstanceConfigInfos), or try again later "
		      "(%s)", what, type, zone, c, w);
	free(type);
	free(zone);
	return -1;
}

static int bad_param(const char *what, const char *c, const char *m,
		     const char *w, struct cloud_err *err)
{
	const char *dot = strchr(c, '.');
	char *name = quoted(m);

	cloud_err_set(err, CLOUD_ERR_INVALID, "%s: parameter %s refused (%s): "
		      "%s", what, name ? name : dot ? dot + 1 : "?", c, w);
	free(name);
	return -1;
}

/* The Error object e of service's action as *err; returns -1. */
static int tc_error(const char *service, const char *action,
		    const cJSON *params, const cJSON *e, long skew,
		    struct cloud_err *err)
{
	const char *m = str_of(e, "Message");
	char *c = tc_words(str_of(e, "Code"), 100);
	char *w = tc_words(m && *m ? m : "no message", TC_WORDS_MAX);
	char *what = xasprintf("Tencent %s %s", service, action), *x;

	if (!strcmp(c, "AuthFailure.SignatureExpire")) {
		clock_skew(what, skew, err);
	} else if (!strcmp(c, "AuthFailure.SecretIdNotFound") ||
		   !strcmp(c, "AuthFailure.InvalidSecretId")) {
		cloud_err_set(err, CLOUD_ERR_AUTH, "%s: Tencent does not know "
			      "this SecretID (%s): check SecretID (CAM > API "
			      "keys), or that the key is enabled", what, c);
	} else if (!strcmp(c, "AuthFailure.SignatureFailure")) {
		cloud_err_set(err, CLOUD_ERR_AUTH, "%s: Tencent could not "
			      "verify the signature (%s): check that SecretKey "
			      "is the one of SecretID", what, c);
	} else if (in_family(c, "UnauthorizedOperation") ||
		   !strcmp(c, "AuthFailure.UnauthorizedOperation")) {
		cloud_err_set(err, CLOUD_ERR_AUTH, "%s: the CAM user of "
			      "SecretID may not call %s:%s (%s): grant it a "
			      "CAM policy that allows %s:%s (%s)", what,
			      service, action, c, service, action, w);
	} else if (in_family(c, "AuthFailure")) {
		cloud_err_set(err, CLOUD_ERR_AUTH, "%s: Tencent refused the "
			      "credentials (%s): check SecretID and SecretKey "
			      "(%s)", what, c, w);
	} else if (!strcmp(c, "InsufficientBalance") ||
		   strstr(c, ".InsufficientBalance")) {
		cloud_err_set(err, CLOUD_ERR_INVALID, "%s: the account's "
			      "balance is too low (%s): top up the Tencent "
			      "Cloud account (Billing Center), then provision "
			      "again", what, c);
	} else if (!strcmp(c, "ResourceInsufficient.SpecifiedInstanceType") ||
		   in_family(c, "ResourcesSoldOut") ||
		   str_starts(c, "ResourceInsufficient.ZoneSoldOut")) {
		sold_out(what, c, w, params, err);
	} else if (in_family(c, "LimitExceeded")) {
		cloud_err_set(err, CLOUD_ERR_INVALID, "%s: quota %s is "
			      "reached: ask Tencent for more, or plan fewer "
			      "resources (%s: %s)", what, strchr(c, '.') ?
			      strchr(c, '.') + 1 : "?", c, w);
	} else if (in_family(c, "InvalidImageId")) {
		x = param(params, "ImageId", NULL);
		cloud_err_set(err, CLOUD_ERR_INVALID, "%s: image %s refused "
			      "(%s): check ImageId, or OSName, and that the "
			      "image exists in this region (%s)", what, x, c,
			      w);
		free(x);
	} else if (str_starts(c, "InvalidParameter") ||
		   in_family(c, "MissingParameter") ||
		   in_family(c, "UnknownParameter")) {
		bad_param(what, c, m, w, err);
	} else if (in_family(c, "RequestLimitExceeded")) {
		cloud_err_set(err, CLOUD_ERR_THROTTLED, "%s: %s: %s", what, c,
			      w);
	} else if (in_family(c, "InternalError")) {
		cloud_err_set(err, CLOUD_ERR_TRANSIENT, "%s: %s: %s", what, c,
			      w);
	} else {
		cloud_err_set(err, strstr(c, "NotFound") ? CLOUD_ERR_NOT_FOUND :
			      CLOUD_ERR_OTHER, "%s: %s: %s", what,
			      *c ? c : "an error without a code", w);
	}
	free(c);
	free(w);
	free(what);
	return -1;
}

int tc_answer(const char *service, const char *action, const cJSON *params,
	      const char *body, size_t len, long skew_s, cJSON **response,
	      struct cloud_err *err)
{
	cJSON *root = body && len ? cJSON_ParseWithLength(body, len) : NULL;
	cJSON *r = cJSON_GetObjectItemCaseSensitive(root, "Response");
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "Error");
	int ret = -1;

	if (response)
		*response = NULL;
	if (!cJSON_IsObject(r))
		cloud_err_set(err, CLOUD_ERR_OTHER, "Tencent %.40s %.100s: the "
			      "answer is %s", service, action, root ?
			      "not an API answer (no Response)" : "not JSON");
	else if (e)
		tc_error(service, action, params, e, skew_s, err);
	else
		ret = 0;
	if (!ret && response)
		*response = cJSON_DetachItemViaPointer(root, r);
	cJSON_Delete(root);
	return ret;
}
