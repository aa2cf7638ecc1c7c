/*
 * ssh_exec.c: a command on an SSH connection (see ssh.h): stdin sent,
 * stdout and stderr drained together under the caller's caps, the exit
 * status (or 128 + signal).
 */
#include "ssh.h"
#include "ssh_int.h"
#include "../state/log.h"
#include "../util/str.h"

/* Appends what fits under the caller's cap; remembers what did not. */
static void keep_output(struct buf *b, const char *p, size_t n, bool *over)
{
	size_t room;

	if (!b)
		return;
	room = b->cap > b->len + 1 ? b->cap - b->len - 1 : 0;
	if (n > room) {
		*over = true;
		n = room;
	}
	if (n && buf_add(b, p, n))
		*over = true;
}

static int signal_number(const char *name)
{
	static const char *const names[] = {
		"", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
		"KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM",
	};
	size_t i;

	for (i = 1; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return (int)i;
	return 127;     /* unknown: still clearly "killed by a signal" */
}

/* Exit status, or 128 + signal; after the channel is closed. */
static int exit_status(LIBSSH2_CHANNEL *ch, LIBSSH2_SESSION *s)
{
	char *sig = NULL;
	size_t siglen = 0;
	int status = libssh2_channel_get_exit_status(ch);

	if (libssh2_channel_get_exit_signal(ch, &sig, &siglen, NULL, NULL,
					    NULL, NULL) == 0 && sig) {
		status = 128 + signal_number(sig);
		libssh2_free(s, sig);
	}
	return status;
}

int ssh_exec(struct ssh_conn *c, const char *command, const char *stdin_data,
	     struct buf *out, struct buf *err, int *exit_status_out)
{
	int64_t deadline = c->exec_timeout_ms > 0 ?
			   ssh_now_ms() + c->exec_timeout_ms : 0;
	int64_t io_deadline = ssh_now_ms() + c->io_timeout_ms;
	size_t in_left = stdin_data ? strlen(stdin_data) : 0;
	const char *in = stdin_data;
	bool in_done = false, over_out = false, over_err = false;
	LIBSSH2_CHANNEL *ch = NULL;
	char chunk[16384];
	ssize_t n, e;
	int rc, ret = -1;

	*exit_status_out = -1;
	do
		ch = libssh2_channel_open_session(c->s);
	while (!ch && libssh2_session_last_errno(c->s) ==
		      LIBSSH2_ERROR_EAGAIN && ssh_wait_io(c, io_deadline) == 0);
	if (!ch)
		return ssh_fail(c, "%s: cannot open a channel: %s", c->peer,
				ssh_last_error(c));
	SSH_RETRY(c, io_deadline, rc, libssh2_channel_exec(ch, command));
	if (rc) {
		ssh_fail(c, "%s: cannot run '%s': %s", c->peer, command,
			 rc == LIBSSH2_ERROR_EAGAIN ? "no answer" :
			 ssh_last_error(c));
		goto out;
	}
	for (;;) {
		bool progress = false;

		if (!in_done && in_left) {
			n = libssh2_channel_write(ch, in, in_left);
			if (n < 0 && n != LIBSSH2_ERROR_EAGAIN)
				goto lost;
			if (n > 0) {
				in += n;
				in_left -= (size_t)n;
				progress = true;
			}
		}
		if (!in_done && !in_left) {
			rc = libssh2_channel_send_eof(ch);
			if (rc && rc != LIBSSH2_ERROR_EAGAIN)
				goto lost;
			in_done = rc == 0;
		}
		n = libssh2_channel_read(ch, chunk, sizeof(chunk));
		if (n > 0)
			keep_output(out, chunk, (size_t)n, &over_out);
		e = libssh2_channel_read_stderr(ch, chunk, sizeof(chunk));
		if (e > 0)
			keep_output(err, chunk, (size_t)e, &over_err);
		if ((n < 0 && n != LIBSSH2_ERROR_EAGAIN) ||
		    (e < 0 && e != LIBSSH2_ERROR_EAGAIN))
			goto lost;
		if (n > 0 || e > 0)
			continue;
		if (libssh2_channel_eof(ch))
			break;
		if (!progress && ssh_wait_io(c, deadline)) {
			ssh_fail(c, "%s: '%s' did not finish within %d ms", c->peer,
				 command, c->exec_timeout_ms);
			goto out;
		}
	}
	io_deadline = ssh_now_ms() + c->io_timeout_ms;
	SSH_RETRY(c, io_deadline, rc, libssh2_channel_close(ch));
	if (rc == 0)
		SSH_RETRY(c, io_deadline, rc, libssh2_channel_wait_closed(ch));
	if (rc)
		goto lost;
	*exit_status_out = exit_status(ch, c->s);
	if (over_out || over_err) {
		ssh_fail(c, "%s: the output of '%s' is larger than %zu bytes; the rest was dropped",
			 c->peer, command, over_out ? out->cap : err->cap);
		goto out;
	}
	ret = 0;
	goto out;
lost:
	ssh_fail(c, "%s: connection lost while running '%s': %s", c->peer, command,
		 ssh_last_error(c));
out:
	io_deadline = ssh_now_ms() + c->io_timeout_ms;
	SSH_RETRY(c, io_deadline, rc, libssh2_channel_free(ch));
	return ret;
}
