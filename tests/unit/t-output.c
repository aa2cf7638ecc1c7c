/* t-output.c: response.json and tables (state/output). */
#include "icm.h"
#include "state/output.h"
#include "state/log.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/str.h"
#include "tap.h"
#include "testutil.h"

int main(void)
{
	char dir[] = "/tmp/icm-t-output-XXXXXX";
	cJSON *r;
	char *text, *tmp;

	ok(mkdtemp(dir) && chdir(dir) == 0, "in a temp dir");
	ok(output_response(NULL, 0) == 0, "success without data");
	text = slurp(RESPONSE_FILE);
	is_str(text, "[]", "is []");
	free(text);

	secret_register("a test secret", "hunter2hunter2");
	error("cannot log in with 'hunter2hunter2'");
	ok(output_response(NULL, 1) == 0, "local error");
	text = slurp(RESPONSE_FILE);
	r = text ? cJSON_Parse(text) : NULL;
	ok(r && cJSON_IsString(cJSON_GetObjectItem(r, "error")),
	   "is {\"error\": ...}");
	ok(text && !strstr(text, "hunter2hunter2"), "redacted");
	cJSON_Delete(r);
	free(text);

	r = cJSON_CreateArray();
	cJSON_AddItemToArray(r, cJSON_CreateString("pw hunter2hunter2"));
	ok(output_response(r, 0) == 0, "data");
	cJSON_Delete(r);
	text = slurp(RESPONSE_FILE);
	ok(text && strstr(text, "pw " REDACTED), "data redacted too");
	free(text);
	unlink(RESPONSE_FILE);

	/* planted where response.json is written: a symlink or FIFO as it,
	 * a symlink as its temporary; none written through, none waited on */
	tmp = xasprintf(RESPONSE_FILE ".tmp.%ld", (long)getpid());
	alarm(5);
	ok(mkfifo(RESPONSE_FILE, 0600) == 0 && output_response(NULL, 0) == 0,
	   "a FIFO as response.json is replaced, not waited on");
	alarm(0);
	ok(fs_write_atomic("outside", "theirs", 6, 0600) == 0 &&
	   symlink("outside", tmp) == 0 && output_response(NULL, 0) == 0,
	   "written with a symlink at its temporary name");
	unlink(RESPONSE_FILE);
	ok(symlink("outside", RESPONSE_FILE) == 0 &&
	   output_response(NULL, 0) == 0, "written over a symlink");
	text = slurp("outside");
	is_str(text, "theirs", "the file those symlinks named is untouched");
	free(text);
	text = slurp(RESPONSE_FILE);
	is_str(text, "[]", "response.json is written");
	free(text);
	free(tmp);
	unlink(RESPONSE_FILE);
	unlink("outside");
	ok(chdir("/") == 0 && rmdir(dir) == 0, "cleaned up");
	return done_testing();
}
