/*
 * samples.c: `icm samples [DIR]` writes the sample configurations compiled
 * into the binary (samples/ in the repository) to DIR (default ./Samples):
 * DIR/<Provider>/defaults.json, definitions.json, ... and the guide's
 * DIR/AWS/ECP and DIR/AWS/Sharding deployments, plus ICM's helper scripts
 * (embedded/scripts/: keygenSSH.sh, keygenTLS.sh, which call icm keygen)
 * in DIR/bin/.
 *
 * Every target is checked before anything is written: an existing file is
 * refused unless -force, so a refused run writes nothing.  Directories are
 * made 0755 (less the umask), files 0644, credentials-like files 0600.
 * Needs nothing from the host (no /etc, /dev, /proc, HOME).
 */
#include "cmd.h"
#include "../embed/embedded.h"
#include "../state/log.h"
#include "../util/fs.h"
#include "../util/str.h"

#define SAMPLES_DIR "Samples"

/* What is written: embedded files under prefix go to DIR/dest. */
static const struct {
	const char *prefix;
	const char *dest;
} sources[] = {
	{ "samples/", "" },
	{ "embedded/scripts/", "bin/" },
};

/* The next file to write: *src and *it start at 0. */
static const struct embedded_file *next_file(size_t *src, size_t *it)
{
	const struct embedded_file *f;

	for (; *src < ARRAY_SIZE(sources); (*src)++, *it = 0)
		if ((f = embedded_next(sources[*src].prefix, it)))
			return f;
	return NULL;
}

/* Files a user fills with secrets are private from the start. */
static mode_t sample_mode(const struct embedded_file *f)
{
	const char *base = strrchr(f->path, '/');

	base = base ? base + 1 : f->path;
	if (strstr(base, "credentials") || str_ends(base, ".key") ||
	    str_ends(base, ".pem"))
		return 0600;
	return (f->mode & 0111) ? 0755 : 0644;
}

static char *target_path(const char *dir, size_t src,
			 const struct embedded_file *f)
{
	const char *sep = str_ends(dir, "/") ? "" : "/";

	return xasprintf("%s%s%s%s", dir, sep, sources[src].dest,
			 f->path + strlen(sources[src].prefix));
}

/*
 * Checks that target can be written: every directory on the way below dir
 * is a directory or absent, and the file is absent (or, with force, a
 * file).  Reports the problem and returns -1.
 */
static int check_target(const char *dir, char *target, bool force)
{
	char *s;

	for (s = target + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (fs_exists(target) && !fs_is_dir(target)) {
			error("'%s' exists and is not a directory", target);
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	if (!fs_exists(target))
		return 0;
	if (fs_is_dir(target))
		return error("'%s' exists and is a directory", target);
	if (!force)
		return error("'%s' already exists (use -force to overwrite)",
			     target);
	return 0;
}

static int write_target(char *target, const struct embedded_file *f)
{
	char *slash = strrchr(target, '/');

	if (slash) {
		*slash = '\0';
		if (fs_mkdirs(target, 0755)) {
			error("cannot create directory '%s': %s", target,
			      strerror(errno));
			*slash = '/';
			return -1;
		}
		*slash = '/';
	}
	if (fs_write_atomic(target, f->data, f->len, sample_mode(f)))
		return error("cannot write '%s': %s", target, strerror(errno));
	say("%s", target);
	return 0;
}

int cmd_samples(struct ctx *ctx)
{
	const char *dir = ctx->nargs > 0 ? ctx->args[0] : SAMPLES_DIR;
	bool force = opt_on(&ctx->opts, OPT_FORCE);
	size_t n = 0, i, it, src;
	char **targets;
	const struct embedded_file *f;
	cJSON *written = cJSON_CreateArray();
	int ret = -1, bad = 0;

	for (src = 0; src < ARRAY_SIZE(sources); src++)
		n += embedded_count(sources[src].prefix);
	targets = xcalloc(n ? n : 1, sizeof(*targets));
	if (!*dir) {
		error("the samples directory name is empty");
		goto out;
	}
	if (fs_exists(dir) && !fs_is_dir(dir)) {
		error("'%s' exists and is not a directory", dir);
		goto out;
	}
	for (i = 0, src = 0, it = 0; (f = next_file(&src, &it)); i++) {
		targets[i] = target_path(dir, src, f);
		if (check_target(dir, targets[i], force))
			bad = 1;
	}
	if (bad)
		goto out;
	for (i = 0, src = 0, it = 0; (f = next_file(&src, &it)); i++) {
		if (write_target(targets[i], f))
			goto out;
		cJSON_AddItemToArray(written, cJSON_CreateString(targets[i]));
	}
	ctx->response = written;
	written = NULL;
	ret = 0;
out:
	for (i = 0; i < n; i++)
		free(targets[i]);
	free(targets);
	cJSON_Delete(written);
	return ret;
}
