/*
 * prepared.c: the "prepared" marker of a node (prepare.h):
 * <stateDir>/<Label>-<Role>-<Tag>/<machine>/prepared, a JSON object
 *   {"inputs": "<SHA-256 hex>", "facts": {"OSRelease": "...", ...}}
 * written when the node's preparation succeeded.  inputs digests what
 * preparation starts from: the node's fields, its server certificate and
 * whether its root file system grows (and icm's version, whose scripts
 * run there); facts are the fields preparation recorded, given back to a
 * node that is not prepared again.
 */
#include "prepare.h"
#include "../state/log.h"
#include "../state/pki.h"
#include "../state/statedir.h"
#include "../util/buf.h"
#include "../util/fs.h"
#include "../util/str.h"
#include <bearssl.h>

#define MARK_FILE "prepared"
#define MARK_CAP (16u << 10)	/* a digest and four short facts */

/* The fields node_prepare() records (prepare.h). */
static const char *const facts[] = {
	"DockerServerVersion", "OSRelease", "Architecture", "DockerInstalled",
};

static bool is_fact(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(facts); i++)
		if (!strcmp(facts[i], name))
			return true;
	return false;
}

void node_prepare_inputs(const char *state_dir, const struct node *n,
			 bool grow_root, char hex[NODE_INPUTS_HEX])
{
	char *json = cJSON_PrintUnformatted(n->fields);
	char *dir = pki_node_dir(state_dir, n, NULL), *path = NULL;
	unsigned char h[br_sha256_SIZE];
	br_sha256_context sc;
	struct buf cert;
	size_t i;

	if (!json)
		abort();
	buf_init(&cert, BUF_CAP_CONFIG);
	br_sha256_init(&sc);
	br_sha256_update(&sc, ICM_VERSION, sizeof(ICM_VERSION));
	br_sha256_update(&sc, json, strlen(json) + 1);
	if (dir) {
		path = xasprintf("%s/server-cert.pem", dir);
		if (!fs_read_file(path, &cert) && cert.data)
			br_sha256_update(&sc, cert.data, cert.len);
	}
	br_sha256_update(&sc, grow_root ? "G" : "-", 1);
	br_sha256_out(&sc, h);
	for (i = 0; i < sizeof(h); i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	buf_release(&cert);
	free(path);
	free(dir);
	free(json);
}

static char *mark_path(const char *state_dir, const struct node *n)
{
	char *dir = statedir_node_dir(state_dir, n);
	char *path = dir ? xasprintf("%s/" MARK_FILE, dir) : NULL;

	free(dir);
	return path;
}

bool node_prepare_done(const char *state_dir, struct node *n,
		       const char *inputs)
{
	char *path = mark_path(state_dir, n);
	cJSON *mark = NULL;
	const cJSON *f, *c;
	struct buf text;
	bool done = false;

	buf_init(&text, MARK_CAP);
	if (!path || fs_read_file(path, &text) || !text.data)
		goto out;
	mark = cJSON_ParseWithLength(text.data, text.len);
	c = cJSON_GetObjectItemCaseSensitive(mark, "inputs");
	if (!cJSON_IsString(c) || strcmp(c->valuestring, inputs))
		goto out;
	f = cJSON_GetObjectItemCaseSensitive(mark, "facts");
	cJSON_ArrayForEach(c, f) {
		if (!c->string || !is_fact(c->string) || !cJSON_IsString(c))
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(n->fields, c->string);
		cJSON_AddStringToObject(n->fields, c->string, c->valuestring);
	}
	done = true;
out:
	cJSON_Delete(mark);
	buf_release(&text);
	free(path);
	return done;
}

int node_prepare_mark(const char *state_dir, const struct node *n,
		      const char *inputs)
{
	char *dir = statedir_node_dir(state_dir, n), *path = NULL, *text = NULL;
	cJSON *mark = cJSON_CreateObject(), *f = cJSON_CreateObject();
	const cJSON *c;
	int ret = -1;

	if (!mark || !f)
		abort();
	cJSON_AddStringToObject(mark, "inputs", inputs);
	cJSON_ArrayForEach(c, n->fields)
		if (c->string && is_fact(c->string) && cJSON_IsString(c))
			cJSON_AddStringToObject(f, c->string, c->valuestring);
	cJSON_AddItemToObject(mark, "facts", f);
	if (!dir || statedir_mkdir(state_dir, dir))
		goto out;
	path = xasprintf("%s/" MARK_FILE, dir);
	text = cJSON_PrintUnformatted(mark);
	if (!text)
		abort();
	if (fs_write_atomic(path, text, strlen(text), 0600)) {
		error("cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(text);
	free(path);
	free(dir);
	cJSON_Delete(mark);
	return ret;
}

int node_prepare_forget(const char *state_dir, const struct node *n)
{
	char *path = mark_path(state_dir, n);
	int ret = -1;

	if (!path)
		return -1;
	if (unlink(path) && errno != ENOENT)
		error("cannot remove '%s': %s", path, strerror(errno));
	else
		ret = 0;
	free(path);
	return ret;
}
