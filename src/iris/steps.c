/*
 * steps.c: the IRIS configuration steps, in order, and which nodes each
 * applies to (icm-reference §4; iris-config.md).
 */
#include "topo.h"
#include "../util/str.h"

static bool any_iris(const struct iris_topo *t, const struct inode *x)
{
	(void)t;
	return role_is_iris(x->role);
}

static bool has_mode(const struct iris_topo *t, const struct inode *x)
{
	return role_is_iris(x->role) && fld(t, x, "SystemMode");
}

char *iris_key_dir(const struct iris_topo *t, const struct inode *x)
{
	const char *dir = fld(t, x, "LicenseDir");
	const char *base = dir ? strrchr(dir, '/') : NULL;

	if (fld(t, x, "ISCLicense"))
		return xasprintf("%s/" IRIS_LICENSE_DIR, x->data);
	if (!dir)
		return NULL;
	return xasprintf("%s/%s", x->data, base && base[1] ? base + 1 : dir);
}

static bool has_license(const struct iris_topo *t, const struct inode *x)
{
	return role_is_iris(x->role) && t->license >= 0 &&
		(fld(t, x, "LicenseDir") || fld(t, x, "ISCLicense"));
}

static bool shard_server(const struct iris_topo *t, const struct inode *x)
{
	return is(x, "DS") || is(x, "QS") ||
		(is(x, "DM") && (t->nds || t->nqs));
}

/* DM or DS: the roles with a local namespace database. */
static bool db_role(const struct inode *x)
{
	return is(x, "DM") || is(x, "DS");
}

static bool plain_db(const struct iris_topo *t, const struct inode *x)
{
	(void)t;
	return db_role(x) && !x->member;
}

static bool mirror_primary(const struct iris_topo *t, const struct inode *x)
{
	(void)t;
	return db_role(x) && is_primary(x);
}

static bool mirror_other(const struct iris_topo *t, const struct inode *x)
{
	(void)t;
	return db_role(x) && x->member && !is_primary(x) && x->primary >= 0;
}

static bool mirror_authorizes(const struct iris_topo *t,
			      const struct inode *x)
{
	size_t k;

	if (!mirror_primary(t, x))
		return false;
	for (k = 0; k < t->n; k++)
		if (t->v[k].primary >= 0 && &t->v[t->v[k].primary] == x &&
		    !is_primary(&t->v[k]))
			return true;
	return false;
}

static bool cluster_node1(const struct iris_topo *t, const struct inode *x)
{
	return t->data1 >= 0 && x == &t->v[t->data1];
}

static bool cluster_data(const struct iris_topo *t, const struct inode *x)
{
	return is(x, "DATA") && leads(x) && !cluster_node1(t, x) &&
		t->data1 >= 0;
}

static bool cluster_member(const struct iris_topo *t, const struct inode *x)
{
	return is(x, "DATA") && !leads(x) && x->primary >= 0 &&
		t->data1 >= 0;
}

static bool query_shard(const struct iris_topo *t, const struct inode *x)
{
	(void)t;
	return is(x, "QS") && x->ds >= 0;
}

static bool shard_master(const struct iris_topo *t, const struct inode *x)
{
	return t->dm >= 0 && x == &t->v[t->dm] && (t->nds || t->nqs);
}

static bool compute(const struct iris_topo *t, const struct inode *x)
{
	return is(x, "COMPUTE") && t->data1 >= 0;
}

static bool ecp_data_server(const struct iris_topo *t, const struct inode *x)
{
	return is(x, "DM") && t->nam;
}

static bool app_server(const struct iris_topo *t, const struct inode *x)
{
	return is(x, "AM") && t->dm >= 0;
}

const struct iris_step iris_steps[] = {
	{ "tls", "tls", "Configuring SSL on ${MACHINE}...", any_iris },
	{ "ecp", "ecp", "Enabling ECP on ${MACHINE}...", any_iris },
	{ "mode", "mode", "Setting System Mode on ${MACHINE}...", has_mode },
	{ "license", "license", "Acquiring license on ${MACHINE}...",
	  has_license },
	{ "sharding", "sharding", "Enabling shard service on ${MACHINE}...",
	  shard_server },
	{ "namespace", "database namespace",
	  "Creating namespace '${NS}' on ${MACHINE}...", plain_db },
	{ "cluster", "cluster-init",
	  "Initializing the sharded cluster on ${MACHINE}...",
	  cluster_node1 },
	{ "mirror", "mirror-service mirror-create",
	  "Creating mirror ${SET} on ${MACHINE}...", mirror_primary },
	{ "mirror-join", "mirror-service mirror-join",
	  "Adding ${MACHINE} to mirror ${SET} as ${MEMBER}...",
	  mirror_other },
	{ "mirror-authorize", "mirror-authorize",
	  "Authorizing mirror members on ${MACHINE}...", mirror_authorizes },
	{ "mirror-namespace", "database namespace",
	  "Creating namespace '${NS}' on ${MACHINE}...", mirror_primary },
	{ "member-namespace", "mirror-wait database namespace",
	  "Creating namespace '${NS}' on ${MACHINE}...", mirror_other },
	{ "data-node", "cluster-attach",
	  "Attaching data node ${MACHINE} to the sharded cluster...",
	  cluster_data },
	{ "data-member", "cluster-attach",
	  "Attaching data node ${MACHINE} to the sharded cluster...",
	  cluster_member },
	{ "query-shard", "ecp-server remote-database namespace",
	  "Configuring query shard on ${MACHINE}...", query_shard },
	{ "assign", "assign-shards", "Assigning shards on ${MACHINE}...",
	  shard_master },
	{ "compute-node", "cluster-attach",
	  "Attaching compute node ${MACHINE} to the sharded cluster...",
	  compute },
	{ "ecp-authorize", "ecp-authorize",
	  "Authorizing application servers on ${MACHINE}...",
	  ecp_data_server },
	{ "app-server", "ecp-server remote-database namespace",
	  "Configuring application server on ${MACHINE}...", app_server },
};

const size_t iris_nsteps = ARRAY_SIZE(iris_steps);

size_t iris_steps_count(void)
{
	return iris_nsteps;
}

const char *iris_step_id(size_t k)
{
	return k < iris_nsteps ? iris_steps[k].id : NULL;
}

bool iris_step_applies(const struct iris_topo *t, const struct node *n,
		       size_t k)
{
	int i = iris_topo_find(t, n);

	return i >= 0 && k < iris_nsteps &&
		iris_steps[k].applies(t, &t->v[i]);
}
