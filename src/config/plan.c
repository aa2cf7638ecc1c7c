/*
 * plan.c: node expansion (see plan.h).  Naming, zones, mirror members and
 * virtual load-balancer nodes follow reference §3.2, §4 and the choices
 * documented in fields.def; the node fields are what instances.json holds.
 */
#include "../icm.h"
#include "cfgint.h"
#include "plan.h"
#include "../state/log.h"
#include "../util/fs.h"
#include "../util/str.h"

#define MIRROR_ROLES_MAX 3	/* DM, DATA, DS */

void plan_init(struct plan *p)
{
	p->nodes = NULL;
	p->n = 0;
}

static void node_release(struct node *n)
{
	free(n->name);
	free(n->role);
	free(n->zone);
	free(n->region);
	free(n->mirror_member);
	free(n->mirror_set);
	free(n->lb_target);
	cJSON_Delete(n->fields);
}

void plan_release(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		node_release(&p->nodes[i]);
	free(p->nodes);
	plan_init(p);
}

const char *node_get(const struct node *n, const char *field)
{
	return obj_str(n->fields, field);
}

const char *node_field(const struct node *n, const char *field)
{
	const char *v = node_get(n, field);

	return v && *v ? v : NULL;
}

int node_field_int(const struct node *n, const char *field, int dflt, int lo,
		   int hi)
{
	const char *s = node_field(n, field);
	long v;

	if (!s || str_to_long(s, &v) || v < lo || v > hi)
		return dflt;
	return (int)v;
}

int license_key_read(const char *name, const char *field, const char *path,
		     struct buf *key, char **why)
{
	if (fs_read_file(path, key))
		return error_why(why, "%s: field '%s': cannot read the "
				 "license key '%s': %s", name, field, path,
				 errno == EFBIG ? "larger than a license key "
				 "file can be" : fs_strerror(errno));
	if (!key->len)
		return error_why(why, "%s: field '%s': the license key '%s' "
				 "is empty", name, field, path);
	return 0;
}

int license_key_check(const char *name, const char *field, const char *path)
{
	struct buf key;
	int ret;

	buf_init(&key, LICENSE_KEY_CAP);
	ret = license_key_read(name, field, path, &key, NULL);
	buf_release(&key);
	return ret;
}

int plan_check_licenses(const struct plan *p)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < p->n && !ret; i++) {
		const struct node *n = &p->nodes[i];
		const char *path = node_field(n, "ISCLicense");

		if (path && role_is_iris(n->role))
			ret = license_key_check(n->name, "ISCLicense", path);
	}
	return ret;
}

/* Sets (in place, keeping the order) or adds a string field. */
static void set_field(cJSON *obj, const char *name, const char *value)
{
	cJSON *v;

	if (!value)
		return;
	v = cJSON_CreateString(value);
	if (!v)
		abort();
	if (cJSON_GetObjectItemCaseSensitive(obj, name))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, name, v);
	else
		cJSON_AddItemToObject(obj, name, v);
}

/* Unknown fields of one object, carried forward (later objects win). */
static void carry_unknown(cJSON *out, const cJSON *obj)
{
	const cJSON *c;

	if (!cJSON_IsObject(obj))
		return;
	for (c = obj->child; c; c = c->next) {
		if (field_find(c->string) || cJSON_IsNull(c))
			continue;
		if (cJSON_GetObjectItemCaseSensitive(out, c->string))
			cJSON_ReplaceItemInObjectCaseSensitive(out, c->string,
				cJSON_Duplicate(c, 1));
		else
			cJSON_AddItemToObject(out, c->string,
					      cJSON_Duplicate(c, 1));
	}
}

/* The merged fields of definition i, before node-specific ones. */
static cJSON *def_fields(const struct config *cfg, int i,
			 const char *provider)
{
	cJSON *out = cJSON_CreateObject();
	size_t k;

	if (!out)
		abort();
	for (k = 0; k < field_defs_count; k++) {
		const struct field_def *f = &field_defs[k];
		const char *v = config_get(cfg, i, f->name);

		if (!v)
			continue;
		if (!field_applies(f, provider) &&
		    !config_get_set(cfg, i, f->name))
			continue;
		set_field(out, f->name, v);
	}
	carry_unknown(out, cfg->defaults);
	carry_unknown(out, cJSON_GetArrayItem(cfg->definitions, i));
	carry_unknown(out, cfg->overrides);
	return out;
}

/* Entry j of a comma list through an optional 0-based map; NULL if none. */
static char *pick(const char *list, const char *map, long j)
{
	size_t nl = 0, nm = 0;
	char **l = NULL, **m = NULL, *r = NULL;
	long idx = j;

	if (!list || !*list)
		return NULL;
	l = list_split(list, &nl);
	if (map) {
		m = list_split(map, &nm);
		if (str_to_long(m[(size_t)j % nm], &idx))
			idx = -1;
	} else {
		idx = (long)((size_t)j % nl);
	}
	if (idx >= 0 && (size_t)idx < nl)
		r = xstrdup(l[idx]);
	list_free(l);
	list_free(m);
	return r;
}

struct builder {
	const struct config *cfg;
	struct plan *plan;
	size_t alloc;
	const char *provider, *label, *tag;
	long last_number;	/* highest node number so far (fields.def:
				   StartCount) */
	/* per role: mirror members assigned so far, across definitions (a
	 * definition of one node (PR_ONE_NODE): its DMs fill one mirror) */
	int mirror_members[MIRROR_ROLES_MAX];
};

static void add_node(struct builder *b, struct node *n)
{
	if (b->plan->n == b->alloc) {
		b->alloc = b->alloc ? 2 * b->alloc : 16;
		b->plan->nodes = xrealloc(b->plan->nodes,
					  b->alloc * sizeof(*n));
	}
	b->plan->nodes[b->plan->n++] = *n;
}

/* Two nodes of one name (StartCount ranges that overlap): sorted, so a
 * deployment of thousands of nodes is checked in O(n log n). */
size_t plan_first_duplicate(const struct plan *p, size_t *earlier)
{
	const char **names = xcalloc(p->n ? p->n : 1, sizeof(*names));
	size_t i, dup;

	for (i = 0; i < p->n; i++)
		names[i] = p->nodes[i].name;
	dup = first_duplicate_name(names, p->n, earlier);
	free(names);
	return dup;
}

static int check_unique_names(const struct builder *b)
{
	const struct plan *p = b->plan;
	char l1[LOC_MAX], l2[LOC_MAX];
	size_t first = 0, dup = plan_first_duplicate(p, &first);
	const struct node *o, *n;

	if (dup == SIZE_MAX)
		return 0;
	o = &p->nodes[first];
	n = &p->nodes[dup];
	return error("duplicate machine name '%s': definitions %d (%s) and "
		     "%d (%s)", n->name, o->def_index + 1,
		     cfg_loc(l1, b->cfg, o->def_index, NULL, true),
		     n->def_index + 1,
		     cfg_loc(l2, b->cfg, n->def_index, NULL, true));
}

/* The deployment's nodes stay within ICM's four digits (fields.def). */
static int check_total(const struct builder *b, int i, long more)
{
	char loc[LOC_MAX];

	if ((long)b->plan->n + more <= NODE_NUMBER_MAX)
		return 0;
	return error("%s: definition %d: the definitions ask for more than %d "
		     "nodes in all (ICM's machine numbers have four digits)",
		     cfg_loc(loc, b->cfg, i, NULL, true), i + 1,
		     NODE_NUMBER_MAX);
}

static int mirror_role_index(const char *role)
{
	if (!strcmp(role, "DM"))
		return 0;
	if (!strcmp(role, "DATA"))
		return 1;
	if (!strcmp(role, "DS"))
		return 2;
	return -1;
}

/* Member and set name of the next node of a mirrored role, from the
 * MirrorMap of its definition i. */
static void assign_mirror(struct builder *b, int i, struct node *n)
{
	int r = mirror_role_index(n->role);
	size_t k, idx;
	char **map;

	if (r < 0 || !config_mirrored(b->cfg))
		return;
	map = list_split(config_get(b->cfg, i, "MirrorMap"), &k);
	idx = (size_t)b->mirror_members[r]++;
	n->mirror_member = xstrdup(map[idx % k]);
	n->mirror_set = xasprintf("MIRROR%s%02d", n->role, (int)(idx / k) + 1);
	list_free(map);
	set_field(n->fields, "Member", n->mirror_member);
	set_field(n->fields, "MirrorSetName", n->mirror_set);
}

static void common_fields(struct node *n)
{
	char idx[24];

	snprintf(idx, sizeof(idx), "%d", n->def_index);
	set_field(n->fields, "MachineName", n->name);
	set_field(n->fields, "Role", n->role);
	set_field(n->fields, "DefinitionIndex", idx);
}

static int build_definition(struct builder *b, int i)
{
	const struct config *cfg = b->cfg;
	const char *role = config_get(cfg, i, "Role");
	const struct provider_rules *pr = provider_rules_find(b->provider);
	const char *start_set = config_get_set(cfg, i, "StartCount");
	long count = 0, start = b->last_number + 1, j;
	char start_text[24], loc[LOC_MAX];

	if (str_to_long(config_get(cfg, i, "Count"), &count) ||
	    (start_set && str_to_long(start_set, &start)) || count < 0 ||
	    count > NODE_NUMBER_MAX || start < 1 || start > NODE_NUMBER_MAX + 1)
		return error("%s: definition %d: Count must be 0 to %d and "
			     "StartCount 1 to %d", cfg_loc(loc, cfg, i, NULL,
							   true), i + 1,
			     NODE_NUMBER_MAX, NODE_NUMBER_MAX);
	if (count > 0 && start + count - 1 > NODE_NUMBER_MAX)
		return error("%s: definition %d: nodes %ld to %ld: machine "
			     "numbers end at %d (ICM's names have four digits)",
			     cfg_loc(loc, cfg, i, NULL, true), i + 1, start,
			     start + count - 1, NODE_NUMBER_MAX);
	if (check_total(b, i, count))
		return -1;
	snprintf(start_text, sizeof(start_text), "%ld", start);
	if (count > 0 && start + count - 1 > b->last_number)
		b->last_number = start + count - 1;
	for (j = 0; j < count; j++) {
		struct node n = { 0 };

		n.name = xasprintf("%s-%s-%s-%04ld", b->label, role, b->tag,
				   start + j);
		n.role = xstrdup(role);
		n.def_index = i;
		n.number = (int)(start + j);
		n.zone = pick(config_get(cfg, i, "Zone"),
			      config_get_set(cfg, i, "ZoneMap"), j);
		n.region = pick(config_get(cfg, i, pr->region),
				config_get_set(cfg, i, pr->region_map), j);
		n.fields = def_fields(cfg, i, b->provider);
		common_fields(&n);
		set_field(n.fields, "StartCount", start_text);
		if (n.zone)
			set_field(n.fields, "Zone", n.zone);
		if (n.region)
			set_field(n.fields, pr->region, n.region);
		{
			char *lic = pick(config_get_set(cfg, i, "ISCLicense"),
					 NULL, j);

			if (lic && strchr(config_get(cfg, i, "ISCLicense"),
					  ','))
				set_field(n.fields, "ISCLicense", lic);
			free(lic);
		}
		assign_mirror(b, i, &n);
		add_node(b, &n);
	}
	return 0;
}

static bool is_iris_role(const char *role)
{
	return strcmp(role, "WS") && strcmp(role, "VM") && strcmp(role, "CN");
}

/* §3.5 defaults of a predefined load balancer for role. */
static void lb_defaults(const struct config *cfg, int i, struct node *n)
{
	const char *role = n->lb_target;
	bool iris = is_iris_role(role);
	char *fwd;

	if (!config_get_set(cfg, i, "ForwardPort")) {
		fwd = iris ? xasprintf("%s,%s",
				       config_get(cfg, i, "SuperServerPort"),
				       config_get(cfg, i, "WebServerPort"))
			   : xstrdup(config_get(cfg, i, "WebGatewayPort"));
		set_field(n->fields, "ForwardPort", fwd);
		free(fwd);
	}
	if (!config_get_set(cfg, i, "ForwardProtocol"))
		set_field(n->fields, "ForwardProtocol", "TCP");
	if (!config_get_set(cfg, i, "HealthCheckPort"))
		set_field(n->fields, "HealthCheckPort",
			  iris ? config_get(cfg, i, "WebServerPort") : "80");
	if (!config_get_set(cfg, i, "HealthCheckProtocol"))
		set_field(n->fields, "HealthCheckProtocol",
			  iris ? "HTTP" : "TCP");
	if (!config_get_set(cfg, i, "HealthCheckPath") && iris)
		set_field(n->fields, "HealthCheckPath",
			  config_mirrored(cfg) && (!strcmp(role, "DM") ||
						   !strcmp(role, "DATA"))
			  ? "/csp/user/mirror_status.cxw"
			  : "/csp/user/cache_status.cxw");
}

static int build_lb(struct builder *b, int i)
{
	const struct config *cfg = b->cfg;
	const char *role = config_get(cfg, i, "Role");
	struct node n = { 0 };

	if (!value_true(config_get(cfg, i, "LoadBalancer")))
		return 0;
	if (check_total(b, i, i + 1 > NODE_NUMBER_MAX ? NODE_NUMBER_MAX : 1))
		return -1;	/* an LB is numbered by its definition */
	if (provider_rules_find(b->provider)->flags & PR_NO_LB)
		return error("definition %d: field 'LoadBalancer': not "
			     "available with Provider '%s'", i + 1,
			     b->provider);
	n.name = xasprintf("%s-LB-%s-%04d", b->label, b->tag, i + 1);
	n.role = xstrdup("LB");
	n.def_index = i;
	n.number = i + 1;
	n.lb_target = xstrdup(role);
	n.fields = def_fields(cfg, i, b->provider);
	common_fields(&n);
	set_field(n.fields, "LoadBalancerFor", role);
	if (strcmp(role, "VM") && strcmp(role, "CN"))
		lb_defaults(cfg, i, &n);
	add_node(b, &n);
	return 0;
}

int plan_build(const struct config *cfg, struct plan *out)
{
	struct builder b = { 0 };
	struct plan p;
	int i, ret = -1;

	plan_init(&p);
	b.cfg = cfg;
	b.plan = &p;
	b.provider = config_get(cfg, -1, "Provider");
	b.label = config_get(cfg, -1, "Label");
	b.tag = config_get(cfg, -1, "Tag");
	if (!b.provider || !b.label || !b.tag) {
		error("plan: Provider, Label and Tag are required");
		goto out;
	}
	for (i = 0; i < config_ndefs(cfg); i++)
		if (build_definition(&b, i) || build_lb(&b, i))
			goto out;
	if (check_unique_names(&b))
		goto out;
	*out = p;
	plan_init(&p);
	ret = 0;
out:
	plan_release(&p);
	return ret;
}
