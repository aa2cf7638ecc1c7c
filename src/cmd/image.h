/*
 * image.h: icm as the entrypoint of the ICM image (release/mkimage.py).
 *
 * Only when the environment has ICM_IMAGE=1, which the image's config
 * sets; outside the image nothing changes.  image_entry() runs first in
 * main() and, in this order:
 *  1. sets ICM_IMAGE=2 (IMAGE_ENV_INSIDE) for what it starts: an icm
 *     started later inside the container (from the shell, keygenSSH.sh)
 *     does step 2 alone and is otherwise plain icm (no shell, no exec);
 *  2. when running as root in a working directory owned by another uid (a
 *     volume mounted from the host: docker run -v "$PWD:$PWD" -w "$PWD"),
 *     becomes that directory's owner and group (setgroups to the group
 *     alone, setgid, setuid) before anything is written, and sets HOME to
 *     /tmp when HOME is not writable by that uid; with -verbose one line
 *     says so;
 *  3. without arguments, execs $SHELL (default /bin/sh) as "SHELL -l": the
 *     interactive command line of `docker run -it <image>`;
 *  4. when the first argument is not an icm command and not an option but a
 *     program (a path with '/', or found executable on PATH), execs it with
 *     the other arguments (`docker run <image> keygenSSH.sh DIR`, `... sh
 *     -c '...'`, the official images' convention).  An icm command wins
 *     over a program of the same name (ps, rm, docker, ssh, ...).
 * Otherwise it returns 0 and icm runs argv as usual; when icm is PID 1 of
 * the container it does so in a child, PID 1 staying a minimal init that
 * passes signals on and exits as icm did (image.c, stay_init()).  Returns -1 after
 * reporting a failure (main exits 1); does not return when it execs.
 * find is the command table's lookup (command_find(), cmd.h).
 */
#ifndef ICM_IMAGE_H
#define ICM_IMAGE_H

#include "cmd.h"

#define IMAGE_ENV "ICM_IMAGE"
#define IMAGE_ENV_INSIDE "2"	/* set for everything started in the image */

int image_entry(int argc, char **argv,
		const struct command *(*find)(const char *name));

/* What the image does with argv (step 3 and 4 above). */
enum image_form { IMAGE_ICM, IMAGE_SHELL, IMAGE_EXEC };

/*
 * Decides the form for argv along the PATH given (may be NULL); for
 * IMAGE_EXEC *prog (caller frees) is the program's path.  For the tests.
 */
enum image_form image_form(int argc, char **argv, const char *path,
			   const struct command *(*find)(const char *name),
			   char **prog);

#endif
