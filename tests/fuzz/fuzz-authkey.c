/*
 * fuzz-authkey: the SSHPublicKey file (OpenSSH one-line or RFC 4716
 * form) turned into the authorized_keys line written on every node
 * (src/node/authkey.c, base64 in src/crypto/sshkey.c).
 */
#include "fuzz.h"
#include "../../src/node/authkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out;
	const char *why;

	buf_init(&out, AUTHKEY_FILE_CAP);
	if (authkey_line((const char *)data, size, &out, &why) == 0 &&
	    (!out.len || out.data[out.len - 1] != '\n' ||
	     memchr(out.data, '\n', out.len) != out.data + out.len - 1)) {
		fprintf(stderr, "fuzz-authkey: not one line\n");
		abort();
	}
	buf_release(&out);
	fuzz_reset();
	return 0;
}
