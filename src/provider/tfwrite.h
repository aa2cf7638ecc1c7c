/*
 * tfwrite.h: the two kinds of directory every provider's Terraform writer
 * fills (aws/, azure/, gcp/, vsphere/tf.c), on ./tfvars.h's helpers: the
 * deployment's <Label>-<Tag> and each definition's <Label>-<Role>-<Tag>,
 * with what their terraform.tfvars have in common.  A provider adds its
 * own variables and picks its templates.
 */
#ifndef ICM_PROVIDER_TFWRITE_H
#define ICM_PROVIDER_TFWRITE_H

#include "tfvars.h"

/*
 * Writes <state_dir>/<Label>-<Tag> (Label and Tag of n0, the plan's first
 * node that is not a load balancer; NULL: "the plan has no nodes") with
 * templates t and a terraform.tfvars of: the fields[0..n) n0 has (a
 * secret one named as left out instead), the variables of extra (may be
 * NULL), then MachineName <Label>-<Tag>.  0, or -1 reported.
 */
int tf_write_shared(const char *state_dir, const struct node *n0,
		    const char *const *fields, size_t n, const cJSON *extra,
		    const struct tf_templates *t) WARN_UNUSED;

/* A definition's directory, as tf_def_collect() finds it. */
struct tf_def {
	char *dir;		/* <state>/<Label>-<Role>-<Tag>; NULL: the
				   definition has no node (nothing to write).
				   Owned: tf_def_release() */
	const char *base;	/* <Label>-<Role>-<Tag>, the end of dir */
	const struct node *lb;	/* its load balancer, or NULL */
};

/*
 * Definition def of p: fills d and vars (secret fields named in secrets)
 * with what every definition's tfvars hold: the merged fields
 * (tf_def_fields(), but own[]), then MachineName <Label>-<Role>-<Tag>,
 * DefinitionIndex, InstanceCount, MachineNames and, when zones_name is
 * not NULL, under that name the nodes' zones (comma lists, one entry per
 * node that is not a load balancer, in plan order), and OutputFile
 * (<dir>/terraform.out).  0 (d->dir NULL when the definition has no node
 * but a load balancer; else the caller releases d), or -1 reported with
 * d empty.
 */
int tf_def_collect(struct tf_def *d, cJSON *vars, struct buf *secrets,
		   const char *state_dir, const struct plan *p, int def,
		   const char *const *own, size_t n_own,
		   const char *zones_name) WARN_UNUSED;
void tf_def_release(struct tf_def *d);

/*
 * Writes definition def's directory with templates t (nothing when the
 * definition has no node but a load balancer): tf_def_collect()'s
 * variables (own[], zones_name as there), then those of extra (may be
 * NULL), then its load balancer's (tf_set_lb()).  0, or -1 reported.
 */
int tf_write_def(const char *state_dir, const struct plan *p, int def,
		 const char *const *own, size_t n_own, const char *zones_name,
		 const cJSON *extra, const struct tf_templates *t) WARN_UNUSED;

/* The load balancer lb's LoadBalancerName (its machine name) and its
 * ForwardPort, ForwardProtocol, HealthCheck* and LoadBalancerInternal
 * (those set) into vars. */
void tf_set_lb(cJSON *vars, const struct node *lb);

/* The plan's first node that is not a load balancer, or NULL. */
const struct node *tf_first_node(const struct plan *p);

/* The number of definitions p's nodes belong to (highest index + 1). */
int tf_def_count(const struct plan *p);

#endif
