/*
 * mtls-client: one HTTPS GET through libcurl (BearSSL backend) with an
 * optional client certificate; the test driver of tests/e2e/30-mtls-*.sh
 * and 31-mtls-dockerd.sh.
 *
 *   mtls-client [options] URL
 *     --cacert FILE         CURLOPT_CAINFO (default: curl's built-in path)
 *     --cacert-blob FILE    CURLOPT_CAINFO_BLOB with FILE's contents
 *     --cert FILE           CURLOPT_SSLCERT
 *     --key FILE            CURLOPT_SSLKEY
 *     --cert-blob FILE      CURLOPT_SSLCERT_BLOB with FILE's contents
 *     --key-blob FILE       CURLOPT_SSLKEY_BLOB with FILE's contents
 *     --cert-type T         CURLOPT_SSLCERTTYPE (PEM, DER)
 *     --key-type T          CURLOPT_SSLKEYTYPE (PEM, DER)
 *     --resolve H:P:IP      CURLOPT_RESOLVE (peers are verified by name)
 *     --threads N           N transfers at once, one per thread (default 1)
 *     --count N             N transfers one after the other per thread,
 *                           each on a fresh handle (default 1)
 *     --body                print the response body after the status line
 *     -v                    CURLOPT_VERBOSE
 *
 * Prints "status NNN" (then the body with --body, newline-terminated) for
 * each transfer's last result and exits 0 when every
 * transfer completed, whatever the HTTP status. On a curl error it prints
 * "error N: MESSAGE" and exits with N (curl's CURLcode).
 *
 * Linked statically against build/sysroot (libcurl.a, libbearssl.a, musl).
 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct opts {
	const char *url, *cacert, *cacert_blob, *cert, *key, *cert_blob,
	    *key_blob, *cert_type, *key_type, *resolve;
	int threads, count, body, verbose;
};

struct buf {
	char *p;
	size_t len;
};

struct job {
	const struct opts *o;
	struct curl_blob cacert_b, cert_b, key_b;
	long status;
	CURLcode rc;
	char err[CURL_ERROR_SIZE];
	struct buf body;
};

static void usage(void)
{
	fputs("usage: mtls-client [--cacert F] [--cacert-blob F] [--cert F] [--key F]\n"
	      "       [--cert-blob F] [--key-blob F] [--cert-type T] [--key-type T]\n"
	      "       [--resolve HOST:PORT:IP] [--threads N] [--count N] [--body] [-v] URL\n",
	      stderr);
	exit(2);
}

static size_t on_data(char *ptr, size_t size, size_t n, void *ud)
{
	struct buf *b = ud;
	size_t len = size * n;
	char *p = realloc(b->p, b->len + len + 1);

	if (!p)
		return 0;
	memcpy(p + b->len, ptr, len);
	b->p = p;
	b->len += len;
	b->p[b->len] = '\0';
	return len;
}

static void slurp(const char *path, struct curl_blob *blob)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		fprintf(stderr, "mtls-client: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	do {
		if (cap - len < 4096) {
			char *q = realloc(p, cap = cap ? cap * 2 : 8192);
			if (!q) {
				fputs("mtls-client: out of memory\n", stderr);
				exit(2);
			}
			p = q;
		}
		n = fread(p + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);
	blob->data = p;
	blob->len = len;
	blob->flags = CURL_BLOB_COPY;
}

/* One transfer on a fresh easy handle. */
static void transfer(struct job *j)
{
	const struct opts *o = j->o;
	struct curl_slist *resolve = NULL;
	CURL *c = curl_easy_init();

	j->err[0] = '\0';
	j->status = 0;
	free(j->body.p);
	j->body.p = NULL;
	j->body.len = 0;
	if (!c) {
		j->rc = CURLE_FAILED_INIT;
		return;
	}
	curl_easy_setopt(c, CURLOPT_URL, o->url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, j->err);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &j->body);
	if (o->verbose)
		curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	if (o->cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->cacert);
	if (o->cacert_blob)
		curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &j->cacert_b);
	if (o->cert)
		curl_easy_setopt(c, CURLOPT_SSLCERT, o->cert);
	if (o->key)
		curl_easy_setopt(c, CURLOPT_SSLKEY, o->key);
	if (o->cert_blob)
		curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &j->cert_b);
	if (o->key_blob)
		curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &j->key_b);
	if (o->cert_type)
		curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, o->cert_type);
	if (o->key_type)
		curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, o->key_type);
	if (o->resolve) {
		resolve = curl_slist_append(NULL, o->resolve);
		curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
	}
	j->rc = curl_easy_perform(c);
	if (j->rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &j->status);
	else if (!j->err[0])
		snprintf(j->err, sizeof j->err, "%s", curl_easy_strerror(j->rc));
	curl_easy_cleanup(c);
	curl_slist_free_all(resolve);
}

static void *run(void *arg)
{
	struct job *j = arg;
	int i;

	for (i = 0; i < j->o->count; i++) {
		transfer(j);
		if (j->rc)
			break;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct opts o = { .threads = 1, .count = 1 };
	struct curl_blob cacert_b = { 0 }, cert_b = { 0 }, key_b = { 0 };
	struct job *jobs;
	pthread_t *tids;
	int i, rc = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
#define ARG(name, field) \
	if (!strcmp(a, name)) { if (++i >= argc) usage(); o.field = argv[i]; continue; }
		ARG("--cacert", cacert)
		ARG("--cacert-blob", cacert_blob)
		ARG("--cert", cert)
		ARG("--key", key)
		ARG("--cert-blob", cert_blob)
		ARG("--key-blob", key_blob)
		ARG("--cert-type", cert_type)
		ARG("--key-type", key_type)
		ARG("--resolve", resolve)
#undef ARG
		if (!strcmp(a, "--threads") && i + 1 < argc) {
			o.threads = atoi(argv[++i]);
			continue;
		}
		if (!strcmp(a, "--count") && i + 1 < argc) {
			o.count = atoi(argv[++i]);
			continue;
		}
		if (!strcmp(a, "--body")) {
			o.body = 1;
			continue;
		}
		if (!strcmp(a, "-v")) {
			o.verbose = 1;
			continue;
		}
		if (a[0] == '-' || o.url)
			usage();
		o.url = a;
	}
	if (!o.url || o.threads < 1 || o.threads > 64 || o.count < 1)
		usage();
	if (o.cacert_blob)
		slurp(o.cacert_blob, &cacert_b);
	if (o.cert_blob)
		slurp(o.cert_blob, &cert_b);
	if (o.key_blob)
		slurp(o.key_blob, &key_b);

	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		fputs("mtls-client: curl_global_init failed\n", stderr);
		return 2;
	}
	jobs = calloc((size_t)o.threads, sizeof *jobs);
	tids = calloc((size_t)o.threads, sizeof *tids);
	if (!jobs || !tids)
		return 2;
	for (i = 0; i < o.threads; i++) {
		jobs[i].o = &o;
		jobs[i].cacert_b = cacert_b;
		jobs[i].cert_b = cert_b;
		jobs[i].key_b = key_b;
	}
	if (o.threads == 1) {
		run(&jobs[0]);
	} else {
		for (i = 0; i < o.threads; i++)
			if (pthread_create(&tids[i], NULL, run, &jobs[i])) {
				fputs("mtls-client: pthread_create failed\n", stderr);
				return 2;
			}
		for (i = 0; i < o.threads; i++)
			pthread_join(tids[i], NULL);
	}
	for (i = 0; i < o.threads; i++) {
		struct job *j = &jobs[i];
		if (j->rc) {
			printf("error %d: %s\n", (int)j->rc, j->err);
			if (!rc)
				rc = (int)j->rc;
		} else {
			printf("status %ld\n", j->status);
			if (o.body && j->body.len) {
				fwrite(j->body.p, 1, j->body.len, stdout);
				if (j->body.p[j->body.len - 1] != '\n')
					putchar('\n');
			}
		}
		free(j->body.p);
	}
	free(jobs);
	free(tids);
	/* key material in memory we own: wipe it too */
	if (key_b.data) {
		memset(key_b.data, 0, key_b.len);
		free(key_b.data);
	}
	free(cert_b.data);
	free(cacert_b.data);
	curl_global_cleanup();
	return rc;
}
