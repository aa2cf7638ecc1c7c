/*
 * fuzz-armerr: an answer from Azure as the Azure code reads it: an ARM
 * error body worded (src/provider/azure/armerr.c) for a status the first
 * byte picks, its retryable code, a token endpoint's refusal's AADSTS
 * number (words.c) and a token endpoint's 2xx answer
 * (src/cloud/oauth_answer.c).
 */
#include "fuzz.h"
#include "../../src/provider/azure/arm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 400, 401, 403, 404, 409, 429, 500,
					 503, 0 };
	struct cloud_err e = CLOUD_ERR_INIT;
	const char *body = (const char *)data + 1, *why;
	char *token = NULL;
	long life = 0;

	if (size < 1)
		return 0;
	size--;
	arm_http_error(statuses[data[0] % ARRAY_SIZE(statuses)], body, size,
		       &e);
	cloud_err_release(&e);
	(void)arm_code_retryable(body, size);
	(void)az_aadsts(body, size);
	if (oauth_answer_parse(body, size, AZ_TOKEN_MAX,
			       AZ_TOKEN_LIFETIME_MAX, &token, &life,
			       &why) == 0)
		freezero_str(token);
	fuzz_reset();
	return 0;
}
