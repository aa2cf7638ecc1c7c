/*
 * fuzz-x509: certificates icm reads back (a TLSKeyDir CA, its own
 * certificates): PEM decoded (src/crypto/key.c), the DER read by
 * x509_read() (src/crypto/x509.c, der.c).  Input that is not PEM is read
 * as DER.
 */
#include "fuzz.h"
#include "../../src/crypto/key.h"
#include "../../src/crypto/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x509_info *info = xcalloc(1, sizeof(*info));
	char label[PEM_LABEL_MAX];
	uint8_t *der = NULL;
	size_t der_len;

	if (pem_decode(data, size, label, &der, &der_len) == 0) {
		(void)x509_read(der, der_len, info);
		free(der);
	} else {
		(void)x509_read(data, size, info);
	}
	free(info);
	fuzz_reset();
	return 0;
}
