#!/usr/bin/env bash
# 99-s3-state.sh: a deployment's state in S3 (issue 21, state/remote.h)
# against moto's S3 and EC2, icm and moto in a network namespace that has
# only loopback (tests/cloud/moto).  From what a user has: `icm keygen ssh`,
# `icm keygen state`, the guide's AWS ECP sample with StateDir and
# StateKeyFile in defaults.json.
#
#   - provision killed with SIGKILL (ICM_TEST_KILL_AFTER) in one working
#     directory; the store has every journal record the killed run wrote;
#     from another, empty one (defaults.json and definitions.json only) the
#     next provision is refused while the killed holder's lease lasts (its
#     pid and host named), then takes the lock over (logged) and finishes:
#     exactly the planned resources (no duplicates);
#   - two provisions started together: one proceeds, the other is refused
#     with the holder's details; inventory from a third empty directory
#     works meanwhile (readers take no lock);
#   - no object holds a private key or a secret in plain bytes; a wrong or
#     missing state key is refused before any change (objects and ETags the
#     same, no lock);
#   - a PUT that loses an If-Match race (the store's instances.json changed
#     under a paused writer: ICM_TEST_STATE_PAUSE) is reported and the
#     store keeps the other writer's object;
#   - icm state push (a local PreExisting state migrated), pull, lock
#     status, unlock; bad -stateDir and StateLockLease values;
#   - unprovision killed and resumed elsewhere after `icm state unlock
#     -force`; then nothing icm made is left and the prefix holds icm.log
#     alone.
# Root only (network namespaces).
. "$(dirname "$0")/lib.sh"
CENSUS=$TOP/tests/cloud/aws-census.py
OBJ=$TOP/tests/cloud/s3-objects.py
moto_up "$T/moto"

B=icm-state
URL=s3://$B/ecp
NONE="vpc=0 subnet=0 igw=0 rtb=0 sg=0 key=0 instance=0 volume=0 address=0 lb=0 tg=0"
ECP_FULL="vpc=1 subnet=2 igw=1 rtb=1 sg=1 key=1 instance=6 volume=26 address=0 lb=1 tg=2"
census() { mx python3 "$CENSUS" "$1" 2>&1; }
obj() { mx python3 "$OBJ" "$@"; }
# icm_in DIR ARGS...: icm in DIR inside the namespace
icm_in() { local d=$1; shift; (cd "$d" && mx env ICM_TEST_NO_NODE_PREP=1 "$ICM" "$@"); }
show() { printf '%s\n' "$1" | tail -n 6 | sed 's/^/#   /'; }
# fresh NAME: a new empty working directory with the user's two files
fresh() { mkdir -p "$T/$1"; cp "$T/a/defaults.json" "$T/a/definitions.json" "$T/$1/"; }
wait_for() { local i; for i in $(seq 1 300); do [ -e "$1" ] && return 0; sleep 0.1; done; return 1; }

plan 58
obj mkbucket "$B" || { echo "not ok 1 - bucket"; exit 1; }
"$ICM" keygen ssh "$T/ssh" >/dev/null 2>&1
"$ICM" keygen state "$T/state.key" >/dev/null 2>&1
printf '[default]\naws_access_key_id = AKIDTEST\naws_secret_access_key = test-secret-%s\n' "$$" > "$T/credentials"
PW="Iris-Secret-$$"
aws_sample ECP "$T/a" "" '{"ISCPassword": "'"$PW"'", "StateDir": "'"$URL"'",
 "StateKeyFile": "'"$T"'/state.key", "StateLockLease": "4"}'

# --- killed in A, resumed in an empty B ---
out=$(cd "$T/a" && mx env ICM_TEST_NO_NODE_PREP=1 ICM_TEST_KILL_AFTER=4 "$ICM" provision 2>&1); st=$?
is "provision killed after the 4th result" "$st" 137
local_n=$(wc -l < "$T/a/.icm/$B/ecp/journal")
store_n=$(obj get "$B" ecp/journal/00000000 | wc -l)
is "every record the killed run wrote is in the store" "$store_n" "$local_n"
contains "the store holds the killed run's lock" "$(obj names "$B" ecp)" "lock"
fresh b
mid=$(census ECP-TEST)
out=$(icm_in "$T/b" provision 2>&1); st=$?
is "provision from an empty directory while the lease lasts: refused" "$st" 1
contains "... naming the killed holder" "$out" "is locked by 'icm provision' (pid "
is "... and nothing made meanwhile" "$(census ECP-TEST)" "$mid"
sleep 5
out=$(icm_in "$T/b" provision 2>&1); st=$?
is "provision after the lease ran out exits 0" "$st" 0 || show "$out"
contains "... taking the lock over" "$out" "taking over the lock on $URL left by 'icm provision'"
contains "... which icm.log keeps" "$(cat "$T/b/icm.log")" "taking over the lock"
contains "... and the store's icm.log too" "$(obj get "$B" ecp/icm.log)" "taking over the lock"
is "exactly the planned resources, no duplicates" "$(census ECP-TEST)" "$ECP_FULL"
lacks "the lock is gone" "$(obj names "$B" ecp)" "lock"

# --- secrets ---
plain=$(obj plain "$B" ecp "PRIVATE KEY" "$PW" "test-secret-$$" "$(sed -n 2p "$T/ssh/insecure")")
is "no object holds a private key or a secret in plain bytes" "$plain" ""
ok "the CA key is sealed" obj sealed "$B" ecp/state/pki/ca-key.pem
ok "instances.json (it holds ISCPassword) is sealed" obj sealed "$B" ecp/instances.json

# --- readers and two writers at once ---
mkdir -p "$T/r"
out=$(icm_in "$T/r" inventory -stateDir "$URL" 2>&1); st=$?
is "inventory from an empty directory without the key: refused" "$st" 1
contains "... saying which key" "$out" "sealed with the state key id="
out=$(cd "$T/r" && mx env ICM_STATE_KEY_FILE="$T/state.key" "$ICM" inventory -stateDir "$URL" 2>&1); st=$?
is "inventory from an empty directory with ICM_STATE_KEY_FILE" "$st" 0 || show "$out"
contains "... lists the deployment" "$out" "ECP-DM-TEST-0001"
# the working copy's manifest (a hint): the next command here fetches
# only what changed, and a local file changed by hand is fetched again
gets() { grep -c "\"GET /$B/ecp/[si]" "$MOTO_DIR/moto.log"; }
g0=$(gets)
(cd "$T/r" && mx env ICM_STATE_KEY_FILE="$T/state.key" "$ICM" inventory -stateDir "$URL" >/dev/null 2>&1)
is "inventory again in the same directory fetches no object" "$(($(gets) - g0))" 0
echo "changed by hand" >> "$T/r/.icm/$B/ecp/pki/ca.pem"
(cd "$T/r" && mx env ICM_STATE_KEY_FILE="$T/state.key" "$ICM" inventory -stateDir "$URL" >/dev/null 2>&1)
is "... and a file changed by hand is the store's again" \
	"$(cat "$T/r/.icm/$B/ecp/pki/ca.pem")" "$(obj get "$B" ecp/state/pki/ca.pem)"
fresh c; fresh d; fresh e0
rm -f "$T/go" "$T/go.waiting"
(cd "$T/c" && mx env ICM_TEST_NO_NODE_PREP=1 ICM_TEST_STATE_PAUSE="$T/go" "$ICM" provision > "$T/c.out" 2>&1; echo $? > "$T/c.st") &
(cd "$T/d" && mx env ICM_TEST_NO_NODE_PREP=1 ICM_TEST_STATE_PAUSE="$T/go" "$ICM" provision > "$T/d.out" 2>&1; echo $? > "$T/d.st") &
wait_for "$T/go.waiting"
for i in $(seq 1 100); do [ -e "$T/c.st" ] || [ -e "$T/d.st" ] && break; sleep 0.1; done
first=$(cat "$T/c.st" "$T/d.st" 2>/dev/null)
is "two provisions at once: one refused while the other holds the lock" "$first" 1
refused=$(cat "$T/c.out" "$T/d.out")
contains "... with the holder's pid, host and command" "$refused" "is locked by 'icm provision' (pid "
out=$(cd "$T/r" && mx env ICM_STATE_KEY_FILE="$T/state.key" "$ICM" inventory -stateDir "$URL" 2>&1); st=$?
is "inventory meanwhile (readers take no lock)" "$st" 0 || show "$out"
out=$(icm_in "$T/r" state unlock -stateDir "$URL" 2>&1); st=$?
is "state unlock without -force: refused" "$st" 1
contains "... naming the holder" "$out" "held by 'icm provision' (pid"
sleep 6	# past the lease of 4 s: the holder renews it
out=$(icm_in "$T/e0" provision 2>&1); st=$?
is "a writer after the first lease's length: still refused (renewed)" "$st" 1
contains "... by the same holder" "$out" "is locked by 'icm provision' (pid"
touch "$T/go"; wait
is "... and the holder finishes with 0" "$(cat "$T/c.st" "$T/d.st" | sort | tr -d '\n')" 01
is "... having changed nothing" "$(census ECP-TEST)" "$ECP_FULL"

# --- Ctrl-C (SIGINT) releases the lock at once ---
rm -f "$T/go" "$T/go.waiting"
(cd "$T/c" && mx env ICM_TEST_NO_NODE_PREP=1 ICM_TEST_STATE_PAUSE="$T/go" sh -c 'echo $$ > "$0"; exec "$@"' "$T/c.pid" "$ICM" provision > "$T/c.out" 2>&1) &
wait_for "$T/go.waiting"
contains "a paused writer holds the lock" "$(obj names "$B" ecp)" "lock"
kill -INT "$(cat "$T/c.pid")"; wait
for i in $(seq 1 50); do obj names "$B" ecp | grep -qx lock || break; sleep 0.1; done
lacks "... interrupted with SIGINT, it takes its lock away" "$(obj names "$B" ecp)" "lock"

# --- wrong and missing key: refused before any change ---
before=$(obj list "$B" ecp)
head -c 32 /dev/urandom > "$T/wrong.key"; chmod 600 "$T/wrong.key"
out=$(cd "$T/b" && mx env ICM_STATE_KEY_FILE="$T/wrong.key" "$ICM" unprovision -force 2>&1); st=$?
is "unprovision with a wrong key: refused" "$st" 1
contains "... saying so" "$out" "is not the key of $URL"
mkdir -p "$T/e"; grep -v StateKeyFile "$T/a/defaults.json" > "$T/e/defaults.json"; cp "$T/a/definitions.json" "$T/e/"
out=$(icm_in "$T/e" provision 2>&1); st=$?
is "provision without a key: refused" "$st" 1
is "... the store unchanged (objects, ETags, no lock)" "$(obj list "$B" ecp)" "$before"
is "... and the cloud too" "$(census ECP-TEST)" "$ECP_FULL"

# --- a lost If-Match race ---
fresh f
/usr/bin/python3 - "$T/f/defaults.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["Namespace"] = "RACE"
json.dump(d, open(sys.argv[1], "w"), indent=1)
PY
rm -f "$T/go" "$T/go.waiting"
(cd "$T/f" && mx env ICM_TEST_NO_NODE_PREP=1 ICM_TEST_STATE_PAUSE="$T/go" "$ICM" provision > "$T/f.out" 2>&1; echo $? > "$T/f.st") &
wait_for "$T/go.waiting"
obj put "$B" ecp/instances.json '[{"written": "by another writer"}]'
touch "$T/go"; wait
is "a writer whose If-Match PUT lost the race exits 1" "$(cat "$T/f.st")" 1
contains "... reporting it" "$(cat "$T/f.out")" "ecp/instances.json was changed in the store since this command read it; not overwritten"
is "... and the store keeps the other writer's object" "$(obj get "$B" ecp/instances.json)" '[{"written": "by another writer"}]'
obj put "$B" ecp/instances.json "$(cat "$T/b/instances.json")"

# --- icm state: push a local state, pull it, bad input ---
mkdir -p "$T/p"
cat > "$T/p/defaults.json" <<JSON
{"Provider": "PreExisting", "Label": "Pre", "Tag": "T", "SSHUser": "root",
 "SSHPrivateKey": "$T/ssh/insecure", "SSHPublicKey": "$T/ssh/insecure.pub"}
JSON
echo '[{"Role": "DM", "IPAddress": "198.18.0.11", "DockerImage": "intersystems/iris:2024.1"}]' > "$T/p/definitions.json"
icm_in "$T/p" provision >/dev/null 2>&1
out=$(cd "$T/p" && mx env ICM_STATE_KEY_FILE="$T/state.key" "$ICM" state push -stateDir "s3://$B/pre" 2>&1); st=$?
is "state push of a local state directory exits 0" "$st" 0 || show "$out"
mkdir -p "$T/q"
out=$(cd "$T/q" && mx env ICM_STATE_KEY_FILE="$T/state.key" "$ICM" state pull -stateDir "s3://$B/pre" 2>&1); st=$?
is "state pull into an empty directory exits 0" "$st" 0 || show "$out"
is "... the same state files" "$(cd "$T/q/state" && find . -type f | sort)" \
	"$(cd "$T/p/state" && find . -type f ! -name lock | sort)"
ok "... the same instances.json" cmp "$T/p/instances.json" "$T/q/instances.json"
out=$(cd "$T/p" && mx env ICM_STATE_KEY_FILE="$T/state.key" "$ICM" state push -stateDir "s3://$B/pre" 2>&1); st=$?
is "state push onto a state: refused without -force" "$st" 1
out=$(icm_in "$T/q" inventory -stateDir "s3://Bad_Bucket/x" 2>&1); st=$?
is "a bad bucket name: refused" "$st" 1
contains "... saying what a state URL is" "$out" "expected s3://BUCKET or s3://BUCKET/PREFIX"

# --- a lock planted by someone else: shown, never as it came ---
obj put "$B" ecp/lock "$(printf '{"pid":7,"host":"evil\033[2J","user":"u","command":"x","lease":60}')"
out=$(icm_in "$T/r" state lock status -stateDir "$URL" 2>&1)
contains "a planted lock's record is shown" "$out" "on host evil?[2J"
lacks "... without its control characters" "$out" "$(printf '\033')"
icm_in "$T/r" state unlock -force -stateDir "$URL" >/dev/null 2>&1

# --- unprovision killed, resumed elsewhere after state unlock -force ---
fresh g
out=$(cd "$T/g" && mx env ICM_TEST_KILL_AFTER=3 "$ICM" unprovision -force -cleanUp 2>&1); st=$?
is "unprovision killed after the 3rd result" "$st" 137
out=$(icm_in "$T/r" state unlock -force -stateDir "$URL" 2>&1); st=$?
is "state unlock -force breaks the dead holder's lock" "$st" 0
fresh h
out=$(icm_in "$T/h" unprovision -force -cleanUp 2>&1); st=$?
is "unprovision from another empty directory finishes" "$st" 0 || show "$out"
is "... nothing icm made is left" "$(census ECP-TEST)" "$NONE"
is "... and the prefix holds icm.log alone" "$(obj names "$B" ecp | tr '\n' ' ')" "icm.log "
# --- killed after every kind of journal record, resumed elsewhere ---
# (another prefix; a kill point after the first record of each main kind:
# network, security group, key pair, launch batch, node, name tag, load
# balancer, target registration -- 64-aws-moto.sh kills after far more with
# a local state; the killed run's
# lock broken with state unlock -force, each resume in a new empty
# directory; the prefix's journal keeps the records of the deployments
# before, as a state reused after unprovision does.)
URLK=s3://$B/kill
fresh k0; json_edit "$T/k0/defaults.json" '{"StateDir": "'"$URLK"'"}'
icm_in "$T/k0" provision >/dev/null 2>&1
sed -n 's/.*"rec":"\(done\|failed\)","key":"\([^/"]*\).*/\2/p' "$T/k0/.icm/$B/kill/journal" > "$T/kinds"
icm_in "$T/k0" unprovision -force >/dev/null 2>&1
POINTS=$(awk '$1 ~ /^(vpc|sg|keypair|batch|node|name|lb|tg-reg)$/ &&
	!seen[$1]++ { print NR }' "$T/kinds")
bad="" n_points=0
for n in $POINTS; do
	n_points=$((n_points + 1))
	fresh "k$n"; json_edit "$T/k$n/defaults.json" '{"StateDir": "'"$URLK"'"}'
	(cd "$T/k$n" && mx env ICM_TEST_NO_NODE_PREP=1 ICM_TEST_KILL_AFTER=$n "$ICM" provision >/dev/null 2>&1)
	st=$?; [ "$st" = 137 ] || bad="$bad $n:kill=$st"
	icm_in "$T/r" state unlock -force -stateDir "$URLK" >/dev/null 2>&1 || bad="$bad $n:unlock"
	fresh "r$n"; json_edit "$T/r$n/defaults.json" '{"StateDir": "'"$URLK"'"}'
	icm_in "$T/r$n" provision >/dev/null 2>&1 || bad="$bad $n:resume"
	c=$(census ECP-TEST); [ "$c" = "$ECP_FULL" ] || bad="$bad $n:[$c]"
	icm_in "$T/r$n" unprovision -force >/dev/null 2>&1 || bad="$bad $n:unprovision"
done
[ "$n_points" -ge 8 ] && ok=0 || ok=1
is "at least 8 kill points ($n_points of $(wc -l < "$T/kinds") records)" "$ok" 0
is "killed at each, resumed from an empty directory: exactly the planned resources, then none" "$bad" ""
is "... nothing left" "$(census ECP-TEST)" "$NONE"
plain=$(obj plain "$B" "" "PRIVATE KEY" "$PW" "test-secret-$$" "$(sed -n 2p "$T/ssh/insecure")")
is "no object of the whole bucket held a private key or a secret in plain bytes" "$plain" ""
[ -n "${KEEP:-}" ] && cp -r "$T" /tmp/keep99
done_testing
