#!/usr/bin/env sh
# Prints the version Pickup is built as, from git: X.Y.Z when HEAD is
# tagged vX.Y.Z, otherwise BASE~gitN.HASH (BASE is app/FyneApp.toml's
# Version, N the number of commits; "~" sorts before the release in dpkg),
# with "+dirty" when tracked files have uncommitted changes. Outside a git
# checkout: BASE~unknown. Used by the Makefile and scripts/package.sh.
set -eu
cd "$(dirname "$0")/.."
base=$(sed -n 's/^ *Version *= *"\([0-9.]*\)".*/\1/p' app/FyneApp.toml)
base=${base:-0.0.0}
if ! git rev-parse --verify -q HEAD >/dev/null 2>&1; then
  echo "$base~unknown"
  exit 0
fi
if tag=$(git describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null); then
  v=${tag#v}
else
  v="$base~git$(git rev-list --count HEAD).$(git rev-parse --short=7 HEAD)"
fi
[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || v="$v+dirty"
echo "$v"
