/*
 * json.h: reading JSON files with cJSON, reporting malformed input with
 * file:line:column.
 */
#ifndef ICM_JSON_H
#define ICM_JSON_H

#include "../icm.h"
#include <cjson/cJSON.h>

/*
 * Turns a byte offset in text into a 1-based line and column.
 */
void json_offset_to_linecol(const char *text, size_t off, int *line,
			    int *col);

/*
 * Reads the file at path (at most cap bytes) and parses it.  On success
 * *out owns the tree.  Errors are reported as
 *   cannot read '<file>': <reason>
 *   <file>:<line>:<col>: malformed JSON
 * and -1 is returned.
 */
int json_read_file(const char *path, size_t cap, cJSON **out) WARN_UNUSED;

/* Serialises item (pretty) and writes it atomically with the given mode,
 * redacting nothing (callers redact).  -1 with the reason reported. */
int json_write_file(const char *path, const cJSON *item,
		    mode_t mode) WARN_UNUSED;

#endif
