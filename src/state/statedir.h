/*
 * statedir.h: the state directory (./state unless -stateDir) and its lock.
 *
 * Layout, as ICM's:
 *   state/<Label>-<Tag>/                 deployment-wide files
 *   state/<Label>-<Role>-<Tag>/          one per definition
 *   state/<Label>-<Role>-<Tag>/<machine>/ per-node ssh.out, docker.out, ...
 * plus icm's own `lock` (below).  Directories are created 0700.
 *
 * The lock: `state/lock` holds pid, host, user, start time and command of
 * the writer, and the writer keeps an flock() on it for its lifetime, so a
 * lock whose holder died is detected (the flock is gone but the record is
 * still there) and reported as stale, then taken over.  A second writer
 * while the lock is held is refused with the holder's record.  The lock is
 * released (file removed) by statedir_unlock() and on SIGINT/SIGTERM.
 */
#ifndef ICM_STATEDIR_H
#define ICM_STATEDIR_H

#include "../icm.h"

struct statedir_lock;
struct node;

/*
 * Creates dir if needed and takes its lock for `command` (e.g.
 * "icm provision").  On success *out owns the lock.  -1 with the reason
 * reported (the holder's record when it is held).
 */
int statedir_lock(const char *dir, const char *command,
		  struct statedir_lock **out) WARN_UNUSED;
/* True when another process holds the lock file at path (its flock), a
 * writer busy in that state directory; false when nobody does or path is
 * not there. */
bool statedir_lock_busy(const char *path);
/* Releases and frees; removes dir again if this lock created it and it is
 * empty.  NULL is fine. */
void statedir_unlock(struct statedir_lock *lk);

/* "<dir>/<Label>-<Role>-<Tag>" of a node's definition (allocated); NULL,
 * reported, when a name would not be one component of it ('/', "..",
 * control characters): the names are checked where they enter (config/),
 * and again here, where they become paths. */
char *statedir_def_dir(const char *dir, const struct node *n);
/* "<dir>/<Label>-<Role>-<Tag>/<machine>" (allocated); NULL as above. */
char *statedir_node_dir(const char *dir, const struct node *n);

/*
 * Creates path (a directory below the state directory dir, e.g. what
 * statedir_node_dir() returned) and every directory between, each one a
 * directory of the state directory's own: a symbolic link or a file
 * planted there (a state directory from someone else) is refused, never
 * followed.  dir itself may be a link (the user's -stateDir).  0, or -1
 * reported.
 */
int statedir_mkdir(const char *dir, const char *path) WARN_UNUSED;

#endif
