/*
 * dnode.c: the container commands' per-node fan-out (see dnode.h).
 */
#include "dnode.h"
#include "../node/address.h"
#include "../state/log.h"
#include "../state/pki.h"
#include "../util/fs.h"
#include "../util/str.h"

#define CLIENT_DIR PKI_DIR "/client"

int dnode_check_pki(const char *state_dir)
{
	static const char *const files[] = {
		PKI_DIR "/ca.pem", CLIENT_DIR "/cert.pem",
		CLIENT_DIR "/key.pem",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		char *p = xasprintf("%s/%s", state_dir, files[i]);
		bool ok = fs_exists(p);

		if (!ok) {
			error("%s is missing: the Docker daemons accept only "
			      "the deployment's client certificate (run icm "
			      "provision, or icm keygen tls -renew)", p);
			free(p);
			return -1;
		}
		free(p);
	}
	return 0;
}

int dnode_target(const char *state_dir, const struct node *n,
		 struct docker_target *t, char **why)
{
	char *ip = NULL, *reason = NULL;

	memset(t, 0, sizeof(*t));
	if (node_address_numeric(n, &ip, &reason)) {
		error_why(why, "%s: %s", n->name, reason);
		free(reason);
		return -1;
	}
	t->name = n->name;
	t->ip = ip;
	t->port = DOCKER_PORT;
	t->ca_file = xasprintf("%s/" PKI_DIR "/ca.pem", state_dir);
	t->cert_file = xasprintf("%s/" CLIENT_DIR "/cert.pem", state_dir);
	t->key_file = xasprintf("%s/" CLIENT_DIR "/key.pem", state_dir);
	return 0;
}

void dnode_target_release(struct docker_target *t)
{
	free((char *)t->ip);
	free((char *)t->ca_file);
	free((char *)t->cert_file);
	free((char *)t->key_file);
	memset(t, 0, sizeof(*t));
}

struct djob {
	const struct dnode_env *env;
	dnode_fn fn;
	void *arg;
	const struct dnode_opts *o;
	char **outpath, **errpath;
};

static void one(struct fanout *f, size_t i, struct fanout_result *r,
		void *arg)
{
	struct djob *j = arg;
	struct dnode x = { j->env, j->env->nodes[i], i, NULL, r, j->arg, f };
	struct docker_target t;
	char *why = NULL;

	r->exit_status = 0;
	if (!j->o->no_docker) {
		if (dnode_target(j->env->state_dir, x.n, &t, &why)) {
			fanout_fail(r, "%s", why);
			free(why);
			r->exit_status = -1;
			goto files;
		}
		if (docker_open(&t, &x.d, &why)) {
			fanout_fail(r, "cannot reach Docker on %s "
				    "(https://%s:%d at %s): %s", x.n->name,
				    t.name, t.port, t.ip,
				    why ? why : "no answer");
			r->exit_status = -1;
			free(why);
			dnode_target_release(&t);
			goto files;
		}
		dnode_target_release(&t);
	}
	if (j->fn(&x) && r->exit_status == 0)
		r->exit_status = -1;
	docker_close(x.d);
files:
	if (!fanout_write_outputs(j->env->state_dir, x.n,
				  j->o->file ? j->o->file : "docker", r,
				  &j->outpath[i], &j->errpath[i]) &&
	    j->o->say_output)
		say("...output in %s", j->outpath[i]);
}

int dnode_fail(struct dnode *x, const char *what)
{
	return fanout_fail(x->r, "%s: %s", what, docker_errmsg(x->d));
}

const char *dnode_field(const struct dnode *x, const char *field)
{
	return x->env->field(x->env->field_arg, x->n, field);
}

int dnode_run(const struct dnode_env *env, dnode_fn fn, void *arg,
	      const struct dnode_opts *o, bool *done)
{
	size_t n = env->n, i;
	struct fanout_result *res = xcalloc(n ? n : 1, sizeof(*res));
	struct fanout_opts fo = { fanout_parallel_opt(env->parallel), 0 };
	struct djob j = { env, fn, arg, o, NULL, NULL };
	int rc;

	docker_global_init();
	j.outpath = xcalloc(n ? n : 1, sizeof(char *));
	j.errpath = xcalloc(n ? n : 1, sizeof(char *));
	fanout_run(n, &fo, one, &j, res);
	rc = fanout_report(env->nodes, n, res, j.errpath, o->echo_one,
			   env->response);
	for (i = 0; i < n; i++) {
		if (done)
			done[i] = !res[i].failed;
		free(j.outpath[i]);
		free(j.errpath[i]);
	}
	free(j.outpath);
	free(j.errpath);
	fanout_results_release(res, n);
	free(res);
	return rc;
}

int dnode_interactive(const struct dnode_env *env, const char *container,
		      const struct docker_exec *x)
{
	struct docker_exec e = *x;
	struct docker_target t;
	struct docker *d = NULL;
	char *why = NULL;
	int code = -1, ret = -1;

	if (env->n != 1)
		return error("Interactive commands cannot match more than one "
			     "instance");
	if (dnode_check_pki(env->state_dir) ||
	    dnode_target(env->state_dir, env->nodes[0], &t, NULL))
		return -1;
	docker_global_init();
	if (docker_open(&t, &d, &why)) {
		error("cannot reach Docker on %s: %s", env->nodes[0]->name,
		      why ? why : "no answer");
		goto out;
	}
	e.interactive = e.tty = true;
	if (docker_exec(d, container, &e, NULL, NULL, &code)) {
		error("%s: %s", env->nodes[0]->name, docker_errmsg(d));
		goto out;
	}
	ret = code ? -1 : 0;
out:
	free(why);
	docker_close(d);
	dnode_target_release(&t);
	return ret;
}
