#!/usr/bin/env python3
"""tencent-fake.py: a FAKE Tencent Cloud API 3.0 (CVM, VPC, CLB) for icm's
tests.  NOT Tencent Cloud: a small stateful imitation written from Tencent's
API reference, Python standard library only, serving https on 127.0.0.1 and
telling the services apart by the Host header (cvm., vpc., clb.
tencentcloudapi.com; tag. is named by the certificate but serves nothing).

    tencent-fake.py --port P --cert CERT.pem --key KEY.pem [--pending S]
    with the one accepted key pair in $TC_FAKE_SECRET_ID and
    $TC_FAKE_SECRET_KEY (the environment: not seen by ps)

Every call: POST / with a JSON body, X-TC-Action, X-TC-Version (cvm, vpc
2017-03-12; clb 2018-03-17), X-TC-Region, X-TC-Timestamp, Authorization
"TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=...,
Signature=HEX".  The signature is recomputed (canonical headers are the
signed ones, lower-case names and values, trimmed; the host without a port)
and refused as AuthFailure.SignatureFailure, a timestamp more than 300 s
away as AuthFailure.SignatureExpire, another SecretId as
AuthFailure.SecretIdNotFound, a malformed header as
AuthFailure.InvalidAuthorization.  Answers are HTTP 200 {"Response": {...,
"RequestId"}}, errors {"Response": {"Error": {"Code", "Message"},
"RequestId"}}, with the header X-Fake.

CVM:  DescribeZones, DescribeImages, DescribeZoneInstanceConfigInfos,
      DescribeInstanceTypeConfigs, RunInstances (ClientToken: the same token
      answers the same InstanceIdSet and makes nothing), DescribeInstances
      (PENDING for --pending seconds, then RUNNING), TerminateInstances
      (SHUTDOWN for --pending seconds, then gone), ImportKeyPair,
      DescribeKeyPairs, DeleteKeyPairs
VPC:  CreateVpc, DescribeVpcs, DeleteVpc, CreateSubnet, DescribeSubnets,
      DeleteSubnet, CreateSecurityGroup, CreateSecurityGroupPolicies,
      DescribeSecurityGroupPolicies, DescribeSecurityGroups,
      DeleteSecurityGroup, AllocateAddresses, AssociateAddress,
      DescribeAddresses, DisassociateAddress, ReleaseAddresses
CLB:  CreateLoadBalancer, DescribeLoadBalancers, DeleteLoadBalancer,
      CreateListener, DescribeListeners, RegisterTargets, DescribeTargets,
      DescribeTaskStatus (TaskId: the RequestId of an asynchronous action, or
      DealName: CreateLoadBalancer's; Status 2 running for --pending
      seconds, then 0 succeeded or 1 failed).  CreateLoadBalancer honours
      ClientToken as RunInstances does.
Resources belong to the X-TC-Region of their creation.  Private IPs come
from the subnet's CIDR from .11 on; public IPs from 203.0.113.0/24.
Test-only (no auth, on any host):
      GET  /_fake/stats    calls {"service.Action": n}, errors {code: n},
           launches {ClientToken: instances made}, token_calls {token: n}
      GET  /_fake/state    every stored resource
      POST /_fake/control  JSON: pending_s, fail_every N + fail_code (every
           Nth signed call answers fail_code, RequestLimitExceeded unless
           given), sold_out [{zone, type}], balance_low true, quota
           {instances: N} (per region), fail_tasks N (the next N CLB tasks
           end with Status 1), reset true
"""
import argparse
import hashlib
import hmac
import ipaddress
import json
import os
import random
import re
import ssl
import string
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tencent_catalog as cat  # noqa: E402

FAKE_HDR = "tencent-fake.py (not Tencent Cloud)"
VERSIONS = {"cvm": "2017-03-12", "vpc": "2017-03-12", "clb": "2018-03-17"}
MAX_BODY = 1 << 20
LOCK = threading.RLock()
SECRET_ID = os.environ.get("TC_FAKE_SECRET_ID", "")
SECRET_KEY = os.environ.get("TC_FAKE_SECRET_KEY", "")
PENDING_DEFAULT = 1.0


class ApiError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def fresh_state():
    return {"instances": {}, "keypairs": {}, "vpcs": {}, "subnets": {}, "sgs": {},
            "eips": {}, "clbs": {}, "tasks": {}, "deals": {}, "tokens": {}, "used_ips": set(),
            "next_public": 10}


def fresh_ctl():
    return {"pending_s": PENDING_DEFAULT, "fail_every": 0,
            "fail_code": "RequestLimitExceeded", "sold_out": [], "balance_low": False,
            "quota": {}, "fail_tasks": 0}


def fresh_stats():
    return {"calls": {}, "errors": {}, "launches": {}, "token_calls": {}, "signed_calls": 0}


S = fresh_state()
CTL = fresh_ctl()
STATS = fresh_stats()


def now_iso(t=None):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t if t is not None else time.time()))


def new_id(prefix):
    return prefix + "-" + "".join(random.choice(string.ascii_lowercase + string.digits)
                                  for _ in range(8))


# ---------------------------------------------------------------------------
# Parameters

def p_str(p, k, required=False, default=None):
    v = p.get(k)
    if v is None:
        if required:
            raise ApiError("MissingParameter", f"The request is missing a required parameter `{k}`.")
        return default
    if not isinstance(v, str):
        raise ApiError("InvalidParameter", f"The parameter `{k}` must be a string.")
    return v


def p_int(p, k, default=None, lo=None, hi=None):
    v = p.get(k)
    if v is None:
        return default
    if isinstance(v, str) and re.fullmatch(r"-?[0-9]+", v):   # VPC's Offset/Limit are strings
        v = int(v)
    if not isinstance(v, int) or isinstance(v, bool):
        raise ApiError("InvalidParameter", f"The parameter `{k}` must be an integer.")
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ApiError("InvalidParameterValue", f"The value of `{k}` ({v}) is out of range [{lo}, {hi}].")
    return v


def p_list(p, k):
    v = p.get(k)
    if v is None:
        return []
    if not isinstance(v, list):
        raise ApiError("InvalidParameter", f"The parameter `{k}` must be an array.")
    return v


def tags_kv(lst, kname="Key", vname="Value"):
    out = {}
    for t in lst or []:
        if not isinstance(t, dict) or not isinstance(t.get(kname), str):
            raise ApiError("InvalidParameter", f"A tag needs `{kname}` and `{vname}`.")
        out[t[kname]] = str(t.get(vname, ""))
    return out


def tag_list(tags, kname="Key", vname="Value"):
    return [{kname: k, vname: v} for k, v in sorted(tags.items())]


def page(items, p, default_limit=20, max_limit=100):
    off = p_int(p, "Offset", 0, lo=0)
    lim = p_int(p, "Limit", default_limit, lo=0, hi=max_limit)
    return len(items), items[off:off + lim]


def listing(kind, region, p, ids_key, nf, fields, bad_filter):
    """A Describe's page of KIND in REGION: by p[IDS_KEY] (each must exist:
    nf = (code, what), or None to skip unknown ones) and p's Filters
    (fields(item) -> {name: [values]}; an unknown name is BAD_FILTER);
    returns (TotalCount, items)."""
    ids = p_list(p, ids_key)
    items = sorted(in_region(kind, region), key=lambda r: (r["created"], r["id"]))
    if ids:
        for x in ids if nf else []:
            need(kind, x, region, nf[0], nf[1])
        items = [r for r in items if r["id"] in ids]
    items = apply_filters(items, p_list(p, "Filters"), fields, bad_filter)
    return page(items, p, 20, 100)


class _Probe(dict):
    """An item whose every field (and field of a field) is empty: to learn
    the names a fields() function gives."""
    def __missing__(self, key):
        return _Probe()


def apply_filters(items, filters, fields, bad_code):
    """items whose fields match every filter (any of its Values); fields(item)
    -> {name: [values]}; tag:K, tag-key and tag-value come from item['tags']."""
    known = set(fields(_Probe()))
    for f in filters:
        if not isinstance(f, dict) or not isinstance(f.get("Name"), str) or \
                not isinstance(f.get("Values"), list):
            raise ApiError("InvalidParameter", "A filter needs `Name` and `Values`.")
        n = f["Name"]
        if not (n.startswith("tag:") or n in ("tag-key", "tag-value") or n in known):
            raise ApiError(bad_code, f"The filter `{n}` is not supported.")
    out = []
    for it in items:
        fv = fields(it)
        ok = True
        for f in filters:
            n, want = f["Name"], [str(x) for x in f["Values"]]
            if n.startswith("tag:"):
                have = [it["tags"][n[4:]]] if n[4:] in it.get("tags", {}) else []
            elif n == "tag-key":
                have = list(it.get("tags", {}).keys())
            elif n == "tag-value":
                have = list(it.get("tags", {}).values())
            else:
                have = [str(x) for x in fv[n]]
            if not set(have) & set(want):
                ok = False
                break
        if ok:
            out.append(it)
    return out


def in_region(kind, region):
    return [r for r in S[kind].values() if r["region"] == region]


def need(kind, rid, region, code, what):
    r = S[kind].get(rid)
    if r is None or r["region"] != region:
        raise ApiError(code, f"The {what} `{rid}` does not exist in {region}.")
    return r


def zone_ok(region, zone):
    if zone not in cat.zones(region):
        if cat.region_of_zone(zone):
            raise ApiError("InvalidZone.MismatchRegion", f"The zone `{zone}` is not in the region {region}.")
        raise ApiError("InvalidParameterValue.ZoneNotSupported", f"The zone `{zone}` does not exist.")


def ip_in(subnet, ip):
    return ipaddress.ip_address(ip) in ipaddress.ip_network(subnet["cidr"])


def alloc_private(subnet, want=None):
    net = ipaddress.ip_network(subnet["cidr"])
    if want is not None:
        try:
            a = ipaddress.ip_address(want)
        except ValueError:
            raise ApiError("InvalidParameterValue", f"`{want}` is not an IPv4 address.")
        if a not in net:
            raise ApiError("InvalidParameterValue",
                           f"The IP {want} is not in the subnet {subnet['id']} ({subnet['cidr']}).")
        if str(a) in S["used_ips"]:
            raise ApiError("VpcIpIsUsed", f"The IP {want} is already in use.")
        S["used_ips"].add(str(a))
        return str(a)
    for i, a in enumerate(net.hosts()):
        if i + 1 < 11:
            continue
        if str(a) not in S["used_ips"]:
            S["used_ips"].add(str(a))
            return str(a)
    raise ApiError("ResourceInsufficient",
                   f"The subnet {subnet['id']} has no free address.")


def alloc_public():
    n = S["next_public"]
    if n > 254:
        raise ApiError("ResourcesSoldOut.EipInsufficient", "The public IP addresses are sold out.")
    S["next_public"] = n + 1
    return f"203.0.113.{n}"


def check_money(region, instances=0):
    if CTL["balance_low"]:
        raise ApiError("InvalidAccount.InsufficientBalance", "Insufficient account balance.")
    q = CTL["quota"].get("instances")
    if instances and q is not None:
        live = len([i for i in in_region("instances", region)])
        if live + instances > q:
            raise ApiError("LimitExceeded.InstanceQuota",
                           f"Your current quota does not allow you to specify the value `{instances}` in "
                           f"the parameter `InstanceCount` ({live} of {q} instances in {region}).")


# ---------------------------------------------------------------------------
# Lazy state: instances, CLBs and tasks move on with time

def settle():
    t = time.time()
    for iid in list(S["instances"]):
        i = S["instances"][iid]
        if i["state"] == "PENDING" and t >= i["until"]:
            i["state"] = "RUNNING"
        elif i["state"] == "SHUTDOWN" and t >= i["until"]:
            for ip in i["private"]:
                S["used_ips"].discard(ip)
            for e in S["eips"].values():
                if e["instance"] == iid:
                    e.update(instance="", private_ip="", status="UNBIND")
            del S["instances"][iid]
    for lid in list(S["clbs"]):
        c = S["clbs"][lid]
        if c["status"] == 0 and t >= c["until"]:
            c["status"] = 1
        if c.get("deleting") and t >= c["until"]:
            for ip in c["private"]:
                S["used_ips"].discard(ip)
            del S["clbs"][lid]


def new_task(rid, lbs=None):
    fail = CTL["fail_tasks"] > 0
    if fail:
        CTL["fail_tasks"] -= 1
    S["tasks"][rid] = {"until": time.time() + CTL["pending_s"], "fail": fail, "lbs": lbs or []}


# ---------------------------------------------------------------------------
# CVM

def cvm_DescribeZones(region, p, rid):
    zs = [{"Zone": z, "ZoneId": zid, "ZoneName": name, "ZoneState": "AVAILABLE"}
          for z, zid, name in cat.REGIONS[region]]
    return {"TotalCount": len(zs), "ZoneSet": zs}


def image_view(i):
    iid, os_name, plat, created, arch, size = i
    return {"ImageId": iid, "OsName": os_name, "ImageType": "PUBLIC_IMAGE", "CreatedTime": created,
            "ImageName": os_name, "ImageDescription": os_name, "ImageSize": size,
            "Architecture": arch, "ImageState": "NORMAL", "Platform": plat,
            "ImageCreator": "", "ImageSource": "OFFICIAL", "SyncPercent": None,
            "IsSupportCloudinit": True, "SnapshotSet": None, "Tags": [], "LicenseType": "TencentCloud",
            "ImageFamily": "", "ImageDeprecated": False}


def cvm_DescribeImages(region, p, rid):
    ids = p_list(p, "ImageIds")
    items = [{"i": i, "tags": {}} for i in cat.IMAGES]
    if ids:
        if p.get("Filters"):
            raise ApiError("InvalidParameter", "`ImageIds` and `Filters` cannot be given together.")
        for x in ids:
            if not cat.image(x):
                raise ApiError("InvalidImageId.NotFound", f"The image `{x}` does not exist.")
        items = [x for x in items if x["i"][0] in ids]
    items = apply_filters(items, p_list(p, "Filters"), lambda x: {
        "image-id": [x["i"][0]], "image-type": ["PUBLIC_IMAGE"], "image-name": [x["i"][1]],
        "platform": [x["i"][2]], "instance-type": [t[0] for t in cat.TYPES]}, "InvalidFilter")
    n, items = page(items, p, 20, 100)
    return {"TotalCount": n, "ImageSet": [image_view(x["i"]) for x in items]}


def sold_out(zone, itype):
    return any(s.get("zone") == zone and s.get("type") == itype for s in CTL["sold_out"])


def type_rows(region):
    rows = []
    for z in cat.zones(region):
        for t in cat.TYPES:
            if cat.offered(z, t[0]):
                rows.append({"zone": z, "t": t, "tags": {}})
    return rows


def cvm_DescribeZoneInstanceConfigInfos(region, p, rid):
    rows = apply_filters(type_rows(region), p_list(p, "Filters"), lambda r: {
        "zone": [r["zone"]], "instance-family": [r["t"][1]], "instance-type": [r["t"][0]],
        "instance-charge-type": ["POSTPAID_BY_HOUR"], "sort-keys": []}, "InvalidFilter")
    out = []
    for r in rows:
        name, fam, tname, cpu, mem = r["t"]
        so = sold_out(r["zone"], name)
        out.append({"Zone": r["zone"], "InstanceType": name, "InstanceChargeType": "POSTPAID_BY_HOUR",
                    "NetworkCard": 0, "Externals": {}, "Cpu": cpu, "Memory": mem,
                    "InstanceFamily": fam, "TypeName": tname, "LocalDiskTypeList": [],
                    "Status": "SOLD_OUT" if so else "SELL",
                    "Price": {"UnitPrice": 0.1 * cpu, "ChargeUnit": "HOUR"},
                    "SoldOutReason": "ResourcesSoldOut.SpecifiedInstanceType" if so else "",
                    "InstanceBandwidth": 1.5, "InstancePps": 30, "StorageBlockAmount": 0,
                    "CpuType": "Intel Xeon Cascade Lake 8255C", "Gpu": 0, "Fpga": 0, "GpuCount": 0,
                    "Remark": "", "Frequency": "2.5GHz/3.1GHz",
                    "StatusCategory": "WithoutStock" if so else "EnoughStock"})
    return {"InstanceTypeQuotaSet": out}


def cvm_DescribeInstanceTypeConfigs(region, p, rid):
    rows = apply_filters(type_rows(region), p_list(p, "Filters"), lambda r: {
        "zone": [r["zone"]], "instance-family": [r["t"][1]], "instance-type": [r["t"][0]]},
        "InvalidFilter")
    return {"InstanceTypeConfigSet": [
        {"Zone": r["zone"], "InstanceType": r["t"][0], "InstanceFamily": r["t"][1], "GPU": 0,
         "CPU": r["t"][3], "Memory": r["t"][4], "FPGA": 0, "GpuCount": 0} for r in rows]}


def disk(d, lim, default_type, what):
    if d is None:
        return {"DiskType": default_type, "DiskSize": 50 if what == "system" else 0}
    if not isinstance(d, dict):
        raise ApiError("InvalidParameter", f"The {what} disk must be an object.")
    dt = d.get("DiskType", default_type)
    if dt not in cat.DISK_TYPES:
        raise ApiError("InvalidParameterValue", f"The {what} disk type `{dt}` is not one of "
                       + ", ".join(cat.DISK_TYPES) + ".")
    size = p_int(d, "DiskSize", 50 if what == "system" else None)
    if size is None or not lim[0] <= size <= lim[1]:
        raise ApiError("InvalidParameterValue",
                       f"The {what} disk size {size} GB is outside [{lim[0]}, {lim[1]}].")
    return {"DiskType": dt, "DiskSize": size}


def cvm_RunInstances(region, p, rid):
    token = p_str(p, "ClientToken")
    if token is not None:
        STATS["token_calls"][token] = STATS["token_calls"].get(token, 0) + 1
        if token in S["tokens"]:
            return {"InstanceIdSet": list(S["tokens"][token])}
    pl = p.get("Placement")
    if not isinstance(pl, dict):
        raise ApiError("MissingParameter", "The request is missing a required parameter `Placement`.")
    zone = p_str(pl, "Zone", True)
    zone_ok(region, zone)
    image_id = p_str(p, "ImageId", True)
    img = cat.image(image_id)
    if not img:
        raise ApiError("InvalidImageId.NotFound", f"The image `{image_id}` does not exist.")
    itype = p_str(p, "InstanceType", default="S5.SMALL2")
    if not cat.itype(itype):
        raise ApiError("InvalidParameterValue.InstanceTypeNotFound",
                       f"The instance type `{itype}` does not exist.")
    if not cat.offered(zone, itype):
        raise ApiError("ResourceUnavailable.InstanceType",
                       f"The instance type `{itype}` is not offered in {zone}.")
    if sold_out(zone, itype):
        raise ApiError("ResourcesSoldOut.SpecifiedInstanceType",
                       f"The specified instance type `{itype}` is sold out in {zone}.")
    count = p_int(p, "InstanceCount", 1, lo=1, hi=100)
    check_money(region, count)
    sysd = disk(p.get("SystemDisk"), cat.SYSTEM_DISK_GB, "CLOUD_PREMIUM", "system")
    datads = [disk(d, cat.DATA_DISK_GB, "CLOUD_PREMIUM", "data") for d in p_list(p, "DataDisks")]
    vpcp = p.get("VirtualPrivateCloud")
    if not isinstance(vpcp, dict):
        raise ApiError("MissingParameter", "The request is missing `VirtualPrivateCloud` (this fake has no default VPC).")
    vpc = need("vpcs", p_str(vpcp, "VpcId", True), region, "InvalidParameterValue.VpcIdNotExist", "VPC")
    sub = need("subnets", p_str(vpcp, "SubnetId", True), region, "InvalidParameterValue.SubnetNotExist", "subnet")
    if sub["vpc"] != vpc["id"]:
        raise ApiError("InvalidParameterValue", f"The subnet {sub['id']} is not in the VPC {vpc['id']}.")
    if sub["zone"] != zone:
        raise ApiError("InvalidParameterValue.VpcIdZoneIdNotMatch",
                       f"The subnet {sub['id']} is in {sub['zone']}, not in {zone}.")
    want_ips = p_list(vpcp, "PrivateIpAddresses")
    if want_ips and len(want_ips) != count:
        raise ApiError("InvalidParameterValue", "`PrivateIpAddresses` must give one address per instance.")
    for s in p_list(p, "SecurityGroupIds"):
        need("sgs", s, region, "InvalidSecurityGroupId.NotFound", "security group")
    ls = p.get("LoginSettings") or {}
    keys = p_list(ls, "KeyIds")
    for k in keys:
        need("keypairs", k, region, "InvalidKeyPairId.NotFound", "key pair")
    ia = p.get("InternetAccessible") or {}
    bw = p_int(ia, "InternetMaxBandwidthOut", 0, lo=0, hi=200)
    pub = ia.get("PublicIpAssigned", bw > 0)
    if pub and bw <= 0:
        raise ApiError("InvalidParameterCombination", "`PublicIpAssigned` needs `InternetMaxBandwidthOut` above 0.")
    tags = {}
    for ts in p_list(p, "TagSpecification"):
        if isinstance(ts, dict) and ts.get("ResourceType") == "instance":
            tags.update(tags_kv(ts.get("Tags")))
    name = p_str(p, "InstanceName", default="Unnamed")
    # every check passed: now allocate
    privs = []
    try:
        for n in range(count):
            privs.append(alloc_private(sub, want_ips[n] if want_ips else None))
    except ApiError:
        for ip in privs:
            S["used_ips"].discard(ip)
        raise
    ids = []
    t = time.time()
    _, fam, _, cpu, mem = cat.itype(itype)
    for n in range(count):
        iid = new_id("ins")
        iname = name if count == 1 else f"{name}{n + 1}"   # as CVM names a batch
        S["instances"][iid] = {
            "id": iid, "region": region, "zone": zone, "type": itype, "cpu": cpu, "memory": mem,
            "name": iname, "image": image_id, "os": img[1], "system_disk": dict(sysd, DiskId=new_id("disk")),
            "data_disks": [dict(d, DiskId=new_id("disk"), DeleteWithInstance=True) for d in datads],
            "vpc": vpc["id"], "subnet": sub["id"], "private": [privs[n]],
            "public": [alloc_public()] if pub else [], "bandwidth": bw,
            "sgs": list(p_list(p, "SecurityGroupIds")), "keys": list(keys), "tags": dict(tags),
            "state": "PENDING", "until": t + CTL["pending_s"], "created": now_iso(t),
            "token": token or ""}
        ids.append(iid)
    if token is not None:
        S["tokens"][token] = ids
        STATS["launches"][token] = STATS["launches"].get(token, 0) + len(ids)
    return {"InstanceIdSet": ids}


def instance_view(i):
    return {
        "Placement": {"Zone": i["zone"], "ProjectId": 0, "HostIds": None, "HostId": None},
        "InstanceId": i["id"], "Uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, i["id"])),
        "InstanceType": i["type"], "CPU": i["cpu"], "Memory": i["memory"], "RestrictState": "NORMAL",
        "InstanceName": i["name"], "InstanceChargeType": "POSTPAID_BY_HOUR",
        "SystemDisk": i["system_disk"], "DataDisks": i["data_disks"] or None,
        "PrivateIpAddresses": list(i["private"]), "PublicIpAddresses": list(i["public"]) or None,
        "InternetAccessible": {"InternetChargeType": "TRAFFIC_POSTPAID_BY_HOUR",
                               "InternetMaxBandwidthOut": i["bandwidth"],
                               "PublicIpAssigned": bool(i["public"])},
        "VirtualPrivateCloud": {"VpcId": i["vpc"], "SubnetId": i["subnet"], "AsVpcGateway": False},
        "ImageId": i["image"], "OsName": i["os"], "RenewFlag": None,
        "CreatedTime": i["created"], "ExpiredTime": None, "SecurityGroupIds": list(i["sgs"]),
        "LoginSettings": {"KeyIds": list(i["keys"]) or None},
        "InstanceState": i["state"], "Tags": tag_list(i["tags"]),
        "StopChargingMode": "NOT_APPLICABLE", "LatestOperation": "RunInstances",
        "LatestOperationState": "SUCCESS" if i["state"] == "RUNNING" else "OPERATING",
        "LatestOperationRequestId": "", "IPv6Addresses": None, "Architecture": "x86_64",
    }


def cvm_DescribeInstances(region, p, rid):
    ids = p_list(p, "InstanceIds")
    if ids and p.get("Filters"):
        raise ApiError("InvalidParameter", "`InstanceIds` and `Filters` cannot be given together.")
    if len(ids) > 100:
        raise ApiError("InvalidParameterValue.LimitExceeded", "At most 100 `InstanceIds`.")
    n, items = listing("instances", region, p, "InstanceIds", None, lambda i: {
        "zone": [i["zone"]], "instance-id": [i["id"]], "instance-name": [i["name"]],
        "instance-type": [i["type"]], "instance-state": [i["state"]], "vpc-id": [i["vpc"]],
        "subnet-id": [i["subnet"]], "private-ip-address": i["private"],
        "public-ip-address": i["public"], "instance-charge-type": ["POSTPAID_BY_HOUR"],
        "security-group-id": i["sgs"], "project-id": ["0"]}, "InvalidFilter")
    return {"TotalCount": n, "InstanceSet": [instance_view(i) for i in items]}


def cvm_TerminateInstances(region, p, rid):
    ids = p_list(p, "InstanceIds")
    if not ids:
        raise ApiError("MissingParameter", "The request is missing a required parameter `InstanceIds`.")
    if len(ids) > 100:
        raise ApiError("InvalidParameterValue.LimitExceeded", "At most 100 `InstanceIds`.")
    for x in ids:
        need("instances", x, region, "InvalidInstanceId.NotFound", "instance")
    for x in ids:
        i = S["instances"][x]
        if i["state"] != "SHUTDOWN":
            i.update(state="SHUTDOWN", until=time.time() + CTL["pending_s"])
    return {}


def cvm_ImportKeyPair(region, p, rid):
    name = p_str(p, "KeyName", True)
    pub = p_str(p, "PublicKey", True)
    p_int(p, "ProjectId", 0)
    if not re.fullmatch(r"[A-Za-z0-9_]{1,25}", name):
        raise ApiError("InvalidKeyPairName", f"The key pair name `{name}` must be 1-25 letters, digits or underscores.")
    if not re.match(r"(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp256) [A-Za-z0-9+/=]+", pub):
        raise ApiError("InvalidPublicKey.Malformed", "The public key is not in OpenSSH's format.")
    for k in in_region("keypairs", region):
        if k["name"] == name:
            raise ApiError("InvalidKeyPairNameDuplicate",
                           f"A key pair named `{name}` exists already.")
    tags = {}
    for ts in p_list(p, "TagSpecification"):
        if isinstance(ts, dict) and ts.get("ResourceType") == "keypair":
            tags.update(tags_kv(ts.get("Tags")))
    kid = new_id("skey")
    S["keypairs"][kid] = {"id": kid, "region": region, "name": name, "public": pub.strip(),
                          "tags": tags, "created": now_iso()}
    return {"KeyId": kid}


def cvm_DescribeKeyPairs(region, p, rid):
    n, items = listing("keypairs", region, p, "KeyIds", ("InvalidKeyPairId.NotFound", "key pair"), lambda k: {
        "project-id": ["0"], "key-name": [k["name"]]}, "InvalidFilter")
    return {"TotalCount": n, "KeyPairSet": [{
        "KeyId": k["id"], "KeyName": k["name"], "ProjectId": 0, "Description": "",
        "PublicKey": k["public"], "PrivateKey": None,
        "AssociatedInstanceIds": [i["id"] for i in in_region("instances", region) if k["id"] in i["keys"]],
        "CreatedTime": k["created"], "Tags": tag_list(k["tags"])} for k in items]}


def cvm_DeleteKeyPairs(region, p, rid):
    ids = p_list(p, "KeyIds")
    if not ids:
        raise ApiError("MissingParameter", "The request is missing a required parameter `KeyIds`.")
    for x in ids:
        need("keypairs", x, region, "InvalidKeyPairId.NotFound", "key pair")
    for x in ids:
        del S["keypairs"][x]
    return {}


# ---------------------------------------------------------------------------
# VPC

def vpc_view(v):
    return {"VpcId": v["id"], "VpcName": v["name"], "CidrBlock": v["cidr"], "IsDefault": False,
            "EnableMulticast": False, "CreatedTime": v["created"], "EnableDhcp": True,
            "DnsServerSet": ["183.60.83.19", "183.60.82.98"], "DomainName": "",
            "DhcpOptionsId": "", "Ipv6CidrBlock": "", "TagSet": tag_list(v["tags"]),
            "AssistantCidrSet": []}


def cidr(s, what):
    try:
        n = ipaddress.ip_network(s)
    except ValueError:
        raise ApiError("InvalidParameterValue.Malformed", f"The {what} CIDR `{s}` is malformed.")
    if n.version != 4:
        raise ApiError("InvalidParameterValue.Malformed", f"The {what} CIDR `{s}` is not IPv4.")
    return n


def vpc_CreateVpc(region, p, rid):
    name = p_str(p, "VpcName", True)
    n = cidr(p_str(p, "CidrBlock", True), "VPC")
    if not 16 <= n.prefixlen <= 28:
        raise ApiError("InvalidParameterValue.Range", f"A VPC's CIDR must be /16 to /28, not /{n.prefixlen}.")
    if not any(n.subnet_of(ipaddress.ip_network(x)) for x in
               ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "198.18.0.0/15")):
        raise ApiError("InvalidParameterValue.Range", f"The VPC CIDR {n} is not a private range.")
    vid = new_id("vpc")
    v = {"id": vid, "region": region, "name": name, "cidr": str(n), "tags": tags_kv(p_list(p, "Tags")),
         "created": now_iso()}
    S["vpcs"][vid] = v
    return {"Vpc": vpc_view(v)}


def vpc_DescribeVpcs(region, p, rid):
    n, items = listing("vpcs", region, p, "VpcIds", ("ResourceNotFound", "VPC"), lambda v: {
        "vpc-name": [v["name"]], "is-default": ["false"], "vpc-id": [v["id"]],
        "cidr-block": [v["cidr"]]}, "InvalidParameter.FilterInvalidKey")
    return {"TotalCount": n, "VpcSet": [vpc_view(v) for v in items]}


def vpc_DeleteVpc(region, p, rid):
    vid = p_str(p, "VpcId", True)
    need("vpcs", vid, region, "ResourceNotFound", "VPC")
    if any(s["vpc"] == vid for s in S["subnets"].values()):
        raise ApiError("ResourceInUse", f"The VPC {vid} still has subnets.")
    del S["vpcs"][vid]
    return {}


def subnet_view(s):
    net = ipaddress.ip_network(s["cidr"])
    used = len([ip for ip in S["used_ips"] if ipaddress.ip_address(ip) in net])
    return {"VpcId": s["vpc"], "SubnetId": s["id"], "SubnetName": s["name"], "CidrBlock": s["cidr"],
            "IsDefault": False, "EnableBroadcast": False, "Zone": s["zone"], "RouteTableId": "",
            "CreatedTime": s["created"], "AvailableIpAddressCount": net.num_addresses - 3 - used,
            "Ipv6CidrBlock": "", "NetworkAclId": "", "IsRemoteVpcSnat": False,
            "TotalIpAddressCount": net.num_addresses - 3, "TagSet": tag_list(s["tags"])}


def vpc_CreateSubnet(region, p, rid):
    vid = p_str(p, "VpcId", True)
    v = need("vpcs", vid, region, "ResourceNotFound", "VPC")
    name = p_str(p, "SubnetName", True)
    n = cidr(p_str(p, "CidrBlock", True), "subnet")
    zone = p_str(p, "Zone", True)
    zone_ok(region, zone)
    if not n.subnet_of(ipaddress.ip_network(v["cidr"])):
        raise ApiError("InvalidParameterValue.SubnetRange", f"The subnet {n} is not inside the VPC's {v['cidr']}.")
    if not 16 <= n.prefixlen <= 29:
        raise ApiError("InvalidParameterValue.SubnetRange", f"A subnet must be /16 to /29, not /{n.prefixlen}.")
    for s in S["subnets"].values():
        if s["vpc"] == vid and ipaddress.ip_network(s["cidr"]).overlaps(n):
            raise ApiError("InvalidParameterValue.SubnetConflict", f"The subnet {n} overlaps {s['id']} ({s['cidr']}).")
    sid = new_id("subnet")
    s = {"id": sid, "region": region, "vpc": vid, "name": name, "cidr": str(n), "zone": zone,
         "tags": tags_kv(p_list(p, "Tags")), "created": now_iso()}
    S["subnets"][sid] = s
    return {"Subnet": subnet_view(s)}


def vpc_DescribeSubnets(region, p, rid):
    n, items = listing("subnets", region, p, "SubnetIds", ("ResourceNotFound", "subnet"), lambda s: {
        "subnet-id": [s["id"]], "vpc-id": [s["vpc"]], "cidr-block": [s["cidr"]],
        "is-default": ["false"], "zone": [s["zone"]], "subnet-name": [s["name"]]},
        "InvalidParameter.FilterInvalidKey")
    return {"TotalCount": n, "SubnetSet": [subnet_view(s) for s in items]}


def vpc_DeleteSubnet(region, p, rid):
    sid = p_str(p, "SubnetId", True)
    need("subnets", sid, region, "ResourceNotFound", "subnet")
    users = [i["id"] for i in S["instances"].values() if i["subnet"] == sid] + \
        [c["id"] for c in S["clbs"].values() if c["subnet"] == sid]
    if users:
        raise ApiError("ResourceInUse", f"The subnet {sid} is used by {', '.join(sorted(users))}.")
    del S["subnets"][sid]
    return {}


def sg_view(g):
    return {"SecurityGroupId": g["id"], "SecurityGroupName": g["name"],
            "SecurityGroupDesc": g["desc"], "ProjectId": "0", "IsDefault": False,
            "CreatedTime": g["created"], "UpdateTime": g["created"], "TagSet": tag_list(g["tags"])}


def vpc_CreateSecurityGroup(region, p, rid):
    name = p_str(p, "GroupName", True)
    desc = p_str(p, "GroupDescription", True)
    gid = new_id("sg")
    g = {"id": gid, "region": region, "name": name, "desc": desc, "tags": tags_kv(p_list(p, "Tags")),
         "ingress": [], "egress": [], "created": now_iso()}
    S["sgs"][gid] = g
    return {"SecurityGroup": sg_view(g)}


def vpc_CreateSecurityGroupPolicies(region, p, rid):
    g = need("sgs", p_str(p, "SecurityGroupId", True), region, "ResourceNotFound", "security group")
    ps = p.get("SecurityGroupPolicySet")
    if not isinstance(ps, dict):
        raise ApiError("MissingParameter", "The request is missing `SecurityGroupPolicySet`.")
    new = {"Ingress": [], "Egress": []}
    for d in ("Ingress", "Egress"):
        for r in p_list(ps, d):
            if not isinstance(r, dict):
                raise ApiError("InvalidParameter", f"An {d} policy must be an object.")
            proto = str(r.get("Protocol", "ALL")).upper()
            if proto not in ("TCP", "UDP", "ICMP", "ICMPV6", "GRE", "ALL"):
                raise ApiError("InvalidParameterValue", f"The protocol `{proto}` is not TCP, UDP, ICMP, GRE or ALL.")
            port = str(r.get("Port", "ALL"))
            if not re.fullmatch(r"ALL|[0-9]{1,5}(-[0-9]{1,5})?|[0-9]{1,5}(,[0-9]{1,5})*", port):
                raise ApiError("InvalidParameterValue", f"The port `{port}` is malformed.")
            act = str(r.get("Action", ""))
            if act not in ("ACCEPT", "DROP"):
                raise ApiError("InvalidParameterValue", f"A policy's Action must be ACCEPT or DROP, not `{act}`.")
            c = r.get("CidrBlock")
            if c is not None:
                cidr(c, "policy")
            new[d].append({"Protocol": proto, "Port": port, "CidrBlock": c or "", "Action": act,
                           "PolicyDescription": str(r.get("PolicyDescription", "")),
                           "ModifyTime": now_iso()})
    if not new["Ingress"] and not new["Egress"]:
        raise ApiError("MissingParameter", "No Ingress or Egress policy given.")
    g["ingress"] += new["Ingress"]
    g["egress"] += new["Egress"]
    return {}


def vpc_DescribeSecurityGroupPolicies(region, p, rid):
    g = need("sgs", p_str(p, "SecurityGroupId", True), region, "ResourceNotFound", "security group")
    idx = lambda lst: [dict(r, PolicyIndex=n) for n, r in enumerate(lst)]  # noqa: E731
    return {"SecurityGroupPolicySet": {"Version": str(len(g["ingress"]) + len(g["egress"])),
                                       "Ingress": idx(g["ingress"]), "Egress": idx(g["egress"])}}


def vpc_DescribeSecurityGroups(region, p, rid):
    n, items = listing("sgs", region, p, "SecurityGroupIds", ("ResourceNotFound", "security group"), lambda g: {
        "security-group-id": [g["id"]], "security-group-name": [g["name"]], "project-id": ["0"]},
        "InvalidParameter.FilterInvalidKey")
    return {"TotalCount": n, "SecurityGroupSet": [sg_view(g) for g in items]}


def vpc_DeleteSecurityGroup(region, p, rid):
    gid = p_str(p, "SecurityGroupId", True)
    need("sgs", gid, region, "ResourceNotFound", "security group")
    users = [i["id"] for i in S["instances"].values() if gid in i["sgs"]]
    if users:
        raise ApiError("ResourceInUse", f"The security group {gid} is used by {', '.join(sorted(users))}.")
    del S["sgs"][gid]
    return {}


def eip_view(e):
    return {"AddressId": e["id"], "AddressName": e["name"], "AddressStatus": e["status"],
            "AddressIp": e["ip"], "InstanceId": e["instance"] or None, "CreatedTime": e["created"],
            "NetworkInterfaceId": None, "PrivateAddressIp": e["private_ip"] or None,
            "IsArrears": False, "IsBlocked": False, "IsEipDirectConnection": False,
            "AddressType": "EIP", "CascadeRelease": False, "InternetServiceProvider": "BGP",
            "Bandwidth": e["bandwidth"], "InternetChargeType": "TRAFFIC_POSTPAID_BY_HOUR",
            "TagSet": tag_list(e["tags"])}


def vpc_AllocateAddresses(region, p, rid):
    count = p_int(p, "AddressCount", 1, lo=1, hi=100)
    check_money(region)
    bw = p_int(p, "InternetMaxBandwidthOut", 1, lo=1, hi=1000)
    tags = tags_kv(p_list(p, "Tags"))
    name = p_str(p, "AddressName", default="")
    ids = []
    for _ in range(count):
        eid = new_id("eip")
        S["eips"][eid] = {"id": eid, "region": region, "name": name, "ip": alloc_public(),
                          "status": "UNBIND", "instance": "", "private_ip": "", "bandwidth": bw,
                          "tags": dict(tags), "created": now_iso()}
        ids.append(eid)
    new_task(rid)
    return {"AddressSet": ids, "TaskId": rid}


def vpc_AssociateAddress(region, p, rid):
    e = need("eips", p_str(p, "AddressId", True), region, "InvalidAddressId.NotFound", "EIP")
    iid = p_str(p, "InstanceId", True)
    i = need("instances", iid, region, "InvalidInstanceId.NotFound", "instance")
    if e["status"] != "UNBIND":
        raise ApiError("InvalidAddressIdStatus.NotPermit", f"The EIP {e['id']} is {e['status']}, not UNBIND.")
    if i["state"] != "RUNNING":
        raise ApiError("UnsupportedOperation.InstanceStateNotSupported",
                       f"The instance {iid} is {i['state']}, not RUNNING.")
    if any(x["instance"] == iid for x in S["eips"].values()):
        raise ApiError("InvalidInstanceId.AlreadyBindEip",
                       f"The instance {iid} has an EIP already.")
    e.update(status="BIND", instance=iid, private_ip=i["private"][0])
    i["public"] = [e["ip"]]
    new_task(rid)
    return {"TaskId": rid}


def vpc_DisassociateAddress(region, p, rid):
    e = need("eips", p_str(p, "AddressId", True), region, "InvalidAddressId.NotFound", "EIP")
    if e["status"] != "BIND":
        raise ApiError("InvalidAddressIdStatus.NotPermit", f"The EIP {e['id']} is {e['status']}, not BIND.")
    i = S["instances"].get(e["instance"])
    if i is not None:
        i["public"] = []
    e.update(status="UNBIND", instance="", private_ip="")
    new_task(rid)
    return {"TaskId": rid}


def vpc_ReleaseAddresses(region, p, rid):
    ids = p_list(p, "AddressIds")
    if not ids:
        raise ApiError("MissingParameter", "The request is missing a required parameter `AddressIds`.")
    for x in ids:
        e = need("eips", x, region, "InvalidAddressId.NotFound", "EIP")
        if e["status"] != "UNBIND":
            raise ApiError("InvalidAddressIdStatus.NotPermit", f"The EIP {x} is {e['status']}: disassociate it first.")
    for x in ids:
        del S["eips"][x]
    new_task(rid)
    return {"TaskId": rid}


def vpc_DescribeAddresses(region, p, rid):
    n, items = listing("eips", region, p, "AddressIds", None, lambda e: {
        "address-id": [e["id"]], "address-name": [e["name"]], "address-ip": [e["ip"]],
        "address-status": [e["status"]], "instance-id": [e["instance"]] if e["instance"] else [],
        "private-ip-address": [e["private_ip"]] if e["private_ip"] else [],
        "address-type": ["EIP"], "is-arrears": ["FALSE"]}, "InvalidParameter.FilterInvalidKey")
    return {"TotalCount": n, "AddressSet": [eip_view(e) for e in items]}


# ---------------------------------------------------------------------------
# CLB (tags are {TagKey, TagValue}; asynchronous actions answer a RequestId
# that DescribeTaskStatus follows)

def clb_need(region, lid):
    c = S["clbs"].get(lid)
    if c is None or c["region"] != region or c.get("deleting"):
        raise ApiError("InvalidParameter.LBIdNotFound", f"The load balancer `{lid}` does not exist in {region}.")
    return c


def clb_ready(c):
    if c["status"] != 1:
        raise ApiError("FailedOperation.ResourceInOperation",
                       f"The load balancer {c['id']} is still being created: try again shortly.")


def clb_CreateLoadBalancer(region, p, rid):
    kind = p_str(p, "LoadBalancerType", True)
    if kind not in ("OPEN", "INTERNAL"):
        raise ApiError("InvalidParameterValue", f"`LoadBalancerType` is OPEN or INTERNAL, not `{kind}`.")
    token = p_str(p, "ClientToken")
    if token is not None and token in S["tokens"]:
        return {"LoadBalancerIds": list(S["tokens"][token]), "DealName": S["deals"]["token:" + token]}
    vid = p_str(p, "VpcId", True)
    need("vpcs", vid, region, "InvalidParameterValue", "VPC")
    sub = None
    if kind == "INTERNAL":
        sub = need("subnets", p_str(p, "SubnetId", True), region, "InvalidParameterValue", "subnet")
        if sub["vpc"] != vid:
            raise ApiError("InvalidParameterValue", f"The subnet {sub['id']} is not in the VPC {vid}.")
    count = p_int(p, "Number", 1, lo=1, hi=20)
    check_money(region)
    tags = tags_kv(p_list(p, "Tags"), "TagKey", "TagValue")
    name = p_str(p, "LoadBalancerName", default="")
    ids = []
    t = time.time()
    for _ in range(count):
        lid = new_id("lb")
        vip = alloc_private(sub) if sub else alloc_public()
        S["clbs"][lid] = {"id": lid, "region": region, "type": kind, "name": name or lid, "vpc": vid,
                          "subnet": sub["id"] if sub else "", "vips": [vip],
                          "private": [vip] if sub else [], "tags": dict(tags), "status": 0,
                          "until": t + CTL["pending_s"], "created": now_iso(t), "listeners": {}}
        ids.append(lid)
    if token is not None:
        S["tokens"][token] = ids
        STATS["launches"][token] = STATS["launches"].get(token, 0) + len(ids)
    new_task(rid, ids)
    deal = time.strftime("%Y%m%d", time.gmtime()) + "%010d" % random.randrange(10 ** 10)
    S["deals"][deal] = rid
    if token is not None:
        S["deals"]["token:" + token] = deal
    return {"LoadBalancerIds": ids, "DealName": deal}


def clb_view(c):
    return {"LoadBalancerId": c["id"], "LoadBalancerName": c["name"], "LoadBalancerType": c["type"],
            "Forward": 1, "Domain": "", "LoadBalancerVips": list(c["vips"]), "Status": c["status"],
            "CreateTime": c["created"].replace("T", " ").rstrip("Z"), "StatusTime": "",
            "ProjectId": 0, "VpcId": c["vpc"], "SubnetId": c["subnet"] or None,
            "Tags": tag_list(c["tags"], "TagKey", "TagValue"), "AddressIPVersion": "ipv4",
            "NetworkAttributes": {"InternetChargeType": "TRAFFIC_POSTPAID_BY_HOUR",
                                  "InternetMaxBandwidthOut": 10} if c["type"] == "OPEN" else None,
            "SecureGroups": [], "Isolation": 0, "ChargeType": "POSTPAID_BY_HOUR"}


def clb_DescribeLoadBalancers(region, p, rid):
    ids = p_list(p, "LoadBalancerIds")
    items = sorted([c for c in in_region("clbs", region) if not c.get("deleting")],
                   key=lambda c: (c["created"], c["id"]))
    if ids:
        items = [c for c in items if c["id"] in ids]
    if p.get("LoadBalancerType") is not None:
        items = [c for c in items if c["type"] == p["LoadBalancerType"]]
    if p.get("VpcId") is not None:
        items = [c for c in items if c["vpc"] == p["VpcId"]]
    items = apply_filters(items, p_list(p, "Filters"), lambda c: {
        "load-balancer-id": [c["id"]], "load-balancer-name": [c["name"]], "vpc-id": [c["vpc"]],
        "internet-charge-type": ["TRAFFIC_POSTPAID_BY_HOUR"], "project-id": ["0"]},
        "InvalidParameter.FormatError")
    n, items = page(items, p, 20, 100)
    return {"TotalCount": n, "LoadBalancerSet": [clb_view(c) for c in items]}


def clb_DeleteLoadBalancer(region, p, rid):
    ids = p_list(p, "LoadBalancerIds")
    if not ids:
        raise ApiError("MissingParameter", "The request is missing a required parameter `LoadBalancerIds`.")
    for x in ids:
        clb_need(region, x)
    for x in ids:
        S["clbs"][x].update(deleting=True, until=time.time() + CTL["pending_s"])
    new_task(rid)
    return {}


def clb_CreateListener(region, p, rid):
    c = clb_need(region, p_str(p, "LoadBalancerId", True))
    clb_ready(c)
    ports = p_list(p, "Ports")
    if not ports:
        raise ApiError("MissingParameter", "The request is missing a required parameter `Ports`.")
    proto = p_str(p, "Protocol", True)
    if proto not in ("TCP", "UDP", "HTTP", "HTTPS", "TCP_SSL", "QUIC"):
        raise ApiError("InvalidParameterValue", f"The protocol `{proto}` is not TCP, UDP, HTTP, HTTPS, TCP_SSL or QUIC.")
    names = p_list(p, "ListenerNames")
    used = {(l["Protocol"] in ("UDP",), l["Port"]) for l in c["listeners"].values()}
    ids = []
    for n, port in enumerate(ports):
        if not isinstance(port, int) or not 1 <= port <= 65535:
            raise ApiError("InvalidParameterValue", f"The port `{port}` is not 1-65535.")
        if (proto == "UDP", port) in used:
            raise ApiError("InvalidParameter.PortCheckFailed", f"The port {port} has a listener already.")
    for n, port in enumerate(ports):
        lid = new_id("lbl")
        c["listeners"][lid] = {"ListenerId": lid, "Protocol": proto, "Port": port,
                               "ListenerName": names[n] if n < len(names) else "",
                               "HealthCheck": p.get("HealthCheck"), "targets": []}
        ids.append(lid)
    new_task(rid)
    return {"ListenerIds": ids}


def listener_view(l):
    return {"ListenerId": l["ListenerId"], "Protocol": l["Protocol"], "Port": l["Port"],
            "ListenerName": l["ListenerName"], "HealthCheck": l["HealthCheck"], "Scheduler": "WRR",
            "SessionExpireTime": 0, "Certificate": None, "Rules": None, "CreateTime": ""}


def clb_DescribeListeners(region, p, rid):
    c = clb_need(region, p_str(p, "LoadBalancerId", True))
    ids = p_list(p, "ListenerIds")
    ls = [l for l in c["listeners"].values() if not ids or l["ListenerId"] in ids]
    return {"TotalCount": len(ls), "Listeners": [listener_view(l) for l in ls]}


def clb_RegisterTargets(region, p, rid):
    c = clb_need(region, p_str(p, "LoadBalancerId", True))
    clb_ready(c)
    lid = p_str(p, "ListenerId", True)
    l = c["listeners"].get(lid)
    if l is None:
        raise ApiError("InvalidParameter.ListenerIdNotFound", f"The listener `{lid}` is not on {c['id']}.")
    ts = p_list(p, "Targets")
    if not ts:
        raise ApiError("MissingParameter", "The request is missing a required parameter `Targets`.")
    new = []
    for t in ts:
        if not isinstance(t, dict):
            raise ApiError("InvalidParameter", "A target must be an object.")
        port = p_int(t, "Port", None, lo=1, hi=65535)
        if port is None:
            raise ApiError("MissingParameter", "A target needs `Port`.")
        iid = t.get("InstanceId")
        if iid is None:
            raise ApiError("MissingParameter", "A target needs `InstanceId` (EniIp is not served by this fake).")
        i = need("instances", iid, region, "InvalidParameterValue", "instance")
        if i["vpc"] != c["vpc"]:
            raise ApiError("InvalidParameterValue", f"The instance {iid} is not in the VPC {c['vpc']}.")
        if any(x["InstanceId"] == iid and x["Port"] == port for x in l["targets"] + new):
            raise ApiError("InvalidParameterValue.Duplicate",
                           f"{iid}:{port} is a target of {lid} already.")
        new.append({"InstanceId": iid, "Port": port, "Weight": p_int(t, "Weight", 10, lo=0, hi=100)})
    l["targets"] += new
    new_task(rid)
    return {}


def clb_DescribeTargets(region, p, rid):
    c = clb_need(region, p_str(p, "LoadBalancerId", True))
    ids = p_list(p, "ListenerIds")
    out = []
    for l in c["listeners"].values():
        if ids and l["ListenerId"] not in ids:
            continue
        if p.get("Port") is not None and l["Port"] != p["Port"]:
            continue
        ts = []
        for t in l["targets"]:
            i = S["instances"].get(t["InstanceId"], {})
            ts.append({"Type": "CVM", "InstanceId": t["InstanceId"], "Port": t["Port"],
                       "Weight": t["Weight"], "PublicIpAddresses": list(i.get("public", [])),
                       "PrivateIpAddresses": list(i.get("private", [])),
                       "InstanceName": i.get("name", ""), "RegisteredTime": "", "EniId": None,
                       "ZoneId": 0})
        out.append({"ListenerId": l["ListenerId"], "Protocol": l["Protocol"], "Port": l["Port"],
                    "ListenerName": l["ListenerName"], "Targets": ts, "Rules": None,
                    "EndPort": 0})
    return {"Listeners": out}


def clb_DescribeTaskStatus(region, p, rid):
    tid, deal = p_str(p, "TaskId"), p_str(p, "DealName")
    if (tid is None) == (deal is None):
        raise ApiError("MissingParameter", "Give one of `TaskId` (an action's RequestId) and `DealName`.")
    t = S["tasks"].get(tid if tid is not None else S["deals"].get(deal, ""))
    if t is None:
        raise ApiError("InvalidParameter", f"The task `{tid or deal}` does not exist.")
    if time.time() < t["until"]:
        return {"Status": 2, "LoadBalancerIds": None, "Message": ""}
    return {"Status": 1 if t["fail"] else 0, "LoadBalancerIds": t["lbs"] or None,
            "Message": "the task failed (injected by the fake)" if t["fail"] else ""}


ACTIONS = {name.split("_", 1)[0] + "." + name.split("_", 1)[1]: fn
           for name, fn in list(globals().items())
           if callable(fn) and re.fullmatch(r"(cvm|vpc|clb)_[A-Z][A-Za-z]+", name)}


# ---------------------------------------------------------------------------
# TC3-HMAC-SHA256

AUTH_RE = re.compile(r"TC3-HMAC-SHA256 Credential=([^/,\s]+)/([0-9]{4}-[0-9]{2}-[0-9]{2})/([a-z]+)/tc3_request,"
                     r"\s*SignedHeaders=([a-z0-9;_-]+),\s*Signature=([0-9a-f]{64})$")


def hm(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def check_auth(headers, body, service):
    """Raises ApiError unless the request is signed by SECRET_ID/SECRET_KEY;
    HEADERS: lower-case names."""
    a = headers.get("authorization", "")
    m = AUTH_RE.match(a.strip())
    if not m:
        raise ApiError("AuthFailure.InvalidAuthorization",
                       "The Authorization header is not TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, "
                       "SignedHeaders=..., Signature=...")
    sid, date, svc, signed, sig = m.groups()
    ts = headers.get("x-tc-timestamp", "")
    if not re.fullmatch(r"[0-9]{1,12}", ts):
        raise ApiError("MissingParameter" if not ts else "InvalidParameter", "X-TC-Timestamp is missing or not a number.")
    skew = time.time() - int(ts)
    if abs(skew) > 300:
        raise ApiError("AuthFailure.SignatureExpire",
                       f"Signature expired. Timestamp is {ts}, server time is {int(time.time())}: "
                       "the request's time differs from the server's by more than 5 minutes.")
    if sid != SECRET_ID:
        raise ApiError("AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that your SecretId is correct.")
    if svc != service or date != time.strftime("%Y-%m-%d", time.gmtime(int(ts))):
        raise ApiError("AuthFailure.SignatureFailure",
                       f"The credential scope {date}/{svc} does not match the service {service} "
                       "and the UTC date of X-TC-Timestamp.")
    names = signed.split(";")
    if "content-type" not in names or "host" not in names or names != sorted(names):
        raise ApiError("AuthFailure.SignatureFailure",
                       "SignedHeaders must list content-type and host, sorted.")
    canon = ""
    for n in names:
        v = headers.get(n)
        if v is None:
            raise ApiError("AuthFailure.SignatureFailure", f"The signed header {n} is not in the request.")
        if n == "host":
            v = v.rsplit(":", 1)[0] if re.search(r":[0-9]+$", v) else v
        canon += f"{n}:{v.strip().lower()}\n"
    creq = "\n".join(["POST", "/", "", canon, signed, hashlib.sha256(body).hexdigest()])
    sts = "\n".join(["TC3-HMAC-SHA256", ts, f"{date}/{svc}/tc3_request",
                     hashlib.sha256(creq.encode()).hexdigest()])
    k = hm(hm(hm(("TC3" + SECRET_KEY).encode(), date), svc), "tc3_request")
    want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, sig):
        raise ApiError("AuthFailure.SignatureFailure",
                       "The provided credentials could not be validated. Please check your signature is correct.")


# ---------------------------------------------------------------------------
# The server

def state_view():
    def clean(v):
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, (list, set, tuple)):
            return [clean(x) for x in (sorted(v) if isinstance(v, set) else v)]
        return v
    return clean(S)


def control(c):
    global S, STATS, CTL
    if not isinstance(c, dict):
        raise ValueError("the control body must be a JSON object")
    if c.get("reset"):
        S, STATS, CTL = fresh_state(), fresh_stats(), fresh_ctl()
    for k, v in c.items():
        if k == "reset":
            continue
        if k not in CTL:
            raise ValueError(f"unknown control key {k!r} (known: reset, {', '.join(sorted(CTL))})")
        if k in ("pending_s",) and not (isinstance(v, (int, float)) and v >= 0):
            raise ValueError("pending_s must be a number >= 0")
        if k in ("fail_every", "fail_tasks") and not (isinstance(v, int) and v >= 0):
            raise ValueError(f"{k} must be an integer >= 0")
        if k == "sold_out" and not (isinstance(v, list) and all(isinstance(x, dict) for x in v)):
            raise ValueError("sold_out must be a list of {zone, type}")
        if k == "quota" and not isinstance(v, dict):
            raise ValueError("quota must be an object such as {\"instances\": 5}")
        CTL[k] = v
    if "fail_every" in c:
        STATS["signed_calls"] = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tencent-fake"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def send(self, code, obj, rid=None):
        data = json.dumps(obj, indent=1).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Fake", FAKE_HDR)
        if rid:
            self.send_header("X-TC-RequestId", rid)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            out = b""
            while True:
                n = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(n)
                self.rfile.readline()
                if len(out) > MAX_BODY:
                    raise ApiError("RequestSizeLimitExceeded", f"The request body is over {MAX_BODY} bytes.")
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise ApiError("RequestSizeLimitExceeded", f"The request body is over {MAX_BODY} bytes.")
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        with LOCK:
            settle()
            if self.path == "/_fake/stats":
                return self.send(200, STATS)
            if self.path == "/_fake/state":
                return self.send(200, state_view())
        self.send(404, {"error": f"no such fake path {self.path} (GET /_fake/stats, /_fake/state)"})

    def do_POST(self):
        rid = str(uuid.uuid4())
        try:
            body = self.body()
        except ApiError as e:
            self.close_connection = True
            return self.send(200, {"Response": {"Error": {"Code": e.code, "Message": e.message}, "RequestId": rid}}, rid)
        if self.path == "/_fake/control":
            try:
                with LOCK:
                    control(json.loads(body or b"{}"))
                    return self.send(200, {"ok": True, "control": CTL})
            except ValueError as e:
                return self.send(400, {"error": str(e)})
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        service = host.split(".")[0]
        action = self.headers.get("X-TC-Action", "")
        with LOCK:
            key = f"{service}.{action}"
            STATS["calls"][key] = STATS["calls"].get(key, 0) + 1
            try:
                resp = self.api(service, host, action, body, rid)
                resp["RequestId"] = rid
            except ApiError as e:
                STATS["errors"][e.code] = STATS["errors"].get(e.code, 0) + 1
                resp = {"Error": {"Code": e.code, "Message": e.message}, "RequestId": rid}
        self.send(200, {"Response": resp}, rid)

    def api(self, service, host, action, body, rid):
        if self.path != "/":
            raise ApiError("UnsupportedProtocol", f"Only POST / is served, not {self.path}.")
        if service not in VERSIONS or host != f"{service}.tencentcloudapi.com":
            raise ApiError("InvalidRequest" if host else "MissingParameter",
                           f"The host `{host}` is not cvm, vpc or clb.tencentcloudapi.com.")
        if not action:
            raise ApiError("MissingParameter", "The request is missing the X-TC-Action header.")
        check_auth({k.lower(): v for k, v in self.headers.items()}, body, service)
        STATS["signed_calls"] += 1
        fe = CTL["fail_every"]
        if fe and STATS["signed_calls"] % fe == 0:
            code = CTL["fail_code"]
            raise ApiError(code, "Your request is too frequent. Please try again later (injected by the fake)."
                           if code == "RequestLimitExceeded" else f"{code} (injected by the fake)")
        fn = ACTIONS.get(f"{service}.{action}")
        if fn is None:
            raise ApiError("InvalidAction", f"The action `{action}` is not served by {service} (this fake).")
        ver = self.headers.get("X-TC-Version", "")
        if ver != VERSIONS[service]:
            raise ApiError("InvalidParameter" if ver else "MissingParameter",
                           f"X-TC-Version must be {VERSIONS[service]} for {service}, not `{ver}`.")
        region = self.headers.get("X-TC-Region", "")
        if not region:
            raise ApiError("MissingParameter", "The request is missing the X-TC-Region header.")
        if region not in cat.REGIONS:
            raise ApiError("UnsupportedRegion", f"The region `{region}` is not supported (this fake: "
                           + ", ".join(sorted(cat.REGIONS)) + ").")
        ct = self.headers.get("Content-Type", "")
        if not ct.lower().startswith("application/json"):
            raise ApiError("InvalidParameter", f"Content-Type must be application/json, not `{ct}`.")
        try:
            p = json.loads(body or b"{}")
        except ValueError:
            raise ApiError("InvalidParameter", "The body is not JSON.")
        if not isinstance(p, dict):
            raise ApiError("InvalidParameter", "The body must be a JSON object.")
        settle()
        return fn(region, p, rid)


def main():
    global PENDING_DEFAULT, CTL
    ap = argparse.ArgumentParser(description="A FAKE Tencent Cloud API (tests only).")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--pending", type=float, default=1.0)
    a = ap.parse_args()
    if not SECRET_ID or not SECRET_KEY:
        print("tencent-fake.py: TC_FAKE_SECRET_ID and TC_FAKE_SECRET_KEY must be set", file=sys.stderr)
        return 1
    PENDING_DEFAULT = a.pending
    CTL = fresh_ctl()
    try:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    except (OSError, ssl.SSLError) as e:
        print(f"tencent-fake.py: cannot serve https on 127.0.0.1:{a.port}: {e}", file=sys.stderr)
        return 1
    srv.daemon_threads = True
    print(f"tencent-fake.py: serving https on 127.0.0.1:{a.port}", file=sys.stderr, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
