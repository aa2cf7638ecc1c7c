#!/usr/bin/env bash
# 17-writers.sh: the files icm appends to (icm.log, the state lock, the
# journal) must be regular files of their own (issue 14):
#   icm.log as a FIFO with no reader is refused at once (it blocked forever),
#   by the commands that log from the start (inventory) and those that log
#   once they change something (provision), exit 1, nothing left behind;
#   icm.log or state/lock as a symlink planted to a file elsewhere is
#   refused, naming the file, and that file is not written through.
# No network: the refusals come before any node is reached.
. "$(dirname "$0")/lib.sh"
plan 12
cd "$T"
mkdir aws pre
cp "$DATA/e2e/aws/instances.json" aws/
cp "$DATA"/e2e/pre/*.json pre/

cd "$T/aws"
mkfifo icm.log
out=$(timeout 10 "$ICM" inventory 2>&1); st=$?
is "inventory with icm.log a FIFO: exit 1 at once (no hang)" "$st" 1
contains "... naming the file and what it is" "$out" \
	"cannot write 'icm.log': not a regular file (a FIFO)"

cd "$T/pre"
mkfifo icm.log
out=$(timeout 10 "$ICM" provision 2>&1); st=$?
is "provision with icm.log a FIFO: exit 1 at once (no hang)" "$st" 1
contains "... naming the file" "$out" \
	"cannot write 'icm.log': not a regular file (a FIFO)"
is "... and leaves nothing (no state directory, no lock)" \
	"$(echo $(ls))" "defaults.json definitions.json icm.log"
rm icm.log

printf 'theirs\n' > "$T/outside"
ln -s "$T/outside" icm.log
out=$(timeout 10 "$ICM" provision 2>&1); st=$?
is "provision with icm.log a symlink elsewhere: exit 1" "$st" 1
contains "... naming it a symbolic link" "$out" \
	"cannot write 'icm.log': not a regular file (a symbolic link)"
is "... the file it names is not written" "$(cat "$T/outside")" theirs
rm icm.log

mkdir -p state
ln -s "$T/outside" state/lock
out=$(timeout 10 "$ICM" provision 2>&1); st=$?
is "provision with state/lock a symlink elsewhere: exit 1" "$st" 1
contains "... naming the lock" "$out" \
	"cannot write 'state/lock': not a regular file (a symbolic link)"
is "... the file it names is not written" "$(cat "$T/outside")" theirs
is "... nor anything else (no icm.log, the link left as it was)" \
	"$(ls; readlink state/lock)" "defaults.json
definitions.json
state
$T/outside"
done_testing
