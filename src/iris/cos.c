/*
 * cos.c: values into ObjectScript, CPF and CSP.ini lines (see cos.h).
 */
#include "cos.h"
#include "../util/str.h"
#include "../state/log.h"
#include <ctype.h>


/* Reports that the value at w cannot go in: why. */
static int refuse(const struct cos_where *w, const char *why)
{
	return error_why(w->why, "%s%s%s: %s%s%s %s", w->node ? w->node : "",
			 w->node ? ", " : "", w->step, w->field,
			 w->owner ? " of " : "", w->owner ? w->owner : "",
			 why);
}

/* Reports that the text being written is over its buffer's cap. */
static int full(const struct cos_where *w)
{
	return error_why(w->why, "%s%s%s: the text is too long",
			 w->node ? w->node : "", w->node ? ", " : "", w->step);
}

int cos_text(const char *v, const struct cos_where *w)
{
	const unsigned char *p;
	char why[64];

	for (p = (const unsigned char *)v; *p; p++) {
		if (str_is_control(*p)) {
			snprintf(why, sizeof(why), "holds a control character "
				 "(0x%02x at byte %zu)", *p,
				 (size_t)(p - (const unsigned char *)v) + 1);
			return refuse(w, why);
		}
	}
	return 0;
}

int cos_str_body(struct buf *out, const char *v, const struct cos_where *w)
{
	if (cos_text(v, w))
		return -1;
	for (; *v; v++)
		if (buf_add(out, v, 1) || (*v == '"' && buf_add(out, v, 1)))
			return full(w);
	return 0;
}

int cos_str(struct buf *out, const char *v, const struct cos_where *w)
{
	if (buf_adds(out, "\""))
		return full(w);
	if (cos_str_body(out, v, w))
		return -1;
	if (buf_adds(out, "\""))
		return full(w);
	return 0;
}

int cos_num_check(const char *v, long min, long max,
		  const struct cos_where *w)
{
	const char *p;
	long n = 0;
	char why[80];

	for (p = v; isdigit((unsigned char)*p) && n <= max; p++)
		n = n * 10 + (*p - '0');
	if (p == v || *p || n < min || n > max) {
		snprintf(why, sizeof(why), "is not a number from %ld to %ld",
			 min, max);
		return refuse(w, why);
	}
	return 0;
}

int cos_num(struct buf *out, const char *v, long min, long max,
	    const struct cos_where *w)
{
	if (cos_num_check(v, min, max, w))
		return -1;
	if (buf_adds(out, v))
		return full(w);
	return 0;
}

bool cos_namespace_ok(const char *v)
{
	const char *p = v;

	if (*p == '%' || isalpha((unsigned char)*p))
		for (p++; isalnum((unsigned char)*p) || *p == '_' ||
			     *p == '-'; p++)
			;
	return p != v && !*p && p - v <= NAMESPACE_MAX && strcmp(v, "%");
}

int cos_namespace(const char *v, const struct cos_where *w)
{
	if (!cos_namespace_ok(v))
		return refuse(w, "is not a namespace name (" COS_NAMESPACE_RULE
			      ")");
	return 0;
}
