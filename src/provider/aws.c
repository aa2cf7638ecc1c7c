/*
 * aws.c: the AWS provider, straight against the EC2 Query API (cloud/ec2.h),
 * resumable through the state directory's journal (state/journal.h).
 *
 * What provision makes (icm-reference §5.1; names and tags as ICM's
 * Terraform made them, plus icm's own tags icm:deployment = <Label>-<Tag>
 * and icm:key = <Label>-<Tag>/<journal key> on everything):
 *   vpc                 10.0.0.0/16, DNS host names on (unless VPCId)
 *   subnet/<zone>       10.0.<i>.0/24 per zone, public IPs on launch
 *                       (unless SubnetIds: one per zone, in Zone order)
 *   igw, igw-attach     internet gateway (unless InternetGatewayId)
 *   rtb, route-default, rtb-assoc/<zone>
 *                       route table with 0.0.0.0/0 -> igw, associated
 *                       with each subnet (unless RouteTableId)
 *   sg, sg-ingress      one security group <Label>-<Tag> with the ports
 *                       of every role (§3.5) open
 *   keypair             <Label>-<Tag> imported from SSHPublicKey
 *   batch/<def>/<zone>/<first machine>
 *                       one RunInstances per definition and zone (never
 *                       one per node), MinCount = MaxCount = the nodes,
 *                       root and IRIS volumes as block device mappings at
 *                       their device names (deleted with the instance)
 *                       recorded as one record "<machine>=<instance>,..."
 *   node/<machine>      the instance of a machine (from its batch's
 *                       record); name/<machine> its Name tag
 *   pg/<name>           placement group (PlacementStrategy; the first of
 *                       PlacementGroups, else <Label>-<Role>-<Tag>;
 *                       PlacementMap is not used yet)
 *   eip/<machine>, eip-assoc/<machine>
 *                       ElasticIP
 *   lb/<LB machine>, tg/<LB>/<port>, tg-reg/<LB>/<port>/<targets hash>,
 *   listener/<LB>/<port>
 *                       LoadBalancer: a network load balancer (ELB v2)
 *                       over the zones' subnets, per ForwardPort a TCP
 *                       target group with the definition's instances and
 *                       ICM's health check, and a listener
 * Each create records an intent before the call and the ID after.  A key
 * left PENDING by a kill is looked up by its icm:key tag (and RunInstances
 * is repeated with the same ClientToken), so a provision killed anywhere
 * and run again ends with exactly the planned resources.
 *
 * Definitions edited between provisions: new nodes are launched in new
 * batches; nodes no longer planned are terminated, highest numbers first,
 * after ICM's confirmation (or -force).  Larger volume sizes than
 * instances.json records (resize.h; smaller ones are refused before any
 * call) are confirmed likewise, then each EBS volume is grown:
 *   volume-size/<machine>/<volume>/<ID>/<GB>
 *                       ModifyVolume, then DescribeVolumesModifications
 *                       until optimizing or completed
 *
 * unprovision deletes in dependency order, waiting for instances to
 * terminate, then sweeps every kind of resource by the icm:deployment tag
 * so nothing icm made survives; what the user supplied (VPCId, SubnetIds,
 * RouteTableId, InternetGatewayId) is never deleted.
 *
 * PrivateSubnet (icm runs inside the VPC): no public addresses; nodes are
 * reached at their private IPs.
 *
 * Node preparation follows in provision (provider.h).
 */
#include "provider.h"
#include "aws_tf.h"
#include "resize.h"
#include "../cloud/ec2.h"
#include <bearssl.h>
#include "../crypto/rand.h"
#include "../crypto/sshkey.h"
#include "../state/journal.h"
#include "../state/log.h"
#include "../util/buf.h"
#include "../util/fs.h"
#include "../util/str.h"

#define VPC_CIDR "10.0.0.0/16"
#define WAIT_MS (15 * 60 * 1000)	/* instances running / terminated */
#define POLL_MS 2000

struct aws {
	const struct provider_ctx *pc;
	struct aws_creds creds;
	struct aws_client ec2;
	struct aws_client elb;		/* set up when there are load
					   balancers (has_elb) */
	bool has_elb;
	struct journal *j;
	char *dep;			/* <Label>-<Tag> */
	const struct node *any;		/* a node, for deployment-wide fields */
	char *vpc, *igw, *rtb, *sg, *keyname;
	char **zones, **subnets;
	size_t nzones;
	bool own_vpc, own_igw, own_rtb;	/* icm made them (delete them) */
};

static void free_ids(char **ids, size_t n);

static const char *fld(const struct node *n, const char *f)
{
	return node_field(n, f);
}

static bool fld_true(const struct node *n, const char *f)
{
	const char *v = fld(n, f);

	return v && (!strcasecmp(v, "true") || !strcmp(v, "1"));
}

/* "<Label>-<Role>-<Tag>": node n's definition as ICM's console lines
 * and state directory name it (caller frees). */
static char *def_name(const struct node *n)
{
	return xasprintf("%s-%s-%s", fld(n, "Label"), n->role,
			 fld(n, "Tag"));
}

/* The first node of definition def that is not a load balancer; NULL
 * when it has none (Count 0). */
static const struct node *def_node(const struct plan *p, int def)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->nodes[i].def_index == def &&
		    strcmp(p->nodes[i].role, "LB"))
			return &p->nodes[i];
	return NULL;
}

static int def_count(const struct plan *p)
{
	size_t i;
	int n = 0;

	for (i = 0; i < p->n; i++)
		if (p->nodes[i].def_index >= n)
			n = p->nodes[i].def_index + 1;
	return n;
}

/* ICM's phase line `<before><definition><after>` for every definition
 * of p that has nodes (unprovision's destroy lines). */
static void say_definitions(const struct plan *p, const char *before,
			    const char *after)
{
	int def, n = def_count(p);

	for (def = 0; def < n; def++) {
		const struct node *n0 = def_node(p, def);
		char *name;

		if (!n0)
			continue;
		name = def_name(n0);
		say("%s%s%s", before, name, after);
		free(name);
	}
}

/* ------------------------------------------------------------ calls */

/* One call on client c (EC2 or ELB); *out (may be NULL) the answer;
 * *reason (allocated) on failure. */
static int svc_call(struct aws_client *c, const char *action,
		    const struct aws_params *p, struct xml_node **out,
		    char **reason)
{
	struct xml_node *root = NULL;

	*reason = NULL;
	debug("AWS %s", action);
	if (ec2_call(c, action, p, &root, reason))
		return -1;
	if (out)
		*out = root;
	else
		xml_free(root);
	return 0;
}

static int call(struct aws *a, const char *action, const struct aws_params *p,
		struct xml_node **out, char **reason)
{
	return svc_call(&a->ec2, action, p, out, reason);
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

/* The resource kinds icm creates: how to make, find and delete one. */
struct kind {
	const char *create;		/* the action */
	const char *id_path;		/* the new ID in its answer */
	const char *tag_type;		/* TagSpecification ResourceType */
	const char *describe;		/* listing, with tag filters */
	const char *set;		/* the listing's item set */
	const char *item_id;		/* the ID in an item */
	const char *del;		/* deletion */
	const char *del_param;		/* its ID parameter */
	const char *id_param;		/* the ID is this create parameter
					   when the answer has none */
};

static const struct kind K_VPC = {
	"CreateVpc", "vpc/vpcId", "vpc", "DescribeVpcs", "vpcSet", "vpcId",
	"DeleteVpc", "VpcId", NULL,
};
static const struct kind K_SUBNET = {
	"CreateSubnet", "subnet/subnetId", "subnet", "DescribeSubnets",
	"subnetSet", "subnetId", "DeleteSubnet", "SubnetId", NULL,
};
static const struct kind K_IGW = {
	"CreateInternetGateway", "internetGateway/internetGatewayId",
	"internet-gateway", "DescribeInternetGateways", "internetGatewaySet",
	"internetGatewayId", "DeleteInternetGateway", "InternetGatewayId",
	NULL,
};
static const struct kind K_RTB = {
	"CreateRouteTable", "routeTable/routeTableId", "route-table",
	"DescribeRouteTables", "routeTableSet", "routeTableId",
	"DeleteRouteTable", "RouteTableId", NULL,
};
static const struct kind K_SG = {
	"CreateSecurityGroup", "groupId", "security-group",
	"DescribeSecurityGroups", "securityGroupInfo", "groupId",
	"DeleteSecurityGroup", "GroupId", NULL,
};
static const struct kind K_KEY = {
	"ImportKeyPair", "keyName", "key-pair", "DescribeKeyPairs", "keySet",
	"keyName", "DeleteKeyPair", "KeyName", NULL,
};
static const struct kind K_PG = {
	"CreatePlacementGroup", "placementGroup/groupName", "placement-group",
	"DescribePlacementGroups", "placementGroupSet", "groupName",
	"DeletePlacementGroup", "GroupName", "GroupName",
};
static const struct kind K_EIP = {
	"AllocateAddress", "allocationId", "elastic-ip", "DescribeAddresses",
	"addressesSet", "allocationId", "ReleaseAddress", "AllocationId",
	NULL,
};

/* Finds the resource of kind k tagged with key (not deleted); 1 found
 * (*id set), 0 none, -1 failed. */
static int find_tagged(struct aws *a, const struct kind *k, const char *tag,
		       const char *value, char **id, char **reason)
{
	struct aws_params p;
	struct xml_node *root = NULL;
	const struct xml_node *it;
	char *fname = xasprintf("tag:%s", tag);
	int ret;

	aws_params_init(&p);
	aws_params_filter(&p, fname, &value, 1);
	free(fname);
	ret = call(a, k->describe, &p, &root, reason);
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
static int ensure(struct aws *a, const struct kind *k, const char *key,
		  const char *name, struct aws_params *p, char **id)
{
	struct aws_tag t[3];
	struct xml_node *root = NULL;
	char *keytag = NULL, *reason = NULL;
	size_t nt;
	int ret = -1, rc;

	*id = NULL;
	if (journal_id(a->j, key)) {
		*id = xstrdup(journal_id(a->j, key));
		return 0;
	}
	tags(a, key, name, t, &nt, &keytag);
	if (journal_state(a->j, key) == JOURNAL_PENDING) {
		rc = find_tagged(a, k, "icm:key", keytag, id, &reason);
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
	if (call(a, k->create, p, &root, &reason))
		goto fail;
	if (xml_text(xml_path(root, k->id_path))) {
		*id = xstrdup(xml_text(xml_path(root, k->id_path)));
	} else if (k->id_param && aws_params_get(p, k->id_param)) {
		*id = xstrdup(aws_params_get(p, k->id_param));
	} else {
		reason = xasprintf("the answer has no %s", k->id_path);
		goto fail;
	}
	ret = journal_done(a->j, key, *id);
	goto out;
fail:
	error("%s (%s) failed: %s", k->create, key, reason);
	if (journal_state(a->j, key) == JOURNAL_PENDING &&
	    journal_failed(a->j, key, reason)) {
		/* reported */
	}
out:
	if (ret) {
		free(*id);
		*id = NULL;
	}
	xml_free(root);
	free(reason);
	free(keytag);
	return ret;
}

/*
 * A call that changes something but creates nothing with an ID (attach,
 * route, association, rules, tags): journalled like the others; an
 * "already done" error (one of the codes in `already`, space-separated)
 * counts as done.  *out (may be NULL) gets the answer.
 */
static int step(struct aws *a, const char *key, const char *action,
		const struct aws_params *p, const char *already,
		const char *id_path, char **id)
{
	struct xml_node *root = NULL;
	char *reason = NULL;
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
	if (call(a, action, p, &root, &reason)) {
		char *w, *save = NULL, *list = xstrdup(already ? already : "");
		bool ok = false;

		for (w = strtok_r(list, " ", &save); w && !ok;
		     w = strtok_r(NULL, " ", &save))
			ok = strstr(reason, w) != NULL;
		free(list);
		if (!ok) {
			error("%s (%s) failed: %s", action, key, reason);
			if (journal_failed(a->j, key, reason)) {
				/* reported */
			}
			goto out;
		}
	}
	if (id && id_path && xml_text(xml_path(root, id_path)))
		*id = xstrdup(xml_text(xml_path(root, id_path)));
	ret = journal_done(a->j, key, id && *id ? *id : NULL);
out:
	xml_free(root);
	free(reason);
	return ret;
}

/* ---------------------------------------------------------- network */

static int network(struct aws *a)
{
	const struct node *n = a->any;
	struct aws_params p;
	const char *v;
	char **ids = NULL;
	size_t i, nids = 0;
	int ret = -1;

	aws_params_init(&p);
	if ((v = fld(n, "VPCId"))) {
		a->vpc = xstrdup(v);
	} else {
		aws_params_add(&p, "CidrBlock", VPC_CIDR);
		if (ensure(a, &K_VPC, "vpc", a->dep, &p, &a->vpc))
			goto out;
		a->own_vpc = true;
		aws_params_release(&p);
		aws_params_add(&p, "VpcId", a->vpc);
		aws_params_add(&p, "EnableDnsHostnames.Value", "true");
		if (step(a, "vpc-dns", "ModifyVpcAttribute", &p, NULL, NULL,
			 NULL))
			goto out;
	}
	if ((v = fld(n, "SubnetIds"))) {
		char *s = xstrdup(v), *w, *save = NULL;

		for (w = strtok_r(s, ",", &save); w;
		     w = strtok_r(NULL, ",", &save)) {
			ids = xrealloc(ids, (nids + 1) * sizeof(*ids));
			ids[nids++] = xstrdup(w);
		}
		free(s);
		if (nids < a->nzones) {
			error("SubnetIds names %zu subnet%s for %zu zone%s: "
			      "one per zone, in Zone order", nids,
			      nids == 1 ? "" : "s", a->nzones,
			      a->nzones == 1 ? "" : "s");
			goto out;
		}
	}
	a->subnets = xcalloc(a->nzones ? a->nzones : 1, sizeof(char *));
	for (i = 0; i < a->nzones; i++) {
		char *key, *cidr, *name;

		if (ids) {
			a->subnets[i] = xstrdup(ids[i]);
			continue;
		}
		key = xasprintf("subnet/%s", a->zones[i]);
		cidr = xasprintf("10.0.%zu.0/24", i);
		name = xasprintf("%s-%s", a->dep, a->zones[i]);
		aws_params_release(&p);
		aws_params_add(&p, "VpcId", a->vpc);
		aws_params_add(&p, "CidrBlock", cidr);
		aws_params_add(&p, "AvailabilityZone", a->zones[i]);
		ret = ensure(a, &K_SUBNET, key, name, &p, &a->subnets[i]);
		free(cidr);
		free(name);
		if (!ret) {
			char *k2 = xasprintf("subnet-public/%s", a->zones[i]);

			aws_params_release(&p);
			aws_params_add(&p, "SubnetId", a->subnets[i]);
			aws_params_add(&p, "MapPublicIpOnLaunch.Value",
				       fld_true(n, "PrivateSubnet") ? "false" :
				       "true");
			ret = step(a, k2, "ModifySubnetAttribute", &p, NULL,
				   NULL, NULL);
			free(k2);
		}
		free(key);
		if (ret)
			goto out;
		ret = -1;
	}
	if ((v = fld(n, "InternetGatewayId"))) {
		a->igw = xstrdup(v);
	} else if (!fld(n, "RouteTableId")) {
		aws_params_release(&p);
		if (ensure(a, &K_IGW, "igw", a->dep, &p, &a->igw))
			goto out;
		a->own_igw = true;
		aws_params_release(&p);
		aws_params_add(&p, "InternetGatewayId", a->igw);
		aws_params_add(&p, "VpcId", a->vpc);
		if (step(a, "igw-attach", "AttachInternetGateway", &p,
			 "Resource.AlreadyAssociated", NULL, NULL))
			goto out;
	}
	if ((v = fld(n, "RouteTableId"))) {
		a->rtb = xstrdup(v);
	} else {
		aws_params_release(&p);
		aws_params_add(&p, "VpcId", a->vpc);
		if (ensure(a, &K_RTB, "rtb", a->dep, &p, &a->rtb))
			goto out;
		a->own_rtb = true;
		aws_params_release(&p);
		aws_params_add(&p, "RouteTableId", a->rtb);
		aws_params_add(&p, "DestinationCidrBlock", "0.0.0.0/0");
		aws_params_add(&p, "GatewayId", a->igw);
		if (step(a, "route-default", "CreateRoute", &p,
			 "RouteAlreadyExists", NULL, NULL))
			goto out;
		for (i = 0; i < a->nzones; i++) {
			char *key = xasprintf("rtb-assoc/%s", a->zones[i]);
			char *assoc = NULL;

			aws_params_release(&p);
			aws_params_add(&p, "RouteTableId", a->rtb);
			aws_params_add(&p, "SubnetId", a->subnets[i]);
			ret = step(a, key, "AssociateRouteTable", &p,
				   "Resource.AlreadyAssociated",
				   "associationId", &assoc);
			free(assoc);
			free(key);
			if (ret)
				goto out;
			ret = -1;
		}
	}
	ret = 0;
out:
	for (i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
	aws_params_release(&p);
	return ret;
}

/* The ports every role may need (icm-reference §3.5, §5.6). */
static int security(struct aws *a)
{
	const struct node *n = a->any;
	struct aws_params p;
	struct {
		const char *proto, *field, *dflt, *to;
	} rules[] = {
		{ "tcp", NULL, "22", NULL }, { "tcp", NULL, "2376", NULL },
		{ "tcp", NULL, "80", NULL }, { "tcp", NULL, "443", NULL },
		{ "tcp", NULL, "53", NULL }, { "udp", NULL, "53", NULL },
		{ "tcp", NULL, "6783", NULL }, { "udp", NULL, "6783", "6784" },
		{ "tcp", "SuperServerPort", "1972", NULL },
		{ "tcp", "WebServerPort", "52773", NULL },
		{ "tcp", "ISCAgentPort", "2188", NULL },
		{ "tcp", "LicenseServerPort", "4002", NULL },
		{ "udp", "LicenseServerPort", "4002", NULL },
	};
	const char *ports[ARRAY_SIZE(rules)];
	size_t i, k;
	int ret = -1;
	char *desc = xasprintf("icm %s", a->dep);

	aws_params_init(&p);
	aws_params_add(&p, "GroupName", a->dep);
	aws_params_add(&p, "GroupDescription", desc);
	aws_params_add(&p, "VpcId", a->vpc);
	if (ensure(a, &K_SG, "sg", a->dep, &p, &a->sg))
		goto out;
	aws_params_release(&p);
	aws_params_add(&p, "GroupId", a->sg);
	for (i = 0, k = 0; i < ARRAY_SIZE(rules); i++) {
		const char *port = rules[i].field ? fld(n, rules[i].field) :
			NULL;
		size_t j;

		if (!port)
			port = rules[i].dflt;
		for (j = 0; j < i; j++)		/* a port field may repeat */
			if (!strcmp(rules[j].proto, rules[i].proto) &&
			    !strcmp(ports[j], port))
				break;
		ports[i] = port;
		if (j < i)
			continue;
		k++;
		aws_params_addf(&p, rules[i].proto,
				"IpPermissions.%zu.IpProtocol", k);
		aws_params_addf(&p, port, "IpPermissions.%zu.FromPort", k);
		aws_params_addf(&p, rules[i].to ? rules[i].to : port,
				"IpPermissions.%zu.ToPort", k);
		aws_params_addf(&p, "0.0.0.0/0",
				"IpPermissions.%zu.IpRanges.1.CidrIp", k);
	}
	i = k;
	aws_params_addf(&p, "icmp", "IpPermissions.%zu.IpProtocol", i + 1);
	aws_params_addf(&p, "-1", "IpPermissions.%zu.FromPort", i + 1);
	aws_params_addf(&p, "-1", "IpPermissions.%zu.ToPort", i + 1);
	aws_params_addf(&p, VPC_CIDR, "IpPermissions.%zu.IpRanges.1.CidrIp",
			i + 1);
	ret = step(a, "sg-ingress", "AuthorizeSecurityGroupIngress", &p,
		   "InvalidPermission.Duplicate", NULL, NULL);
out:
	aws_params_release(&p);
	free(desc);
	return ret;
}

static int keypair(struct aws *a)
{
	const char *path = fld(a->any, "SSHPublicKey");
	struct aws_params p;
	struct buf key, b64;
	int ret = -1;

	buf_init(&key, BUF_CAP_CONFIG);
	buf_init(&b64, 2 * BUF_CAP_CONFIG);
	aws_params_init(&p);
	if (!path) {
		error("SSHPublicKey is required on AWS");
		goto out;
	}
	if (fs_read_file(path, &key)) {
		error("cannot read SSHPublicKey '%s': %s", path,
		      fs_strerror(errno));
		goto out;
	}
	if (base64_add(&b64, key.data, key.len)) {
		error("SSHPublicKey '%s' is too large", path);
		goto out;
	}
	aws_params_add(&p, "KeyName", a->dep);
	aws_params_add(&p, "PublicKeyMaterial", b64.data);
	ret = ensure(a, &K_KEY, "keypair", NULL, &p, &a->keyname);
out:
	aws_params_release(&p);
	buf_release(&key);
	buf_release(&b64);
	return ret;
}

/* -------------------------------------------------------- instances */

/* The node's instance ID (journal), or NULL. */
static const char *node_instance(struct aws *a, const struct node *n)
{
	char *key = xasprintf("node/%s", n->name);
	const char *id = journal_id(a->j, key);

	free(key);
	return id;
}

static size_t zone_index(struct aws *a, const char *zone)
{
	size_t i;

	for (i = 0; zone && i < a->nzones; i++)
		if (!strcmp(a->zones[i], zone))
			return i;
	return 0;
}

/* The root device of the AMI (its block device mappings use it). */
static int root_device(struct aws *a, const char *ami, char **dev)
{
	struct aws_params p;
	struct xml_node *root = NULL;
	char *reason = NULL;
	const char *v;
	int ret = -1;

	aws_params_init(&p);
	aws_params_add(&p, "ImageId.1", ami);
	if (call(a, "DescribeImages", &p, &root, &reason)) {
		error("AMI '%s': %s", ami, reason);
		goto out;
	}
	v = xml_text(xml_path(root, "imagesSet/item/rootDeviceName"));
	if (!v) {
		error("AMI '%s' is not available in region %s", ami,
		      a->ec2.region);
		goto out;
	}
	*dev = xstrdup(v);
	ret = 0;
out:
	aws_params_release(&p);
	xml_free(root);
	free(reason);
	return ret;
}

/* BlockDeviceMapping.N for the root disk and the IRIS volumes. */
static void volumes(const struct node *n, const char *rootdev,
		    struct aws_params *p)
{
	static const char *const vol[] = { "Data", "WIJ", "Journal1",
					   "Journal2", "Docker" };
	size_t i, k = 1;

	aws_params_addf(p, rootdev, "BlockDeviceMapping.%zu.DeviceName", k);
	aws_params_addf(p, fld(n, "OSVolumeSize") ? fld(n, "OSVolumeSize") :
			"32", "BlockDeviceMapping.%zu.Ebs.VolumeSize", k);
	aws_params_addf(p, fld(n, "OSVolumeType") ? fld(n, "OSVolumeType") :
			"standard", "BlockDeviceMapping.%zu.Ebs.VolumeType", k);
	if (fld(n, "OSVolumeIOPS") && strcmp(fld(n, "OSVolumeIOPS"), "0"))
		aws_params_addf(p, fld(n, "OSVolumeIOPS"),
				"BlockDeviceMapping.%zu.Ebs.Iops", k);
	aws_params_addf(p, "true", "BlockDeviceMapping.%zu.Ebs."
			"DeleteOnTermination", k);
	for (i = 0; i < ARRAY_SIZE(vol); i++) {
		char f[64];
		const char *dev, *size, *type, *iops;

		snprintf(f, sizeof(f), "%sDeviceName", vol[i]);
		dev = fld(n, f);
		snprintf(f, sizeof(f), "%sVolumeSize", vol[i]);
		size = fld(n, f);
		if (!volume_is_device(dev) || !size ||
		    (i < 4 && !role_is_iris(n->role)))
			continue;
		snprintf(f, sizeof(f), "%sVolumeType", vol[i]);
		type = fld(n, f);
		snprintf(f, sizeof(f), "%sVolumeIOPS", vol[i]);
		iops = fld(n, f);
		k++;
		{
			char *d = volume_device_path(dev);

			aws_params_addf(p, d, "BlockDeviceMapping.%zu."
					"DeviceName", k);
			free(d);
		}
		aws_params_addf(p, size, "BlockDeviceMapping.%zu.Ebs."
				"VolumeSize", k);
		aws_params_addf(p, type ? type : "standard",
				"BlockDeviceMapping.%zu.Ebs.VolumeType", k);
		if (iops && strcmp(iops, "0"))
			aws_params_addf(p, iops, "BlockDeviceMapping.%zu.Ebs."
					"Iops", k);
		aws_params_addf(p, "true", "BlockDeviceMapping.%zu.Ebs."
				"DeleteOnTermination", k);
	}
}

/* Instances of the batch tagged key (not terminated), by launch index. */
static int batch_instances(struct aws *a, const char *keytag,
			   struct xml_node **root, char **reason)
{
	static const char *const live[] = { "pending", "running",
					    "stopping", "stopped" };
	struct aws_params p;
	int ret;

	aws_params_init(&p);
	aws_params_filter(&p, "tag:icm:key", &keytag, 1);
	aws_params_filter(&p, "instance-state-name", live, ARRAY_SIZE(live));
	ret = call(a, "DescribeInstances", &p, root, reason);
	aws_params_release(&p);
	return ret;
}

/*
 * The batch's record: "<machine>=<instance>,..." from the instances of
 * set (by launch index) for nodes[0..k), written as ONE journal record so
 * that a kill cannot leave half a batch recorded; expand_batches() then
 * gives each machine its node/<machine> record.
 */
static int record_batch(struct aws *a, const char *key,
			const struct xml_node *set, struct node **nodes,
			size_t k)
{
	const struct xml_node *it;
	char **ids = xcalloc(k ? k : 1, sizeof(char *));
	struct buf map;
	size_t seen = 0, i;
	int ret = -1;

	buf_init(&map, BUF_CAP_LINE);
	for (it = set ? set->children : NULL; it; it = it->next) {
		const char *id = xml_text(xml_child(it, "instanceId"));
		const char *ix = xml_text(xml_child(it, "amiLaunchIndex"));
		long li = 0;

		if (!id || (ix && str_to_long(ix, &li)) || li < 0 ||
		    (size_t)li >= k || ids[li])
			continue;
		ids[li] = xstrdup(id);
		seen++;
	}
	if (seen != k) {
		error("the launch of %s answered %zu instance%s for %zu node%s",
		      key, seen, seen == 1 ? "" : "s", k, k == 1 ? "" : "s");
		goto out;
	}
	for (i = 0; i < k; i++)
		if (buf_addf(&map, "%s%s=%s", i ? "," : "", nodes[i]->name,
			     ids[i])) {
			error("the launch of %s: too many instances", key);
			goto out;
		}
	ret = journal_done(a->j, key, map.data);
out:
	for (i = 0; i < k; i++)
		free(ids[i]);
	free(ids);
	buf_release(&map);
	return ret;
}

/* What a journal_each() callback that can fail needs. */
struct each {
	struct aws *a;
	int rc;
};

static void expand_one(void *arg, const char *key, enum journal_state st,
		       const char *id)
{
	struct each *e = arg;
	char *map, *w, *save = NULL;

	if (e->rc || st != JOURNAL_DONE || strncmp(key, "batch/", 6) || !id)
		return;
	map = xstrdup(id);
	for (w = strtok_r(map, ",", &save); w && !e->rc;
	     w = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(w, '='), *nk;

		if (!eq)
			continue;
		*eq = '\0';
		nk = xasprintf("node/%s", w);
		if (journal_state(e->a->j, nk) == JOURNAL_NONE)
			e->rc = journal_done(e->a->j, nk, eq + 1);
		free(nk);
	}
	free(map);
}

/* Gives every machine of a recorded batch its node/<machine> record. */
static int expand_batches(struct aws *a)
{
	struct each e = { a, 0 };

	journal_each(a->j, expand_one, &e);
	return e.rc;
}

/*
 * The placement group of node n's definition, or NULL: the first name of
 * PlacementGroups (else <Label>-<Role>-<Tag>), made with PlacementStrategy
 * (and PlacementPartitionCount / PlacementSpreadLevel) when a strategy is
 * given, else an existing group used by name.  *name allocated.
 */
static int placement(struct aws *a, const struct node *n, char **name)
{
	const char *groups = fld(n, "PlacementGroups");
	const char *strategy = fld(n, "PlacementStrategy");
	struct aws_params p;
	char *key;
	int ret;

	*name = NULL;
	if (!groups && !strategy)
		return 0;
	*name = groups ? xstrndup(groups, strcspn(groups, ",")) :
		def_name(n);
	if (!strategy)
		return 0;
	aws_params_init(&p);
	aws_params_add(&p, "GroupName", *name);
	aws_params_add(&p, "Strategy", strategy);
	if (!strcmp(strategy, "partition") && fld(n, "PlacementPartitionCount"))
		aws_params_add(&p, "PartitionCount",
			       fld(n, "PlacementPartitionCount"));
	if (!strcmp(strategy, "spread") && fld(n, "PlacementSpreadLevel"))
		aws_params_add(&p, "SpreadLevel", fld(n, "PlacementSpreadLevel"));
	key = xasprintf("pg/%s", *name);
	{
		char *id = NULL;

		ret = ensure(a, &K_PG, key, NULL, &p, &id);
		free(id);
	}
	free(key);
	aws_params_release(&p);
	if (ret) {
		free(*name);
		*name = NULL;
	}
	return ret;
}

/* Launches nodes[0..k) (one definition, one zone) in one call. */
static int launch(struct aws *a, struct node **nodes, size_t k,
		  const char *rootdev)
{
	const struct node *n = nodes[0];
	char *key = xasprintf("batch/%d/%s/%s", n->def_index,
			      n->zone ? n->zone : "-", n->name);
	char *keytag = xasprintf("%s/%s", a->dep, key);
	char *count = xasprintf("%zu", k), *token = NULL, *reason = NULL;
	char *pg = NULL;
	struct aws_tag t[4] = {
		{ "icm:deployment", a->dep }, { "icm:key", keytag },
		{ "icm:role", n->role }, { "Owner", a->dep },
	};
	struct aws_params p;
	struct xml_node *root = NULL;
	const struct xml_node *set;
	int ret = -1;

	aws_params_init(&p);
	if (journal_state(a->j, key) == JOURNAL_DONE) {
		ret = expand_batches(a);
		goto out;
	}
	if (placement(a, n, &pg))
		goto out;
	if (journal_state(a->j, key) == JOURNAL_PENDING) {
		const struct xml_node *r;
		size_t found = 0;

		if (batch_instances(a, keytag, &root, &reason))
			goto fail;
		for (r = xml_child(xml_child(root, "reservationSet"), "item");
		     r && !found; r = r->next)
			if (xml_count(xml_child(r, "instancesSet"), "item") ==
			    k)
				found = k;
		if (found) {
			r = xml_child(xml_child(root, "reservationSet"),
				      "item");
			while (xml_count(xml_child(r, "instancesSet"),
					 "item") != k)
				r = r->next;
			ret = record_batch(a, key, xml_child(r,
							     "instancesSet"),
					   nodes, k) || expand_batches(a);
			goto out;
		}
		xml_free(root);
		root = NULL;
		if (journal_token(a->j, key))
			token = xstrdup(journal_token(a->j, key));
	}
	if (!token) {
		unsigned char rnd[12];
		size_t i;

		if (rand_bytes(rnd, sizeof(rnd)))
			goto out;
		token = xmalloc(2 * sizeof(rnd) + 5);
		memcpy(token, "icm-", 4);
		for (i = 0; i < sizeof(rnd); i++)
			snprintf(token + 4 + 2 * i, 3, "%02x", rnd[i]);
	}
	say("Launching %zu instance%s of %s in %s...", k, k == 1 ? "" : "s",
	    n->role, n->zone ? n->zone : a->ec2.region);
	if (journal_intent(a->j, key, "RunInstances", token))
		goto out;
	aws_params_add(&p, "ImageId", fld(n, "AMI"));
	aws_params_add(&p, "InstanceType", fld(n, "InstanceType"));
	aws_params_add(&p, "MinCount", count);
	aws_params_add(&p, "MaxCount", count);
	aws_params_add(&p, "KeyName", a->keyname);
	aws_params_add(&p, "SubnetId", a->subnets[zone_index(a, n->zone)]);
	aws_params_add(&p, "SecurityGroupId.1", a->sg);
	aws_params_add(&p, "ClientToken", token);
	if (pg)
		aws_params_add(&p, "Placement.GroupName", pg);
	volumes(n, rootdev, &p);
	aws_params_tag_spec(&p, "instance", t, ARRAY_SIZE(t));
	aws_params_tag_spec(&p, "volume", t, ARRAY_SIZE(t));
	if (call(a, "RunInstances", &p, &root, &reason))
		goto fail;
	set = xml_child(root, "instancesSet");
	ret = record_batch(a, key, set, nodes, k) || expand_batches(a);
	goto out;
fail:
	error("RunInstances (%s) failed: %s", key, reason);
out:
	aws_params_release(&p);
	xml_free(root);
	free(reason);
	free(token);
	free(count);
	free(pg);
	free(keytag);
	free(key);
	return ret;
}

static int name_tag(struct aws *a, const struct node *n)
{
	char *key = xasprintf("name/%s", n->name);
	const char *id = node_instance(a, n);
	struct aws_tag t = { "Name", n->name };
	struct aws_params p;
	int ret;

	aws_params_init(&p);
	aws_params_add(&p, "ResourceId.1", id);
	aws_params_tags(&p, &t, 1);
	ret = step(a, key, "CreateTags", &p, NULL, NULL, NULL);
	aws_params_release(&p);
	free(key);
	return ret;
}

static int elastic_ip(struct aws *a, const struct node *n)
{
	char *key = xasprintf("eip/%s", n->name), *alloc = NULL;
	char *akey = xasprintf("eip-assoc/%s", n->name);
	struct aws_params p;
	int ret;

	aws_params_init(&p);
	aws_params_add(&p, "Domain", "vpc");
	ret = ensure(a, &K_EIP, key, n->name, &p, &alloc);
	if (!ret) {
		aws_params_release(&p);
		aws_params_add(&p, "AllocationId", alloc);
		aws_params_add(&p, "InstanceId", node_instance(a, n));
		ret = step(a, akey, "AssociateAddress", &p, NULL, NULL, NULL);
	}
	aws_params_release(&p);
	free(alloc);
	free(akey);
	free(key);
	return ret;
}

static void set_field(struct node *n, const char *f, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(n->fields, f);
	if (v && *v)
		cJSON_AddStringToObject(n->fields, f, v);
}

/*
 * Waits until every instance in ids is in state `want` (running:
 * fills the nodes' addresses).  nodes may be NULL (terminating).
 */
static int wait_state(struct aws *a, const char *const *ids, size_t k,
		      const char *want, struct node **nodes)
{
	int64_t waited = 0;
	char *reason = NULL;

	while (k) {
		struct aws_params p;
		struct xml_node *root = NULL;
		const struct xml_node *r, *it;
		size_t ready = 0;
		int rc;

		aws_params_init(&p);
		aws_params_list(&p, "InstanceId", ids, k);
		rc = call(a, "DescribeInstances", &p, &root, &reason);
		aws_params_release(&p);
		if (rc) {
			error("DescribeInstances failed: %s", reason);
			free(reason);
			return -1;
		}
		for (r = xml_child(xml_child(root, "reservationSet"), "item");
		     r; r = r->next)
			for (it = xml_child(xml_child(r, "instancesSet"),
					    "item"); it; it = it->next) {
				const char *id = xml_text(xml_child(it,
							"instanceId"));
				const char *st = xml_text(xml_path(it,
							"instanceState/name"));
				size_t i;

				if (!st || strcmp(st, want))
					continue;
				ready++;
				for (i = 0; nodes && id && i < k; i++) {
					if (strcmp(ids[i], id))
						continue;
					set_field(nodes[i], "InstanceId", id);
					set_field(nodes[i], "IPAddress",
						  xml_text(xml_child(it,
							"ipAddress")));
					set_field(nodes[i], "PrivateIPAddress",
						  xml_text(xml_child(it,
							"privateIpAddress")));
					set_field(nodes[i], "DNSName",
						  xml_text(xml_child(it,
							"dnsName")));
					if (!node_get(nodes[i], "IPAddress") ||
					    fld_true(nodes[i],
						     "PrivateSubnet"))
						set_field(nodes[i], "IPAddress",
							  node_get(nodes[i],
							"PrivateIPAddress"));
				}
			}
		xml_free(root);
		if (ready >= k)
			return 0;
		if (waited >= WAIT_MS)
			return error("%zu of %zu instance%s did not reach '%s' "
				     "within %d minutes", k - ready, k,
				     k == 1 ? "" : "s", want,
				     WAIT_MS / 60000);
		usleep(POLL_MS * 1000);
		waited += POLL_MS;
	}
	return 0;
}

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

static int aws_open(struct aws *a, const struct provider_ctx *pc,
		    const struct plan *p)
{
	const char *region;
	char *err = NULL;
	size_t i;

	memset(a, 0, sizeof(*a));
	a->pc = pc;
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
	return journal_open(pc->state_dir, &a->j);
}

static void aws_close(struct aws *a)
{
	size_t i;

	journal_close(a->j);
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
}

/* ------------------------------------------------------------ scale in */

struct gone {
	struct aws *a;
	const struct plan *p;
	char **names;
	size_t n;
};

static void collect_gone(void *arg, const char *key, enum journal_state st,
			 const char *id)
{
	struct gone *g = arg;
	size_t i;

	if (st != JOURNAL_DONE || strncmp(key, "node/", 5))
		return;
	for (i = 0; g->p && i < g->p->n; i++)
		if (!strcmp(g->p->nodes[i].name, key + 5))
			return;
	g->names = xrealloc(g->names, (g->n + 1) * sizeof(char *));
	g->names[g->n++] = xstrdup(key + 5);
}

static int cmp_desc(const void *x, const void *y)
{
	return strcmp(*(char *const *)y, *(char *const *)x);
}

/* Terminates the instances of the journal's nodes named in names and
 * waits; their keys are marked deleted. */
static int terminate(struct aws *a, char **names, size_t n)
{
	const char **ids = xcalloc(n ? n : 1, sizeof(char *));
	struct aws_params p;
	char *reason = NULL;
	size_t i, k = 0;
	int ret = -1;

	for (i = 0; i < n; i++) {
		char *key = xasprintf("node/%s", names[i]);

		if (journal_id(a->j, key))
			ids[k++] = journal_id(a->j, key);
		free(key);
	}
	aws_params_init(&p);
	if (k) {
		say("Terminating %zu instance%s...", k, k == 1 ? "" : "s");
		aws_params_list(&p, "InstanceId", ids, k);
		if (call(a, "TerminateInstances", &p, NULL, &reason) &&
		    !strstr(reason, "InvalidInstanceID.NotFound")) {
			error("TerminateInstances failed: %s", reason);
			goto out;
		}
		if (wait_state(a, ids, k, "terminated", NULL))
			goto out;
	}
	for (i = 0; i < n; i++) {
		static const char *const pre[] = { "node/", "name/",
						   "eip-assoc/" };
		size_t q;

		for (q = 0; q < ARRAY_SIZE(pre); q++) {
			char *key = xasprintf("%s%s", pre[q], names[i]);
			int rc = journal_state(a->j, key) == JOURNAL_NONE ? 0 :
				journal_deleted(a->j, key);

			free(key);
			if (rc)
				goto out;
		}
	}
	ret = 0;
out:
	aws_params_release(&p);
	free(reason);
	free(ids);
	return ret;
}

static int scale_in(struct aws *a, const struct plan *p)
{
	struct gone g = { a, p, NULL, 0 };
	size_t i;
	int ret = 0;

	journal_each(a->j, collect_gone, &g);
	if (!g.n)
		return 0;
	qsort(g.names, g.n, sizeof(char *), cmp_desc);
	if (!a->pc->force) {
		char *what = xasprintf("The definitions no longer hold %zu "
				       "node%s (%s%s): they will be "
				       "terminated with their volumes.", g.n,
				       g.n == 1 ? "" : "s", g.names[0],
				       g.n > 1 ? ", ..." : "");

		if (!a->pc->confirm || !a->pc->confirm(what))
			ret = error("scale-in not confirmed; nothing changed "
				    "(or use -force)");
		free(what);
	}
	if (!ret)
		ret = terminate(a, g.names, g.n);
	for (i = 0; i < g.n; i++)
		free(g.names[i]);
	free(g.names);
	return ret;
}


/* ------------------------------------------------------- load balancers */

/* An ELB (v2) name: at most 32 letters, digits and hyphens. */
static char *elb_name(const char *base, const char *suffix)
{
	char *s = xasprintf("%s%s", base, suffix ? suffix : "");
	size_t i, len = strlen(s);

	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			s[i] = '-';
	if (len > 32) {
		size_t sl = suffix ? strlen(suffix) : 0, cut = 32 - sl;

		while (cut > 1 && s[cut - 1] == '-')	/* ELB: no "--" */
			cut--;
		memmove(s + cut, s + len - sl, sl + 1);
	}
	len = strlen(s);
	while (len > 1 && s[len - 1] == '-')	/* nor a final '-' */
		s[--len] = '\0';
	return s;
}

/*
 * An ELB call journalled under key: DONE gives the recorded ID; PENDING
 * first asks `find` (Describe*, by name) whether it exists.
 */
static int elb_ensure(struct aws *a, const char *key, const char *action,
		      const struct aws_params *p, const char *id_path,
		      const char *find, const char *find_param,
		      const char *name, char **id)
{
	struct xml_node *root = NULL;
	char *reason = NULL;
	int ret = -1;

	*id = NULL;
	if (journal_id(a->j, key)) {
		*id = xstrdup(journal_id(a->j, key));
		return 0;
	}
	if (journal_state(a->j, key) == JOURNAL_PENDING && find) {
		struct aws_params q;

		aws_params_init(&q);
		aws_params_add(&q, find_param, name);
		if (!svc_call(&a->elb, find, &q, &root, &reason) &&
		    xml_text(xml_path(root, id_path))) {
			*id = xstrdup(xml_text(xml_path(root, id_path)));
			aws_params_release(&q);
			ret = journal_done(a->j, key, *id);
			goto out;
		}
		aws_params_release(&q);
		xml_free(root);
		root = NULL;
		free(reason);
		reason = NULL;
	}
	if (journal_intent(a->j, key, action, NULL))
		goto out;
	if (svc_call(&a->elb, action, p, &root, &reason)) {
		error("%s (%s) failed: %s", action, key, reason);
		goto out;
	}
	if (id_path && xml_text(xml_path(root, id_path)))
		*id = xstrdup(xml_text(xml_path(root, id_path)));
	ret = journal_done(a->j, key, *id);
out:
	xml_free(root);
	free(reason);
	return ret;
}

/* The network load balancer of LB node lb in front of its definition's
 * nodes: a target group, registration and listener per ForwardPort. */
static int load_balancer(struct aws *a, struct node *lb, struct plan *p)
{
	char *name = elb_name(lb->name, NULL), *key = NULL, *arn = NULL;
	char *ports = xstrdup(fld(lb, "ForwardPort") ?
			      fld(lb, "ForwardPort") : "");
	char *port, *save = NULL, *dns = NULL;
	struct aws_tag t = { "icm:deployment", a->dep };
	struct aws_params q;
	struct xml_node *root = NULL;
	char *reason = NULL;
	size_t i, k;
	int ret = -1;

	aws_params_init(&q);
	say("Creating load balancer %s...", lb->name);
	aws_params_add(&q, "Name", name);
	aws_params_add(&q, "Type", "network");
	aws_params_add(&q, "Scheme", fld_true(lb, "LoadBalancerInternal") ?
		       "internal" : "internet-facing");
	for (i = 0; i < a->nzones; i++)
		aws_params_addf(&q, a->subnets[i], "Subnets.member.%zu", i + 1);
	aws_params_add(&q, "Tags.member.1.Key", t.key);
	aws_params_add(&q, "Tags.member.1.Value", t.value);
	key = xasprintf("lb/%s", lb->name);
	if (elb_ensure(a, key, "CreateLoadBalancer", &q,
		       "CreateLoadBalancerResult/LoadBalancers/member/"
		       "LoadBalancerArn", "DescribeLoadBalancers",
		       "Names.member.1", name, &arn))
		goto out;
	for (port = strtok_r(ports, ",", &save); port;
	     port = strtok_r(NULL, ",", &save)) {
		char *tg = NULL, *tgname, *sfx;
		const char *hcp = fld(lb, "HealthCheckProtocol");

		sfx = xasprintf("-%s", port);
		tgname = elb_name(lb->name, sfx);
		free(sfx);
		aws_params_release(&q);
		aws_params_add(&q, "Name", tgname);
		aws_params_add(&q, "Protocol", "TCP");
		aws_params_add(&q, "Port", port);
		aws_params_add(&q, "VpcId", a->vpc);
		aws_params_add(&q, "TargetType", "instance");
		aws_params_add(&q, "HealthCheckProtocol", hcp ? hcp : "TCP");
		if (fld(lb, "HealthCheckPort"))
			aws_params_add(&q, "HealthCheckPort",
				       fld(lb, "HealthCheckPort"));
		if (hcp && !strcasecmp(hcp, "HTTP") &&
		    fld(lb, "HealthCheckPath"))
			aws_params_add(&q, "HealthCheckPath",
				       fld(lb, "HealthCheckPath"));
		aws_params_add(&q, "Tags.member.1.Key", t.key);
		aws_params_add(&q, "Tags.member.1.Value", t.value);
		free(key);
		key = xasprintf("tg/%s/%s", lb->name, port);
		ret = elb_ensure(a, key, "CreateTargetGroup", &q,
				 "CreateTargetGroupResult/TargetGroups/member/"
				 "TargetGroupArn", "DescribeTargetGroups",
				 "Names.member.1", tgname, &tg);
		free(tgname);
		if (!ret) {
			char *id = NULL;

			char ids[17];
			br_sha256_context h;
			unsigned char md[32];

			aws_params_release(&q);
			aws_params_add(&q, "TargetGroupArn", tg);
			br_sha256_init(&h);
			for (i = 0, k = 0; i < p->n; i++)
				if (p->nodes[i].def_index == lb->def_index &&
				    strcmp(p->nodes[i].role, "LB") &&
				    node_instance(a, &p->nodes[i])) {
					const char *iid =
						node_instance(a, &p->nodes[i]);

					aws_params_addf(&q, iid,
						"Targets.member.%zu.Id", ++k);
					br_sha256_update(&h, iid,
							 strlen(iid) + 1);
				}
			br_sha256_out(&h, md);
			for (i = 0; i < 8; i++)
				snprintf(ids + 2 * i, 3, "%02x", md[i]);
			/* the key names the set of targets: after a scale
			 * out the new set is registered (RegisterTargets
			 * is idempotent; AWS deregisters terminated ones) */
			free(key);
			key = xasprintf("tg-reg/%s/%s/%s", lb->name, port, ids);
			ret = elb_ensure(a, key, "RegisterTargets", &q, NULL,
					 NULL, NULL, NULL, &id);
			free(id);
		}
		if (!ret) {
			char *id = NULL;

			aws_params_release(&q);
			aws_params_add(&q, "LoadBalancerArn", arn);
			aws_params_add(&q, "Protocol", "TCP");
			aws_params_add(&q, "Port", port);
			aws_params_add(&q, "DefaultActions.member.1.Type",
				       "forward");
			aws_params_add(&q, "DefaultActions.member.1."
				       "TargetGroupArn", tg);
			free(key);
			key = xasprintf("listener/%s/%s", lb->name, port);
			ret = elb_ensure(a, key, "CreateListener", &q,
					 "CreateListenerResult/Listeners/member/"
					 "ListenerArn", NULL, NULL, NULL, &id);
			free(id);
		}
		free(tg);
		if (ret)
			goto out;
		ret = -1;
	}
	aws_params_release(&q);
	aws_params_add(&q, "LoadBalancerArns.member.1", arn);
	if (svc_call(&a->elb, "DescribeLoadBalancers", &q, &root, &reason)) {
		error("DescribeLoadBalancers failed: %s", reason);
		goto out;
	}
	dns = xstrdup(xml_text(xml_path(root, "DescribeLoadBalancersResult/"
					"LoadBalancers/member/DNSName")) ?: "");
	set_field(lb, "DNSName", dns);
	set_field(lb, "LoadBalancerArn", arn);
	ret = 0;
out:
	aws_params_release(&q);
	xml_free(root);
	free(reason);
	free(dns);
	free(ports);
	free(key);
	free(arn);
	free(name);
	return ret;
}

/* The ARNs listed by action (ELB) whose tags say icm:deployment = dep. */
static int elb_tagged(struct aws *a, const char *action, const char *member,
		      const char *arn_el, char ***arns, size_t *n)
{
	struct xml_node *root = NULL;
	const struct xml_node *it;
	char *reason = NULL;
	int ret = -1;

	*arns = NULL;
	*n = 0;
	if (svc_call(&a->elb, action, NULL, &root, &reason)) {
		error("%s failed: %s", action, reason);
		goto out;
	}
	for (it = xml_child(xml_path(root, member), "member"); it;
	     it = it->next) {
		const char *arn = xml_text(xml_child(it, arn_el));
		struct aws_params q;
		struct xml_node *tr = NULL;
		const struct xml_node *tag;
		bool ours = false;

		if (!arn)
			continue;
		aws_params_init(&q);
		aws_params_add(&q, "ResourceArns.member.1", arn);
		if (svc_call(&a->elb, "DescribeTags", &q, &tr, &reason)) {
			aws_params_release(&q);
			error("DescribeTags failed: %s", reason);
			goto out;
		}
		aws_params_release(&q);
		for (tag = xml_child(xml_path(tr, "DescribeTagsResult/"
					      "TagDescriptions/member/Tags"),
				     "member"); tag; tag = tag->next)
			if (xml_text(xml_child(tag, "Key")) &&
			    !strcmp(xml_text(xml_child(tag, "Key")),
				    "icm:deployment") &&
			    xml_text(xml_child(tag, "Value")) &&
			    !strcmp(xml_text(xml_child(tag, "Value")), a->dep))
				ours = true;
		xml_free(tr);
		if (ours) {
			*arns = xrealloc(*arns, (*n + 1) * sizeof(char *));
			(*arns)[(*n)++] = xstrdup(arn);
		}
	}
	ret = 0;
out:
	xml_free(root);
	free(reason);
	return ret;
}

static int sweep_elb(struct aws *a)
{
	static const struct {
		const char *list, *set, *arn, *del, *param, *what;
	} kinds[] = {
		{ "DescribeLoadBalancers",
		  "DescribeLoadBalancersResult/LoadBalancers",
		  "LoadBalancerArn", "DeleteLoadBalancer", "LoadBalancerArn",
		  "load balancer" },
		{ "DescribeTargetGroups",
		  "DescribeTargetGroupsResult/TargetGroups", "TargetGroupArn",
		  "DeleteTargetGroup", "TargetGroupArn", "target group" },
	};
	size_t k, i, n;
	char **arns;
	int ret = 0;

	for (k = 0; k < ARRAY_SIZE(kinds) && !ret; k++) {
		if (elb_tagged(a, kinds[k].list, kinds[k].set, kinds[k].arn,
			       &arns, &n))
			return -1;
		for (i = 0; i < n && !ret; i++) {
			struct aws_params q;
			char *reason = NULL;

			say("Deleting %s %s...", kinds[k].what, arns[i]);
			aws_params_init(&q);
			aws_params_add(&q, kinds[k].param, arns[i]);
			if (svc_call(&a->elb, kinds[k].del, &q, NULL, &reason) &&
			    !strstr(reason, "NotFound"))
				ret = error("%s failed: %s", kinds[k].del,
					    reason);
			aws_params_release(&q);
			free(reason);
		}
		free_ids(arns, n);
	}
	return ret;
}

/* ------------------------------------------------------- volume sizes */

/* One volume to grow: where it is and what it is now. */
struct grow {
	const struct volume_growth *g;
	const char *instance;		/* journal's; not owned */
	char *device;			/* where it is attached */
	char *volume;			/* its ID, from DescribeVolumes */
	long size;			/* its size now (GB) */
	char *key;			/* journal key of the modification */
};

/* Each growth's volume ID and size now (DescribeVolumes by instance,
 * matched by the device it is attached at).  -1 reported, naming the node
 * and field whose volume is not there. */
static int find_volumes(struct aws *a, struct grow *t, size_t n)
{
	const char **iids = xcalloc(n, sizeof(*iids));
	struct aws_params p;
	struct xml_node *root = NULL;
	const struct xml_node *it, *at;
	char *reason = NULL;
	size_t i, k, ni = 0;
	int ret = -1;

	for (i = 0; i < n; i++) {
		for (k = 0; k < ni && strcmp(iids[k], t[i].instance); k++)
			;
		if (k == ni)
			iids[ni++] = t[i].instance;
	}
	aws_params_init(&p);
	aws_params_filter(&p, "attachment.instance-id", iids, ni);
	if (call(a, "DescribeVolumes", &p, &root, &reason)) {
		error("DescribeVolumes failed: %s", reason);
		goto out;
	}
	for (it = xml_child(xml_child(root, "volumeSet"), "item"); it;
	     it = it->next)
		for (at = xml_child(xml_child(it, "attachmentSet"), "item"); at;
		     at = at->next) {
			const char *iid = xml_text(xml_child(at, "instanceId"));
			const char *dev = xml_text(xml_child(at, "device"));
			const char *vid = xml_text(xml_child(it, "volumeId"));
			const char *size = xml_text(xml_child(it, "size"));
			char *path;

			if (!iid || !dev || !vid || !size)
				continue;
			path = volume_device_path(dev);
			for (i = 0; i < n; i++)
				if (!t[i].volume &&
				    !strcmp(t[i].instance, iid) &&
				    !strcmp(t[i].device, path) &&
				    !str_to_long(size, &t[i].size))
					t[i].volume = xstrdup(vid);
			free(path);
		}
	for (i = 0; i < n; i++)
		if (!t[i].volume) {
			error("%s: %s: instance %s has no volume at %s; nothing "
			      "changed", t[i].g->node->name, t[i].g->field,
			      t[i].instance, t[i].device);
			goto out;
		}
	ret = 0;
out:
	aws_params_release(&p);
	xml_free(root);
	free(reason);
	free(iids);
	return ret;
}

/* Waits until each modified volume's modification is optimizing or
 * completed (the new size is usable then).  -1 reported: a failed
 * modification names the node and field. */
static int wait_modified(struct aws *a, struct grow *t, size_t n)
{
	const char **ids = xcalloc(n, sizeof(*ids));
	int64_t waited = 0;
	size_t i;
	int ret = -1;

	for (i = 0; i < n; i++)
		ids[i] = t[i].volume;
	for (;;) {
		struct aws_params p;
		struct xml_node *root = NULL;
		const struct xml_node *it;
		char *reason = NULL;
		size_t ready = 0;

		aws_params_init(&p);
		aws_params_list(&p, "VolumeId", ids, n);
		if (call(a, "DescribeVolumesModifications", &p, &root,
			 &reason)) {
			aws_params_release(&p);
			error("DescribeVolumesModifications failed: %s",
			      reason);
			free(reason);
			goto out;
		}
		aws_params_release(&p);
		for (i = 0; i < n; i++) {
			const char *st = NULL, *msg = NULL;
			long target;

			for (it = xml_child(xml_child(root,
						"volumeModificationSet"),
					    "item"); it; it = it->next)
				if (xml_text(xml_child(it, "volumeId")) &&
				    !strcmp(xml_text(xml_child(it, "volumeId")),
					    t[i].volume) &&
				    xml_text(xml_child(it, "targetSize")) &&
				    !str_to_long(xml_text(xml_child(it,
							"targetSize")),
						 &target) &&
				    target == t[i].g->to) {
					st = xml_text(xml_child(it,
							"modificationState"));
					msg = xml_text(xml_child(it,
							"statusMessage"));
				}
			if (st && !strcmp(st, "failed")) {
				error("%s: %s: growing volume %s to %ld GB "
				      "failed: %s", t[i].g->node->name,
				      t[i].g->field, t[i].volume, t[i].g->to,
				      msg ? msg : "no reason given");
				xml_free(root);
				goto out;
			}
			if (st ? !strcmp(st, "optimizing") ||
			    !strcmp(st, "completed") : t[i].size >= t[i].g->to)
				ready++;
		}
		xml_free(root);
		if (ready == n)
			break;
		if (waited >= WAIT_MS) {
			error("%zu of %zu volume modification%s did not reach "
			      "'optimizing' within %d minutes", n - ready, n,
			      n == 1 ? "" : "s", WAIT_MS / 60000);
			goto out;
		}
		usleep(POLL_MS * 1000);
		waited += POLL_MS;
	}
	ret = 0;
out:
	free(ids);
	return ret;
}

/*
 * The growths provision confirmed (resize.h): each EBS volume found
 * first (none missing, or nothing is changed), then ModifyVolume to the
 * new size, journalled as volume-size/<machine>/<volume>/<ID>/<GB> (a
 * volume that has the size already, after a kill, is recorded without a
 * call; the ID: a machine terminated and made again has new volumes),
 * then the wait for the modifications.  Node preparation grows the
 * partitions and file systems afterwards.
 */
static int grow_volumes(struct aws *a, const struct volume_growths *g,
			const char *rootdev)
{
	struct grow *t = xcalloc(g->n ? g->n : 1, sizeof(*t));
	size_t i;
	int ret = -1;

	for (i = 0; i < g->n; i++) {
		const struct volume_growth *v = &g->v[i];
		char f[64];

		t[i].g = v;
		t[i].instance = node_instance(a, v->node);
		snprintf(f, sizeof(f), "%sDeviceName", v->volume);
		t[i].device = strcmp(v->volume, "OS") ?
			volume_device_path(fld(v->node, f)) : xstrdup(rootdev);
		if (!t[i].instance) {
			error("%s: %s: the node has no instance; nothing "
			      "changed", v->node->name, v->field);
			goto out;
		}
	}
	if (g->n && find_volumes(a, t, g->n))
		goto out;
	for (i = 0; i < g->n; i++) {
		const struct volume_growth *v = t[i].g;
		struct aws_params p;
		char size[24];
		int rc;

		t[i].key = xasprintf("volume-size/%s/%s/%s/%ld",
				     v->node->name, v->volume, t[i].volume,
				     v->to);
		if (journal_state(a->j, t[i].key) == JOURNAL_DONE)
			continue;
		if (t[i].size >= v->to) {
			if (t[i].size > v->to)
				warning("%s: %s: volume %s has %ld GB already",
					v->node->name, v->field, t[i].volume,
					t[i].size);
			if (journal_done(a->j, t[i].key, t[i].volume))
				goto out;
			continue;
		}
		say("Growing the %s volume of %s from %ld to %ld GB...",
		    v->volume, v->node->name, t[i].size, v->to);
		snprintf(size, sizeof(size), "%ld", v->to);
		aws_params_init(&p);
		aws_params_add(&p, "VolumeId", t[i].volume);
		aws_params_add(&p, "Size", size);
		rc = step(a, t[i].key, "ModifyVolume", &p, NULL, NULL, NULL);
		aws_params_release(&p);
		if (rc)
			goto out;
	}
	ret = g->n ? wait_modified(a, t, g->n) : 0;
out:
	for (i = 0; i < g->n; i++) {
		free(t[i].device);
		free(t[i].volume);
		free(t[i].key);
	}
	free(t);
	return ret;
}

/* ------------------------------------------------------------ create */

/* Definition def's apply: a launch per zone of its nodes not made yet,
 * then their Name tags and Elastic IPs. */
static int apply_definition(struct aws *a, struct plan *p, int def,
			    const char *rootdev)
{
	struct node **batch = xcalloc(p->n ? p->n : 1, sizeof(*batch));
	size_t i, j, k;
	int ret = -1;

	for (i = 0; i < p->n; i++) {
		struct node *n = &p->nodes[i];

		if (n->def_index != def || !strcmp(n->role, "LB") ||
		    node_instance(a, n))
			continue;
		k = 0;
		for (j = i; j < p->n; j++) {
			struct node *m = &p->nodes[j];

			if (m->def_index == def &&
			    !strcmp(m->role, n->role) &&
			    !strcmp(m->zone ? m->zone : "",
				    n->zone ? n->zone : "") &&
			    !node_instance(a, m))
				batch[k++] = m;
		}
		if (launch(a, batch, k, rootdev))
			goto out;
	}
	for (i = 0; i < p->n; i++) {
		struct node *n = &p->nodes[i];

		if (n->def_index != def || !strcmp(n->role, "LB"))
			continue;
		if (name_tag(a, n) ||
		    (fld_true(n, "ElasticIP") && elastic_ip(a, n)))
			goto out;
	}
	ret = 0;
out:
	free(batch);
	return ret;
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
	struct volume_growths none = { NULL, 0 };
	struct volume_growths *grown = pc->growths ? pc->growths : &none;
	const char **ids = xcalloc(p->n ? p->n : 1, sizeof(char *));
	struct node **live = xcalloc(p->n ? p->n : 1, sizeof(*live));
	char *rootdev = NULL, *name = NULL;
	size_t i, nlive = 0;
	int def, ndefs = def_count(p), ret = -1;

	memset(&a, 0, sizeof(a));
	/* sizes that shrank refused, growth confirmed: before any call */
	if (volume_growths_check(pc, p, grown))
		goto out;
	if (aws_open(&a, pc, p))
		goto out;
	say("Starting plan of %s...", a.dep);
	if (aws_terraform_write_shared(pc->state_dir, pc->cfg, p))
		goto out;
	say("...completed plan of %s", a.dep);
	say("Starting apply of %s...", a.dep);
	debug("AWS: region %s", a.ec2.region);
	if (network(&a) || security(&a) || keypair(&a))
		goto out;
	say("...completed apply of %s", a.dep);
	if (expand_batches(&a) || scale_in(&a, p))
		goto out;
	if (root_device(&a, fld(a.any, "AMI"), &rootdev))
		goto out;
	for (def = 0; def < ndefs; def++) {
		if (!def_node(p, def))
			continue;
		name = def_name(def_node(p, def));
		say("Starting plan of %s...", name);
		if (aws_terraform_write_definition(pc->state_dir, pc->cfg, p,
						   def))
			goto out;
		say("...completed plan of %s", name);
		say("Starting apply of %s...", name);
		if (apply_definition(&a, p, def, rootdev))
			goto out;
		free(name);
		name = NULL;
	}
	for (i = 0; i < p->n; i++) {
		if (!strcmp(p->nodes[i].role, "LB"))
			continue;
		ids[nlive] = node_instance(&a, &p->nodes[i]);
		live[nlive++] = &p->nodes[i];
	}
	say("Waiting for %zu instance%s to run...", nlive,
	    nlive == 1 ? "" : "s");
	if (wait_state(&a, ids, nlive, "running", live))
		goto out;
	if (grow_volumes(&a, grown, rootdev))
		goto out;
	for (i = 0; i < p->n; i++)
		if (!strcmp(p->nodes[i].role, "LB") &&
		    load_balancer(&a, &p->nodes[i], p))
			goto out;
	say_definitions(p, "...completed apply of ", "");
	debug("EC2: %lu calls for %zu nodes", a.ec2.calls, nlive);
	ret = 0;
out:
	free(name);
	free(rootdev);
	free(ids);
	free(live);
	if (a.j || a.dep)
		aws_close(&a);
	volume_growths_release(&none);
	return ret;
}

/* ----------------------------------------------------------- destroy */

/* Deletes the resource of kind k with id; "not found" counts as done. */
static int delete_one(struct aws *a, const struct kind *k, const char *id,
		      const char *key)
{
	struct aws_params p;
	char *reason = NULL;
	int ret = 0;

	aws_params_init(&p);
	aws_params_add(&p, k->del_param, id);
	say("Deleting %s %s...", k->tag_type, id);
	if (call(a, k->del, &p, NULL, &reason) &&
	    !strstr(reason, "NotFound")) {
		ret = error("%s %s failed: %s", k->del, id, reason);
	} else if (key && journal_state(a->j, key) != JOURNAL_NONE &&
		   journal_deleted(a->j, key)) {
		ret = -1;
	}
	aws_params_release(&p);
	free(reason);
	return ret;
}

/* Every ID of kind k tagged icm:deployment = dep (the sweep). */
static int tagged_ids(struct aws *a, const struct kind *k, char ***ids,
		      size_t *n)
{
	struct aws_params p;
	struct xml_node *root = NULL;
	const struct xml_node *it;
	const char *dep = a->dep;
	char *reason = NULL;
	int ret;

	*ids = NULL;
	*n = 0;
	aws_params_init(&p);
	aws_params_filter(&p, "tag:icm:deployment", &dep, 1);
	ret = call(a, k->describe, &p, &root, &reason);
	aws_params_release(&p);
	if (ret) {
		error("%s failed: %s", k->describe, reason);
		free(reason);
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

static void free_ids(char **ids, size_t n)
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
	char *reason = NULL;
	size_t n = 0;
	int ret = -1;

	aws_params_init(&p);
	aws_params_filter(&p, "tag:icm:deployment", &dep, 1);
	aws_params_filter(&p, "instance-state-name", live, ARRAY_SIZE(live));
	if (call(a, "DescribeInstances", &p, &root, &reason)) {
		error("DescribeInstances failed: %s", reason);
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
		if (call(a, "TerminateInstances", &p, NULL, &reason)) {
			error("TerminateInstances failed: %s", reason);
			goto out;
		}
		if (wait_state(a, ids, n, "terminated", NULL))
			goto out;
	}
	ret = 0;
out:
	aws_params_release(&p);
	xml_free(root);
	free(ids);
	free(reason);
	return ret;
}

/* Detaches an internet gateway from every VPC it is attached to. */
static int detach_igw(struct aws *a, const char *igw)
{
	struct aws_params p;
	char *reason = NULL;
	int ret = 0;

	aws_params_init(&p);
	aws_params_add(&p, "InternetGatewayId", igw);
	aws_params_add(&p, "VpcId", a->vpc ? a->vpc : "");
	if (a->vpc && call(a, "DetachInternetGateway", &p, NULL, &reason) &&
	    !strstr(reason, "Gateway.NotAttached") &&
	    !strstr(reason, "NotFound"))
		ret = error("DetachInternetGateway %s failed: %s", igw,
			    reason);
	aws_params_release(&p);
	free(reason);
	return ret;
}

/* Disassociates route table rtb from its subnets (not the main one). */
static int disassociate_rtb(struct aws *a, const char *rtb)
{
	struct aws_params p;
	struct xml_node *root = NULL;
	const struct xml_node *it;
	char *reason = NULL;
	int ret = -1;

	aws_params_init(&p);
	aws_params_add(&p, "RouteTableId.1", rtb);
	if (call(a, "DescribeRouteTables", &p, &root, &reason)) {
		ret = strstr(reason, "NotFound") ? 0 :
			error("DescribeRouteTables failed: %s", reason);
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
		free(reason);
		reason = NULL;
		if (call(a, "DisassociateRouteTable", &p, NULL, &reason) &&
		    !strstr(reason, "NotFound")) {
			error("DisassociateRouteTable failed: %s", reason);
			goto out;
		}
	}
	ret = 0;
out:
	aws_params_release(&p);
	xml_free(root);
	free(reason);
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

	if (tagged_ids(a, k, &ids, &n))
		return -1;
	for (i = 0; i < n && !ret; i++)
		ret = (before && before(a, ids[i])) ||
			delete_one(a, k, ids[i], NULL);
	free_ids(ids, n);
	return ret;
}

static void delete_group(void *arg, const char *key, enum journal_state st,
			 const char *id)
{
	struct each *g = arg;

	if (!g->rc && st == JOURNAL_DONE && !strncmp(key, "pg/", 3) && id)
		g->rc = delete_one(g->a, &K_PG, id, key);
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

static int aws_destroy(const struct provider_ctx *pc, const struct plan *p)
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
	say_definitions(p, "Starting destroy of ", "...");
	if (sweep_elb(&a) || sweep_instances(&a) || delete_groups(&a) ||
	    sweep(&a, &K_EIP, NULL))
		goto out;
	say_definitions(p, "...completed destroy of ", "");
	say("Starting destroy of %s...", a.dep);
	if (sweep(&a, &K_KEY, NULL) || sweep(&a, &K_SG, NULL) ||
	    sweep(&a, &K_RTB, disassociate_rtb) ||
	    sweep(&a, &K_IGW, detach_igw) || sweep(&a, &K_SUBNET, NULL) ||
	    sweep(&a, &K_VPC, NULL))
		goto out;
	journal_each(a.j, forget_all, &a);
	say("...completed destroy of %s", a.dep);
	ret = 0;
out:
	if (a.j || a.dep)
		aws_close(&a);
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
