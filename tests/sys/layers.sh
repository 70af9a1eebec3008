#!/usr/bin/env bash
# layers.sh - the include graph between source folders: core/ includes only
# core/, and no two folders depend on each other, directly or around a
# longer loop.  Folder A depends on folder B when a file in A has
# #include "B/....h".  A cycle is printed as "a -> b -> ... -> a".
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1

# Edges allowed for now, each with the reason and what removes it.  Exactly
# these: an allowed edge that no longer exists is a failure too (delete it
# here), so the list never hides a new one.
ALLOWED=()

# Source folders: every top-level folder with C files, except tests and
# benchmarks (they may include anything).
folders() {
	local d
	for d in */; do
		d=${d%/}
		case $d in tests | bench | build | examples | scripts | results) continue ;; esac
		compgen -G "$d/*.[ch]" >/dev/null && echo "$d"
	done
}

# "from to" for every include of another folder's header, sorted, unique.
edges() {
	local d f inc
	for d in $(folders); do
		for f in "$d"/*.[ch]; do
			sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"/]*\)\/[^"]*".*/\1/p' "$f" |
				while read -r inc; do
					[ "$inc" != "$d" ] && [ -d "$inc" ] && echo "$d $inc"
				done
		done
	done | sort -u
}

# Reads "from to" lines; prints one cycle ("a -> b -> a") per back edge a
# depth-first search meets, nothing when the graph has none.
find_cycles() {
	declare -A adj=() color=()
	local from to n
	while read -r from to; do
		adj[$from]+="$to "
		color[$from]=0
		color[$to]=0
	done
	local -a stack=()
	visit() {
		local v=$1 w i
		color[$v]=1
		stack+=("$v")
		for w in ${adj[$v]:-}; do
			if [ "${color[$w]}" = 1 ]; then
				local path=""
				for ((i = ${#stack[@]} - 1; i >= 0; i--)); do
					path="${stack[$i]}${path:+ -> }$path"
					[ "${stack[$i]}" = "$w" ] && break
				done
				echo "$path -> $w"
			elif [ "${color[$w]}" = 0 ]; then
				visit "$w"
			fi
		done
		unset 'stack[${#stack[@]}-1]'
		color[$v]=2
	}
	for n in $(printf '%s\n' "${!color[@]}" | sort); do
		[ "${color[$n]}" = 0 ] && visit "$n"
	done
}

# The cycle finder itself must find a planted loop (else a pass means nothing).
got=$(printf 'a b\nb c\nc a\nc d\n' | find_cycles)
if [ "$got" = "a -> b -> c -> a" ]; then ok "the cycle finder finds a planted loop"
else fail "the cycle finder finds a planted loop" "got: ${got:-nothing}"; fi

all=$(edges)
[ -n "$all" ] || { fail "include graph" "no edges found (run from the source tree?)"; finish; }

bad=$(awk '$1 == "core" && $2 != "core"' <<<"$all" | while read -r a b; do
	grep -l "#include \"$b/" core/*.[ch] | sed "s|\$| includes $b/|"; done | tr '\n' ' ')
if [ -z "$bad" ]; then ok "core/ includes only core/"
else fail "core/ includes only core/" "$bad"; fi

kept=$all
for e in "${ALLOWED[@]}"; do
	if grep -qx "$e" <<<"$all"; then
		echo "  (allowed for now: ${e% *} -> ${e#* })"
		kept=$(grep -vx "$e" <<<"$kept")
	else
		fail "allowed edge ${e% *} -> ${e#* } still exists" "it is gone: delete it from ALLOWED in tests/sys/layers.sh"
	fi
done

cycles=$(find_cycles <<<"$kept")
if [ -z "$cycles" ]; then ok "no include cycle between folders ($(wc -l <<<"$kept") edges)"
else fail "no include cycle between folders" "$(tr '\n' ';' <<<"$cycles")"; fi

# core/enum.h: a name table that does not match its enum does not compile.
if command -v "${CC:-cc}" >/dev/null 2>&1; then
	enum_src() { # $1 = the names after "a"
		printf '#include "core/enum.h"\nenum e { E_A, E_B, E_LAST };\nMB_ENUM_DECL(e);\nMB_ENUM_IMPL(e, E_LAST, "a"%s);\n' "$1"
	}
	if enum_src ', "b"' | "${CC:-cc}" -std=gnu11 -Wall -Werror -I. -fsyntax-only -x c - 2>/dev/null &&
	   ! enum_src '' | "${CC:-cc}" -std=gnu11 -I. -fsyntax-only -x c - 2>/dev/null &&
	   ! enum_src ', "b", "c"' | "${CC:-cc}" -std=gnu11 -I. -fsyntax-only -x c - 2>/dev/null; then
		ok "an enum name table with a name too few or too many does not compile"
	else
		fail "an enum name table with a name too few or too many does not compile"
	fi
else
	skip "needs a C compiler (${CC:-cc})"
fi
finish
