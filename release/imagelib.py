# imagelib.py: what the project's two image builders share (Python standard
# library only): release/mkimage.py (the ICM image) and tests/images/mkimage
# (the test images).  Reproducible by construction: every tar member has a
# fixed mtime, owner 0/0 and the order the caller gives; gzip has mtime 0.
#
#   sha256(data)            "sha256:<hex>" of bytes
#   Layer(epoch)            an image layer built in memory: dir(), file(),
#                           symlink(), then done() -> (tar bytes, gzip bytes)
#   canonical_json(obj)     compact JSON with sorted keys (configs, indexes)
#   Archive(epoch)          an outer archive (docker-archive, OCI layout):
#                           add(name, data) in any order, bytes() writes the
#                           members sorted by name, each directory first
import gzip
import hashlib
import io
import json
import tarfile


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical_json(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


class Layer:
    """A layer tar built in memory: members in the order they are added,
    mtime epoch, owner root (0/0)."""

    def __init__(self, epoch):
        self.epoch = epoch
        self.buf = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buf, mode="w", format=tarfile.PAX_FORMAT)

    def _info(self, name, kind, mode):
        ti = tarfile.TarInfo(name)
        ti.type = kind
        ti.mode = mode
        ti.mtime = self.epoch
        ti.uid = ti.gid = 0
        ti.uname = ti.gname = "root"
        return ti

    def dir(self, name, mode=0o755):
        self.tar.addfile(self._info(name, tarfile.DIRTYPE, mode))

    def file(self, name, data, mode=0o644):
        ti = self._info(name, tarfile.REGTYPE, mode)
        ti.size = len(data)
        self.tar.addfile(ti, io.BytesIO(data))

    def symlink(self, name, target):
        ti = self._info(name, tarfile.SYMTYPE, 0o777)
        ti.linkname = target
        self.tar.addfile(ti)

    def done(self):
        """(uncompressed tar, gzip-compressed tar)"""
        self.tar.close()
        raw = self.buf.getvalue()
        gz = gzip.compress(raw, compresslevel=6, mtime=0)
        return raw, gz


class Archive:
    """An outer tar (docker-archive / OCI layout): regular files added by
    name; the directories leading to them are made; written sorted."""

    def __init__(self, epoch):
        self.epoch = epoch
        self.files = {}

    def add(self, name, data):
        if name in self.files and self.files[name] != data:
            raise ValueError("two different contents for %s" % name)
        self.files[name] = data

    def bytes(self):
        dirs = set()
        for name in self.files:
            parts = name.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                dirs.add("/".join(parts[:i]))
        out = io.BytesIO()
        tar = tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT)
        for name in sorted(dirs | set(self.files)):
            ti = tarfile.TarInfo(name)
            ti.mtime = self.epoch
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            if name in dirs:
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(ti)
            else:
                ti.mode = 0o644
                ti.size = len(self.files[name])
                tar.addfile(ti, io.BytesIO(self.files[name]))
        tar.close()
        return out.getvalue()
