/*
 * sql.h: icm sql's statement for the instance and its answer as the CSV
 * that jdbc.out holds (the 2018 guide: a header line of the column names,
 * then one line per row, comma-separated).  No I/O.
 *
 * iris_sql_script() renders one line of ObjectScript, ended by halt, that
 * runs the statement through %SQL.Statement and writes its result, each
 * at the start of a line and as JSON (so values may hold commas, quotes
 * and line ends), between the instance's own prompts and banners:
 *
 *   IRIS_SQL_ROW ["Name","SMSGateway"]   the column names, then each row
 *                                         (values as strings; NULL is "")
 *   IRIS_SQL_COUNT 3                     a statement without a result
 *                                         set: the rows it affected
 *   IRIS_SQL_ERROR SQLCODE -30: ...      the statement failed
 *
 * iris_sql_csv() reads that output back: the rows as CSV (RFC 4180: a
 * field holding a comma, a double quote, CR or LF is enclosed in double
 * quotes, its quotes doubled; lines end with "\n"), a count as
 * "Rows updated: N".  Other lines are ignored.
 *
 * iris_sql_script() returns 0, or -1 after error() (src/state/log.h): a
 * statement over IRIS_SQL_MAX bytes or holding a control character (a
 * line end would end the literal's line: src/iris/cos.h).
 * iris_sql_csv() returns 0, or -1 with *why (the caller frees; it is
 * called on the fan-out's threads, so it prints nothing) saying why: an
 * ERROR line (its text), no result line at all, a row that is not a JSON
 * array of strings or has another number of values than the header, or a
 * result over out's cap.
 *
 * Ownership: out is the caller's (initialised with its cap); what is
 * appended stays there on failure.
 */
#ifndef ICM_IRIS_SQL_H
#define ICM_IRIS_SQL_H

#include "../icm.h"
#include "../util/buf.h"

#define IRIS_SQL_ROW "#ICM-SQL-ROW#"
#define IRIS_SQL_COUNT "#ICM-SQL-COUNT#"
#define IRIS_SQL_ERROR "#ICM-SQL-ERROR#"
#define IRIS_SQL_MAX (1u << 20)		/* one statement */

int iris_sql_script(const char *stmt, struct buf *out) WARN_UNUSED;
int iris_sql_csv(const char *text, size_t len, struct buf *out,
		 char **why) WARN_UNUSED;

/* Appends s as one CSV field (quoted when it must be). */
int csv_add_field(struct buf *out, const char *s) WARN_UNUSED;

#endif
