/*
 * ssh.c: connections, host-key checks, public-key authentication and
 * command channels on libssh2 (see ssh.h).
 *
 * libssh2 runs in non-blocking mode and we wait on the socket ourselves
 * (libssh2's BLOCK_ADJUST, with our deadlines): that bounds every step by
 * time, and lets ssh_exec() drain stdout and stderr together, where
 * blocking reads of one stream could stall on a full channel window of the
 * other.
 */
#include "ssh.h"
#include "ssh_int.h"
#include "known_hosts.h"
#include "../state/log.h"
#include "../util/fs.h"
#include "../util/str.h"
#include <libssh2.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>

#define DEFAULT_CONNECT_MS 10000
#define DEFAULT_IO_MS 30000
#define KEEPALIVE_S 30

static const int method_ids[SSH_NMETHODS] = {
	LIBSSH2_METHOD_KEX, LIBSSH2_METHOD_HOSTKEY, LIBSSH2_METHOD_CRYPT_CS,
	LIBSSH2_METHOD_MAC_CS,
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_result = -1;

static void init_libssh2(void)
{
	init_result = libssh2_init(0);
}

int64_t ssh_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ssh_tcp_connect_addr(const struct sockaddr *sa, socklen_t salen,
			 int timeout_ms)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, err = 0, one = 1, rc;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    0);
	if (fd < 0)
		return -1;
	if (connect(fd, sa, salen) == 0)
		goto ok;
	if (errno != EINPROGRESS)
		goto fail;
	pfd.fd = fd;
	pfd.events = POLLOUT;
	do
		rc = poll(&pfd, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc == 0)
		errno = ETIMEDOUT;
	if (rc <= 0)
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		goto fail;
	if (err) {
		errno = err;
		goto fail;
	}
ok:
	/* SSH sends many small packets; do not hold them back. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/*
 * A failure worth retrying while a host boots (refused, timed out, reset,
 * no banner): under ssh_connect_retry() before its last attempt it is only
 * a debug line; otherwise it is the error.  Returns -1.
 */
static int PRINTF_LIKE(2, 3) transient(struct ssh_conn *c, const char *fmt,
				       ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b, 4096);
	va_start(ap, fmt);
	if (buf_vaddf(&b, fmt, ap))
		b.len = 0;
	va_end(ap);
	if (c->quiet_transient) {
		debug("%s (will retry)", b.len ? b.data : fmt);
		free(c->transient_msg);
		c->transient_msg = xstrdup(b.len ? b.data : fmt);
	} else
		ssh_fail(c, "%s", b.len ? b.data : fmt);
	buf_release(&b);
	return -1;
}

static int connect_error(struct ssh_conn *c, int port, int err, int ms)
{
	switch (err) {
	case ECONNREFUSED:
		return transient(c, "%s: connection refused (is sshd running and listening on port %d?)",
				 c->peer, port);
	case ETIMEDOUT:
		return transient(c, "%s: connection timed out after %d ms (is the host up, and port %d open in its firewalls?)",
				 c->peer, ms, port);
	case ENETUNREACH:
	case EHOSTUNREACH:
		return transient(c, "%s: cannot connect: %s (is there a route to the host?)",
				 c->peer, strerror(err));
	case ECONNRESET:
	case ECONNABORTED:
		return transient(c, "%s: cannot connect: %s", c->peer,
				 strerror(err));
	default:
		return ssh_fail(c, "%s: cannot connect: %s", c->peer, strerror(err));
	}
}

/* Tries each address of t->host in turn. */
static int tcp_connect(struct ssh_conn *c, const struct ssh_target *t,
		       int port, int ms)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[16];
	int rc, err = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%d", port);
	rc = getaddrinfo(t->host, portstr, &hints, &res);
	if (rc == EAI_AGAIN)
		return transient(c, "%s: cannot resolve host name '%s': %s",
				 c->peer, t->host, gai_strerror(rc));
	if (rc)
		return ssh_fail(c, "%s: cannot resolve host name '%s': %s", c->peer,
				t->host, rc == EAI_SYSTEM ? strerror(errno) :
				gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		c->fd = ssh_tcp_connect_addr(ai->ai_addr, ai->ai_addrlen, ms);
		if (c->fd >= 0) {
			memcpy(&c->addr, ai->ai_addr, ai->ai_addrlen);
			c->addrlen = ai->ai_addrlen;
			break;
		}
		err = errno;
	}
	freeaddrinfo(res);
	if (c->fd < 0)
		return connect_error(c, port, err, ms);
	return 0;
}

int ssh_wait_io(struct ssh_conn *c, int64_t deadline)
{
	int dir = libssh2_session_block_directions(c->s), left, next = 0;
	struct pollfd pfd;
	int64_t now;

	pfd.fd = c->fd;
	pfd.events = 0;
	if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
		pfd.events |= POLLIN;
	if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		pfd.events |= POLLOUT;
	if (!pfd.events)
		pfd.events = POLLIN;
	now = ssh_now_ms();
	if (deadline && now >= deadline)
		return -1;
	if (!c->established || libssh2_keepalive_send(c->s, &next) ||
	    next <= 0)
		next = KEEPALIVE_S;
	left = next * 1000;
	if (deadline && deadline - now < left)
		left = (int)(deadline - now);
	if (poll(&pfd, 1, left) < 0 && errno != EINTR)
		return -1;
	return 0;
}

const char *ssh_last_error(struct ssh_conn *c)
{
	char *msg = NULL;

	libssh2_session_last_error(c->s, &msg, NULL, 0);
	return msg && *msg ? msg : "unknown error";
}

/* What this libssh2 build offers, per enum ssh_method; read once. */
static char *lib_methods[SSH_NMETHODS];
static pthread_once_t supported_once = PTHREAD_ONCE_INIT;

static void read_supported(void)
{
	LIBSSH2_SESSION *s = libssh2_session_init();
	const char **algs = NULL;
	struct buf b;
	int i, m, n;

	for (m = 0; s && m < SSH_NMETHODS; m++) {
		buf_init(&b, 64 << 10);
		n = libssh2_session_supported_algs(s, method_ids[m], &algs);
		for (i = 0; i < n; i++)
			if (buf_addf(&b, "%s%s", i ? "," : "", algs[i]))
				break;
		if (n > 0)
			libssh2_free(s, algs);
		lib_methods[m] = buf_take(&b);
	}
	if (s)
		libssh2_session_free(s);
}

char *ssh_supported(int m)
{
	if (m < 0 || m >= SSH_NMETHODS)
		return NULL;
	pthread_once(&init_once, init_libssh2);
	if (init_result)
		return NULL;
	pthread_once(&supported_once, read_supported);
	return lib_methods[m] ? xstrdup(lib_methods[m]) : NULL;
}

/* The pinned key types first, as ssh orders its host-key algorithms. */
static char *hostkey_pref(const char *pinned, const char *supported)
{
	struct buf b;
	const char *p;
	char name[64];
	size_t n;
	int pass;

	buf_init(&b, 64 << 10);
	for (pass = 0; pass < 2; pass++) {
		for (p = pass ? supported : pinned; *p;
		     p += strcspn(p, ","), p += *p == ',') {
			n = strcspn(p, ",");
			if (n >= sizeof(name))
				continue;
			memcpy(name, p, n);
			name[n] = '\0';
			/* An RSA key signs with SHA-2 (ssh-rsa is SHA-1). */
			if (!pass && !strcmp(name, "ssh-rsa")) {
				if (buf_addf(&b, "%srsa-sha2-512,rsa-sha2-256",
					     b.len ? "," : ""))
					break;
				continue;
			}
			if (!ssh_list_has(supported, name) ||
			    ssh_list_has(b.data, name))
				continue;
			if (buf_addf(&b, "%s%s", b.len ? "," : "", name))
				break;
		}
	}
	return buf_take(&b);
}

/*
 * A forced key-exchange list keeps libssh2's pseudo-methods: ext-info-c
 * (server-sig-algs) and strict key exchange (the Terrapin fix).
 */
static char *kex_pref(const char *want)
{
	static const char *const extra[] = {
		"ext-info-c", "kex-strict-c-v00@openssh.com",
	};
	char *supported = ssh_supported(SSH_KEX), *ret = xstrdup(want), *t;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(extra); i++) {
		if (!ssh_list_has(supported, extra[i]) ||
		    ssh_list_has(ret, extra[i]))
			continue;
		t = xasprintf("%s,%s", ret, extra[i]);
		free(ret);
		ret = t;
	}
	free(supported);
	return ret;
}

static int set_prefs(struct ssh_conn *c, const struct ssh_target *t,
		     const char *kh_text, int port, char *ours[SSH_NMETHODS],
		     char **lib_hostkeys)
{
	static const int both[SSH_NMETHODS] = {
		-1, -1, LIBSSH2_METHOD_CRYPT_SC, LIBSSH2_METHOD_MAC_SC,
	};
	struct kh_lookup pins;
	int m;

	kh_check(kh_text, t->host, port, NULL, 0, &pins);
	*lib_hostkeys = ssh_supported(SSH_HOSTKEY);
	for (m = 0; m < SSH_NMETHODS; m++) {
		if (m == SSH_KEX && t->prefs[m])
			ours[m] = kex_pref(t->prefs[m]);
		else if (t->prefs[m])
			ours[m] = xstrdup(t->prefs[m]);
		else if (m == SSH_HOSTKEY)
			ours[m] = hostkey_pref(pins.pinned_types,
					       *lib_hostkeys ? *lib_hostkeys : "");
		else
			ours[m] = ssh_supported(m);
		if (!ours[m] || !*ours[m] ||
		    (!t->prefs[m] && (m != SSH_HOSTKEY || !*pins.pinned_types)))
			continue;       /* libssh2's defaults */
		if (libssh2_session_method_pref(c->s, method_ids[m], ours[m]) ||
		    (both[m] >= 0 &&
		     libssh2_session_method_pref(c->s, both[m], ours[m])))
			return ssh_fail(c, "%s: this build supports none of the %s methods '%s'",
					c->peer, (const char *[]){ "key exchange",
					"host key", "cipher", "MAC" }[m], ours[m]);
	}
	return 0;
}

static int handshake(struct ssh_conn *c, const struct ssh_target *t,
		     const char *kh_text, int port, int io_ms)
{
	char *ours[SSH_NMETHODS] = { NULL }, *lib_hostkeys = NULL;
	int64_t deadline = ssh_now_ms() + io_ms;
	int rc, m, ret = -1;

	if (set_prefs(c, t, kh_text, port, ours, &lib_hostkeys))
		goto out;
	SSH_RETRY(c, deadline, rc, libssh2_session_handshake(c->s, c->fd));
	switch (rc) {
	case 0:
		ret = 0;
		break;
	case LIBSSH2_ERROR_EAGAIN:
		ret = transient(c, "%s: no SSH handshake within %d ms (is it an SSH server? is it overloaded?)",
				c->peer, io_ms);
		break;
	case LIBSSH2_ERROR_BANNER_RECV:
	case LIBSSH2_ERROR_SOCKET_DISCONNECT:
	case LIBSSH2_ERROR_SOCKET_RECV:
	case LIBSSH2_ERROR_SOCKET_SEND:
		ret = transient(c, "%s: the server closed the connection during the SSH handshake (%s; sshd's MaxStartups limit, or not an SSH server?)",
			    c->peer, ssh_last_error(c));
		break;
	case LIBSSH2_ERROR_KEX_FAILURE:
		ret = ssh_explain_kex_failure(c->peer,
					      (struct sockaddr *)&c->addr,
					      c->addrlen, c->io_timeout_ms,
					      ours, lib_hostkeys,
					      ssh_last_error(c), &c->error);
		break;
	default:
		ret = ssh_fail(c, "%s: the SSH handshake failed: %s", c->peer,
			       ssh_last_error(c));
	}
out:
	for (m = 0; m < SSH_NMETHODS; m++)
		free(ours[m]);
	free(lib_hostkeys);
	return ret;
}

static int check_hostkey(struct ssh_conn *c, const struct ssh_target *t,
			 const char *kh_text, int port)
{
	const char *path = t->known_hosts_path;
	const unsigned char *key;
	char fp[KH_FP_LEN], type[40], *name;
	struct kh_lookup lk;
	size_t len = 0;
	int ktype, ret = -1;

	key = (const unsigned char *)libssh2_session_hostkey(c->s, &len,
							     &ktype);
	if (!key || !len)
		return ssh_fail(c, "%s: the server sent no host key", c->peer);
	kh_fingerprint(key, len, fp);
	kh_blob_type(key, len, type, sizeof(type));
	name = kh_hostname(t->host, port);
	kh_check(kh_text, t->host, port, key, len, &lk);
	if (lk.result == KH_NOTFOUND && t->hostkey_policy == HOSTKEY_PIN_NEW) {
		if (kh_pin(path, t->host, port, key, len, &lk))
			goto out;
		if (lk.result == KH_NOTFOUND) {
			debug("%s: pinned host key %s %s for '%s' in %s",
			      c->peer, kh_type_label(type), fp, name, path);
			ret = 0;
			goto out;
		}
	}
	switch (lk.result) {
	case KH_MATCH:
		ret = 0;
		break;
	case KH_NOTFOUND:
		ssh_fail(c, "%s: host '%s' is not in known_hosts file '%s' (strict host key checking): the server presented %s %s; pin it when the machine is created, or add its key if you know it to be right",
			 c->peer, name, path, kh_type_label(type), fp);
		break;
	case KH_REVOKED:
		ssh_fail(c, "%s: the host key %s %s of '%s' is marked @revoked in %s line %d",
			 c->peer, kh_type_label(type), fp, name, path, lk.line);
		break;
	case KH_MISMATCH:
		ssh_fail(c, "%s: host key mismatch for '%s': the server presented %s %s but known_hosts pins %s%s%s (a reinstalled or different host? remove line %d from %s if this is expected)",
			 c->peer, name, kh_type_label(type), fp,
			 strcmp(lk.pinned_type, type) ? lk.pinned_type : "",
			 strcmp(lk.pinned_type, type) ? " " : "", lk.pinned_fp,
			 lk.line, path);
		break;
	}
out:
	free(name);
	return ret;
}

const char *ssh_key_unusable(const char *text, size_t len,
			     const char *passphrase)
{
	struct sshkey_info info;
	const char *why;
	char *lib;
	bool ed25519;

	if (sshkey_info(text, len, &info, &why))
		return why;
	if (!strcmp(info.type, "ssh-ed25519")) {
		lib = ssh_supported(SSH_HOSTKEY);
		ed25519 = ssh_list_has(lib, "ssh-ed25519");
		free(lib);
		if (!ed25519)
			return "an Ed25519 key, which this build cannot use (BearSSL has no Ed25519); use an RSA or ECDSA key";
	}
	if (!strcmp(info.type, "ssh-dss"))
		return "a DSA key, which neither icm nor current OpenSSH servers accept; use an RSA or ECDSA key";
	if (!strcmp(info.format, "PuTTY"))
		return "in PuTTY's format; convert it with 'puttygen KEY -O private-openssh'";
	if (info.encrypted && (!passphrase || !*passphrase))
		return "protected by a passphrase, and none was given";
	return NULL;
}

/* Reads the key text; checks what it is before libssh2 tries it. */
static int load_key(struct ssh_conn *c, const struct ssh_target *t,
		    struct buf *key, const char *keyname)
{
	const char *why;

	if (t->privkey_mem) {
		if (buf_adds(key, t->privkey_mem))
			return ssh_fail(c, "%s: key '%s' is too large", c->peer,
					keyname);
	} else if (fs_read_file(t->privkey_path, key)) {
		return ssh_fail(c, "%s: cannot read key file '%s': %s", c->peer,
				keyname, fs_strerror(errno));
	}
	why = ssh_key_unusable(key->data ? key->data : "", key->len,
			       t->passphrase);
	if (why)
		return ssh_fail(c, "%s: key '%s' is %s", c->peer, keyname, why);
	return 0;
}

/*
 * keyboard-interactive: the password answers every prompt that does not
 * echo (the "Password: " of PAM); prompts that echo get an empty answer.
 * libssh2 frees the answers.
 */
static void kbd_answer(const char *name, int name_len, const char *instr,
		       int instr_len, int n,
		       const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts,
		       LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses,
		       void **abstract)
{
	struct ssh_conn *c = *abstract;
	int i;

	(void)name; (void)name_len; (void)instr; (void)instr_len;
	for (i = 0; i < n; i++) {
		const char *a = !prompts[i].echo && c->password ?
				c->password : "";

		responses[i].text = xstrdup(a);
		responses[i].length = (unsigned int)strlen(a);
	}
}

static int try_password(struct ssh_conn *c, const struct ssh_target *t,
			const char *methods, int64_t deadline)
{
	unsigned int ulen = (unsigned int)strlen(t->user);
	int rc = LIBSSH2_ERROR_AUTHENTICATION_FAILED;

	c->password = t->password;
	if (ssh_list_has(methods, "password"))
		SSH_RETRY(c, deadline, rc, libssh2_userauth_password_ex(
			      c->s, t->user, ulen, t->password,
			      (unsigned int)strlen(t->password), NULL));
	if (rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED &&
	    ssh_list_has(methods, "keyboard-interactive"))
		SSH_RETRY(c, deadline, rc,
			  libssh2_userauth_keyboard_interactive_ex(
				  c->s, t->user, ulen, kbd_answer));
	c->password = NULL;
	return rc;
}

static int key_error(struct ssh_conn *c, const struct ssh_target *t,
		     const char *keyname, int rc)
{
	switch (rc) {
	case LIBSSH2_ERROR_EAGAIN:
		return ssh_fail(c, "%s: no answer to public key authentication within %d ms",
				c->peer, c->io_timeout_ms);
	case LIBSSH2_ERROR_AUTHENTICATION_FAILED:
	case LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
		return ssh_fail(c, "%s: permission denied (publickey) for user '%s' with key '%s': is the public key in ~%s/.ssh/authorized_keys?",
				c->peer, t->user, keyname, t->user);
	case LIBSSH2_ERROR_FILE:
	case LIBSSH2_ERROR_KEYFILE_AUTH_FAILED:
		if (t->passphrase && *t->passphrase)
			return ssh_fail(c, "%s: cannot use key '%s': wrong passphrase, or a key this build cannot read (%s)",
					c->peer, keyname, ssh_last_error(c));
		return ssh_fail(c, "%s: cannot use key '%s': %s", c->peer, keyname,
				ssh_last_error(c));
	default:
		return ssh_fail(c, "%s: public key authentication as '%s' failed: %s",
				c->peer, t->user, ssh_last_error(c));
	}
}

/* After the key (if any) did not do: why, for the password's message. */
static int password_error(struct ssh_conn *c, const struct ssh_target *t,
			  const char *keyname, const char *key_why, int rc)
{
	switch (rc) {
	case LIBSSH2_ERROR_EAGAIN:
		return ssh_fail(c, "%s: no answer to password authentication within %d ms",
				c->peer, c->io_timeout_ms);
	case LIBSSH2_ERROR_PASSWORD_EXPIRED:
		return ssh_fail(c, "%s: the password of user '%s' has expired; set a new one on the host",
				c->peer, t->user);
	case LIBSSH2_ERROR_AUTHENTICATION_FAILED:
		if (!key_why)
			return ssh_fail(c, "%s: permission denied (password) for user '%s': password refused (is SSHPassword right?)",
					c->peer, t->user);
		return ssh_fail(c, "%s: permission denied for user '%s': %s, password refused (is the public key in ~%s/.ssh/authorized_keys? is SSHPassword right?)",
				c->peer, t->user, key_why, t->user);
	default:
		return ssh_fail(c, "%s: password authentication as '%s' failed: %s",
				c->peer, t->user, ssh_last_error(c));
	}
	(void)keyname;
}

/*
 * The public key first; then, if the target has a password, "password"
 * and "keyboard-interactive".
 */
static int authenticate(struct ssh_conn *c, const struct ssh_target *t)
{
	const char *keyname = t->privkey_path ? t->privkey_path : "(in memory)";
	int64_t deadline = ssh_now_ms() + c->io_timeout_ms;
	unsigned int ulen = (unsigned int)strlen(t->user);
	bool have_key = t->privkey_path || t->privkey_mem;
	bool have_pw = t->password && *t->password;
	char *methods = NULL, *key_why = NULL;
	const char *m;
	struct buf key;
	int rc, ret = -1;

	buf_init(&key, SSH_CAP_KEYFILE);
	if (have_key && load_key(c, t, &key, keyname))
		goto out;
	/* The "none" request tells which methods the server takes. */
	do
		m = libssh2_userauth_list(c->s, t->user, ulen);
	while (!m && libssh2_session_last_errno(c->s) ==
		     LIBSSH2_ERROR_EAGAIN && ssh_wait_io(c, deadline) == 0);
	if (!m) {
		if (libssh2_userauth_authenticated(c->s)) {
			ret = 0;
			goto out;
		}
		ssh_fail(c, "%s: no answer to the authentication request for user '%s': %s",
			 c->peer, t->user, ssh_last_error(c));
		goto out;
	}
	methods = xstrdup(m);
	if (have_key && ssh_list_has(methods, "publickey")) {
		SSH_RETRY(c, deadline, rc,
			  libssh2_userauth_publickey_frommemory(
				  c->s, t->user, ulen, NULL, 0, key.data,
				  key.len, t->passphrase ? t->passphrase : ""));
		if (rc == 0) {
			ret = 0;
			goto out;
		}
		if (!have_pw || (rc != LIBSSH2_ERROR_AUTHENTICATION_FAILED &&
				 rc != LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED)) {
			key_error(c, t, keyname, rc);
			goto out;
		}
		key_why = xasprintf("key '%s' refused", keyname);
	} else if (have_key) {
		if (!have_pw) {
			ssh_fail(c, "%s: the server does not take public keys for user '%s' (it offers: %s)",
				 c->peer, t->user, methods);
			goto out;
		}
		key_why = xasprintf("the server takes no public keys (it offers: %s)",
				    methods);
	}
	if (!have_pw) {
		ssh_fail(c, "%s: no key and no password for user '%s'", c->peer,
			 t->user);
		goto out;
	}
	if (!ssh_list_has(methods, "password") &&
	    !ssh_list_has(methods, "keyboard-interactive")) {
		if (key_why)
			ssh_fail(c, "%s: permission denied for user '%s': %s, and the server takes no passwords (it offers: %s)",
				 c->peer, t->user, key_why, methods);
		else
			ssh_fail(c, "%s: the server takes no passwords for user '%s' (it offers: %s)",
				 c->peer, t->user, methods);
		goto out;
	}
	rc = try_password(c, t, methods, deadline);
	if (rc == 0)
		ret = 0;
	else
		password_error(c, t, keyname, key_why, rc);
out:
	free(methods);
	free(key_why);
	buf_wipe(&key);
	return ret;
}

static int clamp_ms(int ms, int64_t deadline)
{
	int64_t left;

	if (!deadline)
		return ms;
	left = deadline - ssh_now_ms();
	if (left < ms)
		ms = left > 0 ? (int)left : 1;
	return ms;
}

/*
 * One attempt.  deadline (0: none) bounds the TCP connect and the
 * handshake.  On failure *err gets the message (a new string); with quiet,
 * a transient failure is not printed and *retry is set.
 */
static int connect_once(const struct ssh_target *t, int64_t deadline,
			bool quiet, bool *retry, char **err,
			struct ssh_conn **out)
{
	struct ssh_conn *c;
	struct buf kh;
	int port = t->port > 0 ? t->port : 22;
	int ret = -1, ct;

	*out = NULL;
	*retry = false;
	*err = NULL;
	if (t->passphrase)
		secret_register("the SSH key's passphrase", t->passphrase);
	if (t->password)
		secret_register("SSHPassword", t->password);
	pthread_once(&init_once, init_libssh2);
	if (init_result)
		return error_why(err, "cannot initialise libssh2 (error %d)",
				 init_result);
	c = xcalloc(1, sizeof(*c));
	c->fd = -1;
	c->quiet_transient = quiet;
	c->peer = xasprintf(strchr(t->host, ':') ? "[%s]:%d" : "%s:%d",
			    t->host, port);
	c->io_timeout_ms = t->io_timeout_ms > 0 ? t->io_timeout_ms :
						  DEFAULT_IO_MS;
	c->exec_timeout_ms = t->exec_timeout_ms;
	buf_init(&kh, KH_CAP_FILE);
	if (!t->known_hosts_path || !*t->known_hosts_path) {
		ssh_fail(c, "%s: no known_hosts file given", c->peer);
		goto out;
	}
	if (!t->user || (!t->privkey_path && !t->privkey_mem &&
			 (!t->password || !*t->password))) {
		ssh_fail(c, "%s: no user, or neither a key nor a password given",
			 c->peer);
		goto out;
	}
	if (fs_read_file(t->known_hosts_path, &kh)) {
		if (errno != ENOENT) {
			ssh_fail(c, "%s: cannot read known_hosts file '%s': %s",
				 c->peer, t->known_hosts_path, fs_strerror(errno));
			goto out;
		}
		buf_release(&kh);
	}
	ct = t->connect_timeout_ms > 0 ? t->connect_timeout_ms :
					 DEFAULT_CONNECT_MS;
	if (tcp_connect(c, t, port, clamp_ms(ct, deadline)))
		goto out;
	/* The session's abstract pointer is c (kbd_answer() reads it). */
	c->s = libssh2_session_init_ex(NULL, NULL, NULL, c);
	if (!c->s) {
		ssh_fail(c, "%s: cannot create an SSH session (out of memory)",
			 c->peer);
		goto out;
	}
	libssh2_session_set_blocking(c->s, 0);
	if (handshake(c, t, kh.data, port,
		      clamp_ms(c->io_timeout_ms, deadline)) ||
	    check_hostkey(c, t, kh.data, port) || authenticate(c, t))
		goto out;
	/* Keepalives only now: sent during the key exchange they break it. */
	libssh2_keepalive_config(c->s, 1, t->keepalive_s > 0 ?
				 (unsigned)t->keepalive_s : KEEPALIVE_S);
	c->established = true;
	*out = c;
	c = NULL;
	ret = 0;
out:
	if (c && c->transient_msg) {
		*retry = true;
		*err = c->transient_msg;
		c->transient_msg = NULL;
	} else if (c) {
		*err = c->error ? c->error : xstrdup("cannot connect");
		c->error = NULL;
	}
	buf_release(&kh);
	ssh_close(c);
	return ret;
}

int ssh_connect(const struct ssh_target *t, struct ssh_conn **out,
		char **why)
{
	char *err;
	bool retry;
	int ret = connect_once(t, 0, false, &retry, &err, out);

	if (why) {
		free(*why);
		*why = err;
	} else {
		free(err);
	}
	return ret;
}


int ssh_backoff_ms(int interval_ms, uint32_t rnd)
{
	int64_t quarter;

	if (interval_ms <= 0)
		return 0;
	quarter = interval_ms / 4;
	return (int)(interval_ms - quarter + (int64_t)(rnd % (2 * quarter + 1)));
}

static uint32_t jitter_random(void)
{
	static _Thread_local uint32_t x;

	if (!x)
		x = ((uint32_t)ssh_now_ms() ^ (uint32_t)getpid() ^
		     (uint32_t)(uintptr_t)&x) | 1u;
	x ^= x << 13;   /* xorshift32: jitter needs no more */
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

int64_t ssh_retry_budget_ms(const struct ssh_target *t,
			    const struct ssh_retry *r)
{
	int attempts = r && r->attempts > 0 ? r->attempts : 1;
	int interval = r && r->interval_ms > 0 ? r->interval_ms : 0;
	int ct = t->connect_timeout_ms > 0 ? t->connect_timeout_ms :
					     DEFAULT_CONNECT_MS;

	return (int64_t)attempts * (interval + ct);
}

int ssh_connect_retry(const struct ssh_target *t, const struct ssh_retry *r,
		      struct ssh_conn **out, char **why)
{
	int attempts = r && r->attempts > 0 ? r->attempts : 1;
	int interval = r && r->interval_ms > 0 ? r->interval_ms : 0;
	int64_t start = ssh_now_ms(), deadline, left;
	char *err = NULL, *gave_up = NULL;
	bool retry;
	int i, ret = -1, delay;

	deadline = start + ssh_retry_budget_ms(t, r);
	for (i = 1;; i++) {
		free(err);
		ret = connect_once(t, deadline, true, &retry, &err, out);
		if (ret == 0 || !retry)
			break;          /* connected, or not worth a retry */
		delay = ssh_backoff_ms(interval, jitter_random());
		left = deadline - ssh_now_ms();
		if (i >= attempts || left <= delay) {
			error_why(&gave_up, "%s (gave up after %d attempt%s "
				  "in %.1f s)", err, i, i == 1 ? "" : "s",
				  (double)(ssh_now_ms() - start) / 1000);
			free(err);
			err = gave_up;
			break;
		}
		if (delay)
			poll(NULL, 0, delay);
	}
	if (why && ret) {
		free(*why);
		*why = err;
		err = NULL;
	}
	free(err);
	return ret;
}

/* Appends what fits under the caller's cap; remembers what did not. */
static void keep_output(struct buf *b, const char *p, size_t n, bool *over)
{
	size_t room;

	if (!b)
		return;
	room = b->cap > b->len + 1 ? b->cap - b->len - 1 : 0;
	if (n > room) {
		*over = true;
		n = room;
	}
	if (n && buf_add(b, p, n))
		*over = true;
}

static int signal_number(const char *name)
{
	static const char *const names[] = {
		"", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
		"KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM",
	};
	size_t i;

	for (i = 1; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return (int)i;
	return 127;     /* unknown: still clearly "killed by a signal" */
}

/* Exit status, or 128 + signal; after the channel is closed. */
static int exit_status(LIBSSH2_CHANNEL *ch, LIBSSH2_SESSION *s)
{
	char *sig = NULL;
	size_t siglen = 0;
	int status = libssh2_channel_get_exit_status(ch);

	if (libssh2_channel_get_exit_signal(ch, &sig, &siglen, NULL, NULL,
					    NULL, NULL) == 0 && sig) {
		status = 128 + signal_number(sig);
		libssh2_free(s, sig);
	}
	return status;
}

int ssh_exec(struct ssh_conn *c, const char *command, const char *stdin_data,
	     struct buf *out, struct buf *err, int *exit_status_out)
{
	int64_t deadline = c->exec_timeout_ms > 0 ?
			   ssh_now_ms() + c->exec_timeout_ms : 0;
	int64_t io_deadline = ssh_now_ms() + c->io_timeout_ms;
	size_t in_left = stdin_data ? strlen(stdin_data) : 0;
	const char *in = stdin_data;
	bool in_done = false, over_out = false, over_err = false;
	LIBSSH2_CHANNEL *ch = NULL;
	char chunk[16384];
	ssize_t n, e;
	int rc, ret = -1;

	*exit_status_out = -1;
	do
		ch = libssh2_channel_open_session(c->s);
	while (!ch && libssh2_session_last_errno(c->s) ==
		      LIBSSH2_ERROR_EAGAIN && ssh_wait_io(c, io_deadline) == 0);
	if (!ch)
		return ssh_fail(c, "%s: cannot open a channel: %s", c->peer,
				ssh_last_error(c));
	SSH_RETRY(c, io_deadline, rc, libssh2_channel_exec(ch, command));
	if (rc) {
		ssh_fail(c, "%s: cannot run '%s': %s", c->peer, command,
			 rc == LIBSSH2_ERROR_EAGAIN ? "no answer" :
			 ssh_last_error(c));
		goto out;
	}
	for (;;) {
		bool progress = false;

		if (!in_done && in_left) {
			n = libssh2_channel_write(ch, in, in_left);
			if (n < 0 && n != LIBSSH2_ERROR_EAGAIN)
				goto lost;
			if (n > 0) {
				in += n;
				in_left -= (size_t)n;
				progress = true;
			}
		}
		if (!in_done && !in_left) {
			rc = libssh2_channel_send_eof(ch);
			if (rc && rc != LIBSSH2_ERROR_EAGAIN)
				goto lost;
			in_done = rc == 0;
		}
		n = libssh2_channel_read(ch, chunk, sizeof(chunk));
		if (n > 0)
			keep_output(out, chunk, (size_t)n, &over_out);
		e = libssh2_channel_read_stderr(ch, chunk, sizeof(chunk));
		if (e > 0)
			keep_output(err, chunk, (size_t)e, &over_err);
		if ((n < 0 && n != LIBSSH2_ERROR_EAGAIN) ||
		    (e < 0 && e != LIBSSH2_ERROR_EAGAIN))
			goto lost;
		if (n > 0 || e > 0)
			continue;
		if (libssh2_channel_eof(ch))
			break;
		if (!progress && ssh_wait_io(c, deadline)) {
			ssh_fail(c, "%s: '%s' did not finish within %d ms", c->peer,
				 command, c->exec_timeout_ms);
			goto out;
		}
	}
	io_deadline = ssh_now_ms() + c->io_timeout_ms;
	SSH_RETRY(c, io_deadline, rc, libssh2_channel_close(ch));
	if (rc == 0)
		SSH_RETRY(c, io_deadline, rc, libssh2_channel_wait_closed(ch));
	if (rc)
		goto lost;
	*exit_status_out = exit_status(ch, c->s);
	if (over_out || over_err) {
		ssh_fail(c, "%s: the output of '%s' is larger than %zu bytes; the rest was dropped",
			 c->peer, command, over_out ? out->cap : err->cap);
		goto out;
	}
	ret = 0;
	goto out;
lost:
	ssh_fail(c, "%s: connection lost while running '%s': %s", c->peer, command,
		 ssh_last_error(c));
out:
	io_deadline = ssh_now_ms() + c->io_timeout_ms;
	SSH_RETRY(c, io_deadline, rc, libssh2_channel_free(ch));
	return ret;
}

void ssh_close(struct ssh_conn *c)
{
	if (!c)
		return;
	if (c->s) {
		/* Blocking, briefly: a goodbye need not wait on a dead peer. */
		libssh2_session_set_blocking(c->s, 1);
		libssh2_session_set_timeout(c->s, 2000);
		libssh2_session_disconnect(c->s, "bye");
		libssh2_session_free(c->s);
	}
	if (c->fd >= 0)
		close(c->fd);
	free(c->transient_msg);
	free(c->error);
	free(c->peer);
	free(c);
}

const char *ssh_negotiated(struct ssh_conn *c, int m)
{
	if (!c || m < 0 || m >= SSH_NMETHODS)
		return NULL;
	return libssh2_session_methods(c->s, method_ids[m]);
}

int ssh_fail(struct ssh_conn *c, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	error_why(&c->error, "%s", msg);
	free(msg);
	return -1;
}

const char *ssh_error(const struct ssh_conn *c)
{
	return c->error;
}

const char *ssh_peer(struct ssh_conn *c)
{
	return c->peer;
}

const char *ssh_library_version(void)
{
	return libssh2_version(0);
}

const char *ssh_crypto_backend(void)
{
#ifdef HAVE_LIBSSH2_CRYPTOENGINE_API
	switch ((int)libssh2_crypto_engine()) {
	case libssh2_os400qc3 + 1:	/* libssh2_bearssl, vendor/patches/libssh2 */
		return "BearSSL";
	case libssh2_openssl:
		return "OpenSSL";
	case libssh2_gcrypt:
		return "libgcrypt";
	case libssh2_mbedtls:
		return "mbedTLS";
	default:
		return "another";
	}
#else
	return "unknown (libssh2 before 1.11)";
#endif
}
