/*
 * fuzz-qlist: a line of `iris qlist` output from a node
 * (src/iris/qlist.c), every field icm reads and the running test.
 */
#include "fuzz.h"
#include "../../src/iris/qlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_cstr(data, size);
	int f;

	for (f = QLIST_INSTANCE; f <= QLIST_MIRROR_STATUS + 1; f++)
		free(iris_qlist_field(line, f));
	(void)iris_qlist_running(line);
	free(line);
	fuzz_reset();
	return 0;
}
