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
# A rerun with everything in place skips the apt work and finishes in seconds.
set -euo pipefail

cd "$(dirname "$0")"

say() { printf 'build.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Debian packages the build needs (tools only: every library is built from
# source by vendor/deps.sh).
PACKAGES=(
    build-essential make gcc libc6-dev binutils
    cmake ninja-build pkg-config
    dpkg-dev               # apt-get source (dpkg-source)
    ca-certificates        # the CA bundle icm embeds; TLS to the archive
    xz-utils bzip2 gzip tar patch file
    perl                   # prove (TAP test runner), curl's build scripts
    git
)

# The suite the sources come from, and where our deb-src entries go.
SOURCE_SUITE=trixie
DEBSRC_FILE=/etc/apt/sources.list.d/icm-deb-src.sources

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
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
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
    for f in /etc/apt/sources.list.d/*.sources; do
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
# URI, same components and keyring. deb-src only: apt never installs binary
# packages from a deb-src entry, so trixie binaries cannot creep in.
wanted_debsrc() {
    local codename=$1
    apt_entries | awk -F'\t' -v rel="$codename" -v src="$SOURCE_SUITE" '
        $1 != "deb" { next }
        {
            suite = $3
            if (suite != rel && index(suite, rel "-") != 1) next
            if (seen[$2 "\t" suite]++) next
            tsuite = src substr(suite, length(rel) + 1)
            comps = ($4 == "" ? "main" : $4)
            printf "Types: deb-src\nURIs: %s\nSuites: %s %s\nComponents: %s\n", $2, suite, tsuite, comps
            if ($5 != "") printf "Signed-By: %s\n", $5
            printf "\n"
            n++
        }
        END { if (n == 0) exit 1 }'
}

# True if the machine (outside our file) already has deb-src for both suites.
have_debsrc() {
    local codename=$1 e
    e=$(apt_entries | awk -F'\t' '$1 == "deb-src" { print $3 }')
    grep -qx "$codename" <<<"$e" && grep -qx "$SOURCE_SUITE" <<<"$e"
}

setup_apt() {
    local codename missing need_update=0 want
    # shellcheck disable=SC1091
    codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
    [ -n "$codename" ] || die "cannot tell the Debian release from /etc/os-release"

    if ! have_debsrc "$codename"; then
        want=$(wanted_debsrc "$codename") ||
            die "no 'deb' entry for $codename in /etc/apt/sources.list{,.d/*}; cannot derive deb-src"
        want="# Written by icm's build.sh: source packages only (deb-src), derived from
# this machine's own 'deb' entries. Sources come from $SOURCE_SUITE; binaries
# still come only from the machine's own entries.

$want"
        if [ ! -f "$DEBSRC_FILE" ] || [ "$(cat "$DEBSRC_FILE")" != "$want" ]; then
            is_root || die "root is needed to add $DEBSRC_FILE (deb-src entries); rerun as root"
            say "adding deb-src entries in $DEBSRC_FILE"
            printf '%s\n' "$want" >"$DEBSRC_FILE"
            need_update=1
        fi
    fi

    # Source indexes present? (apt-get update never run after adding deb-src)
    if ! ls /var/lib/apt/lists/*_dists_"${SOURCE_SUITE}"_*_source_Sources* >/dev/null 2>&1; then
        need_update=1
    fi

    missing=$(missing_packages)
    if [ -n "$missing" ]; then
        need_update=1
    fi
    if [ "$need_update" = 1 ]; then
        is_root || die "root is needed to run apt-get (missing packages: ${missing:-none}; source indexes may be missing); rerun as root"
        say "apt-get update"
        apt-get update -q
    fi
    if [ -n "$missing" ]; then
        say "installing:" $missing
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
    fi
}

setup_apt
say "building"
exec make
