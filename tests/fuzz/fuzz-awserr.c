/*
 * fuzz-awserr: an EC2 or ELB error answer as the AWS code reads it: the
 * XML parsed (src/cloud/xml.c), the error found and worded
 * (src/provider/aws/awserr.c), its class for the retry loop.
 */
#include "fuzz.h"
#include "../../src/provider/aws/awserr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml_node *root = NULL;
	char *err = NULL, *code = NULL, *message = NULL, *line;

	if (xml_parse((const char *)data, size, &root, &err) == 0) {
		if (aws_error_parse(root, &code, &message) == 0) {
			line = aws_error_message(code, message);
			free(line);
			(void)aws_error_class(code);
		}
		xml_free(root);
	}
	free(code);
	free(message);
	free(err);
	fuzz_reset();
	return 0;
}
