/*
 * xml.h: a small, namespace-aware, non-validating XML reader for the
 * answers of cloud APIs (EC2, ELB), with hard caps on everything that grows
 * with the input.
 *
 * What it reads: the XML declaration and processing instructions (skipped),
 * comments (skipped), elements with attributes in single or double quotes,
 * self-closing tags, character data, CDATA sections, the five predefined
 * entities and numeric character references (&#N; &#xN;, written as UTF-8).
 * What it refuses, with "LINE:COL: reason": a DOCTYPE (so no entity
 * definitions and no entity expansion attacks), unknown entities, characters
 * XML does not allow (NUL, most control characters), malformed UTF-8 (no
 * other encoding is read; a UTF-8 byte order mark is skipped), mismatched
 * or missing end tags, unbound namespace prefixes, duplicate attributes,
 * content after the root element, truncated input, and anything past a cap
 * (struct xml_limits).  The reason is one line whatever the input.
 *
 * The tree: one struct xml_node per element.  Character data is not a node:
 * it is concatenated into the element's `text` (CDATA and entities
 * included; line ends normalised to "\n"; whitespace kept as is, so a
 * container's text is usually its indentation).  Children are reached
 * through `children` and each child's `next`:
 *
 *	for (c = n->children; c; c = c->next)
 *		if (!strcmp(c->name, "item")) ...
 *
 * Names are local names (prefix stripped); `ns` is the namespace URI the
 * prefix (or the default namespace) resolved to, NULL when none.  Attribute
 * names are local names too; unprefixed attributes have no namespace, as in
 * the Namespaces recommendation.  xmlns declarations are not attributes.
 *
 * Ownership: xml_parse() hands the caller a tree that xml_free() releases
 * entirely.  Every other function returns pointers into the tree, valid
 * until xml_free(); the lookup functions accept NULL and then return NULL,
 * so lookups chain without checks:
 *
 *	id = xml_text(xml_path(root, "reservationSet/item/reservationId"));
 */
#ifndef ICM_CLOUD_XML_H
#define ICM_CLOUD_XML_H

#include "../icm.h"

/* Default caps (xml_parse); xml_parse_limits() takes others. */
#define XML_MAX_INPUT   (16u << 20)  /* bytes of input */
#define XML_MAX_DEPTH   64           /* nested elements, the root is 1 */
#define XML_MAX_NODES   1000000      /* elements in the document */
#define XML_MAX_NAME    256          /* bytes of a (qualified) name */
#define XML_MAX_TEXT    (4u << 20)   /* bytes of one element's text or of
					one attribute value */
#define XML_MAX_ATTRS   64           /* attributes (and xmlns) per element */

struct xml_arena;

struct xml_limits {
	size_t max_input;
	unsigned max_depth;
	size_t max_nodes;
	size_t max_name;
	size_t max_text;
	unsigned max_attrs;
};

struct xml_attr {
	char *name;	/* local name */
	char *ns;	/* namespace URI, NULL for unprefixed attributes */
	char *value;	/* entities expanded, whitespace normalised */
};

struct xml_node {
	char *name;		/* local name ("Code" for <ec2:Code>) */
	char *prefix;		/* the prefix as written, NULL if none */
	char *ns;		/* namespace URI, NULL if none applies */
	char *text;		/* character data directly inside; never NULL */
	struct xml_attr *attrs;
	size_t nattrs;
	struct xml_node *parent;	/* NULL for the root */
	struct xml_node *children;	/* first child element */
	struct xml_node *next;		/* next sibling element */
	unsigned line, col;	/* where the start tag begins (1-based) */
	struct xml_arena *arena;	/* internal: the whole tree's storage,
					   set on the root only */
};

/*
 * Parses len bytes of data (no NUL terminator needed) with the default
 * caps.  Returns 0 and sets *out to the root element (the caller owns it),
 * or -1 and sets *err (when err is not NULL) to an allocated one-line
 * reason starting "LINE:COL: " that the caller frees.
 */
int xml_parse(const char *data, size_t len, struct xml_node **out,
	      char **err) WARN_UNUSED;

/* The same with other caps (tests; a caller that expects large answers). */
int xml_parse_limits(const char *data, size_t len,
		     const struct xml_limits *lim, struct xml_node **out,
		     char **err) WARN_UNUSED;

/* Fills lim with the default caps above. */
void xml_limits_default(struct xml_limits *lim);

/* Frees a tree returned by xml_parse (the root and everything under it,
 * strings included); NULL is fine, and so is a node inside a tree (it does
 * nothing: the root owns all).  The strings are the tree's: copy what must
 * outlive it. */
void xml_free(struct xml_node *root);

/* First child element of n whose local name is local_name; NULL if none or
 * n is NULL.  Namespaces are not compared. */
const struct xml_node *xml_child(const struct xml_node *n,
				 const char *local_name);

/* The next sibling after n with the same local name as n (walks a list of
 * <item> elements); NULL at the end or if n is NULL. */
const struct xml_node *xml_next_same(const struct xml_node *n);

/* Number of child elements of n named local_name (all of them if NULL). */
size_t xml_count(const struct xml_node *n, const char *local_name);

/* n's character data ("" if it has none); NULL if n is NULL. */
const char *xml_text(const struct xml_node *n);

/*
 * Follows "a/b/c" from n: the first child named a, its first child named b,
 * then c (local names; the path does not name n itself).  An empty path
 * gives n.  NULL when any step is missing or n is NULL.
 */
const struct xml_node *xml_path(const struct xml_node *n, const char *path);

/* Value of n's attribute with local name `name`; NULL if absent. */
const char *xml_attr(const struct xml_node *n, const char *name);

#endif
