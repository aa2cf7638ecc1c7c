/* provider.c: the providers in this build (see provider.h), and node
 * preparation over SSH, which every provider ends with. */
#include "provider.h"
#include "../node/fanout.h"
#include "../node/prepare.h"
#include "resize.h"
#include "../state/log.h"
#include "../util/str.h"

static const struct provider *const providers[] = {
	&provider_preexisting,
	&provider_aws,
};

const struct provider *provider_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(providers); i++)
		if (!strcmp(providers[i]->name, name))
			return providers[i];
	return NULL;
}

struct prep_job {
	const struct provider_ctx *pc;
	struct plan *p;
};

static void prepare_one(struct fanout *f, size_t i, struct fanout_result *r,
			void *arg)
{
	struct prep_job *j = arg;
	struct node *n = &j->p->nodes[i];
	struct ssh_conn *c = NULL;

	if (!strcmp(n->role, "LB"))
		return;		/* no host */
	if (fanout_connect(f, n, j->pc->state_dir, HOSTKEY_PIN_NEW, r, &c))
		return;
	if (node_prepare(c, r, j->pc->state_dir, n,
			 volume_growth_of(j->pc->growths, n, "OS") != NULL))
		debug("%s: node preparation failed", n->name);
	ssh_close(c);
}

int provider_prepare_nodes(const struct provider_ctx *pc, struct plan *p)
{
	struct fanout_result *res;
	struct fanout_opts o = { pc->parallel, 0 };
	struct prep_job j = { pc, p };
	size_t i, failed;

	if (node_prepare_begin(pc->state_dir, p))
		return -1;
	res = xcalloc(p->n ? p->n : 1, sizeof(*res));
	failed = fanout_run(p->n, &o, prepare_one, &j, res);
	for (i = 0; i < p->n; i++)
		if (res[i].failed)
			error("provision on %s failed: %s", p->nodes[i].name,
			      res[i].reason);
	fanout_results_release(res, p->n);
	free(res);
	return failed ? -1 : 0;
}
