/* t-statedir.c: the state directory lock (state/statedir). */
#include "icm.h"
#include "state/statedir.h"
#include "state/nodeout.h"
#include "config/plan.h"
#include "state/log.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/str.h"
#include "tap.h"
#include <sys/file.h>
#include <sys/wait.h>

int main(void)
{
	char base[] = "/tmp/icm-t-statedir-XXXXXX";
	struct statedir_lock *lk = NULL, *lk2 = NULL;
	char *dir, *lockpath;
	struct buf b;
	int fd;

	ok(mkdtemp(base) != NULL, "temp dir");
	dir = xasprintf("%s/state", base);
	lockpath = xasprintf("%s/lock", dir);

	ok(statedir_lock(dir, "icm provision", &lk) == 0, "lock taken");
	ok(fs_is_dir(dir), "state directory created");
	buf_init(&b, 4096);
	ok(fs_read_file(lockpath, &b) == 0, "lock record readable");
	ok(b.data && strstr(b.data, "command=icm provision\n") &&
	   strstr(b.data, "pid=") && strstr(b.data, "host=") &&
	   strstr(b.data, "started="), "record holds pid, host, time, command");
	buf_release(&b);

	/* A second writer (another process: flock is per open file). */
	{
		pid_t pid = fork();
		int st = 0;

		if (pid == 0) {
			struct statedir_lock *other = NULL;
			int r = statedir_lock(dir, "icm unprovision", &other);
			const char *m = report_main_error();

			_exit(r == -1 && m && strstr(m, "is locked by "
				"'icm provision' (pid ") ? 0 : 1);
		}
		waitpid(pid, &st, 0);
		ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		   "a second writer is refused, naming the holder");
	}
	statedir_unlock(lk);
	ok(!fs_exists(lockpath), "unlock removes the lock file");
	ok(!fs_exists(dir), "and the directory it created, when empty");

	/* A stale record (holder gone, no flock) is taken over. */
	ok(fs_mkdirs(dir, 0700) == 0, "state dir again");
	fd = open(lockpath, O_WRONLY | O_CREAT, 0600);
	{
		static const char rec[] = "pid=999999\nhost=gone\nuser=u\n"
					  "started=t\ncommand=icm run\n";

		ok(fd >= 0 && write(fd, rec, strlen(rec)) ==
		   (ssize_t)strlen(rec), "stale record");
	}
	close(fd);
	ok(statedir_lock(dir, "icm provision", &lk2) == 0,
	   "stale lock taken over");
	statedir_unlock(lk2);
	ok(fs_is_dir(dir), "a directory it did not create stays");

	/* Per-node output files: ICM's layout, redacted, 0600. */
	{
		struct node n;
		char *path = NULL, *want;
		struct stat st;

		memset(&n, 0, sizeof(n));
		n.name = "ECP-DM-TEST-0001";
		n.role = "DM";
		n.fields = cJSON_CreateObject();
		cJSON_AddStringToObject(n.fields, "Label", "ECP");
		cJSON_AddStringToObject(n.fields, "Tag", "TEST");
		secret_register("a test secret", "node-out-secret");
		ok(nodeout_write(dir, &n, "ssh.out", "pw node-out-secret\n",
				 &path) == 0, "nodeout_write");
		want = xasprintf("%s/ECP-DM-TEST/ECP-DM-TEST-0001/ssh.out", dir);
		is_str(path, want, "ICM's per-node path");
		buf_init(&b, 4096);
		ok(path && fs_read_file(path, &b) == 0 && b.data &&
		   !strcmp(b.data, "pw " REDACTED "\n"), "contents redacted");
		ok(path && stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
		   "0600");
		buf_release(&b);
		free(path);
		free(want);
		cJSON_Delete(n.fields);
	}
	/* A name that would leave the state directory (instances.json is
	 * checked where it is read; this is the one place names become
	 * paths, checked again). */
	{
		static const char *const bad[] = {
			"../../escaped", "..", ".", "a/b", "", "a\nb",
		};
		struct node n;
		char *path = NULL, *out = xasprintf("%s/escaped", base), *d;
		size_t i;

		memset(&n, 0, sizeof(n));
		n.role = "DM";
		n.fields = cJSON_CreateObject();
		cJSON_AddStringToObject(n.fields, "Label", "ECP");
		cJSON_AddStringToObject(n.fields, "Tag", "TEST");
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			n.name = (char *)bad[i];
			ok(nodeout_write(dir, &n, "ssh.out", "x\n", &path) == -1
			   && !path, "machine name %zu refused", i + 1);
		}
		ok(!fs_exists(out), "nothing written outside the state "
		   "directory");
		n.name = "ECP-DM-TEST-0001";
		cJSON_ReplaceItemInObject(n.fields, "Label",
					  cJSON_CreateString("../.."));
		d = statedir_def_dir(dir, &n);
		ok(!d, "a Label with '/' names no definition directory");
		is_str(report_main_error(), "'../..-DM-TEST' cannot name a "
		       "directory in the state directory", "... and says why");
		free(d);
		free(out);
		cJSON_Delete(n.fields);
	}
	/* A state directory from someone else, with a symbolic link planted
	 * where a definition's or a node's directory goes: refused, nothing
	 * written where it points. */
	{
		struct node n;
		char *path = NULL, *outside = xasprintf("%s/outside", base);
		char *link = xasprintf("%s/Lab-DS-T", dir);
		char *link2 = xasprintf("%s/Lab-DM-T", dir);
		char *node2 = xasprintf("%s/Lab-DM-T/Lab-DM-T-0001", dir);
		char *p1 = xasprintf("%s/Lab-DS-T-0001/ssh.out", outside);
		char *p2 = xasprintf("%s/ssh.out", outside);

		ok(mkdir(outside, 0700) == 0 && symlink(outside, link) == 0,
		   "a definition directory planted as a link");
		memset(&n, 0, sizeof(n));
		n.role = "DS";
		n.name = "Lab-DS-T-0001";
		n.fields = cJSON_CreateObject();
		cJSON_AddStringToObject(n.fields, "Label", "Lab");
		cJSON_AddStringToObject(n.fields, "Tag", "T");
		ok(nodeout_write(dir, &n, "ssh.out", "x\n", &path) == -1 &&
		   !path, "nodeout_write through it is refused");
		ok(strstr(report_main_error(), "is a symbolic link") != NULL,
		   "... saying it is a link: %s", report_main_error());
		ok(!fs_exists(p1), "nothing written where it points");
		/* the node's own directory planted as a link */
		ok(mkdir(link2, 0700) == 0 && symlink(outside, node2) == 0,
		   "a node directory planted as a link");
		n.role = "DM";
		n.name = "Lab-DM-T-0001";
		ok(nodeout_write(dir, &n, "ssh.out", "x\n", &path) == -1 &&
		   !path, "nodeout_write into it is refused");
		ok(!fs_exists(p2), "nothing written where it points");
		cJSON_Delete(n.fields);
		free(p1);
		free(p2);
		free(node2);
		free(link2);
		free(link);
		free(outside);
	}
	ok(fs_remove_tree(base) == 0, "cleaned up");
	free(dir);
	free(lockpath);
	return done_testing();
}
