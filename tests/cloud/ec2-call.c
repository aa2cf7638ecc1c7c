/*
 * ec2-call.c: one AWS Query API call through src/provider/aws/ec2.h, for
 * tests/e2e/61-ec2-moto.sh.
 *
 *   ec2-call -S
 *	offline checks of what the moto scenario cannot show (parameter
 *	numbering and body order, endpoints and their overrides, URL
 *	splitting, the backoff's bounds): TAP lines, exit 1 on a failure
 *   ec2-call [options] ACTION [KEY=VALUE...]
 *	-e		ELB instead of EC2
 *	-c FILE		credentials from FILE (else the environment)
 *	-r REGION	(default $AWS_REGION, else us-east-1)
 *	-b MS		the call's time budget with retries
 *	-p		every page (NextToken), each answer printed
 *	-f NAME=V1,V2	a filter (Filter.N.Name / Filter.N.Value.M)
 *	-t TYPE:KEY=VALUE  a tag specification's tag (TagSpecification.N)
 *	-T KEY=VALUE	a tag (Tag.M.Key / Tag.M.Value, CreateTags)
 * The answer is printed flattened, one leaf element a line:
 * "path/to/leaf=text" (the root not named).  On failure the reason is
 * printed on stderr as "ec2-call: REASON" and the exit status is 1.
 * "attempts=N calls=N" goes to stderr after every run.  The endpoint
 * comes from the environment (AWS_ENDPOINT_URL_EC2 ...), as in icm.
 */
#include "../../src/icm.h"
#include "provider/aws/ec2.h"
#include "util/str.h"
#include <getopt.h>

#define MAX_TAGS 16

static void flatten(const struct xml_node *n, const char *prefix)
{
	const struct xml_node *c;
	const char *t;
	char *path;

	for (c = n->children; c; c = c->next) {
		path = *prefix ? xasprintf("%s/%s", prefix, c->name) :
			xstrdup(c->name);
		if (c->children) {
			flatten(c, path);
		} else {
			t = xml_text(c);
			printf("%s=%s\n", path, t);
		}
		free(path);
	}
}

static int print_page(void *arg, const struct xml_node *root,
		      struct cloud_err *err)
{
	int *pages = arg;

	printf("# page %d\n", ++*pages);
	flatten(root, "");
	return 0;
}

/* "NAME=V1,V2" into a filter. */
static int add_filter(struct aws_params *p, char *arg)
{
	char *eq = strchr(arg, '='), *v, *save = NULL;
	const char *vals[32];
	size_t n = 0;

	if (!eq)
		return -1;
	*eq = '\0';
	for (v = strtok_r(eq + 1, ",", &save); v && n < ARRAY_SIZE(vals);
	     v = strtok_r(NULL, ",", &save))
		vals[n++] = v;
	aws_params_filter(p, arg, vals, n);
	return 0;
}

static int nfail, ncheck;

static void check(bool cond, const char *what)
{
	printf("%s %d - %s\n", cond ? "ok" : "not ok", ++ncheck, what);
	nfail += !cond;
}

static void check_str(const char *got, const char *want, const char *what)
{
	bool same = got && !strcmp(got, want);

	check(same, what);
	if (!same)
		printf("#   got:      %s\n#   expected: %s\n",
		       got ? got : "(null)", want);
}

static void check_endpoint(enum aws_service s, const char *region,
			   const char *want, const char *what)
{
	char *url = NULL, *err = NULL;

	if (aws_endpoint(s, region, &url, &err))
		check_str(err, want, what);
	else
		check_str(url, want, what);
	free(url);
	free(err);
}

static int self_test(void)
{
	static const char *const vals[] = { "a b", "c" };
	static const struct aws_tag tg[] = {
		{ "Name", "x" }, { "K", "\xc3\xa9" },
	};
	struct aws_params p;
	struct http_backoff bo;
	char *body, *host = NULL, *path = NULL, *err = NULL;

	aws_params_init(&p);
	aws_params_add(&p, "Zeta", "z");
	aws_params_filter(&p, "tag:ICM", vals, 2);
	aws_params_filter(&p, "vpc-id", vals + 1, 1);
	aws_params_tag_spec(&p, "vpc", tg, 2);
	aws_params_tags(&p, tg, 1);
	body = aws_form_body("CreateVpc", EC2_API_VERSION, &p);
	check_str(body, "Action=CreateVpc&Version=2016-11-15&"
		  "Filter.1.Name=tag%3AICM&Filter.1.Value.1=a%20b&"
		  "Filter.1.Value.2=c&Filter.2.Name=vpc-id&Filter.2.Value.1=c&"
		  "Tag.1.Key=Name&Tag.1.Value=x&"
		  "TagSpecification.1.ResourceType=vpc&"
		  "TagSpecification.1.Tag.1.Key=Name&"
		  "TagSpecification.1.Tag.1.Value=x&"
		  "TagSpecification.1.Tag.2.Key=K&"
		  "TagSpecification.1.Tag.2.Value=%C3%A9&Zeta=z",
		  "form body: Action, Version, then sorted and encoded");
	check_str(aws_params_get(&p, "Filter.2.Name"), "vpc-id",
		  "aws_params_get");
	free(body);
	aws_params_release(&p);

	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_EC2");
	unsetenv("AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING");
	check_endpoint(AWS_EC2, "eu-west-3",
		       "https://ec2.eu-west-3.amazonaws.com/",
		       "EC2's regional endpoint");
	check_endpoint(AWS_ELB, "us-east-2",
		       "https://elasticloadbalancing.us-east-2.amazonaws.com/",
		       "ELB's regional endpoint");
	check_endpoint(AWS_EC2, "us-east-1.evil.com/x",
		       "'us-east-1.evil.com/x' is not an AWS region (like "
		       "us-east-1)", "a region that is not one is refused");
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1/", 1);
	check_endpoint(AWS_ELB, "us-east-2", "http://127.0.0.1:1/",
		       "AWS_ENDPOINT_URL overrides");
	setenv("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:2", 1);
	check_endpoint(AWS_EC2, "us-east-2", "http://127.0.0.1:2",
		       "AWS_ENDPOINT_URL_EC2 comes first");
	setenv("AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING", "ftp://x/", 1);
	check_endpoint(AWS_ELB, "us-east-2", "AWS_ENDPOINT_URL_ELASTIC_LOAD_"
		       "BALANCING: 'ftp://x/' is not an http:// or "
		       "https:// URL",
		       "a non-HTTP override is refused, naming the variable");
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_EC2");
	unsetenv("AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING");

	check(!http_url_split("http://127.0.0.1:4566", &host, &path, &err) &&
	      !strcmp(host, "127.0.0.1:4566") && !strcmp(path, "/"),
	      "URL split: host:port, path /");
	free(host);
	free(path);
	check(!http_url_split("https://ec2.x.amazonaws.com:443/a/b", &host,
			      &path, &err) &&
	      !strcmp(host, "ec2.x.amazonaws.com") && !strcmp(path, "/a/b"),
	      "URL split: the default port is not in Host");
	free(host);
	free(path);
	check(http_url_split("file:///etc/passwd", &host, &path, &err) &&
	      err && strstr(err, "not an http"), "URL split: file:// refused");
	free(err);

	http_backoff_init(&bo, 1000);
	check(http_backoff_delay(&bo, UINT32_MAX) <= HTTP_BACKOFF_BASE_MS &&
	      http_backoff_delay(&bo, HTTP_BACKOFF_BASE_MS) ==
	      HTTP_BACKOFF_BASE_MS && http_backoff_delay(&bo, 0) == 0,
	      "backoff: the first delay is drawn from [0, base]");
	bo.attempt = 3;
	check(http_backoff_delay(&bo, 8 * HTTP_BACKOFF_BASE_MS) ==
	      8 * HTTP_BACKOFF_BASE_MS &&
	      http_backoff_delay(&bo, 8 * HTTP_BACKOFF_BASE_MS + 1) == 0,
	      "backoff: the ceiling doubles with each attempt");
	bo.attempt = 40;
	check(http_backoff_delay(&bo, HTTP_BACKOFF_CAP_MS) ==
	      HTTP_BACKOFF_CAP_MS &&
	      http_backoff_delay(&bo, UINT32_MAX) <= HTTP_BACKOFF_CAP_MS,
	      "backoff: capped");
	{
		int64_t t0 = http_now_ms();
		int r;

		bo.attempt = 0;
		bo.deadline_ms = t0 + 5;
		bo.base_ms = bo.cap_ms = 1000000;
		r = http_backoff_wait(&bo);
		/* a draw under 5 ms (odds 1 in 200000) may sleep it */
		check(http_now_ms() - t0 < 100 && (r == -1 ||
						   http_now_ms() - t0 >= 0),
		      "backoff: a delay past the budget is not slept");
		bo.deadline_ms = http_now_ms() + 60000;
		bo.attempt = bo.max_attempts - 1;
		check(http_backoff_wait(&bo) == -1,
		      "backoff: no attempt past the last");
	}
	check(http_status_retryable(429) && http_status_retryable(500) &&
	      http_status_retryable(503) && !http_status_retryable(400) &&
	      !http_status_retryable(404) && !http_status_retryable(200),
	      "retryable statuses: 429 and 5xx");
	printf("1..%d\n", ncheck);
	return nfail ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct aws_creds creds = { 0 };
	struct aws_client c = { 0 };
	struct aws_params p;
	struct xml_node *root = NULL;
	struct aws_tag spec[MAX_TAGS], tags[MAX_TAGS];
	const char *spec_type = NULL, *file = NULL, *region;
	enum aws_service svc = AWS_EC2;
	struct cloud_err cerr = CLOUD_ERR_INIT;
	char *err = NULL, *eq;
	size_t nspec = 0, ntags = 0;
	bool pages = false;
	long budget = 0;
	int opt, npages = 0, ret = 1;

	if (argc == 2 && !strcmp(argv[1], "-S"))
		return self_test();
	region = getenv("AWS_REGION") ? getenv("AWS_REGION") : "us-east-1";
	aws_params_init(&p);
	while ((opt = getopt(argc, argv, "ec:r:b:pf:t:T:")) != -1) {
		switch (opt) {
		case 'e': svc = AWS_ELB; break;
		case 'c': file = optarg; break;
		case 'r': region = optarg; break;
		case 'b': budget = atol(optarg); break;
		case 'p': pages = true; break;
		case 'f':
			if (add_filter(&p, optarg))
				goto usage;
			break;
		case 't': {
			char *colon = strchr(optarg, ':');

			eq = colon ? strchr(colon, '=') : NULL;
			if (!eq || nspec == MAX_TAGS)
				goto usage;
			*colon = *eq = '\0';
			spec_type = optarg;
			spec[nspec++] = (struct aws_tag){ colon + 1, eq + 1 };
			break;
		}
		case 'T':
			eq = strchr(optarg, '=');
			if (!eq || ntags == MAX_TAGS)
				goto usage;
			*eq = '\0';
			tags[ntags++] = (struct aws_tag){ optarg, eq + 1 };
			break;
		default:
			goto usage;
		}
	}
	if (optind >= argc)
		goto usage;
	for (int i = optind + 1; i < argc; i++) {
		eq = strchr(argv[i], '=');
		if (!eq)
			goto usage;
		*eq = '\0';
		aws_params_add(&p, argv[i], eq + 1);
	}
	if (nspec)
		aws_params_tag_spec(&p, spec_type, spec, nspec);
	if (ntags)
		aws_params_tags(&p, tags, ntags);

	if (aws_creds_load(&creds, file, &err) ||
	    aws_client_init(&c, svc, &creds, region, &err))
		goto out;
	c.budget_ms = budget;
	if (pages) {
		if (ec2_call_pages(&c, argv[optind], &p, print_page, &npages,
				   &cerr))
			goto out;
	} else {
		if (ec2_call(&c, argv[optind], &p, &root, &cerr))
			goto out;
		flatten(root, "");
	}
	ret = 0;
out:
	if (ret && cerr.msg)	/* the call's failure, with its class */
		fprintf(stderr, "ec2-call: %s [%s]\n", cerr.msg,
			cloud_err_class_name(cerr.cls));
	else if (ret)
		fprintf(stderr, "ec2-call: %s\n", err ? err : "failed");
	fprintf(stderr, "attempts=%lu calls=%lu\n", c.attempts, c.calls);
	xml_free(root);
	free(err);
	cloud_err_release(&cerr);
	aws_client_release(&c);
	aws_creds_release(&creds);
	aws_params_release(&p);
	return ret;
usage:
	fprintf(stderr, "usage: ec2-call [-e] [-c FILE] [-r REGION] [-b MS] "
		"[-p] [-f NAME=V,..] [-t TYPE:K=V] [-T K=V] ACTION "
		"[KEY=VALUE...]\n");
	aws_params_release(&p);
	return 2;
}
