#!/usr/bin/env python3
"""release/sbom.py - write the SPDX 2.3 JSON document of an icm release.

    release/sbom.py --version 0.1.0 --output out/icm-0.1.0.spdx.json \\
        --sysroot amd64=build/sysroot [--sysroot arm64=build/arm64/sysroot] \\
        [--artifacts SUMS] [--manifest vendor/MANIFEST] [--root .] \\
        [--cache vendor/cache] [--work build/work]

What it says (Python standard library only):
  - icm itself (the version, the license of the repository's LICENSE);
  - each library linked into it, named as `icm version` names it, with the
    upstream version, the SHA256 of its source (.orig tarball), the Debian
    source package and revision it came from, its declared license;
  - every patch applied to a library (share/sbom/PKG.patches of each
    sysroot, written by vendor/deps.sh) as a file with SHA1 and SHA256,
    PATCH_APPLIED to its library; icm STATIC_LINK each library;
  - the release artifacts of SUMS (sha256sum format: "SHA256  NAME"), each
    CONTAINS icm; the document DESCRIBES icm and each artifact.

Timestamps come from SOURCE_DATE_EPOCH (required); the documentNamespace is
derived from the version and a hash of the content. Same inputs, same bytes.
Exit status: 0 written, 1 an input is missing or inconsistent (the message
names the file), 2 usage.
"""

import argparse
import hashlib
import io
import json
import os
import re
import sys
import tarfile
import time

# The libraries icm links, in the order and with the names `icm version`
# prints them. pkg is vendor/MANIFEST's name (and vendor/patches/PKG).
COMPONENTS = (
    # pkg, name, licenseDeclared, originator, homepage
    ("musl", "musl", "MIT", "Person: Rich Felker",
     "https://musl.libc.org/"),
    ("bearssl", "BearSSL", "MIT", "Person: Thomas Pornin",
     "https://bearssl.org/"),
    ("curl", "libcurl", "curl", "Person: Daniel Stenberg",
     "https://curl.se/"),
    ("cjson", "cJSON", "MIT", "Person: Dave Gamble",
     "https://github.com/DaveGamble/cJSON"),
    ("libssh2", "libssh2", "BSD-3-Clause", "Organization: libssh2 project",
     "https://libssh2.org/"),
)
# Every source file came from Debian's archive (vendor/MANIFEST).
SUPPLIER = "Organization: Debian"
NAMESPACE_BASE = "https://spdx.org/spdxdocs/"
HEX64 = re.compile(r"^[0-9a-f]{64}$")
MAX_INPUT = 64 << 20          # no input file of ours is near this


class Fail(Exception):
    """An input is missing or inconsistent: the message names it."""


def read_bytes(path, what):
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_INPUT + 1)
    except OSError as e:
        raise Fail(f"{path}: cannot read {what}: {e.strerror}") from None
    if len(data) > MAX_INPUT:
        raise Fail(f"{path}: {what} is over {MAX_INPUT} bytes")
    return data


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def spdx_id(*parts):
    """SPDXRef-<parts>, each reduced to the characters SPDX allows."""
    return "SPDXRef-" + "-".join(re.sub(r"[^A-Za-z0-9.]+", "-", p).strip("-")
                                 for p in parts)


# ------------------------------------------------------------------ inputs

def read_manifest(path):
    """vendor/MANIFEST -> {pkg: {version, orig, debian, debsrc, url}};
    orig and debian are (file, sha256)."""
    out = {}
    text = read_bytes(path, "the source manifest").decode("utf-8")
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        f = line.split()
        if len(f) != 6 or not HEX64.match(f[3]) or "=" not in f[4]:
            raise Fail(f"{path}:{n}: not 'PKG VERSION FILE SHA256 "
                       f"DEBSRC=REV URL'")
        pkg, ver, file, sha, debsrc, url = f
        e = out.setdefault(pkg, {"version": ver, "debsrc": debsrc})
        if e["version"] != ver or e["debsrc"] != debsrc:
            raise Fail(f"{path}:{n}: {pkg}: version or Debian source "
                       f"differs from its first line")
        if ".orig.tar." in file:
            e["orig"] = (file, sha)
            e["url"] = url
        elif ".debian.tar." in file:
            e["debian"] = (file, sha)
        else:
            raise Fail(f"{path}:{n}: {file}: neither a .orig nor a "
                       f".debian tarball")
    known = {c[0] for c in COMPONENTS}
    for pkg, e in out.items():
        if pkg not in known:
            raise Fail(f"{path}: names '{pkg}', which release/sbom.py does "
                       f"not know: add it to COMPONENTS")
        if "orig" not in e:
            raise Fail(f"{path}: {pkg} has no .orig tarball line")
    for pkg in sorted(known - set(out)):
        raise Fail(f"{path}: has no line for {pkg}")
    return out


def read_patch_list(path):
    """A sysroot's share/sbom/PKG.patches -> [(kind, name, sha256)]."""
    out = []
    text = read_bytes(path, "the list of applied patches").decode("utf-8")
    for n, line in enumerate(text.splitlines(), 1):
        f = line.split()
        if not f:
            continue
        if (len(f) != 3 or f[0] not in ("debian", "icm")
                or not HEX64.match(f[2])):
            raise Fail(f"{path}:{n}: not 'debian NAME SHA256' or "
                       f"'icm PATH SHA256'")
        out.append((f[0], f[1], f[2]))
    return out


def read_artifacts(path):
    """sha256sum-format list -> [(name, sha256)], as given."""
    out = []
    text = read_bytes(path, "the list of artifacts").decode("utf-8")
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = re.match(r"^([0-9a-f]{64}) [ *]([^/\s]+)$", line)
        if not m:
            raise Fail(f"{path}:{n}: not 'SHA256  NAME' (sha256sum format, "
                       f"a file name without a directory)")
        out.append((m.group(2), m.group(1)))
    return out


def icm_license(root):
    """The SPDX id of the repository's LICENSE (NOASSERTION if absent)."""
    path = os.path.join(root, "LICENSE")
    if not os.path.exists(path):
        print(f"sbom: warning: {path} is missing: icm's license is "
              f"NOASSERTION", file=sys.stderr)
        return "NOASSERTION"
    text = " ".join(read_bytes(path, "icm's license").decode().split())
    if ("Permission is hereby granted, free of charge, to any person "
            "obtaining a copy of this software" in text):
        return "MIT"
    raise Fail(f"{path}: not a license release/sbom.py recognises "
               f"(it knows MIT): add its SPDX id")


class PatchSource:
    """Finds the bytes of a patch named in a .patches list and checks them
    against the sha256 the list records."""

    def __init__(self, root, cache, work, manifest):
        self.root, self.cache, self.work = root, cache, work
        self.manifest = manifest
        self.debian = {}      # pkg -> {name: bytes} from the debian tarball

    def _debian_patches(self, pkg):
        if pkg in self.debian:
            return self.debian[pkg]
        found = {}
        deb = self.manifest[pkg].get("debian")
        path = deb and os.path.join(self.cache, deb[0])
        if path and os.path.exists(path):
            data = read_bytes(path, "a Debian tarball")
            if sha256(data) != deb[1]:
                raise Fail(f"{path}: sha256 differs from vendor/MANIFEST")
            with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                for m in tar.getmembers():
                    if m.isfile() and m.name.startswith("debian/patches/"):
                        found[m.name[len("debian/patches/"):]] = \
                            tar.extractfile(m).read()
        self.debian[pkg] = found
        return found

    def get(self, pkg, kind, name, want):
        """(bytes, where) of the patch; Fail when absent or different."""
        if kind == "icm":
            rel = os.path.normpath(name)
            if rel.startswith("..") or os.path.isabs(rel):
                raise Fail(f"{pkg}: patch path {name} leaves the tree")
            where = os.path.join(self.root, rel)
            data = read_bytes(where, f"{pkg}'s patch")
        else:
            data = self._debian_patches(pkg).get(name)
            where = f"{self.manifest[pkg].get('debian', ('?',))[0]}:" \
                    f"debian/patches/{name}"
            if data is None:
                where = os.path.join(self.work, pkg, "debian", "patches",
                                     name)
                data = read_bytes(where, f"{pkg}'s Debian patch")
        if sha256(data) != want:
            raise Fail(f"{where}: sha256 {sha256(data)} is not the "
                       f"{want} the sysroot's {pkg}.patches records "
                       f"(the sysroot was built from other patches)")
        return data


# ---------------------------------------------------------------- document

def purl_deb(debsrc):
    name, rev = debsrc.split("=", 1)
    rev = rev.replace("%", "%25").replace("+", "%2B").replace(":", "%3A")
    return f"pkg:deb/debian/{name}@{rev}?arch=source"


def component_package(pkg, name, lic, originator, homepage, m):
    orig_file, orig_sha = m["orig"]
    src = f"Debian source package {m['debsrc']}: {orig_file} (upstream " \
          f"source)"
    if "debian" in m:
        src += f" and {m['debian'][0]} (sha256 {m['debian'][1]})"
    if pkg == "libssh2":
        src += "; built on icm's BearSSL crypto backend " \
               "(vendor/libssh2-bearssl/)"
    url = m.get("url", "-")
    return {
        "SPDXID": spdx_id("Package", name),
        "name": name,
        "versionInfo": m["version"],
        "packageFileName": orig_file,
        "downloadLocation": url if url != "-" else "NOASSERTION",
        "checksums": [{"algorithm": "SHA256", "checksumValue": orig_sha}],
        "sourceInfo": src + ".",
        "supplier": SUPPLIER,
        "originator": originator,
        "homepage": homepage,
        "licenseDeclared": lic,
        "licenseConcluded": "NOASSERTION",
        "copyrightText": "NOASSERTION",
        "filesAnalyzed": False,
        "primaryPackagePurpose": "LIBRARY",
        "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER",
                          "referenceType": "purl",
                          "referenceLocator": purl_deb(m["debsrc"])}],
    }


def patch_files(pkg, name, lists, source):
    """lists: [(arch, [(kind, pname, sha)])] -> [(file element, kind)],
    each distinct patch once, in the order of the first arch's list."""
    seen = {}
    for arch, entries in lists:
        counts = {"debian": 0, "icm": 0}
        for kind, pname, sha in entries:
            counts[kind] += 1
            key = (kind, pname, sha)
            if key not in seen:
                seen[key] = {"arches": [], "pos": counts[kind]}
            seen[key]["arches"].append(arch)
    all_arches = [a for a, _ in lists]
    out = []
    for (kind, pname, sha), info in seen.items():
        data = source.get(pkg, kind, pname, sha)
        if kind == "icm":
            file_name = "./" + os.path.normpath(pname)
            who = "icm's patch"
        else:
            file_name = f"./{pkg}/debian/patches/{pname}"
            who = "Debian's patch"
        arches = info["arches"]
        where = "every architecture" if arches == all_arches else \
            "only " + ", ".join(arches)
        out.append({
            "SPDXID": spdx_id("Patch", pkg, kind, pname),
            "fileName": file_name,
            "fileTypes": ["SOURCE"],
            "checksums": [
                {"algorithm": "SHA1",
                 "checksumValue": hashlib.sha1(data).hexdigest()},
                {"algorithm": "SHA256", "checksumValue": sha}],
            "licenseConcluded": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "comment": f"{who} number {info['pos']} applied to {name} "
                       f"({where}).",
        })
    return out


def build(args):
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if not epoch.isdigit():
        raise Fail("SOURCE_DATE_EPOCH is not set to a number of seconds "
                   "(release.sh sets it: git log -1 --format=%ct)")
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))
    ver = args.version
    manifest = read_manifest(args.manifest)
    source = PatchSource(args.root, args.cache, args.work, manifest)

    icm = {
        "SPDXID": spdx_id("Package", "icm"),
        "name": "icm",
        "versionInfo": ver,
        "downloadLocation": "NOASSERTION",
        "supplier": "NOASSERTION",
        "licenseDeclared": icm_license(args.root),
        "licenseConcluded": "NOASSERTION",
        "copyrightText": "NOASSERTION",
        "filesAnalyzed": False,
        "primaryPackagePurpose": "APPLICATION",
        "builtDate": created,
        "comment": "InterSystems Cloud Manager re-implemented in C: one "
                   "static musl binary per architecture ("
                   + ", ".join(a for a, _ in args.sysroot) + ").",
    }
    packages, files = [icm], []
    rels = [rel("SPDXRef-DOCUMENT", "DESCRIBES", icm["SPDXID"])]
    for pkg, name, lic, orig, home in COMPONENTS:
        p = component_package(pkg, name, lic, orig, home, manifest[pkg])
        packages.append(p)
        rels.append(rel(icm["SPDXID"], "STATIC_LINK", p["SPDXID"]))
        lists = [(arch, read_patch_list(
            os.path.join(root, "share", "sbom", pkg + ".patches")))
            for arch, root in args.sysroot]
        for f in patch_files(pkg, name, lists, source):
            files.append(f)
            rels.append(rel(f["SPDXID"], "PATCH_APPLIED", p["SPDXID"]))
    for aname, asha in (read_artifacts(args.artifacts)
                        if args.artifacts else []):
        a = {
            "SPDXID": spdx_id("Artifact", aname),
            "name": aname,
            "versionInfo": ver,
            "packageFileName": aname,
            "downloadLocation": "NOASSERTION",
            "checksums": [{"algorithm": "SHA256", "checksumValue": asha}],
            "supplier": "NOASSERTION",
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "filesAnalyzed": False,
            "primaryPackagePurpose": "ARCHIVE",
            "builtDate": created,
        }
        packages.append(a)
        rels.append(rel("SPDXRef-DOCUMENT", "DESCRIBES", a["SPDXID"]))
        rels.append(rel(a["SPDXID"], "CONTAINS", icm["SPDXID"]))
    ids = [e["SPDXID"] for e in packages + files]
    if len(ids) != len(set(ids)):
        raise Fail("two elements got the same SPDXID: "
                   + ", ".join(sorted({i for i in ids if ids.count(i) > 1})))

    doc = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"icm-{ver}",
        "creationInfo": {"created": created,
                         "creators": [f"Tool: icm-release-{ver}"]},
        "packages": packages,
        "files": files,
        "relationships": rels,
    }
    digest = sha256(json.dumps(doc, sort_keys=True,
                               separators=(",", ":")).encode())
    doc["documentNamespace"] = f"{NAMESPACE_BASE}icm-{ver}-{digest}"
    return doc


def rel(a, kind, b):
    return {"spdxElementId": a, "relationshipType": kind,
            "relatedSpdxElement": b}


def arch_dir(s):
    arch, sep, path = s.partition("=")
    if not sep or not re.match(r"^[a-z0-9_]+$", arch) or not path:
        raise argparse.ArgumentTypeError(f"'{s}' is not ARCH=DIR")
    return (arch, path)


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(
        prog="release/sbom.py",
        description="Write the SPDX 2.3 JSON document of an icm release.")
    ap.add_argument("--version", required=True,
                    help="icm's version (ICM_VERSION in src/icm.h)")
    ap.add_argument("--output", required=True, help="the file to write")
    ap.add_argument("--sysroot", required=True, action="append",
                    type=arch_dir, metavar="ARCH=DIR",
                    help="a sysroot icm was linked against (repeatable)")
    ap.add_argument("--artifacts", metavar="SUMS",
                    help="release files, sha256sum format")
    ap.add_argument("--root", default=root, help="the source tree")
    ap.add_argument("--manifest", help="default ROOT/vendor/MANIFEST")
    ap.add_argument("--cache", help="default ROOT/vendor/cache")
    ap.add_argument("--work", help="default ROOT/build/work")
    args = ap.parse_args(argv)
    args.manifest = args.manifest or os.path.join(args.root, "vendor",
                                                  "MANIFEST")
    args.cache = args.cache or os.path.join(args.root, "vendor", "cache")
    args.work = args.work or os.path.join(args.root, "build", "work")
    if not re.match(r"^[0-9A-Za-z.+~-]+$", args.version):
        ap.error(f"--version '{args.version}' is not a version")
    if len({a for a, _ in args.sysroot}) != len(args.sysroot):
        ap.error("an architecture is given twice")
    try:
        doc = build(args)
        text = json.dumps(doc, indent=2, sort_keys=True,
                          ensure_ascii=True) + "\n"
        tmp = args.output + ".tmp"
        with open(tmp, "w", encoding="ascii") as f:
            f.write(text)
        os.replace(tmp, args.output)
    except Fail as e:
        print(f"sbom: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"sbom: error: {args.output}: {e.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
