/*
 * api.h: the Docker Engine API over mutual TLS (design.md decisions 1, 2).
 *
 * One struct docker is one daemon: an HTTP client (cloud/http.h, one
 * libcurl handle, connections reused) with the deployment's client
 * certificate, the daemon addressed as https://<machine name>:2376 with
 * that name pinned to the node's IP (BearSSL checks names, not IP
 * addresses; every node certificate carries its machine name).
 * docker_open() asks GET /version (unversioned) and speaks min(the
 * daemon's ApiVersion, DOCKER_API_MAX); a daemon older than
 * DOCKER_API_MIN is refused with a message naming both versions.
 *
 * Errors: every call returns 0 on success and -1 on failure with a one-line
 * reason in docker_errmsg() (the daemon's "message" when it sent one, else
 * curl's), never printed here: callers name the node and the step.  Calls
 * that look something up return 1 found / 0 not found / -1 failed.
 *
 * Caps: an answer's JSON body is kept up to DOCKER_CAP_JSON, exec output up
 * to DOCKER_CAP_OUTPUT per stream, an archive up to DOCKER_CAP_ARCHIVE;
 * more is an error, never a silent truncation.
 *
 * Secrets: registry passwords travel only in the X-Registry-Auth header /
 * the /auth body, never in a URL; the buffers that held them are wiped.
 *
 * Thread safety: a struct docker belongs to one thread at a time;
 * different daemons can be driven from different threads at once
 * (libcurl's global set-up is done once, in docker_global_init()).
 *
 * Ownership: strings and cJSON trees handed out are the caller's.
 */
#ifndef ICM_DOCKER_API_H
#define ICM_DOCKER_API_H

#include "../icm.h"
#include "../util/buf.h"
#include "names.h"
#include <cjson/cJSON.h>

#define DOCKER_PORT 2376
#define DOCKER_API_MAX "1.41"		/* Docker 20.10 */
#define DOCKER_API_MIN "1.24"		/* Docker 1.12 */
#define DOCKER_CAP_JSON (16u << 20)
#define DOCKER_CAP_OUTPUT (16u << 20)
#define DOCKER_CAP_ARCHIVE (256u << 20)
/* Long transfers (pull, load, archives) fail when no byte has moved for
 * the target's timeout_ms; once a whole upload (load, put archive) is sent
 * the daemon may work this long before its answer starts. */
#define DOCKER_WAIT_AFTER_UPLOAD_MS (60L * 60 * 1000)

struct docker;

struct docker_target {
	const char *name;		/* the TLS name: the machine name */
	const char *ip;			/* the address name is pinned to */
	int port;			/* 0: DOCKER_PORT */
	const char *ca_file;		/* PEM paths: the deployment CA, */
	const char *cert_file;		/* icm's client certificate */
	const char *key_file;		/* and its key */
	long connect_timeout_ms;	/* 0: 10 s */
	long timeout_ms;		/* one ordinary call; 0: 120 s
					   (pull, load, exec: no limit while
					   data flows) */
};

/* Once per process, before threads start. */
void docker_global_init(void);

/*
 * Connects, asks the version and negotiates.  On failure returns -1 and,
 * if err is not NULL, *err gets the reason (caller frees).
 */
int docker_open(const struct docker_target *t, struct docker **out,
		char **err) WARN_UNUSED;
void docker_close(struct docker *d);

const char *docker_errmsg(const struct docker *d);
const char *docker_api_version(const struct docker *d);	/* "1.41" */
const char *docker_server_version(const struct docker *d);	/* "20.10.24" */

/*
 * Any call: method, path below /v<version> (e.g. "/containers/json?all=1",
 * made with docker_path()), body (NULL: none).
 * *status gets the HTTP status; *resp (if not NULL) the parsed JSON answer
 * or NULL when there was none.  -1 only when no answer came.
 */
int docker_call(struct docker *d, const char *method, const char *path,
		const cJSON *body, long *status, cJSON **resp) WARN_UNUSED;

/* Container names: names.h (docker_name_valid). */

/* s escaped for a URL query or path segment (caller frees). */
char *docker_escape(const char *s);

/*
 * The one way a value enters a request path: fmt's text as it is, each %s
 * a value percent-escaped with docker_escape() (a container or image
 * name, a path in a container: it can add no segment and no query
 * parameter) and each %d an int; no other conversion.  Caller frees.
 */
char *docker_path(const char *fmt, ...) PRINTF_LIKE(1, 2);
char *docker_vpath(const char *fmt, va_list ap);

/* Registry credentials (docker login). */
struct docker_auth {
	const char *registry;		/* host[:port]; NULL or "": Docker Hub */
	const char *username;
	const char *password;
};

/* A progress line from a pull or a load ("<id>: <status>", no newline;
 * the byte-count updates within a layer's download are not passed). */
typedef void (*docker_progress_fn)(void *arg, const char *line);

/* POST /auth: checks the credentials with the registry via the daemon. */
int docker_login(struct docker *d, const struct docker_auth *a) WARN_UNUSED;

/*
 * Pulls image (repository[:tag|@digest]; no tag means latest) with the
 * credentials a (NULL: anonymous).  An "error" line in the stream fails the
 * pull with that text.  fn (may be NULL) gets each progress line.
 */
int docker_pull(struct docker *d, const char *image,
		const struct docker_auth *a, docker_progress_fn fn,
		void *arg) WARN_UNUSED;

/* 1 when the daemon has image (*id, if not NULL, gets its ID), 0 not. */
int docker_image_exists(struct docker *d, const char *image, char **id)
	WARN_UNUSED;

/*
 * POST /images/load with the `docker save` tarball at path, streamed from
 * the file (not held in memory).  *loaded (if not NULL) gets a JSON array
 * of the image names (or IDs) the daemon reported loading.
 */
int docker_image_load(struct docker *d, const char *path,
		      docker_progress_fn fn, void *arg, cJSON **loaded)
	WARN_UNUSED;

/* Containers, by name or ID. */

/* POST /containers/create?name=: config is the API's create body. */
int docker_create(struct docker *d, const char *name, const cJSON *config,
		  char **id) WARN_UNUSED;
int docker_start(struct docker *d, const char *name) WARN_UNUSED;	/* already running: 0 */
int docker_stop(struct docker *d, const char *name, int timeout_s)
	WARN_UNUSED;						/* already stopped: 0 */
int docker_kill(struct docker *d, const char *name, const char *signal)
	WARN_UNUSED;						/* NULL: SIGKILL */
/* force: kill first if running; 1 removed, 0 there was none. */
int docker_remove(struct docker *d, const char *name, bool force)
	WARN_UNUSED;
int docker_rename(struct docker *d, const char *name, const char *new_name)
	WARN_UNUSED;
/* 1 and *out the inspect object, 0 no such container. */
int docker_inspect(struct docker *d, const char *name, cJSON **out)
	WARN_UNUSED;
/* GET /containers/json: all (stopped too); name (NULL: any) filters by
 * exact name.  *out gets the array. */
int docker_list(struct docker *d, bool all, const char *name, cJSON **out)
	WARN_UNUSED;

/*
 * Exec in a running container: POST /containers/{c}/exec, then
 * /exec/{id}/start on a hijacked connection, then /exec/{id}/json for the
 * exit code.
 *
 * Non-interactive: stdin_data (if not NULL) is written after the start,
 * while the output is read.  Without a TTY the input is then closed: a
 * TCP half-close under the TLS session (shutdown(SHUT_WR), no
 * close_notify, which would also end what we read); the daemon's read of
 * the hijacked connection ends and it closes the command's standard
 * input, so `cat` and the like end.  (This header first said the input
 * stayed open; tried against dockerd 20.10 the half-close works, and a
 * command that ends on its own is not affected.)  With a TTY the input is
 * left open, because the daemon ends a TTY exec's output when its input
 * ends: such a command must end on its own.
 * Output is demultiplexed into out and err (a TTY exec has one stream:
 * all of it goes to out).
 * Interactive: the local terminal in raw mode (restored on every way out),
 * standard input and output shuttled until the command ends, the window
 * size sent at the start and on SIGWINCH; out and err are not used (may be
 * NULL).  A signal that ends the session (SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT from outside: in raw mode Ctrl-C goes to the command) is raised
 * again once the terminal is restored.
 */
struct docker_exec {
	const char *const *argv;	/* NULL-terminated */
	const char *const *env;		/* "NAME=value", NULL-terminated, or NULL */
	const char *user;		/* NULL: the image's */
	const char *workdir;		/* NULL: the image's */
	bool tty;
	bool interactive;		/* implies tty and stdin */
	const char *stdin_data;
	size_t stdin_len;
	long timeout_ms;		/* 0: none */
};

int docker_exec(struct docker *d, const char *container,
		const struct docker_exec *x, struct buf *out, struct buf *err,
		int *exit_code) WARN_UNUSED;

/*
 * Archives (`docker cp`): PUT /containers/{c}/archive?path=dir extracts the
 * tar in dir (which must exist in the container); GET ...?path=path
 * returns a tar of path (file or directory, named by its last component).
 */
int docker_put_archive(struct docker *d, const char *container,
		       const char *dir, const void *tar, size_t len)
	WARN_UNUSED;
int docker_get_archive(struct docker *d, const char *container,
		       const char *path, struct buf *tar) WARN_UNUSED;

#endif
