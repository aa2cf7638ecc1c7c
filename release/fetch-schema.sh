#!/usr/bin/env bash
# release/fetch-schema.sh - put a schema pinned in release/SCHEMAS into
# vendor/cache/, checked by sha256, and print its path.
#
#   release/fetch-schema.sh NAME        e.g. spdx-2.3
#
# Looks in vendor/cache/ first, then in the machine's cache
# ($ICM_SOURCE_CACHE, default ~/.cache/icm-sources/), then tries each SOURCE of the schema's line
# (url:URL with curl; npm:PKG@VER:PATH with npm pack). Whatever its origin, a
# file whose sha256 is not the pinned one is refused (and not kept).
# Exit status: 0 the path is printed; 1 refused, or bad usage or SCHEMAS line;
# 3 no source could give the file (callers that can do without it skip).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCHEMAS=$ROOT/release/SCHEMAS
CACHE=$ROOT/vendor/cache

say() { printf 'fetch-schema: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

[ $# -eq 1 ] || die "usage: release/fetch-schema.sh NAME (a NAME of release/SCHEMAS)"
want_name=$1

line=$(awk -v n="$want_name" '!/^[ \t]*(#|$)/ && $1 == n' "$SCHEMAS")
[ -n "$line" ] || die "release/SCHEMAS has no schema named '$want_name'"
read -r _ file sha sources <<<"$line"
[[ $file =~ ^[A-Za-z0-9._+-]+$ ]] || die "release/SCHEMAS: $want_name: bad FILE '$file'"
[[ $sha =~ ^[0-9a-f]{64}$ ]] || die "release/SCHEMAS: $want_name: bad SHA256 '$sha'"
dest=$CACHE/$file

# check FILE ORIGIN: the file has the pinned sha256, or the run ends refused.
check() {
	local got
	got=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$got" = "$sha" ] && return 0
	say "REFUSED $file (from $2): sha256 mismatch"
	say "  expected $sha (release/SCHEMAS)"
	say "  actual   $got"
	[ "$2" = cache ] && say "  the cached copy is $dest; delete it to fetch it again"
	[ "$2" = cache ] || rm -f "$1"
	exit 1
}

if [ -f "$dest" ]; then
	check "$dest" cache
	printf '%s\n' "$dest"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/icm-schema.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# A machine-wide copy (outside any clone, so fresh clones and CI on this
# machine find it): $ICM_SOURCE_CACHE, default ~/.cache/icm-sources/.
machine=${ICM_SOURCE_CACHE:-${HOME:-/nonexistent}/.cache/icm-sources}/$file
if [ -f "$machine" ]; then
	cp "$machine" "$tmp/file"
	check "$tmp/file" "$machine"
	mkdir -p "$CACHE"
	mv "$tmp/file" "$dest.part" && mv "$dest.part" "$dest"
	printf '%s\n' "$dest"
	exit 0
fi

# try SOURCE: leaves the file as $tmp/file, or returns 1.
try() {
	local src=$1 spec pkg path tgz
	case $src in
	url:*)
		command -v curl >/dev/null 2>&1 || return 1
		say "downloading ${src#url:}"
		curl -fsSL --retry 1 --connect-timeout 15 --max-time 60 \
			-o "$tmp/file" "${src#url:}" 2>/dev/null ;;
	npm:*)
		command -v npm >/dev/null 2>&1 || return 1
		spec=${src#npm:}
		pkg=${spec%%:*} path=${spec#*:}
		[ "$pkg" != "$spec" ] || { say "release/SCHEMAS: '$src' is not npm:PKG@VER:PATH"; return 1; }
		say "npm pack $pkg"
		(cd "$tmp" && timeout 120 npm pack --silent "$pkg" >npm.out 2>npm.err) || return 1
		tgz=$tmp/$(tail -1 "$tmp/npm.out")
		[ -f "$tgz" ] || return 1
		tar -xzf "$tgz" -C "$tmp" "package/$path" 2>/dev/null || return 1
		mv "$tmp/package/$path" "$tmp/file" ;;
	*)
		say "release/SCHEMAS: unknown source '$src'"; return 1 ;;
	esac
}

for src in $sources; do
	rm -f "$tmp/file"
	if try "$src" && [ -s "$tmp/file" ]; then
		check "$tmp/file" "$src"
		mkdir -p "$CACHE"
		mv "$tmp/file" "$dest.part" && mv "$dest.part" "$dest"
		say "$file verified and kept in vendor/cache/"
		printf '%s\n' "$dest"
		exit 0
	fi
done
say "cannot get $file ($want_name): not in vendor/cache/ nor ${machine%/*}/, and no source of release/SCHEMAS answered"
exit 3
