/*
 * t-regex.c: the cost check made before a -machine regular expression is
 * compiled (util/regex_cost): what musl's regcomp would expand into
 * gigabytes is refused, what users write is not.
 */
#include "icm.h"
#include "util/regex_cost.h"
#include "tap.h"
#include <regex.h>

static void accepted(const char *re)
{
	const char *why = regex_cost_check(re);

	ok(why == NULL, "accepted: %s%s%s", re, why ? " -- " : "",
	   why ? why : "");
}

static void refused(const char *re, const char *want)
{
	const char *why = regex_cost_check(re);

	ok(why && strstr(why, want), "refused (%s): %s", want, re);
}

int main(void)
{
	char longest[REGEX_MAX_LEN + 2];
	regex_t re;

	accepted("ECP-.*-000(2|4)");
	accepted(".*(2|4)");
	accepted("Acme-DM-TEST-[0-9]{4}");
	accepted("[[:alpha:]]+-[^]{]*");
	accepted("a{255}");
	accepted("a{250}{4}");
	accepted("(a|b){250}x{0}");
	accepted("x{3,}|y{2,5}");
	accepted("a{");
	accepted("a{x}");

	refused("a{255}{255}{255}", "1000 positions");
	refused("a{255}{4}", "1000 positions");
	refused("(a{255}){4}", "1000 positions");
	refused("((ab){100}){6}", "1000 positions");
	refused("(a|b|c|d|e){201}", "1000 positions");
	refused("a{1,255}{5}", "1000 positions");
	refused("a{100,}{10}", "1000 positions");
	refused("(x?){250}{5}", "1000 positions");
	refused("[a-z]{255}{4}", "1000 positions");
	refused("\\.{255}{4}", "1000 positions");
	refused("a{256}", "over 255");
	refused("a{1,99999999999999999999}", "over 255");
	/* select.c compiles ^(re)$: a ')' of the user's closes that group. */
	refused("a{255}){4}(b", "1000 positions");
	refused("(a{255}(b{255}(c{255}(d{255}", "1000 positions");
	refused("[]a]{255}{4}", "1000 positions");
	accepted("a[]{255}{4}");
	accepted("a[]{255}{4}]");
	accepted("[[:digit:]{255}{4}]");

	memset(longest, 'a', REGEX_MAX_LEN);
	longest[REGEX_MAX_LEN] = '\0';
	accepted(longest);
	longest[REGEX_MAX_LEN] = 'a';
	longest[REGEX_MAX_LEN + 1] = '\0';
	refused(longest, "longer than 256");

	/* The largest accepted expansion compiles, and quickly. */
	ok(regcomp(&re, "^((x?){250}{4})$", REG_EXTENDED | REG_NOSUB) == 0,
	   "the largest accepted expansion compiles");
	regfree(&re);
	return done_testing();
}
