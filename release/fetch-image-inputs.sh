#!/usr/bin/env bash
# fetch-image-inputs.sh [CACHE]: puts every file release/MANIFEST pins (the
# ICM image's inputs: Debian's busybox-static for each architecture) into
# CACHE (default vendor/cache/), checked against its sha256.
#
# A file already in CACHE is only checked.  A missing one is fetched with
# `apt-get download PKG:ARCH=VERSION` from this machine's own apt sources,
# in a private apt state (package lists and cache in a temporary directory,
# the architectures given on the command line), so the machine's apt and
# dpkg configuration stay as they are.  A checksum mismatch is refused:
# exit 1 naming the file, the pinned and the found sha256.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
MANIFEST=$TOP/release/MANIFEST
CACHE=${1:-$TOP/vendor/cache}
TMP=

die() { printf 'fetch-image-inputs: error: %s\n' "$*" >&2; exit 1; }
say() { printf 'fetch-image-inputs: %s\n' "$*"; }
cleanup() { [ -z "$TMP" ] || rm -rf "$TMP"; }
trap cleanup EXIT

sum() { sha256sum "$1" | cut -d' ' -f1; }

[ -r "$MANIFEST" ] || die "cannot read $MANIFEST"
mkdir -p "$CACHE" || die "cannot create the cache directory $CACHE"

# The architectures the manifest names, for the private apt state.
ARCHS=()
while read -r _ arch _; do
	ARCHS+=("$arch")
done < <(grep -v '^[[:space:]]*\(#\|$\)' "$MANIFEST")
[ ${#ARCHS[@]} -gt 0 ] || die "$MANIFEST names no file"

APT=()
apt_state() {		# once: a private apt state with fresh package lists
	local a
	[ -n "$TMP" ] && return 0
	command -v apt-get >/dev/null || die "apt-get is missing: cannot fetch what $MANIFEST pins"
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/icm-image-inputs.XXXXXX")
	mkdir -p "$TMP/lists/partial" "$TMP/cache/archives/partial" "$TMP/dl"
	APT=(-q -o APT::Sandbox::User=root -o "Dir::State::Lists=$TMP/lists"
	     -o "Dir::Cache=$TMP/cache" -o APT::Architectures::=)
	for a in $(printf '%s\n' "${ARCHS[@]}" | sort -u); do
		APT+=(-o "APT::Architectures::=$a")
	done
	say "apt-get update (private state in $TMP)"
	apt-get "${APT[@]}" update >"$TMP/update.log" 2>&1 ||
		die "apt-get update in the private apt state failed: $(tail -3 "$TMP/update.log")"
}

while read -r pkg arch version file want; do
	[ -n "$want" ] || die "$MANIFEST: malformed line for $pkg $arch (want PKG ARCH VERSION FILE SHA256)"
	dest=$CACHE/$file
	if [ -e "$dest" ]; then
		got=$(sum "$dest")
		[ "$got" = "$want" ] || die "$dest: sha256 $got, but $MANIFEST pins $want (delete the file to fetch it again)"
		say "$file: in the cache, sha256 ok"
		continue
	fi
	apt_state
	rm -f "$TMP"/dl/*.deb
	say "apt-get download $pkg:$arch=$version"
	(cd "$TMP/dl" && apt-get "${APT[@]}" download "$pkg:$arch=$version") >"$TMP/dl.log" 2>&1 ||
		die "apt-get download $pkg:$arch=$version failed: $(tail -3 "$TMP/dl.log")"
	got_file=$(find "$TMP/dl" -maxdepth 1 -name '*.deb' | head -1)
	[ -n "$got_file" ] || die "apt-get download $pkg:$arch=$version wrote no .deb"
	got=$(sum "$got_file")
	[ "$got" = "$want" ] || die "$pkg:$arch=$version from apt: sha256 $got, but $MANIFEST pins $want (refused, not cached)"
	# copied next to its place first, so a partial file never has its name
	cp "$got_file" "$dest.tmp" || die "cannot write $dest.tmp"
	mv "$dest.tmp" "$dest" || die "cannot rename $dest.tmp to $dest"
	say "$file: fetched, sha256 ok"
done < <(grep -v '^[[:space:]]*\(#\|$\)' "$MANIFEST")
