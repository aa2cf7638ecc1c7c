/*
 * fuzz-xml: the XML reader of cloud API answers (src/cloud/xml.c), and
 * the lookups the EC2 and ELB code chains on its tree.
 */
#include "fuzz.h"
#include "../../src/cloud/xml.h"

static size_t walk(const struct xml_node *n)
{
	const struct xml_node *c;
	size_t k, count = 0;

	for (k = 0; k < n->nattrs; k++)
		count += xml_attr(n, n->attrs[k].name) != NULL;
	for (c = n->children; c; c = c->next) {
		count += walk(c);
		count += xml_count(n, c->name);
		(void)xml_next_same(c);
		(void)xml_text(xml_child(n, c->name));
	}
	return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml_node *root = NULL;
	char *err = NULL;

	if (xml_parse((const char *)data, size, &root, &err) == 0) {
		(void)walk(root);
		(void)xml_text(xml_path(root,
					"reservationSet/item/instancesSet/item/"
					"instanceId"));
		xml_free(root);
	}
	free(err);
	fuzz_reset();
	return 0;
}
