/*
 * deploy.c: run and upgrade on one node (see deploy.h).
 */
#include "deploy.h"
#include "conf.h"
#include "phases.h"
#include "../cloud/sigv4.h"
#include "../docker/runopts.h"
#include "../docker/tar.h"
#include "../state/log.h"
#include "../state/pki.h"
#include "../util/fs.h"
#include "../util/sleep.h"
#include "../util/str.h"
#include <bearssl.h>

#define NEW_SUFFIX ".icm-new"
#define LABEL_SPEC "org.icm.spec"
#define LABEL_MACHINE "org.icm.machine"
#define LABEL_OPTIONS "org.icm.options"
#define LABEL_COMMAND "org.icm.command"
#define LABEL_LICENSE "org.icm.license"	/* SHA-256 of the ISCLicense key */
#define MERGE_FILE "icm/merge.cpf"	/* under DataMountPoint */

/* Field f of node n as the command sees it. */
static const char *field(const struct dnode_env *env, const struct node *n,
			 const char *f)
{
	return env->field(env->field_arg, n, f);
}

/* An InterSystems IRIS image: the repository's last part names IRIS
 * (iris, iris-community, irishealth, iris-ml, iris-arm64, ...). */
bool deploy_iris_image(const char *image)
{
	const char *slash = strrchr(image, '/');
	const char *base = slash ? slash + 1 : image;

	return !strncmp(base, "iris", 4);
}

/* An InterSystems Web Gateway image (webgateway, webgateway-nginx, ...). */
bool deploy_gateway_image(const char *image)
{
	const char *slash = strrchr(image, '/');

	return !strncmp(slash ? slash + 1 : image, "webgateway", 10);
}

bool deploy_field_true(const char *v, bool dflt)
{
	if (!v)
		return dflt;
	return !strcasecmp(v, "true") || !strcmp(v, "1");
}

/* ------------------------------------------------------------ the spec */

struct runspec {
	const char *name;	/* container */
	const char *image;
	const char *options;	/* -options, or NULL */
	const char *command;	/* -command, or NULL */
};

static const char *const volume_fields[] = {
	"DataMountPoint", "WIJMountPoint", "Journal1MountPoint",
	"Journal2MountPoint",
};

const char *deploy_node_license(dnode_field_fn field_of, const void *arg,
				const struct node *n)
{
	return role_is_iris(n->role) ? field_of(arg, n, "ISCLicense") : NULL;
}

/*
 * The node's ISCLicense key (read by copy_license() into the new
 * container as <DataMountPoint>/IRIS_LICENSE_KEY): iris-main's --key, and
 * its SHA-256 as a label, so a changed key file makes a new container.
 */
static int license_spec(const struct dnode_env *denv, const struct node *n,
			const char *data, const struct runspec *rs, cJSON *c,
			char **why)
{
	struct buf key;
	char hex[65];
	char *v;

	buf_init(&key, LICENSE_KEY_CAP);
	if (license_key_read(n->name, "ISCLicense",
			     deploy_node_license(denv->field, denv->field_arg,
						 n),
			     &key, why)) {
		buf_release(&key);
		return -1;
	}
	sigv4_sha256_hex(key.data, key.len, hex);
	buf_release(&key);
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(c, "Labels"),
				LABEL_LICENSE, hex);
	if (!rs->command) {
		cJSON *cmd = cJSON_AddArrayToObject(c, "Cmd");

		v = xasprintf("%s/" IRIS_LICENSE_KEY, data);
		cJSON_AddItemToArray(cmd, cJSON_CreateString("--key"));
		cJSON_AddItemToArray(cmd, cJSON_CreateString(v));
		free(v);
	}
	return 0;
}

/*
 * The create body for node n (without the spec label).  -1 reported
 * (a bad -options or -command, an unreadable ISCLicense).
 */
static int container_spec(const struct dnode_env *denv, const struct node *n,
			  const struct runspec *rs, cJSON **out, char **why)
{
	cJSON *c = cJSON_CreateObject(), *h, *labels, *rp;
	bool iris = !strcmp(rs->name, DEPLOY_CONTAINER);
	char *host = xasprintf("%s-%s", rs->name, n->name);
	size_t i;

	cJSON_AddStringToObject(c, "Image", rs->image);
	cJSON_AddStringToObject(c, "Hostname", host);
	free(host);
	labels = cJSON_AddObjectToObject(c, "Labels");
	cJSON_AddStringToObject(labels, LABEL_MACHINE, n->name);
	if (rs->options)
		cJSON_AddStringToObject(labels, LABEL_OPTIONS, rs->options);
	if (rs->command)
		cJSON_AddStringToObject(labels, LABEL_COMMAND, rs->command);
	if (iris && deploy_iris_image(rs->image)) {
		const char *data = field(denv, n, "DataMountPoint");
		const char *lic = field(denv, n, "LicenseDir");
		const char *key = field(denv, n, "LicenseKey");
		cJSON *env = cJSON_AddArrayToObject(c, "Env");
		char *v;

		if (data) {
			v = xasprintf("ISC_DATA_DIRECTORY=%s/IRIS", data);
			cJSON_AddItemToArray(env, cJSON_CreateString(v));
			free(v);
			v = xasprintf("ISC_CPF_MERGE_FILE=%s/" MERGE_FILE,
				      data);
			cJSON_AddItemToArray(env, cJSON_CreateString(v));
			free(v);
		}
		if (data && deploy_node_license(denv->field, denv->field_arg,
						n)) {
			if (license_spec(denv, n, data, rs, c, why))
				goto fail;
		} else if (data && lic && key && !rs->command) {
			const char *base = strrchr(lic, '/');
			cJSON *cmd = cJSON_AddArrayToObject(c, "Cmd");

			base = base && base[1] ? base + 1 : lic;
			v = xasprintf("%s/%s/%s", data, base, key);
			cJSON_AddItemToArray(cmd, cJSON_CreateString("--key"));
			cJSON_AddItemToArray(cmd, cJSON_CreateString(v));
			free(v);
		}
	}
	if (iris && deploy_gateway_image(rs->image) && !strcmp(n->role, "WS")) {
		cJSON *env = cJSON_AddArrayToObject(c, "Env");

		cJSON_AddItemToArray(env, cJSON_CreateString(
			"ISC_CSP_INI_FILE=" IRIS_GATEWAY_INI));
	}
	if (rs->command) {
		char **argv = NULL;
		int argc = 0, k;
		cJSON *cmd;

		if (words_split(rs->command, "-command", &argv, &argc, why))
			goto fail;
		cmd = cJSON_AddArrayToObject(c, "Cmd");
		for (k = 0; k < argc; k++)
			cJSON_AddItemToArray(cmd, cJSON_CreateString(argv[k]));
		words_free(argv);
	}
	h = cJSON_AddObjectToObject(c, "HostConfig");
	cJSON_AddStringToObject(h, "NetworkMode", "host");
	rp = cJSON_AddObjectToObject(h, "RestartPolicy");
	cJSON_AddStringToObject(rp, "Name", "unless-stopped");
	if (!deploy_iris_image(rs->image) &&
	    deploy_field_true(field(denv, n, "DockerInit"), true))
		cJSON_AddBoolToObject(h, "Init", 1);
	if (iris) {
		cJSON *binds = cJSON_AddArrayToObject(h, "Binds");

		for (i = 0; i < ARRAY_SIZE(volume_fields); i++) {
			const char *mp = field(denv, n, volume_fields[i]);
			char *b;

			if (!mp)
				continue;
			b = xasprintf("%s:%s", mp, mp);
			cJSON_AddItemToArray(binds, cJSON_CreateString(b));
			free(b);
		}
	}
	if (runopts_apply(rs->options, c, why))
		goto fail;
	*out = c;
	return 0;
fail:
	cJSON_Delete(c);
	return -1;
}

/* Hex SHA-256 of the body and the image ID: the container's identity. */
static char *spec_hash(const cJSON *body, const char *image_id)
{
	br_sha256_context h;
	unsigned char md[32];
	char *text = cJSON_PrintUnformatted(body), *hex = xmalloc(65);
	size_t i;

	br_sha256_init(&h);
	br_sha256_update(&h, text, strlen(text));
	br_sha256_update(&h, "\n", 1);
	br_sha256_update(&h, image_id ? image_id : "", image_id ?
			 strlen(image_id) : 0);
	br_sha256_out(&h, md);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	cJSON_free(text);
	return hex;
}

const char *deploy_label(const cJSON *inspect, const char *label)
{
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(inspect, "Config");
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cfg, "Labels"), label);

	return cJSON_IsString(l) ? l->valuestring : NULL;
}

bool deploy_running(const cJSON *inspect)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(inspect, "State");

	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "Running"));
}

/* The node's ISCLicense key file, copied into the iris container as
 * <DataMountPoint>/IRIS_LICENSE_KEY, owned by irisowner: the key
 * container_spec() gave iris-main with --key. */
static int copy_license_key(struct dnode *x, const char *cname)
{
	const char *path = deploy_node_license(x->env->field, x->env->field_arg,
					       x->n);
	const char *data = field(x->env, x->n, "DataMountPoint");
	struct buf key, tar;
	char *why = NULL;
	int ret = -1;

	buf_init(&key, LICENSE_KEY_CAP);
	buf_init(&tar, LICENSE_KEY_CAP + BUF_CAP_LINE);
	if (license_key_read(x->n->name, "ISCLicense", path, &key, &why)) {
		fanout_fail(x->r, "%s", why);
		goto out;
	}
	say("Copying license key %s to %s...", path, x->n->name);
	if (tar_mem_entry(&tar, IRIS_ICM_DIR "/", NULL, 0, 0755, IRIS_OWNER,
			  &why) ||
	    tar_mem_entry(&tar, IRIS_LICENSE_DIR "/", NULL, 0, 0755,
			  IRIS_OWNER, &why) ||
	    tar_mem_entry(&tar, IRIS_LICENSE_KEY, key.data, key.len, 0644,
			  IRIS_OWNER, &why) || tar_mem_end(&tar, &why))
		fanout_fail(x->r, "cannot pack the license key: %s", why);
	else if (docker_put_archive(x->d, cname, data, tar.data, tar.len))
		dnode_fail(x, "cannot copy the license key");
	else
		ret = 0;
out:
	free(why);
	buf_release(&key);
	buf_release(&tar);
	return ret;
}

/* The license directory, copied into the iris container under
 * <DataMountPoint> (a durable volume) by its own name, e.g.
 * /irissys/data/license/: iris-main's --key and the license server read
 * the keys there. */
static int copy_license(struct dnode *x, const char *name,
			const char *cname)
{
	const char *dir = field(x->env, x->n, "LicenseDir");
	const char *data = field(x->env, x->n, "DataMountPoint");
	struct buf tar;
	char *why = NULL;
	int ret;

	if (!data || strcmp(name, DEPLOY_CONTAINER))
		return 0;
	if (deploy_node_license(x->env->field, x->env->field_arg,
					       x->n))
		return copy_license_key(x, cname);
	if (!dir)
		return 0;
	if (!fs_is_dir(dir))
		return fanout_fail(x->r, "LicenseDir '%s' is not a directory",
				   dir);
	say("Copying license directory %s to %s...", dir, x->n->name);
	buf_init(&tar, DOCKER_CAP_ARCHIVE);
	if (tar_pack(dir, &tar, &why)) {
		buf_release(&tar);
		fanout_fail(x->r, "cannot pack LicenseDir '%s': %s", dir, why);
		free(why);
		return -1;
	}
	ret = docker_put_archive(x->d, cname, data, tar.data, tar.len) ?
		dnode_fail(x, "cannot copy the license directory") : 0;
	buf_release(&tar);
	return ret;
}

/* The iris container's first-start merge file, staged on the data
 * volume as <DataMountPoint>/icm/merge.cpf (ISC_CPF_MERGE_FILE). */
static int stage_merge(struct dnode *x, const char *cname)
{
	const struct runjob *j = x->arg;
	const struct dnode_env *env = x->env;
	const struct node *n = x->n;
	const char *data = field(env, n, "DataMountPoint");
	struct iris_merge_in in;
	struct buf text, tar;
	char *why = NULL;
	int ret = -1;

	if (!data)
		return 0;
	iris_merge_fields(env, n, &in);
	in.password_hash = j->password_hash;
	buf_init(&text, BUF_CAP_CONFIG);
	buf_init(&tar, BUF_CAP_CONFIG + BUF_CAP_LINE);
	if (iris_merge_text(&in, &text, &why) ||
	    tar_mem_entry(&tar, "icm/", NULL, 0, 0755, IRIS_OWNER, &why) ||
	    tar_mem_entry(&tar, MERGE_FILE, text.data, text.len, 0644,
			  IRIS_OWNER, &why) || tar_mem_end(&tar, &why))
		fanout_fail(x->r, "cannot stage the merge file: %s", why);
	else if (docker_put_archive(x->d, cname, data, tar.data, tar.len))
		dnode_fail(x, "cannot copy the merge file into the container");
	else
		ret = 0;
	free(why);
	buf_wipe(&text);
	buf_wipe(&tar);
	return ret;
}

/* Stops and removes the container name that a new one replaces;
 * upgrade says so in ICM's words (the guide's "icm upgrade", which names
 * the machine as "container <machine>"). */
static int replace_old(struct dnode *x, const char *name, bool iris,
		       bool upgrade)
{
	const char *m = x->n->name;

	if (upgrade)
		say("Stopping container %s...", m);
	if (docker_stop(x->d, name, iris ? DEPLOY_STOP_IRIS_S :
			DEPLOY_STOP_OTHER_S))
		return dnode_fail(x, "cannot stop the old container");
	if (upgrade) {
		say("...completed stop of container %s", m);
		say("Removing container %s...", m);
	}
	if (docker_remove(x->d, name, true) < 0)
		return dnode_fail(x, "cannot remove the old container");
	if (upgrade)
		say("...removed container %s", m);
	return 0;
}

/* Makes the container name on x's node the one rs describes: ICM's run
 * lines, or with upgrade the guide's upgrade sequence. */
static int converge(struct dnode *x, const struct runspec *rs)
{
	const struct runjob *j = x->arg;
	char *tmp = xasprintf("%s" NEW_SUFFIX, rs->name), *hash = NULL;
	char *image_id = NULL, *id = NULL, *why = NULL;
	cJSON *spec = NULL, *cur = NULL;
	int rc, ret = -1;
	bool iris = deploy_iris_image(rs->image), upgrade = j->upgrade;

	if (container_spec(x->env, x->n, rs, &spec, &why)) {
		fanout_fail(x->r, "%s", why);
		goto out;
	}
	if (docker_image_exists(x->d, rs->image, &image_id) < 0) {
		dnode_fail(x, "cannot look up the image");
		goto out;
	}
	hash = spec_hash(spec, image_id);
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(spec,
								 "Labels"),
				LABEL_SPEC, hash);
	/* a container a killed run left half-made */
	if (docker_remove(x->d, tmp, true) < 0) {
		dnode_fail(x, "cannot remove a leftover container");
		goto out;
	}
	rc = docker_inspect(x->d, rs->name, &cur);
	if (rc < 0) {
		dnode_fail(x, "cannot inspect the container");
		goto out;
	}
	if (rc == 1 && deploy_label(cur, LABEL_SPEC) &&
	    !strcmp(deploy_label(cur, LABEL_SPEC), hash)) {
		if (!deploy_running(cur)) {
			say("Starting container %s on %s...", rs->name,
			    x->n->name);
			if (docker_start(x->d, rs->name)) {
				dnode_fail(x, "cannot start the container");
				goto out;
			}
		} else {
			say("Container %s on %s is up to date", rs->name,
			    x->n->name);
		}
		if (buf_addf(&x->r->out, "%s: up to date (%s)\n", rs->name,
			     rs->image)) {
			/* over the cap: the note is dropped */
		}
		ret = 0;
		goto out;
	}
	if (!upgrade) {
		say("Running container %s on %s...", rs->name, x->n->name);
		say("Creating container %s on %s...", rs->name, x->n->name);
	}
	if (docker_create(x->d, tmp, spec, &id)) {
		dnode_fail(x, "cannot create the container");
		goto out;
	}
	if ((iris && copy_license(x, rs->name, tmp)) ||
	    (iris && !strcmp(rs->name, DEPLOY_CONTAINER) &&
	     stage_merge(x, tmp)))
		goto out;
	if (rc == 1 && replace_old(x, rs->name, iris, upgrade))
		goto out;
	if (docker_rename(x->d, tmp, rs->name)) {
		dnode_fail(x, "cannot rename the new container");
		goto out;
	}
	if (upgrade)
		say("Running image %s in container %s...", rs->image,
		    x->n->name);
	else
		say("Starting container %s on %s...", rs->name, x->n->name);
	if (docker_start(x->d, rs->name)) {
		dnode_fail(x, "cannot start the container");
		goto out;
	}
	if (upgrade)
		say("...running image %s in container %s", rs->image,
		    x->n->name);
	if (buf_addf(&x->r->out, "%s: %s (%s)\n", rs->name, id, rs->image)) {
		/* over the cap: the note is dropped */
	}
	ret = 0;
out:
	cJSON_Delete(spec);
	cJSON_Delete(cur);
	free(image_id);
	free(hash);
	free(id);
	free(tmp);
	free(why);
	return ret;
}

/* upgrade: the -options/-command the running container was made with. */
static void previous_args(struct dnode *x, const char *name,
			  char **options, char **command)
{
	cJSON *cur = NULL;
	const char *v;

	*options = *command = NULL;
	if (docker_inspect(x->d, name, &cur) != 1)
		return;
	if ((v = deploy_label(cur, LABEL_OPTIONS)))
		*options = xstrdup(v);
	if ((v = deploy_label(cur, LABEL_COMMAND)))
		*command = xstrdup(v);
	cJSON_Delete(cur);
}

/*
 * Pulls image on x's node (or loads -imageArchive).  The lines: run's
 * "Pulling image <i> on <m>...", or with guide_lines the guide's
 * "Pulling <m> image <i>..." / "...pulled <m> image <i>" (pull,
 * upgrade).
 */
int deploy_fetch_image(struct dnode *x, const struct runjob *j,
		       const char *image, bool guide_lines)
{
	const char *m = x->n->name;
	char *reason = NULL;

	if (j->archive)
		say("Loading image archive %s on %s...", j->archive, m);
	else if (guide_lines)
		say("Pulling %s image %s...", m, image);
	else
		say("Pulling image %s on %s...", image, m);
	if (image_fetch(x->d, image, j->archive, j->creds, &x->r->out,
			&reason)) {
		fanout_fail(x->r, "%s", reason);
		free(reason);
		return -1;
	}
	if (!j->archive && guide_lines)
		say("...pulled %s image %s", m, image);
	return 0;
}

/*
 * docker login on x's daemon, which asks the registry: a registry that
 * did not answer in time (a busy network, a registry restarting) is asked
 * again, RetryCount times in all, RetryInterval apart, as ICM retried its
 * commands; refused credentials are not.
 */
static int login(struct dnode *x, const struct image_creds *c)
{
	int tries = node_field_int(x->n, "RetryCount", 3, 1, 1000);
	int pause = node_field_int(x->n, "RetryInterval", 5000, 0, 600000);
	const struct docker_auth a = { c->registry, c->username, c->password };

	for (;;) {
		if (!docker_login(x->d, &a))
			return 0;
		if (--tries <= 0 || strcasestr(docker_errmsg(x->d),
					       "unauthorized"))
			return -1;
		debug("%s: docker login: %s (trying again)", x->n->name,
		      docker_errmsg(x->d));
		sleep_ms(pause);
	}
}

int deploy_run_one(struct dnode *x)
{
	struct runjob *j = x->arg;
	struct runspec rs;
	char *old_opts = NULL, *old_cmd = NULL;
	int ret = -1;

	rs.name = j->name;
	rs.image = field(x->env, x->n, "DockerImage");
	rs.options = j->options;
	rs.command = j->command;
	if (!rs.image)
		return fanout_fail(x->r, "no DockerImage for %s (set it in "
				   "the definitions or use -image)",
				   x->n->name);
	if (j->upgrade) {
		previous_args(x, rs.name, &old_opts, &old_cmd);
		if (!rs.options)
			rs.options = old_opts;
		if (!rs.command)
			rs.command = old_cmd;
	}
	if (j->creds->set && !j->archive) {
		say("Executing command 'docker login' on %s...", x->n->name);
		if (login(x, j->creds)) {
			dnode_fail(x, "docker login failed");
			goto out;
		}
		if (buf_adds(&x->r->out, "Login Succeeded\n")) {
			/* over the cap */
		}
	}
	if (deploy_fetch_image(x, j, rs.image, j->upgrade))
		goto out;
	ret = converge(x, &rs);
	if (!ret && deploy_iris_image(rs.image) &&
	    !strcmp(rs.name, DEPLOY_CONTAINER))
		ret = iris_wait_running(x, rs.name);
out:
	free(old_opts);
	free(old_cmd);
	return ret;
}
