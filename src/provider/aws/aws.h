/*
 * aws.h: the AWS provider's parts (src/provider/aws/), shared between its
 * files; nothing outside this directory includes it.  The provider goes
 * straight against the EC2 Query API (ec2.h),
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
 * Each provision first checks the journal against what exists
 * (aws_reconcile(): the engine of provider/resource.h over the kinds of
 * kinds.c, one Describe* per kind that has records): what was deleted
 * behind icm's back is made again (a terminated instance after ICM's
 * confirmation or -force: its volumes are new).
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
 *
 * Files: provider.c (the vtable, create, validate), kinds.c (the resource
 * kinds and their listings; the reconcile), call.c (journalled
 * calls: ensure, step), network.c (VPC, subnets, gateway, route table,
 * security group, key pair), instances.c (batched launches, Name tags,
 * Elastic IPs, the wait), scalein.c, elb.c (load balancers), volumes.c
 * (volume growth), teardown.c (unprovision), tf.c (Terraform files), and
 * the client: ec2.c (Query API), awserr.c (credentials:
 * cloud/awscreds.c).
 */
#ifndef ICM_PROVIDER_AWS_AWS_H
#define ICM_PROVIDER_AWS_AWS_H

#include "../provider.h"
#include "../resize.h"
#include "../resource.h"
#include "ec2.h"
#include "../../state/journal.h"

#define VPC_CIDR "10.0.0.0/16"
#define WAIT_MS (15 * 60 * 1000)	/* instances running / terminated */
#define POLL_MS 2000

/* One provision's or unprovision's AWS session (aws_open/aws_close). */
struct aws {
	const struct provider_ctx *pc;
	struct aws_creds creds;
	struct aws_client ec2;
	struct aws_client elb;		/* set up when there are load
					   balancers (has_elb) */
	bool has_elb;
	struct engine *e;		/* the session's engine (aws_kinds) */
	struct journal *j;		/* its journal (engine_journal()) */
	char *dep;			/* <Label>-<Tag> */
	const struct plan *plan;	/* the session's (aws_open) */
	const struct node *any;		/* a node, for deployment-wide fields */
	char *vpc, *igw, *rtb, *sg, *keyname;
	char **zones, **subnets;
	size_t nzones;
	bool own_vpc, own_igw, own_rtb;	/* icm made them (delete them) */
	bool tearing_down;		/* unprovision: instances still shutting
					   down are listed too (and waited for) */
	char *rootdev;			/* the AMI's root device, once asked */
	struct xml_node *instances;	/* the reconcile's DescribeInstances
					   answer, until the wait uses it */
};

/* What a journal_each() callback that can fail needs. */
struct each {
	struct aws *a;
	int rc;
};

static inline const char *fld(const struct node *n, const char *f)
{
	return node_field(n, f);
}

static inline bool fld_true(const struct node *n, const char *f)
{
	const char *v = fld(n, f);

	return v && (!strcasecmp(v, "true") || !strcmp(v, "1"));
}

/* provider.c */
/* Credentials, clients, zones and the engine for p; -1 reported.
 * aws_close() it in both cases. */
int aws_open(struct aws *a, const struct provider_ctx *pc,
	     const struct plan *p);
void aws_close(struct aws *a);

/* call.c */
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
	const struct res_kind *res;	/* its kind for the engine */
};

extern const struct kind aws_kind_vpc, aws_kind_subnet, aws_kind_igw,
	aws_kind_rtb, aws_kind_sg, aws_kind_key, aws_kind_pg, aws_kind_eip;

/* One call on client c (EC2 or ELB), logged as "AWS <action>"; *out (may
 * be NULL) the answer; *err set (class and message) on failure. */
int aws_svc_call(struct aws_client *c, const char *action,
		 const struct aws_params *p, struct xml_node **out,
		 struct cloud_err *err);
/* The same on the EC2 client. */
int aws_call(struct aws *a, const char *action, const struct aws_params *p,
	     struct xml_node **out, struct cloud_err *err);
/* Makes (or adopts) the resource of journal key key (kind k, Name tag
 * name, create parameters p plus the tags) with engine_ensure(); *id
 * allocated.  -1 reported. */
int aws_ensure(struct aws *a, const struct kind *k, const char *key,
	       const char *name, struct aws_params *p, char **id);
/* A journalled call that makes nothing with an ID; with done_if_exists
 * an "already done" answer (CLOUD_ERR_EXISTS) counts as done.  *id (may
 * be NULL) from id_path of the answer.  -1 reported. */
int aws_step(struct aws *a, const char *key, const char *action,
	     const struct aws_params *p, bool done_if_exists,
	     const char *id_path, char **id);

/* network.c: VPC, subnets, gateway, route table; security group; key
 * pair.  -1 reported. */
int aws_network(struct aws *a);
int aws_security(struct aws *a);
int aws_keypair(struct aws *a);

/* instances.c */
/* The node's instance ID (journal), or NULL. */
const char *aws_node_instance(struct aws *a, const struct node *n);
/* The AMI's root device name (a->rootdev: DescribeImages the first
 * time), or NULL reported. */
const char *aws_root_device(struct aws *a);
/* Gives every machine of a recorded batch its node/<machine> record. */
int aws_expand_batches(struct aws *a);
/* Waits until every instance of ids is in state want (running: fills the
 * nodes' addresses; nodes may be NULL).  -1 with *err set. */
int aws_wait_state(struct aws *a, const char *const *ids, size_t k,
		   const char *want, struct node **nodes,
		   struct cloud_err *err);
/* Definition def: its launches, Name tags and Elastic IPs. */
int aws_apply_definition(struct aws *a, struct plan *p, int def);

/* kinds.c: the resource kinds of an AWS deployment (resource.h). */
extern const struct res_kind *const aws_kinds[];
extern const struct res_kind aws_res_vpc, aws_res_subnet, aws_res_igw,
	aws_res_rtb, aws_res_sg, aws_res_keypair, aws_res_pg,
	aws_res_instance, aws_res_eip, aws_res_elb;
/* The journal checked against one listing per kind (engine_reconcile()):
 * what is gone is made again by this provision (a node after ICM's
 * confirmation or -force).  -1 reported (not confirmed: nothing
 * changed). */
int aws_reconcile(struct aws *a, const struct plan *p);
/* The session's engine over aws_kinds (a->e, a->j).  -1 reported. */
int aws_engine_open(struct aws *a);

/* scalein.c */
/* The instance kind's destroy (resource.h): ids[0..n) terminated in one
 * call ("Terminating N instances..."), then waited for. */
int aws_terminate(void *prov, const char *const *ids, size_t n,
		  struct cloud_err *err);
/* Machines recorded but no longer planned, terminated after confirmation
 * (or -force): engine_scale_in().  -1 reported. */
int aws_scale_in(struct aws *a, const struct plan *p);

/* elb.c */
int aws_load_balancer(struct aws *a, struct node *lb, struct plan *p);
int aws_sweep_elb(struct aws *a);

/* volumes.c: the confirmed growths (resize.h).  -1 reported. */
int aws_grow_volumes(struct aws *a, const struct volume_growths *g);

/* teardown.c */
void aws_free_ids(char **ids, size_t n);
/* The kinds' destroy (resource.h): "Deleting <type> <id>..." each; a
 * gateway detached and a route table disassociated first. */
int aws_destroy_pgs(void *prov, const char *const *ids, size_t n,
		    struct cloud_err *err);
int aws_destroy_eips(void *prov, const char *const *ids, size_t n,
		     struct cloud_err *err);
int aws_destroy_keypairs(void *prov, const char *const *ids, size_t n,
			 struct cloud_err *err);
int aws_destroy_sgs(void *prov, const char *const *ids, size_t n,
		    struct cloud_err *err);
int aws_destroy_rtbs(void *prov, const char *const *ids, size_t n,
		     struct cloud_err *err);
int aws_destroy_igws(void *prov, const char *const *ids, size_t n,
		     struct cloud_err *err);
int aws_destroy_subnets(void *prov, const char *const *ids, size_t n,
			struct cloud_err *err);
int aws_destroy_vpcs(void *prov, const char *const *ids, size_t n,
		     struct cloud_err *err);
/* engine_teardown()'s turn of each kind: ICM's destroy lines between the
 * definitions' resources and the deployment's. */
void aws_teardown_turn(void *prov, const struct res_kind *k);
int aws_destroy(const struct provider_ctx *pc, const struct plan *p);

#endif
