/*
 * plan.h: node expansion.  A validated configuration becomes the list of
 * nodes that exist once provisioned: each definition yields Count nodes
 * named <Label>-<Role>-<Tag>-<NNNN> (NNNN from StartCount, per definition),
 * zones assigned round-robin through ZoneMap, mirror members assigned from
 * MirrorMap, and one virtual LB node per definition with LoadBalancer true.
 *
 * The same struct node is what instances.json holds (config/instances.h
 * reads and writes it), so management commands and provision share it.
 *
 * Ownership: plan_release() frees every node and its strings and fields.
 */
#ifndef ICM_PLAN_H
#define ICM_PLAN_H

#include "config.h"
#include "../util/buf.h"

struct node {
	char *name;		/* MachineName */
	char *role;		/* Role; "LB" for a load balancer */
	int def_index;		/* index in definitions.json (DefinitionIndex) */
	int number;		/* the NNNN of the name */
	char *zone;		/* Zone, or NULL */
	char *region;		/* the provider's region field (Region,
				   Location), or NULL */
	char *mirror_member;	/* "primary", "backup", "async", or NULL */
	char *mirror_set;	/* mirror set name (e.g. MIRRORDM01), or NULL */
	char *lb_target;	/* LB only: the role it fronts, e.g. "AM" */
	/*
	 * Every field of the node after precedence and built-in defaults,
	 * values as strings, unknown fields carried forward, plus MachineName,
	 * Role, DefinitionIndex, Zone/Region, Member/MirrorSetName: the
	 * object written to instances.json.  Owned.
	 */
	cJSON *fields;
};

struct plan {
	struct node *nodes;
	size_t n;
};

void plan_init(struct plan *p);
void plan_release(struct plan *p);

/* Expands a loaded and validated configuration.  -1 on error (reported). */
int plan_build(const struct config *cfg, struct plan *out) WARN_UNUSED;

/* Field value of a node as a string, or NULL. */
const char *node_get(const struct node *n, const char *field);
/* The same, but NULL for an empty value too ("set" fields). */
const char *node_field(const struct node *n, const char *field);
/* A whole-number field of n within [lo, hi], else dflt. */
int node_field_int(const struct node *n, const char *field, int dflt, int lo,
		   int hi);

/*
 * License key files: ISCLicense names a node's (one path after
 * plan_build).  license_key_read() reads the file at path, the key node
 * `name` has from its field, into key (initialised by the caller with
 * LICENSE_KEY_CAP); -1 reported, naming the node, the field and the file
 * (missing, unreadable, a directory, empty, over the cap), and *why (why
 * not NULL; replaced, caller frees) gets the message; license_key_check() reads it only to check.  plan_check_licenses() checks every IRIS node's ISCLicense:
 * provision (and run, install for theirs) check before they change
 * anything, -plan does not (the guide's paths need not exist to plan).
 */
#define LICENSE_KEY_CAP (64u << 10)	/* real keys are a few KB */
int license_key_read(const char *name, const char *field, const char *path,
		     struct buf *key, char **why) WARN_UNUSED;
int license_key_check(const char *name, const char *field, const char *path)
	WARN_UNUSED;
int plan_check_licenses(const struct plan *p) WARN_UNUSED;

#endif
