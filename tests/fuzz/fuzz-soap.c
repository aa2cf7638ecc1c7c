/*
 * fuzz-soap: vCenter's answers as the SOAP client reads them
 * (src/cloud/soap_msg.c): the answer into a result or a fault, the fault's
 * type under any namespace prefix, a task's LocalizedMethodFault, and the
 * property reads the vSphere provider chains on a result.  The first byte
 * picks the HTTP status (200 or 500).
 */
#include "fuzz.h"
#include "../../src/cloud/soap.h"

/* What the provider does with a result: every returnval's propSet
 * values, and any error element read as a task's error. */
static void walk(const struct xml_node *n, struct cloud_err *err)
{
	const struct xml_node *c;

	(void)soap_type(n);
	if (!strcmp(n->name, "error"))
		soap_method_fault(n, err);
	for (c = n->children; c; c = c->next)
		walk(c, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml_node *root = NULL;
	const struct xml_node *ret = NULL;
	struct cloud_err err = CLOUD_ERR_INIT;
	long status;

	if (!size)
		return 0;
	status = data[0] & 1 ? 500 : 200;
	if (soap_answer("Fuzz", status, (const char *)data + 1, size - 1,
			&root, &ret, &err) == 0)
		walk(ret, &err);
	xml_free(root);
	cloud_err_release(&err);
	fuzz_reset();
	return 0;
}
