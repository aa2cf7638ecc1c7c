/*
 * azure.h: the Azure provider's parts (src/provider/azure/), shared between
 * its files; nothing outside this directory includes it.  icm goes
 * straight against Azure Resource Manager's REST API (arm.h), as a
 * service principal or the managed identity (auth.h), on the provider
 * engine (../resource.h).
 *
 * What provision makes (icm-reference §5.3), all in one resource group,
 * each tagged icm-deployment = <Label>-<Tag> (dep) and icm-key = its
 * journal key (how a listing knows it; VMs also icm-machine):
 *   group                the resource group ResourceGroupName, else dep,
 *                        in the first Location; made by icm when it does
 *                        not exist (and then deleted last), else used
 *   vnet/<loc>           virtual network dep-<loc> with the subnet
 *   subnet/<loc>         dep-<loc> (cidr.h's block i for Location entry
 *                        i), unless VirtualNetworkName and SubnetName
 *                        name existing ones (one per Location entry; a
 *                        definition may name its own SubnetName)
 *   nsg/<loc>            network security group dep-<loc>-nsg: the ports
 *                        of every role (ports.h) and ICMP, inbound from
 *                        anywhere; attached to each NIC
 *   pip/<m>, nic/<m>     machine m's public IP m-ip (Standard, static;
 *                        none with PrivateSubnet) and NIC m-nic
 *   batch/<def>/<loc>/<zone>/<first machine>
 *                        one batch per definition, Location and Zone:
 *                        its public IPs, NICs, then VMs, each kind PUT
 *                        side by side and their operations followed
 *                        together; lro/<m> records the VM's operation
 *                        URL so a killed run follows it on
 *   node/<m>             the VM m: Size, the marketplace image
 *                        (PublisherName/Offer/Sku/Version) or CustomImage,
 *                        Zone, SSHUser with SSHPassword and the SSH key,
 *                        OS disk m-os and the IRIS and Docker disks
 *                        m-data, -wij, -journal1, -journal2, -docker
 *                        (their SKU <Volume>VolumeType, else
 *                        AccountTier_AccountReplicationType), all deleted
 *                        with the VM
 *   lbip/<L>, lb/<L>     LoadBalancer: a public IP and a Standard load
 *                        balancer whose IP-based backend pool holds the
 *                        definition's machines, a probe and a rule per
 *                        ForwardPort
 * IDs are ARM's resource IDs ("/subscriptions/.../resourceGroups/g/
 * providers/Microsoft.Network/virtualNetworks/x"), which arm_call() takes
 * as paths.  PUTs are idempotent by name: a resumed provision repeats
 * them.  Operations are followed as ARM says (arm.h), many side by side
 * (ops.c).
 *
 * Files: provider.c (the vtable, the session, create, destroy, validate),
 * ops.c (PUT and DELETE with their operations, many followed together;
 * API versions), kinds.c (the kinds, the listing by tag, deletion, the
 * one ensure every kind shares), network.c (group, networks, security
 * groups), vms.c (image, the batches, node facts), lb.c (load balancers),
 * auth.c/token.c (identity), arm.c/lro.c/armerr.c (the API), tf.c
 * (Terraform files).
 */
#ifndef ICM_PROVIDER_AZURE_AZURE_H
#define ICM_PROVIDER_AZURE_AZURE_H

#include "../provider.h"
#include "../resource.h"
#include "../../cloud/http.h"
#include "../../state/journal.h"
#include "arm.h"

#define AZ_API_RESOURCES "2022-09-01"
#define AZ_API_NETWORK "2023-09-01"
#define AZ_API_COMPUTE "2024-03-01"
#define AZ_API_DISKS "2023-10-02"
#define AZ_NAME_MAX 64			/* a Linux VM's name */
#define AZ_POLL_MIN_MS 200L		/* between rounds of polls */
#define AZ_WAIT_MS (30 * 60 * 1000L)	/* operations followed together */

/* One provision's or unprovision's Azure session (az_open/az_close). */
struct az {
	const struct provider_ctx *pc;
	const struct plan *plan;
	const struct node *any;		/* a node, for deployment-wide fields */
	char *dep;			/* <Label>-<Tag> */
	char *group;			/* the resource group's name */
	char *rg;			/* "/subscriptions/<s>/resourceGroups/<g>" */
	struct az_auth auth;
	struct http_client http;
	struct arm arm;
	struct engine *e;
	struct journal *j;
	char **locs;			/* the Location list, then any other a
					   node is in (az_loc()'s form) */
	size_t nlocs;
	char **vnets, **subnets, **nsgs;	/* per location: IDs */
	/* unprovision, and the journal says icm made the group: deleting
	 * it deletes everything, so the other kinds list nothing */
	bool group_goes;
};

/* A string member of a JSON answer, or NULL (az_str(), auth.h). */
static inline const char *afld(const struct node *n, const char *f)
{
	return node_field(n, f);
}

static inline bool afld_true(const struct node *n, const char *f)
{
	const char *v = afld(n, f);

	return v && (!strcasecmp(v, "true") || !strcmp(v, "1"));
}

/* provider.c */
/* Location l as ARM names it ("Central US" -> "centralus": lower case,
 * without spaces; allocated). */
char *az_loc(const char *l);
/* The index of location l (either form) in z->locs, or -1. */
int az_loc_index(const struct az *z, const char *l);
/* Node n's location in az_loc()'s form (borrowed from z; every node's is
 * in z->locs), or "" for a node without one. */
const char *az_node_loc(const struct az *z, const struct node *n);
/* ARM's ID of a resource of type ("Microsoft.Network/networkInterfaces")
 * named name in the deployment's group (allocated). */
char *az_id(const struct az *z, const char *type, const char *name);

/* ops.c */
/* The api-version for resource ID or path id. */
const char *az_api(const char *id);
/* One operation being followed (az_wait()). */
struct az_op {
	const char *what;		/* borrowed: messages ("VM x") */
	char *url;			/* to poll; NULL: done already */
	long retry_after;		/* seconds, -1 none */
	struct cloud_err err;		/* when it failed */
	bool done;
};
/*
 * PUT body (tags icm-deployment/icm-key added, and icm-machine when
 * machine is not NULL) at id; op->url set when ARM started an operation.
 * -1 with *err.
 */
int az_put(struct az *z, const char *id, const char *key,
	   const char *machine, cJSON *body, struct az_op *op,
	   struct cloud_err *err) WARN_UNUSED;
/* DELETE id; not found counts as done. */
int az_delete(struct az *z, const char *id, struct az_op *op,
	      struct cloud_err *err) WARN_UNUSED;
/* Follows ops[0..n) together until each one ended: polls every pending
 * one per round, the rounds as far apart as their Retry-After says.
 * Returns how many failed (each one's err set). */
size_t az_wait(struct az *z, struct az_op *ops, size_t n);
void az_op_release(struct az_op *op);

/* kinds.c */
extern const struct res_kind *const az_kinds[];
extern const struct res_kind az_kind_group, az_kind_vnet, az_kind_nsg,
	az_kind_pip, az_kind_nic, az_kind_vm, az_kind_lb;
/*
 * The resource at id made by one PUT of body through engine_ensure()
 * under key, of kind k, its operation followed to its end.  A resource
 * of that name that exists and is not icm's for key is a conflict (look
 * first, when check).  Takes body.  *out_id (may be NULL) borrowed from
 * the engine.  -1 reported.
 */
int az_ensure(struct az *z, const struct res_kind *k, const char *key,
	      const char *id, cJSON *body, bool check, const char **out_id)
	WARN_UNUSED;
/* The tags of an answer say it is dep's for key. */
bool az_ours(const struct az *z, const cJSON *res, const char *key);

/* network.c: the group, networks, subnets, security groups.  -1
 * reported. */
int az_group(struct az *z);
int az_networks(struct az *z);
/* Node n's network and subnet in location i (IDs, allocated): icm's, or
 * the user's (VirtualNetworkName, n's SubnetName) checked to exist.  -1
 * reported. */
int az_node_subnet(struct az *z, const struct node *n, size_t i,
		   char **vnet, char **subnet) WARN_UNUSED;

/* vms.c */
int az_image(struct az *z);
int az_apply_definition(struct az *z, struct plan *p, int def);
/* Every planned VM's state and addresses into its node. */
int az_node_facts(struct az *z, struct plan *p);

/* lb.c */
int az_load_balancer(struct az *z, struct node *lb, struct plan *p);

#endif
