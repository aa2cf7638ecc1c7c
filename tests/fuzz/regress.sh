#!/bin/sh
# regress.sh: every fuzz target (tests/fuzz/fuzz-*.c, built by
# `make fuzz-build` into build/fuzz/) run once over each input of its
# committed corpus, tests/fuzz/corpus/<target>/: one TAP line per target,
# not ok when an input crashes, leaks, trips a sanitizer or takes over
# 2 s (or the target's dictionary, tests/fuzz/<target>.dict, is malformed).  The output of a failing run is in build/fuzz/logs/regress-<t>.log.
# Without clang's libFuzzer runtime the whole script is a skip.
cd "$(dirname "$0")/../.." || exit 1

if ! command -v clang >/dev/null 2>&1; then
	echo "1..0 # SKIP clang is not installed (build.sh's PACKAGES has it)"
	exit 0
fi
rt="$(clang -print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer-$(uname -m).a"
if [ ! -f "$rt" ]; then
	echo "1..0 # SKIP no libFuzzer runtime at $rt (libclang-rt-14-dev)"
	exit 0
fi

targets=$(ls tests/fuzz/fuzz-*.c | sed 's|.*/||; s|\.c$||')
echo "1..$(echo "$targets" | wc -l)"
mkdir -p build/fuzz/logs
n=0
for t in $targets; do
	n=$((n + 1))
	bin=build/fuzz/$t
	log=build/fuzz/logs/regress-$t.log
	inputs=$(find "tests/fuzz/corpus/$t" -type f 2>/dev/null | wc -l)
	dict=
	[ -f "tests/fuzz/$t.dict" ] && dict=-dict=tests/fuzz/$t.dict
	if [ ! -x "$bin" ]; then
		echo "not ok $n - $t: $bin is not built (make fuzz-build)"
	elif [ "$inputs" -eq 0 ]; then
		echo "not ok $n - $t: no corpus in tests/fuzz/corpus/$t"
	elif find "tests/fuzz/corpus/$t" -type f | sort |
		xargs -r "$bin" -timeout=2 -rss_limit_mb=2048 $dict \
			-close_fd_mask=3 >"$log" 2>&1; then
		echo "ok $n - $t: $inputs inputs"
	else
		echo "not ok $n - $t (log: $log)"
		grep -E 'ERROR|SUMMARY|Test unit written|^Running' "$log" |
			tail -8 | sed 's/^/#   /'
	fi
done
