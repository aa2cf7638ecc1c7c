/*
 * qlist.h: reading a line of `iris qlist IRIS` (iris-config.md §1.5): the
 * instance's fields separated by '^' (older releases print fewer; read
 * defensively).
 *
 * Ownership: returned strings are the caller's.
 */
#ifndef ICM_IRIS_QLIST_H
#define ICM_IRIS_QLIST_H

#include "../icm.h"

#define QLIST_INSTANCE 1
#define QLIST_VERSION 3
#define QLIST_STATUS 4		/* "running, since ...", "down, ..." */
#define QLIST_HEALTH 9		/* ok, warn, alert; blank when down */
#define QLIST_MIRROR_TYPE 11
#define QLIST_MIRROR_STATUS 12

/* Field `field` (1-based), allocated ("" when the line has fewer fields,
 * or line is NULL); a field ends at '^', a line end or the text's end. */
char *iris_qlist_field(const char *line, int field);

/* Whether the status field says running. */
bool iris_qlist_running(const char *line);

#endif
