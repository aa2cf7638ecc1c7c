/*
 * provision.c: icm provision.
 *
 * -plan (icm's own; ICM has no dry run) loads and validates the
 * configuration, expands it into nodes and prints what would exist: name
 * (with ICM's mirror marks), role, zone, machine type and volume sizes.
 * It takes no lock and writes nothing (but response.json with -json).
 *
 * Without -plan, provision takes the state-directory lock and hands the
 * nodes to the provider.  Providers arrive with their own issues; until a
 * provider is in this build, provision says so and changes nothing.
 */
#include "cmd.h"
#include "../state/log.h"
#include "../state/output.h"
#include "../util/str.h"

/* The provider's field that names the size of a machine. */
static char *machine_type(const struct node *n, const char *provider)
{
	const char *v;

	if (!strcmp(n->role, "LB"))
		return xasprintf("(virtual %s)", n->lb_target ?
				 n->lb_target : "?");
	if (!strcmp(provider, "GCP"))
		v = node_get(n, "MachineType");
	else if (!strcmp(provider, "Azure"))
		v = node_get(n, "Size");
	else if (!strcmp(provider, "vSphere")) {
		const char *cpu = node_get(n, "VCPU");
		const char *mem = node_get(n, "Memory");

		return xasprintf("%s vCPU, %s MB", cpu ? cpu : "?",
				 mem ? mem : "?");
	} else if (!strcmp(provider, "PreExisting")) {
		v = node_get(n, "IPAddress");
		if (!v)
			v = node_get(n, "DNSName");
		return xasprintf("(existing %s)", v ? v : "host");
	} else {
		v = node_get(n, "InstanceType");
		if (!v)
			v = node_get(n, "InstanceFamily");
	}
	return xstrdup(v ? v : "-");
}

static bool has_iris_volumes(const char *role)
{
	static const char *const roles[] = {
		"DATA", "COMPUTE", "DM", "DS", "QS", "AM",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(roles); i++)
		if (!strcmp(roles[i], role))
			return true;
	return false;
}

static char *volumes(const struct node *n, const char *provider)
{
	static const char *const f[] = {
		"DataVolumeSize", "WIJVolumeSize", "Journal1VolumeSize",
		"Journal2VolumeSize",
	};
	const char *os = node_get(n, "OSVolumeSize");
	const char *v[ARRAY_SIZE(f)];
	size_t i;

	if (!strcmp(n->role, "LB"))
		return xstrdup("-");
	if (!strcmp(provider, "PreExisting"))
		return xstrdup("existing");
	if (!has_iris_volumes(n->role))
		return xasprintf("OS %s", os ? os : "?");
	for (i = 0; i < ARRAY_SIZE(f); i++) {
		v[i] = node_get(n, f[i]);
		if (!v[i])
			v[i] = "?";
	}
	return xasprintf("OS %s, data %s, WIJ %s, journals %s+%s",
			 os ? os : "?", v[0], v[1], v[2], v[3]);
}

static cJSON *plan_json(const struct ctx *ctx, const struct plan *p)
{
	cJSON *r = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	size_t i;

	cJSON_AddItemToObject(r, "defaults",
			      cJSON_Duplicate(ctx->cfg.defaults, 1));
	cJSON_AddItemToObject(r, "definitions",
			      cJSON_Duplicate(ctx->cfg.definitions, 1));
	for (i = 0; i < p->n; i++)
		cJSON_AddItemToArray(arr,
				     cJSON_Duplicate(p->nodes[i].fields, 1));
	cJSON_AddItemToObject(r, "instances", arr);
	cJSON_AddStringToObject(r, "stateDir", ctx->state_dir);
	return r;
}

static int print_plan(struct ctx *ctx, const struct plan *p)
{
	static const char *const headers[] = {
		"Machine", "Role", "Zone", "Machine Type", "Volumes (GB)",
	};
	const char *provider = config_get(&ctx->cfg, -1, "Provider");
	struct table t;
	size_t i;

	table_init(&t, headers, ARRAY_SIZE(headers));
	for (i = 0; i < p->n; i++) {
		const struct node *n = &p->nodes[i];
		const char *mark = "";
		char *name, *type, *vol;
		const char *row[5];

		if (n->mirror_member && !strcmp(n->mirror_member, "primary"))
			mark = "+";
		else if (n->mirror_member &&
			 !strcmp(n->mirror_member, "backup"))
			mark = "-";
		name = xasprintf("%s%s", n->name, mark);
		type = machine_type(n, provider);
		vol = volumes(n, provider);
		row[0] = name;
		row[1] = n->role;
		row[2] = n->zone ? n->zone : "-";
		row[3] = type;
		row[4] = vol;
		table_add(&t, row);
		free(name);
		free(type);
		free(vol);
	}
	table_print(&t);
	table_release(&t);
	say("%zu node%s on %s; -plan changed nothing.", p->n,
	    p->n == 1 ? "" : "s", provider);
	return 0;
}

int cmd_provision(struct ctx *ctx)
{
	const char *provider = config_get(&ctx->cfg, -1, "Provider");
	struct plan p;
	int ret = -1;

	plan_init(&p);
	if (plan_build(&ctx->cfg, &p))
		goto out;
	if (opt_on(&ctx->opts, OPT_PLAN)) {
		ret = print_plan(ctx, &p);
		ctx->response = plan_json(ctx, &p);
		goto out;
	}
	if (ctx_begin_changes(ctx))
		goto out;
	error("provisioning on Provider '%s' is not available in this build "
	      "of icm yet; \"icm provision -plan\" shows the %zu node%s it "
	      "would create", provider, p.n, p.n == 1 ? "" : "s");
out:
	plan_release(&p);
	return ret;
}
