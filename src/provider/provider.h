/*
 * provider.h: what every provider does, behind one vtable (design.md
 * decision 9).  PreExisting is a provider like the others.
 *
 * provision:    validate -> create (resumable) -> instances.json
 * unprovision:  destroy
 * later:        describe (refresh what exists), node_facts (what node
 *               preparation needs to reach a node)
 *
 * create() is re-runnable: after an error or a kill it adopts what exists
 * and converges; it fills each node's fields (IPAddress, DNSName, the
 * facts it learned) so that provision can write instances.json once, at
 * the end.  Every entry reports its own errors with error() and returns
 * -1; an entry a provider does not need may be NULL.
 */
#ifndef ICM_PROVIDER_H
#define ICM_PROVIDER_H

#include "../icm.h"
#include "../config/plan.h"

/* What a provider call gets besides the nodes. */
struct provider_ctx {
	const struct config *cfg;	/* NULL for commands that start from
					   instances.json */
	const char *state_dir;
	int parallel;			/* -parallel, 0: the default */
	bool force;
	const char *instances_path;	/* the previous provision's record
					   (provider/resize.h), or NULL */
	/* Volumes create() grew (provider/resize.h), for node preparation;
	 * NULL: none.  Not owned. */
	const struct volume_growths *growths;
	/* ICM's yes/no confirmation (cmd/ passes term_confirm's wrapper);
	 * NULL: refuse what needs one unless force. */
	bool (*confirm)(const char *question);
};

/* Where and as whom a node is reached (pointers into the node). */
struct node_facts {
	const char *ip;			/* IPAddress, or NULL */
	const char *dns;		/* DNSName, or NULL */
	const char *zone;
	const char *ssh_user;
};

struct provider {
	const char *name;		/* the Provider field's value */
	/* Checks what the configuration cannot (e.g. every node has an
	 * address); changes nothing. */
	int (*validate)(const struct provider_ctx *pc, const struct plan *p);
	/* Makes (or adopts) every node and fills its fields. */
	int (*create)(const struct provider_ctx *pc, struct plan *p);
	/* Refreshes the nodes' fields from what exists. */
	int (*describe)(const struct provider_ctx *pc, struct plan *p);
	/* Removes what create made; says what it did. */
	int (*destroy)(const struct provider_ctx *pc, const struct plan *p);
	void (*node_facts)(const struct node *n, struct node_facts *f);
};

/* The provider named name, or NULL when this build has none by that
 * name. */
const struct provider *provider_find(const char *name);

extern const struct provider provider_preexisting;
extern const struct provider provider_aws;

/*
 * Node preparation (node/prepare.h) of every node of p but load
 * balancers, in parallel over SSH, host keys pinned on first use; each
 * failure named ("provision on <m> failed: ..."). -1 when any failed.
 */
int provider_prepare_nodes(const struct provider_ctx *pc, struct plan *p)
	WARN_UNUSED;

#endif
