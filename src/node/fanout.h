/*
 * fanout.h: running one piece of work on many nodes at once (design.md
 * decision 6).
 *
 * Two layers:
 *
 * 1. fanout_run(): a bounded pool.  At most `parallel` worker threads
 *    (the -parallel option, default FANOUT_PARALLEL) take node indices in
 *    order and call the per-node callback; a callback that opens an SSH
 *    connection does so through fanout_connect() (or brackets its own
 *    handshake with fanout_handshake_enter/leave), which keeps at most
 *    `handshakes` connection starts in flight (FANOUT_HANDSHAKES), so 32
 *    workers do not hit sshd's MaxStartups or a NAT all in the same
 *    millisecond.  Each node's result (failed, exit status, stdout,
 *    stderr, a one-line reason) lands in its own slot; nothing is shared
 *    between callbacks but the log (which is thread-safe).
 *
 * 2. fanout_exec(): ICM's "run a command on the selected nodes": one SSH
 *    connection per node, the command's output in the node's ssh.out and
 *    ssh.err (<stateDir>/<Label>-<Role>-<Tag>/<machine>/), ICM's console
 *    lines
 *        Executing command '<cmd>' on <machine>...
 *        ...output in <file>
 *    the output echoed to the console when exactly one node is selected,
 *    and -1 when any node failed, each failure named with its node and
 *    file on stderr; *response gets ICM's remote-error array
 *    [{"<machine>": {"error", "file", "exitValue"}}] for the failures.
 *
 * Host keys: fanout_target() builds the SSH target of a node from its
 * fields (node_address(): IPAddress, else DNSName; SSHUser; SSHPrivateKey
 * or its 2018 name KeyFile; SSHPassword unless SSHOnly) with the
 * deployment's <stateDir>/known_hosts and the policy the caller asks for
 * (PIN_NEW at provision, STRICT afterwards).
 */
#ifndef ICM_NODE_FANOUT_H
#define ICM_NODE_FANOUT_H

#include "../icm.h"
#include "../util/buf.h"
#include "ssh.h"
#include <cjson/cJSON.h>

#define FANOUT_PARALLEL 32	/* worker threads unless -parallel */
#define FANOUT_HANDSHAKES 16	/* SSH connection starts in flight */
#define FANOUT_KNOWN_HOSTS "known_hosts"	/* in the state directory */

struct node;

/* One node's outcome.  out/err are initialised by fanout_run() with
 * SSH_CAP_OUTPUT. */
struct fanout_result {
	bool failed;
	int exit_status;	/* the remote command's, or -1: did not run */
	struct buf out, err;
	char *reason;		/* why it failed (one line), or NULL */
};

struct fanout_opts {
	int parallel;		/* 0: FANOUT_PARALLEL */
	int handshakes;		/* 0: FANOUT_HANDSHAKES */
};

struct fanout;			/* the running pool, handed to callbacks */

/* The per-node work: fills r for node index i.  arg is fanout_run()'s. */
typedef void (*fanout_fn)(struct fanout *f, size_t i, struct fanout_result *r,
			  void *arg);

/*
 * Calls fn(f, i, &res[i], arg) for every i < n on a pool of at most
 * min(parallel, n) threads and returns when all are done.  res has n
 * slots (the caller's); fanout_run() initialises them first and the
 * caller frees them with fanout_results_release().  Returns how many
 * results are failed.
 */
size_t fanout_run(size_t n, const struct fanout_opts *o, fanout_fn fn,
		  void *arg, struct fanout_result *res);

/* Brackets an SSH handshake: waits while `handshakes` are in flight. */
void fanout_handshake_enter(struct fanout *f);
void fanout_handshake_leave(struct fanout *f);

void fanout_results_release(struct fanout_result *res, size_t n);

/* Marks r failed with the reason (printf-style); returns -1. */
int fanout_fail(struct fanout_result *r, const char *fmt, ...)
	PRINTF_LIKE(2, 3);

/*
 * The private key file fanout_target() gives node n: SSHPrivateKey, else
 * its 2018 name KeyFile; NULL when neither is set.  *field (field may be
 * NULL) gets the name of the field it came from.
 */
const char *fanout_key_path(const struct node *n, const char **field);

/*
 * The SSH target of node n.  *kh_out receives "<state_dir>/known_hosts"
 * (allocated; t->known_hosts_path points into it).  The other strings
 * point into n's fields.  -1 (reported; *why, why not NULL, gets the
 * message: error_why()) when the node has no address or user.
 */
int fanout_target(const struct node *n, const char *state_dir,
		  enum ssh_hostkey_policy policy, struct ssh_target *t,
		  char **kh_out, char **why) WARN_UNUSED;

/*
 * Connects to n under the handshake cap (retrying while the host boots
 * when the SSH layer offers it).  On failure, r is failed with the message
 * of the call that failed (fanout_target() or ssh_connect_retry()) as its
 * reason and -1 is returned.
 */
int fanout_connect(struct fanout *f, const struct node *n,
		   const char *state_dir, enum ssh_hostkey_policy policy,
		   struct fanout_result *r, struct ssh_conn **out)
	WARN_UNUSED;

/* What fanout_exec() runs and where it reports. */
struct fanout_exec_opts {
	const char *state_dir;
	const char *command;	/* the shell command, or: */
	const char *shown;	/* the command as the console names it
				   (NULL: command) */
	const char *local_path;	/* scp: what to copy (ssh_upload()) */
	const char *remote_path;	/* scp: where; NULL: SSHUser's home */
	const char *file;	/* output file stem: "ssh" (ssh.out/.err) */
	struct fanout_opts pool;
};

/*
 * Runs command on each of the n nodes (see the top of this file), or
 * with local_path set copies it there (icm scp: `Copying <local> to
 * <machine>:<remote>...`, failures reported the same way).
 * Returns 0 when every node ran it with exit status 0, else -1 with the
 * failures reported and *response (if not NULL) set to the remote-error
 * array.
 */
int fanout_exec(struct node *const *nodes, size_t n,
		const struct fanout_exec_opts *o, cJSON **response)
	WARN_UNUSED;

/*
 * The node's output files <file>.out (r->out) and <file>.err (r->err, then
 * r->reason when the work did not run) in its state folder; *outpath and
 * *errpath get their paths (caller frees).  -1 fails r.
 */
int fanout_write_outputs(const char *state_dir, const struct node *n,
			 const char *file, struct fanout_result *r,
			 char **outpath, char **errpath) WARN_UNUSED;

/*
 * After fanout_run(): echoes the one node's output when n == 1 and
 * echo_one, names each failed node with its reason and errpath[i] (may be
 * NULL) on stderr, and sets *response (if not NULL) to ICM's remote-error
 * array when any failed.  Returns -1 when any failed.
 */
int fanout_report(struct node *const *nodes, size_t n,
		  const struct fanout_result *res, char *const *errpath,
		  bool echo_one, cJSON **response);

/* The -parallel option's value, or 0 (callers validated it). */
int fanout_parallel_opt(const char *s);

#endif
