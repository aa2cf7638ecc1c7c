/*
 * main.c: icm's command table and the runner that does every command's
 * shared preamble and postamble (git's run_builtin shape; see cmd/cmd.h).
 */
#include "icm.h"
#include "cmd/cmd.h"
#include "cmd/image.h"
#include "config/instances.h"
#include "state/log.h"
#include "state/output.h"
#include "util/buf.h"
#include "util/str.h"
#include <signal.h>

/* Container commands: which container, how many nodes at once. */
#define OPTS_CONTAINER (OPT_BIT(OPT_CONTAINER) | OPT_BIT(OPT_PARALLEL))
#define OPTS_OVERRIDES (OPT_BIT(OPT_IMAGE) | OPT_BIT(OPT_NAMESPACE) | \
			OPT_BIT(OPT_ISCPASSWORD) | OPT_BIT(OPT_OVERRIDE))

const struct command commands[] = {
	{ "provision", cmd_provision, CMD_CONFIG,
	  OPTS_FILES | OPTS_OVERRIDES | OPT_BIT(OPT_PLAN) |
	  OPT_BIT(OPT_PARALLEL), NULL, 0,
	  "create the infrastructure (-plan: show the nodes, change nothing)" },
	{ "unprovision", cmd_unprovision, CMD_LOG,
	  OPTS_FILES | OPT_BIT(OPT_CLEANUP), NULL, 0,
	  "remove what provision made (PreExisting: only icm's records)" },
	{ "ssh", cmd_ssh, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_COMMAND) |
	  OPT_BIT(OPT_INTERACTIVE) | OPT_BIT(OPT_PARALLEL), NULL, 0,
	  "run an OS command on the nodes, or a shell on one" },
	{ "scp", cmd_scp, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_LOCALPATH) |
	  OPT_BIT(OPT_REMOTEPATH) | OPT_BIT(OPT_PARALLEL), NULL, 0,
	  "copy a file or directory to the nodes" },
	{ "run", cmd_run, CMD_INSTANCES | CMD_SELECT,
	  OPTS_FILES | OPTS_SELECT | OPTS_OVERRIDES | OPTS_CONTAINER |
	  OPT_BIT(OPT_OPTIONS) | OPT_BIT(OPT_COMMAND) |
	  OPT_BIT(OPT_IMAGEARCHIVE), NULL, 0,
	  "pull the image and run the container on the nodes" },
	{ "ps", cmd_ps, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPTS_CONTAINER, NULL, 0,
	  "show the containers on the nodes" },
	{ "stop", cmd_stop, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPTS_CONTAINER, NULL, 0,
	  "stop the container (default iris)" },
	{ "start", cmd_start, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPTS_CONTAINER, NULL, 0,
	  "start the container (default iris)" },
	{ "pull", cmd_pull, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPTS_CONTAINER | OPTS_OVERRIDES |
	  OPT_BIT(OPT_IMAGEARCHIVE), NULL, 0,
	  "pull the image (default the node's DockerImage)" },
	{ "rm", cmd_rm, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPTS_CONTAINER, NULL, 0,
	  "remove the (stopped) container (default iris); the image stays" },
	{ "upgrade", cmd_upgrade, CMD_INSTANCES | CMD_SELECT,
	  OPTS_FILES | OPTS_SELECT | OPTS_OVERRIDES | OPTS_CONTAINER |
	  OPT_BIT(OPT_OPTIONS) | OPT_BIT(OPT_COMMAND) |
	  OPT_BIT(OPT_IMAGEARCHIVE), NULL, 0,
	  "replace the container with one of the new image (-image)" },
	{ "exec", cmd_exec, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPTS_CONTAINER | OPT_BIT(OPT_COMMAND) |
	  OPT_BIT(OPT_INTERACTIVE) | OPT_BIT(OPT_OPTIONS), NULL, 0,
	  "run a command in the container, or a shell on one node" },
	{ "cp", cmd_cp, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPTS_CONTAINER |
	  OPT_BIT(OPT_LOCALPATH) | OPT_BIT(OPT_REMOTEPATH) |
	  OPT_BIT(OPT_OPTIONS), NULL, 0,
	  "copy a file or directory on the node into the container "
	  "(-options --retrieve: out of it; --fromIcm: from here)" },
	{ "docker", cmd_docker, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_COMMAND), NULL, 0,
	  "run a docker CLI command on the nodes" },
	{ "session", cmd_session, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_PARALLEL) |
	  OPT_BIT(OPT_COMMAND) | OPT_BIT(OPT_INTERACTIVE) |
	  OPT_BIT(OPT_NAMESPACE), NULL, 0,
	  "an IRIS terminal on one node, or -command SNIPPET on the nodes" },
	{ "terminal", cmd_terminal, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_COMMAND) |
	  OPT_BIT(OPT_INTERACTIVE) | OPT_BIT(OPT_NAMESPACE), NULL, 0,
	  "an IRIS Terminal on one node (2018), -command ^ROUTINE run in it" },
	{ "iscos", cmd_iscos, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_PARALLEL) |
	  OPT_BIT(OPT_COMMAND) | OPT_BIT(OPT_NAMESPACE), NULL, 0,
	  "an ObjectScript snippet on the nodes (2018; session -command)" },
	{ "sql", cmd_sql, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_PARALLEL) |
	  OPT_BIT(OPT_COMMAND) | OPT_BIT(OPT_INTERACTIVE) |
	  OPT_BIT(OPT_NAMESPACE), NULL, 0,
	  "an SQL statement on the nodes (jdbc.out), or the SQL shell" },
	{ "install", cmd_install, CMD_INSTANCES | CMD_SELECT,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_ISCPASSWORD) |
	  OPT_BIT(OPT_OVERRIDE) | OPT_BIT(OPT_PARALLEL), NULL, 0,
	  "Containerless: download the kit (KitURL), install and start "
	  "IRIS" },
	{ "uninstall", cmd_uninstall, CMD_INSTANCES | CMD_SELECT,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_PARALLEL), NULL, 0,
	  "Containerless: stop IRIS and remove it from the nodes" },
	{ "inventory", cmd_inventory, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_OPTIONS), NULL, 0,
	  "list the provisioned nodes (instances.json)" },
	{ "keygen", cmd_keygen, CMD_NO_DEPLOY,
	  OPT_BIT(OPT_TYPE) | OPT_BIT(OPT_BITS) | OPT_BIT(OPT_DAYS) |
	  OPT_BIT(OPT_NAMES) | OPT_BIT(OPT_RENEW) | OPT_BIT(OPT_INSTANCES) |
	  OPT_BIT(OPT_STATEDIR) | OPTS_SELECT, "ssh|tls [DIR]", 2,
	  "make SSH keys (default ./ssh) or TLS keys and certificates "
	  "(default ./tls)" },
	{ "samples", cmd_samples, CMD_NO_DEPLOY, 0, "[DIR]", 1,
	  "write the sample configurations (default ./Samples)" },
	{ "version", cmd_version, CMD_NO_DEPLOY, 0, NULL, 0,
	  "show the versions of icm and its libraries" },
	{ "help", cmd_help, CMD_NO_DEPLOY, 0, "[command]", 1,
	  "show usage, or one command's usage" },
};
const size_t commands_count = ARRAY_SIZE(commands);

const struct command *command_find(const char *name)
{
	size_t i;

	for (i = 0; i < commands_count; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage_command(const struct command *c)
{
	uint64_t mask = c->opts | OPTS_COMMON;
	size_t i;

	say("Usage: icm %s [options]%s%s", c->name, c->args ? " " : "",
	    c->args ? c->args : "");
	say("  %s", c->summary);
	say("Options (one or two dashes):");
	for (i = 0; i < opt_defs_count; i++) {
		const struct opt_def *d = &opt_defs[i];
		char *left;

		if (!(mask & OPT_BIT(d->id)))
			continue;
		left = xasprintf("-%s%s%s", d->name, d->arg ? " " : "",
				 d->arg ? d->arg : "");
		say("  %-26s %s", left, d->help);
		free(left);
	}
}

static void usage_all(void)
{
	size_t i;

	say("icm %s: InterSystems Cloud Manager in one static binary",
	    ICM_VERSION);
	say("Usage: icm <command> [-option [value]] ...");
	say("Commands:");
	for (i = 0; i < commands_count; i++)
		say("  %-12s %s", commands[i].name, commands[i].summary);
	say("Options (one or two dashes; each command takes those that "
	    "apply):");
	for (i = 0; i < opt_defs_count; i++) {
		const struct opt_def *d = &opt_defs[i];
		char *left = xasprintf("-%s%s%s", d->name, d->arg ? " " : "",
				       d->arg ? d->arg : "");

		say("  %-26s %s", left, d->help);
		free(left);
	}
	say("\"icm help <command>\" shows the options of one command.");
}

int cmd_help(struct ctx *ctx)
{
	const struct command *c;

	if (!ctx->nargs) {
		usage_all();
		return 0;
	}
	c = command_find(ctx->args[0]);
	if (!c)
		return error_raw("Unrecognized goal: '%s' (try \"icm -help\")",
				 ctx->args[0]);
	usage_command(c);
	return 0;
}

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
	if (!(c->flags & CMD_NO_DEPLOY) && ctx_use_recorded_state_dir(ctx))
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
	if ((c->flags & CMD_SELECT) && select_nodes(ctx))
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
