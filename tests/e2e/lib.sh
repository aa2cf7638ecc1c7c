# lib.sh: TAP helpers for the end-to-end scenarios (sourced, not run).
#
#   . "$(dirname "$0")/lib.sh"
#   plan 3            (or: skip_all "reason")
#   ok "name" cmd...  passes when cmd exits 0
#   is "name" got want
#   contains "name" haystack needle
# $ICM is the binary under test; $T a fresh temp dir removed at exit.

set -u
: "${ICM:?set ICM to the icm binary}"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/world/lock.sh"
DATA=$TOP/tests/data
T=$(mktemp -d "${TMPDIR:-/tmp}/icm-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT
_n=0
_failed=0

plan() { echo "1..$1"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }

_result() {
	_n=$((_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_failed=$((_failed + 1))
	fi
}

ok() {
	local name=$1; shift
	"$@" >/dev/null 2>&1
	_result $? "$name"
}

is() {
	if [ "$2" = "$3" ]; then
		_result 0 "$1"
	else
		_result 1 "$1"
		printf '#   got:      %s\n#   expected: %s\n' "$2" "$3" |
			sed 's/^\([^#]\)/#   \1/' >&2
	fi
}

# is_shown NAME GOT WANT OUTPUT: is(), and on a mismatch the last lines of
# the command's OUTPUT as comments.
is_shown() {
	is "$1" "$2" "$3"
	[ "$2" = "$3" ] || printf '%s\n' "$4" | tail -n 8 | sed 's/^/#   /' >&2
}

contains() {
	case $2 in
	*"$3"*) _result 0 "$1" ;;
	*) _result 1 "$1"; printf '#   %s\n#   does not contain: %s\n' \
		"$(printf '%s' "$2" | head -c 2000)" "$3" ;;
	esac
}

lacks() {
	case $2 in
	*"$3"*) _result 1 "$1"; echo "#   unexpectedly contains the value" ;;
	*) _result 0 "$1" ;;
	esac
}

# has_line "name" haystack line: a line of haystack is exactly line (ICM's
# console lines, which scripts grep).
has_line() {
	if printf '%s\n' "$2" | grep -qxF -- "$3"; then
		_result 0 "$1"
	else
		_result 1 "$1"; printf '#   no line: %s\n' "$3"
	fi
}

# in_order "name" haystack line...: each line is a line of haystack, the
# first of each after the first of the one before.
in_order() {
	local name=$1 text=$2 prev=0 n l
	shift 2
	for l in "$@"; do
		n=$(printf '%s\n' "$text" | grep -nxF -- "$l" | head -1 | cut -d: -f1)
		if [ -z "$n" ] || [ "$n" -le "$prev" ]; then
			_result 1 "$name"; printf '#   out of order or missing: %s\n' "$l"
			return
		fi
		prev=$n
	done
	_result 0 "$name"
}

# Lists every file under a directory with its size and checksum, so a
# test can show that a command changed nothing.
snapshot() {
	(cd "$1" && find . -print0 | sort -z | xargs -0 -r ls -ld --time-style=+%s 2>/dev/null |
	 awk '{print $1, $5, $6, $7}'; find . -type f -print0 | sort -z |
	 xargs -0 -r sha256sum)
}

# What `icm samples DIR` writes: samples/ and ICM's scripts in DIR/bin/.
samples_nfiles() {
	echo $(( $(cd "$TOP/samples" && find . -type f | wc -l) + \
		$(cd "$TOP/embedded/scripts" && find . -type f | wc -l) ))
}
samples_same_tree() {
	diff -r -x bin "$TOP/samples" "$1" && diff -r "$TOP/embedded/scripts" "$1/bin"
}


done_testing() {
	[ "$_failed" = 0 ]
}

# The test world of N Docker hosts for the IRIS scenarios (root only; the
# test is skipped, with the reason, when something it needs is missing or
# another world holds the lock).  Call before plan.  Sets W (world dir), R
# (registry dir), KEY (the hosts' SSH key); the EXIT trap takes it all down.
world_docker_up() {
	local t up
	[ "$(id -u)" = 0 ] || skip_all "the test world needs root (running as uid $(id -u))"
	for t in /usr/sbin/dockerd /usr/bin/docker-registry /usr/bin/htpasswd /bin/busybox; do
		[ -x "$t" ] || skip_all "$t is missing (see build.sh's test packages)"
	done
	world_lock || skip_all "the test world lock /tmp/icm-world.lock is held elsewhere for over 15 min"
	unset "${!DOCKER_@}"
	W=$T/world R=$T/registry
	trap '"$TOP/tests/world/registry" down --dir "$R" >/dev/null 2>&1
	      "$TOP/tests/world/world" down --dir "$W" >/dev/null 2>&1; rm -rf "$T"' EXIT
	up=$("$TOP/tests/world/world" up "$1" --docker --dir "$W" 2>&1) || {
		case $up in *"already up"*) skip_all "another test world is up on this machine" ;; esac
		echo "1..1"; echo "not ok 1 - world up $1 --docker"
		printf '%s\n' "$up" | sed 's/^/#   /'; exit 1
	}
	KEY=$(printf '%s\n' "$up" | sed -n 's/^key: \([^ ]*\).*/\1/p' | tail -1)
}

# One test: the world's TLS registry up (198.18.0.1:5000, user icmtest,
# password in $R/password) and, for each "REPO:FLAVOR[:VERSION]", the
# stand-in image of that flavour (tests/images/mkimage) pushed as
# 198.18.0.1:5000/icm/REPO:standin-VERSION (default v1).
registry_push() {
	local out spec repo flavor version rc=0
	out=$("$TOP/tests/world/registry" up --dir "$R" --world "$W" 2>&1) || rc=1
	for spec in "$@"; do
		[ $rc = 0 ] || break
		IFS=: read -r repo flavor version <<< "$spec"
		version=${version:-v1}
		out=$("$TOP/tests/images/mkimage" push 198.18.0.1:5000 "icm/$repo" \
			"standin-$version" --version "$version" --flavor "$flavor" \
			--user icmtest --password-file "$R/password" --cacert "$R/ca.crt" 2>&1) || rc=1
	done
	is "registry up, stand-in images pushed: $*" $rc 0
	[ $rc = 0 ] || printf '%s\n' "$out" | tail -n 8 | sed 's/^/#   /'
}

# defaults.json text of a PreExisting deployment on the world (after
# world_docker_up and registry_push): label $1, tag $2, the IRIS stand-in
# 198.18.0.1:5000/icm/iris:standin-v1 from the world's registry, the IRIS
# volumes created under /home/ec2-user/$3 (each host's own /home:
# test-world.md), ISCPassword $4, and the fields $5 (', "A": "b"') added.
world_defaults() {
	local mp=/home/ec2-user/$3
	cat <<JSON
{"Provider": "PreExisting", "Label": "$1", "Tag": "$2",
 "SSHUser": "ec2-user", "SSHPrivateKey": "$KEY",
 "DockerImage": "198.18.0.1:5000/icm/iris:standin-v1",
 "DockerRegistry": "198.18.0.1:5000", "DockerUsername": "icmtest",
 "DockerPassword": "$(cat "$R/password")", "ISCPassword": "$4",
 "DataDeviceName": "create", "WIJDeviceName": "create",
 "Journal1DeviceName": "create", "Journal2DeviceName": "create",
 "DataMountPoint": "$mp/data", "WIJMountPoint": "$mp/wij",
 "Journal1MountPoint": "$mp/journal1", "Journal2MountPoint": "$mp/journal2",
 "RetryCount": "2", "RetryInterval": "200"${5:-}}
JSON
}

# world_sample PROVIDER DEVICE FIELDS: the PROVIDER sample of `icm
# samples`, in $T/Samples/PROVIDER (then the current directory), edited for
# a cloud fake laid over the test world (after world_docker_up and
# registry_push): keys and certificates of icm keygen ssh and tls, a license
# ubuntu-sharding-iris.key, the world's login and key (a fake cannot put
# keys on the world's hosts), its registry and the IRIS stand-in,
# PrivateSubnet, the subnet 198.18.0.0/24, "create" directories under
# /home/ec2-user/sample for the IRIS volumes (the hosts have no block
# devices: they get no disk), a 10 GB Docker disk DEVICE (node preparation
# leaves it alone), then FIELDS (a JSON object: the provider's own) (1 test)
world_sample() {
	local out st
	cd "$T" && "$ICM" samples Samples >/dev/null 2>&1 && cd "Samples/$1" || exit 1
	out=$("$ICM" keygen ssh 2>&1 && "$ICM" keygen tls 2>&1); st=$?
	is "icm keygen ssh and tls beside the sample" $st 0
	[ $st = 0 ] || printf '%s\n' "$out" | tail -n 8 | sed 's/^/#   /'
	mkdir -p license
	printf '[ConfigFile]\nFileType=License 2018\n[License]\nLicenseCapacity=%s sample\n' "$1" \
		> license/ubuntu-sharding-iris.key
	python3 - "$PWD" "$KEY" "$(cat "$R/password")" "$2" "$3" <<'PY' || exit 1
import json, sys
here, wkey, pw, dev, fields = sys.argv[1:]
d = json.load(open("defaults.json"))
d.update({"SSHUser": "ec2-user",
          "SSHPublicKey": here + "/ssh/insecure.pub", "SSHPrivateKey": wkey,
          "TLSKeyDir": here + "/tls", "LicenseDir": here + "/license",
          "DockerImage": "198.18.0.1:5000/icm/iris:standin-v1",
          "DockerRegistry": "198.18.0.1:5000", "DockerUsername": "icmtest",
          "DockerPassword": pw, "PrivateSubnet": "true",
          "net_subnet_cidr": "198.18.0.0/24",
          "DockerVolumeSize": "10", "DockerDeviceName": dev,
          "RetryCount": "2", "RetryInterval": "200"})
for v in ("Data", "WIJ", "Journal1", "Journal2"):
    d[v + "DeviceName"] = "create"
    d[v + "MountPoint"] = "/home/ec2-user/sample/" + v.lower()
d.update(json.loads(fields))
json.dump(d, open("defaults.json", "w"), indent=4)
PY
}

# world_ecp PROVIDER KEYS FIELDS TYPE SIZES AR: the guide's ECP topology
# (samples/AWS/ECP) translated to PROVIDER in $T/Samples/ECP (then the
# current directory), after world_sample: its licenses there, the world's
# settings and KEYS (field names) from the PROVIDER sample's defaults.json,
# "create" directories under /home/ec2-user/ecp for the IRIS volumes, then
# FIELDS (a JSON object); in the definitions the field TYPE for
# InstanceType, through SIZES (a JSON object: AWS type -> PROVIDER's), and
# AR (a JSON object) for the arbiter's fields beside its image
world_ecp() {
	local f
	cd "$T/Samples" && mkdir -p ECP && cd ECP || exit 1
	mkdir -p License/master
	for f in master/license.key isc1.key isc2.key isc3.key; do
		printf '[ConfigFile]\nFileType=License 2018\n[License]\nLicenseCapacity=ecp %s\n' "$f" > "License/$f"
	done
	python3 - "$T/Samples/AWS/ECP" "$T/Samples/$1/defaults.json" "$PWD" "$2" "$3" "$4" "$5" "$6" <<'PY' || exit 1
import json, sys
aws, sample, here, keys, fields, tf, sizes, ar = sys.argv[1:]
d = json.load(open(aws + "/defaults.json"))
s = json.load(open(sample))
for f in ("Region", "Zone", "AMI", "InstanceType", "Credentials", "SSHKey", "KeyFile",
          "SSLConfig", "Monitor"):
    d.pop(f, None)
d.update({k: s[k] for k in keys.split() + ["SSHUser", "SSHPublicKey", "SSHPrivateKey",
          "TLSKeyDir", "DockerImage", "DockerRegistry", "DockerUsername", "DockerPassword",
          "PrivateSubnet", "RetryCount", "RetryInterval"]})
for v in ("Data", "WIJ", "Journal1", "Journal2"):
    d[v + "DeviceName"] = "create"
    d[v + "MountPoint"] = "/home/ec2-user/ecp/" + v.lower()
d.update(json.loads(fields))
json.dump(d, open("defaults.json", "w"), indent=4)
defs = json.load(open(aws + "/definitions.json"))
sizes = json.loads(sizes)
for r in defs:
    if "InstanceType" in r:
        r[tf] = sizes[r.pop("InstanceType")]
    if "ISCLicense" in r:
        r["ISCLicense"] = r["ISCLicense"].replace("/License/", here + "/License/")
    if r["Role"] == "AR":
        r.update(json.loads(ar), DockerImage="198.18.0.1:5000/icm/arbiter:standin-v1")
json.dump(defs, open("definitions.json", "w"), indent=4)
PY
}

# world_run_ps RUNNER P N PASSWORD: icm run -iscPassword PASSWORD and icm
# ps, each run by RUNNER (the fake's namespace); the container iris Up on N
# machines; P names the tests (3 tests)
world_run_ps() {
	local out st
	out=$("$1" "$ICM" run -iscPassword "$4" 2>&1); st=$?
	is "$2: run exits 0" $st 0
	[ $st = 0 ] || printf '%s\n' "$out" | tail -n 12 | sed 's/^/#   /'
	out=$("$1" "$ICM" ps 2>&1); st=$?
	is "$2: ps exits 0" $st 0
	[ $st = 0 ] || printf '%s\n' "$out" | tail -n 12 | sed 's/^/#   /'
	is "$2: ps: the container iris Up on the $3 machines" \
		"$(printf '%s\n' "$out" | awk '$1 ~ /-TEST-/ && $3 == "iris" && $4 == "Up" {n++} END {print n+0}')" "$3"
}

# moto_up DIR: moto (tests/cloud/moto) started in DIR on port 5000, in its
# loopback-only network namespace, and stopped at exit; the scenario is
# skipped where it cannot run (not root, no moto), and fails when it does
# not start.  mx CMD...: runs CMD in its namespace.
moto_up() {
	local out st
	[ "$(id -u)" = 0 ] || skip_all "moto runs in a network namespace: needs root (running as uid $(id -u))"
	MOTO_DIR=$1
	out=$("$TOP/tests/cloud/moto" start --dir "$MOTO_DIR" --port 5000 2>&1); st=$?
	[ "$st" = 77 ] && skip_all "$(printf '%s' "$out" | tail -1)"
	trap '"$TOP/tests/cloud/moto" stop --dir "$MOTO_DIR" >/dev/null 2>&1; rm -rf "$T"' EXIT
	[ "$st" = 0 ] || { echo "1..1"; echo "not ok 1 - moto start"; printf '%s\n' "$out" | sed 's/^/#   /'; exit 1; }
}
mx() { "$TOP/tests/cloud/moto" exec --dir "$MOTO_DIR" -- "$@"; }

# aws_sample NAME DIR [ZONES] [JSON]: the guide's AWS sample NAME (samples/
# AWS/NAME) written to DIR, pointed at moto's region and ZONES (default
# us-east-1a,us-east-1b), an AMI moto knows, $T/credentials and the key
# pair `icm keygen ssh $T/ssh` made, without the TLS files it names; the
# guide's /License/... key files made under $T; JSON's fields added to
# defaults.json.
aws_sample() {
	mkdir -p "$2"
	/usr/bin/python3 - "$TOP/samples/AWS/$1" "$2" "$T" "${3:-us-east-1a,us-east-1b}" "${4:-{\}}" <<'PY'
import json, os, sys
src, dst, t, zones, extra = sys.argv[1:6]
d = json.load(open(src + "/defaults.json"))
d.update({"Region": "us-east-1", "Zone": zones, "AMI": "ami-1e749f67",
          "Credentials": t + "/credentials", "SSHKey": t + "/ssh/insecure-ssh2.pub",
          "KeyFile": t + "/ssh/insecure"})
d.update(json.loads(extra))
for k in ("TLSKeyDir", "SSLConfig"):
    d.pop(k, None)
json.dump(d, open(dst + "/defaults.json", "w"), indent=1)
defs = json.load(open(src + "/definitions.json"))
for x in defs:  # the guide's /License/... key files, made under $T
    if "ISCLicense" in x:
        x["ISCLicense"] = ",".join(t + k for k in x["ISCLicense"].split(","))
        for k in x["ISCLicense"].split(","):
            os.makedirs(os.path.dirname(k), exist_ok=True)
            open(k, "w").write("TEST LICENSE KEY\n")
json.dump(defs, open(dst + "/definitions.json", "w"), indent=1)
PY
}

# gce_up DIR [gce start options]: the FAKE Compute Engine (tests/cloud/gce,
# gce-fake.py) started in DIR on port 8089 in its loopback-only network
# namespace, with a service-account key it makes (DIR/key.json) and an
# access token (DIR/token), stopped at exit; skipped where it cannot run,
# a failure when it does not start.  gx CMD...: runs CMD in its namespace
# with gcloud's variables (CLOUDSDK_*, GCE_FAKE_URL, GCE_KEY: see gce).
gce_up() {
	GCE_DIR=$1; shift
	_fake_up gce "GCE fake" 8089 "$GCE_DIR" "$@"
}
gx() { "$TOP/tests/cloud/gce" exec --dir "$GCE_DIR" -- "$@"; }

# sdk_checks OUTPUT N: the lines "ok - WHAT" / "not ok - WHAT: why" of an
# SDK conformance script (tests/cloud/*-sdk/conformance.mjs) as results
# "SDK: WHAT", its other lines as comments, then a result that N passed.
sdk_checks() {
	local l
	while IFS= read -r l; do
		case $l in
		"ok - "*) _result 0 "SDK: ${l#ok - }" ;;
		"not ok - "*) _result 1 "SDK: ${l#not ok - }" ;;
		*) printf '#   %s\n' "$l" ;;
		esac
	done <<< "$1"
	is "the SDK conformance ran its $2 checks" "$(printf '%s\n' "$1" | grep -c '^ok - ')" "$2"
}

# _fake_up WRAPPER WHAT PORT DIR [start options]: tests/cloud/WRAPPER started
# in DIR on PORT and stopped at exit; skipped where it cannot run (77), the
# test failed when it does not start.
_fake_up() {
	local w=$1 what=$2 port=$3 dir=$4 out st
	shift 4
	[ "$(id -u)" = 0 ] || skip_all "the $what runs in a network namespace: needs root (running as uid $(id -u))"
	out=$("$TOP/tests/cloud/$w" start --dir "$dir" --port "$port" "$@" 2>&1); st=$?
	[ "$st" = 77 ] && skip_all "$(printf '%s' "$out" | tail -1)"
	_on_exit "\"\$TOP/tests/cloud/$w\" stop --dir '$dir' >/dev/null 2>&1"
	[ "$st" = 0 ] || { echo "1..1"; echo "not ok 1 - $w start"; printf '%s\n' "$out" | sed 's/^/#   /'; exit 1; }
}

# arm_up DIR [arm start options]: the FAKE Azure Resource Manager
# (tests/cloud/arm, arm-fake.py) started in DIR on port 8443 in its
# loopback-only network namespace, https with its own CA (DIR/ca.pem), a
# tenant, subscription and app it accepts (DIR/env), stopped at exit;
# skipped where it cannot run, a failure when it does not start.  ax CMD...:
# runs CMD in its namespace with the Azure variables (ARM_FAKE_URL,
# AZURE_AUTHORITY_HOST, AZURE_TENANT_ID, ... NODE_EXTRA_CA_CERTS: see arm).
arm_up() {
	ARM_DIR=$1; shift
	_fake_up arm "ARM fake" 8443 "$ARM_DIR" "$@"
}
ax() { "$TOP/tests/cloud/arm" exec --dir "$ARM_DIR" -- "$@"; }
# az CMD...: CMD (icm) in the fake's namespace, ARM and the authority named
# localhost (BearSSL verifies no IP names; the certificate names both)
az() { ax env ARM_ENDPOINT=https://localhost:8443 AZURE_AUTHORITY_HOST=https://localhost:8443 "$@"; }
# arm_fake PATH [curl args]: the fake's test-only /_fake/PATH
arm_fake() { ax curl -sS --cacert "$ARM_DIR/ca.pem" "https://127.0.0.1:8443/_fake/$1" "${@:2}"; }
# arm_census: every resource group and resource of the fake, "type:name"
# sorted
arm_census() {
	arm_fake state | python3 -c '
import json, sys
d = json.load(sys.stdin)
out = ["group:" + g["name"] for g in d["resourceGroups"].values()]
out += [r["type"].split("/")[-1] + ":" + r["name"] for r in d["resources"].values()]
print(" ".join(sorted(out)))'
}
# arm_api METHOD PATH [JSON]: one ARM call (PATH below the subscription) as
# the fake's service principal, as a user's script makes it (needs
# $ARM_DIR/env sourced)
arm_api() {
	local tok
	tok=$(ax curl -sS --cacert "$ARM_DIR/ca.pem" \
		-d "grant_type=client_credentials&client_id=$AZURE_CLIENT_ID&client_secret=$AZURE_CLIENT_SECRET&scope=https://management.azure.com/.default" \
		"https://127.0.0.1:8443/$AZURE_TENANT_ID/oauth2/v2.0/token" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
	ax curl -sS -f --cacert "$ARM_DIR/ca.pem" -X "$1" -H "Authorization: Bearer $tok" \
		-H 'Content-Type: application/json' ${3:+-d "$3"} \
		"https://127.0.0.1:8443/subscriptions/$AZURE_SUBSCRIPTION_ID/$2"
}

# tc_up DIR [tencent start options]: the FAKE Tencent Cloud API
# (tests/cloud/tencent, tencent-fake.py) started in DIR on port 443 in its
# loopback-only network namespace, where cvm., vpc., clb. and
# tag.tencentcloudapi.com are 127.0.0.1 (a private /etc/hosts), https with
# its own CA (DIR/ca.pem) and one SecretId/SecretKey it accepts (DIR/env),
# stopped at exit; skipped where it cannot run, a failure when it does not
# start.  tx CMD...: runs CMD in its namespaces with TENCENTCLOUD_SECRET_ID,
# TENCENTCLOUD_SECRET_KEY, TENCENT_FAKE_URL, TENCENT_FAKE_PORT,
# TENCENT_FAKE_CA, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE (see tencent).
tc_up() {
	TC_DIR=$1; shift
	_fake_up tencent "Tencent Cloud fake" 443 "$TC_DIR" "$@"
}
tx() { "$TOP/tests/cloud/tencent" exec --dir "$TC_DIR" -- "$@"; }
# tc_inns CMD...: CMD inside the fake's namespaces (tx), in this directory
tc_inns() { tx sh -c 'cd "$1" && shift && exec "$@"' sh "$PWD" "$@"; }
# tc_fake PATH [curl args]: the fake's test-only /_fake/PATH
tc_fake() { tc_inns curl -sS --cacert "$TC_DIR/ca.pem" "https://cvm.tencentcloudapi.com/_fake/$1" "${@:2}"; }
# tc_census: every instance, VPC, subnet, security group, key pair, EIP and
# CLB of the fake, "kind:name" sorted
tc_census() {
	tc_fake state | python3 -c '
import json, sys
d = json.load(sys.stdin)
out = []
for k in ("instances", "vpcs", "subnets", "sgs", "keypairs", "eips", "clbs"):
    for r in d[k].values():
        out.append(k + ":" + (r.get("name") or r["id"]))
print(" ".join(sorted(out)))'
}

# json_edit FILE JSON: FILE's fields (a JSON object's) replaced or added
# from JSON (an object), as a user edits defaults.json
json_edit() {
	python3 - "$1" "$2" <<'PY'
import json, sys
f, extra = sys.argv[1:]
d = json.load(open(f))
d.update(json.loads(extra))
json.dump(d, open(f, "w"), indent=4)
PY
}

# _on_exit CMD: runs CMD at exit before whatever the EXIT trap did already.
_on_exit() {
	local old
	eval "old=$(trap -p EXIT | sed 's/^trap -- //; s/ EXIT$//')"
	# shellcheck disable=SC2064 # both expand now, on purpose
	trap "$1; ${old:-:}" EXIT
}

# vcsim_up [vcsim flags...]: govmomi's vCenter simulator with the inventory
# of tests/vsphere/README.md, built by tests/vsphere/build.sh into
# $VCSIM_BUILD (default build/tests/vcsim; skipped when Go or govmomi is
# missing), serving https on a random 127.0.0.1 port with a certificate of
# a CA made here, for one user and a random password; stopped at exit.  Call
# before plan.  Exports VC_URL (https://127.0.0.1:PORT/sdk), VC_SERVER
# (localhost:PORT: icm's TLS verifies names, not addresses), VC_USER, VC_PASS, VC_CA (the CA's PEM file).
# vcprops [flags...]: tests/vsphere/vcprops on that vCenter.
vcsim_up() {
	local b=${VCSIM_BUILD:-$TOP/build/tests/vcsim} v out st i
	out=$("$TOP/tests/vsphere/build.sh" "$b" 2>&1); st=$?
	[ "$st" = 77 ] && skip_all "vcsim: $(printf '%s' "$out" | tail -1)"
	command -v openssl >/dev/null || skip_all "openssl is missing (see build.sh's test packages)"
	_vcsim_fail() { echo "1..1"; echo "not ok 1 - vcsim_up: $1"; printf '%s\n' "$2" | tail -n 20 | sed 's/^/#   /'; exit 1; }
	[ "$st" = 0 ] || _vcsim_fail "tests/vsphere/build.sh $b" "$out"
	VCPROPS_BIN=$b/vcprops
	v=$(mktemp -d "$T/vcsim.XXXXXX")	# its own: vcsim_up may run twice
	out=$(cd "$v" && {
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 \
			-subj /CN=icm-test-vcsim-ca &&
		openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost &&
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > ext &&
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
			-extfile ext -out server.crt; } 2>&1) || _vcsim_fail "openssl: CA and server certificate" "$out"
	VC_USER=administrator@vsphere.local
	VC_PASS=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	VC_CA=$v/ca.crt
	"$b/vcsim" -listen 127.0.0.1:0 -cert "$v/server.crt" -key "$v/server.key" -user "$VC_USER" \
		-password "$VC_PASS" -url-file "$v/url" -exit-with-parent "$@" > "$v/log" 2>&1 &
	VCSIM_PID=$!
	_on_exit "kill -TERM $VCSIM_PID 2>/dev/null; wait $VCSIM_PID 2>/dev/null"
	for i in $(seq 150); do
		[ -s "$v/url" ] && break
		kill -0 "$VCSIM_PID" 2>/dev/null || break
		sleep 0.1
	done
	[ -s "$v/url" ] || _vcsim_fail "vcsim did not start ($i tries)" "$(cat "$v/log")"
	VC_URL=$(cat "$v/url")
	VC_SERVER=${VC_URL#https://}
	VC_SERVER=${VC_SERVER%%/*}
	# BearSSL (icm's TLS) verifies host names only, not IP addresses
	VC_SERVER=localhost:${VC_SERVER##*:}
	export VC_URL VC_SERVER VC_USER VC_PASS VC_CA
}
vcprops() { "$VCPROPS_BIN" "$@"; }

# Terraform offline (87, 92): the templates and tfvars icm writes, read by
# terraform without any provider (none installed, checkpoints off, and
# where unprivileged namespaces work in a network namespace with nothing
# but loopback).  tf_offline skips the test without terraform, python3
# or tests/tf-write (TFW: the writer of each provider's files; make builds
# it), and sets the environment; tf runs terraform.
tf_offline() {
	TFW=${TF_WRITE:-$(dirname "$ICM")/tests/tf-write}
	command -v terraform >/dev/null 2>&1 ||
		skip_all "terraform is not installed"
	command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
	[ -x "$TFW" ] || skip_all "$TFW is not built (make $TFW)"
	export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 HOME=$T \
		TF_CLI_CONFIG_FILE=/dev/null
	unset TF_PLUGIN_CACHE_DIR TF_CLI_ARGS TF_CLI_ARGS_console
	_tf_nonet=
	if unshare -rn true 2>/dev/null; then
		_tf_nonet="unshare -rn"
	fi
}
tf() { ${_tf_nonet:-} terraform "$@" -no-color; }

# tf_check PROVIDER STATE DIR...: `terraform fmt -check` on each embedded
# template of PROVIDER (it parses them), each STATE/DIR/terraform.tfvars
# parses, and DIR's provider-free blocks (tests/cloud/hcl-pure.py) go with
# its tfvars into pure/DIR, for tfc.
tf_check() {
	local p=$1 s=$2 f d
	shift 2
	for f in "$TOP"/embedded/terraform/"$p"/provider.tf \
		 "$TOP"/embedded/terraform/"$p"/*/infrastructure.tf; do
		ok "terraform fmt -check ${f#"$TOP"/}" tf fmt -check "$f"
	done
	for d in "$@"; do
		ok "$d: tfvars parse" tf fmt -write=false -list=false \
			"$s/$d/terraform.tfvars"
	done
	for d in "$@"; do
		mkdir -p "pure/$d"
		cp "$s/$d/terraform.tfvars" "pure/$d/"
		python3 "$TOP/tests/cloud/hcl-pure.py" "pure/$d/pure.tf" \
			"$s/$d/provider.tf" "$s/$d/infrastructure.tf"
		is "$d: provider-free blocks extracted" "$?" 0
	done
}

# tfc DIR EXPR [ARG...]: EXPR as one JSON line, as `terraform console
# ARG...` evaluates it in pure/DIR (its messages in pure/DIR/console.err).
tfc() {
	local d=$1 e=$2
	shift 2
	(cd "pure/$d" && echo "jsonencode($e)" |
	 tf console "$@" 2>console.err | tail -n 1 |
	 sed 's/^"//; s/"$//; s/\\"/"/g')
}
