#!/usr/bin/env bash
# 83-image.sh: the ICM image (release/mkimage.py, icm's image mode in
# src/cmd/image.c).
#
# Without Docker: the archives are built from $ICM and build/arm64/icm (else
# an aarch64 stand-in) into a temporary directory (or taken from
# ICM_IMAGE_OUT, a release/out with icm-image-<ver>-linux-amd64.tar, .oci.tar
# and .digests; by default release/out itself when it was made from HEAD)
# and checked: a
# rebuild is byte-identical; members sorted, mtime SOURCE_DATE_EPOCH, owner
# 0/0; every blob's name is its sha256; the docker-archive manifest.json
# and the OCI index name the same config and layers; diff_ids are the
# layers' uncompressed digests; the .digests file and the OCI index agree;
# the image holds icm, the keygen scripts, busybox, /Samples, the CA bundle.
#
# On the test world (3 Docker hosts, the registry with the test app image):
# `docker load` into host 1's dockerd, then containers of the image:
# `icm version`; keygenSSH.sh and keygenTLS.sh into a mounted directory
# owned by uid 4343 (files owned by 4343); provision + run + unprovision of
# a PreExisting deployment of hosts 2 and 3 with those keys, configuration
# and state on the mounted volume, as `docker run --rm -v "$PWD:$PWD" -w
# "$PWD" <image> CMD`; `docker stop` ending icm (PID 1) at once; the guide's interactive form on a
# pseudo-terminal: `docker run --name icm -it --cap-add SYS_TIME <image>`,
# `cd /Samples/PreExisting`, keygenSSH.sh (to /Samples/ssh), vi on PATH,
# `icm provision -plan`, exit.
# Networking: the world's dockerd runs with --bridge=none (test-world.md:
# containers use host networking), so every container is run with
# --network host: that is host 1's network namespace, which reaches hosts
# 2 and 3 and the registry over the world's bridge.  Root only.
. "$(dirname "$0")/lib.sh"
WORLD=$TOP/tests/world/world
REG=$TOP/tests/world/registry
MK=$TOP/tests/images/mkimage
PY=/usr/bin/python3
VER=$(sed -n 's/^#define ICM_VERSION "\(.*\)"$/\1/p' "$TOP/src/icm.h")
# A release of this very commit (make release; .ci/run makes one) is what
# is tested: its archives, checked and loaded, are what a user downloads.
if [ -z "${ICM_IMAGE_OUT:-}" ] && [ -f "$TOP/release/out/icm-image-$VER-linux-amd64.tar" ] &&
	[ ! -e "$TOP/release/out/.dirty" ] &&
	[ "$(cat "$TOP/release/out/.commit" 2>/dev/null)" = "$(git -C "$TOP" rev-parse HEAD 2>/dev/null)" ]; then
	ICM_IMAGE_OUT=$TOP/release/out
fi
IMG=icm:$VER
APP=198.18.0.1:5000/icm/app

# --- the archive ----------------------------------------------------------
[ -x "$PY" ] || skip_all "$PY is missing (Debian package python3)"
if [ -n "${ICM_IMAGE_OUT:-}" ]; then
	OUT=$ICM_IMAGE_OUT
	SAME_ICM=-		# not necessarily $ICM's build
	[ -f "$OUT/icm-image-$VER-linux-amd64.tar" ] ||
		skip_all "ICM_IMAGE_OUT=$OUT has no icm-image-$VER-linux-amd64.tar"
else
	out=$("$TOP/release/fetch-image-inputs.sh" 2>&1) ||
		skip_all "the image's pinned inputs are not in vendor/cache/ and cannot be fetched: $(printf '%s' "$out" | tail -1)"
	OUT=$T/out
	SAME_ICM=$ICM		# /ICM/bin/icm is this binary
	mkdir -p "$OUT" "$T/out2"
	export SOURCE_DATE_EPOCH=1700000000
	# arm64: build/arm64/icm when built, else a stand-in (Debian's arm64
	# busybox, an aarch64 static binary too): the layout is what is checked
	A64=$TOP/build/arm64/icm A64SYS=$TOP/build/arm64/sysroot
	if [ ! -f "$A64" ]; then
		deb=$(awk '$1 == "busybox-static" && $2 == "arm64" { print $4 }' "$TOP/release/MANIFEST")
		A64=$T/a64/icm A64SYS=$TOP/build/sysroot
		mkdir -p "$T/a64"
		dpkg-deb --fsys-tarfile "$TOP/vendor/cache/$deb" | tar -xOf - ./bin/busybox > "$A64" ||
			skip_all "cannot take an aarch64 binary out of vendor/cache/$deb"
	fi
	MKARGS=(--arch "amd64=$ICM" --sysroot "amd64=$TOP/build/sysroot" --arch "arm64=$A64"
		--sysroot "arm64=$A64SYS" --samples-icm "$ICM")
	out=$("$TOP/release/mkimage.py" "$OUT" "${MKARGS[@]}" 2>&1) || {
		echo "1..1"; echo "not ok 1 - release/mkimage.py builds the image"
		printf '%s\n' "$out" | sed 's/^/#   /'; exit 1
	}
fi
AR=$OUT/icm-image-$VER-linux-amd64.tar

# check_archive: one line per problem (nothing when all is well)
check_archive() {
	"$PY" - "$AR" "$OUT/icm-image-$VER.oci.tar" "$OUT/icm-image-$VER.digests" \
		"${SOURCE_DATE_EPOCH:-}" "$VER" "$SAME_ICM" "$OUT/icm-image-$VER-linux-arm64.tar" "$TOP" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
ar, oci, digests, epoch, ver, icm, ar64, top = sys.argv[1:]
bad = lambda msg: print(msg)
def sha(b): return "sha256:" + hashlib.sha256(b).hexdigest()
def load(path):
    t = tarfile.open(path)
    names = t.getnames()
    if names != sorted(names): bad("%s: members not sorted" % path)
    files = {}
    for m in t.getmembers():
        if m.uid or m.gid: bad("%s: %s not owned by 0/0" % (path, m.name))
        if epoch and m.mtime != int(epoch): bad("%s: %s mtime %d" % (path, m.name, m.mtime))
        if m.isfile(): files[m.name] = t.extractfile(m).read()
    for n, b in files.items():
        if n.startswith("blobs/sha256/") and sha(b)[7:] != n[13:]: bad("%s: blob %s has another digest" % (path, n))
    return files
f = load(ar)
idx = json.loads(f["index.json"])
man_d = idx["manifests"][0]
if man_d["annotations"].get("org.opencontainers.image.ref.name") != ver: bad("index.json: ref.name is not " + ver)
man = json.loads(f["blobs/sha256/" + man_d["digest"][7:]])
dm = json.loads(f["manifest.json"])[0]
if dm["RepoTags"] != ["icm:" + ver]: bad("manifest.json: RepoTags %s" % dm["RepoTags"])
if dm["Config"] != "blobs/sha256/" + man["config"]["digest"][7:]: bad("manifest.json and the OCI manifest name other configs")
if dm["Layers"] != ["blobs/sha256/" + l["digest"][7:] for l in man["layers"]]: bad("manifest.json and the OCI manifest name other layers")
if "icm" not in json.loads(f["repositories"]): bad("repositories has no icm")
cfg = json.loads(f[dm["Config"]])
tree = {}
for i, l in enumerate(man["layers"]):
    gz = f["blobs/sha256/" + l["digest"][7:]]
    if gz[4:8] != b"\0\0\0\0": bad("layer %d: gzip mtime is not 0" % i)
    raw = gzip.decompress(gz)
    if cfg["rootfs"]["diff_ids"][i] != sha(raw): bad("layer %d: diff_id does not match" % i)
    for m in tarfile.open(fileobj=io.BytesIO(raw)).getmembers():
        if m.uid or m.gid: bad("layer %d: %s not owned by 0/0" % (i, m.name))
        tree[m.name] = m
c = cfg["config"]
if cfg["architecture"] != "amd64" or cfg["os"] != "linux": bad("config: not linux/amd64")
if c["Entrypoint"] != ["/ICM/bin/icm"]: bad("config: Entrypoint %s" % c["Entrypoint"])
if "ICM_IMAGE=1" not in c["Env"] or "PATH=/ICM/bin:/bin" not in c["Env"]: bad("config: Env %s" % c["Env"])
if c["Labels"].get("org.opencontainers.image.version") != ver: bad("config: no version label")
for p in ["ICM/bin/icm", "ICM/bin/keygenSSH.sh", "ICM/bin/keygenTLS.sh", "bin/busybox",
          "Samples/PreExisting/defaults.json", "Samples/AWS/definitions.json",
          "etc/ssl/certs/ca-certificates.crt", "etc/passwd",
          "usr/share/doc/busybox-static/copyright"]:
    if p not in tree or not tree[p].isfile(): bad("image: no file /" + p)
for p in ["sh", "vi", "less", "ls", "cat", "grep", "sed", "tar"]:
    if "bin/" + p not in tree or tree["bin/" + p].linkname != "busybox": bad("image: no /bin/%s -> busybox" % p)
if tree.get("tmp") is None or tree["tmp"].mode != 0o1777: bad("image: /tmp is not 1777")
if tree["ICM/bin/icm"].mode != 0o755: bad("image: /ICM/bin/icm is not 0755")
if icm != "-":
    lt = None
    for l in man["layers"]:
        t = tarfile.open(fileobj=io.BytesIO(gzip.decompress(f["blobs/sha256/" + l["digest"][7:]])))
        if "ICM/bin/icm" in t.getnames(): lt = t.extractfile("ICM/bin/icm").read()
    if lt != open(icm, "rb").read(): bad("image: /ICM/bin/icm is not " + icm)
    # the license texts: the repository's LICENSE, the sysroot's per package
    want = ["LICENSE"] if os.path.exists(os.path.join(top, "LICENSE")) else []
    lic = os.path.join(top, "build", "sysroot", "share", "licenses")
    for d, _, files in os.walk(lic):
        want += [os.path.relpath(os.path.join(d, n), lic) for n in files]
    for w in want:
        if "usr/share/doc/icm/" + w not in tree: bad("image: no /usr/share/doc/icm/" + w)
o = load(oci)
top = json.loads(o["index.json"])["manifests"][0]
if top["mediaType"] != "application/vnd.oci.image.index.v1+json": bad("oci.tar: index.json does not name an image index")
index = json.loads(o["blobs/sha256/" + top["digest"][7:]])
plats = {"/".join(v for v in [m["platform"]["os"], m["platform"]["architecture"], m["platform"].get("variant")] if v): m["digest"] for m in index["manifests"]}
if plats.get("linux/amd64") != man_d["digest"]: bad("oci.tar: the index's linux/amd64 is not the archive's manifest")
for d in plats.values():
    if "blobs/sha256/" + d[7:] not in o: bad("oci.tar: no blob for manifest " + d)
if os.path.exists(ar64) or icm != "-":
    a = load(ar64)
    m64 = json.loads(a["index.json"])["manifests"][0]["digest"]
    c64 = json.loads(a["blobs/sha256/" + json.loads(a["blobs/sha256/" + m64[7:]])["config"]["digest"][7:]])
    if (c64["architecture"], c64.get("variant")) != ("arm64", "v8"): bad("arm64 tar: config is not arm64/v8")
    if plats.get("linux/arm64/v8") != m64: bad("oci.tar: the index's linux/arm64/v8 is not the arm64 archive's manifest")
lines = dict(l.split() for l in open(digests).read().splitlines())
want = dict(plats, index=top["digest"])
if lines != want: bad("digests file %s, the OCI index says %s" % (lines, want))
PY
}

# --- the world ------------------------------------------------------------
if [ "$(id -u)" != 0 ]; then
	plan 1
	problems=$(check_archive 2>&1)
	is_shown "archive: layout, digests, content" "$problems" "" "$problems"
	echo "# the rest needs the test world, which needs root (running as uid $(id -u))"
	done_testing
	exit
fi
for t in /usr/bin/docker /usr/bin/curl; do
	[ -x "$t" ] || skip_all "$t is missing (Debian packages: docker.io, curl)"
done
world_docker_up 3		# W, R; the EXIT trap takes the world and registry down
plan 36
_result 0 "world up 3 --docker"

problems=$(check_archive 2>&1)
is_shown "archive: layout, digests, content" "$problems" "" "$problems"
if [ -z "${ICM_IMAGE_OUT:-}" ]; then
	"$TOP/release/mkimage.py" "$T/out2" "${MKARGS[@]}" >/dev/null 2>&1
	ok "a rebuild is byte-identical" sh -c "cd '$OUT' && for f in *; do cmp \"\$f\" '$T/out2/'\"\$f\" || exit 1; done"
else
	_result 0 "a rebuild is byte-identical # SKIP the archive is ICM_IMAGE_OUT's"
fi

h() { local i=$1; shift; "$WORLD" exec "$i" --dir "$W" -- "$@"; }
dk() { h 1 docker "$@"; }
# icmrun CMD...: one command of the image, as the guide's wrapper runs it,
# on the volume /home/vol of host 1
icmrun() { dk run --rm --network host -v /home/vol:/home/vol -w /home/vol "$IMG" "$@"; }
owner() { h 1 stat -c %u "$1"; }

out=$(dk load < "$AR" 2>&1)
check_out() { is_shown "$1" "$2" "$3" "$out"; }
check_out "docker load" $? 0
contains "docker load names $IMG" "$out" "Loaded image: $IMG"
out=$(dk run --rm --network host "$IMG" version 2>&1)
check_out "icm version in a container" $? 0
has_line "it is icm $VER" "$out" "icm $VER"
# shellcheck disable=SC2016 # expanded in the container
out=$(dk run --rm --network host "$IMG" sh -c 'id -u; echo "$HOME"; pwd; echo "${ICM_IMAGE-unset}"' 2>&1)
is "a program is run as root in /Samples, HOME=/home/icm, ICM_IMAGE=2 (inside)" \
	"$(printf '%s' "$out" | tr '\n' ' ')" "0 /home/icm /Samples 2"

# The volume: a directory of host 1 owned by uid 4343, made for the test.
h 1 sh -c 'mkdir -p /home/vol && chown 4343:4343 /home/vol'
out=$(icmrun keygenSSH.sh /home/vol/ssh 2>&1)
check_out "keygenSSH.sh into the volume" $? 0
out=$(icmrun keygenTLS.sh /home/vol/tls 2>&1)
check_out "keygenTLS.sh into the volume" $? 0
is "the SSH keys belong to the directory's owner" \
	"$(owner /home/vol/ssh/insecure) $(owner /home/vol/ssh/insecure.pub) $(owner /home/vol/ssh)" "4343 4343 4343"
is "the TLS files belong to the directory's owner" \
	"$(owner /home/vol/tls/ca.pem) $(owner /home/vol/tls/keystore.p12) $(owner /home/vol/tls)" "4343 4343 4343"
out=$(icmrun version -verbose 2>&1)
contains "-verbose says the switch in one line" "$out" "ICM image: running as uid 4343 gid 4343"
out=$(icmrun version 2>&1)
lacks "without -verbose it says nothing" "$out" "ICM image:"

# The deployment: hosts 2 and 3, the keys of that keygen run, the test app
# image from the world's registry; configuration and state on the volume.
out=$("$REG" up --dir "$R" --world "$W" 2>&1)
check_out "registry up" $? 0
out=$("$MK" push 198.18.0.1:5000 icm/app v1 --version v1 --user icmtest \
	--password-file "$R/password" --cacert "$R/ca.crt" 2>&1)
check_out "push icm/app:v1" $? 0
pub=$(h 1 cat /home/vol/ssh/insecure.pub)
for i in 2 3; do
	printf '%s\n' "$pub" | h "$i" sh -c 'cat >> /home/ec2-user/.ssh/authorized_keys'
done
MP=/home/ec2-user/icmimg
h 1 sh -c 'cat > /home/vol/defaults.json && chown 4343:4343 /home/vol/defaults.json' <<JSON
{
    "Provider": "PreExisting",
    "Label": "Img",
    "Tag": "TEST",
    "SSHUser": "ec2-user",
    "SSHPublicKey": "/home/vol/ssh/insecure.pub",
    "SSHPrivateKey": "/home/vol/ssh/insecure",
    "TLSKeyDir": "/home/vol/tls",
    "DockerImage": "$APP:v1",
    "DockerRegistry": "198.18.0.1:5000",
    "DockerUsername": "icmtest",
    "DockerPassword": "$(cat "$R/password")",
    "DataDeviceName": "create", "WIJDeviceName": "create",
    "Journal1DeviceName": "create", "Journal2DeviceName": "create",
    "DataMountPoint": "$MP/data", "WIJMountPoint": "$MP/wij",
    "Journal1MountPoint": "$MP/journal1", "Journal2MountPoint": "$MP/journal2",
    "RetryCount": "2", "RetryInterval": "200"
}
JSON
h 1 sh -c 'cat > /home/vol/definitions.json && chown 4343:4343 /home/vol/definitions.json' <<'JSON'
[
    {"Role": "CN", "IPAddress": "198.18.0.12", "StartCount": "1"},
    {"Role": "CN", "IPAddress": "198.18.0.13", "StartCount": "2"}
]
JSON
out=$(icmrun provision 2>&1)
check_out "provision from the image" $? 0
contains "provision lists both hosts" "$out" "Img-CN-TEST-0002"
is "instances.json and the state belong to the directory's owner" \
	"$(owner /home/vol/instances.json) $(owner /home/vol/state) $(owner /home/vol/icm.log)" "4343 4343 4343"
out=$(icmrun run 2>&1)
check_out "run from the image" $? 0
is "host 2 serves the app" "$(curl -s --max-time 5 http://198.18.0.12:8080/)" "icm-test-app v1"
is "host 3 serves the app" "$(curl -s --max-time 5 http://198.18.0.13:8080/)" "icm-test-app v1"
out=$(icmrun ps 2>&1)
contains "icm ps (an icm command, not busybox ps) shows the container" "$out" "$APP:v1"
# icm is PID 1 of its container: `docker stop` (SIGTERM) must end it at
# once, at unprovision's confirmation prompt (stdin open, nothing typed).
dk run -d -i --name sig --network host -v /home/vol:/home/vol -w /home/vol "$IMG" unprovision >/dev/null 2>&1
sleep 2
is "unprovision is still waiting for its confirmation after 2 s" \
	"$(dk inspect -f '{{.State.Running}}' sig 2>&1)" true
start=$(date +%s)
dk stop -t 30 sig >/dev/null 2>&1
took=$(($(date +%s) - start))
is "docker stop ends icm by its SIGTERM (exit 143)" "$(dk inspect -f '{{.State.ExitCode}}' sig 2>&1)" 143
ok "at once, not after the 30 s grace (took ${took} s)" test "$took" -lt 10
dk rm sig >/dev/null 2>&1
out=$(icmrun unprovision -force 2>&1)
check_out "unprovision from the image" $? 0
ok "instances.json is gone" h 1 sh -c '! test -e /home/vol/instances.json'
is "nothing on the volume belongs to root" "$(h 1 find /home/vol -uid 0 | tr '\n' ' ')" ""

# The guide's interactive form on a pseudo-terminal.
out=$("$PY" "$TOP/tests/ssh/pty-drive.py" --input 'cd /Samples/PreExisting\nkeygenSSH.sh\nls /Samples/ssh\nwhich vi less\nicm provision -plan\nexit\n' \
	40 120 "$WORLD" exec 1 --dir "$W" -- docker run --name icm -it --network host --cap-add SYS_TIME "$IMG" 2>&1)
check_out "docker run --name icm -it --cap-add SYS_TIME: the shell exits 0" $? 0
contains "the shell's prompt shows the directory" "$out" "icm:/Samples/PreExisting"
contains "keygenSSH.sh there writes /Samples/ssh" "$out" "insecure-ssh2.pub"
contains "vi is on PATH" "$out" "/bin/vi"
contains "less is on PATH" "$out" "/bin/less"
contains "icm provision -plan in /Samples/PreExisting plans the sample" "$out" "Sample-DATA-TEST-0001"
ok "the container icm is there to remove" dk rm icm
done_testing
