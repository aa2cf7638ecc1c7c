/* t-embed.c: the embedded table (embed/embedded.h) and the samples in it. */
#include "embed/embedded.h"
#include "util/str.h"
#include "tap.h"
#include <cjson/cJSON.h>

static const char *const providers[] = {
	"AWS", "GCP", "Azure", "Tencent", "vSphere", "PreExisting",
};

static const char *field(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* No sample may hold a password or secret field, not even a placeholder. */
static bool has_secret_field(const cJSON *j)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, j) {
		if (e->string && (strstr(e->string, "Password") ||
				  strstr(e->string, "Secret")))
			return true;
		if ((cJSON_IsObject(e) || cJSON_IsArray(e)) &&
		    has_secret_field(e))
			return true;
	}
	return false;
}

/* Every value is a JSON string, as ICM writes them. */
static bool all_strings(const cJSON *j)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, j) {
		if (cJSON_IsObject(e) || cJSON_IsArray(e)) {
			if (!all_strings(e))
				return false;
		} else if (!cJSON_IsString(e)) {
			return false;
		}
	}
	return true;
}

static void test_table(void)
{
	const struct embedded_file *f, *prev = NULL;
	size_t it = 0, i;
	bool sorted = true, terminated = true;

	ok(embedded_files_count > 0, "the table has files");
	ok(embedded_files[embedded_files_count].path == NULL,
	   "the table ends with a NULL path");
	for (i = 0; i < embedded_files_count; i++) {
		f = &embedded_files[i];
		if (prev && strcmp(prev->path, f->path) >= 0)
			sorted = false;
		if (f->data[f->len] != '\0')
			terminated = false;
		prev = f;
	}
	ok(sorted, "paths are sorted and unique");
	ok(terminated, "every file's data has a NUL after len");
	ok(embedded_find("embedded/README") != NULL, "embedded/README found");
	ok(embedded_find("samples/AWS") == NULL, "a directory is not a file");
	ok(embedded_find("nope") == NULL, "an unknown path is NULL");
	f = embedded_find(EMBEDDED_CA_BUNDLE);
	ok(f && f->len > 1000 &&
	   strstr((const char *)f->data, "-----BEGIN CERTIFICATE-----"),
	   "the CA bundle is embedded as PEM");
	i = 0;
	while ((f = embedded_next("samples/AWS/", &it))) {
		if (!str_starts(f->path, "samples/AWS/"))
			break;
		i++;
	}
	ok(f == NULL && i == embedded_count("samples/AWS/") && i >= 6,
	   "embedded_next walks samples/AWS/ (%zu files)", i);
	is_int(embedded_count(""), embedded_files_count,
	       "the empty prefix matches everything");
}

static void test_provider(const char *p)
{
	char *dpath = xasprintf("samples/%s/defaults.json", p);
	char *npath = xasprintf("samples/%s/definitions.json", p);
	const struct embedded_file *d = embedded_find(dpath);
	const struct embedded_file *n = embedded_find(npath);
	cJSON *dj = d ? cJSON_Parse((const char *)d->data) : NULL;
	cJSON *nj = n ? cJSON_Parse((const char *)n->data) : NULL;
	const cJSON *e;
	int data = 0, compute = 0, licensed = 0, start3 = 0;

	ok(cJSON_IsObject(dj), "%s: defaults.json is an object", p);
	ok(cJSON_IsArray(nj), "%s: definitions.json is an array", p);
	is_str(field(dj, "Provider"), p, "Provider");
	is_str(field(dj, "Label"), "Sample", "Label");
	is_str(field(dj, "Tag"), "TEST", "Tag");
	ok(field(dj, "SSHUser") && field(dj, "DockerImage") &&
	   field(dj, "LicenseDir") && field(dj, "TLSKeyDir") &&
	   field(dj, "SSHPublicKey") && field(dj, "SSHPrivateKey"),
	   "%s: the common fields are there", p);
	cJSON_ArrayForEach(e, nj) {
		const char *role = field(e, "Role");
		const char *count = field(e, "Count");
		int c = count ? atoi(count) : 1;
		const char *sc = field(e, "StartCount");
		const char *key = field(e, "LicenseKey");

		if (role && !strcmp(role, "DATA"))
			data += c;
		if (role && !strcmp(role, "COMPUTE")) {
			compute += c;
			if (!start3 && sc && !strcmp(sc, "3"))
				start3 = 1;
		}
		if (key && !strcmp(key, "ubuntu-sharding-iris.key"))
			licensed += c;
		ok(!cJSON_GetObjectItem(e, "Provider") &&
		   !cJSON_GetObjectItem(e, "Label") &&
		   !cJSON_GetObjectItem(e, "Tag") &&
		   !cJSON_GetObjectItem(e, "Mirror"),
		   "%s: no defaults-only field in a definition", p);
		if (!strcmp(p, "PreExisting"))
			ok(field(e, "IPAddress") &&
			   str_starts(field(e, "IPAddress"), "198.18.0.") &&
			   field(e, "SSHUser") && !count,
			   "PreExisting: one node per definition in 198.18.0.0/24");
	}
	ok(data == 2 && compute == 2 && start3 && licensed == 4,
	   "%s: 2 DATA + 2 COMPUTE from 3, licensed", p);
	cJSON_Delete(dj);
	cJSON_Delete(nj);
	free(dpath);
	free(npath);
}

static void test_all_json(void)
{
	const struct embedded_file *f;
	size_t it = 0;
	int n = 0;

	while ((f = embedded_next("samples/", &it))) {
		cJSON *j;

		if (!str_ends(f->path, ".json"))
			continue;
		j = cJSON_Parse((const char *)f->data);
		ok(j != NULL, "%s parses", f->path);
		ok(j && all_strings(j), "%s: every value is a string", f->path);
		ok(j && !has_secret_field(j), "%s: no password or secret field",
		   f->path);
		cJSON_Delete(j);
		n++;
	}
	ok(n >= 16, "%d sample JSON files", n);
}

static void test_guide(void)
{
	const struct embedded_file *f;
	cJSON *j;

	f = embedded_find("samples/AWS/ECP/defaults.json");
	j = f ? cJSON_Parse((const char *)f->data) : NULL;
	ok(j && !strcmp(field(j, "Label"), "ECP") &&
	   !strcmp(field(j, "Mirror"), "true"), "ECP: Label ECP, Mirror true");
	cJSON_Delete(j);
	f = embedded_find("samples/AWS/Sharding/defaults.json");
	j = f ? cJSON_Parse((const char *)f->data) : NULL;
	ok(j && !strcmp(field(j, "Label"), "SHARDING"), "Sharding: Label");
	cJSON_Delete(j);
	ok(embedded_find("samples/AWS/ECP/definitions.json") &&
	   embedded_find("samples/AWS/Sharding/definitions.json"),
	   "both guide deployments have definitions");
}

int main(void)
{
	size_t i;

	test_table();
	for (i = 0; i < ARRAY_SIZE(providers); i++)
		test_provider(providers[i]);
	test_all_json();
	test_guide();
	return done_testing();
}
