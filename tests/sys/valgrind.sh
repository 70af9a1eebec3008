#!/usr/bin/env bash
# tests/sys/valgrind.sh - the unit tests and the profile front end under
# valgrind's memcheck: no invalid access, no use of uninitialised memory,
# no leak.  (The sanitizer build, make check-asan, covers the rest.)
. "$(dirname "$0")/../lib.sh"
require_cmd valgrind || exit 0
cd "$TOP"
[ "$BUILD_DIR" = build ] || { skip "runs on the plain build (this is $BUILD_DIR)"; exit 0; }
vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect)
for t in build/tests/test_*; do
	[[ $t == *.d ]] && continue
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "${vg[@]}" "$t" 2>&1); rc=$?
	[ $rc -eq 0 ] && ok "$(basename "$t") clean under memcheck" || fail "$(basename "$t") under memcheck" "exit $rc: $(grep -m3 '==' <<<"$out" | tr '\n' ' ')"
done
out=$("${vg[@]}" "$MIGBENCH" check profiles/*.ini 2>&1); rc=$?
[ $rc -eq 0 ] && ok "migbench check profiles/*.ini clean under memcheck" || fail "migbench check under memcheck" "exit $rc: $(grep -m3 '==' <<<"$out" | tr '\n' ' ')"
printf '[global]\ndealy=1\ndelay=4xs\n[x y]\n' > /tmp/mbtest-vg.ini
out=$("${vg[@]}" "$MIGBENCH" check /tmp/mbtest-vg.ini 2>&1); rc=$?
rm -f /tmp/mbtest-vg.ini
[ $rc -eq 2 ] && ok "errors path clean under memcheck (exit 2)" || fail "errors path under memcheck" "exit $rc: $(grep -m3 '==' <<<"$out" | tr '\n' ' ')"
out=$("${vg[@]}" "$MIGBENCH" plan profiles/precopy-compare.ini --json 2>&1 >/dev/null); rc=$?
[ $rc -eq 0 ] && ok "migbench plan --json clean under memcheck" || fail "migbench plan under memcheck" "exit $rc: $(grep -m3 '==' <<<"$out" | tr '\n' ' ')"
finish
