#!/usr/bin/env bash
# build.sh - one command from a fresh Debian 12 machine to build/icm.
#
#   1. installs the build dependencies with apt-get (needs root, unless all are
#      already there),
#   2. adds deb-src entries for bookworm and trixie, derived from the machine's
#      own apt sources (no archive host name is written in this project),
#   3. runs `make` (whose `deps` target runs vendor/deps.sh: fetch, verify,
#      patch and build musl, BearSSL, cJSON and libcurl into build/sysroot).
#
#   ./build.sh --arch arm64   also installs the cross toolchain and qemu
#      (CROSS_PACKAGES) and builds build/arm64/icm with `make ARCH=arm64`.
#      Without it nothing of arm64 is installed or built.
#
# A rerun with everything in place skips the apt work and finishes in seconds.
set -euo pipefail

cd "$(dirname "$0")"

say() { printf 'build.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

usage() {
    cat <<'EOF'
usage: ./build.sh [--arch arm64]

Installs the build packages (apt-get, as root), adds deb-src entries for the
library sources, and runs `make`: build/icm for this machine (amd64).

  --arch arm64   also install gcc-aarch64-linux-gnu, binutils-aarch64-linux-gnu
                 and qemu-user-static, and cross-build build/arm64/icm
                 (`make ARCH=arm64`; its own sysroot in build/arm64/). Without
                 it, nothing of arm64 is installed or built.
  -h, --help     this text
EOF
}

# The extra arch asked for ('' = only the machine's own).
EXTRA_ARCH=
while [ $# -gt 0 ]; do
    case $1 in
    --arch) [ $# -ge 2 ] || die "--arch needs a value (arm64)"; EXTRA_ARCH=$2; shift 2 ;;
    --arch=*) EXTRA_ARCH=${1#--arch=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
    esac
done
case $EXTRA_ARCH in
'') ;;
arm64|aarch64)
    EXTRA_ARCH=arm64
    [ "$(uname -m)" = x86_64 ] ||
        die "--arch arm64 cross-builds from amd64 (x86_64) only; this machine is $(uname -m)" ;;
amd64|x86_64)   # the machine's own: the default build
    [ "$(uname -m)" = x86_64 ] || die "--arch amd64: this machine is $(uname -m)"
    EXTRA_ARCH= ;;
*) die "--arch $EXTRA_ARCH: only arm64 is supported" ;;
esac

# Debian packages the build needs (tools only: every library is built from
# source by vendor/deps.sh).
PACKAGES=(
    build-essential make gcc libc6-dev binutils
    cmake ninja-build pkg-config
    dpkg-dev               # apt-get source (dpkg-source)
    ca-certificates        # the CA bundle icm embeds; TLS to the archive
    xz-utils bzip2 gzip tar patch file
    util-linux             # flock (vendor/deps.sh)
    curl                   # vendor/deps.sh's upstream-URL fallback
    perl                   # prove (TAP test runner), curl's build scripts
    git
    python3                # release/mkimage.py (the ICM image), tests/images/mkimage
    # Test-time tools only (make test): real servers and independent
    # verifiers of what icm writes; nothing here is linked into icm.
    openssh-server openssh-client   # sshd for the SSH interop tests; ssh-keygen
    openssl                # s_server for mTLS tests; verify/x509/pkcs12
    docker.io              # a real dockerd --tlsverify and the docker CLI
    openjdk-17-jre-headless  # keytool, to open truststore.jks
    iproute2 procps        # network namespaces (test world); ps/pkill
    sudo                   # the test world's ec2-user has passwordless sudo
    docker-registry        # the test world's TLS registry with a password
    apache2-utils          # htpasswd (bcrypt) for that registry
    busybox-static         # the base layer of the test images
    ansible                # bench/deploy's peer (community.docker)
    python3-docker         # ... which its docker modules need
    fdisk xfsprogs         # node preparation's partition + xfs paths (e2e 52)
    shellcheck             # the node scripts are shellcheck-clean (e2e 68)
    clang libclang-rt-14-dev  # make fuzz: libFuzzer, ASan, UBSan (tests/fuzz/)
    python3 python3-jsonschema  # release/sbom.py; the SBOM checked against SPDX's schema (e2e 80)
    groff-base             # e2e 82-doc: groff -man -ww checks the man page (make doc)
    zsh                    # e2e 82-doc: the zsh completion driven by zsh's line editor
    golang-go golang-github-vmware-govmomi-dev  # tests/vsphere: vcsim, govmomi's vCenter simulator (e2e 86)
)
# Others who need a tool for tests: add it to PACKAGES above.

# Only with --arch arm64: the cross toolchain (vendor/deps.sh --arch arm64,
# make ARCH=arm64) and qemu-aarch64-static, which runs the arm64 selftest
# and tests (e2e 81).
CROSS_PACKAGES=(gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-user-static)
[ "$EXTRA_ARCH" != arm64 ] || PACKAGES+=("${CROSS_PACKAGES[@]}")

# The suite the sources come from, and where our deb-src entries go.
SOURCE_SUITE=trixie
APT_ETC=${ICM_APT_ETC:-/etc/apt}          # overridable only to test the parsing
DEBSRC_FILE=$APT_ETC/sources.list.d/icm-deb-src.sources

is_root() { [ "$(id -u)" -eq 0 ]; }

missing_packages() {
    local p st
    for p in "${PACKAGES[@]}"; do
        st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
        case "$st" in ii*) ;; *) printf '%s\n' "$p" ;; esac
    done
}

# Print every apt entry of the machine as "TYPE<TAB>URI<TAB>SUITE<TAB>COMPONENTS<TAB>SIGNED-BY",
# from one-line *.list files and deb822 *.sources files. Our own file is skipped.
apt_entries() {
    local f
    for f in "$APT_ETC/sources.list" "$APT_ETC"/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk '
            { sub(/#.*/, "") }
            NF < 3 { next }
            $1 != "deb" && $1 != "deb-src" { next }
            {
                type = $1; i = 2; signed = ""
                if ($2 ~ /^\[/) {
                    opts = ""
                    for (; i <= NF; i++) { opts = opts " " $i; if ($i ~ /\]$/) { i++; break } }
                    if (match(opts, /signed-by=[^] ]+/))
                        signed = substr(opts, RSTART + 10, RLENGTH - 10)
                }
                uri = $i; suite = $(i + 1); comps = ""
                for (j = i + 2; j <= NF; j++) comps = comps (comps == "" ? "" : " ") $j
                printf "%s\t%s\t%s\t%s\t%s\n", type, uri, suite, comps, signed
            }' "$f"
    done
    for f in "$APT_ETC"/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        [ "$f" = "$DEBSRC_FILE" ] && continue
        awk '
            function flush(   t, u, s, nt, nu, ns, a, b, c, x, y, z) {
                if (enabled != "no" && types != "" && uris != "" && suites != "") {
                    nt = split(types, a, " "); nu = split(uris, b, " "); ns = split(suites, c, " ")
                    for (x = 1; x <= nt; x++) for (y = 1; y <= nu; y++) for (z = 1; z <= ns; z++)
                        printf "%s\t%s\t%s\t%s\t%s\n", a[x], b[y], c[z], comps, signed
                }
                types = uris = suites = comps = signed = enabled = ""; key = ""
            }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            /^[ \t]/ { if (key != "") { v = $0; gsub(/^[ \t]+|[ \t]+$/, "", v); val[key] = val[key] " " v; set(key, val[key]) } next }
            {
                key = tolower(substr($0, 1, index($0, ":") - 1))
                v = substr($0, index($0, ":") + 1); gsub(/^[ \t]+|[ \t]+$/, "", v)
                val[key] = v; set(key, v)
            }
            function set(k, v) {
                if (k == "types") types = v
                else if (k == "uris") uris = v
                else if (k == "suites") suites = v
                else if (k == "components") comps = v
                else if (k == "signed-by") signed = v
                else if (k == "enabled") enabled = tolower(v)
            }
            END { flush() }' "$f"
    done
}

# The deb822 stanzas we want: for every `deb` entry of the machine whose suite
# is the release (e.g. bookworm, bookworm-updates, bookworm-security), a
# deb-src entry for that suite and for the same suite of $SOURCE_SUITE, same
# URI, same components and keyring; pairs the machine already has as deb-src
# are left out. deb-src only: apt never installs binary packages from a
# deb-src entry, so no trixie binary can creep in.
# Fails when the machine has no `deb` entry for the release at all.
wanted_debsrc() {
    local codename=$1
    apt_entries | awk -F'\t' -v rel="$codename" -v src="$SOURCE_SUITE" '
        { sub(/\/+$/, "", $2) }
        $1 == "deb-src" { have[$2 "\t" $3] = 1; next }
        $1 == "deb" && ($3 == rel || index($3, rel "-") == 1) {
            n++; uri[n] = $2; suite[n] = $3; comps[n] = $4; signed[n] = $5
        }
        END {
            for (i = 1; i <= n; i++) {
                s = suite[i]
                if (done[uri[i] "\t" s]++) continue
                t = src substr(s, length(rel) + 1)
                list = ""
                if (!have[uri[i] "\t" s]) list = s
                if (!have[uri[i] "\t" t]) list = list (list == "" ? "" : " ") t
                if (list == "") continue
                printf "Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n", uri[i], list, (comps[i] == "" ? "main" : comps[i])
                if (signed[i] != "") printf "Signed-By: %s\n", signed[i]
                printf "\n"
            }
            exit(n == 0)
        }'
}

setup_apt() {
    local codename missing want cur='' src_ok=1
    # shellcheck disable=SC1091
    codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
    [ -n "$codename" ] || die "cannot tell the Debian release from /etc/os-release"
    missing=$(missing_packages)

    # 1. deb-src entries (so vendor/deps.sh can `apt-get source`).
    want=$(wanted_debsrc "$codename") ||
        die "no 'deb' entry for $codename in $APT_ETC/sources.list{,.d/*}; cannot derive deb-src entries"
    if [ -n "$want" ]; then
        want="# Written by icm's build.sh: source packages only (deb-src), derived from
# this machine's own 'deb' entries; icm's sources come from $SOURCE_SUITE.
# apt installs binary packages only from 'deb' entries, never from these.

$want"
    fi
    [ -f "$DEBSRC_FILE" ] && cur=$(cat "$DEBSRC_FILE")
    if [ "$cur" != "$want" ]; then
        if is_root; then
            if [ -n "$want" ]; then
                say "writing deb-src entries to $DEBSRC_FILE"
                printf '%s\n' "$want" >"$DEBSRC_FILE"
            else
                rm -f "$DEBSRC_FILE"     # the machine has them all itself
            fi
            src_ok=0
        else
            say "warning: not root, cannot write $DEBSRC_FILE; vendor/deps.sh will rely on vendor/cache/ and upstream URLs"
        fi
    fi
    # Source indexes never downloaded (no apt-get update since deb-src was added)?
    compgen -G "/var/lib/apt/lists/*_dists_${SOURCE_SUITE}_*_source_Sources*" >/dev/null || src_ok=0

    # 2. apt-get update + install, only when something is missing.
    if [ -n "$missing" ] || [ "$src_ok" = 0 ]; then
        if ! is_root; then
            # shellcheck disable=SC2086 # one word per package
            [ -z "$missing" ] || die "root is needed to install:" $missing "(rerun ./build.sh as root)"
            say "warning: not root, cannot run apt-get update for the $SOURCE_SUITE source indexes"
            return 0
        fi
        say "apt-get update"
        apt-get update -q || die "apt-get update failed"
    fi
    if [ -n "$missing" ]; then
        # shellcheck disable=SC2086
        say "installing:" $missing
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
    fi
}

# The official cloud SDKs from npm that the fakes are checked against:
# `npm ci` of tests/cloud/NAME-sdk's lock file into build/tests/NAME-sdk,
# again only when the lock file changed.  azure: the Azure clients of the
# FAKE ARM (e2e 95); tencent: tencentcloud-sdk-nodejs of the FAKE Tencent
# Cloud API (e2e 99).  Node.js 20 or later comes with the machine (not from
# apt: Debian 12's nodejs is 18, too old for these clients); without it, or
# without the registry, a warning and the test skips.
# setup_node_sdk NAME TEST: NAME's SDK, TEST the e2e test that needs it
setup_node_sdk() {
    local src=tests/cloud/$1-sdk dst=build/tests/$1-sdk what="the $1 SDK conformance test ($2)" major sum
    command -v node >/dev/null && command -v npm >/dev/null || {
        say "warning: no node/npm: $what will skip"; return 0; }
    major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
    [ "$major" -ge 20 ] || {
        say "warning: node $major is older than 20: $what will skip"
        return 0; }
    sum=$(cat "$src/package.json" "$src/package-lock.json" | sha256sum | cut -c1-16)
    [ -d "$dst/node_modules" ] && [ "$(cat "$dst/.lock-sum" 2>/dev/null)" = "$sum" ] && return 0
    say "npm ci: the $1 SDK into $dst"
    rm -rf "$dst" && mkdir -p "$dst" && cp "$src/package.json" "$src/package-lock.json" "$dst/" &&
        (cd "$dst" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null) &&
        echo "$sum" > "$dst/.lock-sum" ||
        say "warning: npm ci failed: $what will skip"
}

setup_apt
setup_node_sdk azure "e2e 95"
setup_node_sdk tencent "e2e 99"
say "building"
make
if [ "$EXTRA_ARCH" = arm64 ]; then
    say "building arm64"
    make ARCH=arm64
fi
