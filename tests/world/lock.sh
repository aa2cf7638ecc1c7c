# lock.sh: the test world is one per machine; scripts that start it source
# this file and call world_lock first (tests/e2e/lib.sh, bench/*, make demo).
#
# world_lock holds /tmp/icm-world.lock on fd LOCKFD for the caller's whole
# run, unless an ancestor (flock(1) running the caller) already holds it.
# Waits up to 15 min; returns 1 when it could not get the lock.
world_lock() {
	local f=/tmp/icm-world.lock ino holders p s n
	exec {LOCKFD}>>"$f" || return 1
	flock -n "$LOCKFD" && return 0
	ino=$(stat -c %i "$f")
	holders=" $(awk -v i="$ino" '$2 == "FLOCK" { n = split($6, a, ":"); if (a[n] == i) printf "%s ", $5 }' /proc/locks) "
	p=$PPID
	for n in $(seq 64); do
		case $holders in *" $p "*) return 0 ;; esac
		read -r s 2>/dev/null < "/proc/$p/stat" || break
		s=${s##*) }; s=${s#* }; p=${s%% *}
		[ "$p" -gt 1 ] || break
	done
	flock -w 900 "$LOCKFD"
}
