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

#endif
