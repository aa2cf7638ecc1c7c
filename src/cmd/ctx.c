/* ctx.c: steps a command handler asks of the runner (see cmd.h). */
#include "cmd.h"
#include "../state/log.h"

int ctx_begin_changes(struct ctx *ctx)
{
	if (ctx->lock)		/* held already (upgrade's second wave) */
		return 0;
	if (statedir_lock(ctx->state_dir, ctx->command_line ?
			  ctx->command_line : ctx->cmd->name, &ctx->lock))
		return -1;
	return log_open("icm.log");
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

void ctx_respond(struct ctx *ctx, cJSON *json, int rc)
{
	if (rc) {
		cJSON_Delete(json);
		return;
	}
	cJSON_Delete(ctx->response);
	ctx->response = json;
}
