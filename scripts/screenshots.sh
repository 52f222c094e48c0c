#!/usr/bin/env bash
# Screenshots of the real counter window (make screenshots): builds
# bin/pickup with cgo, makes a demo data folder, runs the window under Xvfb
# and drives it with xdotool as a volunteer would (typing codes like a USB
# scanner, Enter, 1–4, Ctrl+Z, Escape, F-keys), then writes PNGs into
# screenshots/. It also prints how long the window took to be ready to scan.
#
# Then every screen of the test shots (screens/SIZE-LANG-NAME.png).
#
#   scripts/screenshots.sh            # all screens
#   SHOTS_DIR=/tmp/s scripts/screenshots.sh
#   SHOTS_ONLY=trouble scripts/screenshots.sh   # one screen of the test shots
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
SELF="$ROOT/scripts/screenshots.sh"
OUT=${SHOTS_DIR:-$ROOT/screenshots}
export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"
export LANG=en_US.UTF-8
# Settle time after a key, for the window to render (software GL under Xvfb).
SETTLE=${SETTLE:-0.6}

# --- inside Xvfb: drive one window session ---------------------------------
if [ "${1:-}" = "--inner" ]; then
  shift
  session=$1 data=$2
  shift 2
  log=$OUT/.window-$session.log
  start_ns=$(date +%s%N)
  "$ROOT/bin/pickup" --data "$data" "$@" >"$log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  win=""
  for _ in $(seq 1 150); do
    win=$(xdotool search --name '^Pickup' 2>/dev/null | head -1 || true)
    [ -n "$win" ] && break
    sleep 0.1
  done
  if [ -z "$win" ]; then
    echo "screenshots: the window did not open; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  mapped_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
  sleep 1.5 # first frame
  xdotool windowfocus --sync "$win" 2>/dev/null || true
  ready=$(sed -n 's/.*msg="counter ready" startup_ms=\([0-9]*\).*/\1/p' "$log" | head -1)
  echo "screenshots: $session: window mapped after ${mapped_ms} ms, ready to scan after ${ready:-?} ms (process start to app started)"

  shot() { sleep "$SETTLE"; import -window root "$OUT/$1.png"; echo "  $1.png"; }
  key() { xdotool key --clearmodifiers "$@"; }
  scan() { xdotool type --delay 15 "$1"; key Return; }

  case "$session" in
  main)
    # shellcheck disable=SC1090
    . "$OUT/.samples"
    shot 01-idle
    scan "$ok"
    shot 02-ok-gloves
    key 2
    shot 03-ok-gloves-size-M
    key Return
    shot 04-handed-over-undo
    key ctrl+z
    shot 05-undone
    key Escape
    scan "$ok_masks_only"
    shot 06-masks-only
    key Escape
    scan "$already_collected"
    shot 07-already-collected
    scan "$wrong_centre"
    shot 08-wrong-centre
    scan "$not_yet_open"
    shot 09-not-yet-open
    scan "$window_closed"
    shot 10-window-closed
    scan "$cancelled"
    shot 11-cancelled
    scan "$unknown_code"
    shot 12-unknown-code
    scan "$invalid_code"
    shot 13-typo
    n=14
    for lang in fr nl de en; do
      case $lang in fr) k=F1 ;; nl) k=F2 ;; de) k=F3 ;; en) k=F4 ;; esac
      key Escape "$k"
      scan "$ok"
      shot "$n-ok-$lang"
      n=$((n + 1))
    done
    key Escape F5
    scan 4711 # the manager PIN set below
    shot 18-today
    key Escape F8
    scan "$ok"
    key 3
    shot 19-high-contrast
    key F8 Escape
    ;;
  firstrun)
    shot 20-first-run
    ;;
  small)
    # shellcheck disable=SC1090
    . "$OUT/.samples"
    scan "$ok"
    key 1
    shot 21-ok-1024x768
    scan "$wrong_centre"
    shot 22-wrong-centre-1024x768
    ;;
  esac
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  exit 0
fi

# --- outside: install, build, prepare, run ----------------------------------
./scripts/deps.sh --gui
echo "screenshots: building bin/pickup (cgo; a cold build takes about 3 minutes)" >&2
go build -o bin/pickup ./app

mkdir -p "$OUT"
rm -f "$OUT"/*.png
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin/pickup --data "$work/demo" demo --json >"$work/demo.json"
# The demo's sample code per verdict, as shell variables (ok=..., ok_masks_only=...).
sed -n 's/^ *"\([a-z_]*\)": "\([0-9A-Z-]*\)",\{0,1\}$/\1=\2/p' "$work/demo.json" >"$OUT/.samples"
grep -q '^ok=' "$OUT/.samples" || { echo "screenshots: no samples in the demo's output" >&2; exit 1; }
echo 4711 | bin/pickup --data "$work/demo" config manager-pin >/dev/null
cp -r "$work/demo" "$work/demo-small"

xvfb-run -a -s '-screen 0 1280x800x24' "$SELF" --inner main "$work/demo" --lang en
xvfb-run -a -s '-screen 0 1280x800x24' "$SELF" --inner firstrun "$work/empty" --lang en
xvfb-run -a -s '-screen 0 1024x768x24' "$SELF" --inner small "$work/demo-small" --lang en --fullscreen
rm -f "$OUT/.samples"

# Every screen in the four languages at 1280×800 and 1024×768, rendered by
# Fyne's test driver on real stores and a real registry on 127.0.0.1
# (app/counter/shots_test.go: add a screen there, one line in shotScreens).
# SHOTS_ONLY=NAME renders one screen of that table.
echo "screenshots: every screen, four languages, two sizes (go test -run TestShots ./app/counter)" >&2
mkdir -p "$OUT/screens"
rm -f "$OUT"/screens/*.png
PICKUP_TEST_SHOTS="$OUT/screens" PICKUP_TEST_SHOTS_ONLY="${SHOTS_ONLY:-}" CGO_ENABLED=0 \
  go test -count=1 -timeout 30m -run '^TestShots$' ./app/counter/

echo "screenshots: $(ls "$OUT"/*.png | wc -l) PNGs of the window in $OUT, $(ls "$OUT"/screens/*.png | wc -l) of every screen in $OUT/screens" >&2
for f in "$OUT"/*.png "$OUT"/screens/*.png; do
  size=$(identify -format '%wx%h' "$f")
  case $size in
  1280x800 | 1024x768) ;;
  *) echo "screenshots: $f is $size" >&2 ;;
  esac
done
