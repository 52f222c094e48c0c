#!/usr/bin/env bash
# packaging/sign-sums.sh DIST: writes DIST/SHA256SUMS (the checksums of the
# .debs, .msi and .exe files in DIST) and, when PICKUP_GPG_KEY names a
# GnuPG key, DIST/SHA256SUMS.asc, its detached ASCII-armoured signature
# (check with: gpg --verify SHA256SUMS.asc SHA256SUMS). Without a key it
# says the checksums are unsigned. Called by scripts/package.sh.
set -euo pipefail
dist=$1
cd "$dist"
rm -f SHA256SUMS SHA256SUMS.asc
find . -maxdepth 2 -type f \( -name '*.deb' -o -name '*.msi' -o -name '*.exe' \) -printf '%P\n' |
  LC_ALL=C sort | xargs -r sha256sum >SHA256SUMS
if [ -n "${PICKUP_GPG_KEY:-}" ]; then
  gpg --batch --yes --local-user "$PICKUP_GPG_KEY" --armor --detach-sign --output SHA256SUMS.asc SHA256SUMS
  echo "package: SHA256SUMS signed with GnuPG key $PICKUP_GPG_KEY (SHA256SUMS.asc)" >&2
else
  echo "package: UNSIGNED checksums: set PICKUP_GPG_KEY to sign SHA256SUMS" >&2
fi
