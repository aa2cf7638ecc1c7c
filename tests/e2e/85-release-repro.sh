#!/usr/bin/env bash
# 85-release-repro: a release is reproducible.  A second clone of the
# commit release/out/ was made from, in another directory (so a build path
# that leaked into a binary shows), with its own dependency build, runs
# `make release`; every file of its release/out/ must be byte-identical to
# ours.  It takes a whole build of both architectures (about as long as
# `./build.sh` plus `make release`), so it runs only where a release was made
# (.ci/run makes one); the sources come from our vendor/cache/ (checked by
# sha256 as always), so it needs no network.
. "$(dirname "$0")/lib.sh"
OUT=$TOP/release/out
[ -f "$OUT/SHA256SUMS" ] || skip_all "no release in release/out (run make release first; .ci/run does)"
[ ! -e "$OUT/.dirty" ] || skip_all "release/out was made from a work tree with uncommitted changes: nothing to reproduce from a clone"
commit=$(cat "$OUT/.commit" 2>/dev/null) || skip_all "release/out has no .commit (made by an older release.sh)"
git -C "$TOP" cat-file -e "$commit^{commit}" 2>/dev/null || skip_all "commit $commit of release/out is not in this repository"
plan 3

B=$T/second-clone/icm
git clone -q --no-local "$TOP" "$B"
git -C "$B" checkout -q "$commit"
mkdir -p "$B/vendor/cache"
cp -al "$TOP/vendor/cache/." "$B/vendor/cache/" 2>/dev/null || cp -a "$TOP/vendor/cache/." "$B/vendor/cache/"
log=$T/release-b.log
(cd "$B" && make release) >"$log" 2>&1
rc=$?
is "make release in a second clone ($B) succeeds" "$rc" 0
[ "$rc" = 0 ] || tail -n 30 "$log" | sed 's/^/#   /' >&2
is "both releases have the same SHA256SUMS" "$(cat "$B/release/out/SHA256SUMS" 2>/dev/null)" "$(cat "$OUT/SHA256SUMS")"
differ=
for f in $(cd "$OUT" && find . -maxdepth 1 -type f ! -name '.*' -printf '%f\n' | sort); do
	cmp -s "$OUT/$f" "$B/release/out/$f" || differ="$differ $f"
done
is "every file byte-identical" "$differ" ""
done_testing
