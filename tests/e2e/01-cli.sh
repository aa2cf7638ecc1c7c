#!/usr/bin/env bash
# 01-cli: the command layer: goals, options, help, version, exit status.
. "$(dirname "$0")/lib.sh"
plan 16
cd "$T"

out=$("$ICM" publish 2>&1); st=$?
is "unknown goal exits 1" "$st" 1
is "unknown goal message (ICM's wording)" "$out" \
	"Unrecognized goal: 'publish' (try \"icm -help\")"

out=$("$ICM" -help 2>&1); st=$?
is "-help exits 0" "$st" 0
contains "-help lists provision" "$out" "provision"
contains "-help lists the options" "$out" "-stateDir"
out=$("$ICM" --help 2>&1)
contains "--help works too" "$out" "Usage: icm <command>"

out=$("$ICM" help inventory 2>&1); st=$?
is "help CMD exits 0" "$st" 0
contains "help inventory shows -role" "$out" "-role role"
out=$("$ICM" help nosuch 2>&1); st=$?
is "help of an unknown goal exits 1" "$st" 1

out=$("$ICM" version 2>&1); st=$?
is "version exits 0" "$st" 0
contains "version names icm" "$out" "icm "
contains "version names cJSON" "$out" "cJSON "
out2=$("$ICM" -version 2>&1)
is "-version prints the same" "$out2" "$out"

out=$("$ICM" inventory --bogus 2>&1); st=$?
is "unknown option exits 1" "$st" 1
is "unknown option message" "$out" \
	"Unrecognized option: '--bogus' (try \"icm -help\")"

"$ICM" inventory -role QM >/dev/null 2>&1
is "nothing written by failing commands" "$(ls -A "$T")" ""
done_testing
