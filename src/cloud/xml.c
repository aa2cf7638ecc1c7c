/*
 * xml.c: the capped, namespace-aware XML reader (see xml.h).
 *
 * One pass, no recursion: open elements live on an explicit stack of frames
 * (each with the element's text buffer and the mark of the namespace
 * bindings it declared), so nesting costs heap, not C stack, and the depth
 * cap is the only bound.  Positions are byte offsets while parsing; a line
 * and column are computed only for nodes and errors, from a cursor that
 * moves forward through the input (where()).
 *
 * Storage: every node, name and string of a tree lives in one arena of
 * large chunks that hangs off the root, so a document of a million elements
 * costs a few hundred allocations, not millions, and xml_free() (and the
 * error path) frees the chunks without walking the tree.  Only the text of
 * the open elements grows in separate capped buffers until its end tag.
 */
#include "../icm.h"
#include "../util/buf.h"
#include "../util/str.h"
#include "xml.h"

#define XML_NS_XML "http://www.w3.org/XML/1998/namespace"
#define XML_NS_XMLNS "http://www.w3.org/2000/xmlns/"

#define CHUNK_SIZE (64u << 10)

struct chunk {
	struct chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct xml_arena {
	struct chunk *head;	/* the chunk being filled comes first */
};

struct frame {
	struct xml_node *node;
	struct xml_node *last;	/* last child, for O(1) appends */
	struct buf text;
	const char *qname;	/* as written, to match the end tag */
	size_t nsmark;		/* bindings above this index are its own */
};

struct nsbind {
	const char *prefix;	/* "" for the default namespace */
	char *uri;		/* "" undeclares the default namespace */
};

struct rawattr {
	char *qname;
	char *value;
	const char *at;
};

/* Allocates n bytes (aligned for any type, not zeroed) from a. */
static void *arena_alloc(struct xml_arena *a, size_t n)
{
	const size_t align = sizeof(max_align_t);
	struct chunk *c = a->head;
	void *p;

	n = (n + align - 1) / align * align;
	if (!c || c->size - c->used < n) {
		size_t size = n > CHUNK_SIZE / 4 ? n : CHUNK_SIZE;

		c = xmalloc(sizeof(*c) + size);
		c->used = 0;
		c->size = size;
		if (size == n && a->head) {
			/* a large block: keep filling the current chunk */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

static void *arena_zalloc(struct xml_arena *a, size_t n)
{
	return memset(arena_alloc(a, n), 0, n);
}

static char *arena_strndup(struct xml_arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void arena_free(struct xml_arena *a)
{
	struct chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

struct parser {
	const char *start, *p, *end;
	const struct xml_limits *lim;
	char *err;
	/* where(): a cursor that only moves forward (rewound if asked for an
	 * earlier offset) */
	const char *cur;
	unsigned cur_line, cur_col;
	struct frame *stack;
	unsigned depth, stack_alloc;
	struct nsbind *ns;
	size_t nns, ns_alloc;
	struct rawattr *raw;
	unsigned nraw;
	size_t nodes;
	struct xml_node *root;
	struct xml_arena *arena;
	char *empty;		/* "" shared by elements without text */
	char *xml_ns;		/* XML_NS_XML in the arena */
};

void xml_limits_default(struct xml_limits *lim)
{
	lim->max_input = XML_MAX_INPUT;
	lim->max_depth = XML_MAX_DEPTH;
	lim->max_nodes = XML_MAX_NODES;
	lim->max_name = XML_MAX_NAME;
	lim->max_text = XML_MAX_TEXT;
	lim->max_attrs = XML_MAX_ATTRS;
}

/* Line and column (1-based; columns count characters, not bytes) of at. */
static void where(struct parser *ps, const char *at, unsigned *line,
		  unsigned *col)
{
	const char *q;

	if (at < ps->cur) {
		ps->cur = ps->start;
		ps->cur_line = 1;
		ps->cur_col = 1;
	}
	for (q = ps->cur; q < at; q++) {
		unsigned char c = (unsigned char)*q;

		if (c == '\n' || (c == '\r' && (q + 1 == ps->end ||
						q[1] != '\n'))) {
			ps->cur_line++;
			ps->cur_col = 1;
		} else if (c != '\r' && (c & 0xC0) != 0x80) {
			ps->cur_col++;
		}
	}
	ps->cur = at;
	*line = ps->cur_line;
	*col = ps->cur_col;
}

/* Records the first error, "LINE:COL: reason", and returns -1. */
PRINTF_LIKE(3, 4)
static int fail(struct parser *ps, const char *at, const char *fmt, ...)
{
	struct buf b;
	unsigned line, col;
	va_list ap;

	if (ps->err)
		return -1;
	where(ps, at, &line, &col);
	buf_init(&b, BUF_CAP_LINE);
	va_start(ap, fmt);
	if (buf_addf(&b, "%u:%u: ", line, col) == 0 &&
	    buf_vaddf(&b, fmt, ap) == 0)
		ps->err = buf_take(&b);
	else
		ps->err = xstrdup("malformed XML");
	va_end(ap);
	return -1;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == ':' || c >= 0x80;
}

static bool is_name_char(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' ||
	       c == '.';
}

static bool looking_at(const struct parser *ps, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, s, n);
}

/*
 * Checks the whole input once: well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing past U+10FFFF) and no control character XML forbids.
 * Everything after may then treat bytes >= 0x80 as parts of names or text.
 */
static int check_chars(struct parser *ps)
{
	const unsigned char *s = (const unsigned char *)ps->start;
	size_t n = (size_t)(ps->end - ps->start), i = 0;

	while (i < n) {
		unsigned char c = s[i];
		uint32_t cp;
		size_t k, len;

		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				return fail(ps, ps->start + i,
					    "character U+%04X is not allowed "
					    "in XML", c);
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return fail(ps, ps->start + i, "invalid UTF-8");
		}
		if (n - i < len)
			return fail(ps, ps->start + i, "truncated UTF-8");
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return fail(ps, ps->start + i,
					    "invalid UTF-8");
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return fail(ps, ps->start + i, "invalid UTF-8");
		i += len;
	}
	return 0;
}

/* Appends n bytes of character data to b, turning \r\n and \r into \n. */
static int add_text(struct parser *ps, struct buf *b, const char *s,
		    size_t n, const char *what)
{
	size_t i = 0, j;

	while (i < n) {
		for (j = i; j < n && s[j] != '\r'; j++)
			;
		if (buf_add(b, s + i, j - i))
			goto toolong;
		if (j == n)
			break;
		if (buf_add(b, "\n", 1))
			goto toolong;
		i = j + 1;
		if (i < n && s[i] == '\n')
			i++;
	}
	return 0;
toolong:
	return fail(ps, s, "%s is longer than %zu bytes", what,
		    ps->lim->max_text);
}

/* Reads a name at ps->p; *out points to it in the input, *len its
 * length. */
static int scan_name(struct parser *ps, const char **out, size_t *len)
{
	const char *s = ps->p;

	if (s == ps->end)
		return fail(ps, s, "unexpected end of input, expected a name");
	if (!is_name_start((unsigned char)*s)) {
		char q[4] = { '\'', *s, '\'', '\0' };

		return fail(ps, s, "expected a name, found %s",
			    *s == ' ' ? "a space" : *s == '\t' ? "a tab" :
			    *s == '\n' || *s == '\r' ? "a line end" : q);
	}
	while (ps->p < ps->end && is_name_char((unsigned char)*ps->p))
		ps->p++;
	if ((size_t)(ps->p - s) > ps->lim->max_name)
		return fail(ps, s, "name longer than %zu bytes",
			    ps->lim->max_name);
	*out = s;
	*len = (size_t)(ps->p - s);
	return 0;
}

/* Reads a name at ps->p into the arena. */
static int read_name(struct parser *ps, char **out)
{
	const char *s;
	size_t len;

	if (scan_name(ps, &s, &len))
		return -1;
	*out = arena_strndup(ps->arena, s, len);
	return 0;
}

/* The text in b as an arena string (the shared "" if empty); releases b. */
static char *take_text(struct parser *ps, struct buf *b)
{
	char *t = b->len ? arena_strndup(ps->arena, b->data, b->len) :
		  ps->empty;

	buf_release(b);
	return t;
}

static bool skip_space(struct parser *ps)
{
	const char *s = ps->p;

	while (ps->p < ps->end && is_space(*ps->p))
		ps->p++;
	return ps->p != s;
}

static void put_utf8(uint32_t cp, char *o, size_t *n)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		*n = 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		*n = 2;
	} else if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		*n = 3;
	} else {
		o[0] = (char)(0xF0 | (cp >> 18));
		o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[3] = (char)(0x80 | (cp & 0x3F));
		*n = 4;
	}
}

/*
 * Reads the reference at ps->p ('&') into o (up to 4 bytes of UTF-8).
 * Only the predefined entities and character references: there is no
 * DOCTYPE, so no other entity can be defined.
 */
static int read_entity(struct parser *ps, char *o, size_t *n)
{
	static const struct {
		const char *name;
		char c;
	} predef[] = {
		{ "lt", '<' }, { "gt", '>' }, { "amp", '&' },
		{ "quot", '"' }, { "apos", '\'' },
	};
	const char *s = ps->p, *semi, *q;
	size_t len, i;
	uint32_t cp = 0;

	/* Only name characters and '#' up to the ';', so that the reference
	 * can be quoted in a one-line error. */
	for (semi = s + 1; semi < ps->end && semi - s < 16 &&
	     (is_name_char((unsigned char)*semi) || *semi == '#'); semi++)
		;
	if (semi == ps->end || *semi != ';')
		return fail(ps, s, "'&' does not start an entity reference "
			    "(write &amp;)");
	len = (size_t)(semi - s - 1);
	if (len == 0)
		return fail(ps, s, "empty entity reference '&;'");
	if (s[1] != '#') {
		for (i = 0; i < ARRAY_SIZE(predef); i++) {
			if (strlen(predef[i].name) == len &&
			    !memcmp(predef[i].name, s + 1, len)) {
				o[0] = predef[i].c;
				*n = 1;
				ps->p = semi + 1;
				return 0;
			}
		}
		return fail(ps, s, "unknown entity '&%.*s;'", (int)len, s + 1);
	}
	q = s + 2;
	if (q < semi && *q == 'x') {
		for (q++; q < semi; q++) {
			char c = *q;
			int d = c >= '0' && c <= '9' ? c - '0' :
				c >= 'a' && c <= 'f' ? c - 'a' + 10 :
				c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

			if (d < 0 || cp > 0x10FFFF)
				break;
			cp = cp * 16 + (uint32_t)d;
		}
		if (q != semi || semi == s + 3)
			goto bad;
	} else {
		for (; q < semi; q++) {
			if (*q < '0' || *q > '9' || cp > 0x10FFFF)
				break;
			cp = cp * 10 + (uint32_t)(*q - '0');
		}
		if (q != semi || semi == s + 2)
			goto bad;
	}
	if (!(cp == 0x9 || cp == 0xA || cp == 0xD ||
	      (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
	      (cp >= 0x10000 && cp <= 0x10FFFF)))
		return fail(ps, s, "character reference '%.*s' is not an XML "
			    "character", (int)(semi - s + 1), s);
	put_utf8(cp, o, n);
	ps->p = semi + 1;
	return 0;
bad:
	return fail(ps, s, "malformed character reference '%.*s'",
		    (int)(semi - s + 1), s);
}

/* Reads a quoted attribute value (entities expanded, each \t \n \r or
 * \r\n turned into one space, as XML's attribute normalisation does). */
static int read_value(struct parser *ps, const char *qname, char **out)
{
	struct buf b;
	const char *open = ps->p;
	char quote, tmp[4];
	size_t n;
	int ret = -1;

	buf_init(&b, ps->lim->max_text + 1);
	if (ps->p == ps->end)
		return fail(ps, ps->p, "unexpected end of input in a tag");
	quote = *ps->p;
	if (quote != '"' && quote != '\'')
		return fail(ps, ps->p, "value of attribute '%s' is not quoted",
			    qname);
	ps->p++;
	for (;;) {
		const char *s = ps->p;

		while (ps->p < ps->end && *ps->p != quote && *ps->p != '&' &&
		       *ps->p != '<' && !is_space(*ps->p))
			ps->p++;
		if (buf_add(&b, s, (size_t)(ps->p - s)))
			goto toolong;
		if (ps->p == ps->end) {
			fail(ps, open, "unterminated value of attribute '%s'",
			     qname);
			goto out;
		}
		if (*ps->p == quote) {
			ps->p++;
			break;
		}
		if (*ps->p == '<') {
			fail(ps, ps->p, "'<' in the value of attribute '%s'",
			     qname);
			goto out;
		}
		if (*ps->p == '&') {
			if (read_entity(ps, tmp, &n))
				goto out;
			if (buf_add(&b, tmp, n))
				goto toolong;
			continue;
		}
		if (*ps->p == '\r' && ps->p + 1 < ps->end && ps->p[1] == '\n')
			ps->p++;
		ps->p++;
		if (buf_add(&b, " ", 1))
			goto toolong;
	}
	*out = take_text(ps, &b);
	ret = 0;
	goto out;
toolong:
	fail(ps, open, "value of attribute '%s' is longer than %zu bytes",
	     qname, ps->lim->max_text);
out:
	buf_release(&b);
	return ret;
}

/* Skips from ps->p (at opener) past the next closer; "what" names it. */
static int skip_past(struct parser *ps, size_t skip, const char *closer,
		     const char *what, const char **body, size_t *bodylen)
{
	const char *s = ps->p, *e;

	e = memmem(s + skip, (size_t)(ps->end - s) - skip, closer,
		   strlen(closer));
	if (!e)
		return fail(ps, s, "unterminated %s", what);
	if (body) {
		*body = s + skip;
		*bodylen = (size_t)(e - (s + skip));
	}
	ps->p = e + strlen(closer);
	return 0;
}

/* The URI bound to prefix ("" for the default namespace), or NULL. */
static char *ns_lookup(const struct parser *ps, const char *prefix)
{
	size_t i;

	if (!strcmp(prefix, "xml"))
		return ps->xml_ns;
	for (i = ps->nns; i-- > 0;)
		if (!strcmp(ps->ns[i].prefix, prefix))
			return ps->ns[i].uri;
	return NULL;
}

static void ns_pop(struct parser *ps, size_t mark)
{
	if (ps->nns > mark)
		ps->nns = mark;
}

/* Applies an xmlns or xmlns:p attribute; 1 if it was one, 0 if not. */
static int ns_declare(struct parser *ps, const struct rawattr *ra)
{
	const char *prefix;

	if (!strcmp(ra->qname, "xmlns"))
		prefix = "";
	else if (str_starts(ra->qname, "xmlns:"))
		prefix = ra->qname + 6;
	else
		return 0;
	if (*prefix && !*ra->value)
		return fail(ps, ra->at, "namespace prefix '%s' bound to an "
			    "empty URI", prefix);
	if (!strcmp(prefix, "xmlns") || !strcmp(ra->value, XML_NS_XMLNS) ||
	    (!strcmp(prefix, "xml") != !strcmp(ra->value, XML_NS_XML)))
		return fail(ps, ra->at, "reserved namespace binding '%s'",
			    ra->qname);
	if (ps->nns == ps->ns_alloc) {
		ps->ns_alloc = ps->ns_alloc ? 2 * ps->ns_alloc : 16;
		ps->ns = xrealloc(ps->ns, ps->ns_alloc * sizeof(*ps->ns));
	}
	/* Both live in the arena: nodes point at the URI. */
	ps->ns[ps->nns].prefix = prefix;
	ps->ns[ps->nns].uri = ra->value;
	ps->nns++;
	return 1;
}

/*
 * Splits a qualified name into prefix and local name and resolves the
 * prefix.  is_elem: unprefixed element names take the default namespace,
 * unprefixed attributes none.
 */
static int resolve(struct parser *ps, char *qname, const char *at,
		   bool is_elem, char **prefix, char **local, char **ns)
{
	char *colon = strchr(qname, ':'), *uri, *pfx = NULL;

	if (colon && (colon == qname || !colon[1] || strchr(colon + 1, ':')))
		return fail(ps, at, "malformed qualified name '%s'", qname);
	if (colon) {
		pfx = arena_strndup(ps->arena, qname,
				    (size_t)(colon - qname));
		uri = ns_lookup(ps, pfx);
		if (!uri)
			return fail(ps, at, "namespace prefix '%s' is not "
				    "declared", pfx);
	} else {
		uri = is_elem ? ns_lookup(ps, "") : NULL;
		if (uri && !*uri)
			uri = NULL;
	}
	/* The local name is the tail of the qualified name. */
	*local = colon ? colon + 1 : qname;
	*ns = uri;
	if (prefix)
		*prefix = pfx;
	return 0;
}

/* Turns the raw attributes into n's attrs (after the xmlns ones took
 * effect), refusing duplicates. */
static int build_attrs(struct parser *ps, struct xml_node *n)
{
	unsigned i;
	size_t j;

	if (ps->nraw)
		n->attrs = arena_zalloc(ps->arena,
					ps->nraw * sizeof(*n->attrs));
	for (i = 0; i < ps->nraw; i++) {
		struct rawattr *ra = &ps->raw[i];
		struct xml_attr *a = &n->attrs[n->nattrs];

		if (!strcmp(ra->qname, "xmlns") ||
		    str_starts(ra->qname, "xmlns:"))
			continue;
		if (resolve(ps, ra->qname, ra->at, false, NULL, &a->name,
			    &a->ns))
			return -1;
		a->value = ra->value;
		n->nattrs++;
		for (j = 0; j + 1 < n->nattrs; j++) {
			const struct xml_attr *b = &n->attrs[j];

			if (!strcmp(a->name, b->name) &&
			    ((!a->ns && !b->ns) ||
			     (a->ns && b->ns && !strcmp(a->ns, b->ns))))
				return fail(ps, ra->at, "duplicate attribute "
					    "'%s'", ra->qname);
		}
	}
	return 0;
}

/* Parses a start tag at ps->p ('<'), links the new element into the tree
 * and pushes a frame unless it closes itself. */
static int start_tag(struct parser *ps)
{
	const char *lt = ps->p;
	struct xml_node *n = NULL;
	struct frame *f;
	char *qname = NULL;
	size_t mark = ps->nns;
	bool selfclose = false;
	unsigned i;
	int ret = -1;

	if (ps->depth == 0 && ps->root) {
		fail(ps, lt, "content after the root element");
		goto out;
	}
	ps->p++;
	if (read_name(ps, &qname))
		goto out;
	for (;;) {
		bool sp = skip_space(ps);
		struct rawattr *ra;

		if (ps->p == ps->end) {
			fail(ps, lt, "unterminated start tag <%s", qname);
			goto out;
		}
		if (*ps->p == '>') {
			ps->p++;
			break;
		}
		if (looking_at(ps, "/>")) {
			ps->p += 2;
			selfclose = true;
			break;
		}
		if (!sp) {
			fail(ps, ps->p, "expected whitespace, '>' or '/>' in "
			     "<%s>", qname);
			goto out;
		}
		if (ps->nraw == ps->lim->max_attrs) {
			fail(ps, ps->p, "more than %u attributes in <%s>",
			     ps->lim->max_attrs, qname);
			goto out;
		}
		ra = &ps->raw[ps->nraw];
		ra->at = ps->p;
		if (read_name(ps, &ra->qname))
			goto out;
		ps->nraw++;
		skip_space(ps);
		if (ps->p == ps->end || *ps->p != '=') {
			fail(ps, ps->p, "expected '=' after attribute '%s'",
			     ra->qname);
			goto out;
		}
		ps->p++;
		skip_space(ps);
		if (read_value(ps, ra->qname, &ra->value))
			goto out;
	}
	if (ps->nodes == ps->lim->max_nodes) {
		fail(ps, lt, "more than %zu elements", ps->lim->max_nodes);
		goto out;
	}
	if (ps->depth == ps->lim->max_depth) {
		fail(ps, lt, "elements nested more than %u deep",
		     ps->lim->max_depth);
		goto out;
	}
	for (i = 0; i < ps->nraw; i++)
		if (ns_declare(ps, &ps->raw[i]) < 0)
			goto out;

	n = arena_zalloc(ps->arena, sizeof(*n));
	ps->nodes++;
	where(ps, lt, &n->line, &n->col);
	if (ps->depth == 0) {
		ps->root = n;
	} else {
		f = &ps->stack[ps->depth - 1];
		n->parent = f->node;
		if (f->last)
			f->last->next = n;
		else
			f->node->children = n;
		f->last = n;
	}
	if (resolve(ps, qname, lt, true, &n->prefix, &n->name, &n->ns) ||
	    build_attrs(ps, n))
		goto out;
	if (selfclose) {
		n->text = ps->empty;
		ns_pop(ps, mark);
		mark = ps->nns;
		ret = 0;
		goto out;
	}
	if (ps->depth == ps->stack_alloc) {
		ps->stack_alloc = ps->stack_alloc ? 2 * ps->stack_alloc : 16;
		ps->stack = xrealloc(ps->stack,
				     ps->stack_alloc * sizeof(*ps->stack));
	}
	f = &ps->stack[ps->depth++];
	f->node = n;
	f->last = NULL;
	buf_init(&f->text, ps->lim->max_text + 1);
	f->qname = qname;
	f->nsmark = mark;
	mark = ps->nns;
	ret = 0;
out:
	if (ret)
		ns_pop(ps, mark);
	ps->nraw = 0;
	return ret;
}

static int end_tag(struct parser *ps)
{
	const char *lt = ps->p, *name;
	const struct frame *f;
	size_t len;
	int nlen;

	ps->p += 2;
	if (scan_name(ps, &name, &len))
		return -1;
	nlen = (int)len;
	skip_space(ps);
	if (ps->p == ps->end || *ps->p != '>')
		return fail(ps, lt, "unterminated end tag </%.*s", nlen, name);
	ps->p++;
	if (ps->depth == 0)
		return fail(ps, lt, "end tag </%.*s> without a start tag",
			    nlen, name);
	f = &ps->stack[ps->depth - 1];
	if (strlen(f->qname) != len || memcmp(f->qname, name, len))
		return fail(ps, lt, "end tag </%.*s> does not match <%s> "
			    "(line %u, column %u)", nlen, name, f->qname,
			    f->node->line, f->node->col);
	f->node->text = take_text(ps, &ps->stack[ps->depth - 1].text);
	ns_pop(ps, f->nsmark);
	ps->depth--;
	return 0;
}

/* Character data (or a reference, or CDATA) at depth 0 is an error unless
 * it is whitespace. */
static int text_run(struct parser *ps)
{
	const char *s = ps->p;

	while (ps->p < ps->end && *ps->p != '<' && *ps->p != '&')
		ps->p++;
	if (ps->depth == 0) {
		const char *q;

		for (q = s; q < ps->p; q++)
			if (!is_space(*q))
				return fail(ps, q, "text outside the root "
					    "element");
		return 0;
	}
	return add_text(ps, &ps->stack[ps->depth - 1].text, s,
			(size_t)(ps->p - s), "text");
}

static int text_ref(struct parser *ps)
{
	char tmp[4];
	size_t n;

	if (ps->depth == 0)
		return fail(ps, ps->p, "text outside the root element");
	if (read_entity(ps, tmp, &n))
		return -1;
	if (buf_add(&ps->stack[ps->depth - 1].text, tmp, n))
		return fail(ps, ps->p, "text is longer than %zu bytes",
			    ps->lim->max_text);
	return 0;
}

static int cdata(struct parser *ps)
{
	const char *at = ps->p, *body;
	size_t len;

	if (ps->depth == 0)
		return fail(ps, at, "CDATA outside the root element");
	if (skip_past(ps, 9, "]]>", "CDATA section", &body, &len))
		return -1;
	return add_text(ps, &ps->stack[ps->depth - 1].text, body, len,
			"text");
}

static int parse(struct parser *ps)
{
	for (;;) {
		int r;

		if (ps->p == ps->end)
			break;
		if (*ps->p != '<')
			r = *ps->p == '&' ? text_ref(ps) : text_run(ps);
		else if (looking_at(ps, "<!--"))
			r = skip_past(ps, 4, "-->", "comment", NULL, NULL);
		else if (looking_at(ps, "<![CDATA["))
			r = cdata(ps);
		else if (looking_at(ps, "<!DOCTYPE"))
			r = fail(ps, ps->p, "DOCTYPE is not allowed");
		else if (looking_at(ps, "<!"))
			r = fail(ps, ps->p, "unexpected '<!'");
		else if (looking_at(ps, "<?"))
			r = skip_past(ps, 2, "?>", "processing instruction",
				      NULL, NULL);
		else if (looking_at(ps, "</"))
			r = end_tag(ps);
		else
			r = start_tag(ps);
		if (r)
			return -1;
	}
	if (ps->depth > 0) {
		const struct xml_node *n = ps->stack[ps->depth - 1].node;

		return fail(ps, ps->end, "unexpected end of input: <%s> "
			    "(line %u, column %u) is not closed",
			    ps->stack[ps->depth - 1].qname, n->line, n->col);
	}
	if (!ps->root)
		return fail(ps, ps->end, "no root element");
	return 0;
}

int xml_parse_limits(const char *data, size_t len,
		     const struct xml_limits *lim, struct xml_node **out,
		     char **err)
{
	struct parser ps;
	int ret = -1;

	memset(&ps, 0, sizeof(ps));
	ps.start = ps.p = ps.cur = data;
	ps.end = data + len;
	ps.cur_line = ps.cur_col = 1;
	ps.lim = lim;
	ps.arena = xcalloc(1, sizeof(*ps.arena));
	ps.empty = arena_zalloc(ps.arena, 1);
	ps.xml_ns = arena_strndup(ps.arena, XML_NS_XML, strlen(XML_NS_XML));
	*out = NULL;
	if (err)
		*err = NULL;
	if (len > lim->max_input) {
		ps.err = xasprintf("1:1: input of %zu bytes is over the "
				   "%zu-byte cap", len, lim->max_input);
		goto out;
	}
	ps.raw = xcalloc(lim->max_attrs ? lim->max_attrs : 1,
			 sizeof(*ps.raw));
	if (check_chars(&ps))
		goto out;
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		ps.p += 3;
	if (parse(&ps))
		goto out;
	ps.root->arena = ps.arena;
	ps.arena = NULL;
	*out = ps.root;
	ret = 0;
out:
	while (ps.depth > 0) {
		ps.depth--;
		buf_release(&ps.stack[ps.depth].text);
	}
	free(ps.stack);
	free(ps.ns);
	free(ps.raw);
	arena_free(ps.arena);
	if (err)
		*err = ps.err;
	else
		free(ps.err);
	return ret;
}

int xml_parse(const char *data, size_t len, struct xml_node **out,
	      char **err)
{
	struct xml_limits lim;

	xml_limits_default(&lim);
	return xml_parse_limits(data, len, &lim, out, err);
}

void xml_free(struct xml_node *root)
{
	if (root)
		arena_free(root->arena);
}

const struct xml_node *xml_child(const struct xml_node *n,
				 const char *local_name)
{
	const struct xml_node *c;

	if (!n || !local_name)
		return NULL;
	for (c = n->children; c; c = c->next)
		if (!strcmp(c->name, local_name))
			return c;
	return NULL;
}

const struct xml_node *xml_next_same(const struct xml_node *n)
{
	const struct xml_node *c;

	if (!n)
		return NULL;
	for (c = n->next; c; c = c->next)
		if (!strcmp(c->name, n->name))
			return c;
	return NULL;
}

size_t xml_count(const struct xml_node *n, const char *local_name)
{
	const struct xml_node *c;
	size_t k = 0;

	if (!n)
		return 0;
	for (c = n->children; c; c = c->next)
		if (!local_name || !strcmp(c->name, local_name))
			k++;
	return k;
}

const char *xml_text(const struct xml_node *n)
{
	return n ? n->text : NULL;
}

const struct xml_node *xml_path(const struct xml_node *n, const char *path)
{
	char step[XML_MAX_NAME + 1];

	if (!path)
		return NULL;
	while (n && *path) {
		const char *slash = strchr(path, '/');
		size_t len = slash ? (size_t)(slash - path) : strlen(path);
		const struct xml_node *c;

		if (len == 0 || len > XML_MAX_NAME)
			return NULL;
		memcpy(step, path, len);
		step[len] = '\0';
		c = xml_child(n, step);
		n = c;
		path += len;
		if (*path == '/')
			path++;
	}
	return n;
}

const char *xml_attr(const struct xml_node *n, const char *name)
{
	size_t i;

	if (!n || !name)
		return NULL;
	for (i = 0; i < n->nattrs; i++)
		if (!strcmp(n->attrs[i].name, name))
			return n->attrs[i].value;
	return NULL;
}
