/*
 * image.c: registry credentials, pulls and archive loads (see image.h).
 */
#include "image.h"
#include "../state/log.h"
#include "../util/str.h"
#include "../util/term.h"

int image_creds_get(const char *registry, const char *username,
		    const char *password, struct image_creds *c)
{
	char *prompt;

	memset(c, 0, sizeof(*c));
	if (!username || !*username)
		return 0;
	c->set = true;
	c->registry = xstrdup(registry ? registry : "");
	c->username = xstrdup(username);
	if (password && *password) {
		c->password = xstrdup(password);
		return 0;
	}
	prompt = xasprintf("Docker password for %s at %s: ", username,
			   registry && *registry ? registry : "Docker Hub");
	if (term_prompt_secret(prompt, &c->password)) {
		free(prompt);
		image_creds_release(c);
		return error("DockerPassword is not set and there is no "
			     "terminal to ask for it (set it in defaults.json "
			     "or with -override '{\"DockerPassword\":...}')");
	}
	free(prompt);
	secret_register("DockerPassword", c->password);
	return 0;
}

void image_creds_release(struct image_creds *c)
{
	freezero_str(c->password);
	free(c->registry);
	free(c->username);
	memset(c, 0, sizeof(*c));
}

const struct docker_auth *image_creds_auth(const struct image_creds *c,
					   struct docker_auth *tmp)
{
	if (!c || !c->set)
		return NULL;
	tmp->registry = c->registry;
	tmp->username = c->username;
	tmp->password = c->password;
	return tmp;
}

/* Progress lines go to the node's docker.out. */
static void progress(void *arg, const char *line)
{
	if (buf_addf(arg, "%s\n", line)) {
		/* over the cap: the rest of the progress is dropped */
	}
}

static char *names(const cJSON *loaded)
{
	struct buf b;
	const cJSON *e;

	buf_init(&b, BUF_CAP_LINE);
	cJSON_ArrayForEach(e, loaded)
		if (cJSON_IsString(e) &&
		    buf_addf(&b, "%s%s", b.len ? ", " : "", e->valuestring))
			break;
	return b.len ? buf_take(&b) : xstrdup("nothing");
}

int image_fetch(struct docker *d, const char *image, const char *archive,
		const struct image_creds *creds, struct buf *log,
		char **reason)
{
	struct docker_auth tmp;
	cJSON *loaded = NULL;
	int rc, ret = -1;

	*reason = NULL;
	if (!archive) {
		if (docker_pull(d, image, image_creds_auth(creds, &tmp),
				progress, log)) {
			*reason = xasprintf("cannot pull %s: %s", image,
					    docker_errmsg(d));
			goto out;
		}
		ret = 0;
		goto out;
	}
	if (docker_image_load(d, archive, progress, log, &loaded)) {
		*reason = xasprintf("cannot load %s: %s", archive,
				    docker_errmsg(d));
		goto out;
	}
	rc = docker_image_exists(d, image, NULL);
	if (rc < 0) {
		*reason = xasprintf("cannot look up %s: %s", image,
				    docker_errmsg(d));
	} else if (rc == 0) {
		char *have = names(loaded);

		*reason = xasprintf("the archive %s does not hold %s (it "
				    "holds: %s)", archive, image, have);
		free(have);
	} else {
		ret = 0;
	}
out:
	cJSON_Delete(loaded);
	return ret;
}
