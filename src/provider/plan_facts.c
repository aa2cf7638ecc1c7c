/* plan_facts.c: what provision -plan shows of a node, from its provider's
 * PROVIDER row (fields.def; see provider.h). */
#include "provider.h"
#include "../util/str.h"

/* The first of the fields "A|B" (len bytes) that node n has, or NULL. */
static const char *first_field(const struct node *n, const char *alts,
			       size_t len)
{
	char *list = xstrndup(alts, len), *save = NULL, *f;
	const char *v = NULL;

	for (f = strtok_r(list, "|", &save); f && !v;
	     f = strtok_r(NULL, "|", &save))
		v = node_get(n, f);
	free(list);
	return v;
}

char *provider_plan_machine(const char *provider, const struct node *n)
{
	const char *t = provider_rules_find(provider)->machine, *open, *close;
	char *out = xstrdup(""), *next;

	if (!strcmp(n->role, "LB"))
		return xasprintf("(virtual %s)", n->lb_target ?
				 n->lb_target : "?");
	while ((open = strchr(t, '{')) && (close = strchr(open, '}'))) {
		const char *v = first_field(n, open + 1,
					    (size_t)(close - open - 1));

		next = xasprintf("%s%.*s%s", out, (int)(open - t), t,
				 v ? v : "?");
		free(out);
		out = next;
		t = close + 1;
	}
	next = xasprintf("%s%s", out, t);
	free(out);
	return next;
}

char *provider_plan_volumes(const char *provider, const struct node *n)
{
	static const char *const f[] = {
		"DataVolumeSize", "WIJVolumeSize", "Journal1VolumeSize",
		"Journal2VolumeSize",
	};
	const char *os = node_get(n, "OSVolumeSize");
	const char *v[ARRAY_SIZE(f)];
	size_t i;

	if (!strcmp(n->role, "LB"))
		return xstrdup("-");
	if (provider_rules_find(provider)->flags & PR_HOSTS_EXIST)
		return xstrdup("existing");
	if (!role_is_iris(n->role))
		return xasprintf("OS %s", os ? os : "?");
	for (i = 0; i < ARRAY_SIZE(f); i++) {
		v[i] = node_get(n, f[i]);
		if (!v[i])
			v[i] = "?";
	}
	return xasprintf("OS %s, data %s, WIJ %s, journals %s+%s",
			 os ? os : "?", v[0], v[1], v[2], v[3]);
}
