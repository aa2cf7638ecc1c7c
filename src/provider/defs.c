/* defs.c: a plan's definitions by name (see defs.h). */
#include "defs.h"
#include "../state/log.h"
#include "../util/str.h"

char *provider_def_name(const struct node *n)
{
	return xasprintf("%s-%s-%s", node_field(n, "Label"), n->role,
			 node_field(n, "Tag"));
}

const struct node *provider_def_node(const struct plan *p, int def)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->nodes[i].def_index == def &&
		    strcmp(p->nodes[i].role, "LB"))
			return &p->nodes[i];
	return NULL;
}

int provider_def_count(const struct plan *p)
{
	size_t i;
	int n = 0;

	for (i = 0; i < p->n; i++)
		if (p->nodes[i].def_index >= n)
			n = p->nodes[i].def_index + 1;
	return n;
}

void provider_say_definitions(const struct plan *p, const char *before,
			      const char *after)
{
	int def, n = provider_def_count(p);

	for (def = 0; def < n; def++) {
		const struct node *n0 = provider_def_node(p, def);
		char *name;

		if (!n0)
			continue;
		name = provider_def_name(n0);
		say("%s%s%s", before, name, after);
		free(name);
	}
}

void provider_set_field(struct node *n, const char *f, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(n->fields, f);
	if (v && *v)
		cJSON_AddStringToObject(n->fields, f, v);
}

int provider_each_definition(const struct plan *p, provider_def_fn plan,
			     provider_def_fn apply, void *arg)
{
	int def, n = provider_def_count(p), ret = 0;

	for (def = 0; def < n && !ret; def++) {
		const struct node *n0 = provider_def_node(p, def);
		char *name;

		if (!n0)
			continue;
		name = provider_def_name(n0);
		say("Starting plan of %s...", name);
		ret = plan(arg, def);
		if (!ret) {
			say("...completed plan of %s", name);
			say("Starting apply of %s...", name);
			ret = apply(arg, def);
		}
		free(name);
	}
	return ret;
}

/* Node n is a machine of definition def in region r and zone z. */
static bool in_batch(const struct node *n, int def, const struct node *first)
{
	return n->def_index == def && strcmp(n->role, "LB") &&
	       !strcmp(n->region ? n->region : "",
		       first->region ? first->region : "") &&
	       !strcmp(n->zone ? n->zone : "", first->zone ? first->zone : "");
}

int provider_each_batch(struct plan *p, int def, provider_batch_fn fn,
			void *arg)
{
	struct node **nodes = xcalloc(p->n ? p->n : 1, sizeof(*nodes));
	size_t i, j, k;
	int ret = 0;

	for (i = 0; i < p->n && !ret; i++) {
		struct node *first = &p->nodes[i];

		if (!in_batch(first, def, first))
			continue;
		for (j = 0; j < i; j++)		/* a batch seen already */
			if (in_batch(&p->nodes[j], def, first))
				break;
		if (j < i)
			continue;
		for (j = i, k = 0; j < p->n; j++)
			if (in_batch(&p->nodes[j], def, first))
				nodes[k++] = &p->nodes[j];
		ret = fn(arg, nodes, k);
	}
	free(nodes);
	return ret;
}
