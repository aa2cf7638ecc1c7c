/*
 * config.h: ICM's configuration model: defaults.json + definitions.json
 * (+ command-line overrides), typed and validated against fields.def.
 *
 * Values in ICM's files are JSON strings ("Count": "2"); plain JSON numbers
 * and booleans are accepted too.  After config_load() every scalar value of
 * a known field is held as a string, exactly as ICM writes it back into
 * instances.json (a number in a text field as the file writes it:
 * 1234567890123456 stays so); unknown fields are carried forward untouched.
 *
 * Precedence (highest first): command line > definition > defaults >
 * built-in default.  A null value counts as unspecified.
 *
 * Errors are reported through error() (state/log.h) with the file name and
 * line:column where one exists, e.g.
 *   Error: definitions.json:4:14: field 'Count': expected a whole number, got 'two'
 * and the function returns -1.  Nothing is written to disk by this module.
 *
 * Lifecycle: config_init(), config_load(), config_validate(), ...,
 * config_release().
 */
#ifndef ICM_CONFIG_H
#define ICM_CONFIG_H

#include "../icm.h"
#include <cjson/cJSON.h>

struct config_srcmap;	/* private to load.c: item -> line:column */

struct config {
	char *defaults_path;	/* as given (for messages) */
	char *definitions_path;
	cJSON *defaults;	/* object; owned */
	cJSON *definitions;	/* array of objects; owned */
	cJSON *overrides;	/* object of command-line fields; owned; may be NULL */
	struct config_srcmap *srcmap;
};

void config_init(struct config *cfg);
void config_release(struct config *cfg);

/*
 * Reads and parses both files, normalises scalar values of known fields to
 * strings, checks types, placement (defaults-only / definitions-only) and
 * per-field validation, and registers secret values (fields marked secret in
 * fields.def) with secret_register().  -1 on any error (reported).
 */
int config_load(struct config *cfg, const char *defaults_path,
		const char *definitions_path) WARN_UNUSED;

/*
 * Sets the command-line overrides: an object of field -> value built from
 * -image (DockerImage), -namespace (Namespace), -iscPassword (ISCPassword)
 * and -override(s) '{"Field":"value"}'.  Takes ownership of obj.  Validates
 * the fields like the files' (source named "command line").  -1 on error.
 */
int config_set_overrides(struct config *cfg, cJSON *obj) WARN_UNUSED;

/*
 * The command line's fields for a later command (run -namespace, ssh
 * -override '{...}'): type and rule of every known field, as in the files
 * (wherever a field may be given), reported as "command line: field ...".
 * Normalises numbers and booleans to strings in place.  -1 on error.
 */
int config_check_values(const struct config *cfg, cJSON *obj) WARN_UNUSED;

/*
 * Registers the values of obj's secret fields (FF_SECRET in fields.def)
 * with secret_register(), each under its field's name, numbers in the form
 * config_load() stores them.  A value that is the guide's placeholder "..."
 * is refused:
 *   <file>:<line>:<col>: field 'DockerPassword' is the guide's placeholder
 *   '...'; set the real value
 * (the place from cfg's source map, "command line" for an object cfg did
 * not read; file when cfg is NULL).  -1 then, reported.
 */
int config_register_secrets(const struct config *cfg, const char *file,
			    const cJSON *obj) WARN_UNUSED;
/* Replaces the value of every secret field anywhere under obj (objects
 * and arrays, at any depth) with "********", for output that shows
 * configurations (provision -plan -json).  True if it replaced any. */
bool config_mask_secrets(cJSON *obj);

/* Whole-deployment rules: provider fields, topology (§4.2), mirror maps. */
int config_validate(const struct config *cfg) WARN_UNUSED;

/*
 * The effective value of a field for definition def_index (-1 for
 * deployment-wide), after precedence and built-in defaults; NULL if unset.
 * The returned string is owned by cfg (or static).
 */
const char *config_get(const struct config *cfg, int def_index,
		       const char *field);

/*
 * A command-line option's value against a rule of fields.def's check
 * column ("name": -container, which names a Docker container in API
 * paths): "-<option>: <why>, got '<v>'" reported, -1.  NULL v is fine.
 */
int config_check_option(const char *option, const char *rule, const char *v)
	WARN_UNUSED;

/* True for the roles of icm-reference §4.1 (LB included). */
bool role_known(const char *role);
/* The i-th of those roles, NULL past the last (for the completion that
 * tools/gendoc.c writes). */
const char *role_name(size_t i);
/* An InterSystems IRIS role (DATA, COMPUTE, DM, DS, QS, AM): the nodes
 * that get the IRIS volumes and that IRIS-centric commands act on. */
bool role_is_iris(const char *role);

/* Field registry (generated from fields.def). */
enum field_type {
	FT_STRING, FT_INT, FT_BOOL, FT_PATH, FT_LIST, FT_ENUM, FT_JSON
};
#define FW_DEFAULTS    0x1	/* may appear in defaults.json */
#define FW_DEFINITIONS 0x2	/* may appear in definitions.json */
#define FW_EITHER      (FW_DEFAULTS | FW_DEFINITIONS)
#define FF_SECRET      0x10	/* value is registered as a secret */
#define FF_REQUIRED    0x20	/* required (deployment-wide) */
#define FF_LEGACY      0x40	/* 2018 name kept for compatibility */
#define FF_DEPLOYMENT  0x80	/* one value for the whole deployment, given
				   in defaults or definitions (Label, Tag) */

struct field_def {
	const char *name;
	enum field_type type;
	const char *dflt;	/* built-in default or NULL */
	unsigned where;		/* FW_* */
	unsigned flags;		/* FF_* */
	const char *providers;	/* comma list, or NULL for all */
	const char *check;	/* validation rule name or enum values */
	const char *doc;	/* one line */
};

/*
 * A provider's rules as data (fields.def PROVIDER rows): what config/
 * (validation, node expansion) and provision -plan need to know of a
 * provider without its code.
 */
#define PR_ONE_NODE      0x1	/* a definition describes one node */
#define PR_NO_LB         0x2	/* no load balancers */
#define PR_LB_ONE_REGION 0x4	/* load balancers in one region only */
#define PR_HOSTS_EXIST   0x8	/* hosts (and their volumes) exist before */
struct provider_rules {
	const char *name;	/* the Provider field's value */
	const char *region;	/* the region field: "Region", "Location" */
	const char *region_map;	/* its index map: "RegionMap", ... */
	const char *machine;	/* -plan's Machine Type ("{A|B}" fields) */
	unsigned flags;		/* PR_* */
};
/* The row of provider name; a provider without one (not a value the
 * Provider field takes) gets rules with no flags and the Region fields.
 * Static. */
const struct provider_rules *provider_rules_find(const char *name);

extern const struct field_def field_defs[];
extern const size_t field_defs_count;
const struct field_def *field_find(const char *name);

#endif
