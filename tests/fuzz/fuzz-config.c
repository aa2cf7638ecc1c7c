/*
 * fuzz-config: the configuration loader as `icm provision` runs it
 * (main.c prepare()): defaults.json and definitions.json read from files
 * (src/config/load.c, srcmap.c), an -override object parsed as main.c
 * parses it and applied, the whole deployment's rules checked
 * (config_validate), secrets masked as `provision -plan -json` shows them.
 *
 * The input is "<defaults>\n--\n<definitions>\n--\n<override>"; without
 * the separator it is the defaults with the guide's smallest definitions.
 */
#include "fuzz.h"
#include "../../src/config/config.h"

#define SEP "\n--\n"
#define DEFINITIONS "[{\"Role\":\"DM\",\"Count\":\"1\"}]"

/* obj as -plan -json and the lock record show it, secrets masked. */
static void mask(const cJSON *obj)
{
	cJSON *shown = cJSON_Duplicate(obj, 1);
	char *text;

	if (config_mask_secrets(shown)) {
		text = cJSON_PrintUnformatted(shown);
		free(text);
	}
	cJSON_Delete(shown);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[3];
	size_t len[3], n;
	struct config cfg;
	char *defaults, *definitions, *text = NULL;

	n = fuzz_split(data, size, SEP, part, len, 3);
	defaults = fuzz_file("defaults.json", part[0], len[0]);
	definitions = n > 1 ? fuzz_file("definitions.json", part[1], len[1])
			    : fuzz_file("definitions.json", DEFINITIONS,
					strlen(DEFINITIONS));
	config_init(&cfg);
	if (config_load(&cfg, defaults, definitions))
		goto out;
	if (n > 2) {
		const char *end = NULL;
		cJSON *ov;

		text = fuzz_cstr(part[2], len[2]);
		ov = cJSON_ParseWithOpts(text, &end, 1);
		if (!cJSON_IsObject(ov)) {
			cJSON_Delete(ov);
			goto out;
		}
		mask(ov);
		if (config_set_overrides(&cfg, ov))	/* cfg owns ov */
			goto out;
	}
	if (config_validate(&cfg) == 0)
		mask(cfg.definitions);
out:
	free(text);
	config_release(&cfg);
	free(defaults);
	free(definitions);
	fuzz_reset();
	return 0;
}
