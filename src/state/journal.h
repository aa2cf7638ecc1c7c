/*
 * journal.h: the state directory's append-only journal of cloud calls
 * (design.md decisions 4 and 5): <stateDir>/journal.
 *
 * Before a call that creates or deletes something, the provider writes an
 * intent record (the resource's logical key, the action, the idempotency
 * token it will send); after the answer, a result record (the resource
 * ID, or the error).  Each record is one JSON object on one line, written
 * with a single write() and fsync'd, so a process killed at any moment
 * leaves whole records, at worst a last line without its newline (ignored
 * when read back).
 *
 * Reading it back gives, per key, the state the last records left:
 *   JOURNAL_NONE      never asked for
 *   JOURNAL_PENDING   an intent without a result: the call may or may not
 *                     have happened; the provider looks the resource up by
 *                     its tags (or repeats the call with the same token)
 *   JOURNAL_DONE      made; journal_id() gives its ID
 *   JOURNAL_FAILED    the call answered with an error
 *   JOURNAL_DELETED   deleted again (unprovision, scale-in)
 *
 * Test hook: with ICM_TEST_KILL_AFTER=N in the environment the process
 * kills itself with SIGKILL right after writing its N-th result record, so
 * tests can stop a provision after each kind of call (tests/e2e/6x).
 * With ICM_TEST_KILL_BEFORE_RESULT=N it kills itself just before writing
 * its N-th result record: the call was made, its answer is lost (the
 * adoption of what a killed run made; tests/e2e/88).
 *
 * Ownership: a struct journal is one process's; not thread-safe (the
 * provider's calls that run in parallel serialise through a mutex of
 * their own, or journal_lock()).  Values are copied.
 */
#ifndef ICM_JOURNAL_H
#define ICM_JOURNAL_H

#include "../icm.h"

#define JOURNAL_FILE "journal"
#define JOURNAL_CAP (64u << 20)		/* a journal read back */

enum journal_state {
	JOURNAL_NONE, JOURNAL_PENDING, JOURNAL_DONE, JOURNAL_FAILED,
	JOURNAL_DELETED,
};

struct journal;

/* Opens (creating) <state_dir>/journal and reads it back.  -1 reported. */
int journal_open(const char *state_dir, struct journal **out) WARN_UNUSED;
void journal_close(struct journal *j);

/* Serialises callers from several threads (a process-wide mutex). */
void journal_lock(struct journal *j);
void journal_unlock(struct journal *j);

enum journal_state journal_state(const struct journal *j, const char *key);
/* The ID of key's resource when DONE, else NULL. */
const char *journal_id(const struct journal *j, const char *key);
/* The token of key's last intent (PENDING or DONE), else NULL. */
const char *journal_token(const struct journal *j, const char *key);

/* The position of key's last record in the journal (1 for the first
 * record; 0: none): which of two keys changed last. */
unsigned long journal_seq(const struct journal *j, const char *key);

/*
 * A process-wide hook called after each record's fsync with the journal's
 * path, before journal_*() returns: state/remote.c sets it, so a record is
 * in the store before the call it announces.  Nonzero: the record failed
 * (the hook reported why).  NULL: none.  Set it before threads start.
 */
typedef int (*journal_sync_fn)(const char *path);
void journal_set_sync(journal_sync_fn fn);

/* Records; each is written and fsync'd before it returns.  -1 reported. */
int journal_intent(struct journal *j, const char *key, const char *action,
		   const char *token) WARN_UNUSED;
int journal_done(struct journal *j, const char *key, const char *id)
	WARN_UNUSED;
int journal_failed(struct journal *j, const char *key, const char *error)
	WARN_UNUSED;
int journal_deleted(struct journal *j, const char *key) WARN_UNUSED;

/* Calls fn for every key the journal knows, in first-seen order. */
void journal_each(const struct journal *j,
		  void (*fn)(void *arg, const char *key,
			     enum journal_state st, const char *id),
		  void *arg);

#endif
