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

/* Polls url until the operation ends (see arm.h), the first poll after
 * wait_s seconds (-1: ARM_POLL_MS). */
static int follow(struct arm *a, const char *url, long wait_s, cJSON **out,
		  struct cloud_err *err)
{
	long limit = a->lro_wait_ms ? a->lro_wait_ms : ARM_LRO_WAIT_MS;
	int64_t deadline = a->now_ms() + limit;
	struct arm_headers h;
	cJSON *o = NULL;
	const char *st;
	long delay;
	int ret = -1;

	for (;;) {
		delay = wait_s < 0 ? ARM_POLL_MS :
			(wait_s < ARM_RETRY_AFTER_MAX_S ? wait_s :
			 ARM_RETRY_AFTER_MAX_S) * 1000L;
		if (a->now_ms() + delay > deadline) {
			cloud_err_set(err, CLOUD_ERR_TRANSIENT, "the operation "
				      "at %.300s is still not done after %ld "
				      "minutes (provision again to follow it "
				      "on)", url, limit / 60000);
			goto out;
		}
		a->sleep_ms(a->sleep_arg, delay);
		cJSON_Delete(o);
		o = NULL;
		if (arm_call(a, "GET", url, NULL, NULL, &o, &h, err))
			goto out;
		wait_s = h.retry_after;
		if (h.status == 202)
			continue;	/* Location: not done */
		st = az_str(o, "status");
		if (!st)
			break;		/* Location: done, the result */
		if (!strcasecmp(st, "Succeeded"))
			break;
		if (!strcasecmp(st, "Failed")) {
			const cJSON *e = cJSON_GetObjectItemCaseSensitive(
				o, "error");

			if (cJSON_IsObject(e))
				arm_error_obj(e, 0, err);
			else
				cloud_err_set(err, CLOUD_ERR_OTHER, "the "
					      "operation failed without an "
					      "error");
			goto out;
		}
		if (!strcasecmp(st, "Canceled")) {
			cloud_err_set(err, CLOUD_ERR_OTHER, "the operation at "
				      "%.300s was canceled", url);
			goto out;
		}
	}
	if (out) {
		*out = o;
		o = NULL;
	}
	ret = 0;
out:
	cJSON_Delete(o);
	return ret;
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
