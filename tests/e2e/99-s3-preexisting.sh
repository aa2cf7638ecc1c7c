#!/usr/bin/env bash
# 99-s3-preexisting: a PreExisting deployment on the test world's hosts with
# its state in S3 (moto): provision from one directory; a provision killed
# in node preparation resumed from a new, empty directory (refused while
# the dead holder's lease lasts, then the lock taken over); inventory and
# ssh from a directory holding nothing but -stateDir and the state key; no
# secret in plaintext anywhere in the bucket; unprovision -cleanUp leaves
# only icm.log.  icm runs in moto's namespace, which reaches the world's
# 198.18.0.0/24 (tests/cloud/moto --world-route).  Root only.
. "$(dirname "$0")/lib.sh"
WORLD=$TOP/tests/world/world
MOTO=$TOP/tests/cloud/moto
[ "$(id -u)" = 0 ] || skip_all "the test world and moto need root (running as uid $(id -u))"
[ -x "$WORLD" ] || skip_all "tests/world/world is not in this tree"
world_lock || skip_all "the test world lock /tmp/icm-world.lock is held elsewhere for over 15 min"
W=$T/world MD=$T/moto
cleanup() {
	"$MOTO" stop --dir "$MD" >/dev/null 2>&1
	"$WORLD" down --dir "$W" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
up=$("$WORLD" up 4 --dir "$W" 2>&1) || {
	case $up in *"already up"*) skip_all "another test world is up on this machine" ;; esac
	echo "1..1"; echo "not ok 1 - world up 4"; printf '%s\n' "$up" | sed 's/^/#   /'; exit 1
}
KEY=$(printf '%s\n' "$up" | sed -n 's/^key: \([^ ]*\).*/\1/p' | tail -1)
out=$("$MOTO" start --dir "$MD" --port 5000 --world-route 2>&1); st=$?
[ "$st" = 77 ] && skip_all "$(printf '%s' "$out" | tail -1)"
plan 31
show() { printf '%s\n' "$1" | tail -n 12 | sed 's/^/#   /' >&2; }
check() { is "$1" "$2" "$3"; [ "$2" = "$3" ] || show "$4"; }
check "moto start --world-route" "$st" 0 "$out"
# mx CMD...: CMD in moto's namespace, in the current directory (nsenter -n
# and env keep it)
mx() { "$MOTO" exec --dir "$MD" -- "$@"; }
B=icm-state
M=(Two-VM-T-0001 Two-VM-T-0002 Two-VM-T-0003 Two-VM-T-0004)

# The bucket, seen with boto3: ls PREFIX (keys, sorted), get KEY, scan
# NEEDLES_FILE (every object GET; the keys holding a needle, one line
# each, then "sealed N")
cat > "$T/s3.py" <<'PY'
import boto3, sys
c = boto3.client("s3")
B = "icm-state"
def keys(prefix=""):
    out = []
    for page in c.get_paginator("list_objects_v2").paginate(Bucket=B, Prefix=prefix):
        out += [o["Key"] for o in page.get("Contents", [])]
    return sorted(out)
op = sys.argv[1]
if op == "mb":
    c.create_bucket(Bucket=B)
elif op == "ls":
    print("\n".join(keys(sys.argv[2])))
elif op == "get":
    sys.stdout.buffer.write(c.get_object(Bucket=B, Key=sys.argv[2])["Body"].read())
elif op == "scan":
    needles = [l.encode() for l in open(sys.argv[2]).read().splitlines() if l]
    sealed = 0
    for k in keys():
        body = c.get_object(Bucket=B, Key=k)["Body"].read()
        sealed += body.startswith(b"ICMSEAL1")
        for i, n in enumerate(needles):
            if n in body:
                print("%s holds needle %d" % (k, i))
    print("sealed %d" % sealed)
PY
s3() { mx python3 "$T/s3.py" "$@"; }
out=$(s3 mb 2>&1)
check "bucket $B made" "$?" 0 "$out"

# What a user has: a state key, the world's SSH key, defaults.json
cd "$T" || exit 1
out=$("$ICM" keygen state 2>&1)
check "icm keygen state" "$?" 0 "$out"
PW="s3pre-Pw-$$-$RANDOM"
defaults() {	# defaults LABEL PREFIX
	cat <<JSON
{"Provider": "PreExisting", "Label": "$1", "Tag": "T",
 "SSHUser": "ec2-user", "SSHPrivateKey": "$KEY",
 "RetryCount": "2", "RetryInterval": "200",
 "ISCPassword": "$PW",
 "StateDir": "s3://$B/$2", "StateKeyFile": "$T/state.key",
 "StateLockLease": "5"}
JSON
}
definitions() {
	local i
	printf '['
	for i in 1 2 3 4; do
		[ $i = 1 ] || printf ','
		printf '{"Role": "VM", "IPAddress": "198.18.0.%d", "StartCount": "%d"}' \
			$((10 + i)) $i
	done
	printf ']\n'
}

# 1. provision in A
mkdir A && cd A || exit 1
defaults Fan fan > defaults.json; definitions > definitions.json
out=$(mx "$ICM" provision 2>&1); st=$?
check "A: provision exits 0" "$st" 0 "$out"
has_line "A: nodes prepared" "$out" "Configuring Fan-VM-T-0004..."
ls=$(s3 ls fan/ 2>&1)
contains "A: state/ in the bucket" "$ls" "fan/state/known_hosts"
contains "A: instances.json in the bucket" "$ls" "fan/instances.json"
contains "A: keycheck in the bucket" "$ls" "fan/keycheck"
lacks "A: no lock left" "$ls" "fan/lock"
cd "$T" || exit 1

# 2. a second deployment (prefix two) killed in node preparation in B ...
mkdir B C D && cd B || exit 1
defaults Two two > defaults.json; definitions > definitions.json
mx sh -c 'echo $$ > icm.pid; exec "$@"' sh "$ICM" provision > killed.out 2>&1 &
job=$!
for _ in $(seq 500); do
	grep -q 'Copying files' killed.out 2>/dev/null && break
	sleep 0.02
done
pid=$(cat icm.pid 2>/dev/null)
kill -KILL "$pid" 2>/dev/null; wait "$job" 2>/dev/null
killed=$(date +%s)
contains "B: killed during node preparation" "$(cat killed.out)" "Copying files"
contains "B: its lock is in the store" "$(s3 ls two/ 2>&1)" "two/lock"
# ... resumed in C, a new directory holding only the two files
cd "$T/C" && cp ../B/defaults.json ../B/definitions.json . || exit 1
out=$(mx "$ICM" provision 2>&1); st=$?
check "C: refused while the lease lasts" "$st" 1 "$out"
contains "C: names the holder" "$out" \
	"state s3://$B/two is locked by 'icm provision' (pid $pid on host $(hostname)"
left=$((killed + 7 - $(date +%s)))
[ "$left" -gt 0 ] && sleep "$left"
out=$(mx "$ICM" provision 2>&1); st=$?
check "C: provision after the lease exits 0" "$st" 0 "$out"
takeover="taking over the lock on s3://$B/two left by 'icm provision' (pid $pid on host"
contains "C: the takeover is said" "$out" "$takeover"
contains "C: ... and in ./icm.log" "$(cat icm.log 2>&1)" "$takeover"
n=0
for m in "${M[@]}"; do
	printf '%s\n' "$out" | grep -qxF "Configuring $m..." && n=$((n + 1))
done
is "C: every node prepared" "$n" 4
# with this deployment's CA: the first one (fan) had another
ca=$(s3 get two/state/pki/ca.pem 2>&1)
n=0
for i in 1 2 3 4; do
	[ "$("$WORLD" exec $i --dir "$W" -- cat /home/ec2-user/ICM/tls/ca.pem \
		2>&1)" = "$ca" ] && n=$((n + 1))
done
is "C: every node holds the store's deployment CA" "$n" 4
lacks "C: no lock left" "$(s3 ls two/ 2>&1)" "two/lock"

# 3. from D: nothing but -stateDir and the state key
cd "$T/D" || exit 1
export ICM_STATE_KEY_FILE=$T/state.key
# A pull into a working copy that lacks a top-level state file
# (state/known_hosts) fails: rsync.c write_local() asks statedir_mkdir()
# for the working copy itself ("'.icm/B/P' is not in the state directory
# '.icm/B/P'"), so nothing works from a new directory once the state holds
# known_hosts
out=$(mx "$ICM" inventory -stateDir "s3://$B/two" 2>&1); st=$?
check "D: inventory exits 0" "$st" 0 "$out"
is "D: inventory lists 4 nodes" "$(echo "$out" | grep -c 'Two-VM-T-000[1-4]')" 4
out=$(mx "$ICM" ssh -command hostname -stateDir "s3://$B/two" 2>&1); st=$?
check "D: ssh -command hostname exits 0" "$st" 0 "$out"
is "D: each node answered" \
	"$(find .icm -name ssh.out -size +0 | wc -l)" 4
is "D: four different host names" \
	"$(find .icm -name ssh.out -exec cat {} + | sort -u | wc -l)" 4
kh=$(find .icm -name known_hosts | head -1)
ok "D: the pinned host keys are the store's, none added" \
	test -n "$kh" -a "$(cat "$kh" 2>&1)" = "$(s3 get two/state/known_hosts 2>&1)"
lacks "D: readers leave no lock" "$(s3 ls two/ 2>&1)" "two/lock"

# 4. no secret in plaintext in any object of the bucket
{
	echo "PRIVATE KEY"
	echo "$PW"
	grep -v '^-----' "$KEY" | grep -E '^.{16,}$'
} > "$T/needles"
out=$(s3 scan "$T/needles" 2>&1)
is "no object holds a secret in plaintext" \
	"$(echo "$out" | grep -c 'holds needle')" 0
[ "$(echo "$out" | grep -c 'holds needle')" = 0 ] || show "$out"
n=$(echo "$out" | sed -n 's/^sealed //p')
ok "some objects are sealed (${n:-?})" test "${n:-0}" -gt 0

# 5. unprovision from D
out=$(mx "$ICM" unprovision -force -cleanUp -stateDir "s3://$B/two" 2>&1)
st=$?
check "D: unprovision -force -cleanUp exits 0" "$st" 0 "$out"
is "D: only icm.log left under the prefix" "$(s3 ls two/ 2>&1)" "two/icm.log"
unset ICM_STATE_KEY_FILE

"$MOTO" stop --dir "$MD" >/dev/null 2>&1
"$WORLD" down --dir "$W" >/dev/null 2>&1
is "world down leaves nothing" "$("$WORLD" status --dir "$W" 2>&1)" \
	"world: down (no state in $W)"
done_testing
