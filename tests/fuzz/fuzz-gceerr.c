/*
 * fuzz-gceerr: an answer from Compute Engine as the GCP code reads it
 * (src/provider/gcp/gceerr.c): an error body worded for a status the first
 * byte picks, its rate-limit reason, and the same bytes as a DONE
 * operation whose error (quota, zone, permission, ...) is worded.
 */
#include "fuzz.h"
#include "../../src/provider/gcp/gcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 400, 401, 403, 404, 409, 412, 429,
					 500, 503, 0 };
	struct cloud_err e = CLOUD_ERR_INIT;
	const char *body = (const char *)data + 1;
	cJSON *op;

	if (size < 1)
		return 0;
	size--;
	gce_http_error(statuses[data[0] % ARRAY_SIZE(statuses)], body, size,
		       &e);
	cloud_err_release(&e);
	(void)gce_rate_limited(body, size);
	op = cJSON_ParseWithLength(body, size);
	if (op) {
		gce_op_error(op, &e);
		cloud_err_release(&e);
		cJSON_Delete(op);
	}
	fuzz_reset();
	return 0;
}
