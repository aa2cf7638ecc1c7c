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

# SQL (icm sql's %SQL.Statement line, see sql_answer): tables are TSV files,
# a header line of column names, then rows; in values \\ \t \n \r stand for
# a backslash, tab, LF and CR.  A namespace's tables: $SDIR/tables/NS/TABLE.tsv
# (tests write them); %SYS.PhoneProviders is built in (the rows of the 2018
# guide's example, test data of the stand-in).
phone_providers() {
	printf 'Name\tSMSGateway\n'
	printf '%s\t%s\n' "AT&T Wireless" txt.att.net Alltel message.alltel.com \
		"Cellular One" mobile.celloneusa.com Nextel messaging.nextel.com \
		"Sprint PCS" messaging.sprintpcs.com T-Mobile tmomail.net \
		Verizon vtext.com
}
sql_table() {	# sql_table NS TABLE: the table's TSV on stdout, or fails
	local t f
	t=$(upper "$2")
	[ "$t" = %SYS.PHONEPROVIDERS ] && { phone_providers; return 0; }
	for f in "$SDIR/tables/$1"/*.tsv; do
		[ -f "$f" ] || continue
		[ "$(upper "$(basename "$f" .tsv)")" = "$t" ] && { cat "$f"; return 0; }
	done
	return 1
}
sql_error() { printf '\n#ICM-SQL-ERROR# SQLCODE %s\n' "$*"; }

# sql_answer STATEMENT NS: what icm's one-line %SQL.Statement script prints
# on a real instance (src/iris/sql.h): "#ICM-SQL-ROW# [json strings]" for the
# column names and each row, or "#ICM-SQL-ERROR# SQLCODE N: text".  Only
#   SELECT col,...|* FROM table [WHERE col = 'literal']
# is understood (anything else is SQLCODE -1, naming the stand-in).
sql_answer() {
	local parsed cols table wc wl tsv
	parsed=$(SQL_STMT=$1 awk -v q="'" 'BEGIN {
		s = ENVIRON["SQL_STMT"]
		if (!match(toupper(s), /^[ \t]*SELECT[ \t]+/)) exit 1
		s = substr(s, RLENGTH + 1)
		i = index(toupper(s), " FROM "); if (!i) exit 1
		cols = substr(s, 1, i - 1); s = substr(s, i + 6)
		sub(/^[ \t]+/, "", s); sub(/[ \t;]+$/, "", s)
		if (!match(s, /^[A-Za-z0-9_.%]+/)) exit 1
		table = substr(s, 1, RLENGTH); s = substr(s, RLENGTH + 1)
		sub(/^[ \t]+/, "", s); wc = ""; wl = ""
		if (s != "") {
			if (!match(toupper(s), /^WHERE[ \t]+/)) exit 1
			s = substr(s, RLENGTH + 1)
			if (!match(s, "^[A-Za-z0-9_%]+[ \t]*=[ \t]*" q)) exit 1
			wc = substr(s, 1, RLENGTH); sub(/[ \t]*=.*/, "", wc)
			s = substr(s, RLENGTH + 1)
			for (;;) {
				i = index(s, q); if (!i) exit 1
				wl = wl substr(s, 1, i - 1); s = substr(s, i + 1)
				if (substr(s, 1, 1) != q) break
				wl = wl q; s = substr(s, 2)
			}
			if (s != "") exit 1
		}
		gsub(/[ \t]/, "", cols)
		print cols; print table; print wc; print wl
	}') || {
		sql_error "-1: the ICM TEST STAND-IN answers only SELECT col,...|* FROM table [WHERE col = 'literal']"
		return 0
	}
	{ read -r cols; read -r table; read -r wc; IFS= read -r wl; } <<EOF2
$parsed
EOF2
	tsv=$(sql_table "$2" "$table") || { sql_error "-30: Table '$table' not found"; return 0; }
	printf '%s\n' "$tsv" | SQL_WL=$wl awk -F '\t' -v q="'" -v cols="$cols" -v wc="$wc" '
	function unesc(v,   o, i, c) {
		o = ""
		for (i = 1; i <= length(v); i++) {
			c = substr(v, i, 1)
			if (c == "\\" && i < length(v)) {
				c = substr(v, ++i, 1)
				c = c == "t" ? "\t" : c == "n" ? "\n" : c == "r" ? "\r" : c
			}
			o = o c
		}
		return o
	}
	function json(v,   o, i, c) {	# the JSON string of a TSV value
		v = unesc(v); o = "\""
		for (i = 1; i <= length(v); i++) {
			c = substr(v, i, 1)
			o = o (c == "\"" ? "\\\"" : c == "\\" ? "\\\\" : c == "\n" ? "\\n" : c == "\r" ? "\\r" : c == "\t" ? "\\t" : c)
		}
		return o "\""
	}
	function fail(m) { printf "\n#ICM-SQL-ERROR# SQLCODE %s\n", m; bad = 1; exit }
	NR == 1 {
		for (i = 1; i <= NF; i++) col[toupper($i)] = i
		if (cols == "*") { n = NF; for (i = 1; i <= NF; i++) pick[i] = i }
		else {
			n = split(cols, want, ",")
			for (i = 1; i <= n; i++) {
				if (!(toupper(want[i]) in col)) fail("-29: Field " q want[i] q " not found in the applicable tables")
				pick[i] = col[toupper(want[i])]
			}
		}
		if (wc != "") {
			if (!(toupper(wc) in col)) fail("-29: Field " q wc q " not found in the applicable tables")
			w = col[toupper(wc)]
		}
		line = ""
		for (i = 1; i <= n; i++) line = line (i > 1 ? "," : "") json($pick[i])
		printf "\n#ICM-SQL-ROW# [%s]", line
		next
	}
	{
		if (wc != "" && unesc($w) != ENVIRON["SQL_WL"]) next
		line = ""
		for (i = 1; i <= n; i++) line = line (i > 1 ? "," : "") json($pick[i])
		printf "\n#ICM-SQL-ROW# [%s]", line
	}
	END { if (!bad) printf "\n" }'
}
