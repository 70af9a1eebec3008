#!/usr/bin/env bash
# tests/sys/schema.sh - the published record layout and its readers:
# schema/scenario.schema.json is what the field tables generate (so the
# file in the repository is current), records written by the serializer
# validate against it and run.schema.json, records that break it are
# caught, and `run --resume` on type-confused run.json / scenarios.jsonl
# exits 2 naming the file and key (or skips the record, naming file:line),
# never with a signal.  Fast: no lab, no guest.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
SAMPLE=$TOP/$BUILD_DIR/tests/test_result
[ -x "$SAMPLE" ] || { skip "needs $BUILD_DIR/tests/test_result (make unit-bins)"; exit 0; }
python3 -c 'import jsonschema' 2>/dev/null || { skip "needs python3-jsonschema (make deps)"; exit 0; }
require_cmd jq || exit 0

tmp=$(mktemp -d /tmp/mbtest-schema-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
check "the serializer writes a sample run" "$SAMPLE" --sample "$tmp"
norm() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True, indent=1))' "$1"; }
if diff <(norm "$tmp/scenario.schema.json") <(norm schema/scenario.schema.json) > "$tmp/schema.diff"; then
	ok "schema/scenario.schema.json is what the field tables say"
else
	fail "schema/scenario.schema.json is what the field tables say" \
		"regenerate: $SAMPLE --sample DIR, copy DIR/scenario.schema.json; $(head -5 "$tmp/schema.diff" | tr '\n' ' ')"
fi
validate_run "$tmp/run"
check "the sample holds a converged, a not converged, a failed and a skipped record" \
	test "$(jq -r '.status + ":" + (.outcome // "-")' "$tmp/run/scenarios.jsonl" | sort | tr '\n' ' ')" = "failed:- ok:converged ok:not_converged skipped:- "

# The validator must be able to fail.
bad() { # bad DESC JQ-FILTER-ON-LINE-1 | bad DESC run:JQ-FILTER-ON-RUN.JSON
	local desc=$1 f=$2 d=$tmp/bad-$RANDOM
	cp -r "$tmp/run" "$d"
	if [[ $f == run:* ]]; then
		jq "${f#run:}" "$tmp/run/run.json" > "$d/run.json"
	else
		{ head -1 "$tmp/run/scenarios.jsonl" | jq -c "$f"; tail -n +2 "$tmp/run/scenarios.jsonl"; } > "$d/scenarios.jsonl"
	fi
	if python3 tests/validate_run.py "$d" > "$d.out" 2>&1; then
		fail "the schema rejects $desc" "validate_run.py accepted it"
	else
		ok "the schema rejects $desc ($(head -1 "$d.out" | sed 's|.*/||' | cut -c1-80))"
	fi
}
bad "a string for migration.total_s" '.migration.total_s = "1.2"'
bad "a key that is not in the record" '.migration.total_time = 1'
bad "a record without an id" 'del(.id)'
bad "an unknown status" '.status = "running"'
bad "a negative byte count" '.migration.bytes = -5'
bad "a link state of the wrong shape" '.link.states[0].lateness_hist = "many"'
bad "overrides that are not [key, value] pairs" 'run:.overrides = [["delay"]]'
bad "a run.json without schema_version" 'run:del(.schema_version)'
d=$tmp/nan; cp -r "$tmp/run" "$d"; sed -i '1s/"total_s":1.25/"total_s":NaN/' "$d/scenarios.jsonl"
grep -q NaN "$d/scenarios.jsonl" && ! python3 tests/validate_run.py "$d" >/dev/null 2>&1 &&
	ok "NaN in a record is not JSON" || fail "NaN in a record is not JSON"

# run --resume on type-confused run.json: exit 2 with file and key.
resume_bad() { # DESC JQ-FILTER KEY
	local d=$tmp/res-$RANDOM out rc
	cp -r "$tmp/run" "$d"
	jq "$2" "$tmp/run/run.json" > "$d/run.json"
	out=$("$MIGBENCH" run --resume "$d" --dry-run 2>&1); rc=$?
	if [ $rc -eq 2 ] && [[ $out == *"$d/run.json"* && $out == *"'$3'"* ]]; then
		ok "run --resume: $1 -> exit 2 naming run.json and $3"
	else
		fail "run --resume: $1 -> exit 2 naming run.json and $3" "exit $rc: $(printf '%s' "$out" | tail -2 | tr '\n' ' ')"
	fi
}
resume_bad "overrides an object" '.overrides = {"a": 1}' overrides
resume_bad "an override of numbers" '.overrides = [[1, 2]]' 'overrides[0]'
resume_bad "an override with a null key" '.overrides = [[null, "4ms"]]' 'overrides[0]'
resume_bad "an override that is a string" '.overrides = ["delay=4ms"]' 'overrides[0]'
resume_bad "profile text a number" '.profile.text = 5' profile.text
resume_bad "profile an array" '.profile = []' profile
resume_bad "shard a number" '.shard = 2' shard

# Type-confused scenario records: skipped with file:line, the rest still count.
d=$tmp/lines; cp -r "$tmp/run" "$d"
jq '.overrides = [] | del(.shard)' "$tmp/run/run.json" > "$d/run.json"
printf '%s\n' '{"id":"d0ms-cpuadd-r1","status":{"ok":true}}' '[1,2]' '{"id":"x","status":"ok","ratio":{"during":"fast"}}' > "$d/scenarios.jsonl"
out=$("$MIGBENCH" run --resume "$d" --dry-run 2>&1); rc=$?
if [ $rc -eq 0 ] && [[ $out == *"scenarios.jsonl:1: key 'status'"* && $out == *"scenarios.jsonl:2:"* &&
	$out == *"scenarios.jsonl:3: key 'ratio.during'"* && $out == *"would run 2 scenarios"* ]]; then
	ok "run --resume skips type-confused records, naming file:line and key"
else
	fail "run --resume skips type-confused records, naming file:line and key" "exit $rc: $(printf '%s' "$out" | tr '\n' ' ' | cut -c1-300)"
fi
finish
