/* ctx.c: steps a command handler asks of the runner (see cmd.h). */
#include "cmd.h"
#include "../docker/dnode.h"
#include "../config/instances.h"
#include "../state/log.h"
#include "../state/remote.h"
#include "../state/stateurl.h"
#include "../util/buf.h"
#include "../util/fs.h"
#include "../util/str.h"
#include "../util/term.h"

#define STATE_DIR_DEFAULT "state"
#define STATE_DIR_FIELD "MasterStateDir"

/* given, or the standard name; a directory given means the name in it */
static const char *locate(struct ctx *ctx, enum located_slot slot, const char *given,
			  const char *name)
{
	size_t n;

	if (!given)
		return name;
	if (!fs_is_dir(given))
		return given;
	n = strlen(given);
	while (n > 1 && given[n - 1] == '/')
		n--;
	ctx->located[slot] = xasprintf("%.*s/%s", (int)n, given, name);
	return ctx->located[slot];
}

void ctx_locate_files(struct ctx *ctx)
{
	const char *sd = opt_str(&ctx->opts, OPT_STATEDIR);

	ctx->defaults_path = locate(ctx, LOCATED_DEFAULTS,
				    opt_str(&ctx->opts, OPT_DEFAULTS),
				    "defaults.json");
	ctx->definitions_path = locate(ctx, LOCATED_DEFINITIONS,
				       opt_str(&ctx->opts, OPT_DEFINITIONS),
				       "definitions.json");
	ctx->instances_path = locate(ctx, LOCATED_INSTANCES,
				     opt_str(&ctx->opts, OPT_INSTANCES),
				     INSTANCES_FILE);
	ctx->state_dir = sd ? sd : STATE_DIR_DEFAULT;
}

void ctx_files_release(struct ctx *ctx)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ctx->located); i++) {
		free(ctx->located[i]);
		ctx->located[i] = NULL;
	}
}

int ctx_use_recorded_state_dir(struct ctx *ctx)
{
	const char *rec = NULL;
	char *dflt = NULL;
	struct plan recorded;
	size_t i;
	int ret = -1;

	plan_init(&recorded);
	if (opt_str(&ctx->opts, OPT_STATEDIR) ||
	    (access(ctx->instances_path, F_OK) && errno == ENOENT))
		return 0;
	/* read as every command reads it: checked (config/instances.h) */
	if (instances_load(ctx->instances_path, &recorded))
		goto out;
	for (i = 0; i < recorded.n && !rec; i++)
		rec = node_field(&recorded.nodes[i], STATE_DIR_FIELD);
	ret = 0;
	dflt = fs_absolute(STATE_DIR_DEFAULT);
	if (!rec || (dflt && !strcmp(rec, dflt)))
		goto out;
	if (state_url_is_remote(rec)) {
		ctx->located[LOCATED_STATE_DIR] = xstrdup(rec);
		ctx->state_dir = ctx->located[LOCATED_STATE_DIR];
		goto out;
	}
	if (!fs_is_dir(rec)) {
		warning("the state directory %s recorded in %s is not there; "
			"using ./" STATE_DIR_DEFAULT " (give -stateDir to "
			"choose)", rec, ctx->instances_path);
		goto out;
	}
	ctx->located[LOCATED_STATE_DIR] = xstrdup(rec);
	ctx->state_dir = ctx->located[LOCATED_STATE_DIR];
	say("Using the state directory %s (recorded in %s)", ctx->state_dir,
	    ctx->instances_path);
out:
	free(dflt);
	plan_release(&recorded);
	return ret;
}

/* A JSON file as a tree, NULL when it is missing or malformed: the
 * commands that read it report its faults (config_load(),
 * instances_load()); here it only may name the state's settings. */
static cJSON *peek_json(const char *path)
{
	struct buf b;
	cJSON *o = NULL;

	buf_init(&b, BUF_CAP_CONFIG);
	if (fs_exists(path) && fs_read_file(path, &b) == 0 && b.data)
		o = cJSON_Parse(b.data);
	buf_release(&b);
	return o;
}

/* The fields a remote state's settings come from: defaults.json's when
 * there is one, else the first node's of instances.json; NULL when
 * neither is there (the environment then). */
static cJSON *state_fields(const struct ctx *ctx)
{
	cJSON *o = peek_json(ctx->defaults_path), *a;

	if (cJSON_IsObject(o))
		return o;
	cJSON_Delete(o);
	a = peek_json(ctx->instances_path);
	o = cJSON_IsArray(a) && cJSON_IsObject(cJSON_GetArrayItem(a, 0)) ?
		cJSON_DetachItemFromArray(a, 0) : NULL;
	cJSON_Delete(a);
	return o;
}

static const char *state_field(void *arg, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(arg, field);

	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? "true" : "false";
	return NULL;
}

int ctx_open_state(struct ctx *ctx)
{
	cJSON *fields = NULL;
	const char *sd;
	char *why;
	int ret = -1;

	if (ctx->remote)
		return 0;
	if (ctx_use_recorded_state_dir(ctx))
		return -1;
	fields = state_fields(ctx);
	sd = opt_str(&ctx->opts, OPT_STATEDIR);
	if (!sd && !ctx->located[LOCATED_STATE_DIR] &&
	    (sd = state_field(fields, "StateDir"))) {
		if ((why = state_dir_reason(sd))) {
			error("%s: StateDir: %s", ctx->defaults_path, why);
			free(why);
			goto out;
		}
		ctx->located[LOCATED_STATE_DIR] = xstrdup(sd);
		ctx->state_dir = ctx->located[LOCATED_STATE_DIR];
	}
	if (!state_url_is_remote(ctx->state_dir)) {
		ret = 0;
		goto out;
	}
	if (remote_open(ctx->state_dir, fields ? state_field : NULL, fields,
			ctx->instances_path, ctx->state_open_flags,
			&ctx->remote))
		goto out;
	ctx->state_dir = remote_workdir(ctx->remote);
	debug("the state is %s; its working copy %s",
	      remote_url(ctx->remote), ctx->state_dir);
	ret = ctx->state_open_flags & REMOTE_NO_PULL ? 0 :
		remote_pull(ctx->remote);
out:
	cJSON_Delete(fields);
	return ret;
}

const char *ctx_state_name(const struct ctx *ctx)
{
	return ctx->remote ? remote_url(ctx->remote) : ctx->state_dir;
}

int ctx_begin_changes(struct ctx *ctx)
{
	bool changed = false;

	if (ctx->lock)		/* held already (upgrade's second wave) */
		return 0;
	if (statedir_lock(ctx->state_dir, ctx->command_line ?
			  ctx->command_line : ctx->cmd->name, &ctx->lock))
		return -1;
	if (ctx->remote) {
		if (remote_lock(ctx->remote, ctx->command_line ?
				ctx->command_line : ctx->cmd->name, &changed))
			return -1;
		if (changed && ctx->inst.n)
			return error("%s: instances.json was changed in the "
				     "store while this command started; run "
				     "it again", remote_url(ctx->remote));
	}
	return log_open("icm.log");
}

bool ctx_confirm(const char *question)
{
	say("%s", question);
	return term_confirm();
}

const char *ctx_field(const struct ctx *ctx, const struct node *n,
		      const char *field)
{
	const cJSON *o = ctx->overrides ?
		cJSON_GetObjectItemCaseSensitive(ctx->overrides, field) : NULL;

	if (cJSON_IsString(o))
		return *o->valuestring ? o->valuestring : NULL;
	return node_field(n, field);
}

static bool field_is(const struct ctx *ctx, const struct node *n,
		     const char *field, const char *value)
{
	const char *v = ctx_field(ctx, n, field);

	return v && !strcasecmp(v, value);
}

void ctx_say_no_weave(const struct ctx *ctx, struct node *const *v,
		      size_t n)
{
	bool overlay = false, scope = false;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcmp(v[i]->role, "LB") ||
		    field_is(ctx, v[i], "Containerless", "true"))
			continue;	/* no containers there */
		overlay = overlay || field_is(ctx, v[i], "Overlay", "weave");
		scope = scope || field_is(ctx, v[i], "Monitor", "scope");
	}
	if (overlay || scope)
		warning("%s%s%s %s not deployed: containers use host "
			"networking", overlay ? "the Weave overlay (Overlay "
			"weave)" : "", overlay && scope ? " and " : "",
			scope ? "Weave Scope (Monitor scope)" : "",
			overlay && scope ? "are" : "is");
}

void ctx_respond(struct ctx *ctx, cJSON *json, int rc)
{
	if (rc) {
		cJSON_Delete(json);
		return;
	}
	cJSON_Delete(ctx->response);
	ctx->response = json;
}

const char *ctx_field_cb(const void *arg, const struct node *n,
			 const char *field)
{
	return ctx_field(arg, n, field);
}

void ctx_dnode_env(struct ctx *ctx, struct dnode_env *env)
{
	*env = (struct dnode_env){
		.state_dir = ctx->state_dir,
		.nodes = ctx->sel, .n = ctx->nsel,
		.all = ctx->inst.nodes, .nall = ctx->inst.n,
		.parallel = opt_str(&ctx->opts, OPT_PARALLEL),
		.field = ctx_field_cb, .field_arg = ctx,
		.response = &ctx->response,
	};
}
