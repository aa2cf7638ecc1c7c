/*
 * network.c: a Tencent deployment's VPC and subnet per zone (or the
 * user's VPCId and SubnetIds), its security group with the ports of every
 * role, and its key pair (see tencent.h).
 */
#include "tencent.h"
#include "../cidr.h"
#include "../ports.h"
#include "../../node/authkey.h"
#include "../../state/log.h"
#include "../../util/buf.h"
#include "../../util/str.h"
#include <arpa/inet.h>

char *tcz_vpc_cidr(const struct node *n)
{
	const char *v = tfld(n, "net_vpc_cidr");
	char *first, *slash, *out = NULL;
	struct in_addr a;

	if (v)
		return xstrdup(v);
	first = provider_subnet_cidr(n, 0);
	if (!first)
		return NULL;
	slash = strchr(first, '/');
	*slash = '\0';
	if (inet_pton(AF_INET, first, &a) == 1) {
		uint32_t h = ntohl(a.s_addr) & 0xffff0000u;
		char ip[INET_ADDRSTRLEN];

		a.s_addr = htonl(h);
		inet_ntop(AF_INET, &a, ip, sizeof(ip));
		out = xasprintf("%s/16", ip);
	}
	free(first);
	return out;
}

/* The user's VPCId and SubnetIds (one per zone), checked to exist. */
static int user_network(struct tcz *t)
{
	const char *vpc = tfld(t->any, "VPCId");
	struct cloud_err err = CLOUD_ERR_INIT;
	cJSON *p = cJSON_CreateObject(), *r = NULL;
	size_t i;
	int ret = -1;

	cJSON_AddItemToObject(p, "VpcIds", cJSON_CreateStringArray(&vpc, 1));
	if (tcz_call(t, "vpc", "DescribeVpcs", p, &r, &err) ||
	    !cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r,
								 "VpcSet"))) {
		error("Tencent: VPCId '%s': %s", vpc, err.msg ? err.msg :
		      "no such VPC in Region");
		goto out;
	}
	for (i = 0; i < t->nzones; i++) {
		t->subnets[i] = str_list_entry(tfld(t->any, "SubnetIds"), i);
		if (!t->subnets[i]) {
			error("Tencent: SubnetIds names no subnet for Zone '%s' "
			      "(entry %zu: one per Zone entry, in order)",
			      t->zones[i], i + 1);
			goto out;
		}
	}
	t->vpc = xstrdup(vpc);
	ret = 0;
out:
	cloud_err_release(&err);
	cJSON_Delete(p);
	cJSON_Delete(r);
	return ret;
}

int tcz_network(struct tcz *t)
{
	char *cidr = NULL;
	const char *id = NULL;
	cJSON *p;
	size_t i;
	int ret = -1;

	t->subnets = xcalloc(t->nzones ? t->nzones : 1, sizeof(char *));
	if (tfld(t->any, "VPCId"))
		return user_network(t);
	if (!(cidr = tcz_vpc_cidr(t->any)))
		goto out;
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "VpcName", t->dep);
	cJSON_AddStringToObject(p, "CidrBlock", cidr);
	cJSON_AddItemToObject(p, "Tags", tcz_tags(t, "vpc", NULL));
	if (tcz_ensure(t, &tcz_kind_vpc, "vpc", "vpc", "CreateVpc", p,
		       "Vpc.VpcId", &id))
		goto out;
	t->vpc = xstrdup(id);
	for (i = 0; i < t->nzones; i++) {
		char *key = xasprintf("subnet/%s", t->zones[i]);
		char *name = xasprintf("%s-%s", t->dep, t->zones[i]);
		char *sc = provider_subnet_cidr(t->any, i);
		int rc = -1;

		if (sc) {
			p = cJSON_CreateObject();
			cJSON_AddStringToObject(p, "VpcId", t->vpc);
			cJSON_AddStringToObject(p, "SubnetName", name);
			cJSON_AddStringToObject(p, "CidrBlock", sc);
			cJSON_AddStringToObject(p, "Zone", t->zones[i]);
			cJSON_AddItemToObject(p, "Tags", tcz_tags(t, key, NULL));
			rc = tcz_ensure(t, &tcz_kind_subnet, key, "vpc",
					"CreateSubnet", p, "Subnet.SubnetId",
					&id);
		}
		if (!rc)
			t->subnets[i] = xstrdup(id);
		free(key);
		free(name);
		free(sc);
		if (rc)
			goto out;
	}
	ret = 0;
out:
	free(cidr);
	return ret;
}

/* The ingress policies: a policy per port of ports.h, then ICMP. */
static cJSON *ingress(const struct node *n)
{
	struct provider_port ports[PROVIDER_PORTS_MAX];
	size_t k = provider_ports(n, ports), i;
	cJSON *all = cJSON_CreateArray(), *r;

	for (i = 0; i <= k; i++) {
		char *port = i == k ? xstrdup("ALL") :
			strcmp(ports[i].from, ports[i].to) ?
			xasprintf("%s-%s", ports[i].from, ports[i].to) :
			xstrdup(ports[i].from);

		r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "Protocol", i == k ? "ICMP" :
					strcmp(ports[i].proto, "tcp") ? "UDP" :
					"TCP");
		cJSON_AddStringToObject(r, "Port", port);
		cJSON_AddStringToObject(r, "CidrBlock", "0.0.0.0/0");
		cJSON_AddStringToObject(r, "Action", "ACCEPT");
		cJSON_AddStringToObject(r, "PolicyDescription", "icm");
		cJSON_AddItemToArray(all, r);
		free(port);
	}
	return all;
}

/* The group's ingress policies, added when it has none (a run killed
 * between the group and its policies). */
static int policies(struct tcz *t)
{
	struct cloud_err err = CLOUD_ERR_INIT;
	cJSON *p = cJSON_CreateObject(), *r = NULL, *set;
	int ret = -1;

	cJSON_AddStringToObject(p, "SecurityGroupId", t->sg);
	if (tcz_call(t, "vpc", "DescribeSecurityGroupPolicies", p, &r, &err))
		goto failed;
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(r,
						     "SecurityGroupPolicySet"),
		    "Ingress")) > 0) {
		ret = 0;
		goto out;
	}
	set = cJSON_AddObjectToObject(p, "SecurityGroupPolicySet");
	cJSON_AddItemToObject(set, "Ingress", ingress(t->any));
	if (tcz_call(t, "vpc", "CreateSecurityGroupPolicies", p, NULL, &err))
		goto failed;
	ret = 0;
	goto out;
failed:
	error("Tencent: security group %s: %s", t->sg, err.msg);
out:
	cloud_err_release(&err);
	cJSON_Delete(p);
	cJSON_Delete(r);
	return ret;
}

int tcz_security_group(struct tcz *t)
{
	cJSON *p = cJSON_CreateObject();
	const char *id = NULL;

	cJSON_AddStringToObject(p, "GroupName", t->dep);
	cJSON_AddStringToObject(p, "GroupDescription", "icm: the ports of "
				"every role");
	cJSON_AddItemToObject(p, "Tags", tcz_tags(t, "sg", NULL));
	if (tcz_ensure(t, &tcz_kind_sg, "sg", "vpc", "CreateSecurityGroup", p,
		       "SecurityGroup.SecurityGroupId", &id))
		return -1;
	t->sg = xstrdup(id);
	return policies(t);
}

/* The key pair's name: dep's letters and digits, others '_', at most 25
 * characters. */
static char *key_name(const char *dep)
{
	char *n = xstrndup(dep, TCZ_KEYNAME_MAX), *c;

	for (c = n; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9')))
			*c = '_';
	return n;
}

int tcz_keypair(struct tcz *t)
{
	const char *path = tfld(t->any, "SSHPublicKey"), *why = NULL;
	cJSON *p, *ts, *spec;
	struct buf key;
	const char *id = NULL;
	char *name;
	int ret = -1;

	buf_init(&key, AUTHKEY_FILE_CAP);
	if (!path || authkey_read(path, &key, &why)) {
		error("SSHPublicKey '%s': %s", path ? path : "",
		      why ? why : "missing");
		goto out;
	}
	while (key.len && key.data[key.len - 1] == '\n')
		key.data[--key.len] = '\0';
	name = key_name(t->dep);
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "KeyName", name);
	cJSON_AddNumberToObject(p, "ProjectId", 0);
	cJSON_AddStringToObject(p, "PublicKey", key.data);
	ts = cJSON_AddArrayToObject(p, "TagSpecification");
	spec = cJSON_CreateObject();
	cJSON_AddStringToObject(spec, "ResourceType", "keypair");
	cJSON_AddItemToObject(spec, "Tags", tcz_tags(t, "keypair", NULL));
	cJSON_AddItemToArray(ts, spec);
	free(name);
	if (tcz_ensure(t, &tcz_kind_keypair, "keypair", "cvm", "ImportKeyPair",
		       p, "KeyId", &id))
		goto out;
	t->keypair = xstrdup(id);
	ret = 0;
out:
	buf_release(&key);
	return ret;
}
