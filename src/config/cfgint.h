/*
 * cfgint.h: private to src/config/: the source map (srcmap.c), value
 * checks (check.c) and helpers shared by load.c, validate.c, topology.c
 * and plan.c.  Not for use outside the module.
 */
#ifndef ICM_CFGINT_H
#define ICM_CFGINT_H

#include "config.h"

/* Where a JSON item was in its file (1-based), key and value. */
struct srcpos {
	int line, col;
};
struct srcent {
	const cJSON *item;
	struct srcpos key;	/* the member's key; the value for elements */
	struct srcpos val;
	char *num;		/* a number as written (owned), or NULL */
};
struct srcfile {
	struct srcent *ents;	/* sorted by item pointer; owned */
	size_t n;
};
struct config_srcmap {
	struct srcfile defaults, definitions;
};

/*
 * Checks the JSON text strictly, parses it with cJSON and records where
 * every item of the tree is.  name is the file name for messages.  On
 * success *out is the tree (caller owns) and map is filled (release with
 * srcfile_release).  -1 on a syntax error, reported as
 * "<name>:<line>:<col>: <what is wrong>".
 */
int srcmap_parse(const char *name, const char *text, size_t len,
		 cJSON **out, struct srcfile *map) WARN_UNUSED;
void srcfile_release(struct srcfile *map);
/* srcmap_parse() of the file at path (at most BUF_CAP_CONFIG bytes):
 * defaults, definitions, instances.json (load.c); -1 reported. */
int read_json(const char *path, cJSON **out, struct srcfile *map)
	WARN_UNUSED;
const struct srcent *srcmap_find(const struct srcfile *map,
				 const cJSON *item);
/* A JSON number of cfg's files as the file writes it (1234567890123456,
 * not 1.23456789012346e+15); else (a number from the command line) the
 * shortest text that reads back as the same double.  Caller frees. */
char *cfg_number_text(const struct config *cfg, const cJSON *item);

/*
 * A place for messages: "file:line:col", or just "file" when the item is
 * unknown (NULL map or item).  value selects the value's position rather
 * than the key's.  Returns buf.
 */
#define LOC_MAX 512
char *loc_format(char *buf, const char *file, const struct srcfile *map,
		 const cJSON *item, bool value);

/* Where a definition / defaults item lives, for messages. */
char *cfg_loc(char *buf, const struct config *cfg, int def_index,
	      const cJSON *item, bool value);

/*
 * Checks a scalar value (already a string) of a known field against its
 * type and rule.  Returns NULL if fine, else a newly allocated reason such
 * as "expected a whole number" (the caller adds the location, the field
 * and, unless the field is secret, the value).
 */
char *check_value(const struct field_def *f, const char *v);
/* The same for a rule of fields.def's check column by itself (a named
 * rule, or enum values "A|B|C"): instances.json's own fields. */
char *check_by_rule(const char *rule, const char *v);
/*
 * Reports a failed check (why from check_value, freed here) as
 * "<loc>: field '<field>': <why>, got '<v>'" (control characters shown as
 * \xNN; a secret's value never shown) and returns -1; 0 when why is NULL.
 */
int check_report(const char *loc, const char *field, bool secret,
		 const char *v, char *why);
/* v for a message: control characters as \xNN, cut after 200 bytes with
 * "..." (caller frees). */
char *value_shown(const char *v);

/* Node numbers are ICM's four digits (<Label>-<Role>-<Tag>-NNNN): Count,
 * StartCount + Count - 1 and the deployment's nodes stay within it. */
#define NODE_NUMBER_MAX 9999

/* Field lookup helpers (fields.c). */
const char *field_provider_default(const char *field, const char *provider);
bool field_applies(const struct field_def *f, const char *provider);
/* The field a 2018 alias stands for ("=Name" rule), or NULL. */
const char *field_alias_of(const struct field_def *f);
/* The 2018 alias of a field, or NULL. */
const char *field_legacy_name(const char *field);

/* A bool field value: true, True, TRUE... */
bool value_true(const char *v);

/* Raw string of a field in an object, NULL if absent, null or not a string. */
const char *obj_str(const cJSON *obj, const char *field);

/* config_get() without built-in defaults; also looks at a 2018 alias. */
const char *config_get_set(const struct config *cfg, int def_index,
			   const char *field);
/* The deployment-wide Mirror setting (see fields.def). */
bool config_mirrored(const struct config *cfg);
int config_ndefs(const struct config *cfg);

/* Topology rules of §4.2 (topology.c); -1 on the first broken rule. */
int topology_validate(const struct config *cfg) WARN_UNUSED;

/* Splits a comma list into a NULL-terminated vector (caller frees). */
char **list_split(const char *s, size_t *n);
char **list_split_sep(const char *s, char sep, size_t *n);
void list_free(char **v);

/*
 * The index of the first name (in order) that appeared before, or
 * SIZE_MAX; *earlier (may be NULL) is where it appeared first.  Sorts a
 * copy: O(n log n), for files with many members or nodes.
 */
size_t first_duplicate_name(const char *const *names, size_t n,
			    size_t *earlier);
/* The first member of obj (in file order) whose name appeared before, or
 * NULL (load.c). */
const cJSON *first_duplicate(const cJSON *obj);
struct plan;
/* The same over a plan's machine names (plan.c). */
size_t plan_first_duplicate(const struct plan *p, size_t *earlier);

#endif
