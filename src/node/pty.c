/*
 * pty.c: an interactive session on a PTY (see ssh.h, ssh_interactive()).
 *
 * The local terminal goes to raw mode for the session and back on every
 * way out: the loop ends on SIGINT/SIGTERM/SIGHUP/SIGQUIT too (they reach
 * us through term.c's self-pipe), restores the terminal, and raises the
 * signal again with its old handler.  SIGWINCH sends the new window size.
 */
#include "ssh.h"
#include "ssh_int.h"
#include "../state/log.h"
#include "../util/term.h"
#include <poll.h>

/* The session; returns 0 when the channel ended, else -1 (*sig: a signal
 * that ended it, or 0). */
static int shuttle(struct ssh_conn *c, LIBSSH2_CHANNEL *ch, int *sig)
{
	char in[4096], buf[16384];
	size_t in_len = 0, in_off = 0;
	bool in_eof = false;
	struct pollfd p[3];
	int cols, rows, dir, next, rc, sg;
	ssize_t n;

	*sig = 0;
	for (;;) {
		n = libssh2_channel_read(ch, buf, sizeof(buf));
		if (n > 0 && term_write_all(STDOUT_FILENO, buf, (size_t)n))
			return ssh_fail(c, "%s: cannot write to standard output: %s",
					c->peer, strerror(errno));
		if (n > 0)
			continue;
		n = libssh2_channel_read_stderr(ch, buf, sizeof(buf));
		if (n > 0) {
			if (term_write_all(STDERR_FILENO, buf, (size_t)n))
				return -1;
			continue;
		}
		if (n < 0 && n != LIBSSH2_ERROR_EAGAIN)
			return ssh_fail(c, "%s: connection lost: %s", c->peer,
					ssh_last_error(c));
		if (libssh2_channel_eof(ch))
			return 0;
		if (in_off < in_len) {
			n = libssh2_channel_write(ch, in + in_off,
						  in_len - in_off);
			if (n < 0 && n != LIBSSH2_ERROR_EAGAIN)
				return ssh_fail(c, "%s: connection lost: %s",
						c->peer, ssh_last_error(c));
			if (n > 0)
				in_off += (size_t)n;
			if (in_off == in_len)
				in_off = in_len = 0;
		}
		if (libssh2_keepalive_send(c->s, &next) || next <= 0)
			next = 30;
		dir = libssh2_session_block_directions(c->s);
		p[0].fd = c->fd;
		p[0].events = POLLIN;
		if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND || in_off < in_len)
			p[0].events |= POLLOUT;
		p[1].fd = in_eof || in_len ? -1 : STDIN_FILENO;
		p[1].events = POLLIN;
		p[2].fd = term_session_fd();
		p[2].events = POLLIN;
		p[0].revents = p[1].revents = p[2].revents = 0;
		if (poll(p, 3, next * 1000) < 0 && errno != EINTR)
			return ssh_fail(c, "poll: %s", strerror(errno));
		while (p[2].revents && (sg = term_session_signal()) != 0) {
			if (sg != SIGWINCH) {
				*sig = sg;
				return -1;
			}
			term_window_size(STDIN_FILENO, &cols, &rows);
			do
				rc = libssh2_channel_request_pty_size(ch, cols,
								      rows);
			while (rc == LIBSSH2_ERROR_EAGAIN &&
			       ssh_wait_io(c, ssh_now_ms() +
					   c->io_timeout_ms) == 0);
		}
		if (p[1].revents) {
			n = read(STDIN_FILENO, in, sizeof(in));
			if (n > 0) {
				in_len = (size_t)n;
				in_off = 0;
			} else if (n == 0 || errno != EINTR) {
				in_eof = true;
				do
					rc = libssh2_channel_send_eof(ch);
				while (rc == LIBSSH2_ERROR_EAGAIN &&
				       ssh_wait_io(c, ssh_now_ms() +
						   c->io_timeout_ms) == 0);
			}
		}
	}
}

int ssh_interactive(struct ssh_conn *c, const char *command,
		    int *exit_status)
{
	const char *term = getenv("TERM");
	int64_t dl = ssh_now_ms() + c->io_timeout_ms;
	struct term_session ts;
	LIBSSH2_CHANNEL *ch = NULL;
	int cols, rows, rc, sig = 0, ret = -1;

	*exit_status = -1;
	if (!term || !*term)
		term = "xterm";
	do
		ch = libssh2_channel_open_session(c->s);
	while (!ch && libssh2_session_last_errno(c->s) ==
		      LIBSSH2_ERROR_EAGAIN && ssh_wait_io(c, dl) == 0);
	if (!ch)
		return ssh_fail(c, "%s: cannot open a channel: %s", c->peer,
				ssh_last_error(c));
	term_window_size(STDIN_FILENO, &cols, &rows);
	SSH_RETRY(c, dl, rc, libssh2_channel_request_pty_ex(
		      ch, term, (unsigned)strlen(term), NULL, 0, cols, rows,
		      0, 0));
	if (rc) {
		ssh_fail(c, "%s: the server refused a terminal: %s", c->peer,
			 ssh_last_error(c));
		goto free;
	}
	if (command)
		SSH_RETRY(c, dl, rc, libssh2_channel_exec(ch, command));
	else
		SSH_RETRY(c, dl, rc, libssh2_channel_shell(ch));
	if (rc) {
		ssh_fail(c, "%s: cannot start %s: %s", c->peer,
			 command ? command : "a login shell", ssh_last_error(c));
		goto free;
	}
	if (term_session_begin(&ts)) {
		ssh_fail(c, "pipe: %s", strerror(errno));
		goto free;
	}
	rc = shuttle(c, ch, &sig);
	/* restores the terminal; a signal that ended the session is then
	 * raised again (the caller's handler, or the default) */
	term_session_end(&ts, sig);
	if (sig)
		goto free;
	if (rc)
		goto free;
	dl = ssh_now_ms() + c->io_timeout_ms;
	SSH_RETRY(c, dl, rc, libssh2_channel_close(ch));
	if (rc == 0)
		SSH_RETRY(c, dl, rc, libssh2_channel_wait_closed(ch));
	if (rc) {
		ssh_fail(c, "%s: connection lost: %s", c->peer, ssh_last_error(c));
		goto free;
	}
	*exit_status = libssh2_channel_get_exit_status(ch);
	ret = 0;
free:
	dl = ssh_now_ms() + c->io_timeout_ms;
	SSH_RETRY(c, dl, rc, libssh2_channel_free(ch));
	return ret;
}
