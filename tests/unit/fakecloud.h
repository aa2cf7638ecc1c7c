/*
 * fakecloud.h: a test provider for the engine (provider/resource.h): a
 * handful of resource kinds over an in-memory cloud, compiled only into
 * the unit tests (t-engine.c).
 *
 * The cloud lives in a MAP_SHARED anonymous mapping made before fork(), so
 * what a child made before it was killed is still there for the parent.
 * Kinds, as a small cloud has them:
 *   net        "net"; its listing also reports the route (by key)
 *   subnet     "subnet/<zone>", in the net; refuses deletion while nodes
 *              are in it, as the net does while subnets are
 *   route      "route", a step without an ID, listed with the net and
 *              deleted with it
 *   addr       "addr/<machine>": no listing (the journal's IDs are
 *              deleted); its create takes the idempotency token
 *   node       node/<machine>, made in batches (one call per zone) that
 *              take a token as EC2's ClientToken does: the same token
 *              answers the same instances again, even terminated ones
 *   name       "name/<machine>": a tag step on the node, the node's
 *              companion
 * Everything icm makes carries the deployment's tag and its key.  Test
 * hooks: kill the process inside the N-th create call (after the cloud
 * made the thing, before the answer); fail the next create of a kind
 * with a class and message.
 */
#ifndef ICM_FAKECLOUD_H
#define ICM_FAKECLOUD_H

#include "provider/resource.h"
#include "util/str.h"
#include <signal.h>
#include <sys/mman.h>

#define FAKE_MAX 256
#define FAKE_DESTROYED_MAX 16

struct fake_res {
	char kind[12];
	char id[24];
	char key[64];		/* icm's key tag */
	char dep[32];		/* the deployment tag; "" for the user's own */
	char parent[24];	/* the net of a subnet or route, the subnet of
				   a node */
	char token[32];		/* the idempotency token it was made with */
	char name[48];		/* a node's Name tag */
	bool live;
};

struct fake_cloud {
	struct fake_res r[FAKE_MAX];
	size_t n;
	unsigned long seq;
	unsigned long creates;		/* create calls (a batch is one) */
	unsigned long batches;		/* batch create calls */
	unsigned long lists;		/* listing calls */
	unsigned long destroys;		/* destroy calls */
	long kill_in_create;		/* SIGKILL in this create call, 0 off */
	char fail_kind[12];		/* the next create of this kind fails */
	enum cloud_err_class fail_cls;
	char fail_msg[96];
	bool fail_list;			/* the next listing fails (throttled) */
	char destroyed[FAKE_DESTROYED_MAX][24];	/* the last destroy call's */
	size_t ndestroyed;
};

/* A cloud shared with the children forked after it (never unmapped: one
 * per test program). */
static struct fake_cloud *fake_cloud_new(void)
{
	void *m = mmap(NULL, sizeof(struct fake_cloud), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return m == MAP_FAILED ? NULL : m;
}

/* The provider: the cloud, the deployment, its kinds' context. */
struct fake_prov {
	struct fake_cloud *c;
	const char *dep;
};

static struct fake_res *fake_find(struct fake_cloud *c, const char *id)
{
	size_t i;

	for (i = 0; id && i < c->n; i++)
		if (!strcmp(c->r[i].id, id))
			return &c->r[i];
	return NULL;
}

/* The live thing of kind tagged with key for dep, or NULL. */
static struct fake_res *fake_by_key(struct fake_cloud *c, const char *dep,
				    const char *kind, const char *key)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->r[i].live && !strcmp(c->r[i].kind, kind) &&
		    !strcmp(c->r[i].dep, dep) && !strcmp(c->r[i].key, key))
			return &c->r[i];
	return NULL;
}

/* Counts the live things of kind tagged for dep. */
static size_t fake_count(struct fake_cloud *c, const char *dep,
			 const char *kind)
{
	size_t i, n = 0;

	for (i = 0; i < c->n; i++)
		n += c->r[i].live && !strcmp(c->r[i].kind, kind) &&
			!strcmp(c->r[i].dep, dep);
	return n;
}

static struct fake_res *fake_add(struct fake_cloud *c, const char *kind,
				 const char *dep, const char *key,
				 const char *parent, const char *token)
{
	struct fake_res *r;

	if (c->n == FAKE_MAX)
		abort();
	r = &c->r[c->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->kind, sizeof(r->kind), "%s", kind);
	snprintf(r->id, sizeof(r->id), "%s-%lu", kind, ++c->seq);
	snprintf(r->dep, sizeof(r->dep), "%s", dep ? dep : "");
	snprintf(r->key, sizeof(r->key), "%s", key ? key : "");
	snprintf(r->parent, sizeof(r->parent), "%s", parent ? parent : "");
	snprintf(r->token, sizeof(r->token), "%s", token ? token : "");
	r->live = true;
	return r;
}

/* A create call begins: the failure the test asked for, if any. */
static int fake_begin_create(struct fake_cloud *c, const char *kind,
			     struct cloud_err *err)
{
	c->creates++;
	if (strcmp(c->fail_kind, kind))
		return 0;
	c->fail_kind[0] = '\0';
	return cloud_err_set(err, c->fail_cls, "%s", c->fail_msg);
}

/* The cloud made it; the answer is not back yet: the kill hook. */
static void fake_end_create(struct fake_cloud *c)
{
	if (c->kill_in_create && (long)c->creates == c->kill_in_create)
		raise(SIGKILL);
}

/* ------------------------------------------------------------ listings */

/* A listing call begins: the failure the test asked for, if any. */
static int fake_begin_list(struct fake_cloud *c, struct cloud_err *err)
{
	c->lists++;
	if (!c->fail_list)
		return 0;
	c->fail_list = false;
	return cloud_err_set(err, CLOUD_ERR_THROTTLED,
			     "RequestLimitExceeded: slow down");
}

static void fake_report(struct fake_prov *fp, struct engine *e,
			const char *kind, bool with_id)
{
	size_t i;

	for (i = 0; i < fp->c->n; i++) {
		const struct fake_res *r = &fp->c->r[i];

		if (r->live && !strcmp(r->kind, kind) &&
		    !strcmp(r->dep, fp->dep))
			engine_found(e, r->key, with_id ? r->id : NULL);
	}
}

static int fake_list_net(void *prov, struct engine *e, struct cloud_err *err)
{
	struct fake_prov *fp = prov;

	if (fake_begin_list(fp->c, err))
		return -1;
	fake_report(fp, e, "net", true);
	fake_report(fp, e, "route", false);
	return 0;
}

static int fake_list_subnet(void *prov, struct engine *e,
			    struct cloud_err *err)
{
	struct fake_prov *fp = prov;

	if (fake_begin_list(fp->c, err))
		return -1;
	fake_report(fp, e, "subnet", true);
	return 0;
}

/* Nodes are reported by ID only (their key tag is the batch's). */
static int fake_list_node(void *prov, struct engine *e, struct cloud_err *err)
{
	struct fake_prov *fp = prov;
	size_t i;

	if (fake_begin_list(fp->c, err))
		return -1;
	for (i = 0; i < fp->c->n; i++)
		if (fp->c->r[i].live && !strcmp(fp->c->r[i].kind, "node") &&
		    !strcmp(fp->c->r[i].dep, fp->dep))
			engine_found(e, NULL, fp->c->r[i].id);
	return 0;
}

/* --------------------------------------------------------------- delete */

static bool fake_has_live_child(struct fake_cloud *c, const char *id,
				const char *kind)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->r[i].live && !strcmp(c->r[i].parent, id) &&
		    !strcmp(c->r[i].kind, kind))
			return true;
	return false;
}

static int fake_destroy(void *prov, const char *const *ids, size_t n,
			struct cloud_err *err)
{
	struct fake_cloud *c = ((struct fake_prov *)prov)->c;
	size_t i, k;

	c->destroys++;
	c->ndestroyed = 0;
	for (i = 0; i < n; i++) {
		struct fake_res *r = fake_find(c, ids[i]);

		if (c->ndestroyed < FAKE_DESTROYED_MAX)
			snprintf(c->destroyed[c->ndestroyed++],
				 sizeof(c->destroyed[0]), "%s", ids[i]);
		if (!r || !r->live)
			continue;	/* not found: deleted */
		if (fake_has_live_child(c, r->id, "subnet") ||
		    fake_has_live_child(c, r->id, "node"))
			return cloud_err_set(err, CLOUD_ERR_INVALID,
					     "DependencyViolation: %s is in "
					     "use", r->id);
		r->live = false;
		for (k = 0; k < c->n; k++)	/* routes go with the net */
			if (!strcmp(c->r[k].parent, r->id) &&
			    !strcmp(c->r[k].kind, "route"))
				c->r[k].live = false;
	}
	return 0;
}

/* -------------------------------------------------------------- creates */

/* What one create needs: the kind made and the thing it goes in. */
struct fake_arg {
	const char *kind;
	const char *parent;
};

/* net, subnet, addr: one thing with an ID (addr: the same token answers
 * the same address). */
static int fake_create(void *prov, void *arg, const char *key,
		       const char *token, char **id, struct cloud_err *err)
{
	struct fake_prov *fp = prov;
	struct fake_arg *a = arg;
	struct fake_res *r = NULL;
	size_t i;

	if (fake_begin_create(fp->c, a->kind, err))
		return -1;
	for (i = 0; !strcmp(a->kind, "addr") && i < fp->c->n && !r; i++)
		if (!strcmp(fp->c->r[i].token, token))
			r = &fp->c->r[i];
	if (!r)
		r = fake_add(fp->c, a->kind, fp->dep, key, a->parent, token);
	fake_end_create(fp->c);
	*id = xstrdup(r->id);
	return 0;
}

/* The route: a step; "already there" is success. */
static int fake_create_route(void *prov, void *arg, const char *key,
			     const char *token, char **id,
			     struct cloud_err *err)
{
	struct fake_prov *fp = prov;
	struct fake_arg *a = arg;

	if (fake_begin_create(fp->c, "route", err))
		return -1;
	if (!fake_by_key(fp->c, fp->dep, "route", key))
		fake_add(fp->c, "route", fp->dep, key, a->parent, token);
	fake_end_create(fp->c);
	*id = NULL;
	return 0;
}

/* The Name tag of the node (arg: its ID). */
static int fake_create_name(void *prov, void *arg, const char *key,
			    const char *token, char **id,
			    struct cloud_err *err)
{
	struct fake_prov *fp = prov;
	struct fake_res *r = fake_find(fp->c, arg);

	if (fake_begin_create(fp->c, "name", err))
		return -1;
	if (!r || !r->live)
		return cloud_err_set(err, CLOUD_ERR_NOT_FOUND,
				     "InvalidInstanceID.NotFound: %s",
				     (const char *)arg);
	snprintf(r->name, sizeof(r->name), "%s", key + strlen("name/"));
	fake_end_create(fp->c);
	*id = NULL;
	return 0;
}

/* One batch of nodes in the subnet arg: the instances of the token
 * (resumed: only live ones count), else new ones. */
static int fake_create_nodes(void *prov, void *arg, const char *batch_key,
			     struct node *const *nodes, size_t k,
			     const char *token, bool resumed, char **ids,
			     struct cloud_err *err)
{
	struct fake_prov *fp = prov;
	size_t i, found = 0;

	for (i = 0; i < fp->c->n && found < k; i++)
		if (!strcmp(fp->c->r[i].kind, "node") &&
		    !strcmp(fp->c->r[i].token, token) &&
		    (fp->c->r[i].live || !resumed))
			ids[found++] = xstrdup(fp->c->r[i].id);
	if (found == k)
		return 0;
	while (found)
		free(ids[--found]);
	if (fake_begin_create(fp->c, "node", err))
		return -1;
	fp->c->batches++;
	for (i = 0; i < k; i++)
		ids[i] = xstrdup(fake_add(fp->c, "node", fp->dep, batch_key,
					  arg, token)->id);
	fake_end_create(fp->c);
	return 0;
}

/* ---------------------------------------------------------------- kinds */

static const char *const fake_net_keys[] = { "net", NULL };
static const char *const fake_subnet_keys[] = { "subnet/", NULL };
static const char *const fake_route_keys[] = { "route", NULL };
static const char *const fake_addr_keys[] = { "addr/", NULL };
static const char *const fake_name_keys[] = { "name/", NULL };
static const char *const fake_after_net[] = { "net", NULL };
static const char *const fake_after_subnet[] = { "subnet", NULL };
static const char *const fake_node_companions[] = { "name/", NULL };

/* In an order a table-order teardown would fail with (net first). */
static const struct res_kind fake_net = {
	"net", fake_net_keys, NULL, false, NULL, fake_list_net, fake_destroy,
};
static const struct res_kind fake_route = {
	"route", fake_route_keys, fake_after_net, false, NULL, fake_list_net,
	NULL,
};
static const struct res_kind fake_subnet = {
	"subnet", fake_subnet_keys, fake_after_net, false, NULL,
	fake_list_subnet, fake_destroy,
};
static const struct res_kind fake_addr = {
	"addr", fake_addr_keys, NULL, false, NULL, NULL, fake_destroy,
};
static const struct res_kind fake_node = {
	"node", NULL, fake_after_subnet, true, fake_node_companions,
	fake_list_node, fake_destroy,
};
static const struct res_kind fake_name = {
	"name", fake_name_keys, NULL, false, NULL, NULL, NULL,
};
static const struct res_kind *const fake_kinds[] = {
	&fake_net, &fake_route, &fake_subnet, &fake_addr, &fake_node,
	&fake_name, NULL,
};

/* ------------------------------------------------------------- provider */

#define FAKE_ZONES 2
static const char *const fake_zones[FAKE_ZONES] = { "a", "b" };

/*
 * The provider's create over the engine, in the order of a real one:
 * reconcile; the net, a subnet per zone, the route; scale-in; one batch
 * per zone of the nodes without an instance; each node's Name tag; an
 * address for node number 1.  *listings: the engine's listing calls.
 */
static int fake_provision(struct fake_prov *fp, const char *dir,
			  const struct plan *p, bool force,
			  bool (*confirm)(const char *question),
			  size_t *listings)
{
	struct engine_opts o = { dir, fp->dep, fake_kinds, fp, force,
				 confirm, NULL };
	struct engine *e = NULL;
	struct node **batch = xcalloc(p->n + 1, sizeof(*batch));
	struct fake_arg a = { "net", NULL };
	const char *net = NULL, *subnet[FAKE_ZONES];
	char *key = NULL;
	size_t i, z, k;
	int ret = -1;

	if (engine_open(&o, &e))
		goto out;
	if (engine_reconcile(e, p) ||
	    engine_ensure(e, &fake_net, "net", "CreateNet", fake_create, &a,
			  &net))
		goto out;
	for (z = 0; z < FAKE_ZONES; z++) {
		struct fake_arg s = { "subnet", net };

		free(key);
		key = xasprintf("subnet/%s", fake_zones[z]);
		if (engine_ensure(e, &fake_subnet, key, "CreateSubnet",
				  fake_create, &s, &subnet[z]))
			goto out;
	}
	a = (struct fake_arg){ "route", net };
	if (engine_ensure(e, &fake_route, "route", "CreateRoute",
			  fake_create_route, &a, NULL) ||
	    engine_scale_in(e, &fake_node, p))
		goto out;
	for (z = 0; z < FAKE_ZONES; z++) {
		for (i = k = 0; i < p->n; i++)
			if (!strcmp(p->nodes[i].zone, fake_zones[z]) &&
			    !engine_node_id(e, p->nodes[i].name))
				batch[k++] = &p->nodes[i];
		if (!k)
			continue;
		free(key);
		key = xasprintf("batch/%s/%s", fake_zones[z], batch[0]->name);
		if (engine_ensure_nodes(e, &fake_node, key, "RunInstances",
					batch, k, fake_create_nodes,
					(void *)subnet[z]))
			goto out;
	}
	for (i = 0; i < p->n; i++) {
		const struct node *n = &p->nodes[i];

		free(key);
		key = xasprintf("name/%s", n->name);
		if (engine_ensure(e, &fake_name, key, "CreateTags",
				  fake_create_name,
				  (void *)engine_node_id(e, n->name), NULL))
			goto out;
		if (n->number != 1)
			continue;
		free(key);
		key = xasprintf("addr/%s", n->name);
		a = (struct fake_arg){ "addr", NULL };
		if (engine_ensure(e, &fake_addr, key, "AllocateAddress",
				  fake_create, &a, NULL))
			goto out;
	}
	ret = 0;
out:
	if (e && listings)
		*listings = engine_listings(e);
	engine_close(e);
	free(batch);
	free(key);
	return ret;
}

/* The provider's destroy: the engine's teardown. */
static int fake_unprovision(struct fake_prov *fp, const char *dir)
{
	struct engine_opts o = { dir, fp->dep, fake_kinds, fp, false, NULL,
				 NULL };
	struct engine *e = NULL;
	int ret;

	if (engine_open(&o, &e))
		return -1;
	ret = engine_teardown(e);
	engine_close(e);
	return ret;
}

#endif
