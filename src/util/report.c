/*
 * report.c: console output, the sink behind it and the kept lines (see
 * report.h).
 *
 * One mutex guards the sink, the kept lines and the last error, so lines
 * from several threads never interleave.
 */
#include "report.h"
#include "buf.h"
#include "secret.h"
#include "str.h"
#include <pthread.h>

static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static report_sink_fn sink;
static struct buf pending = { NULL, 0, 0, BUF_CAP_LOG };
static char *main_error;		/* report_main_error() */
static pthread_t main_thread;
static bool verbose;

/* Runs on the main thread before main(). */
__attribute__((constructor)) static void note_main_thread(void)
{
	main_thread = pthread_self();
}

void report_set_verbose(bool on)
{
	verbose = on;
}

/* Caller holds report_lock.  text is redacted and ends in '\n'. */
static void sink_write_locked(const char *text)
{
	if (sink) {
		sink(text);
	} else if (buf_adds(&pending, text)) {
		/* Over the cap: keep the newest output only. */
		buf_init(&pending, BUF_CAP_LOG);
	}
}

void report_set_sink(report_sink_fn fn)
{
	pthread_mutex_lock(&report_lock);
	sink = fn;
	if (sink && pending.len)
		sink(pending.data);
	if (sink)
		buf_release(&pending);
	pthread_mutex_unlock(&report_lock);
}

void report_reset(void)
{
	pthread_mutex_lock(&report_lock);
	buf_release(&pending);
	free(main_error);
	main_error = NULL;
	pthread_mutex_unlock(&report_lock);
}

/*
 * Formats, redacts and writes one message to the console and the sink.
 * keep: an error; on the main thread it becomes report_main_error(), and
 * *why (why not NULL) gets a copy (without the prefix).
 */
static void emit(FILE *console, const char *prefix, bool keep, char **why,
		 const char *fmt, va_list ap)
{
	struct buf b;
	char *line, *text;

	buf_init(&b, BUF_CAP_LINE);
	if (buf_adds(&b, prefix) || buf_vaddf(&b, fmt, ap)) {
		buf_init(&b, BUF_CAP_LINE);
		if (buf_adds(&b, "(message too long)"))
			return;
	}
	pthread_mutex_lock(&report_lock);
	line = secret_redact(b.data);
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
	text = xasprintf("%s\n", line);
	sink_write_locked(text);
	free(text);
	pthread_mutex_unlock(&report_lock);
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

const char *report_main_error(void)
{
	/* main_error is written on the main thread only: read it there */
	if (!pthread_equal(pthread_self(), main_thread))
		return NULL;
	return main_error;
}
