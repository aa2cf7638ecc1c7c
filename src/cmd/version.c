/*
 * version.c: icm version (and -version): icm's version and that of every
 * library linked into the binary.  libcurl and cJSON are asked at run
 * time; musl and BearSSL have no version call, so the build records the
 * versions it compiled (gen/versions.h, from vendor/MANIFEST).  libssh2
 * names its crypto backend: BearSSL in a release build.
 */
#include "cmd.h"
#include "../state/log.h"
#include "versions.h"
#include "../node/ssh.h"
#include <curl/curl.h>

int cmd_version(struct ctx *ctx)
{
	const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
	cJSON *r = cJSON_CreateObject();

	say("icm %s", ICM_VERSION);
	say("musl %s", ICM_MUSL_VERSION);
	say("BearSSL %s", ICM_BEARSSL_VERSION);
	say("libcurl %s (%s)", cv->version, cv->ssl_version ?
	    cv->ssl_version : "no TLS");
	say("cJSON %s", cJSON_Version());
	say("libssh2 %s (%s)", ssh_library_version(), ssh_crypto_backend());
	cJSON_AddStringToObject(r, "icm", ICM_VERSION);
	cJSON_AddStringToObject(r, "musl", ICM_MUSL_VERSION);
	cJSON_AddStringToObject(r, "BearSSL", ICM_BEARSSL_VERSION);
	cJSON_AddStringToObject(r, "libcurl", cv->version);
	cJSON_AddStringToObject(r, "libcurlTLS", cv->ssl_version ?
				cv->ssl_version : "");
	cJSON_AddStringToObject(r, "cJSON", cJSON_Version());
	cJSON_AddStringToObject(r, "libssh2", ssh_library_version());
	cJSON_AddStringToObject(r, "libssh2Crypto", ssh_crypto_backend());
	ctx->response = r;
	return 0;
}
