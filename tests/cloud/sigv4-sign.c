/*
 * sigv4-sign.c: signs a fixed set of icm's own AWS Query requests with
 * fixed credentials and a fixed time, for tests/e2e/60-sigv4-botocore.sh,
 * which has botocore's SigV4Auth sign the same requests
 * (tests/cloud/botocore-sign.py) and compares the Authorization headers.
 *
 * Output: one line per request, tab-separated:
 *	name service region url session-token(or -) body authorization
 * The bodies are built with ec2.h's parameter helpers, so they are the
 * bytes icm would send.  Nothing is sent: no network is involved.
 */
#include "../../src/icm.h"
#include "provider/aws/ec2.h"
#include "util/str.h"

#define WHEN ((time_t)1764036000)	/* 2025-11-25T02:00:00Z */

static const struct aws_tag tags[] = {
	{ "Name", "Label-DM-Tag-0001" },
	{ "ICM", "Label-Tag" },
	{ "Note",
	  "caf\xc3\xa9 \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac & = + / ?" },
};

static void describe_instances(struct aws_params *p)
{
	const char *name[] = { "Label-Tag" };
	const char *states[] = { "pending", "running", "stopped" };

	aws_params_filter(p, "tag:ICM", name, 1);
	aws_params_filter(p, "instance-state-name", states, 3);
	aws_params_add(p, "MaxResults", "500");
}

static void run_instances(struct aws_params *p)
{
	const char *sg[] = { "sg-0123456789abcdef0" };

	aws_params_add(p, "ImageId", "ami-0abcdef1234567890");
	aws_params_add(p, "InstanceType", "m5.large");
	aws_params_add(p, "MinCount", "2");
	aws_params_add(p, "MaxCount", "2");
	aws_params_add(p, "KeyName", "Label-Tag");
	aws_params_add(p, "SubnetId", "subnet-0123456789abcdef0");
	aws_params_add(p, "ClientToken", "icm-Label-Tag-DM-0001-7f3a");
	aws_params_list(p, "SecurityGroupId", sg, 1);
	aws_params_add(p, "BlockDeviceMapping.1.DeviceName", "/dev/sda1");
	aws_params_add(p, "BlockDeviceMapping.1.Ebs.VolumeSize", "32");
	aws_params_add(p, "BlockDeviceMapping.1.Ebs.VolumeType", "gp3");
	aws_params_add(p, "BlockDeviceMapping.1.Ebs.DeleteOnTermination",
		       "true");
	aws_params_add(p, "BlockDeviceMapping.2.DeviceName", "/dev/sdd");
	aws_params_add(p, "BlockDeviceMapping.2.Ebs.VolumeSize", "100");
	aws_params_add(p, "BlockDeviceMapping.2.Ebs.VolumeType", "io1");
	aws_params_add(p, "BlockDeviceMapping.2.Ebs.Iops", "3000");
	aws_params_tag_spec(p, "instance", tags, 2);
	aws_params_tag_spec(p, "volume", tags, 2);
	aws_params_add(p, "UserData", "IyEvYmluL3NoCmVjaG8gaGk+L3RtcC94Cg==");
}

static void create_tags(struct aws_params *p)
{
	const char *ids[] = { "vpc-0123456789abcdef0", "subnet-0a1b2c3d" };

	aws_params_list(p, "ResourceId", ids, 2);
	aws_params_tags(p, tags, ARRAY_SIZE(tags));
}

static void import_key_pair(struct aws_params *p)
{
	aws_params_add(p, "KeyName", "Label-Tag");
	/* base64 of an OpenSSH public key line: '+', '/' and '=' in it */
	aws_params_add(p, "PublicKeyMaterial",
		       "c3NoLWVkMjU1MTkgQUFBQUMzTnphQzFsWkRJMU5URTVBQUFBSU"
		       "c+L3Rlc3Qva2V5Ly8rKytpY21AaG9zdAo=");
}

static void describe_lbs(struct aws_params *p)
{
	const char *names[] = { "Label-LB-Tag" };

	aws_params_list(p, "Names.member", names, 1);
}

struct req {
	const char *name;
	enum aws_service service;
	const char *action;
	void (*fill)(struct aws_params *p);
	const char *endpoint;		/* NULL: AWS's own */
};

static const struct req reqs[] = {
	{ "describe-instances", AWS_EC2, "DescribeInstances",
	  describe_instances, NULL },
	{ "run-instances", AWS_EC2, "RunInstances", run_instances, NULL },
	{ "create-tags-unicode", AWS_EC2, "CreateTags", create_tags, NULL },
	{ "import-key-pair", AWS_EC2, "ImportKeyPair", import_key_pair, NULL },
	{ "describe-regions-local", AWS_EC2, "DescribeRegions", NULL,
	  "http://127.0.0.1:4566" },
	{ "elb-describe", AWS_ELB, "DescribeLoadBalancers", describe_lbs,
	  NULL },
};

static int sign_one(const struct req *r, const char *token)
{
	struct aws_creds creds = {
		.access_key = "AKIDEXAMPLE",
		.secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		.session_token = (char *)token,
	};
	struct aws_client c;
	struct aws_params p;
	struct sigv4_result res;
	struct http_header h[AWS_SIGNED_HEADERS];
	size_t nh;
	char *body = NULL, *err = NULL;
	int ret = -1;

	aws_params_init(&p);
	memset(&res, 0, sizeof(res));
	unsetenv("AWS_ENDPOINT_URL");
	if (r->endpoint)
		setenv("AWS_ENDPOINT_URL", r->endpoint, 1);
	if (aws_client_init(&c, r->service, &creds, "eu-west-3", &err))
		goto out;
	if (r->fill)
		r->fill(&p);
	body = aws_form_body(r->action, r->service == AWS_EC2 ?
			     EC2_API_VERSION : ELB_API_VERSION, &p);
	if (!body || aws_sign_form(&c, body, WHEN, &res, h, &nh, &err))
		goto out;
	printf("%s%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r->name,
	       token ? "+token" : "",
	       r->service == AWS_EC2 ? "ec2" : "elasticloadbalancing",
	       c.region, c.url, token ? token : "-", body, res.authorization);
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "sigv4-sign: %s: %s\n", r->name,
			err ? err : "failed");
	sigv4_result_release(&res);
	aws_client_release(&c);
	aws_params_release(&p);
	free(body);
	free(err);
	return ret;
}

int main(void)
{
	static const char token[] =
		"IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+"
		"abc/def==";
	size_t i;
	int ret = 0;

	for (i = 0; i < ARRAY_SIZE(reqs); i++)
		if (sign_one(&reqs[i], NULL) || sign_one(&reqs[i], token))
			ret = 1;
	return ret;
}
