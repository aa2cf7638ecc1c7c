/*
 * options.h: icm's command-line options, declared as data (options.c).
 *
 * Every option is accepted with one or two leading dashes (-role, --role)
 * and takes its value as the next word or after '=' (--role=DM).  Each
 * command says which options it accepts with a mask of OPT_BIT(id); an
 * option the command does not take is an error, as is an unknown one.
 * The help text of every command is derived from this table.
 */
#ifndef ICM_OPTIONS_H
#define ICM_OPTIONS_H

#include "../icm.h"

enum opt_id {
	OPT_HELP, OPT_VERSION, OPT_DEFAULTS, OPT_DEFINITIONS, OPT_INSTANCES,
	OPT_STATEDIR, OPT_MACHINE, OPT_ROLE, OPT_CONTAINER, OPT_IMAGE,
	OPT_COMMAND, OPT_OPTIONS, OPT_INTERACTIVE, OPT_NAMESPACE,
	OPT_ISCPASSWORD, OPT_FORCE, OPT_CLEANUP, OPT_JSON, OPT_VERBOSE,
	OPT_LOCALPATH, OPT_REMOTEPATH, OPT_OVERRIDE, OPT_PARALLEL, OPT_PLAN,
	OPT_TYPE, OPT_BITS, OPT_DAYS, OPT_NAMES, OPT_RENEW, OPT_IMAGEARCHIVE,
	OPT__COUNT
};

#define OPT_BIT(id) (1ull << (id))
/* Options every command takes. */
#define OPTS_COMMON (OPT_BIT(OPT_HELP) | OPT_BIT(OPT_JSON) | \
		     OPT_BIT(OPT_VERBOSE) | OPT_BIT(OPT_FORCE))
/* Options that locate the deployment's files. */
#define OPTS_FILES (OPT_BIT(OPT_DEFAULTS) | OPT_BIT(OPT_DEFINITIONS) | \
		    OPT_BIT(OPT_INSTANCES) | OPT_BIT(OPT_STATEDIR))
/* Node selection. */
#define OPTS_SELECT (OPT_BIT(OPT_MACHINE) | OPT_BIT(OPT_ROLE))

struct opt_def {
	const char *name;	/* without dashes, ICM's spelling */
	const char *alias;	/* another accepted spelling, or NULL */
	enum opt_id id;
	const char *arg;	/* value placeholder; NULL for a flag */
	const char *help;
};

extern const struct opt_def opt_defs[];
extern const size_t opt_defs_count;

struct options {
	const char *val[OPT__COUNT];	/* borrowed from argv */
	bool set[OPT__COUNT];
};

/*
 * Parses argv[start..argc).  Options not in `allowed` are refused; words
 * that are not options are collected in order into pos (caller-provided,
 * room for argc entries) and counted in *npos.  Reports errors with
 * error() and returns -1.  The -iscPassword value is registered as a
 * secret.  `cmd` names the command in messages.
 */
int options_parse(struct options *o, int argc, char **argv, int start,
		  uint64_t allowed, const char *cmd, char **pos,
		  int *npos) WARN_UNUSED;

const struct opt_def *option_find(const char *word);
static inline const char *opt_str(const struct options *o, enum opt_id id)
{
	return o->set[id] ? o->val[id] : NULL;
}
static inline bool opt_on(const struct options *o, enum opt_id id)
{
	return o->set[id];
}

#endif
