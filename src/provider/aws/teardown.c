/*
 * teardown.c: unprovision on AWS (see aws.h): the load balancers swept by
 * tag, then engine_teardown() over the kinds of kinds.c with the destroy
 * callbacks here, in dependency order; what the user supplied (untagged)
 * never touched.
 */
#include "aws.h"
#include "../defs.h"
#include "../../state/log.h"
#include "../../util/str.h"

/* err's message prefixed: "<what> failed: <message>" (its class kept). */
static int failed(struct cloud_err *err, const char *what)
{
	char *why = xstrdup(err->msg ? err->msg : "");

	cloud_err_set(err, err->cls, "%s failed: %s", what, why);
	free(why);
	return -1;
}

/* Deletes ids[0..n) of kind k ("Deleting <type> <id>..."), before (may
 * be NULL) run on each first; "not found" counts as done. */
static int delete_each(struct aws *a, const struct kind *k,
		       const char *const *ids, size_t n,
		       int (*before)(struct aws *a, const char *id,
				     struct cloud_err *err),
		       struct cloud_err *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct aws_params p;
		char *what;
		int rc;

		if (before && before(a, ids[i], err))
			return -1;
		aws_params_init(&p);
		aws_params_add(&p, k->del_param, ids[i]);
		say("Deleting %s %s...", k->tag_type, ids[i]);
		rc = aws_call(a, k->del, &p, NULL, err);
		aws_params_release(&p);
		if (!rc || err->cls == CLOUD_ERR_NOT_FOUND) {
			cloud_err_release(err);
			continue;
		}
		what = xasprintf("%s %s", k->del, ids[i]);
		failed(err, what);
		free(what);
		return -1;
	}
	return 0;
}

void aws_free_ids(char **ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* Detaches an internet gateway from the deployment's VPC. */
static int detach_igw(struct aws *a, const char *igw, struct cloud_err *err)
{
	struct aws_params p;
	int ret = 0;

	if (!a->vpc)
		return 0;
	aws_params_init(&p);
	aws_params_add(&p, "InternetGatewayId", igw);
	aws_params_add(&p, "VpcId", a->vpc);
	if (aws_call(a, "DetachInternetGateway", &p, NULL, err)) {
		if (err->cls != CLOUD_ERR_NOT_FOUND) {
			char *what = xasprintf("DetachInternetGateway %s",
					       igw);

			ret = failed(err, what);
			free(what);
		} else {
			cloud_err_release(err);
		}
	}
	aws_params_release(&p);
	return ret;
}

/* Disassociates route table rtb from its subnets (not the main one). */
static int disassociate_rtb(struct aws *a, const char *rtb,
			    struct cloud_err *err)
{
	struct aws_params p;
	struct xml_node *root = NULL;
	const struct xml_node *it;
	int ret = -1;

	aws_params_init(&p);
	aws_params_add(&p, "RouteTableId.1", rtb);
	if (aws_call(a, "DescribeRouteTables", &p, &root, err)) {
		if (err->cls == CLOUD_ERR_NOT_FOUND) {
			cloud_err_release(err);
			ret = 0;
		} else {
			failed(err, "DescribeRouteTables");
		}
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
		if (aws_call(a, "DisassociateRouteTable", &p, NULL, err)) {
			if (err->cls != CLOUD_ERR_NOT_FOUND) {
				failed(err, "DisassociateRouteTable");
				goto out;
			}
			cloud_err_release(err);
		}
	}
	ret = 0;
out:
	aws_params_release(&p);
	xml_free(root);
	return ret;
}

/* The kinds' destroy (resource.h), in teardown order. */
int aws_destroy_pgs(void *prov, const char *const *ids, size_t n,
		    struct cloud_err *err)
{
	return delete_each(prov, &aws_kind_pg, ids, n, NULL, err);
}

int aws_destroy_eips(void *prov, const char *const *ids, size_t n,
		     struct cloud_err *err)
{
	return delete_each(prov, &aws_kind_eip, ids, n, NULL, err);
}

int aws_destroy_keypairs(void *prov, const char *const *ids, size_t n,
			 struct cloud_err *err)
{
	return delete_each(prov, &aws_kind_key, ids, n, NULL, err);
}

int aws_destroy_sgs(void *prov, const char *const *ids, size_t n,
		    struct cloud_err *err)
{
	return delete_each(prov, &aws_kind_sg, ids, n, NULL, err);
}

/* The route tables' listing reports their associations by ID too: those
 * go with their tables. */
int aws_destroy_rtbs(void *prov, const char *const *ids, size_t n,
		     struct cloud_err *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!str_starts(ids[i], "rtbassoc-") &&
		    delete_each(prov, &aws_kind_rtb, &ids[i], 1,
				disassociate_rtb, err))
			return -1;
	return 0;
}

int aws_destroy_igws(void *prov, const char *const *ids, size_t n,
		     struct cloud_err *err)
{
	return delete_each(prov, &aws_kind_igw, ids, n, detach_igw, err);
}

int aws_destroy_subnets(void *prov, const char *const *ids, size_t n,
			struct cloud_err *err)
{
	return delete_each(prov, &aws_kind_subnet, ids, n, NULL, err);
}

int aws_destroy_vpcs(void *prov, const char *const *ids, size_t n,
		     struct cloud_err *err)
{
	return delete_each(prov, &aws_kind_vpc, ids, n, NULL, err);
}

/* ICM's destroy lines between the definitions' resources and the
 * deployment's (the key pair's turn comes first of those). */
void aws_teardown_turn(void *prov, const struct res_kind *k)
{
	struct aws *a = prov;

	if (k != &aws_res_keypair)
		return;
	provider_say_definitions(a->plan, "...completed destroy of ", "");
	say("Starting destroy of %s...", a->dep);
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
	/* dependency order (the kinds' after[], kinds.c): the definitions'
	 * load balancers, instances (their volumes go with them), placement
	 * groups and addresses, then the deployment's key pair, security
	 * group, route tables, gateways, subnets, the VPC; each kind found
	 * by the deployment's tag, so what the user supplied (untagged) is
	 * never touched.  ICM's destroy lines: every definition, then
	 * <Label>-<Tag>. */
	provider_say_definitions(p, "Starting destroy of ", "...");
	a.tearing_down = true;
	if (aws_sweep_elb(&a) || engine_teardown(a.e))
		goto out;
	say("...completed destroy of %s", a.dep);
	ret = 0;
out:
	if (a.e || a.dep)
		aws_close(&a);
	return ret;
}
