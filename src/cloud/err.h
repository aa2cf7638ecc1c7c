/*
 * err.h: a cloud call's failure as a value: its class (what a caller may
 * do about it) and one line for a person.  Every cloud client fills one
 * from the answer it got (AWS: awserr.h's codes; a REST API: its status
 * and error code), so callers branch on the class, never on the words of
 * the message (no strstr(reason, "NotFound")).
 *
 * Ownership: the struct is the caller's (usually on its stack, zeroed
 * with CLOUD_ERR_INIT); msg is allocated by cloud_err_set() and freed by
 * cloud_err_release(), which may be called on an unset error.  Never put a
 * secret in msg.  Not shared between threads: each call gets its own.
 */
#ifndef ICM_CLOUD_ERR_H
#define ICM_CLOUD_ERR_H

#include "../icm.h"

enum cloud_err_class {
	CLOUD_ERR_NONE,		/* no error (the zero value) */
	CLOUD_ERR_OTHER,	/* retrying the same request will not help */
	CLOUD_ERR_THROTTLED,	/* slow down and retry */
	CLOUD_ERR_TRANSIENT,	/* the provider's side or the network
				   failed; retry with backoff */
	CLOUD_ERR_NOT_FOUND,	/* the resource does not exist (gone, or
				   not yet visible just after a create) */
	CLOUD_ERR_EXISTS,	/* already exists / already done (an attach,
				   a rule, a route that is there) */
	CLOUD_ERR_INVALID,	/* the request was refused as invalid (a
				   value, a quota, a capacity) */
	CLOUD_ERR_AUTH,		/* credentials refused, or no permission */
};

struct cloud_err {
	enum cloud_err_class cls;
	char *msg;		/* one line, or NULL when cls is NONE */
};

#define CLOUD_ERR_INIT { CLOUD_ERR_NONE, NULL }

/* Sets *e (replacing what it held); returns -1 so a caller can write
 * `return cloud_err_set(e, CLOUD_ERR_OTHER, "...")`. */
int cloud_err_set(struct cloud_err *e, enum cloud_err_class cls,
		  const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Takes msg (allocated) as the message; returns -1. */
int cloud_err_take(struct cloud_err *e, enum cloud_err_class cls, char *msg);

void cloud_err_release(struct cloud_err *e);

/* "throttled", "not found", ... for debug lines. */
const char *cloud_err_class_name(enum cloud_err_class cls);

#endif
