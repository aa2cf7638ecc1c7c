/*
 * load.c: reading defaults.json and definitions.json (and the command-line
 * overrides), normalising values of known fields to strings, placement and
 * per-field checks; config_get() precedence.  See config.h.
 */
#include "../icm.h"
#include "cfgint.h"
#include "../state/log.h"
#include "../util/buf.h"
#include "../util/fs.h"
#include "../util/str.h"

#define OVERRIDES_NAME "command line"

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
}

void config_release(struct config *cfg)
{
	free(cfg->defaults_path);
	free(cfg->definitions_path);
	cJSON_Delete(cfg->defaults);
	cJSON_Delete(cfg->definitions);
	cJSON_Delete(cfg->overrides);
	if (cfg->srcmap) {
		srcfile_release(&cfg->srcmap->defaults);
		srcfile_release(&cfg->srcmap->definitions);
		free(cfg->srcmap);
	}
	config_init(cfg);
}

char *cfg_loc(char *buf, const struct config *cfg, int def_index,
	      const cJSON *item, bool value)
{
	const struct config_srcmap *m = cfg->srcmap;

	if (!item && def_index >= 0) {
		item = cJSON_GetArrayItem(cfg->definitions, def_index);
		value = true;
	}
	if (m && item && srcmap_find(&m->defaults, item))
		return loc_format(buf, cfg->defaults_path, &m->defaults, item,
				  value);
	if (m && item && srcmap_find(&m->definitions, item))
		return loc_format(buf, cfg->definitions_path,
				  &m->definitions, item, value);
	if (item)
		return loc_format(buf, OVERRIDES_NAME, NULL, NULL, false);
	return loc_format(buf, cfg->defaults_path ? cfg->defaults_path :
			  "defaults.json", NULL, NULL, false);
}

/* Registers every string under item (secret values may be nested),
 * numbers in the form normalise() stores them. */
static void register_all(const struct config *cfg, const char *what,
			 const cJSON *item)
{
	const cJSON *c;

	if (cJSON_IsString(item))
		secret_register(what, item->valuestring);
	if (cJSON_IsNumber(item)) {
		char *num = cfg_number_text(cfg, item);

		secret_register(what, num);
		freezero_str(num);
	}
	for (c = item ? item->child : NULL; c; c = c->next)
		register_all(cfg, what, c);
}

int config_register_secrets(const struct config *cfg, const char *file,
			    const cJSON *obj)
{
	char loc[LOC_MAX];
	const cJSON *c;

	if (!cJSON_IsObject(obj))
		return 0;
	for (c = obj->child; c; c = c->next) {
		const struct field_def *f = field_find(c->string);

		if (!f || !(f->flags & FF_SECRET))
			continue;
		if (cJSON_IsString(c) &&
		    !strcmp(c->valuestring, SECRET_PLACEHOLDER))
			return error("%s: field '%s' is the guide's placeholder "
				     "'%s'; set the real value",
				     cfg ? cfg_loc(loc, cfg, -1, c, true)
					 : file, f->name, SECRET_PLACEHOLDER);
		register_all(cfg, f->name, c);
	}
	return 0;
}

static const char *json_kind(const cJSON *it)
{
	if (cJSON_IsObject(it))
		return "an object";
	if (cJSON_IsArray(it))
		return "an array";
	if (cJSON_IsString(it))
		return "a string";
	if (cJSON_IsNumber(it))
		return "a number";
	if (cJSON_IsBool(it))
		return "a boolean";
	return "null";
}

static const char *type_desc(enum field_type t)
{
	switch (t) {
	case FT_INT:
		return "a whole number";
	case FT_BOOL:
		return "true or false";
	case FT_LIST:
		return "a comma-separated list";
	default:
		return "a string";
	}
}

/* Turns a JSON number or boolean into the string ICM would have written. */
static void set_string(cJSON *it, char *s)
{
	it->type = cJSON_String;
	it->valuestring = s;
}

static int normalise(const struct config *cfg, const struct field_def *f,
		     cJSON *it)
{
	char loc[LOC_MAX];
	bool secret = f->flags & FF_SECRET;
	double d;

	if (cJSON_IsNull(it) || cJSON_IsString(it) || f->type == FT_JSON)
		return 0;
	if (cJSON_IsBool(it)) {
		set_string(it, xstrdup(cJSON_IsTrue(it) ? "true" : "false"));
		return 0;
	}
	if (cJSON_IsNumber(it) && f->type != FT_INT) {
		set_string(it, cfg_number_text(cfg, it));
		return 0;
	}
	if (cJSON_IsNumber(it)) {
		d = it->valuedouble;
		if (d > -1e15 && d < 1e15 && d == (double)(long long)d) {
			set_string(it, xasprintf("%lld", (long long)d));
			return 0;
		}
		if (secret)
			return error("%s: field '%s': expected %s, got a value "
				     "of the wrong type",
				     cfg_loc(loc, cfg, -1, it, true), f->name,
				     type_desc(f->type));
		return error("%s: field '%s': expected %s, got '%g'",
			     cfg_loc(loc, cfg, -1, it, true), f->name,
			     type_desc(f->type), d);
	}
	return error("%s: field '%s': expected %s, got %s",
		     cfg_loc(loc, cfg, -1, it, true), f->name,
		     type_desc(f->type),
		     secret ? "a value of the wrong type" : json_kind(it));
}

static int check_role(const struct config *cfg, const cJSON *it)
{
	char loc[LOC_MAX], *v;

	if (!role_known(it->valuestring)) {
		v = value_shown(it->valuestring);
		error("Unrecognized role '%s' (%s)", v,
		      cfg_loc(loc, cfg, -1, it, true));
		free(v);
		return -1;
	}
	if (!strcmp(it->valuestring, "LB"))
		return error("%s: role 'LB' may not be defined directly (set "
			     "\"LoadBalancer\": \"true\" on the definition "
			     "to balance)", cfg_loc(loc, cfg, -1, it, true));
	return 0;
}

/* Type, rule and placement of one member of a top-level object. */
static int check_member(const struct config *cfg, cJSON *it, unsigned where)
{
	const struct field_def *f = field_find(it->string);
	char loc[LOC_MAX];
	char *why;

	if (!f)
		return 0;	/* unknown: carried forward as is */
	if (!(f->where & where))
		return error("%s: field '%s' may only appear in %s",
			     cfg_loc(loc, cfg, -1, it, false), f->name,
			     f->where == FW_DEFAULTS ? "defaults.json"
						     : "definitions.json");
	if (normalise(cfg, f, it))
		return -1;
	if (!cJSON_IsString(it))
		return 0;
	if (!strcmp(f->name, "Role"))
		return check_role(cfg, it);
	why = check_value(f, it->valuestring);
	if (!why)
		return 0;
	return check_report(cfg_loc(loc, cfg, -1, it, true), f->name,
			    f->flags & FF_SECRET, it->valuestring, why);
}

const cJSON *first_duplicate(const cJSON *obj)
{
	size_t n = (size_t)cJSON_GetArraySize(obj), i, dup;
	const char **names;
	const cJSON *c;

	if (n < 2)
		return NULL;
	names = xcalloc(n, sizeof(*names));
	for (i = 0, c = obj->child; c; c = c->next, i++)
		names[i] = c->string;
	dup = first_duplicate_name(names, n, NULL);
	free(names);
	return dup == SIZE_MAX ? NULL : cJSON_GetArrayItem(obj, (int)dup);
}

static int check_object(const struct config *cfg, cJSON *obj,
			unsigned where)
{
	const cJSON *dup = first_duplicate(obj);
	char loc[LOC_MAX];
	cJSON *c;

	if (dup)
		return error("%s: duplicate field '%s'",
			     cfg_loc(loc, cfg, -1, dup, false), dup->string);
	for (c = obj->child; c; c = c->next)
		if (check_member(cfg, c, where))
			return -1;
	return 0;
}

int read_json(const char *path, cJSON **out, struct srcfile *map)
{
	struct buf b;
	int ret = -1;

	buf_init(&b, BUF_CAP_CONFIG);
	if (fs_read_file(path, &b)) {
		error("cannot read '%s': %s", path, fs_strerror(errno));
		goto out;
	}
	ret = srcmap_parse(path, b.data, b.len, out, map);
out:
	buf_wipe(&b);
	return ret;
}

/*
 * A deployment-wide field carried by definitions (fields.def): every
 * definition that has it agrees with the first place that gives it, which
 * is defaults.json when vs_defaults (Label, Tag) and it has the field;
 * Mirror in definitions overrides defaults, so vs_defaults is false.
 */
static int check_agrees(const struct config *cfg, const char *field,
			bool vs_defaults)
{
	const cJSON *first = NULL, *d;
	bool boolean = field_find(field)->type == FT_BOOL;
	char loc[LOC_MAX], loc_first[LOC_MAX];

	if (vs_defaults)
		first = cJSON_GetObjectItemCaseSensitive(cfg->defaults, field);
	if (!cJSON_IsString(first))
		first = NULL;
	cJSON_ArrayForEach(d, cfg->definitions) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, field);

		if (!cJSON_IsString(v))
			continue;
		if (!first) {
			first = v;
			continue;
		}
		if (boolean ? value_true(v->valuestring) ==
			      value_true(first->valuestring)
			    : !strcmp(v->valuestring, first->valuestring))
			continue;
		return error("%s: field '%s': '%s' differs from '%s' at %s "
			     "(%s applies to the whole deployment)",
			     cfg_loc(loc, cfg, -1, v, true), field,
			     v->valuestring, first->valuestring,
			     cfg_loc(loc_first, cfg, -1, first, true), field);
	}
	return 0;
}

static int check_deployment_fields(const struct config *cfg)
{
	size_t k;

	if (check_agrees(cfg, "Mirror", false))
		return -1;
	for (k = 0; k < field_defs_count; k++)
		if ((field_defs[k].flags & FF_DEPLOYMENT) &&
		    check_agrees(cfg, field_defs[k].name, true))
			return -1;
	return 0;
}

static int check_definitions(const struct config *cfg)
{
	char loc[LOC_MAX];
	cJSON *d;
	int i = 0;

	if (!cJSON_IsArray(cfg->definitions))
		return error("%s: expected an array of definitions at the top "
			     "level, got %s",
			     cfg_loc(loc, cfg, -1, cfg->definitions, true),
			     json_kind(cfg->definitions));
	if (!cfg->definitions->child)
		return error("%s: no definitions",
			     cfg_loc(loc, cfg, -1, cfg->definitions, true));
	cJSON_ArrayForEach(d, cfg->definitions) {
		i++;
		if (!cJSON_IsObject(d))
			return error("%s: definition %d: expected an object, "
				     "got %s", cfg_loc(loc, cfg, -1, d, true),
				     i, json_kind(d));
	}
	cJSON_ArrayForEach(d, cfg->definitions)
		if (check_object(cfg, d, FW_DEFINITIONS))
			return -1;
	return check_deployment_fields(cfg);
}

int config_load(struct config *cfg, const char *defaults_path,
		const char *definitions_path)
{
	char loc[LOC_MAX];
	cJSON *d;

	config_release(cfg);
	cfg->defaults_path = xstrdup(defaults_path);
	cfg->definitions_path = xstrdup(definitions_path);
	cfg->srcmap = xcalloc(1, sizeof(*cfg->srcmap));
	if (read_json(defaults_path, &cfg->defaults, &cfg->srcmap->defaults))
		return -1;
	if (config_register_secrets(cfg, NULL, cfg->defaults))
		return -1;
	if (read_json(definitions_path, &cfg->definitions,
		      &cfg->srcmap->definitions))
		return -1;
	cJSON_ArrayForEach(d, cfg->definitions)
		if (config_register_secrets(cfg, NULL, d))
			return -1;
	if (!cJSON_IsObject(cfg->defaults))
		return error("%s: expected an object at the top level, got %s",
			     cfg_loc(loc, cfg, -1, cfg->defaults, true),
			     json_kind(cfg->defaults));
	if (check_object(cfg, cfg->defaults, FW_DEFAULTS))
		return -1;
	return check_definitions(cfg);
}

int config_set_overrides(struct config *cfg, cJSON *obj)
{
	cJSON_Delete(cfg->overrides);
	cfg->overrides = obj;
	if (!obj)
		return 0;
	if (config_register_secrets(cfg, NULL, obj))
		return -1;
	if (!cJSON_IsObject(obj))
		return error(OVERRIDES_NAME ": overrides must be a JSON "
			     "object, got %s", json_kind(obj));
	return check_object(cfg, obj, FW_DEFAULTS);
}

int config_check_values(const struct config *cfg, cJSON *obj)
{
	if (!obj)
		return 0;
	if (!cJSON_IsObject(obj))
		return error(OVERRIDES_NAME ": overrides must be a JSON "
			     "object, got %s", json_kind(obj));
	return check_object(cfg, obj, FW_EITHER);
}

int config_ndefs(const struct config *cfg)
{
	return cJSON_GetArraySize(cfg->definitions);
}

/* A field (or its 2018 alias) in one object. */
static const char *get_in(const cJSON *obj, const char *field,
			  const char *legacy)
{
	const char *v = obj_str(obj, field);

	return v || !legacy ? v : obj_str(obj, legacy);
}

/* A deployment-wide field: the command line, else the first definition
 * that carries it, else defaults (check_agrees() made them one). */
static const char *deployment_value(const struct config *cfg,
				    const char *field)
{
	const char *v = obj_str(cfg->overrides, field);
	const cJSON *d;

	if (!v)
		cJSON_ArrayForEach(d, cfg->definitions) {
			v = obj_str(d, field);
			if (v)
				break;
		}
	return v ? v : obj_str(cfg->defaults, field);
}

const char *config_get_set(const struct config *cfg, int def_index,
			   const char *field)
{
	const char *legacy = field_legacy_name(field);
	const struct field_def *f;
	const char *v;

	if (!strcmp(field, "Mirror"))
		return config_mirrored(cfg) ? "true" : "false";
	f = field_find(field);
	if (f && (f->flags & FF_DEPLOYMENT))
		return deployment_value(cfg, field);
	v = get_in(cfg->overrides, field, legacy);
	if (v)
		return v;
	if (def_index >= 0) {
		v = get_in(cJSON_GetArrayItem(cfg->definitions, def_index),
			   field, legacy);
		if (v)
			return v;
	}
	return get_in(cfg->defaults, field, legacy);
}

bool config_mirrored(const struct config *cfg)
{
	return value_true(deployment_value(cfg, "Mirror"));
}

const char *config_get(const struct config *cfg, int def_index,
		       const char *field)
{
	const struct field_def *f;
	const char *v = config_get_set(cfg, def_index, field);
	const char *provider;

	if (v)
		return v;
	f = field_find(field);
	if (!f)
		return NULL;
	provider = config_get_set(cfg, -1, "Provider");
	v = field_provider_default(field, provider);
	if (v)
		return v;
	return field_applies(f, provider) ? f->dflt : NULL;
}
