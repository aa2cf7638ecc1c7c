/*
 * t-fanout.c: the fan-out pool (node/fanout) with a fake per-node callback
 * and no network: the worker and handshake bounds, one result per node,
 * failure counting; then many nodes failing at once through the real
 * connect path (loopback, nothing listening), each with its own reason.
 */
#include "icm.h"
#include "config/plan.h"
#include "node/fanout.h"
#include "util/str.h"
#include "tap.h"
#include "testutil.h"
#include <fcntl.h>
#include <pthread.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int busy, busy_max, hs, hs_max;
static size_t calls[200];

static void bump(int *cur, int *max, int d)
{
	pthread_mutex_lock(&mu);
	*cur += d;
	if (*cur > *max)
		*max = *cur;
	pthread_mutex_unlock(&mu);
}

/* Pretends to connect (under the handshake cap) and run a command: node
 * i exits with i % 5, and every seventh node cannot be reached. */
static void fake(struct fanout *f, size_t i, struct fanout_result *r,
		 void *arg)
{
	bump(&busy, &busy_max, 1);
	pthread_mutex_lock(&mu);
	calls[i]++;
	pthread_mutex_unlock(&mu);
	fanout_handshake_enter(f);
	bump(&hs, &hs_max, 1);
	usleep(2000);
	bump(&hs, &hs_max, -1);
	fanout_handshake_leave(f);
	if (i % 7 == 3) {
		fanout_fail(r, "node %zu: connection refused", i);
	} else {
		r->exit_status = (int)(i % 5);
		if (buf_addf(&r->out, "out %zu\n", i))
			abort();
		if (r->exit_status)
			fanout_fail(r, "exit status %d", r->exit_status);
	}
	usleep(3000);
	bump(&busy, &busy_max, -1);
}

static void reset(void)
{
	busy = busy_max = hs = hs_max = 0;
	memset(calls, 0, sizeof(calls));
}

static size_t expected_failures(size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += i % 7 == 3 || i % 5;
	return k;
}

/* A fresh run of n nodes with these bounds. */
static size_t run(size_t n, int parallel, int handshakes,
		  struct fanout_result *res)
{
	struct fanout_opts o = { parallel, handshakes };

	reset();
	return fanout_run(n, &o, fake, NULL, res);
}

static void connect_one(struct fanout *f, size_t i, struct fanout_result *r,
			void *arg)
{
	const struct node *nodes = arg;
	struct ssh_conn *c = NULL;

	if (!fanout_connect(f, &nodes[i], "/nonexistent", HOSTKEY_STRICT, r,
			    &c))
		ssh_close(c);
}

#define RACE_NODES 120
#define RACE_ROUNDS 5

/*
 * Errors as values across threads: RACE_NODES nodes fail at the same time
 * on 32 workers, the odd ones refused at their own loopback address
 * 127.0.0.(i+2), the even ones missing SSHUser.  Each node's reason must
 * name that node or that address: a reason read from a process-wide "last
 * error" is another worker's now and then (RACE_ROUNDS rounds, so that
 * "now and then" shows).
 */
static void test_own_reasons(void)
{
	static struct node nodes[RACE_NODES];
	struct fanout_result res[RACE_NODES];
	struct fanout_opts o = { 32, 32 };
	char port[16];
	size_t i, k, own = 0;
	int err, saved;

	snprintf(port, sizeof(port), "%d", closed_port());
	setenv("ICM_TEST_SSH_PORT", port, 1);
	for (i = 0; i < RACE_NODES; i++) {
		char ip[32];

		nodes[i].name = xasprintf("RACE-%04zu", i);
		nodes[i].fields = cJSON_CreateObject();
		snprintf(ip, sizeof(ip), "127.0.0.%zu", i + 2);
		cJSON_AddStringToObject(nodes[i].fields, "IPAddress", ip);
		if (i % 2)
			cJSON_AddStringToObject(nodes[i].fields, "SSHUser",
						"icm");
		cJSON_AddStringToObject(nodes[i].fields, "SSHPrivateKey",
					"/nonexistent/key");
		cJSON_AddStringToObject(nodes[i].fields, "RetryCount", "1");
		cJSON_AddStringToObject(nodes[i].fields, "RetryInterval", "0");
	}
	for (k = 0; k < RACE_ROUNDS; k++) {
		/* the error lines are not this test's output */
		fflush(stderr);
		saved = dup(2);
		err = open("/dev/null", O_WRONLY);
		dup2(err, 2);
		fanout_run(RACE_NODES, &o, connect_one, nodes, res);
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		close(err);
		for (i = 0; i < RACE_NODES; i++) {
			char *want = i % 2 ?
				xasprintf("127.0.0.%zu:%s: connection refused",
					  i + 2, port) :
				xasprintf("RACE-%04zu: SSHUser is not set", i);
			bool mine = res[i].failed && res[i].reason &&
				    str_starts(res[i].reason, want);

			if (!mine)
				printf("# %s: '%s', not '%s...'\n",
				       nodes[i].name, res[i].reason ?
				       res[i].reason : "(none)", want);
			own += mine;
			free(want);
		}
		fanout_results_release(res, RACE_NODES);
	}
	for (i = 0; i < RACE_NODES; i++) {
		free(nodes[i].name);
		cJSON_Delete(nodes[i].fields);
	}
	is_int(own, RACE_NODES * RACE_ROUNDS, "many nodes failing at once: "
	       "each node's reason is its own");
}

int main(void)
{
	struct fanout_result res[200];
	size_t i, failed, once = 0, right = 0;

	failed = run(100, 8, 3, res);
	ok(busy_max <= 8 && busy_max >= 2,
	   "never more than -parallel 8 workers (saw %d)", busy_max);
	ok(hs_max <= 3 && hs_max >= 1,
	   "never more than 3 handshakes in flight (saw %d)", hs_max);
	for (i = 0; i < 100; i++) {
		char want[32];

		once += calls[i] == 1;
		snprintf(want, sizeof(want), "out %zu\n", i);
		if (i % 7 == 3)
			right += res[i].failed && res[i].exit_status == -1 &&
				 res[i].reason && strstr(res[i].reason,
							 "refused") &&
				 !res[i].out.len;
		else
			right += res[i].exit_status == (int)(i % 5) &&
				 res[i].failed == (i % 5 != 0) &&
				 res[i].out.data &&
				 !strcmp(res[i].out.data, want);
	}
	is_int(once, 100, "every node's work ran exactly once");
	is_int(right, 100, "each node's result is in its own slot");
	is_int(failed, expected_failures(100), "failures counted");
	fanout_results_release(res, 100);

	failed = run(5, 32, 0, res);
	ok(busy_max <= 5, "no more workers than nodes (saw %d)", busy_max);
	is_int(failed, expected_failures(5), "5 nodes: failures counted");
	fanout_results_release(res, 5);

	failed = run(10, 1, 1, res);
	is_int(busy_max, 1, "-parallel 1 runs one node at a time");
	fanout_results_release(res, 10);

	failed = run(200, 200, 16, res);
	ok(hs_max <= 16, "default-sized handshake cap holds with 200 "
	   "workers (saw %d)", hs_max);
	is_int(failed, expected_failures(200), "200 nodes: failures counted");
	fanout_results_release(res, 200);

	failed = run(0, 4, 4, res);
	is_int(failed, 0, "no nodes: nothing to do");

	is_int(fanout_parallel_opt("12"), 12, "-parallel 12");
	is_int(fanout_parallel_opt("0"), 0, "-parallel 0 is not a value");
	is_int(fanout_parallel_opt(NULL), 0, "no -parallel");
	test_own_reasons();
	return done_testing();
}
