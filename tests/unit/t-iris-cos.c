/* t-iris-cos.c: the one way values go into ObjectScript, CPF and CSP.ini
 * lines (iris/cos): literals with quotes doubled, control characters
 * refused, numbers as range-checked digits, namespace names. */
#include "icm.h"
#include "iris/cos.h"
#include "state/log.h"
#include "util/str.h"
#include "tap.h"

static const struct cos_where W = { .node = "N-1", .step = "step s",
				    .field = "F", .owner = "N-2" };

/* cos_str of v: the literal, or NULL when refused. */
static char *lit(const char *v)
{
	struct buf b;

	buf_init(&b, 1 << 10);
	if (cos_str(&b, v, &W)) {
		buf_release(&b);
		return NULL;
	}
	return b.data ? buf_take(&b) : xstrdup("");
}

static void strings(void)
{
	char *s;
	struct buf b;
	int c;

	s = lit("a\"b");
	is_str(s, "\"a\"\"b\"", "a quote is doubled inside the literal");
	free(s);
	s = lit("");
	is_str(s, "\"\"", "the empty string");
	free(s);
	s = lit("x\") do $zf(-1,\"id\") //");
	is_str(s, "\"x\"\") do $zf(-1,\"\"id\"\") //\"",
	       "the $zf call stays inside the literal");
	free(s);
	s = lit("caf\xc3\xa9");
	is_str(s, "\"caf\xc3\xa9\"", "UTF-8 passes");
	free(s);
	for (c = 1; c < 0x20; c++) {
		char v[4] = { 'a', (char)c, 'b', 0 };

		s = lit(v);
		if (s)
			break;
	}
	ok(c == 0x20, "every C0 control character is refused (stopped at "
	   "0x%02x)", c);
	ok(!lit("a\x7f"), "DEL is refused");
	ok(!lit("a\nb") && !strcmp(report_main_error(), "N-1, step s: F of N-2 "
				   "holds a control character (0x0a at byte "
				   "2)"),
	   "the message names node, step, field and place: %s",
	   report_main_error());
	buf_init(&b, 8);
	ok(cos_str(&b, "0123456789", &W) == -1 &&
	   strstr(report_main_error(), "too long"),
	   "a full buffer is an error");
	buf_release(&b);
}

static void numbers(void)
{
	static const char *const bad[] = {
		"", "0", "65536", "-1", "+1", " 1", "1 ", "1e3", "0x10",
		"1972,1", "99999999999999999999999", "1)",
	};
	struct buf b;
	size_t i;

	buf_init(&b, 1 << 10);
	ok(!cos_port(&b, "1972", &W) && !cos_port(&b, "65535", &W) &&
	   !cos_port(&b, "1", &W) && !strcmp(b.data, "1972655351"),
	   "ports 1 to 65535 go in as they are");
	buf_release(&b);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		buf_init(&b, 1 << 10);
		ok(cos_port(&b, bad[i], &W) == -1 && !b.len &&
		   strstr(report_main_error(), "F of N-2 is not a number "
			  "from 1 to 65535"), "port '%s' is refused", bad[i]);
		buf_release(&b);
	}
	ok(!cos_num_check("0", 0, 1, &W) && cos_num_check("2", 0, 1, &W),
	   "a flag is 0 or 1");
}

static void namespaces(void)
{
	static const char *const good[] = { "USER", "%SYS", "IRISCLUSTER",
					    "my_ns-2" };
	static const char *const bad[] = { "", "-U", "A B", "X\")", "1NS",
					   "%", "NS;", "N\nS" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		ok(!cos_namespace(good[i], &W), "namespace %s", good[i]);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ok(cos_namespace(bad[i], &W) == -1 &&
		   strstr(report_main_error(), "is not a namespace name"),
		   "namespace #%zu refused", i);
}

int main(void)
{
	strings();
	numbers();
	namespaces();
	return done_testing();
}
