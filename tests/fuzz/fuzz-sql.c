/*
 * fuzz-sql: the output of `icm sql`'s script on a node read back into
 * jdbc.out's CSV (src/iris/sql.c).
 */
#include "fuzz.h"
#include "../../src/iris/sql.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out;
	char *why = NULL;

	buf_init(&out, 1u << 20);
	if (iris_sql_csv((const char *)data, size, &out, &why))
		free(why);
	buf_release(&out);
	fuzz_reset();
	return 0;
}
