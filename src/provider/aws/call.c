/*
 * call.c: the AWS provider's calls (see aws.h): one call logged, and the
 * create callbacks engine_ensure() drives (resource.h): ensure (the
 * Create* call with the icm tags; a PENDING key adopted from its kind's
 * listing) and step (a change without an ID).
 */
#include "aws.h"
#include "../../state/log.h"
#include "../../util/str.h"

/* One call on client c (EC2 or ELB); *out (may be NULL) the answer;
 * *err set on failure. */
int aws_svc_call(struct aws_client *c, const char *action,
		 const struct aws_params *p, struct xml_node **out,
		 struct cloud_err *err)
{
	struct xml_node *root = NULL;

	debug("AWS %s", action);
	if (ec2_call(c, action, p, &root, err))
		return -1;
	if (out)
		*out = root;
	else
		xml_free(root);
	return 0;
}

int aws_call(struct aws *a, const char *action, const struct aws_params *p,
	     struct xml_node **out, struct cloud_err *err)
{
	return aws_svc_call(&a->ec2, action, p, out, err);
}

/* The usual tags of a resource of key (Name optional). */
static void tags(struct aws *a, const char *key, const char *name,
		 struct aws_tag *t, size_t *n, char **keytag)
{
	*keytag = xasprintf("%s/%s", a->dep, key);
	*n = 0;
	t[(*n)++] = (struct aws_tag){ "icm:deployment", a->dep };
	t[(*n)++] = (struct aws_tag){ "icm:key", *keytag };
	if (name)
		t[(*n)++] = (struct aws_tag){ "Name", name };
}


const struct kind aws_kind_vpc = {
	"CreateVpc", "vpc/vpcId", "vpc", "DescribeVpcs", "vpcSet", "vpcId",
	"DeleteVpc", "VpcId", NULL,
	&aws_res_vpc,
};
const struct kind aws_kind_subnet = {
	"CreateSubnet", "subnet/subnetId", "subnet", "DescribeSubnets",
	"subnetSet", "subnetId", "DeleteSubnet", "SubnetId", NULL,
	&aws_res_subnet,
};
const struct kind aws_kind_igw = {
	"CreateInternetGateway", "internetGateway/internetGatewayId",
	"internet-gateway", "DescribeInternetGateways", "internetGatewaySet",
	"internetGatewayId", "DeleteInternetGateway", "InternetGatewayId",
	NULL,
	&aws_res_igw,
};
const struct kind aws_kind_rtb = {
	"CreateRouteTable", "routeTable/routeTableId", "route-table",
	"DescribeRouteTables", "routeTableSet", "routeTableId",
	"DeleteRouteTable", "RouteTableId", NULL,
	&aws_res_rtb,
};
const struct kind aws_kind_sg = {
	"CreateSecurityGroup", "groupId", "security-group",
	"DescribeSecurityGroups", "securityGroupInfo", "groupId",
	"DeleteSecurityGroup", "GroupId", NULL,
	&aws_res_sg,
};
const struct kind aws_kind_key = {
	"ImportKeyPair", "keyName", "key-pair", "DescribeKeyPairs", "keySet",
	"keyName", "DeleteKeyPair", "KeyName", NULL,
	&aws_res_keypair,
};
const struct kind aws_kind_pg = {
	"CreatePlacementGroup", "placementGroup/groupName", "placement-group",
	"DescribePlacementGroups", "placementGroupSet", "groupName",
	"DeletePlacementGroup", "GroupName", "GroupName",
	&aws_res_pg,
};
const struct kind aws_kind_eip = {
	"AllocateAddress", "allocationId", "elastic-ip", "DescribeAddresses",
	"addressesSet", "allocationId", "ReleaseAddress", "AllocationId",
	NULL,
	&aws_res_eip,
};

/* What one create or step needs (engine_ensure()'s arg). */
struct create_arg {
	struct aws *a;
	const struct kind *k;		/* NULL: a step */
	const char *action;
	const char *name;		/* Name tag, or NULL */
	const struct aws_params *p;
	struct aws_params *tagged;	/* p, for a resource: the tags are
					   added */
	bool done_if_exists;
	bool resumed;			/* the key was PENDING */
	const char *id_path;		/* a step's ID in its answer, or NULL */
};

/* The ID of a create's answer (k->id_path, else the k->id_param the call
 * named it by); NULL when it has none. */
static const char *made_id(const struct create_arg *c,
			   const struct xml_node *root)
{
	const char *path = c->k ? c->k->id_path : c->id_path;

	if (path && xml_text(xml_path(root, path)))
		return xml_text(xml_path(root, path));
	if (c->k && c->k->id_param)
		return aws_params_get(c->p, c->k->id_param);
	return NULL;
}

/*
 * engine_ensure()'s create: the call with its parameters, plus the tags
 * for a resource.  A step's "already exists / already done" answer
 * (CLOUD_ERR_EXISTS) counts as done when asked; so does a resumed
 * resource named by its own parameter (a placement group a killed run
 * made: the kind has no listing to adopt it from).
 */
static int create_call(void *prov, void *arg, const char *key,
		       const char *token, char **id, struct cloud_err *err)
{
	struct create_arg *c = arg;
	struct aws_tag t[3];
	struct xml_node *root = NULL;
	char *keytag = NULL;
	size_t nt;
	int ret = -1;

	if (c->k) {
		tags(c->a, key, c->name, t, &nt, &keytag);
		aws_params_tag_spec(c->tagged, c->k->tag_type, t, nt);
	}
	if (aws_call(c->a, c->action, c->p, &root, err)) {
		bool named = c->k && c->k->id_param && c->resumed;

		if (err->cls != CLOUD_ERR_EXISTS ||
		    !(c->done_if_exists || named))
			goto out;
		cloud_err_release(err);
	}
	if (made_id(c, root))
		*id = xstrdup(made_id(c, root));
	else if (c->k) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "the answer has no %s",
			      c->k->id_path);
		goto out;
	}
	ret = 0;
out:
	xml_free(root);
	free(keytag);
	return ret;
}

/* engine_ensure() of key with c; *id (may be NULL) allocated. */
static int ensure(struct create_arg *c, const struct res_kind *rk,
		  const char *key, char **id)
{
	const char *got = NULL;

	if (id)
		*id = NULL;
	c->resumed = journal_state(c->a->j, key) == JOURNAL_PENDING;
	if (engine_ensure(c->a->e, rk, key, c->action, create_call, c,
			  &got))
		return -1;
	if (id && got)
		*id = xstrdup(got);
	return 0;
}

/*
 * Makes (or adopts) the resource of journal key `key` through the engine:
 * DONE gives the recorded ID; PENDING is adopted from the kind's listing
 * (by its icm:key tag); otherwise intent, the create call with p plus the
 * tags, done.  *id allocated.
 */
int aws_ensure(struct aws *a, const struct kind *k, const char *key,
	       const char *name, struct aws_params *p, char **id)
{
	struct create_arg c = {
		.a = a, .k = k, .action = k->create, .name = name, .p = p,
		.tagged = p,
	};

	if (ensure(&c, k->res, key, id))
		return -1;
	if (!*id)
		return error("%s (%s) failed: no ID recorded", k->create, key);
	return 0;
}

/* Steps are not adopted from a listing (a listing that shows the
 * resource does not show the step done): a PENDING step is made again. */
static const struct res_kind step_kind = { .name = "step" };

/*
 * A call that changes something but creates nothing with an ID (attach,
 * route, association, rules, tags): journalled like the others; with
 * done_if_exists, an "already exists / already done" answer
 * (CLOUD_ERR_EXISTS) counts as done.  *id (may be NULL) from id_path of
 * the answer.
 */
int aws_step(struct aws *a, const char *key, const char *action,
	     const struct aws_params *p, bool done_if_exists,
	     const char *id_path, char **id)
{
	struct create_arg c = {
		.a = a, .action = action, .p = p,
		.done_if_exists = done_if_exists, .id_path = id_path,
	};

	return ensure(&c, &step_kind, key, id);
}
