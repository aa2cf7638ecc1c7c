#!/usr/bin/env python3
# aws-census.py DEPLOYMENT: what the AWS endpoint ($AWS_ENDPOINT_URL, moto in
# the tests) holds of a deployment, found by its icm:deployment tag (and the
# key pair by name), as one line "kind=count ..." in a fixed order:
#   vpc subnet igw rtb sg key instance volume address lb tg
# instances: not terminated; volumes: not deleted (attached to a live
# instance or left over).  With --sizes: instead, every volume of the live
# instances as "MACHINE:DEVICE=GB" (MACHINE: the instance's Name tag),
# sorted.  With --targets: instead, the target groups of
# the deployment as "NAME=N" (N registered targets that are live
# instances), sorted by name.  Uses botocore from the pip Python.  For the AWS
# end-to-end tests (tests/e2e/64-aws-moto.sh); no network but the endpoint.
import os, sys
import botocore.session

dep = sys.argv[1]
url = os.environ["AWS_ENDPOINT_URL"]
s = botocore.session.get_session()
ec2 = s.create_client("ec2", region_name="us-east-1", endpoint_url=url)
elb = s.create_client("elbv2", region_name="us-east-1", endpoint_url=url)
f = [{"Name": "tag:icm:deployment", "Values": [dep]}]
live = [{"Name": "instance-state-name",
         "Values": ["pending", "running", "stopping", "stopped", "shutting-down"]}]
inst = [i["InstanceId"] for r in ec2.describe_instances(Filters=f + live)["Reservations"]
        for i in r["Instances"]]
vols = [v for v in ec2.describe_volumes()["Volumes"]
        if any(t["Key"] == "icm:deployment" and t["Value"] == dep for t in v.get("Tags", []))
        or any(a.get("InstanceId") in inst for a in v.get("Attachments", []))]


def tagged_elb(arns):
    n = 0
    for arn in arns:
        for d in elb.describe_tags(ResourceArns=[arn])["TagDescriptions"]:
            if any(t["Key"] == "icm:deployment" and t["Value"] == dep for t in d["Tags"]):
                n += 1
    return n


if sys.argv[2:] == ["--sizes"]:
    size = {v["VolumeId"]: v["Size"] for v in vols}
    out = []
    for r in ec2.describe_instances(Filters=f + live)["Reservations"]:
        for i in r["Instances"]:
            name = [t["Value"] for t in i.get("Tags", []) if t["Key"] == "Name"]
            for b in i.get("BlockDeviceMappings", []):
                out.append("%s:%s=%s" % ((name or ["?"])[0], b["DeviceName"],
                                         size.get(b["Ebs"]["VolumeId"], "?")))
    print(" ".join(sorted(out)))
    sys.exit(0)

if sys.argv[2:] == ["--targets"]:
    out = []
    for t in elb.describe_target_groups()["TargetGroups"]:
        if not tagged_elb([t["TargetGroupArn"]]):
            continue
        ids = [d["Target"]["Id"] for d in
               elb.describe_target_health(TargetGroupArn=t["TargetGroupArn"])["TargetHealthDescriptions"]]
        out.append("%s=%d" % (t["TargetGroupName"], len([i for i in ids if i in inst])))
    print(" ".join(sorted(out)))
    sys.exit(0)

counts = [
    ("vpc", len(ec2.describe_vpcs(Filters=f)["Vpcs"])),
    ("subnet", len(ec2.describe_subnets(Filters=f)["Subnets"])),
    ("igw", len(ec2.describe_internet_gateways(Filters=f)["InternetGateways"])),
    ("rtb", len(ec2.describe_route_tables(Filters=f)["RouteTables"])),
    ("sg", len(ec2.describe_security_groups(Filters=f)["SecurityGroups"])),
    ("key", len([k for k in ec2.describe_key_pairs()["KeyPairs"] if k["KeyName"] == dep])),
    ("instance", len(inst)),
    ("volume", len(vols)),
    ("address", len(ec2.describe_addresses(Filters=f)["Addresses"])),
    ("lb", tagged_elb([l["LoadBalancerArn"] for l in elb.describe_load_balancers()["LoadBalancers"]])),
    ("tg", tagged_elb([t["TargetGroupArn"] for t in elb.describe_target_groups()["TargetGroups"]])),
]
print(" ".join("%s=%d" % c for c in counts))
