/*
 * ssh.c: connections on libssh2 (see ssh.h): the TCP connect, waiting on
 * the socket, the session's set-up and retries, what the library offers;
 * ssh_kex.c negotiates algorithms and checks the host key, ssh_auth.c
 * authenticates, ssh_exec.c runs commands (ssh_int.h).
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

const int ssh_method_ids[SSH_NMETHODS] = {
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
int ssh_transient(struct ssh_conn *c, const char *fmt, ...)
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
		return ssh_transient(c, "%s: connection refused (is sshd running and listening on port %d?)",
				     c->peer, port);
	case ETIMEDOUT:
		return ssh_transient(c, "%s: connection timed out after %d ms (is the host up, and port %d open in its firewalls?)",
				     c->peer, ms, port);
	case ENETUNREACH:
	case EHOSTUNREACH:
		return ssh_transient(c, "%s: cannot connect: %s (is there a route to the host?)",
				     c->peer, strerror(err));
	case ECONNRESET:
	case ECONNABORTED:
		return ssh_transient(c, "%s: cannot connect: %s", c->peer,
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
		return ssh_transient(c, "%s: cannot resolve host name '%s': %s",
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
		n = libssh2_session_supported_algs(s, ssh_method_ids[m], &algs);
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
	if (ssh_handshake(c, t, kh.data, port,
			  clamp_ms(c->io_timeout_ms, deadline)) ||
	    ssh_check_hostkey(c, t, kh.data, port) || ssh_authenticate(c, t))
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
	return libssh2_session_methods(c->s, ssh_method_ids[m]);
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
