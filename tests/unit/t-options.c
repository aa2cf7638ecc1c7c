/* t-options.c: the option table and parser (cmd/options). */
#include "icm.h"
#include "cmd/options.h"
#include "state/log.h"
#include "tap.h"

#define ALL (~0ull)

static int parse(int argc, char **argv, uint64_t allowed,
		 struct options *o, char **pos, int *npos)
{
	memset(o, 0, sizeof(*o));
	return options_parse(o, argc, argv, 2, allowed, "inventory", pos,
			     npos);
}

int main(void)
{
	struct options o;
	char *pos[16];
	int npos;

	{
		char *argv[] = { "icm", "inventory", "-role", "DM",
				 "--machine", "ECP-.*", "-json",
				 "--stateDir=st", NULL };

		ok(parse(8, argv, ALL, &o, pos, &npos) == 0,
		   "one and two dashes, and --opt=value");
		is_str(opt_str(&o, OPT_ROLE), "DM", "-role value");
		is_str(opt_str(&o, OPT_MACHINE), "ECP-.*", "--machine value");
		is_str(opt_str(&o, OPT_STATEDIR), "st", "--stateDir=st");
		ok(opt_on(&o, OPT_JSON), "-json flag");
		ok(!opt_on(&o, OPT_FORCE), "-force not set");
		is_int(npos, 0, "no positional words");
	}
	{
		char *argv[] = { "icm", "samples", "out", "-force", NULL };

		ok(parse(4, argv, ALL, &o, pos, &npos) == 0, "positional");
		is_int(npos, 1, "one positional");
		is_str(pos[0], "out", "it is kept");
	}
	{
		char *argv[] = { "icm", "inventory", "-bogus", NULL };

		ok(parse(3, argv, ALL, &o, pos, &npos) == -1, "unknown option");
		is_str(report_main_error(),
		       "Unrecognized option: '-bogus' (try \"icm -help\")",
		       "unknown option message");
	}
	{
		char *argv[] = { "icm", "inventory", "-command", NULL };

		ok(parse(3, argv, ALL, &o, pos, &npos) == -1, "missing value");
		is_str(report_main_error(),
		       "option '-command' needs a value (cmd)",
		       "missing value message");
	}
	{
		char *argv[] = { "icm", "inventory", "-image", "x", NULL };

		ok(parse(4, argv, OPT_BIT(OPT_ROLE), &o, pos, &npos) == -1,
		   "option the command does not take");
		is_str(report_main_error(),
		       "option '-image' does not apply to 'icm inventory' "
		       "(try \"icm help inventory\")", "its message");
	}
	{
		char *argv[] = { "icm", "run", "-overrides", "{}",
				 "-iscPassword", "Top$ecret1", NULL };

		ok(parse(6, argv, ALL, &o, pos, &npos) == 0,
		   "-overrides is -override");
		ok(opt_on(&o, OPT_OVERRIDE), "set as OPT_OVERRIDE");
		ok(secret_found("x Top$ecret1 y"),
		   "-iscPassword value registered as a secret");
	}
	{
		char *argv[] = { "icm", "ps", "-role", "DM", "-role", "AM",
				 NULL };

		ok(parse(6, argv, ALL, &o, pos, &npos) == -1, "twice refused");
	}
	{
		char *argv[] = { "icm", "ps", "-json=yes", NULL };

		ok(parse(3, argv, ALL, &o, pos, &npos) == -1,
		   "a flag takes no value");
	}
	ok(option_find("--cleanUp") && option_find("-cleanUp"),
	   "option_find with either prefix");
	ok(!option_find("cleanUp"), "a word without a dash is no option");
	return done_testing();
}
