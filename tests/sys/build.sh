#!/usr/bin/env bash
# build.sh - the README's first command on a fresh machine: `make deps sweep`
# and `make deps check` must build in one invocation, although the libraries
# appear only when `deps` (the first goal) has installed them.  A pkg-config
# that knows no package until a fake `deps` step ran stands in for the fresh
# machine; the tree is built in a copy.  Also: a library still missing at
# build time is a message naming the Debian package, not a compiler error.
. "$(dirname "$0")/../lib.sh"
require_cmd pkg-config git || exit 0
pkg-config --exists libvirt libnl-route-3.0 json-c inih || { skip "needs the build libraries (make deps)"; exit 0; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src"
(cd "$TOP" && git ls-files -co --exclude-standard -z | grep -zv '^results/' | xargs -0 cp --parents -t "$tmp/src")
cat > "$tmp/pkg-config" <<PC
#!/bin/sh
# Knows nothing until the fake deps step has "installed" the libraries.
[ -e "$tmp/installed" ] || { echo "Package \$2 was not found in the pkg-config search path." >&2; exit 1; }
exec pkg-config "\$@"
PC
chmod +x "$tmp/pkg-config"

out=$(make -C "$tmp/src" PKG_CONFIG="$tmp/pkg-config" all 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q 'libvirt-dev' <<<"$out" && grep -q 'libnl-route-3-dev' <<<"$out" &&
   ! grep -qE 'error:|No such file' <<<"$out"; then
	ok "missing libraries: the build stops naming the Debian packages"
else
	fail "missing libraries: the build stops naming the Debian packages" "exit $rc: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
fi

rm -rf "$tmp/src/build"
out=$(make -C "$tmp/src" PKG_CONFIG="$tmp/pkg-config" DEPS_CMD="touch $tmp/installed" deps all 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -x "$tmp/src/migbench" ] && "$tmp/src/migbench" --version >/dev/null 2>&1; then
	ok "make deps all: one invocation builds once deps has installed the libraries"
else
	fail "make deps all: one invocation builds once deps has installed the libraries" "exit $rc: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
fi

# No rebuild of everything after a commit: only the files that include the
# version header are compiled again when the revision changes.
n=$(cd "$tmp/src" && git init -q . 2>/dev/null && git add -A >/dev/null 2>&1 &&
    git -c user.name=t -c user.email=t@t commit -qm t >/dev/null 2>&1 &&
    make PKG_CONFIG="$tmp/pkg-config" all 2>&1 | grep -c '^  CC ')
if [ "${n:-99}" -le 3 ]; then ok "a new revision recompiles only what includes the version ($n files)"
else fail "a new revision recompiles only what includes the version" "$n files compiled"; fi
finish
