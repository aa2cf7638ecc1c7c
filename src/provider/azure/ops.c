/*
 * ops.c: Azure's writes as the provider makes them (see azure.h): a PUT
 * with icm's tags, a DELETE, and the operations they start followed many
 * at a time, so that N machines' operations take the time of one; the
 * api-version of each resource type.
 */
#include "azure.h"
#include "../../state/log.h"
#include "../../util/str.h"

const char *az_api(const char *id)
{
	if (strcasestr(id, "/providers/Microsoft.Compute/disks"))
		return AZ_API_DISKS;
	if (strcasestr(id, "/providers/Microsoft.Compute/"))
		return AZ_API_COMPUTE;
	if (strcasestr(id, "/providers/Microsoft.Network/"))
		return AZ_API_NETWORK;
	return AZ_API_RESOURCES;
}

void az_op_release(struct az_op *op)
{
	free(op->url);
	op->url = NULL;
	cloud_err_release(&op->err);
}

/* The operation an answer started, or done. */
static void started(struct az_op *op, const struct arm_headers *h)
{
	op->done = !arm_lro_pending(h);
	op->url = op->done ? NULL : xstrdup(arm_lro_url(h));
	op->retry_after = h->retry_after;
}

int az_put(struct az *z, const char *id, const char *key,
	   const char *machine, cJSON *body, struct az_op *op,
	   struct cloud_err *err)
{
	struct arm_headers h;
	cJSON *tags = cJSON_GetObjectItemCaseSensitive(body, "tags");

	if (!tags)
		tags = cJSON_AddObjectToObject(body, "tags");
	cJSON_DeleteItemFromObjectCaseSensitive(tags, "icm-deployment");
	cJSON_DeleteItemFromObjectCaseSensitive(tags, "icm-key");
	cJSON_AddStringToObject(tags, "icm-deployment", z->dep);
	cJSON_AddStringToObject(tags, "icm-key", key);
	if (machine)
		cJSON_AddStringToObject(tags, "icm-machine", machine);
	if (arm_call(&z->arm, "PUT", id, az_api(id), body, NULL, &h, err))
		return -1;
	started(op, &h);
	return 0;
}

int az_delete(struct az *z, const char *id, struct az_op *op,
	      struct cloud_err *err)
{
	struct arm_headers h;

	if (arm_call(&z->arm, "DELETE", id, az_api(id), NULL, NULL, &h,
		     err)) {
		if (err->cls != CLOUD_ERR_NOT_FOUND)
			return -1;
		cloud_err_release(err);
		op->done = true;
		return 0;
	}
	started(op, &h);
	return 0;
}

size_t az_wait(struct az *z, struct az_op *ops, size_t n)
{
	int64_t end = http_now_ms() + AZ_WAIT_MS;
	size_t i, failed = 0, pending;

	for (;;) {
		long delay = -1;

		pending = 0;
		for (i = 0; i < n; i++) {
			long d;

			if (ops[i].done || !ops[i].url)
				continue;
			pending++;
			d = arm_poll_delay_ms(ops[i].retry_after);
			if (d < AZ_POLL_MIN_MS)
				d = AZ_POLL_MIN_MS;
			if (delay < 0 || d < delay)
				delay = d;
		}
		if (!pending)
			break;
		if (http_now_ms() + delay > end) {
			for (i = 0; i < n; i++)
				if (!ops[i].done && ops[i].url) {
					cloud_err_set(&ops[i].err,
						      CLOUD_ERR_TRANSIENT,
						      "%s: its operation is "
						      "still not done after "
						      "%ld minutes (provision "
						      "again to follow it on)",
						      ops[i].what,
						      AZ_WAIT_MS / 60000);
					ops[i].done = true;
				}
			break;
		}
		http_sleep_ms(delay);
		for (i = 0; i < n; i++) {
			bool done = false;

			if (ops[i].done || !ops[i].url)
				continue;
			if (arm_lro_poll(&z->arm, ops[i].url, &done,
					 &ops[i].retry_after, NULL,
					 &ops[i].err))
				done = true;
			ops[i].done = done;
		}
	}
	for (i = 0; i < n; i++)
		failed += ops[i].err.cls != CLOUD_ERR_NONE;
	return failed;
}
