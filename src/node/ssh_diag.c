/*
 * ssh_diag.c: explaining a failed algorithm negotiation.
 *
 * libssh2 only says "unable to exchange encryption keys"; it does not tell
 * what the server offered.  So, after a failure, we connect once more, read
 * the server's KEXINIT (RFC 4253 7.1, sent in the clear right after the
 * version lines) and compare its lists with ours.
 */
#include "ssh_int.h"
#include "../state/log.h"
#include "../util/buf.h"
#include "../util/str.h"
#include <poll.h>

#define DIAG_CAP (64u << 10)    /* banner lines + one KEXINIT packet */
#define SSH_MSG_KEXINIT 20

bool ssh_list_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = list; p && *p; p += strcspn(p, ","), p += *p == ',')
		if (strcspn(p, ",") == n && !memcmp(p, name, n))
			return true;
	return false;
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/*
 * Parses banner lines and a KEXINIT packet from b.  Returns 1 with the
 * first five name-lists (kex, hostkey, cipher c2s, cipher s2c, mac c2s) in
 * lists[], 0 when more bytes are needed, -1 when it is no KEXINIT.
 */
static int parse_kexinit(const struct buf *b, char *lists[5])
{
	const unsigned char *p = (unsigned char *)b->data, *end = p + b->len;
	const unsigned char *nl;
	uint32_t plen, n;
	int i;

	for (;;) {              /* version line, maybe after other lines */
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return 0;
		if (end - p >= 4 && !memcmp(p, "SSH-", 4))
			break;
		p = nl + 1;
	}
	p = nl + 1;
	if (end - p < 6)
		return 0;
	plen = get32(p);
	if (plen < 2 || plen > DIAG_CAP)
		return -1;
	if ((size_t)(end - p - 4) < plen)
		return 0;
	end = p + 4 + plen - p[4];      /* the payload, without padding */
	p += 5;
	if (end - p < 17 || p[0] != SSH_MSG_KEXINIT)
		return -1;
	p += 17;
	for (i = 0; i < 5; i++) {
		if (end - p < 4 || (n = get32(p)) > (size_t)(end - p - 4))
			return -1;
		lists[i] = xstrndup((const char *)p + 4, n);
		p += 4 + n;
	}
	return 1;
}

static int fetch_kexinit(const struct sockaddr *sa, socklen_t salen,
			 int timeout_ms, char *lists[5])
{
	static const char banner[] = "SSH-2.0-icm_diagnosis\r\n";
	int64_t deadline = ssh_now_ms() + timeout_ms;
	struct pollfd pfd;
	char chunk[4096];
	struct buf b;
	ssize_t n;
	int fd, ret = -1, left;

	fd = ssh_tcp_connect_addr(sa, salen, timeout_ms);
	if (fd < 0)
		return -1;
	buf_init(&b, DIAG_CAP);
	if (send(fd, banner, sizeof(banner) - 1, MSG_NOSIGNAL) < 0)
		goto out;
	for (;;) {
		left = (int)(deadline - ssh_now_ms());
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			goto out;
		n = recv(fd, chunk, sizeof(chunk), 0);
		if (n <= 0 || buf_add(&b, chunk, (size_t)n))
			goto out;
		ret = parse_kexinit(&b, lists);
		if (ret)
			break;
	}
out:
	buf_release(&b);
	close(fd);
	return ret == 1 ? 0 : -1;
}

/* The first of ours the server also has (our order decides, as in SSH). */
static const char *first_common(const char *ours, const char *theirs,
				char *tmp, size_t n)
{
	const char *p;
	size_t len;

	for (p = ours; p && *p; p += strcspn(p, ","), p += *p == ',') {
		len = strcspn(p, ",");
		if (len >= n)
			continue;
		memcpy(tmp, p, len);
		tmp[len] = '\0';
		if (!str_starts(tmp, "ext-info-") &&
		    !str_starts(tmp, "kex-strict-") &&
		    ssh_list_has(theirs, tmp))
			return tmp;
	}
	return NULL;
}

static bool only_ed25519(const char *list)
{
	const char *p;

	if (!*list)
		return false;
	for (p = list; *p; p += strcspn(p, ","), p += *p == ',')
		if (strncmp(p, "ssh-ed25519", 11) &&
		    strncmp(p, "sk-ssh-ed25519", 14))
			return false;
	return true;
}

int ssh_explain_kex_failure(const char *peer, const struct sockaddr *sa,
			    socklen_t salen, int timeout_ms,
			    char *const ours[4], const char *lib_hostkeys,
			    const char *fallback, char **why)
{
	static const char *const what[4] = {
		"key exchange method", "host key type", "cipher", "MAC",
	};
	static const int server_list[4] = { 0, 1, 2, 4 };
	char *lists[5] = { NULL }, tmp[128], cipher[128] = "";
	int i, ret;

	if (fetch_kexinit(sa, salen, timeout_ms, lists)) {
		ret = error_why(why, "%s: the SSH handshake failed: %s", peer, fallback);
		goto out;
	}
	for (i = 0; i < 4; i++) {
		const char *theirs = lists[server_list[i]];

		if (first_common(ours[i], theirs, tmp, sizeof(tmp))) {
			if (i == 2)
				snprintf(cipher, sizeof(cipher), "%s", tmp);
			continue;
		}
		/* AEAD ciphers carry their own integrity: no MAC needed. */
		if (i == 3 && (str_starts(cipher, "chacha20-poly1305") ||
			       strstr(cipher, "-gcm")))
			continue;
		if (i == 1 && only_ed25519(theirs)) {
			if (!ssh_list_has(lib_hostkeys, "ssh-ed25519"))
				ret = error_why(why, "%s: the server offers only Ed25519 host keys, which this build cannot verify (BearSSL has no Ed25519); add an ECDSA or RSA host key (HostKey in sshd_config)",
						peer);
			else
				ret = error_why(why, "%s: the server offers only Ed25519 host keys, which are not among the host key types allowed here (%s)",
						peer, ours[i]);
			goto out;
		}
		ret = error_why(why, "%s: no %s in common with the server: it offers %s; icm offers %s",
				peer, what[i], theirs, ours[i]);
		goto out;
	}
	ret = error_why(why, "%s: the SSH handshake failed: %s", peer, fallback);
out:
	for (i = 0; i < 5; i++)
		free(lists[i]);
	return ret;
}
