#!/usr/bin/env bash
# tests/sys/bench_lib.sh - the benches' verdicts (bench/lib.sh) on made-up
# rounds: noise, a negative cost, too few rounds or a range across the
# target is never "met" (bench/guest.sh once printed "sampling costs
# -15.42% (target <= 1%): met").  Light: no lab, no guest.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
. bench/lib.sh

# is DESC WANT-PREFIX CMD...: the command's output starts with WANT.
is() {
	local desc=$1 want=$2 got; shift 2
	got=$("$@" 2>&1)
	if [[ $got == "$want"* ]]; then ok "$desc: $got"; else fail "$desc" "got '$got', wanted '$want...'"; fi
}

is "the noisy run that was called met" "inconclusive (noise" cost_verdict 1 -15.42 -3.1 -22.0
is "a negative cost with little noise" "inconclusive (negative cost" cost_verdict 1 -0.3 -0.2 -0.4
is "a cost whose noise exceeds the target" "inconclusive (noise 1.60% > target 1%)" cost_verdict 1 0.2 1.8 0.5
is "a cost whose range straddles the target" "inconclusive (range" cost_verdict 1 0.5 0.9 1.2
is "one round only" "inconclusive (1 round" cost_verdict 1 0.5
is "two rounds only" "inconclusive (2 rounds" verdict le 10 1 2
is "a small steady cost" "met" cost_verdict 1 0.2 0.3 0.5
is "a steady cost above the target" "MISSED" cost_verdict 1 3.1 3.4 3.0
is "a level under its maximum in every round" "met" verdict le 10 1.2 1.3 1.1
is "a level over its maximum in every round" "MISSED" verdict le 10 11 12 13
is "a level across its maximum" "inconclusive (range 9..11" verdict le 10 9 11 10
is "a ratio above its minimum in every round" "met" verdict ge 1 5.6 5.5 5.7
is "a ratio across its minimum" "inconclusive" verdict ge 0.8 0.5 0.9 1.1
is "a ratio below its minimum in every round" "MISSED" verdict ge 1 0.5 0.6 0.7
is "every cell within its maximum" "met" each_verdict 5 0.4 1.9 4.9
is "one cell over its maximum" "MISSED (1 of 3 above 5; worst 28.2)" each_verdict 5 0.4 28.2 1.9
is "a cell without a figure" "inconclusive" each_verdict 5 0.4 "" 1.9
is "median and range, odd count" "2.00 s (range 1.00..3.00, n=3)" spread %.2f s 3 1 2
is "median of an even count" "2.5 (range 1..4, n=4)" spread %g "" 4 1 3 2
is "negative numbers sort numerically" "-2 % (range -10..1, n=3)" spread %g % 1 -10 -2
all_num 1 2.5 -3 1e3 && ok "numbers are numbers" || fail "numbers are numbers"
! all_num 1 "" 2 && ok "an empty round is not a number" || fail "an empty round is not a number"
! all_num 1 null && ok "null is not a number" || fail "null is not a number"
! all_num && ok "no rounds are not numbers" || fail "no rounds are not numbers"
# Every bench sources the shared verdicts, none prints its own "met".
for b in bench/*.sh; do
	case $b in bench/lib.sh | bench/run.sh) continue ;; esac
	if grep -q '^\. bench/lib.sh' "$b" && ! grep -vE '^[[:space:]]*#' "$b" | grep -qE "[\"']met[\"']"; then
		ok "$b judges through bench/lib.sh"
	else
		fail "$b judges through bench/lib.sh" "it does not source bench/lib.sh or prints \"met\" itself"
	fi
done
finish
