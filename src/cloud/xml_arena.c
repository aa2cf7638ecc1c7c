/*
 * xml_arena.c: the storage of an XML tree and the lookups over it (see
 * xml.h): every node, name and string of a tree lives in one arena of large
 * chunks that hangs off the root, so xml_free() frees the chunks without
 * walking the tree; then the default caps and the accessors (xml_child,
 * xml_path, xml_attr ...).
 */
#include "xml_int.h"
#include "../util/str.h"

/* Allocates n bytes (aligned for any type, not zeroed) from a. */
void *xml_arena_alloc(struct xml_arena *a, size_t n)
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

void *xml_arena_zalloc(struct xml_arena *a, size_t n)
{
	return memset(xml_arena_alloc(a, n), 0, n);
}

char *xml_arena_strndup(struct xml_arena *a, const char *s, size_t n)
{
	char *p = xml_arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void xml_arena_free(struct xml_arena *a)
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

void xml_limits_default(struct xml_limits *lim)
{
	lim->max_input = XML_MAX_INPUT;
	lim->max_depth = XML_MAX_DEPTH;
	lim->max_nodes = XML_MAX_NODES;
	lim->max_name = XML_MAX_NAME;
	lim->max_text = XML_MAX_TEXT;
	lim->max_attrs = XML_MAX_ATTRS;
}

void xml_free(struct xml_node *root)
{
	if (root)
		xml_arena_free(root->arena);
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
