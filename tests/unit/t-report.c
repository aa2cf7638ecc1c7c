/* t-report.c: the reporting functions and their sink (util/report.h),
 * without icm.log (state/log.c is one sink among others). */
#include "icm.h"
#include "util/buf.h"
#include "util/report.h"
#include "util/secret.h"
#include "tap.h"

static struct buf got = { NULL, 0, 0, 1u << 16 };

static void sink(const char *text)
{
	if (buf_adds(&got, text))
		abort();
}

int main(void)
{
	secret_register("a test secret", "s3cr3t-Pa55");
	say("kept before a sink, s3cr3t-Pa55");
	debug("a debug line");
	report_set_sink(sink);
	is_str(got.data, "kept before a sink, " REDACTED "\na debug line\n",
	       "a new sink first gets the kept lines, redacted, debug too");
	warning("then %d", 2);
	is_int(error("bad %s", "value"), -1, "error returns -1");
	is_str(got.data, "kept before a sink, " REDACTED "\na debug line\n"
	       "Warning: then 2\nError: bad value\n",
	       "then every line as it is printed");
	is_str(report_main_error(), "bad value", "the last error is kept");
	report_set_sink(NULL);
	buf_release(&got);
	say("while unplugged");
	report_reset();
	ok(report_main_error() == NULL, "reset forgets the last error");
	say("after the reset");
	report_set_sink(sink);
	is_str(got.data, "after the reset\n",
	       "and the lines kept before it");
	report_set_sink(NULL);
	buf_release(&got);
	secrets_wipe();
	return done_testing();
}
