/* stateurl.c: s3://BUCKET/PREFIX, checked (see stateurl.h). */
#include "stateurl.h"
#include "../util/str.h"
#include <ctype.h>

#define URL_RULE "expected s3://BUCKET or s3://BUCKET/PREFIX (a bucket " \
	"of 3-63 lower-case letters, digits, '.' and '-'; a prefix of " \
	"'/'-separated names of letters, digits, '.', '_' and '-')"

bool state_url_is_remote(const char *s)
{
	return s && !strncasecmp(s, STATE_URL_SCHEME,
				 strlen(STATE_URL_SCHEME));
}

static bool bucket_ok(const char *b, size_t n)
{
	size_t i, dots = 0;
	bool digits_only = true;

	if (n < 3 || n > 63 || !isalnum((unsigned char)b[0]) ||
	    !isalnum((unsigned char)b[n - 1]))
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];

		if (!(islower(c) || isdigit(c) || c == '.' || c == '-'))
			return false;
		if (c == '.' && (b[i + 1] == '.' || (i && b[i - 1] == '-') ||
				 b[i + 1] == '-'))
			return false;
		dots += c == '.';
		if (!isdigit(c) && c != '.')
			digits_only = false;
	}
	return !(digits_only && dots == 3);	/* not an IP address */
}

static bool segment_ok(const char *s, size_t n)
{
	size_t i;

	if (!n || (n == 1 && s[0] == '.') || (n == 2 && !strncmp(s, "..", 2)))
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(isalnum(c) || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int state_url_parse(const char *s, struct state_url *u, char **why)
{
	const char *b, *slash, *p, *seg;
	size_t plen;

	memset(u, 0, sizeof(*u));
	if (!s || strncmp(s, STATE_URL_SCHEME, strlen(STATE_URL_SCHEME)))
		goto bad;
	b = s + strlen(STATE_URL_SCHEME);
	slash = strchr(b, '/');
	if (!bucket_ok(b, slash ? (size_t)(slash - b) : strlen(b)))
		goto bad;
	p = slash ? slash + 1 : "";
	plen = strlen(p);
	while (plen && p[plen - 1] == '/')
		plen--;
	if (plen > STATE_URL_PREFIX_MAX)
		goto bad;
	for (seg = p; seg < p + plen;) {
		const char *end = memchr(seg, '/', (size_t)(p + plen - seg));

		if (!end)
			end = p + plen;
		if (!segment_ok(seg, (size_t)(end - seg)))
			goto bad;
		seg = end + 1;
	}
	u->bucket = slash ? xstrndup(b, (size_t)(slash - b)) : xstrdup(b);
	u->prefix = xstrndup(p, plen);
	return 0;
bad:
	*why = xasprintf("'%s': " URL_RULE, s ? s : "");
	return -1;
}

void state_url_release(struct state_url *u)
{
	free(u->bucket);
	free(u->prefix);
	memset(u, 0, sizeof(*u));
}

char *state_dir_reason(const char *v)
{
	struct state_url u;
	char *why = NULL;
	size_t i, n = strlen(v);

	if (state_url_is_remote(v)) {
		if (state_url_parse(v, &u, &why) == 0)
			state_url_release(&u);
		return why;
	}
	for (i = 0; i < n; i++)
		if (str_is_control((unsigned char)v[i]))
			return xstrdup("expected a path without control "
				       "characters, or " URL_RULE);
	for (i = 0; i + 2 <= n; i++)
		if ((i == 0 || v[i - 1] == '/') && !strncmp(v + i, "..", 2) &&
		    (v[i + 2] == '/' || !v[i + 2]))
			return xstrdup("expected a path without a '..' "
				       "component, or " URL_RULE);
	return n ? NULL : xstrdup("expected a path, or " URL_RULE);
}
