/*
 * t-azauth.c: Azure authentication (provider/azure/auth.h).
 *
 * - az_auth_init(): each missing or malformed field named (TenantId,
 *   ClientId, ClientSecret), AZURE_AUTHORITY_HOST taken (its trailing '/'
 *   dropped) or refused when it is no https:// URL.
 * - Client credentials through a fake transport and an injected clock:
 *   the URL, the form body (the secret percent-encoded), the cache kept
 *   while 300 s or more remain and refreshed below, invalidation, 503
 *   retried, the AADSTS refusals (7000215, 7000222, 700016, 90002, from
 *   error_codes or from the description alone), others with Microsoft's
 *   words (its Trace ID lines left out, control bytes masked), malformed
 *   answers; the secret in no message.
 * - The managed identity: GET at the metadata service with Metadata:
 *   true, the resource and a user-assigned ClientId, expires_in as a
 *   string; a VM without an identity; no metadata service (outside Azure):
 *   one clear line at once, no retries.
 * - Once through libcurl to a loopback token endpoint forked here.
 */
#include "icm.h"
#include "provider/azure/auth.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/str.h"
#include "tap.h"
#include "testutil.h"
#include <stdlib.h>
#include <sys/wait.h>

#define TENANT "72f988bf-86f1-41af-91ab-2d7cd011db47"
#define CLIENT "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
#define SECRET "Qx8~sEcReT.w0rd+/&=unit"
#define SECRET_FORM "Qx8~sEcReT.w0rd%2B%2F%26%3Dunit"
#define NOW ((time_t)1764036000)
#define ANSWER_OK "{\"token_type\": \"Bearer\", \"expires_in\": 3599, " \
	"\"ext_expires_in\": 3599, \"access_token\": \"eyJ0.first.sig\"}"
#define URL "https://login.microsoftonline.com/" TENANT "/oauth2/v2.0/token"
#define FORM "grant_type=client_credentials&client_id=" CLIENT \
	"&client_secret=" SECRET_FORM "&scope=https%3A%2F%2Fmanagement." \
	"azure.com%2F.default"

static char *dir;

/* The fake token endpoint: answers in turn (the last one repeats). */
struct fake {
	int calls;
	char *url, *body, *method, *ctype, *metadata;
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

static char *header(const struct http_request *req, const char *name)
{
	size_t h;

	for (h = 0; h < req->nheaders; h++)
		if (!strcasecmp(req->headers[h].name, name))
			return xstrdup(req->headers[h].value);
	return NULL;
}

static int fake_send(void *arg, struct http_client *c,
		     const struct http_request *req,
		     struct http_response *resp, bool *transient, char **why)
{
	struct fake *f = arg;
	int i = f->calls < f->n ? f->calls : f->n - 1;

	f->calls++;
	free(f->url);
	free(f->body);
	free(f->method);
	free(f->ctype);
	free(f->metadata);
	f->url = xstrdup(req->url);
	f->body = req->body ? xstrndup(req->body, req->body_len) : NULL;
	f->method = xstrdup(req->method);
	f->ctype = header(req, "Content-Type");
	f->metadata = header(req, "Metadata");
	if (f->down) {
		*transient = true;
		*why = xstrdup("Connection timed out");
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
	free(f->method);
	free(f->ctype);
	free(f->metadata);
	memset(f, 0, sizeof(*f));
}

static int auth_for(struct az_auth *a, struct fake *f, bool msi,
		    const char *client)
{
	char *err = NULL;
	int ret = az_auth_init(a, msi, TENANT, client, SECRET, &err);

	if (ret)
		printf("# %s\n", err);
	a->cache.now = test_clock;
	a->send = fake_send;
	a->send_arg = f;
	free(err);
	return ret;
}

/* az_auth_init()'s error for these fields ("" when it succeeds). */
static char *init_err(bool msi, const char *tenant, const char *client,
		      const char *secret)
{
	struct az_auth a;
	char *err = NULL;

	if (!az_auth_init(&a, msi, tenant, client, secret, &err))
		err = xstrdup("");
	az_auth_release(&a);
	return err;
}

static void init_refused(const char *tenant, const char *client,
			 const char *secret, const char *want,
			 const char *what)
{
	char *err = init_err(false, tenant, client, secret);

	ok(err && strstr(err, want) && (!secret || !strstr(err, secret)),
	   "%s", what);
	if (!(err && strstr(err, want)))
		printf("#   got: %s\n", err ? err : "(null)");
	free(err);
}

static void test_init(void)
{
	struct az_auth a;
	char *err = NULL;

	init_refused(NULL, CLIENT, SECRET, "TenantId is missing",
		     "no TenantId: named");
	init_refused("ten ant", CLIENT, SECRET, "TenantId is not a "
		     "directory (tenant) id", "a TenantId with a space");
	init_refused(TENANT, "", SECRET, "ClientId is missing",
		     "no ClientId: named");
	init_refused(TENANT, "a/b", SECRET, "ClientId is not",
		     "a ClientId with a '/'");
	init_refused(TENANT, CLIENT, NULL, "ClientSecret is missing",
		     "no ClientSecret: named");
	init_refused(TENANT, CLIENT, "line\nbreak", "ClientSecret is not a "
		     "client secret value", "a ClientSecret with a newline: "
		     "refused, not quoted");
	ok(!az_auth_init(&a, false, "contoso.onmicrosoft.com", CLIENT, SECRET,
			 &err) && !strcmp(a.authority, AZ_AUTHORITY_DEFAULT),
	   "a domain name as TenantId; the default authority");
	az_auth_release(&a);
	free(err);
	err = NULL;
	setenv(AZ_AUTHORITY_ENV, "https://login.microsoftonline.us/", 1);
	ok(!az_auth_init(&a, false, TENANT, CLIENT, SECRET, &err) &&
	   !strcmp(a.authority, "https://login.microsoftonline.us"),
	   "AZURE_AUTHORITY_HOST taken, its trailing '/' dropped");
	az_auth_release(&a);
	setenv(AZ_AUTHORITY_ENV, "http://login.example.net", 1);
	init_refused(TENANT, CLIENT, SECRET, "AZURE_AUTHORITY_HOST is not an "
		     "https:// URL", "AZURE_AUTHORITY_HOST over plain http to "
		     "another machine: refused");
	setenv(AZ_AUTHORITY_ENV, "http://127.0.0.1:8443", 1);
	free(err);
	err = init_err(false, TENANT, CLIENT, SECRET);
	is_str(err, "", "... plain http to loopback (a test's) taken");
	free(err);
	unsetenv(AZ_AUTHORITY_ENV);
	err = init_err(true, NULL, NULL, NULL);
	is_str(err, "", "UseMSI: no tenant, client or secret needed");
	free(err);
}

static void test_cache(void)
{
	struct az_auth a;
	struct fake f = { 0 };
	struct cloud_err e = CLOUD_ERR_INIT;
	char *tok = NULL;

	fake_set(&f, 200, ANSWER_OK);
	fake_set(&f, 200, "{\"access_token\": \"eyJ0.second.sig\", "
		 "\"expires_in\": 3599}");
	if (auth_for(&a, &f, false, CLIENT))
		return;
	clock_now = NOW;
	ok(!az_token_get(&a, NULL, &tok, &e), "a token is obtained");
	is_str(tok, "eyJ0.first.sig", "... the endpoint's access_token");
	is_int(f.calls, 1, "one exchange");
	is_str(f.method, "POST", "POST");
	is_str(f.url, URL, "to {authority}/{tenant}/oauth2/v2.0/token");
	is_str(f.ctype, "application/x-www-form-urlencoded", "as a form");
	is_str(f.body, FORM, "the body: client_credentials, the client id, "
	       "the secret percent-encoded, ARM's .default scope");
	freezero_str(tok);

	clock_now = NOW + 3599 - AZ_TOKEN_MARGIN;
	ok(!az_token_get(&a, NULL, &tok, &e) && f.calls == 1 &&
	   !strcmp(tok, "eyJ0.first.sig"), "300 s left: the cached token");
	freezero_str(tok);
	clock_now++;
	ok(!az_token_get(&a, NULL, &tok, &e) && f.calls == 2 &&
	   !strcmp(tok, "eyJ0.second.sig"), "299 s left: a new one");
	freezero_str(tok);
	clock_now += 60;
	ok(!az_token_get(&a, NULL, &tok, &e) && f.calls == 2,
	   "the new one is cached in turn");
	freezero_str(tok);
	az_token_invalidate(&a);
	ok(!az_token_get(&a, NULL, &tok, &e) && f.calls == 3,
	   "invalidated: exchanged again");
	freezero_str(tok);
	is_int(a.cache.exchanges, 3, "three tokens obtained");
	cloud_err_release(&e);
	az_auth_release(&a);
	fake_release(&f);
}

/* One get against the fake (msi or not); its result, *e set. */
static int get_err(struct fake *f, bool msi, const char *client,
		   long budget_ms, struct cloud_err *e)
{
	struct az_auth a;
	char *tok = NULL;
	int ret;

	if (auth_for(&a, f, msi, client))
		return -2;
	a.budget_ms = budget_ms;
	clock_now = NOW;
	ret = az_token_get(&a, NULL, &tok, e);
	freezero_str(tok);
	az_auth_release(&a);
	return ret;
}

static void expect(const char *what, bool msi, long status,
		   const char *answer, enum cloud_err_class cls,
		   const char *w1, const char *w2)
{
	struct fake f = { 0 };
	struct cloud_err e = CLOUD_ERR_INIT;
	bool words;

	fake_set(&f, status, answer);
	words = get_err(&f, msi, msi ? NULL : CLIENT, 0, &e) == -1 &&
		e.msg && strstr(e.msg, w1) && (!w2 || strstr(e.msg, w2));
	ok(words && e.cls == cls && !strstr(e.msg, SECRET) &&
	   !strchr(e.msg, '\n') && f.calls == 1, "%s", what);
	if (!words)
		printf("#   got: %s\n", e.msg ? e.msg : "(no error)");
	cloud_err_release(&e);
	fake_release(&f);
}

#define AAD(code, desc) "{\"error\": \"invalid_client\", " \
	"\"error_description\": \"AADSTS" #code ": " desc "\\r\\nTrace ID: " \
	"0d3c\\r\\nCorrelation ID: 9a1f\\r\\nTimestamp: 2026-12-06 " \
	"18:00:00Z\", \"error_codes\": [" #code "], \"timestamp\": " \
	"\"2026-12-06 18:00:00Z\"}"

static void test_errors(void)
{
	struct fake f = { 0 };
	struct cloud_err e = CLOUD_ERR_INIT;

	expect("AADSTS7000215: a wrong ClientSecret, named", false, 401,
	       AAD(7000215, "Invalid client secret provided. Ensure the "
		   "secret being sent in the request is the client secret "
		   "value, not the client secret ID, for a secret added to "
		   "app '" CLIENT "'."), CLOUD_ERR_AUTH, "ClientSecret is "
	       "wrong for application " CLIENT " in tenant " TENANT,
	       "Value, not its Secret ID");
	expect("AADSTS7000222: an expired ClientSecret: make a new one",
	       false, 401, AAD(7000222, "The provided client secret keys "
			       "for app '" CLIENT "' are expired."),
	       CLOUD_ERR_AUTH, "ClientSecret of application " CLIENT
	       " has expired", "make a new one");
	expect("AADSTS700016: no such application, ClientId and TenantId "
	       "named", false, 400, AAD(700016, "Application with "
					"identifier '" CLIENT "' was not "
					"found in the directory 'x'."),
	       CLOUD_ERR_AUTH, "no application with ClientId " CLIENT
	       " in the tenant TenantId " TENANT, NULL);
	expect("AADSTS90002: no such tenant, TenantId named", false, 400,
	       AAD(90002, "Tenant '" TENANT "' not found."), CLOUD_ERR_AUTH,
	       "no tenant TenantId " TENANT " (AADSTS90002)", NULL);
	expect("the code from the description when error_codes is absent",
	       false, 401, "{\"error\": \"invalid_client\", "
	       "\"error_description\": \"AADSTS7000215: Invalid client "
	       "secret provided.\"}", CLOUD_ERR_AUTH, "ClientSecret is wrong",
	       NULL);
	expect("another code: Microsoft's words without the Trace ID lines",
	       false, 400, AAD(7000112, "Application '" CLIENT "' is "
			       "disabled."), CLOUD_ERR_AUTH, "refused "
	       "application " CLIENT " of tenant " TENANT ": HTTP 400 "
	       "invalid_client: AADSTS7000112: Application '" CLIENT "' is "
	       "disabled.", NULL);
	expect("... control bytes masked", false, 400, "{\"error\": "
	       "\"x\\u001b[31m\", \"error_description\": \"bad\\u0007\"}",
	       CLOUD_ERR_AUTH, "HTTP 400 x?[31m: bad?", NULL);
	expect("Microsoft's words end at the first line break (what "
	       "follows, here the secret, is never quoted)", false, 400,
	       "{\"error\": \"invalid_request\", \"error_description\": "
	       "\"first line\\r\\n" SECRET "\"}", CLOUD_ERR_AUTH,
	       "invalid_request: first line", NULL);
	expect("a 200 that is not JSON", false, 200, "<html>",
	       CLOUD_ERR_OTHER, "answered, but it is not a JSON object",
	       NULL);
	expect("a 200 without expires_in", false, 200,
	       "{\"access_token\": \"t1\"}", CLOUD_ERR_OTHER,
	       "its expires_in is missing", NULL);
	expect("a token with a header in it", false, 200,
	       "{\"access_token\": \"t1\\r\\nX: y\", \"expires_in\": 60}",
	       CLOUD_ERR_OTHER, "characters a bearer token cannot have",
	       NULL);
	expect("UseMSI on a VM without an identity: says so", true, 400,
	       "{\"error\": \"invalid_request\", \"error_description\": "
	       "\"Identity not found\"}", CLOUD_ERR_AUTH, "UseMSI: this VM "
	       "has no managed identity (Identity not found)", "set "
	       "TenantId, ClientId and ClientSecret");

	fake_set(&f, 503, "busy");
	fake_set(&f, 200, ANSWER_OK);
	ok(get_err(&f, false, CLIENT, 0, &e) == 0 && f.calls == 2,
	   "a 503 is retried, then the token comes");
	fake_release(&f);
	fake_set(&f, 429, "{}");
	ok(get_err(&f, false, CLIENT, 1200, &e) == -1 &&
	   e.cls == CLOUD_ERR_THROTTLED && f.calls >= 2 &&
	   strstr(e.msg, "answered HTTP 429 (still failing after "),
	   "a 429 that stays: throttled, once the budget is spent");
	fake_release(&f);
	cloud_err_release(&e);
	f.down = true;
	fake_set(&f, 0, "");
	ok(get_err(&f, true, NULL, 0, &e) == -1 && e.cls == CLOUD_ERR_AUTH &&
	   f.calls == 1 && strstr(e.msg, "UseMSI: the instance metadata "
				  "service http://169.254.169.254 does not "
				  "answer (Connection timed out): a managed "
				  "identity is there only when icm runs on an "
				  "Azure VM"),
	   "UseMSI outside Azure: one line at once, not retried");
	if (e.msg && f.calls != 1)
		printf("#   %d calls: %s\n", f.calls, e.msg);
	fake_release(&f);
	cloud_err_release(&e);
	f.down = true;
	fake_set(&f, 0, "");
	ok(get_err(&f, false, CLIENT, 600, &e) == -1 &&
	   e.cls == CLOUD_ERR_TRANSIENT && strstr(e.msg, "cannot reach the "
						  "token endpoint " URL),
	   "no answer from the token endpoint: transient, the URL named");
	fake_release(&f);
	cloud_err_release(&e);
}

static void test_msi(void)
{
	struct az_auth a;
	struct fake f = { 0 };
	struct cloud_err e = CLOUD_ERR_INIT;
	char *tok = NULL;

	fake_set(&f, 200, "{\"access_token\": \"eyJ0.msi.sig\", "
		 "\"expires_in\": \"86399\", \"resource\": "
		 "\"https://management.azure.com/\", \"token_type\": "
		 "\"Bearer\"}");
	if (auth_for(&a, &f, true, CLIENT))
		return;
	clock_now = NOW;
	ok(!az_token_get(&a, NULL, &tok, &e) && tok &&
	   !strcmp(tok, "eyJ0.msi.sig"), "UseMSI: the metadata service's "
	   "token (expires_in a string)");
	is_str(f.method, "GET", "... a GET");
	is_str(f.url, "http://169.254.169.254/metadata/identity/oauth2/token"
	       "?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement."
	       "azure.com%2F&client_id=" CLIENT, "... for ARM, the "
	       "user-assigned identity's ClientId");
	is_str(f.metadata, "true", "... Metadata: true");
	ok(!f.body, "... no body (no secret sent)");
	is_int((int)(a.cache.expires - NOW), 86399, "... for its lifetime");
	freezero_str(tok);
	cloud_err_release(&e);
	az_auth_release(&a);
	fake_release(&f);
}

static void test_loopback(void)
{
	struct http_endpoint ep = { .no_proxy = true };
	struct http_client c;
	struct az_auth a;
	struct cloud_err e = CLOUD_ERR_INIT;
	char *reply = xasprintf("HTTP/1.1 200 OK\r\nContent-Type: application/"
				"json\r\nContent-Length: %zu\r\nConnection: "
				"close\r\n\r\n%s", strlen(ANSWER_OK),
				ANSWER_OK);
	char *save = xasprintf("%s/request", dir), *err = NULL, *tok = NULL;
	char *got, *host;
	int port = 0, st = -1;
	pid_t pid = serve_once(reply, save, &port);

	if (pid < 0) {
		ok(0, "a loopback server starts");
		goto out;
	}
	host = xasprintf("http://127.0.0.1:%d/", port);
	setenv(AZ_AUTHORITY_ENV, host, 1);
	free(host);
	if (http_client_init_for(&c, &ep, &err) ||
	    az_auth_init(&a, false, TENANT, CLIENT, SECRET, &err)) {
		ok(0, "set up: %s", err);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		goto out;
	}
	ok(!az_token_get(&a, &c, &tok, &e) && tok &&
	   !strcmp(tok, "eyJ0.first.sig"),
	   "through libcurl: the loopback endpoint's token");
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "the server got one whole request");
	got = slurp(save);
	ok(got && str_starts(got, "POST /" TENANT "/oauth2/v2.0/token "
			     "HTTP/1.1\r\n"), "POST to the tenant's v2.0 "
	   "token path at AZURE_AUTHORITY_HOST");
	ok(got && strcasestr(got, "\r\nContent-Type: application/"
			     "x-www-form-urlencoded\r\n"),
	   "Content-Type: a form");
	ok(got && str_ends(got, "\r\n\r\n" FORM), "the body: the form");
	free(got);
	freezero_str(tok);
	cloud_err_release(&e);
	az_auth_release(&a);
	http_client_release(&c);
out:
	unsetenv(AZ_AUTHORITY_ENV);
	free(err);
	free(reply);
	free(save);
}

int main(void)
{
	char tmpl[] = "/tmp/t-azauth.XXXXXX";

	unsetenv(AZ_AUTHORITY_ENV);
	dir = mkdtemp(tmpl);
	if (!dir) {
		printf("1..0 # SKIP cannot make a temp dir\n");
		return 0;
	}
	test_init();
	test_cache();
	test_errors();
	test_msi();
	test_loopback();
	if (fs_remove_tree(dir))
		printf("# cannot remove %s\n", dir);
	return done_testing();
}
