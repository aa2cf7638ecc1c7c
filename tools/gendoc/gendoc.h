/*
 * gendoc.h: what the documentation generator's writers share (gendoc.c
 * holds main() and the model; man.c, bash.c and zsh.c each write one file).
 *
 * Everything about commands and options comes from the tables the binary
 * is built from: commands[] (src/cmd/commands.c), opt_defs[] and the
 * OPTS_COMMON mask (src/cmd/options.[ch]), the roles (role_name(),
 * src/config/check.c).  A value's completion is read from its placeholder
 * in those tables (gd_value_kind()), so a new row needs no change here.
 */
#ifndef ICM_GENDOC_H
#define ICM_GENDOC_H

#include "icm.h"
#include "cmd/cmd.h"
#include "util/buf.h"

/* The largest file gendoc writes (the man page is about 20 KiB). */
#define GD_CAP_OUT (1u << 20)
/* Positional arguments of one command ("ssh|tls [DIR]": 2), and the
 * longest of their names. */
#define GD_POSARGS_MAX 4
#define GD_NAME_MAX 32

/*
 * An output file being built: adders append to b and, on failure (its cap,
 * out of memory), set failed and ignore what follows, so a writer checks
 * once, at the end (gendoc.c does, before anything is written).
 */
struct out {
	struct buf b;
	bool failed;
};
void out_add(struct out *o, const char *s);
void out_addc(struct out *o, char c);
void out_addf(struct out *o, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* What a value or positional word completes to, read from its
 * placeholder: "file" or "path" a file, "dir" or "DIR" a directory,
 * "role" a role, "command" a command, "a|b|c" one of those words;
 * anything else nothing. */
enum value_kind {
	VAL_NONE, VAL_FILE, VAL_DIR, VAL_ROLE, VAL_COMMAND, VAL_WORDS
};
enum value_kind gd_value_kind(const char *placeholder);
/* An option's value kind (-remotePath is a path on the node: none). */
enum value_kind gd_option_kind(const struct opt_def *d);

/* One positional argument from a command's args text. */
struct posarg {
	char name[GD_NAME_MAX];	/* without the brackets */
	bool optional;		/* written [NAME] */
	enum value_kind kind;
};
/* c's positional arguments into v[0..*n); 0, or -1 (reported) when its
 * args text has more than GD_POSARGS_MAX words or one too long. */
int gd_posargs(const struct command *c, struct posarg *v, size_t *n)
	WARN_UNUSED;

/* The words of "a|b|c" with sep between them. */
void gd_words(struct out *o, const char *alts, const char *sep);
/* The names of the commands shown, with sep between them. */
void gd_commands(struct out *o, const char *sep);
/* The roles with sep between them. */
void gd_roles(struct out *o, const char *sep);
/* The words a value of kind can take (VAL_ROLE, VAL_COMMAND, VAL_WORDS
 * with arg "a|b"), space-separated; false (nothing written) for the
 * other kinds. */
bool gd_value_words(struct out *o, enum value_kind kind, const char *arg);

/* Whether the row is documented: not left out with --omit. */
bool gd_command_shown(const struct command *c);
bool gd_option_shown(const struct opt_def *d);
/* Whether c takes d (its mask or OPTS_COMMON). */
bool gd_takes(const struct command *c, const struct opt_def *d);
/* Whether d is taken by every command (OPTS_COMMON). */
bool gd_common(const struct opt_def *d);
/* Whether main() accepts d alone as the goal (icm -help, icm -version). */
bool gd_alone(const struct opt_def *d);

/* The writers; date is "YYYY-MM-DD" or "".  gendoc_man() returns -1
 * (reported) on a template it cannot fill. */
int gendoc_man(struct out *o, const char *tmpl, const char *tmpl_name,
	       const char *date) WARN_UNUSED;
void gendoc_bash(struct out *o);
void gendoc_zsh(struct out *o);

#endif
