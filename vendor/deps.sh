#!/usr/bin/env bash
# vendor/deps.sh - fetch, verify, patch and build icm's third-party libraries
# into build/sysroot (a static musl toolchain plus BearSSL, cJSON, libcurl).
#
#   vendor/deps.sh            fetch everything in vendor/MANIFEST, build what is stale
#   vendor/deps.sh fetch      only fetch and verify the sources
#   vendor/deps.sh --arch arm64
#            the same for aarch64, cross-built with Debian's aarch64-linux-gnu-gcc
#            (gcc-aarch64-linux-gnu, binutils-aarch64-linux-gnu) into
#            build/arm64/{sysroot,work,obj,logs,stamps}; the selftest runs under
#            qemu-aarch64-static (qemu-user-static). Without --arch (or with the
#            machine's own arch) everything goes to build/ as always.
#
# Sources: every file of vendor/MANIFEST is looked for in vendor/cache/, then
# fetched with `apt-get source --download-only PKG=REV` (in a temporary
# directory), then from the upstream URL. Whatever its origin, a file whose
# sha256 differs from MANIFEST is refused.
#
# Stages (each skipped when its stamp in build/stamps/ matches):
#   musl     musl 1.2.5 from source -> build/sysroot, incl. bin/musl-gcc + specs.
#            Everything after it is compiled with build/sysroot/bin/musl-gcc;
#            the host's musl-tools (1.2.3, no DNS over TCP) is never used.
#   bearssl  BearSSL 0.6 + vendor/patches/bearssl/ -> libbearssl.a + headers
#   cjson    cJSON 1.7.18 + Debian's CVE patches (cmake + ninja) -> libcjson.a
#   curl     libcurl 8.14.1 on BearSSL, HTTP/HTTPS only, + Debian trixie patches
#   libssh2  libssh2 1.11.1 + Debian trixie's patches + vendor/patches/libssh2/,
#            on our BearSSL crypto backend (vendor/libssh2-bearssl/)
#   selftest vendor/selftest.c linked statically against all of them and run
#
# Each stage also writes the release metadata of its package into the
# sysroot: share/licenses/PKG/ (the license texts of the source) and
# share/sbom/PKG.patches (every patch applied, in order, one per line:
# `debian NAME SHA256` or `icm PATH-FROM-REPO-ROOT SHA256`; our libssh2
# backend files count as patches).
#
# Reproducible output: no build path reaches an object (-ffile-prefix-map,
# for musl too) and every archive is created deterministically (ar D, checked).
#
#   vendor/deps.sh asan       BearSSL and libssh2 again, with the host gcc and
#            -fsanitize=address,undefined, into build/asan/{include,lib}
#            (for tests linked with the host gcc; see build/asan/README)
#
# A stamp's key is a hash of the package's MANIFEST lines, its patches in
# vendor/patches/PKG/, the code of its stage below, the common flags, the
# target arch and the keys of the stages it builds on; any change rebuilds
# that stage and the ones after it.
set -euo pipefail

say() { printf 'deps: %s\n' "$*" >&2; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }
sha256() { sha256sum "$1" | cut -d' ' -f1; }

# arch_name UNAME-OR-DEBIAN-ARCH: our (Debian's) name of an architecture.
arch_name() {
    case $1 in
    x86_64|amd64) echo amd64 ;;
    aarch64|arm64) echo arm64 ;;
    *) echo "$1" ;;
    esac
}

# Run by `make ARCH=arm64`, this script inherits ARCH and MAKEFLAGS (which
# carries ARCH=arm64 to every make below): musl's own ARCH (aarch64) would
# lose to it. The stages pass -j themselves.
unset ARCH MAKEFLAGS MFLAGS MAKEOVERRIDES GNUMAKEFLAGS MAKELEVEL
NATIVE_ARCH=$(arch_name "$(uname -m)")
ARCH=$NATIVE_ARCH
ARGS=()
while [ $# -gt 0 ]; do
    case $1 in
    --arch) [ $# -ge 2 ] || die "--arch needs a value (amd64 or arm64)"
            ARCH=$(arch_name "$2"); shift 2 ;;
    --arch=*) ARCH=$(arch_name "${1#--arch=}"); shift ;;
    *) ARGS+=("$1"); shift ;;
    esac
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
VENDOR=$ROOT/vendor
MANIFEST=$VENDOR/MANIFEST
CACHE=$VENDOR/cache
BUILD=$ROOT/build
# The machine's own arch builds into build/, a cross arch into build/ARCH/.
# CROSS is the prefix of the target's gcc and binutils, RUN what runs a
# target program here.
if [ "$ARCH" = "$NATIVE_ARCH" ]; then
    BUILD_ARCH=$BUILD CROSS='' TRIPLET='' RUN=()
elif [ "$ARCH" = arm64 ] && [ "$NATIVE_ARCH" = amd64 ]; then
    BUILD_ARCH=$BUILD/arm64 CROSS=aarch64-linux-gnu- TRIPLET=aarch64-linux-gnu
    RUN=(qemu-aarch64-static)
else
    die "cannot build for $ARCH on $NATIVE_ARCH (cross builds supported: arm64 on amd64)"
fi
WORK=$BUILD_ARCH/work
OBJ=$BUILD_ARCH/obj
LOGS=$BUILD_ARCH/logs
STAMPS=$BUILD_ARCH/stamps
SYSROOT=$BUILD_ARCH/sysroot
MUSLGCC=$SYSROOT/bin/musl-gcc
JOBS=${JOBS:-2}

# Common flags for musl and every library. The prefix maps
# take the tree's path out of __FILE__ and debug info, so that two trees
# build the same bytes: a source is named PKG/FILE (the last map that
# matches wins), anything else in the tree ./PATH.
COMMON_CFLAGS="-Os -fPIC -ffunction-sections -fdata-sections"
COMMON_CFLAGS+=" -ffile-prefix-map=$ROOT=. -ffile-prefix-map=$WORK/="
# Deterministic archives (zero mtimes, uids, gids) from every build system.
CMAKE_ARGS=(
    "-DCMAKE_C_ARCHIVE_CREATE=<CMAKE_AR> qcD <TARGET> <LINK_FLAGS> <OBJECTS>"
    "-DCMAKE_C_ARCHIVE_APPEND=<CMAKE_AR> qD <TARGET> <LINK_FLAGS> <OBJECTS>"
    "-DCMAKE_C_ARCHIVE_FINISH=<CMAKE_RANLIB> -D <TARGET>"
)
if [ -n "$CROSS" ]; then
    CMAKE_ARGS+=(-DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=aarch64
        "-DCMAKE_AR=$(command -v "${CROSS}ar" || echo "${CROSS}ar")"
        "-DCMAKE_RANLIB=$(command -v "${CROSS}ranlib" || echo "${CROSS}ranlib")"
        -DCMAKE_FIND_ROOT_PATH_MODE_PROGRAM=NEVER
        -DCMAKE_FIND_ROOT_PATH_MODE_LIBRARY=ONLY
        -DCMAKE_FIND_ROOT_PATH_MODE_INCLUDE=ONLY)
fi
# Only our sysroot's .pc files, never the host's (glibc) ones.
export PKG_CONFIG_LIBDIR=$SYSROOT/lib/pkgconfig
export PKG_CONFIG_PATH=
unset PKG_CONFIG_SYSROOT_DIR CPATH C_INCLUDE_PATH LIBRARY_PATH REALGCC || true
export LC_ALL=C

# ---------------------------------------------------------------- MANIFEST

# manifest_lines [PKG]: the non-comment lines (of one package).
manifest_lines() {
    awk -v p="${1:-}" '!/^[ \t]*(#|$)/ && (p == "" || $1 == p)' "$MANIFEST"
}

# --------------------------------------------------------------- fetching

declare -A APT_TRIED=()   # "pkg=rev" -> temp dir it was downloaded into ("" if it failed)
TMPDIRS=()
cleanup() { local d; for d in "${TMPDIRS[@]+"${TMPDIRS[@]}"}"; do rm -rf "$d"; done; }
trap cleanup EXIT

# refuse FILE EXPECTED ACTUAL ORIGIN: the one way a checksum mismatch ends.
refuse() {
    printf 'deps: REFUSED %s (from %s): sha256 mismatch\n' "$1" "$4" >&2
    printf 'deps:   expected %s (vendor/MANIFEST)\n' "$2" >&2
    printf 'deps:   actual   %s\n' "$3" >&2
    [ "$4" = cache ] && printf 'deps:   the cached copy is %s; delete it to fetch it again\n' "$CACHE/$1" >&2
    exit 1
}

# apt_download SRCPKG=REV: run `apt-get source --download-only` once per run
# in a temporary directory; sets APT_DIR to it, or to "" when it failed.
# (Not called in $(...): the APT_TRIED memo must survive.)
APT_DIR=
apt_download() {
    local spec=$1 dir
    if [ -z "${APT_TRIED[$spec]+x}" ]; then
        APT_TRIED[$spec]=
        if command -v apt-get >/dev/null 2>&1; then
            dir=$(mktemp -d "${TMPDIR:-/tmp}/icm-apt.XXXXXX")
            TMPDIRS+=("$dir")
            # let apt's sandbox user write there (otherwise apt warns and runs as root)
            if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$dir"; fi
            say "apt-get source --download-only $spec"
            if (cd "$dir" && apt-get source --download-only -q "$spec") >"$dir.log" 2>&1; then
                APT_TRIED[$spec]=$dir
            else
                sed 's/^/deps:   apt: /' "$dir.log" | grep -E 'E:|Err|404' | head -5 >&2 || true
            fi
            rm -f "$dir.log"
        fi
    fi
    APT_DIR=${APT_TRIED[$spec]}
}

# fetch_one PKG VERSION FILE SHA DEBSRC URL: make $CACHE/FILE exist and verified.
fetch_one() {
    local pkg=$1 file=$3 want=$4 debsrc=$5 url=$6 dest=$CACHE/$3 got dir tmp rev
    if [ -f "$dest" ]; then
        got=$(sha256 "$dest")
        [ "$got" = "$want" ] || refuse "$file" "$want" "$got" cache
        return 0
    fi
    mkdir -p "$CACHE"

    # 1. Debian source package, the pinned revision. A .orig tarball is the
    #    same in every revision of an upstream version (the sha256 proves it),
    #    so for it any other revision apt knows is an acceptable carrier.
    if [ "$debsrc" != "-" ]; then
        local specs=("$debsrc")
        case "$file" in
        *.orig.tar.*)
            local upver=${file#*_} r
            upver=${upver%%.orig.tar.*}
            for rev in $(apt-cache showsrc --only-source "${debsrc%%=*}" 2>/dev/null |
                         awk '/^Version:/ { print $2 }' | sort -u); do
                r=${rev#*:}
                [ "${r%-*}" = "$upver" ] || continue
                [ "${debsrc%%=*}=$rev" = "$debsrc" ] || specs+=("${debsrc%%=*}=$rev")
            done ;;
        esac
        local spec
        for spec in "${specs[@]}"; do
            apt_download "$spec"
            dir=$APT_DIR
            if [ -z "$dir" ] || [ ! -f "$dir/$file" ]; then continue; fi
            got=$(sha256 "$dir/$file")
            [ "$got" = "$want" ] || refuse "$file" "$want" "$got" "apt-get source $spec"
            mv "$dir/$file" "$dest.part" && mv "$dest.part" "$dest"
            return 0
        done
    fi

    # 2. upstream URL
    if [ "$url" != "-" ]; then
        tmp=$dest.download
        rm -f "$tmp"
        say "downloading $url"
        if command -v curl >/dev/null 2>&1; then
            curl -fsSL --retry 2 --connect-timeout 20 -o "$tmp" "$url" || rm -f "$tmp"
        elif command -v wget >/dev/null 2>&1; then
            wget -q -T 20 -O "$tmp" "$url" || rm -f "$tmp"
        fi
        if [ -f "$tmp" ]; then
            got=$(sha256 "$tmp")
            if [ "$got" != "$want" ]; then rm -f "$tmp"; refuse "$file" "$want" "$got" "$url"; fi
            mv "$tmp" "$dest"
            return 0
        fi
    fi

    die "cannot fetch $file ($pkg): not in vendor/cache/, 'apt-get source --download-only $debsrc' failed
      (is there a deb-src entry for trixie? build.sh adds one; if the revision left the archive,
      pick one 'apt-cache showsrc ${debsrc%%=*}' lists and update vendor/MANIFEST),
      and the upstream URL ${url} did not answer"
}

fetch_all() {
    local pkg ver file sha debsrc url
    # fd 3, so that nothing fetch_one runs can eat the list from stdin
    while read -r pkg ver file sha debsrc url <&3; do
        fetch_one "$pkg" "$ver" "$file" "$sha" "$debsrc" "$url" </dev/null
    done 3< <(manifest_lines)
}

# ------------------------------------------------------- unpack and patch

# apply_series DIR PATCHDIR SERIES SKIP...: quilt series format (name [-pN]).
apply_series() {
    local dir=$1 pdir=$2 series=$3 line name opt lvl skip; shift 3
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line%%#*}
        read -r name opt _ <<<"$line" || true
        [ -n "$name" ] || continue
        for skip in "$@"; do
            # shellcheck disable=SC2053
            if [[ $name == $skip ]]; then say "  skipping Debian patch $name"; continue 2; fi
        done
        lvl=1
        case "${opt:-}" in -p*) lvl=${opt#-p} ;; esac
        apply_patch "$dir" "$pdir/$name" "$lvl" "debian $name"
    done <"$series"
}

# apply_patch DIR PATCH LEVEL LABEL: apply it, and note "LABEL SHA256" in
# $PATCH_LIST (the package's share/sbom/PKG.patches to be).
apply_patch() {
    local dir=$1 p=$2 lvl=$3 label=$4
    [ -f "$p" ] || die "patch $p is missing"
    say "    applying ${p##*/}"
    if ! patch -d "$dir" -p"$lvl" -N -t -s --no-backup-if-mismatch -i "$p" >"$LOGS/patch.log" 2>&1; then
        cat "$LOGS/patch.log" >&2
        die "patch ${p#"$ROOT"/} does not apply"
    fi
    printf '%s %s\n' "$label" "$(sha256 "$p")" >>"$PATCH_LIST"
}

# prepare PKG SKIP...: fresh build/work/PKG from the cached files, Debian's
# patches (debian/patches/series, minus the SKIP globs), then ours in name
# order; the list of what was applied is $OBJ/PKG/applied-patches.
PATCH_LIST=
prepare() {
    local pkg=$1 file n=0 p; shift
    rm -rf "${WORK:?}/$pkg" "${OBJ:?}/$pkg"
    mkdir -p "$WORK/$pkg" "$OBJ/$pkg" "$LOGS"
    PATCH_LIST=$OBJ/$pkg/applied-patches
    : >"$PATCH_LIST"
    # .orig first, then the debian/ tarball on top
    for file in $(manifest_lines "$pkg" | awk '$3 ~ /\.orig\.tar\./ { print $3 }') \
                $(manifest_lines "$pkg" | awk '$3 !~ /\.orig\.tar\./ { print $3 }'); do
        case "$file" in
        *.debian.tar.*) tar -xf "$CACHE/$file" -C "$WORK/$pkg" --no-same-owner ;;
        *)              tar -xf "$CACHE/$file" -C "$WORK/$pkg" --no-same-owner --strip-components=1 ;;
        esac
    done
    if [ -f "$WORK/$pkg/debian/patches/series" ]; then
        say "  Debian patches of $pkg"
        apply_series "$WORK/$pkg" "$WORK/$pkg/debian/patches" "$WORK/$pkg/debian/patches/series" "$@"
    fi
    for p in "$VENDOR/patches/$pkg"/*.patch; do
        [ -f "$p" ] || continue
        say "  our patch ${p#"$VENDOR"/}"
        apply_patch "$WORK/$pkg" "$p" 1 "icm ${p#"$ROOT"/}"
        n=$((n + 1))
    done
}

# ------------------------------------------------------------------ stamps

declare -A KEY=()

# stage_key PKG DEP...: hash of everything the stage's result depends on.
stage_key() {
    local pkg=$1 dep p; shift
    {
        manifest_lines "$pkg"
        for p in "$VENDOR/patches/$pkg"/*.patch; do
            [ -f "$p" ] && printf '%s %s\n' "${p##*/}" "$(sha256 "$p")"
        done
        declare -f "stage_$pkg" prepare apply_series apply_patch install_meta
        [ "$pkg" != selftest ] || sha256 "$VENDOR/selftest.c"
        case "$pkg" in
        libssh2|asan) sha256sum "$VENDOR"/libssh2-bearssl/* | sed "s|$VENDOR/||"
                      declare -f libssh2_build prepare_libssh2
                      printf 'ASAN_CFLAGS=%s\n' "$ASAN_CFLAGS" ;;
        esac
        printf 'CFLAGS=%s SYSROOT=%s ARCH=%s CROSS=%s\n' "$COMMON_CFLAGS" "$SYSROOT" "$ARCH" "$CROSS"
        printf 'CMAKE_ARGS=%s\n' "${CMAKE_ARGS[*]}"
        for dep in "$@"; do printf 'dep %s %s\n' "$dep" "${KEY[$dep]}"; done
    } | sha256sum | cut -d' ' -f1
}

# run_stage PKG OUTPUT DEP...: build PKG unless its stamp matches and OUTPUT exists.
run_stage() {
    local pkg=$1 out=$2 stamp t0; shift 2
    KEY[$pkg]=$(stage_key "$pkg" "$@")
    stamp=$STAMPS/$pkg
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "${KEY[$pkg]}" ] && [ -e "$out" ]; then
        say "$pkg: up to date"
        return 0
    fi
    rm -f "$stamp"
    t0=$SECONDS
    say "$pkg: building (log: ${LOGS#"$ROOT"/}/$pkg.log)"
    mkdir -p "$LOGS" "$STAMPS"
    # Not in an `if`: bash would switch off set -e inside the stage.
    local rc=0
    set +e
    ( set -euo pipefail; "stage_$pkg" ) >"$LOGS/$pkg.log" 2>&1
    rc=$?
    set -e
    if [ "$rc" -ne 0 ]; then
        tail -n 40 "$LOGS/$pkg.log" >&2
        die "$pkg: build failed; full log in $LOGS/$pkg.log"
    fi
    [ -e "$out" ] || die "$pkg: build finished but $out is missing"
    printf '%s\n' "${KEY[$pkg]}" >"$stamp"
    say "$pkg: done in $((SECONDS - t0)) s"
}

# ------------------------------------------------------------------ stages

# install_meta PKG LICENSE...: the release metadata of PKG in the sysroot:
# its license texts (paths in build/work/PKG) in share/licenses/PKG/ and the
# patches prepare applied in share/sbom/PKG.patches.
install_meta() {
    local pkg=$1 f; shift
    rm -rf "${SYSROOT:?}/share/licenses/$pkg"
    install -d "$SYSROOT/share/licenses/$pkg" "$SYSROOT/share/sbom"
    for f in "$@"; do
        install -m644 "$WORK/$pkg/$f" "$SYSROOT/share/licenses/$pkg/${f##*/}"
    done
    install -m644 "$OBJ/$pkg/applied-patches" "$SYSROOT/share/sbom/$pkg.patches"
}

stage_musl() {
    # A new libc means a new sysroot: everything else is rebuilt against it.
    rm -rf "${SYSROOT:?}"
    prepare musl
    cd "$OBJ/musl"
    # musl's configure adds -ffunction-sections -fdata-sections itself; -fPIC
    # keeps libc.a usable for static-pie. It builds with the host gcc (for a
    # cross arch, the target's: --target sets the binutils prefix) and
    # installs the musl-gcc wrapper + specs in $SYSROOT; the wrapper runs the
    # gcc configure was given (config.mak's WRAPCC_GCC = $(CC)). The wrapper
    # is asked for: configure's guess needs the compiler's own libc headers,
    # which a cross gcc without libc6-dev-ARCH-cross does not have.
    local target=()
    [ -z "$TRIPLET" ] || target=(--target="$TRIPLET")
    CC="${CROSS}gcc" CFLAGS="$COMMON_CFLAGS" "$WORK/musl/configure" \
        --prefix="$SYSROOT" --disable-shared --enable-wrapper=gcc "${target[@]}"
    make -j"$JOBS" AR="${CROSS}ar -D" RANLIB="${CROSS}ranlib -D"
    make install AR="${CROSS}ar -D" RANLIB="${CROSS}ranlib -D"
    test -x "$MUSLGCC"
    # The specs name the sysroot by absolute path: check it is ours; the
    # wrapper must call the target's gcc.
    grep -q "$SYSROOT/lib" "$SYSROOT/lib/musl-gcc.specs"
    grep -q "exec \"\${REALGCC:-${CROSS}gcc}\"" "$MUSLGCC"
    install_meta musl COPYRIGHT
}

stage_bearssl() {
    prepare bearssl
    make -C "$WORK/bearssl" -j"$JOBS" CONF=Unix BUILD="$OBJ/bearssl" \
        CC="$MUSLGCC" LD="$MUSLGCC" LDDLL="$MUSLGCC" AR="${CROSS}ar" ARFLAGS=-rcsD \
        CFLAGS="-W -Wall $COMMON_CFLAGS" lib
    install -d "$SYSROOT/include" "$SYSROOT/lib"
    install -m644 "$WORK/bearssl"/inc/*.h "$SYSROOT/include/"
    install -m644 "$OBJ/bearssl/libbearssl.a" "$SYSROOT/lib/"
    install_meta bearssl LICENSE.txt
}

stage_cjson() {
    prepare cjson
    cmake -S "$WORK/cjson" -B "$OBJ/cjson" -G Ninja \
        -DCMAKE_C_COMPILER="$MUSLGCC" -DCMAKE_BUILD_TYPE=MinSizeRel \
        -DCMAKE_C_FLAGS="$COMMON_CFLAGS" \
        -DCMAKE_INSTALL_PREFIX="$SYSROOT" -DCMAKE_INSTALL_LIBDIR=lib \
        -DCMAKE_FIND_ROOT_PATH="$SYSROOT" "${CMAKE_ARGS[@]}" \
        -DBUILD_SHARED_LIBS=OFF -DBUILD_SHARED_AND_STATIC_LIBS=OFF \
        -DENABLE_CJSON_UTILS=OFF -DENABLE_CJSON_TEST=OFF
    ninja -C "$OBJ/cjson" -j"$JOBS" install
    install_meta cjson LICENSE
}

stage_curl() {
    # Debian's curl series: two patches only change configure.ac/Makefile.am
    # for Debian's GnuTLS and MIT-krb5 package flavours. They change nothing
    # in a BearSSL build and would force an autoreconf (the release tarball
    # ships a generated configure), so they are skipped.
    prepare curl ZZZgnutls-build.patch 'build-Divide-mit-krb5-gssapi-*'
    cd "$OBJ/curl"
    # --host: a cross build (the target's binutils, no test program run);
    # ARFLAGS: libtool's archives deterministic.
    local host=()
    [ -z "$TRIPLET" ] || host=(--host="$TRIPLET")
    CC="$MUSLGCC" CFLAGS="$COMMON_CFLAGS" CPPFLAGS="-I$SYSROOT/include" \
    LDFLAGS="-static -L$SYSROOT/lib" ARFLAGS=crD \
    "$WORK/curl/configure" "${host[@]}" \
        --prefix="$SYSROOT" --disable-shared --enable-static --with-pic \
        --with-bearssl="$SYSROOT" --without-mbedtls --without-openssl --without-gnutls --without-wolfssl --without-rustls \
        --with-ca-bundle=/etc/ssl/certs/ca-certificates.crt --without-ca-path --without-ca-fallback \
        --enable-http --disable-ftp --disable-file --disable-ipfs --disable-ldap --disable-ldaps \
        --disable-rtsp --disable-dict --disable-telnet --disable-tftp --disable-pop3 --disable-imap \
        --disable-smb --disable-smtp --disable-gopher --disable-mqtt \
        --disable-ntlm --disable-kerberos-auth --disable-negotiate-auth --disable-tls-srp \
        --disable-manual --disable-docs --disable-libcurl-option --disable-netrc \
        --enable-threaded-resolver --enable-ipv6 --enable-symbol-hiding \
        --without-zlib --without-brotli --without-zstd --without-libpsl --without-libidn2 \
        --without-nghttp2 --without-ngtcp2 --without-nghttp3 --without-quiche --without-msh3 \
        --without-librtmp --without-libgsasl --without-libssh2 --without-libssh --without-wolfssh \
        --without-libuv --disable-ares
    grep -q '^#define USE_BEARSSL 1' lib/curl_config.h
    # The library only: the curl tool is not needed (and libtool links it
    # dynamically), nor libcurlu, the same sources again for curl's unit tests.
    make -j"$JOBS" -C lib noinst_LTLIBRARIES=
    make -C lib install noinst_LTLIBRARIES=
    make -C include install
    install -d "$SYSROOT/lib/pkgconfig" "$SYSROOT/bin"
    install -m644 libcurl.pc "$SYSROOT/lib/pkgconfig/"
    install -m755 curl-config "$SYSROOT/bin/"
    install_meta curl COPYING
}

# libssh2_build CC CFLAGS PREFIX: configure, build and install a static
# libssh2 on BearSSL from build/work/libssh2 (prepared by the caller).
libssh2_build() {
    local cc=$1 cflags=$2 prefix=$3 obj=$OBJ/libssh2-${4:-release}
    rm -rf "$obj"
    cmake -S "$WORK/libssh2" -B "$obj" -G Ninja \
        -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=None \
        -DCMAKE_C_FLAGS="$cflags" \
        -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
        -DCMAKE_FIND_ROOT_PATH="$prefix" "${CMAKE_ARGS[@]}" \
        -DBEARSSL_INCLUDE_DIR="$prefix/include" -DBEARSSL_LIBRARY="$prefix/lib/libbearssl.a" \
        -DCRYPTO_BACKEND=BearSSL -DENABLE_ZLIB_COMPRESSION=OFF \
        -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON \
        -DBUILD_EXAMPLES=OFF -DBUILD_TESTING=OFF -DLINT=OFF \
        -DLIBSSH2_NO_DEPRECATED=OFF -DCLEAR_MEMORY=ON
    ninja -C "$obj" -j"$JOBS" install
    # the backend really is ours, and nothing else crept in
    grep -q 'LIBSSH2_BEARSSL' "$obj/build.ninja"
    "${CROSS}nm" "$prefix/lib/libssh2.a" >"$obj/nm.txt"
    grep -q " T _libssh2_bearssl_random$" "$obj/nm.txt"
}

# prepare_libssh2: Debian's active patches, ours, and our backend's files
# (listed with the patches: they change the source too).
prepare_libssh2() {
    local f
    prepare libssh2
    for f in "$VENDOR"/libssh2-bearssl/*.[ch]; do
        install -m644 "$f" "$WORK/libssh2/src/"
        printf 'icm %s %s\n' "${f#"$ROOT"/}" "$(sha256 "$f")" >>"$PATCH_LIST"
    done
}

stage_libssh2() {
    prepare_libssh2
    libssh2_build "$MUSLGCC" "$COMMON_CFLAGS" "$SYSROOT"
    install_meta libssh2 COPYING
}

# The sanitizer variant: BearSSL and libssh2 with the host gcc. One stage,
# so that both are always built with the same flags.
ASAN=$BUILD/asan
ASAN_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -g -O1"
stage_asan() {
    rm -rf "${ASAN:?}"
    mkdir -p "$ASAN/include" "$ASAN/lib"
    prepare bearssl
    make -C "$WORK/bearssl" -j"$JOBS" CONF=Unix BUILD="$OBJ/bearssl-asan" \
        CC=gcc LD=gcc LDDLL=gcc AR=ar CFLAGS="-W -Wall -fPIC $ASAN_CFLAGS" lib
    install -m644 "$WORK/bearssl"/inc/*.h "$ASAN/include/"
    install -m644 "$OBJ/bearssl-asan/libbearssl.a" "$ASAN/lib/"
    prepare_libssh2
    libssh2_build gcc "$ASAN_CFLAGS" "$ASAN" asan
    cat >"$ASAN/README" <<EOF2
BearSSL 0.6 and libssh2 1.11.1 (BearSSL backend) built by vendor/deps.sh asan
with the host gcc and: $ASAN_CFLAGS
Link a test with the host gcc, e.g.:
  gcc $ASAN_CFLAGS -I$ASAN/include t.c -L$ASAN/lib -lssh2 -lbearssl
EOF2
}

stage_selftest() {
    mkdir -p "$OBJ/selftest"
    "$MUSLGCC" -static -Os -DCURL_STATICLIB -ffunction-sections -fdata-sections \
        -o "$OBJ/selftest/selftest" "$VENDOR/selftest.c" \
        -Wl,--gc-sections -Wl,--trace -lcurl -lssh2 -lbearssl -lcjson >"$OBJ/selftest/link-trace"
    # every library and startup file came from our sysroot, none from a host
    # libc (glibc, musl-tools' /usr/lib/musl, or a cross glibc in /usr/TRIPLET)
    grep -q "^$SYSROOT/lib/libc.a" "$OBJ/selftest/link-trace"
    if grep -E '/usr/(lib/(musl|[a-z0-9_]+-linux-(gnu|musl))|[a-z0-9_]+-linux-gnu/lib)/' \
            "$OBJ/selftest/link-trace"; then
        echo "selftest: linked against a host library" >&2; exit 1
    fi
    local want='statically linked'
    [ "$ARCH" != arm64 ] || want='ARM aarch64.*statically linked'
    file "$OBJ/selftest/selftest" | tee /dev/stderr | grep -q "$want"
    "${RUN[@]}" "$OBJ/selftest/selftest"
}

# ------------------------------------------------------------------- main

host_checks() {
    local t
    for t in gcc make cmake ninja patch tar xz sha256sum file; do
        command -v "$t" >/dev/null 2>&1 || die "'$t' is not installed (run ./build.sh as root to install the build dependencies)"
    done
    [ -n "$CROSS" ] || return 0
    for t in "${CROSS}gcc" "${CROSS}ar" "${CROSS}nm" "${RUN[@]}"; do
        command -v "$t" >/dev/null 2>&1 || die "'$t' is not installed, needed for --arch $ARCH (run ./build.sh --arch $ARCH as root: it installs gcc-$TRIPLET binutils-$TRIPLET qemu-user-static)"
    done
}

# check_archives: every archive in the sysroot is deterministic (members
# with mtime 0, uid and gid 0), whichever build system wrote it.
check_archives() {
    local a bad
    for a in "$SYSROOT"/lib/*.a; do
        bad=$(TZ=UTC0 "${CROSS}ar" tv "$a" | grep -v ' 0/0 .* Jan  1 00:00 1970 ' | head -3) || true
        [ -z "$bad" ] || die "${a#"$ROOT"/} is not deterministic (ar D): $bad"
    done
}

# check_meta: every package's license texts and patch list are in the
# sysroot (a stage that wrote none would fail here, not in the release).
check_meta() {
    local pkg
    for pkg in musl bearssl cjson curl libssh2; do
        compgen -G "$SYSROOT/share/licenses/$pkg/*" >/dev/null ||
            die "no license text in ${SYSROOT#"$ROOT"/}/share/licenses/$pkg/"
        [ -s "$SYSROOT/share/sbom/$pkg.patches" ] ||
            die "${SYSROOT#"$ROOT"/}/share/sbom/$pkg.patches is missing or empty"
    done
}

ca_bundle() {
    local src=/etc/ssl/certs/ca-certificates.crt dst=$SYSROOT/share/ca-bundle.pem
    [ -s "$src" ] || die "$src is missing: install Debian's ca-certificates"
    mkdir -p "$SYSROOT/share"
    cmp -s "$src" "$dst" 2>/dev/null || { install -m644 "$src" "$dst"; say "CA bundle copied to ${dst#"$ROOT"/}"; }
}

versions_file() {
    local f=$SYSROOT/share/versions
    local want
    want=$(manifest_lines | awk '
        $1 == "musl" { n["musl"] = "musl " $2 }
        $1 == "bearssl" { n["bearssl"] = "BearSSL " $2 }
        $1 == "cjson" { n["cjson"] = "cJSON " $2 }
        $1 == "curl" { n["curl"] = "libcurl " $2 }
        END { print n["musl"]; print n["bearssl"]; print n["cjson"]; print n["curl"] }')
    [ "$(cat "$f" 2>/dev/null)" = "$want" ] || printf '%s\n' "$want" >"$f"
}

main() {
    local t0=$SECONDS
    host_checks
    mkdir -p "$BUILD"
    # One deps.sh at a time per tree (e.g. under make -j).
    exec 9>"$BUILD/.deps.lock"
    flock 9
    fetch_all
    [ "${1:-}" = fetch ] && { say "sources verified"; return 0; }
    [ "${1:-}" != asan ] || [ -z "$CROSS" ] ||
        die "asan: the sanitizer build is for the machine's own arch ($NATIVE_ARCH) only"
    run_stage musl     "$MUSLGCC"
    run_stage bearssl  "$SYSROOT/lib/libbearssl.a" musl
    run_stage cjson    "$SYSROOT/lib/libcjson.a"   musl
    run_stage curl     "$SYSROOT/lib/libcurl.a"    musl bearssl
    run_stage libssh2  "$SYSROOT/lib/libssh2.a"    musl bearssl
    ca_bundle
    versions_file
    check_archives
    check_meta
    run_stage selftest "$OBJ/selftest/selftest"    musl bearssl cjson curl libssh2
    if [ "${1:-}" = asan ]; then
        run_stage asan "$ASAN/lib/libssh2.a" bearssl libssh2
        say "sanitizer build ready: ${ASAN#"$ROOT"/}/{include,lib}"
    fi
    say "sysroot ready: ${SYSROOT#"$ROOT"/} (CC=${MUSLGCC#"$ROOT"/}) in $((SECONDS - t0)) s"
}

main "${ARGS[@]+"${ARGS[@]}"}"
