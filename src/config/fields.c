/* fields.c: the field registry, expanded from fields.def (see config.h). */
#include "../icm.h"
#include "cfgint.h"
#include "../state/log.h"
#include "../util/str.h"
#include <strings.h>

const struct field_def field_defs[] = {
#define FIELD(name, type, dflt, where, flags, providers, check, doc) \
	{ name, FT_##type, dflt, FW_##where, flags, providers, check, doc },
#include "fields.def"
};
const size_t field_defs_count = ARRAY_SIZE(field_defs);

struct pdefault {
	const char *field, *provider, *value;
};
static const struct pdefault pdefaults[] = {
#define PDEFAULT(field, provider, value) { field, provider, value },
#include "fields.def"
};

static const struct provider_rules provider_rows[] = {
#define PROVIDER(name, region, region_map, machine, flags) \
	{ name, region, region_map, machine, flags },
#include "fields.def"
};

const struct provider_rules *provider_rules_find(const char *name)
{
	static const struct provider_rules none = {
		"", "Region", "RegionMap", "{InstanceType|InstanceFamily}", 0,
	};
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(provider_rows); i++)
		if (!strcmp(provider_rows[i].name, name))
			return &provider_rows[i];
	return &none;
}

const struct field_def *field_find(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < field_defs_count; i++)
		if (!strcmp(field_defs[i].name, name))
			return &field_defs[i];
	return NULL;
}

bool config_mask_secrets(cJSON *obj)
{
	bool masked = false;
	cJSON *c, *next;

	for (c = obj ? obj->child : NULL; c; c = next) {
		const struct field_def *f = cJSON_IsObject(obj) ?
			field_find(c->string) : NULL;
		cJSON *mask;

		next = c->next;
		if (!f || !(f->flags & FF_SECRET)) {
			masked |= config_mask_secrets(c);
			continue;
		}
		if (cJSON_IsNull(c))
			continue;
		mask = cJSON_CreateString(REDACTED);
		if (!mask)
			abort();
		mask->string = xstrdup(c->string);	/* freed by cJSON */
		if (!cJSON_ReplaceItemViaPointer(obj, c, mask))
			abort();
		masked = true;
	}
	return masked;
}

const char *field_provider_default(const char *field, const char *provider)
{
	size_t i;

	if (!provider)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(pdefaults); i++)
		if (!strcmp(pdefaults[i].field, field) &&
		    !strcmp(pdefaults[i].provider, provider))
			return pdefaults[i].value;
	return NULL;
}

/* Whether word is an element of the comma list. */
static bool in_list(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == n && !strncmp(p, word, n))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

bool field_applies(const struct field_def *f, const char *provider)
{
	return !f->providers || (provider && in_list(f->providers, provider));
}

const char *field_alias_of(const struct field_def *f)
{
	return f->check && f->check[0] == '=' ? f->check + 1 : NULL;
}

const char *field_legacy_name(const char *field)
{
	size_t i;

	for (i = 0; i < field_defs_count; i++) {
		const char *a = field_alias_of(&field_defs[i]);

		if (a && !strcmp(a, field))
			return field_defs[i].name;
	}
	return NULL;
}

bool value_true(const char *v)
{
	return v && !strcasecmp(v, "true");
}

const char *obj_str(const cJSON *obj, const char *field)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, field);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

char **list_split(const char *s, size_t *n)
{
	return list_split_sep(s, ',', n);
}

char **list_split_sep(const char *s, char sep, size_t *n)
{
	size_t cap = 1, k = 0;
	const char *p;
	char **v;

	for (p = s; *p; p++)
		cap += *p == sep;
	v = xcalloc(cap + 1, sizeof(*v));
	p = s;
	for (;;) {
		const char *e = strchr(p, sep);
		size_t len = e ? (size_t)(e - p) : strlen(p);

		v[k++] = xstrndup(p, len);
		if (!e)
			break;
		p = e + 1;
	}
	*n = k;
	return v;
}

void list_free(char **v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

struct name_ref {
	const char *name;
	size_t index;
};

static int cmp_name_ref(const void *a, const void *b)
{
	const struct name_ref *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

size_t first_duplicate_name(const char *const *names, size_t n,
			    size_t *earlier)
{
	size_t i, dup = SIZE_MAX, first = SIZE_MAX;
	struct name_ref *v;

	if (n < 2)
		return SIZE_MAX;
	v = xcalloc(n, sizeof(*v));
	for (i = 0; i < n; i++) {
		v[i].name = names[i] ? names[i] : "";
		v[i].index = i;
	}
	qsort(v, n, sizeof(*v), cmp_name_ref);
	for (i = 1; i < n; i++)
		if (!strcmp(v[i].name, v[i - 1].name) && v[i].index < dup) {
			dup = v[i].index;
			first = v[i - 1].index;
		}
	free(v);
	if (dup != SIZE_MAX && earlier)
		*earlier = first;
	return dup;
}
