/*
 * t-sigv4.c: SigV4 signing (src/cloud/sigv4.h) against AWS's published
 * test suites committed under tests/data/sigv4 (see the README there):
 * every case of v4/ (context.json + request.txt, the header-signing
 * answers) and of classic/ (.req, .creq, .sts, .authz) is run; the
 * canonical request, the string to sign and the signature must match
 * exactly.  Then the parts icm relies on beyond the suites.
 */
#include "../../src/icm.h"
#include "tap.h"
#include "testutil.h"
#include "cloud/sigv4.h"
#include "util/str.h"
#include <cjson/cJSON.h>
#include <dirent.h>

#define DATA "tests/data/sigv4"
#define MAXH 32

/* A request file of the suites, parsed. */
struct rq {
	char *text;			/* owned; the fields point into it */
	char *method, *path, *query;
	struct sigv4_header h[MAXH];
	size_t nh;
	const char *body;
	size_t body_len;
};

/*
 * "METHOD target HTTP/1.1", header lines ("Name:value", continuation
 * lines start with a blank and are joined with '\n'), a blank line, the
 * body.  The target may contain spaces (get-space).
 */
static int rq_parse(struct rq *r, char *text)
{
	char *line, *next, *sp, *q, *colon;

	memset(r, 0, sizeof(*r));
	r->text = text;
	next = strchr(text, '\n');
	if (!next)
		next = text + strlen(text);
	else
		*next++ = '\0';
	sp = strchr(text, ' ');
	q = strrchr(text, ' ');
	if (!sp || q == sp)
		return -1;
	*sp = '\0';
	*q = '\0';
	r->method = text;
	r->path = sp + 1;
	q = strchr(r->path, '?');
	if (q) {
		*q = '\0';
		r->query = q + 1;
	}
	while (*next) {
		line = next;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (!*line) {
			r->body = next;
			r->body_len = strlen(next);
			break;
		}
		if ((*line == ' ' || *line == '\t') && r->nh) {
			/* a folded value: glue it back on with its '\n' */
			char *prev = (char *)r->h[r->nh - 1].value;

			/* line follows prev's NUL: put the '\n' back */
			prev[strlen(prev)] = '\n';
			continue;
		}
		colon = strchr(line, ':');
		if (!colon || r->nh == MAXH)
			return -1;
		*colon = '\0';
		r->h[r->nh].name = line;
		r->h[r->nh++].value = colon + 1;
	}
	return 0;
}

static char *slurp_trim(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *s = slurp(path);
	size_t n;

	free(path);
	if (!s)
		return xstrdup("(missing)");
	n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool jbool(const cJSON *o, const char *k)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static time_t parse_iso(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return (time_t)-1;
	return timegm(&tm);
}

static const char *label(char *t, size_t n, const char *suite,
			 const char *name, const char *what)
{
	snprintf(t, n, "%s/%s: %s", suite, name, what);
	return t;
}

/* One case of the context.json suite (header signing). */
static void run_v4(const char *dir, const char *name)
{
	char *ctx_text = slurp_trim(dir, "context.json");
	cJSON *ctx = cJSON_Parse(ctx_text);
	const cJSON *cr = cJSON_GetObjectItemCaseSensitive(ctx, "credentials");
	char *want_creq = slurp_trim(dir, "header-canonical-request.txt");
	char *want_sts = slurp_trim(dir, "header-string-to-sign.txt");
	char *want_sig = slurp_trim(dir, "header-signature.txt");
	struct sigv4_params p = {
		.access_key = jstr(cr, "access_key_id"),
		.secret_key = jstr(cr, "secret_access_key"),
		.session_token = jstr(cr, "token"),
		.region = jstr(ctx, "region"),
		.service = jstr(ctx, "service"),
		.when = parse_iso(jstr(ctx, "timestamp")),
		.normalize_path = jbool(ctx, "normalize"),
		.sign_body = jbool(ctx, "sign_body"),
		.omit_session_token = jbool(ctx, "omit_session_token"),
	};
	struct sigv4_request req = { 0 };
	struct sigv4_result res;
	struct rq r;
	char *err = NULL, t[256];
	int rc = -1;

	if (ctx && !rq_parse(&r, slurp_trim(dir, "request.txt"))) {
		req = (struct sigv4_request){ r.method, r.path, r.query, r.h,
					      r.nh, r.body, r.body_len };
		rc = sigv4_sign(&req, &p, &res, &err);
	} else {
		r.text = NULL;
		memset(&res, 0, sizeof(res));
	}
	ok(rc == 0, "v4/%s: signed%s%s", name, err ? ": " : "",
	   err ? err : "");
	is_str(res.canonical_request, want_creq,
	       label(t, sizeof(t), "v4", name, "canonical request"));
	is_str(res.string_to_sign, want_sts,
	       label(t, sizeof(t), "v4", name, "string to sign"));
	is_str(rc ? NULL : res.signature, want_sig,
	       label(t, sizeof(t), "v4", name, "signature"));
	sigv4_result_release(&res);
	free(r.text);
	free(err);
	free(want_creq);
	free(want_sts);
	free(want_sig);
	cJSON_Delete(ctx);
	free(ctx_text);
}

/*
 * The classic suite's fixed inputs: credentials and scope for all; the
 * one case signed with a session token does not carry it in its .req.
 */
static const char *classic_token(const char *name)
{
	return strcmp(name, "get-vanilla-with-session-token") ? NULL :
		"6e86291e8372ff2a2260956d9b8aae1d"
		"763fbf315fa00fa31553b73ebf194267";
}

/*
 * Two classic cases contradict themselves: their .creq signs
 * content-length, but their .sts and .authz were made from a canonical
 * request without it (the newer v4/ suite has the same requests with
 * consistent answers, and they pass).  For these the canonical request is
 * compared, and the test shows that the expected string to sign is not
 * the hash of the expected canonical request, instead of comparing it.
 */
static bool classic_inconsistent(const char *name)
{
	return !strcmp(name, "post-x-www-form-urlencoded") ||
	       !strcmp(name, "post-x-www-form-urlencoded-parameters");
}

/* One case of the classic suite: the .req carries X-Amz-Date (and the
 * token header where it is signed). */
static void run_classic(const char *dir, const char *name)
{
	char *f = xasprintf("%s.req", name);
	char *text = slurp_trim(dir, f);
	struct sigv4_params p = {
		.access_key = "AKIDEXAMPLE",
		.secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		.region = "us-east-1", .service = "service",
		.when = 1440938160,	/* 2015-08-30T12:36:00Z */
		.normalize_path = true,
		.session_token = classic_token(name),
	};
	struct sigv4_request req;
	struct sigv4_result res;
	struct rq r;
	char *err = NULL, *want[3], t[256];
	const char *ext[3] = { "creq", "sts", "authz" };
	int rc = -1, i;

	for (i = 0; i < 3; i++) {
		free(f);
		f = xasprintf("%s.%s", name, ext[i]);
		want[i] = slurp_trim(dir, f);
	}
	memset(&res, 0, sizeof(res));
	if (!rq_parse(&r, text)) {
		req = (struct sigv4_request){ r.method, r.path, r.query, r.h,
					      r.nh, r.body, r.body_len };
		rc = sigv4_sign(&req, &p, &res, &err);
	}
	ok(rc == 0, "classic/%s: signed%s%s", name, err ? ": " : "",
	   err ? err : "");
	is_str(res.canonical_request, want[0],
	       label(t, sizeof(t), "classic", name, "canonical request"));
	if (classic_inconsistent(name)) {
		char h[65];

		sigv4_sha256_hex(want[0], strlen(want[0]), h);
		ok(!strstr(want[1], h), "classic/%s: the expected string to "
		   "sign does not hash the expected canonical request "
		   "(listed in the README)", name);
		ok(rc == 0 && strstr(res.string_to_sign, h), "classic/%s: "
		   "ours hashes the canonical request", name);
	} else {
		is_str(res.string_to_sign, want[1],
		       label(t, sizeof(t), "classic", name, "string to sign"));
		is_str(res.authorization, want[2],
		       label(t, sizeof(t), "classic", name, "Authorization"));
	}
	ok(res.nadd == (p.session_token ? 1u : 0u), "classic/%s: only the "
	   "token header to add (the .req has the date)", name);
	sigv4_result_release(&res);
	for (i = 0; i < 3; i++)
		free(want[i]);
	free(f);
	free(text);
	free(err);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs fn on every directory below dir (sorted) that holds a case file
 * (file == NULL: "<dirname>.req"); recurses into the others. */
static int walk(const char *dir, const char *file, const char *prefix,
		void (*fn)(const char *, const char *))
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, *sub, *probe, *label;
	size_t n = 0, i;
	int count = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrdup(e->d_name);
		}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		sub = xasprintf("%s/%s", dir, names[i]);
		probe = file ? xasprintf("%s/%s", sub, file) :
			xasprintf("%s/%s.req", sub, names[i]);
		label = *prefix ? xasprintf("%s/%s", prefix, names[i]) :
			xstrdup(names[i]);
		if (fs_exists(probe)) {
			fn(sub, file ? label : names[i]);
			count++;
		} else if (fs_is_dir(sub)) {
			count += walk(sub, file, label, fn);
		}
		free(label);
		free(probe);
		free(sub);
		free(names[i]);
	}
	free(names);
	return count;
}

/* What icm's EC2 requests rely on beyond the suites. */
static void own_cases(void)
{
	struct sigv4_header h[] = {
		{ "Content-Type",
		  "application/x-www-form-urlencoded; charset=utf-8" },
		{ "Host", "ec2.us-east-1.amazonaws.com" },
	};
	const char *body = "Action=DescribeRegions&Version=2016-11-15";
	struct sigv4_request req = { "POST", "/", NULL, h, 2, body,
				     strlen(body) };
	struct sigv4_params p = {
		.access_key = "AKIDEXAMPLE", .secret_key = "secret",
		.session_token = "TOKEN", .region = "us-east-1",
		.service = "ec2", .when = 1440938160, .normalize_path = true,
	};
	struct sigv4_result res;
	struct buf b;
	char *err = NULL;

	ok(!sigv4_sign(&req, &p, &res, &err), "an EC2 POST signs");
	is_int(res.nadd, 2, "date and token headers to add");
	is_str(res.add[0].name, "X-Amz-Date", "first: X-Amz-Date");
	is_str(res.add[0].value, "20150830T123600Z", "its value");
	is_str(res.add[1].name, "X-Amz-Security-Token", "then the token");
	ok(strstr(res.authorization, "SignedHeaders=content-type;host;"
		  "x-amz-date;x-amz-security-token, ") != NULL,
	   "the token is signed");
	ok(!strstr(res.canonical_request, "secret") &&
	   !strstr(res.string_to_sign, "secret") &&
	   !strstr(res.authorization, "secret"),
	   "the secret key appears in no output");
	sigv4_result_release(&res);

	p.secret_key = "";
	ok(sigv4_sign(&req, &p, &res, &err) == -1 && err &&
	   strstr(err, "secret key"), "a missing secret key is refused");
	sigv4_result_release(&res);
	free(err);
	err = NULL;

	p.secret_key = "s";
	req.query = "a=%zz";
	ok(sigv4_sign(&req, &p, &res, &err) == -1 && err &&
	   strstr(err, "percent escape"), "a bad escape in the query");
	sigv4_result_release(&res);
	free(err);

	buf_init(&b, 1024);
	ok(!sigv4_uri_encode(&b, "a b/\xe1\x88\xb4~+", 9, false),
	   "uri encode");
	is_str(b.data, "a%20b%2F%E1%88%B4~%2B", "uri encode: bytes, '/', '+'");
	buf_release(&b);
}

int main(void)
{
	int n;

	n = walk(DATA "/v4", "context.json", "", run_v4);
	is_int(n, 38, "every context.json case ran (38)");
	n = walk(DATA "/classic", NULL, "", run_classic);
	is_int(n, 33, "every classic case ran (33)");
	own_cases();
	return done_testing();
}
