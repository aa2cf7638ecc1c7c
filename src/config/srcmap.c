/*
 * srcmap.c: a strict JSON scanner that records where each item is, walked
 * in the same order as the cJSON tree, because cJSON keeps no positions.
 * It also gives better syntax errors than cJSON's bare error pointer.
 */
#include "../icm.h"
#include "cfgint.h"
#include "../state/log.h"
#include "../util/str.h"

#define SCAN_DEPTH_MAX 512

struct scan {
	const char *name;
	const char *end, *p;
	int line;
	const char *line_start;
	struct srcent *ents;	/* in document (pre-)order */
	size_t n, alloc;
	int depth;
};

static struct srcpos here(const struct scan *sc)
{
	struct srcpos pos = { sc->line, (int)(sc->p - sc->line_start) + 1 };

	return pos;
}

static int fail(const struct scan *sc, const char *what)
{
	struct srcpos pos = here(sc);

	if (sc->p >= sc->end)
		return error("%s:%d:%d: unexpected end of input, %s", sc->name,
			     pos.line, pos.col, what);
	if ((unsigned char)*sc->p >= 0x20 && (unsigned char)*sc->p < 0x7f)
		return error("%s:%d:%d: unexpected '%c', %s", sc->name,
			     pos.line, pos.col, *sc->p, what);
	return error("%s:%d:%d: unexpected byte 0x%02x, %s", sc->name,
		     pos.line, pos.col, (unsigned char)*sc->p, what);
}

static void skip_ws(struct scan *sc)
{
	while (sc->p < sc->end) {
		char c = *sc->p;

		if (c == '\n') {
			sc->line++;
			sc->line_start = sc->p + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			break;
		}
		sc->p++;
	}
}

static size_t record(struct scan *sc, struct srcpos key, struct srcpos val)
{
	if (sc->n == sc->alloc) {
		sc->alloc = sc->alloc ? sc->alloc * 2 : 64;
		sc->ents = xrealloc(sc->ents, sc->alloc * sizeof(*sc->ents));
	}
	sc->ents[sc->n].item = NULL;
	sc->ents[sc->n].key = key;
	sc->ents[sc->n].val = val;
	sc->ents[sc->n].num = NULL;
	return sc->n++;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static int scan_string(struct scan *sc)
{
	sc->p++;	/* the opening quote */
	while (sc->p < sc->end && *sc->p != '"') {
		unsigned char c = (unsigned char)*sc->p;

		if (c < 0x20)
			return fail(sc, "control characters must be escaped "
				    "in strings");
		if (c == '\\') {
			int i;

			sc->p++;
			if (sc->p >= sc->end)
				break;
			if (*sc->p == 'u') {
				for (i = 1; i <= 4; i++)
					if (sc->p + i >= sc->end ||
					    !is_hex(sc->p[i])) {
						sc->p += i;
						return fail(sc, "expected 4 hex "
							    "digits after \\u");
					}
				/* cJSON would end the string there */
				if (!strncmp(sc->p + 1, "0000", 4)) {
					sc->p--;
					return fail(sc, "\\u0000 (NUL) is "
						    "not allowed in a "
						    "string");
				}
				sc->p += 4;
			} else if (!strchr("\"\\/bfnrt", *sc->p)) {
				return fail(sc, "invalid escape in string");
			}
		}
		sc->p++;
	}
	if (sc->p >= sc->end)
		return fail(sc, "unterminated string");
	sc->p++;
	return 0;
}

static bool digit(const struct scan *sc)
{
	return sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9';
}

static int scan_number(struct scan *sc)
{
	if (*sc->p == '-')
		sc->p++;
	if (!digit(sc))
		return fail(sc, "expected a digit");
	if (*sc->p == '0')
		sc->p++;
	else
		while (digit(sc))
			sc->p++;
	if (sc->p < sc->end && *sc->p == '.') {
		sc->p++;
		if (!digit(sc))
			return fail(sc, "expected a digit after '.'");
		while (digit(sc))
			sc->p++;
	}
	if (sc->p < sc->end && (*sc->p == 'e' || *sc->p == 'E')) {
		sc->p++;
		if (sc->p < sc->end && (*sc->p == '+' || *sc->p == '-'))
			sc->p++;
		if (!digit(sc))
			return fail(sc, "expected a digit in the exponent");
		while (digit(sc))
			sc->p++;
	}
	return 0;
}

static int scan_word(struct scan *sc, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(sc->end - sc->p) < n || strncmp(sc->p, w, n))
		return fail(sc, "expected a JSON value");
	sc->p += n;
	return 0;
}

static int scan_value(struct scan *sc, struct srcpos key, bool member);

static int scan_container(struct scan *sc, bool object)
{
	char close = object ? '}' : ']';

	if (++sc->depth > SCAN_DEPTH_MAX)
		return fail(sc, "nesting too deep");
	sc->p++;
	skip_ws(sc);
	if (sc->p < sc->end && *sc->p == close)
		goto done;
	for (;;) {
		struct srcpos key;

		skip_ws(sc);
		key = here(sc);
		if (object) {
			if (sc->p >= sc->end || *sc->p != '"')
				return fail(sc, "expected a field name "
					    "in quotes");
			if (scan_string(sc))
				return -1;
			skip_ws(sc);
			if (sc->p >= sc->end || *sc->p != ':')
				return fail(sc, "expected ':' after the "
					    "field name");
			sc->p++;
		}
		if (scan_value(sc, key, object))
			return -1;
		skip_ws(sc);
		if (sc->p < sc->end && *sc->p == ',') {
			sc->p++;
			continue;
		}
		if (sc->p < sc->end && *sc->p == close)
			break;
		return fail(sc, object ? "expected ',' or '}'"
				       : "expected ',' or ']'");
	}
done:
	sc->p++;
	sc->depth--;
	return 0;
}

static int scan_value(struct scan *sc, struct srcpos key, bool member)
{
	const char *start;
	struct srcpos val;
	size_t k;

	skip_ws(sc);
	val = here(sc);
	k = record(sc, member ? key : val, val);
	if (sc->p >= sc->end)
		return fail(sc, "expected a JSON value");
	switch (*sc->p) {
	case '{':
		return scan_container(sc, true);
	case '[':
		return scan_container(sc, false);
	case '"':
		return scan_string(sc);
	case 't':
		return scan_word(sc, "true");
	case 'f':
		return scan_word(sc, "false");
	case 'n':
		return scan_word(sc, "null");
	default:
		if (*sc->p != '-' && (*sc->p < '0' || *sc->p > '9'))
			return fail(sc, "expected a JSON value");
		start = sc->p;
		if (scan_number(sc))
			return -1;
		sc->ents[k].num = xstrndup(start, (size_t)(sc->p - start));
		return 0;
	}
}

/* Pairs tree items with recorded positions, both in pre-order. */
static int attach(const cJSON *item, struct srcent *ents, size_t n,
		  size_t *k)
{
	const cJSON *c;

	if (*k >= n)
		return -1;
	ents[(*k)++].item = item;
	for (c = item->child; c; c = c->next)
		if (attach(c, ents, n, k))
			return -1;
	return 0;
}

/* Numbers may be secrets (a numeric password): wiped. */
static void ents_free(struct srcent *ents, size_t n)
{
	size_t i;

	for (i = 0; ents && i < n; i++)
		freezero_str(ents[i].num);
	free(ents);
}

static int cmp_ent(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct srcent *)a)->item;
	uintptr_t y = (uintptr_t)((const struct srcent *)b)->item;

	return x < y ? -1 : x > y;
}

int srcmap_parse(const char *name, const char *text, size_t len,
		 cJSON **out, struct srcfile *map)
{
	struct scan sc = { 0 };
	cJSON *tree = NULL;
	size_t k = 0, bom;
	int ret = -1;

	bom = len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3) ? 3 : 0;
	sc.name = name;
	sc.p = sc.line_start = text + bom;
	sc.end = text + len;
	sc.line = 1;
	if (scan_value(&sc, here(&sc), false))
		goto out;
	skip_ws(&sc);
	if (sc.p < sc.end) {
		fail(&sc, "expected the end of the file after the JSON value");
		goto out;
	}
	tree = cJSON_ParseWithLength(text + bom, len - bom);
	if (!tree) {
		/* The scanner is stricter than cJSON except on \u pairs. */
		error("%s: invalid JSON (bad \\u escape or encoding)", name);
		goto out;
	}
	if (attach(tree, sc.ents, sc.n, &k) || k != sc.n) {
		error("%s: internal error mapping JSON positions", name);
		goto out;
	}
	qsort(sc.ents, sc.n, sizeof(*sc.ents), cmp_ent);
	map->ents = sc.ents;
	map->n = sc.n;
	sc.ents = NULL;
	*out = tree;
	tree = NULL;
	ret = 0;
out:
	cJSON_Delete(tree);
	ents_free(sc.ents, sc.n);
	return ret;
}

void srcfile_release(struct srcfile *map)
{
	ents_free(map->ents, map->n);
	map->ents = NULL;
	map->n = 0;
}

const struct srcent *srcmap_find(const struct srcfile *map,
				 const cJSON *item)
{
	struct srcent key = { .item = item };

	if (!map || !map->ents || !item)
		return NULL;
	return bsearch(&key, map->ents, map->n, sizeof(key), cmp_ent);
}

char *loc_format(char *buf, const char *file, const struct srcfile *map,
		 const cJSON *item, bool value)
{
	const struct srcent *e = srcmap_find(map, item);

	if (!e)
		snprintf(buf, LOC_MAX, "%s", file);
	else
		snprintf(buf, LOC_MAX, "%s:%d:%d", file,
			 value ? e->val.line : e->key.line,
			 value ? e->val.col : e->key.col);
	return buf;
}

char *cfg_number_text(const struct config *cfg, const cJSON *item)
{
	const struct config_srcmap *m = cfg ? cfg->srcmap : NULL;
	const struct srcent *e = m ? srcmap_find(&m->defaults, item) : NULL;
	double d = item->valuedouble;
	char *s;

	if (!e && m)
		e = srcmap_find(&m->definitions, item);
	if (e && e->num)
		return xstrdup(e->num);
	/* cJSON's own rule for printing a double. */
	s = xasprintf("%.15g", d);
	if (strtod(s, NULL) != d) {
		freezero_str(s);
		s = xasprintf("%.17g", d);
	}
	return s;
}
