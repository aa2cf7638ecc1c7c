/* vendor/selftest.c - links every library of build/sysroot statically and
 * checks each one does something real. Built and run by vendor/deps.sh:
 *   musl-gcc -static -DCURL_STATICLIB selftest.c -lcurl -lssh2 -lbearssl -lcjson */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <curl/curl.h>
#include <bearssl.h>
#include <cjson/cJSON.h>
#include <libssh2.h>

static int failures;

static void check(int ok, const char *what)
{
	printf("%s %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

int main(void)
{
	/* musl >= 1.2.5 (statx() is new in 1.2.5; 1.2.3 from musl-tools lacks it) */
	struct statx stx;
	check(statx(AT_FDCWD, "/", 0, STATX_TYPE, &stx) == 0 && S_ISDIR(stx.stx_mode),
	      "musl 1.2.5 statx()");

	/* libcurl on BearSSL */
	const char *v = curl_version();
	curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);
	printf("# %s\n", v);
	check(strstr(v, "BearSSL") != NULL, "libcurl uses BearSSL");
	check(strcmp(vi->version, "8.14.1") == 0, "libcurl 8.14.1");
	check(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK, "curl_global_init");
	CURL *h = curl_easy_init();
	check(h != NULL, "curl_easy_init");
	curl_easy_cleanup(h);
	curl_global_cleanup();

	/* BearSSL: SHA-256("abc") and the (patched) system seeder */
	static const unsigned char abc256[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde,
		0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
		0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad };
	unsigned char out[32];
	br_sha256_context sc;
	br_sha256_init(&sc);
	br_sha256_update(&sc, "abc", 3);
	br_sha256_out(&sc, out);
	check(memcmp(out, abc256, 32) == 0, "br_sha256 test vector");

	const char *seeder = NULL;
	br_prng_seeder seed = br_prng_seeder_system(&seeder);
	printf("# BearSSL seeder: %s\n", seeder ? seeder : "(null)");
	check(seeder && strcmp(seeder, "getrandom") == 0, "BearSSL seeds from getrandom()");
	br_hmac_drbg_context drbg;
	br_hmac_drbg_init(&drbg, &br_sha256_vtable, NULL, 0);
	check(seed && seed(&drbg.vtable), "BearSSL seeder works");

	/* libssh2 on our BearSSL backend */
	const char *sv = libssh2_version(0);
	printf("# libssh2 %s\n", sv ? sv : "(null)");
	check(sv && strcmp(sv, "1.11.1") == 0, "libssh2 1.11.1");
	check(libssh2_init(0) == 0, "libssh2_init");
	check(libssh2_crypto_engine() == libssh2_bearssl,
	      "libssh2 crypto engine is BearSSL");
	LIBSSH2_SESSION *ss = libssh2_session_init();
	check(ss != NULL, "libssh2_session_init");
	const char **kex = NULL;
	int nkex = ss ? libssh2_session_supported_algs(ss, LIBSSH2_METHOD_KEX,
							 &kex) : 0;
	int c25519 = 0;
	for (int i = 0; i < nkex; i++)
		c25519 |= strcmp(kex[i], "curve25519-sha256") == 0;
	check(c25519, "libssh2 offers curve25519-sha256");
	if (nkex > 0)
		libssh2_free(ss, kex);
	if (ss)
		libssh2_session_free(ss);
	libssh2_exit();

	/* cJSON */
	cJSON *j = cJSON_Parse("{\"name\":\"icm\",\"n\":[1,2,3]}");
	check(j != NULL, "cJSON_Parse");
	cJSON *n = cJSON_GetObjectItemCaseSensitive(j, "n");
	check(cJSON_IsArray(n) && cJSON_GetArraySize(n) == 3, "cJSON array");
	char *s = cJSON_PrintUnformatted(j);
	check(s && strcmp(s, "{\"name\":\"icm\",\"n\":[1,2,3]}") == 0, "cJSON round trip");
	cJSON_free(s);
	cJSON_Delete(j);

	printf("selftest: %s\n", failures ? "FAILED" : "all ok");
	return failures != 0;
}
