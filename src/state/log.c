/*
 * log.c: console and icm.log output with secret redaction (see log.h).
 *
 * One mutex guards the secret registry, the pending-output buffer and the
 * log file, so lines from several threads never interleave.
 */
#include "log.h"
#include "../util/buf.h"
#include "../util/fs.h"
#include "../util/str.h"
#include <pthread.h>

/* Redacted text grows by at most strlen(REDACTED) / SECRET_MASK_MIN of
 * the input; this bound is far above any line or file icm writes. */
#define REDACT_CAP (SIZE_MAX / 2)

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char **secrets;		/* mask patterns, longest first */
static size_t nsecrets;
static char **weak_named;	/* names already warned about as weak */
static size_t nweak;
static FILE *logfile;
static struct buf pending = { NULL, 0, 0, BUF_CAP_LOG };
static char *main_error;		/* log_main_error() */
static pthread_t main_thread;
static bool verbose;

/* Runs on the main thread before main(). */
__attribute__((constructor)) static void note_main_thread(void)
{
	main_thread = pthread_self();
}

void log_set_verbose(bool on)
{
	verbose = on;
}

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

/* Caller holds log_lock.  Adds s (consumed) to the mask patterns, keeping
 * them longest first so that a secret containing another is masked whole. */
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

/* Caller holds log_lock.  True the first time what is named as weak. */
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
	pthread_mutex_lock(&log_lock);
	if (utf8_chars(value) < SECRET_MASK_MIN) {
		warn = first_weak_locked(what);
	} else {
		add_pattern_locked(xstrdup(value));
		esc = json_escaped(value);
		if (esc)
			add_pattern_locked(esc);
	}
	pthread_mutex_unlock(&log_lock);
	if (warn)
		warning("%s is shorter than %d characters; it is weak and "
			"cannot be masked in output", what, SECRET_MASK_MIN);
}

void secrets_wipe(void)
{
	size_t i;

	pthread_mutex_lock(&log_lock);
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
	pthread_mutex_unlock(&log_lock);
}

/* Caller holds log_lock. */
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

char *log_redact(const char *text)
{
	char *r;

	pthread_mutex_lock(&log_lock);
	r = redact_locked(text);
	pthread_mutex_unlock(&log_lock);
	return r;
}

bool log_has_secret(const char *text)
{
	bool found = false;
	size_t i;

	pthread_mutex_lock(&log_lock);
	for (i = 0; i < nsecrets && !found; i++)
		found = strstr(text, secrets[i]) != NULL;
	pthread_mutex_unlock(&log_lock);
	return found;
}

/* Caller holds log_lock.  line is already redacted and ends in '\n'. */
static void log_write_locked(const char *line)
{
	if (logfile) {
		fputs(line, logfile);
		fflush(logfile);
	} else if (buf_adds(&pending, line)) {
		/* Over the cap: keep the newest output only. */
		buf_init(&pending, BUF_CAP_LOG);
	}
}

int log_open(const char *path)
{
	FILE *f;
	int fd;

	fd = fs_open_append(path);
	if (fd < 0 || !(f = fdopen(fd, "a"))) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		return error("cannot write '%s': %s", path, fs_strerror(err));
	}
	pthread_mutex_lock(&log_lock);
	if (logfile)
		fclose(logfile);
	logfile = f;
	if (pending.len)
		fputs(pending.data, logfile);
	buf_release(&pending);
	fflush(logfile);
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (logfile)
		fclose(logfile);
	logfile = NULL;
	buf_release(&pending);
	free(main_error);
	main_error = NULL;
	pthread_mutex_unlock(&log_lock);
}

/*
 * Formats, redacts and writes one message to the console and the log.
 * keep: an error; on the main thread it becomes log_main_error(), and
 * *why (why not NULL) gets a copy (without the prefix).
 */
static void emit(FILE *console, const char *prefix, bool keep, char **why,
		 const char *fmt, va_list ap)
{
	struct buf b;
	char *line;

	buf_init(&b, BUF_CAP_LINE);
	if (buf_adds(&b, prefix) || buf_vaddf(&b, fmt, ap)) {
		buf_init(&b, BUF_CAP_LINE);
		if (buf_adds(&b, "(message too long)"))
			return;
	}
	pthread_mutex_lock(&log_lock);
	line = redact_locked(b.data);
	buf_wipe(&b);
	if (keep && pthread_equal(pthread_self(), main_thread)) {
		free(main_error);
		main_error = xstrdup(line + strlen(prefix));
	}
	if (keep && why) {
		free(*why);
		*why = xstrdup(line + strlen(prefix));
	}
	if (console) {
		fputs(line, console);
		fputc('\n', console);
		fflush(console);
	}
	{
		char *l2 = xasprintf("%s\n", line);

		log_write_locked(l2);
		free(l2);
	}
	pthread_mutex_unlock(&log_lock);
	free(line);
}

void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(stdout, "", false, NULL, fmt, ap);
	va_end(ap);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(stderr, "Error: ", true, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int error_raw(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(stderr, "", true, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(stderr, "Warning: ", false, NULL, fmt, ap);
	va_end(ap);
}

void debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(verbose ? stderr : NULL, "", false, NULL, fmt, ap);
	va_end(ap);
}

int error_why(char **why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(stderr, "Error: ", true, why, fmt, ap);
	va_end(ap);
	return -1;
}

const char *log_main_error(void)
{
	/* main_error is written on the main thread only: read it there */
	if (!pthread_equal(pthread_self(), main_thread))
		return NULL;
	return main_error;
}
