/*
 * pty.c: an interactive session on a PTY (see ssh.h, ssh_interactive()).
 *
 * The local terminal goes to raw mode for the session and back on every
 * way out: the loop ends on SIGINT/SIGTERM/SIGHUP/SIGQUIT too (they reach
 * us through a self-pipe), restores the terminal, and raises the signal
 * again with its old handler.  SIGWINCH sends the new window size.
 */
#include "ssh.h"
#include "ssh_int.h"
#include "../state/log.h"
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>

static int sig_pipe[2] = { -1, -1 };
static const int caught[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static void on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	if (write(sig_pipe[1], &b, 1) < 0) {
		/* full pipe: the loop wakes up anyway */
	}
	errno = saved;
}

static void window_size(int *cols, int *rows)
{
	struct winsize ws;

	*cols = 80;
	*rows = 24;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col &&
	    ws.ws_row) {
		*cols = ws.ws_col;
		*rows = ws.ws_row;
	}
}

static int write_out(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The session; returns 0 when the channel ended, else -1 (*sig: a signal
 * that ended it, or 0). */
static int shuttle(struct ssh_conn *c, LIBSSH2_CHANNEL *ch, int *sig)
{
	char in[4096], buf[16384];
	size_t in_len = 0, in_off = 0;
	bool in_eof = false;
	struct pollfd p[3];
	unsigned char s;
	int cols, rows, dir, next, rc;
	ssize_t n;

	*sig = 0;
	for (;;) {
		n = libssh2_channel_read(ch, buf, sizeof(buf));
		if (n > 0 && write_out(STDOUT_FILENO, buf, (size_t)n))
			return error("%s: cannot write to standard output: %s",
				     c->peer, strerror(errno));
		if (n > 0)
			continue;
		n = libssh2_channel_read_stderr(ch, buf, sizeof(buf));
		if (n > 0) {
			if (write_out(STDERR_FILENO, buf, (size_t)n))
				return -1;
			continue;
		}
		if (n < 0 && n != LIBSSH2_ERROR_EAGAIN)
			return error("%s: connection lost: %s", c->peer,
				     ssh_last_error(c));
		if (libssh2_channel_eof(ch))
			return 0;
		if (in_off < in_len) {
			n = libssh2_channel_write(ch, in + in_off,
						  in_len - in_off);
			if (n < 0 && n != LIBSSH2_ERROR_EAGAIN)
				return error("%s: connection lost: %s",
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
		p[2].fd = sig_pipe[0];
		p[2].events = POLLIN;
		p[0].revents = p[1].revents = p[2].revents = 0;
		if (poll(p, 3, next * 1000) < 0 && errno != EINTR)
			return error("poll: %s", strerror(errno));
		while (p[2].revents && read(sig_pipe[0], &s, 1) == 1) {
			if (s != SIGWINCH) {
				*sig = s;
				return -1;
			}
			window_size(&cols, &rows);
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
	struct sigaction sa, old[ARRAY_SIZE(caught)];
	int64_t dl = ssh_now_ms() + c->io_timeout_ms;
	struct termios saved, raw;
	bool tty = isatty(STDIN_FILENO), restored = true;
	LIBSSH2_CHANNEL *ch = NULL;
	int cols, rows, rc, sig = 0, ret = -1;
	size_t i;

	*exit_status = -1;
	if (!term || !*term)
		term = "xterm";
	do
		ch = libssh2_channel_open_session(c->s);
	while (!ch && libssh2_session_last_errno(c->s) ==
		      LIBSSH2_ERROR_EAGAIN && ssh_wait_io(c, dl) == 0);
	if (!ch)
		return error("%s: cannot open a channel: %s", c->peer,
			     ssh_last_error(c));
	window_size(&cols, &rows);
	SSH_RETRY(c, dl, rc, libssh2_channel_request_pty_ex(
		      ch, term, (unsigned)strlen(term), NULL, 0, cols, rows,
		      0, 0));
	if (rc) {
		error("%s: the server refused a terminal: %s", c->peer,
		      ssh_last_error(c));
		goto free;
	}
	if (command)
		SSH_RETRY(c, dl, rc, libssh2_channel_exec(ch, command));
	else
		SSH_RETRY(c, dl, rc, libssh2_channel_shell(ch));
	if (rc) {
		error("%s: cannot start %s: %s", c->peer,
		      command ? command : "a login shell", ssh_last_error(c));
		goto free;
	}
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK)) {
		error("pipe: %s", strerror(errno));
		goto free;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(caught); i++)
		sigaction(caught[i], &sa, &old[i]);
	if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		restored = tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0;
	}
	rc = shuttle(c, ch, &sig);
	if (!restored)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	for (i = 0; i < ARRAY_SIZE(caught); i++)
		sigaction(caught[i], &old[i], NULL);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
	if (sig) {
		raise(sig);     /* the caller's handler, or the default */
		goto free;
	}
	if (rc)
		goto free;
	dl = ssh_now_ms() + c->io_timeout_ms;
	SSH_RETRY(c, dl, rc, libssh2_channel_close(ch));
	if (rc == 0)
		SSH_RETRY(c, dl, rc, libssh2_channel_wait_closed(ch));
	if (rc) {
		error("%s: connection lost: %s", c->peer, ssh_last_error(c));
		goto free;
	}
	*exit_status = libssh2_channel_get_exit_status(ch);
	ret = 0;
free:
	dl = ssh_now_ms() + c->io_timeout_ms;
	SSH_RETRY(c, dl, rc, libssh2_channel_free(ch));
	return ret;
}
