/*
 * scalein.c: machines the definitions no longer hold, terminated highest
 * names first after ICM's confirmation or -force (see aws.h).
 */
#include "aws.h"
#include "../../state/log.h"
#include "../../util/str.h"

struct gone {
	struct aws *a;
	const struct plan *p;
	char **names;
	size_t n;
};

static void collect_gone(void *arg, const char *key, enum journal_state st,
			 const char *id)
{
	struct gone *g = arg;
	size_t i;

	if (st != JOURNAL_DONE || strncmp(key, "node/", 5))
		return;
	for (i = 0; g->p && i < g->p->n; i++)
		if (!strcmp(g->p->nodes[i].name, key + 5))
			return;
	g->names = xrealloc(g->names, (g->n + 1) * sizeof(char *));
	g->names[g->n++] = xstrdup(key + 5);
}

static int cmp_desc(const void *x, const void *y)
{
	return strcmp(*(char *const *)y, *(char *const *)x);
}

/* Terminates the instances of the journal's nodes named in names and
 * waits; their keys are marked deleted. */
static int terminate(struct aws *a, char **names, size_t n)
{
	const char **ids = xcalloc(n ? n : 1, sizeof(char *));
	struct aws_params p;
	struct cloud_err err = CLOUD_ERR_INIT;
	size_t i, k = 0;
	int ret = -1;

	for (i = 0; i < n; i++) {
		char *key = xasprintf("node/%s", names[i]);

		if (journal_id(a->j, key))
			ids[k++] = journal_id(a->j, key);
		free(key);
	}
	aws_params_init(&p);
	if (k) {
		say("Terminating %zu instance%s...", k, k == 1 ? "" : "s");
		aws_params_list(&p, "InstanceId", ids, k);
		if (aws_call(a, "TerminateInstances", &p, NULL, &err) &&
		    err.cls != CLOUD_ERR_NOT_FOUND) {
			error("TerminateInstances failed: %s", err.msg);
			goto out;
		}
		if (aws_wait_state(a, ids, k, "terminated", NULL))
			goto out;
	}
	for (i = 0; i < n; i++) {
		static const char *const pre[] = { "node/", "name/",
						   "eip-assoc/" };
		size_t q;

		for (q = 0; q < ARRAY_SIZE(pre); q++) {
			char *key = xasprintf("%s%s", pre[q], names[i]);
			int rc = journal_state(a->j, key) == JOURNAL_NONE ? 0 :
				journal_deleted(a->j, key);

			free(key);
			if (rc)
				goto out;
		}
	}
	ret = 0;
out:
	aws_params_release(&p);
	cloud_err_release(&err);
	free(ids);
	return ret;
}

int aws_scale_in(struct aws *a, const struct plan *p)
{
	struct gone g = { a, p, NULL, 0 };
	size_t i;
	int ret = 0;

	journal_each(a->j, collect_gone, &g);
	if (!g.n)
		return 0;
	qsort(g.names, g.n, sizeof(char *), cmp_desc);
	if (!a->pc->force) {
		char *what = xasprintf("The definitions no longer hold %zu "
				       "node%s (%s%s): they will be "
				       "terminated with their volumes.", g.n,
				       g.n == 1 ? "" : "s", g.names[0],
				       g.n > 1 ? ", ..." : "");

		if (!a->pc->confirm || !a->pc->confirm(what))
			ret = error("scale-in not confirmed; nothing changed "
				    "(or use -force)");
		free(what);
	}
	if (!ret)
		ret = terminate(a, g.names, g.n);
	for (i = 0; i < g.n; i++)
		free(g.names[i]);
	free(g.names);
	return ret;
}
