/* instances.c: reading and writing instances.json (see instances.h). */
#include "instances.h"
#include "cfgint.h"
#include "../state/log.h"
#include "../util/buf.h"
#include "../util/json.h"
#include "../util/str.h"

struct instance_field {
	const char *name, *check;
};
static const struct instance_field instance_fields[] = {
#define INSTANCE(name, check) { name, check },
#include "fields.def"
};

/* The rule of a field instances.json holds: its own, else fields.def's. */
static const char *instance_rule(const char *name, bool *secret)
{
	const struct field_def *f = field_find(name);
	size_t i;

	*secret = f && (f->flags & FF_SECRET);
	for (i = 0; i < ARRAY_SIZE(instance_fields); i++)
		if (!strcmp(instance_fields[i].name, name))
			return instance_fields[i].check;
	return NULL;
}

/* A field given twice would be read one way here, another way there. */
static int check_unique_keys(const char *path, const struct srcfile *map,
			     const cJSON *obj)
{
	const cJSON *c = first_duplicate(obj);
	char loc[LOC_MAX];

	if (!c)
		return 0;
	return error("%s: duplicate field '%s'",
		     loc_format(loc, path, map, c, false), c->string);
}

/*
 * instances.json is untrusted input (issue 14): every string of a field
 * with a rule passes the rule configurations pass (fields.def), and the
 * fields instances.json adds pass theirs (INSTANCE rows); an empty value
 * is an unset one.  Reported as "<file>:<line>:<col>: field ...".
 */
static int check_entry(const char *path, const struct srcfile *map,
		       const cJSON *obj)
{
	char loc[LOC_MAX];
	const cJSON *c;

	if (check_unique_keys(path, map, obj))
		return -1;
	for (c = obj->child; c; c = c->next) {
		const struct field_def *f = field_find(c->string);
		const char *rule;
		bool secret;
		char *why;

		if (!cJSON_IsString(c) || !*c->valuestring)
			continue;
		rule = instance_rule(c->string, &secret);
		if (rule)
			why = check_by_rule(rule, c->valuestring);
		else if (f)
			why = check_value(f, c->valuestring);
		else
			continue;
		if (check_report(loc_format(loc, path, map, c, true),
				 c->string, secret, c->valuestring, why))
			return -1;
	}
	return 0;
}

static char *dup_field(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) && *v->valuestring ?
		xstrdup(v->valuestring) : NULL;
}

static int node_from_json(const char *path, const struct srcfile *map,
			  size_t idx, cJSON *obj, struct node *n)
{
	char loc[LOC_MAX];
	const char *num;
	long v;

	memset(n, 0, sizeof(*n));
	if (!cJSON_IsObject(obj))
		return error("%s: entry %zu is not an object",
			     loc_format(loc, path, map, obj, true), idx + 1);
	if (check_entry(path, map, obj))
		return -1;
	n->name = dup_field(obj, "MachineName");
	n->role = dup_field(obj, "Role");
	if (!n->name || !n->role)
		return error("%s: entry %zu has no %s",
			     loc_format(loc, path, map, obj, true), idx + 1,
			     n->name ? "Role" : "MachineName");
	n->zone = dup_field(obj, "Zone");
	n->region = dup_field(obj, "Region");
	if (!n->region)
		n->region = dup_field(obj, "Location");
	n->mirror_member = dup_field(obj, "Member");
	n->mirror_set = dup_field(obj, "MirrorSetName");
	n->lb_target = dup_field(obj, "LoadBalancerFor");
	n->def_index = -1;
	num = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj,
						"DefinitionIndex"));
	if (num && !str_to_long(num, &v))
		n->def_index = (int)v;
	num = strrchr(n->name, '-');
	if (num && !str_to_long(num + 1, &v) && v >= 0 &&
	    v <= NODE_NUMBER_MAX)
		n->number = (int)v;
	if (config_register_secrets(NULL, path, obj))
		return -1;
	n->fields = obj;
	return 0;
}

/* One machine, one entry: a name twice is refused (sorted: linear-ish). */
static int check_unique(const char *path, const struct plan *p)
{
	size_t first = 0, dup = plan_first_duplicate(p, &first);

	if (dup == SIZE_MAX)
		return 0;
	return error("%s: entries %zu and %zu are both machine '%s'", path,
		     first + 1, dup + 1, p->nodes[dup].name);
}

int instances_load(const char *path, struct plan *out)
{
	struct srcfile map = { 0 };
	cJSON *root = NULL, *item;
	size_t i = 0, count;
	int ret = -1;

	if (access(path, F_OK) && errno == ENOENT) {
		error("no %s here: nothing has been provisioned (run "
		      "\"icm provision\" first, or give -instances)", path);
		goto out;
	}
	if (read_json(path, &root, &map))
		goto out;
	if (!cJSON_IsArray(root)) {
		error("%s: expected an array of instances", path);
		goto out;
	}
	count = (size_t)cJSON_GetArraySize(root);
	out->nodes = xcalloc(count ? count : 1, sizeof(*out->nodes));
	while ((item = cJSON_DetachItemFromArray(root, 0))) {
		/* The node owns the object from here, even on error. */
		out->n++;
		if (node_from_json(path, &map, i, item, &out->nodes[i])) {
			out->nodes[i].fields = item;
			goto out;
		}
		i++;
	}
	ret = check_unique(path, out);
out:
	srcfile_release(&map);
	cJSON_Delete(root);
	return ret;
}

int instances_write(const char *path, const struct plan *p)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i;
	int ret;

	for (i = 0; i < p->n; i++)
		cJSON_AddItemReferenceToArray(arr, p->nodes[i].fields);
	ret = json_write_file(path, arr, 0600);
	cJSON_Delete(arr);
	return ret;
}
