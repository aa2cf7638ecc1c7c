/*
 * buf.h: a growable byte buffer with a hard cap (curl's dynbuf, OpenSSH's
 * sshbuf).  Every buffer that grows from input outside our control names its
 * cap at the call site.
 *
 * Lifecycle: buf_init() sets up an empty buffer (no allocation);
 * buf_release() frees the contents and leaves it empty; buf_take() hands the
 * NUL-terminated contents to the caller (who frees them) and empties the
 * buffer.  On overflow of the cap or out of memory an adder wipes and
 * frees the contents and returns -1, so callers just return the error.
 * The data is always NUL-terminated when len > 0.
 */
#ifndef ICM_BUF_H
#define ICM_BUF_H

#include "../icm.h"

/* Caps, named once. */
#define BUF_CAP_CONFIG   (4u << 20)   /* a configuration or instances file */
#define BUF_CAP_LINE     (64u << 10)  /* one console or log line */
#define BUF_CAP_LOG      (1u << 20)   /* console output kept before icm.log opens */
#define BUF_CAP_EMBED    (8u << 20)   /* a generated embedded file */

struct buf {
	char *data;
	size_t len;
	size_t alloc;
	size_t cap;
};

void buf_init(struct buf *b, size_t cap);
void buf_release(struct buf *b);
/* Like buf_release, but zeroes the bytes first (for secrets). */
void buf_wipe(struct buf *b);
char *buf_take(struct buf *b);

/*
 * Allocates room for n bytes of contents (n below the cap) without adding
 * any: a buffer that will hold a secret, sized once, so that no growth
 * leaves a copy of it in freed memory.  0, or -1 as an adder.
 */
int buf_reserve(struct buf *b, size_t n) WARN_UNUSED;
int buf_add(struct buf *b, const void *data, size_t len) WARN_UNUSED;
int buf_adds(struct buf *b, const char *s) WARN_UNUSED;
int buf_addf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3) WARN_UNUSED;
int buf_vaddf(struct buf *b, const char *fmt, va_list ap) WARN_UNUSED;
/* Appends s as one word for a POSIX shell: in single quotes, each ' as
 * '\'' (the one quoting of values icm puts on a remote command line). */
int buf_add_shell_word(struct buf *b, const char *s) WARN_UNUSED;

#endif
