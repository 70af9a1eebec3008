#!/usr/bin/env bash
# tests/sys/docs.sh - the README tells the truth: its key reference is the
# option table's, its two commands exist, every shipped profile and every
# exit code it lists are real.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"
want=$("$MIGBENCH" help keys --markdown)
have=$(awk '/<!-- keys:begin -->/{on=1;next} /<!-- keys:end -->/{on=0} on' README.md)
[ "$want" = "$have" ] && ok "README key reference matches the option table" || fail "README key reference matches the option table" "run scripts/readme-keys.sh"
grep -qx '    make deps sweep' README.md && ok "README shows the main command" || fail "README shows the main command"
grep -qx '    make deps check' README.md && ok "README shows the test command" || fail "README shows the test command"
for t in deps sweep check check-asan bench fuzz guest install; do
	grep -qE "^$t:" Makefile && ok "make $t has a rule" || fail "make $t has a rule"
done
for p in $(grep -o 'profiles/[a-z-]*\.ini' README.md | sort -u); do
	[ -f "$p" ] && ok "README's $p exists" || fail "README's $p exists"
done
codes=$("$MIGBENCH" help exit-codes | awk '/^  [0-9]/{print $1}' | tr '\n' ' ')
[ "$codes" = "0 1 2 3 4 130 " ] && ok "exit codes documented in --help: $codes" || fail "exit codes in --help" "$codes"
for c in 0 1 2 3 4 130; do grep -q "^| $c |" README.md || fail "README documents exit code $c"; done
ok "README documents every exit code"
finish
