/*
 * fuzz-awscreds: an AWS shared-credentials file as the Credentials field
 * names it (src/cloud/awscreds.c), read for the default profile and for a
 * named one.
 */
#include "fuzz.h"
#include "../../src/cloud/awscreds.h"

static const char *no_env(const char *name)
{
	return NULL;
}

static void load(const char *path, const char *profile)
{
	struct aws_creds c;
	char *err = NULL;

	if (aws_creds_load_from(&c, path, profile, no_env, &err))
		free(err);
	aws_creds_release(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_file("credentials", data, size);

	load(path, NULL);
	load(path, "icm");
	free(path);
	fuzz_reset();
	return 0;
}
