/*
 * exec.c: docker_exec() (see api.h) and the raw-stream demultiplexer.
 *
 * /exec/{id}/start hijacks the HTTP connection: after the answer's
 * headers it carries the command's output one way and its input the
 * other.  libcurl has no such transfer, so a second connection is opened
 * by the daemon's HTTP client (http_conn_open(): TCP and the TLS
 * handshake, same certificates and pinning as every call), the request is
 * written by hand with "Connection: Upgrade" / "Upgrade: tcp", and one
 * poll() loop then moves bytes both ways with http_conn_send() and
 * http_conn_recv() until the daemon closes the connection, which it does
 * when the command ends.
 */
#include "internal.h"
#include "../util/str.h"
#include "../util/term.h"
#include <poll.h>
#include <sys/socket.h>

#define EXEC_EXIT_WAIT_MS 10000		/* for "Running": false */

void docker_demux_init(struct docker_demux *m)
{
	memset(m, 0, sizeof(*m));
}

bool docker_demux_clean(const struct docker_demux *m)
{
	return m->hlen == 0 && m->left == 0;
}

int docker_demux_feed(struct docker_demux *m, const void *data, size_t len,
		      struct buf *out, struct buf *err, const char **what)
{
	const unsigned char *p = data;
	struct buf *to;
	size_t n;

	*what = NULL;
	while (len) {
		if (m->left == 0) {
			n = sizeof(m->hdr) - m->hlen;
			if (n > len)
				n = len;
			memcpy(m->hdr + m->hlen, p, n);
			m->hlen += n;
			p += n;
			len -= n;
			if (m->hlen < sizeof(m->hdr))
				break;
			m->hlen = 0;
			if (m->hdr[0] > 2 || m->hdr[1] || m->hdr[2] ||
			    m->hdr[3]) {
				*what = "a malformed stream header";
				return -1;
			}
			m->stream = m->hdr[0];
			m->left = (uint32_t)m->hdr[4] << 24 |
				  (uint32_t)m->hdr[5] << 16 |
				  (uint32_t)m->hdr[6] << 8 | m->hdr[7];
			continue;
		}
		n = len < m->left ? len : m->left;
		to = m->stream == 2 ? err : out;
		if (buf_add(to, p, n)) {
			*what = m->stream == 2 ? "the standard error" :
						 "the standard output";
			return -1;
		}
		m->left -= (uint32_t)n;
		p += n;
		len -= n;
	}
	return 0;
}

/* poll()'s timeout until deadline (0: none). */
static int wait_ms(int64_t deadline)
{
	int64_t left;

	if (!deadline)
		return -1;
	left = deadline - http_now_ms();
	return left <= 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

static cJSON *string_array(const char *const *v)
{
	cJSON *a = cJSON_CreateArray();

	for (; v && *v; v++)
		cJSON_AddItemToArray(a, cJSON_CreateString(*v));
	return a;
}

/* POST /containers/{c}/exec; *id the exec's ID. */
static int exec_create(struct docker *d, const char *container,
		       const struct docker_exec *x, bool tty, bool in,
		       char **id)
{
	cJSON *body = cJSON_CreateObject(), *resp = NULL;
	char *path = NULL;
	const cJSON *v;
	long status;
	int ret = -1;

	cJSON_AddBoolToObject(body, "AttachStdin", in);
	cJSON_AddBoolToObject(body, "AttachStdout", true);
	cJSON_AddBoolToObject(body, "AttachStderr", true);
	cJSON_AddBoolToObject(body, "Tty", tty);
	cJSON_AddItemToObject(body, "Cmd", string_array(x->argv));
	if (x->env)
		cJSON_AddItemToObject(body, "Env", string_array(x->env));
	if (x->user)
		cJSON_AddStringToObject(body, "User", x->user);
	if (x->workdir)
		cJSON_AddStringToObject(body, "WorkingDir", x->workdir);
	path = docker_path("/containers/%s/exec", container);
	if (docker_call(d, "POST", path, body, &status, &resp))
		goto out;
	if (status != 201 && status != 200) {
		if (status < 400)
			docker_seterr(d, "unexpected HTTP status %ld", status);
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(resp, "Id");
	if (!cJSON_IsString(v)) {
		docker_seterr(d, "the daemon's answer has no exec Id");
		goto out;
	}
	*id = xstrdup(v->valuestring);
	ret = 0;
out:
	cJSON_Delete(body);
	cJSON_Delete(resp);
	free(path);
	return ret;
}

/* The hijacked connection. */
struct hijack {
	struct docker *d;
	struct http_conn conn;
	int64_t deadline;		/* 0: none */
	bool shut;			/* our side is shut down (SHUT_WR) */
};

/* Waits until fd is ready for events; -1 on the deadline. */
static int hj_wait(struct hijack *h, short events)
{
	struct pollfd p = { .fd = h->conn.fd, .events = events };
	int rc;

	do
		rc = poll(&p, 1, wait_ms(h->deadline));
	while (rc < 0 && errno == EINTR);
	if (rc <= 0) {
		docker_seterr(h->d, rc ? "poll: %s" : "the daemon did not "
			      "answer in time", strerror(errno));
		return -1;
	}
	return 0;
}

static int hj_send(struct hijack *h, const void *data, size_t len)
{
	const char *p = data, *why;
	enum http_io io;
	size_t n;

	while (len) {
		io = http_conn_send(&h->conn, p, len, &n, &why);
		if (io == HTTP_IO_AGAIN) {
			if (hj_wait(h, POLLOUT))
				return -1;
			continue;
		}
		if (io != HTTP_IO_OK) {
			docker_seterr(h->d, "sending to the daemon: %s", why);
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * One read: 1 and *n bytes (0 only at the end of the stream), 0 when
 * nothing is there now, -1 on errors.  A connection dropped without a TLS
 * close_notify after the headers counts as the end.
 */
static int hj_recv(struct hijack *h, char *p, size_t size, size_t *n)
{
	const char *why;
	enum http_io io = http_conn_recv(&h->conn, p, size, n, &why);

	if (io == HTTP_IO_AGAIN)
		return 0;
	if (io == HTTP_IO_OK)
		return 1;
	/* after our half-close, TLS answers the daemon's close_notify with
	 * its own: that send fails, and it is the end */
	if (io == HTTP_IO_DROPPED || (io == HTTP_IO_SEND_FAILED && h->shut)) {
		*n = 0;
		return 1;
	}
	docker_seterr(h->d, "reading from the daemon: %s", why);
	return -1;
}

/*
 * Connects, sends POST /exec/{id}/start and reads the answer's headers;
 * bytes after them (the stream's start) go to early.
 */
static int hijack_start(struct hijack *h, const char *id, bool tty,
			struct buf *early)
{
	struct docker *d = h->d;
	char *body = NULL, *req = NULL, *e = NULL, *end, chunk[4096];
	char reason[256];
	int64_t saved_deadline;
	struct buf hdr;
	long status = 0;
	size_t n;
	int r, ret = -1;

	buf_init(&hdr, DOCKER_CAP_HEADERS);
	if (http_conn_open(&d->http, d->base, &h->conn, reason)) {
		docker_seterr(d, "%s", reason);
		goto out;
	}
	e = docker_path("/exec/%s/start", id);
	body = xasprintf("{\"Detach\":false,\"Tty\":%s}",
			 tty ? "true" : "false");
	req = xasprintf("POST /v%s%s HTTP/1.1\r\n"
			"Host: %s:%d\r\n"
			"User-Agent: icm/" ICM_VERSION "\r\n"
			"Content-Type: application/json\r\n"
			"Connection: Upgrade\r\n"
			"Upgrade: tcp\r\n"
			"Content-Length: %zu\r\n\r\n%s",
			d->version, e, d->name, d->port, strlen(body), body);
	/* the answer's headers come at once: the ordinary call timeout */
	saved_deadline = h->deadline;
	if (!h->deadline || h->deadline > http_now_ms() + d->timeout_ms)
		h->deadline = http_now_ms() + d->timeout_ms;
	if (hj_send(h, req, strlen(req)))
		goto out;
	for (;;) {
		r = hj_recv(h, chunk, sizeof(chunk), &n);
		if (r < 0)
			goto out;
		if (r == 0) {
			if (hj_wait(h, POLLIN))
				goto out;
			continue;
		}
		if (n == 0) {
			docker_seterr(d, "the daemon closed the connection "
				      "before answering");
			goto out;
		}
		if (buf_add(&hdr, chunk, n)) {
			docker_seterr(d, "the answer's headers are larger "
				      "than %u bytes", DOCKER_CAP_HEADERS);
			goto out;
		}
		end = strstr(hdr.data, "\r\n\r\n");
		if (end)
			break;
	}
	h->deadline = saved_deadline;
	if (sscanf(hdr.data, "HTTP/%*d.%*d %ld", &status) != 1) {
		docker_seterr(d, "the daemon's answer is not HTTP");
		goto out;
	}
	end += 4;
	n = hdr.len - (size_t)(end - hdr.data);
	if (status != 101 && status != 200) {
		/* the error body (what of it came with the headers) */
		docker_set_http_error(d, status, end, n);
		goto out;
	}
	if (buf_add(early, end, n)) {
		docker_seterr(d, "out of memory");
		goto out;
	}
	ret = 0;
out:
	buf_release(&hdr);
	free(e);
	free(body);
	free(req);
	return ret;
}

/* Where the stream's bytes go. */
struct sink {
	struct docker *d;
	bool raw;			/* TTY: one stream */
	bool terminal;			/* interactive: standard output */
	struct docker_demux m;
	struct buf *out, *err;
};

static int deliver(struct sink *s, const char *p, size_t n)
{
	const char *what = NULL;

	if (s->terminal) {
		if (term_write_all(STDOUT_FILENO, p, n) == 0)
			return 0;
		docker_seterr(s->d, "cannot write to standard output: %s",
			      strerror(errno));
		return -1;
	}
	if (s->raw) {
		if (buf_add(s->out, p, n) == 0)
			return 0;
		what = "the output";
	} else if (docker_demux_feed(&s->m, p, n, s->out, s->err, &what) ==
		   0) {
		return 0;
	}
	if (str_starts(what, "a malformed"))
		docker_seterr(s->d, "the daemon sent %s", what);
	else
		docker_seterr(s->d, "%s of the command is larger than %zu "
			      "bytes", what, strstr(what, "error") ?
			      s->err->cap : s->out->cap);
	return -1;
}

static void send_resize(struct docker *d, const char *id)
{
	char *path;
	int cols, rows;
	long status;

	term_window_size(STDIN_FILENO, &cols, &rows);
	path = docker_path("/exec/%s/resize?h=%d&w=%d", id, rows, cols);
	/* a failed resize leaves the old size: not worth failing for */
	if (docker_call(d, "POST", path, NULL, &status, NULL) == 0 &&
	    status >= 400)
		d->errmsg[0] = '\0';
	free(path);
}

/*
 * Moves the stream until the daemon closes it: output to s, input from
 * in/in_len (non-interactive) or standard input (interactive: then the
 * signals of the terminal session too; *sig gets one that ends it).
 */
static int shuttle(struct hijack *h, struct sink *s, const char *id,
		   const char *in, size_t in_len, bool interactive, int *sig)
{
	char rbuf[16384], ibuf[4096];
	struct pollfd p[3];
	bool in_eof = !interactive, want_out = false;
	const char *why;
	enum http_io io;
	size_t n;
	int r, sg;

	*sig = 0;
	/* with a TTY the daemon ends the output when the input ends: no
	 * half-close then (the command must end on its own) */
	h->shut = !in || s->raw;
	for (;;) {
		/* everything readable now, TLS-buffered bytes included */
		while ((r = hj_recv(h, rbuf, sizeof(rbuf), &n)) == 1) {
			if (n == 0)
				return 0;
			if (deliver(s, rbuf, n))
				return -1;
		}
		if (r < 0)
			return -1;
		want_out = false;
		while (in_len) {
			io = http_conn_send(&h->conn, in, in_len, &n, &why);
			if (io == HTTP_IO_AGAIN) {
				want_out = true;
				break;
			}
			if (io != HTTP_IO_OK) {
				docker_seterr(h->d, "sending to the daemon: "
					      "%s", why);
				return -1;
			}
			in += n;
			in_len -= n;
		}
		if (!in_len && in_eof && !h->shut) {
			/* the end of the input: TCP's half-close under TLS
			 * (no close_notify, which would end reading too);
			 * the daemon's read sees the end and closes the
			 * command's stdin, and the output still comes */
			shutdown(h->conn.fd, SHUT_WR);
			h->shut = true;
		}
		p[0].fd = h->conn.fd;
		p[0].events = POLLIN | (want_out ? POLLOUT : 0);
		p[1].fd = in_eof || in_len ? -1 : STDIN_FILENO;
		p[1].events = POLLIN;
		p[2].fd = interactive ? term_session_fd() : -1;
		p[2].events = POLLIN;
		p[0].revents = p[1].revents = p[2].revents = 0;
		r = poll(p, 3, wait_ms(h->deadline));
		if (r < 0 && errno != EINTR) {
			docker_seterr(h->d, "poll: %s", strerror(errno));
			return -1;
		}
		if (r == 0) {
			docker_seterr(h->d, "the command did not end in "
				      "time");
			return -1;
		}
		while (p[2].revents && (sg = term_session_signal()) != 0) {
			if (sg != SIGWINCH) {
				*sig = sg;
				return -1;
			}
			send_resize(h->d, id);
		}
		if (p[1].revents) {
			ssize_t got = read(STDIN_FILENO, ibuf, sizeof(ibuf));

			if (got > 0) {
				in = ibuf;
				in_len = (size_t)got;
			} else if (got == 0 || errno != EINTR) {
				in_eof = true;	/* a TTY: input just stops */
			}
		}
	}
}

/* GET /exec/{id}/json until it is no longer running: the exit code. */
static int exit_code(struct docker *d, const char *id, int *code)
{
	int64_t until = http_now_ms() + EXEC_EXIT_WAIT_MS;
	char *path = docker_path("/exec/%s/json", id);
	const cJSON *running, *ec;
	cJSON *resp = NULL;
	long status;
	int ret = -1;

	for (;;) {
		cJSON_Delete(resp);
		resp = NULL;
		if (docker_call(d, "GET", path, NULL, &status, &resp))
			goto out;
		if (status != 200) {
			if (status < 400)
				docker_seterr(d, "unexpected HTTP status %ld",
					      status);
			goto out;
		}
		running = cJSON_GetObjectItemCaseSensitive(resp, "Running");
		ec = cJSON_GetObjectItemCaseSensitive(resp, "ExitCode");
		if (!cJSON_IsTrue(running) && cJSON_IsNumber(ec)) {
			*code = ec->valueint;
			break;
		}
		if (http_now_ms() > until) {
			docker_seterr(d, "the command's exit code is unknown "
				      "(still running after its output "
				      "ended)");
			goto out;
		}
		usleep(50000);
	}
	ret = 0;
out:
	cJSON_Delete(resp);
	free(path);
	return ret;
}

int docker_exec(struct docker *d, const char *container,
		const struct docker_exec *x, struct buf *out, struct buf *err,
		int *exit_code_out)
{
	bool interactive = x->interactive, tty = x->tty || interactive;
	bool in = interactive || x->stdin_data;
	struct hijack h = { .d = d, .conn = { NULL, -1 } };
	struct sink s = { .d = d, .raw = tty, .terminal = interactive,
			  .out = out, .err = err };
	struct term_session ts;
	struct buf early;
	char *id = NULL;
	bool session = false;
	int sig = 0, ret = -1;

	*exit_code_out = -1;
	docker_demux_init(&s.m);
	buf_init(&early, DOCKER_CAP_HEADERS);
	if (x->timeout_ms > 0)
		h.deadline = http_now_ms() + x->timeout_ms;
	if (!x->argv || !x->argv[0]) {
		docker_seterr(d, "no command to run");
		goto out;
	}
	if (exec_create(d, container, x, tty, in, &id) ||
	    hijack_start(&h, id, tty, &early))
		goto out;
	if (interactive) {
		if (term_session_begin(&ts)) {
			docker_seterr(d, "cannot set up the terminal: %s",
				      strerror(errno));
			goto out;
		}
		session = true;
		send_resize(d, id);
	}
	if (early.len && deliver(&s, early.data, early.len))
		goto out;
	if (shuttle(&h, &s, id, interactive ? NULL : x->stdin_data,
		    interactive ? 0 : x->stdin_len, interactive, &sig))
		goto out;
	if (session) {
		term_session_end(&ts, 0);
		session = false;
	}
	if (!s.raw && !docker_demux_clean(&s.m)) {
		docker_seterr(d, "the output stream ended inside a frame");
		goto out;
	}
	if (exit_code(d, id, exit_code_out))
		goto out;
	ret = 0;
out:
	if (session)
		term_session_end(&ts, sig);
	http_conn_close(&h.conn);
	buf_release(&early);
	free(id);
	return ret;
}
