/*
 * xml.c: the capped, namespace-aware XML reader (see xml.h): the tree
 * builder (start and end tags, attributes, namespaces) and xml_parse();
 * xml_lex.c is its lexer, xml_arena.c the tree's storage (xml_int.h).
 *
 * One pass, no recursion: open elements live on an explicit stack of frames
 * (each with the element's text buffer and the mark of the namespace
 * bindings it declared), so nesting costs heap, not C stack, and the depth
 * cap is the only bound.  Positions are byte offsets while parsing; a line
 * and column are computed only for nodes and errors, from a cursor that
 * moves forward through the input (xml_where()).
 *
 * Storage: every node, name and string of a tree lives in one arena of
 * large chunks that hangs off the root, so a document of a million elements
 * costs a few hundred allocations, not millions, and xml_free() (and the
 * error path) frees the chunks without walking the tree.  Only the text of
 * the open elements grows in separate capped buffers until its end tag.
 */
#include "xml_int.h"
#include "../util/str.h"

#define XML_NS_XML "http://www.w3.org/XML/1998/namespace"
#define XML_NS_XMLNS "http://www.w3.org/2000/xmlns/"

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
		return xml_fail(ps, ra->at, "namespace prefix '%s' bound to an "
				"empty URI", prefix);
	if (!strcmp(prefix, "xmlns") || !strcmp(ra->value, XML_NS_XMLNS) ||
	    (!strcmp(prefix, "xml") != !strcmp(ra->value, XML_NS_XML)))
		return xml_fail(ps, ra->at, "reserved namespace binding '%s'",
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
		return xml_fail(ps, at, "malformed qualified name '%s'", qname);
	if (colon) {
		pfx = xml_arena_strndup(ps->arena, qname,
					(size_t)(colon - qname));
		uri = ns_lookup(ps, pfx);
		if (!uri)
			return xml_fail(ps, at, "namespace prefix '%s' is not "
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
		n->attrs = xml_arena_zalloc(ps->arena,
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
				return xml_fail(ps, ra->at, "duplicate "
						"attribute '%s'", ra->qname);
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
		xml_fail(ps, lt, "content after the root element");
		goto out;
	}
	ps->p++;
	if (xml_read_name(ps, &qname))
		goto out;
	for (;;) {
		bool sp = xml_skip_space(ps);
		struct rawattr *ra;

		if (ps->p == ps->end) {
			xml_fail(ps, lt, "unterminated start tag <%s", qname);
			goto out;
		}
		if (*ps->p == '>') {
			ps->p++;
			break;
		}
		if (xml_looking_at(ps, "/>")) {
			ps->p += 2;
			selfclose = true;
			break;
		}
		if (!sp) {
			xml_fail(ps, ps->p, "expected whitespace, '>' or "
				 "'/>' in <%s>", qname);
			goto out;
		}
		if (ps->nraw == ps->lim->max_attrs) {
			xml_fail(ps, ps->p, "more than %u attributes in <%s>",
				 ps->lim->max_attrs, qname);
			goto out;
		}
		ra = &ps->raw[ps->nraw];
		ra->at = ps->p;
		if (xml_read_name(ps, &ra->qname))
			goto out;
		ps->nraw++;
		xml_skip_space(ps);
		if (ps->p == ps->end || *ps->p != '=') {
			xml_fail(ps, ps->p, "expected '=' after attribute '%s'",
				 ra->qname);
			goto out;
		}
		ps->p++;
		xml_skip_space(ps);
		if (xml_read_value(ps, ra->qname, &ra->value))
			goto out;
	}
	if (ps->nodes == ps->lim->max_nodes) {
		xml_fail(ps, lt, "more than %zu elements", ps->lim->max_nodes);
		goto out;
	}
	if (ps->depth == ps->lim->max_depth) {
		xml_fail(ps, lt, "elements nested more than %u deep",
			 ps->lim->max_depth);
		goto out;
	}
	for (i = 0; i < ps->nraw; i++)
		if (ns_declare(ps, &ps->raw[i]) < 0)
			goto out;

	n = xml_arena_zalloc(ps->arena, sizeof(*n));
	ps->nodes++;
	xml_where(ps, lt, &n->line, &n->col);
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
	if (xml_scan_name(ps, &name, &len))
		return -1;
	nlen = (int)len;
	xml_skip_space(ps);
	if (ps->p == ps->end || *ps->p != '>')
		return xml_fail(ps, lt, "unterminated end tag </%.*s", nlen,
				name);
	ps->p++;
	if (ps->depth == 0)
		return xml_fail(ps, lt, "end tag </%.*s> without a start tag",
				nlen, name);
	f = &ps->stack[ps->depth - 1];
	if (strlen(f->qname) != len || memcmp(f->qname, name, len))
		return xml_fail(ps, lt, "end tag </%.*s> does not match <%s> "
				"(line %u, column %u)", nlen, name, f->qname,
				f->node->line, f->node->col);
	f->node->text = xml_take_text(ps, &ps->stack[ps->depth - 1].text);
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
			if (!xml_is_space(*q))
				return xml_fail(ps, q, "text outside the root "
						"element");
		return 0;
	}
	return xml_add_text(ps, &ps->stack[ps->depth - 1].text, s,
			    (size_t)(ps->p - s), "text");
}

static int text_ref(struct parser *ps)
{
	char tmp[4];
	size_t n;

	if (ps->depth == 0)
		return xml_fail(ps, ps->p, "text outside the root element");
	if (xml_read_entity(ps, tmp, &n))
		return -1;
	if (buf_add(&ps->stack[ps->depth - 1].text, tmp, n))
		return xml_fail(ps, ps->p, "text is longer than %zu bytes",
				ps->lim->max_text);
	return 0;
}

static int cdata(struct parser *ps)
{
	const char *at = ps->p, *body;
	size_t len;

	if (ps->depth == 0)
		return xml_fail(ps, at, "CDATA outside the root element");
	if (xml_skip_past(ps, 9, "]]>", "CDATA section", &body, &len))
		return -1;
	return xml_add_text(ps, &ps->stack[ps->depth - 1].text, body, len,
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
		else if (xml_looking_at(ps, "<!--"))
			r = xml_skip_past(ps, 4, "-->", "comment", NULL, NULL);
		else if (xml_looking_at(ps, "<![CDATA["))
			r = cdata(ps);
		else if (xml_looking_at(ps, "<!DOCTYPE"))
			r = xml_fail(ps, ps->p, "DOCTYPE is not allowed");
		else if (xml_looking_at(ps, "<!"))
			r = xml_fail(ps, ps->p, "unexpected '<!'");
		else if (xml_looking_at(ps, "<?"))
			r = xml_skip_past(ps, 2, "?>", "processing instruction",
					  NULL, NULL);
		else if (xml_looking_at(ps, "</"))
			r = end_tag(ps);
		else
			r = start_tag(ps);
		if (r)
			return -1;
	}
	if (ps->depth > 0) {
		const struct xml_node *n = ps->stack[ps->depth - 1].node;

		return xml_fail(ps, ps->end, "unexpected end of input: <%s> "
				"(line %u, column %u) is not closed",
				ps->stack[ps->depth - 1].qname, n->line,
				n->col);
	}
	if (!ps->root)
		return xml_fail(ps, ps->end, "no root element");
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
	ps.empty = xml_arena_zalloc(ps.arena, 1);
	ps.xml_ns = xml_arena_strndup(ps.arena, XML_NS_XML, strlen(XML_NS_XML));
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
	if (xml_check_chars(&ps))
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
	xml_arena_free(ps.arena);
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
