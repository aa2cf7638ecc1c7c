/*
 * select.c: which nodes a command acts on (-role, -machine, -interactive).
 *
 * -role must name a role ICM knows (ICM: "Unrecognized role 'QM'");
 * -machine is a POSIX extended regular expression matched against the
 * whole machine name (the docs' example ".*(2|4)" only makes sense
 * anchored).  Its cost is checked before regcomp (regex_cost.h): musl's
 * regcomp can take gigabytes for a short expression.  -interactive must
 * end with exactly one node.  Load balancers (role LB) are the
 * provider's: every command but inventory leaves them out.
 */
#include "cmd.h"
#include "../state/log.h"
#include "../util/regex_cost.h"
#include "../util/str.h"
#include <regex.h>

int select_nodes(struct ctx *ctx, bool with_lb)
{
	const char *role = opt_str(&ctx->opts, OPT_ROLE);
	const char *machine = opt_str(&ctx->opts, OPT_MACHINE);
	const char *why;
	regex_t re;
	bool have_re = false;
	char *anchored = NULL;
	size_t i;
	int ret = -1, rc;

	if (role && !role_known(role)) {
		error_raw("Unrecognized role '%s'", role);
		goto out;
	}
	if (role && !with_lb && !strcmp(role, "LB")) {
		error("-role LB: a load balancer is the provider's, with no "
		      "host or container to act on (icm inventory lists it)");
		goto out;
	}
	if (machine && (why = regex_cost_check(machine))) {
		error("-machine '%.*s%s' is refused as a regular expression: "
		      "%s", 64, machine, strlen(machine) > 64 ? "..." : "",
		      why);
		goto out;
	}
	if (machine) {
		anchored = xasprintf("^(%s)$", machine);
		rc = regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char msg[256];

			regerror(rc, &re, msg, sizeof(msg));
			error("-machine '%s' is not a valid regular "
			      "expression: %s", machine, msg);
			goto out;
		}
		have_re = true;
	}
	ctx->sel = xcalloc(ctx->inst.n ? ctx->inst.n : 1, sizeof(*ctx->sel));
	ctx->nsel = 0;
	for (i = 0; i < ctx->inst.n; i++) {
		struct node *n = &ctx->inst.nodes[i];

		if (role && strcmp(n->role, role))
			continue;
		if (!with_lb && !strcmp(n->role, "LB"))
			continue;
		if (have_re && regexec(&re, n->name, 0, NULL, 0))
			continue;
		ctx->sel[ctx->nsel++] = n;
	}
	if (!ctx->nsel && (role || machine)) {
		error("no node matches%s%s%s%s%s%s", role ? " -role '" : "",
		      role ? role : "", role ? "'" : "",
		      machine ? " -machine '" : "", machine ? machine : "",
		      machine ? "'" : "");
		goto out;
	}
	if (opt_on(&ctx->opts, OPT_INTERACTIVE) && ctx->nsel > 1) {
		error("Interactive commands cannot match more than one "
		      "instance");
		goto out;
	}
	ret = 0;
out:
	if (have_re)
		regfree(&re);
	free(anchored);
	return ret;
}

int select_iris_nodes(struct ctx *ctx,
		      bool (*keep)(const struct ctx *, const struct node *))
{
	bool by_role = opt_str(&ctx->opts, OPT_ROLE) != NULL;
	size_t i, k = 0;

	for (i = 0; i < ctx->nsel; i++)
		if ((!keep || keep(ctx, ctx->sel[i])) &&
		    (by_role || role_is_iris(ctx->sel[i]->role)))
			ctx->sel[k++] = ctx->sel[i];
	if (!k && ctx->nsel)
		return error("no InterSystems IRIS node is selected (roles "
			     "DATA, COMPUTE, DM, DS, QS, AM; name another "
			     "with -role)");
	ctx->nsel = k;
	return 0;
}
