#!/usr/bin/env bash
# tests/sys/resident.sh - guests with real memory, end to end on a lab of
# its own: two 512 MiB guests, each with RESIDENT of resident memory, one
# random and one zero, migrated over a plain link.  The random guest's
# migration must carry at least 0.85 x its resident memory (its pages are
# distinct and incompressible), the zero guest's much less (QEMU skips zero
# pages: the baseline); both guests report the fill they hold, and the
# records match the schema.  Heavy (boots two guests), about 2 minutes.
. "$(dirname "$0")/../lib.sh"
require_root || exit 0
require_cmd libvirtd tgtd qemu-system-x86_64 jq || exit 0
require_guest || exit 0
cd "$TOP"

LAB=mbtres
RESIDENT=400MiB
RES_BYTES=$((400 << 20))
out=$(mktemp -d /tmp/mbtest-resident-XXXXXX)
trap '"$MIGBENCH" lab down --lab.name=$LAB >/dev/null 2>&1; rm -rf "$out"' EXIT

# The guest program in the image must know the resident words.
if ! zcat build/guest/initrd.img 2>/dev/null | grep -aq 'migbench.resident='; then
	skip "the guest image predates migbench.resident (run make guest)"; exit 0
fi

cat > "$out/resident.ini" <<EOF
[global]
workload = idle
memory = 512MiB
resident = $RESIDENT
resident_pattern = random,zero
before = 2s
after = 2s
probe = no
[lab]
lun_size = 32MiB
EOF
"$MIGBENCH" run "$out/resident.ini" --lab.name=$LAB --out "$out/run" > "$out/log" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "migbench run exits 0" || fail "migbench run exits 0" "exit $rc: $(tail -3 "$out/log" | tr '\n' ' ')"
J="$out/run/scenarios.jsonl"
for pat in random zero; do
	r=$(jq -c "select(.resident.pattern == \"$pat\")" "$J" 2>/dev/null)
	[ -n "$r" ] || { fail "$pat: recorded"; continue; }
	check "$pat: status ok" test "$(jq -r .status <<<"$r")" = ok
	check "$pat: the id names the pattern" jq -e '.id | test("rp'$pat'")' <<<"$r"
	check "$pat: the record asks for $RESIDENT" jq -e ".resident.bytes == $RES_BYTES" <<<"$r"
	check "$pat: the config echo has resident and its pattern" jq -e ".config.resident == $RES_BYTES and .config.resident_pattern == \"$pat\"" <<<"$r"
	check "$pat: the guest reported filling all of it" jq -e ".resident.filled_bytes == $RES_BYTES and .resident.fill_s > 0 and .resident.locked" <<<"$r"
	check "$pat: the guest ran before, during and after" jq -e '[.phases.before.n, .phases.after.n] | all(. > 5)' <<<"$r"
	check "$pat: the guest runs on the destination afterwards" jq -e '.migration.guest_state_target == "running"' <<<"$r"
done
rnd=$(jq -r 'select(.resident.pattern == "random") | .migration.bytes' "$J" 2>/dev/null)
zero=$(jq -r 'select(.resident.pattern == "zero") | .migration.bytes' "$J" 2>/dev/null)
fill=$(jq -r 'select(.resident.pattern == "random") | .resident.fill_s' "$J" 2>/dev/null)
check "random: migration.bytes ($rnd) >= 0.85 x resident ($RES_BYTES)" \
	awk -v b="${rnd:-0}" -v r=$RES_BYTES 'BEGIN { exit !(b >= 0.85 * r) }'
check "zero: migration.bytes ($zero) < 0.5 x resident: zero pages are skipped" \
	awk -v b="${zero:-1e30}" -v r=$RES_BYTES 'BEGIN { exit !(b < 0.5 * r) }'
check "random carries at least 0.8 x resident more than zero ($rnd vs $zero)" \
	awk -v a="${rnd:-0}" -v b="${zero:-1e30}" -v r=$RES_BYTES 'BEGIN { exit !(a - b >= 0.8 * r) }'
echo "# random fill of $RESIDENT under TCG: ${fill:-?} s"
validate_run "$out/run"
finish
