/*
 * engine.c: the provider-neutral engine (resource.h): the journal records
 * around each create, idempotency tokens, adoption of what a killed run
 * made, batches of nodes, and the listings everything else reads.
 * Reconciliation, scale-in and teardown are in engine_sync.c.
 */
#include "engine_int.h"
#include "../crypto/rand.h"
#include "../state/log.h"
#include "../util/buf.h"
#include "../util/str.h"

#define TOKEN_BYTES 12		/* "icm-" and 24 hex digits */

/* ------------------------------------------------------------ strings */

void strs_add(struct strs *s, const char *v)
{
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? 2 * s->alloc : 16;
		s->v = xrealloc(s->v, s->alloc * sizeof(*s->v));
	}
	s->v[s->n++] = xstrdup(v);
}

void strs_release(struct strs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static int cmp_str_desc(const void *x, const void *y)
{
	return cmp_str(y, x);
}

void strs_sort(struct strs *s, bool descending)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v),
		      descending ? cmp_str_desc : cmp_str);
}

bool strs_has(const struct strs *s, const char *v)
{
	return s->n && bsearch(&v, s->v, s->n, sizeof(*s->v), cmp_str);
}

/* ----------------------------------------------------------- engine */

int engine_open(const struct engine_opts *o, struct engine **out)
{
	struct engine *e = xcalloc(1, sizeof(*e));

	e->dep = xstrdup(o->deployment ? o->deployment : "");
	e->kinds = o->kinds;
	e->prov = o->prov;
	e->force = o->force;
	e->confirm = o->confirm;
	e->teardown_turn = o->teardown_turn;
	if (journal_open(o->state_dir, &e->j)) {
		engine_close(e);
		return -1;
	}
	*out = e;
	return 0;
}

static void reports_clear(struct report *r, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		free(r[i].key);
		free(r[i].id);
	}
	*n = 0;
}

void engine_close(struct engine *e)
{
	if (!e)
		return;
	journal_close(e->j);
	reports_clear(e->got, &e->ngot);
	free(e->got);
	reports_clear(e->seen, &e->nseen);
	free(e->seen);
	strs_release(&e->seen_ids);
	free(e->listed);
	free(e->dep);
	free(e);
}

struct journal *engine_journal(struct engine *e)
{
	return e->j;
}

size_t engine_listings(const struct engine *e)
{
	return e->listings;
}

const char *engine_id(const struct engine *e, const char *key)
{
	return journal_id(e->j, key);
}

const char *engine_node_id(const struct engine *e, const char *machine)
{
	char *key = xasprintf(NODE_PREFIX "%s", machine);
	const char *id = journal_id(e->j, key);

	free(key);
	return id;
}

int engine_report(const char *action, const char *key,
		  const struct cloud_err *err)
{
	debug("%s (%s): %s", action, key, cloud_err_class_name(err->cls));
	return error("%s (%s) failed: %s", action, key,
		     err->msg ? err->msg : "no reason given");
}

/* A new idempotency token: "icm-" and 24 hex digits (allocated). */
static int new_token(char **out)
{
	unsigned char rnd[TOKEN_BYTES];
	char *t;
	size_t i;

	if (rand_bytes(rnd, sizeof(rnd)))
		return -1;
	t = xmalloc(4 + 2 * sizeof(rnd) + 1);
	memcpy(t, "icm-", 4);
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(t + 4 + 2 * i, 3, "%02x", rnd[i]);
	*out = t;
	return 0;
}

/* key's token when it is PENDING with one (a retry sends it again), else
 * a new one. */
static int token_for(const struct engine *e, const char *key, char **out)
{
	const char *t = journal_state(e->j, key) == JOURNAL_PENDING ?
		journal_token(e->j, key) : NULL;

	if (!t)
		return new_token(out);
	*out = xstrdup(t);
	return 0;
}

/* --------------------------------------------------------- listings */

void engine_found(struct engine *e, const char *key, const char *id)
{
	struct report *r;

	if (!key && !id)
		return;
	if (e->ngot == FOUND_CAP) {
		e->overflow = true;
		return;
	}
	if (e->ngot == e->agot) {
		e->agot = e->agot ? 2 * e->agot : 64;
		e->got = xrealloc(e->got, e->agot * sizeof(*e->got));
	}
	r = &e->got[e->ngot++];
	r->key = key ? xstrdup(key) : NULL;
	r->id = id ? xstrdup(id) : NULL;
}

int engine_list(struct engine *e, const struct res_kind *k)
{
	struct cloud_err err = CLOUD_ERR_INIT;
	char *action = xasprintf("list %s", k->name);
	int ret = 0;

	reports_clear(e->got, &e->ngot);
	e->overflow = false;
	e->listings++;
	if (k->list(e->prov, e, &err))
		ret = engine_report(action, e->dep, &err);
	else if (e->overflow)
		ret = error("%s (%s) failed: more than %d found", action,
			    e->dep, FOUND_CAP);
	else
		debug("%s (%s): %zu found", action, e->dep, e->ngot);
	cloud_err_release(&err);
	free(action);
	return ret;
}

static int cmp_report_key(const void *x, const void *y)
{
	return strcmp(((const struct report *)x)->key,
		      ((const struct report *)y)->key);
}

static const struct report *seen_key(const struct engine *e, const char *key)
{
	struct report want = { (char *)key, NULL };

	return e->nseen ? bsearch(&want, e->seen, e->nseen, sizeof(*e->seen),
				  cmp_report_key) : NULL;
}

int engine_list_once(struct engine *e, const struct res_kind *k)
{
	size_t i;

	if (!k->list)
		return 0;
	for (i = 0; i < e->nlisted; i++)
		if (e->listed[i] == k->list)
			return 0;
	if (engine_list(e, k))
		return -1;
	e->listed = xrealloc(e->listed, (e->nlisted + 1) *
			     sizeof(*e->listed));
	e->listed[e->nlisted++] = k->list;
	e->seen = xrealloc(e->seen, (e->nseen + e->ngot + 1) *
			   sizeof(*e->seen));
	for (i = 0; i < e->ngot; i++) {
		if (e->got[i].id)
			strs_add(&e->seen_ids, e->got[i].id);
		if (e->got[i].key) {
			e->seen[e->nseen++] = e->got[i];
			e->got[i].key = e->got[i].id = NULL;
		}
	}
	reports_clear(e->got, &e->ngot);
	if (e->nseen)
		qsort(e->seen, e->nseen, sizeof(*e->seen), cmp_report_key);
	strs_sort(&e->seen_ids, false);
	return 0;
}

bool engine_present(const struct engine *e, const char *key)
{
	const char *id = journal_id(e->j, key);

	return seen_key(e, key) || (id && strs_has(&e->seen_ids, id));
}

const struct res_kind *engine_kind_of(const struct engine *e,
				      const char *key)
{
	bool node = str_starts(key, NODE_PREFIX) ||
		str_starts(key, BATCH_PREFIX);
	size_t i, k;

	for (i = 0; e->kinds[i]; i++) {
		const struct res_kind *r = e->kinds[i];

		if (node || r->node) {
			if (node && r->node)
				return r;
			continue;
		}
		for (k = 0; r->keys && r->keys[k]; k++)
			if (str_ends(r->keys[k], "/") ?
			    str_starts(key, r->keys[k]) :
			    !strcmp(key, r->keys[k]))
				return r;
	}
	return NULL;
}

/* ----------------------------------------------------------- ensure */

/* A PENDING key: the resource a killed run made, when k's listing
 * reports it by key; recorded DONE then.  1 adopted, 0 not there, -1. */
static int adopt(struct engine *e, const struct res_kind *k, const char *key)
{
	const struct report *r;

	if (!k->list)
		return 0;
	if (engine_list_once(e, k))
		return -1;
	r = seen_key(e, key);
	if (!r)
		return 0;
	debug("%s (%s): adopted %s", k->name, key, r->id ? r->id : "");
	return journal_done(e->j, key, r->id) ? -1 : 1;
}

int engine_ensure(struct engine *e, const struct res_kind *k,
		  const char *key, const char *action, res_create_fn create,
		  void *arg, const char **id)
{
	struct cloud_err err = CLOUD_ERR_INIT;
	char *token = NULL, *made = NULL;
	int ret = -1, rc;

	if (id)
		*id = NULL;
	if (journal_state(e->j, key) == JOURNAL_DONE) {
		ret = 0;
		goto out;
	}
	if (journal_state(e->j, key) == JOURNAL_PENDING) {
		rc = adopt(e, k, key);
		if (rc) {
			ret = rc > 0 ? 0 : -1;
			goto out;
		}
	}
	if (token_for(e, key, &token) ||
	    journal_intent(e->j, key, action, token))
		goto out;
	if (create(e->prov, arg, key, token, &made, &err)) {
		engine_report(action, key, &err);
		if (journal_failed(e->j, key, err.msg ? err.msg : "")) {
			/* reported; the record stays PENDING */
		}
		goto out;
	}
	ret = journal_done(e->j, key, made);
out:
	if (!ret && id)
		*id = journal_id(e->j, key);
	cloud_err_release(&err);
	free(token);
	free(made);
	return ret;
}

/* ---------------------------------------------------------- batches */

int engine_batch_each(const char *map,
		      int (*fn)(void *arg, const char *machine,
				const char *id), void *arg)
{
	char *s = xstrdup(map ? map : ""), *w, *save = NULL;
	int ret = 0;

	for (w = strtok_r(s, ",", &save); w && !ret;
	     w = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(w, '=');

		if (!eq)
			continue;
		*eq = '\0';
		ret = fn(arg, w, eq + 1);
	}
	free(s);
	return ret;
}

struct expand {
	struct engine *e;
	bool only_missing;	/* only machines without a record of after the
				   batch's */
	unsigned long batch_seq;	/* the batch record's journal_seq() */
};

/*
 * only_missing: a machine with no node record, or one DELETED before the
 * batch's record (the batch made it again: a deployment unprovisioned
 * and provisioned again in the same state, killed before every machine
 * of the batch had its node record).  A node DELETED after its batch (a
 * scale-in) keeps its record.
 */
static int expand_machine(void *arg, const char *machine, const char *id)
{
	struct expand *x = arg;
	char *key = xasprintf(NODE_PREFIX "%s", machine);
	enum journal_state st = journal_state(x->e->j, key);
	bool missing = st == JOURNAL_NONE ||
		(st == JOURNAL_DELETED &&
		 journal_seq(x->e->j, key) < x->batch_seq);
	int ret = 0;

	if (x->only_missing ? missing : st != JOURNAL_DONE)
		ret = journal_done(x->e->j, key, id);
	free(key);
	return ret;
}

int engine_expand(struct engine *e)
{
	struct expand x = { e, true, 0 };
	struct strs keys = { NULL, 0, 0 };
	size_t i;
	int ret = 0;

	if (e->expanded)
		return 0;
	engine_live_keys(e, true, &keys);
	for (i = 0; i < keys.n && !ret; i++)
		if (str_starts(keys.v[i], BATCH_PREFIX) &&
		    journal_state(e->j, keys.v[i]) == JOURNAL_DONE) {
			x.batch_seq = journal_seq(e->j, keys.v[i]);
			ret = engine_batch_each(journal_id(e->j, keys.v[i]),
						expand_machine, &x);
		}
	strs_release(&keys);
	e->expanded = !ret;
	return ret;
}

/* The record of one batch: "<machine>=<id>,..." (allocated), or NULL
 * reported. */
static char *batch_map(const char *action, const char *key,
		       struct node *const *nodes, char *const *ids, size_t n)
{
	struct buf map;
	size_t i;

	buf_init(&map, BUF_CAP_LINE);
	for (i = 0; i < n; i++) {
		if (!ids[i]) {
			error("%s (%s) failed: no ID for %s in the answer",
			      action, key, nodes[i]->name);
			goto fail;
		}
		if (buf_addf(&map, "%s%s=%s", i ? "," : "", nodes[i]->name,
			     ids[i])) {
			error("%s (%s) failed: too many machines for one "
			      "record", action, key);
			goto fail;
		}
	}
	return buf_take(&map);
fail:
	buf_release(&map);
	return NULL;
}

/* Whether a batch record names machine with an instance that is there
 * (listed, or of a kind without a listing). */
struct machine_live {
	const struct engine *e;
	const struct res_kind *k;
	const char *machine;
	bool live;
};

static int find_machine(void *arg, const char *machine, const char *id)
{
	struct machine_live *m = arg;

	if (strcmp(machine, m->machine))
		return 0;
	m->live = !m->k->list || strs_has(&m->e->seen_ids, id);
	return 1;
}

/*
 * The batch of key is recorded DONE but machines of todo have no node
 * record.  A kill right after the batch record of machines made again
 * (their records were DELETED): the record names them with instances
 * that are listed, and they get their records back (1).  A record of
 * before icm marked batches with their machines (a scale-in of icm 0.1
 * left it DONE): its instances are gone; it is marked deleted and the
 * batch made anew with a new token (0).  -1 reported.
 */
static int batch_recorded(struct engine *e, const struct res_kind *k,
			  const char *key, struct node *const *todo, size_t n)
{
	struct expand x = { e, false, 0 };
	size_t i;

	if (engine_list_once(e, k))
		return -1;
	for (i = 0; i < n; i++) {
		struct machine_live m = { e, k, todo[i]->name, false };

		if (engine_batch_each(journal_id(e->j, key), find_machine,
				      &m) && m.live)
			continue;
		debug("%s (%s): a record of instances gone; made anew",
		      k->name, key);
		return journal_deleted(e->j, key) ? -1 : 0;
	}
	return engine_batch_each(journal_id(e->j, key), expand_machine,
				 &x) ? -1 : 1;
}

int engine_ensure_nodes(struct engine *e, const struct res_kind *k,
			const char *batch_key, const char *action,
			struct node *const *nodes, size_t n,
			res_create_batch_fn create, void *arg)
{
	struct node **todo = xcalloc(n ? n : 1, sizeof(*todo));
	char **ids = xcalloc(n ? n : 1, sizeof(*ids));
	struct cloud_err err = CLOUD_ERR_INIT;
	char *token = NULL, *map = NULL;
	bool resumed;
	size_t i, t = 0;
	int ret = -1;

	if (engine_expand(e))
		goto out;
	for (i = 0; i < n; i++)
		if (!engine_node_id(e, nodes[i]->name))
			todo[t++] = nodes[i];
	if (!t) {
		ret = 0;
		goto out;
	}
	if (journal_state(e->j, batch_key) == JOURNAL_DONE) {
		int rc = batch_recorded(e, k, batch_key, todo, t);

		if (rc) {
			ret = rc > 0 ? 0 : -1;
			goto out;
		}
	}
	resumed = journal_state(e->j, batch_key) == JOURNAL_PENDING &&
		journal_token(e->j, batch_key);
	if (token_for(e, batch_key, &token) ||
	    (!resumed && journal_intent(e->j, batch_key, action, token)))
		goto out;
	/* A failure leaves the batch PENDING (no failed record): its
	 * machines may exist although the answer was lost, and the same
	 * token next time is what keeps them from being made twice. */
	if (create(e->prov, arg, batch_key, todo, t, token, resumed, ids,
		   &err)) {
		engine_report(action, batch_key, &err);
		goto out;
	}
	map = batch_map(action, batch_key, todo, ids, t);
	if (!map || journal_done(e->j, batch_key, map))
		goto out;
	for (i = 0; i < t; i++) {
		char *key = xasprintf(NODE_PREFIX "%s", todo[i]->name);
		int rc = journal_done(e->j, key, ids[i]);

		free(key);
		if (rc)
			goto out;
	}
	ret = 0;
out:
	for (i = 0; i < t; i++)
		free(ids[i]);
	free(ids);
	free(todo);
	free(map);
	free(token);
	cloud_err_release(&err);
	return ret;
}
