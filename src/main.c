/*
 * main.c: the runner that does every command's shared preamble and
 * postamble (git's run_builtin shape; see cmd/cmd.h), and main(), which
 * finds the goal in the command table (cmd/commands.c).
 */
#include "icm.h"
#include "cmd/cmd.h"
#include "cmd/image.h"
#include "config/instances.h"
#include "state/log.h"
#include "state/output.h"
#include "state/remote.h"
#include "util/buf.h"
#include "util/str.h"
#include <signal.h>

/* Builds the -override/-image/-namespace/-iscPassword field object. */
static int cli_overrides(const struct options *o, cJSON **out)
{
	cJSON *obj = NULL;
	const char *s;

	if ((s = opt_str(o, OPT_OVERRIDE))) {
		const char *end = NULL;

		obj = cJSON_ParseWithOpts(s, &end, 1);
		if (!obj || !cJSON_IsObject(obj)) {
			cJSON_Delete(obj);
			return error("-override: expected a JSON object like "
				     "'{\"Field\":\"value\"}' (column %d)",
				     obj || !end ? 1 : (int)(end - s) + 1);
		}
	}
	if (!obj && !opt_str(o, OPT_IMAGE) && !opt_str(o, OPT_NAMESPACE) &&
	    !opt_str(o, OPT_ISCPASSWORD))
		return 0;
	if (!obj)
		obj = cJSON_CreateObject();
	if ((s = opt_str(o, OPT_IMAGE))) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "DockerImage");
		cJSON_AddStringToObject(obj, "DockerImage", s);
	}
	if ((s = opt_str(o, OPT_NAMESPACE))) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "Namespace");
		cJSON_AddStringToObject(obj, "Namespace", s);
	}
	if ((s = opt_str(o, OPT_ISCPASSWORD))) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "ISCPassword");
		cJSON_AddStringToObject(obj, "ISCPassword", s);
	}
	*out = obj;
	return 0;
}

/* An -override value with its secret fields shown as "********", or NULL
 * when it has none (or is not JSON: then it is refused later anyway). */
static char *override_shown(const char *text)
{
	cJSON *obj = cJSON_Parse(text);
	char *s = NULL;

	if (obj && config_mask_secrets(obj))
		s = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);
	return s;
}

/* The command line for the lock record and messages: the values of
 * -iscPassword and of secret fields in -override are never shown, however
 * short (the redaction only catches those of SECRET_MASK_MIN or more). */
static char *command_line(const struct options *o, int argc, char **argv)
{
	const char *pw = opt_str(o, OPT_ISCPASSWORD);
	const char *ov = opt_str(o, OPT_OVERRIDE);
	struct buf b;
	char *s;
	int i;

	buf_init(&b, BUF_CAP_LINE);
	for (i = 0; i < argc; i++) {
		const char *a = i ? argv[i] : "icm";
		const char *eq = strchr(a, '=');
		char *shown = NULL;
		int rc;

		if (pw && (pw == a || (eq && pw == eq + 1)))
			shown = xasprintf("%.*s%s", pw == a ? 0 :
					  (int)(pw - a), a, REDACTED);
		else if (ov && (ov == a || (eq && ov == eq + 1)) &&
			 (s = override_shown(ov))) {
			shown = xasprintf("%.*s%s", ov == a ? 0 :
					  (int)(ov - a), a, s);
			free(s);
		}
		rc = buf_addf(&b, "%s%s", i ? " " : "", shown ? shown : a);
		free(shown);
		if (rc)
			break;
	}
	s = secret_redact(b.data ? b.data : "icm");
	buf_wipe(&b);
	return s;
}

static int prepare(struct ctx *ctx)
{
	const struct command *c = ctx->cmd;
	const char *p;
	cJSON *ov = NULL;

	if (ctx->nargs > c->max_args)
		return error("'icm %s' takes %s; unexpected '%s'", c->name,
			     c->args ? c->args : "no arguments",
			     ctx->args[c->max_args]);
	if ((p = opt_str(&ctx->opts, OPT_PARALLEL))) {
		long v;

		if (str_to_long(p, &v) || v < 1 || v > 1024)
			return error("-parallel: expected a whole number from "
				     "1 to 1024, got '%s'", p);
	}
	p = opt_str(&ctx->opts, OPT_ROLE);
	if (p && !role_known(p))
		return error_raw("Unrecognized role '%s'", p);
	if (config_check_option("container", "container",
				opt_str(&ctx->opts, OPT_CONTAINER)))
		return -1;
	ctx_locate_files(ctx);
	if (!(c->flags & CMD_NO_DEPLOY) && ctx_open_state(ctx))
		return -1;
	if (c->flags & CMD_CONFIG) {
		if (config_load(&ctx->cfg, ctx->defaults_path,
				ctx->definitions_path))
			return -1;
		if (cli_overrides(&ctx->opts, &ov))
			return -1;
		if (ov && config_set_overrides(&ctx->cfg, ov))
			return -1;
		if (config_validate(&ctx->cfg))
			return -1;
	}
	if ((c->flags & CMD_INSTANCES) &&
	    instances_load(ctx->instances_path, &ctx->inst))
		return -1;
	/* Later commands: -override/-image/... apply for this command only
	 * (ctx_field()); secret fields among them are registered, and every
	 * value passes its field's rule, as in the files. */
	if (!(c->flags & CMD_CONFIG)) {
		if (cli_overrides(&ctx->opts, &ov))
			return -1;
		ctx->overrides = ov;
		if (config_register_secrets(&ctx->cfg, NULL, ov) ||
		    config_check_values(&ctx->cfg, ov))
			return -1;
	}
	if ((c->flags & CMD_SELECT) &&
	    select_nodes(ctx, (c->flags & CMD_WITH_LB) != 0))
		return -1;
	if ((c->flags & CMD_LOG) && log_open("icm.log"))
		return -1;
	return 0;
}

/* Flushes stdout and reports a failed write (git's run_builtin). */
static int finish_stdout(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	if (errno == EPIPE)
		return 0;
	return error("cannot write to standard output: %s", strerror(errno));
}

static int run_command(const struct command *c, int argc, char **argv)
{
	struct ctx ctx;
	int ret = -1;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cmd = c;
	config_init(&ctx.cfg);
	plan_init(&ctx.inst);
	ctx.args = xcalloc((size_t)argc, sizeof(*ctx.args));
	if (options_parse(&ctx.opts, argc, argv, 2, c->opts | OPTS_COMMON,
			  c->name, ctx.args, &ctx.nargs))
		goto out;
	report_set_verbose(opt_on(&ctx.opts, OPT_VERBOSE));
	ctx.command_line = command_line(&ctx.opts, argc, argv);
	if (opt_on(&ctx.opts, OPT_HELP)) {
		usage_command(c);
		ret = 0;
		goto out;
	}
	if (prepare(&ctx))
		goto out;
	ret = c->fn(&ctx);
out:
	if (opt_on(&ctx.opts, OPT_JSON) &&
	    output_response(ret && !ctx.response ? NULL : ctx.response,
			    ret ? 1 : 0))
		ret = -1;
	if (finish_stdout())
		ret = -1;
	if (remote_close(ctx.remote))
		ret = -1;
	statedir_unlock(ctx.lock);
	cJSON_Delete(ctx.response);
	cJSON_Delete(ctx.overrides);
	free(ctx.sel);
	plan_release(&ctx.inst);
	config_release(&ctx.cfg);
	ctx_files_release(&ctx);
	free(ctx.args);
	free(ctx.command_line);
	freezero_str(ctx.asked_password);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	const struct command *c;
	const char *goal;
	int status;

	if (image_entry(argc, argv, command_find))	/* the ICM image only */
		return 1;
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		usage_all();
		return finish_stdout() ? 1 : 0;
	}
	goal = argv[1];
	if (goal[0] == '-') {
		const struct opt_def *d = option_find(goal);

		if (d && d->id == OPT_HELP && argc == 2)
			goal = "help";
		else if (d && d->id == OPT_VERSION && argc == 2)
			goal = "version";
	}
	c = command_find(goal);
	if (!c) {
		error_raw("Unrecognized goal: '%s' (try \"icm -help\")",
			  argv[1]);
		status = 1;
	} else {
		status = run_command(c, argc, argv);
	}
	log_close();
	secrets_wipe();
	return status;
}
