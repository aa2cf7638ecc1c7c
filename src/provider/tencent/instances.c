/*
 * instances.c: a Tencent definition's instances (see tencent.h): the
 * image (ImageId, or the newest public image whose OsName matches
 * OSName), the type of each zone (InstanceType, or chosen from
 * InstanceFamily, CPUCoreCount and MemorySize among what the zone sells),
 * one batch per definition and zone (a RunInstances per machine with its
 * ClientToken), the wait until they run, and the EIPs of ElasticIP.
 */
#include "tencent.h"
#include "../defs.h"
#include "../volumes.h"
#include "../../cloud/sigv4.h"
#include "../../state/log.h"
#include "../../util/regex_cost.h"
#include "../../util/str.h"
#include <regex.h>

/* The newest public image whose OsName matches re (case ignored). */
static int image_by_name(struct tcz *t, const char *re, char **id)
{
	struct cloud_err err = CLOUD_ERR_INIT;
	cJSON *p = cJSON_CreateObject(), *items = NULL, *it, *fs, *f;
	const char *best = NULL, *best_time = "", *why;
	regex_t rx;
	int ret = -1;

	if ((why = regex_cost_check(re)) ||
	    regcomp(&rx, re, REG_EXTENDED | REG_ICASE | REG_NOSUB)) {
		cJSON_Delete(p);
		return error("Tencent: OSName '%s' is not a regular expression "
			     "icm takes (%s)", re, why ? why : "it does not "
			     "compile");
	}
	fs = cJSON_AddArrayToObject(p, "Filters");
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "Name", "image-type");
	cJSON_AddItemToObject(f, "Values", cJSON_CreateStringArray(
				      (const char *const[]){ "PUBLIC_IMAGE" },
				      1));
	cJSON_AddItemToArray(fs, f);
	if (tc_list(&t->api, "cvm", TCV_CVM, t->region, "DescribeImages", p,
		    "ImageSet", false, &items, &err)) {
		error("Tencent: the public images: %s", err.msg);
		goto out;
	}
	cJSON_ArrayForEach(it, items) {
		const char *os = tcz_str(it, "OsName");
		const char *when = tcz_str(it, "CreatedTime") ?: "";

		if (os && tcz_str(it, "ImageId") &&
		    !regexec(&rx, os, 0, NULL, 0) &&
		    strcmp(when, best_time) > 0) {
			best = tcz_str(it, "ImageId");
			best_time = when;
		}
	}
	if (!best) {
		error("Tencent: no public image in %s has an OsName matching "
		      "OSName '%s' (or give ImageId)", t->region, re);
		goto out;
	}
	*id = xstrdup(best);
	ret = 0;
out:
	regfree(&rx);
	cloud_err_release(&err);
	cJSON_Delete(p);
	cJSON_Delete(items);
	return ret;
}

int tcz_image(struct tcz *t)
{
	const char *img = tfld(t->any, "ImageId");
	struct cloud_err err = CLOUD_ERR_INIT;
	cJSON *p, *r = NULL;
	int ret = -1;

	if (!img)
		return image_by_name(t, tfld(t->any, "OSName") ?: "ubuntu",
				     &t->image);
	p = cJSON_CreateObject();
	cJSON_AddItemToObject(p, "ImageIds", cJSON_CreateStringArray(&img, 1));
	if (tcz_call(t, "cvm", "DescribeImages", p, &r, &err) ||
	    !cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r,
								 "ImageSet")))
		error("Tencent: ImageId '%s': %s", img, err.msg ? err.msg :
		      "no such image in Region");
	else
		ret = 0;
	if (!ret)
		t->image = xstrdup(img);
	cloud_err_release(&err);
	cJSON_Delete(p);
	cJSON_Delete(r);
	return ret;
}

/* The instance type for node n in its zone (allocated); NULL reported. */
static char *instance_type(struct tcz *t, const struct node *n)
{
	const char *fam = tfld(n, "InstanceFamily") ?: "S3";
	int cpu = node_field_int(n, "CPUCoreCount", 2, 1, 1024);
	int mem = node_field_int(n, "MemorySize", 4, 1, 65536);
	struct cloud_err err = CLOUD_ERR_INIT;
	cJSON *p, *r = NULL, *it, *fs, *f;
	const char *sold = NULL;
	char *out = NULL;

	if (tfld(n, "InstanceType"))
		return xstrdup(tfld(n, "InstanceType"));
	p = cJSON_CreateObject();
	fs = cJSON_AddArrayToObject(p, "Filters");
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "Name", "zone");
	cJSON_AddItemToObject(f, "Values", cJSON_CreateStringArray(
				      (const char *const[]){ n->zone }, 1));
	cJSON_AddItemToArray(fs, f);
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "Name", "instance-family");
	cJSON_AddItemToObject(f, "Values", cJSON_CreateStringArray(&fam, 1));
	cJSON_AddItemToArray(fs, f);
	if (tcz_call(t, "cvm", "DescribeZoneInstanceConfigInfos", p, &r,
		     &err)) {
		error("Tencent: the instance types of %s: %s", n->zone,
		      err.msg);
		goto out;
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(
				   r, "InstanceTypeQuotaSet")) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "Cpu");
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(it, "Memory");
		const char *st = tcz_str(it, "Status");

		if (!cJSON_IsNumber(c) || !cJSON_IsNumber(m) ||
		    c->valueint != cpu || m->valueint != mem)
			continue;
		if (st && strcmp(st, "SELL")) {
			sold = tcz_str(it, "InstanceType");
			continue;
		}
		out = xstrdup(tcz_str(it, "InstanceType") ?: "");
		break;
	}
	if (!out && sold)
		error("%s: instance type %s (InstanceFamily %s, %d CPUs, %d "
		      "GB) is sold out in zone %s: try another Zone or "
		      "InstanceFamily", n->name, sold, fam, cpu, mem, n->zone);
	else if (!out)
		error("%s: zone %s offers no InstanceFamily %s type with "
		      "CPUCoreCount %d and MemorySize %d (or give "
		      "InstanceType)", n->name, n->zone, fam, cpu, mem);
out:
	cloud_err_release(&err);
	cJSON_Delete(p);
	cJSON_Delete(r);
	return out;
}

static cJSON *disk(const char *type, const char *size)
{
	cJSON *d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "DiskType", type ? type : "CLOUD_BASIC");
	cJSON_AddNumberToObject(d, "DiskSize", atoi(size));
	return d;
}

/* RunInstances' parameters for machine n (-1 reported). */
static int run_params(struct tcz *t, const struct node *n, const char *type,
		      const char *client_token, cJSON **out)
{
	struct volume_want v[VOLUMES_MAX];
	size_t i, k = volumes_wanted(n, v);
	int zi = tcz_zone_index(t, n->zone);
	bool pub = !tfld_true(n, "PrivateSubnet") &&
		!tfld_true(n, "ElasticIP");
	cJSON *p = cJSON_CreateObject(), *o, *dd, *ts, *spec;
	char *key = xasprintf("node/%s", n->name);

	if (zi < 0 || !t->subnets[zi]) {
		free(key);
		cJSON_Delete(p);
		return error("Tencent: %s: zone %s has no subnet", n->name,
			     n->zone ? n->zone : "");
	}
	cJSON_AddStringToObject(p, "ClientToken", client_token);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "Placement"),
				"Zone", n->zone);
	cJSON_AddStringToObject(p, "ImageId", t->image);
	cJSON_AddStringToObject(p, "InstanceType", type);
	cJSON_AddItemToObject(p, "SystemDisk",
			      disk(tfld(n, "OSVolumeType"),
				   tfld(n, "OSVolumeSize") ?: "50"));
	dd = cJSON_AddArrayToObject(p, "DataDisks");
	for (i = 0; i < k; i++)
		cJSON_AddItemToArray(dd, disk(v[i].type, v[i].size));
	o = cJSON_AddObjectToObject(p, "VirtualPrivateCloud");
	cJSON_AddStringToObject(o, "VpcId", t->vpc);
	cJSON_AddStringToObject(o, "SubnetId", t->subnets[zi]);
	o = cJSON_AddObjectToObject(p, "InternetAccessible");
	cJSON_AddStringToObject(o, "InternetChargeType",
				"TRAFFIC_POSTPAID_BY_HOUR");
	cJSON_AddNumberToObject(o, "InternetMaxBandwidthOut",
				pub ? TCZ_BANDWIDTH : 0);
	cJSON_AddBoolToObject(o, "PublicIpAssigned", pub);
	cJSON_AddStringToObject(p, "InstanceName", n->name);
	cJSON_AddNumberToObject(p, "InstanceCount", 1);
	o = cJSON_AddObjectToObject(p, "LoginSettings");
	cJSON_AddItemToObject(o, "KeyIds", cJSON_CreateStringArray(
				      (const char *const *)&t->keypair, 1));
	cJSON_AddItemToObject(p, "SecurityGroupIds", cJSON_CreateStringArray(
				      (const char *const *)&t->sg, 1));
	ts = cJSON_AddArrayToObject(p, "TagSpecification");
	spec = cJSON_CreateObject();
	cJSON_AddStringToObject(spec, "ResourceType", "instance");
	cJSON_AddItemToObject(spec, "Tags", tcz_tags(t, key, n->name));
	cJSON_AddItemToArray(ts, spec);
	free(key);
	*out = p;
	return 0;
}

/*
 * engine_ensure_nodes()'s create: a RunInstances per machine, its
 * ClientToken the hash of the batch's token and the machine (64 hex
 * characters at most: Tencent's limit), so a resumed batch gets back the
 * instances the killed run made and makes nothing twice.
 */
static int run_batch(void *prov, void *arg, const char *key,
		     struct node *const *nodes, size_t k, const char *token,
		     bool resumed, char **ids, struct cloud_err *err)
{
	struct tcz *t = prov;
	char *type = NULL;
	size_t i;
	int ret = -1;

	(void)arg;
	(void)key;
	(void)resumed;	/* the same ClientTokens: Tencent answers the same */
	if (k && !(type = instance_type(t, nodes[0]))) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "%s: see above",
			      nodes[0]->name);
		goto out;
	}
	for (i = 0; i < k; i++) {
		char *salt = xasprintf("%s %s", token, nodes[i]->name);
		char ct[65];
		cJSON *p = NULL, *r = NULL;
		const char *id;
		int rc;

		sigv4_sha256_hex(salt, strlen(salt), ct);
		free(salt);
		ct[40] = '\0';
		if (run_params(t, nodes[i], type, ct, &p)) {
			cloud_err_set(err, CLOUD_ERR_OTHER, "%s: see above",
				      nodes[i]->name);
			goto out;
		}
		rc = tcz_call(t, "cvm", "RunInstances", p, &r, err);
		cJSON_Delete(p);
		id = NULL;
		if (!rc) {
			const cJSON *set = cJSON_GetObjectItemCaseSensitive(
				r, "InstanceIdSet");
			const cJSON *first = cJSON_GetArrayItem(set, 0);

			id = cJSON_IsString(first) ? first->valuestring : NULL;
			if (!id)
				rc = cloud_err_set(err, CLOUD_ERR_OTHER,
						   "RunInstances answered no "
						   "InstanceIdSet");
		}
		if (!rc)
			ids[i] = xstrdup(id);
		cJSON_Delete(r);
		if (rc) {
			cloud_err_take(err, err->cls, xasprintf("%s: %s",
				       nodes[i]->name, err->msg));
			goto out;
		}
	}
	ret = 0;
out:
	free(type);
	return ret;
}

/* One batch (provider_each_batch()): the machines of one zone. */
static int apply_batch(void *arg, struct node *const *nodes, size_t k)
{
	struct tcz *t = arg;
	char *key = xasprintf("batch/%d/%s/%s", nodes[0]->def_index,
			      nodes[0]->zone ?: "", nodes[0]->name);
	int ret = engine_ensure_nodes(t->e, &tcz_kind_instance, key,
				      "RunInstances", nodes, k, run_batch,
				      NULL);

	free(key);
	return ret;
}

/* Definition def: one batch per zone of its nodes, in machine order. */
int tcz_apply_definition(struct tcz *t, struct plan *p, int def)
{
	return provider_each_batch(p, def, apply_batch, t);
}

/* The first string of array name of o, or NULL. */
static const char *first_of(const cJSON *o, const char *name)
{
	const cJSON *f = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(o, name), 0);

	return cJSON_IsString(f) ? f->valuestring : NULL;
}

/* ElasticIP: machine n's EIP (made once, kept), bound to its instance;
 * *ip its address (allocated).  -1 reported. */
static int eip(struct tcz *t, const struct node *n, const char *instance,
	       char **ip)
{
	char *key = xasprintf("eip/%s", n->name);
	struct cloud_err err = CLOUD_ERR_INIT;
	cJSON *p = cJSON_CreateObject(), *r = NULL, *e;
	const char *id = NULL, *bound;
	int ret = -1;

	cJSON_AddNumberToObject(p, "AddressCount", 1);
	cJSON_AddItemToObject(p, "Tags", tcz_tags(t, key, n->name));
	if (tcz_ensure(t, &tcz_kind_eip, key, "vpc", "AllocateAddresses", p,
		       "AddressSet", &id))
		goto out;
	p = cJSON_CreateObject();
	cJSON_AddItemToObject(p, "AddressIds", cJSON_CreateStringArray(&id, 1));
	if (tcz_call(t, "vpc", "DescribeAddresses", p, &r, &err)) {
		error("Tencent: EIP %s: %s", id, err.msg);
		goto out;
	}
	e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r,
								"AddressSet"),
			       0);
	bound = tcz_str(e, "InstanceId");
	if (!tcz_str(e, "AddressIp")) {
		error("Tencent: EIP %s has no address", id);
		goto out;
	}
	*ip = xstrdup(tcz_str(e, "AddressIp"));
	if (!bound || strcmp(bound, instance)) {
		cJSON_Delete(p);
		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "AddressId", id);
		cJSON_AddStringToObject(p, "InstanceId", instance);
		if (tcz_call(t, "vpc", "AssociateAddress", p, NULL, &err)) {
			error("Tencent: binding EIP %s to %s: %s", id,
			      n->name, err.msg);
			free(*ip);
			*ip = NULL;
			goto out;
		}
	}
	ret = 0;
out:
	cloud_err_release(&err);
	cJSON_Delete(p);
	cJSON_Delete(r);
	free(key);
	return ret;
}

/* Node n's facts from its instance it (and its EIP). */
static int fill_node(struct tcz *t, struct node *n, const cJSON *it)
{
	const char *priv = first_of(it, "PrivateIpAddresses");
	const char *pub = first_of(it, "PublicIpAddresses");
	char *eip_ip = NULL;

	if (!tfld_true(n, "PrivateSubnet") && tfld_true(n, "ElasticIP") &&
	    eip(t, n, tcz_str(it, "InstanceId"), &eip_ip))
		return -1;
	provider_set_field(n, "InstanceId", tcz_str(it, "InstanceId"));
	provider_set_field(n, "PrivateIPAddress", priv);
	provider_set_field(n, "IPAddress", tfld_true(n, "PrivateSubnet") ?
			   priv : eip_ip ? eip_ip : pub ? pub : priv);
	free(eip_ip);
	return 0;
}

int tcz_wait_running(struct tcz *t, struct plan *p)
{
	int64_t end = http_now_ms() + TCZ_WAIT_MS;
	struct cloud_err err = CLOUD_ERR_INIT;
	int ret = -1;

	for (;;) {
		cJSON *q = cJSON_CreateObject(), *items = NULL, *it;
		size_t i, want = 0, ready = 0;
		const char *late = NULL;

		tcz_tag_filter(t, q);
		if (tc_list(&t->api, "cvm", TCV_CVM, t->region,
			    "DescribeInstances", q, "InstanceSet", false,
			    &items, &err)) {
			cJSON_Delete(q);
			error("Tencent: listing the instances failed: %s",
			      err.msg);
			goto out;
		}
		cJSON_Delete(q);
		for (i = 0; i < p->n; i++) {
			const char *id = engine_node_id(t->e, p->nodes[i].name);

			if (!strcmp(p->nodes[i].role, "LB"))
				continue;
			want++;
			late = p->nodes[i].name;
			cJSON_ArrayForEach(it, items) {
				const char *st = tcz_str(it, "InstanceState");

				if (!id || strcmp(tcz_str(it, "InstanceId") ?:
						  "", id))
					continue;
				if (st && !strcmp(st, "RUNNING"))
					ready++, late = NULL;
				break;
			}
		}
		if (ready == want) {
			for (i = 0; i < p->n; i++) {
				const char *id = engine_node_id(
					t->e, p->nodes[i].name);

				cJSON_ArrayForEach(it, items)
					if (id && !strcmp(tcz_str(
						it, "InstanceId") ?: "", id) &&
					    fill_node(t, &p->nodes[i], it)) {
						cJSON_Delete(items);
						goto out;
					}
			}
			cJSON_Delete(items);
			break;
		}
		cJSON_Delete(items);
		if (http_now_ms() > end) {
			error("Tencent: %s is not running after %ld minutes",
			      late ? late : "an instance",
			      TCZ_WAIT_MS / 60000);
			goto out;
		}
		http_sleep_ms(TCZ_POLL_MS);
	}
	ret = 0;
out:
	cloud_err_release(&err);
	return ret;
}
