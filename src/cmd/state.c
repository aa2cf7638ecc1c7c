/*
 * state.c: icm state, the operators' hands on a state in S3
 * (state/remote.h):
 *   icm state pull [DIR]     the store's state into DIR (default ./state)
 *                            and instances.json here: back to a local state
 *   icm state push [DIR]     a local state directory (default ./state) and
 *                            instances.json into the store (migration);
 *                            -force replaces a state already there
 *   icm state lock [status]  who holds the lock, since when, its lease
 *   icm state unlock -force  breaks the lock (its holder is named)
 * The store is -stateDir s3://BUCKET/PREFIX, else the StateDir field of
 * defaults.json, else the MasterStateDir instances.json records.
 */
#include "cmd.h"
#include "../state/remote.h"
#include "../state/stateurl.h"
#include "../state/log.h"
#include "../util/fs.h"
#include "../util/str.h"
#include <dirent.h>

#define STATE_LOCAL_DEFAULT "state"

static const char *const usage_words =
	"'icm state' takes pull [DIR], push [DIR], lock [status] or unlock "
	"-force";

/* A directory with anything in it. */
static bool dir_has_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool any = false;

	if (!d)
		return false;
	while (!any && (de = readdir(d)))
		any = strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return any;
}

/* The store this command names; opened without pulling anything.
 * ctx_open_state() pulls, which `state` must not do before it knows
 * what it is asked. */
static int open_store(struct ctx *ctx, struct remote **out)
{
	struct remote *r = ctx->remote;

	if (!r) {
		if (ctx_open_state(ctx))
			return -1;
		r = ctx->remote;
	}
	if (!r)
		return error("'icm state' works on a state in S3: give "
			     "-stateDir s3://BUCKET/PREFIX (or the StateDir "
			     "field), not the local directory '%s'",
			     ctx->state_dir);
	*out = r;
	return 0;
}

static int state_lock_status(struct ctx *ctx, struct remote *r)
{
	char *holder = NULL;
	bool expired;
	cJSON *o;

	if (remote_lock_holder(r, &holder, &expired))
		return -1;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "state", remote_url(r));
	if (!holder) {
		say("%s is not locked", remote_url(r));
		cJSON_AddBoolToObject(o, "locked", false);
	} else {
		say("%s is locked by %s%s", remote_url(r), holder, expired ?
		    " (expired: the next command takes it over)" : "");
		cJSON_AddBoolToObject(o, "locked", true);
		cJSON_AddStringToObject(o, "holder", holder);
		cJSON_AddBoolToObject(o, "expired", expired);
	}
	free(holder);
	ctx_respond(ctx, o, 0);
	return 0;
}

static int state_unlock(struct ctx *ctx, struct remote *r)
{
	char *holder = NULL;
	bool expired;
	int ret;

	if (!opt_on(&ctx->opts, OPT_FORCE)) {
		if (remote_lock_holder(r, &holder, &expired))
			return -1;
		if (!holder) {
			say("%s is not locked", remote_url(r));
			return 0;
		}
		ret = error("'icm state unlock' breaks the lock on %s held "
			    "by %s; if that command is gone, give -force",
			    remote_url(r), holder);
		free(holder);
		return ret;
	}
	if (log_open("icm.log"))
		return -1;
	return remote_lock_break(r);
}

static int state_pull(struct ctx *ctx, struct remote *r, const char *dir)
{
	if (!opt_on(&ctx->opts, OPT_FORCE) && dir_has_files(dir))
		return error("'%s' is not empty; give -force to make it the "
			     "copy of %s (its other files go)", dir,
			     remote_url(r));
	if (remote_pull_to(r, dir))
		return -1;
	say("Copied %s to %s and %s; give -stateDir %s to use this copy",
	    remote_url(r), dir, ctx->instances_path, dir);
	return 0;
}

static int state_push(struct ctx *ctx, struct remote *r, const char *dir)
{
	if (!fs_is_dir(dir))
		return error("'%s' is not a state directory", dir);
	if (ctx_begin_changes(ctx) ||
	    remote_push_dir(r, dir, opt_on(&ctx->opts, OPT_FORCE)))
		return -1;
	say("Copied %s and %s to %s; give -stateDir %s from now on", dir,
	    ctx->instances_path, remote_url(r), remote_url(r));
	return 0;
}

int cmd_state(struct ctx *ctx)
{
	const char *verb = ctx->nargs ? ctx->args[0] : NULL;
	const char *arg = ctx->nargs > 1 ? ctx->args[1] : NULL;
	struct remote *r = NULL;
	bool lock_only;

	if (!verb)
		return error("%s", usage_words);
	lock_only = !strcmp(verb, "lock") || !strcmp(verb, "unlock");
	if (lock_only && arg && strcmp(arg, "status"))
		return error("%s; unexpected '%s'", usage_words, arg);
	if (!lock_only && strcmp(verb, "pull") && strcmp(verb, "push"))
		return error("%s; unexpected '%s'", usage_words, verb);
	ctx->state_open_flags = lock_only ? REMOTE_NO_KEY | REMOTE_NO_PULL :
		REMOTE_NO_PULL;
	if (open_store(ctx, &r))
		return -1;
	if (!strcmp(verb, "lock"))
		return state_lock_status(ctx, r);
	if (!strcmp(verb, "unlock"))
		return state_unlock(ctx, r);
	if (!strcmp(verb, "pull"))
		return state_pull(ctx, r, arg ? arg : STATE_LOCAL_DEFAULT);
	return state_push(ctx, r, arg ? arg : STATE_LOCAL_DEFAULT);
}
