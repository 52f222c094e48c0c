# Sourced by scripts/package.sh (which sets VERSION, msi_version, commit,
# gobuild, DIST, STAGE, SOURCE_DATE_EPOCH): the Windows executables into
# dist/windows/ and their installer dist/Pickup-VERSION-x64.msi, signed when
# PICKUP_SIGN_CERT and PICKUP_SIGN_KEY are given.

win=$DIST/windows
rm -rf "$win" "$DIST"/Pickup-*-x64.msi
mkdir -p "$win"
echo "package: building the Windows executables (pickup.exe with mingw cgo: about 6 minutes when cold)" >&2
# pickup.exe: the window, a GUI-subsystem program (no console opens with it).
CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ GOOS=windows GOARCH=amd64 \
  gobuild "-H=windowsgui" -o "$win/pickup.exe" ./app
# pickup-cli.exe: the same commands, a console program a technician runs in cmd.exe.
CGO_ENABLED=0 GOOS=windows GOARCH=amd64 gobuild "" -o "$win/pickup-cli.exe" ./app/cmd/pickup-cli

# winsign FILE: Authenticode signature in place, with the given certificate.
# The signing time is the commit's, so that a signed build is reproducible too.
winsign() {
  local f=$1 args=(-certs "$PICKUP_SIGN_CERT" -key "$PICKUP_SIGN_KEY" -n "Pickup" -i "https://github.com/pickup-terminal/pickup" -h sha256 -time "$SOURCE_DATE_EPOCH")
  [ -n "${PICKUP_SIGN_KEY_PASS:-}" ] && args+=(-pass "$PICKUP_SIGN_KEY_PASS")
  osslsigncode sign "${args[@]}" -in "$f" -out "$f.signed" >/dev/null
  mv "$f.signed" "$f"
}
signing=0
if [ -n "${PICKUP_SIGN_CERT:-}" ] && [ -n "${PICKUP_SIGN_KEY:-}" ]; then
  signing=1
  winsign "$win/pickup.exe"
  winsign "$win/pickup-cli.exe"
elif [ -n "${PICKUP_SIGN_CERT:-}${PICKUP_SIGN_KEY:-}" ]; then
  echo "package: PICKUP_SIGN_CERT and PICKUP_SIGN_KEY go together: give both" >&2
  exit 2
fi

# guid NAME: a GUID derived from NAME (the same build gives the same codes).
guid() {
  local h
  h=$(printf '%s' "$1" | sha256sum | tr a-f A-F)
  echo "${h:0:8}-${h:8:4}-${h:12:4}-${h:16:4}-${h:20:12}"
}
msidir=$STAGE/msi
mkdir -p "$msidir"
cp "$win/pickup.exe" "$win/pickup-cli.exe" packaging/windows/pickup.ico "$msidir/"
touch -d "@$SOURCE_DATE_EPOCH" "$msidir"/*
msi=$DIST/Pickup-$VERSION-x64.msi
# wixl stamps the current time and a random package code into the summary
# information: run it at the commit's time (faketime) and set the package
# code afterwards (msibuild -s), so that the MSI is reproducible too.
package_code="{$(guid "pickup-package-$VERSION-$commit")}"
(cd "$msidir" && faketime -f "@$(date -u -d "@$SOURCE_DATE_EPOCH" '+%F %T')" \
  wixl -a x64 -D Version="$msi_version" \
  -D ProductCode="$(guid "pickup-product-$VERSION-$commit")" \
  -D PackageCode="$package_code" \
  -o "$msi" "$REPO/packaging/windows/pickup.wxs")
msibuild "$msi" -s "Pickup $msi_version: the Red Cross pickup counter" "Pickup developers" "x64;1033" "$package_code"
[ $signing = 1 ] && winsign "$msi"
if [ $signing = 1 ]; then
  echo "package: Windows executables and installer signed with $PICKUP_SIGN_CERT" >&2
else
  echo "package: UNSIGNED Windows executables and installer: set PICKUP_SIGN_CERT and PICKUP_SIGN_KEY to sign them" >&2
fi
echo "package: dist/windows/pickup.exe, dist/windows/pickup-cli.exe, dist/$(basename "$msi") (MSI version $msi_version)" >&2
