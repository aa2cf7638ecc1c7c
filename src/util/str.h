/*
 * str.h: small string helpers.  Allocating functions abort on out of
 * memory (xmalloc style): a CLI that cannot allocate a few bytes cannot
 * report anything useful either.  Returned strings are owned by the caller.
 */
#ifndef ICM_STR_H
#define ICM_STR_H

#include "../icm.h"
#include <stdarg.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* At most n bytes of s, up to its NUL (as strndup(3)), NUL-terminated. */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
char *xvasprintf(const char *fmt, va_list ap) PRINTF_LIKE(1, 0);

/* Frees s after zeroing it; NULL is fine. */
void freezero_str(char *s);

bool str_starts(const char *s, const char *prefix);
/* Entry i (0-based) of the comma list s, spaces around it trimmed
 * (allocated), or NULL when s is NULL or has fewer entries. */
char *str_list_entry(const char *s, size_t i);
bool str_ends(const char *s, const char *suffix);
/* Copies src into dst of size n, always NUL-terminating; returns strlen(src). */
size_t strlcpy_icm(char *dst, const char *src, size_t n);

/*
 * Parses a whole decimal number (optional leading '-'), no spaces, no
 * trailing junk.  Returns 0 and sets *out, or -1.
 */
int str_to_long(const char *s, long *out);

/*
 * Parses the n bytes at s (no NUL needed) as a decimal number: digits
 * only, at least one, at most max.  Reads nothing past s + n.  Returns 0
 * and sets *out, or -1.
 */
int str_to_ull_n(const char *s, size_t n, unsigned long long max,
		 unsigned long long *out);

/* A C0 control character or DEL: what no value icm carries on one line
 * (a name, a path, an ObjectScript or CPF value, a message) may hold. */
static inline bool str_is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

#endif
