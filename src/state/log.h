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
 *   replaced by "********", as written and as it appears inside a JSON
 *   string.  This is the single redaction point, and a safety net: code
 *   never prints a secret's value in the first place (a value too short to
 *   mask is not masked at all, see secret_register()).
 * - error() returns -1 so callers can `return error(...)`.  A call that
 *   fails on a fan-out worker hands its message back as a value as well
 *   (error_why()); the pool's threads never read one another's errors.
 *   The last error the main thread printed is kept for response.json
 *   (log_main_error()).
 *
 * Thread safety: all functions may be called from several threads.
 */
#ifndef ICM_LOG_H
#define ICM_LOG_H

#include "../icm.h"

#define REDACTED "********"
/* Secrets shorter than this (in characters) are not masked: "TEST" would
 * turn the machine ECP-DM-TEST-0001 into ECP-DM-********-0001. */
#define SECRET_MASK_MIN 6
/* The guide's stand-in for a value ("DockerPassword": "..."); refused as
 * a secret (config_register_secrets(), -iscPassword). */
#define SECRET_PLACEHOLDER "..."

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
 * it is NULL.  Owned by log.c.
 */
const char *log_main_error(void);

/*
 * Registers a secret value (copied) that came from what: a field or option
 * name, or a few words ("the SSH key's passphrase"), for the warning below;
 * never the value.  Empty strings are ignored.  A value of SECRET_MASK_MIN
 * characters or more is masked from then on, in the form given and in its
 * JSON-escaped form, the longest secret first.  A shorter one is not (it
 * would garble other text); instead icm warns, once per what:
 *   Warning: <what> is shorter than 6 characters; it is weak and cannot be
 *   masked in output
 */
void secret_register(const char *what, const char *value);
/* Returns a newly allocated copy of text with every secret replaced. */
char *log_redact(const char *text);
/* True if text contains a registered secret. */
bool log_has_secret(const char *text);
/* Wipes and frees the registry (at exit). */
void secrets_wipe(void);

#endif
