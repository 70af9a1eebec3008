#!/usr/bin/env bash
# tests/sys/docs.sh - the README tells the truth: its key reference is the
# option table's, its two commands exist, every shipped profile and every
# exit code it lists are real.  Every check can fail: an empty answer from
# the tool or an empty section of the README is a failure, never a match.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"

# The key reference: the tool must answer, the README section must exist,
# and the two must be equal.
if ! want=$("$MIGBENCH" help keys --markdown 2>&1) || [ -z "$want" ]; then
	fail "README key reference matches the option table" "migbench help keys --markdown failed or printed nothing: $(tail -n 2 <<<"$want" | tr '\n' ' ')"
else
	have=$(awk '/<!-- keys:begin -->/{on=1;next} /<!-- keys:end -->/{on=0} on' README.md)
	if [ -z "$have" ]; then
		fail "README key reference matches the option table" "no <!-- keys:begin --> ... <!-- keys:end --> section in README.md"
	elif [ "$want" = "$have" ]; then
		ok "README key reference matches the option table"
	else
		fail "README key reference matches the option table" "differs ($(diff <(echo "$want") <(echo "$have") | grep -c '^[<>]') lines); run scripts/readme-keys.sh"
	fi
fi

grep -qx '    make deps sweep' README.md && ok "README shows the main command" || fail "README shows the main command"
grep -qx '    make deps check' README.md && ok "README shows the test command" || fail "README shows the test command"
for t in deps sweep check check-asan bench fuzz guest install; do
	grep -qE "^$t:" Makefile && ok "make $t has a rule" || fail "make $t has a rule"
done

# Profiles the README names: at least one (the main command's), each present.
profiles=$(grep -o 'profiles/[A-Za-z0-9_.-]*\.ini' README.md | sort -u)
if [ -z "$profiles" ]; then
	fail "README names the shipped profiles" "no profiles/*.ini in README.md"
else
	for p in $profiles; do
		[ -f "$p" ] && ok "README's $p exists" || fail "README's $p exists"
	done
fi

# Exit codes: --help lists exactly the expected set, and the README's table
# lists the same set (no code missing, none extra).
expected="0 1 2 3 4 130"
codes=$("$MIGBENCH" help exit-codes 2>&1 | awk '/^  [0-9]/{print $1}' | xargs)
[ "$codes" = "$expected" ] && ok "exit codes documented in --help: $codes" || fail "exit codes in --help" "got '$codes', wanted '$expected'"
# The README's table: the rows after its "| exit | meaning |" header.
readme_codes=$(awk '/^\| exit \| meaning \|/{on=1; next} on && !/^\|/{on=0} on' README.md |
	grep -oE '^\| [0-9]+ \|' | tr -d '| ' | xargs)
if [ "$readme_codes" = "$expected" ]; then
	ok "README documents every exit code: $readme_codes"
else
	fail "README documents every exit code" "README's table has '$readme_codes', wanted '$expected'"
fi
finish
