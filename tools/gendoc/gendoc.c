/*
 * gendoc: writes icm's man page and its bash and zsh completion from the
 * tables the binary is built from (see gendoc.h), so they cannot drift
 * from it (`make doc`; tests/e2e/82-doc.sh checks them against `icm
 * help`).
 *
 *   gendoc [--omit NAME]... TEMPLATE OUTDIR
 *
 * TEMPLATE is release/icm.1.in; OUTDIR gets icm.1, icm.bash and _icm,
 * each written whole or not at all.  The man page's date is the day
 * (UTC) of SOURCE_DATE_EPOCH when it is set, else empty: the output
 * depends on nothing else.  --omit NAME leaves the command or option NAME
 * out of all three files; it exists for the test that shows a missing one
 * is caught.
 */
#include "gendoc.h"
#include "config/config.h"
#include "util/fs.h"
#include "util/report.h"
#include "util/str.h"
#include <ctype.h>
#include <strings.h>

#define GD_OMIT_MAX 8
#define GD_CAP_TEMPLATE (256u << 10)

static const char *omitted[GD_OMIT_MAX];
static size_t nomitted;

/* ---- output buffers --------------------------------------------------- */

void out_add(struct out *o, const char *s)
{
	if (!o->failed && buf_adds(&o->b, s))
		o->failed = true;
}

void out_addc(struct out *o, char c)
{
	if (!o->failed && buf_add(&o->b, &c, 1))
		o->failed = true;
}

void out_addf(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->failed)
		return;
	va_start(ap, fmt);
	if (buf_vaddf(&o->b, fmt, ap))
		o->failed = true;
	va_end(ap);
}

/* ---- the model ---------------------------------------------------------- */

static bool is_omitted(const char *name)
{
	size_t i;

	for (i = 0; i < nomitted; i++)
		if (!strcmp(omitted[i], name))
			return true;
	return false;
}

bool gd_command_shown(const struct command *c)
{
	return !is_omitted(c->name);
}

bool gd_option_shown(const struct opt_def *d)
{
	return !is_omitted(d->name);
}

bool gd_common(const struct opt_def *d)
{
	return (OPTS_COMMON & OPT_BIT(d->id)) != 0;
}

bool gd_takes(const struct command *c, const struct opt_def *d)
{
	return ((c->opts | OPTS_COMMON) & OPT_BIT(d->id)) != 0;
}

bool gd_alone(const struct opt_def *d)
{
	return d->id == OPT_HELP || d->id == OPT_VERSION;
}

enum value_kind gd_value_kind(const char *p)
{
	if (!p)
		return VAL_NONE;
	if (strchr(p, '|'))
		return VAL_WORDS;
	if (!strcmp(p, "file") || !strcmp(p, "path"))
		return VAL_FILE;
	if (!strcasecmp(p, "dir"))
		return VAL_DIR;
	if (!strcmp(p, "role"))
		return VAL_ROLE;
	if (!strcmp(p, "command"))
		return VAL_COMMAND;
	return VAL_NONE;
}

enum value_kind gd_option_kind(const struct opt_def *d)
{
	/* The one "path" that is not on this machine. */
	if (d->id == OPT_REMOTEPATH)
		return VAL_NONE;
	return gd_value_kind(d->arg);
}

int gd_posargs(const struct command *c, struct posarg *v, size_t *n)
{
	const char *p = c->args;

	*n = 0;
	while (p && *p) {
		size_t len = strcspn(p, " ");
		struct posarg *a = &v[*n];

		if (*n == GD_POSARGS_MAX || len + 1 > GD_NAME_MAX)
			return error("gendoc: '%s': the arguments '%s' are "
				     "more or longer than gendoc takes",
				     c->name, c->args);
		a->optional = p[0] == '[' && len > 1 && p[len - 1] == ']';
		if (a->optional)
			snprintf(a->name, sizeof(a->name), "%.*s",
				 (int)len - 2, p + 1);
		else
			snprintf(a->name, sizeof(a->name), "%.*s", (int)len,
				 p);
		a->kind = gd_value_kind(a->name);
		(*n)++;
		p += len;
		p += strspn(p, " ");
	}
	return 0;
}

void gd_words(struct out *o, const char *alts, const char *sep)
{
	const char *p;

	for (p = alts; *p; p++) {
		if (*p == '|')
			out_add(o, sep);
		else
			out_addc(o, *p);
	}
}

void gd_commands(struct out *o, const char *sep)
{
	size_t i, n = 0;

	for (i = 0; i < commands_count; i++)
		if (gd_command_shown(&commands[i]))
			out_addf(o, "%s%s", n++ ? sep : "", commands[i].name);
}

void gd_roles(struct out *o, const char *sep)
{
	const char *r;
	size_t i;

	for (i = 0; (r = role_name(i)); i++)
		out_addf(o, "%s%s", i ? sep : "", r);
}

bool gd_value_words(struct out *o, enum value_kind kind, const char *arg)
{
	switch (kind) {
	case VAL_ROLE:
		gd_roles(o, " ");
		return true;
	case VAL_COMMAND:
		gd_commands(o, " ");
		return true;
	case VAL_WORDS:
		gd_words(o, arg, " ");
		return true;
	default:
		return false;
	}
}

/*
 * Every word that goes into a shell script bare (names, aliases, roles,
 * the words of "a|b"): letters, digits, '_', '.' and '-' only, so no row
 * can break the scripts' quoting.
 */
static int check_word(const char *what, const char *w, const char *extra)
{
	const char *p;

	for (p = w; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p) &&
		    !(extra && strchr(extra, *p)))
			return error("gendoc: %s '%s' has a character the "
				     "completion cannot take bare ('%c')",
				     what, w, *p);
	return *w ? 0 : error("gendoc: an empty %s", what);
}

static int check_tables(void)
{
	struct posarg pa[GD_POSARGS_MAX];
	size_t i, j, n;
	const char *r;

	for (i = 0; i < commands_count; i++) {
		if (check_word("command", commands[i].name, NULL) ||
		    gd_posargs(&commands[i], pa, &n))
			return -1;
		for (j = 0; j < n; j++)
			if (pa[j].kind == VAL_WORDS &&
			    check_word("argument", pa[j].name, "|"))
				return -1;
	}
	for (i = 0; i < opt_defs_count; i++) {
		const struct opt_def *d = &opt_defs[i];

		if (check_word("option", d->name, NULL) ||
		    (d->alias && check_word("option", d->alias, NULL)) ||
		    (gd_option_kind(d) == VAL_WORDS &&
		     check_word("option value", d->arg, "|")))
			return -1;
	}
	for (i = 0; (r = role_name(i)); i++)
		if (check_word("role", r, NULL))
			return -1;
	for (i = 0; i < nomitted; i++) {
		for (j = 0; j < opt_defs_count; j++)
			if (!strcmp(opt_defs[j].name, omitted[i]))
				break;
		if (!command_find(omitted[i]) && j == opt_defs_count)
			return error("gendoc: --omit %s: no such command or "
				     "option", omitted[i]);
	}
	return 0;
}

/* ---- main --------------------------------------------------------------- */

/* "YYYY-MM-DD" of SOURCE_DATE_EPOCH into date, or "" when it is unset. */
static int source_date(char *date, size_t size)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	struct tm tm;
	time_t t;
	long v;

	date[0] = '\0';
	if (!s)
		return 0;
	if (str_to_long(s, &v) || v < 0)
		return error("gendoc: SOURCE_DATE_EPOCH '%s' is not a number "
			     "of seconds", s);
	t = (time_t)v;
	if (!gmtime_r(&t, &tm) || !strftime(date, size, "%Y-%m-%d", &tm))
		return error("gendoc: SOURCE_DATE_EPOCH '%s' is out of range",
			     s);
	return 0;
}

static int usage(void)
{
	return error("usage: gendoc [--omit NAME]... TEMPLATE OUTDIR");
}

int main(int argc, char **argv)
{
	static const char *const names[3] = { "icm.1", "icm.bash", "_icm" };
	struct out outs[3];
	struct buf tmpl;
	char date[16], *path = NULL;
	int i, ret = 1;

	buf_init(&tmpl, GD_CAP_TEMPLATE);
	for (i = 0; i < 3; i++) {
		buf_init(&outs[i].b, GD_CAP_OUT);
		outs[i].failed = false;
	}
	for (i = 1; i + 1 < argc && !strcmp(argv[i], "--omit"); i += 2) {
		if (nomitted == GD_OMIT_MAX) {
			error("gendoc: at most %d --omit", GD_OMIT_MAX);
			goto out;
		}
		omitted[nomitted++] = argv[i + 1];
	}
	if (argc - i != 2) {
		usage();
		goto out;
	}
	if (check_tables() || source_date(date, sizeof(date)))
		goto out;
	if (fs_read_file(argv[i], &tmpl)) {
		error("gendoc: cannot read %s: %s", argv[i],
		      fs_strerror(errno));
		goto out;
	}
	if (gendoc_man(&outs[0], tmpl.data, argv[i], date))
		goto out;
	gendoc_bash(&outs[1]);
	gendoc_zsh(&outs[2]);
	for (i = 0; i < 3; i++)
		if (outs[i].failed) {
			error("gendoc: %s is larger than %u bytes", names[i],
			      GD_CAP_OUT);
			goto out;
		}
	if (fs_mkdirs(argv[argc - 1], 0755)) {
		error("gendoc: cannot make %s: %s", argv[argc - 1],
		      fs_strerror(errno));
		goto out;
	}
	for (i = 0; i < 3; i++) {
		free(path);
		path = xasprintf("%s/%s", argv[argc - 1], names[i]);
		if (fs_write_atomic(path, outs[i].b.data, outs[i].b.len,
				    0644)) {
			error("gendoc: cannot write %s: %s", path,
			      fs_strerror(errno));
			goto out;
		}
	}
	ret = 0;
out:
	free(path);
	buf_release(&tmpl);
	for (i = 0; i < 3; i++)
		buf_release(&outs[i].b);
	return ret;
}
