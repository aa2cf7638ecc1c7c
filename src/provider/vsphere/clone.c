/*
 * clone.c: a definition's VMs (see vsphere.h): the clone spec (hardware,
 * disks on their controllers, network, guest customization), storage DRS
 * placement, the free-space check, the clones started together and
 * waited for, the custom attributes; then the wait for each guest's IP
 * address.
 */
#include "vsphere.h"
#include "../defs.h"
#include "../resize.h"
#include "../../state/log.h"
#include "../../util/str.h"
#include <arpa/inet.h>
#include <strings.h>
#include <time.h>

#define SPEC_CAP (1u << 20)
#define MINUTE_MS 60000L

static const char *const vols[] = { "Data", "WIJ", "Journal1", "Journal2",
				    "Docker" };

static long minutes(const struct node *n, const char *field)
{
	const char *v = vs_fld(n, field);

	return v ? atol(v) : 0;
}

/* The size in GB of volume vols[i] on n, 0 when n gets no such disk. */
static long long vol_gb(const struct node *n, size_t i)
{
	char f[64];
	const char *dev, *size;

	snprintf(f, sizeof(f), "%sDeviceName", vols[i]);
	dev = vs_fld(n, f);
	snprintf(f, sizeof(f), "%sVolumeSize", vols[i]);
	size = vs_fld(n, f);
	if (!size || !volume_is_device(dev) ||
	    (i < 4 && !role_is_iris(n->role)))
		return 0;
	return atoll(size);
}

/* n's position among its definition's machines (IPv4Addresses' index). */
static size_t def_position(const struct plan *p, const struct node *n)
{
	size_t i, k = 0;

	for (i = 0; i < p->n && &p->nodes[i] != n; i++)
		if (p->nodes[i].def_index == n->def_index &&
		    strcmp(p->nodes[i].role, "LB"))
			k++;
	return k;
}

/* The fixed IPv4 address of n (allocated), or NULL for DHCP. */
static char *fixed_ip(const struct plan *p, const struct node *n)
{
	const char *list = vs_fld(n, "IPv4Addresses");
	size_t want = def_position(p, n), k = 0;
	char *s, *w, *save = NULL, *out = NULL;

	if (!list)
		return NULL;
	s = xstrdup(list);
	for (w = strtok_r(s, ", ", &save); w; w = strtok_r(NULL, ", ", &save))
		if (k++ == want) {
			out = xstrdup(w);
			break;
		}
	free(s);
	return out;
}

static void netmask(const struct node *n, char out[INET_ADDRSTRLEN])
{
	long bits = atol(vs_fld(n, "IPv4Netmask") ?: "24");
	struct in_addr a;

	if (bits < 1 || bits > 32)
		bits = 24;
	a.s_addr = htonl(bits == 32 ? 0xffffffffu :
			 ~(0xffffffffu >> bits));
	inet_ntop(AF_INET, &a, out, INET_ADDRSTRLEN);
}

/* The SCSI controllers: the template's by bus, added ParaVirtual ones
 * (keys -100 - bus) up to SCSIControllerCount.  *key[bus] set. */
static int controllers(struct vs *s, const struct node *n, struct buf *b,
		       int key[VS_MAX_CTRL], int *count)
{
	int bus;

	*count = atoi(vs_fld(n, "SCSIControllerCount") ?: "1");
	if (*count < 1 || *count > VS_MAX_CTRL)
		*count = 1;
	for (bus = 0; bus < *count; bus++) {
		key[bus] = s->tmpl.ctrl_key[bus];
		if (key[bus])
			continue;
		key[bus] = -100 - bus;
		if (soap_addf(b, "<deviceChange><operation>add</operation>"
			      "<device xsi:type=\"ParaVirtualSCSIController\">"
			      "<key>%d</key><busNumber>%d</busNumber>"
			      "<sharedBus>noSharing</sharedBus></device>"
			      "</deviceChange>", key[bus], bus))
			return -1;
	}
	return 0;
}

/* One disk per IRIS volume, on its controller's next free unit. */
static int disks(struct vs *s, const struct node *n, struct buf *b,
		 const int key[VS_MAX_CTRL], int count)
{
	const char *policy = vs_fld(n, "DiskPolicy") ?: "lazy";
	bool thin = !strcmp(policy, "thin");
	bool eager = !strcmp(policy, "eagerZeroedThick");
	int used[VS_MAX_CTRL];
	size_t i;
	int k = -200;

	memcpy(used, s->tmpl.used_units, sizeof(used));
	for (i = 0; i < ARRAY_SIZE(vols); i++) {
		long long gb = vol_gb(n, i);
		char f[64];
		int bus, unit;

		if (!gb)
			continue;
		snprintf(f, sizeof(f), "%sVolumeSCSIController", vols[i]);
		bus = atoi(vs_fld(n, f) ?: "1") - 1;
		if (bus < 0 || bus >= count)
			return error("vSphere: %s: %s %d is more than "
				     "SCSIControllerCount %d", n->name, f,
				     bus + 1, count);
		for (unit = 0; unit < 16 && (used[bus] & (1 << unit)); unit++)
			;
		if (unit == 16)
			return error("vSphere: %s: SCSI controller %d has no "
				     "free unit for the %s disk", n->name,
				     bus + 1, vols[i]);
		used[bus] |= 1 << unit;
		if (soap_addf(b, "<deviceChange><operation>add</operation>"
			      "<fileOperation>create</fileOperation><device "
			      "xsi:type=\"VirtualDisk\"><key>%d</key><backing "
			      "xsi:type=\"VirtualDiskFlatVer2BackingInfo\">"
			      "<fileName></fileName><diskMode>persistent"
			      "</diskMode><thinProvisioned>%r</thinProvisioned>"
			      "<eagerlyScrub>%r</eagerlyScrub></backing>"
			      "<controllerKey>%d</controllerKey><unitNumber>%d"
			      "</unitNumber><capacityInKB>%lld</capacityInKB>"
			      "</device></deviceChange>", k--,
			      thin ? "true" : "false", eager ? "true" : "false",
			      key[bus], unit, gb * 1024 * 1024))
			return -1;
	}
	return 0;
}

/* The first network adapter on NetworkInterface. */
static int nic(struct vs *s, struct buf *b)
{
	if (!s->network)
		return 0;
	if (soap_addf(b, "<deviceChange><operation>edit</operation><device "
		      "xsi:type=\"%s\"><key>%d</key><deviceInfo><label>"
		      "Network adapter 1</label><summary>%s</summary>"
		      "</deviceInfo>", s->tmpl.nic_type[0], s->tmpl.nic_key[0],
		      vs_fld(s->any, "NetworkInterface")))
		return -1;
	if (s->dvs_uuid)
		return soap_addf(b, "<backing xsi:type=\"VirtualEthernetCard"
				 "DistributedVirtualPortBackingInfo\"><port>"
				 "<switchUuid>%s</switchUuid><portgroupKey>%s"
				 "</portgroupKey></port></backing></device>"
				 "</deviceChange>", s->dvs_uuid, s->pg_key);
	return soap_addf(b, "<backing xsi:type=\"VirtualEthernetCardNetwork"
			 "BackingInfo\"><deviceName>%s</deviceName><network "
			 "type=\"Network\">%s</network></backing></device>"
			 "</deviceChange>", vs_fld(s->any, "NetworkInterface"),
			 s->network);
}

/* A comma list field as repeated <tag> elements. */
static int each_of(struct buf *b, const struct node *n, const char *field,
		   const char *tag)
{
	const char *v = vs_fld(n, field);
	char *s, *w, *save = NULL;
	int r = 0;

	if (!v)
		return 0;
	s = xstrdup(v);
	for (w = strtok_r(s, ", ", &save); w && !r;
	     w = strtok_r(NULL, ", ", &save))
		r = soap_addf(b, "<%r>%s</%r>", tag, w, tag);
	free(s);
	return r;
}

/* LinuxPrep: host name, domain, DNS, each NIC's address. */
static int customization(struct vs *s, const struct plan *p,
			 const struct node *n, struct buf *b)
{
	char *ip = fixed_ip(p, n);
	char mask[INET_ADDRSTRLEN];
	int i, r;

	netmask(n, mask);
	r = soap_addf(b, "<customization><identity xsi:type=\""
		      "CustomizationLinuxPrep\"><hostName xsi:type=\""
		      "CustomizationFixedName\"><name>%s</name></hostName>"
		      "<domain>%s</domain></identity><globalIPSettings>",
		      n->name, vs_fld(n, "Domain") ?: "localdomain") ||
	    each_of(b, n, "DNSSuffixes", "dnsSuffixList") ||
	    each_of(b, n, "DNSServers", "dnsServerList") ||
	    soap_addf(b, "</globalIPSettings>");
	for (i = 0; i < (s->tmpl.nics ? s->tmpl.nics : 1) && !r; i++) {
		if (i == 0 && ip)
			r = soap_addf(b, "<nicSettingMap><adapter><ip xsi:type="
				      "\"CustomizationFixedIp\"><ipAddress>%s"
				      "</ipAddress></ip><subnetMask>%s"
				      "</subnetMask>", ip, mask) ||
			    (vs_fld(n, "IPv4Gateway") &&
			     soap_addf(b, "<gateway>%s</gateway>",
				       vs_fld(n, "IPv4Gateway"))) ||
			    soap_addf(b, "</adapter></nicSettingMap>");
		else
			r = soap_addf(b, "<nicSettingMap><adapter><ip xsi:type="
				      "\"CustomizationDhcpIpGenerator\"/>"
				      "</adapter></nicSettingMap>");
	}
	free(ip);
	return r || soap_addf(b, "</customization>");
}

/* A VirtualMachineCloneSpec for n; datastore NULL: placement decides. */
static int clone_spec(struct vs *s, const struct plan *p,
		      const struct node *n, const char *datastore,
		      struct buf *b)
{
	int key[VS_MAX_CTRL], count;

	if (soap_addf(b, "<location>") ||
	    (datastore && soap_addf(b, "<datastore type=\"Datastore\">%s"
				    "</datastore>", datastore)) ||
	    soap_addf(b, "<pool type=\"ResourcePool\">%s</pool></location>"
		      "<template>false</template><config>", s->pool) ||
	    (vs_fld(n, "GuestID") && soap_addf(b, "<guestId>%s</guestId>",
					       vs_fld(n, "GuestID"))) ||
	    (vs_fld(n, "VCPU") && soap_addf(b, "<numCPUs>%s</numCPUs>",
					    vs_fld(n, "VCPU"))) ||
	    (vs_fld(n, "Memory") && soap_addf(b, "<memoryMB>%s</memoryMB>",
					      vs_fld(n, "Memory"))) ||
	    controllers(s, n, b, key, &count) || disks(s, n, b, key, count) ||
	    nic(s, b) || soap_addf(b, "</config>") ||
	    customization(s, p, n, b) ||
	    soap_addf(b, "<powerOn>true</powerOn>"))
		return -1;
	return 0;
}

/* Storage DRS: the datastore of DatastoreCluster it recommends for n's
 * clone (allocated).  -1 with err. */
static int recommend(struct vs *s, const struct plan *p,
		     const struct node *n, char **ds, struct cloud_err *err)
{
	const char *lvl = vs_fld(n, "SDRSAutomationLevel");
	const char *aff = vs_fld(n, "SDRSIntraVMAffinity");
	struct buf b, spec;
	struct xml_node *root = NULL;
	const struct xml_node *rv, *a;
	const char *d;
	int ret = -1;

	*ds = NULL;
	buf_init(&b, SPEC_CAP);
	buf_init(&spec, SPEC_CAP);
	if (clone_spec(s, p, n, NULL, &spec) ||
	    soap_addf(&b, "<RecommendDatastores xmlns=\"urn:vim25\"><_this "
		      "type=\"StorageResourceManager\">%s</_this><storageSpec>"
		      "<type>clone</type><vm type=\"VirtualMachine\">%s</vm>"
		      "<podSelectionSpec>", s->v.storage_mgr, s->tmpl.id))
		goto big;
	if ((lvl || aff) &&
	    (soap_addf(&b, "<initialVmConfig><storagePod type=\"StoragePod\">"
		       "%s</storagePod><vmConfig><enabled>true</enabled>",
		       s->pod) ||
	     (lvl && soap_addf(&b, "<behavior>%s</behavior>", lvl)) ||
	     (aff && soap_addf(&b, "<intraVmAffinity>%s</intraVmAffinity>",
			       aff)) ||
	     soap_addf(&b, "</vmConfig></initialVmConfig>")))
		goto big;
	if (soap_addf(&b, "<storagePod type=\"StoragePod\">%s</storagePod>"
		      "</podSelectionSpec><cloneSpec>%r</cloneSpec><cloneName>"
		      "%s</cloneName><folder type=\"Folder\">%s</folder>"
		      "</storageSpec></RecommendDatastores>", s->pod,
		      spec.data, n->name, s->folder))
		goto big;
	if (vim_call(&s->v, "RecommendDatastores", &b, &root, &rv, err))
		goto out;
	a = xml_child(xml_child(rv, "recommendations"), "action");
	d = xml_text(xml_child(a, "destination"));
	if (!d || !*d)
		d = xml_text(xml_path(a, "relocateSpec/datastore"));
	if (!d || !*d) {
		cloud_err_set(err, CLOUD_ERR_INVALID, "storage DRS recommends "
			      "no datastore of DatastoreCluster '%s' (%s)",
			      vs_fld(n, "DatastoreCluster"),
			      xml_text(xml_path(rv, "drsFault/reason")) ?:
			      "no recommendation");
		goto out;
	}
	*ds = xstrdup(d);
	ret = 0;
	goto out;
big:
	cloud_err_set(err, CLOUD_ERR_OTHER, "RecommendDatastores: request too "
		      "large");
out:
	xml_free(root);
	buf_release(&b);
	buf_release(&spec);
	return ret;
}

/* Refuses, before any clone, disks that do not fit their datastores'
 * free space: one error naming the datastore, its field and the need. */
static int check_space(struct vs *s, struct node *const *nodes, size_t k,
		       char **ds, struct cloud_err *err)
{
	size_t i, j;

	for (i = 0; i < k; i++) {
		struct xml_node *root = NULL;
		const struct xml_node *oc;
		long long need = 0, freeb;
		const char *name;
		bool seen = false;

		for (j = 0; j < i; j++)
			seen |= !strcmp(ds[j], ds[i]);
		if (seen)
			continue;
		for (j = 0; j < k; j++) {
			size_t v;

			if (strcmp(ds[j], ds[i]))
				continue;
			need += s->tmpl.disk_kb << 10;
			for (v = 0; v < ARRAY_SIZE(vols); v++)
				need += vol_gb(nodes[j], v) << 30;
		}
		if (vim_props(&s->v, "Datastore", (const char **)&ds[i], 1,
			      "name summary.freeSpace", &root, err))
			return -1;
		oc = vim_first(root);
		name = vim_prop_text(oc, "name");
		freeb = atoll(vim_prop_text(oc, "summary.freeSpace") ?: "-1");
		if (freeb >= 0 && need > freeb) {
			cloud_err_set(err, CLOUD_ERR_INVALID, "datastore %s "
				      "(%s) is full: %lld GB free, the disks "
				      "of %s%s need %lld GB (the template's "
				      "and *VolumeSize)",
				      name ? name : ds[i], s->pod ?
				      "DatastoreCluster" : "DataStore",
				      freeb >> 30, nodes[0]->name,
				      k > 1 ? " and the others" : "",
				      need >> 30);
			xml_free(root);
			return -1;
		}
		xml_free(root);
	}
	return 0;
}

int vs_mark(struct vs *s, const char *id, const char *machine,
	    struct cloud_err *err)
{
	const char *val[2] = { s->dep, machine };
	int key[2] = { s->key_dep, s->key_machine }, i;

	for (i = 0; i < 2; i++) {
		struct buf b;
		struct xml_node *root = NULL;
		int r;

		buf_init(&b, 1 << 16);
		r = soap_addf(&b, "<SetField xmlns=\"urn:vim25\"><_this type=\""
			      "CustomFieldsManager\">%s</_this><entity type=\""
			      "VirtualMachine\">%s</entity><key>%d</key>"
			      "<value>%s</value></SetField>", s->v.fields_mgr,
			      id, key[i], val[i]) ||
		    vim_call(&s->v, "SetField", &b, &root, NULL, err);
		xml_free(root);
		buf_release(&b);
		if (r)
			return err->cls ? -1 : cloud_err_set(err,
				CLOUD_ERR_OTHER, "SetField: request too large");
	}
	return 0;
}

/* The VMs of the folder by name (a resumed batch): ids[i] for each of
 * nodes found, marked. */
static int adopt(struct vs *s, struct node *const *nodes, size_t k,
		 char **ids, struct cloud_err *err)
{
	struct xml_node *root = NULL;
	const struct xml_node *oc;
	size_t i;
	int ret = -1;

	if (vim_list(&s->v, "Folder", s->folder, "VirtualMachine", "name",
		     &root, err))
		return -1;
	for (oc = vim_first(root); oc; oc = vim_next(oc))
		for (i = 0; i < k; i++)
			if (!ids[i] && vim_prop_text(oc, "name") &&
			    !strcmp(vim_prop_text(oc, "name"), nodes[i]->name)) {
				ids[i] = xstrdup(vim_obj(oc));
				debug("vSphere: %s found again (%s)",
				      nodes[i]->name, ids[i]);
				if (vs_mark(s, ids[i], nodes[i]->name, err))
					goto out;
			}
	ret = 0;
out:
	xml_free(root);
	return ret;
}

/* Starts the clone of n onto datastore ds; t->id its task. */
static int start_clone(struct vs *s, const struct plan *p,
		       const struct node *n, const char *ds,
		       struct vim_task *t, struct cloud_err *err)
{
	struct buf b, spec;
	int ret = -1;

	buf_init(&b, SPEC_CAP);
	buf_init(&spec, SPEC_CAP);
	if (clone_spec(s, p, n, ds, &spec) ||
	    soap_addf(&b, "<CloneVM_Task xmlns=\"urn:vim25\"><_this type=\""
		      "VirtualMachine\">%s</_this><folder type=\"Folder\">%s"
		      "</folder><name>%s</name><spec>%r</spec></CloneVM_Task>",
		      s->tmpl.id, s->folder, n->name, spec.data)) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "the clone spec of %s is "
			      "too large", n->name);
		goto out;
	}
	ret = vim_task_start(&s->v, "CloneVM_Task", &b, t, err);
out:
	buf_release(&b);
	buf_release(&spec);
	return ret;
}

struct batch {
	struct vs *s;
	const struct plan *p;
};

/* engine_ensure_nodes()'s create: every clone of nodes[0..k) started,
 * then waited for together (CloneTimeout), then marked. */
static int clone_batch(void *prov, void *arg, const char *key,
		       struct node *const *nodes, size_t k,
		       const char *token, bool resumed, char **ids,
		       struct cloud_err *err)
{
	struct batch *bt = arg;
	struct vs *s = bt->s;
	struct vim_task *t = xcalloc(k, sizeof(*t));
	char **ds = xcalloc(k, sizeof(char *));
	size_t i, failed;
	int ret = -1;

	if (resumed && adopt(s, nodes, k, ids, err))
		goto out;
	for (i = 0; i < k; i++) {
		if (ids[i])
			ds[i] = xstrdup("");
		else if (s->pod) {
			if (recommend(s, bt->p, nodes[i], &ds[i], err))
				goto named;
		} else
			ds[i] = xstrdup(s->datastore);
	}
	{
		/* the free-space check over the ones still to make */
		struct node **todo = xcalloc(k, sizeof(*todo));
		char **tds = xcalloc(k, sizeof(char *));
		size_t n = 0;
		int r;

		for (i = 0; i < k; i++)
			if (!ids[i]) {
				todo[n] = nodes[i];
				tds[n++] = ds[i];
			}
		r = n ? check_space(s, todo, n, tds, err) : 0;
		free(todo);
		free(tds);
		if (r)
			goto out;
	}
	for (i = 0; i < k; i++)
		if (!ids[i] && start_clone(s, bt->p, nodes[i], ds[i], &t[i],
					   err))
			goto named;
	failed = vim_wait(&s->v, t, k, minutes(nodes[0], "CloneTimeout") *
			  MINUTE_MS ?: 30 * MINUTE_MS, "the clone");
	for (i = 0; i < k; i++) {
		if (!t[i].id)
			continue;
		if (t[i].err.cls != CLOUD_ERR_NONE) {
			if (failed)
				cloud_err_set(err, t[i].err.cls, "%s: %s",
					      nodes[i]->name, t[i].err.msg);
			continue;
		}
		ids[i] = xstrdup(t[i].result ?: "");
		if (vs_mark(s, ids[i], nodes[i]->name, err))
			goto out;
	}
	ret = failed ? -1 : 0;
	goto out;
named:
	{
		char *m = xasprintf("%s: %s", nodes[i]->name, err->msg);

		cloud_err_take(err, err->cls, m);
	}
out:
	for (i = 0; i < k; i++) {
		vim_task_release(&t[i]);
		free(ds[i]);
	}
	free(t);
	free(ds);
	return ret;
}

int vs_apply_definition(struct vs *s, struct plan *p, int def)
{
	struct node **nodes = xcalloc(p->n ? p->n : 1, sizeof(*nodes));
	struct batch bt = { s, p };
	char *key = NULL;
	size_t i, k = 0;
	int ret;

	for (i = 0; i < p->n; i++)
		if (p->nodes[i].def_index == def &&
		    strcmp(p->nodes[i].role, "LB"))
			nodes[k++] = &p->nodes[i];
	if (!k) {
		free(nodes);
		return 0;
	}
	key = xasprintf("batch/%s-%s-%s", vs_fld(nodes[0], "Label"),
			nodes[0]->role, vs_fld(nodes[0], "Tag"));
	ret = engine_ensure_nodes(s->e, &vs_kind_vm, key, "CloneVM_Task",
				  nodes, k, clone_batch, &bt);
	free(key);
	free(nodes);
	return ret;
}

/* The guest's host name is the machine's (customization applied): the
 * name itself or name.<domain>, in any case. */
static bool customized(const char *host, const char *name)
{
	size_t n = strlen(name);

	return host && !strncasecmp(host, name, n) &&
	       (!host[n] || host[n] == '.');
}

/* Reports node n late: no address within WaitForGuestNetTimeout, or an
 * address but not yet its host name within CustomizeTimeout. */
static bool late(const struct node *n, int64_t waited, const char *host,
		 bool has_ip)
{
	long net = minutes(n, "WaitForGuestNetTimeout");
	long cust = minutes(n, "CustomizeTimeout");

	if (!has_ip && waited >= net * MINUTE_MS) {
		error("vSphere: %s reported no IP address within %ld minute%s "
		      "(WaitForGuestNetTimeout)%s", n->name, net,
		      net == 1 ? "" : "s", vs_fld(n, "IPv4Addresses") ? "" :
		      ": is DHCP serving its network? (or give the "
		      "definition IPv4Addresses)");
		return true;
	}
	if (has_ip && waited >= (cust > net ? cust : net) * MINUTE_MS) {
		error("vSphere: the guest customization of %s did not finish "
		      "within %ld minute%s (CustomizeTimeout): its guest "
		      "reports the host name '%s'", n->name, cust,
		      cust == 1 ? "" : "s", host && *host ? host : "");
		return true;
	}
	return false;
}

/*
 * Every VM of p until its guest reports an IP address and the machine
 * name as its host name (the customization done), within
 * WaitForGuestNetTimeout and CustomizeTimeout; the address (the fixed
 * one, when IPv4Addresses gives it) becomes the node's IPAddress.  -1
 * reported, naming each machine that is late.
 */
int vs_wait_guests(struct vs *s, struct plan *p)
{
	const char **ids = xcalloc(p->n ? p->n : 1, sizeof(char *));
	struct node **nodes = xcalloc(p->n ? p->n : 1, sizeof(*nodes));
	char **host = xcalloc(p->n ? p->n : 1, sizeof(char *));
	bool *ip = xcalloc(p->n ? p->n : 1, sizeof(bool));
	int64_t start = http_now_ms();
	size_t i, k = 0, left;
	long pause = 200;
	int ret = -1;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->nodes[i].role, "LB")) {
			nodes[k] = &p->nodes[i];
			ids[k] = engine_node_id(s->e, p->nodes[i].name);
			if (!ids[k++]) {
				error("vSphere: %s: no VM recorded",
				      p->nodes[i].name);
				goto out;
			}
		}
	for (;;) {
		struct xml_node *root = NULL;
		struct cloud_err err = CLOUD_ERR_INIT;
		const struct xml_node *oc;
		bool any_late = false;

		if (vim_props(&s->v, "VirtualMachine", ids, k,
			      "guest.ipAddress guest.hostName", &root, &err)) {
			error("vSphere: waiting for the guests: %s", err.msg);
			cloud_err_release(&err);
			goto out;
		}
		for (oc = vim_first(root); oc; oc = vim_next(oc)) {
			const char *a = vim_prop_text(oc, "guest.ipAddress");
			const char *h = vim_prop_text(oc, "guest.hostName");

			for (i = 0; i < k; i++) {
				if (strcmp(ids[i], vim_obj(oc) ?: ""))
					continue;
				free(host[i]);
				host[i] = h ? xstrdup(h) : NULL;
				if (!a || !*a || node_field(nodes[i],
							    "IPAddress"))
					continue;
				ip[i] = true;
				if (customized(h, nodes[i]->name)) {
					char *fixed = fixed_ip(p, nodes[i]);

					provider_set_field(nodes[i], "IPAddress",
						  fixed ? fixed : a);
					free(fixed);
				}
			}
		}
		xml_free(root);
		for (i = left = 0; i < k; i++) {
			if (node_field(nodes[i], "IPAddress"))
				continue;
			left++;
			any_late |= late(nodes[i], http_now_ms() - start,
					 host[i], ip[i]);
		}
		if (!left) {
			ret = 0;
			break;
		}
		if (any_late)
			goto out;
		http_sleep_ms(pause);
		if (pause < 2000)
			pause *= 2;
	}
out:
	for (i = 0; i < k; i++)
		free(host[i]);
	free(host);
	free(ip);
	free(ids);
	free(nodes);
	return ret;
}
