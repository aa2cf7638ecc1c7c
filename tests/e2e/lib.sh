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
			sed 's/^\([^#]\)/#   \1/'
	fi
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
