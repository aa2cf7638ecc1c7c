/*
 * gcp.h: the GCP provider's parts (src/provider/gcp/), shared between its
 * files; nothing outside this directory includes it.  icm goes straight
 * against the Compute Engine REST API v1 (compute.c), authenticated as a
 * service account (auth.h), on the provider engine (../resource.h).
 *
 * What provision makes (icm-reference §5.2; GCE names are lowercase:
 * ldep = lowercase(<Label>-<Tag>), every character outside [a-z0-9-] a
 * '-'; every resource's description is "icm <Label>-<Tag> <journal
 * key>", which is how a listing knows it; the kinds GCE lets carry labels
 * also have icm-deployment = ldep, and instances and their disks
 * icm-machine = the instance's name):
 *   network              ldep, subnets made by icm (unless Network)
 *   subnet/<region>      ldep-<region> per Region entry i: net_subnet_cidr
 *                        for the first region and the next blocks of its
 *                        size for the others, else 10.0.<i>.0/24 (unless
 *                        Subnet: one existing subnet per region)
 *   firewall             ldep-icm: the ports of every role (§3.5) and
 *                        ICMP, to the instances tagged ldep
 *   address/<machine>    a static external address (ElasticIP); kept
 *                        when its machine is scaled in (reused if it comes
 *                        back, as AWS keeps an Elastic IP), swept at
 *                        unprovision
 *   batch/<def>/<zone>/<first machine>
 *                        one batch per definition and zone: one
 *                        instances.insert per machine, each with a
 *                        requestId derived from the batch's token and the
 *                        machine, so a resumed batch repeats none; boot
 *                        disk from Image (OSVolumeSize, OSVolumeType) and
 *                        the IRIS and Docker disks (<Volume>VolumeSize,
 *                        <Volume>VolumeType, device name <Volume>DeviceName)
 *                        made with it and deleted with it; metadata
 *                        ssh-keys for SSHUser; an external NAT address
 *                        unless PrivateSubnet
 *   node/<machine>       the instance (zones/<zone>/instances/<name>)
 *   lbaddr/<LB>, hc/<LB>, pool/<LB>, fwd/<LB>/<port>
 *                        LoadBalancer: a static address, an HTTP health
 *                        check, a target pool of the definition's
 *                        instances, a forwarding rule per ForwardPort
 * IDs are paths relative to the project ("global/networks/x",
 * "zones/us-east1-b/instances/y"): one delete works for every kind.
 * Inserts are asynchronous: each answer is an operation, waited for until
 * DONE; its error is the resource's (the node's) error.
 *
 * Files: provider.c (the vtable, the session, create, destroy),
 * compute.c (one call: token, retries, errors; operations), gceerr.c (an
 * answer's or an operation's error as a message for a person), kinds.c
 * (the resource kinds, their listings and deletion), network.c (network,
 * subnets, firewall), instances.c (image, addresses, batched inserts, the
 * wait), lb.c (load balancers), auth.c and token.c (the service account),
 * tf.c (Terraform files).
 */
#ifndef ICM_PROVIDER_GCP_GCP_H
#define ICM_PROVIDER_GCP_GCP_H

#include "../provider.h"
#include "../resource.h"
#include "../../cloud/http.h"
#include "../../state/journal.h"
#include "auth.h"
#include <cjson/cJSON.h>

#define GCE_ENDPOINT "https://compute.googleapis.com/compute/v1/"
#define GCE_ENDPOINT_ENV "CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE"
#define GCE_WAIT_MS (15 * 60 * 1000L)	/* an operation, instances running */
#define GCE_POLL_MS 1000L
#define GCE_NAME_MAX 63

/* One provision's or unprovision's GCP session (gcp_open/gcp_close). */
struct gcp {
	const struct provider_ctx *pc;
	const struct plan *plan;
	const struct node *any;		/* a node, for deployment-wide fields */
	char *dep;			/* <Label>-<Tag> */
	char *ldep;			/* its GCE name form */
	char *project;
	char *endpoint;			/* ".../compute/v1/" */
	char *base;			/* endpoint + "projects/<project>/" */
	struct gcp_auth auth;
	struct http_client http;
	unsigned long calls;		/* API calls made (bench) */
	struct engine *e;
	struct journal *j;
	char **regions;			/* the Region list, then any other a
					   node's zone is in */
	char **subnets;			/* per region: its subnetwork's path */
	size_t nregions;
	char *network;			/* the network's path */
	char *image;			/* the boot image's path, once found */
};

static inline const char *gfld(const struct node *n, const char *f)
{
	return node_field(n, f);
}

static inline bool gfld_true(const struct node *n, const char *f)
{
	const char *v = gfld(n, f);

	return v && (!strcasecmp(v, "true") || !strcmp(v, "1"));
}

/* A string member of a JSON answer, or NULL (borrowed from o). */
static inline const char *gcp_str(const cJSON *o, const char *name)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(f) ? f->valuestring : NULL;
}

/* provider.c */
/* The GCE name of s: lowercase, other characters than [a-z0-9-] as '-'
 * (allocated). */
char *gcp_name(const char *s);
/* The region of zone z ("us-east1-b" -> "us-east1"; allocated). */
char *gcp_zone_region(const char *z);
/* The index of region r in g->regions, or -1. */
int gcp_region_index(const struct gcp *g, const char *r);

/* compute.c */
/*
 * One API call: method on path (relative to the project, or starting
 * with "projects/" or "http"), with body (may be NULL), query (may be
 * NULL: "requestId=..."), logged as "GCE <method> <path>".  Retried with
 * backoff on 429, 5xx, rate-limit 403s and network failures; a 401 gets a
 * new token once.  *out (may be NULL) the answer (NULL for an empty
 * one).  -1 with *err set (gceerr.c's words).
 */
int gce_call(struct gcp *g, const char *method, const char *path,
	     const char *query, const cJSON *body, cJSON **out,
	     struct cloud_err *err) WARN_UNUSED;
/* Waits until operation op (an insert's or delete's answer) is DONE;
 * its error into *err (-1). */
int gce_op_wait(struct gcp *g, const cJSON *op, struct cloud_err *err)
	WARN_UNUSED;
/* Every item of a (paginated) list at path, filter (may be NULL) applied
 * by the API; an aggregated list's items are flattened.  *items
 * allocated (a cJSON array). */
int gce_list(struct gcp *g, const char *path, const char *filter,
	     cJSON **items, struct cloud_err *err) WARN_UNUSED;
/* The requestId (a UUID) of token and salt (a machine): the same inputs
 * give the same one. */
void gce_request_id(const char *token, const char *salt, char out[37]);
/* The path relative to the project of a selfLink (borrowed, into link),
 * or NULL when it is not one of this project. */
const char *gce_rel(const struct gcp *g, const char *link);

/* gceerr.c */
/* An answer with status and body (Google's {"error": ...}) into *err. */
int gce_http_error(long status, const char *body, size_t len,
		   struct cloud_err *err);
/* A DONE operation's error (op "error") into *err; 0 when it has none.
 * Quota, zone exhaustion and permissions are named. */
int gce_op_error(const cJSON *op, struct cloud_err *err);
/* The reason ("rateLimitExceeded") of an error body, for retries. */
bool gce_rate_limited(const char *body, size_t len);

/* kinds.c */
extern const struct res_kind *const gcp_kinds[];
extern const struct res_kind gcp_kind_network, gcp_kind_subnet,
	gcp_kind_firewall, gcp_kind_address, gcp_kind_instance,
	gcp_kind_disk, gcp_kind_hc, gcp_kind_pool, gcp_kind_fwd;
/* "icm <dep> <key>" (allocated). */
char *gcp_description(const struct gcp *g, const char *key);
/*
 * Inserts body (name set) into collection path (e.g. "global/networks")
 * through engine_ensure() under key, of kind k, with a requestId from
 * the engine's token; an "already exists" answer is adopted when the
 * existing one is icm's for key (its description), else a conflict named.
 * *id (may be NULL) the resource's path, borrowed from the engine.
 * Takes body.  -1 reported.
 */
int gcp_ensure(struct gcp *g, const struct res_kind *k, const char *key,
	       const char *path, cJSON *body, const char **id) WARN_UNUSED;

/* network.c: network, subnets, firewall.  -1 reported. */
int gcp_network(struct gcp *g);
int gcp_firewall(struct gcp *g);

/* instances.c */
int gcp_image(struct gcp *g);
/* The static external address name in region, under journal key key
 * (labelled as a machine's when machine, else with the deployment's
 * label only); *ip its IP (allocated).  -1 reported. */
int gcp_address(struct gcp *g, const char *key, const char *region,
		const char *name, bool machine, char **ip) WARN_UNUSED;
int gcp_apply_definition(struct gcp *g, struct plan *p, int def);
/* Waits until every planned instance runs; fills their addresses. */
int gcp_wait_running(struct gcp *g, struct plan *p);
/* The instance kind's listing and destroy. */
int gcp_list_instances(void *prov, struct engine *e, struct cloud_err *err);

/* lb.c */
int gcp_load_balancer(struct gcp *g, struct node *lb, struct plan *p);

#endif
