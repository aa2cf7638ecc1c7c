// conformance.mjs: the official Azure clients (@azure/identity,
// @azure/arm-resources, @azure/arm-network, @azure/arm-compute, pinned in
// package.json beside this file) against the FAKE ARM (tests/cloud/arm-fake.py):
// a token by ClientSecretCredential, then create, get, list and delete every
// kind icm uses, tags, a failed operation's error and a 429 retried; every
// list paged (page_size 2, the clients follow nextLink); the marketplace's
// images and the VM sizes (resource SKUs, vmSizes); custom images (managed,
// gallery); a load balancer with an IP-based backend pool; a VM PUT's
// synchronous refusals (unknown size, restricted size, unknown image, a weak
// password, a changed password) and a failed VM provisioned again.
//
//   node conformance.mjs NODE_MODULES_DIR
//
// Run inside `tests/cloud/arm exec` (its environment: ARM_FAKE_URL,
// AZURE_AUTHORITY_HOST, AZURE_TENANT_ID, AZURE_SUBSCRIPTION_ID,
// AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, NODE_EXTRA_CA_CERTS).  Prints one
// line per check, "ok - WHAT" or "not ok - WHAT: why"; exits 1 when a check
// failed or the clients cannot be loaded.
import { createRequire } from "node:module";
import path from "node:path";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node conformance.mjs NODE_MODULES_DIR");
  process.exit(1);
}
const env = (k) => {
  if (!process.env[k]) {
    console.error(`conformance: ${k} is not set (run inside tests/cloud/arm exec)`);
    process.exit(1);
  }
  return process.env[k];
};
const require = createRequire(path.join(path.resolve(dir), "x.js"));
const { ClientSecretCredential } = require("@azure/identity");
const { ResourceManagementClient } = require("@azure/arm-resources");
const { NetworkManagementClient } = require("@azure/arm-network");
const { ComputeManagementClient } = require("@azure/arm-compute");

const URL_ = env("ARM_FAKE_URL");
const SUB = env("AZURE_SUBSCRIPTION_ID");
let failed = 0;
function check(what, cond, why = "") {
  if (cond) console.log(`ok - ${what}`);
  else {
    failed++;
    console.log(`not ok - ${what}${why ? ": " + why : ""}`);
  }
}
async function throws(what, p, re) {
  try {
    await p;
    check(what, false, "no error");
  } catch (e) {
    const s = `${e.code ?? ""} ${e.statusCode ?? ""} ${e.message}`;
    check(what, re.test(s), s.slice(0, 300));
  }
}
async function all(it) {
  const out = [];
  for await (const x of it) out.push(x);
  return out;
}
async function fake(p, body) {
  const r = await fetch(URL_ + p, body ? { method: "POST", body: JSON.stringify(body) } : {});
  return r.json();
}

const cred = new ClientSecretCredential(env("AZURE_TENANT_ID"), env("AZURE_CLIENT_ID"),
  env("AZURE_CLIENT_SECRET"), { authorityHost: env("AZURE_AUTHORITY_HOST"),
    disableInstanceDiscovery: true });
const opts = { endpoint: URL_, credentialScopes: ["https://management.azure.com/.default"] };
const rm = new ResourceManagementClient(cred, SUB, opts);
const net = new NetworkManagementClient(cred, SUB, opts);
const cmp = new ComputeManagementClient(cred, SUB, opts);
const G = "icm-sdk-rg", L = "eastus", TAGS = { icm: "sdk-test", role: "DM" };

const IMG = ["Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2"];
const PW = "Icm-Test-Pass1";

async function main() {
  // every list answer at most 2 items: the clients follow nextLink
  await fake("/_fake/control", { page_size: 2 });
  // --- identity ---
  const tok = await cred.getToken("https://management.azure.com/.default");
  check("ClientSecretCredential gets a token from the fake's authority",
    tok && tok.token.length > 20 && tok.expiresOnTimestamp > Date.now());
  await throws("a wrong secret: AADSTS7000215",
    new ClientSecretCredential(env("AZURE_TENANT_ID"), env("AZURE_CLIENT_ID"), "wrong",
      { authorityHost: env("AZURE_AUTHORITY_HOST"), disableInstanceDiscovery: true })
      .getToken("https://management.azure.com/.default"), /AADSTS7000215/);

  // --- catalogues: marketplace images, VM sizes ---
  const newest = await cmp.virtualMachineImages.list(L, ...IMG, { top: 1, orderby: "name desc" });
  check("image versions listed: $top=1 $orderby=name desc gives the newest",
    newest.length === 1 && newest[0].name === "22.04.202402280", JSON.stringify(newest));
  check("an image version read: Hyper-V generation V2, Linux",
    (await cmp.virtualMachineImages.get(L, ...IMG, "22.04.202401120")).hyperVGeneration === "V2");
  check("an offer's skus listed", (await cmp.virtualMachineImages.listSkus(L, IMG[0], IMG[1]))
    .map((x) => x.name).sort().join() === "22_04-lts,22_04-lts-gen2");
  await throws("an image not in the catalogue: 404 NotFound 'Artifact: VMImage was not found.'",
    cmp.virtualMachineImages.list(L, IMG[0], IMG[1], "18_04-lts"), /NotFound 404 Artifact: VMImage/);
  await fake("/_fake/control", { restrict_sizes: { [L]: ["Standard_DS2_v2"] } });
  const skus = await all(cmp.resourceSkus.list({ filter: `location eq '${L}'` }));
  const ds2 = skus.find((x) => x.name === "Standard_DS2_v2");
  check("resource SKUs listed through nextLink pages: the VM sizes, zones 1-3",
    skus.length >= 10 && skus.every((x) => x.resourceType === "virtualMachines" &&
      x.locationInfo[0].zones.join() === "1,2,3"), `${skus.length}`);
  check("a restricted size shows its Location restriction",
    ds2 && ds2.restrictions[0].reasonCode === "NotAvailableForSubscription" &&
    skus.find((x) => x.name === "Standard_D2s_v3").restrictions.length === 0);
  const page = await (await fetch(`${URL_}/subscriptions/${SUB}/providers/Microsoft.Compute/skus?` +
    "api-version=2021-07-01", { headers: { authorization: `Bearer ${tok.token}` } })).json();
  check("a list page: 2 items and an absolute nextLink with $skiptoken",
    page.value.length === 2 && page.nextLink.startsWith(`${URL_}/subscriptions/`) &&
    page.nextLink.includes("skiptoken=2"), page.nextLink);
  const sizes = await all(cmp.virtualMachineSizes.list(L));
  check("VM sizes of a location listed", sizes.length === skus.length &&
    sizes.find((x) => x.name === "Standard_D2s_v3").numberOfCores === 2);

  // --- resource group ---
  const rg = await rm.resourceGroups.createOrUpdate(G, { location: L, tags: TAGS });
  check("resource group created with its tags", rg.name === G && rg.tags.icm === "sdk-test");
  check("resource group read back", (await rm.resourceGroups.get(G)).location === L);
  check("resource groups listed", (await all(rm.resourceGroups.list())).some((g) => g.name === G));

  // --- network ---
  // independent kinds made side by side, as a provisioner would
  const [vnet, nsg, pip, disk, gal] = await Promise.all([
    net.virtualNetworks.beginCreateOrUpdateAndWait(G, "vnet", {
    location: L, tags: TAGS, addressSpace: { addressPrefixes: ["198.18.0.0/16"] },
    subnets: [{ name: "s1", addressPrefix: "198.18.0.0/24" }] }),
    net.networkSecurityGroups.beginCreateOrUpdateAndWait(G, "nsg", {
      location: L, tags: TAGS, securityRules: [{ name: "ssh", protocol: "Tcp", access: "Allow",
        direction: "Inbound", priority: 100, sourceAddressPrefix: "*", sourcePortRange: "*",
        destinationAddressPrefix: "*", destinationPortRange: "22" }] }),
    net.publicIPAddresses.beginCreateOrUpdateAndWait(G, "pip", {
      location: L, tags: TAGS, publicIPAllocationMethod: "Static", sku: { name: "Standard" } }),
    cmp.disks.beginCreateOrUpdateAndWait(G, "data1", {
      location: L, tags: TAGS, sku: { name: "Premium_LRS" }, diskSizeGB: 64,
      creationData: { createOption: "Empty" } }),
    cmp.galleries.beginCreateOrUpdateAndWait(G, "gal", { location: L, tags: TAGS })]);
  check("virtual network created (LRO), provisioningState Succeeded",
    vnet.provisioningState === "Succeeded" && vnet.subnets.length === 1, JSON.stringify(vnet));
  const lbId = `/subscriptions/${SUB}/resourceGroups/${G}/providers/Microsoft.Network/loadBalancers/lb`;
  const lbSpec = (probe, vnetId) => ({
    location: L, tags: TAGS, sku: { name: "Standard" },
    frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: pip.id } }],
    backendAddressPools: [{ name: "be" }, { name: "ipbe", loadBalancerBackendAddresses: [
      { name: "m1", ipAddress: "198.18.0.50", virtualNetwork: { id: vnetId } }] }],
    probes: [{ name: "p", protocol: "Tcp", port: 1972, intervalInSeconds: 5,
      numberOfProbes: 2 }, { name: "health", protocol: "Http", port: 52773,
      requestPath: "/csp/user/mirror_status.cxw", intervalInSeconds: 5, numberOfProbes: 2 }],
    loadBalancingRules: [{ name: "r", protocol: "Tcp", frontendPort: 1972, backendPort: 1972,
      frontendIPConfiguration: { id: `${lbId}/frontendIPConfigurations/fe` },
      backendAddressPool: { id: `${lbId}/backendAddressPools/be` },
      probe: { id: `${lbId}/probes/p` } }, { name: "port-52773", protocol: "Tcp",
      frontendPort: 52773, backendPort: 52773,
      frontendIPConfiguration: { id: `${lbId}/frontendIPConfigurations/fe` },
      backendAddressPool: { id: `${lbId}/backendAddressPools/ipbe` },
      probe: { id: `${lbId}/probes/${probe}` } }] });
  await throws("a load balancer rule naming a probe it does not have: 400 InvalidResourceReference",
    net.loadBalancers.beginCreateOrUpdateAndWait(G, "lb", lbSpec("nope", vnet.id)),
    /InvalidResourceReference 400 .*probes\/nope/);
  await throws("an IP-based backend address on a missing network: 400 InvalidResourceReference",
    net.loadBalancers.beginCreateOrUpdateAndWait(G, "lb", lbSpec("health", `${vnet.id}x`)),
    /InvalidResourceReference 400 .*vnetx/);
  const [s2, rule, lb, img, gimg] = await Promise.all([
    net.subnets.beginCreateOrUpdateAndWait(G, "vnet", "s2", { addressPrefix: "198.18.1.0/24" }),
    net.securityRules.beginCreateOrUpdateAndWait(G, "nsg", "iris", {
      protocol: "Tcp", access: "Allow", direction: "Inbound", priority: 110,
      sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*",
      destinationPortRanges: ["1972", "52773"] }),
    net.loadBalancers.beginCreateOrUpdateAndWait(G, "lb", lbSpec("health", vnet.id)),
    cmp.images.beginCreateOrUpdateAndWait(G, "img", { location: L, tags: TAGS,
      storageProfile: { osDisk: { osType: "Linux", osState: "Generalized",
        managedDisk: { id: disk.id } } } }),
    cmp.galleryImages.beginCreateOrUpdateAndWait(G, "gal", "def", { location: L,
      osType: "Linux", osState: "Generalized", hyperVGeneration: "V2",
      identifier: { publisher: "icm", offer: "iris", sku: "test" } })]);
  check("subnet created as a child", s2.name === "s2" && s2.provisioningState === "Succeeded");
  check("subnets listed", (await all(net.subnets.list(G, "vnet"))).map((s) => s.name).sort()
    .join() === "s1,s2");
  check("network security group created with a rule and the default rules",
    nsg.securityRules.length === 1 && nsg.defaultSecurityRules.length === 6);
  check("security rule created as a child", rule.destinationPortRanges.length === 2);
  check("security rules listed",
    (await all(net.securityRules.list(G, "nsg"))).length === 2);
  check("public IP from 203.0.113.0/24", /^203\.0\.113\.\d+$/.test(pip.ipAddress || ""));
  check("load balancer created with its pools, probes and rules",
    lb.backendAddressPools[0].id.endsWith("/backendAddressPools/be") &&
    lb.probes.length === 2 && lb.loadBalancingRules.length === 2);
  const ipa = lb.backendAddressPools[1].loadBalancerBackendAddresses[0];
  check("its IP-based backend pool: the address and its network shown",
    ipa.name === "m1" && ipa.ipAddress === "198.18.0.50" && ipa.virtualNetwork.id === vnet.id,
    JSON.stringify(ipa));
  check("a managed image and a gallery image definition made",
    img.provisioningState === "Succeeded" && gimg.identifier.offer === "iris" &&
    gal.provisioningState === "Succeeded");
  const nics = [];
  for (const n of ["nic1", "nic2"]) {
    nics.push(await net.networkInterfaces.beginCreateOrUpdateAndWait(G, n, {
      location: L, tags: TAGS, networkSecurityGroup: { id: nsg.id },
      ipConfigurations: [{ name: "ipc", subnet: { id: vnet.subnets[0].id },
        loadBalancerBackendAddressPools: n === "nic1" ? [{ id: lb.backendAddressPools[0].id }]
          : undefined }] }));
  }
  check("NICs get .11 and .12 of subnet 198.18.0.0/24",
    nics.map((n) => n.ipConfigurations[0].privateIPAddress).join() === "198.18.0.11,198.18.0.12",
    nics.map((n) => n.ipConfigurations[0].privateIPAddress).join());
  const again = await net.networkInterfaces.beginCreateOrUpdateAndWait(G, "nic1", {
    location: L, tags: TAGS, ipConfigurations: [{ name: "ipc",
      subnet: { id: vnet.subnets[0].id } }] });
  check("a PUT again keeps the NIC's address (idempotent by name)",
    again.ipConfigurations[0].privateIPAddress === "198.18.0.11");
  check("NICs listed by group", (await all(net.networkInterfaces.list(G))).length === 2);

  // --- compute ---
  check("disk created (202 + Location)", disk.diskSizeGB === 64 && disk.diskState === "Unattached",
    JSON.stringify(disk));
  const vmSpec = (nic, o = {}) => ({ location: L, tags: TAGS, zones: ["1"],
    hardwareProfile: { vmSize: o.size ?? "Standard_D2s_v3" },
    storageProfile: { imageReference: o.image ?? { publisher: "Canonical",
      offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
    osDisk: { createOption: "FromImage", name: `${nic}-os`, deleteOption: "Delete",
      managedDisk: { storageAccountType: "Premium_LRS" } },
    dataDisks: nic === "nic1" ? [{ lun: 0, createOption: "Attach",
      managedDisk: { id: disk.id } }] : [] },
    osProfile: { computerName: nic, adminUsername: "icmuser", adminPassword: o.pw ?? PW,
      linuxConfiguration: {
      disablePasswordAuthentication: true, ssh: { publicKeys: [{
        path: "/home/icmuser/.ssh/authorized_keys", keyData: "ssh-ed25519 AAAA test" }] } } },
    networkProfile: { networkInterfaces: [{ id: nics[nic === "nic1" ? 0 : 1].id }] } });
  const vmr = (what, o, re) => throws(what,
    cmp.virtualMachines.beginCreateOrUpdateAndWait(G, "vm1", vmSpec("nic1", o)), re);
  await vmr("an unknown VM size: 400 InvalidParameter", { size: "Standard_Nope" },
    /InvalidParameter 400 The value Standard_Nope provided for the VM size is not valid/);
  await vmr("a size restricted in the location: 409 SkuNotAvailable", { size: "Standard_DS2_v2" },
    /SkuNotAvailable 409 .*Standard_DS2_v2.* is currently not available in location 'eastus'/);
  await vmr("an image not in the catalogue: 404 PlatformImageNotFound", { image: {
    publisher: IMG[0], offer: IMG[1], sku: IMG[2], version: "22.04.199901010" } },
  /PlatformImageNotFound 404 The platform image 'Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:22.04.199901010' is not available/);
  await vmr("a managed image not made: 404 NotFound", { image: { id: `${img.id}x` } },
    /NotFound 404 The Image '.*imgx' cannot be found in 'eastus' region/);
  await vmr("a gallery image not made: 404 GalleryImageNotFound", { image: {
    id: `${gimg.id}x/versions/latest` } }, /GalleryImageNotFound 404/);
  const weak = "weakpassword";
  await vmr("a weak password: 400 InvalidParameter, Azure's rule, the password not echoed",
    { pw: weak }, /^(?!.*weakpassword)InvalidParameter 400 The supplied password must be between 6-72 characters/s);
  const vm = await cmp.virtualMachines.beginCreateOrUpdateAndWait(G, "vm1", vmSpec("nic1",
    { image: { id: `${gimg.id}/versions/1.0.0` } }));
  check("VM created (LRO), provisioningState Succeeded",
    vm.provisioningState === "Succeeded" && vm.vmId && vm.zones[0] === "1");
  const iv = await cmp.virtualMachines.instanceView(G, "vm1");
  check("the VM's instance view: PowerState/running",
    iv.statuses.some((x) => x.code === "PowerState/running"), JSON.stringify(iv.statuses));
  const d1 = await cmp.disks.get(G, "data1");
  check("the attached disk is managed by the VM", d1.managedBy === vm.id &&
    d1.diskState === "Attached");
  check("the VM's OS disk was made", (await cmp.disks.get(G, "nic1-os")).managedBy === vm.id);
  check("VMs listed by group and by subscription",
    (await all(cmp.virtualMachines.list(G))).length === 1 &&
    (await all(cmp.virtualMachines.listAll())).length === 1);
  await throws("a disk attached to a VM cannot be deleted", cmp.disks.beginDeleteAndWait(G,
    "data1"), /OperationNotAllowed|attached/);

  // --- tags ---
  const tagged = await all(rm.resources.list({ filter: "tagName eq 'icm' and tagValue eq 'sdk-test'" }));
  const kinds = new Set(tagged.map((r) => r.type));
  check("resources listed by tag: every kind icm makes",
    ["Microsoft.Network/virtualNetworks", "Microsoft.Network/networkSecurityGroups",
      "Microsoft.Network/publicIPAddresses", "Microsoft.Network/loadBalancers",
      "Microsoft.Network/networkInterfaces", "Microsoft.Compute/disks",
      "Microsoft.Compute/virtualMachines"].every((k) => kinds.has(k)), [...kinds].join());
  check("resources listed by tag in the group",
    (await all(rm.resources.listByResourceGroup(G, { filter: "tagName eq 'role' and tagValue eq 'DM'" })))
      .length === tagged.filter((r) => r.tags.role === "DM").length);
  check("another tag value lists nothing",
    (await all(rm.resources.list({ filter: "tagName eq 'icm' and tagValue eq 'other'" }))).length === 0);

  // --- a failed operation, a 429 retried ---
  await fake("/_fake/control", { fail_ops: { virtualMachines: "AllocationFailed" } });
  await throws("a failed operation's error reaches the client (AllocationFailed)",
    cmp.virtualMachines.beginCreateOrUpdateAndWait(G, "vm2", vmSpec("nic2",
      { image: { id: img.id } })),
    /AllocationFailed|Allocation failed/);
  const vm2 = await cmp.virtualMachines.get(G, "vm2", { expand: "instanceView" });
  check("the failed VM stays, provisioningState Failed",
    vm2.provisioningState === "Failed" && vm2.instanceView.statuses[0].code ===
    "ProvisioningState/failed/AllocationFailed", JSON.stringify(vm2.instanceView.statuses));
  await vmr("a changed adminPassword: 409 PropertyChangeNotAllowed", { pw: `${PW}x` },
    /PropertyChangeNotAllowed 409 Changing property 'osProfile.adminPassword' is not allowed/);
  const [again1, again2] = await Promise.all([
    cmp.virtualMachines.beginCreateOrUpdateAndWait(G, "vm1", vmSpec("nic1",
      { image: { id: `${gimg.id}/versions/1.0.0` } })),
    cmp.virtualMachines.beginCreateOrUpdateAndWait(G, "vm2", vmSpec("nic2",
      { image: { id: img.id } }))]);
  check("the same VM PUT again (same password) succeeds", again1.vmId === vm.vmId &&
    again1.provisioningState === "Succeeded" && !again1.osProfile.adminPassword);
  check("the failed VM PUT again: provisioned, Succeeded",
    again2.provisioningState === "Succeeded" && again2.vmId === vm2.vmId);
  await fake("/_fake/control", { fail_ops: { disks: "QuotaExceeded" } });
  await throws("a failed operation followed by Location reaches the client (QuotaExceeded)",
    cmp.disks.beginCreateOrUpdateAndWait(G, "bad", { location: L, diskSizeGB: 8,
      creationData: { createOption: "Empty" } }), /QuotaExceeded|exceeding approved/);
  const before = (await fake("/_fake/stats")).errors_injected;
  await fake("/_fake/control", { fail_code: 429, fail_next: 1 });
  const got = await net.virtualNetworks.get(G, "vnet");
  check("a 429 with Retry-After is retried by the client",
    got.name === "vnet" && (await fake("/_fake/stats")).errors_injected === before + 1);
  await throws("a missing resource: 404 ResourceNotFound", net.publicIPAddresses.get(G, "nope"),
    /ResourceNotFound/);

  // --- deletes ---
  await Promise.all([cmp.virtualMachines.beginDeleteAndWait(G, "vm2"),
    cmp.virtualMachines.beginDeleteAndWait(G, "vm1")]);
  check("VM deleted: its Delete OS disk gone, the attached disk detached",
    (await all(cmp.virtualMachines.list(G))).length === 0 &&
    (await cmp.disks.get(G, "data1")).diskState === "Unattached" &&
    !(await all(cmp.disks.listByResourceGroup(G))).some((d) => /^nic[12]-os$/.test(d.name)));
  await Promise.all([cmp.disks.beginDeleteAndWait(G, "data1"),
    cmp.disks.beginDeleteAndWait(G, "bad"),
    net.networkInterfaces.beginDeleteAndWait(G, "nic1"),
    net.networkInterfaces.beginDeleteAndWait(G, "nic2")]);
  await Promise.all([net.loadBalancers.beginDeleteAndWait(G, "lb"),
    cmp.images.beginDeleteAndWait(G, "img"),
    cmp.galleryImages.beginDeleteAndWait(G, "gal", "def"),
    net.securityRules.beginDeleteAndWait(G, "nsg", "iris"),
    net.subnets.beginDeleteAndWait(G, "vnet", "s2")]);
  check("security rule deleted", (await all(net.securityRules.list(G, "nsg"))).length === 1);
  await Promise.all([net.publicIPAddresses.beginDeleteAndWait(G, "pip"),
    cmp.galleries.beginDeleteAndWait(G, "gal"),
    net.networkSecurityGroups.beginDeleteAndWait(G, "nsg"),
    net.virtualNetworks.beginDeleteAndWait(G, "vnet")]);
  check("every resource deleted", (await all(rm.resources.listByResourceGroup(G))).length === 0);
  await rm.resourceGroups.beginDeleteAndWait(G);
  check("resource group deleted (202 + Location, polled)",
    !(await all(rm.resourceGroups.list())).some((g) => g.name === G));
  await fake("/_fake/control", { page_size: 0, restrict_sizes: {} });
}

try {
  await main();
} catch (e) {
  failed++;
  console.log(`not ok - unexpected error: ${e.code ?? ""} ${e.message}`.slice(0, 400));
}
console.log(failed ? `# ${failed} failed` : "# all passed");
process.exit(failed ? 1 : 0);
