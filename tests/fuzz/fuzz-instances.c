/*
 * fuzz-instances: instances.json as every management command reads it
 * (src/config/instances.c instances_load()), then each node's fields as
 * the commands look them up.
 */
#include "fuzz.h"
#include "../../src/config/instances.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_file(INSTANCES_FILE, data, size);
	struct plan p;
	size_t i;

	plan_init(&p);
	if (instances_load(path, &p) == 0)
		for (i = 0; i < p.n; i++) {
			(void)node_get(&p.nodes[i], "IPAddress");
			(void)node_field(&p.nodes[i], "SSHUser");
		}
	plan_release(&p);
	free(path);
	fuzz_reset();
	return 0;
}
