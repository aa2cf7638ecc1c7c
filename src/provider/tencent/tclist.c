/*
 * tclist.c: a Describe* listing's pages by Offset and Limit (see
 * tcapi.h).
 */
#include "tcapi.h"
#include "../../util/str.h"

/* Sets name in o to n, as a number or as a string. */
static void put_count(cJSON *o, const char *name, int n, bool as_string)
{
	char s[16];

	snprintf(s, sizeof(s), "%d", n);
	cJSON_DeleteItemFromObjectCaseSensitive(o, name);
	if (!(as_string ? cJSON_AddStringToObject(o, name, s) :
	      cJSON_AddNumberToObject(o, name, n)))
		abort();
}

int tc_list(struct tc *t, const char *service, const char *version,
	    const char *region, const char *action, const cJSON *params,
	    const char *set, bool string_paging, cJSON **items,
	    struct cloud_err *err)
{
	cJSON *all = cJSON_CreateArray(), *page = NULL, *v, *it;
	cJSON *p = params ? cJSON_Duplicate(params, true) : cJSON_CreateObject();
	const cJSON *total;
	int pages = 0, got, ret = -1;

	*items = NULL;
	if (!all || !p)
		abort();
	for (;;) {
		if (++pages > TC_PAGES_MAX) {
			cloud_err_set(err, CLOUD_ERR_OTHER, "Tencent %s %s: "
				      "more than %d pages", service, action,
				      TC_PAGES_MAX);
			goto out;
		}
		put_count(p, "Offset", cJSON_GetArraySize(all), string_paging);
		put_count(p, "Limit", TC_PAGE_LIMIT, string_paging);
		cJSON_Delete(page);
		page = NULL;
		if (tc_call(t, service, version, region, action, p, &page, err))
			goto out;
		v = cJSON_DetachItemFromObjectCaseSensitive(page, set);
		got = 0;
		while (cJSON_IsArray(v) && (it = v->child)) {
			cJSON_AddItemToArray(all,
					     cJSON_DetachItemViaPointer(v, it));
			got++;
		}
		cJSON_Delete(v);
		total = cJSON_GetObjectItemCaseSensitive(page, "TotalCount");
		if (!got || (cJSON_IsNumber(total) ?
			     cJSON_GetArraySize(all) >= total->valuedouble :
			     got < TC_PAGE_LIMIT))
			break;
	}
	*items = all;
	all = NULL;
	ret = 0;
out:
	cJSON_Delete(all);
	cJSON_Delete(page);
	cJSON_Delete(p);
	return ret;
}
