/*
 * t-gcpauth.c: GCP service-account authentication (provider/gcp/auth.h).
 *
 * - Key files: a service-account key (PKCS#8 RSA made here with BearSSL)
 *   is read whole; every other kind of file (unreadable, not JSON, an API
 *   key, a user's credentials, an OAuth client, an external account, no
 *   type, another type, no private key, an EC key, a PEM that is no key, a
 *   missing field, a token_uri that is no URL, a control character, over
 *   the cap) is one error naming the file and what it is.
 * - The JWT: header and claims exactly as google-auth writes them,
 *   base64url without padding ('-' and '_' for '+' and '/'), quotes and
 *   backslashes escaped, deterministic, and its signature verified with
 *   BearSSL's RSA PKCS#1 v1.5 verify against the public key (and refused
 *   once a byte of the signed input changes).
 * - The exchange through a fake transport and an injected clock: the form
 *   body and headers, the cache kept while 300 s or more remain and
 *   refreshed below, invalidation, 503 retried, the refusals' messages
 *   (a revoked key, a clock off, others), malformed answers, an endpoint
 *   that stays down; and once through libcurl to a loopback server forked
 *   here, which records the request it got.
 */
#include "icm.h"
#include "provider/gcp/auth.h"
#include "crypto/key.h"
#include "crypto/sshkey.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/str.h"
#include "tap.h"
#include "testutil.h"
#include <sys/wait.h>

#define EMAIL "icm-sa@icm-test.iam.gserviceaccount.com"
#define KID "5c1e0a2b7d9f4e3c8a6b1d0f2e4c6a8b9d7f5e3c"
#define TOKEN_URI "https://oauth2.googleapis.com/token"
#define NOW ((time_t)1764036000)
#define FORM_PREFIX "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type" \
	"%3Ajwt-bearer&assertion="
#define ANSWER_OK "{\"access_token\": \"ya29.c.first\", \"expires_in\": " \
	"3599, \"token_type\": \"Bearer\"}"

static char *dir, *rsa_pem, *ec_pem;

/* s as a JSON string (the PEM's newlines as \n). */
static char *json_quote(const char *s)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	if (buf_adds(&b, "\""))
		return NULL;
	for (; *s; s++)
		if (*s == '\n' ? buf_adds(&b, "\\n") : buf_add(&b, s, 1))
			return NULL;
	if (buf_adds(&b, "\""))
		return NULL;
	return buf_take(&b);
}

/* A key file's text: type, kid, the PEM and token_uri (NULL: left out). */
static char *key_json(const char *type, const char *kid, const char *pem,
		      const char *uri)
{
	char *q = pem ? json_quote(pem) : NULL;
	struct buf b;
	int r;

	buf_init(&b, 1 << 20);
	r = buf_adds(&b, "{\n  \"project_id\": \"icm-test\",\n");
	if (type)
		r |= buf_addf(&b, "  \"type\": \"%s\",\n", type);
	if (kid)
		r |= buf_addf(&b, "  \"private_key_id\": \"%s\",\n", kid);
	if (q)
		r |= buf_addf(&b, "  \"private_key\": %s,\n", q);
	if (uri)
		r |= buf_addf(&b, "  \"token_uri\": \"%s\",\n", uri);
	r |= buf_adds(&b, "  \"client_email\": \"" EMAIL "\",\n"
		      "  \"client_id\": \"104236071234567890123\",\n"
		      "  \"auth_uri\": \"https://accounts.google.com/o/oauth2/"
		      "auth\"\n}\n");
	free(q);
	return r ? NULL : buf_take(&b);
}

/* Writes text to dir/name; returns the path (caller frees). */
static char *put(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);

	if (write_text(path, text))
		fprintf(stderr, "cannot write %s\n", path);
	return path;
}

/* Loads name holding text: the error (allocated) or NULL when loaded. */
static char *load_err(const char *name, const char *text)
{
	struct gcp_key k;
	char *path = put(name, text), *err = NULL;

	if (!gcp_key_load(&k, path, &err))
		err = NULL;
	gcp_key_release(&k);
	free(path);
	return err;
}

/* A test that loading text as name fails with a message holding want
 * and the file's path. */
static void refused(const char *name, const char *text, const char *want,
		    const char *what)
{
	char *err = load_err(name, text), *path = xasprintf("%s/%s", dir,
							     name);

	ok(err && strstr(err, want) && strstr(err, path), "%s: refused "
	   "naming the file and why", what);
	if (!(err && strstr(err, want)))
		printf("#   got: %s\n#   want: %s\n", err ? err : "(loaded)",
		       want);
	free(err);
	free(path);
}

/* A new key of type as PKCS#8 PEM ("PRIVATE KEY"), or NULL. */
static char *pkcs8_pem(enum key_type type, unsigned bits)
{
	struct key k;
	struct buf b;
	uint8_t *der = NULL;
	size_t n = 0;
	char *pem = NULL;

	buf_init(&b, 1 << 16);
	if (!key_generate(&k, type, bits)) {
		der = key_pkcs8(&k, &n);
		if (der && !pem_add(&b, "PRIVATE KEY", der, n))
			pem = buf_take(&b);
		key_wipe(&k);
	}
	free(der);
	return pem;
}

static int make_keys(void)
{
	rsa_pem = pkcs8_pem(KEY_RSA, 2048);
	ec_pem = pkcs8_pem(KEY_EC, 0);
	return rsa_pem && ec_pem ? 0 : -1;
}

static void test_key_files(void)
{
	struct gcp_key k;
	char *path, *err = NULL, *text, big[GCP_KEY_CAP_FILE + 16];

	text = key_json("service_account", KID, rsa_pem, TOKEN_URI);
	path = put("sa.json", text);
	ok(!gcp_key_load(&k, path, &err), "a service-account key is read");
	is_str(k.client_email, EMAIL, "client_email");
	is_str(k.key_id, KID, "private_key_id");
	is_str(k.token_uri, TOKEN_URI, "token_uri");
	is_str(k.project_id, "icm-test", "project_id");
	ok(k.key && k.key->type == KEY_RSA && k.key->bits == 2048,
	   "the private key: RSA 2048");
	gcp_key_release(&k);
	ok(!k.key && !k.client_email, "released: nothing left");
	free(text);
	free(path);

	path = xasprintf("%s/absent.json", dir);
	ok(gcp_key_load(&k, path, &err) && err &&
	   strstr(err, "cannot read the service-account key") &&
	   strstr(err, path), "a missing file: named");
	free(err);
	free(path);

	refused("text.json", "hello\n", "is not a service-account key (not "
		"JSON, from 1:1)", "a text file");
	refused("apikey.txt", "  AIzaSyD-0123456789abcdefghijklmnopqrstu\n",
		"holds an API key, not a service-account key", "an API key");
	refused("array.json", "[1, 2]", "not a JSON object", "a JSON array");
	text = key_json("authorized_user", NULL, NULL, NULL);
	refused("user.json", text, "is a user's credentials (type "
		"authorized_user, from gcloud auth application-default login)"
		", not a service-account key", "a user's credentials");
	free(text);
	refused("client.json", "{\"installed\": {\"client_id\": \"x\", "
		"\"client_secret\": \"y\"}}", "is an OAuth client (client ID "
		"and secret), not a service-account key", "an OAuth client");
	text = key_json("external_account", NULL, NULL, TOKEN_URI);
	refused("ext.json", text, "is an external-account (workload identity "
		"federation) configuration", "an external account");
	free(text);
	text = key_json(NULL, KID, rsa_pem, TOKEN_URI);
	refused("notype.json", text, "is not a service-account key (no "
		"'type')", "no type");
	free(text);
	text = key_json("robot", KID, rsa_pem, TOKEN_URI);
	refused("robot.json", text, "(type 'robot'; icm needs "
		"'service_account')", "another type");
	free(text);
	text = key_json("service_account", KID, NULL, TOKEN_URI);
	refused("nokey.json", text, "is a service-account key without its "
		"private key (no 'private_key'): make a new JSON key for "
		EMAIL, "no private key");
	free(text);
	text = key_json("service_account", KID, ec_pem, TOKEN_URI);
	refused("ec.json", text, "private_key is an ECDSA P-256 key; a "
		"service-account key is RSA (RS256)", "an EC key");
	free(text);
	text = key_json("service_account", KID, "-----BEGIN CERTIFICATE-----"
			"\nMIIB\n-----END CERTIFICATE-----\n", TOKEN_URI);
	refused("cert.json", text, "private_key is not a PEM or OpenSSH "
		"private key", "a PEM that is no key");
	free(text);
	text = key_json("service_account", NULL, rsa_pem, TOKEN_URI);
	refused("nokid.json", text, "the service-account key has no "
		"'private_key_id'", "no private_key_id");
	free(text);
	text = key_json("service_account", KID, rsa_pem, NULL);
	refused("nouri.json", text, "the service-account key has no "
		"'token_uri'", "no token_uri");
	free(text);
	text = key_json("service_account", KID, rsa_pem, "oauth2.example");
	refused("baduri.json", text, "token_uri 'oauth2.example' is not an "
		"http(s) URL", "a token_uri that is no URL");
	free(text);
	text = key_json("service_account", "k\\u0001", rsa_pem, TOKEN_URI);
	refused("ctl.json", text, "'private_key_id' holds a character that "
		"is not printable ASCII", "a control character in a field");
	free(text);
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	refused("big.json", big, "file too large", "a file over the cap");
}

/* Decodes base64url (no padding) into out (1 MiB cap).  0 or -1. */
static int b64url_decode(struct buf *out, const char *s, size_t n)
{
	struct buf in;
	size_t i;
	int ret = -1;

	buf_init(&in, 1 << 16);
	buf_init(out, 1 << 20);
	if (buf_add(&in, s, n))
		goto out;
	for (i = 0; i < in.len; i++)
		if (in.data[i] == '-')
			in.data[i] = '+';
		else if (in.data[i] == '_')
			in.data[i] = '/';
	while (in.len % 4)
		if (buf_adds(&in, "="))
			goto out;
	ret = base64_decode(out, in.data, in.len);
out:
	buf_release(&in);
	return ret;
}

/* The part of a JWT between the idx-th and the next '.', decoded. */
static char *jwt_part(const char *jwt, int idx, size_t *len)
{
	const char *p = jwt, *e;

	while (idx-- > 0 && (p = strchr(p, '.')))
		p++;
	if (!p)
		return NULL;
	struct buf b;

	e = strchr(p, '.');
	*len = e ? (size_t)(e - p) : strlen(p);
	if (b64url_decode(&b, p, *len)) {
		buf_release(&b);
		return NULL;
	}
	return b.len ? buf_take(&b) : xstrdup("");
}

/* BearSSL's verdict on the JWT's RS256 signature. */
static bool jwt_verifies(const struct gcp_key *k, const char *jwt)
{
	const char *dot = strrchr(jwt, '.');
	unsigned char hash[32], got[32];
	br_sha256_context h;
	struct buf sig;
	bool good;

	buf_init(&sig, 0);
	if (!dot || b64url_decode(&sig, dot + 1, strlen(dot + 1))) {
		buf_release(&sig);
		return false;
	}
	br_sha256_init(&h);
	br_sha256_update(&h, jwt, (size_t)(dot - jwt));
	br_sha256_out(&h, hash);
	good = sig.len == k->key->rsa_pub.nlen &&
	       br_rsa_pkcs1_vrfy_get_default()((unsigned char *)sig.data,
					       sig.len, BR_HASH_OID_SHA256,
					       sizeof(got), &k->key->rsa_pub,
					       got) &&
	       !memcmp(got, hash, sizeof(hash));
	buf_release(&sig);
	return good;
}

/* The JWT's header part (as sent, base64url) for kid. */
static char *header_b64(struct gcp_key *k, const char *kid)
{
	char *jwt = NULL, *err = NULL, *dot, *old = k->key_id, *h;

	k->key_id = (char *)kid;
	if (gcp_jwt(k, "s", NOW, &jwt, &err))
		jwt = NULL;
	k->key_id = old;
	free(err);
	if (!jwt)
		return NULL;
	dot = strchr(jwt, '.');
	h = xstrndup(jwt, dot ? (size_t)(dot - jwt) : 0);
	free(jwt);
	return h;
}

static void test_jwt(void)
{
	struct gcp_key k;
	char *text = key_json("service_account", KID, rsa_pem,
			      "http://127.0.0.1:1/token");
	char *path = put("jwt.json", text), *err = NULL, *jwt = NULL,
	     *again = NULL, *later = NULL, *part, *h;
	size_t n;

	if (gcp_key_load(&k, path, &err)) {
		ok(0, "the key for the JWT tests loads: %s", err);
		return;
	}
	ok(!gcp_jwt(&k, GCP_SCOPE_COMPUTE, NOW, &jwt, &err),
	   "a JWT is signed");
	part = jwt_part(jwt, 0, &n);
	is_str(part, "{\"typ\": \"JWT\", \"alg\": \"RS256\", \"kid\": \""
	       KID "\"}", "the header, as google-auth writes it");
	free(part);
	part = jwt_part(jwt, 1, &n);
	is_str(part, "{\"iat\": 1764036000, \"exp\": 1764039600, \"iss\": \""
	       EMAIL "\", \"aud\": \"http://127.0.0.1:1/token\", \"scope\": "
	       "\"https://www.googleapis.com/auth/compute\"}",
	       "the claims: iat, exp an hour later, iss, aud, scope");
	free(part);
	part = jwt_part(jwt, 2, &n);
	ok(part && n == 342, "the signature: 256 bytes, 342 base64url "
	   "characters (got %zu)", n);
	free(part);
	ok(strspn(jwt, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		  "0123456789-_.") == strlen(jwt),
	   "base64url only: no '+', '/' or '=' anywhere");
	ok(jwt_verifies(&k, jwt), "BearSSL verifies the RS256 signature "
	   "with the public key");
	jwt[3] ^= 1;
	ok(!jwt_verifies(&k, jwt), "... and refuses it once a byte of the "
	   "header changes");
	jwt[3] ^= 1;
	ok(!gcp_jwt(&k, GCP_SCOPE_COMPUTE, NOW, &again, &err) &&
	   !strcmp(jwt, again), "the same key and clock: the same JWT");
	ok(!gcp_jwt(&k, GCP_SCOPE_COMPUTE, NOW + 1, &later, &err) &&
	   strcmp(jwt, later) && jwt_verifies(&k, later),
	   "another clock: another JWT, verified too");

	h = header_b64(&k, "k1");
	is_str(h, "eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJSUzI1NiIsICJraWQiOiAiazEifQ",
	       "base64url: two '=' of padding dropped");
	free(h);
	h = header_b64(&k, "~~~");
	is_str(h, "eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJSUzI1NiIsICJraWQiOiAifn5-In0",
	       "base64url: '+' as '-', one '=' dropped");
	free(h);
	h = header_b64(&k, "ab?>");
	is_str(h, "eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJSUzI1NiIsICJraWQiOiAiYWI_PiJ9",
	       "base64url: '/' as '_'");
	free(h);
	h = header_b64(&k, "a\"b\\c");
	part = h ? jwt_part(h, 0, &n) : NULL;
	is_str(part, "{\"typ\": \"JWT\", \"alg\": \"RS256\", \"kid\": "
	       "\"a\\\"b\\\\c\"}", "a quote and a backslash escaped");
	free(part);
	free(h);

	freezero_str(jwt);
	freezero_str(again);
	freezero_str(later);
	free(err);
	gcp_key_release(&k);
	free(text);
	free(path);
}

/* The fake token endpoint: answers in turn (the last one repeats). */
struct fake {
	int calls;
	char *url, *body, *ctype;
	long status[4];
	const char *answer[4];
	int n;
	bool down;			/* no answer: a connection refused */
};

static time_t clock_now;

static time_t test_clock(void)
{
	return clock_now;
}

static int fake_post(void *arg, struct http_client *c,
		     const struct http_request *req,
		     struct http_response *resp, bool *transient, char **why)
{
	struct fake *f = arg;
	int i = f->calls < f->n ? f->calls : f->n - 1;
	size_t h;

	f->calls++;
	free(f->url);
	free(f->body);
	free(f->ctype);
	f->url = xstrdup(req->url);
	f->body = xstrndup(req->body, req->body_len);
	f->ctype = NULL;
	for (h = 0; h < req->nheaders; h++)
		if (!strcasecmp(req->headers[h].name, "Content-Type"))
			f->ctype = xstrdup(req->headers[h].value);
	if (f->down) {
		*transient = false;
		*why = xstrdup("Connection refused");
		return -1;
	}
	resp->status = f->status[i];
	return buf_adds(&resp->body, f->answer[i]);
}

static void fake_set(struct fake *f, long status, const char *answer)
{
	f->status[f->n] = status;
	f->answer[f->n++] = answer;
}

static void fake_release(struct fake *f)
{
	free(f->url);
	free(f->body);
	free(f->ctype);
	memset(f, 0, sizeof(*f));
}

static int auth_for(struct gcp_auth *a, struct fake *f, const char *name)
{
	char *text = key_json("service_account", KID, rsa_pem, TOKEN_URI);
	char *path = put(name, text), *err = NULL;
	int ret = gcp_auth_init(a, path, &err);

	if (ret)
		printf("# %s\n", err);
	a->cache.now = test_clock;
	a->post = fake_post;
	a->post_arg = f;
	free(err);
	free(text);
	free(path);
	return ret;
}

static void test_cache(void)
{
	struct gcp_auth a;
	struct fake f = { 0 };
	struct cloud_err e = CLOUD_ERR_INIT;
	char *tok = NULL, *jwt = NULL, *err = NULL, *want;

	fake_set(&f, 200, ANSWER_OK);
	fake_set(&f, 200, "{\"access_token\": \"ya29.c.second\", "
		 "\"expires_in\": 3599}");
	if (auth_for(&a, &f, "cache.json"))
		return;
	clock_now = NOW;
	ok(!gcp_token_get(&a, NULL, &tok, &e), "a token is obtained");
	is_str(tok, "ya29.c.first", "... the endpoint's access_token");
	is_int(f.calls, 1, "one exchange");
	is_str(f.url, TOKEN_URI, "posted to the key's token_uri");
	is_str(f.ctype, "application/x-www-form-urlencoded",
	       "as a form");
	if (gcp_jwt(&a.key, GCP_SCOPE_COMPUTE, NOW, &jwt, &err))
		jwt = xstrdup("?");
	want = xasprintf("%s%s", FORM_PREFIX, jwt);
	is_str(f.body, want, "the body: grant_type (form-encoded) and the "
	       "JWT of the clock's time as assertion");
	free(want);
	freezero_str(tok);

	clock_now = NOW + 3599 - GCP_TOKEN_MARGIN;
	ok(!gcp_token_get(&a, NULL, &tok, &e) && f.calls == 1 &&
	   !strcmp(tok, "ya29.c.first"), "300 s left: the cached token");
	freezero_str(tok);
	clock_now++;
	ok(!gcp_token_get(&a, NULL, &tok, &e) && f.calls == 2 &&
	   !strcmp(tok, "ya29.c.second"), "299 s left: a new one");
	freezero_str(tok);
	clock_now += 60;
	ok(!gcp_token_get(&a, NULL, &tok, &e) && f.calls == 2,
	   "the new one is cached in turn");
	freezero_str(tok);
	gcp_token_invalidate(&a);
	ok(!gcp_token_get(&a, NULL, &tok, &e) && f.calls == 3,
	   "invalidated: exchanged again");
	freezero_str(tok);
	is_int(a.cache.exchanges, 3, "three tokens obtained");

	freezero_str(jwt);
	free(err);
	cloud_err_release(&e);
	gcp_auth_release(&a);
	fake_release(&f);
}

/* One exchange against answers; the error (class and message). */
static int exchange_err(struct fake *f, long budget_ms, struct cloud_err *e)
{
	struct gcp_auth a;
	char *tok = NULL;
	int ret;

	if (auth_for(&a, f, "err.json"))
		return -2;
	a.budget_ms = budget_ms;
	clock_now = NOW;
	ret = gcp_token_get(&a, NULL, &tok, e);
	freezero_str(tok);
	gcp_auth_release(&a);
	return ret;
}

static void expect(const char *what, long status, const char *answer,
		   enum cloud_err_class cls, const char *w1, const char *w2)
{
	struct fake f = { 0 };
	struct cloud_err e = CLOUD_ERR_INIT;

	fake_set(&f, status, answer);
	ok(exchange_err(&f, 0, &e) == -1 && e.cls == cls && e.msg &&
	   strstr(e.msg, w1) && (!w2 || strstr(e.msg, w2)), "%s", what);
	if (e.msg && !(strstr(e.msg, w1) && (!w2 || strstr(e.msg, w2))))
		printf("#   got: %s\n", e.msg);
	cloud_err_release(&e);
	fake_release(&f);
}

static void test_errors(void)
{
	struct fake f = { 0 };
	struct cloud_err e = CLOUD_ERR_INIT;
	char *file = xasprintf("'%s/err.json'", dir);

	expect("Invalid JWT Signature: the key revoked or not this "
	       "account's, naming the file and the key id", 400,
	       "{\"error\": \"invalid_grant\", \"error_description\": "
	       "\"Invalid JWT Signature.\"}", CLOUD_ERR_AUTH,
	       "refused key " KID " of " EMAIL " from", "the key was revoked "
	       "or deleted, or it is not this account's");
	expect("... the file's name in it", 400, "{\"error\": "
	       "\"invalid_grant\", \"error_description\": \"Invalid JWT "
	       "Signature.\"}", CLOUD_ERR_AUTH, file, NULL);
	expect("a token that is not short-lived: the clock is off, with "
	       "this machine's time and SYS_TIME", 400, "{\"error\": "
	       "\"invalid_grant\", \"error_description\": \"Invalid JWT: "
	       "Token must be a short-lived token (60 minutes) and in a "
	       "reasonable timeframe. Check your iat and exp values in the "
	       "JWT claim.\"}", CLOUD_ERR_AUTH, "this machine's clock is "
	       "probably off (it says 2025-11-25T02:00:00Z)",
	       "--cap-add SYS_TIME");
	expect("\"Token used too late\": the clock too", 400, "{\"error\": "
	       "\"invalid_grant\", \"error_description\": \"Invalid JWT: "
	       "Token used too late\"}", CLOUD_ERR_AUTH, "clock is probably "
	       "off", NULL);
	expect("an invalid_grant that is not about time: Google's words", 400,
	       "{\"error\": \"invalid_grant\", \"error_description\": "
	       "\"Not an appropriate account; expected another\"}",
	       CLOUD_ERR_AUTH, "HTTP 400 invalid_grant: Not an appropriate "
	       "account; expected another", NULL);
	expect("another refusal: Google's words and the account", 401,
	       "{\"error\": \"invalid_client\", \"error_description\": "
	       "\"The OAuth client was not found.\"}", CLOUD_ERR_AUTH,
	       "refused the service account " EMAIL, "HTTP 401 "
	       "invalid_client: The OAuth client was not found.");
	expect("a 200 that is not JSON", 200, "<html>", CLOUD_ERR_OTHER,
	       "answered for " EMAIL ", but it is not a JSON object", NULL);
	expect("a 200 without expires_in", 200, "{\"access_token\": \"t1\"}",
	       CLOUD_ERR_OTHER, "its expires_in is missing", NULL);
	expect("a token with a newline in it", 200, "{\"access_token\": "
	       "\"t1\\r\\nX: y\", \"expires_in\": 60}", CLOUD_ERR_OTHER,
	       "characters a bearer token cannot have", NULL);

	fake_set(&f, 503, "busy");
	fake_set(&f, 200, ANSWER_OK);
	ok(exchange_err(&f, 0, &e) == 0 && f.calls == 2,
	   "a 503 is retried, then the token comes");
	fake_release(&f);
	fake_set(&f, 503, "busy");
	ok(exchange_err(&f, 1200, &e) == -1 && e.cls == CLOUD_ERR_TRANSIENT &&
	   f.calls >= 2 && strstr(e.msg, "answered HTTP 503 (still failing "
				  "after "),
	   "a 503 that stays: transient, once the budget is spent");
	if (e.cls != CLOUD_ERR_TRANSIENT || f.calls < 2)
		printf("#   %d calls: %s\n", f.calls, e.msg ? e.msg : "");
	fake_release(&f);
	cloud_err_release(&e);
	f.down = true;
	fake_set(&f, 0, "");
	ok(exchange_err(&f, 0, &e) == -1 && f.calls == 1 &&
	   e.msg && strstr(e.msg, "cannot reach the token endpoint "
			   TOKEN_URI ": Connection refused"),
	   "no answer: the endpoint named");
	fake_release(&f);
	cloud_err_release(&e);
	free(file);
}

static void test_loopback(void)
{
	struct http_endpoint ep = { .no_proxy = true };
	struct http_client c;
	struct gcp_auth a;
	struct cloud_err e = CLOUD_ERR_INIT;
	char *text, *path, *uri, *err = NULL, *tok = NULL, *got, *jwt = NULL,
	     *want;
	char *reply = xasprintf("HTTP/1.1 200 OK\r\nContent-Type: "
				"application/json\r\nContent-Length: %zu\r\n"
				"Connection: close\r\n\r\n%s",
				strlen(ANSWER_OK), ANSWER_OK);
	char *save = xasprintf("%s/request", dir);
	int port = 0, st = -1;
	pid_t pid = serve_once(reply, save, &port);

	free(reply);
	free(save);

	if (pid < 0) {
		ok(0, "a loopback server starts");
		return;
	}
	uri = xasprintf("http://127.0.0.1:%d/token", port);
	text = key_json("service_account", KID, rsa_pem, uri);
	path = put("loop.json", text);
	if (http_client_init_for(&c, &ep, &err) ||
	    gcp_auth_init(&a, path, &err)) {
		ok(0, "set up: %s", err);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return;
	}
	ok(!gcp_token_get(&a, &c, &tok, &e) && tok &&
	   !strcmp(tok, "ya29.c.first"),
	   "through libcurl: the loopback endpoint's token");
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "the server got one whole request");
	got = slurp_in(dir, ".", "request");
	ok(got && str_starts(got, "POST /token HTTP/1.1\r\n"),
	   "POST to token_uri's path");
	ok(got && strcasestr(got, "\r\nContent-Type: application/"
			     "x-www-form-urlencoded\r\n"),
	   "Content-Type: a form");
	if (gcp_jwt(&a.key, GCP_SCOPE_COMPUTE, a.cache.expires - 3599, &jwt, &err))
		jwt = xstrdup("?");
	want = xasprintf("\r\n\r\n%s%s", FORM_PREFIX, jwt);
	ok(got && str_ends(got, want), "the body: the form with the JWT");
	free(want);
	freezero_str(jwt);
	free(got);
	freezero_str(tok);
	cloud_err_release(&e);
	gcp_auth_release(&a);
	http_client_release(&c);
	free(err);
	free(text);
	free(path);
	free(uri);
}

int main(void)
{
	char tmpl[] = "/tmp/t-gcpauth.XXXXXX";

	dir = mkdtemp(tmpl);
	if (!dir || make_keys()) {
		printf("1..0 # SKIP cannot make a temp dir or keys\n");
		return 0;
	}
	test_key_files();
	test_jwt();
	test_cache();
	test_errors();
	test_loopback();
	if (fs_remove_tree(dir))
		printf("# cannot remove %s\n", dir);
	free(rsa_pem);
	free(ec_pem);
	return done_testing();
}
