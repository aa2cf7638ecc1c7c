/*
 * fuzz-tcerr: an answer from Tencent Cloud as the Tencent code reads it
 * (src/provider/tencent/tcerr.c): the body's Response, or its Error
 * worded, for a clock skew and request parameters the first byte picks
 * (no time, ahead, behind; RunInstances' InstanceType, Zone and ImageId,
 * or none), and its words for a message.
 */
#include "fuzz.h"
#include "../../src/provider/tencent/tcapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long skews[] = { TC_SKEW_UNKNOWN, 600, -1200, 0 };
	struct cloud_err e = CLOUD_ERR_INIT;
	const char *body = (const char *)data + 1;
	cJSON *params = NULL, *r = NULL;
	char *w, *s;

	if (size < 1)
		return 0;
	size--;
	if (data[0] & 4)
		params = cJSON_Parse("{\"InstanceType\": \"S5.LARGE8\", "
				     "\"ImageId\": \"img-1\", \"Placement\": "
				     "{\"Zone\": \"ap-guangzhou-3\"}}");
	if (!tc_answer("cvm", "RunInstances", params, body, size,
		       skews[data[0] % ARRAY_SIZE(skews)], &r, &e))
		cJSON_Delete(r);
	cloud_err_release(&e);
	cJSON_Delete(params);
	s = fuzz_cstr((const uint8_t *)body, size);
	w = tc_words(s, TC_WORDS_MAX);
	free(w);
	free(s);
	fuzz_reset();
	return 0;
}
