/* sql.c: icm sql's ObjectScript and its result as CSV (see sql.h). */
#include "sql.h"
#include "cos.h"
#include "../state/log.h"
#include "../util/str.h"
#include <cjson/cJSON.h>

/* The statement's SQLCODE and message on a line of their own. */
#define WRITE_ERROR "write !,\"" IRIS_SQL_ERROR " SQLCODE \",rs.%SQLCODE," \
	"\": \",rs.%Message,!"
/* Column names, then each row, as JSON arrays of strings. */
#define WRITE_ROWS \
	"set md=rs.%GetMetadata(),a=[] " \
	"for i=1:1:md.columnCount { do a.%Push(md.columns.GetAt(i).colName) } " \
	"write !,\"" IRIS_SQL_ROW " \",a.%ToJSON() " \
	"while rs.%Next() { set a=[] " \
	"for i=1:1:md.columnCount { do a.%Push(rs.%GetData(i)_\"\") } " \
	"write !,\"" IRIS_SQL_ROW " \",a.%ToJSON() } write ! " \
	"if rs.%SQLCODE<0 { " WRITE_ERROR " }"

int iris_sql_script(const char *stmt, struct buf *out)
{
	const struct cos_where w = { .step = "-command",
				     .field = "the SQL statement" };

	if (strlen(stmt) > IRIS_SQL_MAX)
		return error("-command: the statement is longer than %u bytes",
			     IRIS_SQL_MAX);
	if (buf_adds(out, "set rs=##class(%SQL.Statement).%ExecDirect(,"))
		goto full;
	if (cos_str(out, stmt, &w))
		return -1;
	if (buf_adds(out, ") if rs.%SQLCODE<0 { " WRITE_ERROR " } "
		     "elseif rs.%ResultColumnCount=0 { write !,\""
		     IRIS_SQL_COUNT " \",+rs.%ROWCOUNT,! } "
		     "else { " WRITE_ROWS " }\nhalt\n"))
		goto full;
	return 0;
full:
	return error("-command: the statement is too long");
}

int csv_add_field(struct buf *out, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")])
		return buf_adds(out, s);
	if (buf_adds(out, "\""))
		return -1;
	for (; *s; s++)
		if (buf_add(out, s, 1) || (*s == '"' && buf_add(out, s, 1)))
			return -1;
	return buf_adds(out, "\"");
}

/* One result line's JSON array as a CSV line; *ncols is the header's
 * count (0 before the header). */
static int row_csv(const char *json, size_t len, int *ncols,
		   struct buf *out, char **why)
{
	cJSON *a = cJSON_ParseWithLength(json, len), *v;
	int n = 0, ret = -1;

	if (!cJSON_IsArray(a)) {
		*why = xasprintf("the instance's result has a line that is "
				 "not a row: %.*s", (int)(len > 80 ? 80 : len),
				 json);
		goto out;
	}
	cJSON_ArrayForEach(v, a) {
		if (!cJSON_IsString(v) && !cJSON_IsNull(v)) {
			*why = xasprintf("the instance's result has a value "
					 "that is not a string in row: %.*s",
					 (int)(len > 80 ? 80 : len), json);
			goto out;
		}
		if ((n++ && buf_adds(out, ",")) ||
		    csv_add_field(out, cJSON_IsString(v) ? v->valuestring :
				  ""))
			goto full;
	}
	if (*ncols && n != *ncols) {
		*why = xasprintf("the instance's result has a row of %d "
				 "values under a header of %d", n, *ncols);
		goto out;
	}
	if (!*ncols && !n) {
		*why = xasprintf("the instance's result has no columns");
		goto out;
	}
	*ncols = n;
	if (buf_adds(out, "\n"))
		goto full;
	ret = 0;
	goto out;
full:
	*why = xasprintf("the result is larger than %zu bytes", out->cap);
out:
	cJSON_Delete(a);
	return ret;
}

int iris_sql_csv(const char *text, size_t len, struct buf *out, char **why)
{
	const char *p = text, *end = text + len;
	int ncols = 0, rc = 0;
	bool any = false;

	*why = NULL;
	while (p < end && !rc) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *m;
		char *line = xstrndup(p, (size_t)(le - p));
		size_t n = strlen(line);

		while (n && line[n - 1] == '\r')
			line[--n] = '\0';
		p = nl ? nl + 1 : end;
		if ((m = strstr(line, IRIS_SQL_ERROR))) {
			m += strlen(IRIS_SQL_ERROR);
			*why = xstrdup(*m == ' ' ? m + 1 : m);
			rc = -1;
		} else if ((m = strstr(line, IRIS_SQL_COUNT))) {
			m += strlen(IRIS_SQL_COUNT);
			if (buf_addf(out, "Rows updated: %s\n",
				     *m == ' ' ? m + 1 : m)) {
				*why = xasprintf("the result is larger than "
						 "%zu bytes", out->cap);
				rc = -1;
			}
			any = true;
		} else if ((m = strstr(line, IRIS_SQL_ROW))) {
			m += strlen(IRIS_SQL_ROW);
			m += *m == ' ';
			rc = row_csv(m, strlen(m), &ncols, out, why);
			any = true;
		}
		free(line);
	}
	if (!rc && !any) {
		*why = xstrdup("the instance printed no result");
		rc = -1;
	}
	return rc;
}
