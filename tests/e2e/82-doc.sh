#!/usr/bin/env bash
# 82-doc: the man page and the shell completion cover the binary (curl's
# test 1139, source -> documentation).  The commands and options `icm
# help` shows and those of the source tables (src/cmd/commands.c,
# src/cmd/options.c, read by a simple parse) are the same; each is in
# build/doc/icm.1, icm.bash and _icm (make doc), each command with the
# options `icm help <command>` gives it; icm.1 formats without a warning;
# the completions answer in bash and (when it is installed) in zsh, driven
# as a user's TAB would.  The same check run on a generator output with an
# option and a command left out (gendoc --omit) must name both, so it is
# shown to fail when something is missing.
. "$(dirname "$0")/lib.sh"
DOC=$TOP/build/doc
for f in icm.1 icm.bash _icm; do
	[ -f "$DOC/$f" ] || skip_all "build/doc/$f is missing (make doc writes it)"
done
GENDOC=
for g in "$TOP/build/tools/gendoc" "$TOP/build/dev/tools/gendoc"; do
	[ -x "$g" ] && [ "$g" -nt "$GENDOC" ] && GENDOC=$g
done
[ -n "$GENDOC" ] || skip_all "build/tools/gendoc is missing (make doc builds it)"
plan 32

# ---- the lists: from the binary, from the source tables ------------------
help_all=$("$ICM" help)
bin_cmds=$(printf '%s\n' "$help_all" |
	sed -n '/^Commands:/,/^Options/s/^  \([a-z][a-z]*\) .*/\1/p' | sort)
# "  -name arg   help": the option names, one dash off
opts_of() { sed -n 's/^  -\([A-Za-z][A-Za-z]*\).*/\1/p' | sort; }
bin_opts=$(printf '%s\n' "$help_all" | opts_of)
src_cmds=$(sed -n 's/^\t{ "\([a-z]*\)", cmd_.*/\1/p' \
	"$TOP/src/cmd/commands.c" | sort)
src_opts=$(sed -n 's/^\t{ "\([A-Za-z]*\)", \(NULL\|"[A-Za-z]*"\), OPT_.*/\1/p' \
	"$TOP/src/cmd/options.c" | sort)
aliases=$(sed -n 's/^\t{ "\([A-Za-z]*\)", "\([A-Za-z]*\)", OPT_.*/\1 \2/p' \
	"$TOP/src/cmd/options.c")

ok "icm help lists over 20 commands and 20 options" \
	test "$(wc -l <<<"$bin_cmds")" -gt 20 -a "$(wc -l <<<"$bin_opts")" -gt 20
is "the commands of icm help are those of src/cmd/commands.c" \
	"$(tr '\n' ' ' <<<"$bin_cmds")" "$(tr '\n' ' ' <<<"$src_cmds")"
is "the options of icm help are those of src/cmd/options.c" \
	"$(tr '\n' ' ' <<<"$bin_opts")" "$(tr '\n' ' ' <<<"$src_opts")"

# What each command takes, by icm help <command>, as the lines the checks
# compare: "command C", "option -O" (its alias too), "C -O" (C takes O).
exp_all=$({ for c in $bin_cmds; do echo "== $c"; "$ICM" help "$c"; done |
	awk -v al="$aliases" 'BEGIN { n = split(al, l, "\n")
		for (i = 1; i <= n; i++) { split(l[i], p, " "); a[p[1]] = p[2] } }
	/^== / { c = $2; print "command " c; next }
	/^  -[A-Za-z]/ { o = substr($1, 2); print c " -" o; print "option -" o
		if (o in a) { print c " -" a[o]; print "option -" a[o] } }'
	awk '{ print "option -" $0 }' <<<"$bin_opts"
	awk '{ print "option -" $2 }' <<<"$aliases"; } | sort -u)
# The man page lists under each command only the options not every
# command takes, by their names (aliases are under OPTIONS).
exp_man=$(awk -v al="$aliases" -v nc="$(wc -l <<<"$bin_cmds")" '
	BEGIN { n = split(al, l, "\n")
		for (i = 1; i <= n; i++) { split(l[i], p, " "); alias["-" p[2]] = 1 } }
	{ line[NR] = $0 }
	$1 != "command" && $1 != "option" { takers[$2]++ }
	END { for (i = 1; i <= NR; i++) { split(line[i], w, " ")
		if (w[1] == "command" || w[1] == "option" ||
		    (takers[w[2]] < nc && !(w[2] in alias))) print line[i] } }' \
	<<<"$exp_all")

# got_FILE DIR: the same lines, as FILE of DIR has them: the man page by
# its sections, the zsh completion by what it declares, the bash one by
# what it answers.
got_man() {
	awk '/^\.SH / { sec = $2; next } /^\.TP/ { tp = 1; next }
	{ gsub(/\\f[BIR]/, ""); gsub(/\\-/, "-") }
	tp && sec == "COMMANDS" { c = $1; print "command " c }
	tp && sec == "OPTIONS" { gsub(/,/, "")
		for (i = 1; i <= NF; i++) if ($i ~ /^-/) print "option " $i }
	{ tp = 0 }
	sec == "COMMANDS" && /^Options: / { sub(/^Options: /, ""); gsub(/[,.]/, "")
		for (i = 1; i <= NF; i++) print c " " $i }' "$1/icm.1"
}
got_zsh() {
	awk -v q="'" '/^\t(commands|alone)=\(/ { list = $1; next }
	list && /^\t\)/ { list = "" }
	list { s = $0; sub("^\t\t" q, "", s); sub(/:.*/, "", s)
		if (list ~ /^commands/) print "command " s
		else if (s !~ /^--/) print "option " s }
	/^\t\([a-z]+\)$/ { c = substr($1, 2, length($1) - 2); next }
	/^\t\t;;/ { c = "" }
	c && index($0, "}" q "[") { s = $0; sub(/^[^{]*\{/, "", s); sub(/\}.*/, "", s)
		n = split(s, w, ",")
		for (i = 1; i <= n; i++) if (w[i] !~ /^--/) {
			print c " " w[i]; print "option " w[i] } }' "$1/_icm"
}
got_bash() {
	bash --norc --noprofile -c '. "$1/icm.bash"
		comp() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _icm; }
		comp icm ""; printf "command %s\n" "${COMPREPLY[@]}"
		comp icm -; printf "option %s\n" "${COMPREPLY[@]}"
		for c in $2; do
			comp icm "$c" -
			printf "$c %s\n" "${COMPREPLY[@]}"
			printf "option %s\n" "${COMPREPLY[@]}"
		done' bash "$1" "$bin_cmds"
}
# missing FILE DIR: "missing: X" and "extra: X" lines; nothing when FILE
# of DIR has exactly what the binary has.
missing() {
	local want=$exp_all
	[ "$1" = man ] && want=$exp_man
	diff <(printf '%s\n' "$want") <("got_$1" "$2" | sort -u) |
		sed -n 's/^< /missing: /p; s/^> /extra: /p'
}

for f in man bash zsh; do
	is "every command and option, and each command's options, in $f's file" \
		"$(missing $f "$DOC")" ""
done

# The check fails, naming them, when the generator leaves out an option
# and a command.
"$GENDOC" --omit stateDir --omit keygen "$TOP/release/icm.1.in" "$T/omit"
is "gendoc --omit stateDir --omit keygen runs" "$?" 0
for f in man bash zsh; do
	out=$(missing $f "$T/omit")
	has_line "a missing option is named ($f)" "$out" "missing: option -stateDir"
	has_line "a missing command is named ($f)" "$out" "missing: command keygen"
done
out=$("$GENDOC" --omit nosuch "$TOP/release/icm.1.in" "$T/x" 2>&1)
is "gendoc --omit of a name no table has fails" "$?" 1

# Deterministic: the same files again (the man page's date aside), and
# SOURCE_DATE_EPOCH's day as that date.
SOURCE_DATE_EPOCH=86400 "$GENDOC" "$TOP/release/icm.1.in" "$T/again"
same() { cmp -s "$1/icm.bash" "$2/icm.bash" && cmp -s "$1/_icm" "$2/_icm"; }
ok "the completions again byte for byte" same "$T/again" "$DOC"
is "the man page again but for the date" \
	"$(grep -v '^\.TH' "$T/again/icm.1" | cmp - <(grep -v '^\.TH' "$DOC/icm.1") 2>&1)" ""
contains "SOURCE_DATE_EPOCH dates the man page" "$(grep '^\.TH' "$T/again/icm.1")" \
	'"1970-01-02" "icm '

# The man page formats without a warning.
if command -v groff >/dev/null; then
	is "groff -man -ww: no warning" "$(groff -man -ww -z "$DOC/icm.1" 2>&1)" ""
else
	_result 0 "groff -man -ww # SKIP groff is missing (groff-base)"
fi

# bash, as TAB calls it (COMP_WORDS as bash splits the line).
mkdir -p "$T/cwd/keys" && : >"$T/cwd/defaults.json"
bcomp() {
	(cd "$T/cwd" && bash --norc --noprofile -c '. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _icm
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
		bash "$DOC/icm.bash" "$@")
}
is "bash: icm pro" "$(bcomp icm pro)" "provision "
is "bash: icm provision -st" "$(bcomp icm provision -st)" "-stateDir "
is "bash: icm provision --st" "$(bcomp icm provision --st)" "--stateDir "
is "bash: icm keygen " "$(bcomp icm keygen '')" "ssh state tls "
is "bash: icm keygen -bits 2048 ssh  (a path: a directory, or state's file)" \
	"$(bcomp icm keygen -bits 2048 ssh '')" "defaults.json keys "
is "bash: icm keygen -type " "$(bcomp icm keygen -type '')" "ecdsa rsa "
is "bash: icm inventory --role=D" "$(bcomp icm inventory --role = D)" "DATA DM DS "
is "bash: icm provision -defaults " "$(bcomp icm provision -defaults '')" \
	"defaults.json keys "
is "bash: icm ssh -role DM -mach" "$(bcomp icm ssh -role DM -mach)" "-machine "

# zsh: the file parses, and a real completion (zsh's line editor on a
# pseudo-terminal, compinit loading _icm from build/doc) lists the words.
if command -v zsh >/dev/null; then
	ok "zsh -n _icm" zsh -n "$DOC/_icm"
	cat >"$T/cap.zsh" <<'ZSH'
# cap.zsh DOCDIR LINE...: for each LINE, "== LINE" and what zsh shows
# after LINE and a TAB, compinit having loaded _icm from DOCDIR.  The TAB
# is a widget that completes, then prints a marker, so the reading stops
# where the completion's output does; then the line is killed (^U).
zmodload zsh/zpty || exit 1
zpty z zsh -f -i -o zle
zpty -w z "PS1='> '; COLUMNS=200; fpath=($1 \$fpath); autoload -U compinit"
zpty -w z "compinit -u -D; zstyle ':completion:*' list-prompt ''"
zpty -w z 'tab() { zle complete-word; zle -R; print -n "@DO""NE@"; }'
zpty -w z 'zle -N tab; bindkey "^T" tab'
shift
for line in "$@"; do
	zpty -w -n z "$line"$'\x14'
	zpty -r -m z out '*@DONE@*' || exit 1
	print -r -- "== $line"
	print -r -- "$out"
	zpty -w -n z $'\x15'
done
zpty -d z
ZSH
	zout=$(cd "$T/cwd" && timeout 60 zsh -f "$T/cap.zsh" "$DOC" "icm pro" \
		"icm provision -st" "icm keygen " "icm inventory -role " 2>&1 |
		sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/[\r\a\x08]//g')
	sec() { awk -v h="== $1" '/^== / { on = ($0 == h); next } on' <<<"$zout"; }
	contains "zsh: icm pro" "$(sec "icm pro")" "icm provision"
	contains "zsh: icm provision -st" "$(sec "icm provision -st")" "-stateDir"
	contains "zsh: icm keygen " "$(sec "icm keygen ")" "state  tls"
	contains "zsh: icm inventory -role " "$(sec "icm inventory -role ")" "DM"
else
	for n in "-n" "icm pro" "icm provision -st" "icm keygen " "icm inventory -role "; do
		_result 0 "zsh $n # SKIP zsh is not installed"
	done
fi
done_testing
