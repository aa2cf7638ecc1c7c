#!/usr/bin/python3
# mkimage.py: the ICM image, built without any Docker daemon (Python
# standard library only), byte-identical on every run with the same inputs.
#
#   release/mkimage.py OUTDIR [--version V] [--repo icm] [--arch amd64=build/icm]
#                      [--arch arm64=build/arm64/icm] [--samples-icm build/icm]
#                      [--sysroot ARCH=DIR] [--cache vendor/cache] [--source URL]
#
# writes to OUTDIR:
#   icm-image-V-linux-ARCH.tar  per architecture: `docker load`-able (the
#       docker-archive manifest.json + repositories that Debian's dockerd 20.10
#       reads) and, in the same tar, an OCI image layout (oci-layout,
#       index.json, blobs/sha256/), as `docker save` writes since Docker 25;
#       tagged REPO:V
#   icm-image-V.oci.tar  an OCI image layout whose index.json names one image
#       index over every architecture built (platform linux/amd64,
#       linux/arm64/v8), tagged V
#   icm-image-V.digests  one line per architecture "linux/ARCH[/VARIANT]
#       sha256:..." (its manifest's digest) and "index sha256:..."
#
# The image (two layers):
#   base  /bin/busybox (Debian's busybox-static for the architecture, pinned
#         with its sha256 in release/MANIFEST, read from vendor/cache/; run
#         release/fetch-image-inputs.sh first) and links for the applets the
#         guide's work in the container needs (sh, vi, less, ls, cat, cp,
#         grep, sed, tar, ...), its copyright file, /etc/passwd, /etc/group,
#         /etc/profile, /tmp and /home/icm (1777: HOME for any uid), /root
#   icm   /ICM/bin/icm (the architecture's binary), /ICM/bin/keygenSSH.sh and
#         keygenTLS.sh (embedded/scripts/), /Samples (what `icm samples`
#         writes, made by running the --samples-icm binary here),
#         /etc/ssl/certs/ca-certificates.crt (the sysroot's CA bundle),
#         /usr/share/doc/icm/ (LICENSE of the repository when present, and
#         each component's license texts from the sysroot's
#         share/licenses/<pkg>/ when present)
#   config Entrypoint ["/ICM/bin/icm"], no Cmd, Env PATH=/ICM/bin:/bin,
#         HOME=/home/icm, ICM_IMAGE=1 (icm's image mode: src/cmd/image.c),
#         WorkingDir /Samples, OCI labels version, licenses (and source with
#         --source)
# The sysroot of a binary is the directory "sysroot" next to it
# (build/sysroot, build/arm64/sysroot) unless --sysroot names it.  Every timestamp is SOURCE_DATE_EPOCH
# (else the last commit's time); owners are 0/0; members are sorted.
import argparse
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import time

sys.dont_write_bytecode = True   # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imagelib import Archive, Layer, canonical_json, sha256  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# arch -> (ELF e_machine, OCI variant)
ARCHES = {"amd64": (62, None), "arm64": (183, "v8")}
APPLETS = [
    "[", "ash", "awk", "base64", "basename", "cat", "chmod", "clear", "cp",
    "cut", "date", "df", "diff", "dirname", "du", "echo", "egrep", "env",
    "expr", "false", "fgrep", "find", "grep", "gunzip", "gzip", "head",
    "hostname", "id", "kill", "less", "ln", "ls", "md5sum", "mkdir", "mktemp",
    "more", "mv", "od", "printf", "ps", "pwd", "readlink", "realpath", "rm",
    "rmdir", "sed", "seq", "sh", "sha256sum", "sleep", "sort", "stat", "tail",
    "tar", "tee", "test", "timeout", "touch", "tr", "true", "uname", "uniq",
    "unzip", "vi", "wc", "which", "whoami", "xargs", "zcat",
]
LICENSES = "MIT AND BSD-3-Clause AND curl AND GPL-2.0-only"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"

PROFILE = b"""# /etc/profile of the ICM image (read by `sh -l`, the shell icm starts
# when the container is run without arguments)
PS1='icm:\\w\\$ '
export PS1
"""


def die(msg):
    sys.stderr.write("mkimage.py: error: %s\n" % msg)
    sys.exit(1)


def read(path, what):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        die("cannot read %s (%s): %s" % (path, what, e.strerror))


def epoch():
    s = os.environ.get("SOURCE_DATE_EPOCH")
    if not s:
        try:
            s = subprocess.run(["git", "-C", TOP, "log", "-1", "--format=%ct"], check=True,
                               capture_output=True, text=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            die("SOURCE_DATE_EPOCH is not set and `git log` cannot give the last commit's time")
    if not s.isdigit():
        die("SOURCE_DATE_EPOCH: expected seconds since 1970, got %r" % s)
    return int(s)


def elf_machine(data, path):
    if data[:4] != b"\x7fELF" or len(data) < 20:
        die("%s is not an ELF binary" % path)
    return int.from_bytes(data[18:20], "little" if data[5] == 1 else "big")


# ---------------------------------------------------------------------------
# inputs

def manifest_entry(pkg, arch):
    """(file, sha256 hex) release/MANIFEST pins for pkg on arch."""
    path = os.path.join(TOP, "release", "MANIFEST")
    for line in read(path, "the pinned image inputs").decode().splitlines():
        f = line.split()
        if not f or f[0].startswith("#"):
            continue
        if len(f) != 5:
            die("%s: malformed line %r" % (path, line))
        if f[0] == pkg and f[1] == arch:
            return f[3], f[4]
    die("%s pins no %s for %s" % (path, pkg, arch))


def deb_files(path, want):
    """{name: bytes} of the members named in want from a .deb's data.tar."""
    data = read(path, "a Debian package")
    if data[:8] != b"!<arch>\n":
        die("%s is not a Debian package (no ar header)" % path)
    pos, tarball = 8, None
    while pos + 60 <= len(data):
        hdr = data[pos:pos + 60]
        name = hdr[:16].decode().strip().rstrip("/")
        size = int(hdr[48:58].decode().strip())
        if name.startswith("data.tar"):
            tarball = data[pos + 60:pos + 60 + size]
        pos += 60 + size + (size & 1)
    if tarball is None:
        die("%s has no data.tar member" % path)
    got = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:*") as t:
        for m in t.getmembers():
            name = m.name[2:] if m.name.startswith("./") else m.name
            if name in want and m.isfile():
                got[name] = t.extractfile(m).read()
    for name in want:
        if name not in got:
            die("%s has no %s" % (path, name))
    return got


def busybox(arch, cache):
    file, want = manifest_entry("busybox-static", arch)
    path = os.path.join(cache, file)
    if not os.path.exists(path):
        die("%s is missing: run release/fetch-image-inputs.sh" % path)
    got = sha256(read(path, "busybox-static"))[7:]
    if got != want:
        die("%s: sha256 %s, but release/MANIFEST pins %s (refused)" % (path, got, want))
    files = deb_files(path, ["bin/busybox", "usr/share/doc/busybox-static/copyright"])
    if elf_machine(files["bin/busybox"], path) != ARCHES[arch][0]:
        die("%s: bin/busybox is not an %s binary" % (path, arch))
    return files


def tree(root):
    """[(relative path, mode, bytes or None for a directory)] sorted."""
    out = []
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            st = os.lstat(p)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                die("%s: a symbolic link (not expected there)" % p)
            out.append((rel, st.st_mode & 0o7777, None if n in dirs else read(p, rel)))
    return sorted(out)


def samples(icm):
    """What `icm samples /Samples` writes, as tree() gives it."""
    with tempfile.TemporaryDirectory(prefix="icm-image-samples.") as tmp:
        dest = os.path.join(tmp, "Samples")
        old = os.umask(0o022)
        try:
            r = subprocess.run([icm, "samples", dest], capture_output=True, text=True,
                               env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"})
        except OSError as e:
            die("cannot run %s samples: %s" % (icm, e.strerror))
        finally:
            os.umask(old)
        if r.returncode != 0:
            die("%s samples failed: %s" % (icm, (r.stderr or r.stdout).strip()[-500:]))
        return tree(dest)


# ---------------------------------------------------------------------------
# the layers

class Entries:
    """Members of a layer by path, written sorted (a parent before its
    children); parent directories are made 0755."""

    def __init__(self):
        self.e = {}

    def _parents(self, path):
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            self.e.setdefault("/".join(parts[:i]), ("dir", 0o755, None))

    def dir(self, path, mode=0o755):
        self._parents(path)
        self.e[path] = ("dir", mode, None)

    def file(self, path, data, mode=0o644):
        self._parents(path)
        self.e[path] = ("file", mode, data)

    def symlink(self, path, target):
        self._parents(path)
        self.e[path] = ("symlink", 0o777, target)

    def layer(self, epoch):
        L = Layer(epoch)
        for path in sorted(self.e):
            kind, mode, data = self.e[path]
            if kind == "dir":
                L.dir(path, mode)
            elif kind == "file":
                L.file(path, data, mode)
            else:
                L.symlink(path, data)
        return L.done()


def base_layer(arch, cache, epoch):
    bb = busybox(arch, cache)
    E = Entries()
    for d in ["dev", "proc", "sys", "etc/ssl/certs"]:
        E.dir(d)
    E.dir("tmp", 0o1777)
    E.dir("home/icm", 0o1777)
    E.dir("root", 0o700)
    E.file("bin/busybox", bb["bin/busybox"], 0o755)
    for a in APPLETS:
        E.symlink("bin/" + a, "busybox")
    E.file("usr/share/doc/busybox-static/copyright", bb["usr/share/doc/busybox-static/copyright"])
    E.file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"
           b"nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    E.file("etc/group", b"root:x:0:\nnogroup:x:65534:\n")
    E.file("etc/profile", PROFILE)
    return E.layer(epoch)


def icm_layer(arch, binary, sysroot, sample_tree, epoch):
    data = read(binary, "the icm binary for " + arch)
    if elf_machine(data, binary) != ARCHES[arch][0]:
        die("%s is not an %s binary" % (binary, arch))
    E = Entries()
    E.file("ICM/bin/icm", data, 0o755)
    for s in ["keygenSSH.sh", "keygenTLS.sh"]:
        E.file("ICM/bin/" + s, read(os.path.join(TOP, "embedded", "scripts", s), s), 0o755)
    E.dir("Samples")
    for rel, mode, content in sample_tree:
        if content is None:
            E.dir("Samples/" + rel, mode)
        else:
            E.file("Samples/" + rel, content, mode)
    E.file("etc/ssl/certs/ca-certificates.crt",
           read(os.path.join(sysroot, "share", "ca-bundle.pem"), "the CA bundle"))
    E.dir("usr/share/doc/icm")
    lic = os.path.join(TOP, "LICENSE")
    if os.path.exists(lic):
        E.file("usr/share/doc/icm/LICENSE", read(lic, "icm's license"))
    lics = os.path.join(sysroot, "share", "licenses")
    if os.path.isdir(lics):
        for rel, mode, content in tree(lics):
            if content is not None:
                E.file("usr/share/doc/icm/" + rel, content)
    return E.layer(epoch)


# ---------------------------------------------------------------------------
# the image and the archives

def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def image(arch, binary, sysroot, sample_tree, a, t):
    """{blobs: {digest: bytes}, manifest: bytes, platform: dict, layers, config}"""
    layers = [base_layer(arch, a.cache, t), icm_layer(arch, binary, sysroot, sample_tree, t)]
    labels = {
        "org.opencontainers.image.title": "icm",
        "org.opencontainers.image.description":
            "InterSystems Cloud Manager re-implemented in one static binary",
        "org.opencontainers.image.version": a.version,
        "org.opencontainers.image.licenses": LICENSES,
        "org.opencontainers.image.created": iso(t),
    }
    if a.source:
        labels["org.opencontainers.image.source"] = a.source
    platform = {"architecture": arch, "os": "linux"}
    if ARCHES[arch][1]:
        platform["variant"] = ARCHES[arch][1]
    config = dict(platform)
    config.update({
        "created": iso(t),
        "config": {
            "Entrypoint": ["/ICM/bin/icm"],
            "Env": ["PATH=/ICM/bin:/bin", "HOME=/home/icm", "ICM_IMAGE=1"],
            "WorkingDir": "/Samples",
            "Labels": labels,
        },
        "rootfs": {"type": "layers", "diff_ids": [sha256(raw) for raw, _ in layers]},
        "history": [
            {"created": iso(t), "created_by": "release/mkimage.py: busybox-static base"},
            {"created": iso(t), "created_by": "release/mkimage.py: icm %s" % a.version},
        ],
    })
    config_b = canonical_json(config)
    manifest = {
        "schemaVersion": 2,
        "mediaType": MT_MANIFEST,
        "config": {"mediaType": MT_CONFIG, "size": len(config_b), "digest": sha256(config_b)},
        "layers": [{"mediaType": MT_LAYER, "size": len(gz), "digest": sha256(gz)}
                   for _, gz in layers],
    }
    manifest_b = canonical_json(manifest)
    blobs = {sha256(config_b): config_b, sha256(manifest_b): manifest_b}
    for _, gz in layers:
        blobs[sha256(gz)] = gz
    return {"blobs": blobs, "manifest": manifest_b, "platform": platform,
            "layers": [sha256(gz) for _, gz in layers], "config": sha256(config_b)}


def full_name(repo, tag):
    """The name containerd records (io.containerd.image.name), as Docker 25's
    save writes it: docker.io/library/ for a one-word repository."""
    first = repo.split("/")[0]
    if "/" not in repo:
        repo = "docker.io/library/" + repo
    elif "." not in first and ":" not in first and first != "localhost":
        repo = "docker.io/" + repo
    return "%s:%s" % (repo, tag)


def blob_path(digest):
    return "blobs/sha256/" + digest[7:]


def desc(mt, data, **more):
    d = {"mediaType": mt, "size": len(data), "digest": sha256(data)}
    d.update(more)
    return d


def oci_layout(ar, img_blobs, top):
    ar.add("oci-layout", canonical_json({"imageLayoutVersion": "1.0.0"}))
    for dg, data in img_blobs.items():
        ar.add(blob_path(dg), data)
    ar.add("index.json", canonical_json({"schemaVersion": 2, "mediaType": MT_INDEX,
                                         "manifests": [top]}))


def arch_archive(img, a, t):
    """One architecture: docker-archive and OCI layout in one tar."""
    ar = Archive(t)
    ref = "%s:%s" % (a.repo, a.version)
    ann = {"io.containerd.image.name": full_name(a.repo, a.version),
           "org.opencontainers.image.ref.name": a.version}
    oci_layout(ar, img["blobs"], desc(MT_MANIFEST, img["manifest"], annotations=ann))
    ar.add("manifest.json", canonical_json([{
        "Config": blob_path(img["config"]), "RepoTags": [ref],
        "Layers": [blob_path(d) for d in img["layers"]]}]))
    ar.add("repositories", canonical_json({a.repo: {a.version: img["config"][7:]}}))
    return ar.bytes()


def index_archive(imgs, a, t):
    """Every architecture: an OCI layout over one image index."""
    index = canonical_json({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [
        desc(MT_MANIFEST, img["manifest"], platform=img["platform"]) for img in imgs]})
    ar = Archive(t)
    blobs = {sha256(index): index}
    for img in imgs:
        blobs.update(img["blobs"])
    ann = {"io.containerd.image.name": full_name(a.repo, a.version),
           "org.opencontainers.image.ref.name": a.version}
    oci_layout(ar, blobs, desc(MT_INDEX, index, annotations=ann))
    return ar.bytes(), sha256(index)


def write(path, data):
    tmp = path + ".tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as e:
        die("cannot write %s: %s" % (path, e.strerror))


def main():
    p = argparse.ArgumentParser(prog="mkimage.py",
                                description="the ICM image (see the header of this file)")
    p.add_argument("outdir")
    p.add_argument("--version", help="image tag (default: ICM_VERSION of src/icm.h)")
    p.add_argument("--repo", default="icm", help="repository name of the tag (default icm)")
    p.add_argument("--arch", action="append", metavar="ARCH=BINARY",
                   help="an architecture (amd64, arm64) and its icm binary; repeatable "
                        "(default amd64=build/icm)")
    p.add_argument("--sysroot", action="append", metavar="ARCH=DIR", default=[],
                   help="the sysroot of an architecture's binary (default: the directory "
                        "sysroot next to the binary)")
    p.add_argument("--samples-icm", default=os.path.join(TOP, "build", "icm"),
                   help="the icm that runs here to write /Samples (default build/icm)")
    p.add_argument("--cache", default=os.path.join(TOP, "vendor", "cache"),
                   help="where release/MANIFEST's files are (default vendor/cache)")
    p.add_argument("--source", help="org.opencontainers.image.source label (a URL)")
    a = p.parse_args()
    if not a.version:
        for line in read(os.path.join(TOP, "src", "icm.h"), "ICM_VERSION").decode().splitlines():
            f = line.split()
            if len(f) == 3 and f[:2] == ["#define", "ICM_VERSION"]:
                a.version = f[2].strip('"')
        if not a.version:
            die("src/icm.h defines no ICM_VERSION")
    arches = []
    for spec in a.arch or ["amd64=" + os.path.join(TOP, "build", "icm")]:
        arch, _, binary = spec.partition("=")
        if arch not in ARCHES or not binary:
            die("--arch %s: expected amd64=BINARY or arm64=BINARY" % spec)
        if arch in [x for x, _ in arches]:
            die("--arch %s given twice" % arch)
        arches.append((arch, binary))
    arches.sort()
    sysroots = {}
    for spec in a.sysroot:
        arch, _, d = spec.partition("=")
        if arch not in ARCHES or not d:
            die("--sysroot %s: expected amd64=DIR or arm64=DIR" % spec)
        sysroots[arch] = d
    if not os.path.isdir(a.outdir):
        die("%s is not a directory" % a.outdir)
    t = epoch()
    sample_tree = samples(a.samples_icm)
    imgs, lines = [], []
    for arch, binary in arches:
        sysroot = sysroots.get(arch) or os.path.join(os.path.dirname(os.path.abspath(binary)),
                                                     "sysroot")
        img = image(arch, binary, sysroot, sample_tree, a, t)
        imgs.append(img)
        name = "icm-image-%s-linux-%s.tar" % (a.version, arch)
        write(os.path.join(a.outdir, name), arch_archive(img, a, t))
        plat = "/".join(x for x in ["linux", arch, ARCHES[arch][1]] if x)
        lines.append("%s %s" % (plat, sha256(img["manifest"])))
        print("mkimage.py: %s (%s, manifest %s)" % (name, plat, sha256(img["manifest"])))
    data, index_digest = index_archive(imgs, a, t)
    name = "icm-image-%s.oci.tar" % a.version
    write(os.path.join(a.outdir, name), data)
    lines.append("index %s" % index_digest)
    print("mkimage.py: %s (index %s)" % (name, index_digest))
    write(os.path.join(a.outdir, "icm-image-%s.digests" % a.version),
          ("\n".join(lines) + "\n").encode())


if __name__ == "__main__":
    main()
