/*
 * tf.c: writes the AWS Terraform templates (embedded/terraform/aws/)
 * and their terraform.tfvars into the state directory (see tf.h).
 *
 * Each tfvars file is first collected as a cJSON object of name -> value
 * (so a name set twice, e.g. a ForwardPort of the definition and of its
 * load balancer, ends up once: HCL refuses duplicate attributes), then
 * printed as HCL.
 */
#include "../../icm.h"
#include "tf.h"
#include "../../config/config.h"
#include "../../embed/embedded.h"
#include "../../state/log.h"
#include "../../state/statedir.h"
#include "../../util/buf.h"
#include "../../util/fs.h"
#include "../../util/str.h"

#define TF_PROVIDER "embedded/terraform/aws/provider.tf"
#define TF_VPC "embedded/terraform/aws/VPC/infrastructure.tf"
#define TF_INSTANCE "embedded/terraform/aws/Instance/infrastructure.tf"
#define TF_FILE "infrastructure.tf"
#define TF_PROVIDER_FILE "provider.tf"
#define TFVARS_FILE "terraform.tfvars"
#define HCL_MAX_DEPTH 32

/* Names this module sets itself in a definition's tfvars. */
static const char *const def_own[] = {
	"MachineName", "Zone", "DefinitionIndex", "InstanceCount",
	"MachineNames", "MachineZones", "OutputFile", "LoadBalancerName",
};

/* Fields of the shared directory's tfvars, when set (from the first node
 * that is not a load balancer, as aws.c reads them). */
static const char *const shared_fields[] = {
	"SSHPublicKey", "Region", "Credentials", "Label", "Tag", "VPCId",
	"SubnetIds", "RouteTableId", "InternetGatewayId", "PrivateSubnet",
	"SuperServerPort", "WebServerPort", "ISCAgentPort",
	"LicenseServerPort",
};

/* What a definition's load balancer contributes. */
static const char *const lb_fields[] = {
	"ForwardPort", "ForwardProtocol", "HealthCheckPort",
	"HealthCheckProtocol", "HealthCheckPath", "LoadBalancerInternal",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

static bool is_secret(const char *name)
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

/* Sets name (once: a value set before is dropped) at the end of vars. */
static void set_str(cJSON *vars, const char *name, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(vars, name);
	if (!cJSON_AddStringToObject(vars, name, value))
		abort();
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

/*
 * dir/provider.tf and dir/infrastructure.tf from the embedded templates,
 * and dir/terraform.tfvars from vars.
 */
static int write_dir(const char *state_dir, const char *dir,
		     const char *template, const char *what,
		     const cJSON *vars, const struct buf *secrets)
{
	struct buf b;
	int ret = -1;

	buf_init(&b, BUF_CAP_CONFIG);
	if (statedir_mkdir(state_dir, dir))
		goto out;
	if (render(&b, what, vars, secrets) ||
	    write_embedded(dir, TF_PROVIDER_FILE, TF_PROVIDER) ||
	    write_embedded(dir, TF_FILE, template) ||
	    write_file(dir, TFVARS_FILE, b.data, b.len, 0600))
		goto out;
	ret = 0;
out:
	buf_release(&b);
	return ret;
}

/* Appends item to a comma list in b ("" for NULL). */
static int list_add(struct buf *b, const char *item)
{
	return buf_addf(b, "%s%s", b->len ? "," : "", item ? item : "");
}

/* True when zone z is an item of the comma list b. */
static bool list_has(const struct buf *b, const char *z)
{
	size_t n = strlen(z);
	const char *s = b->len ? b->data : "";

	while (*s) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);

		if (len == n && !strncmp(s, z, n))
			return true;
		s += len + (e ? 1 : 0);
	}
	return false;
}

/*
 * The deployment's zones as aws.c numbers the subnets: the Zone list of
 * defaults.json (cfg; may be NULL), then any other zone a node names, in
 * node order.
 */
static char *zone_list(const struct config *cfg, const struct plan *p)
{
	const char *z = cfg ? config_get(cfg, -1, "Zone") : NULL;
	char *s = xstrdup(z ? z : ""), *w, *save = NULL;
	struct buf b;
	size_t i;

	buf_init(&b, BUF_CAP_CONFIG);
	for (w = strtok_r(s, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		while (*w == ' ')
			w++;
		if (*w && !list_has(&b, w) && list_add(&b, w)) {
			free(s);
			return NULL;
		}
	}
	free(s);
	for (i = 0; i < p->n; i++) {
		z = p->nodes[i].zone;
		if (z && *z && !list_has(&b, z) && list_add(&b, z))
			return NULL;
	}
	return b.len ? buf_take(&b) : xstrdup("");
}

static const struct node *first_node(const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->nodes[i].role, "LB"))
			return &p->nodes[i];
	return NULL;
}

static int write_shared(const char *state_dir, const struct plan *p,
			const char *zones)
{
	const struct node *n0 = first_node(p);
	const char *label = node_get(n0, "Label"), *tag = node_get(n0, "Tag");
	cJSON *vars = cJSON_CreateObject();
	struct buf none;
	char *dir = NULL, *name = NULL;
	size_t i;
	int ret = -1;

	buf_init(&none, 1);
	if (!vars)
		abort();
	if (!label || !tag) {
		error("terraform: the nodes have no Label or Tag");
		goto out;
	}
	name = xasprintf("%s-%s", label, tag);
	dir = xasprintf("%s/%s", state_dir, name);
	for (i = 0; i < ARRAY_SIZE(shared_fields); i++) {
		const char *v = node_get(n0, shared_fields[i]);

		if (v)
			set_str(vars, shared_fields[i], v);
	}
	set_str(vars, "Zone", zones);
	set_str(vars, "MachineName", name);
	ret = write_dir(state_dir, dir, TF_VPC, name, vars, &none);
out:
	cJSON_Delete(vars);
	free(dir);
	free(name);
	return ret;
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
		    list_add(&b, node_get(&p->nodes[i], first->string)))
			return NULL;
	s = buf_take(&b);
	v = cJSON_CreateString(s);
	free(s);
	return v;
}

static int write_definition(const char *state_dir, const struct plan *p,
			    int def, const char *zones)
{
	const struct node *n0 = NULL, *lb = NULL;
	cJSON *vars = cJSON_CreateObject();
	const cJSON *c;
	struct buf secrets, names, nzones;
	char *dir = NULL, *base, *out_file = NULL, num[24];
	size_t i, count = 0, skipped = 0;
	int ret = -1;

	buf_init(&secrets, BUF_CAP_LINE);
	buf_init(&names, BUF_CAP_CONFIG);
	buf_init(&nzones, BUF_CAP_CONFIG);
	if (!vars)
		abort();
	for (i = 0; i < p->n; i++) {
		const struct node *n = &p->nodes[i];

		if (n->def_index != def)
			continue;
		if (!strcmp(n->role, "LB")) {
			lb = n;
			continue;
		}
		if (!n0)
			n0 = n;
		count++;
		if (list_add(&names, n->name) || list_add(&nzones, n->zone))
			goto too_large;
	}
	if (!n0) {
		ret = 0;	/* Count 0, or a load balancer alone */
		goto out;
	}
	dir = statedir_def_dir(state_dir, n0);
	if (!dir)
		goto out;
	for (c = n0->fields->child; c; c = c->next) {
		cJSON *v;

		if (in_list(c->string, def_own, ARRAY_SIZE(def_own)))
			continue;
		if (is_secret(c->string)) {
			if (buf_addf(&secrets, "%s%s", secrets.len ? ", " : "",
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
	base = strrchr(dir, '/');
	set_str(vars, "MachineName", base ? base + 1 : dir);
	set_str(vars, "Zone", zones);
	snprintf(num, sizeof(num), "%d", def);
	set_str(vars, "DefinitionIndex", num);
	snprintf(num, sizeof(num), "%zu", count);
	set_str(vars, "InstanceCount", num);
	set_str(vars, "MachineNames", names.len ? names.data : "");
	set_str(vars, "MachineZones", nzones.len ? nzones.data : "");
	out_file = xasprintf("%s/terraform.out", dir);
	set_str(vars, "OutputFile", out_file);
	if (lb) {
		set_str(vars, "LoadBalancerName", lb->name);
		for (i = 0; i < ARRAY_SIZE(lb_fields); i++) {
			const char *v = node_get(lb, lb_fields[i]);

			if (v)
				set_str(vars, lb_fields[i], v);
		}
	}
	ret = write_dir(state_dir, dir, TF_INSTANCE, base ? base + 1 : dir, vars,
			&secrets);
	goto out;
too_large:
	error("terraform: definition %d: tfvars too large", def + 1);
out:
	buf_release(&secrets);
	buf_release(&names);
	buf_release(&nzones);
	cJSON_Delete(vars);
	free(out_file);
	free(dir);
	return ret;
}

int aws_terraform_write(const char *state_dir, const struct plan *p)
{
	return aws_terraform_write_config(state_dir, NULL, p);
}

/* The deployment's Zone list, or NULL (reported). */
static char *zones_of(const struct config *cfg, const struct plan *p)
{
	char *zones;

	if (!first_node(p)) {
		error("terraform: the plan has no nodes");
		return NULL;
	}
	zones = zone_list(cfg, p);
	if (!zones)
		error("terraform: zone list too large");
	return zones;
}

int aws_terraform_write_shared(const char *state_dir,
			       const struct config *cfg, const struct plan *p)
{
	char *zones = zones_of(cfg, p);
	int ret = zones ? write_shared(state_dir, p, zones) : -1;

	free(zones);
	return ret;
}

int aws_terraform_write_definition(const char *state_dir,
				   const struct config *cfg,
				   const struct plan *p, int def)
{
	char *zones = zones_of(cfg, p);
	int ret = zones ? write_definition(state_dir, p, def, zones) : -1;

	free(zones);
	return ret;
}

int aws_terraform_write_config(const char *state_dir,
			       const struct config *cfg, const struct plan *p)
{
	char *zones = zones_of(cfg, p);
	int def, ndefs = 0, ret = -1;
	size_t i;

	if (!zones)
		goto out;
	for (i = 0; i < p->n; i++)
		if (p->nodes[i].def_index >= ndefs)
			ndefs = p->nodes[i].def_index + 1;
	if (write_shared(state_dir, p, zones))
		goto out;
	for (def = 0; def < ndefs; def++)
		if (write_definition(state_dir, p, def, zones))
			goto out;
	ret = 0;
out:
	free(zones);
	return ret;
}
