// conformance.mjs: the official Tencent Cloud SDK (tencentcloud-sdk-nodejs,
// pinned in package.json beside this file: its cvm v20170312, vpc v20170312
// and clb v20180317 clients) against the FAKE Tencent Cloud API
// (tests/cloud/tencent-fake.py): every action icm uses, called through the
// SDK with the real endpoint host names (tests/cloud/tencent maps them to
// the fake), region ap-guangzhou; the answers' shapes, tags listed by
// filter, ClientToken idempotency, PENDING then RUNNING, the asynchronous
// CLB tasks, and the errors: a bad signature, an unknown SecretId, an
// expired timestamp, a sold-out type, low balance, quota, an unknown image,
// RequestLimitExceeded (retried here, as the SDK does not); at the end
// nothing tagged is left.
//
//   node conformance.mjs NODE_MODULES_DIR
//
// Run inside `tests/cloud/tencent exec` (its environment:
// TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, TENCENT_FAKE_PORT,
// NODE_EXTRA_CA_CERTS).  Prints one line per check, "ok - WHAT" or
// "not ok - WHAT: why"; exits 1 when a check failed or the SDK cannot be
// loaded.
import { createRequire } from "node:module";
import https from "node:https";
import path from "node:path";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node conformance.mjs NODE_MODULES_DIR");
  process.exit(1);
}
const env = (k) => {
  if (!process.env[k]) {
    console.error(`conformance: ${k} is not set (run inside tests/cloud/tencent exec)`);
    process.exit(1);
  }
  return process.env[k];
};
const require = createRequire(path.join(path.resolve(dir), "x.js"));
const tc = require("tencentcloud-sdk-nodejs");

const ID = env("TENCENTCLOUD_SECRET_ID");
const KEY = env("TENCENTCLOUD_SECRET_KEY");
const PORT = env("TENCENT_FAKE_PORT");
const host = (svc) => `${svc}.tencentcloudapi.com${PORT === "443" ? "" : ":" + PORT}`;
const REGION = "ap-guangzhou";
const ZONE = "ap-guangzhou-3";
const TAG = { Key: "icm-deployment", Value: "conf-" + process.pid };
const mk = (Cls, svc, opts = {}) =>
  new Cls({
    credential: { secretId: opts.id ?? ID, secretKey: opts.key ?? KEY },
    region: opts.region ?? REGION,
    profile: { httpProfile: { endpoint: host(svc), reqTimeout: 20 } },
  });
const cvm = mk(tc.cvm.v20170312.Client, "cvm");
const vpc = mk(tc.vpc.v20170312.Client, "vpc");
const clb = mk(tc.clb.v20180317.Client, "clb");

let failed = 0;
function check(what, cond, why = "") {
  if (cond) console.log(`ok - ${what}`);
  else {
    failed++;
    console.log(`not ok - ${what}${why ? ": " + why : ""}`);
  }
}
async function throws(what, p, code, re = /./) {
  try {
    await p;
    check(what, false, "no error");
  } catch (e) {
    check(what, e.code === code && re.test(e.message) && !!e.requestId,
      `${e.code} ${e.message} (request ${e.requestId})`);
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const J = (x) => JSON.stringify(x).slice(0, 400);

// fake(PATH, BODY): the fake's test-only endpoints (GET without BODY)
function fake(p, body) {
  const data = body ? JSON.stringify(body) : "";
  return new Promise((resolve, reject) => {
    const req = https.request({ host: "cvm.tencentcloudapi.com", port: PORT, path: p,
      method: body ? "POST" : "GET",
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(data) } }, (res) => {
      let d = "";
      res.on("data", (c) => (d += c));
      res.on("end", () => {
        try { resolve({ status: res.statusCode, hdr: res.headers, body: JSON.parse(d) }); }
        catch (e) { reject(new Error(`${p}: ${d.slice(0, 200)}`)); }
      });
    });
    req.on("error", reject);
    if (body) req.write(data);
    req.end();
  });
}
// until(FN, OK): FN() again every 200 ms until OK(its result), at most 15 s
async function until(fn, ok) {
  let r;
  for (let i = 0; i < 75; i++) {
    r = await fn();
    if (ok(r)) return r;
    await sleep(200);
  }
  return r;
}
const task = (reqId) => until(() => clb.DescribeTaskStatus({ TaskId: reqId }), (r) => r.Status !== 2);
const tagf = [{ Name: `tag:${TAG.Key}`, Values: [TAG.Value] }];

async function main() {
  await fake("/_fake/control", { reset: true, pending_s: 0.6 });
  const st = await fake("/_fake/stats");
  check("the fake's answers say they are a fake (X-Fake)", /not Tencent/.test(st.hdr["x-fake"] ?? ""), J(st.hdr));

  // --- the catalogue ---
  const z = await cvm.DescribeZones({});
  check("DescribeZones: the region's zones, AVAILABLE",
    z.TotalCount === z.ZoneSet.length && z.ZoneSet.some((x) => x.Zone === ZONE && x.ZoneState === "AVAILABLE"), J(z));
  const im = await cvm.DescribeImages({ Filters: [{ Name: "image-type", Values: ["PUBLIC_IMAGE"] },
    { Name: "platform", Values: ["Ubuntu"] }], Limit: 100 });
  check("DescribeImages: public Ubuntu images with OsName and CreatedTime",
    im.ImageSet.length >= 2 && im.ImageSet.every((i) => i.Platform === "Ubuntu" && i.ImageType === "PUBLIC_IMAGE" &&
      /^Ubuntu/.test(i.OsName) && i.CreatedTime && /^img-/.test(i.ImageId)), J(im));
  const u22 = im.ImageSet.filter((i) => i.OsName.startsWith("Ubuntu Server 22.04"))
    .sort((a, b) => b.CreatedTime.localeCompare(a.CreatedTime))[0];
  check("DescribeImages: two 22.04 images, the newest by CreatedTime", !!u22 &&
    im.ImageSet.filter((i) => i.OsName.startsWith("Ubuntu Server 22.04")).length === 2, J(im));
  const cfg = await cvm.DescribeZoneInstanceConfigInfos({ Filters: [{ Name: "zone", Values: [ZONE] },
    { Name: "instance-family", Values: ["S5"] }] });
  const q = cfg.InstanceTypeQuotaSet;
  check("DescribeZoneInstanceConfigInfos: the zone's S5 types with Cpu, Memory, SELL",
    q.length > 2 && q.every((t) => t.Zone === ZONE && t.InstanceFamily === "S5" && t.Cpu > 0 && t.Memory > 0 &&
      t.Status === "SELL"), J(cfg));
  const itc = await cvm.DescribeInstanceTypeConfigs({ Filters: [{ Name: "zone", Values: [ZONE] }] });
  check("DescribeInstanceTypeConfigs: types per zone with CPU and Memory",
    itc.InstanceTypeConfigSet.some((t) => t.InstanceType === "S5.MEDIUM4" && t.CPU === 2 && t.Memory === 4), J(itc));

  // --- network ---
  const v = (await vpc.CreateVpc({ VpcName: "icm-conf", CidrBlock: "198.18.0.0/16", Tags: [TAG] })).Vpc;
  check("CreateVpc: a vpc- id, the CIDR and the tags", /^vpc-[a-z0-9]{8}$/.test(v.VpcId) &&
    v.CidrBlock === "198.18.0.0/16" && J(v.TagSet) === J([TAG]), J(v));
  const sn = (await vpc.CreateSubnet({ VpcId: v.VpcId, SubnetName: "icm-conf", CidrBlock: "198.18.0.0/24",
    Zone: ZONE, Tags: [TAG] })).Subnet;
  check("CreateSubnet: in the zone, tagged", /^subnet-/.test(sn.SubnetId) && sn.Zone === ZONE && sn.VpcId === v.VpcId &&
    J(sn.TagSet) === J([TAG]), J(sn));
  const vs = await vpc.DescribeVpcs({ Filters: tagf });
  check("DescribeVpcs by tag: the VPC", vs.TotalCount === 1 && vs.VpcSet[0].VpcId === v.VpcId, J(vs));
  const ss = await vpc.DescribeSubnets({ Filters: [...tagf, { Name: "vpc-id", Values: [v.VpcId] }] });
  check("DescribeSubnets by tag and vpc-id: the subnet", ss.TotalCount === 1 && ss.SubnetSet[0].SubnetId === sn.SubnetId, J(ss));
  const sg = (await vpc.CreateSecurityGroup({ GroupName: "icm-conf", GroupDescription: "icm", Tags: [TAG] })).SecurityGroup;
  check("CreateSecurityGroup: an sg- id, tagged", /^sg-/.test(sg.SecurityGroupId) && J(sg.TagSet) === J([TAG]), J(sg));
  await vpc.CreateSecurityGroupPolicies({ SecurityGroupId: sg.SecurityGroupId, SecurityGroupPolicySet: {
    Ingress: [{ Protocol: "TCP", Port: "22", CidrBlock: "0.0.0.0/0", Action: "ACCEPT" },
      { Protocol: "TCP", Port: "1972,52773", CidrBlock: "0.0.0.0/0", Action: "ACCEPT" }] } });
  const pol = await vpc.DescribeSecurityGroupPolicies({ SecurityGroupId: sg.SecurityGroupId });
  check("CreateSecurityGroupPolicies: the ingress rules listed",
    pol.SecurityGroupPolicySet.Ingress.map((r) => r.Port).join(" ") === "22 1972,52773", J(pol));
  const sgs = await vpc.DescribeSecurityGroups({ Filters: tagf });
  check("DescribeSecurityGroups by tag: the group", sgs.TotalCount === 1 &&
    sgs.SecurityGroupSet[0].SecurityGroupId === sg.SecurityGroupId, J(sgs));
  await throws("CreateSecurityGroupPolicies: a bad Action refused",
    vpc.CreateSecurityGroupPolicies({ SecurityGroupId: sg.SecurityGroupId,
      SecurityGroupPolicySet: { Ingress: [{ Protocol: "TCP", Port: "22", Action: "MAYBE" }] } }), "InvalidParameterValue");

  // --- key pair ---
  const pub = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGt1c3RvbWVyLWtleS1mb3ItY29uZm9ybWFuY2UtdGVzdA icm";
  const kp = await cvm.ImportKeyPair({ KeyName: "icm_conf", ProjectId: 0, PublicKey: pub,
    TagSpecification: [{ ResourceType: "keypair", Tags: [TAG] }] });
  check("ImportKeyPair: an skey- id", /^skey-/.test(kp.KeyId), J(kp));
  const kps = await cvm.DescribeKeyPairs({ Filters: tagf });
  check("DescribeKeyPairs by tag: the key, its public key", kps.TotalCount === 1 &&
    kps.KeyPairSet[0].KeyId === kp.KeyId && kps.KeyPairSet[0].PublicKey === pub, J(kps));

  // --- instances ---
  const run = {
    Placement: { Zone: ZONE, ProjectId: 0 }, ImageId: u22.ImageId, InstanceType: "S5.MEDIUM4",
    InstanceChargeType: "POSTPAID_BY_HOUR", SystemDisk: { DiskType: "CLOUD_PREMIUM", DiskSize: 50 },
    DataDisks: [{ DiskType: "CLOUD_SSD", DiskSize: 100 }],
    VirtualPrivateCloud: { VpcId: v.VpcId, SubnetId: sn.SubnetId },
    InternetAccessible: { InternetChargeType: "TRAFFIC_POSTPAID_BY_HOUR", InternetMaxBandwidthOut: 10, PublicIpAssigned: true },
    LoginSettings: { KeyIds: [kp.KeyId] }, SecurityGroupIds: [sg.SecurityGroupId],
    TagSpecification: [{ ResourceType: "instance", Tags: [TAG] }], InstanceName: "icm-conf-dm",
    InstanceCount: 2, ClientToken: "conf-token-" + process.pid,
  };
  const r1 = await cvm.RunInstances(run);
  check("RunInstances: two ins- ids", r1.InstanceIdSet.length === 2 && r1.InstanceIdSet.every((i) => /^ins-/.test(i)), J(r1));
  const r2 = await cvm.RunInstances(run);
  check("RunInstances again with the same ClientToken: the same ids", J(r2.InstanceIdSet) === J(r1.InstanceIdSet), J(r2));
  const stats = (await fake("/_fake/stats")).body;
  check("/_fake/stats: 2 launches and 2 calls for the token",
    stats.launches[run.ClientToken] === 2 && stats.token_calls[run.ClientToken] === 2, J(stats));
  let di = await cvm.DescribeInstances({ Filters: tagf });
  check("DescribeInstances by tag: both, PENDING at first", di.TotalCount === 2 &&
    di.InstanceSet.every((i) => i.InstanceState === "PENDING"), J(di.InstanceSet.map((i) => i.InstanceState)));
  const ips = di.InstanceSet.map((i) => i.PrivateIpAddresses[0]).sort();
  check("private IPs from the subnet's .11 on", J(ips) === J(["198.18.0.11", "198.18.0.12"]), J(ips));
  check("public IPs from 203.0.113.0/24", di.InstanceSet.every((i) => /^203\.0\.113\./.test(i.PublicIpAddresses[0])),
    J(di.InstanceSet.map((i) => i.PublicIpAddresses)));
  const i0 = di.InstanceSet[0];
  check("an instance's disks, type, image, key, group, tags, names 1 and 2", i0.SystemDisk.DiskSize === 50 &&
    i0.DataDisks[0].DiskType === "CLOUD_SSD" && i0.DataDisks[0].DiskSize === 100 && i0.InstanceType === "S5.MEDIUM4" &&
    i0.CPU === 2 && i0.Memory === 4 && i0.ImageId === u22.ImageId && i0.LoginSettings.KeyIds[0] === kp.KeyId &&
    i0.SecurityGroupIds[0] === sg.SecurityGroupId && J(i0.Tags) === J([TAG]) &&
    J(di.InstanceSet.map((i) => i.InstanceName).sort()) === J(["icm-conf-dm1", "icm-conf-dm2"]), J(i0));
  di = await until(() => cvm.DescribeInstances({ InstanceIds: r1.InstanceIdSet }),
    (r) => r.InstanceSet.every((i) => i.InstanceState === "RUNNING"));
  check("DescribeInstances by id: RUNNING after the pending time",
    di.InstanceSet.every((i) => i.InstanceState === "RUNNING"), J(di.InstanceSet.map((i) => i.InstanceState)));
  const byId = await cvm.DescribeInstances({ Filters: [{ Name: "instance-id", Values: [r1.InstanceIdSet[1]] }] });
  check("DescribeInstances filter instance-id: the one", byId.TotalCount === 1 &&
    byId.InstanceSet[0].InstanceId === r1.InstanceIdSet[1], J(byId));
  const fixed = await cvm.RunInstances({ ...run, InstanceCount: 1, ClientToken: undefined, InstanceName: "icm-fixed",
    VirtualPrivateCloud: { VpcId: v.VpcId, SubnetId: sn.SubnetId, PrivateIpAddresses: ["198.18.0.40"] },
    InternetAccessible: { InternetMaxBandwidthOut: 0, PublicIpAssigned: false } });
  const fx = (await cvm.DescribeInstances({ InstanceIds: fixed.InstanceIdSet })).InstanceSet[0];
  check("RunInstances with PrivateIpAddresses, no public IP", fx.PrivateIpAddresses[0] === "198.18.0.40" &&
    fx.PublicIpAddresses === null, J(fx));
  await throws("RunInstances: an address in use is VpcIpIsUsed",
    cvm.RunInstances({ ...run, InstanceCount: 1, ClientToken: undefined,
      VirtualPrivateCloud: { VpcId: v.VpcId, SubnetId: sn.SubnetId, PrivateIpAddresses: ["198.18.0.40"] } }), "VpcIpIsUsed");

  // --- EIP ---
  const al = await vpc.AllocateAddresses({ AddressCount: 1, InternetMaxBandwidthOut: 10, Tags: [TAG] });
  check("AllocateAddresses: an eip- id and a TaskId", /^eip-/.test(al.AddressSet[0]) && !!al.TaskId, J(al));
  await vpc.AssociateAddress({ AddressId: al.AddressSet[0], InstanceId: r1.InstanceIdSet[0] });
  const ad = await vpc.DescribeAddresses({ Filters: tagf });
  const eip = ad.AddressSet[0];
  check("DescribeAddresses by tag: BIND to the instance", ad.TotalCount === 1 && eip.AddressStatus === "BIND" &&
    eip.InstanceId === r1.InstanceIdSet[0] && /^203\.0\.113\./.test(eip.AddressIp), J(ad));
  const withEip = (await cvm.DescribeInstances({ InstanceIds: [r1.InstanceIdSet[0]] })).InstanceSet[0];
  check("the instance's public IP is the EIP", J(withEip.PublicIpAddresses) === J([eip.AddressIp]), J(withEip.PublicIpAddresses));
  await throws("ReleaseAddresses of a bound EIP refused",
    vpc.ReleaseAddresses({ AddressIds: [eip.AddressId] }), "InvalidAddressIdStatus.NotPermit");

  // --- CLB ---
  const lbreq = { LoadBalancerType: "OPEN", VpcId: v.VpcId, LoadBalancerName: "icm-conf",
    Tags: [{ TagKey: TAG.Key, TagValue: TAG.Value }], ClientToken: "conf-lb-" + process.pid };
  const lbr = await clb.CreateLoadBalancer(lbreq);
  const lbr2 = await clb.CreateLoadBalancer(lbreq);
  check("CreateLoadBalancer again with the same ClientToken: the same id and deal",
    J(lbr2.LoadBalancerIds) === J(lbr.LoadBalancerIds) && lbr2.DealName === lbr.DealName, J(lbr2));
  check("CreateLoadBalancer: an lb- id and a DealName", /^lb-/.test(lbr.LoadBalancerIds[0]) && !!lbr.DealName, J(lbr));
  const t0 = await clb.DescribeTaskStatus({ TaskId: lbr.RequestId });
  check("DescribeTaskStatus: 2 (running) at first", t0.Status === 2, J(t0));
  const lbId = lbr.LoadBalancerIds[0];
  await throws("CreateListener while the CLB is made: FailedOperation.ResourceInOperation",
    clb.CreateListener({ LoadBalancerId: lbId, Ports: [1972], Protocol: "TCP" }), "FailedOperation.ResourceInOperation");
  check("DescribeTaskStatus: 0 (succeeded) after", (await task(lbr.RequestId)).Status === 0);
  const byDeal = await clb.DescribeTaskStatus({ DealName: lbr.DealName });
  check("DescribeTaskStatus by DealName: 0 and the LoadBalancerIds", byDeal.Status === 0 &&
    J(byDeal.LoadBalancerIds) === J(lbr.LoadBalancerIds), J(byDeal));
  const lbs = await clb.DescribeLoadBalancers({ Filters: [{ Name: `tag:${TAG.Key}`, Values: [TAG.Value] }] });
  check("DescribeLoadBalancers by tag: Status 1, a public VIP, TagKey/TagValue", lbs.TotalCount === 1 &&
    lbs.LoadBalancerSet[0].Status === 1 && /^203\.0\.113\./.test(lbs.LoadBalancerSet[0].LoadBalancerVips[0]) &&
    lbs.LoadBalancerSet[0].Tags[0].TagKey === TAG.Key, J(lbs));
  const ls = await clb.CreateListener({ LoadBalancerId: lbId, Ports: [1972], Protocol: "TCP", ListenerNames: ["iris"] });
  check("CreateListener: an lbl- id, its task succeeds", /^lbl-/.test(ls.ListenerIds[0]) &&
    (await task(ls.RequestId)).Status === 0, J(ls));
  const dls = await clb.DescribeListeners({ LoadBalancerId: lbId });
  check("DescribeListeners: TCP 1972 named iris", dls.TotalCount === 1 && dls.Listeners[0].Port === 1972 &&
    dls.Listeners[0].Protocol === "TCP" && dls.Listeners[0].ListenerName === "iris", J(dls));
  const rt = await clb.RegisterTargets({ LoadBalancerId: lbId, ListenerId: ls.ListenerIds[0],
    Targets: r1.InstanceIdSet.map((i) => ({ InstanceId: i, Port: 1972 })) });
  check("RegisterTargets: its task succeeds", (await task(rt.RequestId)).Status === 0);
  const tg = await clb.DescribeTargets({ LoadBalancerId: lbId });
  check("DescribeTargets: the listener's two instances with their private IPs", tg.Listeners.length === 1 &&
    J(tg.Listeners[0].Targets.map((t) => t.InstanceId).sort()) === J([...r1.InstanceIdSet].sort()) &&
    tg.Listeners[0].Targets.every((t) => t.Port === 1972 && /^198\.18\.0\./.test(t.PrivateIpAddresses[0])), J(tg));
  await fake("/_fake/control", { fail_tasks: 1 });
  const ls2 = await clb.CreateListener({ LoadBalancerId: lbId, Ports: [52773], Protocol: "TCP" });
  check("DescribeTaskStatus: 1 (failed) when the fake fails a task", (await task(ls2.RequestId)).Status === 1);

  // --- errors ---
  const bad = (o) => mk(tc.cvm.v20170312.Client, "cvm", o);
  await throws("a wrong SecretKey: AuthFailure.SignatureFailure", bad({ key: KEY + "x" }).DescribeZones({}),
    "AuthFailure.SignatureFailure");
  await throws("an unknown SecretId: AuthFailure.SecretIdNotFound", bad({ id: "AKID" + "0".repeat(32) }).DescribeZones({}),
    "AuthFailure.SecretIdNotFound");
  // the SDK stamps X-TC-Timestamp with new Date(): a clock 10 minutes slow
  const RealDate = globalThis.Date;
  globalThis.Date = class extends RealDate {
    constructor(...a) { super(...(a.length ? a : [RealDate.now() - 10 * 60 * 1000])); }
  };
  try {
    await throws("a timestamp 10 minutes old: AuthFailure.SignatureExpire", cvm.DescribeZones({}),
      "AuthFailure.SignatureExpire", /5 minutes/);
  } finally {
    globalThis.Date = RealDate;
  }
  await throws("an unknown region: UnsupportedRegion", bad({ region: "ap-nowhere" }).DescribeZones({}), "UnsupportedRegion");
  await throws("RunInstances with an unknown image: InvalidImageId.NotFound",
    cvm.RunInstances({ ...run, ClientToken: undefined, ImageId: "img-00000000" }), "InvalidImageId.NotFound");
  await fake("/_fake/control", { sold_out: [{ zone: ZONE, type: "S5.MEDIUM4" }] });
  const so = await cvm.DescribeZoneInstanceConfigInfos({ Filters: [{ Name: "zone", Values: [ZONE] },
    { Name: "instance-type", Values: ["S5.MEDIUM4"] }] });
  check("sold out: DescribeZoneInstanceConfigInfos says SOLD_OUT", so.InstanceTypeQuotaSet.length === 1 &&
    so.InstanceTypeQuotaSet[0].Status === "SOLD_OUT", J(so));
  await throws("sold out: RunInstances is ResourcesSoldOut.SpecifiedInstanceType naming type and zone",
    cvm.RunInstances({ ...run, ClientToken: "sold-" + process.pid }), "ResourcesSoldOut.SpecifiedInstanceType",
    /S5\.MEDIUM4.*ap-guangzhou-3/);
  const so2 = (await fake("/_fake/stats")).body;
  check("a refused RunInstances launches nothing for its token", !so2.launches["sold-" + process.pid], J(so2.launches));
  await fake("/_fake/control", { sold_out: [], balance_low: true });
  await throws("low balance: InvalidAccount.InsufficientBalance", cvm.RunInstances({ ...run, ClientToken: undefined }),
    "InvalidAccount.InsufficientBalance");
  await fake("/_fake/control", { balance_low: false, quota: { instances: 4 } });
  await throws("quota: LimitExceeded.InstanceQuota", cvm.RunInstances({ ...run, ClientToken: undefined }),
    "LimitExceeded.InstanceQuota");
  await fake("/_fake/control", { quota: {}, fail_every: 2 });
  // three calls, each retried up to 3 times (the SDK itself does not retry):
  // the 2nd and 4th signed calls are refused
  let limited = 0, done = 0;
  for (let n = 0; n < 3; n++) {
    for (let i = 0; i < 3; i++) {
      try {
        if ((await cvm.DescribeZones({})).ZoneSet.length > 0) done++;
        break;
      } catch (e) {
        if (e.code !== "RequestLimitExceeded") throw e;
        limited++;
        await sleep(100);
      }
    }
  }
  check("RequestLimitExceeded injected every 2nd call, retried to success", limited === 2 && done === 3,
    `limited ${limited}, done ${done}`);
  await fake("/_fake/control", { fail_every: 0 });

  // --- regions apart ---
  const sh = mk(tc.vpc.v20170312.Client, "vpc", { region: "ap-shanghai" });
  const shv = (await sh.CreateVpc({ VpcName: "icm-sh", CidrBlock: "10.1.0.0/16", Tags: [TAG] })).Vpc;
  const gzList = await vpc.DescribeVpcs({ Filters: tagf });
  const shList = await sh.DescribeVpcs({ Filters: tagf });
  check("a VPC made in ap-shanghai is listed there, not in ap-guangzhou", gzList.TotalCount === 1 &&
    shList.TotalCount === 1 && shList.VpcSet[0].VpcId === shv.VpcId, `${J(gzList)} ${J(shList)}`);
  await sh.DeleteVpc({ VpcId: shv.VpcId });

  // --- teardown: nothing tagged left ---
  await throws("DeleteSubnet while instances use it: ResourceInUse", vpc.DeleteSubnet({ SubnetId: sn.SubnetId }), "ResourceInUse");
  await vpc.DisassociateAddress({ AddressId: eip.AddressId });
  await vpc.ReleaseAddresses({ AddressIds: [eip.AddressId] });
  const dl = await clb.DeleteLoadBalancer({ LoadBalancerIds: [lbId] });
  check("DeleteLoadBalancer: its task succeeds", (await task(dl.RequestId)).Status === 0);
  const all = [...r1.InstanceIdSet, ...fixed.InstanceIdSet];
  await cvm.TerminateInstances({ InstanceIds: all });
  const sd = await cvm.DescribeInstances({ InstanceIds: all });
  check("TerminateInstances: SHUTDOWN at first", sd.InstanceSet.every((i) => i.InstanceState === "SHUTDOWN"),
    J(sd.InstanceSet.map((i) => i.InstanceState)));
  const gone = await until(() => cvm.DescribeInstances({ Filters: tagf }), (r) => r.TotalCount === 0);
  check("then gone", gone.TotalCount === 0, J(gone));
  await cvm.DeleteKeyPairs({ KeyIds: [kp.KeyId] });
  await vpc.DeleteSecurityGroup({ SecurityGroupId: sg.SecurityGroupId });
  await vpc.DeleteSubnet({ SubnetId: sn.SubnetId });
  await vpc.DeleteVpc({ VpcId: v.VpcId });
  const left = [
    (await cvm.DescribeInstances({ Filters: tagf })).TotalCount,
    (await cvm.DescribeKeyPairs({ Filters: tagf })).TotalCount,
    (await vpc.DescribeVpcs({ Filters: tagf })).TotalCount,
    (await vpc.DescribeSubnets({ Filters: tagf })).TotalCount,
    (await vpc.DescribeSecurityGroups({ Filters: tagf })).TotalCount,
    (await vpc.DescribeAddresses({ Filters: tagf })).TotalCount,
    (await clb.DescribeLoadBalancers({ Filters: [{ Name: `tag:${TAG.Key}`, Values: [TAG.Value] }] })).TotalCount,
  ];
  check("nothing tagged is left (instances, keys, VPCs, subnets, groups, EIPs, CLBs)", J(left) === J([0, 0, 0, 0, 0, 0, 0]), J(left));
  const calls = (await fake("/_fake/stats")).body.calls;
  check("/_fake/stats counted a call of each action", Object.keys(calls).length === 34 && calls["cvm.RunInstances"] >= 5,
    `${Object.keys(calls).length} actions: ${J(Object.keys(calls).sort())}`);
}

try {
  await main();
} catch (e) {
  failed++;
  console.log(`not ok - unexpected: ${e.code ?? ""} ${e.message} ${e.stack?.split("\n")[1] ?? ""}`);
}
process.exit(failed ? 1 : 0);
