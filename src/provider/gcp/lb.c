/*
 * lb.c: a GCP LoadBalancer node (see gcp.h) as GCE's network load
 * balancing: a static address, a legacy HTTP health check, a target pool
 * of the definition's instances (kept equal to them when the definition
 * grows or shrinks) and a forwarding rule per ForwardPort on the address.
 * The LB node's IPAddress and DNSName are the address.
 */
#include "gcp.h"
#include "../defs.h"
#include "../../state/log.h"
#include "../../util/str.h"

static int health_check(struct gcp *g, const struct node *lb,
			const char *name, const char **id)
{
	char *key = xasprintf("hc/%s", lb->name);
	char *hname = xasprintf("%s-hc", name);
	const char *port = gfld(lb, "HealthCheckPort") ?:
		gfld(lb, "WebServerPort") ?: "52773";
	cJSON *b = cJSON_CreateObject();
	int ret;

	cJSON_AddStringToObject(b, "name", hname);
	cJSON_AddNumberToObject(b, "port", atoi(port));
	cJSON_AddStringToObject(b, "requestPath",
				gfld(lb, "HealthCheckPath") ?: "/");
	cJSON_AddNumberToObject(b, "checkIntervalSec", 5);
	cJSON_AddNumberToObject(b, "timeoutSec", 5);
	ret = gcp_ensure(g, &gcp_kind_hc, key, "global/httpHealthChecks", b,
			 id);
	free(key);
	free(hname);
	return ret;
}

/* The target pool's instances made equal to the definition's: the ones
 * missing added, the ones gone removed (one call each way). */
static int pool_members(struct gcp *g, const char *pool, cJSON *want)
{
	struct cloud_err err = CLOUD_ERR_INIT;
	cJSON *o = NULL, *add = cJSON_CreateArray(), *del = cJSON_CreateArray();
	const cJSON *have, *w, *h;
	int ret = -1;

	if (gce_call(g, "GET", pool, NULL, NULL, &o, &err))
		goto failed;
	have = cJSON_GetObjectItemCaseSensitive(o, "instances");
	cJSON_ArrayForEach(w, want) {
		bool in = false;

		cJSON_ArrayForEach(h, have)
			in |= cJSON_IsString(h) && gce_rel(g, h->valuestring) &&
			      !strcmp(gce_rel(g, h->valuestring),
				      gce_rel(g, w->valuestring) ?: "");
		if (!in) {
			cJSON *i = cJSON_CreateObject();

			cJSON_AddStringToObject(i, "instance", w->valuestring);
			cJSON_AddItemToArray(add, i);
		}
	}
	cJSON_ArrayForEach(h, have) {
		bool in = false;

		cJSON_ArrayForEach(w, want)
			in |= cJSON_IsString(h) && !strcmp(h->valuestring,
							   w->valuestring);
		if (!in && cJSON_IsString(h)) {
			cJSON *i = cJSON_CreateObject();

			cJSON_AddStringToObject(i, "instance", h->valuestring);
			cJSON_AddItemToArray(del, i);
		}
	}
	for (int pass = 0; pass < 2; pass++) {
		cJSON *list = pass ? del : add, *b, *op = NULL;
		char *at;
		int rc;

		if (!cJSON_GetArraySize(list))
			continue;
		b = cJSON_CreateObject();
		cJSON_AddItemReferenceToObject(b, "instances", list);
		at = xasprintf("%s/%s", pool,
			       pass ? "removeInstance" : "addInstance");
		rc = gce_call(g, "POST", at, NULL, b, &op, &err) ||
			gce_op_wait(g, op, &err);
		free(at);
		cJSON_Delete(b);
		cJSON_Delete(op);
		if (rc)
			goto failed;
	}
	ret = 0;
	goto out;
failed:
	error("GCP: the instances of target pool %s: %s", pool, err.msg);
out:
	cloud_err_release(&err);
	cJSON_Delete(o);
	cJSON_Delete(add);
	cJSON_Delete(del);
	return ret;
}

static int pool(struct gcp *g, const struct node *lb, const struct plan *p,
		const char *region, const char *name, const char *hc,
		const char **id)
{
	char *key = xasprintf("pool/%s", lb->name);
	char *coll = xasprintf("regions/%s/targetPools", region);
	char *hcu = xasprintf("%s%s", g->base, hc);
	cJSON *b = cJSON_CreateObject(), *want = cJSON_CreateArray();
	size_t i;
	int ret = -1;

	for (i = 0; i < p->n; i++) {
		const char *nid = engine_node_id(g->e, p->nodes[i].name);
		char *u;

		if (p->nodes[i].def_index != lb->def_index ||
		    !strcmp(p->nodes[i].role, "LB") || !nid)
			continue;
		u = xasprintf("%s%s", g->base, nid);
		cJSON_AddItemToArray(want, cJSON_CreateString(u));
		free(u);
	}
	cJSON_AddStringToObject(b, "name", name);
	cJSON_AddItemToObject(b, "instances", cJSON_Duplicate(want, true));
	cJSON_AddItemToObject(b, "healthChecks",
			      cJSON_CreateStringArray((const char *const[]){
						      hcu }, 1));
	if (gcp_ensure(g, &gcp_kind_pool, key, coll, b, id))
		goto out;
	ret = pool_members(g, *id, want);
out:
	cJSON_Delete(want);
	free(key);
	free(coll);
	free(hcu);
	return ret;
}

static int rules(struct gcp *g, const struct node *lb, const char *region,
		 const char *name, const char *ip, const char *pool_id)
{
	char *ports = xstrdup(gfld(lb, "ForwardPort") ?: ""), *w, *save = NULL;
	char *coll = xasprintf("regions/%s/forwardingRules", region);
	char *target = xasprintf("%s%s", g->base, pool_id);
	int ret = 0;

	for (w = strtok_r(ports, ", ", &save); w && !ret;
	     w = strtok_r(NULL, ", ", &save)) {
		char *key = xasprintf("fwd/%s/%s", lb->name, w);
		char *rname = xasprintf("%s-%s", name, w);
		char *range = xasprintf("%s-%s", w, w);
		cJSON *b = cJSON_CreateObject(), *l;

		cJSON_AddStringToObject(b, "name", rname);
		cJSON_AddStringToObject(b, "IPAddress", ip);
		cJSON_AddStringToObject(b, "IPProtocol",
					gfld(lb, "ForwardProtocol") ?: "TCP");
		cJSON_AddStringToObject(b, "portRange", range);
		cJSON_AddStringToObject(b, "target", target);
		cJSON_AddStringToObject(b, "loadBalancingScheme", "EXTERNAL");
		l = cJSON_AddObjectToObject(b, "labels");
		cJSON_AddStringToObject(l, "icm-deployment", g->ldep);
		ret = gcp_ensure(g, &gcp_kind_fwd, key, coll, b, NULL);
		free(key);
		free(rname);
		free(range);
	}
	free(ports);
	free(coll);
	free(target);
	return ret;
}

int gcp_load_balancer(struct gcp *g, struct node *lb, struct plan *p)
{
	const struct node *t = provider_def_node(p, lb->def_index);
	char *name = gcp_name(lb->name), *region = NULL, *ip = NULL;
	char *key = NULL;
	const char *hc = NULL, *pool_id = NULL;
	int ret = -1;

	if (!t || !t->zone) {
		error("GCP: %s: its definition has no instances", lb->name);
		goto out;
	}
	region = gcp_zone_region(t->zone);
	key = xasprintf("lbaddr/%s", lb->name);
	if (gcp_address(g, key, region, name, false, &ip) ||
	    health_check(g, lb, name, &hc) ||
	    pool(g, lb, p, region, name, hc, &pool_id) ||
	    rules(g, lb, region, name, ip, pool_id))
		goto out;
	provider_set_field(lb, "IPAddress", ip);
	provider_set_field(lb, "DNSName", ip);
	ret = 0;
out:
	free(key);
	free(name);
	free(region);
	free(ip);
	return ret;
}
