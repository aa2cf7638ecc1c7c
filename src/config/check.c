/* check.c: per-value rules of fields.def (the "check" column). */
#include "../icm.h"
#include "cfgint.h"
#include "../util/str.h"
#include <strings.h>

#define MIRROR_ASYNC_MAX 14

static const char *const roles[] = {
	"DATA", "COMPUTE", "DM", "DS", "QS", "AM",	/* IRIS_ROLES */
	"AR", "WS", "LB", "VM", "CN", "BH",
};
#define IRIS_ROLES 6

bool role_is_iris(const char *role)
{
	size_t i;

	for (i = 0; i < IRIS_ROLES; i++)
		if (!strcmp(roles[i], role))
			return true;
	return false;
}

bool role_known(const char *role)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(roles); i++)
		if (!strcmp(roles[i], role))
			return true;
	return false;
}

static bool whole(const char *v, long lo, long hi)
{
	long n;

	return !str_to_long(v, &n) && *v != '-' && n >= lo && n <= hi;
}

/* "A|B|C" contains v exactly. */
static bool enum_has(const char *values, const char *v)
{
	size_t n = strlen(v);
	const char *p = values;

	for (;;) {
		const char *e = strchr(p, '|');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == n && !strncmp(p, v, n))
			return true;
		if (!e)
			return false;
		p = e + 1;
	}
}

/* "expected one of A, B, C" from "A|B|C". */
static char *enum_reason(const char *values)
{
	static const char head[] = "expected one of ";
	char *r = xmalloc(sizeof(head) + 2 * strlen(values));
	char *o = r + sizeof(head) - 1;
	const char *q;

	memcpy(r, head, sizeof(head) - 1);
	for (q = values; *q; q++) {
		if (*q == '|') {
			*o++ = ',';
			*o++ = ' ';
		} else {
			*o++ = *q;
		}
	}
	*o = 0;
	return r;
}

/* Every comma-separated element passes whole(lo, hi). */
static bool list_of_whole(const char *v, long lo, long hi)
{
	size_t n, i;
	char **e = list_split(v, &n);
	bool good = true;

	for (i = 0; i < n; i++)
		good = good && whole(e[i], lo, hi);
	list_free(e);
	return good;
}

static char *check_mirrormap(const char *v)
{
	size_t n, i, async = 0;
	char **m = list_split(v, &n);
	char *why = NULL;

	if (n < 2 || strcmp(m[0], "primary") || strcmp(m[1], "backup")) {
		why = xstrdup("must start with 'primary,backup'");
		goto out;
	}
	for (i = 2; i < n; i++) {
		if (strcmp(m[i], "async")) {
			why = xasprintf("member %zu ('%s') must be 'async'",
					i + 1, m[i]);
			goto out;
		}
		async++;
	}
	if (async > MIRROR_ASYNC_MAX)
		why = xasprintf("at most %d async members",
				MIRROR_ASYNC_MAX);
out:
	list_free(m);
	return why;
}

static char *check_rule(const char *rule, const char *v)
{
	if (!strcmp(rule, "count"))
		return whole(v, 0, LONG_MAX) ? NULL :
			xstrdup("expected a whole number");
	if (!strcmp(rule, "positive"))
		return whole(v, 1, LONG_MAX) ? NULL :
			xstrdup("expected a whole number of at least 1");
	if (!strcmp(rule, "port"))
		return whole(v, 1, 65535) ? NULL :
			xstrdup("expected a port number (1-65535)");
	if (!strcmp(rule, "scsi"))
		return whole(v, 1, 4) ? NULL :
			xstrdup("expected a controller number (1-4)");
	if (!strcmp(rule, "portlist"))
		return list_of_whole(v, 1, 65535) ? NULL :
			xstrdup("expected a comma-separated list of port "
				"numbers (1-65535)");
	if (!strcmp(rule, "indexlist"))
		return list_of_whole(v, 0, LONG_MAX) ? NULL :
			xstrdup("expected a comma-separated list of whole "
				"numbers");
	if (!strcmp(rule, "nodash")) {
		if (!*v)
			return xstrdup("must not be empty");
		return strchr(v, '-') ? xstrdup("must not contain dashes")
				      : NULL;
	}
	if (!strcmp(rule, "keyfile"))
		return str_ends(v, ".key") && strlen(v) > 4 ? NULL :
			xstrdup("must end in '.key'");
	if (!strcmp(rule, "image"))
		return strchr(v, '/') && !strpbrk(v, " \t") ? NULL :
			xstrdup("expected an image name with its repository "
				"(repository/image:tag)");
	if (!strcmp(rule, "urlpath"))
		return v[0] == '/' && (!v[1] || !str_ends(v, "/")) ? NULL :
			xstrdup("expected a path starting with '/' and no "
				"trailing '/'");
	if (!strcmp(rule, "mirrormap"))
		return check_mirrormap(v);
	return NULL;
}

char *check_value(const struct field_def *f, const char *v)
{
	const char *rule = f->check;
	const char *alias = field_alias_of(f);

	if (alias) {
		f = field_find(alias);
		rule = f ? f->check : NULL;
		if (!f)
			return NULL;
	}
	if (f->type == FT_BOOL && strcasecmp(v, "true") &&
	    strcasecmp(v, "false"))
		return xstrdup("expected true or false");
	if (f->type == FT_ENUM && rule && strcmp(rule, "role") &&
	    !enum_has(rule, v))
		return enum_reason(rule);
	if (f->type == FT_INT && !rule)
		rule = "count";
	return rule && f->type != FT_ENUM ? check_rule(rule, v) : NULL;
}
