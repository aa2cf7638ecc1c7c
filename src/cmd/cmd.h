/*
 * cmd.h: what every command handler gets, and the command table's shape.
 *
 * Adding a command (as git's builtin.h says):
 *  1. write `int cmd_<name>(struct ctx *ctx)` in src/cmd/<family>.c,
 *     returning 0 or -1 (errors already reported with error());
 *  2. declare it below;
 *  3. add a row to commands[] in src/cmd/commands.c with the flags saying
 *     what the runner must prepare (configuration, instances, node
 *     selection, log) and the mask of options it accepts (`icm help`, the
 *     man page and the completion follow from the row);
 *  4. add its tests.
 *
 * The runner (run_command() in main.c) does the shared preamble in this
 * order, and stops at the first failure having written nothing:
 *   parse options -> load and validate the configuration (CMD_CONFIG) ->
 *   load instances.json (CMD_INSTANCES) -> select nodes (CMD_SELECT) ->
 *   open icm.log (CMD_LOG) -> handler -> write response.json (-json).
 */
#ifndef ICM_CMD_H
#define ICM_CMD_H

#include "../icm.h"
#include "options.h"
#include "../config/config.h"
#include "../config/plan.h"
#include "../state/statedir.h"

#define CMD_CONFIG    0x01	/* load + validate defaults/definitions */
#define CMD_INSTANCES 0x02	/* load instances.json (must exist) */
#define CMD_SELECT    0x04	/* apply -machine/-role to the instances */
#define CMD_LOG       0x08	/* open icm.log before the handler runs */
#define CMD_NO_DEPLOY 0x10	/* runs without a deployment (help, samples) */
#define CMD_WITH_LB   0x20	/* the selection keeps load balancers (they
				   have no host: other commands leave them
				   out) */

struct ctx;
struct command {
	const char *name;
	int (*fn)(struct ctx *ctx);
	unsigned flags;
	uint64_t opts;		/* OPT_BIT() mask beyond OPTS_COMMON */
	const char *args;	/* positional arguments for usage, or NULL */
	int max_args;		/* how many positional words it takes */
	const char *summary;
};

/* What ctx->located[] holds. */
enum located_slot {
	LOCATED_DEFAULTS, LOCATED_DEFINITIONS, LOCATED_INSTANCES,
	LOCATED_STATE_DIR, LOCATED_N
};

struct ctx {
	const struct command *cmd;
	struct options opts;
	char **args;		/* positional words (borrowed from argv) */
	int nargs;
	const char *defaults_path;
	const char *definitions_path;
	const char *instances_path;
	const char *state_dir;
	struct config cfg;	/* CMD_CONFIG */
	struct plan inst;	/* CMD_INSTANCES: nodes of instances.json */
	struct node **sel;	/* CMD_SELECT: selected nodes (into inst) */
	size_t nsel;
	struct statedir_lock *lock;	/* held while non-NULL */
	struct remote *remote;	/* the state in S3 (state/remote.h), or
				   NULL; state_dir is then its working
				   copy */
	unsigned state_open_flags;	/* REMOTE_NO_KEY, REMOTE_NO_PULL for
					   ctx_open_state() (icm state) */
	char *command_line;	/* argv, redacted, for the lock record */
	cJSON *response;	/* -json result; NULL means [] */
	char *asked_password;	/* the IRIS password asked for once (masked);
				   wiped at exit */
	cJSON *overrides;	/* commands after provision: -override,
				   -image, -namespace, -iscPassword as
				   fields (ctx_field()), or NULL */
	char *located[LOCATED_N];	/* paths ctx_locate_files() and
					 * ctx_use_recorded_state_dir() made,
					 * by enum located_slot; owned */
};

/*
 * Where the deployment's files are (the runner calls it first):
 * -defaults, -definitions and -instances, a directory there meaning the
 * file of the standard name inside it (defaults.json, definitions.json,
 * instances.json), else that name in the working directory; -stateDir,
 * else ./state.  Nothing is read.  ctx_files_release() frees the paths.
 */
void ctx_locate_files(struct ctx *ctx);
void ctx_files_release(struct ctx *ctx);

/*
 * Without -stateDir, the state directory instances.json records
 * (MasterStateDir, written by provision as an absolute path) when it is
 * not ./state, saying so; a recorded directory that is gone is warned
 * about and ./state used.  Nothing to do without instances.json.  -1
 * (reported) when instances.json cannot be read or parsed.
 */
int ctx_use_recorded_state_dir(struct ctx *ctx) WARN_UNUSED;

/*
 * Where the state is, for a command that works on a deployment: -stateDir,
 * else what instances.json records (ctx_use_recorded_state_dir()), else
 * the StateDir field of defaults.json, else ./state.  A state in S3
 * (s3://BUCKET/PREFIX) is opened (its key checked) and pulled into its
 * working copy, which becomes ctx->state_dir, before instances.json is
 * read.  -1 reported.
 */
int ctx_open_state(struct ctx *ctx) WARN_UNUSED;

/* The state's name for messages and instances.json: the s3:// URL of a
 * remote state, else the state directory. */
const char *ctx_state_name(const struct ctx *ctx);

/* A node's field as this command sees it: -override/-image/... first,
 * then instances.json; NULL when unset or empty (ctx.c). */
const char *ctx_field(const struct ctx *ctx, const struct node *n,
		      const char *field);

/* ctx_field() as a callback of the layers below (dnode_field_fn,
 * iris_field_fn); arg is the struct ctx. */
const char *ctx_field_cb(const void *arg, const struct node *n,
			 const char *field);

/*
 * The Docker fan-out's view of ctx (docker/dnode.h): the state directory,
 * the selection, the deployment, -parallel, ctx_field() and the -json
 * response; borrowed from ctx.
 */
struct dnode_env;
void ctx_dnode_env(struct ctx *ctx, struct dnode_env *env);

/* A table command's -json result: json becomes ctx->response when rc is
 * 0 (a failure keeps the remote-error array already there), else it is
 * freed. */
void ctx_respond(struct ctx *ctx, cJSON *json, int rc);

/*
 * icm deploys neither Weave Net nor Weave Scope: containers always use
 * host networking.  When a node of v[0..n) (not a load balancer, not
 * Containerless) asks for them (Overlay weave, ICM's default but on
 * PreExisting; Monitor scope), one warning line says so (provision and
 * run call it once).
 */
void ctx_say_no_weave(const struct ctx *ctx, struct node *const *v,
		      size_t n);

/* Applies -role/-machine/-interactive to ctx->inst into ctx->sel
 * (select.c); load balancers (role LB: no host, no container) only with
 * with_lb ("-role LB" without it is refused, naming why). */
int select_nodes(struct ctx *ctx, bool with_lb) WARN_UNUSED;

/* Narrows the selection to the IRIS nodes (DATA, COMPUTE, DM, DS, QS, AM)
 * unless -role named the role, and to those keep (may be NULL) accepts, as
 * ICM's IRIS-centric commands skip the other nodes; none left is an error
 * (reported). */
int select_iris_nodes(struct ctx *ctx,
		      bool (*keep)(const struct ctx *, const struct node *))
	WARN_UNUSED;

/* Takes the state-directory lock and opens icm.log (writers call this;
 * ctx.c); nothing to do when this command holds them already. */
int ctx_begin_changes(struct ctx *ctx) WARN_UNUSED;

/* ICM's confirmation for a provider (provider_ctx.confirm): question
 * said, then `Type "yes" to confirm:` (term_confirm()); true for "yes". */
bool ctx_confirm(const char *question);

/* A machine name as ICM shows it: '+' after an intended mirror primary,
 * '-' after a backup (inventory.c; caller frees). */
char *node_shown_name(const struct node *n);

/* The command table (commands.c); the man page and the shell completion
 * are generated from it and opt_defs[] (tools/gendoc.c, `make doc`). */
const struct command *command_find(const char *name);
extern const struct command commands[];
extern const size_t commands_count;

/* The quick reference on stdout (help.c): every command and option, or
 * one command's usage and the options it takes. */
void usage_all(void);
void usage_command(const struct command *c);

int cmd_help(struct ctx *ctx);
int cmd_version(struct ctx *ctx);
int cmd_samples(struct ctx *ctx);
int cmd_inventory(struct ctx *ctx);
int cmd_provision(struct ctx *ctx);
int cmd_keygen(struct ctx *ctx);
int cmd_state(struct ctx *ctx);
int cmd_unprovision(struct ctx *ctx);
int cmd_ssh(struct ctx *ctx);
int cmd_scp(struct ctx *ctx);
int cmd_run(struct ctx *ctx);		/* container.c */
int cmd_upgrade(struct ctx *ctx);
int cmd_pull(struct ctx *ctx);
int cmd_stop(struct ctx *ctx);
int cmd_start(struct ctx *ctx);
int cmd_rm(struct ctx *ctx);
int cmd_ps(struct ctx *ctx);
int cmd_exec(struct ctx *ctx);
int cmd_cp(struct ctx *ctx);
int cmd_docker(struct ctx *ctx);
int cmd_session(struct ctx *ctx);		/* iris.c */
int cmd_iscos(struct ctx *ctx);
int cmd_terminal(struct ctx *ctx);
int cmd_sql(struct ctx *ctx);
int cmd_install(struct ctx *ctx);		/* install.c */
int cmd_uninstall(struct ctx *ctx);
/* Whether a selected node has Containerless true (install.c). */
bool ctx_containerless(const struct ctx *ctx);
/* (the Containerless runtime: runtime.h) */

/*
 * The inventory table of nodes sel[0..nsel) (inventory.c): ICM's columns,
 * options the -options words (wide, certs) or NULL; *response (if not
 * NULL) gets the -json array.  provision ends with it.
 */
int inventory_show(const char *state_dir, struct node *const *sel,
		   size_t nsel, const char *options, cJSON **response)
	WARN_UNUSED;

#endif
