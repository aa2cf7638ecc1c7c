/* provider.c: the providers in this build (see provider.h), and node
 * preparation over SSH, which provision runs after every provider's
 * create(). */
#include "provider.h"
#include "../node/fanout.h"
#include "../node/prepare.h"
#include "resize.h"
#include "../state/log.h"
#include "../util/str.h"

static const struct provider *const providers[] = {
	&provider_preexisting,
	&provider_aws,
	&provider_vsphere,
	&provider_gcp,
	&provider_azure,
	&provider_tencent,
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
	char (*inputs)[NODE_INPUTS_HEX];	/* per node; "" for a node
						   not to prepare */
};

static bool grows_root(const struct provider_ctx *pc, const struct node *n)
{
	return volume_growth_of(pc->growths, n, "OS") != NULL;
}

static void prepare_one(struct fanout *f, size_t i, struct fanout_result *r,
			void *arg)
{
	struct prep_job *j = arg;
	struct node *n = &j->p->nodes[i];
	struct ssh_conn *c = NULL;

	if (!j->inputs[i][0])
		return;		/* no host, or prepared already */
	if (fanout_connect(f, n, j->pc->state_dir, HOSTKEY_PIN_NEW, r, &c))
		return;
	if (node_prepare(c, r, j->pc->state_dir, n, grows_root(j->pc, n)))
		debug("%s: node preparation failed", n->name);
	else if (node_prepare_mark(j->pc->state_dir, n, j->inputs[i]))
		debug("%s: prepared, but not marked so", n->name);
	ssh_close(c);
}

/* Which nodes to prepare: j->inputs[i] set for those; the others are load
 * balancers (no host) and the nodes prepared already (their facts
 * given back).  -1 reported. */
static int choose(struct prep_job *j)
{
	size_t i;

	for (i = 0; i < j->p->n; i++) {
		struct node *n = &j->p->nodes[i];

		if (!strcmp(n->role, "LB"))
			continue;
		node_prepare_inputs(j->pc->state_dir, n, grows_root(j->pc, n),
				    j->inputs[i]);
		if (node_prepare_done(j->pc->state_dir, n, j->inputs[i])) {
			debug("%s: prepared by the provision before, with the "
			      "same inputs", n->name);
			j->inputs[i][0] = '\0';
		} else if (node_prepare_forget(j->pc->state_dir, n)) {
			return -1;
		}
	}
	return 0;
}

int provider_prepare_nodes(const struct provider_ctx *pc, struct plan *p)
{
	struct fanout_result *res = NULL;
	struct fanout_opts o = { pc->parallel, 0 };
	struct prep_job j = { pc, p, NULL };
	size_t i, failed = 0;
	int ret = -1;

	if (node_prepare_begin(pc->state_dir, p))
		return -1;
	j.inputs = xcalloc(p->n ? p->n : 1, sizeof(*j.inputs));
	if (choose(&j))
		goto out;
	res = xcalloc(p->n ? p->n : 1, sizeof(*res));
	failed = fanout_run(p->n, &o, prepare_one, &j, res);
	for (i = 0; i < p->n; i++)
		if (res[i].failed)
			error("provision on %s failed: %s", p->nodes[i].name,
			      res[i].reason);
	fanout_results_release(res, p->n);
	/* every node prepared: the next provision converges them all */
	for (i = 0; !failed && i < p->n; i++)
		if (strcmp(p->nodes[i].role, "LB") &&
		    node_prepare_forget(pc->state_dir, &p->nodes[i]))
			goto out;
	ret = failed ? -1 : 0;
out:
	free(res);
	free(j.inputs);
	return ret;
}
