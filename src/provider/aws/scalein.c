/*
 * scalein.c: machines the definitions no longer hold, terminated highest
 * names first after ICM's confirmation or -force (see aws.h): the
 * engine's scale-in (resource.h) with the instance kind's destroy.
 */
#include "aws.h"
#include "../../state/log.h"

int aws_terminate(void *prov, const char *const *ids, size_t n,
		  struct cloud_err *err)
{
	struct aws *a = prov;
	struct aws_params p;
	int ret = -1;

	if (!n)
		return 0;
	say("Terminating %zu instance%s...", n, n == 1 ? "" : "s");
	aws_params_init(&p);
	aws_params_list(&p, "InstanceId", ids, n);
	if (aws_call(a, "TerminateInstances", &p, NULL, err)) {
		if (err->cls != CLOUD_ERR_NOT_FOUND)
			goto out;
		cloud_err_release(err);
	}
	ret = aws_wait_state(a, ids, n, "terminated", NULL, err);
out:
	aws_params_release(&p);
	return ret;
}

int aws_scale_in(struct aws *a, const struct plan *p)
{
	return engine_scale_in(a->e, &aws_res_instance, p);
}
