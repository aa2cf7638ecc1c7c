/*
 * ec2-call.c: one AWS Query API call through src/cloud/ec2.h, for
 * tests/e2e/61-ec2-moto.sh.
 *
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
#include "cloud/ec2.h"
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

static int print_page(void *arg, const struct xml_node *root, char **err)
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

int main(int argc, char **argv)
{
	struct aws_creds creds = { 0 };
	struct aws_client c = { 0 };
	struct aws_params p;
	struct xml_node *root = NULL;
	struct aws_tag spec[MAX_TAGS], tags[MAX_TAGS];
	const char *spec_type = NULL, *file = NULL, *region;
	enum aws_service svc = AWS_EC2;
	char *err = NULL, *eq;
	size_t nspec = 0, ntags = 0;
	bool pages = false;
	long budget = 0;
	int opt, npages = 0, ret = 1;

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
				   &err))
			goto out;
	} else {
		if (ec2_call(&c, argv[optind], &p, &root, &err))
			goto out;
		flatten(root, "");
	}
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "ec2-call: %s\n", err ? err : "failed");
	fprintf(stderr, "attempts=%lu calls=%lu\n", c.attempts, c.calls);
	xml_free(root);
	free(err);
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
