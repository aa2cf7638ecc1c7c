/* fanout.c: the bounded pool and ICM's run-a-command-everywhere (see
 * fanout.h). */
#include "fanout.h"
#include "address.h"
#include "../config/plan.h"
#include "../state/log.h"
#include "../state/nodeout.h"
#include "../util/str.h"
#include <pthread.h>

struct fanout {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t next, n;			/* next node index to hand out */
	int handshakes, in_handshake;	/* cap and how many in flight */
	fanout_fn fn;
	void *arg;
	struct fanout_result *res;
};

static void *worker(void *p)
{
	struct fanout *f = p;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&f->mu);
		i = f->next < f->n ? f->next++ : f->n;
		pthread_mutex_unlock(&f->mu);
		if (i == f->n)
			return NULL;
		f->fn(f, i, &f->res[i], f->arg);
	}
}

size_t fanout_run(size_t n, const struct fanout_opts *o, fanout_fn fn,
		  void *arg, struct fanout_result *res)
{
	struct fanout f;
	pthread_t *tids;
	size_t i, nt, started = 0, failed = 0;

	for (i = 0; i < n; i++) {
		memset(&res[i], 0, sizeof(res[i]));
		res[i].exit_status = -1;
		buf_init(&res[i].out, SSH_CAP_OUTPUT);
		buf_init(&res[i].err, SSH_CAP_OUTPUT);
	}
	memset(&f, 0, sizeof(f));
	pthread_mutex_init(&f.mu, NULL);
	pthread_cond_init(&f.cv, NULL);
	f.n = n;
	f.fn = fn;
	f.arg = arg;
	f.res = res;
	f.handshakes = o && o->handshakes > 0 ? o->handshakes :
		FANOUT_HANDSHAKES;
	nt = o && o->parallel > 0 ? (size_t)o->parallel : FANOUT_PARALLEL;
	if (nt > n)
		nt = n;
	tids = xcalloc(nt ? nt : 1, sizeof(*tids));
	for (i = 0; i < nt; i++) {
		if (pthread_create(&tids[i], NULL, worker, &f))
			break;
		started++;
	}
	if (!started && n)		/* no thread at all: do it here */
		worker(&f);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	pthread_cond_destroy(&f.cv);
	pthread_mutex_destroy(&f.mu);
	for (i = 0; i < n; i++)
		failed += res[i].failed;
	return failed;
}

void fanout_handshake_enter(struct fanout *f)
{
	pthread_mutex_lock(&f->mu);
	while (f->in_handshake >= f->handshakes)
		pthread_cond_wait(&f->cv, &f->mu);
	f->in_handshake++;
	pthread_mutex_unlock(&f->mu);
}

void fanout_handshake_leave(struct fanout *f)
{
	pthread_mutex_lock(&f->mu);
	f->in_handshake--;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

void fanout_results_release(struct fanout_result *res, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		buf_release(&res[i].out);
		buf_release(&res[i].err);
		free(res[i].reason);
		res[i].reason = NULL;
	}
}

int fanout_fail(struct fanout_result *r, const char *fmt, ...)
{
	va_list ap;
	struct buf b;

	buf_init(&b, BUF_CAP_LINE);
	va_start(ap, fmt);
	if (buf_vaddf(&b, fmt, ap))
		buf_release(&b);
	va_end(ap);
	free(r->reason);
	r->reason = b.data ? buf_take(&b) : xstrdup("(message too long)");
	r->failed = true;
	return -1;
}

int fanout_parallel_opt(const char *s)
{
	long v;

	if (!s || str_to_long(s, &v) || v < 1 || v > 1024)
		return 0;
	return (int)v;
}

/*
 * ICM_TEST_SSH_PORT: a test-only port for every node (icm's extension for
 * tests that run sshd on loopback; ICM has no SSH port field).
 */
static int test_port(void)
{
	const char *s = getenv("ICM_TEST_SSH_PORT");
	long v;

	if (!s || str_to_long(s, &v) || v < 1 || v > 65535)
		return 0;
	return (int)v;
}

const char *fanout_key_path(const struct node *n, const char **field)
{
	const char *name = "SSHPrivateKey", *path = node_field(n, name);

	if (!path) {
		name = "KeyFile";
		path = node_field(n, name);
	}
	if (field)
		*field = name;
	return path;
}

int fanout_target(const struct node *n, const char *state_dir,
		  enum ssh_hostkey_policy policy, struct ssh_target *t,
		  char **kh_out, char **why)
{
	const char *pw = node_field(n, "SSHPassword");
	const char *only = node_field(n, "SSHOnly");

	memset(t, 0, sizeof(*t));
	*kh_out = NULL;
	t->host = node_address(n);
	if (!t->host)
		return error_why(why, "%s: neither IPAddress nor DNSName is "
				 "set", n->name);
	t->user = node_field(n, "SSHUser");
	if (!t->user)
		return error_why(why, "%s: SSHUser is not set", n->name);
	t->privkey_path = fanout_key_path(n, NULL);
	if (pw && !(only && !strcmp(only, "true")))
		t->password = pw;
	if (!t->privkey_path && !t->password)
		return error_why(why, "%s: neither SSHPrivateKey nor "
				 "SSHPassword is set", n->name);
	t->port = test_port();
	t->hostkey_policy = policy;
	*kh_out = xasprintf("%s/" FANOUT_KNOWN_HOSTS, state_dir);
	t->known_hosts_path = *kh_out;
	return 0;
}

/* Fails r with the SSH layer's message of the call that failed on c. */
static void fail_with_ssh_error(struct fanout_result *r,
				const struct ssh_conn *c, const char *fallback)
{
	fanout_fail(r, "%s", ssh_error(c) ? ssh_error(c) : fallback);
}

int fanout_connect(struct fanout *f, const struct node *n,
		   const char *state_dir, enum ssh_hostkey_policy policy,
		   struct fanout_result *r, struct ssh_conn **out)
{
	struct ssh_target t;
	struct ssh_retry retry;
	char *kh = NULL, *why = NULL;
	int rc;

	*out = NULL;
	/* provision waits for booting hosts (MaxConnectAttempts), later
	 * commands retry RetryCount times; both RetryInterval apart */
	retry.attempts = policy == HOSTKEY_PIN_NEW ?
		node_field_int(n, "MaxConnectAttempts", 60, 1, 1000) :
		node_field_int(n, "RetryCount", 3, 1, 1000);
	retry.interval_ms = node_field_int(n, "RetryInterval", 5000, 0, 600000);
	if (fanout_target(n, state_dir, policy, &t, &kh, &why)) {
		rc = -1;
		goto out;
	}
	fanout_handshake_enter(f);
	rc = ssh_connect_retry(&t, &retry, out, &why);
	fanout_handshake_leave(f);
out:
	if (rc)
		fanout_fail(r, "%s", why ? why : "cannot connect");
	free(why);
	free(kh);
	return rc ? -1 : 0;
}

/* fanout_exec()'s per-node work. */
struct exec_job {
	const struct fanout_exec_opts *o;
	struct node *const *nodes;
	char **outpath, **errpath;	/* per node, for the report */
};

static void exec_one(struct fanout *f, size_t i, struct fanout_result *r,
		     void *arg)
{
	struct exec_job *j = arg;
	const struct node *n = j->nodes[i];
	struct ssh_conn *c = NULL;

	if (j->o->local_path)
		say("Copying %s to %s:%s...", j->o->local_path, n->name,
		    j->o->remote_path ? j->o->remote_path : "~");
	else
		say("Executing command '%s' on %s...", j->o->shown ?
		    j->o->shown : j->o->command, n->name);
	if (fanout_connect(f, n, j->o->state_dir, HOSTKEY_STRICT, r, &c) == 0) {
		if (j->o->local_path) {
			r->exit_status = 0;
			if (ssh_upload(c, j->o->local_path, j->o->remote_path,
				       0)) {
				fail_with_ssh_error(r, c, "the copy failed");
				r->exit_status = -1;
			}
		} else if (ssh_exec(c, j->o->command, NULL, &r->out, &r->err,
				    &r->exit_status)) {
			fail_with_ssh_error(r, c, "the command did not run");
			r->exit_status = -1;
		} else if (r->exit_status) {
			fanout_fail(r, "exit status %d", r->exit_status);
		}
		ssh_close(c);
	}
	if (!fanout_write_outputs(j->o->state_dir, n, j->o->file, r,
				  &j->outpath[i], &j->errpath[i]))
		say("...output in %s", j->outpath[i]);
}

int fanout_write_outputs(const char *state_dir, const struct node *n,
			 const char *file, struct fanout_result *r,
			 char **outpath, char **errpath)
{
	char *name_out = xasprintf("%s.out", file);
	char *name_err = xasprintf("%s.err", file);
	struct buf errtext;
	int rc = 0;

	/* <file>.err: the command's stderr, then why it failed */
	buf_init(&errtext, SSH_CAP_OUTPUT + BUF_CAP_LINE);
	if (r->err.len && buf_add(&errtext, r->err.data, r->err.len))
		buf_release(&errtext);
	if (r->reason && r->exit_status < 0 &&
	    buf_addf(&errtext, "%s\n", r->reason))
		buf_release(&errtext);
	if (nodeout_write(state_dir, n, name_out,
			  r->out.data ? r->out.data : "", outpath) ||
	    nodeout_write(state_dir, n, name_err,
			  errtext.data ? errtext.data : "", errpath))
		rc = fanout_fail(r, "cannot write the output files");
	buf_release(&errtext);
	free(name_out);
	free(name_err);
	return rc;
}

/* Prints text (possibly several lines) to the console and icm.log. */
static void echo(const struct buf *b, bool to_stderr)
{
	char *s, *line, *save = NULL;

	if (!b->len)
		return;
	s = xstrndup(b->data, b->len);
	for (line = strtok_r(s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (to_stderr)
			error_raw("%s", line);
		else
			say("%s", line);
	}
	free(s);
}

int fanout_report(struct node *const *nodes, size_t n,
		  const struct fanout_result *res, char *const *errpath,
		  bool echo_one, cJSON **response)
{
	cJSON *arr = NULL;
	size_t i, failed = 0;

	if (n == 1 && echo_one) {
		echo(&res[0].out, false);
		echo(&res[0].err, true);
	}
	for (i = 0; i < n; i++)
		failed += res[i].failed;
	if (failed)
		arr = cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		const char *file;
		cJSON *o1, *o2;

		if (!res[i].failed)
			continue;
		file = errpath && errpath[i] ? errpath[i] : "";
		if (*file)
			error("%s: %s; see %s", nodes[i]->name,
			      res[i].reason, file);
		else
			error("%s: %s", nodes[i]->name, res[i].reason);
		o1 = cJSON_CreateObject();
		o2 = cJSON_CreateObject();
		cJSON_AddStringToObject(o2, "error", res[i].reason ?
					res[i].reason : "failed");
		if (*file)
			cJSON_AddStringToObject(o2, "file", file);
		if (res[i].exit_status >= 0)
			cJSON_AddNumberToObject(o2, "exitValue",
						res[i].exit_status);
		cJSON_AddItemToObject(o1, nodes[i]->name, o2);
		cJSON_AddItemToArray(arr, o1);
	}
	if (response && arr) {
		cJSON_Delete(*response);
		*response = arr;
		arr = NULL;
	}
	cJSON_Delete(arr);
	return failed ? -1 : 0;
}

int fanout_exec(struct node *const *nodes, size_t n,
		const struct fanout_exec_opts *o, cJSON **response)
{
	struct fanout_result *res = xcalloc(n ? n : 1, sizeof(*res));
	struct exec_job j = { o, nodes, NULL, NULL };
	size_t i, failed;

	j.outpath = xcalloc(n ? n : 1, sizeof(char *));
	j.errpath = xcalloc(n ? n : 1, sizeof(char *));
	failed = fanout_run(n, &o->pool, exec_one, &j, res);
	fanout_report(nodes, n, res, j.errpath, true, response);
	for (i = 0; i < n; i++) {
		free(j.outpath[i]);
		free(j.errpath[i]);
	}
	free(j.outpath);
	free(j.errpath);
	fanout_results_release(res, n);
	free(res);
	return failed ? -1 : 0;
}
