/*
 * ssh.h: icm's SSH client layer, on libssh2 (public API only).
 *
 * One connection per host per command, several channels on it, one after
 * the other (design.md 3.6).  A connection is used by one thread at a time;
 * different connections may be used from different threads at once.
 *
 *   struct ssh_target t = { .host = "198.18.0.11", .port = 22,
 *       .user = "ec2-user", .privkey_path = "/state/id_rsa",
 *       .known_hosts_path = "/state/known_hosts",
 *       .hostkey_policy = HOSTKEY_PIN_NEW };
 *   struct ssh_conn *c;
 *   struct buf out, err;
 *   int status;
 *
 *   if (ssh_connect(&t, &c, NULL))
 *           return -1;                  (the message is already printed)
 *   buf_init(&out, CAP); buf_init(&err, CAP);
 *   if (ssh_exec(c, "uname -a", NULL, &out, &err, &status) == 0) ...
 *   ssh_close(c);
 *
 * Every failure returns -1 after printing one error() line that starts with
 * "host:port: " and says what to do about it: refused or timed-out
 * connections, a host key that does not match the pin (both fingerprints
 * and the known_hosts line), no algorithm in common with the server (what
 * each side offers; Ed25519-only servers get their own message, as this
 * build's BearSSL has no Ed25519), keys that cannot be read (wrong or
 * missing passphrase, Ed25519, a public key given instead of a private
 * one) and refused public keys (which user, which key, where the public
 * key belongs).  The message is also handed back as a value, so a caller
 * on a fan-out worker reports its own node's reason: connecting puts it in
 * *why, a failed call on a connection leaves it in ssh_error().
 *
 * Secrets: the passphrase is registered with secret_register() and never
 * printed; icm's copies of key material and passphrases are wiped before
 * they are freed.  HOME is never consulted: every path is explicit.
 */
#ifndef ICM_NODE_SSH_H
#define ICM_NODE_SSH_H

#include "../icm.h"
#include "../util/buf.h"

#define SSH_CAP_OUTPUT (16u << 20)  /* a command's stdout or stderr */

enum ssh_hostkey_policy {
	/* The host must be in known_hosts with the key it presents. */
	HOSTKEY_STRICT,
	/* A host not in known_hosts is added (for machines icm has just
	 * created); a host that is there must present the pinned key. */
	HOSTKEY_PIN_NEW,
};

/* Indices of ssh_target.prefs and arguments of ssh_negotiated(). */
enum ssh_method { SSH_KEX, SSH_HOSTKEY, SSH_CIPHER, SSH_MAC, SSH_NMETHODS };

/* Where and how to connect.  Borrowed: the strings must outlive the
 * ssh_connect() call only (the connection keeps copies of what it needs). */
struct ssh_target {
	const char *host;           /* IPv4/IPv6 literal or a name */
	int port;                   /* 0: 22 */
	const char *user;
	const char *privkey_path;   /* a private key file, or: */
	const char *privkey_mem;    /* the key's text (privkey_path then only
				       names it in messages) */
	const char *passphrase;     /* NULL or "": none */
	const char *known_hosts_path;   /* required */
	enum ssh_hostkey_policy hostkey_policy;
	int connect_timeout_ms;     /* TCP connect, per address; 0: 10 s */
	int io_timeout_ms;          /* handshake and authentication without
				       progress; 0: 30 s */
	int exec_timeout_ms;        /* a whole ssh_exec(); 0: no limit */
	/*
	 * Optional comma-separated method lists for libssh2, in preference
	 * order (tests and benchmarks); NULL: libssh2's defaults.  The
	 * cipher and MAC lists apply to both directions.  Without a host-key
	 * list, the key types already pinned for the host come first.
	 */
	const char *prefs[SSH_NMETHODS];
	/*
	 * Password login (ICM's SSHPassword, when SSHOnly is not true: the
	 * caller decides).  NULL or "": none.  Tried after the public key
	 * (which may then be absent), as "password" and then as
	 * "keyboard-interactive" (the password answers each prompt that does
	 * not echo).  Registered as a secret; icm keeps no copy of it.
	 */
	const char *password;
	int keepalive_s;            /* after authentication; 0: 30 s */
};

/*
 * A private key file is read with this cap.  ssh_key_unusable() says why
 * the key's text (len bytes) is not one ssh_connect() can log in with,
 * given the passphrase (NULL or "": none): a static phrase that follows
 * "key 'X' is " ("a public key", "protected by a passphrase, and none was
 * given", "an Ed25519 key, which this build cannot use ..."), or NULL when
 * it will try the key.  ssh_connect() checks with it before libssh2 sees
 * the key; provision checks the key files with it before it changes
 * anything (keyfiles.h).
 */
#define SSH_CAP_KEYFILE (1u << 20)
const char *ssh_key_unusable(const char *text, size_t len,
			     const char *passphrase);

/* ICM's MaxConnectAttempts and RetryInterval, for ssh_connect_retry(). */
struct ssh_retry {
	int attempts;               /* <= 1: one */
	int interval_ms;            /* between attempts, jittered +-25 % */
};

struct ssh_conn;

/*
 * Connects (each address of the name in turn), does the SSH handshake,
 * checks the host key against known_hosts by the policy and authenticates
 * with the public key.  On success *out is a connection the caller closes
 * with ssh_close(); on failure returns -1 (message printed, *out NULL)
 * and *why (why not NULL; replaced, caller frees) gets the message.
 * Thread-safe.
 */
int ssh_connect(const struct ssh_target *t, struct ssh_conn **out,
		char **why) WARN_UNUSED;

/*
 * ssh_connect() again and again while the host boots: failures of the
 * transport (connection refused, timed out, reset or unreachable, no SSH
 * banner or handshake, a name that does not resolve yet) are retried up
 * to r->attempts times, waiting ssh_backoff_ms(r->interval_ms) between
 * attempts; other failures (host key, algorithms, authentication, keys)
 * are not.  The whole call, up to the end of the handshake, takes at most
 * ssh_retry_budget_ms(t, r) = attempts x (interval + connect timeout):
 * each attempt's connect and handshake timeouts are cut to what is left
 * and no attempt starts after it.  Only the last failure is printed, with
 * the number of attempts (earlier ones are debug lines); *why (why not
 * NULL; replaced, caller frees) gets it.  r NULL: one attempt under that
 * budget.
 */
int ssh_connect_retry(const struct ssh_target *t, const struct ssh_retry *r,
		      struct ssh_conn **out, char **why) WARN_UNUSED;

/* The pause before a retry: interval_ms +- 25 %, picked by rnd (uniform
 * over [0.75, 1.25] x interval); 0 when interval_ms <= 0. */
int ssh_backoff_ms(int interval_ms, uint32_t rnd);

/* ssh_connect_retry()'s bound in ms for t and r. */
int64_t ssh_retry_budget_ms(const struct ssh_target *t,
			    const struct ssh_retry *r);

/*
 * Runs command on a new channel and waits for it to finish.  stdin_data
 * (NULL: none) is written to the command's standard input, which is then
 * closed.  Standard output and error are appended to out and err
 * (initialised by the caller with their caps; either may be NULL to
 * discard); output beyond a cap is read and dropped, the buffer keeps what
 * fitted, and the call fails after the command has finished.
 * *exit_status gets the command's exit status, or 128 + the signal number
 * when a signal ended it.  Returns 0 when the command ran (whatever its
 * exit status), -1 otherwise.  The connection stays usable after a command
 * that failed, not after a lost connection.
 */
int ssh_exec(struct ssh_conn *c, const char *command, const char *stdin_data,
	     struct buf *out, struct buf *err, int *exit_status) WARN_UNUSED;

/*
 * Copies local_path (a file or a directory tree) to remote_path on the
 * host, over SFTP, or over SCP when the server has no SFTP subsystem (or
 * flags has SSH_UPLOAD_SCP).  ICM's scp rules, with scp -r's where ICM is
 * silent (see ssh_upload_dest()); remote_path NULL or "" is the user's
 * home ("./").  Permission bits are kept (and, with SFTP or scp -p, the
 * times); symbolic links are followed; other special files are skipped
 * with a warning.  Existing files are overwritten.  Paths are at most
 * PATH_MAX, a tree at most SSH_UPLOAD_MAX_FILES files and 64 levels.
 * Returns 0, or -1 after a message that names the file.
 */
#define SSH_UPLOAD_SCP 1u           /* do not try SFTP */
#define SSH_UPLOAD_MAX_FILES 100000
int ssh_upload(struct ssh_conn *c, const char *local_path,
	       const char *remote_path, unsigned flags) WARN_UNUSED;

enum ssh_remote_kind { SSH_REMOTE_MISSING, SSH_REMOTE_FILE, SSH_REMOTE_DIR };

/*
 * Where ssh_upload() puts local (kind: what remote is on the host; a
 * trailing "/" on remote says "a directory" whatever kind is):
 *
 *   local  remote            result
 *   file   dir/ or a dir     dir/BASENAME (dir/ created if missing)
 *   file   path (not a dir)  path (written over)
 *   dir/   path[/]           path gets dir's contents (created if missing)
 *   dir    dir/ or a dir     dir/BASENAME gets dir's contents
 *   dir    path (missing)    path gets dir's contents (like scp -r)
 *   dir    a file            error (NULL)
 *
 * ("dir/" is a local directory named with a trailing slash; "." and ".."
 * count as "dir/".)  Returns the destination (a new string) and sets
 * *contents when local is a directory (its contents go into it).
 */
char *ssh_upload_dest(const char *local, bool local_is_dir,
		      const char *remote, enum ssh_remote_kind kind,
		      bool *contents);

/*
 * icm ssh -interactive: runs command (NULL: a login shell) on a PTY of
 * type $TERM (default xterm) with the local window size, the local
 * terminal in raw mode (restored on every way out, signals included), and
 * shuttles stdin, stdout and stderr until the remote side ends; window
 * size changes (SIGWINCH) are passed on.  One session at a time per
 * process.  *exit_status gets the remote exit status.  Returns 0 when the
 * session ran, -1 after a message; when SIGINT, SIGTERM, SIGHUP or
 * SIGQUIT arrives, the terminal is restored and the signal raised again.
 */
int ssh_interactive(struct ssh_conn *c, const char *command,
		    int *exit_status) WARN_UNUSED;

/* Says goodbye, closes the socket and frees c.  NULL is fine. */
void ssh_close(struct ssh_conn *c);

/* The method negotiated for enum ssh_method m, or NULL.  Owned by c. */
const char *ssh_negotiated(struct ssh_conn *c, int m);

/* "host:port" as the messages name it.  Owned by c. */
const char *ssh_peer(struct ssh_conn *c);

/*
 * The message of the last call on c that failed (ssh_exec(),
 * ssh_upload(), ssh_interactive()), as printed without "Error: ", or NULL.
 * Owned by c; valid until the next call on c.
 */
const char *ssh_error(const struct ssh_conn *c);

/*
 * The methods this libssh2 build supports for m, comma-separated (a new
 * string), or NULL.
 */
char *ssh_supported(int m);

/* The linked libssh2's version ("1.11.1"). */
const char *ssh_library_version(void);

/* The name of libssh2's crypto backend ("BearSSL", "OpenSSL", ...). */
const char *ssh_crypto_backend(void);

#endif
