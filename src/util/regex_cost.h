/*
 * regex_cost.h: how much a POSIX extended regular expression would cost
 * musl's regcomp (TRE) before it is compiled.
 *
 * TRE expands every bounded repetition into copies of what it repeats, so
 * a{255}{255}{255} becomes 16 million positions and gigabytes of memory
 * inside regcomp; with nullable copies ((x?){250}{4}) the work grows with
 * the square of the copies.  A regular expression from the command line
 * (-machine) is checked here first: at most REGEX_MAX_LEN characters, no
 * repetition count over REGEX_MAX_BOUND (RE_DUP_MAX), and at most
 * REGEX_MAX_SIZE positions once every {n,m} is expanded (a{255}{4} is
 * 1020; a group counts what it holds, each alternative added).
 *
 * The check reads the expression's syntax only as far as it needs:
 * whatever it does not understand it counts as one character and leaves
 * to regcomp to accept or refuse.  An unmatched ')' is counted as closing
 * a group around everything before it, as it does when the caller wraps
 * the expression in ^( )$.
 */
#ifndef ICM_REGEX_COST_H
#define ICM_REGEX_COST_H

#include "../icm.h"

#define REGEX_MAX_LEN 256
#define REGEX_MAX_BOUND 255
#define REGEX_MAX_SIZE 1000

/*
 * NULL when the expression is cheap enough to compile; otherwise why not,
 * as a phrase for an error message ("a repetition count over 255").
 */
const char *regex_cost_check(const char *re);

#endif
