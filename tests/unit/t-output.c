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
	char *text;

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
	ok(chdir("/") == 0 && rmdir(dir) == 0, "cleaned up");
	return done_testing();
}
