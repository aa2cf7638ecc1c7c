/*
 * vms.c: an Azure definition's machines (see azure.h): the image checked
 * before anything is made, one batch per definition, Location and Zone
 * (public IPs, NICs, then VMs, each step's PUTs sent side by side and
 * their operations followed together; a resumed batch adopts the VMs that
 * succeeded and follows the operations a killed run left), and the node
 * facts of every VM.
 */
#include "azure.h"
#include "../defs.h"
#include "../volumes.h"
#include "../../config/config.h"
#include "../../node/authkey.h"
#include "../../state/log.h"
#include "../../util/buf.h"
#include "../../util/str.h"

/* The image's path for a check: CustomImage as given, or the marketplace
 * image's versions in location loc (one version, or all for latest). */
static char *image_path(const struct node *n, const char *loc)
{
	const char *v = afld(n, "Version");

	if (afld(n, "CustomImage"))
		return xstrdup(afld(n, "CustomImage"));
	return xasprintf("providers/Microsoft.Compute/locations/%s/publishers/"
			 "%s/artifacttypes/vmimage/offers/%s/skus/%s/"
			 "versions%s%s%s", loc, afld(n, "PublisherName"),
			 afld(n, "Offer") ?: "", afld(n, "Sku") ?: "",
			 v && strcmp(v, "latest") ? "/" : "",
			 v && strcmp(v, "latest") ? v : "",
			 v && strcmp(v, "latest") ? "" : "?$top=1");
}

int az_image(struct az *z)
{
	const struct node *n = z->any;
	struct cloud_err err = CLOUD_ERR_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; i < z->nlocs && !ret; i++) {
		char *path = image_path(n, z->locs[i]);
		cJSON *o = NULL;
		bool none;

		if (arm_call(&z->arm, "GET", path, AZ_API_COMPUTE, NULL, &o,
			     NULL, &err)) {
			none = err.cls == CLOUD_ERR_NOT_FOUND;
		} else {
			none = cJSON_IsArray(o) && !cJSON_GetArraySize(o);
		}
		if (none && afld(n, "CustomImage"))
			ret = error("Azure: CustomImage '%s': no such image",
				    afld(n, "CustomImage"));
		else if (none)
			ret = error("Azure: no marketplace image %s:%s:%s:%s "
				    "in Location '%s' (PublisherName, Offer, "
				    "Sku, Version)", afld(n, "PublisherName"),
				    afld(n, "Offer") ?: "",
				    afld(n, "Sku") ?: "",
				    afld(n, "Version") ?: "latest",
				    z->locs[i]);
		else if (err.cls != CLOUD_ERR_NONE)
			ret = error("Azure: the image in Location '%s': %s",
				    z->locs[i], err.msg);
		cloud_err_release(&err);
		cJSON_Delete(o);
		free(path);
	}
	return ret;
}

/* The managed disk SKU of volume vol ("OS", "Data", ...). */
static const char *disk_sku(const struct node *n, const char *vol,
			    char *buf, size_t len)
{
	const char *t;

	snprintf(buf, len, "%sVolumeType", vol);
	if ((t = afld(n, buf)))
		return t;
	snprintf(buf, len, "%s_%s", afld(n, "AccountTier") ?: "Standard",
		 afld(n, "AccountReplicationType") ?: "LRS");
	return buf;
}

static cJSON *os_disk(const struct node *n)
{
	cJSON *d = cJSON_CreateObject(), *md;
	char *name = xasprintf("%s-os", n->name), sku[64];

	cJSON_AddStringToObject(d, "name", name);
	cJSON_AddStringToObject(d, "createOption", "FromImage");
	cJSON_AddNumberToObject(d, "diskSizeGB",
				atoi(afld(n, "OSVolumeSize") ?: "32"));
	cJSON_AddStringToObject(d, "deleteOption", "Delete");
	md = cJSON_AddObjectToObject(d, "managedDisk");
	cJSON_AddStringToObject(md, "storageAccountType",
				disk_sku(n, "OS", sku, sizeof(sku)));
	free(name);
	return d;
}

/* The IRIS and Docker disks (volumes.h), lun 0 on. */
static cJSON *data_disks(const struct node *n)
{
	struct volume_want v[VOLUMES_MAX];
	size_t i, k = volumes_wanted(n, v);
	cJSON *all = cJSON_CreateArray();

	for (i = 0; i < k; i++) {
		cJSON *d = cJSON_CreateObject(), *md;
		char *name = xasprintf("%s-%s", n->name, v[i].suffix);
		char sku[64];

		cJSON_AddStringToObject(d, "name", name);
		cJSON_AddNumberToObject(d, "lun", (double)i);
		cJSON_AddStringToObject(d, "createOption", "Empty");
		cJSON_AddNumberToObject(d, "diskSizeGB", atoi(v[i].size));
		cJSON_AddStringToObject(d, "deleteOption", "Delete");
		md = cJSON_AddObjectToObject(d, "managedDisk");
		cJSON_AddStringToObject(md, "storageAccountType",
					disk_sku(n, v[i].volume, sku,
						 sizeof(sku)));
		cJSON_AddItemToArray(all, d);
		free(name);
	}
	return all;
}

/* osProfile: SSHUser with SSHPassword and the key (either form icm
 * keygen writes, node/authkey.h).  -1 reported. */
static int os_profile(const struct node *n, cJSON *pr)
{
	const char *path = afld(n, "SSHPublicKey"), *user = afld(n, "SSHUser");
	const char *why = NULL;
	struct buf key;
	cJSON *op, *lc, *ssh, *keys, *k;
	char *at;
	int ret = -1;

	buf_init(&key, AUTHKEY_FILE_CAP);
	if (authkey_read(path, &key, &why)) {
		error("SSHPublicKey '%s': %s", path, why);
		goto out;
	}
	while (key.len && key.data[key.len - 1] == '\n')
		key.data[--key.len] = '\0';
	op = cJSON_AddObjectToObject(pr, "osProfile");
	cJSON_AddStringToObject(op, "computerName", n->name);
	cJSON_AddStringToObject(op, "adminUsername", user);
	cJSON_AddStringToObject(op, "adminPassword", afld(n, "SSHPassword"));
	lc = cJSON_AddObjectToObject(op, "linuxConfiguration");
	cJSON_AddBoolToObject(lc, "disablePasswordAuthentication", false);
	ssh = cJSON_AddObjectToObject(lc, "ssh");
	keys = cJSON_AddArrayToObject(ssh, "publicKeys");
	k = cJSON_CreateObject();
	at = xasprintf("/home/%s/.ssh/authorized_keys", user);
	cJSON_AddStringToObject(k, "path", at);
	cJSON_AddStringToObject(k, "keyData", key.data);
	cJSON_AddItemToArray(keys, k);
	free(at);
	ret = 0;
out:
	buf_release(&key);
	return ret;
}

static cJSON *image_ref(const struct node *n)
{
	cJSON *r = cJSON_CreateObject();

	if (afld(n, "CustomImage")) {
		cJSON_AddStringToObject(r, "id", afld(n, "CustomImage"));
		return r;
	}
	cJSON_AddStringToObject(r, "publisher", afld(n, "PublisherName"));
	cJSON_AddStringToObject(r, "offer", afld(n, "Offer") ?: "");
	cJSON_AddStringToObject(r, "sku", afld(n, "Sku") ?: "");
	cJSON_AddStringToObject(r, "version", afld(n, "Version") ?: "latest");
	return r;
}

static void add_zone(const struct node *n, cJSON *b)
{
	if (n->zone && *n->zone)
		cJSON_AddItemToObject(b, "zones", cJSON_CreateStringArray(
					      (const char *const[]){ n->zone },
					      1));
}

/* The VM's body (-1 reported). */
static int vm_body(const struct node *n, const char *loc, const char *nic,
		   cJSON **out)
{
	cJSON *b = cJSON_CreateObject(), *pr, *sp, *np, *ni, *nip;
	int ret = -1;

	cJSON_AddStringToObject(b, "location", loc);
	add_zone(n, b);
	pr = cJSON_AddObjectToObject(b, "properties");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(pr,
							"hardwareProfile"),
				"vmSize", afld(n, "Size"));
	sp = cJSON_AddObjectToObject(pr, "storageProfile");
	cJSON_AddItemToObject(sp, "imageReference", image_ref(n));
	cJSON_AddItemToObject(sp, "osDisk", os_disk(n));
	cJSON_AddItemToObject(sp, "dataDisks", data_disks(n));
	if (os_profile(n, pr))
		goto out;
	np = cJSON_AddObjectToObject(pr, "networkProfile");
	ni = cJSON_CreateObject();
	cJSON_AddStringToObject(ni, "id", nic);
	nip = cJSON_AddObjectToObject(ni, "properties");
	cJSON_AddBoolToObject(nip, "primary", true);
	cJSON_AddStringToObject(nip, "deleteOption", "Delete");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(np, "networkInterfaces"),
			     ni);
	*out = b;
	b = NULL;
	ret = 0;
out:
	cJSON_Delete(b);
	return ret;
}

static cJSON *pip_body(const struct node *n, const char *loc)
{
	cJSON *b = cJSON_CreateObject(), *pr;

	cJSON_AddStringToObject(b, "location", loc);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(b, "sku"), "name",
				"Standard");
	add_zone(n, b);
	pr = cJSON_AddObjectToObject(b, "properties");
	cJSON_AddStringToObject(pr, "publicIPAllocationMethod", "Static");
	cJSON_AddStringToObject(pr, "publicIPAddressVersion", "IPv4");
	return b;
}

static cJSON *nic_body(const char *loc, const char *subnet,
		       const char *nsg, const char *pip)
{
	cJSON *b = cJSON_CreateObject(), *pr, *ic, *icp;

	cJSON_AddStringToObject(b, "location", loc);
	pr = cJSON_AddObjectToObject(b, "properties");
	ic = cJSON_CreateObject();
	cJSON_AddStringToObject(ic, "name", "ipconfig1");
	icp = cJSON_AddObjectToObject(ic, "properties");
	cJSON_AddStringToObject(icp, "privateIPAllocationMethod", "Dynamic");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(icp, "subnet"), "id",
				subnet);
	if (pip)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(
						icp, "publicIPAddress"),
					"id", pip);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(pr, "ipConfigurations"),
			     ic);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(
					pr, "networkSecurityGroup"), "id", nsg);
	return b;
}

/* One machine of a batch on its way. */
struct mach {
	const struct node *n;
	char *vm, *nic, *pip;		/* IDs */
	char *key;			/* node/<m> */
	bool made;			/* succeeded already (adopted) */
	bool follow;			/* an operation of a killed run */
	struct az_op op;
};

static void mach_release(struct mach *m)
{
	free(m->vm);
	free(m->nic);
	free(m->pip);
	free(m->key);
	az_op_release(&m->op);
}

/*
 * The machines that exist already (one listing of the group's VMs): a VM
 * icm made for that machine that succeeded is adopted; one in progress
 * with the operation a killed run recorded (lro/<m>) is followed; one
 * that failed is PUT again.  A VM of that name that is not icm's for the
 * machine is a conflict.
 */
static int existing(struct az *z, struct mach *ms, size_t k,
		    struct cloud_err *err)
{
	char *path = xasprintf("%s/providers/Microsoft.Compute/"
			       "virtualMachines", z->rg);
	cJSON *items = NULL, *it;
	size_t i;
	int ret = arm_list(&z->arm, path, AZ_API_COMPUTE, &items, err);

	free(path);
	if (ret)
		return -1;
	for (i = 0; i < k && !ret; i++) {
		char *lro = xasprintf("lro/%s", ms[i].n->name);
		const char *url = journal_id(z->j, lro);

		free(lro);
		cJSON_ArrayForEach(it, items) {
			const char *st = az_str(cJSON_GetObjectItemCaseSensitive(
				it, "properties"), "provisioningState");

			if (strcasecmp(az_str(it, "name") ?: "", ms[i].n->name))
				continue;
			if (!az_ours(z, it, ms[i].key)) {
				ret = cloud_err_set(err, CLOUD_ERR_EXISTS,
						    "%s: a VM of that name "
						    "exists in resource group "
						    "%s and is not icm's for "
						    "this machine: delete or "
						    "rename it, or choose "
						    "another Label or Tag",
						    ms[i].n->name, z->group);
				break;
			}
			if (st && !strcasecmp(st, "Succeeded")) {
				ms[i].made = true;
			} else if (st && strcasecmp(st, "Failed") && url) {
				ms[i].follow = true;
				ms[i].op.url = xstrdup(url);
				debug("Azure: %s: following the operation "
				      "of a previous run", ms[i].n->name);
			}
			break;
		}
	}
	cJSON_Delete(items);
	return ret;
}

/* step (0 public IPs, 1 NICs, 2 VMs) of every machine to make: PUTs side
 * by side, then their operations followed together (with the ones a
 * killed run left, at step 2).  The first failure into *err (named), the
 * others reported. */
static int step(struct az *z, struct mach *ms, size_t k, int s,
		struct cloud_err *err)
{
	struct az_op *ops = xcalloc(k ? k : 1, sizeof(*ops));
	size_t i, n = 0, failed;
	int ret = -1;

	for (i = 0; i < k; i++) {
		const struct node *nd = ms[i].n;
		char *key = NULL, *lro;
		const char *id = NULL;
		cJSON *b = NULL;
		int rc;

		if (ms[i].made || (ms[i].follow && s < 2))
			continue;
		if (ms[i].follow) {
			ops[n] = ms[i].op;
			memset(&ms[i].op, 0, sizeof(ms[i].op));
			ops[n++].what = nd->name;
			continue;
		}
		if (s == 0 && !ms[i].pip)
			continue;
		if (s == 0) {
			b = pip_body(nd, az_node_loc(z, nd));
			id = ms[i].pip;
			key = xasprintf("pip/%s", nd->name);
		} else if (s == 1) {
			size_t li = (size_t)az_loc_index(z, nd->region);
			char *vnet = NULL, *subnet = NULL;

			if (az_node_subnet(z, nd, li, &vnet, &subnet)) {
				cloud_err_set(err, CLOUD_ERR_OTHER,
					      "%s: see above", nd->name);
				goto out;
			}
			b = nic_body(z->locs[li], subnet, z->nsgs[li],
				     ms[i].pip);
			free(vnet);
			free(subnet);
			id = ms[i].nic;
			key = xasprintf("nic/%s", nd->name);
		} else {
			if (vm_body(nd, az_node_loc(z, nd), ms[i].nic, &b)) {
				cloud_err_set(err, CLOUD_ERR_OTHER,
					      "%s: see above", nd->name);
				goto out;
			}
			id = ms[i].vm;
			key = xstrdup(ms[i].key);
		}
		ops[n].what = nd->name;
		rc = az_put(z, id, key, s == 2 ? nd->name : NULL, b, &ops[n],
			    err);
		free(key);
		cJSON_Delete(b);
		if (rc) {
			cloud_err_take(err, err->cls, xasprintf("%s: %s",
				       nd->name, err->msg));
			az_wait(z, ops, n);	/* the ones started */
			goto out;
		}
		if (s == 2 && ops[n].url) {
			/* where a killed run follows it on */
			lro = xasprintf("lro/%s", nd->name);
			rc = journal_done(z->j, lro, ops[n].url);
			free(lro);
			if (rc) {
				cloud_err_set(err, CLOUD_ERR_OTHER, "the "
					      "journal: see above");
				n++;
				az_wait(z, ops, n);
				goto out;
			}
		}
		n++;
	}
	failed = az_wait(z, ops, n);
	for (i = 0; i < n; i++) {
		if (ops[i].err.cls == CLOUD_ERR_NONE)
			continue;
		if (err->cls == CLOUD_ERR_NONE)
			cloud_err_set(err, ops[i].err.cls, "%s: %s",
				      ops[i].what, ops[i].err.msg);
		else
			error("Azure: %s: %s", ops[i].what, ops[i].err.msg);
	}
	ret = failed ? -1 : 0;
out:
	for (i = 0; i < n; i++)
		az_op_release(&ops[i]);
	free(ops);
	return ret;
}

/* engine_ensure_nodes()'s create: the batch's machines (see above). */
static int vm_batch(void *prov, void *arg, const char *key,
		    struct node *const *nodes, size_t k, const char *token,
		    bool resumed, char **ids, struct cloud_err *err)
{
	struct az *z = prov;
	struct mach *ms = xcalloc(k ? k : 1, sizeof(*ms));
	size_t i;
	int s, ret = -1;

	(void)arg;
	(void)key;
	(void)token;	/* PUTs by name are their own idempotency */
	(void)resumed;	/* a fresh batch looks too: a name may be taken */
	for (i = 0; i < k; i++) {
		char *name;

		ms[i].n = nodes[i];
		ms[i].key = xasprintf("node/%s", nodes[i]->name);
		ms[i].vm = az_id(z, "Microsoft.Compute/virtualMachines",
				 nodes[i]->name);
		name = xasprintf("%s-nic", nodes[i]->name);
		ms[i].nic = az_id(z, "Microsoft.Network/networkInterfaces",
				  name);
		free(name);
		if (!afld_true(nodes[i], "PrivateSubnet")) {
			name = xasprintf("%s-ip", nodes[i]->name);
			ms[i].pip = az_id(z,
					  "Microsoft.Network/publicIPAddresses",
					  name);
			free(name);
		}
	}
	if (existing(z, ms, k, err))
		goto out;
	for (s = 0; s < 3; s++)
		if (step(z, ms, k, s, err))
			goto out;
	for (i = 0; i < k; i++)
		ids[i] = xstrdup(ms[i].vm);
	ret = 0;
out:
	for (i = 0; i < k; i++)
		mach_release(&ms[i]);
	free(ms);
	return ret;
}

/* One batch (provider_each_batch()): the machines of one location and
 * zone. */
static int apply_batch(void *arg, struct node *const *nodes, size_t k)
{
	struct az *z = arg;
	char *key = xasprintf("batch/%d/%s/%s/%s", nodes[0]->def_index,
			      az_node_loc(z, nodes[0]), nodes[0]->zone ?: "",
			      nodes[0]->name);
	int ret = engine_ensure_nodes(z->e, &az_kind_vm, key, "PUT VMs", nodes,
				      k, vm_batch, NULL);

	free(key);
	return ret;
}

/* Definition def: one batch per location and zone of its nodes, in
 * machine order; then its load balancer. */
int az_apply_definition(struct az *z, struct plan *p, int def)
{
	size_t i;
	int ret = provider_each_batch(p, def, apply_batch, z);

	for (i = 0; i < p->n && !ret; i++)
		if (p->nodes[i].def_index == def &&
		    !strcmp(p->nodes[i].role, "LB"))
			ret = az_load_balancer(z, &p->nodes[i], p);
	return ret;
}

/* The item of items named name (case as ARM compares), or NULL. */
static const cJSON *named(const cJSON *items, const char *name)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, items)
		if (!strcasecmp(az_str(it, "name") ?: "", name))
			return it;
	return NULL;
}

/* The group's resources of type (one listing). */
static int list_type(struct az *z, const char *type, cJSON **items)
{
	struct cloud_err err = CLOUD_ERR_INIT;
	char *path = xasprintf("%s/providers/%s", z->rg, type);
	int ret = 0;

	if (arm_list(&z->arm, path, az_api(path), items, &err))
		ret = error("Azure: listing %s failed: %s", type, err.msg);
	cloud_err_release(&err);
	free(path);
	return ret;
}

static const char *prop(const cJSON *o, const char *name)
{
	return az_str(cJSON_GetObjectItemCaseSensitive(o, "properties"), name);
}

int az_node_facts(struct az *z, struct plan *p)
{
	cJSON *vms = NULL, *nics = NULL, *pips = NULL;
	size_t i;
	int ret = -1;

	if (list_type(z, "Microsoft.Compute/virtualMachines", &vms) ||
	    list_type(z, "Microsoft.Network/networkInterfaces", &nics) ||
	    list_type(z, "Microsoft.Network/publicIPAddresses", &pips))
		goto out;
	for (i = 0; i < p->n; i++) {
		struct node *n = &p->nodes[i];
		char *nn = xasprintf("%s-nic", n->name);
		char *pn = xasprintf("%s-ip", n->name);
		const cJSON *vm = named(vms, n->name), *nic = named(nics, nn);
		const cJSON *pip = named(pips, pn);
		const cJSON *ic = cJSON_GetArrayItem(
			cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(nic,
								 "properties"),
				"ipConfigurations"), 0);
		const char *st = prop(vm, "provisioningState");
		const char *priv = prop(ic, "privateIPAddress");
		const char *pub = prop(pip, "ipAddress");
		int rc = 0;

		free(nn);
		free(pn);
		if (!strcmp(n->role, "LB"))
			continue;
		if (!vm || !st || strcasecmp(st, "Succeeded"))
			rc = error("Azure: VM %s is %s", n->name, !vm ?
				   "missing" : st ? st : "in no known state");
		else if (!priv)
			rc = error("Azure: VM %s has no private IP address "
				   "(network interface %s-nic)", n->name,
				   n->name);
		if (rc)
			goto out;
		provider_set_field(n, "InstanceId", prop(vm, "vmId"));
		provider_set_field(n, "PrivateIPAddress", priv);
		provider_set_field(n, "IPAddress", pub && !afld_true(n,
				   "PrivateSubnet") ? pub : priv);
	}
	ret = 0;
out:
	cJSON_Delete(vms);
	cJSON_Delete(nics);
	cJSON_Delete(pips);
	return ret;
}
