/*
 * fuzz.h: what the libFuzzer targets (tests/fuzz/fuzz-*.c) share.
 *
 * Each target is one LLVMFuzzerTestOneInput() that hands the input to
 * one parser of outside input through its public functions and frees
 * everything before it returns: no state is kept between inputs, so a
 * leak, a crash or a sanitizer report names the input that caused it.
 * Parsers that only read files get the input as a file in a scratch
 * directory of the process (fuzz_file()).
 *
 * icm's log keeps global state (the secret registry, the output kept
 * until icm.log opens); fuzz_reset() empties it after every input.
 */
#ifndef ICM_FUZZ_H
#define ICM_FUZZ_H

#include "../../src/icm.h"
#include "../../src/util/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of the input (caller frees). */
char *fuzz_cstr(const uint8_t *data, size_t size);

/*
 * Writes size bytes to the file `name` in the scratch directory (made on
 * first use, removed at exit with what is in it) and returns its path
 * (the caller frees it).  Aborts if it cannot
 * write: that is the harness failing, not the parser.
 */
char *fuzz_file(const char *name, const void *data, size_t size);

/* The scratch directory itself. */
const char *fuzz_dir(void);

/* Removes everything below path (not path itself), symlinks unfollowed. */
void fuzz_empty_dir(const char *path);

/*
 * The input cut at the first max - 1 occurrences of sep (a string that
 * seeds write between parts, e.g. "\n--\n"): part[i] points into data,
 * len[i] is its length; the last part holds the rest.  Returns the number
 * of parts (1 when sep does not occur).
 */
size_t fuzz_split(const uint8_t *data, size_t size, const char *sep,
		  const uint8_t **part, size_t *len, size_t max);

/* Empties icm's global log state (secrets, pending output, last error). */
void fuzz_reset(void);

#endif
