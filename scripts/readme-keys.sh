#!/bin/sh
# scripts/readme-keys.sh - regenerate the profile key reference in README.md
# (between <!-- keys:begin --> and <!-- keys:end -->) from the option table.
#   scripts/readme-keys.sh [MIGBENCH]
set -eu
cd "$(dirname "$0")/.."
bin=${1:-./migbench}
tmp=$(mktemp)
"$bin" help keys --markdown > "$tmp.keys"
awk -v keys="$tmp.keys" '
	/<!-- keys:begin -->/ { print; while ((getline l < keys) > 0) print l; skip = 1; next }
	/<!-- keys:end -->/ { skip = 0 }
	!skip { print }' README.md > "$tmp"
mv "$tmp" README.md
rm -f "$tmp.keys"
