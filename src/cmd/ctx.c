/* ctx.c: steps a command handler asks of the runner (see cmd.h). */
#include "cmd.h"
#include "../state/log.h"

int ctx_begin_changes(struct ctx *ctx)
{
	if (statedir_lock(ctx->state_dir, ctx->command_line ?
			  ctx->command_line : ctx->cmd->name, &ctx->lock))
		return -1;
	return log_open("icm.log");
}
