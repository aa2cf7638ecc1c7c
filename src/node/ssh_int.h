/*
 * ssh_int.h: what the SSH layer's files share (not for use outside
 * src/node/ssh*.c).  ssh.c connects (TCP, session, retries), ssh_kex.c
 * negotiates algorithms and checks the host key, ssh_auth.c authenticates,
 * ssh_exec.c runs commands, ssh_diag.c explains a failed key exchange.
 */
#ifndef ICM_NODE_SSH_INT_H
#define ICM_NODE_SSH_INT_H

#include "../icm.h"
#include "ssh.h"
#include "../util/buf.h"
#include <libssh2.h>
#include <sys/socket.h>

struct ssh_conn {
	LIBSSH2_SESSION *s;
	int fd;
	char *peer;             /* "host:port" */
	int io_timeout_ms;
	int exec_timeout_ms;
	bool established;       /* keepalives only after authentication */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	/* ssh_connect_retry(): transport failures worth a retry are logged
	 * with debug() and kept for the final message. */
	bool quiet_transient;
	char *transient_msg;    /* the last such message */
	const char *password;   /* during authentication only (borrowed) */
	char *error;            /* why the last call on c failed (ssh_fail()),
				   ssh_error() */
};

/*
 * Prints the error (error()) and keeps its text in c->error, where the
 * caller of the failing call reads it (ssh_error(); connect: *why).
 * Returns -1.
 */
int ssh_fail(struct ssh_conn *c, const char *fmt, ...) PRINTF_LIKE(2, 3);

/*
 * Waits until the socket is ready the way libssh2 wants it, or the
 * deadline (0: none) passes (-1).  While waiting, keepalives go out once
 * the connection is established.
 */
int ssh_wait_io(struct ssh_conn *c, int64_t deadline);

/* Calls call until it stops saying EAGAIN or the deadline passes. */
#define SSH_RETRY(c, deadline, rc, call)                              \
	while (((rc) = (call)) == LIBSSH2_ERROR_EAGAIN &&               \
	       ssh_wait_io((c), (deadline)) == 0)

/* libssh2's last error message for c's session. */
const char *ssh_last_error(struct ssh_conn *c);

/* Milliseconds on the monotonic clock. */
int64_t ssh_now_ms(void);

/*
 * Connects a non-blocking TCP socket to one address within timeout_ms.
 * Returns the socket, or -1 with errno set (ETIMEDOUT on timeout).
 */
int ssh_tcp_connect_addr(const struct sockaddr *sa, socklen_t salen,
			 int timeout_ms);

/*
 * After a failed key exchange: connects to the server again, reads its
 * KEXINIT and prints (error()) which kind of algorithm the two sides have
 * none of in common, with what each offers.  ours[] are the client's lists
 * for enum ssh_method (comma-separated); lib_hostkeys is what this libssh2
 * build can verify at all (to tell "cannot" from "not allowed").  Returns -1 after printing
 * (error_why(why, ...)); when
 * the server's offer cannot be read or explains nothing, prints a message
 * built from fallback (libssh2's own words).
 */
int ssh_explain_kex_failure(const char *peer, const struct sockaddr *sa,
			    socklen_t salen, int timeout_ms,
			    char *const ours[4], const char *lib_hostkeys,
			    const char *fallback, char **why);

/* libssh2's method ids, per enum ssh_method (ssh.h). */
extern const int ssh_method_ids[SSH_NMETHODS];

/*
 * A failure worth retrying while a host boots (refused, timed out, reset,
 * no banner): under ssh_connect_retry() before its last attempt it is only
 * a debug line; otherwise it is the error.  Returns -1.
 */
int ssh_transient(struct ssh_conn *c, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* ssh_kex.c: sets c's algorithm lists (host-key types pinned in kh_text
 * first) and runs the key exchange within io_ms.  0, or -1 after
 * ssh_fail() or ssh_transient(). */
int ssh_handshake(struct ssh_conn *c, const struct ssh_target *t,
		  const char *kh_text, int port, int io_ms);

/* ssh_kex.c: checks the server's host key against kh_text (the
 * known_hosts file's text), pinning it when t's policy says so.  0, or -1
 * after ssh_fail(). */
int ssh_check_hostkey(struct ssh_conn *c, const struct ssh_target *t,
		      const char *kh_text, int port);

/* ssh_auth.c: the public key first; then, if the target has a password,
 * "password" and "keyboard-interactive".  0, or -1 after ssh_fail(). */
int ssh_authenticate(struct ssh_conn *c, const struct ssh_target *t);

/* True if the comma-separated list contains name. */
bool ssh_list_has(const char *list, const char *name);

#endif
