/*
 * fuzz-key: private key files (SSHPrivateKey, a TLSKeyDir CA's key):
 * PKCS#1, SEC1, PKCS#8 and OpenSSH's format read by key_from_pem()
 * (src/crypto/key.c, der.c); what the SSH layer says of the file from its
 * text alone (sshkey_info, src/node/known_hosts.c); a key read is written
 * back in every form icm writes (src/crypto/sshkey.c, key.c).
 */
#include "fuzz.h"
#include "../../src/crypto/key.h"
#include "../../src/crypto/sshkey.h"
#include "../../src/node/known_hosts.h"

static void write_back(const struct key *k)
{
	struct buf out;
	uint8_t *p8;
	size_t len;

	buf_init(&out, 64u << 10);
	if (sshkey_openssh(k, "fuzz", &out) == 0 &&
	    sshkey_rfc4716(k, "fuzz", &out) == 0)
		(void)key_private_pem(k, &out);
	buf_wipe(&out);
	p8 = key_pkcs8(k, &len);
	if (p8) {
		memset(p8, 0, len);
		free(p8);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct key *k = xcalloc(1, sizeof(*k));
	struct sshkey_info info;
	char why[KEY_WHY_MAX], label[PEM_LABEL_MAX];
	const char *whyinfo;
	uint8_t *der = NULL;
	size_t der_len;

	if (key_from_pem(k, data, size, why) == 0)
		write_back(k);
	if (pem_decode(data, size, label, &der, &der_len) == 0)
		free(der);
	(void)sshkey_info((const char *)data, size, &info, &whyinfo);
	key_wipe(k);
	free(k);
	fuzz_reset();
	return 0;
}
