/*
 * clb.c: a Tencent LoadBalancer node (see tencent.h) as a CLB: an OPEN
 * (public) load balancer in the deployment's VPC made with a ClientToken,
 * a TCP listener per ForwardPort with a health check, and the
 * definition's instances registered as each listener's targets (the ones
 * missing added when the definition grows).  CLB's writes are
 * asynchronous: each answer's RequestId is a task followed by
 * DescribeTaskStatus.  The LB node's IPAddress and DNSName are its VIP.
 */
#include "tencent.h"
#include "../defs.h"
#include "../../cloud/sigv4.h"
#include "../../state/log.h"
#include "../../util/str.h"

int tcz_clb_call(struct tcz *t, const char *action, const cJSON *params,
		 cJSON **response, struct cloud_err *err)
{
	cJSON *r = NULL;
	int ret = tc_call(&t->api, "clb", TC_CLB_VERSION, t->region, action,
			  params, &r, err);

	if (!ret && tcz_str(r, "RequestId"))
		ret = tc_clb_task_wait(&t->api, t->region,
				       tcz_str(r, "RequestId"), err);
	if (response && !ret)
		*response = r;
	else
		cJSON_Delete(r);
	return ret;
}

/* The CLB's tags ({TagKey, TagValue}, as CLB spells them). */
static cJSON *clb_tags(const struct tcz *t, const char *key)
{
	cJSON *a = tcz_tags(t, key, NULL), *it;

	cJSON_ArrayForEach(it, a) {
		cJSON *k = cJSON_DetachItemFromObject(it, "Key");
		cJSON *v = cJSON_DetachItemFromObject(it, "Value");

		cJSON_AddItemToObject(it, "TagKey", k);
		cJSON_AddItemToObject(it, "TagValue", v);
	}
	return a;
}

struct lbmake {
	struct tcz *t;
	const struct node *lb;
};

/* engine_ensure()'s create: CreateLoadBalancer with a ClientToken from
 * the engine's token (a retried key gets the one it made). */
static int create_lb(void *prov, void *arg, const char *key,
		     const char *token, char **id, struct cloud_err *err)
{
	struct lbmake *m = arg;
	cJSON *p = cJSON_CreateObject(), *r = NULL;
	char ct[65];
	const cJSON *first;
	int ret = -1;

	(void)prov;
	sigv4_sha256_hex(token, strlen(token), ct);
	ct[40] = '\0';
	cJSON_AddStringToObject(p, "LoadBalancerType", "OPEN");
	cJSON_AddStringToObject(p, "VpcId", m->t->vpc);
	cJSON_AddStringToObject(p, "LoadBalancerName", m->lb->name);
	cJSON_AddStringToObject(p, "ClientToken", ct);
	cJSON_AddItemToObject(p, "Tags", clb_tags(m->t, key));
	if (tcz_clb_call(m->t, "CreateLoadBalancer", p, &r, err))
		goto out;
	first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
					   r, "LoadBalancerIds"), 0);
	if (!cJSON_IsString(first)) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "CreateLoadBalancer "
			      "answered no LoadBalancerIds");
		goto out;
	}
	*id = xstrdup(first->valuestring);
	ret = 0;
out:
	cJSON_Delete(p);
	cJSON_Delete(r);
	return ret;
}

struct lsnmake {
	struct tcz *t;
	const struct node *lb;
	const char *clb;
	int port;
};

/* The listener on port of CLB clb that exists (a killed run made it before
 * its answer was recorded), or NULL; *id allocated.  -1 with *err. */
static int listener_on(struct tcz *t, const char *clb, int port, char **id,
		       struct cloud_err *err)
{
	cJSON *q = cJSON_CreateObject(), *r = NULL;
	const cJSON *l;
	int ret;

	*id = NULL;
	cJSON_AddStringToObject(q, "LoadBalancerId", clb);
	ret = tc_call(&t->api, "clb", TC_CLB_VERSION, t->region,
		      "DescribeListeners", q, &r, err);
	cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(r,
							       "Listeners")) {
		const cJSON *pt = cJSON_GetObjectItemCaseSensitive(l, "Port");

		if (cJSON_IsNumber(pt) && pt->valueint == port &&
		    tcz_str(l, "ListenerId")) {
			*id = xstrdup(tcz_str(l, "ListenerId"));
			break;
		}
	}
	cJSON_Delete(q);
	cJSON_Delete(r);
	return ret;
}

/* engine_ensure()'s create: a TCP listener on one port (the one a killed
 * run made, adopted). */
static int create_listener(void *prov, void *arg, const char *key,
			   const char *token, char **id,
			   struct cloud_err *err)
{
	struct lsnmake *m = arg;
	cJSON *p = cJSON_CreateObject(), *r = NULL, *hc;
	char *name = xasprintf("port-%d", m->port);
	const cJSON *first;
	int ret = -1;

	(void)prov;
	(void)key;
	(void)token;
	if (listener_on(m->t, m->clb, m->port, id, err) || *id) {
		ret = *id ? 0 : -1;
		goto out;
	}
	cJSON_AddStringToObject(p, "LoadBalancerId", m->clb);
	cJSON_AddItemToObject(p, "Ports", cJSON_CreateIntArray(&m->port, 1));
	cJSON_AddStringToObject(p, "Protocol",
				tfld(m->lb, "ForwardProtocol") ?: "TCP");
	cJSON_AddItemToObject(p, "ListenerNames", cJSON_CreateStringArray(
				      (const char *const *)&name, 1));
	hc = cJSON_AddObjectToObject(p, "HealthCheck");
	cJSON_AddNumberToObject(hc, "HealthSwitch", 1);
	cJSON_AddNumberToObject(hc, "CheckPort", atoi(
		tfld(m->lb, "HealthCheckPort") ?: tfld(m->lb, "WebServerPort") ?:
		"52773"));
	if (tcz_clb_call(m->t, "CreateListener", p, &r, err))
		goto out;
	first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
					   r, "ListenerIds"), 0);
	if (!cJSON_IsString(first)) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "CreateListener answered "
			      "no ListenerIds");
		goto out;
	}
	*id = xstrdup(first->valuestring);
	ret = 0;
out:
	free(name);
	cJSON_Delete(p);
	cJSON_Delete(r);
	return ret;
}

/* The definition's instances made targets of listener lsn (port), the
 * ones registered already left as they are.  -1 reported. */
static int targets(struct tcz *t, const struct node *lb, const struct plan *p,
		   const char *clb, const char *lsn, int port)
{
	struct cloud_err err = CLOUD_ERR_INIT;
	cJSON *q = cJSON_CreateObject(), *r = NULL, *add = NULL;
	const cJSON *l, *have;
	size_t i;
	int ret = -1;

	cJSON_AddStringToObject(q, "LoadBalancerId", clb);
	cJSON_AddItemToObject(q, "ListenerIds", cJSON_CreateStringArray(&lsn,
									1));
	if (tc_call(&t->api, "clb", TC_CLB_VERSION, t->region,
		    "DescribeTargets", q, &r, &err))
		goto failed;
	l = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r,
								"Listeners"),
			       0);
	have = cJSON_GetObjectItemCaseSensitive(l, "Targets");
	add = cJSON_CreateArray();
	for (i = 0; i < p->n; i++) {
		const char *id = engine_node_id(t->e, p->nodes[i].name);
		const cJSON *h;
		bool in = false;

		if (p->nodes[i].def_index != lb->def_index ||
		    !strcmp(p->nodes[i].role, "LB") || !id)
			continue;
		cJSON_ArrayForEach(h, have)
			in |= !strcmp(tcz_str(h, "InstanceId") ?: "", id);
		if (!in) {
			cJSON *x = cJSON_CreateObject();

			cJSON_AddStringToObject(x, "InstanceId", id);
			cJSON_AddNumberToObject(x, "Port", port);
			cJSON_AddItemToArray(add, x);
		}
	}
	ret = 0;
	if (cJSON_GetArraySize(add)) {
		cJSON *reg = cJSON_CreateObject();

		cJSON_AddStringToObject(reg, "LoadBalancerId", clb);
		cJSON_AddStringToObject(reg, "ListenerId", lsn);
		cJSON_AddItemReferenceToObject(reg, "Targets", add);
		ret = tcz_clb_call(t, "RegisterTargets", reg, NULL, &err);
		cJSON_Delete(reg);
		if (ret)
			goto failed;
	}
	goto out;
failed:
	error("Tencent: load balancer %s, port %d: %s", lb->name, port,
	      err.msg);
out:
	cloud_err_release(&err);
	cJSON_Delete(q);
	cJSON_Delete(r);
	cJSON_Delete(add);
	return ret;
}

/* The CLB's VIP (allocated), or NULL reported. */
static char *vip(struct tcz *t, const struct node *lb, const char *clb)
{
	struct cloud_err err = CLOUD_ERR_INIT;
	cJSON *q = cJSON_CreateObject(), *r = NULL;
	const cJSON *c, *v;
	char *out = NULL;

	cJSON_AddItemToObject(q, "LoadBalancerIds", cJSON_CreateStringArray(
				      &clb, 1));
	if (tc_call(&t->api, "clb", TC_CLB_VERSION, t->region,
		    "DescribeLoadBalancers", q, &r, &err)) {
		error("Tencent: load balancer %s: %s", lb->name, err.msg);
		goto out;
	}
	c = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
				       r, "LoadBalancerSet"), 0);
	v = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
				       c, "LoadBalancerVips"), 0);
	if (cJSON_IsString(v))
		out = xstrdup(v->valuestring);
	else
		error("Tencent: load balancer %s has no address", lb->name);
out:
	cloud_err_release(&err);
	cJSON_Delete(q);
	cJSON_Delete(r);
	return out;
}

int tcz_load_balancer(struct tcz *t, struct node *lb, struct plan *p)
{
	char *key = xasprintf("clb/%s", lb->name), *ip = NULL;
	char *ports = xstrdup(tfld(lb, "ForwardPort") ?: ""), *w, *save = NULL;
	struct lbmake m = { t, lb };
	const char *clb = NULL;
	char *clb_id = NULL;
	int ret = -1;

	if (engine_ensure(t->e, &tcz_kind_clb, key, "CreateLoadBalancer",
			  create_lb, &m, &clb))
		goto out;
	clb_id = xstrdup(clb);
	for (w = strtok_r(ports, ", ", &save); w;
	     w = strtok_r(NULL, ", ", &save)) {
		struct lsnmake lm = { t, lb, clb_id, atoi(w) };
		char *lkey = xasprintf("lsn/%s/%s", lb->name, w);
		const char *lsn = NULL;
		int rc = engine_ensure(t->e, &tcz_kind_listener, lkey,
				       "CreateListener", create_listener, &lm,
				       &lsn);

		if (!rc) {
			char *l = xstrdup(lsn);

			rc = targets(t, lb, p, clb_id, l, lm.port);
			free(l);
		}
		free(lkey);
		if (rc)
			goto out;
	}
	if (!(ip = vip(t, lb, clb_id)))
		goto out;
	provider_set_field(lb, "IPAddress", ip);
	provider_set_field(lb, "DNSName", ip);
	ret = 0;
out:
	free(key);
	free(ports);
	free(clb_id);
	free(ip);
	return ret;
}
