#!/usr/bin/env bash
# 20-samples: `icm samples [DIR]` writes the Samples tree (the repository's
# samples/ directory, byte for byte), refuses to overwrite any file without
# -force (exit 1, nothing written), and rewrites everything with -force.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
umask 022

mode() { stat -c %a "$1" 2>/dev/null; }
providers="AWS GCP Azure Tencent vSphere PreExisting"
nfiles=$(samples_nfiles)

"$ICM" samples >out.txt 2>err.txt
is "samples with no DIR exits 0" $? 0
ok "no DIR means ./Samples" test -f Samples/AWS/defaults.json

"$ICM" samples tree >out.txt 2>err.txt
is "samples tree exits 0" $? 0
is "nothing on stderr" "$(cat err.txt)" ""
is "one line per file written" "$(wc -l <out.txt)" "$nfiles"
ok "every line names a written file" \
	sh -c 'while read -r f; do test -f "$f" || exit 1; done <out.txt'
for p in $providers; do
	is "$p: defaults.json and definitions.json, mode 644" \
		"$(mode tree/$p/defaults.json) $(mode tree/$p/definitions.json)" \
		"644 644"
done
for d in ECP Sharding; do
	ok "AWS/$d: a self-contained deployment" \
		test -f tree/AWS/$d/defaults.json -a -f tree/AWS/$d/definitions.json
done
ok "the tree is the repository's samples/ and scripts in bin/" samples_same_tree tree
ok "the scripts are executable" test -x tree/bin/keygenSSH.sh -a -x tree/bin/keygenTLS.sh
is "directories are 755" "$(mode tree) $(mode tree/AWS/ECP)" "755 755"
is "credentials are private" "$(mode tree/AWS/sample.credentials)" 600
is "no temporary files left" "$(find tree -name '*.tmp.*')" ""

echo changed >tree/AWS/defaults.json
rm tree/GCP/defaults.json
"$ICM" samples tree >out.txt 2>err.txt
is "an existing tree is refused with exit 1" $? 1
contains "the error names the existing file" "$(cat err.txt)" \
	"tree/AWS/defaults.json"
ok "the missing file is not written" test ! -e tree/GCP/defaults.json
is "the existing file is untouched" "$(cat tree/AWS/defaults.json)" changed
is "nothing printed on stdout" "$(cat out.txt)" ""

"$ICM" samples -force tree >out.txt 2>err.txt
is "-force exits 0" $? 0
is "-force writes every file" "$(wc -l <out.txt)" "$nfiles"
ok "-force restores the tree" samples_same_tree tree

touch afile
"$ICM" samples afile >out.txt 2>err.txt
is "a DIR that is a file is refused with exit 1" $? 1
contains "... naming it" "$(cat err.txt)" "afile"

plan "$_n"
done_testing
