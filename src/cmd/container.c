/*
 * container.c: the container commands over the Docker Engine API (mutual
 * TLS, dnode.h): run, ps, stop, start, pull, rm, upgrade, exec, cp, and
 * docker (the docker CLI on the node, over SSH).
 *
 * run converges each node to the wanted container instead of ICM's
 * "stop, remove, recreate": the wanted container is described by the
 * create body icm builds (container_spec()), whose SHA-256 together with
 * the image ID is the label org.icm.spec.  A node whose container has that
 * label and runs is left alone; otherwise the new container is created as
 * <name>.icm-new, the old one is stopped and removed, the new one renamed
 * and started.  A run killed anywhere leaves at most a stale <name>.icm-new
 * (removed by the next run) or the wanted container not yet started
 * (started by the next run); the next run converges.  upgrade is the same
 * with the new image, reusing the -options and -command the container was
 * run with (labels org.icm.options, org.icm.command) unless given again.
 *
 * Container defaults (icm-reference §7.3): name iris, hostname
 * <container>-<machine>, restart unless-stopped, host networking, --init
 * for images that are not InterSystems IRIS (DockerInit), and for the
 * iris container the IRIS volumes bound at their mount points and the
 * license directory copied in.
 */
#include "dnode.h"
#include "runtime.h"
#include "irisconf.h"
#include "../config/instances.h"
#include "../docker/image.h"
#include "../docker/runopts.h"
#include "../docker/tar.h"
#include "../cloud/sigv4.h"
#include "../iris/merge.h"
#include "../iris/phases.h"
#include "../iris/qlist.h"
#include "../node/address.h"
#include "../node/ssh.h"
#include "../state/log.h"
#include "../state/output.h"
#include "../util/fs.h"
#include "../util/str.h"
#include "../util/term.h"
#include <bearssl.h>

#define DEFAULT_CONTAINER "iris"
#define NEW_SUFFIX ".icm-new"
#define LABEL_SPEC "org.icm.spec"
#define LABEL_MACHINE "org.icm.machine"
#define LABEL_OPTIONS "org.icm.options"
#define LABEL_COMMAND "org.icm.command"
#define LABEL_LICENSE "org.icm.license"	/* SHA-256 of the ISCLicense key */
#define STOP_IRIS_S 60		/* IRIS needs time for a clean shutdown */
#define STOP_OTHER_S 10		/* docker's default */
#define MERGE_FILE "icm/merge.cpf"	/* under DataMountPoint */
#define IRIS_POLL_MS 2000
#define IRIS_OWNER 51773	/* irisowner in InterSystems images */
#define MIRROR_WAIT_MS 600000L	/* an upgraded backup back in its mirror */

static const char *container_name(const struct ctx *ctx)
{
	const char *c = opt_str(&ctx->opts, OPT_CONTAINER);

	return c && *c ? c : DEFAULT_CONTAINER;
}

/*
 * What every container command checks first: the deployment's
 * certificates are there.  (-container is a name Docker takes: main.c
 * checks it by the rule "container" before any command runs.)
 */
static int container_cmd_check(const struct ctx *ctx)
{
	return dnode_check_pki(ctx->state_dir);
}

/* An InterSystems IRIS image: the repository's last part names IRIS
 * (iris, iris-community, irishealth, iris-ml, iris-arm64, ...). */
static bool iris_image(const char *image)
{
	const char *slash = strrchr(image, '/');
	const char *base = slash ? slash + 1 : image;

	return !strncmp(base, "iris", 4);
}

/* An InterSystems Web Gateway image (webgateway, webgateway-nginx, ...). */
static bool gateway_image(const char *image)
{
	const char *slash = strrchr(image, '/');

	return !strncmp(slash ? slash + 1 : image, "webgateway", 10);
}

static bool field_true(const char *v, bool dflt)
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

/* The node's ISCLicense key file: IRIS roles only (it is ignored on the
 * others, as LicenseKey is). */
static const char *node_license(const struct ctx *ctx, const struct node *n)
{
	return role_is_iris(n->role) ? ctx_field(ctx, n, "ISCLicense") : NULL;
}

/*
 * The node's ISCLicense key (read by copy_license() into the new
 * container as <DataMountPoint>/IRIS_LICENSE_KEY): iris-main's --key, and
 * its SHA-256 as a label, so a changed key file makes a new container.
 */
static int license_spec(const struct ctx *ctx, const struct node *n,
			const char *data, const struct runspec *rs, cJSON *c,
			char **why)
{
	struct buf key;
	char hex[65];
	char *v;

	buf_init(&key, LICENSE_KEY_CAP);
	if (license_key_read(n->name, "ISCLicense", node_license(ctx, n),
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
static int container_spec(const struct ctx *ctx, const struct node *n,
			  const struct runspec *rs, cJSON **out, char **why)
{
	cJSON *c = cJSON_CreateObject(), *h, *labels, *rp;
	bool iris = !strcmp(rs->name, DEFAULT_CONTAINER);
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
	if (iris && iris_image(rs->image)) {
		const char *data = ctx_field(ctx, n, "DataMountPoint");
		const char *lic = ctx_field(ctx, n, "LicenseDir");
		const char *key = ctx_field(ctx, n, "LicenseKey");
		cJSON *env = cJSON_AddArrayToObject(c, "Env");
		char *v;

		if (data) {
			v = xasprintf("ISC_DATA_DIRECTORY=%s/IRIS", data);
			cJSON_AddItemToArray(env, cJSON_CreateString(v));
			free(v);
			v = xasprintf("ISC_CPF_MERGE_FILE=%s/" MERGE_FILE, data);
			cJSON_AddItemToArray(env, cJSON_CreateString(v));
			free(v);
		}
		if (data && node_license(ctx, n)) {
			if (license_spec(ctx, n, data, rs, c, why))
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
	if (iris && gateway_image(rs->image) && !strcmp(n->role, "WS")) {
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
	if (!iris_image(rs->image) &&
	    field_true(ctx_field(ctx, n, "DockerInit"), true))
		cJSON_AddBoolToObject(h, "Init", 1);
	if (iris) {
		cJSON *binds = cJSON_AddArrayToObject(h, "Binds");

		for (i = 0; i < ARRAY_SIZE(volume_fields); i++) {
			const char *mp = ctx_field(ctx, n, volume_fields[i]);
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

static const char *label_of(const cJSON *inspect, const char *label)
{
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(inspect, "Config");
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cfg, "Labels"), label);

	return cJSON_IsString(l) ? l->valuestring : NULL;
}

static bool running_of(const cJSON *inspect)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(inspect, "State");

	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "Running"));
}

static int dfail(struct dnode *x, const char *what)
{
	return fanout_fail(x->r, "%s: %s", what, docker_errmsg(x->d));
}

/* ------------------------------------------------------ mirror status */


/* A mirrored deployment: "Mirror" true on any node (ps shows the Mirror
 * column, upgrade orders the members). */
static bool deployment_mirrored(const struct ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->inst.n; i++)
		if (field_true(ctx_field(ctx, &ctx->inst.nodes[i], "Mirror"),
			       false))
			return true;
	return false;
}

/* ------------------------------------------------------- run, upgrade */

struct runjob {
	const char *archive;		/* -imageArchive, or NULL */
	const struct image_creds *creds;
	bool upgrade;
	char *password_hash;		/* IRIS: iris_password_hash() */
	char *password;			/* WS nodes' CSP.ini, or NULL */
};

/* The node's ISCLicense key file, copied into the iris container as
 * <DataMountPoint>/IRIS_LICENSE_KEY, owned by irisowner: the key
 * container_spec() gave iris-main with --key. */
static int copy_license_key(struct dnode *x, const char *cname)
{
	const char *path = node_license(x->ctx, x->n);
	const char *data = ctx_field(x->ctx, x->n, "DataMountPoint");
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
	if (tar_mem_entry(&tar, IRIS_ICM_DIR "/", NULL, 0, 0755, IRIS_OWNER, &why) ||
	    tar_mem_entry(&tar, IRIS_LICENSE_DIR "/", NULL, 0, 0755,
			  IRIS_OWNER, &why) ||
	    tar_mem_entry(&tar, IRIS_LICENSE_KEY, key.data, key.len, 0644,
			  IRIS_OWNER, &why) || tar_mem_end(&tar, &why))
		fanout_fail(x->r, "cannot pack the license key: %s", why);
	else if (docker_put_archive(x->d, cname, data, tar.data, tar.len))
		dfail(x, "cannot copy the license key");
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
	const char *dir = ctx_field(x->ctx, x->n, "LicenseDir");
	const char *data = ctx_field(x->ctx, x->n, "DataMountPoint");
	struct buf tar;
	char *why = NULL;
	int ret;

	if (!data || strcmp(name, DEFAULT_CONTAINER))
		return 0;
	if (node_license(x->ctx, x->n))
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
		dfail(x, "cannot copy the license directory") : 0;
	buf_release(&tar);
	return ret;
}

/* The iris container's first-start merge file, staged on the data
 * volume as <DataMountPoint>/icm/merge.cpf (ISC_CPF_MERGE_FILE). */
static int stage_merge(struct dnode *x, const char *cname)
{
	const struct runjob *j = x->arg;
	const struct ctx *ctx = x->ctx;
	const struct node *n = x->n;
	const char *data = ctx_field(ctx, n, "DataMountPoint");
	struct iris_merge_in in;
	struct buf text, tar;
	char *why = NULL;
	int ret = -1;

	if (!data)
		return 0;
	iris_merge_fields(ctx, n, &in);
	in.password_hash = j->password_hash;
	buf_init(&text, BUF_CAP_CONFIG);
	buf_init(&tar, BUF_CAP_CONFIG + BUF_CAP_LINE);
	if (iris_merge_text(&in, &text, &why) ||
	    tar_mem_entry(&tar, "icm/", NULL, 0, 0755, IRIS_OWNER, &why) ||
	    tar_mem_entry(&tar, MERGE_FILE, text.data, text.len, 0644,
			  IRIS_OWNER, &why) || tar_mem_end(&tar, &why))
		fanout_fail(x->r, "cannot stage the merge file: %s", why);
	else if (docker_put_archive(x->d, cname, data, tar.data, tar.len))
		dfail(x, "cannot copy the merge file into the container");
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
	if (docker_stop(x->d, name, iris ? STOP_IRIS_S : STOP_OTHER_S))
		return dfail(x, "cannot stop the old container");
	if (upgrade) {
		say("...completed stop of container %s", m);
		say("Removing container %s...", m);
	}
	if (docker_remove(x->d, name, true) < 0)
		return dfail(x, "cannot remove the old container");
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
	bool iris = iris_image(rs->image), upgrade = j->upgrade;

	if (container_spec(x->ctx, x->n, rs, &spec, &why)) {
		fanout_fail(x->r, "%s", why);
		goto out;
	}
	if (docker_image_exists(x->d, rs->image, &image_id) < 0) {
		dfail(x, "cannot look up the image");
		goto out;
	}
	hash = spec_hash(spec, image_id);
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(spec,
								 "Labels"),
				LABEL_SPEC, hash);
	/* a container a killed run left half-made */
	if (docker_remove(x->d, tmp, true) < 0) {
		dfail(x, "cannot remove a leftover container");
		goto out;
	}
	rc = docker_inspect(x->d, rs->name, &cur);
	if (rc < 0) {
		dfail(x, "cannot inspect the container");
		goto out;
	}
	if (rc == 1 && label_of(cur, LABEL_SPEC) &&
	    !strcmp(label_of(cur, LABEL_SPEC), hash)) {
		if (!running_of(cur)) {
			say("Starting container %s on %s...", rs->name,
			    x->n->name);
			if (docker_start(x->d, rs->name)) {
				dfail(x, "cannot start the container");
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
		dfail(x, "cannot create the container");
		goto out;
	}
	if ((iris && copy_license(x, rs->name, tmp)) ||
	    (iris && !strcmp(rs->name, DEFAULT_CONTAINER) &&
	     stage_merge(x, tmp)))
		goto out;
	if (rc == 1 && replace_old(x, rs->name, iris, upgrade))
		goto out;
	if (docker_rename(x->d, tmp, rs->name)) {
		dfail(x, "cannot rename the new container");
		goto out;
	}
	if (upgrade)
		say("Running image %s in container %s...", rs->image,
		    x->n->name);
	else
		say("Starting container %s on %s...", rs->name, x->n->name);
	if (docker_start(x->d, rs->name)) {
		dfail(x, "cannot start the container");
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
	if ((v = label_of(cur, LABEL_OPTIONS)))
		*options = xstrdup(v);
	if ((v = label_of(cur, LABEL_COMMAND)))
		*command = xstrdup(v);
	cJSON_Delete(cur);
}

/*
 * Pulls image on x's node (or loads -imageArchive).  The lines: run's
 * "Pulling image <i> on <m>...", or with guide_lines the guide's
 * "Pulling <m> image <i>..." / "...pulled <m> image <i>" (pull,
 * upgrade).
 */
static int fetch_image(struct dnode *x, const struct runjob *j,
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

static int run_one(struct dnode *x)
{
	struct runjob *j = x->arg;
	struct runspec rs;
	char *old_opts = NULL, *old_cmd = NULL;
	int ret = -1;

	rs.name = container_name(x->ctx);
	rs.image = ctx_field(x->ctx, x->n, "DockerImage");
	rs.options = opt_str(&x->ctx->opts, OPT_OPTIONS);
	rs.command = opt_str(&x->ctx->opts, OPT_COMMAND);
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
		if (docker_login(x->d, &(struct docker_auth){
				j->creds->registry, j->creds->username,
				j->creds->password })) {
			dfail(x, "docker login failed");
			goto out;
		}
		if (buf_adds(&x->r->out, "Login Succeeded\n")) {
			/* over the cap */
		}
	}
	if (fetch_image(x, j, rs.image, j->upgrade))
		goto out;
	ret = converge(x, &rs);
	if (!ret && iris_image(rs.image) &&
	    !strcmp(rs.name, DEFAULT_CONTAINER))
		ret = iris_wait_running(x, rs.name);
out:
	free(old_opts);
	free(old_cmd);
	return ret;
}

/* The credentials every node uses (deployment-wide fields). */
static int creds_for(struct ctx *ctx, struct image_creds *c)
{
	const struct node *n = ctx->nsel ? ctx->sel[0] : NULL;

	if (!n || opt_str(&ctx->opts, OPT_IMAGEARCHIVE)) {
		memset(c, 0, sizeof(*c));
		return 0;
	}
	return image_creds_get(ctx_field(ctx, n, "DockerRegistry"),
			       ctx_field(ctx, n, "DockerUsername"),
			       ctx_field(ctx, n, "DockerPassword"), c);
}

static int check_archive(const char *archive)
{
	if (archive && access(archive, R_OK))
		return error("cannot read -imageArchive '%s': %s", archive,
			     strerror(errno));
	return 0;
}

/* Every selected node that runs IRIS in the iris container has the
 * ISCLicense key it names, before anything is changed. */
static int check_licenses(const struct ctx *ctx)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < ctx->nsel && !ret &&
	     !strcmp(container_name(ctx), DEFAULT_CONTAINER); i++) {
		const struct node *n = ctx->sel[i];
		const char *image = ctx_field(ctx, n, "DockerImage");

		if (image && iris_image(image) && node_license(ctx, n))
			ret = license_key_check(n->name, "ISCLicense",
						node_license(ctx, n));
	}
	return ret;
}

/* -image/-namespace become the selected nodes' fields in instances.json
 * (for the nodes where the command succeeded). */
static int record_fields(struct ctx *ctx, const bool *done)
{
	static const struct { enum opt_id id; const char *field; } map[] = {
		{ OPT_IMAGE, "DockerImage" }, { OPT_NAMESPACE, "Namespace" },
	};
	bool changed = false;
	size_t i, k;

	for (k = 0; k < ARRAY_SIZE(map); k++) {
		const char *v = opt_str(&ctx->opts, map[k].id);

		if (!v)
			continue;
		for (i = 0; i < ctx->nsel; i++) {
			cJSON *f = ctx->sel[i]->fields;

			if (!done[i])
				continue;
			cJSON_DeleteItemFromObjectCaseSensitive(f,
								map[k].field);
			cJSON_AddStringToObject(f, map[k].field, v);
			changed = true;
		}
	}
	return changed ? instances_write(ctx->instances_path, &ctx->inst) : 0;
}

/* The IRIS password's hash when a selected node runs an IRIS image in
 * the iris container: ISCPassword (or -iscPassword), else asked for on
 * the terminal, masked.  Only the salted hash is kept, and the password
 * itself (*plain, wiped by the caller) when a WS node's Web Gateway needs
 * it for CSPSystem. */
static int iris_password(struct ctx *ctx, char **hash, char **plain)
{
	const char *pw = NULL, *image;
	char *asked;
	size_t i;
	bool need = false, gateway = false;

	*hash = *plain = NULL;
	for (i = 0; i < ctx->nsel &&
	     !strcmp(container_name(ctx), DEFAULT_CONTAINER); i++) {
		image = ctx_field(ctx, ctx->sel[i], "DockerImage");
		if (!image)
			continue;
		if (gateway_image(image) && !strcmp(ctx->sel[i]->role, "WS"))
			gateway = true;
		else if (!iris_image(image))
			continue;
		need = true;
		if (!pw)
			pw = ctx_field(ctx, ctx->sel[i], "ISCPassword");
	}
	if (!need)
		return 0;
	if (!pw)
		pw = ctx->asked_password;
	if (!pw) {
		if (term_prompt_secret("InterSystems IRIS password: ", &asked))
			return error("ISCPassword is not set and there is no "
				     "terminal to ask for it (set it in "
				     "defaults.json or use -iscPassword)");
		secret_register("ISCPassword", asked);
		pw = ctx->asked_password = asked;	/* once per command */
	}
	*hash = iris_password_hash(pw, NULL);
	if (gateway)
		*plain = xstrdup(pw);
	return *hash ? 0 : error("cannot make the password hash: no random "
				 "bytes");
}

/* ICM's last line: the portal of the first DM or DATA node (else the
 * first IRIS node) that was deployed, or of the load balancer in front of
 * its role. */
static void portal_line(struct ctx *ctx, const bool *done)
{
	const struct node *best = NULL;
	const char *host;
	size_t i;

	for (i = 0; i < ctx->nsel; i++) {
		const struct node *n = ctx->sel[i];
		const char *image = ctx_field(ctx, n, "DockerImage");

		if (!done[i] || !image || !iris_image(image))
			continue;
		if (!best || ((!strcmp(n->role, "DM") ||
			       !strcmp(n->role, "DATA")) &&
			      strcmp(best->role, "DM") &&
			      strcmp(best->role, "DATA")))
			best = n;
	}
	if (!best || strcmp(container_name(ctx), DEFAULT_CONTAINER))
		return;
	host = node_address(best);
	/* the load balancer in front of that role, when there is one */
	for (i = 0; i < ctx->inst.n; i++) {
		const struct node *lb = &ctx->inst.nodes[i];

		if (!strcmp(lb->role, "LB") && lb->lb_target &&
		    !strcmp(lb->lb_target, best->role) &&
		    node_field(lb, "DNSName"))
			host = node_field(lb, "DNSName");
	}
	say("Management Portal available at: "
	    "http://%s:%s/csp/sys/UtilHome.csp", host ? host : best->name,
	    ctx_field(ctx, best, "WebServerPort") ?
	    ctx_field(ctx, best, "WebServerPort") : "52773");
}

/* The IRIS configuration of the nodes where the iris container of an
 * IRIS image now runs (irisconf.h); done is turned into that. */
static int configure_iris(struct ctx *ctx, bool *done, const char *password)
{
	size_t i;

	for (i = 0; i < ctx->nsel; i++) {
		const char *image = ctx_field(ctx, ctx->sel[i], "DockerImage");

		done[i] = done[i] && image && (iris_image(image) ||
					       gateway_image(image)) &&
			!strcmp(container_name(ctx), DEFAULT_CONTAINER);
	}
	return iris_configure(ctx, done, password);
}

static int run_or_upgrade(struct ctx *ctx, bool upgrade)
{
	struct image_creds creds;
	struct runjob j;
	struct dnode_opts o = { .echo_one = false };
	bool *done = NULL;
	int rc = -1;

	memset(&creds, 0, sizeof(creds));
	j.archive = opt_str(&ctx->opts, OPT_IMAGEARCHIVE);
	j.upgrade = upgrade;
	j.creds = &creds;
	if (check_archive(j.archive) || container_cmd_check(ctx) ||
	    check_licenses(ctx))
		return -1;
	j.password_hash = j.password = NULL;
	if (creds_for(ctx, &creds))
		return -1;
	if (iris_password(ctx, &j.password_hash, &j.password) ||
	    iris_check(ctx, j.password) || ctx_begin_changes(ctx))
		goto out;
	done = xcalloc(ctx->nsel ? ctx->nsel : 1, sizeof(*done));
	rc = dnode_run(ctx, run_one, &j, &o, done);
	if (record_fields(ctx, done))
		rc = -1;
	if (!rc && configure_iris(ctx, done, j.password))
		rc = -1;
	if (!rc && !upgrade)	/* upgrade: once per mirror wave otherwise */
		portal_line(ctx, done);
out:
	free(j.password_hash);
	freezero_str(j.password);
	free(done);
	image_creds_release(&creds);
	return rc;
}

static int containers_run(struct ctx *ctx)
{
	ctx_say_no_weave(ctx, ctx->sel, ctx->nsel);
	return run_or_upgrade(ctx, false);
}

int cmd_run(struct ctx *ctx)
{
	return runtime_of(ctx)->run(ctx);
}

/* ------------------------------------------ upgrade: mirror members */

/*
 * upgrade in a mirrored deployment goes in waves, as ICM's users did by
 * hand with -machine (icm-reference §7.5): first every node that is not a
 * primary (backups, asyncs, nodes outside mirrors), then each upgraded
 * backup/async must report its status again, then the primaries, whose
 * stop fails the mirror over to the upgraded backup.  Primary means the
 * live status (qlist field 12), or where that is unknown or empty the
 * intended Member.
 */

/* Each selected node's live mirror status, NULL where unread. */
static int mirror_read_one(struct dnode *x)
{
	char **live = x->arg;

	live[x->i] = iris_qlist_get(x, container_name(x->ctx),
				      QLIST_MIRROR_STATUS);
	return 0;
}

static bool member_is(const struct ctx *ctx, const struct node *n,
		      const char *member)
{
	const char *m = ctx_field(ctx, n, "Member");

	return m && !strcasecmp(m, member);
}

static bool mirror_primary(const struct ctx *ctx, const struct node *n,
			   const char *live)
{
	if (live && *live)
		return !strcmp(live, "Primary");
	return member_is(ctx, n, "primary");
}

/* What a first-wave node must report again after its upgrade: its live
 * Backup/Connected, or unread, what its Member intends; NULL: nothing. */
static const char *mirror_want(const struct ctx *ctx, const struct node *n,
			       const char *live)
{
	if (live)
		return !strcmp(live, "Backup") || !strcmp(live, "Connected") ?
			live : NULL;
	if (member_is(ctx, n, "backup"))
		return "Backup";
	return member_is(ctx, n, "async") ? "Connected" : NULL;
}

static int mirror_wait_one(struct dnode *x)
{
	const char *want = ((const char *const *)x->arg)[x->i];
	const char *cname = container_name(x->ctx);
	long waited = 0;
	char *st = NULL;
	int ret;

	say("Waiting for %s to report mirror status %s...", x->n->name, want);
	for (;;) {
		st = iris_qlist_get(x, cname, QLIST_MIRROR_STATUS);
		if (st && !strcmp(st, want)) {
			free(st);
			return 0;
		}
		if (waited >= MIRROR_WAIT_MS)
			break;
		free(st);
		usleep(IRIS_POLL_MS * 1000);
		waited += IRIS_POLL_MS;
	}
	ret = fanout_fail(x->r, "mirror member %s did not report %s again "
			  "within %ld s of its upgrade (iris qlist IRIS field "
			  "12 in container %s: '%s')", x->n->name, want,
			  MIRROR_WAIT_MS / 1000, cname, st ? st : "no answer");
	free(st);
	return ret;
}

/* "A, B, C" of n nodes (caller frees). */
static char *node_names(struct node *const *v, size_t n)
{
	struct buf b;
	size_t i;

	buf_init(&b, BUF_CAP_LINE);
	for (i = 0; i < n; i++)
		if (buf_addf(&b, "%s%s", i ? ", " : "", v[i]->name))
			break;	/* over the cap: the list is cut */
	return b.data ? buf_take(&b) : xstrdup("");
}

static int upgrade_waves(struct ctx *ctx)
{
	struct dnode_opts o = { .echo_one = false };
	struct node **all = ctx->sel, **first, **last, **wait;
	size_t nall = ctx->nsel, nf = 0, nl = 0, nw = 0, i;
	const char **want;
	char **live, *names = NULL;
	int rc = 0;

	if (!nall || !deployment_mirrored(ctx))
		return run_or_upgrade(ctx, true);
	if (container_cmd_check(ctx))
		return -1;
	live = xcalloc(nall, sizeof(*live));
	if (dnode_run(ctx, mirror_read_one, live, &o, NULL)) {
		/* reported; those nodes are ordered by their Member */
	}
	cJSON_Delete(ctx->response);
	ctx->response = NULL;
	first = xcalloc(nall, sizeof(*first));
	last = xcalloc(nall, sizeof(*last));
	wait = xcalloc(nall, sizeof(*wait));
	want = xcalloc(nall, sizeof(*want));
	for (i = 0; i < nall; i++) {
		if (mirror_primary(ctx, all[i], live[i])) {
			last[nl++] = all[i];
			continue;
		}
		first[nf++] = all[i];
		want[nw] = mirror_want(ctx, all[i], live[i]);
		if (want[nw])
			wait[nw++] = all[i];
	}
	if (nf) {
		if (nl) {
			names = node_names(first, nf);
			say("Upgrading mirror backups first: %s", names);
			free(names);
		}
		ctx->sel = first;
		ctx->nsel = nf;
		rc = run_or_upgrade(ctx, true);
		ctx->sel = wait;
		ctx->nsel = nw;
		if (!rc && nw)
			rc = dnode_run(ctx, mirror_wait_one, want, &o, NULL);
	}
	names = node_names(last, nl);
	if (rc && nl) {
		error("not upgrading the mirror primaries (%s) after the "
		      "failures above", names);
	} else if (nl) {
		say("Upgrading mirror primaries: %s", names);
		ctx->sel = last;
		ctx->nsel = nl;
		rc = run_or_upgrade(ctx, true);
	}
	ctx->sel = all;
	ctx->nsel = nall;
	for (i = 0; i < nall; i++)
		free(live[i]);
	free(live);
	free(names);
	free(first);
	free(last);
	free(wait);
	free(want);
	return rc;
}

int cmd_upgrade(struct ctx *ctx)
{
	return runtime_of(ctx)->upgrade(ctx);
}

/* ---------------------------------------------------------------- pull */

static int pull_one(struct dnode *x)
{
	const char *image = ctx_field(x->ctx, x->n, "DockerImage");

	if (!image)
		return fanout_fail(x->r, "no DockerImage for %s", x->n->name);
	return fetch_image(x, x->arg, image, true);
}

int cmd_pull(struct ctx *ctx)
{
	struct image_creds creds;
	struct runjob j = { .archive = opt_str(&ctx->opts, OPT_IMAGEARCHIVE),
			    .creds = &creds };
	struct dnode_opts o = { .echo_one = true, .say_output = true };
	int rc;

	if (check_archive(j.archive) || container_cmd_check(ctx) ||
	    creds_for(ctx, &creds))
		return -1;
	rc = dnode_run(ctx, pull_one, &j, &o, NULL);
	image_creds_release(&creds);
	return rc;
}

/* ----------------------------------------------------- stop, start, rm */

enum lifecycle { LC_STOP, LC_START, LC_RM };

static int lifecycle_one(struct dnode *x)
{
	const enum lifecycle *op = x->arg;
	const char *name = container_name(x->ctx);
	cJSON *cur = NULL;
	int rc;

	rc = docker_inspect(x->d, name, &cur);
	if (rc < 0)
		return dfail(x, "cannot inspect the container");
	if (rc == 0)
		return fanout_fail(x->r, "there is no container %s on %s",
				   name, x->n->name);
	switch (*op) {
	case LC_STOP:
		say("Stopping container %s on %s...", name, x->n->name);
		rc = docker_stop(x->d, name,
				 iris_image(cJSON_GetStringValue(
					 cJSON_GetObjectItemCaseSensitive(
						 cJSON_GetObjectItemCaseSensitive(
							 cur, "Config"),
						 "Image")) ?: "") ?
				 STOP_IRIS_S : STOP_OTHER_S);
		break;
	case LC_START:
		say("Starting container %s on %s...", name, x->n->name);
		rc = docker_start(x->d, name);
		break;
	case LC_RM:
		say("Removing container %s on %s...", name, x->n->name);
		if (running_of(cur)) {
			cJSON_Delete(cur);
			return fanout_fail(x->r, "container %s is running on "
					   "%s: stop it first (icm stop)",
					   name, x->n->name);
		}
		rc = docker_remove(x->d, name, false) < 0 ? -1 : 0;
		break;
	}
	cJSON_Delete(cur);
	if (rc)
		return dfail(x, *op == LC_STOP ? "cannot stop the container" :
			     *op == LC_START ? "cannot start the container" :
			     "cannot remove the container");
	if (*op == LC_RM)
		say("...removed container %s on %s", name, x->n->name);
	else
		say("...completed %s of container %s on %s",
		    *op == LC_STOP ? "stop" : "start", name, x->n->name);
	return 0;
}

static int lifecycle(struct ctx *ctx, enum lifecycle op)
{
	struct dnode_opts o = { .echo_one = false };

	if (container_cmd_check(ctx))
		return -1;
	return dnode_run(ctx, lifecycle_one, &op, &o, NULL);
}

static int containers_stop(struct ctx *ctx)
{
	return lifecycle(ctx, LC_STOP);
}

static int containers_start(struct ctx *ctx)
{
	return lifecycle(ctx, LC_START);
}

int cmd_stop(struct ctx *ctx)
{
	return runtime_of(ctx)->stop(ctx);
}

int cmd_start(struct ctx *ctx)
{
	return runtime_of(ctx)->start(ctx);
}

int cmd_rm(struct ctx *ctx)
{
	return lifecycle(ctx, LC_RM);
}

/* ------------------------------------------------------------------ ps */

/* "Up 3 minutes (healthy)" -> status "Up 3 minutes", health "healthy". */
static void split_status(const char *s, char **status, char **health)
{
	const char *open = strrchr(s, '(');
	size_t len = strlen(s);

	*health = NULL;
	if (open && len && s[len - 1] == ')' &&
	    (!strncmp(open, "(healthy)", 9) ||
	     !strncmp(open, "(unhealthy)", 11) ||
	     !strncmp(open, "(health: starting)", 18))) {
		const char *h = open + 1;

		if (!strncmp(h, "health: ", 8))
			h += 8;
		*health = xstrndup(h, (size_t)(s + len - 1 - h));
		while (open > s && open[-1] == ' ')
			open--;
		*status = xstrndup(s, (size_t)(open - s));
		return;
	}
	*status = xstrdup(s);
}

struct psjob {
	cJSON **rows;		/* per selected node: its containers */
	bool mirrored;		/* add MirrorStatus (live, from qlist) */
};

/* The MirrorStatus of a listed container: qlist field 12 of a running
 * IRIS container, else "". */
static char *ps_mirror(struct dnode *x, const cJSON *c, const char *cname,
		       const char *img)
{
	const char *state = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(c, "State"));
	char *st = NULL;

	if (state && !strcmp(state, "running") && img && iris_image(img))
		st = iris_qlist_get(x, cname, QLIST_MIRROR_STATUS);
	return st ? st : xstrdup("");
}

static int ps_one(struct dnode *x)
{
	const struct psjob *j = x->arg;
	cJSON *list = NULL, *c, *out = cJSON_CreateArray();
	const char *name = opt_str(&x->ctx->opts, OPT_CONTAINER);

	j->rows[x->i] = out;
	if (docker_list(x->d, true, name, &list))
		return dfail(x, "cannot list the containers");
	cJSON_ArrayForEach(c, list) {
		const cJSON *names = cJSON_GetObjectItemCaseSensitive(c,
								      "Names");
		const char *cn = cJSON_GetStringValue(
			cJSON_GetArrayItem(names, 0));
		const char *st = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(c, "Status"));
		const char *img = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(c, "Image"));
		char *status, *health;
		cJSON *row = cJSON_CreateObject();

		split_status(st ? st : "", &status, &health);
		cJSON_AddStringToObject(row, "Container",
					cn ? (*cn == '/' ? cn + 1 : cn) : "");
		cJSON_AddStringToObject(row, "DockerImage", img ? img : "");
		cJSON_AddStringToObject(row, "Status", status);
		cJSON_AddStringToObject(row, "Health", health ? health : "");
		if (j->mirrored) {
			char *m = ps_mirror(x, c, cJSON_GetStringValue(
				cJSON_GetObjectItem(row, "Container")), img);

			cJSON_AddStringToObject(row, "MirrorStatus", m);
			free(m);
		}
		cJSON_AddItemToArray(out, row);
		if (buf_addf(&x->r->out, "%s\t%s\t%s\n", cJSON_GetStringValue(
				     cJSON_GetObjectItem(row, "Container")),
			     status, img ? img : "")) {
			/* over the cap */
		}
		free(status);
		free(health);
	}
	cJSON_Delete(list);
	return 0;
}

int cmd_ps(struct ctx *ctx)
{
	return runtime_of(ctx)->ps(ctx);
}

static int containers_ps(struct ctx *ctx)
{
	static const char *const headers[] = {
		"Machine", "IP Address", "Container", "Status", "Health",
		"Mirror", "Image",
	};
	static const char *const plain[] = {
		"Machine", "IP Address", "Container", "Status", "Health",
		"Image",
	};
	struct dnode_opts o = { .echo_one = false };
	struct psjob j = { NULL, deployment_mirrored(ctx) };
	cJSON **rows, *json = cJSON_CreateArray(), *r;
	struct table t;
	size_t i;
	int rc;

	if (container_cmd_check(ctx)) {
		cJSON_Delete(json);
		return -1;
	}
	rows = j.rows = xcalloc(ctx->nsel ? ctx->nsel : 1, sizeof(*rows));
	rc = dnode_run(ctx, ps_one, &j, &o, NULL);
	if (j.mirrored)
		table_init(&t, headers, ARRAY_SIZE(headers));
	else
		table_init(&t, plain, ARRAY_SIZE(plain));
	for (i = 0; i < ctx->nsel; i++) {
		const struct node *n = ctx->sel[i];
		const char *ip = node_get(n, "IPAddress");
		const char *dns = node_get(n, "DNSName");
		char *shown = node_shown_name(n);

		cJSON_ArrayForEach(r, rows[i]) {
			const char *row[7] = {
				shown, ip,
				cJSON_GetStringValue(cJSON_GetObjectItem(r,
					"Container")),
				cJSON_GetStringValue(cJSON_GetObjectItem(r,
					"Status")),
				cJSON_GetStringValue(cJSON_GetObjectItem(r,
					"Health")),
				cJSON_GetStringValue(cJSON_GetObjectItem(r,
					"MirrorStatus")),
				cJSON_GetStringValue(cJSON_GetObjectItem(r,
					"DockerImage")),
			};
			cJSON *obj = cJSON_Duplicate(r, 1);

			if (!j.mirrored)
				row[5] = row[6];	/* no Mirror column */
			table_add(&t, row);
			cJSON_AddStringToObject(obj, "MachineName", n->name);
			cJSON_AddStringToObject(obj, "Role", n->role);
			cJSON_AddStringToObject(obj, "IPAddress",
						ip ? ip : "");
			cJSON_AddStringToObject(obj, "DNSName",
						dns ? dns : "");
			cJSON_AddItemToArray(json, obj);
		}
		free(shown);
		cJSON_Delete(rows[i]);
	}
	table_print(&t);
	table_release(&t);
	free(rows);
	ctx_respond(ctx, json, rc);
	return rc;
}

/* ---------------------------------------------------------------- exec */

struct execjob {
	const char *command;
	struct execopts eo;
};

static int exec_one(struct dnode *x)
{
	struct execjob *j = x->arg;
	const char *argv[] = { "sh", "-c", j->command, NULL };
	struct docker_exec e;
	int code = -1;

	memset(&e, 0, sizeof(e));
	e.argv = argv;
	e.env = (const char *const *)j->eo.env;
	e.user = j->eo.user;
	e.workdir = j->eo.workdir;
	say("Executing command in container %s on %s...",
	    container_name(x->ctx), x->n->name);
	if (docker_exec(x->d, container_name(x->ctx), &e, &x->r->out,
			&x->r->err, &code))
		return dfail(x, "the command did not run");
	x->r->exit_status = code;
	if (code)
		return fanout_fail(x->r, "exit status %d", code);
	return 0;
}

static int exec_interactive(struct ctx *ctx, struct execjob *j)
{
	const char *argv[] = { "sh", "-c", j->command, NULL };
	struct docker_exec e;

	memset(&e, 0, sizeof(e));
	e.argv = argv;
	e.env = (const char *const *)j->eo.env;
	e.user = j->eo.user;
	e.workdir = j->eo.workdir;
	if (ctx->nsel == 1)
		say("Executing command '%s' in container %s on %s...",
		    j->command, container_name(ctx), ctx->sel[0]->name);
	return dnode_interactive(ctx, container_name(ctx), &e);
}

int cmd_exec(struct ctx *ctx)
{
	struct execjob j;
	struct dnode_opts o = { .echo_one = true, .say_output = true };
	int rc;

	j.command = opt_str(&ctx->opts, OPT_COMMAND);
	if (!j.command && !opt_on(&ctx->opts, OPT_INTERACTIVE))
		return error("icm exec needs -command (or -interactive for a "
			     "shell)");
	if (!j.command)
		j.command = "sh";
	if (container_cmd_check(ctx) ||
	    execopts_parse(opt_str(&ctx->opts, OPT_OPTIONS), &j.eo))
		return -1;
	if (opt_on(&ctx->opts, OPT_INTERACTIVE))
		rc = exec_interactive(ctx, &j);
	else
		rc = dnode_run(ctx, exec_one, &j, &o, NULL);
	execopts_release(&j.eo);
	return rc;
}

/* ------------------------------------------------------------------ cp */

/*
 * icm cp, as the 2018 guide has it: localPath is a file or directory on
 * the node, read there as a tar stream over SSH (`sudo -n tar`, as the
 * node's other commands run) and put into the container through the
 * Docker archive endpoint at "/", its members renamed to where remotePath
 * says (cp_dest()); missing directories on the way are made (0755).
 * -options --fromIcm reads localPath on the machine running icm instead
 * (one archive for every node); --retrieve copies remotePath out of the
 * container into localPath on the machine running icm.
 */
#define CP_DEFAULT_REMOTE "/tmp"	/* a directory */
#define CP_PROBE_MAX (PATH_MAX + 64)	/* "d\n<path>\n" */

struct cpjob {
	const char *local, *remote;
	bool remote_dir;	/* remotePath names a directory */
	bool retrieve, from_icm;
	struct buf tar;		/* --fromIcm: packed and renamed once */
};

/* The last component of path (trailing slashes dropped), or NULL for
 * "", "/", "." and "..". */
static char *path_base(const char *path)
{
	size_t n = strlen(path), b;

	while (n > 1 && path[n - 1] == '/')
		n--;
	for (b = n; b > 0 && path[b - 1] != '/'; b--)
		;
	if (b == n || (n - b == 1 && path[b] == '.') ||
	    (n - b == 2 && !strncmp(path + b, "..", 2)))
		return NULL;
	return xstrndup(path + b, n - b);
}

/*
 * remotePath checked: absolute, no ".." component (before anything is
 * copied).
 */
static int cp_check_remote(const char *remote)
{
	const char *p;

	if (*remote != '/')
		return error("-remotePath '%s': a path in the container "
			     "starts with /", remote);
	for (p = remote; (p = strstr(p, "..")) != NULL; p += 2)
		if (p[-1] == '/' && (p[2] == '/' || !p[2]))
			return error("-remotePath '%s': no '..' component, "
				     "please", remote);
	return 0;
}

/*
 * Where a copy of base (a directory when dir) goes, relative to "/" (a
 * new string), for j's remotePath (a trailing '/' names a directory, else
 * it is the new name), and whether base's contents go into it; NULL
 * when it would be over PATH_MAX * 2:
 *
 *   file  dir/  ->  dir/base          file  path  ->  path
 *   dir   dir/  ->  dir/ gets the directory's contents
 *   dir   path  ->  path (the directory under that name)
 */
static char *cp_dest(const struct cpjob *j, const char *base, bool dir,
		     bool *contents)
{
	const char *p = j->remote;
	struct buf b;
	size_t n;

	buf_init(&b, PATH_MAX * 2);
	while (*p) {
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n && !(n == 1 && *p == '.') &&
		    ((b.len && buf_adds(&b, "/")) || buf_add(&b, p, n)))
			break;
		p += n;
	}
	if (*p)
		return NULL;	/* over the cap (buf emptied) */
	*contents = dir && j->remote_dir;
	if (!dir && j->remote_dir &&
	    ((b.len && buf_adds(&b, "/")) || buf_adds(&b, base)))
		return NULL;
	return b.data ? buf_take(&b) : xstrdup("");
}

/*
 * j->local on the node, read over SSH as a tar stream, renamed for the
 * container into tar; r failed (naming the node and path) otherwise.
 */
static int cp_read_node(struct dnode *x, const struct cpjob *j,
			struct buf *tar)
{
	struct ssh_conn *c = NULL;
	struct buf cmd, probe, raw;
	char *path, *nl, *slash, *base = NULL, *to = NULL, *why = NULL;
	const char *parent;
	bool dir, contents;
	int status = -1, ret = -1;

	buf_init(&cmd, BUF_CAP_LINE);
	buf_init(&probe, CP_PROBE_MAX);
	buf_init(&raw, DOCKER_CAP_ARCHIVE);
	if (fanout_connect(x->f, x->n, x->ctx->state_dir, HOSTKEY_STRICT,
			   x->r, &c))
		goto out;
	/* the path resolved (symlinks, relative to SSHUser's home), its
	 * kind: "d" or "f", then the path */
	if (buf_adds(&cmd, "p=$(sudo -n readlink -f -- ") ||
	    buf_add_shell_word(&cmd, j->local) ||
	    buf_adds(&cmd, ") && sudo -n test -e \"$p\" && { if sudo -n test "
		     "-d \"$p\"; then echo d; else echo f; fi; printf '%s\\n' "
		     "\"$p\"; }")) {
		fanout_fail(x->r, "-localPath is too long");
		goto out;
	}
	if (ssh_exec(c, cmd.data, NULL, &probe, &x->r->err, &status)) {
		fanout_fail(x->r, "cannot look at %s on %s: the connection "
			    "failed", j->local, x->n->name);
		goto out;
	}
	if (status || probe.len < 4 || (probe.data[0] != 'd' &&
					 probe.data[0] != 'f')) {
		fanout_fail(x->r, "%s: no such file or directory on %s",
			    j->local, x->n->name);
		goto out;
	}
	dir = probe.data[0] == 'd';
	path = probe.data + 2;
	if ((nl = strchr(path, '\n')) != NULL)
		*nl = '\0';
	slash = strrchr(path, '/');
	if (*path != '/' || !slash[1]) {
		fanout_fail(x->r, "%s on %s is '%s': name a file or directory "
			    "below /", j->local, x->n->name, path);
		goto out;
	}
	*slash = '\0';
	parent = slash == path ? "/" : path;
	/* the name the user gave (a link's, not its target's) */
	base = path_base(j->local);
	to = cp_dest(j, base ? base : slash + 1, dir, &contents);
	buf_release(&cmd);
	if (!to || buf_adds(&cmd, "sudo -n tar -C ") ||
	    buf_add_shell_word(&cmd, parent) ||
	    buf_adds(&cmd, " --format=gnu -cf - -- ") ||
	    buf_add_shell_word(&cmd, slash + 1)) {
		fanout_fail(x->r, "-localPath or -remotePath is too long");
		goto out;
	}
	if (ssh_exec(c, cmd.data, NULL, &raw, &x->r->err, &status)) {
		fanout_fail(x->r, "cannot read %s on %s (the connection failed "
			    "or it is larger than %u bytes)", j->local,
			    x->n->name, DOCKER_CAP_ARCHIVE);
		goto out;
	}
	x->r->exit_status = status;
	if (status) {
		fanout_fail(x->r, "tar of %s on %s: exit status %d", j->local,
			    x->n->name, status);
		goto out;
	}
	if (tar_rebase(raw.data, raw.len, slash + 1, to, contents, tar, &why)) {
		fanout_fail(x->r, "the archive of %s from %s: %s", j->local,
			    x->n->name, why);
		goto out;
	}
	ret = 0;
out:
	free(why);
	ssh_close(c);
	buf_release(&cmd);
	buf_release(&probe);
	buf_release(&raw);
	free(base);
	free(to);
	return ret;
}

static int cp_one(struct dnode *x)
{
	struct cpjob *j = x->arg;
	const char *name = container_name(x->ctx);
	struct buf tar;
	char *dest, *why = NULL;
	int ret;

	buf_init(&tar, DOCKER_CAP_ARCHIVE);
	if (!j->retrieve) {
		say("Copying %s to %s:%s on %s...", j->local, name, j->remote,
		    x->n->name);
		if (!j->from_icm && cp_read_node(x, j, &tar))
			ret = -1;
		else if (docker_put_archive(x->d, name, "/", j->from_icm ?
					    j->tar.data : tar.data,
					    j->from_icm ? j->tar.len :
					    tar.len))
			ret = dfail(x, "the copy failed");
		else
			ret = 0;
		buf_release(&tar);
		return ret;
	}
	dest = x->ctx->nsel == 1 ? xstrdup(j->local) :
		xasprintf("%s/%s", j->local, x->n->name);
	say("Copying %s:%s on %s to %s...", name, j->remote, x->n->name,
	    dest);
	if (docker_get_archive(x->d, name, j->remote, &tar))
		ret = dfail(x, "the copy failed");
	else if (fs_mkdirs(dest, 0755))
		ret = fanout_fail(x->r, "cannot write %s: %s", dest,
				  fs_strerror(errno));
	else if (tar_unpack(tar.data, tar.len, dest, &why))
		ret = fanout_fail(x->r, "cannot write %s: %s", dest, why);
	else
		ret = 0;
	free(why);
	buf_release(&tar);
	free(dest);
	return ret;
}

/* The words of -options cp takes: --retrieve, --fromIcm. */
static int cp_options(const char *s, struct cpjob *j)
{
	char **argv = NULL;
	int argc = 0, i, ret = 0;

	if (!s)
		return 0;
	if (words_split(s, "-options", &argv, &argc, NULL))
		return -1;
	for (i = 0; i < argc && !ret; i++) {
		const char *w = argv[i][0] != '-' ? "" :
			argv[i] + (argv[i][1] == '-' ? 2 : 1);

		if (!*w)
			ret = error("-options: icm cp takes --retrieve or "
				    "--fromIcm, not '%s'", argv[i]);
		else if (!strcmp(w, "retrieve"))
			j->retrieve = true;
		else if (!strcmp(w, "fromIcm"))
			j->from_icm = true;
		else
			ret = error("-options: icm cp takes --retrieve or "
				    "--fromIcm, not '%s'", argv[i]);
	}
	words_free(argv);
	if (!ret && j->retrieve && j->from_icm)
		ret = error("-options: --retrieve and --fromIcm go different "
			    "ways; give one");
	return ret;
}

/* --fromIcm: j->local on this machine, packed and renamed once. */
static int cp_pack_here(struct cpjob *j)
{
	struct buf raw;
	struct stat st;
	char *base = path_base(j->local), *to = NULL;
	bool contents;
	int ret = -1;

	buf_init(&raw, DOCKER_CAP_ARCHIVE);
	if (stat(j->local, &st) || access(j->local, R_OK)) {
		error("cannot read -localPath '%s': %s", j->local,
		      strerror(errno));
		goto out;
	}
	if (!base) {
		error("-localPath '%s': name the file or directory to copy",
		      j->local);
		goto out;
	}
	to = cp_dest(j, base, S_ISDIR(st.st_mode), &contents);
	if (!to) {
		error("-remotePath '%s' is too long", j->remote);
		goto out;
	}
	if (tar_pack(j->local, &raw, NULL) ||
	    tar_rebase(raw.data, raw.len, base, to, contents, &j->tar, NULL))
		goto out;
	ret = 0;
out:
	buf_release(&raw);
	free(base);
	free(to);
	return ret;
}

int cmd_cp(struct ctx *ctx)
{
	struct cpjob j;
	struct dnode_opts o = { .echo_one = false };
	const char *given = opt_str(&ctx->opts, OPT_REMOTEPATH);
	int rc = -1;

	memset(&j, 0, sizeof(j));
	buf_init(&j.tar, DOCKER_CAP_ARCHIVE);
	j.local = opt_str(&ctx->opts, OPT_LOCALPATH);
	j.remote = given ? given : CP_DEFAULT_REMOTE;
	j.remote_dir = !given || str_ends(given, "/");
	if (!j.local)
		return error("icm cp needs -localPath");
	if (strchr(j.local, '\n') || strchr(j.remote, '\n'))
		return error("icm cp: a path of one line, please");
	if (cp_options(opt_str(&ctx->opts, OPT_OPTIONS), &j) ||
	    container_cmd_check(ctx))
		return -1;
	if (!j.retrieve && cp_check_remote(j.remote))
		return -1;
	if (j.from_icm && cp_pack_here(&j))
		goto out;
	rc = dnode_run(ctx, cp_one, &j, &o, NULL);
out:
	buf_release(&j.tar);
	return rc;
}

/* -------------------------------------------------------------- docker */

int cmd_docker(struct ctx *ctx)
{
	struct fanout_exec_opts o;
	const char *cmd = opt_str(&ctx->opts, OPT_COMMAND);
	char *full;
	int rc;

	if (!cmd)
		return error("icm docker needs -command (a docker subcommand "
			     "that ends on its own, e.g. \"stats "
			     "--no-stream\")");
	memset(&o, 0, sizeof(o));
	/* the docker CLI on the node, as root (the unix socket's owner) */
	full = xasprintf("sudo -n docker %s", cmd);
	o.command = full;
	o.shown = cmd;		/* the guide's line names the -command */
	o.state_dir = ctx->state_dir;
	o.file = "docker";
	o.pool.parallel = fanout_parallel_opt(opt_str(&ctx->opts,
						      OPT_PARALLEL));
	rc = fanout_exec(ctx->sel, ctx->nsel, &o, &ctx->response);
	free(full);
	return rc;
}

/* ---------------------------------------------- the containers' runtime */

const struct runtime runtime_docker = {
	.run = containers_run,
	.upgrade = upgrade_waves,
	.stop = containers_stop,
	.start = containers_start,
	.ps = containers_ps,
	.session = container_session,
	.session_interactive = container_session_interactive,
};
