#!/usr/bin/env bash
# Builds Pickup's packages into dist/ (make packages):
#   dist/pickup_VERSION_amd64.deb            the counter (window + command line)
#   dist/pickup-registry_VERSION_amd64.deb   the registry, with its systemd unit
#   dist/windows/pickup.exe, pickup-cli.exe  the counter for Windows (window; console)
#   dist/Pickup-VERSION-x64.msi              their installer
#   dist/SHA256SUMS                          (and SHA256SUMS.asc when signed)
#
#   scripts/package.sh            # everything
#   scripts/package.sh --deb      # only the .debs (what CI builds every run)
#   scripts/package.sh --windows  # only the Windows files
#
# The version comes from git (scripts/version.sh): a tag vX.Y.Z on HEAD
# gives X.Y.Z, otherwise BASE~gitN.HASH (BASE from app/FyneApp.toml, N
# commits): "~" sorts before the release in dpkg. Builds are reproducible: the same commit gives the
# same bytes (SOURCE_DATE_EPOCH = the commit's time, -trimpath, no build id,
# no VCS stamp, fixed mtimes in the archives; scripts/repro-check.sh).
#
# Signing, when keys are given (otherwise unsigned, and a line says so):
#   PICKUP_SIGN_CERT, PICKUP_SIGN_KEY   Authenticode (PEM certificate and key)
#                                       for the .exe and .msi, with osslsigncode;
#   PICKUP_SIGN_KEY_PASS                the key's passphrase, if any;
#   PICKUP_GPG_KEY                      a GnuPG key id: SHA256SUMS.asc, a
#                                       detached signature of SHA256SUMS.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

want_deb=1 want_win=1
case "${1:-}" in
"") ;;
--deb) want_win=0 ;;
--windows) want_deb=0 ;;
*) echo "usage: scripts/package.sh [--deb | --windows]" >&2; exit 2 ;;
esac

deps=(--packaging)
[ $want_win = 1 ] && deps+=(--windows)
source ./scripts/deps.sh "${deps[@]}"
export PATH="$PATH:/usr/local/go/bin:$(go env GOPATH)/bin"
if ! command -v nfpm >/dev/null; then
  echo "package: installing nfpm v2.45.2" >&2
  go install github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2
fi

# --- version and reproducibility settings ----------------------------------
commit=$(git rev-parse HEAD)
short=$(git rev-parse --short=7 HEAD)
VERSION=$(scripts/version.sh)
case "$VERSION" in *+dirty)
  echo "package: the work tree has uncommitted changes: version $VERSION (not reproducible from $short)" >&2 ;;
esac
# The Windows installer wants numbers only: X.Y.Z (and the commit count).
msi_version=$(echo "$VERSION" | sed 's/[~+-].*//')
case "$VERSION" in *~git*) n=${VERSION#*~git}; msi_version="$msi_version.${n%%.*}" ;; esac
export VERSION SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct HEAD)}
export TZ=UTC LC_ALL=C GOFLAGS=-mod=readonly
umask 022

bi=github.com/pickup-terminal/pickup/internal/buildinfo
ldflags="-s -w -buildid= -X $bi.Version=$VERSION -X $bi.Commit=$commit"
# gobuild EXTRA_LDFLAGS GO_BUILD_ARGS...
gobuild() {
  local extra=$1
  shift
  go build -trimpath -buildvcs=false -ldflags "$ldflags $extra" "$@"
}

DIST=${PICKUP_DIST:-$REPO/dist}
case "$DIST" in /*) ;; *) DIST=$REPO/$DIST ;; esac
STAGE=$DIST/.stage
rm -rf "$STAGE"
mkdir -p "$DIST" "$STAGE"
export STAGE REPO
echo "package: Pickup $VERSION (commit $short, SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH)" >&2

# gz writes a reproducible gzip file (no name, no time stamp).
gz() { gzip -9n <"$1" >"$2"; }

changelog() { # changelog PACKAGE > file: one entry for this build
  printf '%s (%s) unstable; urgency=medium\n\n  * Built from commit %s.\n\n -- %s  %s\n' \
    "$1" "$VERSION" "$commit" "Pickup developers <pickup-terminal@users.noreply.github.com>" \
    "$(date -u -d "@$SOURCE_DATE_EPOCH" -R)"
}

# --- Debian packages --------------------------------------------------------
if [ $want_deb = 1 ]; then
  echo "package: building the Linux binaries (pickup with cgo: minutes when cold)" >&2
  CGO_ENABLED=1 GOOS=linux GOARCH=amd64 gobuild "-extldflags=-Wl,-z,relro,-z,now" -buildmode=pie -o "$STAGE/pickup" ./app
  CGO_ENABLED=0 GOOS=linux GOARCH=amd64 gobuild "" -o "$STAGE/pickup-registry" ./sync/registry/cmd/pickup-registry
  # gcc's version notes (.comment) serve nothing in a stripped binary.
  objcopy --remove-section=.comment "$STAGE/pickup"

  # Man pages from the commands themselves (the hidden `docs` command; the
  # pages' date is SOURCE_DATE_EPOCH), one folder per package.
  for b in pickup pickup-registry; do
    "$STAGE/$b" docs --out "$STAGE/man.raw/$b" --format man >/dev/null
    mkdir -p "$STAGE/man/$b"
    for f in "$STAGE/man.raw/$b"/*.1; do
      gz "$f" "$STAGE/man/$b/$(basename "$f").gz"
    done
  done

  sed -e "s/@VERSION@/$VERSION/" -e "s/@DATE@/$(date -u -d "@$SOURCE_DATE_EPOCH" +%F)/" \
    packaging/linux/io.github.pickup_terminal.pickup.metainfo.xml >"$STAGE/io.github.pickup_terminal.pickup.metainfo.xml"
  cp packaging/linux/copyright "$STAGE/copyright"
  for p in pickup pickup-registry; do
    changelog "$p" >"$STAGE/changelog-$p"
    gz "$STAGE/changelog-$p" "$STAGE/changelog-$p.gz"
    cfg=packaging/linux/$p.yaml
    rm -f "$DIST/${p}_"*.deb
    if ! out=$(nfpm package --config "$cfg" --packager deb --target "$DIST/${p}_${VERSION}_amd64.deb" 2>&1); then
      echo "package: nfpm failed for $p: $out" >&2
      exit 1
    fi
    echo "package: dist/${p}_${VERSION}_amd64.deb" >&2
  done
fi

# --- Windows ----------------------------------------------------------------
if [ $want_win = 1 ]; then
  # shellcheck source=packaging/windows/build.sh
  source packaging/windows/build.sh
fi

# --- checksums and signatures -----------------------------------------------
packaging/sign-sums.sh "$DIST"
rm -rf "$STAGE"
echo "package: done: $(cd "$DIST" && wc -l <SHA256SUMS) files in dist/ (see dist/SHA256SUMS)" >&2
