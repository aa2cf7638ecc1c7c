/*
 * provision.c: icm provision.
 *
 * -plan (icm's own; ICM has no dry run) loads and validates the
 * configuration, expands it into nodes, runs provision's preflight (the
 * same checks: -plan and provision refuse the same configurations) and
 * prints what would exist: name (with ICM's mirror marks), role, zone,
 * machine type and volume sizes.  It takes no lock and writes nothing
 * (but response.json with -json).  A refusal writes nothing either.
 *
 * Without -plan, provision first reads the files the configuration names
 * on this machine (license keys, SSH keys), then takes the state-directory
 * lock, makes sure the deployment CA exists (state/pki), and hands the
 * nodes to the provider (provider/provider.h), whose create() is
 * re-runnable; instances.json is written (atomically) once every node
 * exists, then node preparation runs and it is written again, then the
 * inventory table and ICM's closing line.  A provider not in this build
 * is named and nothing changes.
 */
#include "cmd.h"
#include "../state/remote.h"
#include "../config/instances.h"
#include "../node/address.h"
#include "../node/fanout.h"
#include "../node/keyfiles.h"
#include "../provider/provider.h"
#include "../provider/resize.h"
#include "../state/log.h"
#include "../state/output.h"
#include "../state/pki.h"
#include "../util/fs.h"
#include "../util/str.h"

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
	cJSON_AddStringToObject(r, "stateDir", ctx_state_name(ctx));
	config_mask_secrets(r);
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
		char *name = node_shown_name(n), *type, *vol;
		const char *row[5];

		type = provider_plan_machine(provider, n);
		vol = provider_plan_volumes(provider, n);
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

/* ICM's StateDir (the node's definition's directory) and MasterStateDir
 * (the state directory; later commands use it, ctx.c), both absolute;
 * -1 reported when a name cannot be a state path component. */
static int record_state_dir(struct node *n, const char *abs_dir,
			    const char *master)
{
	char *def_dir = statedir_def_dir(abs_dir, n);
	char *node_dir = statedir_node_dir(abs_dir, n);
	int ret = -1;

	if (!def_dir || !node_dir)
		goto out;
	cJSON_DeleteItemFromObjectCaseSensitive(n->fields, "StateDir");
	cJSON_AddStringToObject(n->fields, "StateDir", def_dir);
	cJSON_DeleteItemFromObjectCaseSensitive(n->fields, "MasterStateDir");
	cJSON_AddStringToObject(n->fields, "MasterStateDir",
				master ? master : abs_dir);
	ret = 0;
out:
	free(node_dir);
	free(def_dir);
	return ret;
}

/*
 * What provision checks of a configuration before it changes anything,
 * and -plan checks the same way, so the two accept and refuse the same
 * configurations (issue 14): the plan (config_validate() ran before the
 * command, plan_build() before this), every node's state directory names,
 * the provider's validate() and the deployment CA provision would use (the
 * state's, else TLSKeyDir's: loads and matches; pki.h).  Nothing is written: no state directory,
 * no lock, no icm.log (that is opened once changes begin).  What the
 * configuration names on this machine (license key files, plan.h; SSH key
 * files, keyfiles.h) is read by provision alone, still before any change:
 * the guide's configurations plan on any machine.
 */
static int preflight(struct ctx *ctx, const struct provider *pv,
		     const struct provider_ctx *pc, struct plan *p)
{
	char *abs_dir = fs_absolute(ctx->state_dir);
	size_t i;
	int ret = -1;

	if (!abs_dir)
		return error("cannot read the working directory: %s",
			     strerror(errno));
	for (i = 0; i < p->n; i++)
		if (record_state_dir(&p->nodes[i], abs_dir, ctx->remote ?
				     ctx_state_name(ctx) : NULL))
			goto out;
	if (pv && pv->validate && pv->validate(pc, p))
		goto out;
	if (pki_check_ca(ctx->state_dir, config_get(&ctx->cfg, -1,
						    "TLSKeyDir")) < 0)
		goto out;
	ret = 0;
out:
	free(abs_dir);
	return ret;
}

/* The failure line of a provision, and how to run it again. */
static int provision_failed(const struct ctx *ctx)
{
	error("Errors occurred during execution; aborting operation");
	if (strcmp(ctx->state_dir, "state"))
		say("To reprovision, specify -stateDir %s",
		    ctx_state_name(ctx));
	return -1;
}

/*
 * create, then instances.json with every node (not yet prepared: a node
 * whose preparation fails is still listed, and reachable with icm ssh),
 * node preparation (the nodes not prepared yet), instances.json again
 * with the facts preparation recorded.  ICM_TEST_NO_NODE_PREP=1 skips
 * preparation (an emulator's instances cannot be reached over SSH).
 */
static int provision(struct ctx *ctx, const struct provider *pv,
		     const struct provider_ctx *pc, struct plan *p)
{
	struct node **all;
	char *abs_dir = NULL;
	size_t i;
	int r, ret = -1;

	if (ctx_begin_changes(ctx))
		return -1;
	r = pki_ensure_ca(ctx->state_dir, config_get(&ctx->cfg, -1,
						     "TLSKeyDir"),
			  KEY_EC, 256, PKI_CA_DAYS);
	if (r < 0)
		return -1;
	if (r == PKI_CA_MADE)
		say("Made the deployment CA %s/" PKI_DIR "/ca.pem",
		    ctx->state_dir);
	/* in the store before any cloud call: a resume elsewhere uses it */
	if (ctx->remote && remote_push(ctx->remote))
		return -1;
	abs_dir = fs_absolute(ctx->state_dir);
	if (!abs_dir)
		return error("cannot read the working directory: %s",
			     strerror(errno));
	if (pv->create(pc, p)) {
		provision_failed(ctx);
		goto out;
	}
	if (instances_write(ctx->instances_path, p))
		goto out;
	if (!getenv("ICM_TEST_NO_NODE_PREP")) {
		r = provider_prepare_nodes(pc, p);
		if (instances_write(ctx->instances_path, p))
			goto out;
		if (r) {
			provision_failed(ctx);
			goto out;
		}
	}
	all = xcalloc(p->n ? p->n : 1, sizeof(*all));
	for (i = 0; i < p->n; i++)
		all[i] = &p->nodes[i];
	ctx_say_no_weave(ctx, all, p->n);
	r = inventory_show(ctx->state_dir, all, p->n, NULL, NULL);
	free(all);
	if (r)
		goto out;
	say("To destroy: icm unprovision -stateDir %s [-cleanUp] [-force]",
	    ctx->remote ? ctx_state_name(ctx) : abs_dir);
	ctx->response = plan_json(ctx, p);
	ret = 0;
out:
	free(abs_dir);
	return ret;
}

int cmd_provision(struct ctx *ctx)
{
	const char *provider = config_get(&ctx->cfg, -1, "Provider");
	const struct provider *pv = provider_find(provider);
	struct volume_growths growths = { NULL, 0 };
	struct provider_ctx pc = {
		.cfg = &ctx->cfg,
		.state_dir = ctx->state_dir,
		.parallel = fanout_parallel_opt(opt_str(&ctx->opts,
							OPT_PARALLEL)),
		.force = opt_on(&ctx->opts, OPT_FORCE),
		.instances_path = ctx->instances_path,
		.growths = &growths,
		.confirm = ctx_confirm,
	};
	struct plan p;
	int ret = -1;

	plan_init(&p);
	if (plan_build(&ctx->cfg, &p) || preflight(ctx, pv, &pc, &p))
		goto out;
	if (opt_on(&ctx->opts, OPT_PLAN)) {
		ret = print_plan(ctx, &p);
		ctx->response = plan_json(ctx, &p);
		goto out;
	}
	if (plan_check_licenses(&p) || keyfiles_check(&p))
		goto out;
	if (pv) {
		ret = provision(ctx, pv, &pc, &p);
		goto out;
	}
	error("provisioning on Provider '%s' is not available in this build "
	      "of icm yet; \"icm provision -plan\" shows the %zu node%s it "
	      "would create", provider, p.n, p.n == 1 ? "" : "s");
out:
	volume_growths_release(&growths);
	plan_release(&p);
	return ret;
}
