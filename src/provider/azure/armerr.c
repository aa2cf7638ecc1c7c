/*
 * armerr.c: Azure Resource Manager's errors as values (cloud/err.h) with
 * a line a person can act on (see arm.h).  The code is looked for in the
 * error, then in its details (a deployment's or a validation's wrapper
 * carries the real one there).
 */
#include "arm.h"
#include "../../util/str.h"

/* The text after marker in s up to one of stop (allocated), or NULL. */
static char *after(const char *s, const char *marker, const char *stop)
{
	const char *p = s ? strstr(s, marker) : NULL;

	if (!p)
		return NULL;
	p += strlen(marker);
	return az_words(p, strcspn(p, stop) < ARM_WORDS_MAX ?
			strcspn(p, stop) : ARM_WORDS_MAX);
}

/* Codes ARM answers for a conflict that passes: retried with backoff. */
static bool retryable_code(const char *c)
{
	return c && (!strcmp(c, "AnotherOperationInProgress") ||
		     !strcmp(c, "RetryableError") ||
		     !strcmp(c, "OperationPreempted"));
}

bool arm_code_retryable(const char *body, size_t len)
{
	cJSON *root = body && len ? cJSON_ParseWithLength(body, len) : NULL;
	bool r = retryable_code(az_str(cJSON_GetObjectItemCaseSensitive(
						root, "error"), "code"));

	cJSON_Delete(root);
	return r;
}

static const char *const known[] = {
	"AuthorizationFailed", "SkuNotAvailable", "QuotaExceeded",
	"OperationNotAllowed", "AllocationFailed", "ZonalAllocationFailed",
	"OverconstrainedAllocationRequest",
	"OverconstrainedZonalAllocationRequest", "InvalidParameter", "InvalidTemplate",
	"InvalidRequestContent", "InvalidRequestFormat",
	"InvalidResourceReference", "ResourceGroupNotFound",
	"ResourceNotFound", "NotFound", "LinkedAuthorizationFailed",
};

static bool is_known(const char *code)
{
	size_t i;

	for (i = 0; code && i < ARRAY_SIZE(known); i++)
		if (!strcmp(code, known[i]))
			return true;
	return false;
}

/* The error object to word: e, or its first detail with a known code. */
static const cJSON *telling(const cJSON *e)
{
	const cJSON *d;

	if (is_known(az_str(e, "code")))
		return e;
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(e, "details"))
		if (is_known(az_str(d, "code")))
			return d;
	return e;
}

/* "... does not have authorization to perform action 'A' over scope
 * 'S' ..."; a linked one: "... has permission to perform action 'A' on
 * scope 'S'; however, it does not have permission to perform action(s)
 * 'B' on the linked scope(s) 'T' ...": B and T. */
static int authorization(const char *m, struct cloud_err *err)
{
	const char *lacking = m ? strstr(m, "however") : NULL;
	char *action, *scope;

	if (lacking)
		m = lacking;
	action = after(m, "action '", "'");
	if (!action)
		action = after(m, "action(s) '", "'");
	scope = after(m, "scope '", "'");
	if (!scope)
		scope = after(m, "scope(s) '", "'");

	cloud_err_set(err, CLOUD_ERR_AUTH, "the service principal may not "
		      "do %s on %s (AuthorizationFailed): give it a role "
		      "that allows it there (Contributor on the subscription "
		      "or the resource group), then wait a few minutes",
		      action ? action : "this", scope ? scope : "this scope");
	free(action);
	free(scope);
	return -1;
}

static int sku(const char *m, struct cloud_err *err)
{
	char *size = after(m, "Capacity Restrictions: ", "' ");
	char *loc = after(m, "location '", "'");
	char *zone = after(m, "zones '", "'");

	if (!size)
		size = after(m, "size '", "'");
	cloud_err_set(err, CLOUD_ERR_INVALID, "Size %s is not available in "
		      "Location %s%s%s (SkuNotAvailable): choose another "
		      "Size, Zone or Location (az vm list-skus --location "
		      "%s)", size ? size : "?", loc ? loc : "?",
		      zone ? " Zone " : "", zone ? zone : "",
		      loc ? loc : "<Location>");
	free(size);
	free(loc);
	free(zone);
	return -1;
}

/* "... exceeding approved Total Regional Cores quota. Additional details
 * - Deployment Model: Resource Manager, Location: eastus, Current Limit:
 * 10, Current Usage: 8, Additional Required: 4, ..." */
static int quota(const char *code, const char *m, struct cloud_err *err)
{
	char *name = after(m, "exceeding approved ", ".");
	char *loc = after(m, "Location: ", ",");
	char *lim = after(m, "Current Limit: ", ",");
	char *use = after(m, "Current Usage: ", ",");
	char *more = after(m, "Additional Required: ", ",");

	if (name && str_ends(name, " quota"))
		name[strlen(name) - 6] = '\0';
	cloud_err_set(err, CLOUD_ERR_INVALID, "quota %s exceeded%s%s%s%s%s%s"
		      "%s%s%s (%s): ask for more (Subscriptions > Usage + "
		      "quotas) or plan fewer or smaller VMs",
		      name ? name : "?", loc ? " in Location " : "",
		      loc ? loc : "", lim ? " (limit " : "", lim ? lim : "",
		      use ? ", in use " : "", use ? use : "",
		      more ? ", " : "", more ? more : "",
		      more ? " more needed)" : lim ? ")" : "", code);
	free(name);
	free(loc);
	free(lim);
	free(use);
	free(more);
	return -1;
}

int arm_error_obj(const cJSON *error, long status, struct cloud_err *err)
{
	const cJSON *e = telling(error);
	const char *code = az_str(e, "code"), *m = az_str(e, "message");
	char *c = az_words(code, 100), *w = az_words(m, ARM_WORDS_MAX);
	char *target = az_words(az_str(e, "target"), 100), *name;
	enum cloud_err_class cls = CLOUD_ERR_OTHER;

	if (!*w) {
		free(w);
		w = status ? xasprintf("HTTP status %ld", status)
			   : xstrdup("no message");
	}
	if (status == 401) {
		cloud_err_set(err, CLOUD_ERR_AUTH, "ARM refused the access "
			      "token (%s): %s", *c ? c : "401", w);
		goto out;
	}
	if (!strcmp(c, "AuthorizationFailed") ||
	    !strcmp(c, "LinkedAuthorizationFailed")) {
		authorization(m, err);
		goto out;
	}
	if (!strcmp(c, "SkuNotAvailable")) {
		sku(m, err);
		goto out;
	}
	if (!strcmp(c, "QuotaExceeded") || (!strcmp(c, "OperationNotAllowed")
					   && strcasestr(w, "quota"))) {
		quota(c, m, err);
		goto out;
	}
	if (strstr(c, "AllocationFailed") || str_starts(c, "Overconstrained")) {
		cloud_err_set(err, CLOUD_ERR_INVALID, "Azure cannot allocate "
			      "this VM now (%s): try another Size or Zone, or "
			      "again later (%s)", c, w);
		goto out;
	}
	if (!strcmp(c, "ResourceGroupNotFound")) {
		name = after(m, "group '", "'");
		cloud_err_set(err, CLOUD_ERR_NOT_FOUND, "resource group %s "
			      "does not exist (ResourceGroupNotFound): check "
			      "ResourceGroupName, or leave it out for icm to "
			      "make one", name && *name ? name : "?");
		free(name);
		goto out;
	}
	if (str_starts(c, "Invalid") || !strcmp(c, "BadRequest")) {
		if (*target)
			cloud_err_set(err, CLOUD_ERR_INVALID, "invalid %s (%s): "
				      "%s", target, c, w);
		else
			cloud_err_set(err, CLOUD_ERR_INVALID, "%s: %s", c, w);
		goto out;
	}
	if (status == 404 || strstr(c, "NotFound"))
		cls = CLOUD_ERR_NOT_FOUND;
	else if (status == 429)
		cls = CLOUD_ERR_THROTTLED;
	else if (status >= 500 || retryable_code(c))
		cls = CLOUD_ERR_TRANSIENT;
	else if (status == 403)
		cls = CLOUD_ERR_AUTH;
	else if (status == 400)
		cls = CLOUD_ERR_INVALID;
	cloud_err_set(err, cls, "%s%s%s", c, *c ? ": " : "", w);
out:
	free(c);
	free(w);
	free(target);
	return -1;
}

int arm_http_error(long status, const char *body, size_t len,
		   struct cloud_err *err)
{
	cJSON *root = body && len ? cJSON_ParseWithLength(body, len) : NULL;
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");

	/* some answers carry the error object at the top */
	if (!cJSON_IsObject(e) && az_str(root, "code"))
		e = root;
	arm_error_obj(e, status, err);
	cJSON_Delete(root);
	return -1;
}
