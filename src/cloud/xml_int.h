/*
 * xml_int.h: what the XML reader's files share (not for callers: xml.h is
 * the interface).  xml_arena.c holds a tree's storage and the accessors,
 * xml_lex.c the lexer (characters, names, text, references, attribute
 * values), xml.c the tree builder (tags, namespaces) and xml_parse().
 */
#ifndef ICM_CLOUD_XML_INT_H
#define ICM_CLOUD_XML_INT_H

#include "xml.h"
#include "../util/buf.h"

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

/* The arena (xml_arena.c): allocations live until xml_arena_free(). */
/* Allocates n bytes (aligned for any type, not zeroed) from a. */
void *xml_arena_alloc(struct xml_arena *a, size_t n);
void *xml_arena_zalloc(struct xml_arena *a, size_t n);
char *xml_arena_strndup(struct xml_arena *a, const char *s, size_t n);
void xml_arena_free(struct xml_arena *a);

/* The lexer (xml_lex.c); each int function returns 0, or -1 after
 * recording the first error in ps->err. */
/* Line and column (1-based; columns count characters, not bytes) of at. */
void xml_where(struct parser *ps, const char *at, unsigned *line,
	       unsigned *col);
/* Records the first error, "LINE:COL: reason", and returns -1. */
PRINTF_LIKE(3, 4)
int xml_fail(struct parser *ps, const char *at, const char *fmt, ...);
bool xml_is_space(char c);
bool xml_looking_at(const struct parser *ps, const char *s);
/* Checks the whole input once: well-formed UTF-8, no forbidden control
 * character. */
int xml_check_chars(struct parser *ps);
/* Appends n bytes of character data to b, turning \r\n and \r into \n. */
int xml_add_text(struct parser *ps, struct buf *b, const char *s,
		 size_t n, const char *what);
/* Reads a name at ps->p; *out points to it in the input, *len its
 * length. */
int xml_scan_name(struct parser *ps, const char **out, size_t *len);
/* Reads a name at ps->p into the arena. */
int xml_read_name(struct parser *ps, char **out);
/* The text in b as an arena string (the shared "" if empty); releases b. */
char *xml_take_text(struct parser *ps, struct buf *b);
bool xml_skip_space(struct parser *ps);
/* Reads the reference at ps->p ('&') into o (up to 4 bytes of UTF-8). */
int xml_read_entity(struct parser *ps, char *o, size_t *n);
/* Reads a quoted attribute value (entities expanded, whitespace
 * normalised). */
int xml_read_value(struct parser *ps, const char *qname, char **out);
/* Skips from ps->p (at opener) past the next closer; "what" names it. */
int xml_skip_past(struct parser *ps, size_t skip, const char *closer,
		  const char *what, const char **body, size_t *bodylen);

#endif
