/*
 * provider.c: the AWS provider's vtable (provider.h): validate, create
 * (the phases and console lines of ICM), destroy (teardown.c); the
 * session every step uses (see aws.h).
 */
#include "aws.h"
#include "tf.h"
#include "../defs.h"
#include "../../state/log.h"
#include "../../util/str.h"

/* The zones of the deployment (Zone, comma list), in order. */
/* The zones of the deployment: the Zone list of defaults.json (its order
 * numbers the subnets), then any other zone a node names. */
static void zones_of(struct aws *a, const struct plan *p)
{
	const char *z = a->pc->cfg ? config_get(a->pc->cfg, -1, "Zone") :
		NULL;
	char *s = xstrdup(z ? z : ""), *w, *save = NULL;
	size_t i, k;

	for (w = strtok_r(s, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		while (*w == ' ')
			w++;
		a->zones = xrealloc(a->zones, (a->nzones + 1) * sizeof(char *));
		a->zones[a->nzones++] = xstrdup(w);
	}
	free(s);
	for (i = 0; i < p->n; i++) {
		const char *nz = p->nodes[i].zone;

		for (k = 0; nz && k < a->nzones; k++)
			if (!strcmp(a->zones[k], nz))
				break;
		if (!nz || k < a->nzones)
			continue;
		a->zones = xrealloc(a->zones, (a->nzones + 1) * sizeof(char *));
		a->zones[a->nzones++] = xstrdup(nz);
	}
}

int aws_open(struct aws *a, const struct provider_ctx *pc,
	     const struct plan *p)
{
	const char *region;
	char *err = NULL;
	size_t i;

	memset(a, 0, sizeof(*a));
	a->pc = pc;
	a->plan = p;
	for (i = 0; i < p->n && !a->any; i++)
		if (strcmp(p->nodes[i].role, "LB"))
			a->any = &p->nodes[i];
	if (!a->any)
		return error("no nodes to provision");
	a->dep = xasprintf("%s-%s", fld(a->any, "Label"),
			   fld(a->any, "Tag"));
	region = fld(a->any, "Region");
	if (!region)
		return error("Region is required on AWS");
	zones_of(a, p);
	if (!a->nzones)
		return error("Zone is required on AWS (a comma list for "
			     "several zones)");
	if (aws_creds_load(&a->creds, fld(a->any, "Credentials"), &err) ||
	    aws_client_init(&a->ec2, AWS_EC2, &a->creds, region, &err) ||
	    aws_client_init(&a->elb, AWS_ELB, &a->creds, region, &err)) {
		error("AWS: %s", err);
		free(err);
		return -1;
	}
	a->has_elb = true;
	return aws_engine_open(a);
}

void aws_close(struct aws *a)
{
	size_t i;

	engine_close(a->e);
	aws_client_release(&a->ec2);
	if (a->has_elb)
		aws_client_release(&a->elb);
	aws_creds_release(&a->creds);
	for (i = 0; i < a->nzones; i++) {
		free(a->zones[i]);
		if (a->subnets)
			free(a->subnets[i]);
	}
	free(a->zones);
	free(a->subnets);
	free(a->dep);
	free(a->vpc);
	free(a->igw);
	free(a->rtb);
	free(a->sg);
	free(a->keyname);
	free(a->rootdev);
	xml_free(a->instances);
}


/* A definition's phases (provider_each_definition()). */
struct phase {
	struct aws *a;
	struct plan *p;
};

static int plan_definition(void *arg, int def)
{
	struct phase *ph = arg;

	return aws_terraform_write_definition(ph->a->pc->state_dir,
					      ph->a->pc->cfg, ph->p, def);
}

static int apply_definition(void *arg, int def)
{
	struct phase *ph = arg;

	return aws_apply_definition(ph->a, ph->p, def);
}

/*
 * ICM's phases and console lines (icm-reference §7.1): plan of
 * <Label>-<Tag> (its Terraform directory written), apply of it (network,
 * security group, key pair); then per definition <Label>-<Role>-<Tag> its
 * plan (its directory) and apply (its instances), which completes once
 * every instance runs and the load balancers exist.
 */
static int aws_create(const struct provider_ctx *pc, struct plan *p)
{
	struct aws a;
	struct phase ph = { &a, p };
	struct volume_growths none = { NULL, 0 };
	struct cloud_err err = CLOUD_ERR_INIT;
	struct volume_growths *grown = pc->growths ? pc->growths : &none;
	const char **ids = xcalloc(p->n ? p->n : 1, sizeof(char *));
	struct node **live = xcalloc(p->n ? p->n : 1, sizeof(*live));
	size_t i, nlive = 0;
	int ret = -1;

	memset(&a, 0, sizeof(a));
	/* sizes that shrank refused, growth confirmed: before any call */
	if (volume_growths_check(pc, p, grown))
		goto out;
	if (aws_open(&a, pc, p))
		goto out;
	if (aws_reconcile(&a, p))
		goto out;
	say("Starting plan of %s...", a.dep);
	if (aws_terraform_write_shared(pc->state_dir, pc->cfg, p))
		goto out;
	say("...completed plan of %s", a.dep);
	say("Starting apply of %s...", a.dep);
	debug("AWS: region %s", a.ec2.region);
	if (aws_network(&a) || aws_security(&a) || aws_keypair(&a))
		goto out;
	say("...completed apply of %s", a.dep);
	if (aws_expand_batches(&a) || aws_scale_in(&a, p))
		goto out;
	if (provider_each_definition(p, plan_definition, apply_definition,
				     &ph))
		goto out;
	for (i = 0; i < p->n; i++) {
		if (!strcmp(p->nodes[i].role, "LB"))
			continue;
		ids[nlive] = aws_node_instance(&a, &p->nodes[i]);
		live[nlive++] = &p->nodes[i];
	}
	say("Waiting for %zu instance%s to run...", nlive,
	    nlive == 1 ? "" : "s");
	if (aws_wait_state(&a, ids, nlive, "running", live, &err)) {
		error("%s", err.msg);
		goto out;
	}
	if (aws_grow_volumes(&a, grown))
		goto out;
	for (i = 0; i < p->n; i++)
		if (!strcmp(p->nodes[i].role, "LB") &&
		    aws_load_balancer(&a, &p->nodes[i], p))
			goto out;
	provider_say_definitions(p, "...completed apply of ", "");
	debug("EC2: %lu calls for %zu nodes", a.ec2.calls, nlive);
	ret = 0;
out:
	free(ids);
	free(live);
	if (a.j || a.dep)
		aws_close(&a);
	volume_growths_release(&none);
	cloud_err_release(&err);
	return ret;
}

static int aws_validate(const struct provider_ctx *pc, const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct node *n = &p->nodes[i];

		if (!strcmp(n->role, "LB"))
			continue;
		if (!fld(n, "AMI") || !fld(n, "InstanceType"))
			return error("%s: AMI and InstanceType are required "
				     "on AWS", n->name);
	}
	return 0;
}

const struct provider provider_aws = {
	.name = "AWS",
	.validate = aws_validate,
	.create = aws_create,
	.destroy = aws_destroy,
};
