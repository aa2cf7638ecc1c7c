/*
 * fuzz-known-hosts: a deployment's known_hosts file looked up as the SSH
 * layer does before it trusts a host (src/node/known_hosts.c): plain,
 * bracketed [host]:port and address names, against the key whose base64
 * the seeds carry (AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBU
 * WFxgZGhscHR4f) and one of another type; the input read as a key blob.
 */
#include "fuzz.h"
#include "../../src/node/known_hosts.h"

/* ssh-ed25519 with the public key 00 01 .. 1f. */
static const unsigned char ed25519[] = {
	0x00, 0x00, 0x00, 0x0b, 's', 's', 'h', '-', 'e', 'd', '2', '5',
	'5', '1', '9', 0x00, 0x00, 0x00, 0x20,
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
	0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
	0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};
/* A blob of another type (only its type is read). */
static const unsigned char rsa[] = {
	0x00, 0x00, 0x00, 0x07, 's', 's', 'h', '-', 'r', 's', 'a',
	0x00, 0x00, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x01,
};

static const struct {
	const char *host;
	int port;
} hosts[] = {
	{ "ICM-DM-TEST-0001", 22 },
	{ "10.0.0.2", 22 },
	{ "node-0002.example.com", 2222 },
	{ "::1", 22 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size), *name;
	char fp[KH_FP_LEN], type[40];
	struct kh_lookup out;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hosts); i++) {
		kh_check(text, hosts[i].host, hosts[i].port, ed25519,
			 sizeof(ed25519), &out);
		kh_check(text, hosts[i].host, hosts[i].port, rsa,
			 sizeof(rsa), &out);
		name = kh_hostname(hosts[i].host, hosts[i].port);
		free(name);
	}
	kh_fingerprint(data, size, fp);
	kh_blob_type(data, size, type, sizeof(type));
	(void)kh_type_label(type);
	free(text);
	fuzz_reset();
	return 0;
}
