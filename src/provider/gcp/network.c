/*
 * network.c: the deployment's network on GCP (see gcp.h): its VPC
 * network and one subnet per region (or the user's Network and Subnet
 * list), and the firewall rule with the ports of every role.
 */
#include "gcp.h"
#include "../ports.h"
#include "../cidr.h"
#include "../../state/log.h"
#include "../../util/str.h"

/* The path of a user's network or subnet: as given when it has a '/'
 * ("global/networks/x", "projects/p/regions/r/subnetworks/x"), else
 * <coll>/<name>. */
static char *user_path(const char *given, const char *coll)
{
	if (strchr(given, '/'))
		return xstrdup(given);
	return xasprintf("%s/%s", coll, given);
}

/* Checks that the user's resource at path exists; -1 reported. */
static int exists(struct gcp *g, const char *field, const char *path)
{
	struct cloud_err err = CLOUD_ERR_INIT;
	cJSON *o = NULL;
	int ret = 0;

	if (gce_call(g, "GET", path, NULL, NULL, &o, &err)) {
		ret = error("GCP: %s '%s': %s", field, path,
			    err.cls == CLOUD_ERR_NOT_FOUND ?
			    "no such resource in the project" : err.msg);
		cloud_err_release(&err);
	}
	cJSON_Delete(o);
	return ret;
}

static int subnets(struct gcp *g)
{
	const char *given = gfld(g->any, "Subnet");
	char *list = given ? xstrdup(given) : NULL, *w, *save = NULL;
	size_t i;
	int ret = -1;

	g->subnets = xcalloc(g->nregions ? g->nregions : 1, sizeof(char *));
	for (i = 0, w = list ? strtok_r(list, ",", &save) : NULL;
	     list && w && i < g->nregions;
	     i++, w = strtok_r(NULL, ",", &save)) {
		char *coll = xasprintf("regions/%s/subnetworks",
				       g->regions[i]);

		while (*w == ' ')
			w++;
		g->subnets[i] = user_path(w, coll);
		free(coll);
		if (exists(g, "Subnet", g->subnets[i]))
			goto out;
	}
	if (list && (i < g->nregions || w)) {
		error("GCP: Subnet names %s subnets for %zu region%s (one "
		      "existing subnet per Region entry, in order)",
		      i < g->nregions ? "fewer" : "more", g->nregions,
		      g->nregions == 1 ? "" : "s");
		goto out;
	}
	for (i = 0; !list && i < g->nregions; i++) {
		char *key = xasprintf("subnet/%s", g->regions[i]);
		char *name = xasprintf("%s-%s", g->ldep, g->regions[i]);
		char *coll = xasprintf("regions/%s/subnetworks",
				       g->regions[i]);
		char *cidr = provider_subnet_cidr(g->any, i);
		cJSON *b = cJSON_CreateObject();
		const char *id = NULL;
		int rc = -1;

		if (cidr) {
			cJSON_AddStringToObject(b, "name", name);
			cJSON_AddStringToObject(b, "network", g->network);
			cJSON_AddStringToObject(b, "ipCidrRange", cidr);
			cJSON_AddStringToObject(b, "region", g->regions[i]);
			rc = gcp_ensure(g, &gcp_kind_subnet, key, coll, b,
					&id);
		} else {
			cJSON_Delete(b);
		}
		if (!rc)
			g->subnets[i] = xstrdup(id);
		free(key);
		free(name);
		free(coll);
		free(cidr);
		if (rc)
			goto out;
	}
	ret = 0;
out:
	free(list);
	return ret;
}

int gcp_network(struct gcp *g)
{
	const char *given = gfld(g->any, "Network");
	const char *id = NULL;
	cJSON *b;

	if (given) {
		g->network = user_path(given, "global/networks");
		if (exists(g, "Network", g->network))
			return -1;
	} else {
		b = cJSON_CreateObject();
		cJSON_AddStringToObject(b, "name", g->ldep);
		cJSON_AddBoolToObject(b, "autoCreateSubnetworks", false);
		if (gcp_ensure(g, &gcp_kind_network, "network",
			       "global/networks", b, &id))
			return -1;
		g->network = xstrdup(id);
	}
	return subnets(g);
}

/* The allowed[] of the firewall rule: the ports by protocol, and ICMP. */
static cJSON *allowed(const struct gcp *g)
{
	static const char *const protos[] = { "tcp", "udp" };
	struct provider_port ports[PROVIDER_PORTS_MAX];
	size_t k = provider_ports(g->any, ports), i, p;
	cJSON *all = cJSON_CreateArray(), *icmp = cJSON_CreateObject();

	for (p = 0; p < ARRAY_SIZE(protos); p++) {
		cJSON *rule = cJSON_CreateObject();
		cJSON *list = cJSON_AddArrayToObject(rule, "ports");

		cJSON_AddStringToObject(rule, "IPProtocol", protos[p]);
		for (i = 0; i < k; i++) {
			char *r;

			if (strcmp(ports[i].proto, protos[p]))
				continue;
			r = strcmp(ports[i].from, ports[i].to) ?
				xasprintf("%s-%s", ports[i].from, ports[i].to) :
				xstrdup(ports[i].from);
			cJSON_AddItemToArray(list, cJSON_CreateString(r));
			free(r);
		}
		cJSON_AddItemToArray(all, rule);
	}
	cJSON_AddStringToObject(icmp, "IPProtocol", "icmp");
	cJSON_AddItemToArray(all, icmp);
	return all;
}

int gcp_firewall(struct gcp *g)
{
	cJSON *b = cJSON_CreateObject(), *src, *tags;
	char *name = xasprintf("%s-icm", g->ldep);
	int ret;

	cJSON_AddStringToObject(b, "name", name);
	cJSON_AddStringToObject(b, "network", g->network);
	cJSON_AddStringToObject(b, "direction", "INGRESS");
	cJSON_AddNumberToObject(b, "priority", 1000);
	cJSON_AddItemToObject(b, "allowed", allowed(g));
	src = cJSON_AddArrayToObject(b, "sourceRanges");
	cJSON_AddItemToArray(src, cJSON_CreateString("0.0.0.0/0"));
	tags = cJSON_AddArrayToObject(b, "targetTags");
	cJSON_AddItemToArray(tags, cJSON_CreateString(g->ldep));
	ret = gcp_ensure(g, &gcp_kind_firewall, "firewall", "global/firewalls",
			 b, NULL);
	free(name);
	return ret;
}
