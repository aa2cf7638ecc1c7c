// list.mjs: what the official Tencent Cloud SDK (tencentcloud-sdk-nodejs,
// pinned in package.json beside this file) reads of a deployment icm made,
// as one JSON object, so a test compares it with icm's inventory:
//
//   node list.mjs NODE_MODULES_DIR REGION DEPLOYMENT
//
// {"instances": {name: {id, type, zone, state, private, public, disks:
//   [sizes], keys: n, sgs: n}}, "vpcs": [names], "subnets": {name: cidr},
//  "sgs": {name: ["PROTO PORT", ...]}, "keypairs": [names], "eips":
//  {id: {ip, instance}}}, each the resources tagged
// icm-deployment=DEPLOYMENT.  Run inside `tests/cloud/tencent exec` (its
// environment, as conformance.mjs).  Exits 1 on an error.
import { createRequire } from "node:module";
import path from "node:path";

const [dir, REGION, DEP] = process.argv.slice(2);
if (!DEP) {
  console.error("usage: node list.mjs NODE_MODULES_DIR REGION DEPLOYMENT");
  process.exit(1);
}
const env = (k) => {
  if (!process.env[k]) {
    console.error(`list: ${k} is not set (run inside tests/cloud/tencent exec)`);
    process.exit(1);
  }
  return process.env[k];
};
const require = createRequire(path.join(path.resolve(dir), "x.js"));
const tc = require("tencentcloud-sdk-nodejs");
const PORT = env("TENCENT_FAKE_PORT");
const host = (svc) => `${svc}.tencentcloudapi.com${PORT === "443" ? "" : ":" + PORT}`;
const mk = (Cls, svc) => new Cls({
  credential: { secretId: env("TENCENTCLOUD_SECRET_ID"), secretKey: env("TENCENTCLOUD_SECRET_KEY") },
  region: REGION, profile: { httpProfile: { endpoint: host(svc), reqTimeout: 20 } },
});
const cvm = mk(tc.cvm.v20170312.Client, "cvm");
const vpc = mk(tc.vpc.v20170312.Client, "vpc");
const Filters = [{ Name: "tag:icm-deployment", Values: [DEP] }];

// every page of a Describe* (Offset/Limit; VPC's as strings)
async function all(fn, set, strings = false) {
  const out = [];
  for (let off = 0; ; off += 100) {
    const r = await fn({ Filters, Offset: strings ? String(off) : off, Limit: strings ? "100" : 100 });
    out.push(...(r[set] ?? []));
    if (!r[set] || r[set].length < 100) return out;
  }
}

async function main() {
  const out = { instances: {}, vpcs: [], subnets: {}, sgs: {}, keypairs: [], eips: {} };
  for (const i of await all((p) => cvm.DescribeInstances(p), "InstanceSet"))
    out.instances[i.InstanceName] = {
      id: i.InstanceId, type: i.InstanceType, zone: i.Placement.Zone, state: i.InstanceState,
      private: (i.PrivateIpAddresses ?? [])[0], public: (i.PublicIpAddresses ?? [])[0] ?? null,
      disks: [i.SystemDisk.DiskSize, ...(i.DataDisks ?? []).map((d) => d.DiskSize)],
      keys: (i.LoginSettings?.KeyIds ?? []).length, sgs: (i.SecurityGroupIds ?? []).length,
    };
  out.vpcs = (await all((p) => vpc.DescribeVpcs(p), "VpcSet", true)).map((v) => v.VpcName).sort();
  for (const s of await all((p) => vpc.DescribeSubnets(p), "SubnetSet", true))
    out.subnets[s.SubnetName] = s.CidrBlock;
  for (const g of await all((p) => vpc.DescribeSecurityGroups(p), "SecurityGroupSet")) {
    const r = await vpc.DescribeSecurityGroupPolicies({ SecurityGroupId: g.SecurityGroupId });
    out.sgs[g.SecurityGroupName] = r.SecurityGroupPolicySet.Ingress.map((x) => `${x.Protocol} ${x.Port}`);
  }
  out.keypairs = (await all((p) => cvm.DescribeKeyPairs(p), "KeyPairSet")).map((k) => k.KeyName).sort();
  for (const e of await all((p) => vpc.DescribeAddresses(p), "AddressSet"))
    out.eips[e.AddressId] = { ip: e.AddressIp, instance: e.InstanceId ?? null };
  return out;
}

main().then((o) => console.log(JSON.stringify(o)),
  (e) => { console.error(`list: ${e.code ?? ""} ${e.message}`); process.exit(1); });
