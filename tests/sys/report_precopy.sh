#!/usr/bin/env bash
# tests/sys/report_precopy.sh - a pre-copy comparison a reader can see,
# from tests/fixtures/precopy-run (records of a real precopy-compare.ini
# run on the lab, cut to a few scenarios: some did not converge).  No VM.
#   - outcomes: not-converged migrations are results (status ok) with their
#     progress at the end, in the records and in summary.csv;
#   - no fabricated zeros: what was not measured is an empty cell;
#   - a timeline for every migration, converged or not;
#   - the comparison table (index.html, comparison.csv): one row per
#     setting with outcome counts; the comparison plot names every setting;
#   - a schema 1 run (tests/fixtures/report-run) is still reported;
#   - Chromium renders index.html with its plots (skipped without chromium).
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
require_cmd gnuplot jq python3 || exit 0
[ -x "$MIGBENCH" ] || { skip "no $MIGBENCH (run make)"; exit 0; }

FIX=$TOP/tests/fixtures/precopy-run
tmp=$(mktemp -d /tmp/mbtest-precopy-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
d=$tmp/run
cp -a "$FIX" "$d"
validate_run "$d"

n=$(jq -s length "$d/scenarios.jsonl")
nnc=$(jq -s '[.[] | select(.outcome == "not_converged")] | length' "$d/scenarios.jsonl")
nmig=$(jq -s '[.[] | select(.migration != null)] | length' "$d/scenarios.jsonl")
check "the fixture holds converged and not converged migrations" \
	test "$nnc" -ge 1 -a "$(jq -s '[.[] | select(.outcome == "converged")] | length' "$d/scenarios.jsonl")" -ge 1

# ---- the records --------------------------------------------------------------------------
check "not converged: status ok (a result), with the reason in words" \
	jq -se 'map(select(.outcome == "not_converged")) | all(.status == "ok" and .error == null and (.outcome_why | test("did not converge")))' "$d/scenarios.jsonl"
check "not converged: the progress at the end (iteration, memory left, dirty rate, bandwidth, bytes sent, time)" \
	jq -se 'map(select(.outcome == "not_converged") | .migration.progress) | all(.iteration > 1 and .memory_remaining_bytes > 0 and .dirty_rate_bytes_per_s > 0 and .bandwidth_bytes_per_s > 0 and .data_processed_bytes > 0 and .time_s > 0)' "$d/scenarios.jsonl"
check "not converged: the completed job's figures are null, not 0" \
	jq -se 'map(select(.outcome == "not_converged") | .migration) | all(.total_s == null and .downtime_s == null and .bytes == null and .iterations == null)' "$d/scenarios.jsonl"

# ---- the report ---------------------------------------------------------------------------
out=$("$MIGBENCH" report "$d" 2>&1); rc=$?
[ $rc -eq 0 ] && ok "report exits 0" || fail "report exits 0" "exit $rc: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
grep -qF "$n scenarios, $nmig timelines" <<<"$out" && ok "a timeline for every migration ($nmig of $n scenarios)" \
	|| fail "a timeline for every migration" "$out"
missing=$(jq -r 'select(.migration != null) | .id' "$d/scenarios.jsonl" | while read -r id; do
	[ -s "$d/plots/timeline-$id.png" ] && grep -qF "plots/timeline-$id.png" "$d/index.html" || echo "$id"; done)
[ -z "$missing" ] && ok "each migration's timeline is drawn and on the page" || fail "each migration's timeline" "missing: $missing"
for id in $(jq -r 'select(.outcome == "not_converged") | .id' "$d/scenarios.jsonl"); do
	grep -q "job.dat" <(grep -F "timeline-$id." "$d/plots/plots.gp") && grep -qF "not_converged after" "$d/plots/plots.gp" \
		&& ok "timeline of $id: pre-copy dynamics from its job statistics, titled not_converged" \
		|| fail "timeline of $id shows the job statistics"
done

# summary.csv: the unfinished have empty migration figures (never 0) and
# their progress filled in; the converged have their figures.
python3 - "$d/summary.csv" > "$tmp/zeros" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
done = ("migration_total_s", "migration_downtime_s", "migration_bytes", "migration_iterations")
for r in rows:
    if r["outcome"] == "converged":
        bad = [c for c in done if r[c] in ("", "0")]
    else:
        bad = [c + "=" + r[c] for c in done if r[c] != ""]
        bad += [c + " empty" for c in ("progress_iteration", "progress_memory_remaining_bytes") if r[c] in ("", "0")]
    bad += [c + "=0" for c in ("progress_throttle_pct", "progress_throttle_max_pct") if r[c] == "0" and r["auto_converge"] != "1"]
    if bad:
        print(r["id"], " ".join(bad))
print("rows", len(rows))
EOF
if [ "$(tail -n 1 "$tmp/zeros")" = "rows $n" ] && [ "$(wc -l < "$tmp/zeros")" -eq 1 ]; then
	ok "summary.csv: no fabricated zeros ($n rows: unfinished figures empty, progress filled)"
else
	fail "summary.csv: no fabricated zeros" "$(head -n 3 "$tmp/zeros" | tr '\n' ';')"
fi

# comparison.csv and the table: one row per setting, outcome counts that
# add up to the records.
settings=$(($(wc -l < "$d/comparison.csv") - 1))
check "comparison.csv: outcome counts add up to the $n records" \
	test "$(python3 -c 'import csv,sys; print(sum(int(r["repetitions"]) for r in csv.DictReader(open(sys.argv[1]))))' "$d/comparison.csv")" = "$n"
check "comparison.csv: not converged counted ($nnc)" \
	test "$(python3 -c 'import csv,sys; print(sum(int(r["not_converged"]) for r in csv.DictReader(open(sys.argv[1]))))' "$d/comparison.csv")" = "$nnc"
check "comparison.csv: settings that never converged have empty means, not 0" \
	python3 -c 'import csv,sys; bad=[r["setting"] for r in csv.DictReader(open(sys.argv[1])) if r["converged"]=="0" and r["migration_total_s_mean"]!=""]; sys.exit(1 if bad else 0)' "$d/comparison.csv"
rows=$(awk "/<table class='compare'>/{on=1} on && /<tr class=/{n++} on && /<\/table>/{print n+0; exit}" "$d/index.html")
[ "$rows" = "$settings" ] && ok "index.html: the comparison table has one row per setting ($settings)" \
	|| fail "index.html: the comparison table has one row per setting" "$rows rows, $settings settings"
grep -q "aborted after .* at iteration .* still to send; dirtied" "$d/index.html" \
	&& ok "index.html: how far the unfinished got" || fail "index.html: how far the unfinished got"
png=$(ls "$d"/plots/compare-*.png 2>/dev/null | head -1)
[ -s "$png" ] && ok "the comparison plot is drawn ($(basename "$png"))" || fail "the comparison plot is drawn"
labels=$(python3 -c 'import csv,sys; [print(r["setting"]) for r in csv.DictReader(open(sys.argv[1]))]' "$d/comparison.csv")
miss=$(while read -r l; do grep -qF "'$l" "$d/plots/plots.gp" || echo "$l"; done <<<"$labels")
[ -z "$miss" ] && ok "the comparison plot names every setting" || fail "the comparison plot names every setting" "missing: $miss"
grep -q "red x = where one that did not converge stood" "$d/plots/plots.gp" && grep -q "compare-16ms.nc.dat" "$d/plots/plots.gp" && grep -qE "\[[0-9]+/[0-9]+ not_converged" "$d/plots/plots.gp" \
	&& ok "the comparison plot marks the settings that did not converge" || fail "the comparison plot marks the unfinished"
grep -qE "max_downtime [0-9.]+ m?s" "$d/plots/plots.gp" && ! grep -q "max_downtime=" "$d/plots/plots.gp" \
	&& ok "labels in human units (max_downtime 2 s)" || fail "labels in human units" "$(grep -o "max_downtime[^']*" "$d/plots/plots.gp" | head -2)"

# ---- schema 1 is still read ----------------------------------------------------------------
v1=$tmp/v1
cp -a "$TOP/tests/fixtures/report-run" "$v1"
out=$("$MIGBENCH" report "$v1" 2>&1); rc=$?
[ $rc -eq 0 ] && grep -q "2 scenarios, 2 timelines" <<<"$out" && ok "a schema 1 run is reported" || fail "a schema 1 run is reported" "exit $rc: $out"
check "schema 1: its migrations count as converged" \
	python3 -c 'import csv,sys; rs=list(csv.DictReader(open(sys.argv[1]))); sys.exit(0 if all(r["converged"]=="1" for r in rs) and len(rs)==2 else 1)' "$v1/comparison.csv"

# ---- in a real browser --------------------------------------------------------------------
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
	skip "Chromium screenshot of index.html: no chromium installed (apt-get install chromium)"
else
	shot=$tmp/index.png
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$tmp/chromium" \
		--screenshot="$shot" --window-size=1400,3000 "file://$d/index.html" > "$tmp/chromium.log" 2>&1
	# The PNG header's width and height, and enough bytes for a page with pictures.
	dims=$(python3 -c 'import struct,sys; b=open(sys.argv[1],"rb").read(24); print(*struct.unpack(">II", b[16:24]) if b[:8]==b"\x89PNG\r\n\x1a\n" else "none")' "$shot" 2>/dev/null)
	size=$(stat -c %s "$shot" 2>/dev/null || echo 0)
	if [ "$dims" = "1400 3000" ] && [ "$size" -gt 100000 ]; then
		ok "Chromium renders index.html with its plots ($dims, $size bytes)"
	else
		fail "Chromium renders index.html" "dims '$dims', $size bytes: $(tail -n 2 "$tmp/chromium.log" | tr '\n' ' ')"
	fi
fi
finish
