/*
 * inventory.c: the vSphere session and what the configuration names in
 * vCenter's inventory (see vsphere.h): datacenter, compute cluster and
 * resource pool, datastore or datastore cluster, network, the template
 * and its devices; the custom attributes; the deployment's VM folder.
 * Every lookup that finds nothing is one error naming the field and the
 * value.
 */
#include "vsphere.h"
#include "../../config/cfgint.h"
#include "../../state/log.h"
#include "../../util/secret.h"
#include "../../util/str.h"
#include "../../util/term.h"

const char *vs_fld(const struct node *n, const char *field)
{
	const char *v = node_field(n, field), *legacy;

	if (v)
		return v;
	legacy = field_legacy_name(field);
	return legacy ? node_field(n, legacy) : NULL;
}

static bool is_true(const char *v)
{
	return v && (!strcasecmp(v, "true") || !strcmp(v, "1"));
}

int vs_connect(struct vs *s)
{
	const struct node *n = s->any;
	struct vim_opts o = {
		.server = vs_fld(n, "Server"),
		.ca_file = vs_fld(n, "VSphereCAFile"),
		.insecure = is_true(vs_fld(n, "VSphereAllowUnverifiedSSL")),
	};
	const char *user = vs_fld(n, "VSphereUser");
	const char *pw = vs_fld(n, "VSpherePassword");
	struct cloud_err err = CLOUD_ERR_INIT;
	char *asked = NULL, *prompt = NULL;
	int ret = -1;

	if (!o.server || !user)
		return error("vSphere: Server and VSphereUser are required");
	if (!pw) {
		prompt = xasprintf("vCenter password for %s at %s: ", user,
				   o.server);
		if (term_prompt_secret(prompt, &asked)) {
			free(prompt);
			return error("VSpherePassword is not set and there is "
				     "no terminal to ask for it (set it in "
				     "defaults.json)");
		}
		secret_register("VSpherePassword", asked);
		pw = asked;
	}
	if (o.insecure)
		warning("VSphereAllowUnverifiedSSL is true: the identity of "
			"vCenter %s is not verified (for labs only; give its "
			"CA in VSphereCAFile instead)", o.server);
	if (vim_open(&s->v, &o, &err)) {
		error("vSphere: cannot reach vCenter %s (Server%s): %s",
		      o.server, o.ca_file ? ", VSphereCAFile" : "", err.msg);
		goto out;
	}
	if (vim_login(&s->v, user, pw, &err)) {
		error("vSphere: login to %s as %s failed: %s", o.server, user,
		      err.msg);
		goto out;
	}
	ret = 0;
out:
	freezero_str(asked);
	free(prompt);
	cloud_err_release(&err);
	return ret;
}

/* One lookup of field's value; *id allocated.  -1 reported. */
static int find(struct vs *s, const char *ctype, const char *container,
		const char *type, const char *field, const char *name,
		char **id)
{
	struct cloud_err err = CLOUD_ERR_INIT;
	int ret = -1;

	if (vim_find(&s->v, ctype, container, type, name, id, &err)) {
		error("vSphere: %s '%s': %s", field, name, err.msg);
		goto out;
	}
	if (!*id) {
		error("vSphere: %s '%s': no %s of that name in %s", field,
		      name, type, vs_fld(s->any, "Datacenter"));
		goto out;
	}
	ret = 0;
out:
	cloud_err_release(&err);
	return ret;
}

/* The value of prop of one object (allocated), or NULL reported. */
static char *prop_of(struct vs *s, const char *type, const char *id,
		     const char *prop)
{
	struct xml_node *root = NULL;
	struct cloud_err err = CLOUD_ERR_INIT;
	const char *v;
	char *out = NULL;

	if (vim_props(&s->v, type, &id, 1, prop, &root, &err)) {
		error("vSphere: %s %s: %s", type, id, err.msg);
		goto out;
	}
	v = vim_prop_text(vim_first(root), prop);
	if (!v || !*v) {
		error("vSphere: %s %s has no %s", type, id, prop);
		goto out;
	}
	out = xstrdup(v);
out:
	xml_free(root);
	cloud_err_release(&err);
	return out;
}

static bool scsi_type(const char *t)
{
	return t && (!strcmp(t, "ParaVirtualSCSIController") ||
		     !strcmp(t, "VirtualLsiLogicController") ||
		     !strcmp(t, "VirtualLsiLogicSASController") ||
		     !strcmp(t, "VirtualBusLogicController"));
}

static bool nic_type(const char *t)
{
	return t && (!strcmp(t, "VirtualVmxnet3") ||
		     !strcmp(t, "VirtualVmxnet2") ||
		     !strcmp(t, "VirtualVmxnet") ||
		     !strcmp(t, "VirtualE1000") ||
		     !strcmp(t, "VirtualE1000e") ||
		     !strcmp(t, "VirtualPCNet32") ||
		     !strcmp(t, "VirtualSriovEthernetCard") ||
		     !strcmp(t, "VirtualVmxnet3Vrdma"));
}

/* The template's controllers, the units its disks take, its NICs. */
static int template_devices(struct vs *s)
{
	struct vs_template *t = &s->tmpl;
	struct xml_node *root = NULL;
	struct cloud_err err = CLOUD_ERR_INIT;
	const struct xml_node *d, *oc;
	const char *id = t->id;
	int ret = -1;

	if (vim_props(&s->v, "VirtualMachine", &id, 1,
		      "config.hardware.device", &root, &err)) {
		error("vSphere: Template '%s': %s", vs_fld(s->any, "Template"),
		      err.msg);
		goto out;
	}
	oc = vim_first(root);
	for (d = xml_child(vim_prop(oc, "config.hardware.device"),
			   "VirtualDevice"); d; d = xml_next_same(d)) {
		const char *type = soap_type(d);
		int key = atoi(xml_text(xml_child(d, "key")) ?: "0");

		if (scsi_type(type)) {
			int bus = atoi(xml_text(xml_child(d, "busNumber")) ?:
				       "0");

			if (bus >= 0 && bus < VS_MAX_CTRL) {
				t->ctrl_key[bus] = key;
				/* unit 7 is the controller's own */
				t->used_units[bus] |= 1 << 7;
				t->nctrl++;
			}
		} else if (nic_type(type) && t->nics < 8) {
			t->nic_key[t->nics] = key;
			t->nic_type[t->nics++] = xstrdup(type);
		}
	}
	/* second pass: the units the template's disks take */
	for (d = xml_child(vim_prop(oc, "config.hardware.device"),
			   "VirtualDevice"); d; d = xml_next_same(d)) {
		int ck = atoi(xml_text(xml_child(d, "controllerKey")) ?: "0");
		const char *u = xml_text(xml_child(d, "unitNumber"));
		int bus;

		for (bus = 0; u && bus < VS_MAX_CTRL; bus++)
			if (ck && t->ctrl_key[bus] == ck && atoi(u) < 16)
				t->used_units[bus] |= 1 << atoi(u);
		if (!strcmp(soap_type(d) ?: "", "VirtualDisk"))
			t->disk_kb += atoll(xml_text(xml_child(d,
						"capacityInKB")) ?: "0");
	}
	ret = 0;
out:
	xml_free(root);
	cloud_err_release(&err);
	return ret;
}

/* The resource pool: ResourcePool (a name or a path) or the cluster's
 * root pool (also for ResourcePool "Resources"). */
static int pool(struct vs *s)
{
	const char *cl = vs_fld(s->any, "ComputeCluster");
	const char *rp = vs_fld(s->any, "ResourcePool");
	char *cluster = NULL;
	int ret = -1;

	if (find(s, "Datacenter", s->dc, "ClusterComputeResource",
		 "ComputeCluster", cl, &cluster))
		goto out;
	if (rp && strcmp(rp, "Resources")) {
		if (find(s, "ClusterComputeResource", cluster, "ResourcePool",
			 "ResourcePool", rp, &s->pool))
			goto out;
	} else if (!(s->pool = prop_of(s, "ClusterComputeResource", cluster,
				       "resourcePool"))) {
		goto out;
	}
	ret = 0;
out:
	free(cluster);
	return ret;
}

/* NetworkInterface: a standard network or a distributed port group (whose
 * switch's uuid and key a NIC backing needs). */
static int network(struct vs *s)
{
	const char *name = vs_fld(s->any, "NetworkInterface");
	struct xml_node *root = NULL;
	struct cloud_err err = CLOUD_ERR_INIT;
	const struct xml_node *oc;
	char *dvs = NULL;
	int ret = -1;

	if (!name)
		return 0;		/* the template's own */
	if (vim_list(&s->v, "Datacenter", s->dc, "Network", "name", &root,
		     &err)) {
		error("vSphere: NetworkInterface '%s': %s", name, err.msg);
		goto out;
	}
	for (oc = vim_first(root); oc; oc = vim_next(oc))
		if (vim_prop_text(oc, "name") &&
		    !strcmp(vim_prop_text(oc, "name"), name))
			break;
	if (!oc) {
		error("vSphere: NetworkInterface '%s': no network of that name "
		      "in %s", name, vs_fld(s->any, "Datacenter"));
		goto out;
	}
	s->network = xstrdup(vim_obj(oc));
	s->network_type = xstrdup(vim_moref_type(xml_child(oc, "obj")) ?:
				  "Network");
	if (!strcmp(s->network_type, "DistributedVirtualPortgroup")) {
		const char *pg = s->network;
		const struct xml_node *sw;

		xml_free(root);
		root = NULL;
		if (vim_props(&s->v, s->network_type, &pg, 1,
			      "key config.distributedVirtualSwitch", &root,
			      &err)) {
			error("vSphere: NetworkInterface '%s': %s", name,
			      err.msg);
			goto out;
		}
		sw = vim_prop(vim_first(root), "config.distributedVirtualSwitch");
		s->pg_key = xstrdup(vim_prop_text(vim_first(root), "key") ?: "");
		dvs = xstrdup(xml_text(sw) ?: "");
		/* the switch's own type (VmwareDistributedVirtualSwitch on
		 * vCenter) from its reference */
		if (!*dvs || !*s->pg_key ||
		    !(s->dvs_uuid = prop_of(s, vim_moref_type(sw) ?:
					    "DistributedVirtualSwitch", dvs,
					    "uuid")))
			goto out;
	}
	ret = 0;
out:
	free(dvs);
	xml_free(root);
	cloud_err_release(&err);
	return ret;
}

int vs_inventory(struct vs *s, bool full)
{
	const struct node *n = s->any;
	const char *ds = vs_fld(n, "DataStore"), *pod =
		vs_fld(n, "DatastoreCluster");
	const char *sdrs = vs_fld(n, "SDRSEnabled");

	if (find(s, "Folder", s->v.root_folder, "Datacenter", "Datacenter",
		 vs_fld(n, "Datacenter"), &s->dc) ||
	    !(s->vm_folder = prop_of(s, "Datacenter", s->dc, "vmFolder")) ||
	    (full && pool(s)))
		return -1;
	if (!full)
		return 0;
	if (pod && !(sdrs && !is_true(sdrs))) {
		if (find(s, "Datacenter", s->dc, "StoragePod",
			 "DatastoreCluster", pod, &s->pod))
			return -1;
	} else if (ds) {
		if (find(s, "Datacenter", s->dc, "Datastore", "DataStore", ds,
			 &s->datastore))
			return -1;
	} else {
		return error("vSphere: DataStore or DatastoreCluster is "
			     "required%s", pod ? " (SDRSEnabled is false: "
			     "give DataStore)" : "");
	}
	if (network(s) ||
	    find(s, "Datacenter", s->dc, "VirtualMachine", "Template",
		 vs_fld(n, "Template"), &s->tmpl.id) ||
	    template_devices(s))
		return -1;
	if (vs_fld(n, "NetworkInterface") && !s->tmpl.nics)
		return error("vSphere: Template '%s' has no network adapter "
			     "for NetworkInterface '%s'", vs_fld(n, "Template"),
			     vs_fld(n, "NetworkInterface"));
	return 0;
}

/* The key of custom attribute name on VirtualMachine: made, or found
 * among the manager's fields when it exists. */
static int field_key(struct vs *s, const char *name, int *key)
{
	struct buf b;
	struct xml_node *root = NULL;
	const struct xml_node *rv, *f;
	struct cloud_err err = CLOUD_ERR_INIT;
	int ret = -1;

	buf_init(&b, 1 << 16);
	if (soap_addf(&b, "<AddCustomFieldDef xmlns=\"urn:vim25\"><_this type="
		      "\"CustomFieldsManager\">%s</_this><name>%s</name>"
		      "<moType>VirtualMachine</moType></AddCustomFieldDef>",
		      s->v.fields_mgr, name))
		goto out;
	if (!vim_call(&s->v, "AddCustomFieldDef", &b, &root, &rv, &err)) {
		const char *k = xml_text(xml_child(rv, "key"));

		*key = atoi(k ? k : "0");
		ret = k && *k ? 0 : error("vSphere: AddCustomFieldDef %s: no "
					  "key in the answer", name);
		goto out;
	}
	if (err.cls != CLOUD_ERR_EXISTS) {
		error("vSphere: cannot make the custom attribute %s: %s", name,
		      err.msg);
		goto out;
	}
	xml_free(root);
	root = NULL;
	cloud_err_release(&err);
	{
		const char *id = s->v.fields_mgr;

		if (vim_props(&s->v, "CustomFieldsManager", &id, 1, "field",
			      &root, &err)) {
			error("vSphere: custom attributes: %s", err.msg);
			goto out;
		}
	}
	for (f = xml_child(vim_prop(vim_first(root), "field"),
			   "CustomFieldDef"); f; f = xml_next_same(f))
		if (xml_text(xml_child(f, "name")) &&
		    !strcmp(xml_text(xml_child(f, "name")), name)) {
			*key = atoi(xml_text(xml_child(f, "key")) ?: "0");
			ret = 0;
			goto out;
		}
	error("vSphere: the custom attribute %s exists but is not listed",
	      name);
out:
	xml_free(root);
	buf_release(&b);
	cloud_err_release(&err);
	return ret;
}

int vs_fields(struct vs *s)
{
	if (!s->v.fields_mgr)
		return error("vSphere: this vCenter has no custom attributes "
			     "(CustomFieldsManager)");
	return field_key(s, VS_FIELD_DEP, &s->key_dep) ||
	       field_key(s, VS_FIELD_MACHINE, &s->key_machine);
}

/* The deployment's folder, if it exists (FindChild of the VM folder). */
static int find_folder(struct vs *s, char **id, struct cloud_err *err)
{
	struct buf b;
	struct xml_node *root = NULL;
	const struct xml_node *rv;
	int ret = -1;

	*id = NULL;
	buf_init(&b, 1 << 16);
	if (soap_addf(&b, "<FindChild xmlns=\"urn:vim25\"><_this type=\""
		      "SearchIndex\">%s</_this><entity type=\"Folder\">%s"
		      "</entity><name>%s</name></FindChild>",
		      s->v.search_index, s->vm_folder, s->dep) ||
	    vim_call(&s->v, "FindChild", &b, &root, &rv, err))
		goto out;
	if (rv && *xml_text(rv))
		*id = xstrdup(xml_text(rv));
	ret = 0;
out:
	xml_free(root);
	buf_release(&b);
	return ret;
}

int vs_folder_list(void *prov, struct engine *e, struct cloud_err *err)
{
	struct vs *s = prov;
	char *id = NULL;

	if (find_folder(s, &id, err))
		return -1;
	if (id)
		engine_found(e, "folder", id);
	free(id);
	return 0;
}

static int make_folder(void *prov, void *arg, const char *key,
		       const char *token, char **id, struct cloud_err *err)
{
	struct vs *s = prov;
	struct buf b;
	struct xml_node *root = NULL;
	const struct xml_node *rv;
	int ret = -1;

	buf_init(&b, 1 << 16);
	if (soap_addf(&b, "<CreateFolder xmlns=\"urn:vim25\"><_this type=\""
		      "Folder\">%s</_this><name>%s</name></CreateFolder>",
		      s->vm_folder, s->dep))
		goto out;
	if (vim_call(&s->v, "CreateFolder", &b, &root, &rv, err)) {
		/* made by a run a kill cut short: take it */
		if (err->cls != CLOUD_ERR_EXISTS)
			goto out;
		cloud_err_release(err);
		if (find_folder(s, id, err))
			goto out;
		ret = *id ? 0 : cloud_err_set(err, CLOUD_ERR_OTHER, "the "
					      "folder %s exists but is not "
					      "found", s->dep);
		goto out;
	}
	if (!rv || !*xml_text(rv)) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "no folder in the answer");
		goto out;
	}
	*id = xstrdup(xml_text(rv));
	ret = 0;
out:
	xml_free(root);
	buf_release(&b);
	return ret;
}

int vs_folder(struct vs *s)
{
	const char *id = NULL;

	if (engine_ensure(s->e, &vs_kind_folder, "folder", "CreateFolder",
			  make_folder, NULL, &id))
		return -1;
	s->folder = xstrdup(id);
	return 0;
}
