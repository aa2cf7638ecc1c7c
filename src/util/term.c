/*
 * term.c: raw mode, window size, signals during interactive sessions and
 * the masked password prompt (see term.h).
 *
 * Signals reach a session through a self-pipe so its poll() loop wakes
 * up, restores the terminal and only then lets the signal act.  The
 * prompt instead restores the terminal from the handler itself
 * (tcsetattr is async-signal-safe) and re-raises with the old handler.
 */
#include "term.h"
#include "buf.h"
#include "str.h"
#include <pthread.h>
#include <sys/ioctl.h>

#define TERM_SECRET_MAX 1024

static const int caught[TERM_NSIGNALS] = {
	SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT
};
static int sig_pipe[2] = { -1, -1 };

static void on_session_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	if (write(sig_pipe[1], &b, 1) < 0) {
		/* a full pipe: the loop wakes up anyway */
	}
	errno = saved;
}

int term_session_begin(struct term_session *s)
{
	struct sigaction sa;
	struct termios raw;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK))
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_session_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < TERM_NSIGNALS; i++)
		sigaction(caught[i], &sa, &s->old[i]);
	s->active = true;
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &s->saved) == 0) {
		raw = s->saved;
		cfmakeraw(&raw);
		s->raw = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	return 0;
}

int term_session_fd(void)
{
	return sig_pipe[0];
}

int term_session_signal(void)
{
	unsigned char b;

	if (sig_pipe[0] < 0 || read(sig_pipe[0], &b, 1) != 1)
		return 0;
	return b;
}

void term_session_end(struct term_session *s, int sig)
{
	size_t i;

	if (s->raw)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &s->saved);
	s->raw = false;
	if (s->active) {
		for (i = 0; i < TERM_NSIGNALS; i++)
			sigaction(caught[i], &s->old[i], NULL);
		close(sig_pipe[0]);
		close(sig_pipe[1]);
		sig_pipe[0] = sig_pipe[1] = -1;
		s->active = false;
	}
	if (sig)
		raise(sig);	/* the caller's handler, or the default */
}

void term_window_size(int fd, int *cols, int *rows)
{
	struct winsize ws;

	*cols = 80;
	*rows = 24;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row) {
		*cols = ws.ws_col;
		*rows = ws.ws_row;
	}
}

/* The prompt's terminal, for the signal handler. */
static pthread_mutex_t prompt_lock = PTHREAD_MUTEX_INITIALIZER;
static const int prompt_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };
static struct sigaction prompt_old[ARRAY_SIZE(prompt_sigs)];
static struct termios prompt_saved;
static volatile sig_atomic_t prompt_fd = -1;

static void on_prompt_signal(int sig)
{
	size_t i;

	if (prompt_fd >= 0)
		tcsetattr(prompt_fd, TCSAFLUSH, &prompt_saved);
	for (i = 0; i < ARRAY_SIZE(prompt_sigs); i++)
		if (prompt_sigs[i] == sig)
			sigaction(sig, &prompt_old[i], NULL);
	raise(sig);
}

int term_write_all(int fd, const void *data, size_t n)
{
	const char *p = data;
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

/* Prompt output: a terminal that cannot be written to shows nothing. */
static void put(int fd, const char *s, size_t n)
{
	if (term_write_all(fd, s, n)) {
		/* nothing to do about it */
	}
}

/* Reads the line at fd, echoing '*'; 0 or -1 with errno. */
static int read_secret(int fd, struct buf *b)
{
	unsigned char c;
	ssize_t n;

	for (;;) {
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0 || c == 4) {		/* end of input, Ctrl-D */
			errno = ENODATA;
			return -1;
		}
		if (c == '\r' || c == '\n')
			return 0;
		if (c == 0x7f || c == 8) {	/* Backspace */
			if (b->len) {
				b->data[--b->len] = '\0';
				put(fd, "\b \b", 3);
			}
		} else if (c == 0x15) {		/* Ctrl-U */
			for (; b->len; b->len--)
				put(fd, "\b \b", 3);
			if (b->data)
				explicit_bzero(b->data, b->alloc);
		} else if (c >= 0x20 || c == '\t') {
			if (buf_add(b, &c, 1)) {
				errno = E2BIG;
				return -1;
			}
			put(fd, "*", 1);
		}
	}
}

int term_prompt_secret(const char *prompt, char **out)
{
	struct sigaction sa;
	struct termios t;
	struct buf b;
	size_t i;
	int fd, rc = -1, saved_errno = 0;

	*out = NULL;
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || tcgetattr(fd, &t)) {
		if (fd >= 0)
			close(fd);
		errno = ENOTTY;
		return -1;
	}
	buf_init(&b, TERM_SECRET_MAX);
	pthread_mutex_lock(&prompt_lock);
	prompt_saved = t;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_prompt_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(prompt_sigs); i++)
		sigaction(prompt_sigs[i], &sa, &prompt_old[i]);
	prompt_fd = fd;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON);
	t.c_lflag |= ISIG;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	put(fd, prompt, strlen(prompt));
	if (tcsetattr(fd, TCSAFLUSH, &t) == 0)
		rc = read_secret(fd, &b);
	saved_errno = errno;
	tcsetattr(fd, TCSAFLUSH, &prompt_saved);
	prompt_fd = -1;
	for (i = 0; i < ARRAY_SIZE(prompt_sigs); i++)
		sigaction(prompt_sigs[i], &prompt_old[i], NULL);
	explicit_bzero(&prompt_saved, sizeof(prompt_saved));
	pthread_mutex_unlock(&prompt_lock);
	put(fd, "\n", 1);
	close(fd);
	if (rc == 0)
		*out = b.data ? buf_take(&b) : xstrdup("");
	buf_wipe(&b);
	errno = saved_errno;
	return rc;
}

bool term_confirm(void)
{
	char line[64];

	printf("Type \"yes\" to confirm: ");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return !strcmp(line, "yes");
}
