/*
 * instances.h: instances.json, the record of what a provision created.
 *
 * A JSON array with one object per node (load balancers included as
 * virtual entries), each the node's merged fields plus MachineName, Role,
 * IPAddress, DNSName, Zone/Region, DefinitionIndex, StateDir... (ICM's
 * shape, icm-reference §6.1).  It may hold secrets (ICM keeps them there),
 * so it is written 0600.  Every management command starts from it.
 *
 * The state directory, as ICM 2019.3 recorded it (reference §3.7), on
 * every node, both absolute: MasterStateDir is the -stateDir of the
 * provision (later commands without -stateDir use it: cmd/ctx.c), StateDir
 * the node's definition's directory in it (<MasterStateDir>/<Label>-
 * <Role>-<Tag>).
 */
#ifndef ICM_INSTANCES_H
#define ICM_INSTANCES_H

#include "plan.h"

#define INSTANCES_FILE "instances.json"

/*
 * Reads path into out (plan_init'ed by the caller).  Missing file, bad JSON
 * or an entry without MachineName/Role are reported (-1).
 */
int instances_load(const char *path, struct plan *out) WARN_UNUSED;

/* Writes every node's fields to path atomically, mode 0600. */
int instances_write(const char *path, const struct plan *p) WARN_UNUSED;

#endif
