/*
 * bash.c: icm.bash, the bash completion (`complete -F _icm icm`): the
 * commands first, then the options the command takes (one dash as ICM
 * writes them, two when the word starts so), each option's value (files,
 * directories, roles, the words of "a|b"), and the command's positional
 * words.  The script is shellcheck-clean; every word in it passed
 * check_word() (gendoc.c), so none needs quoting.
 */
#include "gendoc.h"

static const char bash_head[] =
"# bash completion for icm(1), written by tools/gendoc from icm's command\n"
"# and option tables (make doc): do not edit.  Source it, or install it as\n"
"# /usr/share/bash-completion/completions/icm.\n"
"# shellcheck shell=bash\n"
"\n"
"# _icm_words WORDS: COMPREPLY is those of WORDS that start with $cur.\n"
"_icm_words()\n"
"{\n"
"\tmapfile -t COMPREPLY < <(compgen -W \"$1\" -- \"$cur\")\n"
"}\n"
"\n"
"# _icm_files -f|-d: COMPREPLY is the files (-d: directories) that start\n"
"# with $cur.\n"
"_icm_files()\n"
"{\n"
"\tcompopt -o filenames 2>/dev/null\n"
"\tmapfile -t COMPREPLY < <(compgen \"$1\" -- \"$cur\")\n"
"}\n"
"\n";

static const char bash_main_head[] =
"_icm()\n"
"{\n"
"\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
"\tlocal cmd=${COMP_WORDS[1]} i n=0 w dash=-\n"
"\tlocal -a opts=()\n"
"\tCOMPREPLY=()\n"
"\t# bash splits --option=value at '=': the value is what is completed\n"
"\tif [[ $cur == = ]]; then\n"
"\t\tcur=\n"
"\telif [[ $prev == = ]] && ((COMP_CWORD > 2)); then\n"
"\t\tprev=${COMP_WORDS[COMP_CWORD-2]}\n"
"\tfi\n";

static const char bash_options[] =
"\tif [[ $cur == -* ]]; then\n"
"\t\t[[ $cur == --* ]] && dash=--\n"
"\t\t_icm_words \"${opts[*]/#/$dash}\"\n"
"\t\treturn 0\n"
"\tfi\n"
"\t# the positional words before this one\n"
"\tfor ((i = 2; i < COMP_CWORD; i++)); do\n"
"\t\tw=${COMP_WORDS[i]}\n"
"\t\tif [[ $w == -* && ${COMP_WORDS[i+1]} == = ]]; then\n"
"\t\t\t((i += 2))\n"
"\t\telif _icm_has_value \"$w\"; then\n"
"\t\t\t((i += 1))\n"
"\t\telif [[ $w != -* ]]; then\n"
"\t\t\t((n += 1))\n"
"\t\tfi\n"
"\tdone\n";

/* "-name|--name|-alias|--alias" of d */
static void bash_spellings(struct out *o, const struct opt_def *d)
{
	out_addf(o, "-%s|--%s", d->name, d->name);
	if (d->alias)
		out_addf(o, "|-%s|--%s", d->alias, d->alias);
}

/* The case pattern of the shown options that take a value: all of them,
 * or those of one kind; false when there is none. */
static bool bash_value_options(struct out *o, bool all, enum value_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < opt_defs_count; i++) {
		const struct opt_def *d = &opt_defs[i];

		if (!d->arg || !gd_option_shown(d) ||
		    (!all && gd_option_kind(d) != kind))
			continue;
		out_add(o, n++ ? "|" : "\t");
		bash_spellings(o, d);
	}
	return n != 0;
}

/* The completion of a value of kind (arg: the words of "a|b"). */
static void bash_complete(struct out *o, enum value_kind kind,
			  const char *arg)
{
	switch (kind) {
	case VAL_FILE:
		out_add(o, "_icm_files -f");
		break;
	case VAL_DIR:
		out_add(o, "_icm_files -d");
		break;
	case VAL_ROLE:
	case VAL_COMMAND:
	case VAL_WORDS:
		out_add(o, "_icm_words \"");
		gd_value_words(o, kind, arg);
		out_addc(o, '"');
		break;
	case VAL_NONE:
		out_add(o, ":");
		break;
	}
}

/* _icm_value OPTION: completes OPTION's value; _icm_has_value OPTION:
 * whether OPTION takes one. */
static void bash_values(struct out *o)
{
	static const enum value_kind kinds[] = {
		VAL_FILE, VAL_DIR, VAL_ROLE, VAL_COMMAND, VAL_NONE
	};
	size_t i;

	out_add(o, "# _icm_value OPTION: completes OPTION's value; false when "
		"it takes none.\n_icm_value()\n{\n\tcase $1 in\n");
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (bash_value_options(o, false, kinds[i])) {
			out_add(o, ")\n\t\t");
			bash_complete(o, kinds[i], NULL);
			out_add(o, " ;;\n");
		}
	/* each "a|b" placeholder: its words */
	for (i = 0; i < opt_defs_count; i++) {
		const struct opt_def *d = &opt_defs[i];

		if (!d->arg || gd_option_kind(d) != VAL_WORDS ||
		    !gd_option_shown(d))
			continue;
		out_add(o, "\t");
		bash_spellings(o, d);
		out_add(o, ")\n\t\t");
		bash_complete(o, VAL_WORDS, d->arg);
		out_add(o, " ;;\n");
	}
	out_add(o, "\t*)\n\t\treturn 1 ;;\n\tesac\n}\n\n");
	out_add(o, "_icm_has_value()\n{\n\tcase $1 in\n");
	if (bash_value_options(o, true, VAL_NONE))
		out_add(o, ")\n\t\treturn 0 ;;\n");
	out_add(o, "\tesac\n\treturn 1\n}\n\n");
}

/* The options c takes, one dash less: opts=(help json ...) */
static void bash_command_options(struct out *o, const struct command *c)
{
	size_t i, n = 0;

	out_addf(o, "\t%s)\n\t\topts=(", c->name);
	for (i = 0; i < opt_defs_count; i++) {
		const struct opt_def *d = &opt_defs[i];

		if (!gd_takes(c, d) || !gd_option_shown(d))
			continue;
		out_addf(o, "%s%s", n++ ? " " : "", d->name);
		if (d->alias)
			out_addf(o, " %s", d->alias);
	}
	out_add(o, ") ;;\n");
}

static void bash_posargs(struct out *o)
{
	struct posarg pa[GD_POSARGS_MAX];
	size_t i, j, n;

	out_add(o, "\tcase $cmd in\n");
	for (i = 0; i < commands_count; i++) {
		const struct command *c = &commands[i];

		if (!gd_command_shown(c) || gd_posargs(c, pa, &n) || !n)
			continue;
		out_addf(o, "\t%s)\n\t\tcase $n in\n", c->name);
		for (j = 0; j < n; j++) {
			if (pa[j].kind == VAL_NONE)
				continue;
			out_addf(o, "\t\t%zu) ", j);
			bash_complete(o, pa[j].kind, pa[j].name);
			out_add(o, " ;;\n");
		}
		out_add(o, "\t\tesac ;;\n");
	}
	out_add(o, "\tesac\n\treturn 0\n}\n");
}

void gendoc_bash(struct out *o)
{
	size_t i, n = 0;

	out_add(o, bash_head);
	bash_values(o);
	out_add(o, bash_main_head);
	/* the first word: a command, or an option main() takes alone */
	out_add(o, "\tif ((COMP_CWORD == 1)); then\n"
		"\t\tif [[ $cur == -* ]]; then\n"
		"\t\t\t[[ $cur == --* ]] && dash=--\n\t\t\topts=(");
	for (i = 0; i < opt_defs_count; i++)
		if (gd_alone(&opt_defs[i]) && gd_option_shown(&opt_defs[i]))
			out_addf(o, "%s%s", n++ ? " " : "", opt_defs[i].name);
	out_add(o, ")\n\t\t\t_icm_words \"${opts[*]/#/$dash}\"\n"
		"\t\telse\n\t\t\t_icm_words \"");
	gd_commands(o, " ");
	out_add(o, "\"\n\t\tfi\n\t\treturn 0\n\tfi\n"
		"\t_icm_value \"$prev\" && return 0\n\tcase $cmd in\n");
	for (i = 0; i < commands_count; i++)
		if (gd_command_shown(&commands[i]))
			bash_command_options(o, &commands[i]);
	out_add(o, "\t*)\n\t\treturn 0 ;;\n\tesac\n");
	out_add(o, bash_options);
	bash_posargs(o);
	out_add(o, "complete -F _icm icm\n");
}
