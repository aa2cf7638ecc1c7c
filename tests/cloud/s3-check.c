/*
 * s3-check.c: the S3 client (src/cloud/s3.h) against a real server, for
 * tests/e2e/99-s3-client.sh (moto's S3).
 *
 *   s3-check -S
 *	signs fixed requests at a fixed time with fixed credentials (nothing
 *	is sent) and prints one line each for botocore's S3SigV4Auth to sign
 *	again: NAME, METHOD, URL, REGION, SESSION-TOKEN or '-', the body in
 *	hex, the Authorization, then every other header as "Name: value",
 *	tab-separated
 *   s3-check -p BUCKET KEY
 *	one create-only PUT of "x" (a stub server's retries), its line
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
#include "cloud/s3_int.h"
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

#define WHEN 1764036000		/* 2025-11-25 02:00:00 UTC */

/* One -S line for r on a handle set up from cfg. */
static int sign_line(const char *name, const struct s3_config *cfg,
		     const struct s3_req *r)
{
	struct s3 t;
	struct sigv4_result sig = { 0 };
	struct http_header h[S3_MAX_HEADERS];
	char *err = NULL, *path = NULL, *url = NULL;
	size_t i, n;
	int ret = -1;

	if (s3_setup(&t, cfg, &err))
		goto out;
	if (s3_target(&t, r->key, r->query, &path, &url) ||
	    s3_sign(&t, r, path, WHEN, &sig, h, &n, &err))
		goto out;
	printf("%s\t%s\t%s\t%s\t%s\t", name, r->method, url, t.region,
	       cfg->creds->session_token ? cfg->creds->session_token : "-");
	for (i = 0; i < r->len; i++)
		printf("%02x", ((const unsigned char *)r->body)[i]);
	printf("\t%s", sig.authorization);
	for (i = 0; i < n; i++)
		if (strcmp(h[i].name, "Authorization"))
			printf("\t%s: %s", h[i].name, h[i].value);
	printf("\n");
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "s3-check: %s: %s\n", name,
			err ? err : "cannot build the URL");
	sigv4_result_release(&sig);
	if (t.bucket)
		s3_release(&t);
	free(err);
	free(path);
	free(url);
	return ret;
}

/* -S: the requests botocore signs again. */
static int sign_all(void)
{
	struct aws_creds c = {
		.access_key = "AKIDEXAMPLE",
		.secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		.source = "s3-check",
	}, tc = c;
	struct s3_config path = {
		.bucket = "icm-state", .endpoint = "http://127.0.0.1:5000",
		.path_style = true, .creds = &c,
	}, vhost = {
		.bucket = "icm-state", .region = "eu-west-3", .creds = &c,
	}, token = path;
	static const char body[] = "{\"v\": 1}\n";
	const char *etag = "\"9b2cf535f27731c974343645a3985328\"";
	int bad = 0;

	tc.session_token = "FQoGZXIvYXdzEXAMPLE/token+with=chars";
	token.creds = &tc;
	bad |= sign_line("get-path", &path, &(struct s3_req){
		.method = "GET", .key = "dep/a b+c \xc3\xa9t\xc3\xa9~x" });
	bad |= sign_line("put-create", &path, &(struct s3_req){
		.method = "PUT", .key = "dep/state.json", .body = body,
		.len = sizeof(body) - 1, .if_none_match = true });
	bad |= sign_line("put-match-empty", &path, &(struct s3_req){
		.method = "PUT", .key = "dep/e", .body = "",
		.if_match = etag });
	bad |= sign_line("delete-match", &path, &(struct s3_req){
		.method = "DELETE", .key = "dep/state.json",
		.if_match = etag });
	bad |= sign_line("list", &path, &(struct s3_req){
		.method = "GET", .query = "list-type=2&prefix=dep%2F&"
		"continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36"
		"Hy4vbOwM%3D" });
	bad |= sign_line("head-vhost", &vhost, &(struct s3_req){
		.method = "HEAD", .key = "k/\xc3\xa9" });
	bad |= sign_line("list-vhost", &vhost, &(struct s3_req){
		.method = "GET", .query = "list-type=2&prefix=a%20b%2B" });
	bad |= sign_line("get-token", &token, &(struct s3_req){
		.method = "GET", .key = "k" });
	return bad ? 1 : 0;
}

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

	if (argc == 2 && !strcmp(argv[1], "-S"))
		return sign_all();
	if (argc == 4 && !strcmp(argv[1], "-p"))
		argv++, argc--;
	if (argc != 3) {
		fprintf(stderr, "usage: s3-check [-S | -p BUCKET KEY | "
			"BUCKET PREFIX]\n");
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
	if (argv[0] && !strcmp(argv[0], "-p")) {	/* one PUT */
		put("put", prefix, "x", NULL, true, &a);
		s3_close(s);
		aws_creds_release(&creds);
		return 0;
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
