/*
 * remote.c: icm ssh (and scp): OS commands and files on the selected
 * nodes over SSH, with the host keys pinned at provision checked strictly
 * (a changed key stops that node, both fingerprints shown).
 *
 *   icm ssh -command CMD [-machine RE] [-role R]   on every selected node
 *       at once (fanout.h): per node ssh.out/ssh.err, ICM's console lines,
 *       the output echoed when one node is selected, exit 1 naming each
 *       node that failed and its file.
 *   icm ssh [-interactive] [-machine RE]           a login shell on one
 *       node (without -command).
 *   icm scp -localPath L [-remotePath R]           L copied to every
 *       selected node (ssh_upload(): ICM's trailing-slash rules; R
 *       defaults to SSHUser's home).
 */
#include "cmd.h"
#include "../node/fanout.h"
#include "../state/log.h"
#include "../util/str.h"

/* A login shell (or -command) on the one selected node, on a PTY; the
 * remote exit status is passed through as icm's. */
static int ssh_shell(struct ctx *ctx)
{
	const char *cmd = opt_str(&ctx->opts, OPT_COMMAND);
	struct ssh_target t;
	struct ssh_conn *c = NULL;
	char *kh = NULL;
	int status = -1, ret = -1;

	if (ctx->nsel != 1)
		return error("Interactive commands cannot match more than one "
			     "instance");
	if (fanout_target(ctx->sel[0], ctx->state_dir, HOSTKEY_STRICT, &t,
			  &kh, NULL))
		goto out;
	if (ssh_connect(&t, &c, NULL))
		goto out;
	if (ssh_interactive(c, cmd, &status))
		goto out;
	ret = status ? -1 : 0;
out:
	ssh_close(c);
	free(kh);
	return ret;
}

int cmd_ssh(struct ctx *ctx)
{
	struct fanout_exec_opts o;

	memset(&o, 0, sizeof(o));
	o.command = opt_str(&ctx->opts, OPT_COMMAND);
	if (!o.command || opt_on(&ctx->opts, OPT_INTERACTIVE))
		return ssh_shell(ctx);
	o.state_dir = ctx->state_dir;
	o.file = "ssh";
	o.pool.parallel = fanout_parallel_opt(opt_str(&ctx->opts,
						      OPT_PARALLEL));
	return fanout_exec(ctx->sel, ctx->nsel, &o, &ctx->response);
}

int cmd_scp(struct ctx *ctx)
{
	struct fanout_exec_opts o;

	memset(&o, 0, sizeof(o));
	o.local_path = opt_str(&ctx->opts, OPT_LOCALPATH);
	if (!o.local_path)
		return error("icm scp needs -localPath");
	if (access(o.local_path, R_OK))
		return error("cannot read -localPath '%s': %s", o.local_path,
			     strerror(errno));
	o.remote_path = opt_str(&ctx->opts, OPT_REMOTEPATH);
	o.state_dir = ctx->state_dir;
	o.file = "ssh";
	o.pool.parallel = fanout_parallel_opt(opt_str(&ctx->opts,
						      OPT_PARALLEL));
	return fanout_exec(ctx->sel, ctx->nsel, &o, &ctx->response);
}
