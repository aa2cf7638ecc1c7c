#!/usr/bin/env bash
# 68-node-scripts: the node scripts (embedded/node/*.sh) carry hostile
# values as one word each, in a sandbox: nothing is written outside $T and
# the real /etc is never touched.
#   - shellcheck finds nothing in them;
#   - installKit.sh install (nonroot, a stand-in irisinstall_silent): a
#     mount point with a space is one directory, the path after the space
#     is not touched;
#   - mountVolumes.sh (root: a private mount namespace where a temporary
#     file is /etc/fstab and stubs of blkid, findmnt, mountpoint and mount
#     come first in PATH): a mount point with a space and a newline is one
#     fstab entry, escaped as fstab(5) says, and one directory;
#   - installDocker.sh refuses a DockerURL that would add a line to
#     sources.list before it does anything;
#   - and before any of that, `icm provision -plan` refuses such values
#     (with a newline: tests/data/config/bad/95* have the one-line ones),
#     naming the file, line, column and field, and writes nothing;
#   - a -container name that Docker would not take (it goes into the
#     daemons' URLs) is refused by every container command before it
#     reaches a node.
. "$(dirname "$0")/lib.sh"
NODE=$TOP/embedded/node
plan 31

if command -v shellcheck >/dev/null 2>&1; then
	out=$(shellcheck "$NODE"/*.sh 2>&1)
	is "shellcheck: no finding in embedded/node/*.sh" "$?" 0
	[ -z "$out" ] || printf '%s\n' "$out" | head -n 20 | sed 's/^/#   /'
else
	echo "ok 1 # SKIP shellcheck is not installed (see build.sh's test packages)"
	_n=1
fi

# --- installKit.sh: the mount list
mkdir -p "$T/icm/kit/unpacked/kit" "$T/v"
cat > "$T/icm/kit/unpacked/kit/irisinstall_silent" <<'EOF'
#!/bin/sh
# stand-in: an instance that qlist reports as down
mkdir -p "$ISC_PACKAGE_INSTALLDIR/bin"
printf '#!/bin/sh\necho "IRIS^%s^0^down"\n' "$ISC_PACKAGE_INSTALLDIR" \
	> "$ISC_PACKAGE_INSTALLDIR/bin/iris"
chmod +x "$ISC_PACKAGE_INSTALLDIR/bin/iris"
EOF
chmod +x "$T/icm/kit/unpacked/kit/irisinstall_silent"
wij="$T/v/wij $T/v/second"
out=$(printf '%s\n' nonroot=true "ISCInstallDir=$T/inst" "WIJMountPoint=$wij" \
	"Journal1MountPoint=$T/v/j1" Password=pw . |
	ICM_DIR="$T/icm" sh "$NODE/installKit.sh" install 2>&1)
is "installKit.sh install exits 0" "$?" 0
[ -x "$T/inst/bin/iris" ] || printf '%s\n' "$out" | tail -n 5 | sed 's/^/#   /'
ok "... the mount point with a space is one directory" test -d "$wij"
ok "... the path after the space is not touched" test ! -e "$T/v/second"
ok "... nor the one before it" test ! -e "$T/v/wij"
ok "... the next mount point is made too" test -d "$T/v/j1"
out=$(printf '%s\n' nonroot=true "ISCInstallDir=$T/inst" "WIJMountPoint=irissys/wij" Password=pw . |
	ICM_DIR="$T/icm" sh "$NODE/installKit.sh" install 2>&1)
is "installKit.sh refuses a relative mount point" "$?" 1
contains "... naming the field" "$out" "WIJMountPoint 'irissys/wij' is not an absolute path"

# --- mountVolumes.sh: the fstab line
if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null ||
	[ ! -f /etc/fstab ] || [ ! -d /usr/local/sbin ]; then
	for i in 1 2 3 4; do
		echo "ok $((_n + i)) # SKIP mountVolumes.sh needs root, a mount namespace (unshare -m), /etc/fstab and /usr/local/sbin"
	done
	_n=$((_n + 4))
else
	mkdir -p "$T/stub" "$T/mnt"
	: > "$T/fstab"
	stub() { printf '#!/bin/sh\n%s\n' "$2" > "$T/stub/$1"; chmod +x "$T/stub/$1"; }
	stub blkid 'case $* in *TYPE*) echo xfs ;; *UUID*) echo 1111-2222 ;; esac'
	stub findmnt 'exit 1'
	stub mountpoint 'exit 1'
	stub mount "printf '[%s]' \"\$@\" >> '$T/mount.log'"
	blk=$T/blk
	mknod "$blk" b 7 250 2>/dev/null || blk=$(find /dev -maxdepth 1 -type b | head -n 1)
	mp="$T/mnt/data x
$T/mnt/etc"
	out=$(env FileSystem=xfs DataDeviceName="$blk" DataMountPoint="$mp" \
		unshare -m sh -c 'mount --bind "$1" /etc/fstab &&
		mount --bind "$2" /usr/local/sbin && exec sh "$3"' sh \
		"$T/fstab" "$T/stub" "$NODE/mountVolumes.sh" 2>&1)
	is "mountVolumes.sh exits 0" "$?" 0
	[ -d "$mp" ] || printf '%s\n' "$out" | tail -n 5 | sed 's/^/#   /'
	is "... one fstab line, the mount point escaped as fstab(5) says" \
		"$(cat "$T/fstab")" \
		"UUID=1111-2222 $T/mnt/data\\040x\\012$T/mnt/etc xfs defaults,nofail 0 2"
	ok "... one directory, the line after the newline not touched" \
		test -d "$mp" -a ! -e "$T/mnt/etc" -a ! -e "$T/mnt/data x"
	is "... mount got the mount point as one argument" \
		"$(cat "$T/mount.log" 2>&1)" "[--][$mp]"
fi

# --- installDocker.sh: DockerURL
if command -v docker >/dev/null 2>&1 && command -v dockerd >/dev/null 2>&1; then
	# (on this machine the script would stop at "installed already"; the
	# check comes first)
	out=$(DockerURL='https://example.com/ee
deb [trusted=yes] http://evil.example/ x main' sh "$NODE/installDocker.sh" 2>&1)
	is "installDocker.sh refuses a DockerURL with a newline" "$?" 1
	contains "... saying why" "$out" "DockerURL must be a URL without whitespace"
else
	echo "ok $((_n + 1)) # SKIP no docker here (the script would install it)"
	echo "ok $((_n + 2)) # SKIP no docker here"
	_n=$((_n + 2))
fi
# --- the configuration layer: values with a newline
mkdir -p "$T/cfg"
cd "$T/cfg" || exit 1
sed 's#"iris:2019.3"#"intersystems/iris:2019.3"#' \
	"$DATA/config/bad/37-image-no-repository/definitions.json" > definitions.json
for f in 'WIJMountPoint:/irissys/wij\n/etc' \
	'DockerURL:https://example.com/ee\ndeb http://evil.example/ x main' \
	'DataDeviceName:xvdd\nsdb'; do
	name=${f%%:*}
	# (the value through the environment: awk -v would read its \n)
	line="    \"$name\": \"${f#*:}\"," awk '
		/"ISCPassword"/ { print ENVIRON["line"] }
		{ sub(/"iris:2019.3"/, "\"intersystems/iris:2019.3\""); print }' \
		"$DATA/config/bad/37-image-no-repository/defaults.json" > defaults.json
	before=$(snapshot .)
	out=$("$ICM" provision -plan 2>&1)
	is "provision -plan refuses a $name with a newline" "$?" 1
	contains "... naming the file, line, column and field" "$out" \
		"Error: defaults.json:14:$(( ${#name} + 9 )): field '$name': expected"
	"$ICM" provision >/dev/null 2>&1
	is "... plain provision refuses it too and writes nothing" "$(snapshot .)" "$before"
done
cd "$T" || exit 1

# --- -container: Docker's name rule, before anything
mkdir -p "$T/dep"
cd "$T/dep" || exit 1
echo '[{"MachineName": "T-DM-X-0001", "Role": "DM", "IPAddress": "192.0.2.1"}]' > instances.json
for c in stop start rm ps "exec -command ls" run "upgrade -image a/b:c" \
	"cp -localPath /etc/hostname"; do
	# shellcheck disable=SC2086 # the command's words
	out=$("$ICM" $c -container 'iris/../x?force=1' 2>&1)
	contains "icm ${c%% *} refuses -container 'iris/../x?force=1'" "$out" \
		"Error: -container: expected a container name (a letter or digit"
done
cd "$T" || exit 1
done_testing
