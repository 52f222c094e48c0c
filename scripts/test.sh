#!/usr/bin/env bash
# Runs every test of Pickup from a clean clone: installs what is missing
# (apt packages for Fyne's cgo build, staticcheck), checks formatting, vet and
# staticcheck, builds both binaries, runs each fuzz target briefly, then every
# package's tests. Exit 0 only when all pass.
set -euo pipefail
cd "$(dirname "$0")/.."
source ./scripts/deps.sh --pdf-tools --browser
export PATH="$PATH:/usr/local/go/bin:$(go env GOPATH)/bin"
# An iteration count, not a duration: short timed runs can end in a spurious
# "context deadline exceeded" on a loaded machine.
FUZZTIME=${FUZZTIME:-10000x}

step() { printf '\n== %s\n' "$*"; }

step "gofmt"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$bad" ]; then echo "gofmt would change: $bad"; exit 1; fi

# Every package but the window's main package builds and tests without cgo.
pkgs=$(CGO_ENABLED=0 go list -e ./... | grep -v '/app$')

step "go vet"
CGO_ENABLED=0 go vet $pkgs
go vet ./app

step "staticcheck"
if ! command -v staticcheck >/dev/null; then
  go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
CGO_ENABLED=0 staticcheck $pkgs

step "build (bin/pickup with cgo, bin/pickup-registry without)"
make -s build
CGO_ENABLED=0 go build -o /dev/null ./sync/... ./store/... ./app/cli/...

step "packages: the .debs (scripts/package.sh --deb), installed and run in a fresh Debian root"
./scripts/package.sh --deb
PICKUP_DIST=dist CGO_ENABLED=0 go test -count=1 -timeout 20m ./packaging/

fuzzlog=$(mktemp)
trap 'rm -f "$fuzzlog"' EXIT
step "fuzz targets, $FUZZTIME each"
grep -rl --include='*_test.go' '^func Fuzz' . | sort | while read -r f; do
  dir=$(dirname "$f")
  for fn in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | cut -d' ' -f2); do
    n=$FUZZTIME
    case "$dir" in ./app/scan*) n=${FUZZTIME_IMAGES:-1000x} ;; esac # image decoding is slow per run
    echo "fuzz $dir $fn ($n)"
    CGO_ENABLED=0 go test -run '^$' -fuzz "^$fn\$" -fuzztime "$n" "$dir" >"$fuzzlog" 2>&1 \
      || { cat "$fuzzlog"; exit 1; }
  done
done

step "tests"
CGO_ENABLED=0 go test -count=1 -timeout 15m $pkgs
