/*
 * xml_lex.c: the XML reader's lexer (see xml.h, xml_int.h): positions and
 * errors ("LINE:COL: reason"), the check of the whole input's characters,
 * names, character data, entity and character references, attribute
 * values, and the constructs skipped whole (comments, processing
 * instructions, CDATA sections).
 */
#include "xml_int.h"
#include "../util/str.h"

/* Line and column (1-based; columns count characters, not bytes) of at. */
void xml_where(struct parser *ps, const char *at, unsigned *line,
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
int xml_fail(struct parser *ps, const char *at, const char *fmt, ...)
{
	struct buf b;
	unsigned line, col;
	va_list ap;

	if (ps->err)
		return -1;
	xml_where(ps, at, &line, &col);
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

bool xml_is_space(char c)
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

bool xml_looking_at(const struct parser *ps, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, s, n);
}

/*
 * Checks the whole input once: well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing past U+10FFFF) and no control character XML forbids.
 * Everything after may then treat bytes >= 0x80 as parts of names or text.
 */
int xml_check_chars(struct parser *ps)
{
	const unsigned char *s = (const unsigned char *)ps->start;
	size_t n = (size_t)(ps->end - ps->start), i = 0;

	while (i < n) {
		unsigned char c = s[i];
		uint32_t cp;
		size_t k, len;

		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				return xml_fail(ps, ps->start + i,
						"character U+%04X is not "
						"allowed in XML", c);
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
			return xml_fail(ps, ps->start + i, "invalid UTF-8");
		}
		if (n - i < len)
			return xml_fail(ps, ps->start + i, "truncated UTF-8");
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return xml_fail(ps, ps->start + i,
						"invalid UTF-8");
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return xml_fail(ps, ps->start + i, "invalid UTF-8");
		i += len;
	}
	return 0;
}

/* Appends n bytes of character data to b, turning \r\n and \r into \n. */
int xml_add_text(struct parser *ps, struct buf *b, const char *s,
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
	return xml_fail(ps, s, "%s is longer than %zu bytes", what,
			ps->lim->max_text);
}

/* Reads a name at ps->p; *out points to it in the input, *len its
 * length. */
int xml_scan_name(struct parser *ps, const char **out, size_t *len)
{
	const char *s = ps->p;

	if (s == ps->end)
		return xml_fail(ps, s, "unexpected end of input, expected a "
				"name");
	if (!is_name_start((unsigned char)*s)) {
		char q[4] = { '\'', *s, '\'', '\0' };

		return xml_fail(ps, s, "expected a name, found %s",
				*s == ' ' ? "a space" : *s == '\t' ? "a tab" :
				*s == '\n' || *s == '\r' ? "a line end" : q);
	}
	while (ps->p < ps->end && is_name_char((unsigned char)*ps->p))
		ps->p++;
	if ((size_t)(ps->p - s) > ps->lim->max_name)
		return xml_fail(ps, s, "name longer than %zu bytes",
				ps->lim->max_name);
	*out = s;
	*len = (size_t)(ps->p - s);
	return 0;
}

/* Reads a name at ps->p into the arena. */
int xml_read_name(struct parser *ps, char **out)
{
	const char *s;
	size_t len;

	if (xml_scan_name(ps, &s, &len))
		return -1;
	*out = xml_arena_strndup(ps->arena, s, len);
	return 0;
}

/* The text in b as an arena string (the shared "" if empty); releases b. */
char *xml_take_text(struct parser *ps, struct buf *b)
{
	char *t = b->len ? xml_arena_strndup(ps->arena, b->data, b->len) :
		  ps->empty;

	buf_release(b);
	return t;
}

bool xml_skip_space(struct parser *ps)
{
	const char *s = ps->p;

	while (ps->p < ps->end && xml_is_space(*ps->p))
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
int xml_read_entity(struct parser *ps, char *o, size_t *n)
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
		return xml_fail(ps, s, "'&' does not start an entity reference "
				"(write &amp;)");
	len = (size_t)(semi - s - 1);
	if (len == 0)
		return xml_fail(ps, s, "empty entity reference '&;'");
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
		return xml_fail(ps, s, "unknown entity '&%.*s;'", (int)len,
				s + 1);
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
		return xml_fail(ps, s, "character reference '%.*s' is not an "
				"XML character", (int)(semi - s + 1), s);
	put_utf8(cp, o, n);
	ps->p = semi + 1;
	return 0;
bad:
	return xml_fail(ps, s, "malformed character reference '%.*s'",
			(int)(semi - s + 1), s);
}

/* Reads a quoted attribute value (entities expanded, each \t \n \r or
 * \r\n turned into one space, as XML's attribute normalisation does). */
int xml_read_value(struct parser *ps, const char *qname, char **out)
{
	struct buf b;
	const char *open = ps->p;
	char quote, tmp[4];
	size_t n;
	int ret = -1;

	buf_init(&b, ps->lim->max_text + 1);
	if (ps->p == ps->end)
		return xml_fail(ps, ps->p, "unexpected end of input in a tag");
	quote = *ps->p;
	if (quote != '"' && quote != '\'')
		return xml_fail(ps, ps->p, "value of attribute '%s' is not "
				"quoted", qname);
	ps->p++;
	for (;;) {
		const char *s = ps->p;

		while (ps->p < ps->end && *ps->p != quote && *ps->p != '&' &&
		       *ps->p != '<' && !xml_is_space(*ps->p))
			ps->p++;
		if (buf_add(&b, s, (size_t)(ps->p - s)))
			goto toolong;
		if (ps->p == ps->end) {
			xml_fail(ps, open, "unterminated value of attribute "
				 "'%s'", qname);
			goto out;
		}
		if (*ps->p == quote) {
			ps->p++;
			break;
		}
		if (*ps->p == '<') {
			xml_fail(ps, ps->p, "'<' in the value of attribute "
				 "'%s'", qname);
			goto out;
		}
		if (*ps->p == '&') {
			if (xml_read_entity(ps, tmp, &n))
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
	*out = xml_take_text(ps, &b);
	ret = 0;
	goto out;
toolong:
	xml_fail(ps, open, "value of attribute '%s' is longer than %zu bytes",
		 qname, ps->lim->max_text);
out:
	buf_release(&b);
	return ret;
}

/* Skips from ps->p (at opener) past the next closer; "what" names it. */
int xml_skip_past(struct parser *ps, size_t skip, const char *closer,
		  const char *what, const char **body, size_t *bodylen)
{
	const char *s = ps->p, *e;

	e = memmem(s + skip, (size_t)(ps->end - s) - skip, closer,
		   strlen(closer));
	if (!e)
		return xml_fail(ps, s, "unterminated %s", what);
	if (body) {
		*body = s + skip;
		*bodylen = (size_t)(e - (s + skip));
	}
	ps->p = e + strlen(closer);
	return 0;
}
