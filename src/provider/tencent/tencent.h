/*
 * tencent.h: the Tencent Cloud provider's parts (src/provider/tencent/),
 * shared between its files; nothing outside this directory includes it.
 * icm goes straight against the CVM and VPC APIs (tcapi.h: TC3 signing,
 * retries, errors), on the provider engine (../resource.h).  One region
 * per deployment (Region; several regions through icm merge, as AWS).
 *
 * What provision makes (icm-reference §5.4), each tagged icm-deployment =
 * <Label>-<Tag> (dep) and icm-key = its journal key (how a listing knows
 * it; instances also icm-machine):
 *   vpc                 VPC dep (net_vpc_cidr, else the /16 around the
 *                       first subnet), unless VPCId
 *   subnet/<zone>       subnet dep-<zone> per zone of the deployment in the
 *                       order of Zone (cidr.h's block i), unless SubnetIds
 *                       (one existing subnet per Zone entry)
 *   sg                  security group dep with the ports of every role
 *                       (ports.h) and ICMP, inbound from anywhere
 *   keypair             the key pair of SSHPublicKey (KeyName from dep:
 *                       letters, digits and '_', at most 25)
 *   batch/<def>/<zone>/<first machine>
 *                       one batch per definition and zone: a RunInstances
 *                       per machine (its name, its tags), each with a
 *                       ClientToken from the batch's token and the machine,
 *                       so a resumed batch makes nothing twice; the image
 *                       (ImageId, or the newest public image whose OsName
 *                       matches OSName), the type (InstanceType, or the
 *                       zone's type of InstanceFamily with CPUCoreCount and
 *                       MemorySize), system disk (OSVolumeSize,
 *                       OSVolumeType) and the IRIS and Docker data disks
 *                       (volumes.h; deleted with the instance); a public IP
 *                       unless PrivateSubnet or ElasticIP
 *   node/<machine>      the instance
 *   eip/<machine>       ElasticIP: an EIP bound to it once it runs; kept
 *                       when its machine is scaled in, swept at unprovision
 *   clb/<LB>, lsn/<LB>/<port>
 *                       LoadBalancer: an OPEN CLB in the VPC (ClientToken),
 *                       a TCP listener per ForwardPort with a health check,
 *                       the definition's instances as targets
 * IDs are Tencent's (vpc-..., subnet-..., sg-..., skey-..., ins-...,
 * eip-...).
 *
 * Files: provider.c (the vtable, the session, create, destroy, validate),
 * kinds.c (the kinds, their listings by tag and deletion, the one ensure
 * every kind shares), network.c (VPC, subnets, security group, key pair),
 * instances.c (image, type, the batches, the wait, EIPs), clb.c (load
 * balancers), tc3.c, tcapi.c,
 * tcerr.c, tclist.c, tctask.c (the API).
 */
#ifndef ICM_PROVIDER_TENCENT_TENCENT_H
#define ICM_PROVIDER_TENCENT_TENCENT_H

#include "../provider.h"
#include "../resource.h"
#include "../../state/journal.h"
#include "tcapi.h"

#define TCV_CVM "2017-03-12"
#define TCV_VPC "2017-03-12"
#define TCZ_WAIT_MS (15 * 60 * 1000L)	/* instances running or gone */
#define TCZ_POLL_MS 1000L
#define TCZ_NAME_MAX 60			/* an instance's name */
#define TCZ_KEYNAME_MAX 25		/* a key pair's name */
#define TCZ_BANDWIDTH 10		/* Mbps of a public IP */

/* One provision's or unprovision's Tencent session (tcz_open/close). */
struct tcz {
	const struct provider_ctx *pc;
	const struct plan *plan;
	const struct node *any;		/* a node, for deployment-wide fields */
	char *dep;			/* <Label>-<Tag> */
	const char *region;		/* Region (borrowed from any) */
	struct http_client http;
	struct tc api;
	struct engine *e;
	struct journal *j;
	char **zones;			/* the Zone list, then any other a
					   node is in */
	size_t nzones;
	char *vpc;			/* IDs, once known */
	char **subnets;			/* per zone */
	char *sg;
	char *keypair;
	char *image;
};

static inline const char *tfld(const struct node *n, const char *f)
{
	return node_field(n, f);
}

static inline bool tfld_true(const struct node *n, const char *f)
{
	const char *v = tfld(n, f);

	return v && (!strcasecmp(v, "true") || !strcmp(v, "1"));
}

/* A string member of an answer, or NULL (borrowed). */
static inline const char *tcz_str(const cJSON *o, const char *name)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(f) ? f->valuestring : NULL;
}

/* provider.c */
/* The index of zone z in t->zones, or -1. */
int tcz_zone_index(const struct tcz *t, const char *z);
/* One call of cvm or vpc (service) in the deployment's region. */
int tcz_call(struct tcz *t, const char *service, const char *action,
	     const cJSON *params, cJSON **response, struct cloud_err *err)
	WARN_UNUSED;

/* kinds.c */
extern const struct res_kind *const tcz_kinds[];
extern const struct res_kind tcz_kind_vpc, tcz_kind_subnet, tcz_kind_sg,
	tcz_kind_keypair, tcz_kind_instance, tcz_kind_eip, tcz_kind_clb,
	tcz_kind_listener;
/* [{Key: icm-deployment, Value: dep}, {Key: icm-key, Value: key}] and
 * icm-machine when machine is not NULL (a new array). */
cJSON *tcz_tags(const struct tcz *t, const char *key, const char *machine);
/* The tag filter of the deployment: Filters [{Name:
 * "tag:icm-deployment", Values: [dep]}] added to params. */
void tcz_tag_filter(const struct tcz *t, cJSON *params);
/* The value of tag k in an item's Tags or TagSet, or NULL. */
const char *tcz_tag(const cJSON *item, const char *k);
/*
 * The resource of key, of kind k, made by action (service) with params
 * (Tags added under tags_name: "Tags", or NULL when the action takes
 * none); the new ID is the answer's id_path ("Vpc.VpcId", "KeyId").
 * Takes params.  *id (may be NULL) borrowed from the engine.  -1
 * reported.
 */
int tcz_ensure(struct tcz *t, const struct res_kind *k, const char *key,
	       const char *service, const char *action, cJSON *params,
	       const char *id_path, const char **id) WARN_UNUSED;

/* network.c: -1 reported. */
int tcz_network(struct tcz *t);
int tcz_security_group(struct tcz *t);
int tcz_keypair(struct tcz *t);
/* The CIDR of the VPC icm makes (allocated), or NULL reported. */
char *tcz_vpc_cidr(const struct node *n);

/* instances.c */
int tcz_image(struct tcz *t);
int tcz_apply_definition(struct tcz *t, struct plan *p, int def);
/* Waits until every planned instance runs, binds the EIPs, fills the
 * nodes' addresses.  -1 reported. */
int tcz_wait_running(struct tcz *t, struct plan *p);
int tcz_list_instances(void *prov, struct engine *e, struct cloud_err *err);

/* clb.c */
/* One CLB write, its task followed to its end (DescribeTaskStatus). */
int tcz_clb_call(struct tcz *t, const char *action, const cJSON *params,
		 cJSON **response, struct cloud_err *err) WARN_UNUSED;
/* LoadBalancer node lb: its CLB, listeners, targets; its address.  -1
 * reported. */
int tcz_load_balancer(struct tcz *t, struct node *lb, struct plan *p);

#endif
