/*
 * kinds.c: what an AWS deployment is made of, as the engine's resource
 * kinds (provider/resource.h): which journal keys each kind holds and how
 * one Describe* call, filtered by the deployment's icm:deployment tag,
 * lists everything of the kind that exists.  engine_reconcile() compares
 * those listings with the journal, so a resource deleted (or an instance
 * terminated) behind icm's back is made again by the next provision (see
 * aws.h).
 *
 * What a listing reports besides the resource itself: the steps it can
 * see done (the VPC's DNS attribute and the subnets' public addresses
 * with them; the gateway's attachment; the route table's default route
 * and associations; the security group's rules; an Elastic IP's
 * association; an instance's Name tag).  Placement groups and the load
 * balancer's resources are not listed (their records are trusted).
 */
#include "aws.h"
#include "../../state/log.h"
#include "../../util/str.h"

/* The value of tag key in an item's tagSet, or NULL. */
static const char *tag_of(const struct xml_node *item, const char *key)
{
	const struct xml_node *t;

	for (t = xml_child(xml_child(item, "tagSet"), "item"); t; t = t->next)
		if (xml_text(xml_child(t, "key")) &&
		    !strcmp(xml_text(xml_child(t, "key")), key))
			return xml_text(xml_child(t, "value"));
	return NULL;
}

/* The journal key an item was tagged with (its icm:key tag without the
 * "<deployment>/" in front), or NULL. */
static const char *key_of(const struct aws *a, const struct xml_node *item)
{
	const char *k = tag_of(item, "icm:key");
	size_t n = strlen(a->dep);

	if (!k || strncmp(k, a->dep, n) || k[n] != '/')
		return NULL;
	return k + n + 1;
}

/* One Describe* of the deployment's resources (tag filter; for
 * instances, the live states only, and at teardown those shutting down
 * too, so that they are waited for before what they depend on goes).
 * *root the answer. */
static int describe(struct aws *a, const char *action, bool live,
		    struct xml_node **root, struct cloud_err *err)
{
	static const char *const states[] = { "pending", "running",
					      "stopping", "stopped",
					      "shutting-down" };
	const char *dep = a->dep;
	struct aws_params p;
	int ret;

	aws_params_init(&p);
	aws_params_filter(&p, "tag:icm:deployment", &dep, 1);
	if (live)
		aws_params_filter(&p, "instance-state-name", states,
				  ARRAY_SIZE(states) - !a->tearing_down);
	ret = aws_call(a, action, &p, root, err);
	aws_params_release(&p);
	return ret;
}

/* Reports "<prefix><rest of key after its first '/'>" (a step that goes
 * with a resource of key: "subnet/z" -> "subnet-public/z"). */
static void found_step(struct engine *e, const char *prefix, const char *key)
{
	const char *slash = key ? strchr(key, '/') : NULL;
	char *k;

	if (!slash)
		return;
	k = xasprintf("%s%s", prefix, slash + 1);
	engine_found(e, k, NULL);
	free(k);
}

/* The items of set in an answer, each reported by key and id_el, and
 * handed to each() (may be NULL) for the steps it shows. */
static int list_items(void *prov, struct engine *e, const char *action,
		      const char *set, const char *id_el,
		      void (*each)(struct aws *a, struct engine *e,
				   const struct xml_node *it,
				   const char *key),
		      struct cloud_err *err)
{
	struct aws *a = prov;
	struct xml_node *root = NULL;
	const struct xml_node *it;

	if (describe(a, action, false, &root, err))
		return -1;
	for (it = xml_child(xml_child(root, set), "item"); it;
	     it = it->next) {
		const char *key = key_of(a, it);

		engine_found(e, key, xml_text(xml_child(it, id_el)));
		if (each)
			each(a, e, it, key);
	}
	xml_free(root);
	return 0;
}

static void vpc_steps(struct aws *a, struct engine *e,
		      const struct xml_node *it, const char *key)
{
	if (key && !strcmp(key, "vpc"))
		engine_found(e, "vpc-dns", NULL);
}

static int list_vpcs(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_items(prov, e, "DescribeVpcs", "vpcSet", "vpcId",
			  vpc_steps, err);
}

static void subnet_steps(struct aws *a, struct engine *e,
			 const struct xml_node *it, const char *key)
{
	found_step(e, "subnet-public/", key);
}

static int list_subnets(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_items(prov, e, "DescribeSubnets", "subnetSet",
			  "subnetId", subnet_steps, err);
}

/* The gateway's attachment to a VPC, when it has one. */
static void igw_steps(struct aws *a, struct engine *e,
		      const struct xml_node *it, const char *key)
{
	const struct xml_node *at;

	for (at = xml_child(xml_child(it, "attachmentSet"), "item"); at;
	     at = at->next) {
		const char *st = xml_text(xml_child(at, "state"));

		if (xml_text(xml_child(at, "vpcId")) && st &&
		    (!strcmp(st, "available") || !strcmp(st, "attached")))
			engine_found(e, "igw-attach", NULL);
	}
}

static int list_igws(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_items(prov, e, "DescribeInternetGateways",
			  "internetGatewaySet", "internetGatewayId",
			  igw_steps, err);
}

/* The default route (0.0.0.0/0 to a gateway) and the associations, by
 * their IDs (rtb-assoc/<zone> records the association's). */
static void rtb_steps(struct aws *a, struct engine *e,
		      const struct xml_node *it, const char *key)
{
	const struct xml_node *r;

	for (r = xml_child(xml_child(it, "routeSet"), "item"); r;
	     r = r->next) {
		const char *dst = xml_text(xml_child(r, "destinationCidrBlock"));
		const char *gw = xml_text(xml_child(r, "gatewayId"));

		if (dst && !strcmp(dst, "0.0.0.0/0") && gw &&
		    str_starts(gw, "igw-"))
			engine_found(e, "route-default", NULL);
	}
	for (r = xml_child(xml_child(it, "associationSet"), "item"); r;
	     r = r->next)
		engine_found(e, NULL, xml_text(xml_child(r,
					"routeTableAssociationId")));
}

static int list_rtbs(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_items(prov, e, "DescribeRouteTables", "routeTableSet",
			  "routeTableId", rtb_steps, err);
}

static void sg_steps(struct aws *a, struct engine *e,
		     const struct xml_node *it, const char *key)
{
	if (key && !strcmp(key, "sg") &&
	    xml_child(xml_child(it, "ipPermissions"), "item"))
		engine_found(e, "sg-ingress", NULL);
}

static int list_sgs(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_items(prov, e, "DescribeSecurityGroups",
			  "securityGroupInfo", "groupId", sg_steps, err);
}

/* The key pair, by its name (<Label>-<Tag>): not every endpoint tags key
 * pairs.  Not there: nothing to report. */
static int list_keypairs(void *prov, struct engine *e, struct cloud_err *err)
{
	struct aws *a = prov;
	struct aws_params p;
	struct xml_node *root = NULL;
	const struct xml_node *it;
	int ret;

	aws_params_init(&p);
	aws_params_add(&p, "KeyName.1", a->dep);
	ret = aws_call(a, "DescribeKeyPairs", &p, &root, err);
	aws_params_release(&p);
	if (ret) {
		if (err->cls != CLOUD_ERR_NOT_FOUND)
			return -1;
		cloud_err_release(err);
		return 0;
	}
	for (it = xml_child(xml_child(root, "keySet"), "item"); it;
	     it = it->next)
		if (xml_text(xml_child(it, "keyName")))
			engine_found(e, "keypair",
				     xml_text(xml_child(it, "keyName")));
	xml_free(root);
	return 0;
}

static void eip_steps(struct aws *a, struct engine *e,
		      const struct xml_node *it, const char *key)
{
	if (xml_text(xml_child(it, "associationId")))
		found_step(e, "eip-assoc/", key);
}

static int list_eips(void *prov, struct engine *e, struct cloud_err *err)
{
	return list_items(prov, e, "DescribeAddresses", "addressesSet",
			  "allocationId", eip_steps, err);
}

/*
 * The deployment's live instances (pending, running, stopping, stopped):
 * by ID, and their Name tags as name/<machine>.  The answer is kept
 * (a->instances) so that the wait for running instances can start from
 * it instead of asking again.
 */
static int list_instances(void *prov, struct engine *e,
			  struct cloud_err *err)
{
	struct aws *a = prov;
	struct xml_node *root = NULL;
	const struct xml_node *r, *it;

	if (describe(a, "DescribeInstances", true, &root, err))
		return -1;
	for (r = xml_child(xml_child(root, "reservationSet"), "item"); r;
	     r = r->next)
		for (it = xml_child(xml_child(r, "instancesSet"), "item"); it;
		     it = it->next) {
			const char *name = tag_of(it, "Name");

			engine_found(e, NULL,
				     xml_text(xml_child(it, "instanceId")));
			if (name) {
				char *k = xasprintf("name/%s", name);

				engine_found(e, k, NULL);
				free(k);
			}
		}
	xml_free(a->instances);
	a->instances = root;
	return 0;
}

#define KEYS(...) (const char *const[]){ __VA_ARGS__, NULL }

/* Teardown order (after[]): load balancers (swept before the engine's
 * teardown: destroy NULL), instances, placement groups, addresses, then
 * the key pair, security group, route tables, gateways, subnets, the
 * VPC. */
const struct res_kind aws_res_vpc = {
	.name = "vpc", .keys = KEYS("vpc", "vpc-dns"), .list = list_vpcs,
	.destroy = aws_destroy_vpcs,
};
const struct res_kind aws_res_subnet = {
	.name = "subnet", .keys = KEYS("subnet/", "subnet-public/"),
	.list = list_subnets, .after = KEYS("vpc"),
	.destroy = aws_destroy_subnets,
};
const struct res_kind aws_res_igw = {
	.name = "igw", .keys = KEYS("igw", "igw-attach"), .list = list_igws,
	.after = KEYS("subnet"), .destroy = aws_destroy_igws,
};
const struct res_kind aws_res_rtb = {
	.name = "rtb", .keys = KEYS("rtb", "route-default", "rtb-assoc/"),
	.list = list_rtbs, .after = KEYS("igw"), .destroy = aws_destroy_rtbs,
};
const struct res_kind aws_res_sg = {
	.name = "sg", .keys = KEYS("sg", "sg-ingress"), .list = list_sgs,
	.after = KEYS("rtb"), .destroy = aws_destroy_sgs,
};
const struct res_kind aws_res_keypair = {
	.name = "keypair", .keys = KEYS("keypair"), .list = list_keypairs,
	.after = KEYS("sg"), .destroy = aws_destroy_keypairs,
};
const struct res_kind aws_res_pg = {
	.name = "placement group", .keys = KEYS("pg/"),
	.after = KEYS("eip"), .destroy = aws_destroy_pgs,
};
const struct res_kind aws_res_instance = {
	.name = "instance", .node = true,
	.companions = KEYS("name/", "eip-assoc/"),
	.list = list_instances, .after = KEYS("placement group"),
	.destroy = aws_terminate,
};
const struct res_kind aws_res_eip = {
	.name = "eip", .keys = KEYS("eip/", "eip-assoc/"), .list = list_eips,
	.after = KEYS("keypair"), .destroy = aws_destroy_eips,
};
const struct res_kind aws_res_elb = {
	.name = "load balancer",
	.keys = KEYS("lb/", "tg/", "tg-reg/", "listener/"),
	.after = KEYS("instance"),
};

const struct res_kind *const aws_kinds[] = {
	&aws_res_vpc, &aws_res_subnet, &aws_res_igw, &aws_res_rtb, &aws_res_sg, &aws_res_keypair, &aws_res_pg,
	&aws_res_instance, &aws_res_eip, &aws_res_elb, NULL,
};

int aws_engine_open(struct aws *a)
{
	struct engine_opts o = {
		.state_dir = a->pc->state_dir, .deployment = a->dep,
		.kinds = aws_kinds, .prov = a, .force = a->pc->force,
		.confirm = a->pc->confirm, .teardown_turn = aws_teardown_turn,
	};

	if (engine_open(&o, &a->e))
		return -1;
	a->j = engine_journal(a->e);
	return 0;
}

int aws_reconcile(struct aws *a, const struct plan *p)
{
	int ret = engine_reconcile(a->e, p);

	debug("AWS: %zu listings to reconcile", engine_listings(a->e));
	return ret;
}
