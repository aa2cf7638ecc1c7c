/*
 * tfvars.h: what the providers' Terraform writers share (aws/tf.c,
 * vsphere/tf.c): a directory of the state directory gets provider.tf and
 * infrastructure.tf from embedded templates and terraform.tfvars from a
 * set of variables.  icm never runs terraform; the files describe what
 * icm made itself (icm-reference §6.2).
 *
 * A set of variables is a cJSON object of name -> value, so that a name
 * set twice ends up once (HCL refuses duplicate attributes).  It is
 * printed as HCL `name = value` lines: strings HCL-escaped (quotes,
 * backslashes, control characters, the template sequences "${" and "%{";
 * a byte that is not UTF-8 becomes U+FFFD), arrays and objects as HCL
 * tuples and objects.  Secret fields (FF_SECRET in config/fields.def)
 * are never written: the caller collects their names, and the file says
 * which ones it left out in a comment line.
 */
#ifndef ICM_PROVIDER_TFVARS_H
#define ICM_PROVIDER_TFVARS_H

#include "../icm.h"
#include "../config/plan.h"
#include "../util/buf.h"

/* Sets name to a string (once: a value set before is dropped), at the end
 * of vars. */
void tf_set(cJSON *vars, const char *name, const char *value);

/* Appends item to the comma list b ("" for NULL).  0, or -1 when b is
 * full. */
int tf_list_add(struct buf *b, const char *item) WARN_UNUSED;

/*
 * The deployment's zones (regions true: regions) in the order the
 * providers number their subnets: the entries of the comma list first
 * (the Zone or Region of defaults.json; may be NULL), then any other zone
 * (region) a node has, in node order; each once, empty ones left out.
 * Allocated (caller frees; "" when none), or NULL when too large.
 */
char *tf_deployment_list(const char *first, const struct plan *p,
			 bool regions);

/* True when field name is FF_SECRET. */
bool tf_is_secret(const char *name);

/*
 * Sets each of fields[0..n) that node has (node_get) in vars; a secret
 * one is named in secrets (", " list) instead.  0, or -1 when secrets is
 * full.
 */
int tf_add_fields(cJSON *vars, struct buf *secrets, const struct node *node,
		  const char *const *fields, size_t n) WARN_UNUSED;

/*
 * The merged fields of definition def, from its first node n0 that is
 * not a load balancer, into vars: every field of n0 but those in own[]
 * (the writer sets them itself), secret ones named in secrets instead,
 * those that are not HCL identifiers left out with a warning.  A field
 * whose value differs between the definition's nodes (load balancers
 * aside), e.g. ISCLicense or Member, gets the comma list of the nodes'
 * values.  0, or -1 reported ("terraform: definition N: tfvars too
 * large").
 */
int tf_def_fields(cJSON *vars, struct buf *secrets, const struct plan *p,
		  int def, const struct node *n0, const char *const *own,
		  size_t n_own) WARN_UNUSED;

/* The embedded templates of one directory (paths under embedded/). */
struct tf_templates {
	const char *provider;		/* written as provider.tf */
	const char *infrastructure;	/* written as infrastructure.tf */
};

/*
 * Creates dir (below state_dir, 0700) and writes into it provider.tf and
 * infrastructure.tf (0644) from the templates and terraform.tfvars (0600)
 * from vars, each file atomically; what names the directory in the
 * tfvars header.  secrets: the secret fields left out (may be empty).
 * Re-running rewrites them.  0, or -1 reported.
 */
int tf_write_dir(const char *state_dir, const char *dir,
		 const struct tf_templates *t, const char *what,
		 const cJSON *vars, const struct buf *secrets) WARN_UNUSED;

#endif
