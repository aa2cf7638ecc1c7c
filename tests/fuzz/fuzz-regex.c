/*
 * fuzz-regex: a -machine regular expression from the command line, costed
 * before regcomp (src/util/regex_cost.c).  Only the cost check runs here:
 * the host's regcomp is glibc's, not the musl TRE the limits are set for.
 */
#include "fuzz.h"
#include "../../src/util/regex_cost.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *re = fuzz_cstr(data, size);

	(void)regex_cost_check(re);
	free(re);
	fuzz_reset();
	return 0;
}
