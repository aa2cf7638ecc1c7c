/* t-log.c: console/icm.log output and secret redaction (state/log). */
#include "icm.h"
#include "state/log.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/str.h"
#include "tap.h"
#include "testutil.h"

int main(void)
{
	char dir[] = "/tmp/icm-t-log-XXXXXX";
	char *path, *text, *r;

	ok(mkdtemp(dir) != NULL, "temp dir");
	path = xasprintf("%s/icm.log", dir);

	secret_register("a test secret", "s3cr3t-Pa55");
	secret_register("empty", "");
	secret_register("a test secret", "s3cr3t-Pa55");
	r = secret_redact("pw=s3cr3t-Pa55 and again s3cr3t-Pa55.");
	is_str(r, "pw=" REDACTED " and again " REDACTED ".",
	       "every occurrence is redacted");
	free(r);
	ok(secret_found("xx s3cr3t-Pa55"), "secret_found finds it");
	ok(!secret_found("nothing here"), "and not where it is not");

	say("before the log opens, secret s3cr3t-Pa55");
	ok(!fs_exists(path), "nothing is written before log_open");
	is_int(error("bad value 's3cr3t-Pa55' in %s", "defaults.json"), -1,
	       "error returns -1");
	is_str(report_main_error(), "bad value '" REDACTED "' in defaults.json",
	       "last error is kept, redacted");
	ok(log_open(path) == 0, "log opens");
	say("after %s", "opening");
	warning("careful");

	/* Too short to mask without garbling: not masked, warned once. */
	secret_register("ISCPassword", "TEST");
	secret_register("ISCPassword", "TEST");
	secret_register("ISCPassword", "SYS");
	/* 5 characters in 6 bytes */
	secret_register("-iscPassword", "p\xc3\xa4ssw");
	r = secret_redact("ECP-DM-TEST-0001 and p\xc3\xa4ssw");
	is_str(r, "ECP-DM-TEST-0001 and p\xc3\xa4ssw",
	       "secrets under 6 characters are not mask patterns");
	free(r);
	r = secret_redact("pw=s3cr3t-Pa55 ECP-DM-TEST-0001");
	is_str(r, "pw=" REDACTED " ECP-DM-TEST-0001",
	       "a long secret is still masked next to them");
	free(r);

	/* Longest first: a secret containing another is masked whole. */
	secret_register("a test secret", "abcdef");
	secret_register("a test secret", "abcdef-ghijkl");
	r = secret_redact("[abcdef-ghijkl] [abcdef]");
	is_str(r, "[" REDACTED "] [" REDACTED "]",
	       "the longer secret is masked whole, not as ********-ghijkl");
	free(r);

	/* As written inside a JSON string (response.json) too. */
	secret_register("DockerPassword", "q\"uo\\te\tpw");
	r = secret_redact("{\"DockerPassword\": \"q\\\"uo\\\\te\\tpw\"} "
		       "q\"uo\\te\tpw");
	is_str(r, "{\"DockerPassword\": \"" REDACTED "\"} " REDACTED,
	       "the JSON-escaped form is masked as well as the raw one");
	free(r);
	log_close();
	text = slurp(path);
	{
		const char *w = "Warning: ISCPassword is shorter than 6 "
				"characters; it is weak and cannot be masked "
				"in output\n";
		const char *first = text ? strstr(text, w) : NULL;

		ok(first && !strstr(first + 1, w),
		   "the weak ISCPassword is warned about exactly once");
		ok(text && strstr(text, "Warning: -iscPassword is shorter"),
		   "each source of a weak secret is named");
		ok(text && !strstr(text, "TEST\n") && !strstr(text, "SYS"),
		   "the warning names the field, not the value");
	}
	ok(text != NULL, "icm.log written");
	ok(text && strstr(text, "before the log opens"),
	   "lines printed before the log opened are in it");
	ok(text && strstr(text, "Error: bad value"), "errors are in it");
	ok(text && strstr(text, "after opening\n"), "later lines too");
	ok(text && strstr(text, "Warning: careful"), "warnings too");
	ok(text && !strstr(text, "s3cr3t-Pa55"), "no secret in icm.log");
	{
		struct stat st;

		ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
		   "icm.log is 0600");
	}
	free(text);
	secrets_wipe();
	r = secret_redact("s3cr3t-Pa55");
	is_str(r, "s3cr3t-Pa55", "the registry is empty after wipe");
	free(r);
	unlink(path);

	/* icm.log as a FIFO with no reader, or a planted symlink: refused at
	 * once, named; the log goes on being kept for a later log_open */
	alarm(5);
	ok(mkfifo(path, 0600) == 0 && log_open(path) == -1,
	   "a FIFO as icm.log is refused, not waited on");
	alarm(0);
	ok(strstr(report_main_error(), "/icm.log': not a regular file (a FIFO)")
	   != NULL, "named as a FIFO");
	unlink(path);
	ok(symlink("/nonexistent/elsewhere", path) == 0 &&
	   log_open(path) == -1 &&
	   strstr(report_main_error(), "not a regular file (a symbolic link)"),
	   "a symlink as icm.log is refused, named");
	unlink(path);
	rmdir(dir);
	free(path);
	return done_testing();
}
