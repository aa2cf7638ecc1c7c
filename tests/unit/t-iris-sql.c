/* t-iris-sql.c: icm sql's ObjectScript and its result as the guide's CSV
 * (iris/sql). */
#include "icm.h"
#include "iris/sql.h"
#include "state/log.h"
#include "util/str.h"
#include "tap.h"

/* The CSV of text, or "ERR: why". */
static char *csv_of(const char *text, size_t cap)
{
	struct buf b;
	char *why = NULL, *r;

	buf_init(&b, cap);
	if (iris_sql_csv(text, strlen(text), &b, &why)) {
		r = xasprintf("ERR: %s", why ? why : "(no reason)");
		free(why);
		buf_release(&b);
		return r;
	}
	r = buf_take(&b);
	return r ? r : xstrdup("");
}

static void check(const char *text, const char *want, const char *name)
{
	char *got = csv_of(text, 1 << 16);

	is_str(got, want, name);
	free(got);
}

int main(void)
{
	struct buf b;
	char *s;

	buf_init(&b, 1 << 16);
	ok(iris_sql_script("SELECT Name FROM T WHERE Name = 'a\"b'", &b) == 0,
	   "a statement with quotes renders");
	ok(b.data && strstr(b.data, "%ExecDirect(,\"SELECT Name FROM T WHERE "
			    "Name = 'a\"\"b'\")") != NULL,
	   "... as an ObjectScript literal, its quote doubled");
	ok(b.data && str_ends(b.data, "\nhalt\n") &&
	   strchr(b.data, '\n') == b.data + b.len - 6,
	   "one line, then halt");
	ok(b.data && strstr(b.data, IRIS_SQL_ROW) && strstr(b.data,
	   IRIS_SQL_COUNT) && strstr(b.data, IRIS_SQL_ERROR),
	   "it writes the three kinds of result line");
	buf_release(&b);
	buf_init(&b, 1 << 16);
	ok(iris_sql_script("SELECT 1\nSELECT 2", &b) == -1,
	   "a statement over two lines is refused");
	buf_release(&b);
	buf_init(&b, 1 << 16);
	ok(iris_sql_script("SELECT 1 \x1b[2J", &b) == -1 &&
	   strstr(report_main_error(), "-command: the SQL statement holds a "
		  "control character (0x1b at byte 10)"),
	   "a control character is refused, its place named");
	buf_release(&b);

	check("\nUSER>\n" IRIS_SQL_ROW " [\"Name\",\"SMSGateway\"]\n"
	      IRIS_SQL_ROW " [\"AT&T Wireless\",\"txt.att.net\"]\r\n"
	      IRIS_SQL_ROW " [\"Verizon\",\"vtext.com\"]\n\nUSER>",
	      "Name,SMSGateway\nAT&T Wireless,txt.att.net\nVerizon,vtext.com\n",
	      "the guide's CSV: header, rows; prompts and CR dropped");
	check(IRIS_SQL_ROW " [\"a,b\",\"say \\\"hi\\\"\",\"l1\\nl2\",\"cr\\r\","
	      "\"plain\",null,\"\"]\n"
	      IRIS_SQL_ROW " [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\"]\n",
	      "\"a,b\",\"say \"\"hi\"\"\",\"l1\nl2\",\"cr\r\",plain,,\n"
	      "1,2,3,4,5,6,7\n",
	      "RFC 4180: comma, quote, LF, CR quoted; quotes doubled; NULL "
	      "empty");
	check(IRIS_SQL_ROW " [\"Name\"]\n", "Name\n",
	      "no rows: the header alone");
	check("USER>" IRIS_SQL_COUNT " 3\n", "Rows updated: 3\n",
	      "a statement without a result set: the rows it updated");
	check(IRIS_SQL_ERROR " SQLCODE -30: Table 'X' not found\n",
	      "ERR: SQLCODE -30: Table 'X' not found",
	      "an SQL error is the failure, with its text");
	check(IRIS_SQL_ROW " [\"A\"]\n" IRIS_SQL_ROW " [\"1\"]\n"
	      IRIS_SQL_ERROR " SQLCODE -400: fetch failed\n",
	      "ERR: SQLCODE -400: fetch failed",
	      "an error after some rows fails too");
	check("<NAMESPACE>Namespace X does not exist\n",
	      "ERR: the instance printed no result",
	      "no result line at all is a failure");
	check(IRIS_SQL_ROW " [\"A\",\"B\"]\n" IRIS_SQL_ROW " [\"1\"]\n",
	      "ERR: the instance's result has a row of 1 values under a "
	      "header of 2", "a row of the wrong width is refused");
	check(IRIS_SQL_ROW " [\"A\"]\n" IRIS_SQL_ROW " [1]\n",
	      "ERR: the instance's result has a value that is not a string "
	      "in row: [1]", "a value that is not a string is refused");
	check(IRIS_SQL_ROW " {\"A\":1}\n",
	      "ERR: the instance's result has a line that is not a row: "
	      "{\"A\":1}", "a line that is not an array is refused");
	check(IRIS_SQL_ROW " []\n", "ERR: the instance's result has no "
	      "columns", "a header without columns is refused");
	s = csv_of(IRIS_SQL_ROW " [\"Name\"]\n" IRIS_SQL_ROW
		   " [\"a long value\"]\n", 8);
	ok(str_starts(s, "ERR: the result is larger than 8 bytes"),
	   "a result over the cap fails, naming the cap");
	free(s);

	buf_init(&b, 64);
	ok(csv_add_field(&b, "x") == 0 && csv_add_field(&b, "") == 0 &&
	   csv_add_field(&b, "\"") == 0, "fields");
	is_str(b.data, "x\"\"\"\"", "bare, empty, and a lone quote quoted");
	buf_release(&b);
	return done_testing();
}
