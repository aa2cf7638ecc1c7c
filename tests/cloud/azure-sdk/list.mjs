// list.mjs: what the official Azure clients (@azure/arm-resources,
// @azure/arm-network, @azure/arm-compute) read of a deployment icm made, as
// one JSON object, so a test compares it with icm's inventory:
//
//   node list.mjs NODE_MODULES_DIR GROUP DEPLOYMENT
//
// {"tagged": [names of the subscription's resources tagged
//   icm-deployment=DEPLOYMENT, sorted], "groups": [tagged group names],
//  "vms": {name: {size, zones, os, disks: [names], nic, admin}},
//  "nics": {name: private IP}, "ips": {name: address},
//  "rules": {nsg name: ["proto port", ...]},
//  "lbs": {name: {backend: [IPs], rules: [ports], probe: port}}}
// (empty maps when GROUP does not exist).  Run inside `tests/cloud/arm
// exec` (its environment, as conformance.mjs).  Exits 1 on an error.
import { createRequire } from "node:module";
import path from "node:path";

const [dir, G, DEP] = process.argv.slice(2);
if (!DEP) {
  console.error("usage: node list.mjs NODE_MODULES_DIR GROUP DEPLOYMENT");
  process.exit(1);
}
const env = (k) => {
  if (!process.env[k]) {
    console.error(`list: ${k} is not set (run inside tests/cloud/arm exec)`);
    process.exit(1);
  }
  return process.env[k];
};
const require = createRequire(path.join(path.resolve(dir), "x.js"));
const { ClientSecretCredential } = require("@azure/identity");
const { ResourceManagementClient } = require("@azure/arm-resources");
const { NetworkManagementClient } = require("@azure/arm-network");
const { ComputeManagementClient } = require("@azure/arm-compute");

const SUB = env("AZURE_SUBSCRIPTION_ID");
const cred = new ClientSecretCredential(env("AZURE_TENANT_ID"), env("AZURE_CLIENT_ID"),
  env("AZURE_CLIENT_SECRET"), { authorityHost: env("AZURE_AUTHORITY_HOST"),
    disableInstanceDiscovery: true });
const opts = { endpoint: env("ARM_FAKE_URL"),
  credentialScopes: ["https://management.azure.com/.default"] };
const rm = new ResourceManagementClient(cred, SUB, opts);
const net = new NetworkManagementClient(cred, SUB, opts);
const cmp = new ComputeManagementClient(cred, SUB, opts);

async function all(it) {
  const out = [];
  for await (const x of it) out.push(x);
  return out;
}

async function main() {
  const q = DEP.replace(/'/g, "''");
  const filter = `tagName eq 'icm-deployment' and tagValue eq '${q}'`;
  const out = { tagged: [], groups: [], vms: {}, nics: {}, ips: {}, rules: {}, lbs: {} };
  out.tagged = (await all(rm.resources.list({ filter }))).map((r) => r.name).sort();
  out.groups = (await all(rm.resourceGroups.list({ filter }))).map((g) => g.name).sort();
  if (!(await all(rm.resourceGroups.list())).some((g) => g.name === G)) return out;
  for (const vm of await all(cmp.virtualMachines.list(G))) {
    out.vms[vm.name] = {
      size: vm.hardwareProfile.vmSize, zones: vm.zones ?? [],
      os: vm.storageProfile.osDisk.name,
      disks: (vm.storageProfile.dataDisks ?? []).map((d) => d.name),
      nic: vm.networkProfile.networkInterfaces[0].id.split("/").pop(),
      admin: vm.osProfile?.adminUsername,
    };
  }
  for (const n of await all(net.networkInterfaces.list(G)))
    out.nics[n.name] = n.ipConfigurations[0].privateIPAddress;
  for (const p of await all(net.publicIPAddresses.list(G))) out.ips[p.name] = p.ipAddress;
  for (const s of await all(net.networkSecurityGroups.list(G)))
    out.rules[s.name] = (s.securityRules ?? [])
      .map((r) => `${r.protocol} ${r.destinationPortRange}`);
  for (const lb of await all(net.loadBalancers.list(G))) {
    out.lbs[lb.name] = {
      backend: (lb.backendAddressPools[0]?.loadBalancerBackendAddresses ?? [])
        .map((a) => a.ipAddress).sort(),
      rules: (lb.loadBalancingRules ?? []).map((r) => r.frontendPort),
      probe: lb.probes[0]?.port,
    };
  }
  return out;
}

main().then((o) => console.log(JSON.stringify(o)),
  (e) => { console.error(`list: ${e.code ?? ""} ${e.message}`); process.exit(1); });
