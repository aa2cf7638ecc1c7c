/*
 * auth.c: the service-account key file and the signed JWT (see auth.h;
 * the exchange and the token cache are in token.c).
 */
#include "../../icm.h"
#include "auth.h"
#include "../../crypto/key.h"
#include "../../crypto/sshkey.h"
#include "../../util/buf.h"
#include "../../util/fs.h"
#include "../../util/json.h"
#include "../../util/str.h"

#define JWT_CAP (64u << 10)		/* a JWT: two small JSON objects and
					   an 8192-bit signature */
#define API_KEY_PREFIX "AIza"

/* Appends base64url without padding (RFC 7515 2). */
static int b64url_add(struct buf *out, const void *data, size_t len)
{
	size_t i, start = out->len;

	if (base64_add(out, data, len))
		return -1;
	for (i = start; i < out->len; i++)
		if (out->data[i] == '+')
			out->data[i] = '-';
		else if (out->data[i] == '/')
			out->data[i] = '_';
	while (out->len > start && out->data[out->len - 1] == '=')
		out->data[--out->len] = '\0';
	return 0;
}

/* A JSON string as Python's json.dumps writes it; only printable ASCII
 * reaches here (field_string() refuses the rest). */
static int json_string_add(struct buf *b, const char *s)
{
	if (buf_adds(b, "\""))
		return -1;
	for (; *s; s++)
		if ((*s == '"' || *s == '\\') ? buf_addf(b, "\\%c", *s)
					      : buf_add(b, s, 1))
			return -1;
	return buf_adds(b, "\"");
}

/* What a file that is not a service-account key is, by its type (NULL:
 * unknown). */
static const char *other_kind(const char *type)
{
	static const struct {
		const char *type, *what;
	} kinds[] = {
		{ "authorized_user", "a user's credentials (type "
		  "authorized_user, from gcloud auth application-default "
		  "login)" },
		{ "external_account", "an external-account (workload "
		  "identity federation) configuration" },
		{ "impersonated_service_account", "an impersonated "
		  "service-account configuration" },
		{ "gdch_service_account", "a GDC Hosted service-account key" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(type, kinds[i].type))
			return kinds[i].what;
	return NULL;
}

#define NOT_SA_HINT "make a JSON key for a service account (IAM > " \
	"Service accounts > Keys > Add key) and name it in Credentials"

/* A file that is not JSON: an API key, or not a key at all. */
static int not_json(const char *path, const char *text, size_t len,
		    char **err)
{
	size_t i = 0;
	int line, col;

	while (i < len && strchr(" \t\r\n", text[i]))
		i++;
	if (len - i >= 4 && !memcmp(text + i, API_KEY_PREFIX, 4)) {
		*err = xasprintf("'%s' holds an API key, not a service-account "
				 "key: " NOT_SA_HINT, path);
		return -1;
	}
	json_offset_to_linecol(text, i, &line, &col);
	*err = xasprintf("'%s' is not a service-account key (not JSON, "
			 "from %d:%d): " NOT_SA_HINT, path, line, col);
	return -1;
}

/*
 * The string field name of o: copied into *out (NULL when absent and not
 * required).  Printable ASCII, at most GCP_KEY_FIELD_MAX characters.
 */
static int field_string(const cJSON *o, const char *name, bool required,
			const char *path, char **out, char **err)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, name);
	const char *s;
	size_t n;

	*out = NULL;
	if (!f || cJSON_IsNull(f)) {
		if (!required)
			return 0;
		*err = xasprintf("'%s': the service-account key has no '%s'",
				 path, name);
		return -1;
	}
	if (!cJSON_IsString(f) || !*f->valuestring) {
		*err = xasprintf("'%s': '%s' must be a non-empty string", path,
				 name);
		return -1;
	}
	for (s = f->valuestring, n = 0; *s; s++, n++)
		if (*s < ' ' || *s > '~' || n >= GCP_KEY_FIELD_MAX) {
			*err = xasprintf("'%s': '%s' %s", path, name,
					 n >= GCP_KEY_FIELD_MAX ?
					 "is too long" :
					 "holds a character that is not "
					 "printable ASCII");
			return -1;
		}
	*out = xstrdup(f->valuestring);
	return 0;
}

/* The private_key field: an RSA key into k->key.  Its text in the tree
 * is wiped by the caller. */
static int private_key(struct gcp_key *k, const cJSON *o, char **err)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "private_key");
	char why[KEY_WHY_MAX];

	if (!f || cJSON_IsNull(f) || (cJSON_IsString(f) && !*f->valuestring)) {
		*err = xasprintf("'%s' is a service-account key without its "
				 "private key (no 'private_key'): make a new "
				 "JSON key for %s", k->file, k->client_email);
		return -1;
	}
	if (!cJSON_IsString(f)) {
		*err = xasprintf("'%s': 'private_key' must be a string (PEM)",
				 k->file);
		return -1;
	}
	k->key = xcalloc(1, sizeof(*k->key));
	if (key_from_pem(k->key, f->valuestring, strlen(f->valuestring),
			 why)) {
		*err = xasprintf("'%s': private_key is %s", k->file, why);
		return -1;
	}
	if (k->key->type != KEY_RSA) {
		*err = xasprintf("'%s': private_key is an ECDSA %s key; a "
				 "service-account key is RSA (RS256)",
				 k->file, key_curve_name(k->key));
		return -1;
	}
	return 0;
}

/* What kind of file o is, when it is not a service-account key. */
static int check_type(const struct gcp_key *k, const cJSON *o, char **err)
{
	const char *what;

	if (cJSON_GetObjectItemCaseSensitive(o, "installed") ||
	    cJSON_GetObjectItemCaseSensitive(o, "web")) {
		*err = xasprintf("'%s' is an OAuth client (client ID and "
				 "secret), not a service-account key: "
				 NOT_SA_HINT, k->file);
		return -1;
	}
	if (!k->type) {
		*err = xasprintf("'%s' is not a service-account key (no "
				 "'type'): " NOT_SA_HINT, k->file);
		return -1;
	}
	if (!strcmp(k->type, "service_account"))
		return 0;
	what = other_kind(k->type);
	if (what)
		*err = xasprintf("'%s' is %s, not a service-account key: "
				 NOT_SA_HINT, k->file, what);
	else
		*err = xasprintf("'%s' is not a service-account key (type "
				 "'%s'; icm needs 'service_account'): "
				 NOT_SA_HINT, k->file, k->type);
	return -1;
}

/* token_uri must be a URL icm can post to. */
static int check_token_uri(const struct gcp_key *k, char **err)
{
	if (str_starts(k->token_uri, "https://") ||
	    str_starts(k->token_uri, "http://"))
		return 0;
	*err = xasprintf("'%s': token_uri '%s' is not an http(s) URL",
			 k->file, k->token_uri);
	return -1;
}

static void wipe_string_field(cJSON *o, const char *name)
{
	cJSON *f = cJSON_GetObjectItemCaseSensitive(o, name);

	if (cJSON_IsString(f) && f->valuestring)
		explicit_bzero(f->valuestring, strlen(f->valuestring));
}

int gcp_key_parse(struct gcp_key *k, const char *path, const char *text,
		  size_t len, char **err)
{
	cJSON *o = NULL;
	char *copy = NULL;
	int ret = -1;

	memset(k, 0, sizeof(*k));
	*err = NULL;
	k->file = xstrdup(path);
	/* A copy that ends in NUL, wiped after parsing. */
	copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	o = cJSON_ParseWithLengthOpts(copy, len + 1, NULL, 1);
	if (!o) {
		not_json(path, copy, len, err);
		goto out;
	}
	if (!cJSON_IsObject(o)) {
		*err = xasprintf("'%s' is not a service-account key (not a "
				 "JSON object): " NOT_SA_HINT, path);
		goto out;
	}
	if (field_string(o, "type", false, path, &k->type, err) ||
	    check_type(k, o, err) ||
	    field_string(o, "client_email", true, path, &k->client_email,
			 err) ||
	    field_string(o, "private_key_id", true, path, &k->key_id, err) ||
	    field_string(o, "token_uri", true, path, &k->token_uri, err) ||
	    field_string(o, "project_id", false, path, &k->project_id, err) ||
	    check_token_uri(k, err) || private_key(k, o, err))
		goto out;
	ret = 0;
out:
	if (o)
		wipe_string_field(o, "private_key");
	cJSON_Delete(o);
	explicit_bzero(copy, len);
	free(copy);
	if (ret)
		gcp_key_release(k);
	return ret;
}

int gcp_key_load(struct gcp_key *k, const char *path, char **err)
{
	struct buf b;
	int ret;

	memset(k, 0, sizeof(*k));
	*err = NULL;
	buf_init(&b, GCP_KEY_CAP_FILE);
	/* sized once: no copy of the key left behind by growth */
	if (buf_reserve(&b, GCP_KEY_CAP_FILE - 1) || fs_read_file(path, &b)) {
		*err = xasprintf("cannot read the service-account key '%s': "
				 "%s", path, fs_strerror(errno));
		buf_wipe(&b);
		return -1;
	}
	ret = gcp_key_parse(k, path, b.data ? b.data : "", b.len, err);
	buf_wipe(&b);
	return ret;
}

void gcp_key_release(struct gcp_key *k)
{
	if (k->key) {
		key_wipe(k->key);
		free(k->key);
	}
	free(k->file);
	free(k->type);
	free(k->project_id);
	free(k->key_id);
	free(k->client_email);
	free(k->token_uri);
	memset(k, 0, sizeof(*k));
}

/* The header and claims, base64url, joined by '.' (the signing input). */
static int jwt_input(const struct gcp_key *k, const char *scope, time_t now,
		     struct buf *out)
{
	struct buf js;
	int ret = -1;

	buf_init(&js, JWT_CAP);
	if (buf_adds(&js, "{\"typ\": \"JWT\", \"alg\": \"RS256\", "
		     "\"kid\": ") || json_string_add(&js, k->key_id) ||
	    buf_adds(&js, "}") || b64url_add(out, js.data, js.len) ||
	    buf_adds(out, "."))
		goto out;
	js.len = 0;
	if (buf_addf(&js, "{\"iat\": %lld, \"exp\": %lld, \"iss\": ",
		     (long long)now, (long long)now + GCP_JWT_LIFETIME) ||
	    json_string_add(&js, k->client_email) ||
	    buf_adds(&js, ", \"aud\": ") ||
	    json_string_add(&js, k->token_uri) ||
	    buf_adds(&js, ", \"scope\": ") || json_string_add(&js, scope) ||
	    buf_adds(&js, "}") || b64url_add(out, js.data, js.len))
		goto out;
	ret = 0;
out:
	buf_release(&js);
	return ret;
}

int gcp_jwt(const struct gcp_key *k, const char *scope, time_t now,
	    char **jwt, char **err)
{
	struct buf out;
	struct der sig;
	uint8_t *s = NULL;
	size_t n = 0;
	int ret = -1;

	*jwt = NULL;
	*err = NULL;
	buf_init(&out, JWT_CAP);
	der_init(&sig, DER_CAP_CERT);
	if (buf_reserve(&out, JWT_CAP - 1)) {
		*err = xstrdup("out of memory");
		goto out;
	}
	if (!k->key || k->key->type != KEY_RSA) {
		*err = xasprintf("'%s': no RSA key to sign with", k->file);
		goto out;
	}
	if (jwt_input(k, scope, now, &out)) {
		*err = xasprintf("'%s': the JWT is larger than %u KiB",
				 k->file, JWT_CAP >> 10);
		goto out;
	}
	key_sign(&sig, k->key, out.data, out.len);
	s = der_take(&sig, &n);
	if (!s) {
		*err = xasprintf("'%s': signing the JWT with key %s failed",
				 k->file, k->key_id);
		goto out;
	}
	if (buf_adds(&out, ".") || b64url_add(&out, s, n)) {
		*err = xasprintf("'%s': the JWT is larger than %u KiB",
				 k->file, JWT_CAP >> 10);
		goto out;
	}
	*jwt = buf_take(&out);
	ret = 0;
out:
	free(s);
	der_release(&sig);
	buf_wipe(&out);
	return ret;
}
