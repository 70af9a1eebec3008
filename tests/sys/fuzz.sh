#!/usr/bin/env bash
# tests/sys/fuzz.sh - a short run of every libFuzzer target (the profile
# parser and planner, the sample parser): no crash, leak or hang in
# FUZZ_TIME seconds each (make fuzz runs them longer).  It cannot pass
# without fuzzing: there must be targets, each must build, and each must
# report at least FUZZ_MIN_RUNS executed inputs in its own log.  Only a
# missing clang or a clang without libFuzzer is a skip (with the reason).
. "$(dirname "$0")/../lib.sh"
require_cmd clang || exit 0
cd "$TOP"
FUZZ_TIME=${FUZZ_TIME:-15}
FUZZ_MIN_RUNS=${FUZZ_MIN_RUNS:-1000}

# Can this clang link a libFuzzer program at all?
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' > "$probe/p.c"
if ! out=$(clang -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" 2>&1); then
	skip "clang cannot build a libFuzzer program (libFuzzer or the sanitizer runtimes missing): $(tail -n 1 <<<"$out")"
	exit 0
fi

targets=()
for f in tests/fuzz/fuzz_*.c; do
	[ -f "$f" ] && targets+=("$(basename "$f" .c)")
done
if [ ${#targets[@]} -eq 0 ]; then
	fail "there are fuzz targets" "no tests/fuzz/fuzz_*.c"
	finish
fi
ok "there are fuzz targets: ${targets[*]}"

built=0
for name in "${targets[@]}"; do
	if out=$(make -s "build/fuzz/$name" 2>&1) && [ -x "build/fuzz/$name" ]; then
		ok "$name builds"; built=$((built + 1))
	else
		fail "$name builds" "$(tail -n 3 <<<"$out" | tr '\n' ' ')"
	fi
done
[ "$built" -eq ${#targets[@]} ] || finish

# Stale logs from an earlier run must not count as this run's executions.
for name in "${targets[@]}"; do rm -f "build/fuzz/${name#fuzz_}.log"; done
if out=$(make -s fuzz FUZZ_TIME="$FUZZ_TIME" 2>&1); then
	ok "make fuzz ran every target for $FUZZ_TIME s without a crash"
else
	fail "make fuzz ran every target without a crash" "$(tail -n 5 <<<"$out" | tr '\n' ' ')"
fi
for name in "${targets[@]}"; do
	log=build/fuzz/${name#fuzz_}.log
	if [ ! -s "$log" ]; then
		fail "$name executed inputs" "no log $log (make fuzz did not run it)"
		continue
	fi
	# libFuzzer's final line "Done N runs in S second(s)" (-print_final_stats
	# also gives stat::number_of_executed_units; either is the count).
	runs=$(sed -n 's/^Done \([0-9][0-9]*\) runs in.*/\1/p' "$log" | tail -n 1)
	[ -n "$runs" ] || runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
	if [ -z "$runs" ]; then
		fail "$name executed inputs" "no run count in $log: $(tail -n 2 "$log" | tr '\n' ' ')"
	elif [ "$runs" -lt "$FUZZ_MIN_RUNS" ]; then
		fail "$name executed at least $FUZZ_MIN_RUNS inputs" "only $runs in $FUZZ_TIME s"
	else
		ok "$name executed $runs inputs in $FUZZ_TIME s (minimum $FUZZ_MIN_RUNS)"
	fi
done
finish
