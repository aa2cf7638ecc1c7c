/*
 * output.h: the -json result file and console tables.
 *
 * With -json, every command writes ./response.json when it ends (ICM's
 * shapes, icm-reference §7.9): the command's result (ctx->response), `[]`
 * for success without data, or {"error": "<message>"} after a local error.
 * The text is redacted (log.h) before it is written.
 */
#ifndef ICM_OUTPUT_H
#define ICM_OUTPUT_H

#include "../icm.h"
#include <cjson/cJSON.h>

#define RESPONSE_FILE "response.json"

/* Writes response.json for a command that ended with status (0 or 1). */
int output_response(const cJSON *result, int status) WARN_UNUSED;

/*
 * A text table: columns sized to their widest cell, a header row and a
 * row of dashes under each header (ICM's inventory layout).  Rows are
 * printed with say().
 */
struct table {
	size_t ncols, nrows;
	char **cells;		/* nrows * ncols, owned */
	const char *const *headers;
};

void table_init(struct table *t, const char *const *headers, size_t ncols);
/* Adds a row of ncols strings (copied; NULL prints as empty). */
void table_add(struct table *t, const char *const *row);
void table_print(const struct table *t);
void table_release(struct table *t);

#endif
