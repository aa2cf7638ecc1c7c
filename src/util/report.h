/*
 * report.h: everything icm prints goes through here.
 *
 * - say() writes a line to stdout, error()/warning() to stderr, debug() to
 *   stderr with -verbose only.  Every line is redacted (util/secret.h)
 *   before it goes anywhere.
 * - A sink (one at a time: icm.log, plugged in by state/log.c) gets every
 *   line, debug() lines too.  Lines printed while there is no sink are
 *   kept in memory (the newest BUF_CAP_LOG bytes) and handed to the next
 *   sink when it is set, so a command that fails on bad input (and never
 *   opens the log) writes nothing.
 * - error() returns -1 so callers can `return error(...)`.  A call that
 *   fails on a fan-out worker hands its message back as a value as well
 *   (error_why()); the pool's threads never read one another's errors.
 *   The last error the main thread printed is kept for response.json
 *   (report_main_error()).
 *
 * Thread safety: all functions may be called from several threads; one
 * mutex orders the lines, so lines from several threads never interleave.
 */
#ifndef ICM_REPORT_H
#define ICM_REPORT_H

#include "../icm.h"

void say(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Prints "Error: <message>" to stderr; returns -1. */
int error(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Prints the message to stderr as is (ICM's own wording, no prefix); -1. */
int error_raw(const char *fmt, ...) PRINTF_LIKE(1, 2);
void warning(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Written to the sink only (and to stderr with -verbose). */
void debug(const char *fmt, ...) PRINTF_LIKE(1, 2);
void report_set_verbose(bool on);

/*
 * Where every line goes besides the console: fn gets text (one or more
 * whole lines, redacted, each ending in '\n'), called with the report
 * lock held, so it must not print.  Setting a sink first hands it what
 * was kept so far; NULL unplugs the sink (lines are kept again).
 */
typedef void (*report_sink_fn)(const char *text);
void report_set_sink(report_sink_fn fn);
/* Forgets the kept lines and the main thread's last error. */
void report_reset(void);

/*
 * error() that also hands the message back: prints "Error: <message>" and,
 * when why is not NULL, replaces *why (caller frees) with the message as
 * printed (redacted, without "Error: ").  Returns -1.  A function that may
 * fail on a fan-out worker takes `char **why` and reports with this, so
 * its caller learns why from the call itself.
 */
int error_why(char **why, const char *fmt, ...) PRINTF_LIKE(2, 3);

/*
 * The last error message (without "Error: ") printed by the main thread
 * (the one that started the process), or NULL; errors printed on other
 * threads are not kept.  For response.json and tests; on any other thread
 * it is NULL.  Owned by report.c.
 */
const char *report_main_error(void);

#endif
