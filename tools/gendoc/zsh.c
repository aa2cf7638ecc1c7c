/*
 * zsh.c: _icm, the zsh completion (#compdef icm): the same content as the
 * bash one (bash.c) with the summaries and help texts as descriptions;
 * one _arguments call per command.
 */
#include "gendoc.h"

static const char zsh_head[] =
"#compdef icm\n"
"# zsh completion for icm(1), written by tools/gendoc from icm's command\n"
"# and option tables (make doc): do not edit.  Install it as _icm in a\n"
"# directory of $fpath.\n"
"\n"
"_icm() {\n"
"\tlocal -a commands alone\n";

/* s inside '...': each ' as '\''; in an _arguments description (spec),
 * the characters it reads as its own ('\', '[', ']', ':') escaped too. */
static void zsh_quoted(struct out *o, const char *s, bool spec)
{
	for (; *s; s++) {
		if (*s == '\'')
			out_add(o, "'\\''");
		else if (spec && strchr("\\[]:", *s))
			out_addf(o, "\\%c", *s);
		else
			out_addc(o, *s);
	}
}

/* ":message:action" of a value or positional word of kind. */
static void zsh_action(struct out *o, enum value_kind kind, const char *arg)
{
	out_addc(o, ':');
	zsh_quoted(o, arg, true);
	switch (kind) {
	case VAL_FILE:
		out_add(o, ":_files");
		break;
	case VAL_DIR:
		out_add(o, ":_files -/");
		break;
	case VAL_ROLE:
	case VAL_COMMAND:
	case VAL_WORDS:
		out_add(o, ":(");
		gd_value_words(o, kind, arg);
		out_addc(o, ')');
		break;
	case VAL_NONE:
		out_add(o, ": ");
		break;
	}
}

/* One option's spec, both spellings (and the alias's), each excluding
 * the others: '(-x --x)'{-x,--x}'[help]:arg:action' */
static void zsh_option(struct out *o, const struct opt_def *d)
{
	out_addf(o, " \\\n\t\t\t'(-%s --%s", d->name, d->name);
	if (d->alias)
		out_addf(o, " -%s --%s", d->alias, d->alias);
	out_addf(o, ")'{-%s,--%s", d->name, d->name);
	if (d->alias)
		out_addf(o, ",-%s,--%s", d->alias, d->alias);
	out_add(o, "}'[");
	zsh_quoted(o, d->help, true);
	out_addc(o, ']');
	if (d->arg)
		zsh_action(o, gd_option_kind(d), d->arg);
	out_addc(o, '\'');
}

static void zsh_command(struct out *o, const struct command *c)
{
	struct posarg pa[GD_POSARGS_MAX];
	size_t i, n = 0;

	out_addf(o, "\t(%s)\n\t\t_arguments", c->name);
	for (i = 0; i < opt_defs_count; i++)
		if (gd_takes(c, &opt_defs[i]) && gd_option_shown(&opt_defs[i]))
			zsh_option(o, &opt_defs[i]);
	if (gd_posargs(c, pa, &n))
		n = 0;		/* checked before (check_tables()) */
	for (i = 0; i < n; i++) {
		out_addf(o, " \\\n\t\t\t'%zu%s", i + 1,
			 pa[i].optional ? ":" : "");
		zsh_action(o, pa[i].kind, pa[i].name);
		out_addc(o, '\'');
	}
	out_add(o, "\n\t\t;;\n");
}

void gendoc_zsh(struct out *o)
{
	size_t i;

	out_add(o, zsh_head);
	out_add(o, "\tcommands=(\n");
	for (i = 0; i < commands_count; i++) {
		if (!gd_command_shown(&commands[i]))
			continue;
		out_addf(o, "\t\t'%s:", commands[i].name);
		zsh_quoted(o, commands[i].summary, false);
		out_add(o, "'\n");
	}
	out_add(o, "\t)\n\t# the options main() takes alone, as the command\n"
		"\talone=(\n");
	for (i = 0; i < opt_defs_count; i++) {
		const struct opt_def *d = &opt_defs[i];

		if (!gd_alone(d) || !gd_option_shown(d))
			continue;
		out_addf(o, "\t\t'-%s:", d->name);
		zsh_quoted(o, d->help, false);
		out_addf(o, "'\n\t\t'--%s:", d->name);
		zsh_quoted(o, d->help, false);
		out_add(o, "'\n");
	}
	out_add(o, "\t)\n"
		"\tif (( CURRENT == 2 )); then\n"
		"\t\tif [[ $PREFIX == -* ]]; then\n"
		"\t\t\t_describe -t options 'icm option' alone\n"
		"\t\telse\n"
		"\t\t\t_describe -t commands 'icm command' commands\n"
		"\t\tfi\n"
		"\t\treturn\n"
		"\tfi\n"
		"\t# the command's own words: it is words[1] for _arguments\n"
		"\tlocal cmd=$words[2]\n"
		"\tshift words\n"
		"\t(( CURRENT-- ))\n"
		"\tcase $cmd in\n");
	for (i = 0; i < commands_count; i++)
		if (gd_command_shown(&commands[i]))
			zsh_command(o, &commands[i]);
	out_add(o, "\tesac\n}\n\n_icm \"$@\"\n");
}
