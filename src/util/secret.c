/*
 * secret.c: the secret registry and redaction (see secret.h).
 */
#include "secret.h"
#include "buf.h"
#include "report.h"
#include "str.h"
#include <pthread.h>

/* Redacted text grows by at most strlen(REDACTED) / SECRET_MASK_MIN of
 * the input; this bound is far above any line or file icm writes. */
#define REDACT_CAP (SIZE_MAX / 2)

static pthread_mutex_t secret_lock = PTHREAD_MUTEX_INITIALIZER;
static char **secrets;		/* mask patterns, longest first */
static size_t nsecrets;
static char **weak_named;	/* names already warned about as weak */
static size_t nweak;

/* Characters (UTF-8 code points) in s. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/*
 * v as cJSON writes it inside a JSON string (response.json), or NULL when
 * that is v itself.  Caller wipes and frees.
 */
static char *json_escaped(const char *v)
{
	struct buf b;
	const char *p;
	int r = 0;

	buf_init(&b, 6 * strlen(v) + 1);
	for (p = v; *p && !r; p++) {
		unsigned char c = (unsigned char)*p;
		const char *e = c == '"' ? "\\\"" : c == '\\' ? "\\\\" :
				c == '\b' ? "\\b" : c == '\f' ? "\\f" :
				c == '\n' ? "\\n" : c == '\r' ? "\\r" :
				c == '\t' ? "\\t" : NULL;

		if (e)
			r = buf_adds(&b, e);
		else if (c < 0x20)
			r = buf_addf(&b, "\\u%04x", c);
		else
			r = buf_add(&b, p, 1);
	}
	if (r || !b.len || !strcmp(b.data, v)) {
		buf_wipe(&b);
		return NULL;
	}
	return buf_take(&b);
}

/* Caller holds secret_lock.  Adds s (consumed) to the mask patterns,
 * keeping them longest first so that a secret containing another is
 * masked whole. */
static void add_pattern_locked(char *s)
{
	size_t i, len = strlen(s);

	for (i = 0; i < nsecrets; i++)
		if (!strcmp(secrets[i], s)) {
			freezero_str(s);
			return;
		}
	secrets = xrealloc(secrets, (nsecrets + 1) * sizeof(*secrets));
	for (i = nsecrets; i > 0 && strlen(secrets[i - 1]) < len; i--)
		secrets[i] = secrets[i - 1];
	secrets[i] = s;
	nsecrets++;
}

/* Caller holds secret_lock.  True the first time what is named as weak. */
static bool first_weak_locked(const char *what)
{
	size_t i;

	for (i = 0; i < nweak; i++)
		if (!strcmp(weak_named[i], what))
			return false;
	weak_named = xrealloc(weak_named, (nweak + 1) * sizeof(*weak_named));
	weak_named[nweak++] = xstrdup(what);
	return true;
}

void secret_register(const char *what, const char *value)
{
	bool warn = false;
	char *esc;

	if (!value || !*value)
		return;
	pthread_mutex_lock(&secret_lock);
	if (utf8_chars(value) < SECRET_MASK_MIN) {
		warn = first_weak_locked(what);
	} else {
		add_pattern_locked(xstrdup(value));
		esc = json_escaped(value);
		if (esc)
			add_pattern_locked(esc);
	}
	pthread_mutex_unlock(&secret_lock);
	if (warn)
		warning("%s is shorter than %d characters; it is weak and "
			"cannot be masked in output", what, SECRET_MASK_MIN);
}

void secrets_wipe(void)
{
	size_t i;

	pthread_mutex_lock(&secret_lock);
	for (i = 0; i < nsecrets; i++)
		freezero_str(secrets[i]);
	free(secrets);
	secrets = NULL;
	nsecrets = 0;
	for (i = 0; i < nweak; i++)
		free(weak_named[i]);
	free(weak_named);
	weak_named = NULL;
	nweak = 0;
	pthread_mutex_unlock(&secret_lock);
}

/* Caller holds secret_lock. */
static char *redact_locked(const char *text)
{
	char *out = xstrdup(text);
	size_t i;

	for (i = 0; i < nsecrets; i++) {
		const char *s = secrets[i];
		size_t sl = strlen(s);
		struct buf b;
		const char *p, *hit;

		if (!strstr(out, s))
			continue;
		buf_init(&b, REDACT_CAP);
		for (p = out; (hit = strstr(p, s)); p = hit + sl) {
			if (buf_add(&b, p, (size_t)(hit - p)) ||
			    buf_adds(&b, REDACTED))
				abort();
		}
		if (buf_adds(&b, p))
			abort();
		freezero_str(out);
		out = buf_take(&b);
	}
	return out;
}

char *secret_redact(const char *text)
{
	char *r;

	pthread_mutex_lock(&secret_lock);
	r = redact_locked(text);
	pthread_mutex_unlock(&secret_lock);
	return r;
}

bool secret_found(const char *text)
{
	bool found = false;
	size_t i;

	pthread_mutex_lock(&secret_lock);
	for (i = 0; i < nsecrets && !found; i++)
		found = strstr(text, secrets[i]) != NULL;
	pthread_mutex_unlock(&secret_lock);
	return found;
}
