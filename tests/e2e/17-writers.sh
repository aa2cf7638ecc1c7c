#!/usr/bin/env bash
# 17-writers.sh: the files icm appends to (icm.log, the state lock, the
# journal) must be regular files of their own (issue 14):
#   icm.log as a FIFO with no reader is refused at once (it blocked forever),
#   by the commands that log from the start (inventory) and those that log
#   once they change something (provision), exit 1, nothing left behind;
#   icm.log or state/lock as a symlink planted to a file elsewhere is
#   refused, naming the file, and that file is not written through;
# and a containerless `icm install` checks every value it will send each
# node (the kit's settings, the password, the merge file) before it reaches
# any: a value that cannot go is refused with node, file and field named,
# not the value, and nothing is written (no state directory, no icm.log).
# No network: the refusals come before any node is reached (the addresses
# 198.18.0.25x are never contacted).
. "$(dirname "$0")/lib.sh"
plan 28
cd "$T"
mkdir aws pre kit
cp "$DATA/e2e/aws/instances.json" aws/
cp "$DATA"/e2e/pre/*.json pre/
"$ICM" keygen ssh pre/keys >/dev/null

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
	"$(echo $(ls))" "defaults.json definitions.json icm.log keys"
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
keys
state
$T/outside"

cd "$T/kit"
node_json() {
	printf '{"Provider": "PreExisting", "Label": "Kit", "Tag": "T", '
	printf '"Role": "DATA", "MachineName": "Kit-DATA-T-000%s", ' "$1"
	printf '"IPAddress": "198.18.0.25%s", "SSHUser": "icm", ' "$1"
	printf '"SSHPrivateKey": "insecure", "Containerless": "true", '
	printf '"KitURL": "file:///home/icm/kit.tar.gz", '
	printf '"ISCPassword": "Kit-secret-pw-7", "MaxConnectAttempts": "1", '
	printf '"DefinitionIndex": "0"}'
}
printf '[%s,\n%s]\n' "$(node_json 1)" "$(node_json 2)" > instances.json
nothing() {
	is "... before any node is reached (no state directory, no icm.log)" \
		"$(echo $(ls))" instances.json
	lacks "... nothing was attempted" "$out" "198.18.0.25"
}

out=$(timeout 20 "$ICM" install -override '{"SystemMode": "LIVE\t[Startup]"}' 2>&1)
is "install with a tab in SystemMode: exit 1" $? 1
contains "... naming node, merge file and field" "$out" \
	"Kit-DATA-T-0001, the merge file (CPF): SystemMode holds a control character (0x09 at byte 5)"
lacks "... not the value" "$out" "[Startup]"
nothing

out=$(timeout 20 "$ICM" install -iscPassword "$(printf 'Kit-pw-NL\nX=1')" 2>&1)
is "install with a newline in the password: exit 1" $? 1
contains "... naming node, the kit's settings and the field" "$out" \
	"Kit-DATA-T-0001, the kit's settings (installKit.sh): Password holds a control character (0x0a at byte 10)"
lacks "... not the password" "$out" "Kit-pw-NL"
nothing

out=$(timeout 20 "$ICM" install -override '{"ISCInstallDir": "/usr/iris\r"}' -machine 'Kit-DATA-T-000[12]' 2>&1)
contains "a CR in ISCInstallDir: refused where it enters (the command line's field)" "$out" \
	"Error: command line: field 'ISCInstallDir': expected an absolute path"
nothing

out=$(timeout 20 "$ICM" install -override '{"KitURL": ""}' 2>&1)
contains "an empty KitURL: refused where it enters" "$out" \
	"Error: command line: field 'KitURL': expected an http://, https:// or file:/// URL"
nothing
done_testing
