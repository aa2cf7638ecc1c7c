/*
 * t-remote.c: what the state in S3 checks before a name becomes a request
 * or a path (state/stateurl.h, state/remote_int.h): s3:// URLs, the
 * StateDir field's rule, the store's object names below the working copy,
 * the working copy's files that stay local.
 */
#include "icm.h"
#include "state/remote_int.h"
#include "state/stateurl.h"
#include "util/str.h"
#include "tap.h"

static void url_ok(const char *s, const char *bucket, const char *prefix)
{
	struct state_url u;
	char *why = NULL;
	int rc = state_url_parse(s, &u, &why);

	ok(rc == 0 && !strcmp(u.bucket, bucket) && !strcmp(u.prefix, prefix),
	   "%s: bucket %s, prefix '%s' (%s)", s, bucket, prefix,
	   why ? why : "parsed");
	state_url_release(&u);
	free(why);
}

static void url_bad(const char *s)
{
	struct state_url u;
	char *why = NULL;

	ok(state_url_parse(s, &u, &why) == -1 && why &&
	   strstr(why, "expected s3://BUCKET or s3://BUCKET/PREFIX"),
	   "refused: %.*s", (int)strcspn(s, "\n"), s);
	state_url_release(&u);
	free(why);
}

static void urls(void)
{
	url_ok("s3://icm-state", "icm-state", "");
	url_ok("s3://icm-state/", "icm-state", "");
	url_ok("s3://icm-state/prod", "icm-state", "prod");
	url_ok("s3://icm-state/team/prod-1/", "icm-state", "team/prod-1");
	url_ok("s3://my.bucket.example/a_b.c", "my.bucket.example", "a_b.c");
	url_bad("s3://");
	url_bad("s3://ab");			/* too short */
	url_bad("s3://Upper");
	url_bad("s3://under_score");
	url_bad("s3://-start");
	url_bad("s3://end-");
	url_bad("s3://two..dots");
	url_bad("s3://dash-.dot");
	url_bad("s3://192.168.1.1");
	url_bad("s3://icm-state/../etc");
	url_bad("s3://icm-state/a//b");
	url_bad("s3://icm-state/./a");
	url_bad("s3://icm-state/a b");
	url_bad("s3://icm-state/a\nb");
	url_bad("s3://icm-state/$(id)");
	url_bad("S3://icm-state");
	url_bad("http://icm-state/x");
	ok(state_url_is_remote("s3://x") && state_url_is_remote("S3://x") &&
	   !state_url_is_remote("./state") && !state_url_is_remote(NULL),
	   "s3:// (any case) is remote, a path is not");
}

static void statedir_rule(void)
{
	char *why;

	ok(!(why = state_dir_reason("state")), "StateDir: a relative path");
	free(why);
	ok(!(why = state_dir_reason("/srv/icm/state")),
	   "StateDir: an absolute path");
	free(why);
	ok(!(why = state_dir_reason("s3://icm-state/prod")),
	   "StateDir: a state URL");
	free(why);
	ok((why = state_dir_reason("../elsewhere")) && strstr(why, "'..'"),
	   "StateDir: '..' refused");
	free(why);
	ok((why = state_dir_reason("a/../b")) != NULL,
	   "StateDir: an inner '..' refused");
	free(why);
	ok((why = state_dir_reason("a\tb")) && strstr(why, "control"),
	   "StateDir: a control character refused");
	free(why);
	ok((why = state_dir_reason("s3://Bad")) != NULL,
	   "StateDir: a bad URL refused");
	free(why);
	ok((why = state_dir_reason("")) != NULL, "StateDir: empty refused");
	free(why);
	ok(!(why = state_dir_reason("..x/y")), "StateDir: '..x' is a name");
	free(why);
}

static void names(void)
{
	static const char *const good[] = {
		"known_hosts", "pki/ca.pem", "ECP-DM-TEST/ECP-DM-TEST-0001/ssh.out",
		"a/b/c/d", "..x", "x..",
	};
	static const char *const bad[] = {
		"", "/etc/passwd", "../x", "a/../b", "a/./b", "a//b", "a/",
		".", "..", "a/..", "a\\b", "a\nb", "a\x7f",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		ok(remote_rel_ok(good[i]), "object name kept: %s", good[i]);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ok(!remote_rel_ok(bad[i]), "object name refused: bad[%zu]",
		   i);
	ok(remote_local_only("lock") && remote_local_only("journal") &&
	   remote_local_only("pki/ca.pem.tmp.1234") &&
	   !remote_local_only("pki/ca.pem") &&
	   !remote_local_only("x.tmp.") && !remote_local_only("x.tmp.12a") &&
	   !remote_local_only("ECP-TEST/lock"),
	   "local only: the lock, the journal, temporary files");
}

static void shown(void)
{
	char *t = remote_shown("pid\x1b[2Jhost\nx", 100);

	is_str(t, "pid?[2Jhost?x", "the store's text shown without control "
	       "characters");
	free(t);
	t = remote_shown("abcdef", 3);
	is_str(t, "abc", "... and at most max bytes");
	free(t);
}

int main(void)
{
	urls();
	shown();
	statedir_rule();
	names();
	return done_testing();
}
