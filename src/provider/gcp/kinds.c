/*
 * kinds.c: what a GCP deployment is made of, as the engine's kinds
 * (resource.h; see gcp.h): each listed by one (paginated, aggregated where
 * regional or zonal) call and known by its description "icm <dep> <key>"
 * (and, where GCE takes labels, filtered by icm-deployment); each deleted
 * by its path, the operations waited for together.  Also the one insert
 * every kind shares (gcp_ensure()).
 */
#include "gcp.h"
#include "../../state/log.h"
#include "../../util/str.h"

char *gcp_description(const struct gcp *g, const char *key)
{
	return xasprintf("icm %s %s", g->dep, key);
}

/* The key an item's description gives, when it is this deployment's. */
static const char *key_of(const struct gcp *g, const cJSON *it)
{
	const char *d = gcp_str(it, "description");
	size_t n = strlen(g->dep);

	if (!d || !str_starts(d, "icm ") || strncmp(d + 4, g->dep, n) ||
	    d[4 + n] != ' ' || !d[5 + n])
		return NULL;
	return d + 5 + n;
}

/* Reports every item of path that is this deployment's: by description,
 * or with by_label by the icm-deployment label (the key, when the
 * description gives one, else NULL). */
static int list_by(struct gcp *g, struct engine *e, const char *path,
		   bool by_label, struct cloud_err *err)
{
	cJSON *items = NULL, *it;
	char *filter = by_label ?
		xasprintf("labels.icm-deployment = \"%s\"", g->ldep) : NULL;
	int ret = gce_list(g, path, filter, &items, err);

	free(filter);
	if (ret)
		return -1;
	cJSON_ArrayForEach(it, items) {
		const char *key = key_of(g, it);
		const char *id = gce_rel(g, gcp_str(it, "selfLink"));

		if (!id || (!key && !by_label))
			continue;
		engine_found(e, key, id);
	}
	cJSON_Delete(items);
	return 0;
}

static int list_networks(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_by(prov, e, "global/networks", false, err);
}

static int list_subnets(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_by(prov, e, "aggregated/subnetworks", false, err);
}

static int list_firewalls(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_by(prov, e, "global/firewalls", false, err);
}

static int list_addresses(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_by(prov, e, "aggregated/addresses", true, err);
}

static int list_disks(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_by(prov, e, "aggregated/disks", true, err);
}

static int list_hcs(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_by(prov, e, "global/httpHealthChecks", false, err);
}

static int list_pools(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_by(prov, e, "aggregated/targetPools", false, err);
}

static int list_fwds(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_by(prov, e, "aggregated/forwardingRules", true, err);
}

int gcp_list_instances(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_by(prov, e, "aggregated/instances", true, err);
}

/* A person's words for a path ("zones/z/instances/x" -> "instance x"). */
static char *what(const char *id)
{
	static const char *const words[][2] = {
		{ "/instances/", "instance" }, { "/disks/", "disk" },
		{ "/subnetworks/", "subnet" }, { "/networks/", "network" },
		{ "/firewalls/", "firewall rule" },
		{ "/addresses/", "address" },
		{ "/httpHealthChecks/", "health check" },
		{ "/targetPools/", "target pool" },
		{ "/forwardingRules/", "forwarding rule" },
	};
	const char *name = strrchr(id, '/');
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (strstr(id, words[i][0]))
			return xasprintf("%s %s", words[i][1], name + 1);
	return xstrdup(id);
}

/* Deletes ids[0..n) (paths): every delete sent, then every operation
 * waited for.  Not found counts as deleted. */
static int destroy(void *prov, const char *const *ids, size_t n,
		   struct cloud_err *err)
{
	struct gcp *g = prov;
	cJSON **ops = xcalloc(n ? n : 1, sizeof(*ops));
	size_t i;
	int ret = -1;

	for (i = 0; i < n; i++) {
		char *w = what(ids[i]);

		say("Deleting %s...", w);
		free(w);
		if (gce_call(g, "DELETE", ids[i], NULL, NULL, &ops[i], err)) {
			if (err->cls != CLOUD_ERR_NOT_FOUND)
				goto named;
			cloud_err_release(err);
		}
	}
	for (i = 0; i < n; i++)
		if (ops[i] && gce_op_wait(g, ops[i], err) &&
		    err->cls != CLOUD_ERR_NOT_FOUND)
			goto named;
	cloud_err_release(err);
	ret = 0;
	goto out;
named:
	cloud_err_take(err, err->cls, xasprintf("%s: %s", ids[i], err->msg));
out:
	for (i = 0; i < n; i++)
		cJSON_Delete(ops[i]);
	free(ops);
	return ret;
}

static const char *const network_keys[] = { "network", NULL };
static const char *const subnet_keys[] = { "subnet/", NULL };
static const char *const firewall_keys[] = { "firewall", NULL };
static const char *const address_keys[] = { "address/", "lbaddr/", NULL };
static const char *const no_keys[] = { NULL };
static const char *const hc_keys[] = { "hc/", NULL };
static const char *const pool_keys[] = { "pool/", NULL };
static const char *const fwd_keys[] = { "fwd/", NULL };
static const char *const subnet_after[] = { "network", NULL };
static const char *const firewall_after[] = { "network", NULL };
static const char *const instance_after[] = { "subnet", "address", "disk",
					      "firewall", NULL };
static const char *const fwd_after[] = { "target pool", "address", NULL };
static const char *const pool_after[] = { "health check", "instance",
					  NULL };

const struct res_kind gcp_kind_network = {
	.name = "network", .keys = network_keys, .list = list_networks,
	.destroy = destroy,
};
const struct res_kind gcp_kind_subnet = {
	.name = "subnet", .keys = subnet_keys, .after = subnet_after,
	.list = list_subnets, .destroy = destroy,
};
const struct res_kind gcp_kind_firewall = {
	.name = "firewall", .keys = firewall_keys, .after = firewall_after,
	.list = list_firewalls, .destroy = destroy,
};
const struct res_kind gcp_kind_address = {
	.name = "address", .keys = address_keys, .list = list_addresses,
	.destroy = destroy,
};
const struct res_kind gcp_kind_instance = {
	.name = "instance", .after = instance_after, .node = true,
	.list = gcp_list_instances,
	.destroy = destroy,
};
/* Disks go with their instances (autoDelete); a disk left over (an
 * instance insert that failed half-way) is swept by its label. */
const struct res_kind gcp_kind_disk = {
	.name = "disk", .keys = no_keys, .list = list_disks,
	.destroy = destroy,
};
const struct res_kind gcp_kind_hc = {
	.name = "health check", .keys = hc_keys, .list = list_hcs,
	.destroy = destroy,
};
const struct res_kind gcp_kind_pool = {
	.name = "target pool", .keys = pool_keys, .after = pool_after,
	.list = list_pools, .destroy = destroy,
};
const struct res_kind gcp_kind_fwd = {
	.name = "forwarding rule", .keys = fwd_keys, .after = fwd_after,
	.list = list_fwds, .destroy = destroy,
};

const struct res_kind *const gcp_kinds[] = {
	&gcp_kind_fwd, &gcp_kind_pool, &gcp_kind_hc, &gcp_kind_instance,
	&gcp_kind_disk, &gcp_kind_address, &gcp_kind_firewall,
	&gcp_kind_subnet, &gcp_kind_network, NULL,
};

/* ------------------------------------------------------------- insert */

struct insert {
	struct gcp *g;
	const char *path;		/* the collection */
	cJSON *body;
};

/* An existing resource of that name: ours for key (adopted), or not. */
static int adopt(struct gcp *g, const char *path, const char *name,
		 const char *key, char **id, struct cloud_err *err)
{
	char *at = xasprintf("%s/%s", path, name);
	cJSON *o = NULL;
	const char *k;
	int ret = -1;

	if (gce_call(g, "GET", at, NULL, NULL, &o, err))
		goto out;
	k = key_of(g, o);
	if (!k || strcmp(k, key)) {
		cloud_err_set(err, CLOUD_ERR_EXISTS, "%s already exists and "
			      "is not icm's for %s (%s): delete or rename it, "
			      "or choose another Label or Tag", at, g->dep,
			      k ? "another of its resources" :
			      "its description is not icm's");
		goto out;
	}
	*id = xstrdup(gce_rel(g, gcp_str(o, "selfLink")) ?: at);
	ret = 0;
out:
	cJSON_Delete(o);
	free(at);
	return ret;
}

static int insert_call(void *prov, void *arg, const char *key,
		       const char *token, char **id, struct cloud_err *err)
{
	struct insert *in = arg;
	struct gcp *g = in->g;
	cJSON *op = NULL;
	const char *name = gcp_str(in->body, "name");
	char rid[37], *q;
	int ret = -1;

	gce_request_id(token, key, rid);
	q = xasprintf("requestId=%s", rid);
	if (gce_call(g, "POST", in->path, q, in->body, &op, err) ||
	    gce_op_wait(g, op, err)) {
		if (err->cls != CLOUD_ERR_EXISTS || !name)
			goto out;
		cloud_err_release(err);
		ret = adopt(g, in->path, name, key, id, err);
		goto out;
	}
	*id = xasprintf("%s/%s", in->path, name);
	ret = 0;
out:
	free(q);
	cJSON_Delete(op);
	return ret;
}

int gcp_ensure(struct gcp *g, const struct res_kind *k, const char *key,
	       const char *path, cJSON *body, const char **id)
{
	struct insert in = { g, path, body };
	const char *got = NULL, *coll = strrchr(path, '/');
	char *desc = gcp_description(g, key);
	char *action = xasprintf("%s.insert", coll ? coll + 1 : path);
	int ret;

	cJSON_AddStringToObject(body, "description", desc);
	free(desc);
	ret = engine_ensure(g->e, k, key, action, insert_call, &in, &got);
	free(action);
	if (id)
		*id = got;
	cJSON_Delete(body);
	return ret;
}
