/*
 * tap.h: a minimal Test Anything Protocol emitter for the C unit tests.
 * Each test file is one program: it calls ok()/is_str()/is_int() and ends
 * with `return done_testing();`.  prove runs them (make test).
 */
#ifndef ICM_TAP_H
#define ICM_TAP_H

#include <stdio.h>
#include <stdarg.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) \
	tap_is_int((long)(got), (long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) \
	tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

__attribute__((format(printf, 4, 5), unused))
static int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

#define tap_msg(fmt) fmt
__attribute__((unused))
static int tap_is_int(long got, long want, const char *file, int line,
		      const char *name)
{
	int pass = tap_ok(got == want, file, line, "%s", name);

	if (!pass)
		printf("#   got: %ld\n#   expected: %ld\n", got, want);
	return pass;
}

__attribute__((unused))
static int tap_is_str(const char *got, const char *want, const char *file,
		      int line, const char *name)
{
	int pass = tap_ok((got == NULL && want == NULL) ||
			  (got && want && !strcmp(got, want)), file, line,
			  "%s", name);

	if (!pass)
		printf("#   got: '%s'\n#   expected: '%s'\n",
		       got ? got : "(null)", want ? want : "(null)");
	return pass;
}

__attribute__((unused))
static int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
