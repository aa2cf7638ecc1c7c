/*
 * cos.h: the one way a value icm was given goes into text InterSystems
 * IRIS reads: ObjectScript lines (`iris session`), the first-start merge
 * file (CPF) and the Web Gateway's CSP.ini.  Each of those is read line by
 * line, so no value may carry a control character (C0, NUL, DEL): a CR or
 * LF would end the line and start another of the value's choosing.  In
 * ObjectScript a string value goes only inside a literal, its quotes
 * doubled; a number goes only as digits, range-checked.
 *
 * Errors name the node, the step (or file) and the field, never the value
 * (it may be a password): "DM-1, step mirror: MirrorSetName holds a
 * control character (0x0a at byte 5)".
 */
#ifndef ICM_IRIS_COS_H
#define ICM_IRIS_COS_H

#include "../icm.h"
#include "../util/buf.h"

/* Where a value is going, for its error message.  (How long a value may
 * be is the cap of the buffer it goes into.) */
struct cos_where {
	const char *node;	/* the node rendered for, or NULL */
	const char *step;	/* "step mirror", "CSP.ini", "the merge file" */
	const char *field;	/* the field the value came from */
	const char *owner;	/* the node the field is of, when another */
	char **why;		/* NULL, or also gets the message (a caller
				   on a fan-out worker: error_why()) */
};

/* Whether v can go on one line: no control character.  0, or -1
 * reported. */
int cos_text(const char *v, const struct cos_where *w) WARN_UNUSED;

/* Appends v as the inside of an ObjectScript string literal (its quotes
 * doubled).  -1 reported (cos_text) or for a full buffer. */
int cos_str_body(struct buf *out, const char *v, const struct cos_where *w)
	WARN_UNUSED;

/* Appends v as an ObjectScript string literal: "..." */
int cos_str(struct buf *out, const char *v, const struct cos_where *w)
	WARN_UNUSED;

/* Whether v is a decimal number from min to max (digits only).  0, or -1
 * reported. */
int cos_num_check(const char *v, long min, long max,
		  const struct cos_where *w) WARN_UNUSED;

/* Appends v as an ObjectScript number after cos_num_check(). */
int cos_num(struct buf *out, const char *v, long min, long max,
	    const struct cos_where *w) WARN_UNUSED;

/* Ports: 1 to 65535. */
#define cos_port(out, v, w) cos_num(out, v, 1, 65535, w)
#define cos_port_check(v, w) cos_num_check(v, 1, 65535, w)

/* Whether v is a namespace name IRIS takes (`iris session -U`): a letter
 * or %, then letters, digits, '_' and '-'; at most 255 bytes.  0, or -1
 * reported. */
int cos_namespace(const char *v, const struct cos_where *w) WARN_UNUSED;

/* The same test, unreported: the configuration layer's "namespace" rule
 * (config/check.c) is this one. */
#define NAMESPACE_MAX 255
#define COS_NAMESPACE_RULE "a letter or %, then letters, digits, '_' and " \
	"'-'; at most 255 characters"
bool cos_namespace_ok(const char *v);

#endif
