#!/usr/bin/env bash
# 11-bad-configs: every configuration in tests/data/config/bad/ makes
# `icm provision -plan` (and plain `icm provision`) exit 1 with the exact
# message in its `expected` file, and write nothing at all.  The same
# directories drive tests/unit/t-config.c.
. "$(dirname "$0")/lib.sh"
cases=$(ls -d "$DATA"/config/bad/*/ 2>/dev/null)
[ -n "$cases" ] || skip_all "no cases in tests/data/config/bad"
plan $(( $(echo "$cases" | wc -l) * 3 + 4 ))
for c in $cases; do
	name=$(basename "$c")
	rm -rf "$T/w" && mkdir "$T/w" && cp -r "$c"/. "$T/w/" && rm "$T/w/expected"
	cd "$T/w"
	before=$(snapshot .)
	want=$(head -n 1 "$c/expected")
	# A case may carry command-line overrides (-override '{...}').
	ov=()
	[ -f overrides.json ] && ov=(-override "$(cat overrides.json)")
	out=$("$ICM" provision -plan "${ov[@]}" 2>&1); st=$?
	is "$name: exit 1" "$st" 1
	# error() prefixes "Error: "; ICM's own raw messages have no prefix.
	case $out in
	"Error: $want"|"$want"|*"
Error: $want"|*"
$want") _result 0 "$name: message" ;;
	*) _result 1 "$name: message"
	   printf '#   got:      %s\n#   expected: %s\n' "$out" "$want" ;;
	esac
	"$ICM" provision "${ov[@]}" >/dev/null 2>&1
	is "$name: nothing written (plain provision too)" "$(snapshot .)" "$before"
	cd "$T"
done

# A license key that ISCLicense names is not there: -plan still plans (the
# guide's /License/... paths need not exist for that); provision refuses
# before anything is made, naming the node, the field and the file.
rm -rf "$T/w" && mkdir "$T/w" && cp -r "$DATA"/config/bad/54a-isclicense-count/. "$T/w/"
cd "$T/w" || exit 1
sed -i 's#"License/isc1.key,License/isc2.key"#"License/isc1.key,License/isc2.key,License/isc3.key"#' definitions.json
before=$(snapshot .)
out=$("$ICM" provision -plan 2>&1)
is "ISCLicense file missing: -plan plans" "$?" 0
out=$("$ICM" provision 2>&1)
is "... provision: exit 1" "$?" 1
contains "... naming the node, the field and the file" "$out" \
	"Error: ECP-AM-TEST-0005: field 'ISCLicense': cannot read the license key 'License/isc3.key': No such file or directory"
is "... nothing written" "$(snapshot .)" "$before"
cd "$T"
done_testing
