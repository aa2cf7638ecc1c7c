#!/bin/sh
# configureDocker.sh: dockerd listening with mutual TLS on port 2376
# (icm-reference §7.1 step 3).  icm copies it to ~/ICM with the node's TLS
# files (tls/ca.pem, tls/server-cert.pem, tls/server-key.pem) and the
# daemon.json it composed (the node's own, merged with icm's settings), and
# runs it as root (sudo) with ICM_DIR set to that directory.  It installs
#
#   /etc/docker/icm-tls/{ca.pem,server-cert.pem,server-key.pem}
#                                  root, 0600 (directory 0700)
#   /etc/systemd/system/docker.service.d/icm.conf
#                                  ExecStart= (cleared), then dockerd on the
#                                  unix socket and tcp://0.0.0.0:2376 with
#                                  --tlsverify and those files
#   /etc/docker/daemon.json        ICM_DIR/daemon.json
#
# writing each file only when its content differs, and restarts dockerd
# only when one of them changed (or dockerd is not running), so running it
# again changes nothing.  daemon.json carries "live-restore": true, so a
# restart (renewed certificates) leaves running containers running.  When
# dockerd does not come back with the new files, the previous ones are put
# back, dockerd is started with them, and the script fails.
set -eu
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
d=${ICM_DIR:?ICM_DIR is not set}
tls=/etc/docker/icm-tls
dropin=/etc/systemd/system/docker.service.d/icm.conf
daemon=/etc/docker/daemon.json

fail() { echo "configureDocker.sh: $*" >&2; exit 1; }

dockerd=$(command -v dockerd) || fail "there is no dockerd on this node"
for f in ca.pem server-cert.pem server-key.pem; do
	[ -s "$d/tls/$f" ] || fail "$d/tls/$f is missing"
done
backup=$(mktemp -d "${TMPDIR:-/tmp}/icm-docker.XXXXXX")
trap 'rm -rf "$backup"' EXIT
: > "$backup/list"
changed=0

# put SRC DST MODE: DST gets SRC's content (root, MODE) unless it has it.
put() {
	if [ -f "$2" ] && cmp -s "$1" "$2"; then return 0; fi
	n=$(wc -l < "$backup/list")
	if [ -f "$2" ]; then cp -p "$2" "$backup/$n"; fi
	echo "$2" >> "$backup/list"
	install -D -m "$3" -o root -g root "$1" "$2.icm-tmp"
	mv -f "$2.icm-tmp" "$2"
	changed=1
}

# Puts back what put() replaced (removes what it created).
rollback() {
	n=0
	while IFS= read -r f; do
		if [ -f "$backup/$n" ]; then cp -p "$backup/$n" "$f"; else rm -f "$f"; fi
		n=$((n + 1))
	done < "$backup/list"
}

install -d -m 0700 -o root -g root "$tls"
for f in ca.pem server-cert.pem server-key.pem; do
	put "$d/tls/$f" "$tls/$f" 0600
done

# dockerd keeps using a separately run containerd where there is one
# (docker-ce and Debian's docker.io units pass it too).
containerd=
[ -S /run/containerd/containerd.sock ] &&
	containerd=" --containerd=/run/containerd/containerd.sock"
cat > "$backup/icm.conf" <<EOF
# Written by icm (configureDocker.sh): dockerd with mutual TLS on 2376.
[Service]
ExecStart=
ExecStart=$dockerd -H unix:///var/run/docker.sock -H tcp://0.0.0.0:2376 --tlsverify --tlscacert=$tls/ca.pem --tlscert=$tls/server-cert.pem --tlskey=$tls/server-key.pem$containerd
EOF
put "$backup/icm.conf" "$dropin" 0644
if [ -f "$d/daemon.json" ]; then
	put "$d/daemon.json" "$daemon" 0644
fi

active=0
systemctl is-active docker >/dev/null 2>&1 && active=1
if [ "$changed" = 0 ] && [ "$active" = 1 ]; then
	echo "dockerd: configuration unchanged, not restarted"
	exit 0
fi
systemctl daemon-reload
if systemctl restart docker; then
	echo "dockerd: restarted with the new configuration"
	exit 0
fi
rollback
systemctl daemon-reload
systemctl restart docker >/dev/null 2>&1 || true
fail "dockerd did not start with the new configuration (see 'journalctl -u docker' or 'systemctl status docker'); the previous configuration was put back"
