/*
 * help.c: the quick reference (`icm help`, `icm help <command>`, -help),
 * derived from the command table (commands.c) and opt_defs[].
 */
#include "cmd.h"
#include "../util/report.h"
#include "../util/str.h"

/* One option's line: "-name arg" in a column, then its help. */
static void say_option(const struct opt_def *d)
{
	char *left = xasprintf("-%s%s%s", d->name, d->arg ? " " : "",
			       d->arg ? d->arg : "");

	say("  %-26s %s", left, d->help);
	free(left);
}

void usage_command(const struct command *c)
{
	uint64_t mask = c->opts | OPTS_COMMON;
	size_t i;

	say("Usage: icm %s [options]%s%s", c->name, c->args ? " " : "",
	    c->args ? c->args : "");
	say("  %s", c->summary);
	say("Options (one or two dashes):");
	for (i = 0; i < opt_defs_count; i++)
		if (mask & OPT_BIT(opt_defs[i].id))
			say_option(&opt_defs[i]);
}

void usage_all(void)
{
	size_t i;

	say("icm %s: InterSystems Cloud Manager in one static binary",
	    ICM_VERSION);
	say("Usage: icm <command> [-option [value]] ...");
	say("Commands:");
	for (i = 0; i < commands_count; i++)
		say("  %-12s %s", commands[i].name, commands[i].summary);
	say("Options (one or two dashes; each command takes those that "
	    "apply):");
	for (i = 0; i < opt_defs_count; i++)
		say_option(&opt_defs[i]);
	say("\"icm help <command>\" shows the options of one command.");
}

int cmd_help(struct ctx *ctx)
{
	const struct command *c;

	if (!ctx->nargs) {
		usage_all();
		return 0;
	}
	c = command_find(ctx->args[0]);
	if (!c)
		return error_raw("Unrecognized goal: '%s' (try \"icm -help\")",
				 ctx->args[0]);
	usage_command(c);
	return 0;
}
