#!/usr/bin/env bash
# release/release.sh - `make release`: everything a user downloads, in
# release/out/ (git-ignored), built from the checked-out commit:
#
#   icm-<ver>-linux-amd64.tar.gz   icm-<ver>-linux-arm64.tar.gz
#       icm-<ver>-linux-<arch>/ icm (static), icm.1, completion/icm.bash,
#       completion/_icm, README.md, LICENSE, licenses/<component>/...
#   icm-<ver>.spdx.json            the SBOM (SPDX 2.3): components, versions,
#                                  source checksums, patches applied
#   icm-image-<ver>-linux-<arch>.tar  the ICM image, `docker load`-able
#   icm-image-<ver>.oci.tar        both platforms, an OCI layout with an index
#   icm-image-<ver>.digests        manifest and index digests
#   SHA256SUMS                     over all of the above (`sha256sum -c`)
#
# Reproducible: every timestamp is SOURCE_DATE_EPOCH (the commit's time),
# archive members are sorted with fixed owners and modes, and the binaries
# carry no build path, so two clones of one commit give identical bytes
# (tests/e2e/85-release-repro.sh checks it).  Nothing is pushed anywhere.
#
# Needs the arm64 cross toolchain and qemu-user-static: `./build.sh --arch
# arm64` (as root) installs them.  A dirty work tree is released with a
# warning and marked so (release/out/.dirty): such a release cannot be
# reproduced from a clone.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=$ROOT/release/out
ARCHES=(amd64 arm64)

say() { printf 'release: %s\n' "$*" >&2; }
die() { printf 'release: error: %s\n' "$*" >&2; exit 1; }

VERSION=$(sed -n 's/^#define ICM_VERSION "\(.*\)"$/\1/p' src/icm.h)
[ -n "$VERSION" ] || die "no ICM_VERSION in src/icm.h"
git rev-parse --git-dir >/dev/null 2>&1 || die "not a git checkout: the release's time comes from the commit"
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
export SOURCE_DATE_EPOCH LC_ALL=C TZ=UTC
DIRTY=
[ -z "$(git status --porcelain --untracked-files=no)" ] || DIRTY=1

for t in aarch64-linux-gnu-gcc qemu-aarch64-static python3 sha256sum; do
    command -v "$t" >/dev/null 2>&1 ||
        die "'$t' is not installed: run ./build.sh --arch arm64 (as root) first"
done

# The binaries (each ARCH's make is incremental), the man page and completion.
say "building icm $VERSION (amd64, arm64), the man page and completion"
make -s -j2 build/icm doc
make -s -j2 ARCH=arm64 build/arm64/icm

bin_of() { case "$1" in amd64) echo build/icm ;; *) echo "build/$1/icm" ;; esac; }
sysroot_of() { case "$1" in amd64) echo build/sysroot ;; *) echo "build/$1/sysroot" ;; esac; }

# The binary of an arch must be what its name says and static; the versions
# it reports are the SBOM's (checked again by tests/e2e/80-sbom.sh).
for a in "${ARCHES[@]}"; do
    b=$(bin_of "$a")
    desc=$(file -b "$b")
    case "$a" in amd64) want=x86-64 ;; arm64) want=aarch64 ;; esac
    case "$desc" in *"$want"*"statically linked"*) ;;
    *) die "$b is not a static $want executable: $desc" ;; esac
done

rm -rf "$OUT"
mkdir -p "$OUT"
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/icm-release.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT

# tar_gz DIR NAME OUT: DIR/NAME as a reproducible tar.gz.
tar_gz() {
    tar -C "$1" --sort=name --format=gnu --mtime="@$SOURCE_DATE_EPOCH" \
        --owner=0 --group=0 --numeric-owner --mode='u+rwX,go+rX,go-w' \
        -cf - "$2" | gzip -9n >"$3"
}

for a in "${ARCHES[@]}"; do
    name=icm-$VERSION-linux-$a
    d=$STAGE/$name
    sysroot=$(sysroot_of "$a")
    mkdir -p "$d/completion" "$d/licenses"
    install -m755 "$(bin_of "$a")" "$d/icm"
    install -m644 build/doc/icm.1 "$d/icm.1"
    install -m644 build/doc/icm.bash "$d/completion/icm.bash"
    install -m644 build/doc/_icm "$d/completion/_icm"
    install -m644 README.md LICENSE "$d/"
    [ -d "$sysroot/share/licenses" ] ||
        die "$sysroot/share/licenses is missing: vendor/deps.sh installs the components' license texts there (rerun make)"
    cp -R "$sysroot/share/licenses/." "$d/licenses/"
    for c in musl bearssl cjson curl libssh2; do
        [ -n "$(ls -A "$d/licenses/$c" 2>/dev/null)" ] || die "no license text for $c in $sysroot/share/licenses/$c"
    done
    say "writing $name.tar.gz"
    tar_gz "$STAGE" "$name" "$OUT/$name.tar.gz"
done

say "writing the SBOM"
(cd "$OUT" && sha256sum -- icm-"$VERSION"-linux-*.tar.gz) >"$STAGE/tarballs.sums"
sbom=$OUT/icm-$VERSION.spdx.json
sbom_args=(--version "$VERSION" --output "$sbom" --artifacts "$STAGE/tarballs.sums")
for a in "${ARCHES[@]}"; do sbom_args+=(--sysroot "$a=$(sysroot_of "$a")"); done
python3 release/sbom.py "${sbom_args[@]}"
# The SBOM must be valid SPDX 2.3: checked whenever the schema can be had
# (release/SCHEMAS says where from); without it, said, and e2e 80 skips too.
rc=0
schema=$(release/fetch-schema.sh spdx-2.3) || rc=$?
case $rc in
0) python3 release/validate-sbom.py "$schema" "$sbom" || die "the SBOM is not valid SPDX 2.3" ;;
3) say "warning: the SPDX 2.3 schema is not available here (see release/SCHEMAS): the SBOM was not validated" ;;
*) die "the SPDX 2.3 schema was refused (see above)" ;;
esac

say "writing the ICM image"
release/fetch-image-inputs.sh >/dev/null
python3 release/mkimage.py "$OUT" --arch amd64="$(bin_of amd64)" --arch arm64="$(bin_of arm64)"

files=$(cd "$OUT" && find . -maxdepth 1 -type f ! -name '.*' -printf '%f\n' | sort)
# shellcheck disable=SC2086  # file names of our own making, no blanks
(cd "$OUT" && sha256sum $files >"$STAGE/SHA256SUMS") && mv "$STAGE/SHA256SUMS" "$OUT/SHA256SUMS"
[ -z "$DIRTY" ] || { touch "$OUT/.dirty"; say "warning: the work tree has uncommitted changes: this release is not reproducible from a clone"; }
git rev-parse HEAD >"$OUT/.commit"
(cd "$OUT" && sha256sum -c --quiet SHA256SUMS) || die "SHA256SUMS does not verify"
say "done: ${OUT#"$ROOT"/}/"
(cd "$OUT" && ls -l -- *)
