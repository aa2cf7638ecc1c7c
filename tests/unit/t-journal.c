/* t-journal.c: the append-only journal of cloud calls (state/journal). */
#include "icm.h"
#include "state/journal.h"
#include "state/log.h"
#include "util/str.h"
#include "tap.h"
#include "testutil.h"
#include <signal.h>
#include <sys/wait.h>

int main(void)
{
	char dir[] = "/tmp/t-journal.XXXXXX";
	char *path, *outside;
	struct journal *j = NULL;
	struct stat st;
	FILE *f;
	pid_t pid;
	int status;

	if (!mkdtemp(dir))
		return 1;
	path = xasprintf("%s/journal", dir);

	ok(journal_open(dir, &j) == 0, "open a new journal");
	is_int(journal_state(j, "vpc"), JOURNAL_NONE, "unknown key: NONE");
	ok(journal_intent(j, "vpc", "CreateVpc", "tok-1") == 0, "intent");
	is_int(journal_state(j, "vpc"), JOURNAL_PENDING, "intent: PENDING");
	is_str(journal_token(j, "vpc"), "tok-1", "the intent's token");
	ok(journal_id(j, "vpc") == NULL, "no ID while pending");
	ok(journal_done(j, "vpc", "vpc-123") == 0, "done");
	ok(journal_intent(j, "subnet/a", "CreateSubnet", NULL) == 0 &&
	   journal_failed(j, "subnet/a", "InvalidZone.NotFound") == 0,
	   "a failed call");
	ok(journal_intent(j, "igw", "CreateInternetGateway", NULL) == 0,
	   "an intent left pending");
	journal_close(j);

	ok(journal_open(dir, &j) == 0, "reopen");
	is_int(journal_state(j, "vpc"), JOURNAL_DONE, "read back: DONE");
	is_str(journal_id(j, "vpc"), "vpc-123", "read back: the ID");
	is_int(journal_state(j, "subnet/a"), JOURNAL_FAILED,
	       "read back: FAILED");
	is_int(journal_state(j, "igw"), JOURNAL_PENDING,
	       "read back: PENDING");
	ok(journal_deleted(j, "vpc") == 0, "deleted");
	is_int(journal_state(j, "vpc"), JOURNAL_DELETED, "DELETED");
	ok(journal_id(j, "vpc") == NULL, "a deleted resource has no ID");
	journal_close(j);

	/* a record cut by a kill (no newline) is ignored */
	f = fopen(path, "a");
	fputs("{\"rec\":\"done\",\"key\":\"igw\",\"id\":\"igw-", f);
	fclose(f);
	ok(journal_open(dir, &j) == 0, "reopen after a cut record");
	is_int(journal_state(j, "igw"), JOURNAL_PENDING,
	       "the cut record is ignored");
	journal_close(j);

	/* an edited journal is refused, naming the line */
	f = fopen(path, "a");
	fputs("not json\n", f);
	fclose(f);
	ok(journal_open(dir, &j) == -1, "a bad line is refused");
	ok(strstr(report_main_error(), "/journal:7: not a journal record") !=
	   NULL, "the message names the line");
	unlink(path);

	/* the test hook: killed right after the 2nd result record */
	pid = fork();
	if (pid == 0) {
		setenv("ICM_TEST_KILL_AFTER", "2", 1);
		if (journal_open(dir, &j))
			_exit(3);
		if (journal_intent(j, "a", "X", NULL) ||
		    journal_done(j, "a", "1") ||
		    journal_intent(j, "b", "X", NULL) ||
		    journal_done(j, "b", "2") ||
		    journal_intent(j, "c", "X", NULL) ||
		    journal_done(j, "c", "3"))
			_exit(4);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	   "ICM_TEST_KILL_AFTER=2: SIGKILL");
	ok(journal_open(dir, &j) == 0, "reopen after the kill");
	is_str(journal_id(j, "b"), "2", "the 2nd result was written");
	is_int(journal_state(j, "c"), JOURNAL_NONE,
	       "nothing after the kill point");
	journal_close(j);

	unlink(path);

	/* a journal planted as a symlink (a state directory handed over) is
	 * not followed, nor read, nor written through; a FIFO not waited on */
	outside = xasprintf("%s.outside", dir);
	f = fopen(outside, "w");
	fclose(f);
	ok(symlink(outside, path) == 0 && journal_open(dir, &j) == -1,
	   "a journal that is a symlink is refused");
	ok(strstr(report_main_error(), "/journal': not a regular file (a "
		  "symbolic link)") != NULL, "the message says so");
	ok(stat(outside, &st) == 0 && st.st_size == 0,
	   "the file it names is untouched");
	unlink(path);
	unlink(outside);
	ok(mkfifo(path, 0600) == 0 && journal_open(dir, &j) == -1 &&
	   strstr(report_main_error(), "not a regular file (a FIFO)"),
	   "a journal that is a FIFO is refused at once");
	unlink(path);
	free(outside);

	rmdir(dir);
	free(path);
	return done_testing();
}
