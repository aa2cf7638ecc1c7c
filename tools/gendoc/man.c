/*
 * man.c: icm.1, the man page: the template's fixed text (its comment
 * lines left out) with its placeholders filled.  @VERSION@, @DATE@ and
 * @COMMON_OPTIONS@ are replaced where they stand; @COMMANDS@ and
 * @OPTIONS@ stand alone on their lines, once each, and become the
 * entries of those sections.
 */
#include "gendoc.h"
#include "util/report.h"

/* Text for roff: the characters it would read as its own escaped. */
static void roff(struct out *o, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\':
			out_add(o, "\\e");
			break;
		case '-':
			out_add(o, "\\-");
			break;
		case '\'':
			out_add(o, "\\(aq");
			break;
		case '`':
			out_add(o, "\\(ga");
			break;
		default:
			out_addc(o, *s);
		}
	}
}

/* A text line: a leading '.' would make it a request. */
static void roff_line(struct out *o, const char *s)
{
	if (s[0] == '.')
		out_add(o, "\\&");
	roff(o, s);
	out_addc(o, '\n');
}

/* "\fB\-name\fR \fIarg\fR" */
static void man_option_name(struct out *o, const char *name, const char *arg)
{
	out_add(o, "\\fB\\-");
	roff(o, name);
	out_add(o, "\\fR");
	if (arg) {
		out_add(o, " \\fI");
		roff(o, arg);
		out_add(o, "\\fR");
	}
}

static void man_command(struct out *o, const struct command *c)
{
	struct posarg pa[GD_POSARGS_MAX];
	size_t i, j, n = 0;

	out_add(o, ".TP\n\\fB");
	roff(o, c->name);
	out_add(o, "\\fR");
	if (gd_posargs(c, pa, &n))
		n = 0;		/* checked before (check_tables()) */
	for (i = 0; i < n; i++) {
		out_add(o, pa[i].optional ? " [\\fI" : " \\fI");
		roff(o, pa[i].name);
		out_add(o, pa[i].optional ? "\\fR]" : "\\fR");
	}
	out_addc(o, '\n');
	roff_line(o, c->summary);
	for (i = j = 0; i < opt_defs_count; i++) {
		const struct opt_def *d = &opt_defs[i];

		if (!gd_takes(c, d) || gd_common(d) || !gd_option_shown(d))
			continue;
		out_add(o, j++ ? ", " : ".br\nOptions: ");
		man_option_name(o, d->name, NULL);
	}
	if (j)
		out_add(o, ".\n");
}

static void man_commands(struct out *o, const char *date)
{
	size_t i;

	for (i = 0; i < commands_count; i++)
		if (gd_command_shown(&commands[i]))
			man_command(o, &commands[i]);
}

/* Which commands take d, as a sentence. */
static void man_taken_by(struct out *o, const struct opt_def *d)
{
	size_t i, n = 0;

	if (gd_common(d)) {
		out_add(o, "Every command takes it.");
		n = 1;
	} else {
		for (i = 0; i < commands_count; i++) {
			if (!gd_takes(&commands[i], d) ||
			    !gd_command_shown(&commands[i]))
				continue;
			out_add(o, n++ ? ", \\fB" : "Taken by \\fB");
			roff(o, commands[i].name);
			out_add(o, "\\fR");
		}
		if (n)
			out_addc(o, '.');
	}
	if (gd_alone(d)) {
		out_add(o, n ? " Also alone: \\fBicm\\fR " :
			   "Alone: \\fBicm\\fR ");
		man_option_name(o, d->name, NULL);
		out_addc(o, '.');
	}
	out_addc(o, '\n');
}

static void man_options(struct out *o, const char *date)
{
	size_t i;

	for (i = 0; i < opt_defs_count; i++) {
		const struct opt_def *d = &opt_defs[i];

		if (!gd_option_shown(d))
			continue;
		out_add(o, ".TP\n");
		man_option_name(o, d->name, d->arg);
		if (d->alias) {
			out_add(o, ", ");
			man_option_name(o, d->alias, d->arg);
		}
		out_addc(o, '\n');
		roff_line(o, d->help);
		out_add(o, ".br\n");
		man_taken_by(o, d);
		if (gd_option_kind(d) == VAL_ROLE) {
			out_add(o, ".br\nRoles: ");
			gd_roles(o, ", ");
			out_add(o, ".\n");
		}
	}
}

static void man_common_options(struct out *o, const char *date)
{
	size_t i, n = 0, total = 0;

	for (i = 0; i < opt_defs_count; i++)
		if (gd_common(&opt_defs[i]) && gd_option_shown(&opt_defs[i]))
			total++;
	for (i = 0; i < opt_defs_count; i++) {
		if (!gd_common(&opt_defs[i]) || !gd_option_shown(&opt_defs[i]))
			continue;
		if (n++)
			out_add(o, n == total ? " and " : ", ");
		man_option_name(o, opt_defs[i].name, NULL);
	}
}

static void man_version(struct out *o, const char *date)
{
	roff(o, ICM_VERSION);
}

static void man_date(struct out *o, const char *date)
{
	out_add(o, date);
}

static const struct placeholder {
	const char *name;
	bool line;		/* alone on its line, once */
	void (*fill)(struct out *o, const char *date);
} placeholders[] = {
	{ "VERSION", false, man_version },
	{ "DATE", false, man_date },
	{ "COMMON_OPTIONS", false, man_common_options },
	{ "COMMANDS", true, man_commands },
	{ "OPTIONS", true, man_options },
};

static const struct placeholder *placeholder_find(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(placeholders); i++)
		if (strlen(placeholders[i].name) == len &&
		    !strncmp(placeholders[i].name, s, len))
			return &placeholders[i];
	return NULL;
}

int gendoc_man(struct out *o, const char *tmpl, const char *tmpl_name,
	       const char *date)
{
	unsigned seen[ARRAY_SIZE(placeholders)] = { 0 }, line = 1;
	const char *p = tmpl, *bol = tmpl;
	size_t i;

	out_add(o, ".\\\" Written by tools/gendoc from release/icm.1.in and "
		"icm's command and\n.\\\" option tables (make doc): do not "
		"edit.\n");
	while (*p) {
		size_t len = *p == '@' ?
			strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") : 0;
		const struct placeholder *ph;

		if (p == bol && !strncmp(p, ".\\\"", 3)) {
			/* the template's own comments stay there */
			p += strcspn(p, "\n");
			if (*p)
				p++;
			bol = p;
			line++;
			continue;
		}
		if (!len || p[len + 1] != '@') {
			if (*p == '\n') {
				bol = p + 1;
				line++;
			}
			out_addc(o, *p++);
			continue;
		}
		ph = placeholder_find(p + 1, len);
		if (!ph)
			return error("gendoc: %s:%u: unknown placeholder "
				     "@%.*s@", tmpl_name, line, (int)len,
				     p + 1);
		seen[ph - placeholders]++;
		if (ph->line && (p != bol || p[len + 2] != '\n'))
			return error("gendoc: %s:%u: @%s@ must stand alone on "
				     "its line", tmpl_name, line, ph->name);
		ph->fill(o, date);
		p += len + 2;
		if (ph->line) {		/* the line's newline is the fill's */
			p++;
			bol = p;
			line++;
		}
	}
	for (i = 0; i < ARRAY_SIZE(placeholders); i++)
		if (placeholders[i].line && seen[i] != 1)
			return error("gendoc: %s: @%s@ stands %u times, not "
				     "once", tmpl_name, placeholders[i].name,
				     seen[i]);
	return 0;
}
