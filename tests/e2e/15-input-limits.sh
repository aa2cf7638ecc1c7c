#!/usr/bin/env bash
# 15-input-limits: hostile input on the command line and in the files icm
# reads cannot hang or exhaust it (issue 14): a costly -machine regular
# expression is refused before regcomp; a FIFO or a symlink loop where a
# file or the state directory should be is refused, named for what it is.
. "$(dirname "$0")/lib.sh"
plan 16
cd "$T"
cp "$DATA/e2e/aws/instances.json" .

# musl's regcomp expands a{255}{255}{255} into 16 million positions
# (gigabytes): under a 256 MB cap and 20 s it is refused, naming -machine.
out=$( (ulimit -v 262144; timeout 20 "$ICM" inventory \
	-machine 'a{255}{255}{255}') 2>&1); st=$?
is "-machine a{255}{255}{255}: exit 1" "$st" 1
is "... refused before compiling, naming -machine" "$out" \
	"Error: -machine 'a{255}{255}{255}' is refused as a regular expression: more than 1000 positions once its repetitions are expanded"
out=$( (ulimit -v 262144; timeout 20 "$ICM" inventory \
	-machine "$(printf 'x%.0s' $(seq 300))") 2>&1); st=$?
is "a 300-character -machine: exit 1" "$st" 1
contains "... longer than 256 characters, the echo cut" "$out" \
	"xxx...' is refused as a regular expression: longer than 256 characters"
out=$( (ulimit -v 262144; timeout 20 "$ICM" inventory \
	-machine '(ECP-(DM|AM)-TEST-[0-9]{4}){1}.{0,3}') 2>&1); st=$?
is "an ordinary bounded -machine: exit 0" "$st" 0
is "... selects its nodes" "$(echo "$out" | grep -c 'ECP-[DA]M-')" 4

# A FIFO as defaults.json (no writer): refused at once, not waited on.
mkdir fifo && cd fifo
cp "$DATA/config/good/aws-ecp-guide/definitions.json" .
mkfifo defaults.json
out=$(timeout 10 "$ICM" provision -plan 2>&1); st=$?
is "a FIFO as defaults.json: provision -plan exits 1 (no hang)" "$st" 1
is "... named as a FIFO" "$out" \
	"Error: cannot read 'defaults.json': not a regular file (a FIFO)"
out=$(timeout 10 "$ICM" provision 2>&1); st=$?
is "... provision exits 1 too" "$st" 1
ok "... and writes no state directory" test ! -e state
cd ..
mkfifo instances.fifo
out=$(timeout 10 "$ICM" inventory -instances instances.fifo 2>&1); st=$?
is "a FIFO as -instances: exit 1 (no hang)" "$st" 1
is "... named as a FIFO" "$out" \
	"Error: cannot read 'instances.fifo': not a regular file (a FIFO)"

# A symlink loop as -stateDir, and as a configuration file.
ln -s loop loop
out=$(timeout 10 "$ICM" unprovision -stateDir loop -force 2>&1); st=$?
is "a symlink loop as -stateDir: exit 1" "$st" 1
is "... named as a loop" "$out" \
	"Error: cannot create state directory 'loop': too many levels of symbolic links (a symlink loop)"
out=$(timeout 10 "$ICM" inventory -instances loop 2>&1); st=$?
is "a symlink loop as -instances: exit 1" "$st" 1
is "... named as a loop" "$out" \
	"Error: cannot read 'loop': too many levels of symbolic links (a symlink loop)"
done_testing
