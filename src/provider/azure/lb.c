/*
 * lb.c: an Azure LoadBalancer node (see azure.h): a Standard public IP and
 * a Standard load balancer on it whose backend pool holds the private IPs
 * of the definition's machines (IP-based: the NICs are left alone), a
 * health probe and a rule per ForwardPort.  PUT again whenever the
 * definition's machines change.  The LB node's IPAddress and DNSName are
 * the public IP.
 */
#include "azure.h"
#include "../defs.h"
#include "../../state/log.h"
#include "../../util/str.h"

/* ARM's spelling of a protocol ("TCP" -> "Tcp"; allocated). */
static char *proto(const char *p, const char *dflt)
{
	char *s = xstrdup(p && *p ? p : dflt), *c;

	for (c = s + 1; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	if (*s >= 'a' && *s <= 'z')
		*s = (char)(*s - 'a' + 'A');
	return s;
}

static cJSON *ref(const char *lb, const char *coll, const char *name)
{
	cJSON *r = cJSON_CreateObject();
	char *id = xasprintf("%s/%s/%s", lb, coll, name);

	cJSON_AddStringToObject(r, "id", id);
	free(id);
	return r;
}

/* The backend pool's addresses: the definition's machines' private IPs
 * (one listing of the group's NICs).  -1 reported. */
static int backend(struct az *z, const struct node *lb, const struct plan *p,
		   cJSON *addrs)
{
	struct cloud_err err = CLOUD_ERR_INIT;
	char *path = xasprintf("%s/providers/Microsoft.Network/"
			       "networkInterfaces", z->rg);
	cJSON *nics = NULL;
	size_t i;
	int ret = -1;

	if (arm_list(&z->arm, path, AZ_API_NETWORK, &nics, &err)) {
		error("Azure: %s: listing the network interfaces failed: %s",
		      lb->name, err.msg);
		goto out;
	}
	for (i = 0; i < p->n; i++) {
		const struct node *n = &p->nodes[i];
		char *want = xasprintf("%s-nic", n->name), *vnet = NULL;
		char *subnet = NULL;
		const cJSON *nic = NULL, *it, *ic;
		const char *ip;
		cJSON *a, *ap;
		int li = az_loc_index(z, n->region);

		if (n->def_index != lb->def_index || !strcmp(n->role, "LB")) {
			free(want);
			continue;
		}
		cJSON_ArrayForEach(it, nics)
			if (!strcasecmp(az_str(it, "name") ?: "", want))
				nic = it;
		free(want);
		ic = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(nic, "properties"),
			"ipConfigurations"), 0);
		ip = az_str(cJSON_GetObjectItemCaseSensitive(ic,
							     "properties"),
			    "privateIPAddress");
		if (!ip || li < 0) {
			error("Azure: %s: %s has no network interface with "
			      "an address", lb->name, n->name);
			goto out;
		}
		if (az_node_subnet(z, n, (size_t)li, &vnet, &subnet))
			goto out;
		a = cJSON_CreateObject();
		cJSON_AddStringToObject(a, "name", n->name);
		ap = cJSON_AddObjectToObject(a, "properties");
		cJSON_AddStringToObject(ap, "ipAddress", ip);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(
						ap, "virtualNetwork"), "id", vnet);
		cJSON_AddItemToArray(addrs, a);
		free(vnet);
		free(subnet);
	}
	ret = 0;
out:
	cloud_err_release(&err);
	cJSON_Delete(nics);
	free(path);
	return ret;
}

/* The load balancer's body (-1 reported). */
static int lb_body(struct az *z, const struct node *lb, const struct plan *p,
		   const char *loc, const char *id, const char *pip,
		   cJSON **out)
{
	cJSON *b = cJSON_CreateObject(), *pr, *fe, *be, *pool, *pb, *pa;
	cJSON *probe, *pp, *rules;
	char *ports = xstrdup(afld(lb, "ForwardPort") ?: ""), *w, *save = NULL;
	char *hp = proto(afld(lb, "HealthCheckProtocol"), "Http");
	char *fp = proto(afld(lb, "ForwardProtocol"), "Tcp");
	int ret = -1;

	cJSON_AddStringToObject(b, "location", loc);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(b, "sku"), "name",
				"Standard");
	pr = cJSON_AddObjectToObject(b, "properties");
	fe = cJSON_CreateObject();
	cJSON_AddStringToObject(fe, "name", "frontend");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(
		cJSON_AddObjectToObject(fe, "properties"), "publicIPAddress"),
				"id", pip);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(
				     pr, "frontendIPConfigurations"), fe);
	be = cJSON_AddArrayToObject(pr, "backendAddressPools");
	pool = cJSON_CreateObject();
	cJSON_AddStringToObject(pool, "name", "backend");
	pb = cJSON_AddObjectToObject(pool, "properties");
	pa = cJSON_AddArrayToObject(pb, "loadBalancerBackendAddresses");
	cJSON_AddItemToArray(be, pool);
	if (backend(z, lb, p, pa))
		goto out;
	probe = cJSON_CreateObject();
	cJSON_AddStringToObject(probe, "name", "health");
	pp = cJSON_AddObjectToObject(probe, "properties");
	cJSON_AddStringToObject(pp, "protocol", hp);
	cJSON_AddNumberToObject(pp, "port", atoi(afld(lb, "HealthCheckPort") ?:
					 afld(lb, "WebServerPort") ?:
					 "52773"));
	if (strcmp(hp, "Tcp"))
		cJSON_AddStringToObject(pp, "requestPath",
					afld(lb, "HealthCheckPath") ?: "/");
	cJSON_AddNumberToObject(pp, "intervalInSeconds", 5);
	cJSON_AddNumberToObject(pp, "numberOfProbes", 2);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(pr, "probes"), probe);
	rules = cJSON_AddArrayToObject(pr, "loadBalancingRules");
	for (w = strtok_r(ports, ", ", &save); w;
	     w = strtok_r(NULL, ", ", &save)) {
		char *name = xasprintf("port-%s", w);
		cJSON *r, *rp, *seen;

		cJSON_ArrayForEach(seen, rules)	/* a port given twice */
			if (!strcmp(az_str(seen, "name") ?: "", name))
				break;
		if (seen) {
			free(name);
			continue;
		}
		r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "name", name);
		rp = cJSON_AddObjectToObject(r, "properties");
		cJSON_AddStringToObject(rp, "protocol", fp);
		cJSON_AddNumberToObject(rp, "frontendPort", atoi(w));
		cJSON_AddNumberToObject(rp, "backendPort", atoi(w));
		cJSON_AddItemToObject(rp, "frontendIPConfiguration",
				      ref(id, "frontendIPConfigurations",
					  "frontend"));
		cJSON_AddItemToObject(rp, "backendAddressPool",
				      ref(id, "backendAddressPools",
					  "backend"));
		cJSON_AddItemToObject(rp, "probe", ref(id, "probes",
						       "health"));
		cJSON_AddItemToArray(rules, r);
		free(name);
	}
	*out = b;
	b = NULL;
	ret = 0;
out:
	cJSON_Delete(b);
	free(ports);
	free(hp);
	free(fp);
	return ret;
}

/* The public IP's address; -1 reported. */
static int address_of(struct az *z, const char *pip, char **ip)
{
	struct cloud_err err = CLOUD_ERR_INIT;
	cJSON *o = NULL;
	const char *a;
	int ret = -1;

	if (arm_call(&z->arm, "GET", pip, AZ_API_NETWORK, NULL, &o, NULL,
		     &err)) {
		error("Azure: public IP %s: %s", pip, err.msg);
		goto out;
	}
	a = az_str(cJSON_GetObjectItemCaseSensitive(o, "properties"),
		   "ipAddress");
	if (!a) {
		error("Azure: public IP %s has no address", pip);
		goto out;
	}
	*ip = xstrdup(a);
	ret = 0;
out:
	cloud_err_release(&err);
	cJSON_Delete(o);
	return ret;
}

int az_load_balancer(struct az *z, struct node *lb, struct plan *p)
{
	const struct node *t = provider_def_node(p, lb->def_index);
	char *pkey = xasprintf("lbip/%s", lb->name);
	char *lkey = xasprintf("lb/%s", lb->name);
	char *pname = xasprintf("%s-ip", lb->name), *pip = NULL, *id = NULL;
	char *ip = NULL;
	cJSON *b = NULL, *pb;
	bool again = engine_id(z->e, lkey) != NULL;
	struct az_op op;
	struct cloud_err err = CLOUD_ERR_INIT;
	int ret = -1;

	memset(&op, 0, sizeof(op));
	if (!t || !t->region) {
		error("Azure: %s: its definition has no machines", lb->name);
		goto out;
	}
	pip = az_id(z, "Microsoft.Network/publicIPAddresses", pname);
	id = az_id(z, "Microsoft.Network/loadBalancers", lb->name);
	pb = cJSON_CreateObject();
	cJSON_AddStringToObject(pb, "location", az_node_loc(z, t));
	cJSON_AddStringToObject(cJSON_AddObjectToObject(pb, "sku"), "name",
				"Standard");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(pb, "properties"),
				"publicIPAllocationMethod", "Static");
	if (az_ensure(z, &az_kind_pip, pkey, pip, pb, true, NULL) ||
	    address_of(z, pip, &ip) ||
	    lb_body(z, lb, p, az_node_loc(z, t), id, pip, &b))
		goto out;
	if (!again) {
		ret = az_ensure(z, &az_kind_lb, lkey, id, b, true, NULL);
		b = NULL;
		if (ret)
			goto out;
	} else {
		/* the machines may have changed: the pool made equal */
		op.what = lb->name;
		if (az_put(z, id, lkey, NULL, b, &op, &err) ||
		    az_wait(z, &op, 1)) {
			error("Azure: load balancer %s: %s", lb->name,
			      err.msg ? err.msg : op.err.msg);
			goto out;
		}
	}
	provider_set_field(lb, "IPAddress", ip);
	provider_set_field(lb, "DNSName", ip);
	ret = 0;
out:
	az_op_release(&op);
	cloud_err_release(&err);
	cJSON_Delete(b);
	free(pkey);
	free(lkey);
	free(pname);
	free(pip);
	free(id);
	free(ip);
	return ret;
}
