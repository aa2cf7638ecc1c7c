/*
 * topo.h: what the IRIS configuration's files share (not for callers:
 * phases.h is the interface).  topo.c builds the topology, steps.c holds
 * the table of steps, render.c renders a step's script, gateway.c the
 * Web Gateway's CSP.ini.
 */
#ifndef ICM_IRIS_TOPO_H
#define ICM_IRIS_TOPO_H

#include "phases.h"

#define DEFAULT_NS "IRISCLUSTER"

/* One node of the deployment as the steps see it. */
struct inode {
	const struct node *n;
	const char *role;
	const char *addr;		/* how the other nodes reach it */
	const char *addr_field;		/* the field addr is */
	const char *port;		/* SuperServerPort */
	const char *data;		/* DataMountPoint */
	char *ns;			/* Namespace, upper case */
	char *sysname;			/* mirror member / ECP server name */
	const char *member;		/* primary, backup, async, or NULL */
	int primary;			/* its mirror's primary, or -1 */
	int ds;				/* QS: its shard data server */
	int shard;			/* DS primary: its shard number */
};

struct iris_topo {
	struct inode *v;
	size_t n;
	iris_field_fn field;
	const void *arg;
	bool mirrored;			/* any mirror member */
	int dm;				/* the DM (its primary), or -1 */
	int data1;			/* DATA node 1 (its primary), or -1 */
	int ar;				/* the arbiter, or -1 */
	int license;			/* the license server, or -1 */
	size_t nds, nqs, nam;		/* how many DS, QS, AM */
};

static inline bool is(const struct inode *x, const char *role)
{
	return !strcmp(x->role, role);
}

static inline bool is_primary(const struct inode *x)
{
	return x->member && !strcmp(x->member, "primary");
}

/* Not a mirror member, or its primary: the node others talk to. */
static inline bool leads(const struct inode *x)
{
	return !x->member || is_primary(x);
}

static inline const char *fld(const struct iris_topo *t,
			      const struct inode *x, const char *name)
{
	return t->field(t->arg, x->n, name);
}

/* n's index in t, or -1. */
int iris_topo_find(const struct iris_topo *t, const struct node *n);

/* Where x's license keys are in its container (the license server's
 * KeyDirectory there): the ISCLicense key's directory, or the LicenseDir
 * copied in by its own name; NULL when x was given no key.  Allocated. */
char *iris_key_dir(const struct iris_topo *t, const struct inode *x);

typedef bool (*applies_fn)(const struct iris_topo *t, const struct inode *x);

/* One configuration step: its id, its templates (embedded/iris/, in
 * order), its console title, and which nodes it applies to. */
struct iris_step {
	const char *id;
	const char *parts;		/* templates, in order */
	const char *title;		/* with ${...} like the templates */
	applies_fn applies;
};

extern const struct iris_step iris_steps[];
extern const size_t iris_nsteps;

#endif
