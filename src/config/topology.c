/*
 * topology.c: the rules of reference §4.2 (provision refuses otherwise),
 * with ICM's wording where the reference gives it.  Unknown roles and a
 * directly defined LB are field rules (load.c) and always apply; these
 * rules are skipped with SkipTopologyValidation.
 */
#include "../icm.h"
#include "cfgint.h"
#include "../state/log.h"
#include "../util/str.h"

struct role_name {
	const char *role, *name;
};
static const struct role_name role_names[] = {
	{ "DATA", "Data Node" },
	{ "COMPUTE", "Compute Node" },
	{ "DM", "Data Server" },
	{ "DS", "Shard Data Server" },
	{ "QS", "Shard Query Server" },
	{ "AM", "Application Server" },
	{ "AR", "Arbiter" },
	{ "WS", "Web Server" },
	{ "VM", "Virtual Machine" },
	{ "CN", "Container Node" },
	{ "BH", "Bastion Host" },
};

static const char *long_name(const char *role)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(role_names); i++)
		if (!strcmp(role_names[i].role, role))
			return role_names[i].name;
	return role;
}

static long def_count(const struct config *cfg, int i)
{
	long n = 0;

	if (str_to_long(config_get(cfg, i, "Count"), &n))
		n = 0;
	return n;
}

static const char *def_role(const struct config *cfg, int i)
{
	return config_get(cfg, i, "Role");
}

/* Nodes of a role over all definitions. */
static long total(const struct config *cfg, const char *role)
{
	long n = 0;
	int i;

	for (i = 0; i < config_ndefs(cfg); i++)
		if (!strcmp(def_role(cfg, i), role))
			n += def_count(cfg, i);
	return n;
}

static size_t mirror_size(const struct config *cfg, int i)
{
	size_t n;
	char **m = list_split(config_get(cfg, i, "MirrorMap"), &n);

	list_free(m);
	return n;
}

static int need(const char *role, const char *needed, const char *what)
{
	return error("%s (role '%s') requires %s %s (role '%s')",
		     long_name(role), role, what, long_name(needed), needed);
}

/* Rules that hold whether mirrored or not. */
static int check_common(const struct config *cfg)
{
	static const char *const shard_master[] = { "DM", "DS", "QS" };
	static const char *const node_level[] = { "DATA", "COMPUTE" };
	size_t a, b;
	long bh = total(cfg, "BH");

	for (a = 0; a < ARRAY_SIZE(shard_master); a++)
		for (b = 0; b < ARRAY_SIZE(node_level); b++)
			if (total(cfg, shard_master[a]) &&
			    total(cfg, node_level[b]))
				return error("%s (role '%s') cannot be combined "
					     "with %s (role '%s')",
					     long_name(shard_master[a]),
					     shard_master[a],
					     long_name(node_level[b]),
					     node_level[b]);
	if (total(cfg, "COMPUTE") && !total(cfg, "DATA"))
		return need("COMPUTE", "DATA", "at least one");
	if (total(cfg, "QS") && !total(cfg, "DS"))
		return need("QS", "DS", "at least one");
	if (total(cfg, "DS") && !total(cfg, "DM"))
		return need("DS", "DM", "a");
	if (total(cfg, "AM") && !total(cfg, "DM"))
		return need("AM", "DM", "a");
	if (bh > 1)
		return error("at most one Bastion Host (role 'BH') may be "
			     "defined, found %ld", bh);
	return 0;
}

static int check_plain(const struct config *cfg)
{
	long dm = total(cfg, "DM"), ar = total(cfg, "AR");

	if (dm > 1)
		return error("a non-mirrored deployment may have only one Data "
			     "Server (role 'DM'), found %ld (set Mirror to "
			     "mirror them)", dm);
	if (ar)
		return error("Arbiter (role 'AR') requires Mirror: a "
			     "non-mirrored deployment has no arbiter");
	return 0;
}

/* A mirrored DATA/DS definition fills whole mirrors of its MirrorMap. */
static int check_groups(const struct config *cfg, int i)
{
	const char *role = def_role(cfg, i);
	size_t k = mirror_size(cfg, i);
	long n = def_count(cfg, i);
	char loc[LOC_MAX];

	if (n % (long)k == 0 || (n >= 2 && n < (long)k))
		return 0;
	cfg_loc(loc, cfg, i, NULL, true);
	if (k == 2)
		return error("%s: mirrored %s (role '%s') needs an even number "
			     "of nodes (MirrorMap '%s'), found %ld", loc,
			     long_name(role), role,
			     config_get(cfg, i, "MirrorMap"), n);
	if (k == 3)
		return error("%s: mirrored %s (role '%s') needs a multiple of "
			     "%zu nodes or a single mirror of 2 (MirrorMap "
			     "'%s'), found %ld", loc, long_name(role), role, k,
			     config_get(cfg, i, "MirrorMap"), n);
	return error("%s: mirrored %s (role '%s') needs a multiple of %zu "
		     "nodes or a single mirror of 2 to %zu (MirrorMap '%s'), "
		     "found %ld", loc, long_name(role), role, k, k - 1,
		     config_get(cfg, i, "MirrorMap"), n);
}

static int check_mirrored(const struct config *cfg)
{
	long dm = total(cfg, "DM"), ar = total(cfg, "AR");
	char loc[LOC_MAX];
	int i, dm_def = -1;

	for (i = 0; i < config_ndefs(cfg); i++) {
		const char *role = def_role(cfg, i);
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetArrayItem(cfg->definitions, i), "Mirror");

		if (!strcmp(role, "COMPUTE") && cJSON_IsString(m) &&
		    value_true(m->valuestring))
			return error("%s: Compute Node (role 'COMPUTE') cannot "
				     "be mirrored",
				     cfg_loc(loc, cfg, i, m, true));
		if ((!strcmp(role, "DATA") || !strcmp(role, "DS")) &&
		    check_groups(cfg, i))
			return -1;
		if (!strcmp(role, "DM") && dm_def < 0)
			dm_def = i;
	}
	if (dm_def >= 0) {
		size_t k = mirror_size(cfg, dm_def);
		const char *map = config_get(cfg, dm_def, "MirrorMap");

		if (k == 2 && dm != 2)
			return error("mirrored Data Server (role 'DM') needs "
				     "exactly 2 nodes (MirrorMap '%s'), found "
				     "%ld", map, dm);
		if (dm < 2 || dm > (long)k)
			return error("mirrored Data Server (role 'DM') needs "
				     "2 to %zu nodes (MirrorMap '%s'), found "
				     "%ld", k, map, dm);
	}
	if (ar > 1)
		return error("a mirrored deployment may have at most one "
			     "Arbiter (role 'AR'), found %ld", ar);
	return 0;
}

int topology_validate(const struct config *cfg)
{
	bool mirrored = config_mirrored(cfg);
	long data = total(cfg, "DATA"), compute = total(cfg, "COMPUTE");
	long shards = data;

	if (check_common(cfg))
		return -1;
	if (mirrored ? check_mirrored(cfg) : check_plain(cfg))
		return -1;
	if (mirrored && data) {
		int i;

		shards = 0;
		for (i = 0; i < config_ndefs(cfg); i++)
			if (!strcmp(def_role(cfg, i), "DATA"))
				shards += (def_count(cfg, i) +
					   (long)mirror_size(cfg, i) - 1) /
					  (long)mirror_size(cfg, i);
	}
	if (compute && compute < shards)
		warning("fewer Compute Nodes (role 'COMPUTE', %ld) than data "
			"shards (role 'DATA', %ld)", compute, shards);
	return 0;
}
