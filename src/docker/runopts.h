/*
 * runopts.h: the -options of `icm run` and `icm exec`, docker-run flags as
 * people write them, turned into the Engine API's JSON.
 *
 * The words are split as a POSIX shell would split them (single and double
 * quotes, backslash escapes; no expansion).  Flags take their value as the
 * next word or after '=' (--env=A=1, -e A=1); repeated flags add up.
 * Accepted for run (each documented at its entry in runopts.c):
 *   --env/-e --volume/-v --publish/-p --cap-add --cap-drop --privileged
 *   --memory/-m --cpus --shm-size --ulimit --entrypoint --user/-u
 *   --workdir/-w --label/-l --log-driver --log-opt --device
 *   --security-opt --tmpfs --network/--net --init
 * and for exec: --env/-e --user/-u --workdir/-w.
 * Anything else is refused by name ("-options: '--pid' is not a docker
 * run option icm accepts"), as is a malformed value (named with the flag).
 *
 * Errors are reported with error() and -1 is returned; *config is left
 * as it was on error (the changes go to a copy first).
 */
#ifndef ICM_DOCKER_RUNOPTS_H
#define ICM_DOCKER_RUNOPTS_H

#include "../icm.h"
#include <cjson/cJSON.h>

/*
 * Splits s into words (shell quoting rules, no expansion).  *argv gets a
 * NULL-terminated vector (free with words_free()), *argc the count.
 * Unterminated quotes are an error (reported, naming what; *why, why not
 * NULL, gets the message too: error_why()).
 */
int words_split(const char *s, const char *what, char ***argv, int *argc,
		char **why) WARN_UNUSED;
void words_free(char **argv);

/*
 * Applies the run options in s to config, the body of POST
 * /containers/create (its "HostConfig" object is created if missing).
 * -1 reported, and *why (why not NULL) gets the message too.
 */
int runopts_apply(const char *s, cJSON *config, char **why) WARN_UNUSED;

/* What exec takes from -options. */
struct execopts {
	char **env;		/* "NAME=value", NULL-terminated, or NULL */
	char *user;
	char *workdir;
};

int execopts_parse(const char *s, struct execopts *out) WARN_UNUSED;
void execopts_release(struct execopts *o);

/* "512m", "2g", "1024" (bytes) as docker reads sizes; -1 if malformed. */
int64_t runopts_size(const char *s);

#endif
