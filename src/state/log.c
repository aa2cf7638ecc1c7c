/*
 * log.c: icm.log as the sink of util/report.c (see log.h).
 *
 * The sink is called with the report lock held; the file itself is
 * guarded by log_lock too, taken after it (log_open() swaps the file
 * without the report lock).
 */
#include "log.h"
#include "../util/fs.h"
#include <pthread.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *logfile;

/* The sink: text is redacted whole lines. */
static void log_write(const char *text)
{
	pthread_mutex_lock(&log_lock);
	if (logfile) {
		fputs(text, logfile);
		fflush(logfile);
	}
	pthread_mutex_unlock(&log_lock);
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
	pthread_mutex_unlock(&log_lock);
	report_set_sink(log_write);
	return 0;
}

void log_close(void)
{
	report_set_sink(NULL);
	pthread_mutex_lock(&log_lock);
	if (logfile)
		fclose(logfile);
	logfile = NULL;
	pthread_mutex_unlock(&log_lock);
	report_reset();
}
