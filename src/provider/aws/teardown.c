/*
 * teardown.c: unprovision on AWS (see aws.h): everything tagged for the
 * deployment deleted in dependency order; what the user supplied
 * (untagged) never touched.
 */
#include "aws.h"
#include "../../state/log.h"
#include "../../util/str.h"

/* Deletes the resource of kind k with id; "not found" counts as done. */
static int aws_delete_one(struct aws *a, const struct kind *k, const char *id,
			  const char *key)
{
	struct aws_params p;
	struct cloud_err err = CLOUD_ERR_INIT;
	int ret = 0;

	aws_params_init(&p);
	aws_params_add(&p, k->del_param, id);
	say("Deleting %s %s...", k->tag_type, id);
	if (aws_call(a, k->del, &p, NULL, &err) &&
	    err.cls != CLOUD_ERR_NOT_FOUND) {
		ret = error("%s %s failed: %s", k->del, id, err.msg);
	} else if (key && journal_state(a->j, key) != JOURNAL_NONE &&
		   journal_deleted(a->j, key)) {
		ret = -1;
	}
	aws_params_release(&p);
	cloud_err_release(&err);
	return ret;
}

/* Every ID of kind k tagged icm:deployment = dep (the sweep). */
static int aws_tagged_ids(struct aws *a, const struct kind *k, char ***ids,
			  size_t *n)
{
	struct aws_params p;
	struct xml_node *root = NULL;
	const struct xml_node *it;
	const char *dep = a->dep;
	struct cloud_err err = CLOUD_ERR_INIT;
	int ret;

	*ids = NULL;
	*n = 0;
	aws_params_init(&p);
	aws_params_filter(&p, "tag:icm:deployment", &dep, 1);
	ret = aws_call(a, k->describe, &p, &root, &err);
	aws_params_release(&p);
	if (ret) {
		error("%s failed: %s", k->describe, err.msg);
		cloud_err_release(&err);
		return -1;
	}
	for (it = xml_child(xml_child(root, k->set), "item"); it;
	     it = it->next) {
		const char *id = xml_text(xml_child(it, k->item_id));

		if (!id)
			continue;
		*ids = xrealloc(*ids, (*n + 1) * sizeof(char *));
		(*ids)[(*n)++] = xstrdup(id);
	}
	xml_free(root);
	return 0;
}

void aws_free_ids(char **ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* Instances tagged for the deployment and not terminated: terminated. */
static int sweep_instances(struct aws *a)
{
	static const char *const live[] = { "pending", "running",
					    "stopping", "stopped",
					    "shutting-down" };
	struct aws_params p;
	struct xml_node *root = NULL;
	const struct xml_node *r, *it;
	const char *dep = a->dep, **ids = NULL;
	struct cloud_err err = CLOUD_ERR_INIT;
	size_t n = 0;
	int ret = -1;

	aws_params_init(&p);
	aws_params_filter(&p, "tag:icm:deployment", &dep, 1);
	aws_params_filter(&p, "instance-state-name", live, ARRAY_SIZE(live));
	if (aws_call(a, "DescribeInstances", &p, &root, &err)) {
		error("DescribeInstances failed: %s", err.msg);
		goto out;
	}
	for (r = xml_child(xml_child(root, "reservationSet"), "item"); r;
	     r = r->next)
		for (it = xml_child(xml_child(r, "instancesSet"), "item"); it;
		     it = it->next)
			if (xml_text(xml_child(it, "instanceId"))) {
				ids = xrealloc(ids, (n + 1) * sizeof(*ids));
				ids[n++] = xml_text(xml_child(it,
							      "instanceId"));
			}
	aws_params_release(&p);
	if (n) {
		say("Terminating %zu instance%s...", n, n == 1 ? "" : "s");
		aws_params_list(&p, "InstanceId", ids, n);
		if (aws_call(a, "TerminateInstances", &p, NULL, &err)) {
			error("TerminateInstances failed: %s", err.msg);
			goto out;
		}
		if (aws_wait_state(a, ids, n, "terminated", NULL, &err)) {
			error("%s", err.msg);
			goto out;
		}
	}
	ret = 0;
out:
	aws_params_release(&p);
	xml_free(root);
	free(ids);
	cloud_err_release(&err);
	return ret;
}

/* Detaches an internet gateway from every VPC it is attached to. */
static int detach_igw(struct aws *a, const char *igw)
{
	struct aws_params p;
	struct cloud_err err = CLOUD_ERR_INIT;
	int ret = 0;

	aws_params_init(&p);
	aws_params_add(&p, "InternetGatewayId", igw);
	aws_params_add(&p, "VpcId", a->vpc ? a->vpc : "");
	if (a->vpc && aws_call(a, "DetachInternetGateway", &p, NULL, &err) &&
	    err.cls != CLOUD_ERR_NOT_FOUND)
		ret = error("DetachInternetGateway %s failed: %s", igw,
			    err.msg);
	aws_params_release(&p);
	cloud_err_release(&err);
	return ret;
}

/* Disassociates route table rtb from its subnets (not the main one). */
static int disassociate_rtb(struct aws *a, const char *rtb)
{
	struct aws_params p;
	struct xml_node *root = NULL;
	const struct xml_node *it;
	struct cloud_err err = CLOUD_ERR_INIT;
	int ret = -1;

	aws_params_init(&p);
	aws_params_add(&p, "RouteTableId.1", rtb);
	if (aws_call(a, "DescribeRouteTables", &p, &root, &err)) {
		ret = err.cls == CLOUD_ERR_NOT_FOUND ? 0 :
			error("DescribeRouteTables failed: %s", err.msg);
		goto out;
	}
	for (it = xml_child(xml_path(root, "routeTableSet/item/associationSet"),
			    "item"); it; it = it->next) {
		const char *id = xml_text(xml_child(it,
					"routeTableAssociationId"));
		const char *main_ = xml_text(xml_child(it, "main"));

		if (!id || (main_ && !strcmp(main_, "true")))
			continue;
		aws_params_release(&p);
		aws_params_add(&p, "AssociationId", id);
		cloud_err_release(&err);
		if (aws_call(a, "DisassociateRouteTable", &p, NULL, &err) &&
		    err.cls != CLOUD_ERR_NOT_FOUND) {
			error("DisassociateRouteTable failed: %s", err.msg);
			goto out;
		}
	}
	ret = 0;
out:
	aws_params_release(&p);
	xml_free(root);
	cloud_err_release(&err);
	return ret;
}

/* Deletes every resource of kind k tagged for the deployment, after
 * `before` (may be NULL) has run on each. */
static int sweep(struct aws *a, const struct kind *k,
		 int (*before)(struct aws *a, const char *id))
{
	char **ids;
	size_t n, i;
	int ret = 0;

	if (aws_tagged_ids(a, k, &ids, &n))
		return -1;
	for (i = 0; i < n && !ret; i++)
		ret = (before && before(a, ids[i])) ||
			aws_delete_one(a, k, ids[i], NULL);
	aws_free_ids(ids, n);
	return ret;
}

static void delete_group(void *arg, const char *key, enum journal_state st,
			 const char *id)
{
	struct each *g = arg;

	if (!g->rc && st == JOURNAL_DONE && !strncmp(key, "pg/", 3) && id)
		g->rc = aws_delete_one(g->a, &aws_kind_pg, id, key);
}

/* Placement groups, from the journal (not swept by tag: emulators
 * without placement groups would fail every unprovision). */
static int delete_groups(struct aws *a)
{
	struct each g = { a, 0 };

	journal_each(a->j, delete_group, &g);
	return g.rc;
}

static void forget_all(void *arg, const char *key, enum journal_state st,
		       const char *id)
{
	struct aws *a = arg;

	if ((st == JOURNAL_DONE || st == JOURNAL_PENDING) &&
	    journal_deleted(a->j, key)) {
		/* reported; the next unprovision sweeps again */
	}
}

int aws_destroy(const struct provider_ctx *pc, const struct plan *p)
{
	struct aws a;
	int ret = -1;

	if (aws_open(&a, pc, p))
		goto out;
	a.vpc = journal_id(a.j, "vpc") ? xstrdup(journal_id(a.j, "vpc")) :
		NULL;
	debug("AWS: region %s", a.ec2.region);
	/* dependency order: the definitions' load balancers, instances
	 * (their volumes go with them), placement groups and addresses,
	 * then the deployment's key pair, security group, route tables,
	 * gateways, subnets, the VPC; each kind found by the deployment's
	 * tag, so what the user supplied (untagged) is never touched.  ICM's
	 * destroy lines: every definition, then <Label>-<Tag>. */
	aws_say_definitions(p, "Starting destroy of ", "...");
	if (aws_sweep_elb(&a) || sweep_instances(&a) || delete_groups(&a) ||
	    sweep(&a, &aws_kind_eip, NULL))
		goto out;
	aws_say_definitions(p, "...completed destroy of ", "");
	say("Starting destroy of %s...", a.dep);
	if (sweep(&a, &aws_kind_key, NULL) || sweep(&a, &aws_kind_sg, NULL) ||
	    sweep(&a, &aws_kind_rtb, disassociate_rtb) ||
	    sweep(&a, &aws_kind_igw, detach_igw) ||
	    sweep(&a, &aws_kind_subnet, NULL) || sweep(&a, &aws_kind_vpc, NULL))
		goto out;
	journal_each(a.j, forget_all, &a);
	say("...completed destroy of %s", a.dep);
	ret = 0;
out:
	if (a.j || a.dep)
		aws_close(&a);
	return ret;
}
