/*
 * testutil.h: small helpers shared by the C unit tests (include after
 * icm.h and tap.h).
 */
#ifndef ICM_TESTUTIL_H
#define ICM_TESTUTIL_H

#include "embed/embedded.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/report.h"
#include "util/str.h"
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/* A port on 127.0.0.1 where nothing listens (bound, then closed). */
__attribute__((unused))
static int closed_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    !getsockname(fd, (struct sockaddr *)&sa, &len))
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* The whole file (at most 1 MiB) as a new string, or NULL. */
__attribute__((unused))
static char *slurp(const char *path)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	if (fs_read_file(path, &b))
		return NULL;
	return buf_take(&b);
}

/* Writes text to path (0600, atomically); 0 or -1. */
__attribute__((unused))
static int write_text(const char *path, const char *text)
{
	return fs_write_atomic(path, text, strlen(text), 0600);
}

/* The file dir/sub/name as a new string, or NULL. */
__attribute__((unused))
static char *slurp_in(const char *dir, const char *sub, const char *name)
{
	char *path = xasprintf("%s/%s/%s", dir, sub, name), *s = slurp(path);

	free(path);
	return s;
}

/*
 * A loopback HTTP server for one request, forked: it writes the request
 * it got (head and body) to save_path and answers with reply, a whole
 * HTTP/1.1 answer (status line, headers, body).  Returns its pid (the
 * caller waits for it: exit 0 when a whole request came), or -1; *port
 * its port.
 */
__attribute__((unused))
static pid_t serve_once(const char *reply, const char *save_path, int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), c;
	struct buf req;
	char chunk[4096], *hdr_end, *cl;
	size_t want = 0;
	ssize_t r;
	pid_t pid;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 1) || getsockname(fd, (struct sockaddr *)&sa, &sl))
		return -1;
	*port = ntohs(sa.sin_port);
	pid = fork();
	if (pid) {
		close(fd);
		return pid;
	}
	alarm(20);
	c = accept(fd, NULL, NULL);
	buf_init(&req, 1 << 20);
	while (c >= 0 && (r = read(c, chunk, sizeof(chunk))) > 0) {
		if (buf_add(&req, chunk, (size_t)r))
			_exit(1);
		hdr_end = strstr(req.data, "\r\n\r\n");
		if (!hdr_end)
			continue;
		cl = strcasestr(req.data, "\r\nContent-Length: ");
		want = (size_t)(hdr_end + 4 - req.data) +
		       (cl ? strtoul(cl + 18, NULL, 10) : 0);
		if (req.len >= want)
			break;
	}
	if (c < 0 || req.len < want || !want || write_text(save_path,
							   req.data))
		_exit(1);
	if (write(c, reply, strlen(reply)) != (ssize_t)strlen(reply))
		_exit(1);
	close(c);
	_exit(0);
}

/* A test that text holds line as a whole line (not its first). */
__attribute__((unused))
static void ok_line(const char *text, const char *line)
{
	char *want = xasprintf("\n%s\n", line);

	ok(text && strstr(text, want), "line: %s", line);
	free(want);
}

/* A test that the embedded file path (a Terraform template) holds text. */
__attribute__((unused))
static void tmpl_holds(const char *path, const char *text)
{
	const struct embedded_file *f = embedded_find(path);

	ok(f && strstr((const char *)f->data, text), "%s has: %s",
	   path + strlen("embedded/terraform/"), text);
}

/* A test that dir/sub/name is the embedded file path, byte for byte. */
__attribute__((unused))
static void same_as(const char *dir, const char *sub, const char *name,
		    const char *path)
{
	const struct embedded_file *f = embedded_find(path);
	char *s = slurp_in(dir, sub, name);

	ok(f && s && strlen(s) == f->len && !memcmp(s, f->data, f->len),
	   "%s/%s is %s", sub, name, path);
	free(s);
}

/* The permission bits of dir/sub/name, or -1. */
__attribute__((unused))
static int mode_in(const char *dir, const char *sub, const char *name)
{
	char *path = xasprintf("%s/%s/%s", dir, sub, name);
	struct stat st;
	int m = stat(path, &st) ? -1 : (int)(st.st_mode & 07777);

	free(path);
	return m;
}

/*
 * The Terraform writers' tests (t-azure-tf, t-gcp-tf, t-tencent-tf):
 * loads defaults d and definitions f (written into dir) into cfg and p,
 * as provision does, with a test each.  Needs config/config.h and
 * config/plan.h first.
 */
#if defined(ICM_CONFIG_H) && defined(ICM_PLAN_H)
__attribute__((unused))
static void load_plan(const char *dir, const char *d, const char *f,
		      struct config *cfg, struct plan *p)
{
	char *dp = xasprintf("%s/defaults.json", dir);
	char *fp = xasprintf("%s/definitions.json", dir);
	int r;

	config_init(cfg);
	plan_init(p);
	ok(!write_text(dp, d) && !write_text(fp, f), "write files");
	r = config_load(cfg, dp, fp) || config_validate(cfg) ||
	    plan_build(cfg, p);
	is_int(r, 0, "configuration loaded and planned");
	if (r)
		printf("# %s\n", report_main_error());
	free(dp);
	free(fp);
}
#endif

/*
 * Copies a public key that br_x509_decoder_get_pkey() returned (it points
 * into the decoder context) into dst, with its bytes in buf (room for an
 * RSA modulus and exponent, or an EC point).  Needs <bearssl.h> first.
 */
#ifdef BR_BEARSSL_X509_H__
__attribute__((unused))
static void pkey_copy(br_x509_pkey *dst, uint8_t *buf, const br_x509_pkey *pk)
{
	*dst = *pk;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		memcpy(buf, pk->key.rsa.n, pk->key.rsa.nlen);
		memcpy(buf + pk->key.rsa.nlen, pk->key.rsa.e, pk->key.rsa.elen);
		dst->key.rsa.n = buf;
		dst->key.rsa.e = buf + pk->key.rsa.nlen;
	} else {
		memcpy(buf, pk->key.ec.q, pk->key.ec.qlen);
		dst->key.ec.q = buf;
	}
}
#endif

#endif
