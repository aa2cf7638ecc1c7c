/* instances.c: reading and writing instances.json (see instances.h). */
#include "instances.h"
#include "../state/log.h"
#include "../util/buf.h"
#include "../util/json.h"
#include "../util/str.h"

static char *dup_field(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) && *v->valuestring ?
		xstrdup(v->valuestring) : NULL;
}

static int node_from_json(const char *path, size_t idx, cJSON *obj,
			  struct node *n)
{
	const char *num;
	long v;

	memset(n, 0, sizeof(*n));
	if (!cJSON_IsObject(obj))
		return error("%s: entry %zu is not an object", path, idx + 1);
	n->name = dup_field(obj, "MachineName");
	n->role = dup_field(obj, "Role");
	if (!n->name || !n->role)
		return error("%s: entry %zu has no %s", path, idx + 1,
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
	if (num && !str_to_long(num + 1, &v))
		n->number = (int)v;
	if (config_register_secrets(NULL, path, obj))
		return -1;
	n->fields = obj;
	return 0;
}

int instances_load(const char *path, struct plan *out)
{
	cJSON *root = NULL, *item;
	size_t i = 0, count;
	int ret = -1;

	if (access(path, F_OK) && errno == ENOENT) {
		error("no %s here: nothing has been provisioned (run "
		      "\"icm provision\" first, or give -instances)", path);
		goto out;
	}
	if (json_read_file(path, BUF_CAP_CONFIG, &root))
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
		if (node_from_json(path, i, item, &out->nodes[i])) {
			out->nodes[i].fields = item;
			goto out;
		}
		i++;
	}
	ret = 0;
out:
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
