#!/usr/bin/env bash
# Installs what building and testing Pickup needs on Debian or Ubuntu, when
# missing, without questions: a C compiler, pkg-config and the GL/X11 headers
# for Fyne's cgo build, make, and (with --gui) Xvfb and ImageMagick for
# running the window headless (with --pdf-tools, poppler-utils and zbar-tools
# for the letter tests; with --browser, Chromium for the web console's
# browser tests; with --packaging and --windows, the packagers and checkers
# scripts/package.sh and packaging/ use). Safe to run again: it installs
# nothing twice.
set -euo pipefail

pkgs=(gcc libc6-dev pkg-config make ca-certificates git
  libgl-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev)
pkgs+=(iproute2) # the end-to-end mDNS test's network namespaces (ip netns)
for a in "$@"; do
  case "$a" in
    --gui) pkgs+=(xvfb xauth imagemagick xdotool fonts-dejavu-core) ;;
    --qr-tools) pkgs+=(zbar-tools zxing-cpp-tools) ;;
    --pdf-tools) pkgs+=(poppler-utils zbar-tools) ;; # the registry's letter tests read PDFs and their QR codes
    --browser) pkgs+=(chromium fonts-dejavu-core) ;;   # the console's tests drive a headless Chromium
    # scripts/package.sh and the install test of packaging/.
    --packaging) pkgs+=(lintian desktop-file-utils appstream debootstrap systemd gnupg util-linux iproute2 gzip) ;;
    --windows) pkgs+=(gcc-mingw-w64-x86-64 wixl msitools osslsigncode openssl faketime) ;;
  esac
done

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null; then SUDO="sudo"; else
      echo "deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 2
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  # One apt at a time when several checkouts share a machine (flock makes
  # the lock file if it is missing).
  lock=/var/lock/pickup-apt.lock
  [ -d /work/wt ] && lock=/work/wt/apt.lock
  $SUDO flock "$lock" apt-get update -qq >/dev/null
  $SUDO flock "$lock" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v go >/dev/null; then
  if [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; else
    echo "deps: Go is not installed: install Go 1.26 or newer first (https://go.dev/doc/install)" >&2; exit 2
  fi
fi
