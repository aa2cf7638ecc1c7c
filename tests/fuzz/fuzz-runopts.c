/*
 * fuzz-runopts: the -options of `icm run` and `icm exec`
 * (src/docker/runopts.c): split into words as a shell would, applied to a
 * container's create body, read as exec's options; each word as a size.
 */
#include "fuzz.h"
#include "../../src/docker/runopts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), **argv = NULL;
	cJSON *config = cJSON_CreateObject();
	struct execopts eo = { 0 };
	int argc, i;

	cJSON_AddStringToObject(config, "Image", "iris");
	if (runopts_apply(s, config, NULL) == 0) {
		char *body = cJSON_PrintUnformatted(config);

		free(body);
	}
	if (execopts_parse(s, &eo) == 0)
		execopts_release(&eo);
	if (words_split(s, "-options", &argv, &argc, NULL) == 0) {
		for (i = 0; i < argc; i++)
			(void)runopts_size(argv[i]);
		words_free(argv);
	}
	cJSON_Delete(config);
	free(s);
	fuzz_reset();
	return 0;
}
