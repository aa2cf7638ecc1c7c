#!/usr/bin/env bash
# 21-samples-chroot: the static binary alone in an empty root, with an
# empty environment (no /etc, /dev, /proc, HOME, PATH or locale), writes
# the Samples tree and nothing else.  Needs root, chroot(8) and a static
# $ICM; otherwise the whole file is skipped with the reason.
. "$(dirname "$0")/lib.sh"

if [ ! -x "$ICM" ]; then
	plan 1
	ok "\$ICM ($ICM) is an executable" false
	exit 1
fi

[ "$(id -u)" = 0 ] || skip_all "needs root to chroot"
chroot=$(command -v chroot) || skip_all "no chroot command"
if command -v file >/dev/null 2>&1; then
	desc=$(file -L "$ICM")
	case $desc in
	*"statically linked"* | *"static-pie linked"*) ;;
	*"dynamically linked"*)
		skip_all "$ICM is not a static binary (dynamically linked)" ;;
	*) skip_all "$ICM is not a static binary (file: ${desc#*: })" ;;
	esac
elif command -v readelf >/dev/null 2>&1; then
	! readelf -l "$ICM" | grep -q INTERP ||
		skip_all "$ICM is not a static binary (it has a PT_INTERP)"
else
	skip_all "cannot tell whether $ICM is static (no file or readelf)"
fi

root=$T/root
mkdir "$root" && cp "$ICM" "$root/icm" || exit 1
env -i "$chroot" "$root" /icm samples /out >"$T/out" 2>"$T/err"
st=$?
[ $st != 125 ] || skip_all "chroot itself failed: $(cat "$T/err")"
nfiles=$(samples_nfiles)

is "icm samples /out in an empty chroot exits 0" $st 0
is "nothing on stderr" "$(cat "$T/err")" ""
is "one line per file" "$(wc -l <"$T/out")" "$nfiles"
is "the lines name files under /out" "$(grep -v '^/out/' "$T/out")" ""
ok "the tree is the repository's samples/ and scripts in bin/" samples_same_tree "$root/out"
is "nothing else is created in the root" "$(ls -A "$root" | tr '\n' ' ')" \
	"icm out "

plan "$_n"
done_testing
