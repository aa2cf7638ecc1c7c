/* image.c: icm as the ICM image's entrypoint (see image.h). */
#include "image.h"
#include "../util/report.h"
#include "../util/str.h"
#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* The signals the init passes on to icm (stay_init()). */
static const int passed_on[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1,
				 SIGUSR2 };
static volatile pid_t icm_pid;

static void pass_on(int sig)
{
	if (icm_pid > 0)
		kill(icm_pid, sig);
}

/* The executable regular file path names, or not. */
static bool executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(path, X_OK) == 0;
}

/* The program name is found as: itself when it has a '/', else the first
 * executable DIR/name along path (an empty element is the current
 * directory, as execvp takes it).  Caller frees; NULL when none. */
static char *find_program(const char *name, const char *path)
{
	const char *p = path, *end;
	char *cand;

	if (strchr(name, '/'))
		return executable(name) ? xstrdup(name) : NULL;
	if (!path)
		return NULL;
	for (;;) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		cand = xasprintf("%.*s%s%s", (int)(end - p), p,
				 end > p ? "/" : "", name);
		if (executable(cand))
			return cand;
		free(cand);
		if (!*end)
			return NULL;
		p = end + 1;
	}
}

enum image_form image_form(int argc, char **argv, const char *path,
			   const struct command *(*find)(const char *name),
			   char **prog)
{
	*prog = NULL;
	if (argc < 2)
		return IMAGE_SHELL;
	if (!argv[1][0] || argv[1][0] == '-' || find(argv[1]))
		return IMAGE_ICM;
	*prog = find_program(argv[1], path);
	return *prog ? IMAGE_EXEC : IMAGE_ICM;
}

static bool verbose_asked(int argc, char **argv)
{
	const struct opt_def *d;
	int i;

	for (i = 1; i < argc; i++)
		if ((d = option_find(argv[i])) && d->id == OPT_VERBOSE)
			return true;
	return false;
}

/* Step 2 of image.h: root in a directory owned by someone else becomes
 * that directory's owner. */
static int switch_to_owner(bool verbose)
{
	struct stat st;
	const char *home;
	gid_t gid;

	if (geteuid() != 0)
		return 0;
	if (stat(".", &st))
		return error("ICM image: cannot read the working directory: "
			     "%s", strerror(errno));
	if (st.st_uid == 0)
		return 0;
	gid = st.st_gid;
	if (setgroups(1, &gid) || setgid(st.st_gid) || setuid(st.st_uid))
		return error("ICM image: cannot become uid %u gid %u, the "
			     "owner of the working directory: %s",
			     (unsigned)st.st_uid, (unsigned)st.st_gid,
			     strerror(errno));
	if (setuid(0) == 0)
		return error("ICM image: still root after switching to uid "
			     "%u", (unsigned)st.st_uid);
	home = getenv("HOME");
	if ((!home || access(home, W_OK)) && setenv("HOME", "/tmp", 1))
		return error("ICM image: cannot set HOME: %s",
			     strerror(errno));
	if (verbose)
		say("ICM image: running as uid %u gid %u, the owner of the "
		    "working directory (HOME=%s)", (unsigned)st.st_uid,
		    (unsigned)st.st_gid, getenv("HOME"));
	return 0;
}

/*
 * icm is PID 1 of the container: the kernel drops every signal PID 1 has
 * no handler for, so Ctrl-C and `docker stop` would not stop icm (and the
 * lock's handler, which re-raises, would go on after removing the lock).
 * So icm runs in a child and PID 1 stays a minimal init: it passes the
 * signals above on to icm, reaps, and exits as icm did (128+N when killed
 * by signal N).  Returns 0 in the child (and when not PID 1).
 */
static int stay_init(void)
{
	struct sigaction sa;
	sigset_t set, old;
	size_t i;
	pid_t p;
	int st;

	if (getpid() != 1)
		return 0;
	sigemptyset(&set);
	for (i = 0; i < ARRAY_SIZE(passed_on); i++)
		sigaddset(&set, passed_on[i]);
	sigprocmask(SIG_BLOCK, &set, &old);
	fflush(stdout);
	p = fork();
	if (p <= 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return p < 0 ? error("ICM image: cannot fork: %s",
				     strerror(errno)) : 0;
	}
	icm_pid = p;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pass_on;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(passed_on); i++)
		sigaction(passed_on[i], &sa, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	for (;;) {
		p = waitpid(-1, &st, 0);
		if (p == icm_pid)
			break;
		if (p < 0 && errno != EINTR)
			_exit(1);
	}
	_exit(WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st));
}

int image_entry(int argc, char **argv,
		const struct command *(*find)(const char *name))
{
	const char *env = getenv(IMAGE_ENV), *shell;
	enum image_form form;
	char *prog = NULL;
	char *sh_argv[3];
	int rc = -1;

	if (env && !strcmp(env, IMAGE_ENV_INSIDE)) {
		/* icm started inside the container (its shell, a script):
		 * only the owner switch of step 2 */
		if (switch_to_owner(verbose_asked(argc, argv)))
			return -1;
		return 0;
	}
	if (!env || strcmp(env, "1"))
		return 0;
	if (setenv(IMAGE_ENV, IMAGE_ENV_INSIDE, 1))
		return error("ICM image: cannot set %s: %s", IMAGE_ENV,
			     strerror(errno));
	form = image_form(argc, argv, getenv("PATH"), find, &prog);
	if (switch_to_owner(form == IMAGE_ICM && verbose_asked(argc, argv)))
		goto out;
	switch (form) {
	case IMAGE_ICM:
		rc = stay_init();
		goto out;
	case IMAGE_SHELL:
		shell = getenv("SHELL");
		if (!shell || !*shell)
			shell = "/bin/sh";
		sh_argv[0] = (char *)shell;
		sh_argv[1] = "-l";
		sh_argv[2] = NULL;
		fflush(stdout);
		execv(shell, sh_argv);
		error("ICM image: cannot start the shell %s: %s", shell,
		      strerror(errno));
		goto out;
	case IMAGE_EXEC:
		fflush(stdout);
		execv(prog, argv + 1);
		error("ICM image: cannot run %s: %s", prog, strerror(errno));
		goto out;
	}
out:
	free(prog);
	return rc;
}
