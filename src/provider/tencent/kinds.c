/*
 * kinds.c: what a Tencent deployment is made of, as the engine's kinds
 * (resource.h; see tencent.h): each listed by one (paged) Describe* call
 * filtered by the tag icm-deployment and known by its icm-key tag; each
 * deleted by its own Delete, Release or Terminate call, instances waited
 * for until gone.  Also the tags and the one ensure every kind shares.
 */
#include "tencent.h"
#include "../../state/log.h"
#include "../../util/str.h"

cJSON *tcz_tags(const struct tcz *t, const char *key, const char *machine)
{
	const char *kv[3][2] = {
		{ "icm-deployment", t->dep }, { "icm-key", key },
		{ "icm-machine", machine },
	};
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < 3 && kv[i][1]; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "Key", kv[i][0]);
		cJSON_AddStringToObject(o, "Value", kv[i][1]);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

void tcz_tag_filter(const struct tcz *t, cJSON *params)
{
	cJSON *fs = cJSON_AddArrayToObject(params, "Filters");
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "Name", "tag:icm-deployment");
	cJSON_AddItemToObject(f, "Values", cJSON_CreateStringArray(
				      (const char *const[]){ t->dep }, 1));
	cJSON_AddItemToArray(fs, f);
}

const char *tcz_tag(const cJSON *item, const char *k)
{
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(item, "Tags");
	const cJSON *it;

	if (!cJSON_IsArray(tags))
		tags = cJSON_GetObjectItemCaseSensitive(item, "TagSet");
	cJSON_ArrayForEach(it, tags) {
		const char *key = tcz_str(it, "Key") ?: tcz_str(it, "TagKey");

		if (key && !strcmp(key, k))
			return tcz_str(it, "Value") ?: tcz_str(it, "TagValue");
	}
	return NULL;
}

/* Reports every item of a tag-filtered listing by its icm-key and id
 * field; with skip_state, items in that state (going) are left out. */
static int list_by(struct tcz *t, struct engine *e, const char *service,
		   const char *action, const char *set, const char *id_field,
		   bool string_paging, struct cloud_err *err)
{
	cJSON *p = cJSON_CreateObject(), *items = NULL, *it;
	int ret;

	tcz_tag_filter(t, p);
	ret = tc_list(&t->api, service, strcmp(service, "clb") ? TCV_CVM :
		      TC_CLB_VERSION, t->region, action, p, set, string_paging,
		      &items, err);
	cJSON_Delete(p);
	if (ret)
		return -1;
	cJSON_ArrayForEach(it, items) {
		const char *st = tcz_str(it, "InstanceState");

		if (st && (!strcmp(st, "SHUTDOWN") ||
			   !strcmp(st, "TERMINATING")))
			continue;
		if (tcz_str(it, id_field))
			engine_found(e, tcz_tag(it, "icm-key"),
				     tcz_str(it, id_field));
	}
	cJSON_Delete(items);
	return 0;
}

static int list_vpcs(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_by(prov, e, "vpc", "DescribeVpcs", "VpcSet", "VpcId",
		       true, err);
}

static int list_subnets(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_by(prov, e, "vpc", "DescribeSubnets", "SubnetSet",
		       "SubnetId", true, err);
}

static int list_sgs(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_by(prov, e, "vpc", "DescribeSecurityGroups",
		       "SecurityGroupSet", "SecurityGroupId", false, err);
}

static int list_keypairs(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_by(prov, e, "cvm", "DescribeKeyPairs", "KeyPairSet",
		       "KeyId", false, err);
}

static int list_eips(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_by(prov, e, "vpc", "DescribeAddresses", "AddressSet",
		       "AddressId", false, err);
}

static int list_clbs(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_by(prov, e, "clb", "DescribeLoadBalancers",
		       "LoadBalancerSet", "LoadBalancerId", false, err);
}

int tcz_list_instances(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_by(prov, e, "cvm", "DescribeInstances", "InstanceSet",
		       "InstanceId", false, err);
}

/* One Delete* per id (param: its parameter name; list: as a list). */
static int delete_each(struct tcz *t, const char *service, const char *action,
		       const char *param, bool list, const char *what,
		       const char *const *ids, size_t n, struct cloud_err *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		cJSON *p = cJSON_CreateObject();
		int rc;

		say("Deleting %s %s...", what, ids[i]);
		if (list)
			cJSON_AddItemToObject(p, param, cJSON_CreateStringArray(
						      &ids[i], 1));
		else
			cJSON_AddStringToObject(p, param, ids[i]);
		rc = tcz_call(t, service, action, p, NULL, err);
		cJSON_Delete(p);
		if (rc && err->cls != CLOUD_ERR_NOT_FOUND)
			return -1;
		cloud_err_release(err);
	}
	return 0;
}

static int destroy_vpcs(void *prov, const char *const *ids, size_t n,
			struct cloud_err *err)
{
	return delete_each(prov, "vpc", "DeleteVpc", "VpcId", false, "VPC",
			   ids, n, err);
}

static int destroy_subnets(void *prov, const char *const *ids, size_t n,
			   struct cloud_err *err)
{
	return delete_each(prov, "vpc", "DeleteSubnet", "SubnetId", false,
			   "subnet", ids, n, err);
}

static int destroy_sgs(void *prov, const char *const *ids, size_t n,
		       struct cloud_err *err)
{
	return delete_each(prov, "vpc", "DeleteSecurityGroup",
			   "SecurityGroupId", false, "security group", ids, n,
			   err);
}

static int destroy_keypairs(void *prov, const char *const *ids, size_t n,
			    struct cloud_err *err)
{
	return delete_each(prov, "cvm", "DeleteKeyPairs", "KeyIds", true,
			   "key pair", ids, n, err);
}

static int destroy_eips(void *prov, const char *const *ids, size_t n,
			struct cloud_err *err)
{
	return delete_each(prov, "vpc", "ReleaseAddresses", "AddressIds", true,
			   "EIP", ids, n, err);
}

/* DeleteLoadBalancer, each followed to its end (its listeners go with
 * it). */
static int destroy_clbs(void *prov, const char *const *ids, size_t n,
			struct cloud_err *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		cJSON *p = cJSON_CreateObject();
		int rc;

		say("Deleting load balancer %s...", ids[i]);
		cJSON_AddItemToObject(p, "LoadBalancerIds",
				      cJSON_CreateStringArray(&ids[i], 1));
		rc = tcz_clb_call(prov, "DeleteLoadBalancer", p, NULL, err);
		cJSON_Delete(p);
		if (rc && err->cls != CLOUD_ERR_NOT_FOUND)
			return -1;
		cloud_err_release(err);
	}
	return 0;
}

/* TerminateInstances (100 at a time), then waits until none is listed. */
static int destroy_instances(void *prov, const char *const *ids, size_t n,
			     struct cloud_err *err)
{
	struct tcz *t = prov;
	int64_t end = http_now_ms() + TCZ_WAIT_MS;
	size_t i, k;

	for (i = 0; i < n; i += k) {
		cJSON *p = cJSON_CreateObject();
		int rc;

		k = n - i < 100 ? n - i : 100;
		for (size_t j = 0; j < k; j++)
			say("Deleting instance %s...", ids[i + j]);
		cJSON_AddItemToObject(p, "InstanceIds",
				      cJSON_CreateStringArray(&ids[i], (int)k));
		rc = tcz_call(t, "cvm", "TerminateInstances", p, NULL, err);
		cJSON_Delete(p);
		if (rc && err->cls != CLOUD_ERR_NOT_FOUND)
			return -1;
		cloud_err_release(err);
	}
	for (;;) {
		size_t left = 0;

		for (i = 0; i < n; i += k) {	/* 100 IDs a call */
			cJSON *p = cJSON_CreateObject(), *items = NULL;
			int rc;

			k = n - i < 100 ? n - i : 100;
			cJSON_AddItemToObject(p, "InstanceIds",
					      cJSON_CreateStringArray(&ids[i],
								      (int)k));
			rc = tc_list(&t->api, "cvm", TCV_CVM, t->region,
				     "DescribeInstances", p, "InstanceSet",
				     false, &items, err);
			cJSON_Delete(p);
			if (rc && err->cls != CLOUD_ERR_NOT_FOUND)
				return -1;
			cloud_err_release(err);
			left += (size_t)cJSON_GetArraySize(items);
			cJSON_Delete(items);
		}
		if (!left)
			break;
		if (http_now_ms() > end)
			return cloud_err_set(err, CLOUD_ERR_TRANSIENT, "%zu "
					     "instance%s still there after %ld "
					     "minutes", left, left == 1 ? " is" :
					     "s are", TCZ_WAIT_MS / 60000);
		http_sleep_ms(TCZ_POLL_MS);
	}
	return 0;
}

static const char *const vpc_keys[] = { "vpc", NULL };
static const char *const subnet_keys[] = { "subnet/", NULL };
static const char *const sg_keys[] = { "sg", NULL };
static const char *const keypair_keys[] = { "keypair", NULL };
static const char *const eip_keys[] = { "eip/", NULL };
static const char *const clb_keys[] = { "clb/", NULL };
static const char *const listener_keys[] = { "lsn/", NULL };
static const char *const clb_after[] = { "instance", "subnet", "VPC", NULL };
static const char *const subnet_after[] = { "VPC", NULL };
static const char *const instance_after[] = { "subnet", "security group",
					      "key pair", "EIP", NULL };

const struct res_kind tcz_kind_vpc = {
	.name = "VPC", .keys = vpc_keys, .list = list_vpcs,
	.destroy = destroy_vpcs,
};
const struct res_kind tcz_kind_subnet = {
	.name = "subnet", .keys = subnet_keys, .after = subnet_after,
	.list = list_subnets, .destroy = destroy_subnets,
};
const struct res_kind tcz_kind_sg = {
	.name = "security group", .keys = sg_keys, .list = list_sgs,
	.destroy = destroy_sgs,
};
const struct res_kind tcz_kind_keypair = {
	.name = "key pair", .keys = keypair_keys, .list = list_keypairs,
	.destroy = destroy_keypairs,
};
const struct res_kind tcz_kind_eip = {
	.name = "EIP", .keys = eip_keys, .list = list_eips,
	.destroy = destroy_eips,
};
const struct res_kind tcz_kind_instance = {
	.name = "instance", .after = instance_after, .node = true,
	.list = tcz_list_instances, .destroy = destroy_instances,
};

/* CLBs are listed by their tags; their listeners go with them (records
 * trusted). */
const struct res_kind tcz_kind_clb = {
	.name = "load balancer", .keys = clb_keys, .after = clb_after,
	.list = list_clbs, .destroy = destroy_clbs,
};
const struct res_kind tcz_kind_listener = {
	.name = "listener", .keys = listener_keys,
};

const struct res_kind *const tcz_kinds[] = {
	&tcz_kind_clb, &tcz_kind_listener, &tcz_kind_instance, &tcz_kind_eip, &tcz_kind_keypair, &tcz_kind_sg,
	&tcz_kind_subnet, &tcz_kind_vpc, NULL,
};

/* ------------------------------------------------------------- ensure */

struct ensure {
	struct tcz *t;
	const char *service, *action, *id_path;
	cJSON *params;
};

/* The string at path ("Vpc.VpcId") of o (an array's first), or NULL. */
static const char *at_path(const cJSON *o, const char *path)
{
	const char *dot = strchr(path, '.');
	char *head;
	const cJSON *sub;

	if (!dot) {
		sub = cJSON_GetObjectItemCaseSensitive(o, path);
		if (cJSON_IsArray(sub))
			sub = cJSON_GetArrayItem(sub, 0);
		return cJSON_IsString(sub) ? sub->valuestring : NULL;
	}
	head = xstrndup(path, (size_t)(dot - path));
	sub = cJSON_GetObjectItemCaseSensitive(o, head);
	free(head);
	return at_path(sub, dot + 1);
}

static int create_call(void *prov, void *arg, const char *key,
		       const char *token, char **id, struct cloud_err *err)
{
	struct ensure *en = arg;
	cJSON *r = NULL;
	const char *got;
	int ret = -1;

	(void)prov;
	(void)token;	/* a PENDING key is adopted by its tags first */
	(void)key;
	if (tcz_call(en->t, en->service, en->action, en->params, &r, err))
		goto out;
	got = at_path(r, en->id_path);
	if (!got) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "%s answered no %s",
			      en->action, en->id_path);
		goto out;
	}
	*id = xstrdup(got);
	ret = 0;
out:
	cJSON_Delete(r);
	return ret;
}

int tcz_ensure(struct tcz *t, const struct res_kind *k, const char *key,
	       const char *service, const char *action, cJSON *params,
	       const char *id_path, const char **id)
{
	struct ensure en = { t, service, action, id_path, params };
	const char *got = NULL;
	int ret = engine_ensure(t->e, k, key, action, create_call, &en, &got);

	if (id)
		*id = got;
	cJSON_Delete(params);
	return ret;
}
