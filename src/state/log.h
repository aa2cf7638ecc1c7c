/*
 * log.h: icm.log, the file every line icm prints is appended to.
 *
 * The reporting functions (say, error, warning, debug: util/report.h) and
 * the secret registry (util/secret.h) are the ground floor; this is the
 * sink icm.log plugs into them.  log_open() flushes the lines printed
 * before it (kept by util/report.c) and appends every line after it, as
 * redacted on the console, debug() lines too.
 *
 * Thread safety: all functions may be called from several threads.
 */
#ifndef ICM_LOG_H
#define ICM_LOG_H

#include "../icm.h"
#include "../util/report.h"
#include "../util/secret.h"

/* Opens (appending) icm.log at path and flushes what was printed so far. */
int log_open(const char *path) WARN_UNUSED;
/* Closes icm.log; forgets the kept lines and the last error. */
void log_close(void);

#endif
