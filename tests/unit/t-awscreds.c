/*
 * t-awscreds.c: AWS credentials (src/cloud/awscreds.h) from
 * shared-credentials files written here and from a fake environment.
 */
#include "../../src/icm.h"
#include "tap.h"
#include "testutil.h"
#include "cloud/awscreds.h"
#include "state/log.h"
#include "util/str.h"

static char dir[] = "/tmp/t-awscreds.XXXXXX";
static const char *const *env;		/* NAME=value, NULL-terminated */

static const char *fake_getenv(const char *name)
{
	size_t n = strlen(name);

	for (const char *const *e = env; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static char *write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);

	if (fs_write_atomic(path, text, strlen(text), 0600))
		abort();
	return path;
}

/* Loads; on failure returns the reason (caller frees), else NULL. */
static char *load(struct aws_creds *c, const char *file, const char *profile)
{
	char *err = NULL;

	if (aws_creds_load_from(c, file, profile, fake_getenv, &err) == 0)
		return NULL;
	return err ? err : xstrdup("(failed without a reason)");
}

static void expect_error(const char *name, const char *file,
			 const char *profile, const char *want)
{
	struct aws_creds c;
	char *err = load(&c, file, profile);

	ok(err && strstr(err, want), "%s: %s", name, err ? err : "(loaded)");
	if (err && !strstr(err, want))
		printf("#   wanted: %s\n", want);
	ok(!err || !secret_found(err), "%s: no secret in the reason", name);
	free(err);
	aws_creds_release(&c);
}

/* Files that must be refused, and the reason (after the directory). */
static const struct {
	const char *file, *text, *want;
} bad[] = {
	{ "nosecret", "[default]\naws_access_key_id = AKID\n",
	  "nosecret:1: profile 'default' has no aws_secret_access_key" },
	{ "empty", "",
	  "empty: no profile 'default' (no profiles in the file)" },
	{ "badline", "[default]\naws_access_key_id AKID\n",
	  "badline:2: expected '[profile]' or 'key = value'" },
	{ "nosection", "aws_access_key_id = AKID\n",
	  "nosection:1: 'key = value' before any '[profile]'" },
	{ "twice", "[default]\naws_access_key_id = A\n"
	  "aws_secret_access_key = SECRET1\naws_access_key_id = B\n",
	  "twice:4: aws_access_key_id given twice in the profile "
	  "(first at line 2)" },
	{ "twoprof", "[default]\n[x]\n[default]\n",
	  "twoprof:3: profile 'default' given twice (first at line 1)" },
	{ "blank", "[default]\naws_access_key_id = AKID\n"
	  "aws_secret_access_key = SECRET with space\n",
	  "blank:3: aws_secret_access_key contains a blank" },
	{ "emptyval", "[default]\naws_access_key_id =\n",
	  "emptyval:2: aws_access_key_id is empty" },
	{ "hdr", "[default\n", "hdr:1: a section header must be '[name]'" },
};

int main(void)
{
	struct aws_creds c;
	char *f, *err;

	if (!mkdtemp(dir))
		return 1;

	f = write_file("good",
		       "# a comment\n"
		       "[default]\n"
		       "aws_access_key_id = AKIDDEFAULT\n"
		       "aws_secret_access_key = SECRETdefault/+x\n"
		       "region = us-west-2\n"
		       "\n"
		       "; another comment\n"
		       "[dev]\n"
		       "AWS_Access_Key_Id=AKIDDEV\n"
		       "aws_secret_access_key: SECRETdev\n"
		       "aws_session_token = TOKENdev==\n"
		       "s3 =\n"
		       "  max_concurrent_requests = 4\n");
	err = load(&c, f, NULL);
	ok(!err, "default profile loads");
	is_str(c.access_key, "AKIDDEFAULT", "its access key");
	is_str(c.secret_key, "SECRETdefault/+x", "its secret key");
	ok(c.session_token == NULL, "no session token");
	ok(c.source && strstr(c.source, "(profile default)"), "source: %s",
	   c.source ? c.source : "(null)");
	ok(secret_found("xx SECRETdefault/+x yy"),
	   "the secret key is registered for redaction");
	ok(!secret_found("AKIDDEFAULT"), "the access key id is not");
	aws_creds_release(&c);
	ok(c.secret_key == NULL && c.access_key == NULL, "released");

	err = load(&c, f, "dev");
	ok(!err, "profile dev loads (keys are case-insensitive, ':' works)");
	is_str(c.access_key, "AKIDDEV", "dev: access key");
	is_str(c.secret_key, "SECRETdev", "dev: secret key");
	is_str(c.session_token, "TOKENdev==", "dev: session token");
	ok(secret_found("TOKENdev=="), "the token is registered");
	aws_creds_release(&c);

	expect_error("a missing profile", f, "prod",
		     "good: no profile 'prod' (profiles: default, dev)");
	free(f);

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		f = write_file(bad[i].file, bad[i].text);
		expect_error(bad[i].file, f, NULL, bad[i].want);
		free(f);
	}
	f = xasprintf("%s/absent", dir);
	expect_error("a missing file", f, NULL,
		     "cannot read the AWS credentials file '");
	free(f);

	/* The environment, when no file is named. */
	{
		static const char *const e1[] = {
			"AWS_ACCESS_KEY_ID=AKIDENV",
			"AWS_SECRET_ACCESS_KEY=SECRETenv",
			"AWS_SESSION_TOKEN=TOKENenv", NULL };
		static const char *const e2[] = {
			"AWS_ACCESS_KEY_ID=AKIDENV", NULL };
		static const char *const e3[] = {
			"AWS_SECRET_ACCESS_KEY=SECRETenv2", NULL };

		env = e1;
		err = load(&c, "", NULL);
		ok(!err, "the environment");
		is_str(c.access_key, "AKIDENV", "env: access key");
		is_str(c.secret_key, "SECRETenv", "env: secret key");
		is_str(c.session_token, "TOKENenv", "env: session token");
		is_str(c.source, "the environment", "env: source");
		ok(secret_found("TOKENenv"), "env: token registered");
		aws_creds_release(&c);
		env = e2;
		expect_error("env: no secret", NULL, NULL,
			     "AWS_ACCESS_KEY_ID is set but "
			     "AWS_SECRET_ACCESS_KEY is not");
		env = e3;
		expect_error("env: no key id", NULL, NULL,
			     "AWS_SECRET_ACCESS_KEY is set but "
			     "AWS_ACCESS_KEY_ID is not");
		ok(secret_found("SECRETenv2"),
		   "a secret is registered even when loading fails");
		env = NULL;
		expect_error("nothing at all", NULL, NULL,
			     "no AWS credentials: set the Credentials field");
	}

	if (fs_remove_tree(dir))
		return 1;
	return done_testing();
}
