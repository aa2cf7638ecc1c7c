/*
 * merge.c: an IRIS container's first-start merge file (see merge.h).
 */
#include "merge.h"
#include "../crypto/pkcs12.h"
#include "../crypto/rand.h"
#include "../state/log.h"
#include "../util/fs.h"
#include "../util/str.h"

char *iris_password_hash(const char *password, const char *salt)
{
	static const char alnum[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	char s[IRIS_SALT_LEN + 1], *out;
	uint8_t dk[20], rnd[IRIS_SALT_LEN];
	size_t i;

	if (salt) {
		snprintf(s, sizeof(s), "%s", salt);
	} else {
		if (rand_bytes(rnd, sizeof(rnd)))
			return NULL;
		for (i = 0; i < IRIS_SALT_LEN; i++)
			s[i] = alnum[rnd[i] % (sizeof(alnum) - 1)];
		s[IRIS_SALT_LEN] = '\0';
	}
	pbkdf2_sha1(password, strlen(password), (const uint8_t *)s, strlen(s),
		    IRIS_HASH_ITERATIONS, dk, sizeof(dk));
	out = xmalloc(2 * sizeof(dk) + 1 + IRIS_SALT_LEN + 1);
	for (i = 0; i < sizeof(dk); i++)
		snprintf(out + 2 * i, 3, "%02X", dk[i]);
	snprintf(out + 2 * sizeof(dk), IRIS_SALT_LEN + 2, ",%s", s);
	explicit_bzero(dk, sizeof(dk));
	return out;
}

/* Settings icm owns (icm-reference §3.5): UserCPF must not set them. */
static int check_user_cpf(const char *path, const char *text)
{
	static const char *const owned[] = {
		"wijdir=", "CurrentDirectory=", "AlternateDirectory=",
		"DefaultPort=", "WebServerPort=",
	};
	const char *line = text;
	size_t i, no = 1;

	for (; line && *line; no++) {
		const char *nl = strchr(line, '\n');

		for (i = 0; i < ARRAY_SIZE(owned); i++)
			if (!strncasecmp(line, owned[i], strlen(owned[i])))
				return error("%s:%zu: '%.*s' is set by icm from "
					     "its fields; remove it from "
					     "UserCPF", path, no,
					     (int)strlen(owned[i]) - 1,
					     owned[i]);
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

int iris_merge_text(const struct iris_merge_in *in, struct buf *out)
{
	const struct { const char *key, *value; } config[] = {
		{ "globals", in->globals }, { "routines", in->routines },
		{ "gmheap", in->gmheap }, { "locksiz", in->locksiz },
		{ "bbsiz", in->bbsiz }, { "memlock", in->memlock },
		{ "MaxServers", in->max_servers },
		{ "MaxServerConn", in->max_servers },
		{ "wijdir", in->wij_dir },
	};
	struct buf cpf;
	size_t i;
	bool heading;
	int rc = 0;

	rc |= buf_adds(out, "[Startup]\n");
	if (in->password_hash)
		rc |= buf_addf(out, "PasswordHash=%s\n", in->password_hash);
	if (in->superserver_port)
		rc |= buf_addf(out, "DefaultPort=%s\n", in->superserver_port);
	if (in->webserver_port)
		rc |= buf_addf(out, "WebServerPort=%s\n", in->webserver_port);
	if (in->system_mode)
		rc |= buf_addf(out, "SystemMode=%s\n", in->system_mode);
	if (in->enable_sharding)
		rc |= buf_adds(out, "EnableSharding=1\n");
	for (i = 0, heading = false; i < ARRAY_SIZE(config); i++) {
		if (!config[i].value)
			continue;
		if (!heading)
			rc |= buf_adds(out, "[config]\n");
		heading = true;
		rc |= buf_addf(out, "%s=%s\n", config[i].key,
			       config[i].value);
	}
	if (in->journal1_dir || in->journal2_dir)
		rc |= buf_adds(out, "[Journal]\n");
	if (in->journal1_dir)
		rc |= buf_addf(out, "CurrentDirectory=%s\n", in->journal1_dir);
	if (in->journal2_dir)
		rc |= buf_addf(out, "AlternateDirectory=%s\n",
			       in->journal2_dir);
	if (rc)
		return error("the merge file is too large");
	if (!in->user_cpf)
		return 0;
	buf_init(&cpf, BUF_CAP_CONFIG);
	if (fs_read_file(in->user_cpf, &cpf)) {
		rc = error("cannot read UserCPF '%s': %s", in->user_cpf,
			   fs_strerror(errno));
	} else if (!check_user_cpf(in->user_cpf, cpf.data ? cpf.data : "")) {
		if (buf_addf(out, "%s%s", cpf.data ? cpf.data : "",
			     cpf.len && cpf.data[cpf.len - 1] != '\n' ? "\n" :
			     ""))
			rc = error("the merge file is too large");
	} else {
		rc = -1;
	}
	buf_release(&cpf);
	return rc;
}
