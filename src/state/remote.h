/*
 * remote.h: a deployment's state directory in S3-compatible storage
 * (-stateDir s3://BUCKET/PREFIX or the StateDir field; issue 21).
 *
 * The store is the truth; the command works on a local working copy,
 * .icm/<bucket>/<prefix>/ under the working directory, which the runner
 * hands to everything else as the state directory.  In the bucket, under
 * the prefix:
 *   lock             the writer's lease (below); plain JSON
 *   keycheck         a sealed constant: proves the state key is the right one
 *   instances.json   the deployment's instances.json (-instances' file)
 *   icm.log          every command's icm.log lines, appended
 *   journal/NNNNNNNN the journal (state/journal.h) in chunks of whole
 *                    records, at most REMOTE_CHUNK bytes each
 *   state/<path>     every other file of the working copy
 *
 * Consistency: a pull lists the prefix and fetches what changed; a push
 * replaces an object only with If-Match on the ETag the pull (or the last
 * push) saw, and creates one only with If-None-Match: *, so another writer
 * can never be overwritten silently: a lost race is an error naming the
 * object.  Every journal record is in the store before journal_*()
 * returns (remote_journal_written()), so before the cloud call it
 * announces.
 *
 * The lock: an object made with If-None-Match: * that holds owner, host,
 * pid, start time, command and the lease; a thread renews it (If-Match)
 * every lease/3.  A lock whose lease ran out (measured on the store's
 * clock: the answer's Date against the object's Last-Modified) is taken
 * over with If-Match on its ETag, and the takeover is logged.  Commands
 * that only read (remote_pull() without remote_lock()) take no lock.
 *
 * Secrets: an object whose content holds a private key ("PRIVATE KEY") or
 * a registered secret (util/secret.h) is sealed (crypto/seal.h,
 * AES-256-GCM, its name as associated data) under the state key: 32 bytes
 * in the file named by ICM_STATE_KEY_FILE, else the StateKeyFile field.
 * A writer needs the key; a state whose keycheck exists needs it to be
 * read; a wrong key is refused by remote_open(), before any change.
 *
 * Settings, each a field of defaults.json (or of instances.json, for the
 * commands that read it) or the environment:
 *   StateEndpoint   else $AWS_ENDPOINT_URL_S3, else $AWS_ENDPOINT_URL,
 *                   else AWS (https://s3.<region>.amazonaws.com)
 *   StateRegion     else $AWS_REGION, $AWS_DEFAULT_REGION, "us-east-1"
 *   StatePathStyle  true: <endpoint>/<bucket>/<key>; default true with an
 *                   endpoint, false on AWS (virtual-hosted)
 *   StateCredentials a shared-credentials file ($AWS_PROFILE's section),
 *                   else $AWS_ACCESS_KEY_ID/... (cloud/awscreds.h)
 *   StateKeyFile    (ICM_STATE_KEY_FILE wins)
 *   StateLockLease  seconds, REMOTE_LEASE_MIN..REMOTE_LEASE_MAX, default
 *                   REMOTE_LEASE_DEFAULT
 *
 * Ownership: one struct remote per command (main thread), plus the lease
 * thread it starts; the journal hook may be called from worker threads
 * (serialised by the journal's callers) and takes the remote's mutex.
 */
#ifndef ICM_STATE_REMOTE_H
#define ICM_STATE_REMOTE_H

#include "../icm.h"

#define REMOTE_WORKDIR ".icm"
#define REMOTE_CHUNK (256u << 10)
#define REMOTE_OBJECT_CAP (16u << 20)	/* one object, one local file */
#define REMOTE_LOG_KEEP (4u << 20)	/* icm.log in the store: the last */
#define REMOTE_LEASE_DEFAULT 60
#define REMOTE_LEASE_MIN 3
#define REMOTE_LEASE_MAX 86400

struct remote;

/* A field of the configuration the command has (defaults.json, or an
 * instances.json node), NULL when unset. */
typedef const char *(*remote_field_fn)(void *arg, const char *field);

#define REMOTE_NO_KEY 0x1	/* the lock alone: no state key needed */
#define REMOTE_NO_PULL 0x2	/* for the caller (ctx_open_state()): open
				   only */

/*
 * Opens the state at url: settings (field(arg, name)), credentials, the
 * store's client, the state key and its check against the store's
 * keycheck (not with REMOTE_NO_KEY).  instances_path is where this
 * command's instances.json is.  Nothing is written anywhere.  0 and *out,
 * or -1 reported.
 */
int remote_open(const char *url, remote_field_fn field, void *arg,
		const char *instances_path, unsigned flags,
		struct remote **out) WARN_UNUSED;

/* The working copy (a relative path) and the URL as given. */
const char *remote_workdir(const struct remote *r);
const char *remote_url(const struct remote *r);

/*
 * Makes the working copy (and instances.json) what the store holds:
 * fetches what changed since the last pull of this process, removes local
 * files the store does not have.  Without the lock (a reader), a local
 * writer busy in the same working copy is left alone: its copy is newer.
 * 0, or -1 reported.
 */
int remote_pull(struct remote *r) WARN_UNUSED;
/* The same into another directory (icm state pull DIR). */
int remote_pull_to(struct remote *r, const char *dir) WARN_UNUSED;

/*
 * Takes the lock for command (see above), writes the keycheck when the
 * state has none yet, starts the lease, and pulls again (what changed
 * while the command started).  *instances_changed says whether
 * instances.json was changed in the store since the first pull.  0, or -1
 * reported (held by another: its record and when its lease runs out).
 */
int remote_lock(struct remote *r, const char *command,
		bool *instances_changed) WARN_UNUSED;

/* Pushes every change of the working copy and instances.json (the lock
 * must be held).  0, or -1 reported. */
int remote_push(struct remote *r) WARN_UNUSED;

/*
 * Ends the command: with the lock, pushes the working copy (whether the
 * command succeeded or not: a half-done provision's files are what
 * happened too) and appends this
 * command's icm.log lines, then releases the lock; frees r.  -1 when the
 * push failed (reported); NULL is fine.  ICM_TEST_STATE_PAUSE=F (tests):
 * before the push, F.waiting is made and icm waits until F exists.
 */
int remote_close(struct remote *r);

/*
 * The journal hook (journal_set_sync(): remote_lock() sets it; journal.c
 * calls it after each record's fsync):
 * when path is the working copy's journal of the remote being written,
 * puts the records not yet in the store there.  0 (also when path is not
 * remote), or -1 reported: the caller must not make the call the record
 * announces.
 */
int remote_journal_written(const char *path) WARN_UNUSED;

/*
 * For `icm state`: the lock's holder in one sentence (allocated), NULL
 * when there is no lock; *expired says whether its lease ran out.  -1
 * reported.
 */
int remote_lock_holder(struct remote *r, char **holder, bool *expired)
	WARN_UNUSED;
/* Deletes the lock whoever holds it (icm state unlock -force), saying
 * whose it was.  0, or -1 reported. */
int remote_lock_break(struct remote *r) WARN_UNUSED;

/*
 * Copies the local state directory dir (and instances.json) into the
 * store (icm state push), which must hold no state yet unless force; the
 * lock must be held.  0, or -1 reported.
 */
int remote_push_dir(struct remote *r, const char *dir, bool force)
	WARN_UNUSED;

#endif
