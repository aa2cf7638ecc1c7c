/*
 * defs.h: a plan's definitions as the providers' phases name them (ICM's
 * console lines "Starting apply of <Label>-<Role>-<Tag>..."): shared by
 * every provider with an allocation phase.
 */
#ifndef ICM_PROVIDER_DEFS_H
#define ICM_PROVIDER_DEFS_H

#include "../config/plan.h"

/* "<Label>-<Role>-<Tag>": node n's definition (caller frees). */
char *provider_def_name(const struct node *n);
/* The first node of definition def that is not a load balancer; NULL
 * when it has none (Count 0). */
const struct node *provider_def_node(const struct plan *p, int def);
/* How many definitions p's nodes come from (the highest index + 1). */
int provider_def_count(const struct plan *p);
/* ICM's line `<before><definition><after>` for every definition of p
 * that has nodes, in order. */
void provider_say_definitions(const struct plan *p, const char *before,
			      const char *after);

/* Sets node field f to v (replacing it); NULL or "" removes it: the node
 * facts a provider's create() fills (IPAddress, DNSName, ...). */
void provider_set_field(struct node *n, const char *f, const char *v);

/* A definition's two phases: its Terraform files, then what makes it in
 * the cloud.  0, or -1 reported. */
typedef int (*provider_def_fn)(void *arg, int def);

/* ICM's per-definition lines around them, for every definition of p that
 * has nodes, in order: "Starting plan of <d>...", plan, "...completed
 * plan of <d>", "Starting apply of <d>...", apply.  -1 at the first that
 * fails (reported by it). */
int provider_each_definition(const struct plan *p, provider_def_fn plan,
			     provider_def_fn apply, void *arg) WARN_UNUSED;

/* One batch of machines (provider_each_batch()): nodes[0..k), the
 * definition's machines of one region and zone, in machine order.  0, or
 * -1 reported. */
typedef int (*provider_batch_fn)(void *arg, struct node *const *nodes,
				 size_t k);

/* fn for every batch of definition def's machines (load balancers left
 * out), grouped by region and zone, the groups in the order of their first
 * machine.  -1 at the first that fails. */
int provider_each_batch(struct plan *p, int def, provider_batch_fn fn,
			void *arg) WARN_UNUSED;

#endif
