/*
 * stateurl.h: where a deployment's state lives, as -stateDir and the
 * StateDir field give it: a local directory, or s3://BUCKET[/PREFIX] (the
 * state in S3-compatible storage, state/remote.h).
 *
 * The URL is checked here, in one place, before any of it becomes an
 * object name, a request or a local path: the bucket by S3's naming rules
 * (3-63 of lower-case letters, digits, '.', '-'; a letter or digit at each
 * end; no "..", not an IP address), the prefix as '/'-separated segments of
 * [A-Za-z0-9._-] (not "." or "..", none empty; at most
 * STATE_URL_PREFIX_MAX bytes), a trailing '/' ignored.  Pure functions: no
 * I/O.
 */
#ifndef ICM_STATE_STATEURL_H
#define ICM_STATE_STATEURL_H

#include "../icm.h"

#define STATE_URL_SCHEME "s3://"
#define STATE_URL_PREFIX_MAX 512

struct state_url {
	char *bucket;
	char *prefix;		/* "" when none; never a leading or trailing
				   '/' */
};

/* True when s names remote state (starts with "s3://", any case of the
 * scheme refused later by state_url_parse()). */
bool state_url_is_remote(const char *s);

/* Parses s into *u (released with state_url_release(), also after a
 * failure).  0, or -1 with a reason in *why (caller frees) that says what
 * a state URL must look like. */
int state_url_parse(const char *s, struct state_url *u, char **why)
	WARN_UNUSED;
void state_url_release(struct state_url *u);

/* The StateDir field's rule (config/check.c): a local path without
 * control characters or a ".." component, or a valid state URL.  NULL
 * when v is fine, else the reason (caller frees). */
char *state_dir_reason(const char *v);

#endif
