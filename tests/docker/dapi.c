/*
 * dapi: drives each call of icm's Docker Engine API client
 * (src/docker/api.h) from the command line, for tests/e2e/34-docker-api.sh.
 * Linked with icm's objects.
 *
 *   dapi --name N --ip IP --port P --ca F --cert F --key F VERB ARGS...
 *
 *   version                        "api X" and "server Y"
 *   call METHOD PATH [BODYFILE]    "status N" and the JSON answer
 *   create NAME BODYFILE           the new container's ID
 *   start|rm|inspect NAME          rm: "removed" / "absent";
 *                                  inspect: the JSON or "absent"
 *   rm --force NAME
 *   stop [--time S] NAME
 *   kill [--signal SIG] NAME
 *   rename NAME NEW
 *   list [--all] [NAME]            one line per container: "name state"
 *   pull [--registry R --user U] IMAGE
 *                                  password: $ICM_TEST_REGISTRY_PASSWORD
 *   login --registry R --user U    same password
 *   exists IMAGE                   "yes ID" or "no"
 *   load FILE                      progress lines, then "loaded NAME"...
 *   exec [--stdin FILE] [--tty] [--interactive] [--env K=V]...
 *        [--user U] [--workdir W] [--timeout MS] [--cap BYTES]
 *        CONTAINER -- ARGV...
 *                                  output to stdout and stderr; exits
 *                                  with the command's exit code
 *   parallel N IMAGE               N threads, each with its own
 *                                  struct docker: create, start, exec,
 *                                  remove "dapi-par-<i>"; "thread I ok"
 *   put-archive CONTAINER DIR LOCAL   tar_pack(LOCAL) into DIR
 *   get-archive [--cap N] CONTAINER PATH DEST
 *                                  tar_unpack() into DEST
 *
 * Exit status: 0, the exec'd command's, 1 when a call failed ("dapi:
 * MESSAGE" on stderr), 2 on usage errors.
 */
#include "icm.h"
#include "docker/api.h"
#include "docker/tar.h"
#include "state/log.h"
#include "util/str.h"
#include <pthread.h>

static void usage(void)
{
	fputs("usage: dapi --name N --ip IP --port P --ca F --cert F --key F "
	      "VERB ARGS...\n", stderr);
	exit(2);
}

static int fail(struct docker *d, const char *what)
{
	fprintf(stderr, "dapi: %s: %s\n", what, docker_errmsg(d));
	return 1;
}

static cJSON *read_json(const char *path)
{
	FILE *f = fopen(path, "rb");
	char text[65536];
	size_t n;
	cJSON *j;

	if (!f) {
		fprintf(stderr, "dapi: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	j = cJSON_Parse(text);
	if (!j) {
		fprintf(stderr, "dapi: %s: malformed JSON\n", path);
		exit(2);
	}
	return j;
}

static char *read_file(const char *path, size_t *len)
{
	struct buf b;
	char chunk[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		fprintf(stderr, "dapi: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	buf_init(&b, DOCKER_CAP_ARCHIVE);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&b, chunk, n))
			exit(2);
	fclose(f);
	*len = b.len;
	return buf_take(&b);
}

static void print_json(const cJSON *j)
{
	char *s = cJSON_Print(j);

	puts(s ? s : "null");
	free(s);
}

static void on_progress(void *arg, const char *line)
{
	printf("progress %s\n", line);
}

/* --registry R --user U from argv; the password from the environment. */
static void auth_from(int argc, char **argv, int *i, struct docker_auth *a)
{
	memset(a, 0, sizeof(*a));
	while (*i < argc && str_starts(argv[*i], "--")) {
		if (!strcmp(argv[*i], "--registry") && *i + 1 < argc)
			a->registry = argv[++*i];
		else if (!strcmp(argv[*i], "--user") && *i + 1 < argc)
			a->username = argv[++*i];
		else
			usage();
		++*i;
	}
	a->password = getenv("ICM_TEST_REGISTRY_PASSWORD");
}

/* parallel: one thread's round on its own connection. */
struct par {
	const struct docker_target *t;
	const char *image;
	int i;
	char *err;			/* NULL: all went well */
};

static void *par_round(void *arg)
{
	struct par *p = arg;
	const char *argv[] = { "sh", "-c", "echo $N", NULL };
	char name[32], env_n[32], want[16];
	const char *env[] = { env_n, NULL };
	struct docker_exec x = { .argv = argv, .env = env };
	struct docker *d = NULL;
	struct buf out, err;
	cJSON *cfg = cJSON_CreateObject();
	int code = -1;

	snprintf(name, sizeof(name), "dapi-par-%d", p->i);
	snprintf(env_n, sizeof(env_n), "N=%d", p->i);
	snprintf(want, sizeof(want), "%d\n", p->i);
	buf_init(&out, 1024);
	buf_init(&err, 1024);
	cJSON_AddStringToObject(cfg, "Image", p->image);
	cJSON_AddItemToObject(cfg, "Cmd", cJSON_CreateStringArray(
		(const char *[]){ "sleep", "100" }, 2));
	cJSON_AddItemToObject(cfg, "HostConfig", cJSON_Parse(
		"{\"NetworkMode\":\"none\"}"));
	if (docker_open(p->t, &d, &p->err))
		goto out;
	if (docker_create(d, name, cfg, NULL) || docker_start(d, name) ||
	    docker_exec(d, name, &x, &out, &err, &code) ||
	    docker_remove(d, name, true) != 1)
		p->err = xstrdup(docker_errmsg(d));
	else if (code || !out.data || strcmp(out.data, want))
		p->err = xasprintf("exec gave %d '%s'", code,
				   out.data ? out.data : "");
out:
	docker_close(d);
	cJSON_Delete(cfg);
	buf_release(&out);
	buf_release(&err);
	return NULL;
}

static int do_parallel(const struct docker_target *t, int argc, char **argv,
		       int i)
{
	struct par p[64];
	pthread_t th[64];
	long n;
	int k, ret = 0;

	if (argc - i < 2 || str_to_long(argv[i], &n) || n < 1 || n > 64)
		usage();
	for (k = 0; k < n; k++) {
		p[k] = (struct par){ .t = t, .image = argv[i + 1], .i = k };
		if (pthread_create(&th[k], NULL, par_round, &p[k]))
			return 1;
	}
	for (k = 0; k < n; k++) {
		pthread_join(th[k], NULL);
		if (p[k].err) {
			printf("thread %d: %s\n", k, p[k].err);
			free(p[k].err);
			ret = 1;
		} else {
			printf("thread %d ok\n", k);
		}
	}
	return ret;
}

static int do_exec(struct docker *d, int argc, char **argv, int i)
{
	struct docker_exec x = { 0 };
	const char *env[64], *container;
	struct buf out, err;
	size_t nenv = 0, cap = DOCKER_CAP_OUTPUT;
	char *in = NULL;
	int code = -1, ret;
	long v;

	while (i < argc && str_starts(argv[i], "--") && strcmp(argv[i], "--")) {
		if (!strcmp(argv[i], "--stdin") && i + 1 < argc)
			in = read_file(argv[++i], &x.stdin_len);
		else if (!strcmp(argv[i], "--tty"))
			x.tty = true;
		else if (!strcmp(argv[i], "--interactive"))
			x.interactive = true;
		else if (!strcmp(argv[i], "--env") && i + 1 < argc &&
			 nenv + 1 < ARRAY_SIZE(env))
			env[nenv++] = argv[++i];
		else if (!strcmp(argv[i], "--user") && i + 1 < argc)
			x.user = argv[++i];
		else if (!strcmp(argv[i], "--workdir") && i + 1 < argc)
			x.workdir = argv[++i];
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc &&
			 str_to_long(argv[i + 1], &v) == 0)
			x.timeout_ms = v, i++;
		else if (!strcmp(argv[i], "--cap") && i + 1 < argc &&
			 str_to_long(argv[i + 1], &v) == 0)
			cap = (size_t)v, i++;
		else
			usage();
		i++;
	}
	if (i + 2 >= argc || strcmp(argv[i + 1], "--"))
		usage();
	container = argv[i];
	env[nenv] = NULL;
	x.env = nenv ? env : NULL;
	x.argv = (const char *const *)argv + i + 2;
	x.stdin_data = in;
	buf_init(&out, cap);
	buf_init(&err, cap);
	ret = docker_exec(d, container, &x, &out, &err, &code);
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	fwrite(err.data ? err.data : "", 1, err.len, stderr);
	buf_release(&out);
	buf_release(&err);
	free(in);
	if (ret)
		return fail(d, "exec");
	return code;
}

static int verb(struct docker *d, int argc, char **argv, int i)
{
	const char *v = argv[i++];
	struct docker_auth a;
	cJSON *j = NULL, *c;
	char *id = NULL;
	long status, t;
	int rc;
	bool flag = false;

#define NEED(n) do { if (argc - i < (n)) usage(); } while (0)
	if (!strcmp(v, "version")) {
		printf("api %s\nserver %s\n", docker_api_version(d),
		       docker_server_version(d));
	} else if (!strcmp(v, "call")) {
		NEED(2);
		if (argc - i > 2)
			j = read_json(argv[i + 2]);
		rc = docker_call(d, argv[i], argv[i + 1], j, &status, &c);
		cJSON_Delete(j);
		if (rc)
			return fail(d, "call");
		printf("status %ld\n", status);
		if (c)
			print_json(c);
		cJSON_Delete(c);
	} else if (!strcmp(v, "create")) {
		NEED(2);
		j = read_json(argv[i + 1]);
		rc = docker_create(d, argv[i], j, &id);
		cJSON_Delete(j);
		if (rc)
			return fail(d, "create");
		puts(id);
		free(id);
	} else if (!strcmp(v, "start")) {
		NEED(1);
		if (docker_start(d, argv[i]))
			return fail(d, "start");
	} else if (!strcmp(v, "stop")) {
		t = 10;
		if (argc - i > 1 && !strcmp(argv[i], "--time") &&
		    str_to_long(argv[i + 1], &t) == 0)
			i += 2;
		NEED(1);
		if (docker_stop(d, argv[i], (int)t))
			return fail(d, "stop");
	} else if (!strcmp(v, "kill")) {
		const char *sig = NULL;

		if (argc - i > 1 && !strcmp(argv[i], "--signal")) {
			sig = argv[i + 1];
			i += 2;
		}
		NEED(1);
		if (docker_kill(d, argv[i], sig))
			return fail(d, "kill");
	} else if (!strcmp(v, "rm")) {
		if (argc - i > 0 && !strcmp(argv[i], "--force")) {
			flag = true;
			i++;
		}
		NEED(1);
		rc = docker_remove(d, argv[i], flag);
		if (rc < 0)
			return fail(d, "rm");
		puts(rc ? "removed" : "absent");
	} else if (!strcmp(v, "rename")) {
		NEED(2);
		if (docker_rename(d, argv[i], argv[i + 1]))
			return fail(d, "rename");
	} else if (!strcmp(v, "inspect")) {
		NEED(1);
		rc = docker_inspect(d, argv[i], &j);
		if (rc < 0)
			return fail(d, "inspect");
		if (rc)
			print_json(j);
		else
			puts("absent");
		cJSON_Delete(j);
	} else if (!strcmp(v, "list")) {
		if (argc - i > 0 && !strcmp(argv[i], "--all")) {
			flag = true;
			i++;
		}
		if (docker_list(d, flag, argc - i > 0 ? argv[i] : NULL, &j))
			return fail(d, "list");
		cJSON_ArrayForEach(c, j) {
			const cJSON *n = cJSON_GetArrayItem(
				cJSON_GetObjectItem(c, "Names"), 0);
			const cJSON *s = cJSON_GetObjectItem(c, "State");

			printf("%s %s\n", cJSON_IsString(n) ? n->valuestring
				: "?", cJSON_IsString(s) ? s->valuestring : "?");
		}
		cJSON_Delete(j);
	} else if (!strcmp(v, "pull")) {
		auth_from(argc, argv, &i, &a);
		NEED(1);
		if (docker_pull(d, argv[i], a.username ? &a : NULL,
				on_progress, NULL))
			return fail(d, "pull");
	} else if (!strcmp(v, "login")) {
		auth_from(argc, argv, &i, &a);
		if (docker_login(d, &a))
			return fail(d, "login");
		puts("login ok");
	} else if (!strcmp(v, "exists")) {
		NEED(1);
		rc = docker_image_exists(d, argv[i], &id);
		if (rc < 0)
			return fail(d, "exists");
		if (rc)
			printf("yes %s\n", id ? id : "");
		else
			puts("no");
		free(id);
	} else if (!strcmp(v, "load")) {
		NEED(1);
		if (docker_image_load(d, argv[i], on_progress, NULL, &j))
			return fail(d, "load");
		cJSON_ArrayForEach(c, j)
			printf("loaded %s\n", c->valuestring);
		cJSON_Delete(j);
	} else if (!strcmp(v, "exec")) {
		return do_exec(d, argc, argv, i);
	} else if (!strcmp(v, "put-archive")) {
		struct buf tar;

		NEED(3);
		buf_init(&tar, DOCKER_CAP_ARCHIVE);
		if (tar_pack(argv[i + 2], &tar, NULL))
			return 1;
		rc = docker_put_archive(d, argv[i], argv[i + 1], tar.data,
					tar.len);
		buf_release(&tar);
		if (rc)
			return fail(d, "put-archive");
	} else if (!strcmp(v, "get-archive")) {
		struct buf tar;

		t = DOCKER_CAP_ARCHIVE;
		if (argc - i > 1 && !strcmp(argv[i], "--cap") &&
		    str_to_long(argv[i + 1], &t) == 0)
			i += 2;
		NEED(3);
		buf_init(&tar, (size_t)t);
		if (docker_get_archive(d, argv[i], argv[i + 1], &tar))
			return fail(d, "get-archive");
		rc = tar_unpack(tar.data, tar.len, argv[i + 2], NULL);
		buf_release(&tar);
		if (rc)
			return 1;
	} else {
		usage();
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct docker_target t = { 0 };
	struct docker *d = NULL;
	char *err = NULL;
	long port = 0;
	int i, rc;

	for (i = 1; i + 1 < argc && str_starts(argv[i], "--"); i += 2) {
		if (!strcmp(argv[i], "--name"))
			t.name = argv[i + 1];
		else if (!strcmp(argv[i], "--ip"))
			t.ip = argv[i + 1];
		else if (!strcmp(argv[i], "--port") &&
			 str_to_long(argv[i + 1], &port) == 0)
			t.port = (int)port;
		else if (!strcmp(argv[i], "--ca"))
			t.ca_file = argv[i + 1];
		else if (!strcmp(argv[i], "--cert"))
			t.cert_file = argv[i + 1];
		else if (!strcmp(argv[i], "--key"))
			t.key_file = argv[i + 1];
		else
			usage();
	}
	if (i >= argc || !t.name || !t.ip || !t.ca_file || !t.cert_file ||
	    !t.key_file)
		usage();
	docker_global_init();
	if (!strcmp(argv[i], "parallel"))
		return do_parallel(&t, argc, argv, i + 1);
	if (docker_open(&t, &d, &err)) {
		fprintf(stderr, "dapi: cannot open %s: %s\n", t.name, err);
		free(err);
		return 1;
	}
	rc = verb(d, argc, argv, i);
	docker_close(d);
	if (fflush(stdout))
		return 1;
	return rc;
}
