/*
 * fuzz-gcpkey: a GCP service-account key file as the Credentials field
 * names it (src/provider/gcp/auth.c): read whole, and when it is taken,
 * the JWT signed with it.
 */
#include "fuzz.h"
#include "../../src/provider/gcp/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_file("key.json", data, size), *err = NULL;
	char *jwt = NULL;
	struct gcp_key k;

	if (gcp_key_load(&k, path, &err) == 0 &&
	    gcp_jwt(&k, GCP_SCOPE_COMPUTE, 1764036000, &jwt, &err) == 0)
		freezero_str(jwt);
	free(err);
	gcp_key_release(&k);
	free(path);
	fuzz_reset();
	return 0;
}
