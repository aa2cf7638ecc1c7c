/*
 * t-s3.c: the S3 client's parts that need no server (src/cloud/s3_int.h):
 * bucket and key checks, URLs in both addressing styles, the wording of
 * S3's errors, ListObjectsV2 pages, HTTP dates.  tests/e2e/99-s3-client.sh
 * runs the rest against moto.
 */
#include "../../src/icm.h"
#include "tap.h"
#include "cloud/s3_int.h"
#include "util/str.h"

static struct aws_creds creds = {
	.access_key = "AKIDEXAMPLE", .secret_key = "t-s3-secret",
	.source = "the environment",
};

static void names(void)
{
	static const char *const good[] = {
		"abc", "my-bucket", "a.b.c", "0-9", "icm-state.example.com",
	};
	static const char *const bad[] = {
		"ab", "Abc", "-abc", "abc-", "a_b", "a..b", "a b", ".ab",
		"abcdefghij-abcdefghij-abcdefghij-"
		"abcdefghij-abcdefghij-abcdefghi",
	};
	char *err = NULL, big[S3_KEY_MAX + 2];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		ok(!s3_check_bucket(good[i], &err), "bucket '%s' is good",
		   good[i]);
		free(err);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ok(s3_check_bucket(bad[i], &err) && err &&
		   strstr(err, "not an S3 bucket name"),
		   "bucket '%s' is refused", bad[i]);
		free(err);
	}
	ok(s3_check_bucket(NULL, &err), "no bucket is refused");
	free(err);
	ok(!s3_check_key("dep/state.json", &err), "a key with '/'");
	ok(!s3_check_key("a b+c/\xc3\xa9t\xc3\xa9", &err),
	   "spaces, '+', UTF-8");
	ok(!s3_check_key("a/.../b..c/.x", &err), "dots that are no segment");
	ok(s3_check_key("", &err) && strstr(err, "empty"), "empty key: %s",
	   err);
	free(err);
	ok(s3_check_key("a\nb", &err) && strstr(err, "control") &&
	   !strchr(err, '\n'), "a control character: %s", err);
	free(err);
	ok(s3_check_key("a/../b", &err) && strstr(err, "segment"),
	   "'..' segment: %s", err);
	free(err);
	ok(s3_check_key("./b", &err), "'.' segment");
	free(err);
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(s3_check_key(big, &err) && strstr(err, "1024"), "over %d bytes",
	   S3_KEY_MAX);
	free(err);
	big[S3_KEY_MAX] = '\0';
	ok(!s3_check_key(big, &err), "%d bytes", S3_KEY_MAX);
}

/* The path to sign and the URL of key (NULL: the bucket) for cfg. */
static void target(const struct s3_config *cfg, const char *key,
		   const char *query, const char *want_path,
		   const char *want_url, const char *want_host)
{
	struct s3 s;
	char *err = NULL, *path = NULL, *url = NULL;

	if (s3_setup(&s, cfg, &err)) {
		ok(0, "set up for %s: %s", want_url, err);
		free(err);
		return;
	}
	ok(!s3_target(&s, key, query, &path, &url), "target %s", want_url);
	is_str(path, want_path, "  its path");
	is_str(url, want_url, "  its URL");
	is_str(s.host, want_host, "  its Host");
	free(path);
	free(url);
	s3_release(&s);
}

static void urls(void)
{
	struct s3_config c = {
		.bucket = "icm-state", .endpoint = "http://127.0.0.1:5000",
		.path_style = true, .creds = &creds,
	};
	struct s3 s;
	char *err = NULL;

	target(&c, "dep/a b+c", NULL, "/icm-state/dep/a b+c",
	       "http://127.0.0.1:5000/icm-state/dep/a%20b%2Bc",
	       "127.0.0.1:5000");
	target(&c, "\xc3\xa9t\xc3\xa9/~x_y-z.json", NULL,
	       "/icm-state/\xc3\xa9t\xc3\xa9/~x_y-z.json",
	       "http://127.0.0.1:5000/icm-state/%C3%A9t%C3%A9/~x_y-z.json",
	       "127.0.0.1:5000");
	target(&c, NULL, "list-type=2", "/icm-state",
	       "http://127.0.0.1:5000/icm-state?list-type=2",
	       "127.0.0.1:5000");
	c.path_style = false;
	c.endpoint = "https://minio.example:9000/";
	target(&c, "k", NULL, "/k", "https://icm-state.minio.example:9000/k",
	       "icm-state.minio.example:9000");
	target(&c, NULL, "list-type=2", "/",
	       "https://icm-state.minio.example:9000/?list-type=2",
	       "icm-state.minio.example:9000");
	c.endpoint = NULL;
	c.region = "eu-west-3";
	target(&c, "k", NULL, "/k",
	       "https://icm-state.s3.eu-west-3.amazonaws.com/k",
	       "icm-state.s3.eu-west-3.amazonaws.com");
	c.endpoint = "https://s3.amazonaws.com:443";
	target(&c, "k", NULL, "/k", "https://icm-state.s3.amazonaws.com/k",
	       "icm-state.s3.amazonaws.com");
	c.bucket = "state.example.com";	/* dotted: path-style */
	c.endpoint = NULL;
	c.region = NULL;
	target(&c, "k", NULL, "/state.example.com/k",
	       "https://s3.us-east-1.amazonaws.com/state.example.com/k",
	       "s3.us-east-1.amazonaws.com");

	c.bucket = "icm-state";
	c.endpoint = "https://host/prefix";
	ok(s3_setup(&s, &c, &err) && strstr(err, "HOST[:PORT]"),
	   "an endpoint with a path: %s", err);
	free(err);
	c.endpoint = "ftp://host";
	ok(s3_setup(&s, &c, &err), "an ftp endpoint");
	free(err);
	c.endpoint = "https://user:pw@host";
	ok(s3_setup(&s, &c, &err) && !strstr(err, "pw"),
	   "an endpoint with a password: not quoted");
	free(err);
	c.endpoint = NULL;
	c.region = "EU";
	ok(s3_setup(&s, &c, &err) && strstr(err, "region"), "a bad region");
	free(err);
	c.region = NULL;
	c.creds = NULL;
	ok(s3_setup(&s, &c, &err) && strstr(err, "credentials"),
	   "no credentials");
	free(err);
}

static void errors(void)
{
	struct s3_config c = {
		.bucket = "icm-state", .path_style = true, .creds = &creds,
	};
	struct s3 s;
	char *err = NULL, *code = NULL, *r;

#define XERR(code, msg) "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<Error><Code>" code "</Code><Message>" msg "</Message>" \
	"<RequestId>R1</RequestId></Error>"
#define TEXT(status, body, op, key) \
	s3_error_text(&s, op, key, status, body, strlen(body), &code)

	if (s3_setup(&s, &c, &err)) {
		ok(0, "s3_setup: %s", err);
		free(err);
		return;
	}
	r = TEXT(409, XERR("BucketNotEmpty", "The bucket &lt;is&gt; full"),
		 "DELETE", "dep/x");
	is_str(r, "S3 DELETE s3://icm-state/dep/x: BucketNotEmpty: The "
	       "bucket <is> full (HTTP 409)", "the general wording");
	is_str(code, "BucketNotEmpty", "  its code");
	free(r);
	free(code);
	r = TEXT(404, XERR("NoSuchBucket", "The specified bucket does not "
			   "exist"), "GET", "k");
	is_str(r, "S3 GET s3://icm-state/k: the bucket icm-state does not "
	       "exist (icm does not create it)", "NoSuchBucket");
	free(r);
	free(code);
	r = TEXT(403, XERR("SignatureDoesNotMatch", "The request signature "
			   "we calculated does not match"), "PUT", "k");
	ok(strstr(r, "credentials from the environment were refused") &&
	   strstr(r, "SignatureDoesNotMatch") && strstr(r, "HTTP 403"),
	   "SignatureDoesNotMatch: %s", r);
	free(r);
	free(code);
	r = TEXT(403, XERR("InvalidAccessKeyId", "no such key"), "GET", "k");
	ok(strstr(r, "were refused"), "InvalidAccessKeyId: %s", r);
	free(r);
	free(code);
	r = TEXT(403, XERR("AccessDenied", "Access Denied"), "LIST", "dep/");
	ok(str_starts(r, "S3 LIST s3://icm-state/dep/: access denied: the "
		      "credentials from the environment"), "AccessDenied: %s",
	   r);
	free(r);
	free(code);
	r = TEXT(403, XERR("RequestTimeTooSkewed", "too skewed"), "GET", "k");
	ok(strstr(r, "clock"), "RequestTimeTooSkewed: %s", r);
	free(r);
	free(code);
	r = TEXT(502, "<html>\r\n<body>Bad Gateway</body>", "GET", "k");
	is_str(r, "S3 GET s3://icm-state/k: HTTP 502: <html>", "not XML");
	ok(!code, "  no code");
	free(r);
	r = s3_error_text(&s, "HEAD", "k", 404, NULL, 0, &code);
	is_str(r, "S3 HEAD s3://icm-state/k: HTTP 404", "no body (HEAD)");
	free(r);
	r = TEXT(400, XERR("Bad\x01Code", "line\nbreak"), "GET", "k");
	ok(r && !strchr(r, '\n') && !strchr(r, '\x01'), "one line: %s", r);
	free(r);
	free(code);
	s3_release(&s);
}

struct seen {
	struct buf keys;
	int stop_at;
	int n;
};

static int collect(void *arg, const char *key, const char *etag,
		   int64_t size)
{
	struct seen *s = arg;

	if (++s->n == s->stop_at)
		return -1;
	return buf_addf(&s->keys, "%s|%s|%lld\n", key, etag, (long long)size);
}

static void pages(void)
{
	static const char page1[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/"
		"2006-03-01/\"><Name>icm-state</Name><Prefix>dep/</Prefix>"
		"<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>"
		"<IsTruncated>true</IsTruncated>"
		"<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36"
		"Hy4vbOwM=</NextContinuationToken>"
		"<Contents><Key>dep/a&amp;b &lt;1&gt;</Key>"
		"<LastModified>2026-12-06T21:03:22.000Z</LastModified>"
		"<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>"
		"<Size>12</Size><StorageClass>STANDARD</StorageClass>"
		"</Contents>"
		"<Contents><Key>dep/\xc3\xa9t\xc3\xa9</Key><ETag>\"e\"</ETag>"
		"<Size>0</Size></Contents></ListBucketResult>";
	static const char last[] =
		"<ListBucketResult><IsTruncated>false</IsTruncated>"
		"<Contents><Key>dep/z</Key><ETag>\"z\"</ETag><Size>5</Size>"
		"</Contents></ListBucketResult>";
	static const char nosize[] =
		"<ListBucketResult><Contents><Key>k</Key><Size>x</Size>"
		"</Contents></ListBucketResult>";
	static const char notoken[] =
		"<ListBucketResult><IsTruncated>true</IsTruncated>"
		"</ListBucketResult>";
	struct seen s = { .stop_at = 0 };
	char *next = NULL, *err = NULL;
	size_t n = 0;

	buf_init(&s.keys, 1 << 16);
	is_int(s3_list_page(page1, sizeof(page1) - 1, collect, &s, &n, &next,
			    &err), 0, "a truncated page");
	is_str(s.keys.data, "dep/a&b <1>|\"9b2cf535f27731c974343645a3985328\""
	       "|12\ndep/\xc3\xa9t\xc3\xa9|\"e\"|0\n", "  its objects, "
	       "entities decoded");
	is_str(next, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=",
	       "  the continuation token");
	is_int(n, 2, "  counted");
	free(next);
	is_int(s3_list_page(last, sizeof(last) - 1, collect, &s, &n, &next,
			    &err), 0, "the last page");
	ok(!next, "  no token");
	is_int(n, 3, "  counted on");
	s.stop_at = s.n + 1;
	is_int(s3_list_page(last, sizeof(last) - 1, collect, &s, &n, &next,
			    &err), 1, "the callback stops it");
	ok(!err, "  without a reason");
	ok(s3_list_page(nosize, sizeof(nosize) - 1, collect, &s, &n, &next,
			&err) < 0 && strstr(err, "Size"),
	   "a bad Size: %s", err);
	free(err);
	ok(s3_list_page(notoken, sizeof(notoken) - 1, collect, &s, &n, &next,
			&err) < 0 && strstr(err, "Token"), "no token: %s", err);
	free(err);
	ok(s3_list_page("<Error/>", 8, collect, &s, &n, &next, &err) < 0 &&
	   strstr(err, "ListBucketResult"), "another document: %s", err);
	free(err);
	ok(s3_list_page("<a>", 3, collect, &s, &n, &next, &err) < 0 &&
	   strstr(err, "not XML"), "not XML: %s", err);
	free(err);
	n = S3_LIST_CAP;
	s.stop_at = 0;
	ok(s3_list_page(last, sizeof(last) - 1, collect, &s, &n, &next,
			&err) < 0 && strstr(err, "100000"), "over the cap: %s",
	   err);
	free(err);
	buf_release(&s.keys);
}

static void dates(void)
{
	is_int(s3_http_date("Sun, 06 Dec 2026 21:03:22 GMT"), 1796591002,
	       "an IMF-fixdate");
	is_int(s3_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), 0, "the epoch");
	is_int(s3_http_date(""), 0, "empty");
	is_int(s3_http_date(NULL), 0, "none");
	is_int(s3_http_date("Sun, 06 Dec 2026 21:03:22 GMT junk"), 0,
	       "trailing junk");
	is_int(s3_http_date("2026-12-06T21:03:22Z"), 0, "not HTTP's form");
}

int main(void)
{
	names();
	urls();
	errors();
	pages();
	dates();
	return done_testing();
}
