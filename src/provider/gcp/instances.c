/*
 * instances.c: a GCP definition's instances (see gcp.h): the boot image,
 * static addresses (ElasticIP), one batch per definition and zone (an
 * instances.insert per machine with its disks, its requestId from the
 * batch's token), and the wait until they run, which gives each node its
 * addresses.
 */
#include "gcp.h"
#include "../defs.h"
#include "../volumes.h"
#include "../../state/log.h"
#include "../../util/buf.h"
#include "../../node/authkey.h"
#include "../../util/str.h"

/* 0 when path (an image or an image family) exists; NOT_FOUND, or -1. */
static int image_at(struct gcp *g, const char *path, struct cloud_err *err)
{
	cJSON *o = NULL;
	int ret = gce_call(g, "GET", path, NULL, NULL, &o, err);

	cJSON_Delete(o);
	return ret;
}

/*
 * The boot image of Image: a full or partial URL as given; "P/N" an image
 * N of project P, else its image family N (the newest image of it); "N"
 * the same in Project.  Checked before anything is made.
 */
int gcp_image(struct gcp *g)
{
	const char *img = gfld(g->any, "Image");
	struct cloud_err err = CLOUD_ERR_INIT;
	const char *slash;
	char *proj = NULL, *name = NULL, *path = NULL;
	int ret = -1;

	if (!img)
		return error("GCP: Image is required");
	slash = strchr(img, '/');
	if (str_starts(img, "https://") && strstr(img, "/projects/")) {
		/* a URL: its path at the session's endpoint */
		path = xstrdup(strstr(img, "/projects/") + 1);
	} else if (str_starts(img, "https://")) {
		error("GCP: Image '%s' is a URL without /projects/", img);
		goto out;
	} else if (str_starts(img, "projects/") ||
		   str_starts(img, "global/")) {
		path = xstrdup(img);
	} else {
		proj = slash ? xstrndup(img, (size_t)(slash - img)) :
			xstrdup(g->project);
		name = xstrdup(slash ? slash + 1 : img);
		if (!*proj || !*name || strchr(name, '/')) {
			error("GCP: Image '%s' is not <project>/<image or "
			      "family>, an image of Project, or an image URL",
			      img);
			goto out;
		}
		path = xasprintf("projects/%s/global/images/%s", proj, name);
	}
	if (image_at(g, path, &err) && err.cls == CLOUD_ERR_NOT_FOUND &&
	    name) {
		free(path);
		path = xasprintf("projects/%s/global/images/family/%s", proj,
				 name);
		cloud_err_release(&err);
		if (image_at(g, path, &err) &&
		    err.cls == CLOUD_ERR_NOT_FOUND) {
			error("GCP: Image '%s': project %s has no image and no "
			      "image family named %s", img, proj, name);
			goto out;
		}
	}
	if (err.cls != CLOUD_ERR_NONE) {
		error("GCP: Image '%s': %s", img, err.msg);
		goto out;
	}
	g->image = path;
	path = NULL;
	ret = 0;
out:
	cloud_err_release(&err);
	free(proj);
	free(name);
	free(path);
	return ret;
}

/* The labels of a machine's instance and disks. */
static cJSON *labels(const struct gcp *g, const char *name)
{
	cJSON *l = cJSON_CreateObject();

	cJSON_AddStringToObject(l, "icm-deployment", g->ldep);
	cJSON_AddStringToObject(l, "icm-machine", name);
	return l;
}

/* One attached disk made with the instance (and deleted with it). */
static cJSON *disk(const struct gcp *g, const struct node *n,
		   const char *name, const char *suffix, const char *size,
		   const char *type, const char *device, bool boot)
{
	cJSON *d = cJSON_CreateObject(), *ip;
	char *dname = suffix ? xasprintf("%s-%s", name, suffix) :
		xstrdup(name);
	char *dt = xasprintf("zones/%s/diskTypes/%s", n->zone,
			     type ? type : "pd-standard");
	char *desc = xasprintf("icm %s disk/%s", g->dep, dname);

	cJSON_AddBoolToObject(d, "boot", boot);
	cJSON_AddBoolToObject(d, "autoDelete", true);
	if (device)
		cJSON_AddStringToObject(d, "deviceName", device);
	ip = cJSON_AddObjectToObject(d, "initializeParams");
	cJSON_AddStringToObject(ip, "diskName", dname);
	if (boot)
		cJSON_AddStringToObject(ip, "sourceImage", g->image);
	cJSON_AddStringToObject(ip, "diskSizeGb", size);
	cJSON_AddStringToObject(ip, "diskType", dt);
	cJSON_AddStringToObject(ip, "description", desc);
	cJSON_AddItemToObject(ip, "labels", labels(g, name));
	free(dname);
	free(dt);
	free(desc);
	return d;
}

/* The boot disk and the IRIS and Docker volumes (volumes.h). */
static cJSON *disks(const struct gcp *g, const struct node *n,
		    const char *name)
{
	struct volume_want v[VOLUMES_MAX];
	size_t i, k = volumes_wanted(n, v);
	cJSON *all = cJSON_CreateArray();

	cJSON_AddItemToArray(all, disk(g, n, name, NULL,
				       gfld(n, "OSVolumeSize") ?: "32",
				       gfld(n, "OSVolumeType"), NULL, true));
	for (i = 0; i < k; i++)
		cJSON_AddItemToArray(all, disk(g, n, name, v[i].suffix,
					       v[i].size, v[i].type,
					       v[i].device, false));
	return all;
}

/* metadata: ssh-keys "<SSHUser>:<type> <base64>", the key read in either
 * form icm keygen writes (node/authkey.h).  -1 reported. */
static int metadata(const struct node *n, cJSON *inst)
{
	const char *path = gfld(n, "SSHPublicKey"), *user = gfld(n, "SSHUser");
	const char *why = NULL;
	struct buf key;
	cJSON *md, *items, *it;
	char *v;
	int ret = -1;

	buf_init(&key, AUTHKEY_FILE_CAP);
	if (!path || !user) {
		error("GCP: SSHUser and SSHPublicKey are required");
		goto out;
	}
	if (authkey_read(path, &key, &why)) {
		error("SSHPublicKey '%s': %s", path, why);
		goto out;
	}
	while (key.len && key.data[key.len - 1] == '\n')
		key.data[--key.len] = '\0';
	md = cJSON_AddObjectToObject(inst, "metadata");
	items = cJSON_AddArrayToObject(md, "items");
	it = cJSON_CreateObject();
	v = xasprintf("%s:%s", user, key.data);
	cJSON_AddStringToObject(it, "key", "ssh-keys");
	cJSON_AddStringToObject(it, "value", v);
	free(v);
	cJSON_AddItemToArray(items, it);
	ret = 0;
out:
	buf_release(&key);
	return ret;
}

int gcp_address(struct gcp *g, const char *key, const char *region,
		const char *name, bool machine, char **ip)
{
	char *coll = xasprintf("regions/%s/addresses", region);
	cJSON *b = cJSON_CreateObject(), *o = NULL, *l;
	struct cloud_err err = CLOUD_ERR_INIT;
	const char *id = NULL;
	int ret = -1;

	*ip = NULL;
	cJSON_AddStringToObject(b, "name", name);
	if (machine) {
		cJSON_AddItemToObject(b, "labels", labels(g, name));
	} else {
		l = cJSON_AddObjectToObject(b, "labels");
		cJSON_AddStringToObject(l, "icm-deployment", g->ldep);
	}
	if (gcp_ensure(g, &gcp_kind_address, key, coll, b, &id))
		goto out;
	if (gce_call(g, "GET", id, NULL, NULL, &o, &err)) {
		error("GCP: address %s: %s", id, err.msg);
		goto out;
	}
	*ip = gcp_str(o, "address") ? xstrdup(gcp_str(o, "address")) : NULL;
	ret = *ip ? 0 : error("GCP: address %s has no IP", id);
out:
	cloud_err_release(&err);
	cJSON_Delete(o);
	free(coll);
	return ret;
}

/* The insert body of node n (-1 reported). */
static int instance_body(struct gcp *g, const struct node *n, cJSON **out)
{
	char *name = gcp_name(n->name), *region = gcp_zone_region(n->zone);
	char *mt = xasprintf("zones/%s/machineTypes/%s", n->zone,
			     gfld(n, "MachineType") ?: "");
	char *desc = xasprintf("icm %s node/%s", g->dep, n->name);
	char *nat = NULL;
	int ri = gcp_region_index(g, region), ret = -1;
	cJSON *b = cJSON_CreateObject(), *nics, *nic, *tags;

	if (ri < 0 || !g->subnets[ri]) {
		error("GCP: %s: zone %s is in no region of the deployment",
		      n->name, n->zone);
		goto out;
	}
	if (!gfld_true(n, "PrivateSubnet") && gfld_true(n, "ElasticIP")) {
		char *key = xasprintf("address/%s", n->name);
		int rc = gcp_address(g, key, region, name, true, &nat);

		free(key);
		if (rc)
			goto out;
	}
	cJSON_AddStringToObject(b, "name", name);
	cJSON_AddStringToObject(b, "description", desc);
	cJSON_AddStringToObject(b, "machineType", mt);
	cJSON_AddItemToObject(b, "labels", labels(g, name));
	tags = cJSON_AddObjectToObject(b, "tags");
	cJSON_AddItemToObject(tags, "items", cJSON_CreateStringArray(
				      (const char *const[]){ g->ldep }, 1));
	if (metadata(n, b))
		goto out;
	cJSON_AddItemToObject(b, "disks", disks(g, n, name));
	nics = cJSON_AddArrayToObject(b, "networkInterfaces");
	nic = cJSON_CreateObject();
	cJSON_AddStringToObject(nic, "subnetwork", g->subnets[ri]);
	if (!gfld_true(n, "PrivateSubnet")) {
		cJSON *acs = cJSON_AddArrayToObject(nic, "accessConfigs");
		cJSON *ac = cJSON_CreateObject();

		cJSON_AddStringToObject(ac, "type", "ONE_TO_ONE_NAT");
		cJSON_AddStringToObject(ac, "name", "External NAT");
		if (nat)
			cJSON_AddStringToObject(ac, "natIP", nat);
		cJSON_AddItemToArray(acs, ac);
	}
	cJSON_AddItemToArray(nics, nic);
	*out = b;
	b = NULL;
	ret = 0;
out:
	cJSON_Delete(b);
	free(name);
	free(region);
	free(mt);
	free(desc);
	free(nat);
	return ret;
}

/* What a batch create needs. */
struct batch {
	struct gcp *g;
	const char *zone;
};

/* The machines of nodes[0..k) that exist (a resumed batch): ids[i]. */
static int existing(struct gcp *g, const char *zone,
		    struct node *const *nodes, size_t k, char **ids,
		    struct cloud_err *err)
{
	char *path = xasprintf("zones/%s/instances", zone);
	char *filter = xasprintf("labels.icm-deployment = \"%s\"", g->ldep);
	cJSON *items = NULL, *it;
	size_t i;
	int ret = gce_list(g, path, filter, &items, err);

	free(path);
	free(filter);
	if (ret)
		return -1;
	cJSON_ArrayForEach(it, items) {
		const char *d = gcp_str(it, "description");

		for (i = 0; i < k && d; i++) {
			char *want = xasprintf("icm %s node/%s", g->dep,
					       nodes[i]->name);

			if (!ids[i] && !strcmp(d, want))
				ids[i] = xstrdup(gce_rel(g, gcp_str(it,
							"selfLink")) ?: "");
			free(want);
		}
	}
	cJSON_Delete(items);
	return 0;
}

/*
 * engine_ensure_nodes()'s create: an insert per machine (requestId from
 * token and machine; a resumed batch first adopts the machines that
 * exist, and sends the others with new requestIds: the earlier ones may
 * have failed, and GCE answers a repeated requestId with the same
 * operation), then every operation waited for.  An instance name that
 * exists is adopted when it is icm's for that machine.
 */
static int insert_batch(void *prov, void *arg, const char *key,
			struct node *const *nodes, size_t k,
			const char *token, bool resumed, char **ids,
			struct cloud_err *err)
{
	struct gcp *g = prov;
	struct batch *bt = arg;
	cJSON **ops = xcalloc(k ? k : 1, sizeof(*ops));
	char *path = xasprintf("zones/%s/instances", bt->zone);
	size_t i, failed = 0;
	int ret = -1;

	if (resumed && existing(g, bt->zone, nodes, k, ids, err))
		goto out;
	for (i = 0; i < k; i++) {
		cJSON *body = NULL;
		char rid[37], *salt, *q;
		int rc;

		if (ids[i])
			continue;
		if (instance_body(g, nodes[i], &body)) {
			cloud_err_set(err, CLOUD_ERR_OTHER, "%s: see above",
				      nodes[i]->name);
			goto out;
		}
		salt = resumed ? xasprintf("%s %lld", nodes[i]->name,
					   (long long)http_now_ms()) :
			xstrdup(nodes[i]->name);
		gce_request_id(token, salt, rid);
		free(salt);
		q = xasprintf("requestId=%s", rid);
		rc = gce_call(g, "POST", path, q, body, &ops[i], err);
		free(q);
		cJSON_Delete(body);
		if (rc && err->cls == CLOUD_ERR_EXISTS) {
			char *name = gcp_name(nodes[i]->name);

			cloud_err_release(err);
			if (existing(g, bt->zone, &nodes[i], 1, &ids[i], err)) {
				free(name);
				goto named;
			}
			if (ids[i]) {
				free(name);
				continue;
			}
			cloud_err_set(err, CLOUD_ERR_EXISTS, "an instance "
				      "named %s exists in %s and is not icm's "
				      "for this machine: delete or rename it, "
				      "or choose another Label or Tag", name,
				      bt->zone);
			free(name);
			goto named;
		}
		if (rc)
			goto named;
	}
	for (i = 0; i < k; i++) {
		struct cloud_err e = CLOUD_ERR_INIT;
		char *name;

		if (!ops[i])
			continue;
		if (gce_op_wait(g, ops[i], &e)) {
			if (!failed++)
				cloud_err_set(err, e.cls, "%s: %s",
					      nodes[i]->name, e.msg);
			else
				error("GCP: %s: %s", nodes[i]->name, e.msg);
			cloud_err_release(&e);
			continue;
		}
		name = gcp_name(nodes[i]->name);
		ids[i] = xasprintf("%s/%s", path, name);
		free(name);
	}
	ret = failed ? -1 : 0;
	goto out;
named:
	cloud_err_take(err, err->cls, xasprintf("%s: %s", nodes[i]->name,
						err->msg));
out:
	for (i = 0; i < k; i++)
		cJSON_Delete(ops[i]);
	free(ops);
	free(path);
	return ret;
}

/* One batch (provider_each_batch()): the machines of one zone. */
static int apply_batch(void *arg, struct node *const *nodes, size_t k)
{
	struct gcp *g = arg;
	struct batch bt = { g, nodes[0]->zone };
	char *key = xasprintf("batch/%d/%s/%s", nodes[0]->def_index,
			      nodes[0]->zone, nodes[0]->name);
	int ret = engine_ensure_nodes(g->e, &gcp_kind_instance, key,
				      "instances.insert", nodes, k,
				      insert_batch, &bt);

	free(key);
	return ret;
}

/* Definition def: one batch per zone of its nodes, in machine order; then
 * its load balancer. */
int gcp_apply_definition(struct gcp *g, struct plan *p, int def)
{
	size_t i;
	int ret = provider_each_batch(p, def, apply_batch, g);

	for (i = 0; i < p->n && !ret; i++)
		if (p->nodes[i].def_index == def &&
		    !strcmp(p->nodes[i].role, "LB"))
			ret = gcp_load_balancer(g, &p->nodes[i], p);
	return ret;
}

/* Node n's facts from its instance it. */
static void fill_node(struct node *n, const cJSON *it)
{
	const cJSON *nic = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(it, "networkInterfaces"), 0);
	const cJSON *ac = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(nic, "accessConfigs"), 0);
	const char *priv = gcp_str(nic, "networkIP");
	const char *pub = gcp_str(ac, "natIP");

	provider_set_field(n, "InstanceId", gcp_str(it, "id"));
	provider_set_field(n, "PrivateIPAddress", priv);
	provider_set_field(n, "IPAddress", pub && !gfld_true(n,
			   "PrivateSubnet") ? pub : priv);
}

int gcp_wait_running(struct gcp *g, struct plan *p)
{
	char *filter = xasprintf("labels.icm-deployment = \"%s\"", g->ldep);
	int64_t end = http_now_ms() + GCE_WAIT_MS;
	struct cloud_err err = CLOUD_ERR_INIT;
	int ret = -1;

	for (;;) {
		cJSON *items = NULL, *it;
		size_t i, want = 0, ready = 0;
		const char *late = NULL;

		if (gce_list(g, "aggregated/instances", filter, &items, &err)) {
			error("GCP: listing the instances failed: %s", err.msg);
			goto out;
		}
		for (i = 0; i < p->n; i++) {
			struct node *n = &p->nodes[i];
			const char *id = engine_node_id(g->e, n->name);

			if (!strcmp(n->role, "LB"))
				continue;
			want++;
			cJSON_ArrayForEach(it, items) {
				const char *st = gcp_str(it, "status");
				const char *rel = gce_rel(g, gcp_str(it,
							      "selfLink"));

				if (!id || !rel || strcmp(rel, id))
					continue;
				if (st && !strcmp(st, "RUNNING")) {
					fill_node(n, it);
					ready++;
				} else {
					late = n->name;
				}
				break;
			}
			if (!it)
				late = n->name;
		}
		cJSON_Delete(items);
		if (ready == want)
			break;
		if (http_now_ms() > end) {
			error("GCP: %s is not running after %ld minutes",
			      late ? late : "an instance",
			      GCE_WAIT_MS / 60000);
			goto out;
		}
		http_sleep_ms(GCE_POLL_MS);
	}
	ret = 0;
out:
	cloud_err_release(&err);
	free(filter);
	return ret;
}
