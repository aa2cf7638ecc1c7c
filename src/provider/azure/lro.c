/*
 * lro.c: Azure Resource Manager's long-running operations followed by
 * Azure-AsyncOperation or Location, from an answer or a saved URL (see
 * arm.h).
 */
#include "arm.h"

bool arm_lro_pending(const struct arm_headers *h)
{
	return h->async_op[0] ||
	       ((h->status == 201 || h->status == 202) && h->location[0]);
}

const char *arm_lro_url(const struct arm_headers *h)
{
	return h->async_op[0] ? h->async_op :
	       h->location[0] ? h->location : NULL;
}

int arm_lro_poll(struct arm *a, const char *url, bool *done,
		 long *retry_after, cJSON **out, struct cloud_err *err)
{
	struct arm_headers h;
	cJSON *o = NULL;
	const char *st;
	int ret = -1;

	*done = false;
	*retry_after = -1;
	if (out)
		*out = NULL;
	if (arm_call(a, "GET", url, NULL, NULL, &o, &h, err))
		goto out;
	*retry_after = h.retry_after;
	st = h.status == 202 ? "InProgress" : az_str(o, "status");
	if (!st || !strcasecmp(st, "Succeeded")) {
		*done = true;	/* Location's result, or Succeeded */
	} else if (!strcasecmp(st, "Failed")) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");

		if (cJSON_IsObject(e))
			arm_error_obj(e, 0, err);
		else
			cloud_err_set(err, CLOUD_ERR_OTHER, "the operation "
				      "failed without an error");
		goto out;
	} else if (!strcasecmp(st, "Canceled")) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "the operation at %.300s "
			      "was canceled", url);
		goto out;
	}
	if (*done && out) {
		*out = o;
		o = NULL;
	}
	ret = 0;
out:
	cJSON_Delete(o);
	return ret;
}

long arm_poll_delay_ms(long retry_after)
{
	if (retry_after < 0)
		return ARM_POLL_MS;
	return (retry_after < ARM_RETRY_AFTER_MAX_S ? retry_after :
		ARM_RETRY_AFTER_MAX_S) * 1000L;
}

/* Polls url until the operation ends (see arm.h), the first poll after
 * wait_s seconds (-1: ARM_POLL_MS). */
static int follow(struct arm *a, const char *url, long wait_s, cJSON **out,
		  struct cloud_err *err)
{
	long limit = a->lro_wait_ms ? a->lro_wait_ms : ARM_LRO_WAIT_MS;
	int64_t deadline = a->now_ms() + limit;
	bool done = false;
	long delay;

	for (;;) {
		delay = arm_poll_delay_ms(wait_s);
		if (a->now_ms() + delay > deadline)
			return cloud_err_set(err, CLOUD_ERR_TRANSIENT, "the "
					     "operation at %.300s is still not "
					     "done after %ld minutes (provision "
					     "again to follow it on)", url,
					     limit / 60000);
		a->sleep_ms(a->sleep_arg, delay);
		if (arm_lro_poll(a, url, &done, &wait_s, out, err))
			return -1;
		if (done)
			return 0;
	}
}

int arm_lro_wait(struct arm *a, const struct arm_headers *hdrs, cJSON **out,
		 struct cloud_err *err)
{
	if (out)
		*out = NULL;
	cloud_err_release(err);
	if (!arm_lro_pending(hdrs))
		return 0;
	return follow(a, arm_lro_url(hdrs), hdrs->retry_after, out, err);
}

int arm_lro_resume(struct arm *a, const char *url, cJSON **out,
		   struct cloud_err *err)
{
	if (out)
		*out = NULL;
	cloud_err_release(err);
	return follow(a, url, 0, out, err);
}
