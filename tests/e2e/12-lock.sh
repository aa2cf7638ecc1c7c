#!/usr/bin/env bash
# 12-lock: a second writer on a locked state directory is refused and told
# who holds it; a lock whose holder is gone is taken over with a warning.
. "$(dirname "$0")/lib.sh"
command -v flock >/dev/null || skip_all "flock(1) from util-linux is not installed"
plan 7
cd "$T"
cp "$DATA"/e2e/pre/*.json .
"$ICM" keygen ssh keys >/dev/null
mkdir -p state
printf 'pid=4242\nhost=opshost\nuser=alice\nstarted=2026-11-24T10:00:00Z\ncommand=icm provision\n' > state/lock
# -o: the lock belongs to flock itself, so killing it releases the lock.
flock -o state/lock sleep 30 &
holder=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do
	flock -n state/lock true 2>/dev/null || break
	sleep 0.1
done

out=$("$ICM" provision 2>&1); st=$?
is "second writer exits 1" "$st" 1
contains "names the holder's command and pid" "$out" "is locked by 'icm provision' (pid 4242"
contains "names the host and user" "$out" "on host opshost, user alice"
contains "and since when" "$out" "since 2026-11-24T10:00:00Z"
is "the holder's record is untouched" "$(sed -n 1p state/lock)" "pid=4242"
pkill -P $holder sleep 2>/dev/null; kill $holder 2>/dev/null
wait $holder 2>/dev/null

out=$("$ICM" provision 2>&1)
contains "a stale lock is reported" "$out" "taking over a stale lock on 'state' left by 'icm provision' (pid 4242"
ok "and released again" test ! -e state/lock
done_testing
