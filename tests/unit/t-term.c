/*
 * t-term.c: util/term on a real pseudo-terminal: the masked prompt
 * (echo, editing, no terminal at all), raw mode entered and restored,
 * signals delivered through the session's self-pipe.  Each case runs in a
 * child that makes the PTY its controlling terminal; the parent types.
 */
#include "icm.h"
#include "util/term.h"
#include "util/str.h"
#include "tap.h"
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

/* Reads what the child wrote to the terminal until it exits or 5 s. */
static void drain(int master, char *out, size_t size)
{
	struct pollfd p = { .fd = master, .events = POLLIN };
	size_t len = 0;
	ssize_t n;

	while (len + 1 < size && poll(&p, 1, 5000) > 0) {
		n = read(master, out + len, size - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	out[len] = '\0';
}

/* Forks a child on a new PTY (its controlling terminal); in the parent
 * returns the pid and *master. */
static pid_t child_on_pty(int *master)
{
	struct winsize ws = { .ws_row = 31, .ws_col = 93 };
	int slave;
	pid_t pid;

	if (openpty(master, &slave, NULL, NULL, &ws))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(*master);
		setsid();
		ioctl(slave, TIOCSCTTY, 0);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		if (slave > 2)
			close(slave);
		return 0;
	}
	close(slave);
	return pid;
}

static int status_of(pid_t pid)
{
	int st = 0;

	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_prompt(void)
{
	char out[4096];
	int master, fds[2];
	pid_t pid;
	char got[256] = "";
	ssize_t n;

	if (pipe(fds))
		return;
	pid = child_on_pty(&master);
	if (pid == 0) {
		char *s = NULL;
		int rc = term_prompt_secret("Password: ", &s);

		if (rc == 0 && write(fds[1], s, strlen(s)) < 0)
			rc = -1;
		freezero_str(s);
		_exit(rc ? 1 : 0);
	}
	close(fds[1]);
	usleep(200000);
	/* typed: "abX", Backspace, "c", Ctrl-U, "s3cr", Backspace "et", Enter */
	if (write(master, "abX\x7f" "c\x15s3crx\x7f" "et\r", 15) != 15)
		perror("write");
	drain(master, out, sizeof(out));
	n = read(fds[0], got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = '\0';
	is_int(status_of(pid), 0, "prompt: returns 0 after Enter");
	is_str(got, "s3cret", "  the line, edited (Backspace, Ctrl-U)");
	ok(strstr(out, "Password: ") != NULL, "  the prompt is shown");
	ok(!strstr(out, "s3cr") && !strstr(out, "abX"),
	   "  what is typed is not echoed");
	ok(strchr(out, '*') != NULL, "  a '*' per character instead");
	close(fds[0]);
	close(master);

	/* Ctrl-D: no line */
	pid = child_on_pty(&master);
	if (pid == 0) {
		char *s = NULL;
		int rc = term_prompt_secret("P: ", &s);

		_exit(rc == -1 && !s && errno == ENODATA ? 0 : 1);
	}
	usleep(200000);
	if (write(master, "\x04", 1) != 1)
		perror("write");
	drain(master, out, sizeof(out));
	is_int(status_of(pid), 0, "prompt: Ctrl-D is -1, ENODATA");
	close(master);

	/* Ctrl-C: the terminal is restored, then the signal takes effect */
	pid = child_on_pty(&master);
	if (pid == 0) {
		char *s = NULL;

		if (term_prompt_secret("P: ", &s) == 0)
			_exit(3);
		_exit(4);
	}
	usleep(200000);
	if (write(master, "\x03", 1) != 1)
		perror("write");
	drain(master, out, sizeof(out));
	is_int(status_of(pid), 128 + SIGINT, "prompt: Ctrl-C kills as SIGINT");
	{
		struct termios t;

		ok(tcgetattr(master, &t) == 0 && (t.c_lflag & ECHO) &&
		   (t.c_lflag & ICANON), "  ... after echo was restored");
	}
	close(master);

	/* no terminal at all */
	pid = fork();
	if (pid == 0) {
		char *s = NULL;
		int rc;

		setsid();	/* no controlling terminal */
		rc = term_prompt_secret("P: ", &s);
		_exit(rc == -1 && errno == ENOTTY && !s ? 0 : 1);
	}
	is_int(status_of(pid), 0, "prompt: without a terminal, -1 and ENOTTY");
}

static void test_session(void)
{
	char out[4096];
	int master;
	pid_t pid;

	pid = child_on_pty(&master);
	if (pid == 0) {
		struct term_session s;
		struct termios t;
		int cols, rows, sig = 0, i;

		term_window_size(0, &cols, &rows);
		printf("size %dx%d\n", cols, rows);
		if (term_session_begin(&s))
			_exit(10);
		if (tcgetattr(0, &t) || (t.c_lflag & (ICANON | ECHO)))
			_exit(11);
		raise(SIGWINCH);
		raise(SIGTERM);		/* caught: no exit here */
		for (i = 0; i < 2; i++) {
			int g = term_session_signal();

			if (g == SIGWINCH && i == 0)
				continue;
			sig = g;
		}
		if (sig != SIGTERM)
			_exit(12);
		printf("caught\r\n");
		fflush(stdout);
		term_session_end(&s, SIGTERM);	/* restores, then dies */
		_exit(13);
	}
	drain(master, out, sizeof(out));
	is_int(status_of(pid), 128 + SIGTERM, "session: a caught SIGTERM is "
	       "raised again after term_session_end");
	ok(strstr(out, "size 93x31") != NULL, "  the window size is read");
	ok(strstr(out, "caught") != NULL, "  raw mode on, signals through "
	   "the self-pipe (SIGWINCH, then SIGTERM)");
	{
		struct termios t;

		ok(tcgetattr(master, &t) == 0 && (t.c_lflag & ICANON) &&
		   (t.c_lflag & ECHO), "  the terminal is back in cooked mode");
	}
	close(master);
}

int main(void)
{
	test_prompt();
	test_session();
	return done_testing();
}
