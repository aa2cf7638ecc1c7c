/*
 * engine_int.h: what engine.c (records, ensure, batches) and
 * engine_sync.c (reconcile, scale-in, teardown) share.  Not for
 * providers: they use resource.h.
 */
#ifndef ICM_PROVIDER_ENGINE_INT_H
#define ICM_PROVIDER_ENGINE_INT_H

#include "resource.h"
#include "../state/journal.h"

#define NODE_PREFIX "node/"
#define BATCH_PREFIX "batch/"
#define FOUND_CAP 100000	/* things one listing may report */

/* A growing list of owned strings. */
struct strs {
	char **v;
	size_t n, alloc;
};

void strs_add(struct strs *s, const char *v);
void strs_release(struct strs *s);
void strs_sort(struct strs *s, bool descending);
/* In a list sorted ascending. */
bool strs_has(const struct strs *s, const char *v);

/* One thing a listing reported (key and id may each be NULL). */
struct report {
	char *key, *id;
};

typedef int (*res_list_fn)(void *prov, struct engine *e,
			   struct cloud_err *err);

struct engine {
	struct journal *j;
	char *dep;
	const struct res_kind *const *kinds;	/* the provider's, kept */
	void *prov;
	bool force;
	bool (*confirm)(const char *question);
	void (*teardown_turn)(void *prov, const struct res_kind *k);
	size_t listings;
	/* what the listing under way reported (engine_found) */
	struct report *got;
	size_t ngot, agot;
	bool overflow;
	/* what this run's listings reported: by key (sorted), and IDs */
	struct report *seen;
	size_t nseen;
	struct strs seen_ids;
	/* the list functions called (a listing shared by kinds runs once) */
	res_list_fn *listed;
	size_t nlisted;
	bool expanded;		/* batches given their node records */
};

/* Reports a callback's failure: "<action> (<key>) failed: <message>",
 * its class in icm.log.  Returns -1. */
int engine_report(const char *action, const char *key,
		  const struct cloud_err *err);

/* One call of k->list into e->got (cleared first).  -1 reported. */
int engine_list(struct engine *e, const struct res_kind *k);
/* k's listing unless one with the same function ran in this run; what it
 * reported is kept for engine_present() and adoption.  -1 reported. */
int engine_list_once(struct engine *e, const struct res_kind *k);
/* Whether key (recorded DONE) was reported by a listing of this run: by
 * key, or by the ID the journal holds for it. */
bool engine_present(const struct engine *e, const char *key);

/* The kind key belongs to (node/ and batch/ keys: the node kind), or
 * NULL. */
const struct res_kind *engine_kind_of(const struct engine *e,
				      const char *key);

/* Every key the journal holds in state DONE or PENDING (batches too when
 * with_batches), in journal order. */
void engine_live_keys(const struct engine *e, bool with_batches,
		      struct strs *out);

/* Gives every machine of a DONE batch record without a node record its
 * node/<machine> record (a kill between the two).  -1 reported. */
int engine_expand(struct engine *e) WARN_UNUSED;

/* Calls fn for each entry of a batch record "<machine>=<id>,..."; a
 * nonzero return stops the walk and is returned. */
int engine_batch_each(const char *map,
		      int (*fn)(void *arg, const char *machine,
				const char *id), void *arg);

/* force, or the question asked through confirm (without one: printed
 * and refused). */
bool engine_confirmed(const struct engine *e, const char *question);

/* Marks deleted the records of machines names[0..n): node/<m>, the node
 * kind's companions of m, every batch record naming m.  -1 reported. */
int engine_forget_machines(struct engine *e, const struct strs *names)
	WARN_UNUSED;

#endif
