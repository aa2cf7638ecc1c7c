/*
 * t-docker.c: the Docker client's pieces that need no daemon: the raw
 * stream demultiplexer, version negotiation, docker_escape(), the one
 * request path builder docker_path(), Docker's container name rule and the tar
 * writer/reader (round trip, and the archives the reader must refuse).
 */
#include "icm.h"
#include "docker/internal.h"
#include "docker/tar.h"
#include "state/log.h"
#include "util/str.h"
#include "tap.h"
#include <dirent.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- demultiplexer ---- */

static size_t frame(unsigned char *p, int stream, const char *s)
{
	size_t n = strlen(s);

	p[0] = (unsigned char)stream;
	p[1] = p[2] = p[3] = 0;
	p[4] = (unsigned char)(n >> 24);
	p[5] = (unsigned char)(n >> 16);
	p[6] = (unsigned char)(n >> 8);
	p[7] = (unsigned char)n;
	memcpy(p + 8, s, n);
	return 8 + n;
}

static void test_demux(void)
{
	unsigned char s[256];
	struct docker_demux m;
	struct buf out, err;
	const char *what;
	size_t n = 0, i;
	int rc = 0;

	n += frame(s + n, 1, "hello ");
	n += frame(s + n, 2, "oops");
	n += frame(s + n, 1, "");
	n += frame(s + n, 1, "world");
	n += frame(s + n, 0, "!");

	docker_demux_init(&m);
	buf_init(&out, 1024);
	buf_init(&err, 1024);
	ok(docker_demux_feed(&m, s, n, &out, &err, &what) == 0,
	   "demux: frames in one read");
	is_str(out.data, "hello world!", "  stdout (and stream 0) joined");
	is_str(err.data, "oops", "  stderr apart");
	ok(docker_demux_clean(&m), "  ends between frames");
	buf_release(&out);
	buf_release(&err);

	docker_demux_init(&m);
	for (i = 0; i < n && rc == 0; i++)
		rc = docker_demux_feed(&m, s + i, 1, &out, &err, &what);
	ok(rc == 0, "demux: one byte per read");
	is_str(out.data, "hello world!", "  same stdout");
	is_str(err.data, "oops", "  same stderr");
	buf_release(&out);
	buf_release(&err);

	docker_demux_init(&m);
	rc = docker_demux_feed(&m, s, 5, &out, &err, &what);
	ok(rc == 0 && !docker_demux_clean(&m), "demux: a header split across "
	   "reads is pending");
	rc = docker_demux_feed(&m, s + 5, 6, &out, &err, &what);
	ok(rc == 0 && !docker_demux_clean(&m) && out.len == 3,
	   "  then a payload split across reads");
	rc = docker_demux_feed(&m, s + 11, 3, &out, &err, &what);
	ok(rc == 0 && docker_demux_clean(&m) && !strcmp(out.data, "hello "),
	   "  then complete");
	buf_release(&out);
	buf_release(&err);

	docker_demux_init(&m);
	n = frame(s, 3, "x");
	ok(docker_demux_feed(&m, s, n, &out, &err, &what) == -1 && what &&
	   strstr(what, "malformed"), "demux: stream 3 is refused");
	docker_demux_init(&m);
	n = frame(s, 1, "x");
	s[2] = 1;
	ok(docker_demux_feed(&m, s, n, &out, &err, &what) == -1,
	   "demux: nonzero padding bytes are refused");

	docker_demux_init(&m);
	buf_init(&out, 8);
	n = frame(s, 1, "0123456789");
	ok(docker_demux_feed(&m, s, n, &out, &err, &what) == -1 && what &&
	   !strcmp(what, "the standard output"), "demux: stdout over its cap");
	docker_demux_init(&m);
	buf_init(&err, 8);
	n = frame(s, 2, "0123456789");
	ok(docker_demux_feed(&m, s, n, &out, &err, &what) == -1 && what &&
	   !strcmp(what, "the standard error"), "demux: stderr over its cap");
	buf_release(&out);
	buf_release(&err);

	/* a declared 4 GiB frame: no allocation up front, the cap decides */
	docker_demux_init(&m);
	buf_init(&out, 1024);
	memcpy(s, "\1\0\0\0\xff\xff\xff\xff", 8);
	ok(docker_demux_feed(&m, s, 8, &out, &err, &what) == 0 &&
	   out.len == 0, "demux: a huge frame header allocates nothing");
	memset(s, 'a', 200);
	for (i = 0, rc = 0; i < 10 && rc == 0; i++)
		rc = docker_demux_feed(&m, s, 200, &out, &err, &what);
	ok(rc == -1, "  and its payload stops at the cap");
	buf_release(&out);
}

/* ---- version negotiation and escaping ---- */

static void test_version(void)
{
	char v[16], *why = NULL;

	ok(docker_version_pick("1.43", v, &why) == 0 && !strcmp(v, "1.41"),
	   "version: a newer daemon: we speak " DOCKER_API_MAX);
	ok(docker_version_pick("1.40", v, &why) == 0 && !strcmp(v, "1.40"),
	   "version: an older daemon: its version (1.40)");
	ok(docker_version_pick("1.24", v, &why) == 0 && !strcmp(v, "1.24"),
	   "version: the oldest supported (1.24)");
	ok(docker_version_pick("2.1", v, &why) == 0 && !strcmp(v, "1.41"),
	   "version: a major version above ours: " DOCKER_API_MAX);
	ok(docker_version_pick("1.23", v, &why) == -1 && why &&
	   strstr(why, "1.23") && strstr(why, DOCKER_API_MIN),
	   "version: 1.23 refused, naming both versions");
	free(why);
	ok(docker_version_pick("1.9", v, &why) == -1,
	   "version: 1.9 is older than 1.24 (numbers, not strings)");
	free(why);
	ok(docker_version_pick("v1.41", v, &why) == -1 && why,
	   "version: malformed refused");
	free(why);
	ok(docker_version_pick(NULL, v, &why) == -1 && why,
	   "version: missing refused");
	free(why);
}

static void test_escape(void)
{
	char *s;

	s = docker_escape("a b/c?d=e&f#g%");
	is_str(s, "a%20b%2Fc%3Fd%3De%26f%23g%25", "escape: reserved bytes");
	free(s);
	s = docker_escape("Az09-._~");
	is_str(s, "Az09-._~", "escape: unreserved bytes kept");
	free(s);
	s = docker_escape("\xc3\xa9\n");
	is_str(s, "%C3%A9%0A", "escape: UTF-8 and control bytes");
	free(s);
	s = docker_escape("");
	is_str(s, "", "escape: empty");
	free(s);
}

/* docker_path(): every value escaped, the format's own text kept. */
static void test_path(void)
{
	char *s;

	s = docker_path("/containers/%s/rename?name=%s", "iris/../x",
			"y&force=1");
	is_str(s, "/containers/iris%2F..%2Fx/rename?name=y%26force%3D1",
	       "path: a value adds no segment and no parameter");
	free(s);
	s = docker_path("/containers/%s/stop?t=%d", "iris", -5);
	is_str(s, "/containers/iris/stop?t=-5", "path: %d is a number");
	free(s);
	s = docker_path("/images/create?fromImage=%s&tag=%s",
			"reg:5000/a b", "1\n");
	is_str(s, "/images/create?fromImage=reg%3A5000%2Fa%20b&tag=1%0A",
	       "path: an image reference is one value");
	free(s);
}

/* docker_name_valid(): Docker's own rule for a container name. */
static void test_names(void)
{
	static const char *const good[] = {
		"iris", "iris.icm-new", "a1", "0_x-y.z", "IRIS",
	};
	static const char *const bad[] = {
		"", "i", "-iris", ".iris", "_iris", "iris/x", "../iris",
		"iris?force=1", "iris x", "iris\n", "\xc3\xa9t\xc3\xa9",
	};
	char longest[DOCKER_NAME_MAX + 2];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		ok(docker_name_valid(good[i]), "name '%s' is taken", good[i]);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ok(!docker_name_valid(bad[i]), "name %zu of the bad ones is "
		   "refused", i);
	memset(longest, 'a', sizeof(longest) - 1);
	longest[DOCKER_NAME_MAX] = '\0';
	ok(docker_name_valid(longest), "name of %d bytes is taken",
	   DOCKER_NAME_MAX);
	longest[DOCKER_NAME_MAX] = 'a';
	longest[DOCKER_NAME_MAX + 1] = '\0';
	ok(!docker_name_valid(longest), "a longer name is refused");
}

/* ---- tar ---- */

static char tmp[256];

static char *at(const char *rel)
{
	return xasprintf("%s/%s", tmp, rel);
}

static void put_file(const char *rel, const char *text, mode_t mode,
		     time_t mtime)
{
	char *p = at(rel);
	struct timespec ts[2] = { { .tv_sec = mtime }, { .tv_sec = mtime } };
	FILE *f = fopen(p, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
	chmod(p, mode);
	utimensat(AT_FDCWD, p, ts, 0);
	free(p);
}

static bool exists(const char *rel)
{
	struct stat st;
	char *p = at(rel);
	bool r = lstat(p, &st) == 0;

	free(p);
	return r;
}

static char *slurp(const char *rel)
{
	char *p = at(rel), b[4096];
	FILE *f = fopen(p, "r");
	size_t n = 0;

	free(p);
	if (!f)
		return NULL;
	n = fread(b, 1, sizeof(b) - 1, f);
	fclose(f);
	b[n] = '\0';
	return xstrdup(b);
}

/* A hand-made archive: headers with any name, type and size. */
static void hdr(struct buf *b, const char *name, char type, const char *link,
		size_t size, const char *data)
{
	unsigned char h[512] = { 0 };
	unsigned sum = 0;
	size_t i;
	static const char zero[512];

	memcpy(h, name, strlen(name) < 100 ? strlen(name) : 100);
	snprintf((char *)h + 100, 8, "%07o", 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011zo", size);
	snprintf((char *)h + 136, 12, "%011o", 1600000000);
	h[156] = (unsigned char)type;
	if (link)
		memcpy(h + 157, link, strlen(link));
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	if (buf_add(b, h, 512))
		abort();
	if (data && (buf_add(b, data, size) ||
		     (size % 512 && buf_add(b, zero, 512 - size % 512))))
		abort();
}

static void end(struct buf *b)
{
	static const char zero[1024];

	if (buf_add(b, zero, sizeof(zero)))
		abort();
}

/* Unpacks b into tmp/<dir> (made fresh); the result of tar_unpack. */
static int unpack(struct buf *b, const char *dir)
{
	char *p = at(dir);
	int rc;

	mkdir(p, 0755);
	rc = tar_unpack(b->data, b->len, p, NULL);
	free(p);
	buf_release(b);
	return rc;
}

static void test_tar_roundtrip(void)
{
	char longname[200], longlink[200], *rel, *s, *src;
	struct stat a, b;
	struct buf t;

	memset(longname, 'n', 150);
	longname[150] = '\0';
	memset(longlink, 'k', 120);
	longlink[120] = '\0';
	rel = at("src");
	mkdir(rel, 0755);
	free(rel);
	rel = at("src/tree");
	mkdir(rel, 0750);
	free(rel);
	rel = at("src/tree/sub");
	mkdir(rel, 0700);
	free(rel);
	put_file("src/tree/a.txt", "alpha\n", 0640, 1500000000);
	put_file("src/tree/sub/run.sh", "#!/bin/sh\n", 0755, 1500000001);
	s = xasprintf("src/tree/sub/%s", longname);
	put_file(s, "long\n", 0600, 1500000002);
	free(s);
	rel = at("src/tree/link");
	if (symlink("a.txt", rel))
		perror("symlink");
	free(rel);
	rel = at("src/tree/longlink");
	if (symlink(longlink, rel))
		perror("symlink");
	free(rel);

	buf_init(&t, 1 << 20);
	src = at("src/tree/");
	ok(tar_pack(src, &t, NULL) == 0, "tar: pack a tree (trailing slash)");
	free(src);
	ok(t.len % 512 == 0 && t.len >= 1024, "  whole blocks, end marker");
	ok(t.len > 512 && !strcmp(t.data, "tree/"),
	   "  named by its last component");
	ok(unpack(&t, "dst") == 0, "tar: unpack it");
	ok(stat(tmp, &a) == 0, "  (tmp dir)");
	s = slurp("dst/tree/a.txt");
	is_str(s, "alpha\n", "  file content");
	free(s);
	rel = xasprintf("dst/tree/sub/%s", longname);
	s = slurp(rel);
	is_str(s, "long\n", "  a 150-byte name (GNU long name)");
	free(s);
	free(rel);
	{
		char *p1 = at("src/tree/a.txt"), *p2 = at("dst/tree/a.txt");

		ok(stat(p1, &a) == 0 && stat(p2, &b) == 0 &&
		   (a.st_mode & 07777) == (b.st_mode & 07777) &&
		   b.st_mtime == 1500000000, "  file mode 0640 and mtime");
		free(p1);
		free(p2);
		p1 = at("src/tree/sub");
		p2 = at("dst/tree/sub");
		ok(stat(p1, &a) == 0 && stat(p2, &b) == 0 &&
		   (b.st_mode & 07777) == 0700, "  directory mode 0700");
		free(p1);
		free(p2);
		p1 = at("dst/tree/sub/run.sh");
		ok(stat(p1, &b) == 0 && (b.st_mode & 07777) == 0755,
		   "  executable mode 0755");
		free(p1);
	}
	{
		char lk[256], *p = at("dst/tree/link");
		ssize_t n = readlink(p, lk, sizeof(lk) - 1);

		ok(n == 5 && !memcmp(lk, "a.txt", 5), "  symlink kept as a "
		   "link");
		free(p);
		p = at("dst/tree/longlink");
		n = readlink(p, lk, sizeof(lk) - 1);
		ok(n == 120 && !memcmp(lk, longlink, 120),
		   "  a 120-byte link target (GNU long link)");
		free(p);
	}

	buf_init(&t, 1 << 20);
	src = at("src/tree/a.txt");
	ok(tar_pack(src, &t, NULL) == 0 && !strcmp(t.data, "a.txt"),
	   "tar: pack a single file as its base name");
	free(src);
	ok(unpack(&t, "one") == 0 && exists("one/a.txt") &&
	   !exists("one/tree"), "  unpacks as that file");

	buf_init(&t, 2048);
	src = at("src/tree");
	ok(tar_pack(src, &t, NULL) == -1, "tar: pack refuses to go over the cap");
	free(src);
	buf_release(&t);
	src = at("src/missing");
	buf_init(&t, 1 << 20);
	ok(tar_pack(src, &t, NULL) == -1, "tar: pack of a missing path fails");
	free(src);
	buf_release(&t);
}

/* "<len> key=value\n", len counting itself. */
static void pax_record(char *out, size_t size, const char *kv)
{
	size_t n = strlen(kv) + 3;	/* ' ', '\n', one digit */

	if (n + 1 >= 10)
		n++;
	if (n >= 100)
		n++;
	snprintf(out, size, "%zu %s\n", n, kv);
}

static bool last_error_has(const char *s)
{
	const char *e = report_main_error();

	return e && strstr(e, s);
}

static void test_tar_refusals(void)
{
	char pax[256];
	struct buf t;

	buf_init(&t, 1 << 20);
	hdr(&t, "/etc/icm-evil", '0', NULL, 2, "x\n");
	end(&t);
	ok(unpack(&t, "r1") == -1 && last_error_has("/etc/icm-evil"),
	   "tar: an absolute name is refused, named");

	buf_init(&t, 1 << 20);
	hdr(&t, "ok.txt", '0', NULL, 3, "ok\n");
	hdr(&t, "a/../../evil", '0', NULL, 2, "x\n");
	end(&t);
	ok(unpack(&t, "r2") == -1 && last_error_has("a/../../evil") &&
	   !exists("r2/evil") && !exists("evil"),
	   "tar: a '..' component is refused, named");

	buf_init(&t, 1 << 20);
	hdr(&t, "l", '2', "/etc", 0, NULL);
	end(&t);
	ok(unpack(&t, "r3") == -1 && last_error_has("'l'") && !exists("r3/l"),
	   "tar: a symlink to an absolute path is refused");

	buf_init(&t, 1 << 20);
	hdr(&t, "d/l", '2', "../../x", 0, NULL);
	end(&t);
	ok(unpack(&t, "r4") == -1 && !exists("r4/d/l"),
	   "tar: a symlink leaving the destination is refused");

	buf_init(&t, 1 << 20);
	hdr(&t, "d/l", '2', "../e/./f", 0, NULL);
	end(&t);
	ok(unpack(&t, "r5") == 0 && exists("r5/d/l"),
	   "tar: a symlink inside the destination is kept");

	/* a link to a directory inside, then a file through it */
	buf_init(&t, 1 << 20);
	hdr(&t, "target/", '5', NULL, 0, NULL);
	hdr(&t, "l", '2', "target", 0, NULL);
	hdr(&t, "l/file", '0', NULL, 2, "x\n");
	end(&t);
	ok(unpack(&t, "r6") == -1 && !exists("r6/target/file") &&
	   last_error_has("l/file"),
	   "tar: nothing is written through a symlink");

	buf_init(&t, 1 << 20);
	hdr(&t, "h", '1', "../outside", 0, NULL);
	end(&t);
	ok(unpack(&t, "r7") == -1 && !exists("r7/h"),
	   "tar: a hard link to a name outside is refused");

	buf_init(&t, 1 << 20);
	hdr(&t, "big", '0', NULL, 1 << 20, NULL);
	end(&t);
	ok(unpack(&t, "r8") == -1 && last_error_has("big") &&
	   !exists("r8/big"), "tar: a size past the archive's end is refused");

	buf_init(&t, 1 << 20);
	hdr(&t, "bad", '0', NULL, 2, "x\n");
	t.data[0] = 'B';		/* the checksum no longer matches */
	end(&t);
	ok(unpack(&t, "r9") == -1 && last_error_has("checksum"),
	   "tar: a bad header checksum is refused");

	/* a pax header naming the file (as Go writes for long names) */
	buf_init(&t, 1 << 20);
	pax_record(pax, sizeof(pax), "path=pax/named.txt");
	hdr(&t, "PaxHeaders/x", 'x', NULL, strlen(pax), pax);
	hdr(&t, "short", '0', NULL, 4, "pax\n");
	end(&t);
	ok(unpack(&t, "r10") == 0 && exists("r10/pax/named.txt") &&
	   !exists("r10/short"), "tar: a pax 'path' record names the entry");

	buf_init(&t, 1 << 20);
	pax_record(pax, sizeof(pax), "path=/abs");
	hdr(&t, "PaxHeaders/x", 'x', NULL, strlen(pax), pax);
	hdr(&t, "short", '0', NULL, 4, "pax\n");
	end(&t);
	ok(unpack(&t, "r11") == -1 && last_error_has("/abs"),
	   "tar: an absolute pax path is refused");

	buf_init(&t, 1 << 20);
	hdr(&t, "././@LongLink", 'L', NULL, 10, "../../up\0\0");
	hdr(&t, "short", '0', NULL, 4, "gnu\n");
	end(&t);
	ok(unpack(&t, "r12") == -1 && last_error_has("../../up"),
	   "tar: a GNU long name with '..' is refused");

	buf_init(&t, 1 << 20);
	hdr(&t, "./", '5', NULL, 0, NULL);
	hdr(&t, "./x", '0', NULL, 2, "x\n");
	hdr(&t, "fifo", '6', NULL, 0, NULL);
	end(&t);
	ok(unpack(&t, "r13") == 0 && exists("r13/x") && !exists("r13/fifo"),
	   "tar: './' is the destination; a FIFO is skipped");

	buf_init(&t, 1 << 20);
	hdr(&t, "trunc", '0', NULL, 2, "x\n");
	t.len = 700;		/* cut inside the data */
	ok(unpack(&t, "r14") == -1, "tar: a truncated archive is refused");
}

/*
 * Copies b to the very end of a page followed by an unmapped one (the
 * mapping is *map, *maplen bytes): a read past b's last byte faults.
 */
static char *guarded(const struct buf *b, char **map, size_t *maplen)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t body = (b->len + pg - 1) / pg * pg;
	char *m;

	*maplen = body + pg;
	m = mmap(NULL, *maplen, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || mprotect(m + body, pg, PROT_NONE))
		abort();
	memcpy(m + body - b->len, b->data, b->len);
	*map = m;
	return m + body - b->len;
}

/* Unpacks a pax header holding text (then a file) into tmp/<dir>. */
static int unpack_pax(const char *text, const char *dir)
{
	struct buf t;

	buf_init(&t, 1 << 20);
	hdr(&t, "PaxHeaders/x", 'x', NULL, strlen(text), text);
	hdr(&t, "short", '0', NULL, 4, "pax\n");
	end(&t);
	return unpack(&t, dir);
}

/* pax records are parsed by length: no NUL, no strtoull (issue 14). */
static void test_tar_pax_bounds(void)
{
	unsigned long long v = 0;
	char digits[512], *ar, *map, *num, *p;
	size_t maplen;
	struct buf t;
	int rc;

	num = xmalloc(5);
	memcpy(num, "12345", 5);	/* no NUL after it */
	ok(str_to_ull_n(num, 3, 999, &v) == 0 && v == 123,
	   "str_to_ull_n stops at its length");
	ok(str_to_ull_n(num, 5, ~0ULL, &v) == 0 && v == 12345,
	   "str_to_ull_n: digits up to the end of the block");
	ok(str_to_ull_n(num, 5, 12344, &v) == -1, "str_to_ull_n: over max");
	ok(str_to_ull_n(num, 0, 9, &v) == -1, "str_to_ull_n: no digits");
	free(num);
	ok(str_to_ull_n("18446744073709551616", 20, ~0ULL, &v) == -1,
	   "str_to_ull_n: 2^64 overflows");
	ok(str_to_ull_n("18446744073709551615", 20, ~0ULL, &v) == 0 &&
	   v == ~0ULL, "str_to_ull_n: 2^64-1 fits");
	ok(str_to_ull_n("+1", 2, 9, &v) == -1 &&
	   str_to_ull_n(" 1", 2, 9, &v) == -1 &&
	   str_to_ull_n("-1", 2, 9, &v) == -1,
	   "str_to_ull_n: a sign or a space is not a digit");

	/* a pax header of 512 digits, the archive's last bytes before an
	 * unmapped page: the length is read within the header's size */
	memset(digits, '9', sizeof(digits));
	buf_init(&t, 1 << 20);
	hdr(&t, "PaxHeaders/x", 'x', NULL, sizeof(digits), digits);
	ar = guarded(&t, &map, &maplen);
	p = at("r15");
	mkdir(p, 0755);
	rc = tar_unpack(ar, t.len, p, NULL);
	ok(rc == -1 && last_error_has("malformed or oversized pax"),
	   "tar: a pax length running to the archive's end is refused");
	munmap(map, maplen);
	free(p);
	buf_release(&t);

	ok(unpack_pax("+22 path=pax/plus.txt\n", "r16") == -1 &&
	   !exists("r16/pax/plus.txt"), "tar: a pax length with '+' is refused");
	ok(unpack_pax(" 20 path=pax/sp.txt\n", "r17") == -1 &&
	   !exists("r17/pax/sp.txt"),
	   "tar: a pax length after a space is refused");
	ok(unpack_pax("11 size=4x\n", "r18") == -1 &&
	   last_error_has("malformed or oversized pax"),
	   "tar: a pax size with junk after its digits is refused");
	ok(unpack_pax("32 size=99999999999999999999999\n", "r19") == -1 &&
	   last_error_has("malformed or oversized pax"),
	   "tar: a pax size that overflows is refused as malformed");
	ok(unpack_pax("11 size=-1\n", "r20") == -1 &&
	   last_error_has("malformed or oversized pax"),
	   "tar: a negative pax size is refused");
	ok(unpack_pax("5 =x\n", "r21") == -1, "tar: an empty pax key is refused");
	ok(unpack_pax("30 mtime=1700000000.123456789\n", "r22") == 0 &&
	   exists("r22/short"), "tar: a pax mtime with a fraction is read");
	ok(unpack_pax("14 mtime=1.2x\n", "r23") == -1,
	   "tar: a pax mtime with junk is refused");
}

static void rm_rf(const char *path)
{
	struct dirent *e;
	struct stat st;
	DIR *d;
	char *sub;

	if (lstat(path, &st))
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			sub = xasprintf("%s/%s", path, e->d_name);
			rm_rf(sub);
			free(sub);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

/* What the node's `tar -C DIR --format=gnu -cf - -- NAME` sends (icm cp),
 * from this machine's GNU tar, into b; 0 when it ran. */
static int gnu_tar(const char *dir, const char *name, struct buf *b)
{
	char *d = at(dir), *cmd = xasprintf("tar -C '%s' --format=gnu -cf - "
					    "-- '%s'", d, name), chunk[4096];
	FILE *f = popen(cmd, "r");
	size_t n;
	int rc = -1;

	if (f) {
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			if (buf_add(b, chunk, n))
				break;
		rc = pclose(f) ? -1 : 0;
	}
	free(cmd);
	free(d);
	return rc;
}

static void test_tar_rebase(void)
{
	char longdir[200], *s, *p1, *p2;
	struct buf in, out;
	struct stat a, b;

	/* src/tree from test_tar_roundtrip, plus a hard link */
	p1 = at("src/tree/a.txt");
	p2 = at("src/tree/hard");
	if (link(p1, p2))
		perror("link");
	free(p1);
	free(p2);

	buf_init(&in, 1 << 20);
	buf_init(&out, 1 << 20);
	ok(gnu_tar("src/tree", "a.txt", &in) == 0, "rebase: GNU tar of a file");
	ok(tar_rebase(in.data, in.len, "a.txt", "tmp/note.txt", false,
		      &out, NULL) == 0, "rebase: a file to tmp/note.txt");
	ok(out.len > 512 && !strcmp(out.data, "tmp/note.txt") &&
	   !memcmp(out.data + 108, "0000000", 7) &&
	   !memcmp(out.data + 116, "0000000", 7) &&
	   !strcmp(out.data + 265, "root"), "  renamed, owner root:root");
	ok(unpack(&out, "rb1") == 0, "  extracts");
	s = slurp("rb1/tmp/note.txt");
	is_str(s, "alpha\n", "  the file is tmp/note.txt");
	free(s);
	buf_release(&in);

	buf_init(&in, 1 << 20);
	buf_init(&out, 1 << 20);
	ok(gnu_tar("src", "tree", &in) == 0, "rebase: GNU tar of a tree");
	ok(tar_rebase(in.data, in.len, "tree", "opt/conf", true, &out, NULL) == 0,
	   "rebase: its contents into opt/conf");
	ok(out.len > 512 && strcmp(out.data, "opt/conf/"),
	   "  the directory itself is left out (its destination keeps its "
	   "mode)");
	ok(unpack(&out, "rb2") == 0, "  extracts");
	s = slurp("rb2/opt/conf/sub/run.sh");
	is_str(s, "#!/bin/sh\n", "  a file two levels down");
	free(s);
	p1 = at("rb2/opt/conf/a.txt");
	p2 = at("rb2/opt/conf/hard");
	ok(stat(p1, &a) == 0 && stat(p2, &b) == 0 && a.st_ino == b.st_ino,
	   "  a hard link follows its target's new name");
	free(p1);
	free(p2);
	ok(!exists("rb2/opt/conf/tree") && !exists("rb2/tree"),
	   "  nothing under the old name");
	buf_release(&in);

	buf_init(&in, 1 << 20);
	buf_init(&out, 1 << 20);
	memset(longdir, 'd', 150);
	longdir[150] = '\0';
	ok(gnu_tar("src", "tree", &in) == 0 &&
	   tar_rebase(in.data, in.len, "tree", longdir, false, &out, NULL) == 0,
	   "rebase: the tree itself to a 150-byte name");
	ok(!strcmp(out.data, "././@LongLink"), "  a GNU long name first");
	ok(unpack(&out, "rb3") == 0, "  extracts");
	s = xasprintf("rb3/%s/a.txt", longdir);
	p1 = at(s);
	ok(stat(p1, &a) == 0, "  the file under the long name");
	free(p1);
	free(s);
	s = xasprintf("rb3/%s", longdir);
	p1 = at(s);
	ok(stat(p1, &a) == 0 && (a.st_mode & 07777) == 0750,
	   "  the directory keeps its mode 0750");
	free(p1);
	free(s);

	buf_init(&out, 1 << 20);
	ok(tar_rebase(in.data, in.len, "tre", "x", false, &out, NULL) == -1 &&
	   last_error_has("not 'tre' or below it"),
	   "rebase: a member outside `from` is refused, named");
	buf_release(&out);
	buf_init(&out, 2048);
	ok(tar_rebase(in.data, in.len, "tree", "x", false, &out, NULL) == -1 &&
	   last_error_has("larger than 2048 bytes"),
	   "rebase: the cap holds");
	buf_release(&out);
	buf_init(&out, 1 << 20);
	ok(tar_rebase(in.data, in.len / 2 / 512 * 512 + 100, "tree", "x",
		      false, &out, NULL) == -1, "rebase: a truncated archive fails");
	buf_release(&out);
	buf_release(&in);
}

int main(void)
{
	snprintf(tmp, sizeof(tmp), "%s/t-docker.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	test_demux();
	test_version();
	test_escape();
	test_path();
	test_names();
	test_tar_roundtrip();
	test_tar_refusals();
	test_tar_pax_bounds();
	test_tar_rebase();
	rm_rf(tmp);
	return done_testing();
}
