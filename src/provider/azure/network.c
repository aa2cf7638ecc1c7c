/*
 * network.c: an Azure deployment's resource group, its virtual network
 * and subnet per location (or the user's VirtualNetworkName and
 * SubnetName), and its network security group per location with the
 * ports of every role (see azure.h).
 */
#include "azure.h"
#include "../cidr.h"
#include "../ports.h"
#include "../../config/config.h"
#include "../../state/log.h"
#include "../../util/str.h"

int az_group(struct az *z)
{
	const char *given = afld(z->any, "ResourceGroupName");
	struct cloud_err err = CLOUD_ERR_INIT;
	cJSON *o = NULL, *b;
	int ret = -1;

	if (given && !engine_id(z->e, "group")) {
		/* the user's group, or one icm makes by that name */
		if (!arm_call(&z->arm, "GET", z->rg, AZ_API_RESOURCES, NULL,
			      &o, NULL, &err) && !az_ours(z, o, "group")) {
			debug("Azure: resource group %s is the user's",
			      z->group);
			ret = 0;
			goto out;
		}
		if (err.cls != CLOUD_ERR_NONE &&
		    err.cls != CLOUD_ERR_NOT_FOUND) {
			error("Azure: ResourceGroupName '%s': %s", given,
			      err.msg);
			goto out;
		}
	}
	b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "location", z->locs[0]);
	ret = az_ensure(z, &az_kind_group, "group", z->rg, b, !given, NULL);
out:
	cloud_err_release(&err);
	cJSON_Delete(o);
	return ret;
}

/* Entry i of list field f of node n (allocated), or NULL. */
static char *entry(const struct node *n, const char *f, size_t i)
{
	return str_list_entry(afld(n, f), i);
}

/* The user's network of location i and node n's subnet in it: checked to
 * exist.  -1 reported. */
static int user_subnet(struct az *z, const struct node *n, size_t i,
		       char **vnet, char **subnet)
{
	struct cloud_err err = CLOUD_ERR_INIT;
	char *vn = entry(n, "VirtualNetworkName", i);
	char *sn = entry(n, "SubnetName", i);
	int ret = -1;

	*vnet = *subnet = NULL;
	if (!vn || !sn) {
		error("Azure: %s names no %s for Location '%s' (entry %zu: "
		      "one per Location entry, in order)", n->name,
		      vn ? "SubnetName" : "VirtualNetworkName", z->locs[i],
		      i + 1);
		goto out;
	}
	*vnet = az_id(z, "Microsoft.Network/virtualNetworks", vn);
	*subnet = xasprintf("%s/subnets/%s", *vnet, sn);
	if (arm_call(&z->arm, "GET", *subnet, AZ_API_NETWORK, NULL, NULL,
		     NULL, &err)) {
		error("Azure: SubnetName '%s' in VirtualNetworkName '%s' "
		      "(resource group %s): %s", sn, vn, z->group,
		      err.cls == CLOUD_ERR_NOT_FOUND ? "no such subnet" :
		      err.msg);
		goto out;
	}
	ret = 0;
out:
	if (ret) {
		free(*vnet);
		free(*subnet);
		*vnet = *subnet = NULL;
	}
	cloud_err_release(&err);
	free(vn);
	free(sn);
	return ret;
}

int az_node_subnet(struct az *z, const struct node *n, size_t i,
		   char **vnet, char **subnet)
{
	if (!afld(z->any, "VirtualNetworkName")) {
		*vnet = xstrdup(z->vnets[i]);
		*subnet = xstrdup(z->subnets[i]);
		return 0;
	}
	return user_subnet(z, n, i, vnet, subnet);
}

/* Location i's network and subnet, made by icm. */
static int network(struct az *z, size_t i)
{
	char *key = xasprintf("vnet/%s", z->locs[i]);
	char *name = xasprintf("%s-%s", z->dep, z->locs[i]);
	char *cidr = provider_subnet_cidr(z->any, i);
	cJSON *b, *pr, *sp, *sub, *sn;
	int ret = -1;

	z->vnets[i] = az_id(z, "Microsoft.Network/virtualNetworks", name);
	z->subnets[i] = xasprintf("%s/subnets/%s", z->vnets[i], name);
	if (!cidr)
		goto out;
	b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "location", z->locs[i]);
	pr = cJSON_AddObjectToObject(b, "properties");
	sp = cJSON_AddObjectToObject(pr, "addressSpace");
	cJSON_AddItemToObject(sp, "addressPrefixes",
			      cJSON_CreateStringArray((const char *const[]){
						      cidr }, 1));
	sub = cJSON_AddArrayToObject(pr, "subnets");
	sn = cJSON_CreateObject();
	cJSON_AddStringToObject(sn, "name", name);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(sn, "properties"),
				"addressPrefix", cidr);
	cJSON_AddItemToArray(sub, sn);
	ret = az_ensure(z, &az_kind_vnet, key, z->vnets[i], b, true, NULL);
out:
	free(key);
	free(name);
	free(cidr);
	return ret;
}

/* One inbound Allow rule from anywhere. */
static cJSON *rule(const char *name, const char *proto, const char *ports,
		   int priority)
{
	cJSON *r = cJSON_CreateObject(), *p;

	cJSON_AddStringToObject(r, "name", name);
	p = cJSON_AddObjectToObject(r, "properties");
	cJSON_AddStringToObject(p, "protocol", proto);
	cJSON_AddStringToObject(p, "sourcePortRange", "*");
	cJSON_AddStringToObject(p, "destinationPortRange", ports);
	cJSON_AddStringToObject(p, "sourceAddressPrefix", "*");
	cJSON_AddStringToObject(p, "destinationAddressPrefix", "*");
	cJSON_AddStringToObject(p, "access", "Allow");
	cJSON_AddNumberToObject(p, "priority", priority);
	cJSON_AddStringToObject(p, "direction", "Inbound");
	return r;
}

/* The security rules: a rule per port of ports.h, then ICMP. */
static cJSON *rules(const struct node *n)
{
	struct provider_port ports[PROVIDER_PORTS_MAX];
	size_t k = provider_ports(n, ports), i;
	cJSON *all = cJSON_CreateArray();

	for (i = 0; i < k; i++) {
		bool range = strcmp(ports[i].from, ports[i].to) != 0;
		char *pr = range ? xasprintf("%s-%s", ports[i].from,
					     ports[i].to) :
			xstrdup(ports[i].from);
		char *name = xasprintf("icm-%s-%s", ports[i].proto, pr);

		cJSON_AddItemToArray(all, rule(name, strcmp(ports[i].proto,
							    "tcp") ? "Udp" :
					       "Tcp", pr, 1000 + (int)i));
		free(pr);
		free(name);
	}
	cJSON_AddItemToArray(all, rule("icm-icmp", "Icmp", "*",
				       1000 + (int)k));
	return all;
}

static int security_group(struct az *z, size_t i)
{
	char *key = xasprintf("nsg/%s", z->locs[i]);
	char *name = xasprintf("%s-%s-nsg", z->dep, z->locs[i]);
	cJSON *b = cJSON_CreateObject(), *pr;
	int ret;

	z->nsgs[i] = az_id(z, "Microsoft.Network/networkSecurityGroups",
			   name);
	cJSON_AddStringToObject(b, "location", z->locs[i]);
	pr = cJSON_AddObjectToObject(b, "properties");
	cJSON_AddItemToObject(pr, "securityRules", rules(z->any));
	ret = az_ensure(z, &az_kind_nsg, key, z->nsgs[i], b, true, NULL);
	free(key);
	free(name);
	return ret;
}

int az_networks(struct az *z)
{
	size_t i;

	z->vnets = xcalloc(z->nlocs, sizeof(char *));
	z->subnets = xcalloc(z->nlocs, sizeof(char *));
	z->nsgs = xcalloc(z->nlocs, sizeof(char *));
	for (i = 0; i < z->nlocs; i++) {
		if (afld(z->any, "VirtualNetworkName")) {
			if (user_subnet(z, z->any, i, &z->vnets[i],
					&z->subnets[i]))
				return -1;
		} else if (network(z, i)) {
			return -1;
		}
		if (security_group(z, i))
			return -1;
	}
	return 0;
}
