/* seal.c: AES-256-GCM sealing of state objects (see seal.h). */
#include "seal_int.h"
#include "rand.h"
#include "../util/fs.h"
#include "../util/report.h"
#include "../util/str.h"
#include <bearssl.h>

/* The longest key file: 64 hex digits and a newline. */
#define KEY_FILE_MAX (2 * SEAL_KEY_LEN + 1)

void seal_key_wipe(struct seal_key *key)
{
	explicit_bzero(key, sizeof(*key));
}

/* A hex digit's value, or -1.  No table: the digits are key material. */
static int hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* raw (n bytes) into key: the 32 bytes themselves, or 64 hex digits with
 * an optional final newline.  0, or -1 with *err. */
static int key_parse(const char *path, const uint8_t *raw, size_t n,
		     struct seal_key *key, char **err)
{
	size_t i;
	int hi, lo;

	if (n == SEAL_KEY_LEN) {
		memcpy(key->k, raw, SEAL_KEY_LEN);
		return 0;
	}
	if (n != 2 * SEAL_KEY_LEN &&
	    !(n == KEY_FILE_MAX && raw[n - 1] == '\n')) {
		*err = xasprintf("state key file '%s' holds %zu bytes; a state "
				 "key is 32 random bytes (icm keygen state "
				 "makes one)", path, n);
		return -1;
	}
	for (i = 0; i < SEAL_KEY_LEN; i++) {
		hi = hex_digit(raw[2 * i]);
		lo = hex_digit(raw[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			*err = xasprintf("state key file '%s' holds %zu "
					 "bytes but not 64 hex digits; a "
					 "state key is 32 random bytes (icm "
					 "keygen state makes one)", path, n);
			return -1;
		}
		key->k[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int seal_key_load(const char *path, struct seal_key *key, char **err)
{
	/* One more than the longest form, to tell "too long" apart. */
	uint8_t raw[KEY_FILE_MAX + 1];
	static int warned;
	struct stat st;
	size_t n = 0;
	ssize_t r;
	int fd, ret = -1;

	*err = NULL;
	seal_key_wipe(key);
	fd = fs_open_regular(path);
	if (fd < 0) {
		*err = xasprintf("cannot read the state key file '%s': %s",
				 path, fs_strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		*err = xasprintf("cannot read the state key file '%s': %s",
				 path, strerror(errno));
		goto out;
	}
	while (n < sizeof(raw)) {
		r = read(fd, raw + n, sizeof(raw) - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*err = xasprintf("cannot read the state key file "
					 "'%s': %s", path, strerror(errno));
			goto out;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	/* A long file: its size from fstat (we read only a little of it). */
	if (n == sizeof(raw) && st.st_size > (off_t)n)
		n = (size_t)st.st_size;
	if (key_parse(path, raw, n, key, err))
		goto out;
	/* Warned once: the state layer may load the key many times. */
	if ((st.st_mode & 077) && !__atomic_exchange_n(&warned, 1,
						       __ATOMIC_RELAXED))
		warning("state key file '%s' can be read by others than its "
			"owner (mode %04o); chmod 600 it", path,
			(unsigned)(st.st_mode & 07777));
	ret = 0;
out:
	explicit_bzero(raw, sizeof(raw));
	if (ret)
		seal_key_wipe(key);
	close(fd);
	return ret;
}

bool seal_is_sealed(const void *data, size_t len)
{
	return len >= SEAL_MAGIC_LEN &&
	       !memcmp(data, SEAL_MAGIC, SEAL_MAGIC_LEN);
}

/* AES in CTR mode: the AES-NI one when the CPU has it, else ct64. */
static const br_block_ctr_class *aes_ctr(void)
{
	const br_block_ctr_class *v = br_aes_x86ni_ctr_get_vtable();

	return v ? v : &br_aes_ct64_ctr_vtable;
}

/* GHASH: carry-less multiply when the CPU has it, else ctmul64. */
static br_ghash ghash(void)
{
	br_ghash g = br_ghash_pclmul_get();

	return g ? g : &br_ghash_ctmul64;
}

int seal_gcm(const uint8_t key[SEAL_KEY_LEN],
	     const uint8_t nonce[SEAL_NONCE_LEN], const void *aad,
	     size_t aad_len, void *data, size_t len, bool encrypt,
	     uint8_t tag[SEAL_TAG_LEN])
{
	const br_block_ctr_class *vt = aes_ctr();
	br_aes_gen_ctr_keys aes;
	br_gcm_context gcm;
	int ret = 0;

	vt->init(&aes.vtable, key, SEAL_KEY_LEN);
	br_gcm_init(&gcm, &aes.vtable, ghash());
	br_gcm_reset(&gcm, nonce, SEAL_NONCE_LEN);
	br_gcm_aad_inject(&gcm, aad, aad_len);
	br_gcm_flip(&gcm);
	br_gcm_run(&gcm, encrypt, data, len);
	if (encrypt)
		br_gcm_get_tag(&gcm, tag);
	else if (!br_gcm_check_tag(&gcm, tag))
		ret = -1;
	explicit_bzero(&gcm, sizeof(gcm));
	explicit_bzero(&aes, sizeof(aes));
	return ret;
}

int seal(const struct seal_key *key, const char *aad, const void *plain,
	 size_t len, struct buf *out)
{
	uint8_t nonce[SEAL_NONCE_LEN], tag[SEAL_TAG_LEN];
	size_t start = out->len, at;

	if (len > SIZE_MAX - SEAL_OVERHEAD - start) {
		buf_wipe(out);
		return -1;
	}
	if (rand_bytes(nonce, sizeof(nonce)))
		return -1;
	/* Room once: the plaintext copied in is never moved by a realloc. */
	if (buf_reserve(out, start + SEAL_OVERHEAD + len) ||
	    buf_add(out, SEAL_MAGIC, SEAL_MAGIC_LEN) ||
	    buf_add(out, nonce, sizeof(nonce)))
		return -1;
	at = out->len;
	if (buf_add(out, plain, len))
		return -1;
	seal_gcm(key->k, nonce, aad, strlen(aad), out->data + at, len, true,
		 tag);
	return buf_add(out, tag, sizeof(tag));
}

int unseal(const struct seal_key *key, const char *aad, const void *data,
	   size_t len, struct buf *out, const char **why)
{
	const uint8_t *p = data;
	uint8_t tag[SEAL_TAG_LEN];
	size_t start = out->len, n;

	if (!seal_is_sealed(data, len)) {
		*why = "not sealed";
		return -1;
	}
	if (len < SEAL_OVERHEAD) {
		*why = "cut short";
		return -1;
	}
	n = len - SEAL_OVERHEAD;
	/* The ciphertext goes in first and is decrypted where it lies, so
	 * no plaintext is ever copied by a realloc. */
	if (buf_add(out, p + SEAL_MAGIC_LEN + SEAL_NONCE_LEN, n)) {
		*why = "too large";
		return -1;
	}
	memcpy(tag, p + len - SEAL_TAG_LEN, SEAL_TAG_LEN);
	if (seal_gcm(key->k, p + SEAL_MAGIC_LEN, aad, strlen(aad),
		     out->data + start, n, false, tag)) {
		explicit_bzero(out->data + start, n);
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
		*why = "wrong key or tampered";
		return -1;
	}
	return 0;
}
