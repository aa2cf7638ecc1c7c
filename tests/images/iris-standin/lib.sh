# /usr/irissys/standin/lib.sh: shared helpers of the stand-in IRIS (sourced).
#
# THIS IS A TEST STAND-IN FOR THE PROPRIETARY INTERSYSTEMS IRIS ENGINE;
# it implements only what icm calls and records.  See /README.standin.
#
# State (all plain text, for tests to read):
#   $SDIR = $ISC_DATA_DIRECTORY/standin (durable %SYS) or /tmp/standin
#   $SDIR/commands.log    every session input line: <ISO time> <namespace> <line>
#   $SDIR/events.log      iris-main and iris actions: <ISO time> <event> [details]
#   $SDIR/status          running|down ^ ctime date ^ ok|alert
#   $SDIR/namespaces      namespaces created (besides %SYS and USER), one a line
#   $SDIR/password.sha256 SHA-256 (hex) of the last password set from a password file
#   $SDIR/mirror          NAME^member type^status of a mirror member (one line)
INST_DIR=/usr/irissys
INSTANCE=IRIS
IRIS_VERSION=$(cat "$INST_DIR/VERSION" 2>/dev/null || echo 2024.1.0.267.2)
ZV="IRIS for UNIX (Ubuntu Server LTS for x86-64 Containers) $IRIS_VERSION (ICM TEST STAND-IN, not InterSystems IRIS)"
if [ -n "${ISC_DATA_DIRECTORY:-}" ]; then
	DDIR=${ISC_DATA_DIRECTORY%/}
	SDIR=$DDIR/standin
else
	DDIR=$INST_DIR
	SDIR=/tmp/standin
fi
MGR=$DDIR/mgr
CPF=$DDIR/iris.cpf
MSGLOG=$MGR/messages.log

isotime() { date -u +%Y-%m-%dT%H:%M:%SZ; }
ctime() { date '+%a %b %e %H:%M:%S %Y'; }
event() { mkdir -p "$SDIR" && echo "$(isotime) $*" >> "$SDIR/events.log"; }
msg() {		# a messages.log line in IRIS's layout
	[ -d "$MGR" ] || return 0
	echo "$(date -u '+%m/%d/%y-%H:%M:%S:000') ($$) 0 [Generic.Event] $*" >> "$MSGLOG"
}
status_word() { cut -d^ -f1 "$SDIR/status" 2>/dev/null || echo down; }
set_status() {	# set_status running|down [ok|alert]
	mkdir -p "$SDIR"
	if [ "$1" = running ]; then
		echo "running^since $(ctime)^${2:-ok}" > "$SDIR/status.tmp"
	else
		echo "down^last used $(ctime)^" > "$SDIR/status.tmp"
	fi
	mv "$SDIR/status.tmp" "$SDIR/status"
}
ns_exists() {	# ns_exists NAME (upper case)
	case $1 in %SYS|USER) return 0 ;; esac
	grep -qxF "$1" "$SDIR/namespaces" 2>/dev/null
}
ns_add() {
	ns_exists "$1" && return 0
	mkdir -p "$SDIR" && echo "$1" >> "$SDIR/namespaces"
}
upper() { echo "$1" | tr a-z A-Z; }

# apply_merge FILE: what a configuration merge does here: the file's text
# is appended to iris.cpf as a merge record, [Actions] CreateNamespace
# lines create namespaces, and the event is recorded.
apply_merge() {
	local f=$1 n
	[ -f "$f" ] || { echo "IRIS Merge: cannot read merge file $f" >&2; return 1; }
	{
		echo ";; ---- stand-in merge record: $f applied $(isotime)"
		cat "$f"
		echo ";; ---- end of merge record"
	} >> "$CPF"
	for n in $(sed -n 's/^[[:space:]]*CreateNamespace:.*Name=\([^,[:space:]]*\).*/\1/p' "$f"); do
		ns_add "$(upper "$n")"
	done
	event merge "$f" "sha256=$(sha256sum < "$f" | cut -d' ' -f1)"
	msg "Configuration merge of $f into $CPF (stand-in)"
}

# Mirror membership, recorded by session lines (see iris's do_session):
# one line NAME^TYPE^STATUS in $SDIR/mirror, e.g. MIRRORDM01^Failover^Backup.
mirror_field() {	# mirror_field 1|2|3: name, member type, status (or empty)
	cut -d^ -f"$1" "$SDIR/mirror" 2>/dev/null
}
mirror_set() {		# mirror_set NAME TYPE STATUS
	mkdir -p "$SDIR"
	echo "$1^$2^$3" > "$SDIR/mirror.tmp" && mv "$SDIR/mirror.tmp" "$SDIR/mirror"
	event mirror "name=$1" "type=$2" "status=$3"
	msg "Mirror $1: this member is now $3 ($2) (stand-in)"
}

# call_arg TEXT MARKER N: the Nth argument of the call that follows MARKER
# ("...Name(") in TEXT when it is a string literal, unquoted; else nothing.
call_arg() {
	printf '%s\n' "$1" | awk -v m="$2" -v n="$3" '{
		i = index($0, m); if (!i) exit
		s = substr($0, i + length(m)); k = 1; a = ""; q = 0; d = 0
		for (j = 1; j <= length(s); j++) {
			c = substr(s, j, 1)
			if (q) { a = a c; if (c == "\"") q = 0; continue }
			if (c == "\"") { q = 1; a = a c; continue }
			if (c == "(") d++
			else if (c == ")") { if (!d) break; d-- }
			else if (c == "," && !d) { if (k == n) break; k++; a = ""; continue }
			a = a c
		}
		if (k != n) exit
		gsub(/^[ \t]+|[ \t]+$/, "", a)
		if (a !~ /^".*"$/) exit
		a = substr(a, 2, length(a) - 2); gsub(/""/, "\"", a); print a
	}'
}
