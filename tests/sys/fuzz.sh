#!/usr/bin/env bash
# tests/sys/fuzz.sh - a short run of every libFuzzer target (the profile
# parser and planner, the sample parser): no crash, leak or hang in
# FUZZ_TIME seconds each (make fuzz runs them longer).
. "$(dirname "$0")/../lib.sh"
require_cmd clang || exit 0
cd "$TOP"
for f in tests/fuzz/fuzz_*.c; do
	name=$(basename "$f" .c)
	if out=$(make -s "build/fuzz/$name" 2>&1); then ok "$name builds"; else fail "$name builds" "$out"; continue; fi
done
if out=$(make -s fuzz FUZZ_TIME=${FUZZ_TIME:-15} 2>&1); then
	while read -r l; do ok "fuzz: $l"; done < <(grep -E 'FUZZ |Done' <<<"$out" | paste - - | sed 's/  FUZZ    //')
else
	fail "fuzzers ran without a crash" "$(tail -5 <<<"$out" | tr '\n' ' ')"
fi
finish
