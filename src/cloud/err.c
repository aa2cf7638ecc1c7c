/* err.c: a cloud call's failure as a value (err.h). */
#include "err.h"
#include "../util/str.h"
#include <stdarg.h>

int cloud_err_take(struct cloud_err *e, enum cloud_err_class cls, char *msg)
{
	free(e->msg);
	e->cls = cls == CLOUD_ERR_NONE ? CLOUD_ERR_OTHER : cls;
	e->msg = msg ? msg : xstrdup("unknown error");
	return -1;
}

int cloud_err_set(struct cloud_err *e, enum cloud_err_class cls,
		  const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	return cloud_err_take(e, cls, msg);
}

void cloud_err_release(struct cloud_err *e)
{
	free(e->msg);
	e->msg = NULL;
	e->cls = CLOUD_ERR_NONE;
}

const char *cloud_err_class_name(enum cloud_err_class cls)
{
	static const char *const names[] = {
		[CLOUD_ERR_NONE] = "none",
		[CLOUD_ERR_OTHER] = "error",
		[CLOUD_ERR_THROTTLED] = "throttled",
		[CLOUD_ERR_TRANSIENT] = "transient",
		[CLOUD_ERR_NOT_FOUND] = "not found",
		[CLOUD_ERR_EXISTS] = "already exists",
		[CLOUD_ERR_INVALID] = "invalid",
		[CLOUD_ERR_AUTH] = "not authorized",
	};

	return (size_t)cls < ARRAY_SIZE(names) ? names[cls] : "error";
}
