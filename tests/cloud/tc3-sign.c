/*
 * tc3-sign.c: TC3-HMAC-SHA256 signatures as icm makes them
 * (src/provider/tencent/tc3.h), for tests/e2e/98-tc3-sdk.sh, which has
 * the official npm SDK's signer sign the same requests at the same time
 * (tests/cloud/tc3-sdk.mjs) and compares.
 *
 *   tc3-sign
 *	a fixed set of requests with the test credentials below, one per
 *	line, tab-separated: name service host timestamp body authorization.
 *	The bodies are tc_request_body()'s of parameters built as icm builds
 *	them (but the first: Tencent's documented example, its bytes as
 *	published).
 *   tc3-sign sign SERVICE HOST TIMESTAMP < BODY
 *	the Authorization value for BODY (the bytes of stdin) at TIMESTAMP.
 *
 * Nothing is sent: no network is involved.  Exit 1 on any failure.
 */
#include "../../src/icm.h"
#include "provider/tencent/tc3.h"
#include "provider/tencent/tcapi.h"
#include "util/buf.h"
#include "util/str.h"

#define SID "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
#define SKEY "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
#define WHEN ((time_t)1764036000)	/* 2025-11-25T02:00:00Z */
#define DOC_PAYLOAD "{\"Limit\": 1, \"Filters\": [{\"Values\": " \
	"[\"\\u672a\\u547d\\u540d\"], \"Name\": \"instance-name\"}]}"

static const char run_instances[] =
	"{\"InstanceChargeType\": \"POSTPAID_BY_HOUR\", "
	"\"Placement\": {\"Zone\": \"ap-guangzhou-3\", \"ProjectId\": 0}, "
	"\"InstanceType\": \"S5.MEDIUM4\", \"ImageId\": \"img-pi0ii46r\", "
	"\"SystemDisk\": {\"DiskType\": \"CLOUD_PREMIUM\", \"DiskSize\": 50}, "
	"\"DataDisks\": [{\"DiskType\": \"CLOUD_SSD\", \"DiskSize\": 100, "
	"\"DeleteWithInstance\": true}], "
	"\"VirtualPrivateCloud\": {\"VpcId\": \"vpc-2x7lhtse\", "
	"\"SubnetId\": \"subnet-ftvbq1vq\"}, "
	"\"InternetAccessible\": {\"InternetChargeType\": "
	"\"TRAFFIC_POSTPAID_BY_HOUR\", \"InternetMaxBandwidthOut\": 10, "
	"\"PublicIpAssigned\": true}, \"InstanceCount\": 2, "
	"\"InstanceName\": \"Label-DM-Tag-000{R:1}\", "
	"\"LoginSettings\": {\"KeyIds\": [\"skey-3glfot13\"]}, "
	"\"SecurityGroupIds\": [\"sg-icm7f3a\"], "
	"\"ClientToken\": \"icm-Label-Tag-DM-0001-7f3a\", "
	"\"TagSpecification\": [{\"ResourceType\": \"instance\", \"Tags\": "
	"[{\"Key\": \"ICM\", \"Value\": \"Label-Tag\"}, {\"Key\": \"Note\", "
	"\"Value\": \"caf\xc3\xa9 \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac & = "
	"+ / ? \\\" \\\\ \\t\"}]}], "
	"\"UserData\": \"IyEvYmluL3NoCmVjaG8gaGk+L3RtcC94Cg==\", "
	"\"HostName\": \"dm-1\", \"DryRun\": false, \"Ratio\": 0.5, "
	"\"Big\": 1234567890123}";

struct req {
	const char *name, *service, *action, *params;	/* params: JSON */
	time_t when;
};

static const struct req reqs[] = {
	{ "run-instances", "cvm", "RunInstances", run_instances, WHEN },
	{ "describe-vpcs", "vpc", "DescribeVpcs",
	  "{\"Filters\": [{\"Name\": \"tag:ICM\", \"Values\": "
	  "[\"Label-Tag\"]}], \"Offset\": \"0\", \"Limit\": \"100\"}", WHEN },
	{ "task-result", "clb", "DescribeTaskResult",
	  "{\"TaskId\": \"5f0e8a2c-1d3b-4e6f-9a7c-0b2d4f6e8a1c\"}", WHEN },
	{ "regions-midnight", "cvm", "DescribeRegions", NULL,
	  (time_t)1764028799 },	/* 2025-11-24T23:59:59Z */
	{ "regions-next-day", "cvm", "DescribeRegions", NULL,
	  (time_t)1764028800 },
};

/* Prints one line; 0 or -1. */
static int line(const char *name, const char *service, const char *host,
		const char *body, time_t when)
{
	struct tc3_request r = { service, host, body, strlen(body), when };
	struct tc3_result res;
	char *err = NULL;
	int ret = -1;

	if (tc3_sign(&r, SID, SKEY, &res, &err)) {
		fprintf(stderr, "tc3-sign: %s: %s\n", name, err);
		goto out;
	}
	printf("%s\t%s\t%s\t%s\t%s\t%s\n", name, service, host, res.timestamp,
	       body, res.authorization);
	ret = 0;
out:
	free(err);
	tc3_result_release(&res);
	return ret;
}

static int fixed(void)
{
	cJSON *p;
	char *body, *host;
	size_t i;
	int ret = 0;

	if (line("doc-example", "cvm", "cvm.tencentcloudapi.com",
		 DOC_PAYLOAD, (time_t)1551113065))
		ret = 1;
	for (i = 0; i < ARRAY_SIZE(reqs); i++) {
		p = reqs[i].params ? cJSON_Parse(reqs[i].params) : NULL;
		if (reqs[i].params && !p) {
			fprintf(stderr, "tc3-sign: %s: bad JSON\n",
				reqs[i].name);
			return 1;
		}
		body = tc_request_body(p);
		host = xasprintf("%s%s", reqs[i].service, TC_HOST_SUFFIX);
		if (line(reqs[i].name, reqs[i].service, host, body,
			 reqs[i].when))
			ret = 1;
		free(host);
		free(body);
		cJSON_Delete(p);
	}
	return ret;
}

static int sign_stdin(const char *service, const char *host,
		      const char *ts)
{
	struct buf b;
	char chunk[4096], *end = NULL;
	size_t n;
	long long when = strtoll(ts, &end, 10);
	int ret = 1;

	buf_init(&b, TC3_PAYLOAD_MAX);
	if (!*ts || *end) {
		fprintf(stderr, "tc3-sign: %s is not a timestamp\n", ts);
		return 1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		if (buf_add(&b, chunk, n)) {
			fprintf(stderr, "tc3-sign: the body is too long\n");
			return 1;
		}
	{
		struct tc3_request r = { service, host, b.len ? b.data : "",
					 b.len, (time_t)when };
		struct tc3_result res;
		char *err = NULL;

		if (tc3_sign(&r, SID, SKEY, &res, &err)) {
			fprintf(stderr, "tc3-sign: %s\n", err);
		} else {
			printf("%s\n", res.authorization);
			ret = 0;
		}
		free(err);
		tc3_result_release(&res);
	}
	buf_release(&b);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc == 1)
		return fixed();
	if (argc == 5 && !strcmp(argv[1], "sign"))
		return sign_stdin(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: tc3-sign [sign SERVICE HOST TIMESTAMP < "
		"BODY]\n");
	return 1;
}
