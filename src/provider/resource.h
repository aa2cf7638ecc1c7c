/*
 * resource.h: the provider-neutral engine (engine.c) and the resource
 * kinds a provider hands it.
 *
 * A provider describes each kind of thing it makes in the cloud (a VPC, a
 * subnet, a route, an instance) as a small table, struct res_kind: which
 * journal keys are of this kind, how to list every one that carries the
 * deployment's tag (one call per kind, not per resource), how to delete
 * some, and which kinds must go after it at teardown.  The provider's
 * create() then calls, in its own order:
 *
 *   engine_open()        the journal of the state directory
 *   engine_reconcile()   one listing per kind that the journal says has
 *                        resources: a resource recorded DONE but no longer
 *                        listed (deleted or terminated behind icm's back) is
 *                        marked gone, so the ensure below makes it again:
 *                        a resource silently, a node (kind->node) only
 *                        after ICM's confirmation or -force, since its data
 *                        volume is new.  Not confirmed: error, nothing
 *                        changed.
 *   engine_ensure()      one resource: recorded and present -> its ID;
 *                        recorded PENDING (a kill between the intent and the
 *                        answer) and listed by its key -> adopted; else an
 *                        intent record (with an idempotency token), the
 *                        provider's create call, the result record.
 *   engine_ensure_nodes() the machines of one batch (one definition, one
 *                        zone): those without a present resource are made by
 *                        ONE create call, recorded as one batch record
 *                        "<machine>=<id>,..." (a kill cannot record half a
 *                        batch), then one node/<machine> record each.
 *   engine_scale_in()    machines recorded but no longer planned: ICM's
 *                        confirmation, then deleted highest names first.
 * and destroy() calls engine_teardown(): every kind, dependents first,
 * listed by the deployment's tag and deleted; kinds that cannot be listed
 * are deleted from the journal's IDs; then every record is marked deleted.
 *
 * Journal keys are the provider's ("vpc", "subnet/us-east-1a",
 * "route-default"); node records are always "node/<machine>" and batch
 * records "batch/<anything>" (the engine writes both).  A key belongs to
 * the first kind whose keys[] entry matches it: an entry ending in '/' is
 * a prefix, any other entry the whole key.
 *
 * Errors: every provider callback returns 0, or -1 with err set (class and
 * message; cloud/err.h).  The engine reports what failed with error()
 * naming the action and the key ("CreateVpc (vpc) failed: <message>") and
 * returns -1; it never reads a global "last error".
 *
 * Threads: an engine is one thread's (the journal is not shared).
 * Ownership: IDs handed out by the engine are borrowed, valid until
 * engine_close() or until the engine records the same key again
 * (engine_reconcile(), engine_scale_in() and engine_teardown() mark keys
 * deleted: ask again afterwards).  engine_opts.kinds (static tables) is
 * kept until engine_close(); everything else the provider passes in is
 * copied or only read during the call.
 */
#ifndef ICM_PROVIDER_RESOURCE_H
#define ICM_PROVIDER_RESOURCE_H

#include "../icm.h"
#include "../cloud/err.h"
#include "../config/plan.h"

struct engine;

/*
 * What a listing reports, one call of engine_found() per thing present
 * (not deleted, not terminated) that carries the deployment's tag:
 *   key  the journal key it was tagged with (icm's key tag), or NULL
 *        when the provider cannot tell (found by id only)
 *   id   its ID, or NULL for a thing without one (a route)
 * A recorded key counts as present when it is reported by key, or when
 * the ID the journal holds for it is reported.  A listing may report
 * keys of other kinds too (a route table's listing also reports the
 * routes and associations it sees): they count as present as well.
 */
void engine_found(struct engine *e, const char *key, const char *id);

struct res_kind {
	const char *name;		/* "vpc", "instance": messages */
	const char *const *keys;	/* NULL-terminated; see above */
	/* The kinds (by name) this one depends on: teardown deletes this
	 * one before them.  NULL-terminated, or NULL. */
	const char *const *after;
	/* Node kind: records are node/<machine> (keys[] unused); making one
	 * again or deleting one asks first. */
	bool node;
	/* Node kinds: other keys that belong to a machine, as prefixes
	 * ("name/" -> "name/<machine>"); marked deleted with it.
	 * NULL-terminated, or NULL. */
	const char *const *companions;
	/*
	 * Calls engine_found() for everything of this kind that carries the
	 * deployment's tag.  One API call where the API allows (a filter by
	 * tag), however many resources there are.  NULL: the kind cannot
	 * be listed; its records are trusted and teardown deletes the
	 * journal's IDs.  Kinds that share one list function are listed by
	 * one call in engine_reconcile() (a route kind with its table's
	 * list: the table's listing reports the routes).
	 */
	int (*list)(void *prov, struct engine *e, struct cloud_err *err);
	/*
	 * Deletes ids[0..n) (one call where the API allows) and waits until
	 * they are gone.  Not found counts as deleted.  NULL: the kind goes
	 * with what it hangs on (a route with its table).
	 */
	int (*destroy)(void *prov, const char *const *ids, size_t n,
		       struct cloud_err *err);
};

/*
 * One create call.  token is the idempotency token for this key (the
 * same one again when a PENDING key is retried; send it where the API
 * takes one).  *id: the new resource's ID (allocated), or NULL for a
 * step that makes nothing with an ID.  An "already exists / already
 * done" answer for a step is the provider's to turn into success.
 */
typedef int (*res_create_fn)(void *prov, void *arg, const char *key,
			     const char *token, char **id,
			     struct cloud_err *err);

/*
 * One batch create: makes the machines nodes[0..k) and sets ids[i]
 * (allocated) for each.  resumed: a previous attempt with this token may
 * have made them (find them by the token or the batch's key tag before
 * creating; ids of ones found count).
 */
typedef int (*res_create_batch_fn)(void *prov, void *arg,
				   const char *batch_key,
				   struct node *const *nodes, size_t k,
				   const char *token, bool resumed,
				   char **ids, struct cloud_err *err);

struct engine_opts {
	const char *state_dir;
	const char *deployment;		/* <Label>-<Tag>: messages */
	const struct res_kind *const *kinds;	/* every kind the provider
						   has, NULL-terminated */
	void *prov;			/* passed to every callback */
	bool force;			/* -force: no confirmation */
	/* ICM's confirmation: asks the question, returns the answer (cmd/
	 * passes it in; NULL: the question is printed and refused unless
	 * force). */
	bool (*confirm)(const char *question);
	/* engine_teardown(): called before each kind's turn, in teardown
	 * order (a provider's phase lines); NULL: nothing. */
	void (*teardown_turn)(void *prov, const struct res_kind *k);
};

/* Opens the journal.  -1 reported. */
int engine_open(const struct engine_opts *o, struct engine **out)
	WARN_UNUSED;
void engine_close(struct engine *e);

/* The journal the engine reads and writes (borrowed, valid until
 * engine_close()): for a provider's records the engine does not make
 * itself (volume growth, load balancer steps).  One journal handle per
 * state directory at a time: the provider opens no other. */
struct journal *engine_journal(struct engine *e);

/* The listing calls engine_reconcile() and engine_teardown() made (tests
 * count them). */
size_t engine_listings(const struct engine *e);

/*
 * Lists every kind that has DONE or PENDING records (once each) and marks
 * what is gone (see above).  plan: the planned nodes (a gone node that is
 * no longer planned is left to engine_scale_in()).  Gone planned nodes
 * are confirmed with one question naming them, highest first ("2 nodes of
 * <deployment> no longer exist (B and A): they will be created again with
 * new (empty) volumes."); then each one's node record, companions and the
 * batch records naming it are marked deleted (a new batch, with a new
 * token, makes it again).  -1 reported (a listing failed, or the
 * re-creation was not confirmed: "re-creation of B and A not confirmed;
 * nothing changed (or use -force)", and nothing was marked).
 */
int engine_reconcile(struct engine *e, const struct plan *p) WARN_UNUSED;

/* The ID recorded for key (DONE), or NULL. */
const char *engine_id(const struct engine *e, const char *key);

/* The resource of key, of kind k (see above).  action names the call in
 * the journal and in messages ("CreateVpc").  *id (may be NULL) borrowed,
 * NULL for a step.  -1 reported (a failed create is recorded failed: the
 * next run makes it with a new token). */
int engine_ensure(struct engine *e, const struct res_kind *k,
		  const char *key, const char *action, res_create_fn create,
		  void *arg, const char **id) WARN_UNUSED;

/* The instance ID recorded for machine (node/<machine>), or NULL. */
const char *engine_node_id(const struct engine *e, const char *machine);

/*
 * The machines nodes[0..k) of one batch, under batch_key ("batch/...",
 * the same key for the same batch when run again): the ones without an
 * ID are made by one call of create.  Afterwards engine_node_id() gives
 * each one's ID.  -1 reported.  A failed create leaves the batch PENDING
 * (its machines may exist though the answer was lost): the next run calls
 * create with the same token and resumed set.  A batch recorded DONE whose
 * machines have no node record gives them its IDs when k's listing
 * reports them, else it is made anew.
 */
int engine_ensure_nodes(struct engine *e, const struct res_kind *k,
			const char *batch_key, const char *action,
			struct node *const *nodes, size_t n,
			res_create_batch_fn create, void *arg) WARN_UNUSED;

/*
 * Machines of node kind k recorded but not in p: after ICM's confirmation
 * ("The definitions no longer hold N nodes (...): they will be terminated
 * with their volumes.") or -force, deleted in one k->destroy call, names
 * highest first, and their records, companions and the batch records
 * naming them marked deleted.  0 when there are none.  -1 reported (not
 * confirmed: "scale-in not confirmed; nothing changed (or use -force)",
 * nothing changed).
 */
int engine_scale_in(struct engine *e, const struct res_kind *k,
		    const struct plan *p) WARN_UNUSED;

/*
 * Deletes everything: the kinds in dependency order (a kind before those
 * in its after[]), each listed by the deployment's tag (or, without a
 * listing, from the journal's IDs) and deleted; then every record marked
 * deleted.  What was not made by icm (untagged) is never touched.  -1
 * reported; running it again continues.
 */
int engine_teardown(struct engine *e) WARN_UNUSED;

#endif
