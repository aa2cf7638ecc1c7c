/*
 * provider.h: the whole contract between icm and a provider (design.md
 * decision 9), behind one vtable; nothing outside src/provider/ tests a
 * provider's name.  PreExisting is a provider like the others.
 *
 * A provider is, in this order of use:
 *   rules       its PROVIDER row in config/fields.def (data, read by
 *               config/ and here): the region field and its map, whether
 *               a definition is one node, load-balancer availability, and
 *               the plan facts -plan shows (provider_plan_machine(),
 *               provider_plan_volumes() below); REQUIRE rows name the
 *               fields it cannot do without.  Providers without a module
 *               in this build have their row only: -plan works, provision
 *               says it is not available.
 *   validate    what the configuration rules cannot check (provision and
 *               -plan alike; changes nothing)
 *   create      makes (or adopts) every node, resumable, and fills each
 *               node's fields: IPAddress and/or DNSName, SSHUser as the
 *               configuration gives it -- the node facts node preparation
 *               needs -- and growths, the volumes it grew
 *   destroy     removes what create made
 * provision runs validate, create, writes instances.json (every node, not
 * yet prepared), provider_prepare_nodes(), then writes it again;
 * unprovision runs destroy.  Each entry reports its own errors with
 * error() and returns -1.
 */
#ifndef ICM_PROVIDER_H
#define ICM_PROVIDER_H

#include "../icm.h"
#include "../config/plan.h"

struct volume_growths;

/* What a provider call gets besides the nodes. */
struct provider_ctx {
	const struct config *cfg;	/* NULL for commands that start from
					   instances.json */
	const char *state_dir;
	int parallel;			/* -parallel, 0: the default */
	bool force;
	const char *instances_path;	/* the previous provision's record
					   (provider/resize.h), or NULL */
	/* create() fills it with the volumes it grew (provider/resize.h),
	 * for node preparation; the caller owns it and releases it with
	 * volume_growths_release().  NULL: no growth is applied. */
	struct volume_growths *growths;
	/* ICM's yes/no confirmation: cmd/ passes one that shows question
	 * and asks ICM's `Type "yes" to confirm:`; providers never ask
	 * themselves.  NULL: refuse what needs one unless force. */
	bool (*confirm)(const char *question);
};

struct provider {
	const char *name;		/* the Provider field's value */
	int (*validate)(const struct provider_ctx *pc, const struct plan *p);
	int (*create)(const struct provider_ctx *pc, struct plan *p);
	int (*destroy)(const struct provider_ctx *pc, const struct plan *p);
};

/* The provider named name, or NULL when this build has none by that
 * name. */
const struct provider *provider_find(const char *name);

extern const struct provider provider_preexisting;
extern const struct provider provider_aws;
extern const struct provider provider_vsphere;
extern const struct provider provider_gcp;
extern const struct provider provider_azure;
extern const struct provider provider_tencent;

/* provision -plan's Machine Type and Volumes (GB) of node n on provider
 * (its PROVIDER row); allocated. */
char *provider_plan_machine(const char *provider, const struct node *n);
char *provider_plan_volumes(const char *provider, const struct node *n);

/*
 * Node preparation (node/prepare.h) of every node of p but load
 * balancers and the ones a provision that did not finish prepared
 * already (with the same inputs; node_prepare_done()), in parallel over
 * SSH, host keys pinned on first use, pc->growths applied; each failure
 * named ("provision on <m> failed: ...").  -1 when any failed.
 */
int provider_prepare_nodes(const struct provider_ctx *pc, struct plan *p)
	WARN_UNUSED;

#endif
