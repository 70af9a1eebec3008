# bench/lib.sh - what every bench shares (sourced): repeated rounds, their
# spread, and verdicts that never call noise "met".
#
# The machines are shared and noisy, so a bench measures each figure in
# BENCH_ROUNDS rounds (alternating with its baseline where it has one) and
# prints the median with the range over the rounds.  A target is judged on
# the whole range, never on one number:
#   met           every round meets the target
#   MISSED        no round meets it
#   inconclusive  the rounds straddle the target, there are too few rounds
#                 to see a spread, or (for a cost against a baseline) the
#                 noise is wider than the target or the cost is negative
#
#   spread FMT UNIT V...     "M UNIT (range A..B, n=N)", numbers printed
#                            with FMT, UNIT may be ""
#   verdict le|ge TARGET V...  a level: le = at most TARGET, ge = at least
#   cost_verdict TARGET V...   a cost in % against a baseline of the same
#                              rounds (at most TARGET %)
#   each_verdict TARGET V...   one figure per member of a set (the cells of
#                              a sweep), each at most TARGET: met when every
#                              one is, MISSED (how many, the worst) when not

BENCH_ROUNDS=${BENCH_ROUNDS:-3}
# Fewer rounds than this show no spread worth judging.
BENCH_MIN_ROUNDS=3

# is_num V: V is a finite decimal number (what jq/awk print).
is_num() { [[ $1 =~ ^-?[0-9]+([.][0-9]*)?([eE][-+]?[0-9]+)?$ ]]; }

# all_num V...: every value is a number (a failed round gives "" or null).
all_num() {
	local v
	[ $# -gt 0 ] || return 1
	for v in "$@"; do is_num "$v" || return 1; done
}

# stats V...: "median min max n" (the median of an even count is the mean
# of the middle two).
stats() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
		END { if (!NR) exit 1
		      m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%.10g %.10g %.10g %d\n", m, v[1], v[NR], NR }'
}

spread() {
	local fmt=$1 unit=${2:+ $2}; shift 2
	stats "$@" | awk -v f="$fmt" -v u="$unit" '{ printf f "%s (range " f ".." f ", n=%d)", $1, u, $2, $3, $4 }'
}

verdict() {
	local op=$1 target=$2; shift 2
	stats "$@" | awk -v op="$op" -v t="$target" -v minn="$BENCH_MIN_ROUNDS" '{
		lo = $2; hi = $3; n = $4
		if (n < minn) { printf "inconclusive (%d round%s: no spread to judge)\n", n, n == 1 ? "" : "s"; exit }
		if (op == "le") {
			if (hi <= t) print "met"
			else if (lo > t) print "MISSED"
			else printf "inconclusive (range %g..%g straddles the target %g)\n", lo, hi, t
		} else {
			if (lo >= t) print "met"
			else if (hi < t) print "MISSED"
			else printf "inconclusive (range %g..%g straddles the target %g)\n", lo, hi, t
		}
	}'
}

cost_verdict() {
	local target=$1; shift
	stats "$@" | awk -v t="$target" -v minn="$BENCH_MIN_ROUNDS" '{
		m = $1; lo = $2; hi = $3; n = $4; noise = hi - lo
		if (n < minn) printf "inconclusive (%d round%s: no spread to judge)\n", n, n == 1 ? "" : "s"
		else if (noise > t) printf "inconclusive (noise %.2f%% > target %g%%)\n", noise, t
		else if (m < 0) printf "inconclusive (negative cost %.2f%%: noise %.2f%%)\n", m, noise
		else if (hi <= t) print "met"
		else if (lo > t) print "MISSED"
		else printf "inconclusive (range %.2f..%.2f%% straddles the target %g%%)\n", lo, hi, t
	}'
}

each_verdict() {
	local target=$1; shift
	all_num "$@" || { echo "inconclusive (a member has no figure)"; return; }
	printf '%s\n' "$@" | awk -v t="$target" '{ if ($1 > t) bad++; if (NR == 1 || $1 > m) m = $1 }
		END { if (bad) printf "MISSED (%d of %d above %g; worst %.3g)\n", bad, NR, t, m
		      else print "met" }'
}
