#!/usr/bin/env bash
# Checks that the packages are reproducible: builds them twice from the
# current commit, in two fresh clones in folders of different names (so a
# path leaking into a file would show), and compares every file of the two
# dist/ folders byte for byte. Exit 0 when all are identical.
#
#   scripts/repro-check.sh            # the .debs (scripts/package.sh --deb)
#   scripts/repro-check.sh --all      # also the Windows executables and MSI
#   scripts/repro-check.sh --cold     # the second build with an empty Go
#                                     # build cache (slow: compiles everything)
set -euo pipefail
cd "$(dirname "$0")/.."
what=--deb cold=0
for a in "$@"; do
  case "$a" in
  --all) what="" ;;
  --cold) cold=1 ;;
  *) echo "usage: scripts/repro-check.sh [--all] [--cold]" >&2; exit 2 ;;
  esac
done
export PATH="$PATH:/usr/local/go/bin"
commit=$(git rev-parse HEAD)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
one=$work/one two=$work/second-build
for d in "$one" "$two"; do
  git clone -q --no-checkout . "$d"
  git -C "$d" checkout -q --detach "$commit"
done
echo "repro: building $commit twice ($one, $two)" >&2
(cd "$one" && ./scripts/package.sh $what) >"$work/one.log" 2>&1 || { cat "$work/one.log"; exit 1; }
env2=()
[ $cold = 1 ] && env2=(GOCACHE="$work/gocache")
(cd "$two" && env "${env2[@]}" ./scripts/package.sh $what) >"$work/two.log" 2>&1 || { cat "$work/two.log"; exit 1; }
sums() { (cd "$1/dist" && find . -type f | sort | xargs sha256sum); }
if diff <(sums "$one") <(sums "$two"); then
  echo "repro: identical: $(sums "$one" | wc -l) files" >&2
  sums "$one"
else
  echo "repro: the two builds differ (above)" >&2
  exit 1
fi
