/*
 * call.c: the AWS provider's calls (see aws.h): one call logged, and the
 * journalled create (ensure: intent, call, ID; adopted by its icm:key tag
 * after a kill) and step (a change without an ID).
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
};
const struct kind aws_kind_subnet = {
	"CreateSubnet", "subnet/subnetId", "subnet", "DescribeSubnets",
	"subnetSet", "subnetId", "DeleteSubnet", "SubnetId", NULL,
};
const struct kind aws_kind_igw = {
	"CreateInternetGateway", "internetGateway/internetGatewayId",
	"internet-gateway", "DescribeInternetGateways", "internetGatewaySet",
	"internetGatewayId", "DeleteInternetGateway", "InternetGatewayId",
	NULL,
};
const struct kind aws_kind_rtb = {
	"CreateRouteTable", "routeTable/routeTableId", "route-table",
	"DescribeRouteTables", "routeTableSet", "routeTableId",
	"DeleteRouteTable", "RouteTableId", NULL,
};
const struct kind aws_kind_sg = {
	"CreateSecurityGroup", "groupId", "security-group",
	"DescribeSecurityGroups", "securityGroupInfo", "groupId",
	"DeleteSecurityGroup", "GroupId", NULL,
};
const struct kind aws_kind_key = {
	"ImportKeyPair", "keyName", "key-pair", "DescribeKeyPairs", "keySet",
	"keyName", "DeleteKeyPair", "KeyName", NULL,
};
const struct kind aws_kind_pg = {
	"CreatePlacementGroup", "placementGroup/groupName", "placement-group",
	"DescribePlacementGroups", "placementGroupSet", "groupName",
	"DeletePlacementGroup", "GroupName", "GroupName",
};
const struct kind aws_kind_eip = {
	"AllocateAddress", "allocationId", "elastic-ip", "DescribeAddresses",
	"addressesSet", "allocationId", "ReleaseAddress", "AllocationId",
	NULL,
};

/* Finds the resource of kind k tagged with key (not deleted); 1 found
 * (*id set), 0 none, -1 failed. */
static int find_tagged(struct aws *a, const struct kind *k, const char *tag,
		       const char *value, char **id, struct cloud_err *err)
{
	struct aws_params p;
	struct xml_node *root = NULL;
	const struct xml_node *it;
	char *fname = xasprintf("tag:%s", tag);
	int ret;

	aws_params_init(&p);
	aws_params_filter(&p, fname, &value, 1);
	free(fname);
	ret = aws_call(a, k->describe, &p, &root, err);
	aws_params_release(&p);
	if (ret)
		return -1;
	it = xml_child(xml_child(root, k->set), "item");
	ret = it && xml_text(xml_child(it, k->item_id)) ? 1 : 0;
	if (ret)
		*id = xstrdup(xml_text(xml_child(it, k->item_id)));
	xml_free(root);
	return ret;
}

/*
 * Makes (or adopts) the resource of journal key `key`: DONE gives the
 * recorded ID; PENDING looks for it by its icm:key tag; otherwise intent,
 * the create call with p plus the tags, done.  *id allocated.
 */
int aws_ensure(struct aws *a, const struct kind *k, const char *key,
	       const char *name, struct aws_params *p, char **id)
{
	struct aws_tag t[3];
	struct xml_node *root = NULL;
	struct cloud_err err = CLOUD_ERR_INIT;
	char *keytag = NULL;
	size_t nt;
	int ret = -1, rc;

	*id = NULL;
	if (journal_id(a->j, key)) {
		*id = xstrdup(journal_id(a->j, key));
		return 0;
	}
	tags(a, key, name, t, &nt, &keytag);
	if (journal_state(a->j, key) == JOURNAL_PENDING) {
		rc = find_tagged(a, k, "icm:key", keytag, id, &err);
		if (rc < 0)
			goto fail;
		if (rc == 1) {
			ret = journal_done(a->j, key, *id);
			goto out;
		}
	}
	if (journal_intent(a->j, key, k->create, NULL))
		goto out;
	aws_params_tag_spec(p, k->tag_type, t, nt);
	if (aws_call(a, k->create, p, &root, &err))
		goto fail;
	if (xml_text(xml_path(root, k->id_path))) {
		*id = xstrdup(xml_text(xml_path(root, k->id_path)));
	} else if (k->id_param && aws_params_get(p, k->id_param)) {
		*id = xstrdup(aws_params_get(p, k->id_param));
	} else {
		cloud_err_set(&err, CLOUD_ERR_OTHER, "the answer has no %s",
			      k->id_path);
		goto fail;
	}
	ret = journal_done(a->j, key, *id);
	goto out;
fail:
	error("%s (%s) failed: %s", k->create, key, err.msg);
	if (journal_state(a->j, key) == JOURNAL_PENDING &&
	    journal_failed(a->j, key, err.msg)) {
		/* reported */
	}
out:
	if (ret) {
		free(*id);
		*id = NULL;
	}
	xml_free(root);
	cloud_err_release(&err);
	free(keytag);
	return ret;
}

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
	struct xml_node *root = NULL;
	struct cloud_err err = CLOUD_ERR_INIT;
	int ret = -1;

	if (id)
		*id = NULL;
	if (journal_state(a->j, key) == JOURNAL_DONE) {
		if (id && journal_id(a->j, key))
			*id = xstrdup(journal_id(a->j, key));
		return 0;
	}
	if (journal_intent(a->j, key, action, NULL))
		return -1;
	if (aws_call(a, action, p, &root, &err) &&
	    !(done_if_exists && err.cls == CLOUD_ERR_EXISTS)) {
		error("%s (%s) failed: %s", action, key, err.msg);
		if (journal_failed(a->j, key, err.msg)) {
			/* reported */
		}
		goto out;
	}
	if (id && id_path && xml_text(xml_path(root, id_path)))
		*id = xstrdup(xml_text(xml_path(root, id_path)));
	ret = journal_done(a->j, key, id && *id ? *id : NULL);
out:
	xml_free(root);
	cloud_err_release(&err);
	return ret;
}
