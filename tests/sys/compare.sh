#!/usr/bin/env bash
# tests/sys/compare.sh - `migbench compare RUN_A RUN_B` on two small runs
# made from tests/fixtures/report-run (no VM): each record repeated three
# times with varied numbers, run B slower and with other ids.  Checks the
# rows, the difference and its CI against a Welch's t computed here, the
# JSON, the plot, and each refusal (exit 2 with the reason).
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
require_cmd jq python3 || exit 0
[ -x "$MIGBENCH" ] || { skip "no $MIGBENCH (run make)"; exit 0; }

FIX=$TOP/tests/fixtures/report-run
WORK=$(mktemp -d /tmp/mbtest-compare-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# mkrun NAME ID_PREFIX "T1 T2 T3" [FILTER]: the fixture's two records, each
# three times (r1..r3) with migration.total_s T1..T3 (seqread: +0.1), ids
# prefixed, FILTER applied to every record; run.json plans exactly them.
mkrun() {
	local d=$WORK/$1 pfx=$2 filter=${4:-.} i t
	mkdir -p "$d"
	: > "$d/scenarios.jsonl"
	i=0
	for t in $3; do
		i=$((i + 1))
		jq -c --arg p "$pfx" --argjson t "$t" --argjson i "$i" \
			"(.id |= (\$p + sub(\"-r1\$\"; \"-r\" + (\$i | tostring)))) | .repetition = \$i |
			 .migration.total_s = (if .workload == \"seqread\" then \$t + 0.1 else \$t end) | $filter" \
			"$FIX/scenarios.jsonl" >> "$d/scenarios.jsonl"
	done
	jq --slurpfile r "$d/scenarios.jsonl" '.planned = [$r[] | .id] | .planned_total = (.planned | length)' \
		"$FIX/run.json" > "$d/run.json"
	echo "$d"
}
A=$(mkrun a "" "1.0 1.1 1.2")
B=$(mkrun b "x-" "1.5 1.7 1.9")

out=$("$MIGBENCH" compare "$A" "$B" --metric migration.total_s --out "$WORK/cmp" 2>&1)
rc=$?
check "compare exits 0" test "$rc" = 0
check "a row per common cell (2), paired across different ids" \
	test "$(grep -cE '^d4ms-(cpuadd|seqread) ' <<<"$out")" = 2
# Welch by hand: a = {1.0,1.1,1.2}, b = {1.5,1.7,1.9}: diff 0.6, se =
# sqrt(0.01/3 + 0.04/3), Welch-Satterthwaite df 2.94 -> t(2) = 4.303.
want=$(python3 -c '
import math
va, vb = 0.01 / 3, 0.04 / 3
se, df = math.sqrt(va + vb), (va + vb) ** 2 / (va * va / 2 + vb * vb / 2)
t = {2: 4.303, 3: 3.182, 4: 2.776}[int(df)]
print("[%.4g, %.4g] %.1f" % (0.6 - t * se, 0.6 + t * se, df))')
got=$(awk '$1 == "d4ms-cpuadd" { print $7, $8, $9 }' <<<"$out")
check "the CI is Welch's ($want)" test "$got" = "$want"
check "the difference is flagged significant" grep -qE '^d4ms-cpuadd .*\*$' <<<"$out"
check "compare draws plots/compare-migration-total_s.png" test -s "$WORK/cmp/plots/compare-migration-total_s.png"

json=$("$MIGBENCH" compare "$A" "$B" --json)
rc=$?
# jq -e on no input at all exits 0: the JSON must be there.
check "--json exits 0 and parses" test "$rc" = 0 -a -n "$json" -a "$(jq -r type <<<"$json")" = object
check "--json: 2 cells, 4 metrics, diff and CI" jq -e '(.cells | length) == 2 and (.metrics | length) == 4 and
	(.cells[] | select(.cell == "d4ms-cpuadd") | .metrics["migration.total_s"] |
	 (.diff - 0.6 | fabs) < 1e-9 and .ci95_low < .diff and .ci95_high > .diff and .significant and .n_a == 3)' <<<"$json"
check "--json: cells carry their settings and B's name" jq -e '.cells[0].settings.delay == 0.004 and (.cells[0].cell_b | startswith("x-"))' <<<"$json"

# expect2 WHAT WORDS ARGS...: exit 2 and WORDS in the message.
expect2() {
	local what=$1 words=$2 msg rc
	shift 2
	msg=$("$MIGBENCH" compare "$@" 2>&1)
	rc=$?
	if [ "$rc" = 2 ] && grep -qF -- "$words" <<<"$msg"; then ok "$what: exit 2, says '$words'"
	else fail "$what: exit 2, says '$words'" "exit $rc: $(tail -2 <<<"$msg" | tr '\n' ' ')"; fi
}
mkdir -p "$WORK/empty"
expect2 "not a run" "not a migbench run directory" "$WORK/empty" "$B"
C=$(mkrun c "" "1 2" '.config.delay = 0.064 | .delay_ms = 64')
expect2 "no common cell" "share no cell" "$A" "$C"
expect2 "no common cell names the key" "delay (A: 0.004; B: 0.064)" "$A" "$C"
D=$(mkrun d "" "1 2" '.config.before = 5')
expect2 "profiles that measure differently" "before (A: 3; B: 5)" "$A" "$D"
check "--ignore before compares them anyway" "$MIGBENCH" compare "$A" "$D" --ignore before
E=$(mkrun e "" "1 2 3")
jq '.schema_version = 99' "$E/run.json" > "$E/run.json.new" && mv "$E/run.json.new" "$E/run.json"
expect2 "a schema it cannot read" "schema version 99" "$A" "$E"
F=$(mkrun f "" "1 2 3")
head -n 4 "$F/scenarios.jsonl" > "$F/s" && mv "$F/s" "$F/scenarios.jsonl"
expect2 "a half-written run names what is missing" "2 of 6 planned scenarios are missing (d4ms-cpuadd-r3, d4ms-seqread-r3)" "$A" "$F"
expect2 "an unknown metric" "not a numeric key" "$A" "$B" --metric migration.nope
expect2 "one run only" "give two run directories" "$A"
finish
