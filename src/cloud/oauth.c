/*
 * oauth.c: a token endpoint's transport and the token cache (see
 * oauth.h; its answer is read in oauth_answer.c).
 */
#include "../icm.h"
#include "oauth.h"
#include "../util/secret.h"
#include "../util/str.h"

int oauth_send_http(void *arg, struct http_client *c,
		    const struct http_request *req, struct http_response *resp,
		    bool *transient, char **why)
{
	*transient = false;
	if (http_perform(c, req, resp) == 0)
		return 0;
	*transient = resp->transient;
	if (resp->stopped == HTTP_STOP_OVER)
		*why = xasprintf("the answer is larger than %zu KiB",
				 resp->body.cap >> 10);
	else
		*why = xstrdup(resp->reason[0] ? resp->reason
					       : "no answer");
	return -1;
}

static time_t wall_clock(void)
{
	return time(NULL);
}

void oauth_cache_init(struct oauth_cache *oc, const char *what)
{
	memset(oc, 0, sizeof(*oc));
	oc->what = what;
	oc->now = wall_clock;
	pthread_mutex_init(&oc->lock, NULL);
}

void oauth_cache_release(struct oauth_cache *oc)
{
	freezero_str(oc->token);
	oc->token = NULL;
	pthread_mutex_destroy(&oc->lock);
}

int oauth_cache_get(struct oauth_cache *oc, long margin, oauth_fetch_fn *fetch,
		    void *arg, struct http_client *c, char **out,
		    struct cloud_err *e)
{
	char *token = NULL;
	long life = 0;
	time_t at = 0;
	int ret = 0;

	*out = NULL;
	cloud_err_release(e);
	pthread_mutex_lock(&oc->lock);
	if (!oc->token || oc->expires - oc->now() < margin) {
		ret = fetch(arg, c, &token, &life, &at, e);
		if (!ret) {
			secret_register(oc->what, token);
			freezero_str(oc->token);
			oc->token = token;
			oc->expires = at + life;
			oc->exchanges++;
		}
	}
	if (!ret)
		*out = xstrdup(oc->token);
	pthread_mutex_unlock(&oc->lock);
	return ret;
}

void oauth_cache_drop(struct oauth_cache *oc)
{
	pthread_mutex_lock(&oc->lock);
	freezero_str(oc->token);
	oc->token = NULL;
	pthread_mutex_unlock(&oc->lock);
}
