#!/usr/bin/env python3
"""arm-fake.py: a FAKE Azure Resource Manager and Entra ID token endpoint for
icm's tests.  NOT Azure: a small stateful imitation written from Microsoft's
REST API reference (azure-rest-api-specs: resources, network, compute; the
Microsoft identity platform's client-credentials and managed-identity
pages), Python standard library only, serving https on 127.0.0.1.

    arm-fake.py --port P --cert CERT.pem --key KEY.pem --tenant T
                --subscription S --client-id C [--op-delay SECONDS]
                [--retry-after SECONDS] [--imds-port Q]
    with the app's secret in $ARM_SECRET and an expired one in $ARM_EXPIRED
    (the environment: not seen by ps)

Token:  POST /{tenant}/oauth2/v2.0/token  grant_type=client_credentials,
        client_id, client_secret, scope=https://management.azure.com/.default
        GET  /{tenant}/v2.0/.well-known/openid-configuration (MSAL's discovery)
        GET  /metadata/identity/oauth2/token?api-version=2018-02-01&resource=R
             with "Metadata: true" (the managed identity, as IMDS answers);
             also on plain http at 127.0.0.1:Q with --imds-port (as IMDS
             is http), where nothing else is served
ARM:    /subscriptions/S/resourcegroups[/G]            (Authorization: Bearer)
        /subscriptions/S/resourceGroups/G/providers/Microsoft.Network/
            virtualNetworks[/V/subnets], networkSecurityGroups[/N/securityRules],
            publicIPAddresses, networkInterfaces, loadBalancers
        /subscriptions/S/resourceGroups/G/providers/Microsoft.Compute/
            virtualMachines (+ instanceView, $expand=instanceView), disks,
            images, galleries[/N/images] (custom images a VM may name)
        /subscriptions/S/providers/Microsoft.Compute/skus[?$filter=location
            eq 'x'], .../locations/L/vmSizes, .../locations/L/publishers[/P/
            artifacttypes/vmimage/offers[/O/skus[/K/versions[/V]]]] ($top,
            $orderby=name desc): arm_catalog.py's sizes and images
        /subscriptions/S[/resourceGroups/G]/resources?$filter=tagName eq 'k'
            and tagValue eq 'v'
        PUT creates or updates (by name), GET, list, DELETE; every call needs
        api-version.  Long-running operations: network and VM PUTs answer
        201/200 + Azure-AsyncOperation, disks 202 + Location, deletes 202 +
        Location (network and VMs also Azure-AsyncOperation), Retry-After;
        InProgress for --op-delay seconds, then Succeeded (or Failed).
        A VM PUT is refused at once (as ARM does) for a size not in the
        catalogue (400 InvalidParameter) or restricted (409 SkuNotAvailable),
        an image not in the catalogue (404 PlatformImageNotFound) or a custom
        image not PUT here (404 NotFound, GalleryImageNotFound), an
        adminPassword against Azure's Linux rule (400 InvalidParameter, never
        echoed), a changed adminUsername/adminPassword (409
        PropertyChangeNotAllowed).  A VM whose operation Failed stays Failed
        until a PUT provisions it again.  A load balancer's rules must name
        its own frontend, pool and probe; an IP-based pool's addresses an
        existing virtual network (else 400 InvalidResourceReference).
        Lists: {"value": [...]}, paged with nextLink ($skiptoken) when the
        control's page_size is set.
Test-only (no auth):
        GET  /_fake/stats    calls, arm_calls, puts and deletes per resource,
             polls, kinds {type: {PUT, DELETE, GET, poll, ...: count}}
        GET  /_fake/state    every stored resource and operation
        POST /_fake/control  JSON: op_delay, kind_delay {kind: seconds} (that
             kind's PUT operations), retry_after, fail_code (429|503),
             fail_every, fail_next, fail_ops {kind: code} (the kind's next
             operation ends Failed: AllocationFailed, SkuNotAvailable,
             QuotaExceeded, ZonalAllocationFailed, ...), page_size N (lists
             answer at most N items, 0 = all), restrict_sizes {location:
             [size, ...]}, expire_tokens true, reset true
NICs get privateIPAddress from their subnet's addressPrefix: the lowest free
address from .11 on (198.18.0.0/24 gives .11, .12, ...); public IPs come
from 203.0.113.0/24 (documentation range).  Every answer carries
"X-Fake: arm-fake.py (not Azure)".  Exits 1 with a message when the
certificate cannot be read or the port is taken.
"""
import argparse
import copy
import ipaddress
import json
import os
import re
import secrets
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.dont_write_bytecode = True      # no __pycache__ beside the sources
import arm_catalog as cat           # noqa: E402 (the catalogue beside this file)

MAX_BODY = 4 << 20
ARM_SCOPE = "https://management.azure.com/.default"
ARM_RESOURCES = ("https://management.azure.com/", "https://management.azure.com",
                 "https://management.core.windows.net/")
FAKE_HDR = "arm-fake.py (not Azure)"
NAME_RE = re.compile(r"^[A-Za-z0-9_][-A-Za-z0-9_.]{0,78}[A-Za-z0-9_]?$")

# kind (lower-case path) -> (provider, type name as ARM spells it, style)
# style: "async" PUT 201/200 + Azure-AsyncOperation; "location" 202 + Location
KINDS = {
    "microsoft.network/virtualnetworks": ("Microsoft.Network", "virtualNetworks", "async"),
    "microsoft.network/networksecuritygroups": ("Microsoft.Network", "networkSecurityGroups", "async"),
    "microsoft.network/publicipaddresses": ("Microsoft.Network", "publicIPAddresses", "async"),
    "microsoft.network/networkinterfaces": ("Microsoft.Network", "networkInterfaces", "async"),
    "microsoft.network/loadbalancers": ("Microsoft.Network", "loadBalancers", "async"),
    "microsoft.compute/virtualmachines": ("Microsoft.Compute", "virtualMachines", "async"),
    "microsoft.compute/disks": ("Microsoft.Compute", "disks", "location"),
    "microsoft.compute/images": ("Microsoft.Compute", "images", "async"),
    "microsoft.compute/galleries": ("Microsoft.Compute", "galleries", "async"),
}
# child kinds: parent kind -> (child segment, property list in the parent)
CHILDREN = {
    "microsoft.network/virtualnetworks": ("subnets", "subnets"),
    "microsoft.network/networksecuritygroups": ("securityRules", "securityRules"),
    "microsoft.compute/galleries": ("images", None),    # image definitions: no list inline
}
# inline children that get ids but are not addressable here
INLINE = {
    "microsoft.network/loadbalancers": ["frontendIPConfigurations", "backendAddressPools",
                                        "probes", "loadBalancingRules", "inboundNatRules"],
    "microsoft.network/networkinterfaces": ["ipConfigurations"],
}
FAIL_TEXT = {
    "AllocationFailed": "Allocation failed. We do not have sufficient capacity for the "
                        "requested VM size in this region. Read more about improving "
                        "likelihood of allocation success at http://aka.ms/allocation-guidance",
    "SkuNotAvailable": "The requested VM size for resource '{id}' is currently not available "
                       "in location '{loc}'. Please try another size or deploy to a different "
                       "location or zones. See https://aka.ms/azureskunotavailable for details.",
    "QuotaExceeded": "Operation could not be completed as it results in exceeding approved "
                     "Total Regional Cores quota. Location: {loc}, Current Limit: 10, Current "
                     "Usage: 8, Additional Required: 4, (Minimum) New Limit Required: 12.",
    "ZonalAllocationFailed": "Allocation failed. We do not have sufficient capacity for the "
                             "requested VM size in this zone. Read more about improving "
                             "likelihood of allocation success at "
                             "http://aka.ms/allocation-guidance",
    "OverconstrainedAllocationRequest": "Allocation failed. VM(s) with the following "
                                        "constraints cannot be allocated, because the "
                                        "condition is too restrictive. Please remove some "
                                        "constraints and try again. Constraints applied "
                                        "are:\n  - VM Size\n",
    "OSProvisioningTimedOut": "OS Provisioning for VM '{name}' did not finish in the "
                              "allotted time. The VM may still finish provisioning "
                              "successfully. Please check provisioning state later.",
}
DEFAULT_RULES = [
    ("AllowVnetInBound", "Inbound", "Allow", 65000, "VirtualNetwork", "VirtualNetwork"),
    ("AllowAzureLoadBalancerInBound", "Inbound", "Allow", 65001, "AzureLoadBalancer", "*"),
    ("DenyAllInBound", "Inbound", "Deny", 65500, "*", "*"),
    ("AllowVnetOutBound", "Outbound", "Allow", 65000, "VirtualNetwork", "VirtualNetwork"),
    ("AllowInternetOutBound", "Outbound", "Allow", 65001, "*", "Internet"),
    ("DenyAllOutBound", "Outbound", "Deny", 65500, "*", "*"),
]


class ArmError(Exception):
    """An error answered in ARM's shape {"error": {code, message, details}}."""

    def __init__(self, status, code, message, headers=None, target=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}
        self.target = target

    def body(self):
        e = {"code": self.code, "message": self.message, "details": []}
        if self.target:
            e["target"] = self.target
        return {"error": e}


class AadError(Exception):
    """A token error in Entra ID's shape."""

    def __init__(self, status, error, aadsts, text):
        super().__init__(text)
        self.status, self.error, self.aadsts, self.text = status, error, aadsts, text

    def body(self):
        trace, corr = str(uuid.uuid4()), str(uuid.uuid4())
        ts = now_iso()
        return {"error": self.error,
                "error_description": "AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s"
                                     "\r\nTimestamp: %s" % (self.aadsts, self.text, trace, corr, ts),
                "error_codes": [self.aadsts], "timestamp": ts, "trace_id": trace,
                "correlation_id": corr,
                "error_uri": "https://login.microsoftonline.com/error?code=%d" % self.aadsts}


def now_iso(t=None):
    t = time.time() if t is None else t
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + \
        ".%07dZ" % (int(t * 1e7) % 10000000)


def not_found(kind, name, group):
    prov, typ, _ = KINDS.get(kind, ("Microsoft.Network", kind, ""))
    return ArmError(404, "ResourceNotFound",
                    f"The Resource '{prov}/{typ}/{name}' under resource group '{group}' "
                    "was not found. For more details please go to "
                    "https://aka.ms/ARMResourceNotFoundFix")


def bad_ref(ref, by):
    return ArmError(400, "InvalidResourceReference",
                    f"Resource {ref} referenced by resource {by} was not found. Please make "
                    "sure that the referenced resource exists, and that both resources are "
                    "in the same region.")


# ---------------------------------------------------------------------------
# State

class Fake:
    def __init__(self, a):
        self.tenant, self.sub = a.tenant.lower(), a.subscription.lower()
        self.sub_name = a.subscription
        self.client_id, self.secret = a.client_id, a.client_secret
        self.expired_secret = a.expired_secret
        self.lock = threading.Lock()
        self.op_delay, self.retry_after = a.op_delay, a.retry_after
        self.tokens = {}
        self.reset()

    def reset(self):
        self.groups = {}     # lower name: rg object
        self.res = {}        # lower id: resource object (top level and children)
        self.ops = {}        # op id: op dict
        self.stats = {"calls": 0, "arm_calls": 0, "tokens": 0, "imds_tokens": 0,
                      "puts": {}, "deletes": {}, "polls": 0, "errors_injected": 0,
                      "kinds": {}}
        self.fail_code, self.fail_every, self.fail_next = 429, 0, 0
        self.fail_ops = {}
        self.used_pub = set()
        self.page_size = 0
        self.restrict_sizes = {}     # location: [lower-case size names]
        self.kind_delay = {}         # kind: seconds its PUTs' operations take

    def count(self, label, verb):
        """One more `verb` (PUT, DELETE, GET, poll, ...) call on a kind."""
        k = self.stats["kinds"].setdefault(label, {})
        k[verb] = k.get(verb, 0) + 1

    # --- identifiers ---
    def rg_id(self, g):
        return f"/subscriptions/{self.sub_name}/resourceGroups/{g}"

    def res_id(self, g, kind, name, child=None, cname=None):
        prov, typ, _ = KINDS[kind]
        i = f"{self.rg_id(g)}/providers/{prov}/{typ}/{name}"
        if child:
            i += f"/{CHILDREN[kind][0]}/{cname}"
        return i

    def lookup(self, rid):
        return self.res.get(rid.lower().rstrip("/"))

    # --- operations ---
    def new_op(self, rid, action, provider, location, fail=None, effect=None):
        oid = str(uuid.uuid4())
        self.ops[oid] = {"id": oid, "rid": rid, "action": action, "provider": provider,
                         "location": location or "global", "t": time.time(),
                         "delay": self.op_delay, "fail": fail, "effect": effect,
                         "status": "InProgress"}
        return self.ops[oid]

    def tick(self):
        """Ends the operations whose time has come (under the lock)."""
        t = time.time()
        for op in self.ops.values():
            if op["status"] != "InProgress" or t < op["t"] + op["delay"]:
                continue
            op["status"] = "Failed" if op["fail"] else "Succeeded"
            op["end"] = t
            r = self.lookup(op["rid"])
            if op["action"] == "delete":
                if op["effect"]:
                    op["effect"]()
                elif r is not None:
                    r.setdefault("properties", {})["provisioningState"] = "Failed"
                continue
            if r is not None:
                state = "Failed" if op["fail"] else "Succeeded"
                r["_failcode"] = op["fail"]
                if "properties" in r:
                    r["properties"]["provisioningState"] = state
                    for c in self.children_of(r["id"]):
                        c["properties"]["provisioningState"] = state
                    for lst in INLINE.get(r["_kind"], []):
                        for x in r["properties"].get(lst, []):
                            x.setdefault("properties", {})["provisioningState"] = state
                if op["effect"] and not op["fail"]:
                    op["effect"]()

    def op_error(self, op):
        code = op["fail"]
        r = self.lookup(op["rid"]) or {}
        msg = FAIL_TEXT.get(code, "The operation failed with code '%s'." % code)
        return {"code": code, "message": msg.format(id=op["rid"], loc=r.get("location", "?"),
                                                    name=r.get("name", "?"))}

    def children_of(self, pid):
        p = pid.lower() + "/"
        return [r for k, r in self.res.items()
                if k.startswith(p) and k[len(p):].count("/") == 1]

    # --- addresses ---
    def subnet_ip(self, subnet):
        try:
            net = ipaddress.ip_network(subnet["properties"]["addressPrefix"], strict=False)
        except (KeyError, ValueError):
            raise ArmError(400, "InvalidAddressPrefixFormat",
                           f"Subnet {subnet['id']} has no valid addressPrefix.")
        used = set(subnet.setdefault("_used", []))
        for h in net.hosts():
            if int(h) - int(net.network_address) >= 11 and str(h) not in used:
                subnet["_used"].append(str(h))
                return str(h)
        raise ArmError(400, "SubnetIsFull",
                       f"Subnet {subnet['name']} with address prefix {net} does not have "
                       "enough capacity for 1 IP addresses.")

    def free_ip(self, ip):
        for s in self.res.values():
            if ip in s.get("_used", []):
                s["_used"].remove(ip)

    def public_ip(self):
        for i in range(10, 255):
            a = f"203.0.113.{i}"
            if a not in self.used_pub:
                self.used_pub.add(a)
                return a
        raise ArmError(409, "PublicIPCountLimitReached",
                       "Cannot create more than 245 public IP addresses for this subscription.")

    # --- views ---
    def view(self, r):
        o = {k: copy.deepcopy(v) for k, v in r.items() if not k.startswith("_")}
        kind = r["_kind"]
        if kind in CHILDREN and "properties" in o and CHILDREN[kind][1]:
            seg, prop = CHILDREN[kind]
            o["properties"][prop] = [self.view(c) for c in self.children_of(r["id"])]
        if kind == "microsoft.compute/virtualmachines":
            o["properties"].get("osProfile", {}).pop("adminPassword", None)
        return o


# ---------------------------------------------------------------------------
# Resource logic (each called under the lock)

def prepare(fake, g, kind, name, rid, body, old):
    """The stored resource for a PUT; raises ArmError for a bad body.
    Returns (resource, effect run when the operation succeeds or None)."""
    prov, typ, _ = KINDS[kind]
    if not isinstance(body, dict):
        raise ArmError(400, "InvalidRequestContent", "The request content was invalid and "
                       "could not be deserialized.")
    loc = body.get("location")
    if not isinstance(loc, str) or not loc:
        raise ArmError(400, "LocationRequired",
                       "The location property is required for this definition.")
    tags = body.get("tags") or {}
    if not isinstance(tags, dict) or len(tags) > 50 or \
            not all(isinstance(v, str) and len(k) <= 512 and len(v) <= 256
                    for k, v in tags.items()):
        raise ArmError(400, "InvalidTag", "The tags are invalid: at most 50, names up to "
                       "512 characters and values up to 256, strings.")
    props = copy.deepcopy(body.get("properties") or {})
    if not isinstance(props, dict):
        raise ArmError(400, "InvalidRequestContent", "properties must be an object.")
    r = {"id": rid, "name": name, "type": f"{prov}/{typ}", "location": loc,
         "tags": tags, "properties": props, "_kind": kind, "_group": g.lower()}
    if "zones" in body:
        r["zones"] = body["zones"]
    if "sku" in body:
        r["sku"] = body["sku"]
    if prov == "Microsoft.Network":
        r["etag"] = 'W/"%s"' % uuid.uuid4()
        props["provisioningState"] = "Updating"
        props["resourceGuid"] = (old or {}).get("properties", {}).get(
            "resourceGuid", str(uuid.uuid4()))
    else:
        props["provisioningState"] = "Updating" if old else "Creating"
    effect = None
    if kind == "microsoft.network/virtualnetworks":
        sp = props.get("addressSpace", {}).get("addressPrefixes")
        if not isinstance(sp, list) or not sp:
            raise ArmError(400, "InvalidRequestFormat", "Cannot parse the request: "
                           "addressSpace.addressPrefixes is required.")
    elif kind == "microsoft.network/networksecuritygroups":
        props["defaultSecurityRules"] = [
            {"name": n, "id": f"{rid}/defaultSecurityRules/{n}",
             "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
             "properties": {"protocol": "*", "sourcePortRange": "*",
                            "destinationPortRange": "*", "sourceAddressPrefix": s,
                            "destinationAddressPrefix": d, "access": acc,
                            "priority": pri, "direction": dr,
                            "provisioningState": "Succeeded"}}
            for n, dr, acc, pri, s, d in DEFAULT_RULES]
    elif kind == "microsoft.network/publicipaddresses":
        ip = (old or {}).get("properties", {}).get("ipAddress") or fake.public_ip()
        props["ipAddress"] = ip
        props.setdefault("publicIPAllocationMethod", "Static")
        props.setdefault("publicIPAddressVersion", "IPv4")
    elif kind == "microsoft.network/networkinterfaces":
        oldcfg = {c["name"]: c for c in (old or {}).get("properties", {})
                  .get("ipConfigurations", [])}
        cfgs = props.get("ipConfigurations")
        if not isinstance(cfgs, list) or not cfgs:
            raise ArmError(400, "InvalidRequestFormat",
                           "Cannot parse the request: ipConfigurations is required.")
        for c in cfgs:
            cp = c.setdefault("properties", {})
            sref = (cp.get("subnet") or {}).get("id", "")
            sub = fake.lookup(sref)
            if sub is None:
                raise bad_ref(sref or "(no subnet)", rid)
            pref = (cp.get("publicIPAddress") or {}).get("id")
            if pref and fake.lookup(pref) is None:
                raise bad_ref(pref, rid)
            for pool in cp.get("loadBalancerBackendAddressPools") or []:
                lb = pool.get("id", "").lower().split("/backendaddresspools/")[0]
                if fake.lookup(lb) is None:
                    raise bad_ref(pool.get("id", ""), rid)
            prev = oldcfg.get(c.get("name"), {}).get("properties", {}).get("privateIPAddress")
            want = cp.get("privateIPAddress")
            if cp.get("privateIPAllocationMethod") == "Static" and want:
                ip = want
                if ip != prev:
                    sub.setdefault("_used", []).append(ip)
            elif prev:
                ip = prev
            else:
                ip = fake.subnet_ip(sub)
            cp["privateIPAddress"] = ip
            cp.setdefault("privateIPAllocationMethod", "Dynamic")
            cp.setdefault("privateIPAddressVersion", "IPv4")
        props.setdefault("primary", True)
    elif kind == "microsoft.network/loadbalancers":
        lb_check(fake, rid, props)
    elif kind == "microsoft.compute/disks":
        cd = props.get("creationData", {}).get("createOption")
        if not cd:
            raise ArmError(400, "InvalidParameter", "Required parameter "
                           "'creationData.createOption' is missing (null).")
        if cd == "Empty" and not props.get("diskSizeGB"):
            raise ArmError(400, "InvalidParameter", "Required parameter 'diskSizeGB' is "
                           "missing (null).")
        r.setdefault("sku", {"name": "Standard_LRS", "tier": "Standard"})
        props["diskState"] = (old or {}).get("properties", {}).get("diskState", "Unattached")
        props.setdefault("timeCreated", now_iso())
        props.setdefault("uniqueId", str(uuid.uuid4()))
        if old and old.get("managedBy"):
            r["managedBy"] = old["managedBy"]
    elif kind == "microsoft.compute/virtualmachines":
        effect = vm_prepare(fake, g, rid, r, props, old)
    for lst in INLINE.get(kind, []):
        for x in props.get(lst) or []:
            x["id"] = f"{rid}/{lst}/{x.get('name', '')}"
            x.setdefault("properties", {})["provisioningState"] = props["provisioningState"]
    return r, effect


CUSTOM_IMAGE_RE = re.compile(r"/subscriptions/[^/]+/resourceGroups/[^/]+/providers/"
                             r"Microsoft\.Compute/(?:images/[^/]+|galleries/[^/]+/images/[^/]+"
                             r"(?:/versions/[^/]+)?)", re.I)


def lb_check(fake, rid, props):
    """A load balancer's references: its frontends' public IPs, its IP-based
    backend addresses' virtual networks, and its rules' frontend, pool and
    probe, which must be its own."""
    own = set()
    for lst in ("frontendIPConfigurations", "backendAddressPools", "probes"):
        for x in props.get(lst) or []:
            own.add(f"{rid}/{lst}/{x.get('name', '')}".lower())
    for c in props.get("frontendIPConfigurations") or []:
        pref = (c.get("properties", {}).get("publicIPAddress") or {}).get("id")
        if pref and fake.lookup(pref) is None:
            raise bad_ref(pref, rid)
    for pool in props.get("backendAddressPools") or []:
        pid = f"{rid}/backendAddressPools/{pool.get('name', '')}"
        for a in (pool.get("properties") or {}).get("loadBalancerBackendAddresses") or []:
            ap = a.get("properties") or {}
            if not a.get("name"):
                raise ArmError(400, "InvalidRequestFormat", "Cannot parse the request: "
                               f"a loadBalancerBackendAddress of {pid} has no name.")
            try:
                ipaddress.ip_address(ap.get("ipAddress", ""))
            except ValueError:
                raise ArmError(400, "InvalidIPAddressFormat", f"IP address "
                               f"'{ap.get('ipAddress', '')}' of backend address "
                               f"{a['name']} in {pid} is not a valid IP address.")
            vref = (ap.get("virtualNetwork") or {}).get("id", "")
            vnet = fake.lookup(vref)
            if vnet is None or vnet["_kind"] != "microsoft.network/virtualnetworks":
                raise bad_ref(vref or "(no virtualNetwork)", pid)
    for rule in props.get("loadBalancingRules") or []:
        rp = rule.get("properties") or {}
        by = f"{rid}/loadBalancingRules/{rule.get('name', '')}"
        refs = [rp.get("frontendIPConfiguration"), rp.get("backendAddressPool"),
                rp.get("probe")] + list(rp.get("backendAddressPools") or [])
        for ref in refs:
            if ref and str(ref.get("id", "")).lower() not in own:
                raise bad_ref(ref.get("id", ""), by)


def vm_check(fake, r, props, old):
    """A VM PUT's synchronous checks, as ARM makes them before any operation:
    its size (known, not restricted in its location), its image (in the
    catalogue, or a custom image PUT here), its admin password (Azure's rule)
    and, on an existing VM, no change of adminUsername/adminPassword."""
    loc = cat.norm_loc(r["location"])
    size = props["hardwareProfile"]["vmSize"]
    if cat.size_known(size) is None:
        raise ArmError(400, "InvalidParameter", f"The value {size} provided for the VM size "
                       "is not valid. The valid sizes in the current region are: " +
                       ",".join(cat.SIZES) + ".", target="vmSize")
    if size.lower() in fake.restrict_sizes.get(loc, []):
        raise ArmError(409, "SkuNotAvailable", FAIL_TEXT["SkuNotAvailable"].format(
            id="Following SKUs have failed for Capacity Restrictions: " + size, loc=loc))
    ref = (props.get("storageProfile") or {}).get("imageReference")
    if isinstance(ref, dict) and ref.get("id"):
        iid = str(ref["id"])
        if not CUSTOM_IMAGE_RE.fullmatch(iid):
            raise ArmError(400, "InvalidParameter", "The value of parameter "
                           "imageReference.id is invalid.", target="imageReference.id")
        if "/galleries/" in iid.lower():
            img = fake.lookup(re.sub(r"(?i)/versions/[^/]+$", "", iid))
            if img is None:
                raise ArmError(404, "GalleryImageNotFound", f"The gallery image {iid} is "
                               f"not available in {loc} region. Please contact image owner "
                               "to replicate to this region, or change your requested "
                               "region.", target="imageReference")
        else:
            img = fake.lookup(iid)
            if img is None or cat.norm_loc(img["location"]) != loc:
                raise ArmError(404, "NotFound", f"The Image '{iid}' cannot be found in "
                               f"'{loc}' region.")
    elif isinstance(ref, dict) and not cat.platform_image_ok(ref):
        urn = ":".join(str(ref.get(k) or "") for k in ("publisher", "offer", "sku"))
        raise ArmError(404, "PlatformImageNotFound", f"The platform image '{urn}:"
                       f"{ref.get('version') or 'latest'}' is not available. Verify that all "
                       "fields in the storage profile are correct. For more details about "
                       "storage profile information, please refer to "
                       "https://aka.ms/storageprofile", target="imageReference")
    osp = props.get("osProfile")
    if isinstance(osp, dict) and osp.get("adminPassword") is not None and \
            not cat.password_ok(osp["adminPassword"]):
        raise ArmError(400, "InvalidParameter", cat.PASSWORD_RULE, target="adminPassword")
    oldp = ((old or {}).get("properties") or {}).get("osProfile")
    if old is None or not isinstance(oldp, dict) or not isinstance(osp, dict):
        return
    for k in ("adminUsername", "adminPassword"):
        if osp.get(k) is not None and osp[k] != oldp.get(k):
            raise ArmError(409, "PropertyChangeNotAllowed", f"Changing property "
                           f"'osProfile.{k}' is not allowed.", target=f"osProfile.{k}")
        if osp.get(k) is None and k in oldp:    # GET never shows the password: a PUT
            osp[k] = oldp[k]                    # leaves it out and keeps it


def vm_prepare(fake, g, rid, r, props, old):
    """Checks a VM's references; makes the managed disks it asks for when it
    succeeds (the returned effect)."""
    prof = props.get("hardwareProfile", {})
    if not prof.get("vmSize"):
        raise ArmError(400, "InvalidParameter",
                       "Required parameter 'hardwareProfile.vmSize' is missing (null).")
    vm_check(fake, r, props, old)
    nics = props.get("networkProfile", {}).get("networkInterfaces") or []
    if not nics:
        raise ArmError(400, "InvalidParameter", "Required parameter "
                       "'networkProfile.networkInterfaces' is missing (null).")
    for n in nics:
        if fake.lookup(n.get("id", "")) is None:
            raise ArmError(404, "NotFound", f"Resource {n.get('id', '')} does not exist.")
    sp = props.setdefault("storageProfile", {})
    osd = sp.setdefault("osDisk", {})
    osd.setdefault("createOption", "FromImage")
    osd.setdefault("name", f"{r['name']}_OsDisk_1_{secrets.token_hex(16)}")
    osd.setdefault("deleteOption", "Detach")
    osd.setdefault("osType", "Linux")
    osd.setdefault("diskSizeGB", 30)
    osp = props.get("osProfile")
    if osp is not None:
        osp.setdefault("computerName", r["name"])
        osp.setdefault("linuxConfiguration", {}).setdefault("provisionVMAgent", True)
    props["vmId"] = (old or {}).get("properties", {}).get("vmId", str(uuid.uuid4()))
    props["timeCreated"] = (old or {}).get("properties", {}).get("timeCreated", now_iso())
    todo = []
    for d in [osd] + list(sp.get("dataDisks") or []):
        md = d.setdefault("managedDisk", {})
        dname = d.get("name") or f"{r['name']}_disk{d.get('lun', 0)}_{secrets.token_hex(8)}"
        d["name"] = dname
        if d.get("createOption") == "Attach":
            disk = fake.lookup(md.get("id", ""))
            if disk is None:
                raise ArmError(404, "NotFound", f"Resource {md.get('id', '')} does not exist.")
            if disk.get("managedBy", rid).lower() != rid.lower():
                raise ArmError(409, "OperationNotAllowed",
                               f"Disk {disk['name']} is already attached to VM "
                               f"{disk['managedBy']}.")
            todo.append((disk["id"], None, d))
        else:
            did = fake.res_id(g, "microsoft.compute/disks", dname)
            md["id"] = did
            md.setdefault("storageAccountType", "Standard_LRS")
            todo.append((did, md["storageAccountType"], d))

    def effect():
        for did, sku, d in todo:
            disk = fake.lookup(did)
            if disk is None:
                disk = {"id": did, "name": did.rsplit("/", 1)[1],
                        "type": "Microsoft.Compute/disks", "location": r["location"],
                        "tags": {}, "sku": {"name": sku},
                        "properties": {"creationData": {"createOption": d.get("createOption",
                                                                               "Empty")},
                                       "diskSizeGB": d.get("diskSizeGB", 30),
                                       "timeCreated": now_iso(), "uniqueId": str(uuid.uuid4()),
                                       "provisioningState": "Succeeded"},
                        "_kind": "microsoft.compute/disks", "_group": g.lower()}
                if "zones" in r:
                    disk["zones"] = r["zones"]
                fake.res[did.lower()] = disk
            disk["managedBy"] = rid
            disk["properties"]["diskState"] = "Attached"
            disk["_deleteWith"] = d.get("deleteOption", "Detach") == "Delete"
    return effect


NIC, LB = "microsoft.network/networkinterfaces", "microsoft.network/loadbalancers"
SUBNET = "microsoft.network/virtualnetworks/subnets"
# kind: the kinds whose properties may refer to it (or to its children)
REFERRERS = {
    "microsoft.network/virtualnetworks": (NIC, LB),
    SUBNET: (NIC, LB),
    "microsoft.network/networksecuritygroups": (NIC, SUBNET),
    "microsoft.network/publicipaddresses": (NIC, LB),
    NIC: ("microsoft.compute/virtualmachines",),
    LB: (NIC,),
    "microsoft.compute/disks": ("microsoft.compute/virtualmachines",),
}


def in_use(fake, r):
    """The id of a resource that refers to r (so r cannot be deleted), or None."""
    rid = r["id"].lower()
    kinds = REFERRERS.get(r["_kind"], ())
    for o in fake.res.values():
        if o["_kind"] not in kinds or o["id"].lower().startswith(rid + "/"):
            continue
        s = json.dumps(o.get("properties", {})).lower()
        if '"' + rid + '"' in s or '"' + rid + "/" in s:
            return o["id"]
    return None


def delete_effect(fake, r):
    """What a delete does when its operation ends."""
    def effect():
        rid = r["id"].lower()
        for k in [k for k in fake.res if k == rid or k.startswith(rid + "/")]:
            o = fake.res.pop(k)
            for c in o.get("properties", {}).get("ipConfigurations", []):
                fake.free_ip(c.get("properties", {}).get("privateIPAddress"))
            ip = o.get("properties", {}).get("ipAddress")
            if o["_kind"] == "microsoft.network/publicipaddresses" and ip:
                fake.used_pub.discard(ip)
        if r["_kind"] == "microsoft.compute/virtualmachines":
            for d in list(fake.res.values()):
                if d.get("managedBy", "").lower() == rid:
                    if d.get("_deleteWith"):
                        fake.res.pop(d["id"].lower(), None)
                    else:
                        d.pop("managedBy", None)
                        d["properties"]["diskState"] = "Unattached"
    return effect


# ---------------------------------------------------------------------------
# HTTP

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "arm-fake"
    # headers and body in one write, no Nagle: no 40 ms stall on keep-alive
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    fake = None

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))

    def send_json(self, code, obj, headers=None):
        data = b"" if obj is None else json.dumps(obj, indent=1).encode()
        self.send_response(code)
        if obj is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Fake", FAKE_HDR)
        self.send_header("x-ms-request-id", str(uuid.uuid4()))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            self.close_connection = True        # the body is left unread
            raise ArmError(413, "RequestEntityTooLarge", "The request body is too large.")
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        self.route()

    def do_PUT(self):
        self.route()

    def do_POST(self):
        self.route()

    def do_DELETE(self):
        self.route()

    def do_PATCH(self):
        self.route()

    imds_only = False

    def route(self):
        f = self.fake
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
        path = urllib.parse.unquote(u.path)
        try:
            body = self.read_body()
            with f.lock:
                f.stats["calls"] += 1
            if self.imds_only and not path.startswith("/metadata/"):
                raise ArmError(404, "NotFound", "Only /metadata/ is served here (FAKE IMDS).")
            if path.startswith("/_fake/"):
                return self.control(path, body)
            if path.startswith("/metadata/identity/oauth2/token"):
                return self.imds(q)
            m = re.fullmatch(r"/([^/]+)/oauth2/v2\.0/token", path)
            if m:
                return self.token(m.group(1), body)
            m = re.fullmatch(r"/([^/]+)/v2\.0/\.well-known/openid-configuration", path)
            if m and self.command == "GET":
                return self.openid(m.group(1))
            if path.lower().startswith("/subscriptions/"):
                return self.arm(path, q, body)
            raise ArmError(404, "NotFound", f"No route for {self.command} {path} (FAKE ARM).")
        except AadError as e:
            self.send_json(e.status, e.body())
        except ArmError as e:
            self.send_json(e.status, e.body(), e.headers)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as e:
            self.send_json(400, ArmError(400, "InvalidRequestContent",
                                         f"The request content was invalid: {e}").body())

    # --- test-only control ---
    def control(self, path, body):
        f = self.fake
        with f.lock:
            f.tick()
            if path == "/_fake/stats" and self.command == "GET":
                return self.send_json(200, f.stats)
            if path == "/_fake/state" and self.command == "GET":
                return self.send_json(200, {
                    "resourceGroups": f.groups,
                    "resources": {k: f.view(r) for k, r in f.res.items()},
                    "operations": {k: {x: y for x, y in o.items() if x != "effect"}
                                   for k, o in f.ops.items()}})
            if path != "/_fake/control" or self.command != "POST":
                raise ArmError(404, "NotFound", f"No route for {self.command} {path}.")
            c = json.loads(body or b"{}")
            if c.get("reset"):
                f.reset()
            if "op_delay" in c:
                f.op_delay = float(c["op_delay"])
            for kind, d in (c.get("kind_delay") or {}).items():
                k = [x for x in KINDS if x.endswith("/" + kind.lower())]
                if not k:
                    raise ArmError(400, "InvalidControl", f"kind_delay: unknown kind {kind}")
                f.kind_delay[k[0]] = float(d)
            if "retry_after" in c:
                f.retry_after = int(c["retry_after"])
            if "fail_code" in c:
                if c["fail_code"] not in (429, 503):
                    raise ArmError(400, "InvalidControl", "fail_code: 429 or 503")
                f.fail_code = c["fail_code"]
            for k in ("fail_every", "fail_next"):
                if k in c:
                    setattr(f, k, int(c[k]))
            for kind, code in (c.get("fail_ops") or {}).items():
                k = [x for x in KINDS if x.endswith("/" + kind.lower())]
                if not k:
                    raise ArmError(400, "InvalidControl", f"fail_ops: unknown kind {kind}")
                if code:
                    f.fail_ops[k[0]] = code
                else:
                    f.fail_ops.pop(k[0], None)
            if "page_size" in c:
                if not isinstance(c["page_size"], int) or c["page_size"] < 0:
                    raise ArmError(400, "InvalidControl", "page_size: 0 (no paging) or more")
                f.page_size = c["page_size"]
            if "restrict_sizes" in c:
                rs = c["restrict_sizes"] or {}
                if not isinstance(rs, dict) or \
                        not all(isinstance(v, list) for v in rs.values()):
                    raise ArmError(400, "InvalidControl",
                                   "restrict_sizes: {location: [VM size, ...]}")
                f.restrict_sizes = {cat.norm_loc(k): [str(x).lower() for x in v]
                                    for k, v in rs.items()}
            if c.get("expire_tokens"):
                for t in f.tokens:
                    f.tokens[t] = 0
            return self.send_json(200, {"ok": True})

    # --- Entra ID ---
    def openid(self, tenant):
        if tenant.lower() not in (self.fake.tenant, "organizations", "common"):
            raise tenant_unknown(tenant)
        base = "https://%s/%s" % (self.headers.get("Host", "127.0.0.1"), tenant)
        self.send_json(200, {
            "token_endpoint": base + "/oauth2/v2.0/token",
            "authorization_endpoint": base + "/oauth2/v2.0/authorize",
            "end_session_endpoint": base + "/oauth2/v2.0/logout",
            "jwks_uri": base + "/discovery/v2.0/keys",
            "issuer": base + "/v2.0",
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "token_endpoint_auth_methods_supported": ["client_secret_post",
                                                      "private_key_jwt",
                                                      "client_secret_basic"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"]})

    def token(self, tenant, body):
        f = self.fake
        if self.command != "POST":
            raise AadError(405, "invalid_request", 900561, "The endpoint only accepts POST "
                           "requests. Received a GET request.")
        if tenant.lower() != f.tenant:
            raise tenant_unknown(tenant)
        p = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
        if p.get("grant_type") != "client_credentials":
            raise AadError(400, "unsupported_grant_type", 70003, "The app requested an "
                           "unsupported grant type '%s'." % p.get("grant_type", ""))
        cid = p.get("client_id", "")
        if cid != f.client_id:
            raise AadError(400, "unauthorized_client", 700016,
                           f"Application with identifier '{cid}' was not found in the "
                           f"directory '{tenant}'. This can happen if the application has "
                           "not been installed by the administrator of the tenant or "
                           "consented to by any user in the tenant. You may have sent your "
                           "authentication request to the wrong tenant.")
        sec = p.get("client_secret", "")
        if f.expired_secret and secrets.compare_digest(sec, f.expired_secret):
            raise AadError(401, "invalid_client", 7000222,
                           f"The provided client secret keys for app '{cid}' are expired. "
                           "Visit the Azure portal to create new keys for your app: "
                           "https://aka.ms/NewClientSecret, or consider using certificate "
                           "credentials for added security: https://aka.ms/certCreds.")
        if not secrets.compare_digest(sec.encode(), f.secret.encode()):
            raise AadError(401, "invalid_client", 7000215,
                           "Invalid client secret provided. Ensure the secret being sent in "
                           "the request is the client secret value, not the client secret "
                           f"ID, for a secret added to app '{cid}'.")
        if p.get("scope") != ARM_SCOPE:
            raise AadError(400, "invalid_scope", 1002012,
                           "The provided value for scope %s is not valid. Client credential "
                           "flows must have a scope value with /.default suffixed to the "
                           "resource identifier (application ID URI)." % p.get("scope", ""))
        with f.lock:
            f.stats["tokens"] += 1
        self.send_json(200, {"token_type": "Bearer", "expires_in": 3599,
                             "ext_expires_in": 3599, "access_token": self.new_token()},
                       {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"})

    def new_token(self):
        t = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.FAKE-ARM." + secrets.token_urlsafe(32)
        with self.fake.lock:
            self.fake.tokens[t] = time.time() + 3599
        return t

    def imds(self, q):
        f = self.fake
        if self.headers.get("Metadata", "").lower() != "true":
            return self.send_json(400, {"error": "invalid_request",
                                        "error_description": "Required metadata header not "
                                                             "specified"})
        if q.get("api-version") is None:
            return self.send_json(400, {"error": "invalid_request",
                                        "error_description": "Required query variable "
                                                             "'api-version' is missing"})
        res = q.get("resource", "")
        if res not in ARM_RESOURCES:
            return self.send_json(400, {"error": "invalid_resource",
                                        "error_description": "AADSTS500011: The resource "
                                        f"principal named {res} was not found in the tenant "
                                        f"named {f.tenant}."})
        with f.lock:
            f.stats["imds_tokens"] += 1
        now = int(time.time())
        self.send_json(200, {"access_token": self.new_token(), "client_id": f.client_id,
                             "expires_in": "3599", "expires_on": str(now + 3599),
                             "ext_expires_in": "3599", "not_before": str(now),
                             "resource": res, "token_type": "Bearer"})

    # --- ARM ---
    def auth(self):
        f = self.fake
        h = self.headers.get("Authorization", "")
        www = {"WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/'
               f'{f.tenant}", error="invalid_token", error_description="The authentication '
               'failed because of missing \'Authorization\' header."'}
        if not h:
            raise ArmError(401, "AuthenticationFailed", "Authentication failed. The "
                           "'Authorization' header is missing.", www)
        if not h.startswith("Bearer "):
            raise ArmError(401, "AuthenticationFailed", "Authentication failed. The "
                           "'Authorization' header is provided in an invalid format.", www)
        exp = f.tokens.get(h[7:])
        if exp is None:
            raise ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.",
                           www)
        if exp < time.time():
            raise ArmError(401, "ExpiredAuthenticationToken",
                           "The access token expiry UTC time '%s' is earlier than current "
                           "UTC time '%s'." % (time.strftime("%m/%d/%Y %I:%M:%S %p",
                                                             time.gmtime(exp)),
                                               time.strftime("%m/%d/%Y %I:%M:%S %p")), www)

    def throttle(self):
        f = self.fake
        hit = False
        if f.fail_next > 0:
            f.fail_next -= 1
            hit = True
        elif f.fail_every > 0 and f.stats["arm_calls"] % f.fail_every == 0:
            hit = True
        if not hit:
            return
        f.stats["errors_injected"] += 1
        if f.fail_code == 429:
            raise ArmError(429, "SubscriptionRequestsThrottled",
                           "Number of 'write' requests for subscription '%s' actor '%s' "
                           "exceeded. Please try again after '1' seconds after additional "
                           "tests. The throttling is applied by fake ARM." % (f.sub_name,
                                                                               f.client_id),
                           {"Retry-After": "1",
                            "x-ms-ratelimit-remaining-subscription-writes": "0"})
        raise ArmError(503, "ServiceUnavailable", "The service is temporarily unavailable "
                       "(injected by fake ARM). Please retry.", {"Retry-After": "1"})

    def arm(self, path, q, body):
        f = self.fake
        self.auth()
        if not q.get("api-version"):
            raise ArmError(400, "MissingApiVersionParameter", "The api-version query "
                           "parameter (?api-version=) is required for all requests.")
        parts = [p for p in path.split("/") if p]
        if parts[1].lower() != f.sub:
            raise ArmError(404, "SubscriptionNotFound",
                           f"The subscription '{parts[1]}' could not be found.")
        with f.lock:
            f.stats["arm_calls"] += 1
            if not is_poll([x.lower() for x in parts[2:]]):
                f.count(kind_label(parts), self.command)
            self.throttle()
            f.tick()
            code, obj, hdrs = self.arm_locked(parts[2:], q, body)
            rw = "writes" if self.command in ("PUT", "DELETE", "POST", "PATCH") else "reads"
            hdrs[f"x-ms-ratelimit-remaining-subscription-{rw}"] = "11999"
        self.send_json(code, obj, hdrs)

    def base(self):
        return "https://" + self.headers.get("Host", "127.0.0.1")

    def arm_locked(self, p, q, body):
        f = self.fake
        lp = [x.lower() for x in p]
        m = self.command
        # operation polls
        if is_poll(lp):
            return self.poll(p[-1], lp[-2] == "operationresults" or len(lp) == 2)
        if lp == ["resources"] and m == "GET":
            return self.listing(self.tagged(q, None), q)
        if lp == ["resourcegroups"] and m == "GET":
            flt = tag_filter(q)
            return self.listing([g for g in f.groups.values()
                                 if flt is None or g.get("tags", {}).get(flt[0]) == flt[1]], q)
        if len(lp) >= 3 and lp[:2] == ["providers", "microsoft.compute"] and m == "GET" and \
                (lp[2] == "skus" or (len(lp) >= 5 and lp[2] == "locations" and
                                     lp[4] in ("publishers", "vmsizes"))):
            return self.catalogue(p[2:], lp[2:], q)
        if not lp or lp[0] != "resourcegroups":
            if len(lp) == 3 and lp[0] == "providers" and m == "GET":
                kind = f"{lp[1]}/{lp[2]}"
                if kind in KINDS:
                    return self.listing([f.view(r) for r in f.res.values()
                                         if r["_kind"] == kind], q)
            raise ArmError(400, "InvalidResourceType", "The resource type could not be "
                           f"found in the namespace for api version '{q['api-version']}'.")
        if len(lp) < 2:
            raise ArmError(405, "MethodNotAllowed", "The method is not allowed.")
        g = p[1]
        if len(lp) == 2:
            return self.group(g, body)
        rg = f.groups.get(g.lower())
        if rg is None:
            raise ArmError(404, "ResourceGroupNotFound", f"Resource group '{g}' could not be "
                           "found.")
        g = rg["name"]
        if lp[2:] == ["resources"] and m == "GET":
            return self.listing(self.tagged(q, g), q)
        if len(lp) < 5 or lp[2] != "providers":
            raise ArmError(404, "NotFound", "No route (FAKE ARM).")
        kind = f"{lp[3]}/{lp[4]}"
        if kind not in KINDS:
            raise ArmError(400, "InvalidResourceType", f"The resource type '{p[4]}' could "
                           f"not be found in the namespace '{p[3]}' for api version "
                           f"'{q['api-version']}'.")
        rest = p[5:]
        if not rest:
            if m != "GET":
                raise ArmError(405, "MethodNotAllowed", "The method is not allowed.")
            return self.listing([f.view(r) for r in f.res.values()
                                 if r["_kind"] == kind and r["_group"] == g.lower()], q)
        name = rest[0]
        vm = kind == "microsoft.compute/virtualmachines"
        if len(rest) == 1 and vm and m == "GET" and q.get("$expand") == "instanceView":
            code, o, h = self.resource(g, kind, name, None, None, body)
            o["properties"]["instanceView"] = instance_view(f.lookup(o["id"]))
            return code, o, h
        if len(rest) == 1:
            return self.resource(g, kind, name, None, None, body)
        if len(rest) == 2 and vm and rest[1].lower() == "instanceview" and m == "GET":
            r = f.lookup(f.res_id(g, kind, name))
            if r is None:
                raise not_found(kind, name, g)
            return 200, instance_view(r), {}
        if kind in CHILDREN and rest[1].lower() == CHILDREN[kind][0].lower():
            parent = f.lookup(f.res_id(g, kind, name))
            if parent is None:
                raise not_found(kind, name, g)
            if len(rest) == 2 and m == "GET":
                return self.listing([f.view(c) for c in f.children_of(parent["id"])], q)
            if len(rest) == 3:
                return self.resource(g, kind, name, CHILDREN[kind][0], rest[2], body)
        raise ArmError(404, "NotFound", "No route (FAKE ARM).")

    def listing(self, items, q):
        """A list answer {"value": [...]}: at most page_size items (control)
        with a nextLink back here ($skiptoken) when more follow, as ARM pages."""
        ps = self.fake.page_size
        if not ps:
            return 200, {"value": items}, {}
        tok = q.get("$skiptoken") or "0"
        if not tok.isdigit():
            raise ArmError(400, "InvalidSkipToken", f"The skip token '{tok}' is not valid.")
        start = int(tok)
        o = {"value": items[start:start + ps]}
        if start + ps < len(items):
            nq = dict(q)
            nq["$skiptoken"] = str(start + ps)
            o["nextLink"] = self.base() + urllib.parse.urlsplit(self.path).path + "?" + \
                urllib.parse.urlencode(nq, quote_via=urllib.parse.quote)
        return 200, o, {}

    def catalogue(self, p, lp, q):
        """GET Microsoft.Compute's catalogues (p: the path after
        providers/Microsoft.Compute): skus, locations/L/vmSizes and the
        marketplace's locations/L/publishers[/P/artifacttypes/vmimage/offers
        [/O/skus[/S/versions[/V]]]]."""
        f = self.fake
        if lp == ["skus"]:
            try:
                loc = cat.location_filter(q.get("$filter"))
            except ValueError:
                raise ArmError(400, "InvalidFilterInQueryString", f"Invalid $filter "
                               f"'{q.get('$filter')}' specified in the query string.")
            out = []
            for lo in ([loc] if loc else cat.LOCATIONS):
                bad = f.restrict_sizes.get(lo, [])
                out += [cat.size_sku(n, lo, n.lower() in bad) for n in cat.SIZES]
            return self.listing(out, q)
        loc = cat.norm_loc(p[1])
        if lp[2:] == ["vmsizes"]:       # never paged (ARM's vmSizes has no nextLink)
            return 200, {"value": [cat.vm_size(n) for n in cat.SIZES]}, {}
        nf = ArmError(404, "NotFound", cat.IMAGE_NOT_FOUND)
        rest = lp[3:]
        if not rest:
            pubs = sorted({k[0] for k in cat.IMAGES})
            return 200, [{"location": loc, "name": x, "id": f"/Subscriptions/{f.sub_name}/"
                          f"Providers/Microsoft.Compute/Locations/{loc}/Publishers/{x}"}
                         for x in pubs], {}
        if len(rest) < 4 or rest[1:4] != ["artifacttypes", "vmimage", "offers"]:
            raise nf
        keys = [k for k in cat.IMAGES if k[0].lower() == rest[0]]
        if len(rest) == 4:
            if not keys:
                raise nf
            offers = sorted({k[1] for k in keys})
            return 200, [{"location": loc, "name": o,
                          "id": cat.image_id(f.sub_name, loc, (keys[0][0], o, None))}
                         for o in offers], {}
        keys = [k for k in keys if k[1].lower() == rest[4]]
        if not keys or len(rest) < 6 or rest[5] != "skus":
            raise nf
        if len(rest) == 6:
            return 200, [{"location": loc, "name": k[2],
                          "id": cat.image_id(f.sub_name, loc, k)} for k in sorted(keys)], {}
        found = cat.find_image(rest[0], rest[4], rest[6])
        if found is None or len(rest) < 8 or rest[7] != "versions" or len(rest) > 9:
            raise nf
        key, (gen, vers) = found
        if len(rest) == 9:
            v = p[3 + 8]
            if v not in vers:
                raise nf
            return 200, cat.image_version(f.sub_name, loc, key, gen, v), {}
        order = (q.get("$orderby") or "name").strip().lower()
        if order not in ("name", "name asc", "name desc"):
            raise ArmError(400, "InvalidParameter", "The value of parameter orderby is "
                           "invalid.", target="$orderby")
        vers = sorted(vers, key=cat.version_key, reverse=order == "name desc")
        top = q.get("$top")
        if top is not None:
            if not top.isdigit():
                raise ArmError(400, "InvalidParameter", "The value of parameter top is "
                               "invalid.", target="$top")
            vers = vers[:int(top)]
        return 200, [{"location": loc, "name": v, "id": cat.image_id(f.sub_name, loc, key, v)}
                     for v in vers], {}

    def tagged(self, q, g):
        f = self.fake
        flt = tag_filter(q)
        out = []
        for r in f.res.values():
            if r["id"].count("/") != 8 or (g and r["_group"] != g.lower()):
                continue
            if flt and (r.get("tags") or {}).get(flt[0]) != flt[1]:
                continue
            if flt and flt[1] is None and flt[0] not in (r.get("tags") or {}):
                continue
            o = {k: r[k] for k in ("id", "name", "type", "location", "tags") if k in r}
            for k in ("sku", "zones", "managedBy"):
                if k in r:
                    o[k] = r[k]
            out.append(o)
        return out

    def group(self, g, body):
        f = self.fake
        m = self.command
        rg = f.groups.get(g.lower())
        if m == "GET":
            if rg is None:
                raise ArmError(404, "ResourceGroupNotFound",
                               f"Resource group '{g}' could not be found.")
            return 200, rg, {}
        if m == "PUT":
            if not NAME_RE.match(g) or g.endswith("."):
                raise ArmError(400, "InvalidResourceGroup", "The provided resource group "
                               "name '%s' has these invalid characters: '%s'." % (g, g))
            b = json.loads(body or b"{}")
            if not b.get("location"):
                raise ArmError(400, "LocationRequired", "The location property is required "
                               "for this definition.")
            f.stats["puts"][f.rg_id(g)] = f.stats["puts"].get(f.rg_id(g), 0) + 1
            new = {"id": f.rg_id(rg["name"] if rg else g), "name": rg["name"] if rg else g,
                   "type": "Microsoft.Resources/resourceGroups",
                   "location": rg["location"] if rg else b["location"],
                   "tags": b.get("tags") or {}, "properties": {"provisioningState": "Succeeded"}}
            if rg and rg["location"].lower() != str(b["location"]).replace(" ", "").lower():
                raise ArmError(409, "InvalidResourceGroupLocation", "Invalid resource group "
                               f"location '{b['location']}'. The Resource group already exists "
                               f"in location '{rg['location']}'.")
            if rg and rg["properties"]["provisioningState"] == "Deleting":
                raise ArmError(409, "ResourceGroupBeingDeleted", f"The resource group '{g}' "
                               "is in deprovisioning state and cannot perform this operation.")
            f.groups[g.lower()] = new
            return (200 if rg else 201), new, {}
        if m == "DELETE":
            if rg is None:
                raise ArmError(404, "ResourceGroupNotFound",
                               f"Resource group '{g}' could not be found.")
            f.stats["deletes"][rg["id"]] = f.stats["deletes"].get(rg["id"], 0) + 1
            rg["properties"]["provisioningState"] = "Deleting"

            def effect():
                f.groups.pop(g.lower(), None)
                for k in [k for k, r in f.res.items() if r["_group"] == g.lower()]:
                    f.res.pop(k)
            op = f.new_op(rg["id"], "delete", None, None, effect=effect)
            return 202, None, {"Location": f"{self.base()}/subscriptions/{f.sub_name}/"
                               f"operationresults/{op['id']}?api-version=2022-09-01",
                               "Retry-After": str(f.retry_after)}
        raise ArmError(405, "MethodNotAllowed", "The method is not allowed.")

    def resource(self, g, kind, name, child, cname, body):
        f = self.fake
        m = self.command
        rid = f.res_id(g, kind, name, child, cname)
        r = f.lookup(rid)
        prov, typ, style = KINDS[kind]
        if m == "GET":
            if r is None:
                raise not_found(kind, cname or name, g)
            return 200, f.view(r), {}
        if m == "PUT":
            if not NAME_RE.match(cname or name):
                raise ArmError(400, "InvalidResourceName", f"Resource name {cname or name} "
                               "is invalid. The name can be up to 80 characters long. It "
                               "must begin with a word character, and it must end with a "
                               "word character or with '_'. The name may contain word "
                               "characters or '.', '-', '_'.")
            b = json.loads(body or b"null")
            if child:
                return self.put_child(g, kind, name, child, cname, rid, b, r)
            new, effect = prepare(f, g, kind, name, rid, b, r)
            if r is not None and r["_kind"] == "microsoft.network/networkinterfaces":
                keep = {c.get("properties", {}).get("privateIPAddress")
                        for c in new["properties"].get("ipConfigurations", [])}
                for c in r["properties"].get("ipConfigurations", []):
                    ip = c.get("properties", {}).get("privateIPAddress")
                    if ip not in keep:
                        f.free_ip(ip)
            if kind in CHILDREN:
                self.replace_children(g, kind, name, rid, new)
            f.res[rid.lower()] = new
            fail = f.fail_ops.pop(kind, None)
            op = f.new_op(rid, "put", prov, new["location"], fail, effect)
            op["delay"] = f.kind_delay.get(kind, op["delay"])
            f.stats["puts"][rid] = f.stats["puts"].get(rid, 0) + 1
            return self.lro_answer(op, 200 if r else 201, f.view(new), style)
        if m == "DELETE":
            f.stats["deletes"][rid] = f.stats["deletes"].get(rid, 0) + 1
            if r is None:
                return 204, None, {}
            if r["_kind"] == "microsoft.compute/disks" and r.get("managedBy"):
                raise ArmError(409, "OperationNotAllowed", f"Disk {r['name']} is attached to "
                               f"VM {r['managedBy']}.")
            who = in_use(f, r)
            if who:
                code = "InUseSubnetCannotBeDeleted" if child else "InUseResourceCannotBeDeleted"
                raise ArmError(400, code, f"Resource {rid} is in use by {who} and cannot be "
                               "deleted.")
            r.setdefault("properties", {})["provisioningState"] = "Deleting"
            fail = None if child else f.fail_ops.pop(kind, None)
            op = f.new_op(rid, "delete", prov, r.get("location"), fail,
                          None if fail else delete_effect(f, r))
            return self.lro_answer(op, 202, None, "location" if style == "location"
                                   else "both")
        raise ArmError(405, "MethodNotAllowed", f"The method {m} is not allowed here.")

    def put_child(self, g, kind, name, child, cname, rid, b, old):
        f = self.fake
        prov, typ, _ = KINDS[kind]
        pid = f.res_id(g, kind, name)
        parent = f.lookup(pid)
        if parent is None:
            raise not_found(kind, name, g)
        if not isinstance(b, dict):
            raise ArmError(400, "InvalidRequestContent", "The request content was invalid.")
        c = self.mk_child(kind, pid, cname, b.get("properties") or {}, old)
        f.res[rid.lower()] = c
        fail = f.fail_ops.pop(kind, None)
        op = f.new_op(rid, "put", prov, parent["location"], fail)
        f.stats["puts"][rid] = f.stats["puts"].get(rid, 0) + 1
        return self.lro_answer(op, 200 if old else 201, f.view(c), "async")

    def mk_child(self, kind, pid, cname, props, old):
        f = self.fake
        seg = CHILDREN[kind][0]
        prov, typ, _ = KINDS[kind]
        props = copy.deepcopy(props)
        props["provisioningState"] = "Updating"
        c = {"id": f"{pid}/{seg}/{cname}", "name": cname, "type": f"{prov}/{typ}/{seg}",
             "etag": 'W/"%s"' % uuid.uuid4(), "properties": props,
             "_kind": f"{kind}/{seg.lower()}", "_group": pid.split("/")[4].lower()}
        if old and "_used" in old:
            c["_used"] = old["_used"]
        if seg == "subnets":
            try:
                ipaddress.ip_network(props.get("addressPrefix", ""), strict=False)
            except ValueError:
                raise ArmError(400, "InvalidAddressPrefixFormat", "Address prefix "
                               f"{props.get('addressPrefix', '')} of resource {c['id']} is "
                               "not formatted correctly.")
        return c

    def replace_children(self, g, kind, name, rid, new):
        f = self.fake
        seg, prop = CHILDREN[kind]
        if prop is None:        # children made one by one only (gallery images)
            return
        inline = new["properties"].pop(prop, None) or []
        old = {c["name"].lower(): c for c in f.children_of(rid)}
        keep = set()
        for x in inline:
            cname = x.get("name", "")
            if not NAME_RE.match(cname):
                raise ArmError(400, "InvalidResourceName", f"Resource name {cname} is "
                               "invalid.")
            c = self.mk_child(kind, rid, cname, x.get("properties") or {},
                              old.get(cname.lower()))
            f.res[c["id"].lower()] = c
            keep.add(cname.lower())
        for n, c in old.items():
            if n not in keep:
                who = in_use(f, c)
                if who:
                    raise ArmError(400, "InUseSubnetCannotBeDeleted", f"Subnet {c['name']} "
                                   f"is in use by {who} and cannot be deleted.")
                f.res.pop(c["id"].lower(), None)

    def lro_answer(self, op, code, obj, style):
        """PUT/DELETE answer with the operation's headers, as ARM gives them."""
        f = self.fake
        b = self.base()
        loc = op["location"].replace(" ", "").lower()
        ver = "2024-03-01" if op["provider"] == "Microsoft.Compute" else "2024-05-01"
        prefix = f"{b}/subscriptions/{f.sub_name}/providers/{op['provider']}/locations/{loc}"
        h = {"Retry-After": str(f.retry_after)}
        if style in ("async", "both"):
            h["Azure-AsyncOperation"] = f"{prefix}/operations/{op['id']}?api-version={ver}"
        if style in ("location", "both"):
            h["Location"] = f"{prefix}/operationResults/{op['id']}?api-version={ver}"
        if style == "location" and code != 202:
            code = 202
            obj = None
        return code, obj, h

    def poll(self, oid, location):
        f = self.fake
        op = f.ops.get(oid)
        if op is None:
            raise ArmError(404, "OperationNotFound", f"The operation '{oid}' could not be "
                           "found.")
        f.stats["polls"] += 1
        f.count(kind_label([x for x in op["rid"].split("/") if x]), "poll")
        st = op["status"]
        if not location:
            o = {"id": f"/subscriptions/{f.sub_name}/providers/{op['provider']}/locations/"
                       f"{op['location']}/operations/{oid}",
                 "name": oid, "status": st, "startTime": now_iso(op["t"])}
            h = {}
            if st == "InProgress":
                h["Retry-After"] = str(f.retry_after)
            else:
                o["endTime"] = now_iso(op["end"])
            if st == "Failed":
                o["error"] = f.op_error(op)
            return 200, o, h
        if st == "InProgress":
            return 202, None, {"Location": self.base() + self.path,
                               "Retry-After": str(f.retry_after)}
        if st == "Failed":     # the failure's own status and ARM's error body
            e = f.op_error(op)
            e["details"] = []
            return 400, {"error": e}, {}
        if op["action"] == "delete":
            return 204, None, {}
        r = f.lookup(op["rid"])
        return (200, f.view(r), {}) if r else (204, None, {})


def instance_view(vm):
    """A VM's instanceView: its provisioning state and (when it succeeded)
    PowerState/running, as ARM gives them."""
    st = vm["properties"]["provisioningState"]
    code = "ProvisioningState/" + st.lower()
    if st == "Failed" and vm.get("_failcode"):     # as ARM: ProvisioningState/failed/Code
        code += "/" + vm["_failcode"]
    out = [{"code": code, "level": "Info" if st != "Failed"
            else "Error", "displayStatus": "Provisioning " + st.lower()}]
    if st == "Succeeded":
        out.append({"code": "PowerState/running", "level": "Info",
                    "displayStatus": "VM running"})
    return {"computerName": vm["properties"].get("osProfile", {}).get("computerName",
                                                                       vm["name"]),
            "osName": "ubuntu", "statuses": out}


CANON = {"microsoft.resources/resourcegroups": "Microsoft.Resources/resourceGroups",
         "microsoft.resources/resources": "Microsoft.Resources/resources"}
for _k, (_p, _t, _) in KINDS.items():
    CANON[_k] = f"{_p}/{_t}"
    if _k in CHILDREN:
        CANON[f"{_k}/{CHILDREN[_k][0].lower()}"] = f"{_p}/{_t}/{CHILDREN[_k][0]}"


def kind_label(parts):
    """The kind a path or id's segments (after the host) address, as ARM
    spells its type: Microsoft.Network/virtualNetworks/subnets,
    Microsoft.Resources/resourceGroups, ..."""
    lp = [x.lower() for x in parts]
    if "providers" in lp:
        i = len(lp) - 1 - lp[::-1].index("providers")
        lab = "/".join([lp[i + 1]] + lp[i + 2::2]) if i + 1 < len(lp) else "providers"
    elif lp and lp[-1] == "resources":
        lab = "microsoft.resources/resources"
    elif len(lp) >= 3 and lp[2] == "resourcegroups":
        lab = "microsoft.resources/resourcegroups"
    else:
        lab = "microsoft.resources/" + "/".join(lp[2:3])
    return CANON.get(lab, lab)


def is_poll(lp):
    """Whether the lower-case segments after /subscriptions/S are an
    operation's poll."""
    return (len(lp) == 6 and lp[0] == "providers" and lp[2] == "locations" and
            lp[4] in ("operations", "operationresults")) or \
        (len(lp) == 2 and lp[0] == "operationresults")


def tag_filter(q):
    """(name, value or None) of $filter=tagName eq 'k' [and tagValue eq 'v']."""
    flt = q.get("$filter")
    if not flt:
        return None
    m = re.fullmatch(r"\s*tagName eq '((?:[^']|'')*)'(?:\s+and\s+tagValue eq "
                     r"'((?:[^']|'')*)')?\s*", flt)
    if not m:
        raise ArmError(400, "InvalidFilterInQueryString", f"Invalid $filter '{flt}' specified "
                       "in the query string.")
    v = m.group(2)
    return m.group(1).replace("''", "'"), (v.replace("''", "'") if v is not None else None)


def tenant_unknown(tenant):
    return AadError(400, "invalid_request", 90002,
                    f"Tenant '{tenant}' not found. Check to make sure you have the correct "
                    "tenant ID and are signing into the correct cloud. Check with your "
                    "subscription administrator, this may happen if there are no active "
                    "subscriptions for the tenant.")


def listen(port, handler):
    """A threading server on 127.0.0.1:port, or None (said on stderr)."""
    try:
        srv = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as e:
        print(f"arm-fake: cannot listen on 127.0.0.1:{port}: {e}", file=sys.stderr)
        return None
    srv.daemon_threads = True
    return srv


def main():
    ap = argparse.ArgumentParser(description="A FAKE Azure Resource Manager (tests only).")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--tenant", required=True)
    ap.add_argument("--subscription", required=True)
    ap.add_argument("--client-id", required=True)
    ap.add_argument("--op-delay", type=float, default=0.5)
    ap.add_argument("--retry-after", type=int, default=1)
    ap.add_argument("--imds-port", type=int, default=0)
    a = ap.parse_args()
    a.client_secret = os.environ.get("ARM_SECRET", "")
    a.expired_secret = os.environ.get("ARM_EXPIRED", "")
    if not a.client_secret:
        print("arm-fake: ARM_SECRET (the app's client secret) is not set", file=sys.stderr)
        return 1
    Handler.fake = Fake(a)
    try:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
    except (OSError, ssl.SSLError) as e:
        print(f"arm-fake: cannot load {a.cert} / {a.key}: {e}", file=sys.stderr)
        return 1
    srv = listen(a.port, Handler)
    if srv is None:
        return 1
    # the handshake happens in each request's thread, not in accept()
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True,
                                 do_handshake_on_connect=False)
    if a.imds_port:
        class ImdsHandler(Handler):
            imds_only = True
        imds = listen(a.imds_port, ImdsHandler)
        if imds is None:
            return 1
        threading.Thread(target=imds.serve_forever, daemon=True).start()
    print(f"arm-fake: FAKE Azure Resource Manager on https://127.0.0.1:{a.port}/",
          file=sys.stderr, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
