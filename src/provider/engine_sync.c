/*
 * engine_sync.c: the engine (resource.h) against what exists:
 * reconciliation (the journal checked against one listing per kind),
 * scale-in (LIFO, after ICM's confirmation) and teardown (kinds in
 * dependency order, found by the deployment's tag).
 */
#include "engine_int.h"
#include "../state/log.h"
#include "../util/buf.h"
#include "../util/str.h"

struct collect {
	bool with_batches;
	struct strs *out;
};

static void collect_live(void *arg, const char *key, enum journal_state st,
			 const char *id)
{
	struct collect *c = arg;

	if ((st == JOURNAL_DONE || st == JOURNAL_PENDING) &&
	    (c->with_batches || !str_starts(key, BATCH_PREFIX)))
		strs_add(c->out, key);
}

void engine_live_keys(const struct engine *e, bool with_batches,
		      struct strs *out)
{
	struct collect c = { with_batches, out };

	journal_each(e->j, collect_live, &c);
}

bool engine_confirmed(const struct engine *e, const char *question)
{
	if (e->force)
		return true;
	if (e->confirm)
		return e->confirm(question);
	say("%s", question);
	return false;
}

/* Marks key deleted when it holds a record of something. */
static int forget_key(struct engine *e, const char *key)
{
	enum journal_state st = journal_state(e->j, key);

	if (st == JOURNAL_NONE || st == JOURNAL_DELETED)
		return 0;
	return journal_deleted(e->j, key);
}

static int names_machine(void *arg, const char *machine, const char *id)
{
	return strs_has(arg, machine);
}

int engine_forget_machines(struct engine *e, const struct strs *names)
{
	const struct res_kind *k = engine_kind_of(e, NODE_PREFIX);
	struct strs keys = { NULL, 0, 0 }, sorted = { NULL, 0, 0 };
	size_t i, c;
	int ret = -1;

	for (i = 0; i < names->n; i++) {
		char *key = xasprintf(NODE_PREFIX "%s", names->v[i]);
		int rc = forget_key(e, key);

		free(key);
		for (c = 0; !rc && k && k->companions && k->companions[c];
		     c++) {
			key = xasprintf("%s%s", k->companions[c],
					names->v[i]);
			rc = forget_key(e, key);
			free(key);
		}
		if (rc)
			goto out;
		strs_add(&sorted, names->v[i]);
	}
	/* a batch naming one of them is done with: the machine is made
	 * again by a new batch, with a new token */
	strs_sort(&sorted, false);
	engine_live_keys(e, true, &keys);
	for (i = 0; i < keys.n; i++)
		if (str_starts(keys.v[i], BATCH_PREFIX) &&
		    engine_batch_each(journal_id(e->j, keys.v[i]),
				      names_machine, &sorted) &&
		    journal_deleted(e->j, keys.v[i]))
			goto out;
	ret = 0;
out:
	strs_release(&keys);
	strs_release(&sorted);
	return ret;
}

static bool planned(const struct plan *p, const char *machine)
{
	size_t i;

	for (i = 0; p && i < p->n; i++)
		if (!strcmp(p->nodes[i].name, machine))
			return true;
	return false;
}

/* "A, B and C" of names (allocated); at most BUF_CAP_LINE. */
static char *name_list(const struct strs *names)
{
	struct buf b;
	size_t i;

	buf_init(&b, BUF_CAP_LINE);
	for (i = 0; i < names->n; i++)
		if (buf_addf(&b, "%s%s", i == 0 ? "" : i + 1 == names->n ?
			     " and " : ", ", names->v[i])) {
			/* over the cap (emptied): the first and "..." */
			if (buf_addf(&b, "%s, ...", names->v[0])) {
				/* a name over the cap: none */
			}
			break;
		}
	return buf_take(&b);
}

int engine_reconcile(struct engine *e, const struct plan *p)
{
	struct strs keys = { NULL, 0, 0 }, gone = { NULL, 0, 0 };
	struct strs nodes = { NULL, 0, 0 };
	char *question = NULL, *names = NULL;
	size_t i, g;
	int ret = -1;

	if (engine_expand(e))
		goto out;
	engine_live_keys(e, false, &keys);
	for (i = 0; i < keys.n; i++) {
		const struct res_kind *k = engine_kind_of(e, keys.v[i]);

		if (k && engine_list_once(e, k))
			goto out;
	}
	for (i = 0; i < keys.n; i++) {
		const char *key = keys.v[i];
		const struct res_kind *k = engine_kind_of(e, key);

		if (!k || !k->list ||
		    journal_state(e->j, key) != JOURNAL_DONE ||
		    engine_present(e, key))
			continue;
		if (!k->node)
			strs_add(&gone, key);
		else if (str_starts(key, NODE_PREFIX) &&
			 planned(p, key + strlen(NODE_PREFIX)))
			strs_add(&nodes, key + strlen(NODE_PREFIX));
	}
	if (nodes.n) {
		strs_sort(&nodes, true);
		names = name_list(&nodes);
		question = xasprintf("%zu node%s of %s no longer exist%s (%s):"
				     " %s will be created again with new "
				     "(empty) volumes.", nodes.n,
				     nodes.n == 1 ? "" : "s", e->dep,
				     nodes.n == 1 ? "s" : "", names,
				     nodes.n == 1 ? "it" : "they");
		if (!engine_confirmed(e, question)) {
			error("re-creation of %s not confirmed; nothing "
			      "changed (or use -force)", names);
			goto out;
		}
	}
	for (g = 0; g < gone.n; g++) {
		debug("%s (%s) no longer exists: it will be made again",
		      engine_kind_of(e, gone.v[g])->name, gone.v[g]);
		if (journal_deleted(e->j, gone.v[g]))
			goto out;
	}
	for (g = 0; g < nodes.n; g++)
		debug("%s no longer exists: it will be made again",
		      nodes.v[g]);
	ret = nodes.n ? engine_forget_machines(e, &nodes) : 0;
out:
	strs_release(&keys);
	strs_release(&gone);
	strs_release(&nodes);
	free(question);
	free(names);
	return ret;
}

/* k->destroy of ids (deduplicated).  -1 reported. */
static int destroy_ids(struct engine *e, const struct res_kind *k,
		       struct strs *ids)
{
	struct cloud_err err = CLOUD_ERR_INIT;
	char *action;
	int ret = 0;

	if (!ids->n)
		return 0;
	action = xasprintf("delete %s", k->name);
	if (k->destroy(e->prov, (const char *const *)ids->v, ids->n, &err))
		ret = engine_report(action, e->dep, &err);
	cloud_err_release(&err);
	free(action);
	return ret;
}

int engine_scale_in(struct engine *e, const struct res_kind *k,
		    const struct plan *p)
{
	struct strs keys = { NULL, 0, 0 }, names = { NULL, 0, 0 };
	struct strs ids = { NULL, 0, 0 };
	char *question = NULL;
	size_t i;
	int ret = -1;

	if (engine_expand(e))
		goto out;
	engine_live_keys(e, false, &keys);
	for (i = 0; i < keys.n; i++)
		if (str_starts(keys.v[i], NODE_PREFIX) &&
		    journal_state(e->j, keys.v[i]) == JOURNAL_DONE &&
		    !planned(p, keys.v[i] + strlen(NODE_PREFIX)))
			strs_add(&names, keys.v[i] + strlen(NODE_PREFIX));
	if (!names.n) {
		ret = 0;
		goto out;
	}
	strs_sort(&names, true);
	question = xasprintf("The definitions no longer hold %zu node%s "
			     "(%s%s): they will be terminated with their "
			     "volumes.", names.n, names.n == 1 ? "" : "s",
			     names.v[0], names.n > 1 ? ", ..." : "");
	if (!engine_confirmed(e, question)) {
		error("scale-in not confirmed; nothing changed (or use "
		      "-force)");
		goto out;
	}
	for (i = 0; i < names.n; i++)
		if (engine_node_id(e, names.v[i]))
			strs_add(&ids, engine_node_id(e, names.v[i]));
	if ((k->destroy && destroy_ids(e, k, &ids)) ||
	    engine_forget_machines(e, &names))
		goto out;
	ret = 0;
out:
	strs_release(&keys);
	strs_release(&names);
	strs_release(&ids);
	free(question);
	return ret;
}

/* ---------------------------------------------------------- teardown */

static bool lists_after(const struct res_kind *k, const char *name)
{
	size_t i;

	for (i = 0; k->after && k->after[i]; i++)
		if (!strcmp(k->after[i], name))
			return true;
	return false;
}

/* The kinds in teardown order: a kind before those in its after[] (in
 * table order otherwise).  order: room for every kind.  -1 reported. */
static int teardown_order(const struct engine *e,
			  const struct res_kind **order, size_t *n)
{
	size_t nk, i, j;
	bool *done, progress = true;

	for (nk = 0; e->kinds[nk]; nk++)
		;
	done = xcalloc(nk ? nk : 1, sizeof(*done));
	*n = 0;
	while (*n < nk && progress) {
		progress = false;
		for (i = 0; i < nk; i++) {
			bool blocked = false;

			for (j = 0; j < nk && !done[i] && !blocked; j++)
				blocked = j != i && !done[j] &&
					lists_after(e->kinds[j],
						    e->kinds[i]->name);
			if (done[i] || blocked)
				continue;
			done[i] = progress = true;
			order[(*n)++] = e->kinds[i];
		}
	}
	free(done);
	if (*n < nk)
		return error("the resource kinds of %s depend on each other "
			     "in a circle", e->dep);
	return 0;
}

/* What kind k's teardown deletes: the IDs its listing reported (of this
 * kind or of none known), or without a listing the journal's. */
static int teardown_ids(struct engine *e, const struct res_kind *k,
			struct strs *ids)
{
	size_t i;

	if (k->list) {
		if (engine_list(e, k))
			return -1;
		for (i = 0; i < e->ngot; i++) {
			const struct report *r = &e->got[i];
			const struct res_kind *of = r->key ?
				engine_kind_of(e, r->key) : NULL;

			if (r->id && (!of || of == k))
				strs_add(ids, r->id);
		}
	} else {
		struct strs keys = { NULL, 0, 0 };

		engine_live_keys(e, false, &keys);
		for (i = 0; i < keys.n; i++)
			if (engine_kind_of(e, keys.v[i]) == k &&
			    journal_id(e->j, keys.v[i]))
				strs_add(ids, journal_id(e->j, keys.v[i]));
		strs_release(&keys);
	}
	strs_sort(ids, false);
	for (i = 1; i < ids->n; i++)		/* each ID once */
		if (!strcmp(ids->v[i - 1], ids->v[i])) {
			free(ids->v[i]);
			memmove(&ids->v[i], &ids->v[i + 1],
				(ids->n - i - 1) * sizeof(*ids->v));
			ids->n--;
			i--;
		}
	return 0;
}

int engine_teardown(struct engine *e)
{
	const struct res_kind **order;
	struct strs keys = { NULL, 0, 0 };
	size_t nk, n, i;
	int ret = -1;

	for (nk = 0; e->kinds[nk]; nk++)
		;
	order = xcalloc(nk ? nk : 1, sizeof(*order));
	if (teardown_order(e, order, &n))
		goto out;
	for (i = 0; i < n; i++) {
		struct strs ids = { NULL, 0, 0 };
		int rc;

		if (e->teardown_turn)
			e->teardown_turn(e->prov, order[i]);
		if (!order[i]->destroy)
			continue;
		rc = teardown_ids(e, order[i], &ids) ||
			destroy_ids(e, order[i], &ids);
		strs_release(&ids);
		if (rc)
			goto out;
	}
	engine_live_keys(e, true, &keys);
	for (i = 0; i < keys.n; i++)
		if (journal_deleted(e->j, keys.v[i]))
			goto out;
	ret = 0;
out:
	strs_release(&keys);
	free(order);
	return ret;
}
