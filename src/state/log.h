/*
 * log.h: everything icm prints goes through here.
 *
 * - say() writes a line to stdout, error()/warning() to stderr; each line is
 *   also appended to icm.log once log_open() has been called.  Lines printed
 *   before that are kept in memory and written when the log opens, so a
 *   command that fails on bad input (and never opens the log) writes nothing.
 * - Secrets: secret_register() adds a value (password, key, cloud secret) to
 *   the registry; every line written anywhere (console, icm.log, per-node
 *   files through log_redact(), response.json) has each registered value
 *   replaced by "********".  This is the single redaction point.
 * - error() returns -1 so callers can `return error(...)`.  The text of the
 *   last error is kept for response.json (log_last_error()).
 *
 * Thread safety: all functions may be called from several threads.
 */
#ifndef ICM_LOG_H
#define ICM_LOG_H

#include "../icm.h"

#define REDACTED "********"

/* Opens (appending) icm.log at path and flushes what was printed so far. */
int log_open(const char *path) WARN_UNUSED;
void log_close(void);

void say(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Prints "Error: <message>" to stderr; returns -1. */
int error(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Prints the message to stderr as is (ICM's own wording, no prefix); -1. */
int error_raw(const char *fmt, ...) PRINTF_LIKE(1, 2);
void warning(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Written to icm.log only (and to stderr with -verbose). */
void debug(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_set_verbose(bool on);

/* The last error message (without "Error: "), or NULL.  Owned by log.c. */
const char *log_last_error(void);

/* Registers a secret value (copied).  Empty strings are ignored. */
void secret_register(const char *value);
/* Returns a newly allocated copy of text with every secret replaced. */
char *log_redact(const char *text);
/* True if text contains a registered secret. */
bool log_has_secret(const char *text);
/* Wipes and frees the registry (at exit). */
void secrets_wipe(void);

#endif
