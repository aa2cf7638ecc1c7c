/*
 * tfwrite.c: the deployment's and a definition's Terraform directory, as
 * every provider's writer fills them (see tfwrite.h).
 */
#include "../icm.h"
#include "tfwrite.h"
#include "../state/log.h"
#include "../state/statedir.h"
#include "../util/str.h"

/* What a definition's load balancer contributes. */
static const char *const lb_fields[] = {
	"ForwardPort", "ForwardProtocol", "HealthCheckPort",
	"HealthCheckProtocol", "HealthCheckPath", "LoadBalancerInternal",
};

int tf_write_shared(const char *state_dir, const struct node *n0,
		    const char *const *fields, size_t n, const cJSON *extra,
		    const struct tf_templates *t)
{
	const char *label = n0 ? node_get(n0, "Label") : NULL;
	const char *tag = n0 ? node_get(n0, "Tag") : NULL;
	cJSON *vars = cJSON_CreateObject();
	const cJSON *c;
	struct buf secrets;
	char *dir = NULL, *name = NULL;
	int ret = -1;

	buf_init(&secrets, BUF_CAP_LINE);
	if (!vars)
		abort();
	if (!n0) {
		error("terraform: the plan has no nodes");
		goto out;
	}
	if (!label || !tag) {
		error("terraform: the nodes have no Label or Tag");
		goto out;
	}
	name = xasprintf("%s-%s", label, tag);
	dir = xasprintf("%s/%s", state_dir, name);
	if (tf_add_fields(vars, &secrets, n0, fields, n)) {
		error("terraform: %s: tfvars too large", name);
		goto out;
	}
	for (c = extra ? extra->child : NULL; c; c = c->next)
		tf_set(vars, c->string, c->valuestring);
	tf_set(vars, "MachineName", name);
	ret = tf_write_dir(state_dir, dir, t, name, vars, &secrets);
out:
	buf_release(&secrets);
	cJSON_Delete(vars);
	free(dir);
	free(name);
	return ret;
}

void tf_def_release(struct tf_def *d)
{
	free(d->dir);
	d->dir = NULL;
	d->base = NULL;
	d->lb = NULL;
}

int tf_def_collect(struct tf_def *d, cJSON *vars, struct buf *secrets,
		   const char *state_dir, const struct plan *p, int def,
		   const char *const *own, size_t n_own,
		   const char *zones_name)
{
	const struct node *n0 = NULL;
	struct buf names, zones;
	char *out_file = NULL, num[24];
	size_t i, count = 0;
	int ret = -1;

	d->dir = NULL;
	d->base = NULL;
	d->lb = NULL;
	buf_init(&names, BUF_CAP_CONFIG);
	buf_init(&zones, BUF_CAP_CONFIG);
	for (i = 0; i < p->n; i++) {
		const struct node *n = &p->nodes[i];

		if (n->def_index != def)
			continue;
		if (!strcmp(n->role, "LB")) {
			d->lb = n;
			continue;
		}
		if (!n0)
			n0 = n;
		count++;
		if (tf_list_add(&names, n->name) ||
		    tf_list_add(&zones, n->zone)) {
			error("terraform: definition %d: tfvars too large",
			      def + 1);
			goto out;
		}
	}
	if (!n0) {
		ret = 0;	/* Count 0, or a load balancer alone */
		goto out;
	}
	d->dir = statedir_def_dir(state_dir, n0);
	if (!d->dir || tf_def_fields(vars, secrets, p, def, n0, own, n_own))
		goto out;
	d->base = strrchr(d->dir, '/');
	d->base = d->base ? d->base + 1 : d->dir;
	tf_set(vars, "MachineName", d->base);
	snprintf(num, sizeof(num), "%d", def);
	tf_set(vars, "DefinitionIndex", num);
	snprintf(num, sizeof(num), "%zu", count);
	tf_set(vars, "InstanceCount", num);
	tf_set(vars, "MachineNames", names.len ? names.data : "");
	if (zones_name)
		tf_set(vars, zones_name, zones.len ? zones.data : "");
	out_file = xasprintf("%s/terraform.out", d->dir);
	tf_set(vars, "OutputFile", out_file);
	ret = 0;
out:
	if (ret)
		tf_def_release(d);
	buf_release(&names);
	buf_release(&zones);
	free(out_file);
	return ret;
}

int tf_write_def(const char *state_dir, const struct plan *p, int def,
		 const char *const *own, size_t n_own, const char *zones_name,
		 const cJSON *extra, const struct tf_templates *t)
{
	cJSON *vars = cJSON_CreateObject();
	const cJSON *c;
	struct buf secrets;
	struct tf_def d;
	int ret;

	buf_init(&secrets, BUF_CAP_LINE);
	if (!vars)
		abort();
	ret = tf_def_collect(&d, vars, &secrets, state_dir, p, def, own,
			     n_own, zones_name);
	if (!ret && d.dir) {
		for (c = extra ? extra->child : NULL; c; c = c->next)
			tf_set(vars, c->string, c->valuestring);
		if (d.lb)
			tf_set_lb(vars, d.lb);
		ret = tf_write_dir(state_dir, d.dir, t, d.base, vars,
				   &secrets);
	}
	tf_def_release(&d);
	buf_release(&secrets);
	cJSON_Delete(vars);
	return ret;
}

void tf_set_lb(cJSON *vars, const struct node *lb)
{
	size_t i;

	tf_set(vars, "LoadBalancerName", lb->name);
	for (i = 0; i < ARRAY_SIZE(lb_fields); i++) {
		const char *v = node_get(lb, lb_fields[i]);

		if (v)
			tf_set(vars, lb_fields[i], v);
	}
}

const struct node *tf_first_node(const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->nodes[i].role, "LB"))
			return &p->nodes[i];
	return NULL;
}

int tf_def_count(const struct plan *p)
{
	int ndefs = 0;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->nodes[i].def_index >= ndefs)
			ndefs = p->nodes[i].def_index + 1;
	return ndefs;
}
