#!/usr/bin/env bash
# 80-sbom: release/sbom.py's SPDX 2.3 document of the real build inputs
# (build/sysroot, and build/arm64/sysroot when built) is valid against SPDX's
# own 2.3 JSON schema (pinned in release/SCHEMAS, fetched by sha256), names
# exactly the components and versions `icm version` prints, carries
# vendor/MANIFEST's source checksums and every applied patch with its
# sha256, and is byte-identical when made twice. A release in release/out/
# is checked the same way. Tampered copies show that each check can fail.
. "$(dirname "$0")/lib.sh"

# Debian's python3 first: a version manager's shim on PATH costs ~1 s a run
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || skip_all "python3 is missing (build.sh installs it)"
[ -d "$TOP/build/sysroot/lib" ] || skip_all "build/sysroot is missing: run make first"
git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1 || skip_all "$TOP is not a git checkout (SOURCE_DATE_EPOCH comes from git log)"
plan 23

SOURCE_DATE_EPOCH=$(git -C "$TOP" log -1 --format=%ct)
export SOURCE_DATE_EPOCH
ver=$(sed -n 's/^#define ICM_VERSION "\(.*\)"$/\1/p' "$TOP/src/icm.h")
is "icm version's first line is ICM_VERSION of src/icm.h" \
	"$("$ICM" version | head -1)" "icm $ver"

# PKG (vendor/MANIFEST) -> the name `icm version` prints; independent of
# release/sbom.py's own table on purpose.
declare -A NAME=([musl]=musl [bearssl]=BearSSL [curl]=libcurl [cjson]=cJSON [libssh2]=libssh2)

# sample_patches SYSROOT DIR: a sysroot's share/sbom/PKG.patches as
# vendor/deps.sh writes them, made by hand into DIR/share/sbom/ for a
# sysroot built before deps.sh wrote them: Debian's series, then ours.
sample_patches() {
	local pkg w n p
	mkdir -p "$2/share/sbom"
	for pkg in "${!NAME[@]}"; do
		w=$TOP/build/work/$pkg/debian/patches
		{
			if [ -f "$w/series" ]; then
				sed 's/#.*//' "$w/series" | while read -r n _; do
					[ -n "$n" ] || continue
					printf 'debian %s %s\n' "$n" "$(sha256sum <"$w/$n" | cut -d' ' -f1)"
				done
			fi
			for p in "$TOP"/vendor/patches/"$pkg"/*.patch; do
				[ -f "$p" ] || continue
				printf 'icm %s %s\n' "${p#"$TOP"/}" "$(sha256sum <"$p" | cut -d' ' -f1)"
			done
		} >"$2/share/sbom/$pkg.patches"
	done
}

sysroots=() roots=()
for a in amd64:build/sysroot arm64:build/arm64/sysroot; do
	arch=${a%%:*} dir=$TOP/${a#*:}
	[ -d "$dir/lib" ] || continue
	if [ ! -f "$dir/share/sbom/musl.patches" ]; then
		echo "# $arch: ${a#*:} has no share/sbom/ (built before vendor/deps.sh wrote it): using sample .patches"
		sample_patches "$dir" "$T/sample-$arch"
		dir=$T/sample-$arch
	fi
	sysroots+=(--sysroot "$arch=$dir") roots+=("$dir")
done
# artifacts: the real release's tarballs when there is one, else stand-ins
if ls "$TOP"/release/out/icm-"$ver"-linux-*.tar.gz >/dev/null 2>&1; then
	(cd "$TOP/release/out" && sha256sum icm-"$ver"-linux-*.tar.gz) >"$T/sums"
else
	for arch in amd64 arm64; do
		printf '%s  icm-%s-linux-%s.tar.gz\n' "$(sha256sum <"$ICM" | cut -d' ' -f1)" "$ver" "$arch"
	done >"$T/sums"
fi

sbom() { "$PY" "$TOP/release/sbom.py" --version "$ver" "${sysroots[@]}" --artifacts "$T/sums" --output "$@"; }
out=$(sbom "$T/a.spdx.json" 2>&1); rc=$?
is_shown "sbom.py writes the document (${sysroots[*]})" "$rc" 0 "$out"
sbom "$T/b.spdx.json" >/dev/null 2>&1
ok "a second run gives identical bytes" cmp "$T/a.spdx.json" "$T/b.spdx.json"

# q CMD DOC: what a document says, one fact a line (python3, stdlib only).
q() {
	"$PY" - "$@" <<'PY'
import json, sys
cmd, path = sys.argv[1], sys.argv[2]
d = json.load(open(path))
el = {e["SPDXID"]: e for e in d.get("packages", []) + d.get("files", [])}
rel = [(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"])
       for r in d.get("relationships", [])]
icm = [e for e in d.get("packages", []) if e.get("name") == "icm"]
def sha(e, alg):
    return [c["checksumValue"] for c in e.get("checksums", [])
            if c["algorithm"] == alg]
if cmd == "icm":
    for e in icm:
        print(e["name"], e.get("versionInfo"), e.get("licenseDeclared"))
elif cmd == "linked":      # what icm STATIC_LINKs: name version
    for a, t, b in rel:
        if t == "STATIC_LINK" and icm and a == icm[0]["SPDXID"]:
            print(el[b]["name"], el[b].get("versionInfo"))
elif cmd == "sources":     # name packageFileName sha256
    for a, t, b in rel:
        if t == "STATIC_LINK":
            print(el[b]["name"], el[b].get("packageFileName"),
                  *sha(el[b], "SHA256"))
elif cmd == "patches":     # library fileName sha256 sha1-present
    for a, t, b in rel:
        if t == "PATCH_APPLIED":
            f = el[a]
            print(el[b]["name"], f["fileName"], *sha(f, "SHA256"),
                  "sha1" if sha(f, "SHA1") else "no-sha1")
elif cmd == "artifacts":   # sha256  name, as sha256sum writes it
    for a, t, b in rel:
        if a == "SPDXRef-DOCUMENT" and t == "DESCRIBES" and b != icm[0]["SPDXID"]:
            print(f"{sha(el[b], 'SHA256')[0]}  {el[b]['name']}")
PY
}
# versions as `icm version` prints them, without the "(BearSSL)" notes
want_linked=$("$ICM" version | tail -n +2 | sed 's/ (.*)$//' | sort)
# MANIFEST's .orig lines: name file sha256
want_sources=$(awk '!/^[ \t]*(#|$)/ && $3 ~ /\.orig\.tar\./ { print $1, $3, $4 }' "$TOP/vendor/MANIFEST" |
	while read -r pkg file sha; do echo "${NAME[$pkg]} $file $sha"; done | sort)
# every line of every .patches: library fileName sha256 sha1
want_patches=$(for r in "${roots[@]}"; do
	for pkg in "${!NAME[@]}"; do
		while read -r kind name sha; do
			case $kind in
			icm) echo "${NAME[$pkg]} ./$name $sha sha1" ;;
			*) echo "${NAME[$pkg]} ./$pkg/debian/patches/$name $sha sha1" ;;
			esac
		done <"$r/share/sbom/$pkg.patches"
	done
done | sort -u)

doc=$T/a.spdx.json
is "the libraries icm links are exactly those icm version prints" "$(q linked "$doc" | sort)" "$want_linked"
is "the icm package: version and license" "$(q icm "$doc")" \
	"icm $ver $([ -f "$TOP/LICENSE" ] && echo MIT || echo NOASSERTION)"
is "each library's source checksum is vendor/MANIFEST's" "$(q sources "$doc" | sort)" "$want_sources"
is "every applied patch is listed with its sha256 (and a SHA1)" "$(q patches "$doc" | sort)" "$want_patches"
is "patches listed: as many as the .patches lines" "$(q patches "$doc" | wc -l)" "$(printf '%s\n' "$want_patches" | wc -l)"
is "the artifacts and their sha256" "$(q artifacts "$doc" | sort)" "$(sort "$T/sums")"
contains "created from SOURCE_DATE_EPOCH" "$(cat "$doc")" \
	"\"created\": \"$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)\""

# The checks can fail: a tampered copy is caught by the version check, a
# patch that is not the one the sysroot recorded is refused by sbom.py.
sed 's/"versionInfo": "8\.14\.1"/"versionInfo": "8.14.2"/' "$doc" >"$T/tampered-version.json"
lacks "tampered copy: libcurl's version is off" "$(cat "$T/tampered-version.json")" '"versionInfo": "8.14.1"'
ok "tampered copy: the version check sees it" \
	test "$(q linked "$T/tampered-version.json" | sort)" != "$want_linked"
mkdir -p "$T/bad-sysroot/share" && cp -r "${roots[0]}/share/sbom" "$T/bad-sysroot/share/"
sed -i '1s/ [0-9a-f]\{64\}$/ 0000000000000000000000000000000000000000000000000000000000000000/' \
	"$T/bad-sysroot/share/sbom/libssh2.patches"
out=$("$PY" "$TOP/release/sbom.py" --version "$ver" --sysroot "amd64=$T/bad-sysroot" --output "$T/bad.json" 2>&1); rc=$?
is_shown "sbom.py refuses a .patches whose sha256 is not the patch's" "$rc" 1 "$out"
contains "... and says which patch" "$out" "the sysroot's libssh2.patches records"
SOURCE_DATE_EPOCH='' "$PY" "$TOP/release/sbom.py" --version "$ver" "${sysroots[@]}" --output "$T/c.json" >/dev/null 2>&1
is "sbom.py refuses to run without SOURCE_DATE_EPOCH" $? 1

# fetch-schema.sh refuses a copy whose sha256 is not the pinned one (in a
# copy of release/, so the real vendor/cache/ is not touched)
mkdir -p "$T/tree/release" "$T/tree/vendor/cache"
cp "$TOP/release/fetch-schema.sh" "$TOP/release/SCHEMAS" "$T/tree/release/"
echo "{\"\$schema\": \"http://json-schema.org/draft-07/schema#\"}" >"$T/tree/vendor/cache/spdx-schema-2.3.json"
out=$("$T/tree/release/fetch-schema.sh" spdx-2.3 2>&1); rc=$?
is_shown "fetch-schema.sh refuses a schema with another sha256" "$rc" 1 "$out"

# Against SPDX's schema, with a python3 that has jsonschema.
py=
for p in "$PY" python3; do
	"$p" -c 'import jsonschema' 2>/dev/null && { py=$p; break; }
done
schema=$("$TOP/release/fetch-schema.sh" spdx-2.3 2>"$T/fetch.err"); frc=$?
why=
if [ -z "$py" ]; then why="python3-jsonschema is not installed (build.sh installs it)"
elif [ $frc = 3 ]; then why="the SPDX 2.3 schema cannot be fetched here ($(tail -1 "$T/fetch.err"))"
fi
validate() { "$py" "$TOP/release/validate-sbom.py" "$schema" "$@"; }
if [ -n "$why" ]; then
	for n in 1 2 3 4; do _result 0 "# SKIP $why"; done
elif [ $frc != 0 ]; then
	for n in 1 2 3 4; do _result 1 "release/fetch-schema.sh spdx-2.3 failed"; done
	sed 's/^/#   /' "$T/fetch.err"
else
	out=$(validate "$doc" 2>&1); rc=$?
	is_shown "the document is valid SPDX 2.3 (SPDX's JSON schema)" "$rc" 0 "$out"
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["packages"][1]["filesAnalyzed"]="no"
json.dump(d, open(sys.argv[2], "w"))' "$doc" "$T/tampered-type.json"
	out=$(validate "$T/tampered-type.json" 2>&1); rc=$?
	is "tampered copy (filesAnalyzed not a boolean) is refused by the schema" "$rc" 1
	contains "... naming the field" "$out" "filesAnalyzed"
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["relationships"][0]["relationshipType"]="LINKS_TO"
json.dump(d, open(sys.argv[2], "w"))' "$doc" "$T/tampered-rel.json"
	out=$(validate "$T/tampered-rel.json" 2>&1); rc=$?
	is "tampered copy (unknown relationship type) is refused by the schema" "$rc" 1
fi

# The release's own SBOM, when release/out/ holds a release.
rel=$TOP/release/out/icm-$ver.spdx.json
if [ ! -f "$rel" ]; then
	for n in 1 2 3; do _result 0 "# SKIP no release in release/out/ (make release)"; done
else
	is "release/out: its SBOM names what icm version prints" "$(q linked "$rel" | sort)" "$want_linked"
	sums=$(q artifacts "$rel")
	# shellcheck disable=SC2016  # $1 $2 are sh -c's arguments
	ok "release/out: its SBOM's artifacts are there with those sha256" \
		sh -c '[ -n "$1" ] && cd "$2" && printf "%s\n" "$1" | sha256sum -c --quiet' _ "$sums" "$TOP/release/out"
	if [ -n "$why" ] || [ $frc != 0 ]; then
		_result 0 "# SKIP ${why:-the schema could not be fetched}"
	else
		out=$(validate "$rel" 2>&1); rc=$?
		is_shown "release/out: its SBOM is valid SPDX 2.3" "$rc" 0 "$out"
	fi
fi
done_testing
