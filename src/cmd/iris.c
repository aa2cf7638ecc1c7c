/*
 * iris.c: the commands that talk to InterSystems IRIS inside the iris
 * container, through `iris session` run over the Docker exec API (no
 * helper program on icm's side, nothing secret on a command line):
 *
 *   icm terminal [-command ^ROUTINE] -machine M  (the 2018 guide's), and
 *   icm session [-interactive] [-command ^ROUTINE] -machine M
 *       the interactive Terminal of the instance on one node
 *       (`iris session IRIS -U <namespace> [ROUTINE]` on a terminal);
 *       the routine, when given, runs in it;
 *   icm session -command 'SNIPPET'  (and its 2018 name icm iscos)
 *       the ObjectScript snippet on every selected node, fed to
 *       `iris session IRIS -U <namespace>` on standard input, ended by
 *       halt; per node docker.out/docker.err, ICM's console lines;
 *   icm sql -command 'STATEMENT'
 *       the statement run through the instance (%SQL.Statement), its
 *       result per node in jdbc.out as ICM names the file, as the guide's
 *       CSV (iris/sql.h) (ICM went through JDBC; icm needs no Java);
 *   icm sql -interactive
 *       the IRIS SQL shell on one node.
 *
 * The namespace: -namespace, else the node's Namespace field, else
 * IRISCLUSTER (ICM's default).  Without -role these commands act on the
 * IRIS nodes only (DATA, COMPUTE, DM, DS, QS, AM), as ICM's IRIS-centric
 * commands skip CN/VM/WS/LB/AR nodes unless they are named.
 */
#include "runtime.h"
#include "../docker/dnode.h"
#include "../iris/cos.h"
#include "../iris/sql.h"
#include "../state/log.h"
#include "../util/buf.h"
#include "../util/str.h"
#include <ctype.h>

#define IRIS_CONTAINER "iris"
#define DEFAULT_NAMESPACE "IRISCLUSTER"
#define SNIPPET_MAX (1u << 20)
#define SQL_RESULT_MAX (16u << 20)	/* jdbc.out of one node */
#define ROUTINE_MAX 256		/* a [TAG][^ROUTINE] entry reference */

static const char *ns_of(const struct ctx *ctx, const struct node *n)
{
	const char *ns = ctx_field(ctx, n, "Namespace");

	return ns ? ns : DEFAULT_NAMESPACE;
}

/* Each selected node's namespace is a name `iris session -U` takes (it
 * goes on that command line, and for a containerless node into the kit
 * script's settings), before anything runs.  -1 reported. */
static int check_namespaces(const struct ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->nsel; i++) {
		const struct cos_where w = {
			.node = ctx->sel[i]->name, .step = "iris session -U",
			.field = opt_str(&ctx->opts, OPT_NAMESPACE) ?
				"-namespace" : "Namespace" };

		if (cos_namespace(ns_of(ctx, ctx->sel[i]), &w))
			return -1;
	}
	return 0;
}

struct sessjob {
	struct ctx *ctx;
	const char *script;	/* standard input of iris session */
	runtime_ns_fn ns;
	runtime_result_fn result;	/* or NULL: output as is */
};

/* sql: the node's output becomes the CSV of its result (iris/sql.h); on
 * failure the output stays for the file and the node fails. */
static int sql_result(struct fanout_result *r)
{
	struct buf csv;
	char *why = NULL;
	int ret = 0;

	buf_init(&csv, SQL_RESULT_MAX);
	if (iris_sql_csv(r->out.data ? r->out.data : "", r->out.len, &csv,
			 &why)) {
		ret = fanout_fail(r, "%s", why);
		buf_release(&csv);
	} else {
		buf_release(&r->out);
		r->out = csv;
	}
	free(why);
	return ret;
}

static int session_one(struct dnode *x)
{
	struct sessjob *j = x->arg;
	const char *argv[] = { "iris", "session", IRIS_INSTANCE, "-U",
			       j->ns(j->ctx, x->n), NULL };
	struct docker_exec e;
	int code = -1;

	memset(&e, 0, sizeof(e));
	e.argv = argv;
	e.stdin_data = j->script;
	e.stdin_len = strlen(j->script);
	say("Executing command in container %s on %s...", IRIS_CONTAINER,
	    x->n->name);
	if (docker_exec(x->d, IRIS_CONTAINER, &e, &x->r->out, &x->r->err,
			&code))
		return fanout_fail(x->r, "iris session did not run: %s",
				   docker_errmsg(x->d));
	x->r->exit_status = code;
	if (code)
		return fanout_fail(x->r, "iris session exit status %d", code);
	return j->result ? j->result(x->r) : 0;
}

/* Runs script (ends with halt) on the selected nodes of whichever
 * runtime; output files file.out/.err. */
static int session_all(struct ctx *ctx, const char *shown, char *script,
		       const char *file, int (*result)(struct fanout_result *))
{
	return runtime_of(ctx)->session(ctx, shown, script, file, ns_of,
					result);
}

int container_session(struct ctx *ctx, const char *shown, const char *script,
		      const char *file, runtime_ns_fn ns,
		      runtime_result_fn result)
{
	struct sessjob j = { ctx, script, ns, result };
	struct dnode_opts o = { .echo_one = true, .say_output = true,
				.file = file };
	struct dnode_env env;

	if (dnode_check_pki(ctx->state_dir))
		return -1;
	ctx_dnode_env(ctx, &env);
	return dnode_run(&env, session_one, &j, &o, NULL);
}

static int session_interactive(struct ctx *ctx, const char *routine)
{
	if (ctx->nsel != 1)
		return error("Interactive commands cannot match more than one "
			     "instance");
	return runtime_of(ctx)->session_interactive(ctx,
						     ns_of(ctx, ctx->sel[0]),
						     routine);
}

int container_session_interactive(struct ctx *ctx, const char *ns,
				  const char *routine)
{
	const char *argv[] = { "iris", "session", IRIS_INSTANCE, "-U", ns,
			       routine, NULL };
	struct docker_exec e;
	struct dnode_env env;

	memset(&e, 0, sizeof(e));
	e.argv = argv;
	say("Node: %s-%s, Instance: %s", IRIS_CONTAINER, ctx->sel[0]->name,
	    IRIS_INSTANCE);
	ctx_dnode_env(ctx, &env);
	return dnode_interactive(&env, IRIS_CONTAINER, &e);
}

/*
 * The routine -command names for the Terminal: [TAG][^ROUTINE] (TAG of
 * letters and digits, a leading % allowed; ROUTINE a letter or % then
 * letters, digits and dots), as IRIS's `iris session` takes its entry
 * reference.  Anything else is refused: it goes on a command line.
 */
static int check_routine(const char *r)
{
	const char *p = r, *start;

	if (strlen(r) > ROUTINE_MAX)
		goto bad;
	start = p;
	if (*p == '%')
		p++;
	while (isalnum((unsigned char)*p))
		p++;
	if (p == start + 1 && *start == '%')
		goto bad;	/* a lone % */
	if (*p == '^') {
		p++;
		if (*p == '%')
			p++;
		if (!isalpha((unsigned char)*p))
			goto bad;
		while (isalnum((unsigned char)*p) || *p == '.')
			p++;
		if (p[-1] == '.')
			goto bad;
	}
	if (*p || p == r)
		goto bad;
	return 0;
bad:
	return error("-command: '%s' is not a routine for the Terminal "
		     "(^ROUTINE, TAG^ROUTINE or TAG: letters, digits, %% "
		     "first, dots in the routine name; at most %d characters)",
		     r, ROUTINE_MAX);
}

/* The Terminal on the one selected node, running the routine the user
 * named with -command (NULL: none). */
static int terminal(struct ctx *ctx, const char *routine)
{
	if (routine && check_routine(routine))
		return -1;
	return session_interactive(ctx, routine);
}

int cmd_terminal(struct ctx *ctx)
{
	if (select_iris_nodes(ctx, NULL) || check_namespaces(ctx))
		return -1;
	return terminal(ctx, opt_str(&ctx->opts, OPT_COMMAND));
}

int cmd_session(struct ctx *ctx)
{
	const char *cmd = opt_str(&ctx->opts, OPT_COMMAND);
	char *script;
	int rc;

	if (select_iris_nodes(ctx, NULL) || check_namespaces(ctx))
		return -1;
	if (!cmd || opt_on(&ctx->opts, OPT_INTERACTIVE))
		return terminal(ctx, cmd);
	if (strlen(cmd) > SNIPPET_MAX)
		return error("-command: more than %u bytes", SNIPPET_MAX);
	script = xasprintf("%s\nhalt\n", cmd);
	rc = session_all(ctx, cmd, script, "docker", NULL);
	free(script);
	return rc;
}

int cmd_iscos(struct ctx *ctx)
{
	if (!opt_str(&ctx->opts, OPT_COMMAND))
		return error("icm iscos needs -command (an ObjectScript "
			     "snippet)");
	return cmd_session(ctx);
}

int cmd_sql(struct ctx *ctx)
{
	const char *stmt = opt_str(&ctx->opts, OPT_COMMAND);
	struct buf b;
	int rc = -1;

	if (select_iris_nodes(ctx, NULL) || check_namespaces(ctx))
		return -1;
	if (opt_on(&ctx->opts, OPT_INTERACTIVE))
		return session_interactive(ctx, "##class(%SQL.Shell).%Go(\"IRIS\")");
	if (!stmt)
		return error("icm sql needs -command (an SQL statement) or "
			     "-interactive");
	buf_init(&b, IRIS_SQL_MAX * 2 + BUF_CAP_LINE);
	if (iris_sql_script(stmt, &b))
		goto out;
	rc = session_all(ctx, stmt, b.data, "jdbc", sql_result);
out:
	buf_release(&b);
	return rc;
}
