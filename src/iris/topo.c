/*
 * topo.c: the deployment as the IRIS configuration steps see it (the
 * roles, mirrors, shards and addresses of phases.h's struct iris_topo).
 */
#include "topo.h"
#include "../util/str.h"
#include <ctype.h>

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

int iris_topo_find(const struct iris_topo *t, const struct node *n)
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
