/*
 * remote_int.h: what remote.c (session, settings, key), rsync.c (pull,
 * push, journal) and rlock.c (the lease) share of struct remote.  Not an
 * API: see remote.h.
 */
#ifndef ICM_STATE_REMOTE_INT_H
#define ICM_STATE_REMOTE_INT_H

#include "remote.h"
#include "stateurl.h"
#include "../cloud/awscreds.h"
#include "../cloud/s3.h"
#include "../crypto/seal.h"
#include "log.h"
#include "../util/buf.h"
#include <pthread.h>
#include <signal.h>

#define REMOTE_AAD "icm-state:"
#define REMOTE_KEYCHECK "keycheck"
#define REMOTE_KEYCHECK_TEXT "icm state key check v1"
#define REMOTE_CHUNKS_MAX 100000
#define REMOTE_MANIFEST ".icm-manifest"	/* rmanifest.c; local only */

/* An object of the store as this process last saw it (or wrote it). */
struct rentry {
	char *name;			/* below the prefix: "state/pki/ca.pem" */
	char etag[S3_ETAG_MAX];		/* "" : not in the store */
	uint8_t hash[32];		/* SHA-256 of its plaintext */
	bool have_hash;			/* hash is set (a baseline) */
	bool seen;			/* a walk's mark */
};

struct remote {
	char *url;
	struct state_url u;
	char *workdir;
	char *journal_path;		/* <workdir>/journal */
	char *local_lock;		/* <workdir>/lock (statedir.h) */
	char *instances_path;
	int64_t log_start;		/* icm.log's size at open */

	char *endpoint, *region;
	bool path_style;
	struct aws_creds creds;
	struct s3_config cfg;
	struct s3 *s3;			/* the main thread's (and the journal
					   hook's, under mu) */
	pthread_mutex_t mu;

	struct seal_key key;
	bool have_key;
	char *key_file;
	char key_id[17];		/* of the key given */
	bool keycheck_exists;

	int lease_s;

	struct rentry *e;		/* state/ objects */
	size_t n, alloc;
	struct rentry inst;		/* instances.json */
	struct rentry *chunks;		/* journal/NNNNNNNN in order */
	size_t nchunks, achunks;
	int64_t chunk_start;		/* local journal offset where the open
					   chunk starts */
	bool chunk_full;		/* the last chunk is closed: the next
					   record opens chunk nchunks */
	int64_t journal_pushed;		/* the local journal is in the store
					   up to here */

	bool synced;			/* the working copy is the store's
					   (a whole pull under the lock):
					   pushing it is safe */

	/* the lock (rlock.c) */
	bool locked;
	char *command;
	char *record;			/* what the lock object holds */
	char lock_etag[S3_ETAG_MAX];
	pthread_t lease;
	bool lease_running;
	int wake[2];			/* signal/stop -> the lease thread */
	volatile sig_atomic_t lost;	/* the lock is no longer ours */
};

/* The object key of name below the prefix (allocated). */
char *remote_key(const struct remote *r, const char *name);
/* "s3://bucket/prefix/name" for messages (allocated). */
char *remote_where(const struct remote *r, const char *name);

/* Text from the store (a lock's record, the key check's line) as it may
 * be shown: at most max bytes, control characters as '?' (allocated). */
char *remote_shown(const char *s, size_t max);

/* SHA-256 of data. */
void remote_hash(const void *data, size_t len, uint8_t out[32]);

/* GET name: its plaintext (unsealed with the key when sealed) into out
 * (cap REMOTE_OBJECT_CAP, wiped by the caller when it may hold a secret),
 * info filled.  S3_OK, S3_NOT_FOUND or -1 reported.  s: the handle to use
 * (NULL: r->s3). */
int remote_get(struct remote *r, struct s3 *s, const char *name,
	       struct buf *out, struct s3_info *info);
/*
 * PUT name = data (sealed first when it holds a secret): replacing only
 * the version e->etag names (If-Match), or creating it when e->etag is ""
 * (If-None-Match: *).  e->etag and e->hash follow.  A lost race (the
 * store's object is not the one named) is reported, never overwritten.
 * 0 or -1 reported.
 */
int remote_put(struct remote *r, struct rentry *e, const void *data,
	       size_t len);
/* DELETE name if it is still e->etag's version; e->etag emptied.  0 or
 * -1 reported (a lost race too). */
int remote_delete(struct remote *r, struct rentry *e);

/* The lease thread and the lock object (rlock.c). */
int remote_lock_take(struct remote *r) WARN_UNUSED;
void remote_lock_release(struct remote *r);
/* -1 reported when the lock was lost (taken over). */
int remote_lock_check(const struct remote *r) WARN_UNUSED;

/* The keycheck object for r's key (remote.c): written when missing. */
int remote_keycheck_write(struct remote *r) WARN_UNUSED;
/* Deletes it (the state is gone).  0 or -1 reported. */
int remote_keycheck_delete(struct remote *r) WARN_UNUSED;

/* rmanifest.c: the working copy's hint of what it holds of the store */
void remote_manifest_load(struct remote *r);
void remote_manifest_save(struct remote *r, const char *dir);

/* rsync.c */
/* A new state/ entry (the name copied). */
struct rentry *remote_entry_add(struct remote *r, const char *name);
/* A working-copy file icm keeps to itself (the local lock, the journal,
 * fs_write_atomic()'s temporary files): never an object of its own. */
bool remote_local_only(const char *rel);
/* An object's name below state/ is one icm writes and safe as a path
 * below the working copy (no "..", "." or empty segment, no control
 * character or '\\', not absolute). */
bool remote_rel_ok(const char *rel);
/* The store into dir (the working copy, or icm state pull's); 0 or -1
 * reported.  A whole pull into the working copy under the lock makes it
 * pushable (r->synced). */
int remote_pull_into(struct remote *r, const char *dir) WARN_UNUSED;
int remote_push_from(struct remote *r, const char *dir) WARN_UNUSED;
int remote_log_append(struct remote *r) WARN_UNUSED;
/* Deletes the journal's chunks from the store (r->mu held): the journal
 * starts again at chunk 0.  0 or -1 reported. */
int remote_chunks_delete(struct remote *r) WARN_UNUSED;
/* The journal's new records into the store (the hook's work). */
int remote_journal_sync(struct remote *r) WARN_UNUSED;
void remote_entries_release(struct remote *r);

#endif
