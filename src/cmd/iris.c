/*
 * iris.c: the commands that talk to InterSystems IRIS inside the iris
 * container, through `iris session` run over the Docker exec API (no
 * helper program on icm's side, nothing secret on a command line):
 *
 *   icm session [-interactive] [-command ^ROUTINE] -machine M
 *       an IRIS terminal on one node (2018 name: icm terminal);
 *   icm session -command 'SNIPPET'  (and its 2018 name icm iscos)
 *       the ObjectScript snippet on every selected node, fed to
 *       `iris session IRIS -U <namespace>` on standard input, ended by
 *       halt; per node docker.out/docker.err, ICM's console lines;
 *   icm sql -command 'STATEMENT'
 *       the statement run through the instance (%SQL.Statement), its
 *       result set printed, per node in jdbc.out as ICM names the file
 *       (ICM went through JDBC; icm needs no Java);
 *   icm sql -interactive
 *       the IRIS SQL shell on one node.
 *
 * The namespace: -namespace, else the node's Namespace field, else
 * IRISCLUSTER (ICM's default).  Without -role these commands act on the
 * IRIS nodes only (DATA, COMPUTE, DM, DS, QS, AM), as ICM's IRIS-centric
 * commands skip CN/VM/WS/LB/AR nodes unless they are named.
 */
#include "dnode.h"
#include "../state/log.h"
#include "../util/buf.h"
#include "../util/str.h"

#define IRIS_CONTAINER "iris"
#define IRIS_INSTANCE "IRIS"
#define DEFAULT_NAMESPACE "IRISCLUSTER"
#define SNIPPET_MAX (1u << 20)

static const char *ns_of(const struct ctx *ctx, const struct node *n)
{
	const char *ns = ctx_field(ctx, n, "Namespace");

	return ns ? ns : DEFAULT_NAMESPACE;
}

/* An ObjectScript string literal of s ("" doubles a quote). */
static int os_string(struct buf *b, const char *s)
{
	if (buf_adds(b, "\""))
		return -1;
	for (; *s; s++) {
		if (*s == '\n' || *s == '\r')
			return -1;
		if (buf_add(b, s, 1) || (*s == '"' && buf_add(b, s, 1)))
			return -1;
	}
	return buf_adds(b, "\"");
}

struct sessjob {
	const char *shown;	/* the console's name of what runs */
	char *script;		/* standard input of iris session */
};

static int session_one(struct dnode *x)
{
	struct sessjob *j = x->arg;
	const char *argv[] = { "iris", "session", IRIS_INSTANCE, "-U",
			       ns_of(x->ctx, x->n), NULL };
	struct docker_exec e;
	int code = -1;

	memset(&e, 0, sizeof(e));
	e.argv = argv;
	e.stdin_data = j->script;
	e.stdin_len = strlen(j->script);
	say("Executing command '%s' on %s...", j->shown, x->n->name);
	if (docker_exec(x->d, IRIS_CONTAINER, &e, &x->r->out, &x->r->err,
			&code))
		return fanout_fail(x->r, "iris session did not run: %s",
				   docker_errmsg(x->d));
	x->r->exit_status = code;
	if (code)
		return fanout_fail(x->r, "iris session exit status %d", code);
	return 0;
}

/* Runs script (ends with halt) on the selected nodes; output files
 * file.out/.err. */
static int session_all(struct ctx *ctx, const char *shown, char *script,
		       const char *file)
{
	struct sessjob j = { shown, script };
	struct dnode_opts o = { .echo_one = true, .say_output = true,
				.file = file };

	if (ctx_containerless(ctx))	/* the kit's instance, over SSH */
		return install_session(ctx, shown, script, file, ns_of);
	if (dnode_check_pki(ctx->state_dir))
		return -1;
	return dnode_run(ctx, session_one, &j, &o, NULL);
}

static int session_interactive(struct ctx *ctx, const char *routine)
{
	const char *argv[] = { "iris", "session", IRIS_INSTANCE, "-U", NULL,
			       routine, NULL };
	struct docker_exec e;

	if (ctx->nsel != 1)
		return error("Interactive commands cannot match more than one "
			     "instance");
	argv[4] = ns_of(ctx, ctx->sel[0]);
	if (ctx_containerless(ctx)) {
		say("Node: %s, Instance: %s", ctx->sel[0]->name,
		    IRIS_INSTANCE);
		return install_session_interactive(ctx, argv[4], routine);
	}
	memset(&e, 0, sizeof(e));
	e.argv = argv;
	say("Node: %s-%s, Instance: %s", IRIS_CONTAINER, ctx->sel[0]->name,
	    IRIS_INSTANCE);
	return dnode_interactive(ctx, IRIS_CONTAINER, &e);
}

int cmd_session(struct ctx *ctx)
{
	const char *cmd = opt_str(&ctx->opts, OPT_COMMAND);
	char *script;
	int rc;

	if (select_iris_nodes(ctx, NULL))
		return -1;
	if (!cmd || opt_on(&ctx->opts, OPT_INTERACTIVE))
		return session_interactive(ctx, cmd);
	if (strlen(cmd) > SNIPPET_MAX)
		return error("-command: more than %u bytes", SNIPPET_MAX);
	script = xasprintf("%s\nhalt\n", cmd);
	rc = session_all(ctx, cmd, script, "docker");
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

	if (select_iris_nodes(ctx, NULL))
		return -1;
	if (opt_on(&ctx->opts, OPT_INTERACTIVE))
		return session_interactive(ctx, "##class(%SQL.Shell).%Go(\"IRIS\")");
	if (!stmt)
		return error("icm sql needs -command (an SQL statement) or "
			     "-interactive");
	buf_init(&b, SNIPPET_MAX + BUF_CAP_LINE);
	if (buf_adds(&b, "set rs=##class(%SQL.Statement).%ExecDirect(,") ||
	    os_string(&b, stmt) ||
	    buf_adds(&b, ") if rs.%SQLCODE<0 { write \"SQLCODE \","
		     "rs.%SQLCODE,\": \",rs.%Message,! } else { do "
		     "rs.%Display() write ! }\nhalt\n")) {
		error("-command: the statement must be one line of at most "
		      "%u bytes", SNIPPET_MAX);
		goto out;
	}
	rc = session_all(ctx, stmt, b.data, "jdbc");
out:
	buf_release(&b);
	return rc;
}
