/*
 * phases.c: the IRIS configuration steps and the topology they read (see
 * phases.h).
 */
#include "phases.h"
#include "cos.h"
#include "../embed/embedded.h"
#include "../state/log.h"
#include "../util/str.h"
#include <ctype.h>

#define DEFAULT_NS "IRISCLUSTER"
#define TEMPLATE_DIR "embedded/iris/"
#define VARS_MAX 40

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

static bool is(const struct inode *x, const char *role)
{
	return !strcmp(x->role, role);
}

static bool is_primary(const struct inode *x)
{
	return x->member && !strcmp(x->member, "primary");
}

/* Not a mirror member, or its primary: the node others talk to. */
static bool leads(const struct inode *x)
{
	return !x->member || is_primary(x);
}

static const char *fld(const struct iris_topo *t, const struct inode *x,
		       const char *name)
{
	return t->field(t->arg, x->n, name);
}

/* Upper-case letters, digits and '_' of s (mirror member, ECP names). */
static char *ident(const char *s)
{
	char *o = xmalloc(strlen(s) + 1), *p = o;

	for (; *s; s++)
		if (isalnum((unsigned char)*s) || *s == '_')
			*p++ = (char)toupper((unsigned char)*s);
		else if (*s == '-')
			*p++ = '_';
	*p = '\0';
	return o;
}

static int find(const struct iris_topo *t, const struct node *n)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].n == n)
			return (int)i;
	return -1;
}

/* The primary of x's mirror: the last primary before it with its set. */
static int primary_of(const struct iris_topo *t, size_t i)
{
	const struct inode *x = &t->v[i];
	size_t k;

	if (!x->member || !x->n->mirror_set)
		return -1;
	for (k = i + 1; k-- > 0;)
		if (is_primary(&t->v[k]) && t->v[k].n->mirror_set &&
		    !strcmp(t->v[k].n->mirror_set, x->n->mirror_set))
			return (int)k;
	return -1;
}

struct iris_topo *iris_topo_new(struct node *const *nodes, size_t n,
				iris_field_fn field, const void *arg)
{
	struct iris_topo *t = xcalloc(1, sizeof(*t));
	size_t i, ds = 0;

	t->v = xcalloc(n ? n : 1, sizeof(*t->v));
	t->field = field;
	t->arg = arg;
	t->dm = t->data1 = t->ar = t->license = -1;
	for (i = 0; i < n; i++) {
		struct inode *x = &t->v[t->n++];
		const char *ns;

		x->n = nodes[i];
		x->role = nodes[i]->role;
		x->addr_field = "PrivateIPAddress";
		x->addr = field(arg, x->n, x->addr_field);
		if (!x->addr)
			x->addr = field(arg, x->n, x->addr_field = "IPAddress");
		if (!x->addr)	/* DNS-only: node_address()'s rule */
			x->addr = field(arg, x->n, x->addr_field = "DNSName");
		if (!x->addr) {
			x->addr_field = "MachineName";
			x->addr = x->n->name;
		}
		x->port = field(arg, x->n, "SuperServerPort");
		if (!x->port)
			x->port = "1972";
		x->data = field(arg, x->n, "DataMountPoint");
		if (!x->data)
			x->data = "/irissys/data";
		ns = field(arg, x->n, "Namespace");
		x->ns = ident(ns ? ns : DEFAULT_NS);
		x->sysname = ident(x->n->name);
		x->member = x->n->mirror_member;
		x->primary = x->ds = -1;
		if (x->member)
			t->mirrored = true;
	}
	for (i = 0; i < t->n; i++) {
		struct inode *x = &t->v[i];

		x->primary = primary_of(t, i);
		if (is(x, "DM") && leads(x) && t->dm < 0)
			t->dm = (int)i;
		if (is(x, "DATA") && leads(x) && t->data1 < 0)
			t->data1 = (int)i;
		if (is(x, "AR") && t->ar < 0)
			t->ar = (int)i;
		if (is(x, "DS") && leads(x))
			x->shard = (int)++ds;
		t->nds += is(x, "DS");
		t->nam += is(x, "AM");
	}
	/* query shards: round-robin over the shard data servers */
	for (i = 0; i < t->n; i++) {
		struct inode *x = &t->v[i];
		size_t k;
		int want;

		if (!is(x, "QS"))
			continue;
		want = ds ? (int)(t->nqs % ds) + 1 : 0;
		t->nqs++;
		for (k = 0; k < t->n && want; k++)
			if (is(&t->v[k], "DS") && leads(&t->v[k]) &&
			    t->v[k].shard == want)
				x->ds = (int)k;
	}
	t->license = t->dm >= 0 ? t->dm : t->data1;
	return t;
}

void iris_topo_free(struct iris_topo *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->v[i].ns);
		free(t->v[i].sysname);
	}
	free(t->v);
	free(t);
}

/* ------------------------------------------------------------ the steps */

typedef bool (*applies_fn)(const struct iris_topo *t, const struct inode *x);

static bool any_iris(const struct iris_topo *t, const struct inode *x)
{
	(void)t;
	return role_is_iris(x->role);
}

static bool has_mode(const struct iris_topo *t, const struct inode *x)
{
	return role_is_iris(x->role) && fld(t, x, "SystemMode");
}

/* Where x's license keys are in its container (the license server's
 * KeyDirectory there): the ISCLicense key's directory, or the LicenseDir
 * copied in by its own name; NULL when x was given no key.  Allocated. */
static char *key_dir(const struct iris_topo *t, const struct inode *x)
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

static const struct step {
	const char *id;
	const char *parts;		/* templates, in order */
	const char *title;		/* with ${...} like the templates */
	applies_fn applies;
} steps[] = {
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

size_t iris_steps_count(void)
{
	return ARRAY_SIZE(steps);
}

const char *iris_step_id(size_t k)
{
	return k < ARRAY_SIZE(steps) ? steps[k].id : NULL;
}

bool iris_step_applies(const struct iris_topo *t, const struct node *n,
		       size_t k)
{
	int i = find(t, n);

	return i >= 0 && k < ARRAY_SIZE(steps) &&
		steps[k].applies(t, &t->v[i]);
}

/* -------------------------------------------------------- the variables */

/*
 * What each ${NAME} of the templates and titles is, and so how expand()
 * puts its value in: every value goes through src/iris/cos.c, and a
 * placeholder without a kind here is an error, so no value goes in raw.
 */
enum kind {
	K_STR,		/* inside a string literal of the template */
	K_OPTPORT,	/* inside a literal: a port number, or empty */
	K_PORT,		/* a port number argument */
	K_FLAG,		/* 0 or 1 */
	K_WORD,		/* a method name icm chose: letters */
	K_ARGS,		/* arguments fill() or items() built with cos_*() */
};

static const struct placeholder {
	const char *name;
	enum kind kind;
} placeholders[] = {
	{ "MACHINE", K_STR }, { "NS", K_STR }, { "DB", K_STR },
	{ "DBDIR", K_STR }, { "ADDR", K_STR }, { "SYSNAME", K_STR },
	{ "SET", K_STR }, { "MEMBER", K_STR }, { "TLSDIR", K_STR },
	{ "AGENTPORT", K_PORT }, { "ARBITER", K_STR }, { "ARBADDR", K_STR },
	{ "ARBPORT", K_OPTPORT }, { "MODE", K_STR }, { "SHARDSERVER", K_FLAG },
	{ "MIRRORDB", K_ARGS }, { "MIRRORPROPS", K_ARGS },
	{ "PRIMADDR", K_STR }, { "JOIN", K_WORD }, { "ASYNCTYPE", K_ARGS },
	{ "LICADDR", K_STR }, { "LICPORT", K_PORT }, { "KEYDIR", K_STR },
	{ "URL", K_STR }, { "CLUSTERMEMBER", K_STR }, { "ATTACH", K_WORD },
	{ "SRVNAME", K_STR }, { "SRVADDR", K_STR }, { "SRVPORT", K_PORT },
	{ "SRVDBDIR", K_STR }, { "MIRRORCONN", K_FLAG }, { "ITEM", K_ARGS },
};

struct vars {
	const struct inode *self;	/* the node rendered for */
	const char *step;		/* its id */
	char what[64];			/* "IRIS configuration step <id>" */
	const char *name[VARS_MAX];
	char *value[VARS_MAX];
	struct cos_where where[VARS_MAX];	/* the field it came from */
	size_t n;
};

/* Sets ${name} to value (taken), field of node `of` (NULL: self). */
static void var(struct vars *v, const char *name, char *value,
		const char *field, const struct inode *of)
{
	if (v->n < VARS_MAX) {
		v->name[v->n] = name;
		v->value[v->n] = value;
		v->where[v->n++] = (struct cos_where){
			.node = v->self->n->name, .step = v->what,
			.field = field,
			.owner = of && of != v->self ? of->n->name : NULL };
	} else {
		free(value);
	}
}

static void vars_release(struct vars *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->value[i]);
	v->n = 0;
}

static int lookup(const struct vars *v, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strlen(v->name[i]) == len &&
		    !strncmp(v->name[i], name, len))
			return (int)i;
	return -1;
}

/* The where of field (of node `of`, NULL: self) for an error message. */
static struct cos_where where_of(const struct vars *v, const char *field,
				 const struct inode *of)
{
	return (struct cos_where){ .node = v->self->n->name, .step = v->what,
		.field = field,
		.owner = of && of != v->self ? of->n->name : NULL };
}

/* Appends icm's own text s to an argument list being built.  -1
 * reported. */
static int add(struct buf *b, const char *s, const struct vars *v)
{
	if (buf_adds(b, s))
		return error("%s for %s: the script is too long", v->what,
			     v->self->n->name);
	return 0;
}

/* <DataMountPoint>/IRIS/mgr/<db>/: the database's directory (durable
 * %SYS is <DataMountPoint>/IRIS). */
static char *db_dir(const struct inode *x)
{
	char *lower = xstrdup(x->ns), *p, *dir;

	for (p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	dir = xasprintf("%s/IRIS/mgr/%s/", x->data, lower);
	free(lower);
	return dir;
}

static int url_of(const struct vars *v, const struct inode *x, char **url)
{
	struct cos_where w = where_of(v, "SuperServerPort", x);

	*url = NULL;
	if (cos_port_check(x->port, &w))
		return -1;
	*url = xasprintf("IRIS://%s:%s/%s", x->addr, x->port, x->ns);
	return 0;
}

static const char *cluster_member_word(const char *member)
{
	if (!member || !strcmp(member, "primary"))
		return "primary";
	return strcmp(member, "backup") ? "drasync" : "backup";
}

/* The argument list `,,,,,,"<ns>","<set>"` (or "" when x is not a mirror
 * member) of CreateDatabase, and `,p("MirrorSetName")="<set>",
 * p("MirrorDBName")="<ns>"` of Config.Databases. */
static int mirror_args(struct vars *v, const struct inode *x)
{
	struct cos_where ns = where_of(v, "Namespace", NULL);
	struct cos_where set = where_of(v, "MirrorSetName", NULL);
	const char *name = x->n->mirror_set ? x->n->mirror_set : "";
	struct buf db, props;
	int rc = -1;

	buf_init(&db, BUF_CAP_LINE);
	buf_init(&props, BUF_CAP_LINE);
	if (x->member &&
	    (add(&db, ",,,,,,", v) || cos_str(&db, x->ns, &ns) ||
	     add(&db, ",", v) || cos_str(&db, name, &set) ||
	     add(&props, ",p(\"MirrorSetName\")=", v) ||
	     cos_str(&props, name, &set) ||
	     add(&props, ",p(\"MirrorDBName\")=", v) ||
	     cos_str(&props, x->ns, &ns)))
		goto out;
	var(v, "MIRRORDB", db.data ? buf_take(&db) : xstrdup(""),
	    "MirrorSetName", NULL);
	var(v, "MIRRORPROPS", props.data ? buf_take(&props) : xstrdup(""),
	    "MirrorSetName", NULL);
	rc = 0;
out:
	buf_release(&db);
	buf_release(&props);
	return rc;
}

/* The values step k's templates and title use for node x.  -1 reported
 * (a port that is not a number). */
static int fill(const struct iris_topo *t, const struct inode *x, size_t k,
		struct vars *v)
{
	const struct inode *ar = t->ar >= 0 ? &t->v[t->ar] : NULL;
	const struct inode *p = x->primary >= 0 ? &t->v[x->primary] : NULL;
	const struct inode *srv = NULL;
	const char *agent = fld(t, x, "ISCAgentPort");
	const char *ar_agent = ar ? fld(t, ar, "ISCAgentPort") : NULL;
	const char *id = steps[k].id;
	struct cos_where arw;
	char *url;

	v->self = x;
	v->step = id;
	snprintf(v->what, sizeof(v->what), "IRIS configuration step %s", id);
	var(v, "MACHINE", xstrdup(x->n->name), "MachineName", NULL);
	var(v, "NS", xstrdup(x->ns), "Namespace", NULL);
	var(v, "DB", xstrdup(x->ns), "Namespace", NULL);
	var(v, "DBDIR", db_dir(x), "DataMountPoint", NULL);
	var(v, "ADDR", xstrdup(x->addr), x->addr_field, NULL);
	var(v, "SYSNAME", xstrdup(x->sysname), "MachineName", NULL);
	var(v, "SET", xstrdup(x->n->mirror_set ? x->n->mirror_set : ""),
	    "MirrorSetName", NULL);
	var(v, "MEMBER", xstrdup(x->member ? x->member : ""), "MirrorMap",
	    NULL);
	var(v, "TLSDIR", xasprintf("%s/" IRIS_TLS_DIR, x->data),
	    "DataMountPoint", NULL);
	var(v, "AGENTPORT", xstrdup(agent ? agent : "2188"), "ISCAgentPort",
	    NULL);
	arw = where_of(v, "ISCAgentPort", ar);
	if (ar_agent && cos_port_check(ar_agent, &arw))
		return -1;
	var(v, "ARBITER", ar ? xasprintf("%s|%s", ar->addr, ar_agent ?
					 ar_agent : "2188") : xstrdup(""),
	    ar ? ar->addr_field : "AR", ar);
	var(v, "ARBADDR", xstrdup(ar ? ar->addr : ""),
	    ar ? ar->addr_field : "AR", ar);
	var(v, "ARBPORT", xstrdup(ar ? (ar_agent ? ar_agent : "2188") : ""),
	    "ISCAgentPort", ar);
	var(v, "MODE", xstrdup(fld(t, x, "SystemMode") ?
			       fld(t, x, "SystemMode") : ""), "SystemMode",
	    NULL);
	var(v, "SHARDSERVER", xstrdup(is(x, "DM") ? "0" : "1"), "Role", NULL);
	if (mirror_args(v, x))
		return -1;
	var(v, "PRIMADDR", xstrdup(p ? p->addr : ""),
	    p ? p->addr_field : "MirrorMap", p);
	var(v, "JOIN", xstrdup(x->member && !strcmp(x->member, "backup") ?
			       "JoinMirrorAsFailoverMember" :
			       "JoinMirrorAsAsyncMember"), "MirrorMap", NULL);
	var(v, "ASYNCTYPE", xstrdup(x->member &&
				    !strcmp(x->member, "backup") ? "" :
				    "0,"), "MirrorMap", NULL);
	if (t->license >= 0) {
		const struct inode *l = &t->v[t->license];
		const char *port = fld(t, l, "LicenseServerPort");
		char *dir = l == x ? key_dir(t, x) : NULL;

		var(v, "LICADDR", xstrdup(l->addr), l->addr_field, l);
		var(v, "LICPORT", xstrdup(port ? port : "4002"),
		    "LicenseServerPort", l);
		var(v, "KEYDIR", dir ? dir : xstrdup(""), "LicenseDir", NULL);
	}
	/* node-level sharding */
	if (t->data1 >= 0) {
		const struct inode *via = &t->v[t->data1];

		if (!strcmp(id, "data-member") && p)
			via = p;
		if (url_of(v, via, &url))
			return -1;
		var(v, "URL", url, via->addr_field, via);
		var(v, "CLUSTERMEMBER", xstrdup(cluster_member_word(x->member)),
		    "MirrorMap", NULL);
		var(v, "ATTACH", xstrdup(is(x, "COMPUTE") ?
					 "AttachAsComputeNode" :
					 "AttachAsDataNode"), "Role", NULL);
	}
	/* ECP clients: an application server's DM, a query shard's DS */
	if (is(x, "AM") && t->dm >= 0)
		srv = &t->v[t->dm];
	else if (is(x, "QS") && x->ds >= 0)
		srv = &t->v[x->ds];
	if (srv) {
		var(v, "SRVNAME", xstrdup(srv->sysname), "MachineName", srv);
		var(v, "SRVADDR", xstrdup(srv->addr), srv->addr_field, srv);
		var(v, "SRVPORT", xstrdup(srv->port), "SuperServerPort", srv);
		var(v, "SRVDBDIR", db_dir(srv), "DataMountPoint", srv);
		var(v, "MIRRORCONN", xstrdup(srv->member ? "1" : "0"),
		    "Mirror", srv);
	}
	return 0;
}

/* Appends `"<addr>",<port>,"<ns>"`: where shard data server or query
 * shard y is (AssignShard's first arguments). */
static int shard_where(struct buf *b, const struct vars *v,
		       const struct inode *y)
{
	struct cos_where a = where_of(v, y->addr_field, y);
	struct cos_where port = where_of(v, "SuperServerPort", y);
	struct cos_where ns = where_of(v, "Namespace", y);

	return cos_str(b, y->addr, &a) || add(b, ",", v) ||
		cos_port(b, y->port, &port) || add(b, ",", v) ||
		cos_str(b, y->ns, &ns) ? -1 : 0;
}

/* The mirrored shard's `,,"<set>","<backup addr>",<backup port>`. */
static int shard_backup(struct buf *b, const struct vars *v,
			const struct inode *y, const struct inode *bk)
{
	struct cos_where set = where_of(v, "MirrorSetName", y);
	struct cos_where a = where_of(v, bk->addr_field, bk);
	struct cos_where port = where_of(v, "SuperServerPort", bk);

	return add(b, ",,", v) ||
		cos_str(b, y->n->mirror_set ? y->n->mirror_set : "", &set) ||
		add(b, ",", v) || cos_str(b, bk->addr, &a) ||
		add(b, ",", v) || cos_port(b, bk->port, &port) ? -1 : 0;
}

/* One @AM or @SHARD item: y's arguments, into *item.  1 when y is not
 * an item of kind, -1 reported. */
static int item_of(const struct iris_topo *t, const struct vars *v,
		   const char *kind, size_t i, bool qs, char **item)
{
	const struct inode *y = &t->v[i], *bk = NULL;
	struct cos_where cn = where_of(v, "MachineName", y);
	struct buf b;
	char *s, num[16];
	size_t j;
	int rc = -1;

	*item = NULL;
	if (!strcmp(kind, "AM") ? qs || !is(y, "AM") : qs ?
	    !is(y, "QS") || y->ds < 0 : !is(y, "DS") || !leads(y))
		return 1;
	buf_init(&b, BUF_CAP_LINE);
	if (!strcmp(kind, "AM")) {
		s = xasprintf("CN=%s,OU=icm,O=InterSystems", y->n->name);
		rc = cos_str(&b, s, &cn);
		free(s);
	} else if (qs) {
		snprintf(num, sizeof(num), ",%d", t->v[y->ds].shard);
		rc = shard_where(&b, v, y) || add(&b, num, v) ? -1 : 0;
	} else {
		for (j = 0; j < t->n && y->member; j++)
			if (t->v[j].primary == (int)i && t->v[j].member &&
			    !strcmp(t->v[j].member, "backup"))
				bk = &t->v[j];
		rc = shard_where(&b, v, y) ||
			(bk && shard_backup(&b, v, y, bk)) ? -1 : 0;
	}
	if (!rc)
		*item = b.data ? buf_take(&b) : xstrdup("");
	buf_release(&b);
	return rc;
}

static void items_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The per-item arguments of the @SHARD and @AM lines into *out (query
 * shards after every data server, with their shard number).  -1
 * reported. */
static int items(const struct iris_topo *t, const struct vars *v,
		 const char *kind, char ***out, size_t *count)
{
	size_t i, k = 0;
	int pass, rc = 0;

	*out = xcalloc(t->n + 1, sizeof(char *));
	for (pass = 0; pass < 2 && !rc; pass++)
		for (i = 0; i < t->n && !rc; i++) {
			rc = item_of(t, v, kind, i, pass, &(*out)[k]);
			if (!rc)
				k++;
			else if (rc > 0)
				rc = 0;
		}
	if (rc) {
		items_free(*out, k);
		*out = NULL;
		k = 0;
	}
	*count = k;
	return rc;
}

static const struct placeholder *placeholder(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(placeholders); i++)
		if (strlen(placeholders[i].name) == len &&
		    !strncmp(placeholders[i].name, name, len))
			return &placeholders[i];
	return NULL;
}

/* Appends value of kind ph, the template being inside a string literal
 * or not (lit), through the one rule of its kind (cos.h). */
static int put(struct buf *out, const struct placeholder *ph,
	       const char *val, const struct cos_where *w, bool lit,
	       const char *step)
{
	bool want_lit = ph->kind == K_STR || ph->kind == K_OPTPORT;
	const char *p;

	if (lit != want_lit)
		return error("IRIS configuration step %s: ${%s} is %s a string "
			     "literal of its template", step, ph->name,
			     lit ? "inside" : "outside");
	switch (ph->kind) {
	case K_STR:
		return cos_str_body(out, val, w);
	case K_OPTPORT:
		return *val ? cos_port(out, val, w) : 0;
	case K_PORT:
		return cos_port(out, val, w);
	case K_FLAG:
		return cos_num(out, val, 0, 1, w);
	case K_WORD:
		for (p = val; isalpha((unsigned char)*p); p++)
			;
		if (p == val || *p)
			return error("IRIS configuration step %s: ${%s} is not "
				     "a method name", step, ph->name);
		break;
	case K_ARGS:
		break;
	}
	if (buf_adds(out, val))
		return error("%s for %s: the script is too long", w->step,
			     w->node);
	return 0;
}

/* Appends the failure check ${FAIL} (already: ${FAILNEW}) of step. */
static int put_fail(struct buf *out, const char *step, bool already)
{
	return buf_addf(out, " if 'sc%s { write \"ICM-ERROR %s: \","
			"$SYSTEM.Status.GetErrorText(sc),! do "
			"$SYSTEM.Process.Terminate(,1) }", already ?
			",$SYSTEM.Status.GetErrorText(sc)'[\"already\"" : "",
			step);
}

/*
 * Appends s with ${NAME} replaced; item is ${ITEM}.  In ObjectScript
 * (cos true) each value goes in as its kind says (placeholders[]), the
 * template's own quotes telling whether it is inside a string literal;
 * in a console line (cos false) it goes in as it is, if it is one line.
 */
static int expand(const struct vars *v, const char *s, size_t len,
		  const char *item, bool cos, struct buf *out)
{
	const char *end = s + len, *step = v->step;
	bool lit = false;

	while (s < end) {
		const char *d = memchr(s, '$', (size_t)(end - s));
		const char *close = NULL, *name, *val, *stop, *p;
		const struct placeholder *ph;
		struct cos_where w = where_of(v, "ITEM", NULL);
		size_t nlen;
		int i;

		if (d && d + 1 < end && d[1] == '{')
			close = memchr(d, '}', (size_t)(end - d));
		stop = close ? d : d ? d + 1 : end;
		for (p = s; p < stop; p++)
			lit ^= *p == '"';
		if (buf_add(out, s, (size_t)(stop - s)))
			return -1;
		s = stop;
		if (!close)
			continue;
		name = d + 2;
		nlen = (size_t)(close - name);
		s = close + 1;
		if ((nlen == 4 || nlen == 7) && !strncmp(name, "FAIL", 4) &&
		    (nlen == 4 || !strncmp(name + 4, "NEW", 3))) {
			if (put_fail(out, step, nlen == 7))
				return -1;
			continue;
		}
		ph = placeholder(name, nlen);
		if (ph && !strcmp(ph->name, "ITEM")) {
			val = item;
		} else {
			i = lookup(v, name, nlen);
			val = i >= 0 ? v->value[i] : NULL;
			if (i >= 0)
				w = v->where[i];
		}
		if (!ph || !val)
			return error("IRIS configuration step %s: no %s for "
				     "${%.*s}", step, ph ? "value" : "kind",
				     (int)nlen, name);
		if (cos ? put(out, ph, val, &w, lit, step) :
		    cos_text(val, &w) || buf_adds(out, val))
			return -1;
	}
	return 0;
}

/* Appends the lines of one template (embedded/iris/<part>.cos). */
static int render_part(const struct iris_topo *t, const struct vars *v,
		       const char *part, struct buf *out)
{
	char *path = xasprintf(TEMPLATE_DIR "%s.cos", part);
	const struct embedded_file *f = embedded_find(path);
	const char *s, *end;
	int rc = 0;

	if (!f) {
		rc = error("%s is not in this build of icm", path);
		goto out;
	}
	s = (const char *)f->data;
	end = s + f->len;
	while (s < end && !rc) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		const char *kind = NULL;

		if (len && *s != '#') {
			if (len > 7 && !strncmp(s, "@SHARD ", 7))
				kind = "SHARD";
			else if (len > 4 && !strncmp(s, "@AM ", 4))
				kind = "AM";
			if (kind) {
				size_t skip = strlen(kind) + 2, n, i;
				char **it;

				rc = items(t, v, kind, &it, &n);
				for (i = 0; i < n && !rc; i++)
					rc = expand(v, s + skip, len - skip,
						    it[i], true, out) ||
						buf_adds(out, "\n") ? -1 : 0;
				if (it)
					items_free(it, n);
			} else {
				rc = expand(v, s, len, NULL, true, out) ||
					buf_adds(out, "\n") ? -1 : 0;
			}
		}
		s += len + 1;
	}
out:
	free(path);
	return rc;
}

int iris_step_render(const struct iris_topo *t, const struct node *n,
		     size_t k, struct buf *script, char **title)
{
	struct vars v = { .n = 0 };
	struct buf tb;
	int i = find(t, n), rc = -1;
	char *parts = NULL, *part, *save = NULL;

	*title = NULL;
	if (i < 0 || k >= ARRAY_SIZE(steps))
		return error("IRIS configuration: %s is not in the topology",
			     n->name);
	buf_init(&tb, BUF_CAP_LINE);
	if (fill(t, &t->v[i], k, &v) ||
	    expand(&v, steps[k].title, strlen(steps[k].title), NULL, false,
		   &tb) || buf_adds(&tb, ""))
		goto out;
	parts = xstrdup(steps[k].parts);
	for (part = strtok_r(parts, " ", &save); part;
	     part = strtok_r(NULL, " ", &save)) {
		/* a mirrored cluster node's calls create or join its mirror */
		char *name = t->v[i].member && str_starts(part, "cluster-") ?
			xasprintf("%s-mirrored", part) : xstrdup(part);
		bool bad = render_part(t, &v, name, script) != 0;

		free(name);
		if (bad)
			goto out;
	}
	if (buf_addf(script, "write \"" IRIS_OK_PREFIX "%s\",!\nhalt\n",
		     steps[k].id)) {
		error("IRIS configuration step %s for %s is too long",
		      steps[k].id, n->name);
		goto out;
	}
	*title = xstrdup(tb.data ? tb.data : "");
	rc = 0;
out:
	free(parts);
	buf_release(&tb);
	vars_release(&v);
	return rc;
}

/* ------------------------------------------------------- Web Gateway */

/* The IRIS nodes a Web Gateway serves (icm-reference §4.3), in order. */
static size_t gateway_targets(const struct iris_topo *t,
			      const struct inode **out)
{
	static const char *const tiers[][2] = {
		{ "AM", NULL }, { "DATA", "COMPUTE" }, { "DM", NULL },
	};
	size_t i, k, n = 0;

	for (k = 0; k < ARRAY_SIZE(tiers) && !n; k++)
		for (i = 0; i < t->n; i++) {
			const struct inode *x = &t->v[i];

			if ((is(x, tiers[k][0]) ||
			     (tiers[k][1] && is(x, tiers[k][1]))) && leads(x))
				out[n++] = x;
		}
	return n;
}

/* Whether every value CSP.ini takes for n (its own fields, each server's
 * address and port, the password) can go on an ini line.  -1 reported
 * (never with the value: one is the password). */
static int csp_values(const struct iris_topo *t, const struct node *n,
		      const struct inode *const *srv, size_t ns,
		      const char *password, char **why)
{
	static const char *const own[] = { "ApplicationPath",
					   "AlternativeServers" };
	struct cos_where w = { .node = n->name, .step = "CSP.ini",
			       .why = why };
	const char *v;
	size_t i;

	w.field = "ISCPassword";
	if (password && cos_text(password, &w))
		return -1;
	for (i = 0; i < ARRAY_SIZE(own); i++) {
		w.field = own[i];
		v = t->field(t->arg, n, own[i]);
		if (v && cos_text(v, &w))
			return -1;
	}
	for (i = 0; i < ns; i++) {
		w.owner = srv[i]->n->name;
		w.field = srv[i]->addr_field;
		if (cos_text(srv[i]->addr, &w))
			return -1;
		w.field = "SuperServerPort";
		if (cos_port_check(srv[i]->port, &w))
			return -1;
	}
	return 0;
}

int iris_csp_check(const struct iris_topo *t, const struct node *n,
		   const char *password)
{
	const struct inode **srv = xcalloc(t->n + 1, sizeof(*srv));
	int rc = csp_values(t, n, srv, gateway_targets(t, srv), password,
			    NULL);

	free(srv);
	return rc;
}

int iris_csp_ini(const struct iris_topo *t, const struct node *n,
		 const char *password, const char *tls_dir, struct buf *out,
		 char **why)
{
	const struct inode **srv = xcalloc(t->n + 1, sizeof(*srv));
	const char *path = t->field(t->arg, n, "ApplicationPath");
	const char *alt = t->field(t->arg, n, "AlternativeServers");
	size_t ns = gateway_targets(t, srv), i, ws = 0, def;
	int rc = 0;

	for (i = 0; i < t->n && t->v[i].n != n; i++)
		ws += is(&t->v[i], "WS");
	if (!ns) {
		rc = error_why(why, "%s: there is no AM, DATA or DM node for "
			       "the Web Gateway to serve", n->name);
		goto out;
	}
	if (csp_values(t, n, srv, ns, password, why)) {
		rc = -1;
		goto out;
	}
	def = ws % ns;
	rc |= buf_addf(out, "[SYSTEM]\nSystem_Manager=127.0.0.1\n"
		       "Default_Server=%s\n[SYSTEM_INDEX]\n",
		       srv[def]->sysname);
	for (i = 0; i < ns; i++)
		rc |= buf_addf(out, "%s=Enabled\n", srv[i]->sysname);
	for (i = 0; i < ns; i++) {
		rc |= buf_addf(out, "[%s]\nIp_Address=%s\nTCP_Port=%s\n"
			       "Username=CSPSystem\nPassword=%s\n"
			       "Minimum_Server_Connections=3\n"
			       "Maximum_Session_Connections=6\n"
			       "Connection_Security_Level=10\n"
			       "SSLCC_Protocol_Min=16\nSSLCC_Protocol_Max=32\n"
			       "SSLCC_Certificate_File=%s/CertificateFile.pem\n"
			       "SSLCC_Certificate_Key_File=%s/PrivateKeyFile."
			       "pem\nSSLCC_CA_Certificate_File=%s/CAFile.pem\n",
			       srv[i]->sysname, srv[i]->addr, srv[i]->port,
			       password ? password : "", tls_dir, tls_dir,
			       tls_dir);
		if (srv[i]->member)
			rc |= buf_adds(out, "Mirror_Aware=1\n");
	}
	rc |= buf_addf(out, "[APP_PATH_INDEX]\n/=Enabled\n/csp=Enabled\n"
		       "%s%s[APP_PATH:/]\nDefault_Server=%s\n"
		       "[APP_PATH:/csp]\nDefault_Server=%s\n",
		       path ? path : "", path ? "=Enabled\n" : "",
		       srv[def]->sysname, srv[def]->sysname);
	if (path) {
		size_t k = 0;

		rc |= buf_addf(out, "[APP_PATH:%s]\nDefault_Server=%s\n"
			       "Alternative_Servers=%s\n", path,
			       srv[def]->sysname, alt ? alt : "LoadBalancing");
		for (i = 0; i < ns; i++)
			if (i != def)
				rc |= buf_addf(out, "Alternative_Server_%zu="
					       "1~~~~~~%s\n", k++,
					       srv[i]->sysname);
	}
	if (rc)
		rc = error_why(why, "%s: CSP.ini is too large", n->name);
out:
	free(srv);
	return rc;
}
