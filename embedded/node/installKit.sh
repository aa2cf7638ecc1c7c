#!/bin/sh
# installKit.sh: InterSystems IRIS from a kit, for Containerless
# deployments (icm-reference §7.6, iris-config.md §5).  icm copies it to
# ~/ICM and runs it, as root through sudo (or as SSHUser when nonroot is
# true), once per step:
#
#   sh ~/ICM/installKit.sh download    Downloading kit on <m>...
#   sh ~/ICM/installKit.sh install     Installing kit on <m>...
#   sh ~/ICM/installKit.sh license     Copying license key <file> to <m>...
#   sh ~/ICM/installKit.sh start       Starting InterSystems IRIS on <m>...
#   sh ~/ICM/installKit.sh uninstall   icm uninstall
#   sh ~/ICM/installKit.sh stop        icm stop: iris stop IRIS quietly
#   sh ~/ICM/installKit.sh resume      icm start: iris start IRIS, waiting
#                                      for qlist to say running
#   sh ~/ICM/installKit.sh status      icm ps: the `iris qlist IRIS` line,
#                                      nothing when no instance is installed
#   sh ~/ICM/installKit.sh session     icm session -command / sql: `iris
#                                      session IRIS -U Namespace` reading
#                                      the rest of standard input
#
# Nothing comes on the command line but the step (and ICM_DIR, ~/ICM, in
# the environment): the values arrive on standard input as NAME=value
# lines up to a line ".", so the password is in no argv and no file:
#
#   KitURL          http://, https:// (fetched with curl or wget) or
#                   file:///path (a kit already on the node: icm scp)
#   ISCInstallDir   the install directory (default /usr/irissys)
#   SuperServerPort the superserver port (default 1972)
#   nonroot         true: installed and run by the SSH user, registry in
#                   IRISSYS=~/ICM/irissys
#   StartTimeout    seconds to wait for qlist to say running (default 600)
#   WIJMountPoint, Journal1MountPoint, Journal2MountPoint
#                   the directories the merge file gives IRIS: made
#                   irisowner's by a root install (the instance's owner; the
#                   volumes were made for the containers' UID 51773), and
#                   must be writable by the SSH user for a nonroot one
#   Namespace       session only: the namespace (default IRISCLUSTER)
#   Password        install only: ISC_PACKAGE_USER_PASSWORD (and the
#                   CSPSystem password), into irisinstall_silent's
#                   environment only
#
# and, for start, the rest of standard input is the first-start merge file
# (ISC_CPF_MERGE_FILE), kept as ~/ICM/merge.cpf (mode 0600; it carries the
# password's salted hash only); for license, it is the node's license key
# (ISCLicense, or LicenseDir/LicenseKey), written as <ISCInstallDir>/mgr/
# iris.key, the instance's owner's, which the first start activates.
#
# The kit (a gzipped tar, one top directory with irisinstall_silent) is
# kept as ~/ICM/kit/<name> and unpacked in ~/ICM/kit/unpacked.  install is
# re-entrant as ICM's: an instance already in ISCInstallDir is stopped,
# deleted and removed before the new one is installed.
set -eu
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
umask 022

fail() { echo "$*" >&2; exit 1; }

step=${1:-}
: "${ICM_DIR:?ICM_DIR is not set}"
KitURL='' ISCInstallDir=/usr/irissys SuperServerPort=1972 nonroot=false
StartTimeout=600 Password='' Namespace=IRISCLUSTER
# the mount points, one a line (a value is one line: icm refuses others)
mounts=''
while IFS= read -r line; do
	[ "$line" = . ] && break
	val=${line#*=}
	case ${line%%=*} in
	KitURL) KitURL=$val ;;
	ISCInstallDir) ISCInstallDir=$val ;;
	SuperServerPort) SuperServerPort=$val ;;
	nonroot) nonroot=$val ;;
	StartTimeout) StartTimeout=$val ;;
	Password) Password=$val ;;
	Namespace) Namespace=$val ;;
	WIJMountPoint|Journal1MountPoint|Journal2MountPoint)
		case $val in
		/?*) ;;
		*) fail "${line%%=*} '$val' is not an absolute path" ;;
		esac
		mounts="$mounts$val
" ;;
	*) fail "installKit.sh: unknown setting '${line%%=*}'" ;;
	esac
done
dir=${ISCInstallDir%/}
case $dir in /?*) ;; *) fail "ISCInstallDir '$ISCInstallDir' is not an absolute path" ;; esac
iris=$dir/bin/iris
kitdir=$ICM_DIR/kit
if [ "$nonroot" = true ]; then
	IRISSYS=${IRISSYS:-$ICM_DIR/irissys}
	export IRISSYS
	mkdir -p "$IRISSYS"
fi

installed() { [ -x "$iris" ]; }

# The running state: field 4 of qlist up to the first comma.
state() { "$iris" qlist IRIS 2>/dev/null | cut -d^ -f4 | cut -d, -f1; }

uninstall() {
	installed || { echo "No InterSystems IRIS instance in $dir"; return 0; }
	if [ "$(state)" != down ]; then
		"$iris" stop IRIS quietly || "$iris" force IRIS quietly ||
			fail "cannot stop InterSystems IRIS in $dir"
	fi
	"$iris" delete IRIS || fail "iris delete IRIS failed"
	rm -rf -- "$dir"
	echo "InterSystems IRIS removed from $dir"
}

download() {
	[ -n "$KitURL" ] || fail "KitURL is not set"
	mkdir -p "$kitdir"
	name=${KitURL##*/}
	name=${name%%\?*}
	case $name in
	""|.|..) fail "KitURL '$KitURL' names no file" ;;
	esac
	case $KitURL in
	file://*)
		kit=${KitURL#file://}
		if [ ! -f "$kit" ] || [ ! -r "$kit" ]; then
			fail "KitURL '$KitURL': no such file on the node (copy it there with icm scp)"
		fi ;;
	http://*|https://*)
		kit=$kitdir/$name
		rm -f "$kit.part"
		if command -v curl >/dev/null 2>&1; then
			curl -fsSL --retry 3 -o "$kit.part" "$KitURL" ||
				fail "cannot download $KitURL (curl exit status $?)"
		elif command -v wget >/dev/null 2>&1; then
			wget -q -O "$kit.part" "$KitURL" ||
				fail "cannot download $KitURL (wget exit status $?)"
		else
			fail "neither curl nor wget is installed on the node"
		fi
		mv -f "$kit.part" "$kit" ;;
	*) fail "KitURL '$KitURL': expected http://, https:// or file://" ;;
	esac
	rm -rf "$kitdir/unpacked"
	mkdir -p "$kitdir/unpacked"
	tar -xzf "$kit" -C "$kitdir/unpacked" ||
		fail "KitURL '$KitURL' is not a gzipped tar kit"
	found=$(find "$kitdir/unpacked" -maxdepth 2 -name irisinstall_silent -type f | head -n 1)
	[ -n "$found" ] || fail "KitURL '$KitURL': no irisinstall_silent in the kit"
	# ~/ICM stays its owner's (a later nonroot install replaces the kit)
	[ "$(id -u)" != 0 ] || chown -R "$(stat -c %u:%g "$ICM_DIR")" "$kitdir"
	echo "Kit $name unpacked in $(dirname "$found")"
}

install() {
	found=$(find "$kitdir/unpacked" -maxdepth 2 -name irisinstall_silent -type f 2>/dev/null | head -n 1)
	[ -n "$found" ] || fail "no unpacked kit in $kitdir (download first)"
	[ -n "$Password" ] || fail "no password given"
	uninstall
	if [ "$nonroot" = true ]; then
		if ! mkdir -p -- "$dir" 2>/dev/null || [ ! -w "$dir" ]; then
			fail "ISCInstallDir '$dir' is not writable by $(id -un) (nonroot: choose a directory it owns)"
		fi
		set -- ISC_PACKAGE_MGRUSER="$(id -un)" ISC_PACKAGE_MGRGROUP="$(id -gn)" \
			ISC_PACKAGE_IRISUSER="$(id -un)" ISC_PACKAGE_IRISGROUP="$(id -gn)"
	else
		for u in irisowner irisusr; do
			getent group "$u" >/dev/null || groupadd -r "$u"
			id "$u" >/dev/null 2>&1 ||
				useradd -r -M -g "$u" -s /usr/sbin/nologin "$u"
		done
		set -- ISC_PACKAGE_MGRUSER=irisowner ISC_PACKAGE_MGRGROUP=irisowner \
			ISC_PACKAGE_IRISUSER=irisusr ISC_PACKAGE_IRISGROUP=irisusr
	fi
	# The passwords reach irisinstall_silent's environment only (exported
	# by this shell, which got them on standard input).
	ISC_PACKAGE_USER_PASSWORD=$Password
	ISC_PACKAGE_CSPSYSTEM_PASSWORD=$Password
	export ISC_PACKAGE_USER_PASSWORD ISC_PACKAGE_CSPSYSTEM_PASSWORD
	(cd "$(dirname "$found")" && env "$@" \
		ISC_PACKAGE_INSTANCENAME=IRIS \
		ISC_PACKAGE_INSTALLDIR="$dir" \
		ISC_PACKAGE_UNICODE=Y \
		ISC_PACKAGE_INITIAL_SECURITY=Normal \
		ISC_PACKAGE_SUPERSERVER_PORT="$SuperServerPort" \
		ISC_PACKAGE_WEB_CONFIGURE=N \
		ISC_PACKAGE_WEB_SERVERTYPE=None \
		ISC_PACKAGE_STARTIRIS=N \
		./irisinstall_silent) || fail "irisinstall_silent failed (exit status $?)"
	unset ISC_PACKAGE_USER_PASSWORD ISC_PACKAGE_CSPSYSTEM_PASSWORD
	installed || fail "irisinstall_silent made no $iris"
	while IFS= read -r m; do
		[ -n "$m" ] || continue
		mkdir -p -- "$m" 2>/dev/null || true
		if [ "$nonroot" = true ]; then
			[ -w "$m" ] || fail "$m is not writable by $(id -un) (nonroot: the mount points must be)"
		else
			chown irisowner:irisowner -- "$m" || fail "cannot give $m to irisowner"
		fi
	done <<EOF
$mounts
EOF
}

start() {
	installed || fail "no InterSystems IRIS instance in $dir (icm install)"
	(umask 077 && cat > "$ICM_DIR/merge.cpf.tmp")
	mv -f "$ICM_DIR/merge.cpf.tmp" "$ICM_DIR/merge.cpf"
	if [ "$(state)" != running ]; then
		ISC_CPF_MERGE_FILE=$ICM_DIR/merge.cpf "$iris" start IRIS ||
			fail "iris start IRIS failed"
	fi
	wait_running
}

license() {
	installed || fail "no InterSystems IRIS instance in $dir (icm install)"
	mgr=$dir/mgr
	[ -d "$mgr" ] || fail "no mgr directory in $dir"
	cat > "$mgr/iris.key.tmp" || fail "cannot write $mgr/iris.key"
	[ -s "$mgr/iris.key.tmp" ] || { rm -f "$mgr/iris.key.tmp"; fail "the license key is empty"; }
	chmod 0644 "$mgr/iris.key.tmp"
	[ "$(id -u)" != 0 ] || chown "$(stat -c %u:%g "$mgr")" "$mgr/iris.key.tmp"
	mv -f "$mgr/iris.key.tmp" "$mgr/iris.key"
	echo "License key installed as $mgr/iris.key"
}

# icm start: the installed instance started again (no merge file).
resume() {
	installed || fail "no InterSystems IRIS instance in $dir (icm install)"
	if [ "$(state)" != running ]; then
		"$iris" start IRIS || fail "iris start IRIS failed"
	fi
	wait_running
}

# icm stop
halt_instance() {
	installed || fail "no InterSystems IRIS instance in $dir (icm install)"
	if [ "$(state)" != down ]; then
		"$iris" stop IRIS quietly || fail "iris stop IRIS failed"
	fi
	"$iris" qlist IRIS
}

wait_running() {
	waited=0
	while [ "$(state)" != running ]; do
		[ "$waited" -lt "$StartTimeout" ] ||
			fail "InterSystems IRIS did not start within $StartTimeout s: $("$iris" qlist IRIS 2>&1)"
		sleep 2
		waited=$((waited + 2))
	done
	"$iris" qlist IRIS
}

case $step in
download) download ;;
install) install ;;
license) license ;;
start) start ;;
resume) resume ;;
stop) halt_instance ;;
uninstall) uninstall ;;
status) if installed; then "$iris" qlist IRIS || true; fi ;;
session)
	installed || fail "InterSystems IRIS is not installed in $dir (icm install)"
	exec "$iris" session IRIS -U "$Namespace" ;;
*) fail "usage: installKit.sh download|install|license|start|resume|stop|uninstall|status|session" ;;
esac
