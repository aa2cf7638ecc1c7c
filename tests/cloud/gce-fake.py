#!/usr/bin/env python3
"""gce-fake.py: a FAKE Google Compute Engine (REST API v1) and OAuth token
endpoint for icm's tests.  NOT Google: a small stateful imitation written
from Google's API reference and discovery document, Python standard
library only, serving plain http on 127.0.0.1.

    gce-fake.py --port P --key KEY.json [--key ...] [--project ID]
                [--op-delay SECONDS] [--log FILE]

API:    /compute/v1/projects/PROJECT/...   (Authorization: Bearer TOKEN)
        /batch/compute/v1                  (gcloud's multipart batches)
Token:  POST /token  grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer
        assertion=JWT signed RS256 with a service-account key given by --key
Test-only (no auth):
        GET  /_fake/stats    calls, inserts/deletes done, calls per requestId
        POST /_fake/control  JSON: op_delay, fail_code (429|503), fail_every,
             fail_next, quotas {region: {METRIC: limit}}, exhausted_zones [],
             revoked_kids [], expire_tokens true, reset true
        GET  /_fake/state    every stored resource (for debugging)
Instances get networkIP from their subnetwork's ipCidrRange: the lowest
free address from the range's .11 on (198.18.0.0/24 gives .11, .12, ...);
accessConfigs get natIP from 203.0.113.0/24 (documentation range).
Exits 1 with a message when a key cannot be read or the port is taken.
"""
import argparse
import base64
import hashlib
import ipaddress
import json
import os
import re
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API = "/compute/v1/"
BATCH = "/batch/compute/v1"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
MAX_BODY = 4 << 20

REGIONS = {
    "us-east1": ["b", "c", "d"],
    "us-central1": ["a", "b", "c", "f"],
    "us-west1": ["a", "b", "c"],
    "europe-west1": ["b", "c", "d"],
    "asia-east1": ["a", "b", "c"],
}
MACHINE_TYPES = {  # name: (guestCpus, memoryMb)
    "e2-micro": (2, 1024), "e2-small": (2, 2048), "e2-medium": (2, 4096),
    "e2-standard-2": (2, 8192), "e2-standard-4": (4, 16384),
    "e2-standard-8": (8, 32768), "n1-standard-1": (1, 3840),
    "n1-standard-2": (2, 7680), "n1-standard-4": (4, 15360),
    "n1-standard-8": (8, 30720), "n2-standard-2": (2, 8192),
    "n2-standard-4": (4, 16384), "n2-standard-8": (8, 32768),
}
DISK_TYPES = ["pd-standard", "pd-ssd", "pd-balanced"]
IMAGES = {  # project: [(name, family)]
    "ubuntu-os-cloud": [("ubuntu-2204-jammy-v20240614", "ubuntu-2204-lts"),
                        ("ubuntu-2004-focal-v20240614", "ubuntu-2004-lts")],
    "debian-cloud": [("debian-12-bookworm-v20240611", "debian-12")],
    "rhel-cloud": [("rhel-9-v20240611", "rhel-9")],
}
DEFAULT_QUOTAS = {"CPUS": 24, "INSTANCES": 24, "DISKS_TOTAL_GB": 4096,
                  "IN_USE_ADDRESSES": 8, "STATIC_ADDRESSES": 8}
# collection: (scope, kind)
COLLECTIONS = {
    "networks": ("global", "compute#network"),
    "firewalls": ("global", "compute#firewall"),
    "httpHealthChecks": ("global", "compute#httpHealthCheck"),
    "images": ("global", "compute#image"),
    "subnetworks": ("regions", "compute#subnetwork"),
    "addresses": ("regions", "compute#address"),
    "targetPools": ("regions", "compute#targetPool"),
    "forwardingRules": ("regions", "compute#forwardingRule"),
    "instances": ("zones", "compute#instance"),
    "disks": ("zones", "compute#disk"),
}
# The collections whose resources take labels (networks, subnetworks,
# firewalls, health checks and target pools do not).
LABELLED = ("instances", "disks", "addresses", "forwardingRules", "images")
NAME_RE = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")


class ApiError(Exception):
    """An error answered in Google's JSON shape."""

    def __init__(self, code, reason, message, status=None, domain="global",
                 extra=None):
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message
        self.status, self.domain, self.extra = status, domain, extra or {}

    def body(self):
        e = {"message": self.message, "domain": self.domain,
             "reason": self.reason}
        e.update(self.extra)
        out = {"code": self.code, "message": self.message, "errors": [e]}
        if self.status:
            out["status"] = self.status
        return {"error": out}


def not_found(what):
    return ApiError(404, "notFound", f"The resource '{what}' was not found",
                    "NOT_FOUND")


def invalid(msg):
    return ApiError(400, "invalid", msg, "INVALID_ARGUMENT")


def now_rfc3339(t=None):
    t = time.time() if t is None else t
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + \
        ".%03d-00:00" % (int(t * 1000) % 1000)


def b64url_dec(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


# ---------------------------------------------------------------------------
# RSA public key from a PEM (PKCS#8 / PKCS#1 private key or
# SubjectPublicKeyInfo) with a tiny DER reader, and PKCS#1 v1.5 SHA-256
# verification with pow().

def der_read(b, i):
    """(tag, value, next index) of the DER element at b[i]."""
    if i + 2 > len(b):
        raise ValueError("DER: truncated")
    tag, ln = b[i], b[i + 1]
    i += 2
    if ln & 0x80:
        n = ln & 0x7F
        if n == 0 or n > 4 or i + n > len(b):
            raise ValueError("DER: bad length")
        ln = int.from_bytes(b[i:i + n], "big")
        i += n
    if i + ln > len(b):
        raise ValueError("DER: truncated")
    return tag, b[i:i + ln], i + ln


def der_seq(b):
    """The elements (tag, value) of a SEQUENCE's contents."""
    out, i = [], 0
    while i < len(b):
        t, v, i = der_read(b, i)
        out.append((t, v))
    return out


def rsa_pub_from_pem(pem):
    m = re.search(r"-----BEGIN ([A-Z ]+)-----(.*?)-----END \1-----", pem, re.S)
    if not m:
        raise ValueError("no PEM block")
    der = base64.b64decode("".join(m.group(2).split()))
    t, v, _ = der_read(der, 0)
    if t != 0x30:
        raise ValueError("not a DER SEQUENCE")
    items = der_seq(v)
    if m.group(1) == "PRIVATE KEY":          # PKCS#8 PrivateKeyInfo
        items = der_seq(der_read(items[2][1], 0)[1])
        return int.from_bytes(items[1][1], "big"), \
            int.from_bytes(items[2][1], "big")
    if m.group(1) == "RSA PRIVATE KEY":      # PKCS#1 RSAPrivateKey
        return int.from_bytes(items[1][1], "big"), \
            int.from_bytes(items[2][1], "big")
    if m.group(1) == "PUBLIC KEY":           # SubjectPublicKeyInfo
        bits = items[1][1][1:]
        rsa = der_seq(der_read(bits, 0)[1])
        return int.from_bytes(rsa[0][1], "big"), \
            int.from_bytes(rsa[1][1], "big")
    raise ValueError("unsupported PEM type " + m.group(1))


SHA256_DIGESTINFO = bytes.fromhex("3031300d060960864801650304020105000420")


def rsa_verify_sha256(n, e, msg, sig):
    k = (n.bit_length() + 7) // 8
    if len(sig) != k:
        return False
    s = int.from_bytes(sig, "big")
    if s >= n:
        return False
    em = pow(s, e, n).to_bytes(k, "big")
    t = SHA256_DIGESTINFO + hashlib.sha256(msg).digest()
    want = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return secrets.compare_digest(em, want)


# ---------------------------------------------------------------------------
# State

class Fake:
    def __init__(self, project, keys, op_delay, port):
        self.project, self.keys, self.port = project, keys, port
        self.lock = threading.Lock()
        self.op_delay = op_delay
        self.reset()
        self.tokens = {}
        self.revoked = set()

    def reset(self):
        self.res = {c: {} for c in COLLECTIONS}  # coll: {(scope, name): obj}
        self.ops = {}                           # name: op dict
        self.pending = []                       # (op name, effect callable)
        self.by_request = {}                    # requestId: op name
        self.stats = {"calls": 0, "inserts": 0, "deletes": 0,
                      "requests": {}, "errors_injected": 0}
        self.fail_code, self.fail_every, self.fail_next = 503, 0, 0
        self.quotas = {}
        self.exhausted = set()
        self.next_id = 1000
        self.used_nat = set()
        for proj, imgs in IMAGES.items():
            for name, fam in imgs:
                self.res["images"][(proj, name)] = self.mk(
                    "images", proj, "global", name, {
                        "family": fam, "status": "READY",
                        "diskSizeGb": "10", "archiveSizeBytes": "1000000",
                        "sourceType": "RAW"})

    # --- helpers ---
    def new_id(self):
        self.next_id += 1
        return str(7000000000000000000 + self.next_id)

    def base(self, proj=None):
        return f"http://127.0.0.1:{self.port}{API}projects/{proj or self.project}"

    def link(self, scope_kind, scope, coll=None, name=None, proj=None):
        u = self.base(proj)
        if scope_kind == "global":
            u += "/global"
        else:
            u += f"/{scope_kind}/{scope}"
        if coll:
            u += f"/{coll}"
        if name:
            u += f"/{name}"
        return u

    def mk(self, coll, proj, scope, name, fields):
        sk, kind = COLLECTIONS[coll]
        o = {"kind": kind, "id": self.new_id(),
             "creationTimestamp": now_rfc3339(), "name": name,
             "selfLink": self.link(sk, scope, coll, name, proj)}
        if sk == "regions":
            o["region"] = self.link("regions", scope, proj=proj)
        if sk == "zones":
            o["zone"] = self.link("zones", scope, proj=proj)
        o.update(fields)
        return o

    def zones(self):
        return [f"{r}-{z}" for r, zs in REGIONS.items() for z in zs]

    def region_of(self, zone):
        return zone.rsplit("-", 1)[0]

    def usage(self, region):
        u = {m: 0 for m in DEFAULT_QUOTAS}
        for (z, _), i in self.res["instances"].items():
            if self.region_of(z) == region:
                u["INSTANCES"] += 1
                u["CPUS"] += MACHINE_TYPES[last(i["machineType"])][0]
                for ac in i["networkInterfaces"][0].get("accessConfigs", []):
                    u["IN_USE_ADDRESSES"] += 1 if "natIP" in ac else 0
        for (z, _), d in self.res["disks"].items():
            if self.region_of(z) == region:
                u["DISKS_TOTAL_GB"] += int(d["sizeGb"])
        for (r, _), a in self.res["addresses"].items():
            if r == region:
                u["STATIC_ADDRESSES"] += 1
        return u

    def limit(self, region, metric):
        return self.quotas.get(region, {}).get(metric, DEFAULT_QUOTAS[metric])

    def region_obj(self, r):
        u = self.usage(r)
        return {"kind": "compute#region", "id": str(1000 + list(REGIONS).index(r)),
                "creationTimestamp": "1969-12-31T16:00:00.000-08:00",
                "name": r, "description": r, "status": "UP",
                "zones": [self.link("zones", f"{r}-{z}") for z in REGIONS[r]],
                "quotas": [{"metric": m, "limit": float(self.limit(r, m)),
                            "usage": float(u[m])} for m in DEFAULT_QUOTAS],
                "selfLink": self.link("regions", r)}

    def zone_obj(self, z):
        return {"kind": "compute#zone", "id": str(2000 + self.zones().index(z)),
                "creationTimestamp": "1969-12-31T16:00:00.000-08:00",
                "name": z, "description": z, "status": "UP",
                "region": self.link("regions", self.region_of(z)),
                "availableCpuPlatforms": ["Intel Broadwell"],
                "selfLink": self.link("zones", z)}

    def mt_obj(self, z, name):
        cpus, mem = MACHINE_TYPES[name]
        return {"kind": "compute#machineType", "id": str(3000 + list(MACHINE_TYPES).index(name)),
                "creationTimestamp": "1969-12-31T16:00:00.000-08:00",
                "name": name, "description": f"{cpus} vCPUs, {mem} MB (FAKE)",
                "guestCpus": cpus, "memoryMb": mem, "maximumPersistentDisks": 128,
                "maximumPersistentDisksSizeGb": "263168", "zone": z,
                "isSharedCpu": False, "selfLink": self.link("zones", z, "machineTypes", name)}

    def dt_obj(self, z, name):
        return {"kind": "compute#diskType", "id": str(4000 + DISK_TYPES.index(name)),
                "creationTimestamp": "1969-12-31T16:00:00.000-08:00",
                "name": name, "description": name, "validDiskSize": "10GB-65536GB",
                "defaultDiskSizeGb": "500" if name == "pd-standard" else "100",
                "zone": self.link("zones", z),
                "selfLink": self.link("zones", z, "diskTypes", name)}

    # --- operations ---
    def new_op(self, optype, sk, scope, target, target_id, effect, error=None):
        t = time.time()
        name = "operation-%d-%s" % (int(t * 1000), secrets.token_hex(6))
        op = {"kind": "compute#operation", "id": self.new_id(), "name": name,
              "operationType": optype, "targetLink": target,
              "targetId": target_id or "", "status": "PENDING",
              "user": "fake-service-account", "progress": 0,
              "insertTime": now_rfc3339(t),
              "selfLink": self.link(sk, scope, "operations", name),
              "_t": t, "_delay": self.op_delay, "_error": error}
        if sk == "zones":
            op["zone"] = self.link("zones", scope)
        elif sk == "regions":
            op["region"] = self.link("regions", scope)
        self.ops[name] = op
        self.pending.append((name, effect))
        return op

    def advance(self):
        """Moves operations on by the clock; runs effects of those DONE."""
        t = time.time()
        keep = []
        for name, effect in self.pending:
            op = self.ops[name]
            el = t - op["_t"]
            if el >= op["_delay"]:
                op["status"], op["progress"] = "DONE", 100
                op.setdefault("startTime", now_rfc3339(op["_t"]))
                op["endTime"] = now_rfc3339(t)
                if op["_error"]:
                    code, msg, http = op["_error"]
                    op["error"] = {"errors": [{"code": code, "message": msg}]}
                    op["httpErrorStatusCode"] = http
                    op["httpErrorMessage"] = {400: "BAD REQUEST", 403: "FORBIDDEN",
                                              503: "SERVICE UNAVAILABLE"}.get(http, "ERROR")
                if effect:
                    effect()
            else:
                if el >= op["_delay"] / 2:
                    op["status"], op["progress"] = "RUNNING", 50
                    op.setdefault("startTime", now_rfc3339(t))
                keep.append((name, effect))
        self.pending = keep
        for (z, n), i in self.res["instances"].items():
            if i["status"] in ("PROVISIONING", "STAGING") and \
                    t - i["_t"] >= self.op_delay:
                i["status"] = "RUNNING"
                i["lastStartTimestamp"] = now_rfc3339(t)


def last(url):
    return url.rstrip("/").rsplit("/", 1)[-1]


def public(o):
    return {k: v for k, v in o.items() if not k.startswith("_")}


# ---------------------------------------------------------------------------
# Filters: "labels.k=v", "name = x", "(labels.k eq v) (name ne x)",
# "labels.k:v", joined by spaces or AND.  eq/ne take RE2 full matches.

FILTER_TERM = re.compile(
    r'\s*(?:AND\s+)?\(?\s*([A-Za-z_][\w.\-]*)\s*(=|!=|:|\beq\b|\bne\b)\s*'
    r'("(?:[^"\\]|\\.)*"|\'[^\']*\'|[^\s)]+)\s*\)?\s*')


def parse_filter(f):
    terms, i = [], 0
    f = f.strip()
    while i < len(f):
        m = FILTER_TERM.match(f, i)
        if not m or m.end() == i:
            raise invalid(f"Invalid value for field 'filter': '{f}'. "
                          "Invalid list filter expression.")
        key, op, val = m.groups()
        if val[:1] in "\"'":
            val = val[1:-1].replace('\\"', '"')
        terms.append((key, op, val))
        i = m.end()
    return terms


def field(o, key):
    v = o
    for p in key.split("."):
        if not isinstance(v, dict) or p not in v:
            return None
        v = v[p]
    return v


def matches(o, terms):
    for key, op, val in terms:
        got = field(o, key)
        got = "" if got is None else str(got).lower() \
            if isinstance(got, bool) else str(got)
        if op in ("=", ":"):
            ok = got == val
        elif op == "!=":
            ok = got != val
        else:
            try:
                ok = re.fullmatch(val, got) is not None
            except re.error:
                raise invalid(f"Invalid value for field 'filter': '{val}'.")
            if op == "ne":
                ok = not ok
        if not ok:
            return False
    return True


# ---------------------------------------------------------------------------
# The API

class Api:
    def __init__(self, fake):
        self.f = fake

    # routing ---------------------------------------------------------------
    def handle(self, method, path, query, body):
        f = self.f
        if not path.startswith(API + "projects/"):
            raise ApiError(404, "notFound", "Not Found")
        parts = path[len(API + "projects/"):].strip("/").split("/")
        proj, rest = parts[0], parts[1:]
        if proj in IMAGES and rest[:2] == ["global", "images"] and method == "GET":
            return self.images(proj, rest[2:])
        if proj != f.project:
            raise ApiError(403, "forbidden",
                           f"Required 'compute.projects.get' permission for "
                           f"'projects/{proj}'", "PERMISSION_DENIED")
        if not rest:
            return self.project_obj()
        if rest[0] == "aggregated" and len(rest) == 2 and method == "GET":
            return self.aggregated(rest[1], query)
        if rest[0] == "global":
            return self.scoped(method, "global", "global", rest[1:], query, body)
        if rest[0] == "regions":
            if len(rest) == 1:
                return self.listing("compute#regionList", self.link("regions"),
                                    [f.region_obj(r) for r in REGIONS], query)
            r = rest[1]
            if r not in REGIONS:
                raise not_found(f"projects/{proj}/regions/{r}")
            if len(rest) == 2:
                return f.region_obj(r)
            return self.scoped(method, "regions", r, rest[2:], query, body)
        if rest[0] == "zones":
            if len(rest) == 1:
                return self.listing("compute#zoneList", self.link("zones"),
                                    [f.zone_obj(z) for z in f.zones()], query)
            z = rest[1]
            if z not in f.zones():
                raise not_found(f"projects/{proj}/zones/{z}")
            if len(rest) == 2:
                return f.zone_obj(z)
            if rest[2] == "machineTypes":
                if len(rest) == 3:
                    return self.listing("compute#machineTypeList",
                                        f.link("zones", z, "machineTypes"),
                                        [f.mt_obj(z, m) for m in MACHINE_TYPES], query)
                if rest[3] not in MACHINE_TYPES:
                    raise not_found(f"projects/{proj}/zones/{z}/machineTypes/{rest[3]}")
                return f.mt_obj(z, rest[3])
            if rest[2] == "diskTypes":
                if len(rest) == 3:
                    return self.listing("compute#diskTypeList",
                                        f.link("zones", z, "diskTypes"),
                                        [f.dt_obj(z, d) for d in DISK_TYPES], query)
                if rest[3] not in DISK_TYPES:
                    raise not_found(f"projects/{proj}/zones/{z}/diskTypes/{rest[3]}")
                return f.dt_obj(z, rest[3])
            return self.scoped(method, "zones", z, rest[2:], query, body)
        raise ApiError(404, "notFound", "Not Found")

    def link(self, what):
        return f"{self.f.base()}/{what}"

    def project_obj(self):
        f = self.f
        return {"kind": "compute#project", "id": "1234567890", "name": f.project,
                "creationTimestamp": "2020-01-01T00:00:00.000-07:00",
                "commonInstanceMetadata": {"kind": "compute#metadata",
                                           "fingerprint": "FAKE"},
                "quotas": [], "selfLink": f.base(),
                "defaultServiceAccount": f"1234567890-compute@developer.gserviceaccount.com",
                "xpnProjectStatus": "UNSPECIFIED_XPN_PROJECT_STATUS",
                "defaultNetworkTier": "PREMIUM"}

    def images(self, proj, rest):
        f = self.f
        imgs = [o for (p, _), o in f.res["images"].items() if p == proj]
        if not rest:
            return self.listing("compute#imageList",
                                f"{f.base(proj)}/global/images", imgs, {})
        if rest[0] == "family" and len(rest) == 2:
            for o in imgs:
                if o["family"] == rest[1]:
                    return o
            raise not_found(f"projects/{proj}/global/images/family/{rest[1]}")
        for o in imgs:
            if o["name"] == rest[0]:
                return o
        raise not_found(f"projects/{proj}/global/images/{rest[0]}")

    def listing(self, kind, link, items, query):
        terms = parse_filter(query.get("filter", ""))
        items = [public(o) for o in items if matches(o, terms)]
        try:
            start = int(query.get("pageToken") or 0)
            mx = min(int(query.get("maxResults") or 500), 500)
        except ValueError:
            raise invalid("Invalid value for field 'pageToken'.")
        out = {"kind": kind, "id": link.split("/compute/v1/")[-1],
               "items": items[start:start + mx], "selfLink": link}
        if start + mx < len(items):
            out["nextPageToken"] = str(start + mx)
        return out

    def aggregated(self, coll, query):
        f = self.f
        if coll not in ("instances", "disks", "addresses", "subnetworks",
                        "targetPools", "forwardingRules"):
            raise ApiError(404, "notFound", "Not Found")
        sk, kind = COLLECTIONS[coll]
        terms = parse_filter(query.get("filter", ""))
        scopes = f.zones() if sk == "zones" else list(REGIONS)
        items = {}
        for s in scopes:
            objs = [public(o) for (sc, _), o in sorted(f.res[coll].items())
                    if sc == s and matches(o, terms)]
            key = f"{sk}/{s}"
            if objs:
                items[key] = {coll: objs}
            else:
                items[key] = {"warning": {
                    "code": "NO_RESULTS_ON_PAGE",
                    "message": f"There are no results for scope '{key}' on this page.",
                    "data": [{"key": "scope", "value": key}]}}
        return {"kind": kind + "AggregatedList", "id": f"projects/{f.project}/aggregated/{coll}",
                "items": items, "selfLink": self.link(f"aggregated/{coll}")}

    # one scope -------------------------------------------------------------
    def scoped(self, method, sk, scope, rest, query, body):
        f = self.f
        coll = rest[0] if rest else ""
        if coll == "operations":
            return self.operation(method, sk, scope, rest[1:])
        if coll not in COLLECTIONS or COLLECTIONS[coll][0] != sk or coll == "images" and method != "GET":
            raise ApiError(404, "notFound", "Not Found")
        store = f.res[coll]
        if len(rest) == 1:
            if method == "GET":
                objs = [o for (s, _), o in sorted(store.items()) if s == scope]
                return self.listing(COLLECTIONS[coll][1] + "List",
                                    f.link(sk, scope, coll), objs, query)
            if method == "POST":
                return self.insert(coll, sk, scope, query, body)
            raise ApiError(405, "httpMethodNotAllowed", "Method not allowed")
        name = rest[1]
        where = f"projects/{f.project}/{'global' if sk == 'global' else sk + '/' + scope}/{coll}/{name}"
        obj = store.get((scope, name))
        if obj is None or obj.get("_deleting"):
            raise not_found(where)
        if len(rest) == 2:
            if method == "GET":
                return public(obj)
            if method == "DELETE":
                return self.delete(coll, sk, scope, name, obj, query)
            raise ApiError(405, "httpMethodNotAllowed", "Method not allowed")
        verb = rest[2]
        if method == "POST" and verb == "setLabels" and coll in LABELLED:
            return self.set_labels(coll, sk, scope, obj, query, body)
        if method == "POST" and coll == "targetPools" and verb in ("addInstance", "removeInstance"):
            return self.pool_members(sk, scope, obj, verb, query, body)
        raise ApiError(404, "notFound", "Not Found")

    def operation(self, method, sk, scope, rest):
        f = self.f
        if not rest:
            ops = [o for o in f.ops.values()
                   if o["selfLink"].startswith(f.link(sk, scope, "operations") + "/")]
            return self.listing("compute#operationList", f.link(sk, scope, "operations"),
                                ops, {})
        op = f.ops.get(rest[0])
        if op is None or not op["selfLink"].endswith(
                ("/global" if sk == "global" else f"/{sk}/{scope}") + f"/operations/{rest[0]}"):
            raise not_found(f"projects/{f.project}/{'global' if sk == 'global' else sk + '/' + scope}/operations/{rest[0]}")
        if len(rest) == 1 and method == "GET":
            return public(op)
        if len(rest) == 1 and method == "DELETE":
            del f.ops[rest[0]]
            return None
        if len(rest) == 2 and rest[1] == "wait" and method == "POST":
            return ("WAIT", op["name"])
        raise ApiError(404, "notFound", "Not Found")

    # mutations ---------------------------------------------------------------
    def dedup(self, query, kind):
        """The operation an earlier call with this requestId made, if any."""
        rid = query.get("requestId")
        st = self.f.stats["requests"]
        if not rid:
            return None, None
        e = st.setdefault(rid, {"calls": 0, "done": 0, "kind": kind})
        e["calls"] += 1
        name = self.f.by_request.get(rid)
        if name and name in self.f.ops:
            return rid, public(self.f.ops[name])
        return rid, None

    def remember(self, rid, op):
        if rid:
            self.f.by_request[rid] = op["name"]
            self.f.stats["requests"][rid]["done"] += 1

    def insert(self, coll, sk, scope, query, body):
        f = self.f
        rid, old = self.dedup(query, "insert " + coll)
        if old:
            return old
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            raise ApiError(400, "required", "Required field 'resource.name' not specified",
                           "INVALID_ARGUMENT")
        name = body["name"]
        if not NAME_RE.match(name):
            raise invalid(f"Invalid value for field 'resource.name': '{name}'. Must be a match "
                          "of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'")
        if "labels" in body and coll not in LABELLED:
            raise ApiError(400, "invalid", "Invalid JSON payload received. Unknown name "
                           "\"labels\" at 'resource': Cannot find field.", "INVALID_ARGUMENT")
        labels = body.get("labels") or {}
        for k, v in labels.items():
            if not re.fullmatch(r"[a-z][-_a-z0-9]{0,62}", k) or \
                    not re.fullmatch(r"[-_a-z0-9]{0,63}", str(v)):
                raise invalid(f"Invalid value for field 'resource.labels': '{k}'. "
                              "Label keys and values must be lowercase, at most 63 characters.")
        where = f"projects/{f.project}/{'global' if sk == 'global' else sk + '/' + scope}/{coll}/{name}"
        if (scope, name) in f.res[coll]:
            raise ApiError(409, "alreadyExists", f"The resource '{where}' already exists",
                           "ALREADY_EXISTS")
        fields = {k: v for k, v in body.items() if k not in ("kind", "id", "selfLink")}
        if coll in LABELLED:
            fields["labels"] = labels
            fields["labelFingerprint"] = hashlib.sha256(
                json.dumps(labels, sort_keys=True).encode()).hexdigest()[:12]
        build = getattr(self, "build_" + coll, None)
        error = None
        extra = []
        if build:
            error, extra = build(scope, fields) or (None, [])
        obj = f.mk(coll, f.project, scope, name, fields)
        target = obj["selfLink"]
        if error:
            op = f.new_op("insert", sk, scope, target, None, None, error)
            self.remember(rid, op)
            return public(op)
        f.res[coll][(scope, name)] = obj
        for c, key, o in extra:
            f.res[c][key] = o
        f.stats["inserts"] += 1
        op = f.new_op("insert", sk, scope, target, obj["id"], None)
        self.remember(rid, op)
        return public(op)

    def delete(self, coll, sk, scope, name, obj, query):
        f = self.f
        rid, old = self.dedup(query, "delete " + coll)
        if old:
            return old
        users = self.users_of(coll, scope, obj)
        if users:
            raise ApiError(400, "resourceInUseByAnotherResource",
                           f"The {coll[:-1]} resource '{obj['selfLink'].split('/compute/v1/')[1]}' "
                           f"is already being used by '{users[0]}'", "FAILED_PRECONDITION")
        obj["_deleting"] = True
        if coll == "instances":
            obj["status"] = "STOPPING"

        def effect():
            f.res[coll].pop((scope, name), None)
            if coll == "instances":
                self.instance_gone(scope, obj)
        f.stats["deletes"] += 1
        op = f.new_op("delete", sk, scope, obj["selfLink"], obj["id"], effect)
        self.remember(rid, op)
        return public(op)

    def users_of(self, coll, scope, obj):
        f = self.f
        link = obj["selfLink"]
        out = []
        if coll == "networks":
            for c in ("subnetworks", "firewalls"):
                out += [o["selfLink"].split("/compute/v1/")[1] for o in f.res[c].values()
                        if o.get("network") == link and not o.get("_deleting")]
        if coll in ("networks", "subnetworks"):
            key = "network" if coll == "networks" else "subnetwork"
            out += [o["selfLink"].split("/compute/v1/")[1] for o in f.res["instances"].values()
                    if any(n.get(key) == link for n in o["networkInterfaces"])]
        if coll == "disks":
            out += [u.split("/compute/v1/")[1] for u in obj.get("users", [])]
        if coll == "httpHealthChecks":
            out += [o["selfLink"].split("/compute/v1/")[1] for o in f.res["targetPools"].values()
                    if link in o.get("healthChecks", [])]
        if coll == "targetPools":
            out += [o["selfLink"].split("/compute/v1/")[1] for o in f.res["forwardingRules"].values()
                    if o.get("target") == link]
        return out

    def set_labels(self, coll, sk, scope, obj, query, body):
        f = self.f
        rid, old = self.dedup(query, "setLabels " + coll)
        if old:
            return old
        if body.get("labelFingerprint") != obj["labelFingerprint"]:
            raise ApiError(412, "conditionNotMet",
                           "Labels fingerprint either invalid or resource labels have changed",
                           "FAILED_PRECONDITION")
        obj["labels"] = body.get("labels") or {}
        obj["labelFingerprint"] = hashlib.sha256(
            json.dumps(obj["labels"], sort_keys=True).encode()).hexdigest()[:12]
        op = f.new_op("setLabels", sk, scope, obj["selfLink"], obj["id"], None)
        self.remember(rid, op)
        return public(op)

    def pool_members(self, sk, scope, pool, verb, query, body):
        f = self.f
        rid, old = self.dedup(query, verb)
        if old:
            return old
        refs = [i.get("instance", "") for i in (body or {}).get("instances", [])]
        members = pool.setdefault("instances", [])
        for r in refs:
            inst = self.resolve(r, "instances")
            if inst is None:
                raise not_found(r.split("/compute/v1/")[-1])
            if verb == "addInstance" and inst["selfLink"] not in members:
                members.append(inst["selfLink"])
            if verb == "removeInstance" and inst["selfLink"] in members:
                members.remove(inst["selfLink"])
        op = f.new_op(verb, sk, scope, pool["selfLink"], pool["id"], None)
        self.remember(rid, op)
        return public(op)

    def resolve(self, ref, coll, scope=None):
        """The stored object a full or partial URL names, or None."""
        if not ref:
            return None
        m = re.search(r"(?:^|/)(?:(?:global)|(?:regions|zones)/([^/]+))/" + coll + r"/([^/]+)$", ref)
        if m:
            return self.f.res[coll].get((m.group(1) or "global", m.group(2)))
        if "/" not in ref:
            return self.f.res[coll].get((scope or "global", ref))
        return None

    # per-collection checks and derived fields --------------------------------
    def build_networks(self, scope, o):
        o.setdefault("autoCreateSubnetworks", True)
        o.setdefault("routingConfig", {"routingMode": "REGIONAL"})
        o.setdefault("mtu", 1460)
        o["subnetworks"] = []
        extra = []
        if o["autoCreateSubnetworks"]:
            link = self.f.link("global", "global", "networks", o["name"])
            for i, r in enumerate(REGIONS):
                s = self.f.mk("subnetworks", self.f.project, r, o["name"], {
                    "network": link, "ipCidrRange": f"10.{128 + i}.0.0/20",
                    "gatewayAddress": f"10.{128 + i}.0.1",
                    "privateIpGoogleAccess": False, "stackType": "IPV4_ONLY",
                    "purpose": "PRIVATE", "fingerprint": "FAKE"})
                o["subnetworks"].append(s["selfLink"])
                extra.append(("subnetworks", (r, o["name"]), s))
        return None, extra

    def build_subnetworks(self, region, o):
        net = self.resolve(o.get("network", ""), "networks")
        if net is None:
            raise invalid(f"Invalid value for field 'resource.network': '{o.get('network')}'. "
                          "The referenced network resource cannot be found.")
        try:
            cidr = ipaddress.ip_network(o.get("ipCidrRange", ""))
        except ValueError:
            raise invalid(f"Invalid value for field 'resource.ipCidrRange': "
                          f"'{o.get('ipCidrRange')}'. Invalid IPCidrRange.")
        for s in self.f.res["subnetworks"].values():
            if s["network"] == net["selfLink"] and \
                    ipaddress.ip_network(s["ipCidrRange"]).overlaps(cidr):
                raise invalid(f"Invalid IPCidrRange: {cidr} conflicts with existing "
                              f"subnetwork '{s['name']}' in region '{last(s['region'])}'.")
        o["network"] = net["selfLink"]
        o["gatewayAddress"] = str(cidr.network_address + 1)
        o.setdefault("privateIpGoogleAccess", False)
        o.setdefault("stackType", "IPV4_ONLY")
        o.setdefault("purpose", "PRIVATE")
        o["fingerprint"] = secrets.token_hex(6)
        net["subnetworks"].append(self.f.link("regions", region, "subnetworks", o["name"]))
        return None, []

    def build_firewalls(self, scope, o):
        net = self.resolve(o.get("network") or "global/networks/default", "networks")
        if net is None:
            raise invalid(f"Invalid value for field 'resource.network': '{o.get('network')}'. "
                          "The referenced network resource cannot be found.")
        o["network"] = net["selfLink"]
        o.setdefault("direction", "INGRESS")
        o.setdefault("priority", 1000)
        o.setdefault("disabled", False)
        o.setdefault("logConfig", {"enable": False})
        if o["direction"] == "INGRESS":
            o.setdefault("sourceRanges", ["0.0.0.0/0"])
        if not o.get("allowed") and not o.get("denied"):
            raise ApiError(400, "required", "Required field 'resource.allowed' not specified",
                           "INVALID_ARGUMENT")
        return None, []

    def build_httpHealthChecks(self, scope, o):
        o.setdefault("port", 80)
        o.setdefault("requestPath", "/")
        o.setdefault("checkIntervalSec", 5)
        o.setdefault("timeoutSec", 5)
        o.setdefault("healthyThreshold", 2)
        o.setdefault("unhealthyThreshold", 2)
        return None, []

    def build_targetPools(self, region, o):
        hcs = []
        for h in o.get("healthChecks", []):
            hc = self.resolve(h, "httpHealthChecks")
            if hc is None:
                raise not_found(h.split("/compute/v1/")[-1])
            hcs.append(hc["selfLink"])
        o["healthChecks"] = hcs
        inst = []
        for i in o.get("instances", []):
            x = self.resolve(i, "instances")
            if x is None:
                raise not_found(i.split("/compute/v1/")[-1])
            inst.append(x["selfLink"])
        o["instances"] = inst
        o.setdefault("sessionAffinity", "NONE")
        return None, []

    def build_forwardingRules(self, region, o):
        tp = self.resolve(o.get("target", ""), "targetPools", region)
        if tp is None:
            raise invalid(f"Invalid value for field 'resource.target': '{o.get('target')}'. "
                          "The referenced target pool cannot be found.")
        o["target"] = tp["selfLink"]
        if o.get("IPAddress"):
            a = [x for x in self.f.res["addresses"].values()
                 if o["IPAddress"] in (x["address"], x["selfLink"]) or
                 o["IPAddress"].endswith("/addresses/" + x["name"])]
            if not a:
                raise invalid(f"Invalid value for field 'resource.IPAddress': '{o['IPAddress']}'.")
            o["IPAddress"] = a[0]["address"]
            a[0]["status"] = "IN_USE"
            a[0]["users"] = [self.f.link("regions", region, "forwardingRules", o["name"])]
        else:
            o["IPAddress"] = self.nat_ip()
        o.setdefault("IPProtocol", "TCP")
        o.setdefault("loadBalancingScheme", "EXTERNAL")
        o.setdefault("networkTier", "PREMIUM")
        o["fingerprint"] = secrets.token_hex(6)
        return None, []

    def nat_ip(self):
        f = self.f
        used = f.used_nat | {a["address"] for a in f.res["addresses"].values()}
        for i in range(2, 255):
            ip = f"203.0.113.{i}"
            if ip not in used:
                f.used_nat.add(ip)
                return ip
        raise ApiError(403, "IP_SPACE_EXHAUSTED", "FAKE: no external addresses left")

    def build_addresses(self, region, o):
        f = self.f
        if f.usage(region)["STATIC_ADDRESSES"] + 1 > f.limit(region, "STATIC_ADDRESSES"):
            return self.quota_error("STATIC_ADDRESSES", region), []
        o.setdefault("addressType", "EXTERNAL")
        if o["addressType"] == "INTERNAL":
            sub = self.resolve(o.get("subnetwork", ""), "subnetworks", region)
            if sub is None:
                raise invalid("Invalid value for field 'resource.subnetwork'.")
            o["subnetwork"] = sub["selfLink"]
            o.setdefault("address", self.internal_ip(sub))
        elif not o.get("address"):
            o["address"] = self.nat_ip()
        o["status"] = "RESERVED"
        o.setdefault("networkTier", "PREMIUM")
        return None, []

    def quota_error(self, metric, region):
        return ("QUOTA_EXCEEDED",
                f"Quota '{metric}' exceeded.  Limit: {float(self.f.limit(region, metric))} "
                f"in region {region}.", 403)

    def disk_fields(self, zone, o, name):
        """Checks a disk's type and size; fills its derived fields."""
        t = last(o.get("type") or "pd-standard")
        if t not in DISK_TYPES:
            raise invalid(f"Invalid value for field 'resource.type': '{o.get('type')}'. "
                          f"Disk type '{t}' does not exist in zone '{zone}'.")
        o["type"] = self.f.link("zones", zone, "diskTypes", t)
        src = o.get("sourceImage")
        if src:
            img = self.image_for(src)
            o["sourceImage"] = img["selfLink"]
            o["sourceImageId"] = img["id"]
        size = o.get("sizeGb") or (10 if src else 500)
        try:
            size = int(size)
        except (TypeError, ValueError):
            raise invalid(f"Invalid value for field 'resource.sizeGb': '{size}'.")
        if size < 10 or size > 65536:
            raise invalid(f"Invalid value for field 'resource.sizeGb': '{size}'. "
                          "Disk size must be between 10 GB and 65536 GB.")
        o["sizeGb"] = str(size)
        o["status"] = "READY"
        o.setdefault("physicalBlockSizeBytes", "4096")
        return size

    def image_for(self, src):
        m = re.search(r"projects/([^/]+)/(?:global/images/(family/)?|"
                      r"zones/[^/]+/imageFamilyView(s)/)([^/]+)$", src)
        if not m:
            raise invalid(f"Invalid value for field 'resource.sourceImage': '{src}'.")
        try:
            fam = ["family"] if m.group(2) or m.group(3) else []
            return self.images(m.group(1), fam + [m.group(4)])
        except ApiError:
            raise invalid(f"Invalid value for field 'resource.sourceImage': '{src}'. "
                          "The referenced image resource cannot be found.")

    def build_disks(self, zone, o):
        f = self.f
        size = self.disk_fields(zone, o, o["name"])
        r = f.region_of(zone)
        if zone in f.exhausted:
            return self.exhausted_error(zone), []
        if f.usage(r)["DISKS_TOTAL_GB"] + size > f.limit(r, "DISKS_TOTAL_GB"):
            return self.quota_error("DISKS_TOTAL_GB", r), []
        o["users"] = []
        return None, []

    def exhausted_error(self, zone):
        return ("ZONE_RESOURCE_POOL_EXHAUSTED",
                f"The zone 'projects/{self.f.project}/zones/{zone}' does not have enough "
                "resources available to fulfill the request.  Try a different zone, or try "
                "again later.", 503)

    def internal_ip(self, sub, want=None):
        f = self.f
        net = ipaddress.ip_network(sub["ipCidrRange"])
        used = {n.get("networkIP") for i in f.res["instances"].values()
                for n in i["networkInterfaces"]}
        used |= {a["address"] for a in f.res["addresses"].values()
                 if a.get("subnetwork") == sub["selfLink"]}
        if want:
            if ipaddress.ip_address(want) not in net:
                raise invalid(f"Invalid value for field 'resource.networkInterfaces[0].networkIP': "
                              f"'{want}'. Requested internal IP is outside the subnetwork CIDR range.")
            if want in used:
                raise invalid(f"IP '{want}' is already being used by another resource.")
            return want
        for off in range(11, net.num_addresses - 2):
            ip = str(net.network_address + off)
            if ip not in used:
                return ip
        raise ApiError(400, "IP_SPACE_EXHAUSTED",
                       f"IP space of '{sub['selfLink'].split('/compute/v1/')[1]}' is exhausted.")

    def build_instances(self, zone, o):
        f = self.f
        proj_zone = f"projects/{f.project}/zones/{zone}"
        mt = last(o.get("machineType", ""))
        if mt not in MACHINE_TYPES:
            raise invalid(f"Invalid value for field 'resource.machineType': "
                          f"'{o.get('machineType')}'. Machine type with name '{mt}' does not "
                          f"exist in zone '{zone}'.")
        o["machineType"] = f.link("zones", zone, "machineTypes", mt)
        region = f.region_of(zone)
        nics = o.get("networkInterfaces") or []
        if not nics:
            raise ApiError(400, "required", "Required field 'resource.networkInterfaces' "
                           "not specified", "INVALID_ARGUMENT")
        disks = o.get("disks") or []
        if not any(d.get("boot") for d in disks):
            raise invalid("Invalid value for field 'resource.disks': ''. "
                          "Boot disk must be specified.")
        inst_link = f.link("zones", zone, "instances", o["name"])
        extra, new_gb = [], 0
        for idx, d in enumerate(disks):
            d.setdefault("type", "PERSISTENT")
            d.setdefault("mode", "READ_WRITE")
            d["kind"] = "compute#attachedDisk"
            d["index"] = idx
            d.setdefault("interface", "SCSI")
            d.setdefault("autoDelete", False)
            d.setdefault("boot", False)
            ip = d.pop("initializeParams", None)
            if ip is not None:
                dname = ip.get("diskName") or (o["name"] if d["boot"] else f"{o['name']}-{idx}")
                if (zone, dname) in f.res["disks"]:
                    raise ApiError(409, "alreadyExists",
                                   f"The resource '{proj_zone}/disks/{dname}' already exists",
                                   "ALREADY_EXISTS")
                dobj = {"type": ip.get("diskType"), "sizeGb": ip.get("diskSizeGb"),
                        "sourceImage": ip.get("sourceImage"),
                        "labels": ip.get("labels") or {}, "users": [inst_link]}
                if d["boot"] and not ip.get("sourceImage"):
                    raise invalid("Invalid value for field 'resource.disks[0].initializeParams"
                                  ".sourceImage': ''. Boot disk must have a source image.")
                new_gb += self.disk_fields(zone, dobj, dname)
                dobj = f.mk("disks", f.project, zone, dname, dobj)
                dobj["users"] = [inst_link]
                extra.append(("disks", (zone, dname), dobj))
                d["source"] = dobj["selfLink"]
                d["diskSizeGb"] = dobj["sizeGb"]
            else:
                dobj = self.resolve(d.get("source", ""), "disks", zone)
                if dobj is None:
                    raise invalid(f"Invalid value for field 'resource.disks[{idx}].source': "
                                  f"'{d.get('source')}'. The referenced disk resource cannot "
                                  "be found.")
                if dobj["users"] and d["mode"] == "READ_WRITE":
                    raise ApiError(400, "resourceInUseByAnotherResource",
                                   f"The disk resource '{proj_zone}/disks/{dobj['name']}' is "
                                   f"already being used by '{dobj['users'][0].split('/compute/v1/')[1]}'",
                                   "FAILED_PRECONDITION")
                d["source"] = dobj["selfLink"]
                d["diskSizeGb"] = dobj["sizeGb"]
            d.setdefault("deviceName", last(d["source"]))
        u = f.usage(region)
        if zone in f.exhausted:
            return self.exhausted_error(zone), []
        for metric, add in (("CPUS", MACHINE_TYPES[mt][0]), ("INSTANCES", 1),
                            ("DISKS_TOTAL_GB", new_gb),
                            ("IN_USE_ADDRESSES", sum(1 for n in nics for ac in
                                                     n.get("accessConfigs", [])))):
            if add and u[metric] + add > f.limit(region, metric):
                return self.quota_error(metric, region), []
        for i, n in enumerate(nics):
            sub = self.resolve(n.get("subnetwork", ""), "subnetworks", region)
            net = self.resolve(n.get("network") or "global/networks/default", "networks")
            if sub is None and n.get("subnetwork"):
                raise invalid(f"Invalid value for field 'resource.networkInterfaces[{i}]"
                              f".subnetwork': '{n['subnetwork']}'. The referenced subnetwork "
                              "resource cannot be found.")
            if sub is None and net is not None:
                subs = [s for s in f.res["subnetworks"].values()
                        if s["network"] == net["selfLink"] and last(s["region"]) == region]
                sub = subs[0] if subs else None
            if sub is None:
                raise invalid(f"Invalid value for field 'resource.networkInterfaces[{i}]"
                              f".network': '{n.get('network')}'. The referenced network "
                              "resource cannot be found, or has no subnetwork in region "
                              f"'{region}'.")
            n["kind"] = "compute#networkInterface"
            n["name"] = f"nic{i}"
            n["subnetwork"] = sub["selfLink"]
            n["network"] = sub["network"]
            n["networkIP"] = self.internal_ip(sub, n.get("networkIP"))
            n["fingerprint"] = secrets.token_hex(6)
            n["stackType"] = "IPV4_ONLY"
            for ac in n.get("accessConfigs", []):
                ac["kind"] = "compute#accessConfig"
                ac.setdefault("type", "ONE_TO_ONE_NAT")
                ac.setdefault("name", "External NAT")
                ac.setdefault("networkTier", "PREMIUM")
                if ac.get("natIP"):
                    a = [x for x in f.res["addresses"].values() if x["address"] == ac["natIP"]]
                    if not a or a[0]["status"] == "IN_USE":
                        raise invalid(f"Invalid value for field 'resource.networkInterfaces[{i}]"
                                      f".accessConfigs[0].natIP': '{ac['natIP']}'. The specified "
                                      "external IP address is not reserved or is in use.")
                    a[0]["status"] = "IN_USE"
                    a[0]["users"] = [inst_link]
                else:
                    ac["natIP"] = self.nat_ip()
        o.setdefault("scheduling", {"onHostMaintenance": "MIGRATE", "automaticRestart": True,
                                    "preemptible": False, "provisioningModel": "STANDARD"})
        o.setdefault("metadata", {"kind": "compute#metadata"})
        o["metadata"]["fingerprint"] = secrets.token_hex(6)
        o.setdefault("tags", {})
        o["tags"]["fingerprint"] = secrets.token_hex(6)
        o["cpuPlatform"] = "Intel Broadwell"
        o["status"] = "PROVISIONING"
        o["_t"] = time.time()
        o["canIpForward"] = o.get("canIpForward", False)
        o["startRestricted"] = False
        o["deletionProtection"] = o.get("deletionProtection", False)
        o["fingerprint"] = secrets.token_hex(6)
        return None, extra

    def instance_gone(self, zone, inst):
        f = self.f
        link = inst["selfLink"]
        for d in inst["disks"]:
            dobj = self.resolve(d["source"], "disks", zone)
            if dobj is None:
                continue
            dobj["users"] = [u for u in dobj["users"] if u != link]
            if d.get("autoDelete"):
                f.res["disks"].pop((zone, dobj["name"]), None)
        for n in inst["networkInterfaces"]:
            for ac in n.get("accessConfigs", []):
                f.used_nat.discard(ac.get("natIP"))
                for a in f.res["addresses"].values():
                    if a["address"] == ac.get("natIP"):
                        a["status"], a["users"] = "RESERVED", []
        for p in f.res["targetPools"].values():
            if link in p.get("instances", []):
                p["instances"].remove(link)


# ---------------------------------------------------------------------------
# OAuth token endpoint

GRANT_SKEW = ("Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
              "reasonable timeframe. Check your iat and exp values in the JWT claim.")


def token_exchange(fake, form):
    """(http status, JSON body) for a POST /token form."""
    def bad(desc, err="invalid_grant", code=400):
        return code, {"error": err, "error_description": desc}
    if form.get("grant_type") != JWT_BEARER:
        return bad(f"Invalid grant_type: {form.get('grant_type', '')}",
                   "unsupported_grant_type")
    parts = form.get("assertion", "").split(".")
    if len(parts) != 3:
        return bad("Invalid JWT: expected 3 segments")
    try:
        hdr = json.loads(b64url_dec(parts[0]))
        claims = json.loads(b64url_dec(parts[1]))
        sig = b64url_dec(parts[2])
    except (ValueError, UnicodeDecodeError):
        return bad("Invalid JWT: malformed segments")
    if not isinstance(hdr, dict) or not isinstance(claims, dict):
        return bad("Invalid JWT: malformed segments")
    if hdr.get("alg") != "RS256":
        return bad("Invalid JWT: unsupported algorithm " + str(hdr.get("alg")))
    key = None
    for k in fake.keys:
        if k["client_email"] == claims.get("iss") and \
                (hdr.get("kid") in (None, k["private_key_id"])):
            key = k
    if key is None:
        return bad("Invalid grant: account not found")
    if key["private_key_id"] in fake.revoked or \
            not rsa_verify_sha256(key["n"], key["e"],
                                  (parts[0] + "." + parts[1]).encode(), sig):
        return bad("Invalid JWT Signature.")
    if claims.get("aud") != key["token_uri"]:
        return bad("Invalid JWT: Failed audience check. The expected audience is "
                   + key["token_uri"] + ".")
    now = time.time()
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int) or not isinstance(exp, int) or exp <= iat or \
            exp - iat > 3600 or iat > now + 60 or exp < now - 60:
        return bad(GRANT_SKEW)
    if not claims.get("scope"):
        return bad("Invalid OAuth scope or ID token audience provided.", "invalid_scope")
    tok = "ya29.FAKE-" + secrets.token_urlsafe(32)
    fake.tokens[tok] = {"exp": now + 3600, "sub": key["client_email"],
                        "scope": claims["scope"]}
    return 200, {"access_token": tok, "expires_in": 3599, "token_type": "Bearer"}


# ---------------------------------------------------------------------------
# HTTP

class Handler(BaseHTTPRequestHandler):
    server_version = "gce-fake/1 (FAKE Compute Engine, not Google)"
    protocol_version = "HTTP/1.1"
    fake = None
    api = None

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (time.strftime("%H:%M:%S"), fmt % args))

    def send_json(self, code, obj, headers=None):
        data = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise ApiError(413, "badRequest", "Request too large")
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def dispatch(self, method):
        u = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
        try:
            body = self.read_body()
        except ApiError as e:
            self.close_connection = True
            return self.send_json(e.code, e.body())
        if u.path == "/token" and method == "POST":
            form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
            with self.fake.lock:
                code, out = token_exchange(self.fake, form)
            return self.send_json(code, out)
        if u.path.startswith("/_fake/"):
            return self.control(method, u.path, body)
        if u.path == BATCH and method == "POST":
            return self.batch(body)
        code, out, hdrs = self.call(method, u.path, query, body,
                                    self.headers.get("Authorization", ""))
        self.send_json(code, out, hdrs)

    def call(self, method, path, query, body, auth):
        """(status, JSON, headers) of one API call (also a batch part)."""
        f = self.fake
        try:
            with f.lock:
                f.stats["calls"] += 1
                f.advance()
                self.check_auth(auth)
                self.inject()
                try:
                    data = json.loads(body) if body else None
                except ValueError:
                    raise ApiError(400, "parseError", "Parse Error")
                out = self.api.handle(method, path, query, data)
            if isinstance(out, tuple) and out[0] == "WAIT":
                out = self.wait(out[1])
            return 200, out, {}
        except ApiError as e:
            hdrs = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'} \
                if e.code == 401 else {}
            return e.code, e.body(), hdrs

    def check_auth(self, auth):
        f = self.fake
        if not auth.startswith("Bearer "):
            raise ApiError(401, "required",
                           "Request is missing required authentication credential. Expected "
                           "OAuth 2 access token, login cookie or other valid authentication "
                           "credential.", "UNAUTHENTICATED",
                           extra={"location": "Authorization", "locationType": "header"})
        t = f.tokens.get(auth[7:].strip())
        if t is None or t["exp"] < time.time():
            raise ApiError(401, "authError",
                           "Request had invalid authentication credentials. Expected OAuth 2 "
                           "access token, login cookie or other valid authentication "
                           "credential.", "UNAUTHENTICATED",
                           extra={"location": "Authorization", "locationType": "header"})

    def inject(self):
        f = self.fake
        hit = False
        if f.fail_next > 0:
            f.fail_next -= 1
            hit = True
        elif f.fail_every and f.stats["calls"] % f.fail_every == 0:
            hit = True
        if not hit:
            return
        f.stats["errors_injected"] += 1
        if f.fail_code == 429:
            raise ApiError(429, "rateLimitExceeded", "Rate Limit Exceeded",
                           "RESOURCE_EXHAUSTED", domain="usageLimits")
        raise ApiError(503, "backendError",
                       "Internal error. Please try again or contact Google Support.",
                       "UNAVAILABLE")

    def wait(self, name):
        """operations.wait: returns when DONE or after 2 minutes."""
        f = self.fake
        end = time.time() + 120
        while True:
            with f.lock:
                f.advance()
                op = public(f.ops[name])
            if op["status"] == "DONE" or time.time() >= end:
                return op
            time.sleep(0.05)

    def batch(self, body):
        """gcloud's batch: multipart/mixed of application/http parts."""
        ctype = self.headers.get("Content-Type", "")
        m = re.search(r'boundary="?([^";]+)"?', ctype)
        if not m:
            return self.send_json(400, ApiError(400, "badRequest",
                                                "Batch without a boundary").body())
        parts = body.split(b"--" + m.group(1).encode())
        out_b = "batch_" + secrets.token_hex(8)
        chunks = []
        for p in parts[1:]:
            if p.startswith(b"--"):
                break
            head, _, inner = p.lstrip(b"\r\n").partition(b"\r\n\r\n")
            if not _:
                head, _, inner = p.lstrip(b"\n").partition(b"\n\n")
            cid = re.search(rb"Content-ID:\s*<([^>]*)>", head, re.I)
            reqline, _, rest = inner.partition(b"\n")
            hdrs, _, rbody = rest.replace(b"\r\n", b"\n").partition(b"\n\n")
            method, url = reqline.decode().split()[:2]
            auth = ""
            for ln in hdrs.decode().split("\n"):
                k, _, v = ln.partition(":")
                if k.strip().lower() == "authorization":
                    auth = v.strip()
            auth = auth or self.headers.get("Authorization", "")
            u = urllib.parse.urlsplit(url)
            q = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
            code, res, _ = self.call(method, u.path, q, rbody.strip(), auth)
            data = json.dumps(res)
            chunks.append(
                f"--{out_b}\r\nContent-Type: application/http\r\n"
                f"Content-ID: <response-{cid.group(1).decode() if cid else ''}>\r\n\r\n"
                f"HTTP/1.1 {code} {'OK' if code == 200 else 'Error'}\r\n"
                f"Content-Type: application/json; charset=UTF-8\r\n"
                f"Content-Length: {len(data)}\r\n\r\n{data}\r\n")
        data = ("".join(chunks) + f"--{out_b}--\r\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", f"multipart/mixed; boundary={out_b}")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def control(self, method, path, body):
        f = self.fake
        with f.lock:
            f.advance()
            if path == "/_fake/stats" and method == "GET":
                return self.send_json(200, dict(f.stats, fake="gce-fake: FAKE Compute Engine",
                                                resources={c: len(v) for c, v in f.res.items()}))
            if path == "/_fake/state" and method == "GET":
                return self.send_json(200, {c: [public(o) for o in v.values()]
                                            for c, v in f.res.items()})
            if path != "/_fake/control" or method != "POST":
                return self.send_json(404, {"error": "FAKE: unknown test path " + path})
            try:
                c = json.loads(body or b"{}")
                if c.get("reset"):
                    f.reset()
                if "op_delay" in c:
                    f.op_delay = float(c["op_delay"])
                if "fail_code" in c:
                    if int(c["fail_code"]) not in (429, 503):
                        raise ValueError("fail_code must be 429 or 503")
                    f.fail_code = int(c["fail_code"])
                if "fail_every" in c:
                    f.fail_every = int(c["fail_every"])
                if "fail_next" in c:
                    f.fail_next = int(c["fail_next"])
                for r, q in (c.get("quotas") or {}).items():
                    if r not in REGIONS or any(m not in DEFAULT_QUOTAS for m in q):
                        raise ValueError(f"unknown region or metric in quotas: {r} {q}")
                    f.quotas.setdefault(r, {}).update({m: int(v) for m, v in q.items()})
                if "exhausted_zones" in c:
                    f.exhausted = set(c["exhausted_zones"])
                if "revoked_kids" in c:
                    f.revoked = set(c["revoked_kids"])
                if c.get("expire_tokens"):
                    f.tokens.clear()
            except (ValueError, TypeError, AttributeError) as e:
                return self.send_json(400, {"error": f"FAKE control: {e}"})
            return self.send_json(200, {"ok": True})


def load_key(path, port):
    try:
        with open(path) as fh:
            k = json.load(fh)
        if k.get("type") != "service_account":
            raise ValueError("not a service-account key (type is not service_account)")
        n, e = rsa_pub_from_pem(k["private_key"])
        return {"client_email": k["client_email"], "private_key_id": k["private_key_id"],
                "token_uri": k.get("token_uri") or f"http://127.0.0.1:{port}/token",
                "n": n, "e": e}
    except (OSError, ValueError, KeyError, IndexError) as ex:
        sys.exit(f"gce-fake: error: cannot use key {path}: {ex}")


def main():
    ap = argparse.ArgumentParser(description="FAKE Compute Engine for icm's tests")
    ap.add_argument("--port", type=int, default=8089)
    ap.add_argument("--key", action="append", default=[],
                    help="service-account key JSON whose JWTs /token accepts")
    ap.add_argument("--project", default="icm-test")
    ap.add_argument("--op-delay", type=float, default=0.3)
    a = ap.parse_args()
    if not a.key:
        sys.exit("gce-fake: error: give at least one --key KEY.json")
    keys = [load_key(p, a.port) for p in a.key]
    fake = Fake(a.project, keys, a.op_delay, a.port)
    Handler.fake, Handler.api = fake, Api(fake)
    try:
        srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    except OSError as ex:
        sys.exit(f"gce-fake: error: cannot listen on 127.0.0.1:{a.port}: {ex}")
    srv.daemon_threads = True
    print(f"gce-fake: FAKE Compute Engine on http://127.0.0.1:{a.port}{API} "
          f"project {a.project}", file=sys.stderr, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
