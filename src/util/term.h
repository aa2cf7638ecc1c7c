/*
 * term.h: the local terminal, shared by the SSH (node/pty.c) and Docker
 * (docker/exec.c) interactive sessions and by password prompts.
 *
 * An interactive session: term_session_begin() puts standard input in raw
 * mode when it is a terminal and catches SIGWINCH, SIGINT, SIGTERM,
 * SIGHUP and SIGQUIT through a self-pipe (term_session_fd() is its read
 * end, for poll()); term_session_signal() reads one caught signal (0: none
 * pending).  term_session_end() restores the terminal and the old signal
 * handlers; given a signal that ended the session it then raises it again
 * (the caller's handler, or the default action).  One session at a time
 * per process (the self-pipe is process-wide, as signals are).
 *
 * Ownership: the struct is the caller's (on its stack); no allocation.
 */
#ifndef ICM_TERM_H
#define ICM_TERM_H

#include "../icm.h"
#include <signal.h>
#include <termios.h>

#define TERM_NSIGNALS 5

struct term_session {
	struct termios saved;
	bool raw;			/* saved must be restored */
	bool active;			/* handlers installed */
	struct sigaction old[TERM_NSIGNALS];
};

/* Raw mode (if stdin is a terminal) and signals.  0, or -1 with errno. */
int term_session_begin(struct term_session *s) WARN_UNUSED;
int term_session_fd(void);
int term_session_signal(void);
/* Restores everything; sig != 0: raise(sig) afterwards. */
void term_session_end(struct term_session *s, int sig);

/* Writes all n bytes (EINTR retried); 0, or -1 with errno. */
int term_write_all(int fd, const void *data, size_t n) WARN_UNUSED;

/* The window size of fd's terminal; 80x24 when it has none. */
void term_window_size(int fd, int *cols, int *rows);

/*
 * Prints prompt on /dev/tty and reads a line there with echo off (each
 * character shown as '*'; Backspace and Ctrl-U edit; Enter ends).  The
 * terminal is restored on every way out, signals included (Ctrl-C
 * restores, then the signal takes its course).  On success *out is the
 * line without its newline (caller wipes and frees: freezero_str()).
 * -1 with errno ENOTTY when there is no terminal, EINTR/EIO/ENODATA when
 * reading failed or ended without Enter, E2BIG when over 1023 characters.
 */
int term_prompt_secret(const char *prompt, char **out) WARN_UNUSED;

/* ICM's confirmation: prints `Type "yes" to confirm: ` and reads a line
 * from standard input; true only for "yes" (EOF: false). */
bool term_confirm(void);

#endif
