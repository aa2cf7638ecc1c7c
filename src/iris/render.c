/*
 * render.c: a configuration step's ObjectScript for one node: the step's
 * templates (embedded/iris/) with every ${NAME} filled through cos.c.
 */
#include "topo.h"
#include "cos.h"
#include "../embed/embedded.h"
#include "../state/log.h"
#include "../util/str.h"
#include <ctype.h>

#define TEMPLATE_DIR "embedded/iris/"
#define VARS_MAX 40

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
	const char *id = iris_steps[k].id;
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
		char *dir = l == x ? iris_key_dir(t, x) : NULL;

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
	int i = iris_topo_find(t, n), rc = -1;
	char *parts = NULL, *part, *save = NULL;

	*title = NULL;
	if (i < 0 || k >= iris_nsteps)
		return error("IRIS configuration: %s is not in the topology",
			     n->name);
	buf_init(&tb, BUF_CAP_LINE);
	if (fill(t, &t->v[i], k, &v) ||
	    expand(&v, iris_steps[k].title, strlen(iris_steps[k].title), NULL, false,
		   &tb) || buf_adds(&tb, ""))
		goto out;
	parts = xstrdup(iris_steps[k].parts);
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
		     iris_steps[k].id)) {
		error("IRIS configuration step %s for %s is too long",
		      iris_steps[k].id, n->name);
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
