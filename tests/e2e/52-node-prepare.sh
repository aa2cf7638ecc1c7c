#!/usr/bin/env bash
# 52-node-prepare: provision's node preparation (src/node/prepare.c) on two
# PreExisting Docker hosts of the test world: the new console lines, the
# volumes (create, local/skip, existing on a missing directory), dockerd
# reconfigured for mutual TLS on 2376 and checked with the real docker CLI
# (with and without icm's client certificate), a second provision that
# re-runs no step and does not restart dockerd, and a renewed node
# certificate served after provision while a container keeps running
# (live-restore).  A block device name is refused on PreExisting.  The
# deployment CA is the user's: `icm keygen tls` with its default (RSA 4096)
# as TLSKeyDir, adopted, and every certificate issued from it.
# A loop device mounted on a host, grown, is grown by a provision with a
# larger DataVolumeSize (after confirmation); a smaller one is refused.
#
# The world is shared on this machine: run this under the world lock,
#   flock /tmp/icm-world.lock prove -v tests/e2e/52-node-prepare.sh
# Mount points are under /tmp, which is private to each world host.
. "$(dirname "$0")/lib.sh"
WORLD=$TOP/tests/world/world
[ "$(id -u)" = 0 ] || skip_all "the test world needs root"
[ -x "$WORLD" ] || skip_all "tests/world/world is not in this tree"
command -v docker >/dev/null || skip_all "no docker CLI on this machine"
command -v openssl >/dev/null || skip_all "no openssl on this machine"
world_lock || skip_all "the test world lock /tmp/icm-world.lock is held elsewhere for over 15 min"
W=$T/world
up=$("$WORLD" up 2 --docker --dir "$W" 2>&1) || {
	case $up in
	*"already up"*) skip_all "another test world is up on this machine: $(echo "$up" | tail -1)" ;;
	esac
	echo "1..1"; echo "not ok 1 - world up 2 --docker"; printf '%s\n' "$up" |
		sed 's/^/#   /'; exit 1
}
LOOP=
trap '"$WORLD" down --dir "$W" >/dev/null 2>&1; [ -z "$LOOP" ] || losetup -d "$LOOP"; rm -rf "$T"' EXIT
KEY=$(printf '%s\n' "$up" | sed -n 's/^key: \([^ ]*\).*/\1/p' | tail -1)
plan 63
cd "$T" || exit 1
M1=Prep-DM-T-0001 M2=Prep-AM-T-0002
hx() { "$WORLD" exec "$1" --dir "$W" -- "${@:2}"; }
# the docker CLI from this machine, nothing from the caller's environment
dk() { env -i PATH="$PATH" HOME="$T/nohome" docker "$@"; }
tls_cli=(--tlsverify --tlscacert state/pki/ca.pem
	 --tlscert state/pki/client/cert.pem --tlskey state/pki/client/key.pem)
served() {	# the SHA-256 fingerprint of the certificate on host $1's 2376
	openssl s_client -connect "198.18.0.1$1:2376" -CAfile state/pki/ca.pem \
		-cert state/pki/client/cert.pem -key state/pki/client/key.pem \
		</dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256
}
# the storage driver the world's dockerd runs (overlay2, or vfs where the
# file system cannot do overlay2): icm keeps it
DRV=$(hx 1 docker info --format '{{.Driver}}' 2>/dev/null)
[ -n "$DRV" ] || DRV=overlay2

write_config() {	# $1: DataDeviceName, $2: DataMountPoint, [$3: DataVolumeSize]
	cat > defaults.json <<-JSON
	{"Provider": "PreExisting", "Label": "Prep", "Tag": "T",
	 "SSHUser": "ec2-user", "SSHPrivateKey": "$KEY",
	 "DockerImage": "icm/keep:local", "DockerStorageDriver": "$DRV",
	 "DataDeviceName": "$1", "DataMountPoint": "$2", "DataVolumeSize": "${3:-10}",
	 "WIJDeviceName": "create", "WIJMountPoint": "/tmp/irissys/wij",
	 "Journal1DeviceName": "local", "Journal1MountPoint": "/tmp/irissys/j1",
	 "Journal2DeviceName": "skip", "Journal2MountPoint": "/tmp/irissys/j2",
	 "TLSKeyDir": "./tls", "RetryCount": "2", "RetryInterval": "200"}
	JSON
	cat > definitions.json <<-JSON
	[{"Role": "DM", "IPAddress": "198.18.0.11", "StartCount": "1"},
	 {"Role": "AM", "IPAddress": "198.18.0.12", "StartCount": "2"}]
	JSON
}
write_config create /tmp/irissys/data
"$ICM" keygen tls ./tls >/dev/null 2>&1
contains "icm keygen tls: an RSA 4096 CA by default" \
	"$(openssl x509 -noout -text -in tls/ca.pem 2>&1)" "Public-Key: (4096 bit)"

out=$("$ICM" provision 2>&1); st=$?
is "provision exits 0" "$st" 0
[ "$st" = 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
ok "the TLSKeyDir CA is the deployment's" cmp -s tls/ca.pem state/pki/ca.pem
is "openssl verifies the client certificate issued from it" \
	"$(openssl verify -CAfile tls/ca.pem state/pki/client/cert.pem 2>&1)" \
	"state/pki/client/cert.pem: OK"
contains "Copying files line" "$out" "Copying files to $M1..."
contains "Configuring line" "$out" "Configuring $M2..."
contains "Mounting volumes line" "$out" "Mounting volumes on $M1..."
contains "Installing Docker line" "$out" "Installing Docker on $M2..."
contains "DockerServerVersion recorded" "$(cat instances.json)" \
	"\"DockerServerVersion\":	\"$(dockerd --version | sed 's/^Docker version \([^,]*\),.*/\1/')\""
contains "DockerInstalled recorded" "$(cat instances.json)" \
	'"DockerInstalled":	"true"'
ok "client certificate made" test -s state/pki/client/cert.pem

# dockerd on 2376 with mutual TLS, checked with the real docker CLI
v=$(dk "${tls_cli[@]}" -H tcp://198.18.0.11:2376 info --format '{{.ServerVersion}}' 2>&1)
contains "docker CLI with icm's client certificate answers (host 1)" \
	"$v" "$(dockerd --version | sed 's/^Docker version \([^+,]*\).*/\1/')"
v=$(dk "${tls_cli[@]}" -H tcp://198.18.0.12:2376 version --format '{{.Server.APIVersion}}' 2>&1)
is "docker CLI with icm's client certificate answers (host 2)" "$v" "1.41"
v=$(dk --tlsverify --tlscacert state/pki/ca.pem -H tcp://198.18.0.11:2376 info 2>&1); st=$?
ok "without a client certificate: refused" test "$st" != 0
contains "refused at the TLS handshake" "$v" "tls"
v=$(dk -H tcp://198.18.0.11:2376 info 2>&1); st=$?
ok "plain HTTP: refused" test "$st" != 0
contains "live-restore in daemon.json" "$(hx 1 cat /etc/docker/daemon.json)" \
	'"live-restore":	true'
contains "drop-in ExecStart with --tlsverify" \
	"$(hx 2 cat /etc/systemd/system/docker.service.d/icm.conf)" \
	"-H tcp://0.0.0.0:2376 --tlsverify --tlscacert=/etc/docker/icm-tls/ca.pem"
is "TLS files installed root-only" \
	"$(hx 1 stat -c '%a %U' /etc/docker/icm-tls /etc/docker/icm-tls/server-key.pem | tr '\n' ' ')" \
	"700 root 600 root "

# volumes: create makes the directory, owned by irisowner; local/skip: none
is "Data 'create': a directory owned by 51773" \
	"$(hx 1 stat -c '%u:%g %F' /tmp/irissys/data)" "51773:51773 directory"
is "WIJ 'create' too" "$(hx 1 stat -c '%u' /tmp/irissys/wij)" "51773"
ok "Journal1 'local', Journal2 'skip': nothing made" \
	test -z "$(hx 1 ls /tmp/irissys/j1 /tmp/irissys/j2 2>/dev/null)"
is "sentinels on the node" "$(hx 1 sh -c 'cd /home/ec2-user/ICM && ls *.done' | tr '\n' ' ')" \
	"configure_docker.done disable_password_login.done install_docker.done mount_volumes.done "
contains "installDocker.sh found Docker there (never installs on the world)" \
	"$(hx 1 cat /home/ec2-user/ICM/installDocker.log)" "Docker is installed already"
contains "configureDocker.sh restarted dockerd the first time" \
	"$(hx 2 cat /home/ec2-user/ICM/configureDocker.log)" "dockerd: restarted"

# a second provision: no step re-run, dockerd not restarted
marks() { hx "$1" sh -c 'cd /home/ec2-user/ICM && stat -c "%n %y" *.done *.log; cat /run/docker.pid'; }
before1=$(marks 1); before2=$(marks 2)
cp instances.json first.json
out=$("$ICM" provision 2>&1); st=$?
is "provision again exits 0" "$st" 0
[ "$st" = 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
is "again: host 1 re-ran no step, same dockerd" "$(marks 1)" "$before1"
is "again: host 2 re-ran no step, same dockerd" "$(marks 2)" "$before2"
ok "again: same instances.json" cmp -s first.json instances.json

# certificate renewal with a running container (live-restore)
rm -rf rootfs && mkdir -p rootfs/bin && cp /bin/busybox rootfs/bin/ &&
	ln -s busybox rootfs/bin/sh
tar -C rootfs -c . | hx 1 docker import - keep:local >/dev/null 2>&1
hx 1 docker run -d --name keep --network host keep:local /bin/busybox sleep 100000 >/dev/null 2>&1
started=$(hx 1 docker inspect -f '{{.State.StartedAt}}' keep 2>&1)
ok "container keep runs" test "$(hx 1 docker inspect -f '{{.State.Running}}' keep 2>&1)" = true
old=$(served 1)
ok "the served certificate is the node's" test -n "$old" -a "$old" = \
	"$(openssl x509 -in state/pki/nodes/$M1/server-cert.pem -noout -fingerprint -sha256)"
pid1=$(hx 1 cat /run/docker.pid); pid2=$(hx 2 cat /run/docker.pid)
rm -f "state/pki/nodes/$M1/server-cert.pem"
out=$("$ICM" provision 2>&1); st=$?
is "provision after the certificate was removed exits 0" "$st" 0
[ "$st" = 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
new=$(openssl x509 -in "state/pki/nodes/$M1/server-cert.pem" -noout -fingerprint -sha256 2>&1)
ok "a new certificate was issued" test -n "$new" -a "$new" != "$old"
is "the new certificate is served on 2376" "$(served 1)" "$new"
ok "dockerd on host 1 was restarted" test "$(hx 1 cat /run/docker.pid)" != "$pid1"
is "dockerd on host 2 was not" "$(hx 2 cat /run/docker.pid)" "$pid2"
is "container keep kept running (same StartedAt)" \
	"$(hx 1 docker inspect -f '{{.State.Running}} {{.State.StartedAt}}' keep 2>&1)" \
	"true $started"
v=$(dk "${tls_cli[@]}" -H tcp://198.18.0.11:2376 ps --format '{{.Names}}' 2>&1)
is "the docker CLI sees it through TLS" "$v" "keep"

# volumes: 'existing' on a directory that is not there
write_config existing /tmp/irissys/missing
out=$("$ICM" provision 2>&1); st=$?
is "existing on a missing directory: exit 1" "$st" 1
contains "names the node" "$out" "provision on $M1 failed"
contains "names the field and the path" "$out" \
	"DataMountPoint '/tmp/irissys/missing' does not exist on this node (DataDeviceName is 'existing')"
hx 1 mkdir -p /tmp/irissys/missing; hx 2 mkdir -p /tmp/irissys/missing
out=$("$ICM" provision 2>&1); st=$?
is "existing on a directory that is there: exit 0" "$st" 0
[ "$st" = 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
is "and it is given to irisowner" "$(hx 2 stat -c '%u' /tmp/irissys/missing)" 51773

# dockerd stopped behind icm's back: provision says which endpoint fails
hx 2 systemctl stop docker >/dev/null 2>&1
out=$("$ICM" provision 2>&1); st=$?
is "dockerd down: exit 1" "$st" 1
contains "names the node, the endpoint and the reason" "$out" \
	"provision on $M2 failed: the Docker TLS endpoint https://$M2:2376 (198.18.0.12) does not answer after"
hx 2 systemctl start docker >/dev/null 2>&1

# a block device (the cloud providers' path) through mountVolumes.sh itself,
# as root on host 1: a loop device of this machine, seen by the host
vol() { hx 1 env DataDeviceName="$1" DataMountPoint="${2:-/tmp/vol/data}" FileSystem=ext4 \
	WIJDeviceName=skip Journal1DeviceName=skip Journal2DeviceName=skip \
	sh /home/ec2-user/ICM/mountVolumes.sh 2>&1; }
truncate -s 64M disk.img && LOOP=$(losetup -f --show "$T/disk.img" 2>/dev/null)
if [ -n "$LOOP" ]; then
	if ! command -v sfdisk >/dev/null && ! command -v parted >/dev/null &&
	   ! command -v sgdisk >/dev/null; then
		out=$(vol "$LOOP"); st=$?
		contains "a blank disk without a partitioning tool: named" "$out" \
			"cannot partition $LOOP: none of sfdisk, parted or sgdisk is installed"
	else
		ok "a blank disk without a partitioning tool (there is one here)" true
	fi
	mkfs.ext4 -q "$LOOP"
	uuid=$(blkid -o value -s UUID "$LOOP")
	out=$(vol "$LOOP"); st=$?
	is "a formatted device: mounted (exit $st)" \
		"$(hx 1 findmnt -nro SOURCE,FSTYPE /tmp/vol/data)" "$LOOP ext4"
	is "in fstab by UUID" "$(hx 1 grep -c "^UUID=$uuid /tmp/vol/data ext4 " /etc/fstab)" 1
	is "owned by irisowner" "$(hx 1 stat -c '%u' /tmp/vol/data)" 51773
	hx 1 sh -c 'echo kept > /tmp/vol/data/marker'
	out=$(vol "${LOOP#/dev/}"); st=$?
	is "again (by its short name): exit 0" "$st" 0
	is "not formatted again" "$(hx 1 cat /tmp/vol/data/marker):$(blkid -o value -s UUID "$LOOP")" "kept:$uuid"
	is "one fstab line" "$(hx 1 grep -c "^UUID=$uuid " /etc/fstab)" 1
	hx 1 umount /tmp/vol/data
	losetup -d "$LOOP" && LOOP=
	# reprovision with new sizes (the guide): the device grew (the loop's
	# file, losetup -c), DataVolumeSize raised, provision grows the file
	# system mounted at the 'existing' Data mount point.  XFS: online
	# growth of ext4 needs CAP_SYS_RESOURCE, which this sandbox lacks.
	truncate -s 300M disk2.img && LOOP=$(losetup -f --show "$T/disk2.img") &&
		mkfs.xfs -q "$LOOP" && vol "$LOOP" /tmp/vol/grow >/dev/null
	kib() { hx 1 df -k --output=size /tmp/vol/grow | tail -n 1 | tr -d ' '; }
	hx 2 mkdir -p /tmp/vol/grow
	write_config existing /tmp/vol/grow
	out=$("$ICM" provision 2>&1); st=$?
	is "Data 'existing' at the loop device's mount: exit 0" "$st" 0
	[ "$st" = 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
	small=$(kib)
	truncate -s 600M "$T/disk2.img" && losetup -c "$LOOP"
	write_config existing /tmp/vol/grow 20
	out=$("$ICM" provision </dev/null 2>&1); st=$?
	is "a larger DataVolumeSize without confirmation: exit 1" "$st" 1
	contains "lists the growth" "$out" "$M1: DataVolumeSize 10 -> 20 GB"
	is "... and grows nothing" "$(kib)" "$small"
	out=$("$ICM" provision -force 2>&1); st=$?
	is "with -force: exit 0" "$st" 0
	[ "$st" = 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
	big=$(kib)
	ok "the file system grew with its device (df in the host: $small -> $big KiB)" \
		test "$big" -gt $((small * 3 / 2))
	[ "$big" -gt $((small * 3 / 2)) ] ||
		hx 1 cat /home/ec2-user/ICM/mountVolumes.log | sed 's/^/#   /'
	write_config existing /tmp/vol/grow 5
	out=$("$ICM" provision -force 2>&1); st=$?
	is "a smaller DataVolumeSize: exit 1" "$st" 1
	contains "names the node and field" "$out" \
		"$M1: DataVolumeSize 20 -> 5: a volume cannot shrink"
	hx 1 umount /tmp/vol/grow
	losetup -d "$LOOP" && LOOP=
else
	for _ in $(seq 15); do ok "# SKIP no loop device on this machine" true; done
fi

# a block device on PreExisting is refused before any host is reached
write_config xvdd /tmp/irissys/data
out=$("$ICM" provision 2>&1); st=$?
is "a device name on PreExisting: exit 1" "$st" 1
contains "says why" "$out" "DataDeviceName 'xvdd': PreExisting volumes are directories"

"$WORLD" down --dir "$W" >/dev/null 2>&1
is "world down leaves nothing" "$("$WORLD" status --dir "$W" 2>&1)" \
	"world: down (no state in $W)"
done_testing
