/*
 * t-engine.c: the provider-neutral engine (provider/resource.h) driven
 * through a test provider over an in-memory cloud (fakecloud.h): killed
 * after every journal record and inside every create, then resumed;
 * adoption and tokens; scale-out, scale-in with and without confirmation;
 * reconciliation with what was deleted behind icm's back; teardown and
 * sweep; errors as values.
 *
 * The cases take a struct fixture: a kinds table with its provider's
 * create and destroy over the engine, and the cloud they run against.
 * Another provider's kinds can be driven through the same cases by a
 * fixture of its own over the same kind of fake.
 */
#include "icm.h"
#include "state/journal.h"
#include "state/log.h"
#include "util/str.h"
#include "tap.h"
#include "testutil.h"
#include "fakecloud.h"
#include <sys/wait.h>

#define DEP "T-TEST"

struct fixture {
	struct fake_cloud *c;
	struct fake_prov prov;
	/* the provider's create and destroy over the engine */
	int (*provision)(struct fake_prov *fp, const char *dir,
			 const struct plan *p, bool force,
			 bool (*confirm)(const char *question),
			 size_t *listings);
	int (*unprovision)(struct fake_prov *fp, const char *dir);
	char *base;		/* a directory for state directories */
	char *dir;		/* the state directory in use */
	int seq;
	size_t listings;	/* of the last create */
};

/* ICM's confirmation, answered by the test. */
static bool answer;
static int asked;
static char question[512];

static bool test_confirm(const char *q)
{
	asked++;
	snprintf(question, sizeof(question), "%s", q);
	return answer;
}

static void fx_reset(struct fixture *f)
{
	memset(f->c, 0, sizeof(*f->c));
	free(f->dir);
	f->dir = xasprintf("%s/s%d", f->base, ++f->seq);
}

static int fx_create(struct fixture *f, const struct plan *p, bool force)
{
	return f->provision(&f->prov, f->dir, p, force, test_confirm,
			    &f->listings);
}

static int fx_destroy(struct fixture *f)
{
	return f->unprovision(&f->prov, f->dir);
}

/* Nodes <DEP-prefix>-0001.. in zones a, b, a, ... */
static void plan_of(struct plan *p, size_t n)
{
	size_t i;

	plan_init(p);
	p->nodes = xcalloc(n, sizeof(*p->nodes));
	for (i = 0; i < n; i++) {
		struct node *m = &p->nodes[i];

		m->name = xasprintf("T-DM-TEST-%04zu", i + 1);
		m->role = xstrdup("DM");
		m->number = (int)i + 1;
		m->zone = xstrdup(fake_zones[i % FAKE_ZONES]);
		m->fields = cJSON_CreateObject();
	}
	p->n = n;
}

static void quiet(void)
{
	int fd = open("/dev/null", O_WRONLY);

	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
}

/* Forks a child that runs create (with env ICM_TEST_KILL_AFTER=after
 * when after > 0); its wait status. */
static int create_in_child(struct fixture *f, const struct plan *p,
			   long after)
{
	pid_t pid = fork();
	int status = -1;

	if (pid == 0) {
		char n[24];

		quiet();
		snprintf(n, sizeof(n), "%ld", after);
		if (after > 0)
			setenv("ICM_TEST_KILL_AFTER", n, 1);
		_exit(fx_create(f, p, false) ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	return status;
}

/* The journal's state and ID of key (id copied into idbuf). */
static enum journal_state recorded(struct fixture *f, const char *key,
				   char *idbuf, size_t len)
{
	struct journal *j = NULL;
	enum journal_state st = JOURNAL_NONE;

	if (idbuf)
		idbuf[0] = '\0';
	if (journal_open(f->dir, &j))
		return JOURNAL_NONE;
	st = journal_state(j, key);
	if (idbuf && journal_id(j, key))
		snprintf(idbuf, len, "%s", journal_id(j, key));
	else if (idbuf && journal_token(j, key) && st == JOURNAL_PENDING)
		snprintf(idbuf, len, "token:%s", journal_token(j, key));
	journal_close(j);
	return st;
}

static char *journal_text(struct fixture *f)
{
	char *path = xasprintf("%s/journal", f->dir), *t = slurp(path);

	free(path);
	return t ? t : xstrdup("");
}

/*
 * Whether the cloud holds exactly what p plans, and the journal agrees:
 * one net, a subnet per zone, one route, one address, one live node per
 * machine (named by its tag), each recorded DONE with the cloud's ID.
 * why: the first difference.
 */
static bool holds_exactly(struct fixture *f, const struct plan *p, char *why,
			  size_t len)
{
	static const char *const one[] = { "net", "subnet/a", "subnet/b" };
	struct fake_cloud *c = f->c;
	char id[64], key[64];
	size_t i;

	snprintf(why, len, "(none)");
	if (fake_count(c, DEP, "net") != 1 || fake_count(c, DEP, "route") != 1 ||
	    fake_count(c, DEP, "subnet") != FAKE_ZONES ||
	    fake_count(c, DEP, "addr") != 1 ||
	    fake_count(c, DEP, "node") != p->n) {
		snprintf(why, len, "%zu nets, %zu routes, %zu subnets, %zu "
			 "addresses, %zu nodes", fake_count(c, DEP, "net"),
			 fake_count(c, DEP, "route"),
			 fake_count(c, DEP, "subnet"),
			 fake_count(c, DEP, "addr"), fake_count(c, DEP, "node"));
		return false;
	}
	for (i = 0; i < ARRAY_SIZE(one); i++) {
		const struct fake_res *r = fake_by_key(c, DEP, i ? "subnet" :
						       "net", one[i]);

		if (recorded(f, one[i], id, sizeof(id)) != JOURNAL_DONE ||
		    !r || strcmp(r->id, id)) {
			snprintf(why, len, "%s recorded '%s', in the cloud "
				 "'%s'", one[i], id, r ? r->id : "");
			return false;
		}
	}
	if (recorded(f, "route", NULL, 0) != JOURNAL_DONE) {
		snprintf(why, len, "the route is not recorded");
		return false;
	}
	for (i = 0; i < p->n; i++) {
		const struct fake_res *r;
		const char *m = p->nodes[i].name;

		snprintf(key, sizeof(key), "node/%s", m);
		recorded(f, key, id, sizeof(id));
		r = fake_find(c, id);
		if (!r || !r->live || strcmp(r->name, m)) {
			snprintf(why, len, "%s: recorded '%s', %s", m, id,
				 !r ? "not in the cloud" : !r->live ?
				 "terminated" : "named otherwise");
			return false;
		}
		snprintf(key, sizeof(key), "name/%s", m);
		if (recorded(f, key, NULL, 0) != JOURNAL_DONE) {
			snprintf(why, len, "%s is not recorded", key);
			return false;
		}
	}
	snprintf(key, sizeof(key), "addr/%s", p->nodes[0].name);
	recorded(f, key, id, sizeof(id));
	if (!fake_find(c, id) || !fake_find(c, id)->live) {
		snprintf(why, len, "%s recorded '%s'", key, id);
		return false;
	}
	return true;
}

/* The one key a killed run left PENDING, or "" (copied into key). */
static void each_pending(void *arg, const char *k, enum journal_state st,
			 const char *id)
{
	if (st == JOURNAL_PENDING)
		snprintf(arg, 64, "%s", k);
}

static void pending_key(struct fixture *f, char key[64])
{
	struct journal *j = NULL;

	key[0] = '\0';
	if (journal_open(f->dir, &j))
		return;
	journal_each(j, each_pending, key);
	journal_close(j);
}

/* Killed after each journal record in turn, then run again. */
static void case_kill_after_records(struct fixture *f, const struct plan *p)
{
	char why[256] = "";
	long n;
	int status = 0;
	bool all = true;

	for (n = 1; n < 200 && all; n++) {
		fx_reset(f);
		status = create_in_child(f, p, n);
		if (WIFEXITED(status))
			break;
		all = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
			fx_create(f, p, false) == 0 &&
			holds_exactly(f, p, why, sizeof(why));
		if (!all)
			printf("# killed after record %ld: %s\n", n, why);
	}
	ok(all && WIFEXITED(status) && WEXITSTATUS(status) == 0 && n > 15,
	   "killed after each of the %ld journal records of a provision, the "
	   "next one ends with exactly the plan", n - 1);
}

/*
 * Killed inside each create call (the cloud made the thing, the answer
 * never came), then run again: a key left PENDING is adopted from its
 * kind's listing (no second create), a kind without a listing is asked
 * again with the same token, a batch resends its token.
 */
static void case_kill_in_creates(struct fixture *f, const struct plan *p)
{
	char why[256] = "", key[64], before[96], after[96];
	unsigned long total;
	long n;
	int status = 0, batches = 0, adopted = 0;
	bool all = true;

	fx_reset(f);
	ok(fx_create(f, p, false) == 0, "a provision without a kill");
	total = f->c->creates;
	for (n = 1; all; n++) {
		fx_reset(f);
		f->c->kill_in_create = n;
		status = create_in_child(f, p, 0);
		f->c->kill_in_create = 0;
		if (WIFEXITED(status))
			break;
		pending_key(f, key);
		recorded(f, key, before, sizeof(before));
		all = WIFSIGNALED(status) && *key && fx_create(f, p, false) == 0 &&
			holds_exactly(f, p, why, sizeof(why));
		if (!strncmp(key, "batch/", 6)) {
			/* its token is kept in the DONE record */
			struct journal *j = NULL;

			snprintf(after, sizeof(after), "token:%s",
				 journal_open(f->dir, &j) == 0 &&
				 journal_token(j, key) ? journal_token(j, key) :
				 "");
			journal_close(j);
			batches++;
			if (strcmp(before, after) || f->c->batches != FAKE_ZONES)
				all = !snprintf(why, sizeof(why), "%s: %s, then "
						"%s; %lu batch calls", key,
						before, after, f->c->batches);
		} else if (strncmp(key, "addr/", 5) &&
			   strncmp(key, "name/", 5)) {
			adopted++;
			if (f->c->creates != total)
				all = !snprintf(why, sizeof(why), "%s: %lu "
						"create calls, %lu without the "
						"kill", key, f->c->creates,
						total);
		}
		if (!all)
			printf("# killed in create call %ld (%s): %s\n", n, key,
			       why);
	}
	ok(all && WIFEXITED(status) && n > 8, "killed inside each of the %ld "
	   "create calls, the next provision ends with exactly the plan", n - 1);
	is_int(batches, FAKE_ZONES, "a batch left PENDING resends its token "
	       "(each zone's)");
	is_int(adopted, 4, "net, subnets and route left PENDING are adopted "
	       "from their listing without a second create");
}

static void case_scale(struct fixture *f)
{
	struct plan p3, p4, p5;
	char id4[64], id5[64], *before, *now;
	unsigned long batches, destroys;

	plan_of(&p3, 3);
	plan_of(&p4, 4);
	plan_of(&p5, 5);
	fx_reset(f);
	ok(fx_create(f, &p4, false) == 0 && f->c->batches == FAKE_ZONES,
	   "4 nodes in 2 zones: one batch create per zone");
	batches = f->c->batches;
	ok(fx_create(f, &p5, false) == 0 && f->c->batches == batches + 1 &&
	   fake_count(f->c, DEP, "node") == 5, "scale out to 5: one new batch");
	recorded(f, "node/T-DM-TEST-0004", id4, sizeof(id4));
	recorded(f, "node/T-DM-TEST-0005", id5, sizeof(id5));

	answer = false;
	asked = 0;
	before = journal_text(f);
	destroys = f->c->destroys;
	is_int(fx_create(f, &p3, false), -1,
	       "scale in to 3, not confirmed: -1");
	is_str(question, "The definitions no longer hold 2 nodes "
	       "(T-DM-TEST-0005, ...): they will be terminated with their "
	       "volumes.", "the question names the highest first");
	now = journal_text(f);
	ok(asked == 1 && fake_count(f->c, DEP, "node") == 5 &&
	   f->c->destroys == destroys && !strcmp(before, now),
	   "not confirmed: nothing deleted, nothing recorded");
	free(before);
	free(now);

	answer = true;
	ok(fx_create(f, &p3, false) == 0 && fake_count(f->c, DEP, "node") == 3,
	   "confirmed: 3 nodes left");
	ok(f->c->destroys == destroys + 1 && f->c->ndestroyed == 2 &&
	   !strcmp(f->c->destroyed[0], id5) && !strcmp(f->c->destroyed[1], id4),
	   "in one destroy call, highest name first");
	ok(recorded(f, "node/T-DM-TEST-0005", NULL, 0) == JOURNAL_DELETED &&
	   recorded(f, "name/T-DM-TEST-0005", NULL, 0) == JOURNAL_DELETED,
	   "the node records and their companions are marked deleted");

	{
		char why[256];

		ok(fx_create(f, &p5, false) == 0 &&
		   holds_exactly(f, &p5, why, sizeof(why)),
		   "scale out again to the machines scaled in: %s", why);
	}
	asked = 0;
	answer = false;
	ok(fx_create(f, &p3, true) == 0 && asked == 0 &&
	   fake_count(f->c, DEP, "node") == 3,
	   "-force: scaled in without a question");
	plan_release(&p3);
	plan_release(&p4);
	plan_release(&p5);
}

/* Deletes the thing of kind and key behind icm's back; false: none. */
static bool delete_behind(struct fixture *f, const char *kind,
			  const char *key)
{
	struct fake_res *r = fake_by_key(f->c, DEP, kind, key);

	if (r)
		r->live = false;
	return r != NULL;
}

/* Terminates the instance recorded for machine behind icm's back; its ID
 * copied into id. */
static bool terminate_behind(struct fixture *f, const char *machine,
			     char *id, size_t len)
{
	char key[64];
	struct fake_res *r;

	snprintf(key, sizeof(key), "node/%s", machine);
	recorded(f, key, id, len);
	r = fake_find(f->c, id);
	if (r)
		r->live = false;
	return r != NULL;
}

static void case_reconcile(struct fixture *f)
{
	struct plan p;
	char why[256], old[64], now[64], *before, *after;
	unsigned long creates, lists;
	struct fake_res *r;

	plan_of(&p, 4);
	fx_reset(f);
	ok(fx_create(f, &p, false) == 0, "provision 4 nodes");
	creates = f->c->creates;
	lists = f->c->lists;
	asked = 0;
	ok(fx_create(f, &p, false) == 0 && f->c->creates == creates,
	   "a provision with nothing to do makes no create call");
	is_int(f->listings, 3, "one listing per kind with records (net and "
	       "route share one; addresses and tags have none)");
	is_int(f->c->lists - lists, 3, "the cloud saw those 3 listing calls");

	ok(delete_behind(f, "route", "route") &&
	   fx_create(f, &p, false) == 0 && f->c->creates == creates + 1 &&
	   fake_count(f->c, DEP, "route") == 1 && asked == 0,
	   "a route deleted behind icm's back is made again, silently");

	/* nodes terminated behind icm's back (and the route again) */
	creates = f->c->creates;
	answer = false;
	ok(terminate_behind(f, "T-DM-TEST-0002", old, sizeof(old)) &&
	   terminate_behind(f, "T-DM-TEST-0004", now, sizeof(now)) &&
	   delete_behind(f, "route", "route"),
	   "2 instances terminated and the route deleted behind icm's back");
	before = journal_text(f);
	is_int(fx_create(f, &p, false), -1, "nodes gone, not confirmed: -1");
	is_str(question, "2 nodes of " DEP " no longer exist (T-DM-TEST-0004 "
	       "and T-DM-TEST-0002): they will be created again with new "
	       "(empty) volumes.", "one question names them, highest first");
	after = journal_text(f);
	ok(asked == 1 && !strcmp(before, after) && f->c->creates == creates,
	   "not confirmed: nothing recorded (not even the route), nothing "
	   "made");
	free(before);
	free(after);

	answer = true;
	ok(fx_create(f, &p, false) == 0 && holds_exactly(f, &p, why,
							  sizeof(why)),
	   "confirmed: made again: %s", why);
	recorded(f, "node/T-DM-TEST-0002", now, sizeof(now));
	r = fake_find(f->c, now);
	ok(strcmp(old, now) && r && r->live && fake_find(f->c, old) &&
	   strcmp(r->token, fake_find(f->c, old)->token),
	   "a new instance, by a new batch with a new token");

	asked = 0;
	answer = false;
	ok(terminate_behind(f, "T-DM-TEST-0003", old, sizeof(old)) &&
	   fx_create(f, &p, true) == 0 && asked == 0 &&
	   holds_exactly(f, &p, why, sizeof(why)),
	   "-force: made again without a question: %s", why);
	plan_release(&p);
}

/*
 * Batch records: a kill right after the batch that made a machine again
 * (its node record was DELETED); a batch record an older icm's scale-in
 * left DONE while it marked its machines deleted.
 */
static void case_batch_records(struct fixture *f)
{
	struct plan p, p1;
	char old[64], why[256];
	struct journal *j = NULL;
	unsigned long batches;
	int status;

	plan_of(&p, 2);
	plan_of(&p1, 1);
	fx_reset(f);
	ok(fx_create(f, &p, false) == 0 &&
	   terminate_behind(f, "T-DM-TEST-0002", old, sizeof(old)),
	   "2 nodes, the second terminated behind icm's back");
	batches = f->c->batches;
	answer = true;
	/* node, name and batch marked deleted, then the new batch */
	status = create_in_child(f, &p, 4);
	ok(WIFSIGNALED(status) &&
	   recorded(f, "batch/b/T-DM-TEST-0002", NULL, 0) == JOURNAL_DONE &&
	   recorded(f, "node/T-DM-TEST-0002", NULL, 0) == JOURNAL_DELETED,
	   "killed right after the batch record that made it again");
	ok(fx_create(f, &p, false) == 0 && f->c->batches == batches + 1 &&
	   holds_exactly(f, &p, why, sizeof(why)),
	   "the next run takes it from that record: %s", why);

	ok(fx_create(f, &p1, true) == 0 &&
	   recorded(f, "node/T-DM-TEST-0002", old, sizeof(old)) ==
	   JOURNAL_DELETED, "scaled in to 1");
	if (journal_open(f->dir, &j) == 0) {
		/* the instance the scale-in terminated */
		char *map = xasprintf("T-DM-TEST-0002=%s",
				      f->c->destroyed[0]);

		if (journal_done(j, "batch/b/T-DM-TEST-0002", map)) {
			/* the check below fails */
		}
		free(map);
		journal_close(j);
	}
	batches = f->c->batches;
	ok(fx_create(f, &p, false) == 0 && f->c->batches == batches + 1 &&
	   holds_exactly(f, &p, why, sizeof(why)),
	   "a batch record an old scale-in left DONE: the machine is made "
	   "anew, not given the terminated instance: %s", why);
	plan_release(&p);
	plan_release(&p1);
}

/*
 * Provisioned, unprovisioned and provisioned again in the same state:
 * killed after zone a's batch (0001 and 0003) and 0001's node record,
 * 0003's record still the DELETED of the teardown: the next run takes
 * 0003 from the batch record, it does not launch it twice.
 */
static void case_batch_after_teardown(struct fixture *f)
{
	struct plan p;
	char why[256];
	unsigned long batches;
	int status;

	plan_of(&p, 3);
	fx_reset(f);
	ok(fx_create(f, &p, false) == 0 && fx_destroy(f) == 0,
	   "provisioned and unprovisioned");
	batches = f->c->batches;
	/* net, subnet a, subnet b, route, batch a, node 0001: killed */
	status = create_in_child(f, &p, 6);
	ok(WIFSIGNALED(status) &&
	   recorded(f, "batch/a/T-DM-TEST-0001", NULL, 0) == JOURNAL_DONE &&
	   recorded(f, "node/T-DM-TEST-0001", NULL, 0) == JOURNAL_DONE &&
	   recorded(f, "node/T-DM-TEST-0003", NULL, 0) == JOURNAL_DELETED,
	   "provisioned again, killed between the batch's node records");
	ok(fx_create(f, &p, false) == 0 && f->c->batches == batches + 2 &&
	   holds_exactly(f, &p, why, sizeof(why)),
	   "the next run takes 0003 from the batch record (one batch, zone "
	   "b's, more): %s", why);
	plan_release(&p);
}

static void case_teardown(struct fixture *f)
{
	struct plan p;
	struct fake_res *mine, *stray;
	unsigned long destroys;
	char key[64];
	size_t i;
	bool none = true;

	plan_of(&p, 3);
	fx_reset(f);
	ok(fx_create(f, &p, false) == 0, "provision 3 nodes");
	mine = fake_add(f->c, "net", "", "net", NULL, NULL);
	stray = fake_add(f->c, "subnet", DEP, "subnet/z",
			 fake_by_key(f->c, DEP, "net", "net") ?
			 fake_by_key(f->c, DEP, "net", "net")->id : "", NULL);
	fake_add(f->c, "node", DEP, "batch/z/lost", stray->id, "t-lost");
	ok(fx_destroy(f) == 0, "teardown (kinds listed first in the table "
	   "depend on later ones)");
	ok(!fake_count(f->c, DEP, "net") && !fake_count(f->c, DEP, "subnet") &&
	   !fake_count(f->c, DEP, "route") && !fake_count(f->c, DEP, "node") &&
	   !fake_count(f->c, DEP, "addr"),
	   "nothing of the deployment is left, what the journal did not know "
	   "of either");
	ok(mine->live, "the user's own (untagged) net is untouched");
	for (i = 0; i < p.n; i++) {
		snprintf(key, sizeof(key), "node/%s", p.nodes[i].name);
		none = none && recorded(f, key, NULL, 0) == JOURNAL_DELETED;
	}
	ok(none && recorded(f, "net", NULL, 0) == JOURNAL_DELETED &&
	   recorded(f, "route", NULL, 0) == JOURNAL_DELETED &&
	   recorded(f, "batch/a/T-DM-TEST-0001", NULL, 0) == JOURNAL_DELETED,
	   "every record is marked deleted");
	destroys = f->c->destroys;
	ok(fx_destroy(f) == 0 && f->c->destroys == destroys,
	   "a second teardown succeeds and deletes nothing");
	plan_release(&p);
}

/* engine_teardown()'s turns: the kinds named to the provider. */
static char turns[256];

static void record_turn(void *prov, const struct res_kind *k)
{
	size_t n = strlen(turns);

	snprintf(turns + n, sizeof(turns) - n, "%s%s", n ? " " : "", k->name);
}

/* The provider hears each kind's turn, in teardown order (a kind before
 * those in its after[]), even kinds that have nothing to delete. */
static void case_teardown_turns(struct fixture *f)
{
	struct plan p;
	struct engine_opts o = { NULL, DEP, fake_kinds, &f->prov, false,
				 NULL, record_turn };
	struct engine *e = NULL;

	plan_of(&p, 2);
	fx_reset(f);
	ok(fx_create(f, &p, false) == 0, "provision 2 nodes");
	o.state_dir = f->dir;
	turns[0] = '\0';
	ok(engine_open(&o, &e) == 0 && engine_teardown(e) == 0,
	   "teardown with a turn callback");
	engine_close(e);
	is_str(turns, "route addr node name subnet net",
	       "each kind's turn once, dependents first");
	plan_release(&p);
}

static void case_errors(struct fixture *f, const char *logpath)
{
	struct plan p;
	char why[256], *log;
	unsigned long creates;

	plan_of(&p, 2);
	fx_reset(f);
	error("an earlier error, of something else");
	snprintf(f->c->fail_kind, sizeof(f->c->fail_kind), "subnet");
	f->c->fail_cls = CLOUD_ERR_INVALID;
	snprintf(f->c->fail_msg, sizeof(f->c->fail_msg),
		 "InvalidZone: zone a is not offered");
	is_int(fx_create(f, &p, false), -1, "a create that fails: -1");
	log = slurp(logpath);
	ok(log && strstr(log, "Error: CreateSubnet (subnet/a) failed: "
			 "InvalidZone: zone a is not offered\n"),
	   "the callback's message reaches the error line, with the action "
	   "and key");
	ok(log && strstr(log, "CreateSubnet (subnet/a): invalid\n"),
	   "its class reaches icm.log");
	is_int(recorded(f, "subnet/a", NULL, 0), JOURNAL_FAILED,
	       "recorded as failed");
	free(log);
	ok(fx_create(f, &p, false) == 0 && holds_exactly(f, &p, why,
							  sizeof(why)),
	   "the next provision makes it: %s", why);

	creates = f->c->creates;
	f->c->fail_list = true;
	is_int(fx_create(f, &p, false), -1, "a listing that fails: -1");
	log = slurp(logpath);
	ok(log && strstr(log, "Error: list net (" DEP ") failed: "
			 "RequestLimitExceeded: slow down\n") &&
	   strstr(log, "list net (" DEP "): throttled\n") &&
	   f->c->creates == creates, "named with its class, nothing made");
	free(log);

	/* a failed batch stays PENDING: the next run sends its token again */
	fx_reset(f);
	snprintf(f->c->fail_kind, sizeof(f->c->fail_kind), "node");
	f->c->fail_cls = CLOUD_ERR_TRANSIENT;
	snprintf(f->c->fail_msg, sizeof(f->c->fail_msg), "timed out");
	{
		char t1[96], t2[96];

		is_int(fx_create(f, &p, false), -1, "a batch that fails: -1");
		recorded(f, "batch/a/T-DM-TEST-0001", t1, sizeof(t1));
		is_int(recorded(f, "batch/a/T-DM-TEST-0001", NULL, 0),
		       JOURNAL_PENDING, "the batch stays PENDING");
		ok(fx_create(f, &p, false) == 0, "the next provision");
		ok(!strncmp(t1, "token:icm-", 10) && strlen(t1) == 34,
		   "its token is icm- and 24 hex digits");
		{
			struct journal *j = NULL;

			snprintf(t2, sizeof(t2), "token:%s",
				 journal_open(f->dir, &j) == 0 &&
				 journal_token(j, "batch/a/T-DM-TEST-0001") ?
				 journal_token(j, "batch/a/T-DM-TEST-0001") : "");
			journal_close(j);
		}
		is_str(t2, t1, "it sent the same token again");
	}
	plan_release(&p);
}

int main(void)
{
	char base[] = "/tmp/t-engine.XXXXXX";
	struct fixture f;
	struct plan p;
	char *logpath;

	unsetenv("ICM_TEST_KILL_AFTER");
	if (!mkdtemp(base))
		return 1;
	memset(&f, 0, sizeof(f));
	f.c = fake_cloud_new();
	f.base = base;
	f.prov = (struct fake_prov){ f.c, DEP };
	f.provision = fake_provision;
	f.unprovision = fake_unprovision;
	if (!f.c)
		return 1;
	logpath = xasprintf("%s/icm.log", base);
	if (log_open(logpath))
		return 1;

	plan_of(&p, 4);
	case_kill_after_records(&f, &p);
	case_kill_in_creates(&f, &p);
	plan_release(&p);
	case_scale(&f);
	case_reconcile(&f);
	case_batch_records(&f);
	case_batch_after_teardown(&f);
	case_teardown(&f);
	case_teardown_turns(&f);
	case_errors(&f, logpath);

	log_close();
	free(logpath);
	free(f.dir);
	{
		char *cmd = xasprintf("rm -rf '%s'", base);

		if (system(cmd)) {
			/* left behind in /tmp */
		}
		free(cmd);
	}
	return done_testing();
}
