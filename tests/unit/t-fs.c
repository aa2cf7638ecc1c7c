/*
 * t-fs.c: fs_absolute(), the paths provision records, what the readers
 * of user files refuse (a FIFO, a directory, a device, a symlink loop) and
 * what the writers refuse (a FIFO, a planted symlink) (util/fs).
 */
#include "icm.h"
#include "util/fs.h"
#include "util/str.h"
#include "tap.h"
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

static void hung(int sig)
{
	static const char msg[] = "not ok - blocked on a FIFO\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

/* Run in a scratch directory (the working directory). */
static void test_regular_only(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct buf b;
	int fd, s, err;

	signal(SIGALRM, hung);
	alarm(5);
	ok(mkfifo("fifo", 0600) == 0, "a FIFO with no writer");
	errno = 0;
	fd = fs_open_regular("fifo");
	err = errno;
	ok(fd == -1 && err == FS_ENOTREG(S_IFIFO),
	   "fs_open_regular refuses it at once");
	is_str(fs_strerror(err), "not a regular file (a FIFO)",
	       "fs_strerror names a FIFO");
	buf_init(&b, 4096);
	ok(fs_read_file("fifo", &b) == -1 && errno == FS_ENOTREG(S_IFIFO),
	   "fs_read_file refuses a FIFO without blocking");
	alarm(0);

	ok(mkdir("dir", 0700) == 0 && fs_read_file("dir", &b) == -1,
	   "a directory is refused");
	is_str(fs_strerror(errno), "not a regular file (a directory)",
	       "and named");
	ok(fs_read_file("/dev/null", &b) == -1, "/dev/null is refused");
	is_str(fs_strerror(errno), "not a regular file (a character device)",
	       "and named as a device");
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	memcpy(sa.sun_path, "sock", 5);
	ok(s >= 0 && !bind(s, (struct sockaddr *)&sa, sizeof(sa)) &&
	   fs_read_file("sock", &b) == -1 &&
	   !strcmp(fs_strerror(errno), "not a regular file (a socket)"),
	   "a socket is refused, named");
	if (s >= 0)
		close(s);

	ok(symlink("loop", "loop") == 0 && fs_read_file("loop", &b) == -1 &&
	   errno == ELOOP, "a symlink loop is refused");
	is_str(fs_strerror(errno),
	       "too many levels of symbolic links (a symlink loop)",
	       "and named as a loop");
	ok(fs_mkdirs("loop", 0700) == -1 && errno == ELOOP,
	   "fs_mkdirs of a symlink loop says ELOOP, not ENOTDIR");
	ok(fs_mkdirs("loop/a/b", 0700) == -1 && errno == ELOOP,
	   "... and of a path through one");
	ok(fs_write_atomic("file", "x\n", 2, 0600) == 0 &&
	   fs_mkdirs("file/a", 0700) == -1 && errno == ENOTDIR,
	   "fs_mkdirs through a file: ENOTDIR");
	is_str(fs_strerror(EFBIG), "file too large", "EFBIG: over the cap");
	is_str(fs_strerror(ENOENT), strerror(ENOENT), "others: strerror");

	ok(symlink("file", "link") == 0 && fs_read_file("link", &b) == 0 &&
	   b.len == 2 && !memcmp(b.data, "x\n", 2),
	   "a symlink to a regular file is read");
	fd = fs_open_regular("file");
	ok(fd >= 0 && !(fcntl(fd, F_GETFL) & O_NONBLOCK) &&
	   (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	   "the descriptor is blocking again, close-on-exec");
	if (fd >= 0)
		close(fd);
	buf_release(&b);
	if (unlink("fifo") || rmdir("dir") || unlink("sock") ||
	    unlink("loop") || unlink("link") || unlink("file"))
		printf("# could not clean up\n");
}

/* The content of path, or "" (static buffer). */
static const char *content(const char *path)
{
	static char text[64];
	struct buf b;

	text[0] = 0;
	buf_init(&b, sizeof(text) - 1);
	if (!fs_read_file(path, &b) && b.len)
		memcpy(text, b.data, b.len + 1);
	buf_release(&b);
	return text;
}

/* fs_open_append: the writer of icm.log, the journal and the lock.  Run in
 * a scratch directory. */
static void test_append(void)
{
	char *tmp;
	int fd, err;

	signal(SIGALRM, hung);
	alarm(5);
	ok(mkfifo("wfifo", 0600) == 0, "a FIFO with no reader");
	errno = 0;
	fd = fs_open_append("wfifo");
	err = errno;
	ok(fd == -1 && err == FS_ENOTREG(S_IFIFO),
	   "fs_open_append refuses it at once");
	is_str(fs_strerror(err), "not a regular file (a FIFO)",
	       "named as a FIFO");
	alarm(0);

	ok(fs_write_atomic("outside", "theirs\n", 7, 0600) == 0 &&
	   symlink("outside", "planted") == 0, "a symlink to a file");
	fd = fs_open_append("planted");
	err = errno;
	ok(fd == -1 && err == FS_ENOTREG(S_IFLNK),
	   "fs_open_append does not follow it");
	is_str(fs_strerror(err), "not a regular file (a symbolic link)",
	       "named as a symbolic link");
	is_str(content("outside"), "theirs\n", "the file it names is untouched");
	ok(symlink("nowhere", "dangling") == 0 &&
	   fs_open_append("dangling") == -1 &&
	   errno == FS_ENOTREG(S_IFLNK) && !fs_exists("nowhere"),
	   "a dangling symlink is refused, its target not created");
	ok(mkdir("wdir", 0700) == 0 && fs_open_append("wdir") == -1 &&
	   errno == FS_ENOTREG(S_IFDIR), "a directory is refused, named");

	fd = fs_open_append("new.log");
	ok(fd >= 0 && write(fd, "a\n", 2) == 2, "a new file is created");
	ok(fd >= 0 && !(fcntl(fd, F_GETFL) & O_NONBLOCK) &&
	   (fcntl(fd, F_GETFL) & O_APPEND) &&
	   (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	   "appending, blocking again, close-on-exec");
	if (fd >= 0)
		close(fd);
	fd = fs_open_append("new.log");
	ok(fd >= 0 && write(fd, "b\n", 2) == 2, "an existing one reopened");
	if (fd >= 0)
		close(fd);
	is_str(content("new.log"), "a\nb\n", "and appended to");

	/* fs_write_atomic's temporary name is guessable: what is planted
	 * there is replaced, not written through, nor waited on. */
	tmp = xasprintf("target.tmp.%ld", (long)getpid());
	ok(symlink("outside", tmp) == 0 &&
	   fs_write_atomic("target", "ours\n", 5, 0600) == 0,
	   "fs_write_atomic with a symlink at its temporary name");
	is_str(content("outside"), "theirs\n", "writes nothing through it");
	is_str(content("target"), "ours\n", "writes the target");
	ok(!fs_exists(tmp), "and leaves no temporary");
	alarm(5);
	ok(mkfifo(tmp, 0600) == 0 &&
	   fs_write_atomic("target", "two\n", 4, 0600) == 0 &&
	   !strcmp(content("target"), "two\n"),
	   "a FIFO at the temporary name does not block it");
	alarm(0);
	ok(symlink("outside", "resp") == 0 &&
	   fs_write_atomic("resp", "new\n", 4, 0600) == 0,
	   "fs_write_atomic onto a symlink");
	is_str(content("outside"), "theirs\n", "replaces the link, not its file");
	free(tmp);
	if (unlink("wfifo") || unlink("outside") || unlink("planted") ||
	    unlink("dangling") || rmdir("wdir") || unlink("new.log") ||
	    unlink("target") || unlink("resp"))
		printf("# could not clean up\n");
}

static void abs_is(const char *path, const char *want)
{
	char *got = fs_absolute(path), *name;

	name = xasprintf("fs_absolute(\"%s\")", path);
	is_str(got, want, name);
	free(name);
	free(got);
}

int main(void)
{
	char dir[] = "/tmp/t-fs-XXXXXX", *real;

	if (!mkdtemp(dir) || chdir(dir))
		return 1;
	real = fs_absolute(".");	/* mkdtemp's dir as getcwd() has it */
	ok(real && real[0] == '/', "the working directory is absolute");
	abs_is("/", "/");
	abs_is("/a/b", "/a/b");
	abs_is("//a///b//", "/a/b");
	abs_is("/a/./b/../c", "/a/c");
	abs_is("/..", "/");
	abs_is("/a/../../b", "/b");
	{
		char *want = xasprintf("%s/state", real);

		abs_is("state", want);
		abs_is("./state/", want);
		abs_is("x/../state", want);
		free(want);
	}
	{
		char *up = fs_absolute("..");
		size_t n = strlen(real);

		while (n > 1 && real[n - 1] != '/')
			n--;
		if (n > 1)
			n--;
		ok(up && strlen(up) == n && !strncmp(up, real, n),
		   "\"..\" is the parent (%s)", up ? up : "NULL");
		free(up);
	}
	test_regular_only();
	test_append();
	if (chdir("/") || rmdir(dir))
		return 1;
	free(real);
	return done_testing();
}
