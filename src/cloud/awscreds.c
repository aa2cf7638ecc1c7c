/*
 * awscreds.c: AWS credentials from a shared-credentials file or the
 * environment (see awscreds.h).
 */
#include "../icm.h"
#include "awscreds.h"
#include "../state/log.h"
#include "../util/buf.h"
#include "../util/fs.h"
#include "../util/str.h"
#include <ctype.h>

enum { K_ID, K_SECRET, K_TOKEN, K_N };
static const char *const key_names[K_N] = {
	"aws_access_key_id", "aws_secret_access_key", "aws_session_token",
};

/* What the parser keeps of the wanted profile. */
struct found {
	char *val[K_N];
	int line[K_N];
	int section_line;		/* 0: the profile was not seen */
	struct buf others;		/* the other profiles' names */
};

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* A value that can go into an HTTP header: printable ASCII, no blank. */
static bool header_safe(const char *v)
{
	for (; *v; v++)
		if (*v <= ' ' || *v > '~')
			return false;
	return true;
}

/* One "[name]" line; sets *in_profile. */
static int section(const char *file, int ln, char *s, const char *profile,
		   struct found *f, bool *in_profile, char **err)
{
	char *end = strchr(s, ']'), *name;

	if (!end || *trim(end + 1)) {
		*err = xasprintf("%s:%d: a section header must be '[name]'",
				 file, ln);
		return -1;
	}
	*end = '\0';
	name = trim(s + 1);
	*in_profile = !strcmp(name, profile);
	if (*in_profile && f->section_line) {
		*err = xasprintf("%s:%d: profile '%s' given twice (first at "
				 "line %d)", file, ln, name, f->section_line);
		return -1;
	}
	if (*in_profile)
		f->section_line = ln;
	else if (buf_addf(&f->others, "%s%s", f->others.len ? ", " : "",
			  name))
		buf_release(&f->others);	/* just a hint: drop it */
	return 0;
}

/* One "key = value" line inside the wanted profile. */
static int keyval(const char *file, int ln, char *s, struct found *f,
		  char **err)
{
	char *eq = strpbrk(s, "=:"), *key, *val, *p;	/* as configparser */
	int k;

	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	for (p = key; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (k = 0; k < K_N && strcmp(key, key_names[k]); k++)
		;
	if (k == K_N)
		return 0;		/* region, output, ...: not ours */
	if (f->line[k]) {
		*err = xasprintf("%s:%d: %s given twice in the profile "
				 "(first at line %d)", file, ln, key_names[k],
				 f->line[k]);
		return -1;
	}
	if (k != K_ID)
		secret_register(key_names[k], val);
	if (!*val || !header_safe(val)) {
		*err = xasprintf("%s:%d: %s %s", file, ln, key_names[k],
				 *val ? "contains a blank or a character "
				 "that is not printable ASCII" : "is empty");
		return -1;
	}
	f->val[k] = xstrdup(val);
	f->line[k] = ln;
	return 0;
}

static int parse(const char *file, char *text, const char *profile,
		 struct found *f, char **err)
{
	char *line = text, *next, *s;
	bool in_profile = false;
	int ln = 0, sections = 0;

	for (; line && *line; line = next) {
		ln++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			sections++;
			if (section(file, ln, s, profile, f, &in_profile, err))
				return -1;
			continue;
		}
		if (line[0] == ' ' || line[0] == '\t') {
			/* a continuation (nested values of the config file) */
			continue;
		}
		if (!strpbrk(s, "=:")) {
			*err = xasprintf("%s:%d: expected '[profile]' or "
					 "'key = value'", file, ln);
			return -1;
		}
		if (!sections) {
			*err = xasprintf("%s:%d: 'key = value' before any "
					 "'[profile]' line", file, ln);
			return -1;
		}
		if (in_profile && keyval(file, ln, s, f, err))
			return -1;
	}
	return 0;
}

static void take(struct aws_creds *c, struct found *f)
{
	c->access_key = f->val[K_ID];
	c->secret_key = f->val[K_SECRET];
	c->session_token = f->val[K_TOKEN];
	memset(f->val, 0, sizeof(f->val));
}

static int from_file(struct aws_creds *c, const char *file,
		     const char *profile, char **err)
{
	struct found f;
	struct buf b;
	int ret = -1, k;

	memset(&f, 0, sizeof(f));
	buf_init(&f.others, 4096);
	buf_init(&b, AWS_CREDS_CAP_FILE);
	if (fs_read_file(file, &b)) {
		*err = xasprintf("cannot read the AWS credentials file '%s': "
				 "%s", file, errno == EFBIG ?
				 "larger than 1 MiB" : fs_strerror(errno));
		goto out;
	}
	if (b.len && memchr(b.data, '\0', b.len)) {
		*err = xasprintf("%s: not a text file", file);
		goto out;
	}
	if (parse(file, b.len ? b.data : (char *)"", profile, &f, err))
		goto out;
	if (!f.section_line) {
		*err = xasprintf("%s: no profile '%s'%s%s%s", file, profile,
				 f.others.len ? " (profiles: " : " (no "
				 "profiles in the file", f.others.len ?
				 f.others.data : "", ")");
		goto out;
	}
	for (k = K_ID; k <= K_SECRET; k++)
		if (!f.val[k]) {
			*err = xasprintf("%s:%d: profile '%s' has no %s", file,
					 f.section_line, profile,
					 key_names[k]);
			goto out;
		}
	take(c, &f);
	c->source = xasprintf("%s (profile %s)", file, profile);
	ret = 0;
out:
	for (k = 0; k < K_N; k++)
		freezero_str(f.val[k]);
	buf_release(&f.others);
	buf_wipe(&b);
	return ret;
}

static int from_env(struct aws_creds *c,
		    const char *(*get)(const char *name), char **err)
{
	static const char *const vars[K_N] = {
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN",
	};
	struct found f;
	const char *v;
	int k, ret = -1;

	memset(&f, 0, sizeof(f));
	for (k = 0; k < K_N; k++) {
		v = get(vars[k]);
		if (!v || !*v)
			continue;
		if (k != K_ID)
			secret_register(vars[k], v);
		if (!header_safe(v)) {
			*err = xasprintf("%s contains a blank or a character "
					 "that is not printable ASCII",
					 vars[k]);
			goto out;
		}
		f.val[k] = xstrdup(v);
	}
	if (!f.val[K_ID] && !f.val[K_SECRET]) {
		*err = xstrdup("no AWS credentials: set the Credentials field "
			       "to a credentials file, or AWS_ACCESS_KEY_ID "
			       "and AWS_SECRET_ACCESS_KEY");
		goto out;
	}
	if (!f.val[K_ID] || !f.val[K_SECRET]) {
		*err = xasprintf("%s is set but %s is not",
				 vars[f.val[K_ID] ? K_ID : K_SECRET],
				 vars[f.val[K_ID] ? K_SECRET : K_ID]);
		goto out;
	}
	take(c, &f);
	c->source = xstrdup("the environment");
	ret = 0;
out:
	for (k = 0; k < K_N; k++)
		freezero_str(f.val[k]);
	return ret;
}

int aws_creds_load_from(struct aws_creds *c, const char *file,
			const char *profile,
			const char *(*getenv_fn)(const char *name),
			char **err)
{
	memset(c, 0, sizeof(*c));
	*err = NULL;
	if (!profile || !*profile)
		profile = "default";
	if (file && *file)
		return from_file(c, file, profile, err);
	return from_env(c, getenv_fn, err);
}

static const char *real_getenv(const char *name)
{
	return getenv(name);
}

int aws_creds_load(struct aws_creds *c, const char *file, char **err)
{
	return aws_creds_load_from(c, file, getenv("AWS_PROFILE"),
				   real_getenv, err);
}

void aws_creds_release(struct aws_creds *c)
{
	free(c->access_key);
	freezero_str(c->secret_key);
	freezero_str(c->session_token);
	free(c->source);
	memset(c, 0, sizeof(*c));
}
