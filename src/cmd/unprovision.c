/*
 * unprovision.c: icm unprovision [-cleanUp] [-force].
 *
 * Asks ICM's `Type "yes" to confirm:` unless -force, takes the lock, has
 * the provider destroy what it made (hosts that existed before icm are
 * left as they are), then removes instances.json and, with -cleanUp, the
 * state directory.  It says what it did.  A provider not in this build is
 * named and nothing changes.
 *
 * Without instances.json (a provision that failed or was killed before
 * writing it) the nodes come from defaults.json and definitions.json, so
 * what a half-done provision made can be removed too.
 */
#include "cmd.h"
#include "../config/instances.h"
#include "../node/fanout.h"
#include "../provider/provider.h"
#include "../state/log.h"
#include "../util/fs.h"
#include "../util/str.h"
#include "../util/term.h"

/* The deployment's nodes: instances.json, else the configuration. */
static int load_nodes(struct ctx *ctx)
{
	if (access(ctx->instances_path, F_OK) == 0 ||
	    access(ctx->defaults_path, F_OK))
		return instances_load(ctx->instances_path, &ctx->inst);
	say("%s is missing: using %s and %s", ctx->instances_path,
	    ctx->defaults_path, ctx->definitions_path);
	if (config_load(&ctx->cfg, ctx->defaults_path,
			ctx->definitions_path) ||
	    config_validate(&ctx->cfg))
		return -1;
	return plan_build(&ctx->cfg, &ctx->inst);
}

int cmd_unprovision(struct ctx *ctx)
{
	const char *name;
	const struct provider *pv;
	struct provider_ctx pc = {
		.state_dir = ctx->state_dir,
		.parallel = fanout_parallel_opt(opt_str(&ctx->opts,
							OPT_PARALLEL)),
		.force = opt_on(&ctx->opts, OPT_FORCE),
		.confirm = ctx_confirm,
	};

	if (load_nodes(ctx))
		return -1;
	name = ctx->inst.n ? node_get(&ctx->inst.nodes[0], "Provider") : NULL;
	pv = provider_find(name);

	if (!pv || !pv->destroy)
		return error("unprovisioning on Provider '%s' is not available "
			     "in this build of icm yet", name ? name : "?");
	if (!pc.force && !term_confirm())
		return error("unprovision not confirmed; nothing changed");
	if (ctx_begin_changes(ctx) || pv->destroy(&pc, &ctx->inst))
		return -1;
	if (unlink(ctx->instances_path) && errno != ENOENT)
		return error("cannot remove '%s': %s", ctx->instances_path,
			     strerror(errno));
	say("Removed %s", ctx->instances_path);
	if (opt_on(&ctx->opts, OPT_CLEANUP)) {
		if (fs_remove_tree(ctx->state_dir))
			return error("cannot remove the state directory '%s': "
				     "%s", ctx->state_dir, strerror(errno));
		/* a remote state's objects go when the command ends
		 * (remote_close() pushes the removal) */
		say("Removed the state directory %s", ctx_state_name(ctx));
	}
	return 0;
}
