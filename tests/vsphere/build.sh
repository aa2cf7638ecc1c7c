#!/bin/bash
# tests/vsphere/build.sh OUTDIR: builds the vCenter simulator harness of the
# vSphere tests, offline, from Debian's golang-go and
# golang-github-vmware-govmomi-dev (govmomi 0.24.2):
#   OUTDIR/vcsim    the simulator with our inventory (vcsim/main.go)
#   OUTDIR/vcprops  the independent VM property reader (vcprops/main.go)
# It makes a GOPATH overlay in OUTDIR/gopath: govmomi's directory there
# links every entry of the system copy except simulator/, which is a copy
# patched with simulator.patch (patch -p1).  GOPATH mode, no network
# (GOPROXY=off), the Go cache in OUTDIR/gocache.  A stamp over the inputs'
# sha256 makes a rerun with nothing changed a no-op.
# Exits 77 when Go or govmomi is missing (the caller skips), 1 on a failure.
set -euo pipefail

die() { echo "tests/vsphere/build.sh: $*" >&2; exit 1; }
[ $# = 1 ] || die "usage: tests/vsphere/build.sh OUTDIR"
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1" || die "cannot create $1"
OUT=$(cd "$1" && pwd)
SRC=${GOVMOMI_SRC:-/usr/share/gocode/src/github.com/vmware/govmomi}

command -v go >/dev/null || { echo "go is missing (Debian package golang-go)" >&2; exit 77; }
[ -f "$SRC/simulator/simulator.go" ] ||
	{ echo "govmomi is missing: no $SRC (Debian package golang-github-vmware-govmomi-dev)" >&2; exit 77; }

# One build at a time in OUTDIR (make and a test may both ask).
exec 9> "$OUT/.lock" || die "cannot open $OUT/.lock"
flock 9 || die "cannot lock $OUT/.lock"

stamp=$( { go version
	(cd "$SRC/simulator" && find . -type f -name '*.go' -print0 | sort -z | xargs -0 sha256sum)
	(cd "$HERE" && sha256sum build.sh simulator.patch vcsim/main.go vcprops/main.go)
	} | sha256sum | cut -d' ' -f1) || die "cannot hash the inputs"
if [ -x "$OUT/vcsim" ] && [ -x "$OUT/vcprops" ] && [ "$(cat "$OUT/stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi
rm -f "$OUT/stamp"

gov=$OUT/gopath/src/github.com/vmware/govmomi
rm -rf "$OUT/gopath"
mkdir -p "$gov" || die "cannot create $gov"
for e in "$SRC"/*; do
	[ "${e##*/}" = simulator ] || ln -s "$e" "$gov/" || die "cannot link $e"
done
cp -r "$SRC/simulator" "$gov/" || die "cannot copy $SRC/simulator"
patch -s -p1 -d "$gov" < "$HERE/simulator.patch" || die "simulator.patch does not apply to $SRC"

export GO111MODULE=off GOFLAGS='' GOPROXY=off GOPATH=$OUT/gopath:${SRC%/src/github.com/vmware/govmomi} \
	GOCACHE=$OUT/gocache CGO_ENABLED=0
for p in vcsim vcprops; do
	(cd "$HERE/$p" && go build -trimpath -o "$OUT/$p.tmp" .) || die "go build of $p failed"
	mv "$OUT/$p.tmp" "$OUT/$p"
done
echo "$stamp" > "$OUT/stamp"
