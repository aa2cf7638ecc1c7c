/*
 * merge.c: an IRIS container's first-start merge file (see merge.h).
 */
#include "merge.h"
#include "cos.h"
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
static int check_user_cpf(const char *path, const char *text, char **why)
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
				return error_why(why, "%s:%zu: '%.*s' is set by icm from "
						 "its fields; remove it from "
						 "UserCPF", path, no,
						 (int)strlen(owned[i]) - 1,
						 owned[i]);
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

/* Appends the CPF line key=value (field's value: a port, or one line of
 * text, by the rules of cos.h).  -1 reported. */
static int cpf_line(struct buf *out, const struct iris_merge_in *in,
		    const char *key, const char *value, const char *field,
		    bool port, char **why)
{
	const struct cos_where w = { .node = in->node,
				     .step = "the merge file (CPF)",
				     .field = field, .why = why };

	if (port ? cos_port_check(value, &w) : cos_text(value, &w))
		return -1;
	if (buf_addf(out, "%s=%s\n", key, value))
		return error_why(why, "the merge file is too large");
	return 0;
}

int iris_merge_text(const struct iris_merge_in *in, struct buf *out,
		    char **why)
{
	const struct {
		const char *section, *key, *value, *field;
		bool port;
	} lines[] = {
		{ "Startup", "PasswordHash", in->password_hash,
		  "the password hash", false },
		{ "Startup", "DefaultPort", in->superserver_port,
		  "SuperServerPort", true },
		{ "Startup", "WebServerPort", in->webserver_port,
		  "WebServerPort", true },
		{ "Startup", "SystemMode", in->system_mode, "SystemMode",
		  false },
		{ "Startup", "EnableSharding", in->enable_sharding ? "1" :
		  NULL, "Role", false },
		{ "config", "globals", in->globals, "ISCglobals", false },
		{ "config", "routines", in->routines, "ISCroutines", false },
		{ "config", "gmheap", in->gmheap, "ISCgmheap", false },
		{ "config", "locksiz", in->locksiz, "ISClocksiz", false },
		{ "config", "bbsiz", in->bbsiz, "ISCbbsiz", false },
		{ "config", "memlock", in->memlock, "ISCmemlock", false },
		{ "config", "MaxServers", in->max_servers, "Role", false },
		{ "config", "MaxServerConn", in->max_servers, "Role", false },
		{ "config", "wijdir", in->wij_dir, "WIJMountPoint", false },
		{ "Journal", "CurrentDirectory", in->journal1_dir,
		  "Journal1MountPoint", false },
		{ "Journal", "AlternateDirectory", in->journal2_dir,
		  "Journal2MountPoint", false },
	};
	const char *section = lines[0].section;
	struct buf cpf;
	size_t i;
	bool headed = true;	/* [Startup] always, the others when used */
	int rc = 0;

	if (buf_addf(out, "[%s]\n", section))
		return error_why(why, "the merge file is too large");
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		if (strcmp(section, lines[i].section)) {
			section = lines[i].section;
			headed = false;
		}
		if (!lines[i].value)
			continue;
		if (!headed && buf_addf(out, "[%s]\n", section))
			return error_why(why, "the merge file is too large");
		headed = true;
		if (cpf_line(out, in, lines[i].key, lines[i].value,
			     lines[i].field, lines[i].port, why))
			return -1;
	}
	if (!in->user_cpf)
		return 0;
	buf_init(&cpf, BUF_CAP_CONFIG);
	if (fs_read_file(in->user_cpf, &cpf)) {
		rc = error_why(why, "cannot read UserCPF '%s': %s", in->user_cpf,
			       fs_strerror(errno));
	} else if (!check_user_cpf(in->user_cpf, cpf.data ? cpf.data : "",
				   why)) {
		if (buf_addf(out, "%s%s", cpf.data ? cpf.data : "",
			     cpf.len && cpf.data[cpf.len - 1] != '\n' ? "\n" :
			     ""))
			rc = error_why(why, "the merge file is too large");
	} else {
		rc = -1;
	}
	buf_release(&cpf);
	return rc;
}
