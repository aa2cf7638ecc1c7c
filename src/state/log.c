/*
 * log.c: console and icm.log output with secret redaction (see log.h).
 *
 * One mutex guards the secret registry, the pending-output buffer and the
 * log file, so lines from several threads never interleave.
 */
#include "log.h"
#include "../util/buf.h"
#include "../util/str.h"
#include <pthread.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char **secrets;
static size_t nsecrets;
static FILE *logfile;
static struct buf pending = { NULL, 0, 0, BUF_CAP_LOG };
static char *last_error;
static bool verbose;

void log_set_verbose(bool on)
{
	verbose = on;
}

void secret_register(const char *value)
{
	size_t i;

	if (!value || !*value)
		return;
	pthread_mutex_lock(&log_lock);
	for (i = 0; i < nsecrets; i++)
		if (!strcmp(secrets[i], value))
			goto out;
	secrets = xrealloc(secrets, (nsecrets + 1) * sizeof(*secrets));
	secrets[nsecrets++] = xstrdup(value);
out:
	pthread_mutex_unlock(&log_lock);
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
		buf_init(&b, SIZE_MAX / 2);
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

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "a"))) {
		if (fd >= 0)
			close(fd);
		return error("cannot open log file '%s': %s", path,
			     strerror(errno));
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
	free(last_error);
	last_error = NULL;
	pthread_mutex_unlock(&log_lock);
}

/* Formats, redacts and writes one message to the console and the log. */
static void emit(FILE *console, const char *prefix, bool keep,
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
	if (keep) {
		free(last_error);
		last_error = xstrdup(line + strlen(prefix));
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
	emit(stdout, "", false, fmt, ap);
	va_end(ap);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(stderr, "Error: ", true, fmt, ap);
	va_end(ap);
	return -1;
}

int error_raw(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(stderr, "", true, fmt, ap);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(stderr, "Warning: ", false, fmt, ap);
	va_end(ap);
}

void debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(verbose ? stderr : NULL, "", false, fmt, ap);
	va_end(ap);
}

const char *log_last_error(void)
{
	return last_error;
}
