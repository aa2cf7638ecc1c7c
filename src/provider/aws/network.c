/*
 * network.c: the deployment-wide resources of an AWS provision (see aws.h):
 * VPC, subnets, internet gateway, route table with its default route and
 * associations, security group with its rules, key pair.
 */
#include "aws.h"
#include "../ports.h"
#include "../../crypto/sshkey.h"
#include "../../state/log.h"
#include "../../util/buf.h"
#include "../../util/fs.h"
#include "../../util/str.h"

int aws_network(struct aws *a)
{
	const struct node *n = a->any;
	struct aws_params p;
	const char *v;
	char **ids = NULL;
	size_t i, nids = 0;
	int ret = -1;

	aws_params_init(&p);
	if ((v = fld(n, "VPCId"))) {
		a->vpc = xstrdup(v);
	} else {
		aws_params_add(&p, "CidrBlock", VPC_CIDR);
		if (aws_ensure(a, &aws_kind_vpc, "vpc", a->dep, &p, &a->vpc))
			goto out;
		a->own_vpc = true;
		aws_params_release(&p);
		aws_params_add(&p, "VpcId", a->vpc);
		aws_params_add(&p, "EnableDnsHostnames.Value", "true");
		if (aws_step(a, "vpc-dns", "ModifyVpcAttribute", &p, false, NULL,
			 NULL))
			goto out;
	}
	if ((v = fld(n, "SubnetIds"))) {
		char *s = xstrdup(v), *w, *save = NULL;

		for (w = strtok_r(s, ",", &save); w;
		     w = strtok_r(NULL, ",", &save)) {
			ids = xrealloc(ids, (nids + 1) * sizeof(*ids));
			ids[nids++] = xstrdup(w);
		}
		free(s);
		if (nids < a->nzones) {
			error("SubnetIds names %zu subnet%s for %zu zone%s: "
			      "one per zone, in Zone order", nids,
			      nids == 1 ? "" : "s", a->nzones,
			      a->nzones == 1 ? "" : "s");
			goto out;
		}
	}
	a->subnets = xcalloc(a->nzones ? a->nzones : 1, sizeof(char *));
	for (i = 0; i < a->nzones; i++) {
		char *key, *cidr, *name;

		if (ids) {
			a->subnets[i] = xstrdup(ids[i]);
			continue;
		}
		key = xasprintf("subnet/%s", a->zones[i]);
		cidr = xasprintf("10.0.%zu.0/24", i);
		name = xasprintf("%s-%s", a->dep, a->zones[i]);
		aws_params_release(&p);
		aws_params_add(&p, "VpcId", a->vpc);
		aws_params_add(&p, "CidrBlock", cidr);
		aws_params_add(&p, "AvailabilityZone", a->zones[i]);
		ret = aws_ensure(a, &aws_kind_subnet, key, name, &p, &a->subnets[i]);
		free(cidr);
		free(name);
		if (!ret) {
			char *k2 = xasprintf("subnet-public/%s", a->zones[i]);

			aws_params_release(&p);
			aws_params_add(&p, "SubnetId", a->subnets[i]);
			aws_params_add(&p, "MapPublicIpOnLaunch.Value",
				       fld_true(n, "PrivateSubnet") ? "false" :
				       "true");
			ret = aws_step(a, k2, "ModifySubnetAttribute", &p, false,
				   NULL, NULL);
			free(k2);
		}
		free(key);
		if (ret)
			goto out;
		ret = -1;
	}
	if ((v = fld(n, "InternetGatewayId"))) {
		a->igw = xstrdup(v);
	} else if (!fld(n, "RouteTableId")) {
		aws_params_release(&p);
		if (aws_ensure(a, &aws_kind_igw, "igw", a->dep, &p, &a->igw))
			goto out;
		a->own_igw = true;
		aws_params_release(&p);
		aws_params_add(&p, "InternetGatewayId", a->igw);
		aws_params_add(&p, "VpcId", a->vpc);
		if (aws_step(a, "igw-attach", "AttachInternetGateway", &p,
			 true, NULL, NULL))
			goto out;
	}
	if ((v = fld(n, "RouteTableId"))) {
		a->rtb = xstrdup(v);
	} else {
		aws_params_release(&p);
		aws_params_add(&p, "VpcId", a->vpc);
		if (aws_ensure(a, &aws_kind_rtb, "rtb", a->dep, &p, &a->rtb))
			goto out;
		a->own_rtb = true;
		aws_params_release(&p);
		aws_params_add(&p, "RouteTableId", a->rtb);
		aws_params_add(&p, "DestinationCidrBlock", "0.0.0.0/0");
		aws_params_add(&p, "GatewayId", a->igw);
		if (aws_step(a, "route-default", "CreateRoute", &p,
			 true, NULL, NULL))
			goto out;
		for (i = 0; i < a->nzones; i++) {
			char *key = xasprintf("rtb-assoc/%s", a->zones[i]);
			char *assoc = NULL;

			aws_params_release(&p);
			aws_params_add(&p, "RouteTableId", a->rtb);
			aws_params_add(&p, "SubnetId", a->subnets[i]);
			ret = aws_step(a, key, "AssociateRouteTable", &p,
				   true,
				   "associationId", &assoc);
			free(assoc);
			free(key);
			if (ret)
				goto out;
			ret = -1;
		}
	}
	ret = 0;
out:
	for (i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
	aws_params_release(&p);
	return ret;
}

/* The ports every role may need (ports.h), and ICMP from the VPC. */
int aws_security(struct aws *a)
{
	struct provider_port ports[PROVIDER_PORTS_MAX];
	struct aws_params p;
	size_t i, k = provider_ports(a->any, ports);
	int ret = -1;
	char *desc = xasprintf("icm %s", a->dep);

	aws_params_init(&p);
	aws_params_add(&p, "GroupName", a->dep);
	aws_params_add(&p, "GroupDescription", desc);
	aws_params_add(&p, "VpcId", a->vpc);
	if (aws_ensure(a, &aws_kind_sg, "sg", a->dep, &p, &a->sg))
		goto out;
	aws_params_release(&p);
	aws_params_add(&p, "GroupId", a->sg);
	for (i = 0; i < k; i++) {
		aws_params_addf(&p, ports[i].proto,
				"IpPermissions.%zu.IpProtocol", i + 1);
		aws_params_addf(&p, ports[i].from,
				"IpPermissions.%zu.FromPort", i + 1);
		aws_params_addf(&p, ports[i].to, "IpPermissions.%zu.ToPort",
				i + 1);
		aws_params_addf(&p, "0.0.0.0/0",
				"IpPermissions.%zu.IpRanges.1.CidrIp", i + 1);
	}
	i = k;
	aws_params_addf(&p, "icmp", "IpPermissions.%zu.IpProtocol", i + 1);
	aws_params_addf(&p, "-1", "IpPermissions.%zu.FromPort", i + 1);
	aws_params_addf(&p, "-1", "IpPermissions.%zu.ToPort", i + 1);
	aws_params_addf(&p, VPC_CIDR, "IpPermissions.%zu.IpRanges.1.CidrIp",
			i + 1);
	ret = aws_step(a, "sg-ingress", "AuthorizeSecurityGroupIngress", &p,
		   true, NULL, NULL);
out:
	aws_params_release(&p);
	free(desc);
	return ret;
}

int aws_keypair(struct aws *a)
{
	const char *path = fld(a->any, "SSHPublicKey");
	struct aws_params p;
	struct buf key, b64;
	int ret = -1;

	buf_init(&key, BUF_CAP_CONFIG);
	buf_init(&b64, 2 * BUF_CAP_CONFIG);
	aws_params_init(&p);
	if (!path) {
		error("SSHPublicKey is required on AWS");
		goto out;
	}
	if (fs_read_file(path, &key)) {
		error("cannot read SSHPublicKey '%s': %s", path,
		      fs_strerror(errno));
		goto out;
	}
	if (base64_add(&b64, key.data, key.len)) {
		error("SSHPublicKey '%s' is too large", path);
		goto out;
	}
	aws_params_add(&p, "KeyName", a->dep);
	aws_params_add(&p, "PublicKeyMaterial", b64.data);
	ret = aws_ensure(a, &aws_kind_key, "keypair", NULL, &p, &a->keyname);
out:
	aws_params_release(&p);
	buf_release(&key);
	buf_release(&b64);
	return ret;
}
