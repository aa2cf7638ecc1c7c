/*
 * kinds.c: what an Azure deployment is made of, as the engine's kinds
 * (resource.h; see azure.h).  Every kind but the resource group is listed
 * by the same call, the subscription's resources filtered by the tag
 * icm-deployment (so a reconcile lists once), each known by its icm-key
 * tag; the group by the resource groups filtered the same way.  Deletes
 * are sent side by side and their operations followed together.  Also
 * the one ensure every kind shares (az_ensure()).
 */
#include "azure.h"
#include "../../cloud/sigv4.h"
#include "../../state/log.h"
#include "../../util/buf.h"
#include "../../util/str.h"

bool az_ours(const struct az *z, const cJSON *res, const char *key)
{
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(res, "tags");
	const char *d = az_str(tags, "icm-deployment");
	const char *k = az_str(tags, "icm-key");

	return d && !strcmp(d, z->dep) && (!key || (k && !strcmp(k, key)));
}

/* path?$filter=tagName eq 'icm-deployment' and tagValue eq '<dep>'
 * (quotes doubled, percent-encoded). */
static char *tag_query(const struct az *z, const char *path)
{
	size_t n = strlen(z->dep), i, k = 0;
	char *v = xmalloc(2 * n + 1), *f, *q;
	struct buf enc;

	for (i = 0; i < n; i++) {
		v[k++] = z->dep[i];
		if (z->dep[i] == '\'')
			v[k++] = '\'';
	}
	v[k] = '\0';
	f = xasprintf("tagName eq 'icm-deployment' and tagValue eq '%s'", v);
	buf_init(&enc, 8192);
	if (sigv4_uri_encode(&enc, f, strlen(f), false))
		abort();
	q = xasprintf("%s?$filter=%.*s", path, (int)enc.len, enc.data);
	buf_release(&enc);
	free(f);
	free(v);
	return q;
}

/* Reports every item (tagged dep's) by its icm-key and id; a network's
 * subnet (subnet/<loc> for vnet/<loc>, its name the network's) too. */
static void report(struct az *z, struct engine *e, const cJSON *items)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, items) {
		const cJSON *tags = cJSON_GetObjectItemCaseSensitive(it,
								     "tags");
		const char *key = az_str(tags, "icm-key");
		const char *id = az_str(it, "id");

		if (!id || !az_ours(z, it, NULL))
			continue;
		engine_found(e, key, id);
		if (key && str_starts(key, "vnet/")) {
			char *sk = xasprintf("subnet/%s", key + 5);
			char *sid = xasprintf("%s/subnets/%s", id,
					      az_str(it, "name") ?: "");

			engine_found(e, sk, sid);
			free(sk);
			free(sid);
		}
	}
}

static int list_tagged(struct az *z, struct engine *e, const char *path,
		       struct cloud_err *err)
{
	char *q = tag_query(z, path);
	cJSON *items = NULL;
	int ret = arm_list(&z->arm, q, AZ_API_RESOURCES, &items, err);

	if (!ret)
		report(z, e, items);
	cJSON_Delete(items);
	free(q);
	return ret;
}

static int list_resources(void *prov, struct engine *e,
			  struct cloud_err *err)
{
	struct az *z = prov;

	if (z->group_goes)
		return 0;	/* with the group icm made (provider.c) */
	return list_tagged(z, e, "resources", err);
}

static int list_groups(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_tagged(prov, e, "resourcegroups", err);
}

/* The name of resource id (its last segment; borrowed). */
static const char *name_of(const char *id)
{
	const char *s = strrchr(id, '/');

	return s ? s + 1 : id;
}

/* A person's words for id ("VM x", "network x"). */
static char *what(const char *id)
{
	static const char *const words[][2] = {
		{ "/virtualMachines/", "VM" },
		{ "/networkInterfaces/", "network interface" },
		{ "/publicIPAddresses/", "public IP" },
		{ "/networkSecurityGroups/", "security group" },
		{ "/virtualNetworks/", "network" },
		{ "/loadBalancers/", "load balancer" },
		{ "/disks/", "disk" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (strcasestr(id, words[i][0]))
			return xasprintf("%s %s", words[i][1], name_of(id));
	if (!strcasestr(id, "/providers/"))
		return xasprintf("resource group %s", name_of(id));
	return xstrdup(id);
}

/* DELETE ids[0..n) side by side, then follow them together. */
static int delete_all(struct az *z, const char *const *ids, size_t n,
		      struct cloud_err *err)
{
	struct az_op *ops = xcalloc(n ? n : 1, sizeof(*ops));
	char **words = xcalloc(n ? n : 1, sizeof(*words));
	size_t i;
	int ret = -1;

	for (i = 0; i < n; i++) {
		words[i] = what(ids[i]);
		ops[i].what = words[i];
		say("Deleting %s...", words[i]);
		if (az_delete(z, ids[i], &ops[i], err)) {
			cloud_err_take(err, err->cls, xasprintf("%s: %s",
				       words[i], err->msg));
			az_wait(z, ops, i);	/* the ones started */
			goto out;
		}
	}
	if (az_wait(z, ops, n)) {
		for (i = 0; i < n && ops[i].err.cls == CLOUD_ERR_NONE; i++)
			;
		cloud_err_set(err, ops[i].err.cls, "%s: %s", words[i],
			      ops[i].err.msg);
		goto out;
	}
	ret = 0;
out:
	for (i = 0; i < n; i++) {
		az_op_release(&ops[i]);
		free(words[i]);
	}
	free(ops);
	free(words);
	return ret;
}

/* A kind's destroy: ids as given (a network's subnets go with it). */
static int destroy(void *prov, const char *const *ids, size_t n,
		   struct cloud_err *err)
{
	const char **own = xcalloc(n ? n : 1, sizeof(*own));
	size_t i, k = 0;
	int ret;

	for (i = 0; i < n; i++)
		if (!strcasestr(ids[i], "/subnets/"))
			own[k++] = ids[i];
	ret = delete_all(prov, own, k, err);
	free(own);
	return ret;
}

/* The VMs' destroy: the VMs (their disks go with them), then their NICs,
 * then their public IPs (scale-in deletes only the node kind). */
static int destroy_vms(void *prov, const char *const *ids, size_t n,
		       struct cloud_err *err)
{
	struct az *z = prov;
	static const char *const parts[][2] = {
		{ "Microsoft.Network/networkInterfaces", "%s-nic" },
		{ "Microsoft.Network/publicIPAddresses", "%s-ip" },
	};
	char **more = xcalloc(n ? n : 1, sizeof(*more));
	size_t i, p;
	int ret = destroy(prov, ids, n, err);

	for (p = 0; p < ARRAY_SIZE(parts) && !ret; p++) {
		for (i = 0; i < n; i++) {
			char *name = xasprintf(parts[p][1], name_of(ids[i]));

			more[i] = az_id(z, parts[p][0], name);
			free(name);
		}
		ret = delete_all(z, (const char *const *)more, n, err);
		for (i = 0; i < n; i++)
			free(more[i]);
	}
	free(more);
	return ret;
}

static const char *const group_keys[] = { "group", NULL };
static const char *const vnet_keys[] = { "vnet/", "subnet/", NULL };
static const char *const nsg_keys[] = { "nsg/", NULL };
static const char *const pip_keys[] = { "pip/", "lbip/", NULL };
static const char *const nic_keys[] = { "nic/", NULL };
static const char *const lb_keys[] = { "lb/", NULL };
static const char *const in_group[] = { "resource group", NULL };
static const char *const nic_after[] = { "public IP", "network",
					 "security group", "resource group",
					 NULL };
static const char *const vm_after[] = { "network interface",
					"resource group", NULL };
static const char *const vm_companions[] = { "pip/", "nic/", "lro/",
					     NULL };
static const char *const lb_after[] = { "public IP", "network",
					"resource group", NULL };

const struct res_kind az_kind_group = {
	.name = "resource group", .keys = group_keys, .list = list_groups,
	.destroy = destroy,
};
const struct res_kind az_kind_vnet = {
	.name = "network", .keys = vnet_keys, .after = in_group,
	.list = list_resources, .destroy = destroy,
};
const struct res_kind az_kind_nsg = {
	.name = "security group", .keys = nsg_keys, .after = in_group,
	.list = list_resources, .destroy = destroy,
};
const struct res_kind az_kind_pip = {
	.name = "public IP", .keys = pip_keys, .after = in_group,
	.list = list_resources, .destroy = destroy,
};
const struct res_kind az_kind_nic = {
	.name = "network interface", .keys = nic_keys, .after = nic_after,
	.list = list_resources, .destroy = destroy,
};
const struct res_kind az_kind_vm = {
	.name = "VM", .after = vm_after, .node = true,
	.companions = vm_companions, .list = list_resources,
	.destroy = destroy_vms,
};
const struct res_kind az_kind_lb = {
	.name = "load balancer", .keys = lb_keys, .after = lb_after,
	.list = list_resources, .destroy = destroy,
};

const struct res_kind *const az_kinds[] = {
	&az_kind_lb, &az_kind_vm, &az_kind_nic, &az_kind_pip, &az_kind_nsg,
	&az_kind_vnet, &az_kind_group, NULL,
};

/* ------------------------------------------------------------- ensure */

/* "PUT <type>" of resource id ("PUT virtualNetworks"; allocated). */
static char *type_of(const char *id)
{
	const char *end = strrchr(id, '/'), *start = end;

	while (start && start > id && start[-1] != '/')
		start--;
	return xasprintf("PUT %.*s", start ? (int)(end - start) : 0,
			 start ? start : "");
}

struct ensure {
	struct az *z;
	const char *id;
	cJSON *body;
	bool check;
};

/* An existing resource at id that is not icm's for key: a conflict. */
static int not_theirs(struct az *z, const char *id, const char *key,
		      struct cloud_err *err)
{
	cJSON *o = NULL;
	int ret = 0;

	if (arm_call(&z->arm, "GET", id, az_api(id), NULL, &o, NULL, err)) {
		if (err->cls != CLOUD_ERR_NOT_FOUND)
			return -1;
		cloud_err_release(err);
		return 0;
	}
	if (!az_ours(z, o, key)) {
		char *w = what(id);

		ret = cloud_err_set(err, CLOUD_ERR_EXISTS, "%s already "
				    "exists and is not icm's for %s (its tags "
				    "icm-deployment/icm-key say otherwise): "
				    "delete or rename it, or choose another "
				    "Label or Tag", w, z->dep);
		free(w);
	}
	cJSON_Delete(o);
	return ret;
}

static int put_call(void *prov, void *arg, const char *key,
		    const char *token, char **id, struct cloud_err *err)
{
	struct ensure *en = arg;
	struct az_op op;
	int ret = -1;

	(void)token;	/* a PUT by name is its own idempotency */
	memset(&op, 0, sizeof(op));
	op.what = key;
	if ((en->check && not_theirs(en->z, en->id, key, err)) ||
	    az_put(en->z, en->id, key, NULL, en->body, &op, err))
		goto out;
	if (az_wait(en->z, &op, 1)) {
		cloud_err_take(err, op.err.cls, op.err.msg);
		op.err.msg = NULL;
		op.err.cls = CLOUD_ERR_NONE;
		goto out;
	}
	*id = xstrdup(en->id);
	ret = 0;
out:
	az_op_release(&op);
	return ret;
}

int az_ensure(struct az *z, const struct res_kind *k, const char *key,
	      const char *id, cJSON *body, bool check, const char **out_id)
{
	struct ensure en = { z, id, body, check };
	const char *got = NULL;
	char *action = type_of(id);
	int ret;

	ret = engine_ensure(z->e, k, key, action, put_call, &en, &got);
	free(action);
	if (out_id)
		*out_id = got;
	cJSON_Delete(body);
	return ret;
}
