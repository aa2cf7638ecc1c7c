/*
 * validate.c: whole-deployment field rules: required fields (general and
 * per provider, fields.def REQUIRE rows), zone/region maps, load balancers
 * (the provider's PROVIDER row),
 * then the topology rules (topology.c).  See config.h.
 */
#include "../icm.h"
#include "cfgint.h"
#include "../state/log.h"
#include "../util/str.h"

struct req_set {
	const char *provider, *fields;
};
static const struct req_set provider_required[] = {
#define REQUIRE(provider, fields) { provider, fields },
#include "fields.def"
};

/* Roles that run no container, so need no DockerImage. */
static bool role_has_container(const char *role)
{
	return strcmp(role, "VM") && strcmp(role, "BH");
}

/* One alternative of a required set is set for definition i. */
static bool any_set(const struct config *cfg, int i, char **alts, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (config_get_set(cfg, i, alts[k]))
			return true;
	return false;
}

/* "'A' or 'B'", or "'SSHPublicKey' (or 'SSHKey')". */
static char *names_text(char **alts, size_t n)
{
	char *s = NULL, *t;
	size_t k;

	for (k = 0; k < n; k++) {
		const char *legacy = field_legacy_name(alts[k]);
		char *one = legacy ? xasprintf("'%s' (or '%s')", alts[k],
					       legacy)
				   : xasprintf("'%s'", alts[k]);

		t = s ? xasprintf("%s or %s", s, one) : xstrdup(one);
		free(one);
		free(s);
		s = t;
	}
	return s;
}

/*
 * Every definition (with a role in need) must end up with one of the
 * alternatives "A|B".  suffix is added to the message (provider).
 */
static int require(const struct config *cfg, const char *alt_text,
		   bool containers_only, const char *suffix)
{
	char loc[LOC_MAX];
	size_t n;
	char **alts;
	char *names = NULL;
	int i, nd = config_ndefs(cfg), missing = -1, seen = 0, ret = 0;

	alts = list_split_sep(alt_text, '|', &n);
	for (i = 0; i < nd; i++) {
		const char *role = config_get(cfg, i, "Role");

		if (containers_only && role && !role_has_container(role))
			continue;
		if (any_set(cfg, i, alts, n))
			seen++;
		else if (missing < 0)
			missing = i;
	}
	if (missing < 0)
		goto out;
	names = names_text(alts, n);
	if (!seen)
		ret = error("%s: required field %s is missing%s",
			    cfg->defaults_path, names, suffix);
	else
		ret = error("%s: required field %s is missing from definition "
			    "%d and from %s%s",
			    cfg_loc(loc, cfg, missing, NULL, true), names,
			    missing + 1, cfg->defaults_path, suffix);
out:
	free(names);
	list_free(alts);
	return ret;
}

static int check_required(const struct config *cfg)
{
	const char *provider, *cl;
	char loc[LOC_MAX], *suffix;
	size_t k;
	int i, ret = 0;

	for (k = 0; k < field_defs_count; k++) {
		const struct field_def *f = &field_defs[k];

		if (!(f->flags & FF_REQUIRED) ||
		    (f->where != FW_DEFAULTS && !(f->flags & FF_DEPLOYMENT)))
			continue;
		if (!config_get_set(cfg, -1, f->name))
			return error("%s: required field '%s' is missing",
				     cfg->defaults_path, f->name);
	}
	for (i = 0; i < config_ndefs(cfg); i++)
		if (!config_get_set(cfg, i, "Role"))
			return error("%s: required field 'Role' is missing "
				     "from definition %d",
				     cfg_loc(loc, cfg, i, NULL, true), i + 1);
	/* Containerless: kits, no images (icm-reference §7.6) */
	cl = config_get_set(cfg, -1, "Containerless");
	if (!(cl && !strcasecmp(cl, "true")) &&
	    require(cfg, "DockerImage", true, ""))
		return -1;
	provider = config_get_set(cfg, -1, "Provider");
	suffix = xasprintf(" (Provider '%s')", provider);
	for (k = 0; k < ARRAY_SIZE(provider_required) && !ret; k++) {
		size_t n, j;
		char **words;

		if (strcmp(provider_required[k].provider, provider))
			continue;
		words = list_split_sep(provider_required[k].fields, ' ', &n);
		for (j = 0; j < n && !ret; j++)
			if (*words[j])
				ret = require(cfg, words[j], false, suffix);
		list_free(words);
	}
	free(suffix);
	return ret;
}

static bool any_definition_has(const struct config *cfg, const char *field)
{
	int i;

	for (i = 0; i < config_ndefs(cfg); i++)
		if (config_get_set(cfg, i, field))
			return true;
	return false;
}

/* The item of a field in definition i (for locations). */
static const cJSON *def_item(const struct config *cfg, int i,
			     const char *field)
{
	return cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cfg->definitions, i), field);
}

/* Every index of map_field must point into list_field's entries. */
static int check_map(const struct config *cfg, int i, const char *map_field,
		     const char *list_field)
{
	const char *map = config_get_set(cfg, i, map_field);
	const char *list = config_get(cfg, i, list_field);
	char loc[LOC_MAX];
	size_t nm = 0, nl = 0, k;
	char **m = NULL, **l = NULL;
	long idx;
	int ret = 0;

	if (!map)
		return 0;
	m = list_split(map, &nm);
	if (list)
		l = list_split(list, &nl);
	for (k = 0; k < nm && !ret; k++)
		if (!str_to_long(m[k], &idx) && (size_t)idx >= nl)
			ret = error("%s: field '%s': index %ld is out of range "
				    "for %s '%s' (%zu %s, indexes from 0)",
				    cfg_loc(loc, cfg, i,
					    def_item(cfg, i, map_field), true),
				    map_field, idx, list_field,
				    list ? list : "", nl,
				    nl == 1 ? "entry" : "entries");
	list_free(m);
	list_free(l);
	return ret;
}

static int check_maps(const struct config *cfg, int i,
		      const struct provider_rules *pr)
{
	static const char *const maps[] = { "RegionMap", "LocationMap" };
	const char *m = NULL;
	char loc[LOC_MAX];
	size_t k;

	if (!config_get_set(cfg, i, "ZoneMap")) {
		/* the provider's own map first, then any other */
		if (config_get_set(cfg, i, pr->region_map))
			m = pr->region_map;
		for (k = 0; !m && k < ARRAY_SIZE(maps); k++)
			if (config_get_set(cfg, i, maps[k]))
				m = maps[k];
		if (m)
			return error("%s: field '%s' requires 'ZoneMap'",
				     cfg_loc(loc, cfg, i, def_item(cfg, i, m),
					     false), m);
	}
	if (check_map(cfg, i, "ZoneMap", "Zone"))
		return -1;
	return check_map(cfg, i, pr->region_map, pr->region);
}

static const char *const lb_roles[] = {
	"DATA", "COMPUTE", "DM", "AM", "WS", "VM", "CN",
};
static const char *const generic_lb_needs[] = {
	"ForwardPort", "ForwardProtocol", "HealthCheckPort",
	"HealthCheckProtocol",
};

static int check_lb(const struct config *cfg, int i,
		    const struct provider_rules *pr)
{
	const cJSON *it = def_item(cfg, i, "LoadBalancer");
	const char *role = config_get(cfg, i, "Role");
	const char *regions = config_get(cfg, i, pr->region);
	char loc[LOC_MAX];
	bool allowed = false;
	size_t k;

	if (!value_true(config_get(cfg, i, "LoadBalancer")))
		return 0;
	cfg_loc(loc, cfg, i, it, true);
	for (k = 0; k < ARRAY_SIZE(lb_roles); k++)
		allowed = allowed || !strcmp(lb_roles[k], role);
	if (!allowed)
		return error("%s: field 'LoadBalancer': not available for role "
			     "'%s' (only DATA, COMPUTE, DM, AM, WS, VM, CN)",
			     loc, role);
	if (pr->flags & PR_NO_LB)
		return error("%s: field 'LoadBalancer': not available with "
			     "Provider '%s'", loc, pr->name);
	if (regions && strchr(regions, ',') && (pr->flags & PR_LB_ONE_REGION))
		return error("%s: field 'LoadBalancer': not available in a "
			     "multi-region deployment", loc);
	for (k = 0; k < (size_t)config_ndefs(cfg); k++) {
		const char *r = config_get(cfg, (int)k, "Role");

		if (r && !strcmp(r, "BH"))
			return error("%s: field 'LoadBalancer': not available "
				     "with a bastion host (role 'BH')", loc);
	}
	if (strcmp(role, "VM") && strcmp(role, "CN"))
		return 0;
	for (k = 0; k < ARRAY_SIZE(generic_lb_needs); k++)
		if (!config_get_set(cfg, i, generic_lb_needs[k]))
			return error("%s: field 'LoadBalancer': a load balancer "
				     "for role '%s' requires '%s'", loc, role,
				     generic_lb_needs[k]);
	if (strcmp(config_get(cfg, i, "HealthCheckProtocol"), "TCP") &&
	    !config_get_set(cfg, i, "HealthCheckPath"))
		return error("%s: field 'LoadBalancer': a load balancer for "
			     "role '%s' requires 'HealthCheckPath'", loc, role);
	return 0;
}

/* The item that gives definition i its field: its own, else defaults'
 * (for locations; NULL when neither file has it). */
static const cJSON *given_item(const struct config *cfg, int i,
			       const char *field)
{
	const cJSON *it = def_item(cfg, i, field);

	return it ? it : cJSON_GetObjectItemCaseSensitive(cfg->defaults,
							  field);
}

/*
 * ISCLicense, the 2018 guide's license keys: one path for every node of
 * the definition, or a comma list of exactly Count paths (one per node,
 * in order), no entry empty.  A node gets its key one way only: not
 * together with LicenseDir/LicenseKey.  Where no InterSystems IRIS runs
 * (AR, WS, ...) the field is ignored, as LicenseKey is (icm-reference
 * §3.3), with a warning when the definition itself sets it.  Whether the
 * files exist is checked when they are needed (plan_check_licenses()),
 * so the guide's configurations plan on any machine.
 */
static int check_isclicense(const struct config *cfg, int i)
{
	static const char *const others[] = { "LicenseDir", "LicenseKey" };
	const char *v = config_get_set(cfg, i, "ISCLicense");
	const char *role = config_get(cfg, i, "Role");
	char loc[LOC_MAX], oloc[LOC_MAX];
	char **files = NULL;
	size_t n = 0, k;
	long count = 0;
	int ret = 0;

	if (!v)
		return 0;
	cfg_loc(loc, cfg, i, given_item(cfg, i, "ISCLicense"), true);
	if (!role_is_iris(role)) {
		if (def_item(cfg, i, "ISCLicense"))
			warning("%s: field 'ISCLicense' is ignored for role "
				"'%s' (no InterSystems IRIS runs there)", loc,
				role);
		return 0;
	}
	for (k = 0; k < ARRAY_SIZE(others); k++)
		if (config_get_set(cfg, i, others[k]))
			return error("%s: field 'ISCLicense': definition %d "
				     "also has '%s' (%s); give its nodes "
				     "their key one way: ISCLicense, or "
				     "LicenseDir and LicenseKey", loc, i + 1,
				     others[k],
				     cfg_loc(oloc, cfg, i, given_item(
					     cfg, i, others[k]), false));
	files = list_split(v, &n);
	for (k = 0; k < n && !ret; k++)
		if (!*files[k])
			ret = error("%s: field 'ISCLicense': entry %zu of '%s' "
				    "is empty", loc, k + 1, v);
	if (!ret && n > 1 &&
	    (str_to_long(config_get(cfg, i, "Count"), &count) ||
	     count != (long)n))
		ret = error("%s: field 'ISCLicense': %zu license files for "
			    "Count %s (one file per node, in order, or one "
			    "for every node)", loc, n,
			    config_get(cfg, i, "Count"));
	list_free(files);
	return ret;
}

static int check_definition(const struct config *cfg, int i,
			    const struct provider_rules *pr)
{
	const char *count = config_get(cfg, i, "Count");
	char loc[LOC_MAX];

	if ((pr->flags & PR_ONE_NODE) && strcmp(count, "1"))
		return error("%s: field 'Count': a %s definition describes "
			     "one node, got '%s'",
			     cfg_loc(loc, cfg, i, def_item(cfg, i, "Count"),
				     true), pr->name, count);
	if (check_maps(cfg, i, pr) || check_isclicense(cfg, i))
		return -1;
	return check_lb(cfg, i, pr);
}

int config_validate(const struct config *cfg)
{
	const struct provider_rules *pr;
	int i;

	if (check_required(cfg))
		return -1;
	if (any_definition_has(cfg, "LicenseKey") &&
	    !any_definition_has(cfg, "LicenseDir"))
		return error("%s: required field 'LicenseDir' is missing "
			     "(definitions name a LicenseKey)",
			     cfg->defaults_path);
	pr = provider_rules_find(config_get(cfg, -1, "Provider"));
	for (i = 0; i < config_ndefs(cfg); i++)
		if (check_definition(cfg, i, pr))
			return -1;
	if (value_true(config_get(cfg, -1, "SkipTopologyValidation")))
		return 0;
	return topology_validate(cfg);
}
