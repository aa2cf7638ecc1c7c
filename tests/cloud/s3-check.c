/*
 * s3-check.c: the S3 client (src/cloud/s3.h) against a real server, for
 * tests/e2e/99-s3-client.sh (moto's S3).
 *
 *   s3-check BUCKET PREFIX
 * The endpoint is $AWS_ENDPOINT_URL (path-style), the credentials the
 * environment's.  The bucket must exist; the keys are PREFIX + a few
 * names.  Each step prints one line, "STEP: WHAT", where WHAT is "ok",
 * "not-found", "precondition" or "failed: REASON", plus what the step
 * checked ("same", "differs", ...); the scenario compares the lines.
 * Exit status 0 when every step ran (whatever they said), 1 when the set-up
 * failed.
 */
#include "../../src/icm.h"
#include "cloud/s3.h"
#include "util/str.h"

static struct s3 *s;

/* One step's line. */
static void say_rc(const char *step, int rc, char **err, const char *more)
{
	const char *what = rc == S3_OK ? "ok" : rc == S3_NOT_FOUND ?
		"not-found" : rc == S3_PRECONDITION ? "precondition" : NULL;

	if (what)
		printf("%s: %s%s%s\n", step, what, more ? " " : "",
		       more ? more : "");
	else
		printf("%s: failed: %s\n", step, *err ? *err : "(no reason)");
	fflush(stdout);
	free(*err);
	*err = NULL;
}

/* A step whose result needs no check: the call made before its line. */
#define STEP(name, call) do {			\
		int rc_ = (call);			\
		say_rc(name, rc_, &err, NULL);		\
	} while (0)

static int put(const char *step, const char *key, const char *text,
	       const char *if_match, bool create, struct s3_info *info)
{
	char *err = NULL;
	int rc = s3_put(s, key, text, strlen(text), if_match, create, info,
			&err);

	say_rc(step, rc, &err, rc == S3_OK && info->etag[0] == '"' &&
	       info->server_date ? "etag date" : NULL);
	return rc;
}

static int listed(void *arg, const char *key, const char *etag,
		  int64_t size)
{
	int *stop = arg;

	printf("  %s %lld %s\n", key, (long long)size, *etag ? "etag" : "-");
	return --*stop ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct aws_creds creds = { 0 };
	struct s3_config cfg = { .path_style = true, .creds = &creds };
	struct s3_info a, b, h;
	struct buf body, small;
	const char *prefix;
	char *err = NULL, *k1, *k2, *k3, *out, *missing;
	int rc, stop;

	if (argc != 3) {
		fprintf(stderr, "usage: s3-check BUCKET PREFIX\n");
		return 2;
	}
	prefix = argv[2];
	cfg.bucket = argv[1];
	cfg.endpoint = getenv("AWS_ENDPOINT_URL");
	cfg.region = getenv("AWS_REGION");
	if (aws_creds_load(&creds, NULL, &err) || s3_open(&cfg, &s, &err)) {
		fprintf(stderr, "s3-check: %s\n", err);
		return 1;
	}
	k1 = xasprintf("%sstate.json", prefix);
	k2 = xasprintf("%sa b+c \xc3\xa9t\xc3\xa9", prefix);
	k3 = xasprintf("%snested/z", prefix);
	out = xasprintf("%.*sx", (int)strlen(prefix) - 1, prefix);
	missing = xasprintf("%smissing", prefix);

	put("create", k1, "one", NULL, true, &a);
	put("create-again", k1, "two", NULL, true, &b);
	put("put-wrong-etag", k1, "two", "\"00000000000000000000000000000000\"",
	    false, &b);
	if (put("put-right-etag", k1, "second", a.etag, false, &b) == S3_OK)
		printf("  etag %s\n", strcmp(a.etag, b.etag) ? "changed" :
		       "same");

	buf_init(&body, 1 << 20);
	rc = s3_get(s, k1, &body, &h, &err);
	say_rc("get", rc, &err, rc == S3_OK ? (body.len == 6 &&
	       !memcmp(body.data, "second", 6) && !strcmp(h.etag, b.etag) &&
	       h.size == 6 && h.server_date ? "body etag size" : "differs") :
	       NULL);
	rc = s3_head(s, k1, &h, &err);
	say_rc("head", rc, &err, rc == S3_OK ? (!strcmp(h.etag, b.etag) &&
	       h.size == 6 && h.last_modified && h.server_date &&
	       llabs((long long)(h.server_date - time(NULL))) < 600 ?
	       "etag size dates" : "differs") : NULL);
	buf_init(&small, 3);
	STEP("get-over-cap", s3_get(s, k1, &small, NULL, &err));
	STEP("get-missing", s3_get(s, missing, &body, NULL, &err));
	STEP("head-missing", s3_head(s, missing, NULL, &err));

	put("put-k2", k2, "2", NULL, true, &h);
	put("put-k3", k3, "three", NULL, false, &h);
	put("put-outside", out, "x", NULL, false, &h);
	stop = 100;
	STEP("list", s3_list(s, prefix, listed, &stop, &err));
	stop = 1;
	rc = s3_list(s, prefix, listed, &stop, &err);
	say_rc("list-stopped", rc, &err, NULL);

	STEP("delete-wrong-etag", s3_delete(s, k1, "\"0123\"", &err));
	STEP("delete", s3_delete(s, k1, b.etag, &err));
	STEP("head-deleted", s3_head(s, k1, NULL, &err));
	STEP("delete-missing", s3_delete(s, missing, NULL, &err));
	STEP("bad-key", s3_head(s, "a/../b", NULL, &err));

	s3_close(s);
	cfg.bucket = "icm-no-such-bucket";
	if (s3_open(&cfg, &s, &err)) {
		fprintf(stderr, "s3-check: %s\n", err);
		return 1;
	}
	STEP("get-no-bucket", s3_get(s, k1, &body, NULL, &err));
	STEP("put-no-bucket", s3_put(s, k1, "x", 1, NULL, false, NULL,
				       &err));
	s3_close(s);

	buf_release(&body);
	buf_release(&small);
	free(k1);
	free(k2);
	free(k3);
	free(out);
	free(missing);
	aws_creds_release(&creds);
	return 0;
}
