/*
 * tctask.c: the wait for a CLB asynchronous task (DescribeTaskStatus,
 * see tcapi.h).
 */
#include "tcapi.h"
#include "../../util/str.h"

int tc_clb_task_wait(struct tc *t, const char *region, const char *task_id,
		     struct cloud_err *err)
{
	long wait = t->task_wait_ms ? t->task_wait_ms : TC_TASK_WAIT_MS;
	int64_t deadline = t->now_ms() + wait;
	cJSON *p = cJSON_CreateObject(), *r = NULL;
	const cJSON *st;
	char *id = tc_words(task_id, 100);
	int ret = -1;

	if (!p || !cJSON_AddStringToObject(p, "TaskId", task_id ? task_id :
					   ""))
		abort();
	for (;;) {
		cJSON_Delete(r);
		r = NULL;
		if (tc_call(t, "clb", TC_CLB_VERSION, region,
			    "DescribeTaskStatus", p, &r, err))
			goto out;
		st = cJSON_GetObjectItemCaseSensitive(r, "Status");
		if (!cJSON_IsNumber(st) || st->valueint < 0 ||
		    st->valueint > 2) {
			cloud_err_set(err, CLOUD_ERR_OTHER, "Tencent clb "
				      "DescribeTaskStatus: task %s: no Status "
				      "0, 1 or 2 in the answer", id);
			goto out;
		}
		if (st->valueint == 0)
			break;
		if (st->valueint == 1) {
			cloud_err_set(err, CLOUD_ERR_OTHER, "Tencent CLB task "
				      "%s failed (DescribeTaskStatus Status "
				      "1): see the load balancer's operation "
				      "log in the console", id);
			goto out;
		}
		if (t->now_ms() + TC_TASK_POLL_MS > deadline) {
			cloud_err_set(err, CLOUD_ERR_TRANSIENT, "Tencent CLB "
				      "task %s still running after %ld s",
				      id, wait / 1000);
			goto out;
		}
		t->sleep_ms(t->sleep_arg, TC_TASK_POLL_MS);
	}
	ret = 0;
out:
	cJSON_Delete(p);
	cJSON_Delete(r);
	free(id);
	return ret;
}
