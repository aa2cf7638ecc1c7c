#!/usr/bin/env bash
# 84-release: what `make release` wrote to release/out/ is what a user
# downloads: SHA256SUMS verifies and covers every file; each tarball holds
# one directory with the static binary (at most 2 MiB, no build path in
# it), the man page, bash and zsh completion, README, icm's license and
# every linked library's, with fixed times, owners and sorted members; the
# binary in the tarball is the one the build made and runs (arm64 under
# qemu-aarch64-static).  The SBOM and the image archives have their own
# tests (80, 83); two clones giving the same bytes is 85.
. "$(dirname "$0")/lib.sh"
OUT=$TOP/release/out
[ -f "$OUT/SHA256SUMS" ] || skip_all "no release in release/out (run make release first; .ci/run does)"
VERSION=$(sed -n 's/^#define ICM_VERSION "\(.*\)"$/\1/p' "$TOP/src/icm.h")
ARCHES="amd64 arm64"
plan 29

sums=$(cd "$OUT" && sha256sum -c SHA256SUMS 2>&1)
ok "sha256sum -c SHA256SUMS passes" sh -c "cd '$OUT' && sha256sum -c --quiet SHA256SUMS"
listed=$(awk '{ sub(/^\*/, "", $2); print $2 }' "$OUT/SHA256SUMS" | sort)
present=$(cd "$OUT" && find . -maxdepth 1 -type f ! -name SHA256SUMS ! -name '.*' -printf '%f\n' | sort)
is "SHA256SUMS names every file of the release, and only those" "$listed" "$present"
for f in "icm-$VERSION.spdx.json" "icm-image-$VERSION.oci.tar" "icm-image-$VERSION.digests" \
	"icm-image-$VERSION-linux-amd64.tar" "icm-image-$VERSION-linux-arm64.tar"; do
	contains "SHA256SUMS covers $f" "$sums" "$f: OK"
done

epoch=
[ -f "$OUT/.commit" ] && epoch=$(git -C "$TOP" log -1 --format=%ct "$(cat "$OUT/.commit")" 2>/dev/null)

for a in $ARCHES; do
	name=icm-$VERSION-linux-$a
	tgz=$OUT/$name.tar.gz
	members=$(tar -tzf "$tgz" 2>/dev/null)
	want="$name/
$name/LICENSE
$name/README.md
$name/completion/
$name/completion/_icm
$name/completion/icm.bash
$name/icm
$name/icm.1
$name/licenses/"
	is "$a: tarball members (outside licenses/) in sorted order" \
		"$(printf '%s\n' "$members" | grep -v "^$name/licenses/." )" "$want"
	missing=
	for c in musl bearssl cjson curl libssh2; do
		printf '%s\n' "$members" | grep -q "^$name/licenses/$c/." || missing="$missing $c"
	done
	is "$a: a license text for each linked library" "$missing" ""
	owners=$(tar -tvzf "$tgz" --numeric-owner | awk '{ print $2 }' | sort -u)
	is "$a: every member owned by 0/0" "$owners" "0/0"
	times=$(tar -tvzf "$tgz" --full-time | awk '{ print $4 " " $5 }' | sort -u)
	if [ -n "$epoch" ]; then
		is "$a: every member dated the commit's time" "$times" "$(date -u -d "@$epoch" '+%Y-%m-%d %H:%M:%S')"
	else
		is "$a: every member has one and the same time" "$(printf '%s\n' "$times" | wc -l)" 1
	fi
	mkdir -p "$T/$a"
	tar -xzf "$tgz" -C "$T/$a"
	bin=$T/$a/$name/icm
	desc=$(file -b "$bin")
	case $a in amd64) m=x86-64 ;; arm64) m=aarch64 ;; esac
	contains "$a: file(1) says $m" "$desc" "$m"
	contains "$a: file(1) says statically linked" "$desc" "statically linked"
	size=$(stat -c %s "$bin")
	ok "$a: the binary is at most 2 MiB ($size bytes)" test "$size" -le 2097152
	is "$a: no build path in the binary" "$(grep -c -a -F "$TOP/" "$bin")" 0
	case $a in
	amd64) bb=$TOP/build/icm; v=$("$bin" version 2>&1) ;;
	arm64) bb=$TOP/build/arm64/icm
		v=$(qemu-aarch64-static "$bin" version 2>&1) ;;
	esac
	if [ -n "$epoch" ] && [ "$(git -C "$TOP" rev-parse HEAD)" = "$(cat "$OUT/.commit")" ]; then
		ok "$a: the tarball's binary is the one the build made" cmp -s "$bin" "$bb"
	else
		_result 0 "# SKIP release/out was made from another commit than HEAD"
	fi
	has_line "$a: icm version runs and names the release" "$v" "icm $VERSION"
done
man=$(MANWIDTH=80 man -l "$T/amd64/icm-$VERSION-linux-amd64/icm.1" 2>/dev/null | col -b)
contains "the man page renders (NAME section)" "$man" "icm - "
readme=$(sed -n '1,/^## Build/p' "$T/amd64/icm-$VERSION-linux-amd64/README.md")
ok "README: how to verify, install and run the image come before the build" \
	sh -c 'printf "%s" "$1" | grep -q "sha256sum -c" && printf "%s" "$1" | grep -q "docker load" && printf "%s" "$1" | grep -q "docker run"' _ "$readme"
done_testing
