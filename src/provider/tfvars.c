/*
 * tfvars.c: the providers' shared Terraform writing (see tfvars.h): HCL
 * values and the tfvars text, the definition's merged fields, the files
 * of one directory.
 */
#include "../icm.h"
#include "tfvars.h"
#include "../config/config.h"
#include "../embed/embedded.h"
#include "../state/log.h"
#include "../state/statedir.h"
#include "../util/fs.h"
#include "../util/str.h"

#define TF_FILE "infrastructure.tf"
#define TF_PROVIDER_FILE "provider.tf"
#define TFVARS_FILE "terraform.tfvars"
#define HCL_MAX_DEPTH 32

static bool in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

bool tf_is_secret(const char *name)
{
	const struct field_def *f = field_find(name);

	return f && (f->flags & FF_SECRET);
}

static bool ascii_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* An HCL identifier: a letter or '_', then letters, digits, '_', '-'. */
static bool hcl_ident(const char *s)
{
	const char *p;

	if (!ascii_letter(*s))
		return false;
	for (p = s + 1; *p; p++)
		if (!ascii_letter(*p) && !(*p >= '0' && *p <= '9') &&
		    *p != '-')
			return false;
	return true;
}

/*
 * Length of the well-formed UTF-8 sequence at p (1-4), or 0.  HCL files
 * must be UTF-8; cJSON passes any bytes through.
 */
static size_t utf8_len(const unsigned char *p)
{
	size_t n, i;
	unsigned cp;

	if (*p < 0x80)
		return 1;
	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2, cp = *p & 0x1f;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3, cp = *p & 0x0f;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4, cp = *p & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* s as an HCL quoted string: no template sequence survives; a byte that
 * is not UTF-8 becomes U+FFFD. */
static int hcl_string(struct buf *b, const char *s)
{
	const unsigned char *p;
	int r = buf_adds(b, "\"");

	for (p = (const unsigned char *)s; !r && *p; p++) {
		switch (*p) {
		case '"':  r = buf_adds(b, "\\\""); break;
		case '\\': r = buf_adds(b, "\\\\"); break;
		case '\n': r = buf_adds(b, "\\n"); break;
		case '\r': r = buf_adds(b, "\\r"); break;
		case '\t': r = buf_adds(b, "\\t"); break;
		case '$':
		case '%':
			/* "${" and "%{" open templates; "$${" and "%%{" are
			 * the literal texts. */
			r = buf_add(b, p, 1);
			if (!r && p[1] == '{')
				r = buf_add(b, p, 1);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				r = buf_addf(b, "\\u%04x", *p);
			} else {
				size_t n = utf8_len(p);

				r = n ? buf_add(b, p, n)
				      : buf_adds(b, "\\ufffd");
				if (n > 1)
					p += n - 1;
			}
		}
	}
	return r ? r : buf_adds(b, "\"");
}

/* Any JSON value as an HCL expression (unknown fields carried forward);
 * -1 when too large or nested too deeply. */
static int hcl_value(struct buf *b, const cJSON *v, int depth)
{
	const cJSON *c;
	char *num;
	int r;

	if (depth > HCL_MAX_DEPTH)
		return -1;	/* reported by render() */
	if (cJSON_IsString(v))
		return hcl_string(b, v->valuestring);
	if (cJSON_IsBool(v))
		return buf_adds(b, cJSON_IsTrue(v) ? "true" : "false");
	if (cJSON_IsNumber(v)) {
		num = cJSON_PrintUnformatted(v);
		if (!num)
			abort();
		r = buf_adds(b, num);
		cJSON_free(num);
		return r;
	}
	if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		bool obj = cJSON_IsObject(v);

		r = buf_adds(b, obj ? "{ " : "[");
		for (c = v->child; !r && c; c = c->next) {
			if (obj)
				r = hcl_string(b, c->string) ||
				    buf_adds(b, " = ");
			if (!r)
				r = hcl_value(b, c, depth + 1);
			if (!r && c->next)
				r = buf_adds(b, ", ");
		}
		return r ? r : buf_adds(b, obj ? " }" : "]");
	}
	return buf_adds(b, "null");
}

void tf_set(cJSON *vars, const char *name, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(vars, name);
	if (!cJSON_AddStringToObject(vars, name, value))
		abort();
}

int tf_list_add(struct buf *b, const char *item)
{
	return buf_addf(b, "%s%s", b->len ? "," : "", item ? item : "");
}

/* True when item is an entry of the comma list b. */
static bool list_has(const struct buf *b, const char *item)
{
	size_t n = strlen(item);
	const char *s = b->len ? b->data : "";

	while (*s) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);

		if (len == n && !strncmp(s, item, n))
			return true;
		s += len + (e ? 1 : 0);
	}
	return false;
}

/* Adds item to b unless empty or there already.  -1 when b is full. */
static int list_add_new(struct buf *b, const char *item)
{
	if (!item || !*item || list_has(b, item))
		return 0;
	return tf_list_add(b, item);
}

char *tf_deployment_list(const char *first, const struct plan *p,
			 bool regions)
{
	char *s = xstrdup(first ? first : ""), *w, *save = NULL;
	struct buf b;
	size_t i;
	int r = 0;

	buf_init(&b, BUF_CAP_CONFIG);
	for (w = strtok_r(s, ",", &save); w && !r;
	     w = strtok_r(NULL, ",", &save)) {
		while (*w == ' ')
			w++;
		r = list_add_new(&b, w);
	}
	free(s);
	for (i = 0; i < p->n && !r; i++)
		r = list_add_new(&b, regions ? p->nodes[i].region
					     : p->nodes[i].zone);
	if (r) {
		buf_release(&b);
		return NULL;
	}
	return b.len ? buf_take(&b) : xstrdup("");
}

/* The tfvars text: a header, the secrets line, one line per variable. */
static int render(struct buf *b, const char *what, const cJSON *vars,
		  const struct buf *secrets)
{
	const cJSON *c;
	int r;

	r = buf_addf(b, "# terraform.tfvars (%s): written by icm %s with "
		     "infrastructure.tf;\n# icm creates these resources "
		     "itself, this is their Terraform description.\n",
		     what, ICM_VERSION);
	if (!r)
		r = secrets->len
		    ? buf_addf(b, "# secret fields are never written here; "
			       "left out: %s\n", secrets->data)
		    : buf_adds(b, "# secret fields are never written here\n");
	for (c = vars->child; !r && c; c = c->next)
		r = buf_addf(b, "%s = ", c->string) ||
		    hcl_value(b, c, 0) || buf_adds(b, "\n");
	return r ? error("terraform: %s: tfvars too large or a value "
			 "nested more than %d deep", what, HCL_MAX_DEPTH) : 0;
}

/*
 * The value of field name over the definition's nodes: the common string,
 * or the comma list of the nodes' values when they differ.
 */
static cJSON *def_value(const struct plan *p, int def, const cJSON *first)
{
	struct buf b;
	const char *v0 = first->valuestring;
	bool same = true;
	char *s;
	cJSON *v;
	size_t i;

	if (!cJSON_IsString(first))
		return cJSON_Duplicate(first, 1);
	for (i = 0; i < p->n && same; i++) {
		const char *vi;

		if (p->nodes[i].def_index != def ||
		    !strcmp(p->nodes[i].role, "LB"))
			continue;
		vi = node_get(&p->nodes[i], first->string);
		same = vi && !strcmp(vi, v0);
	}
	if (same)
		return cJSON_CreateString(v0);
	buf_init(&b, BUF_CAP_CONFIG);
	for (i = 0; i < p->n; i++)
		if (p->nodes[i].def_index == def &&
		    strcmp(p->nodes[i].role, "LB") &&
		    tf_list_add(&b, node_get(&p->nodes[i], first->string)))
			return NULL;
	s = buf_take(&b);
	v = cJSON_CreateString(s);
	free(s);
	return v;
}

int tf_def_fields(cJSON *vars, struct buf *secrets, const struct plan *p,
		  int def, const struct node *n0, const char *const *own,
		  size_t n_own)
{
	const cJSON *c;
	size_t skipped = 0;

	for (c = n0->fields->child; c; c = c->next) {
		cJSON *v;

		if (in_list(c->string, own, n_own))
			continue;
		if (tf_is_secret(c->string)) {
			if (buf_addf(secrets, "%s%s", secrets->len ? ", " : "",
				     c->string))
				goto too_large;
			continue;
		}
		if (!hcl_ident(c->string)) {
			skipped++;
			continue;
		}
		v = def_value(p, def, c);
		if (!v)
			goto too_large;
		cJSON_AddItemToObject(vars, c->string, v);
	}
	if (skipped)
		warning("terraform: %zu field(s) of definition %d are not "
			"HCL names; left out of its tfvars", skipped, def + 1);
	return 0;
too_large:
	return error("terraform: definition %d: tfvars too large", def + 1);
}

int tf_add_fields(cJSON *vars, struct buf *secrets, const struct node *node,
		  const char *const *fields, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *v = node_get(node, fields[i]);

		if (!v)
			continue;
		if (!tf_is_secret(fields[i]))
			tf_set(vars, fields[i], v);
		else if (buf_addf(secrets, "%s%s", secrets->len ? ", " : "",
				  fields[i]))
			return -1;
	}
	return 0;
}

static int write_file(const char *dir, const char *name, const void *data,
		      size_t len, mode_t mode)
{
	char *path = xasprintf("%s/%s", dir, name);
	int ret = 0;

	if (fs_write_atomic(path, data, len, mode))
		ret = error("cannot write '%s': %s", path, strerror(errno));
	free(path);
	return ret;
}

/* dir/name from the embedded file path. */
static int write_embedded(const char *dir, const char *name, const char *path)
{
	const struct embedded_file *f = embedded_find(path);

	if (!f)
		return error("terraform: template '%s' is not in this build",
			     path);
	return write_file(dir, name, f->data, f->len, 0644);
}

int tf_write_dir(const char *state_dir, const char *dir,
		 const struct tf_templates *t, const char *what,
		 const cJSON *vars, const struct buf *secrets)
{
	struct buf b;
	int ret = -1;

	buf_init(&b, BUF_CAP_CONFIG);
	if (statedir_mkdir(state_dir, dir))
		goto out;
	if (render(&b, what, vars, secrets) ||
	    write_embedded(dir, TF_PROVIDER_FILE, t->provider) ||
	    write_embedded(dir, TF_FILE, t->infrastructure) ||
	    write_file(dir, TFVARS_FILE, b.data, b.len, 0600))
		goto out;
	ret = 0;
out:
	buf_release(&b);
	return ret;
}
