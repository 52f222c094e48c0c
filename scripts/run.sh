#!/usr/bin/env bash
# The main job: builds Pickup, starts a local reference registry with demo
# data (TLS with a self-signed certificate the terminal pins), enrols a
# terminal against it, syncs, receives the shipments and opens the counter
# window, which keeps syncing in the background. Without a display it runs
# the window under Xvfb and saves a screenshot instead.
# Everything lives in ./run (PICKUP_RUN_DIR); run again to reuse it, or
# delete the folder to start afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
gui=""
[ -z "${DISPLAY:-}" ] && gui="--gui"
source ./scripts/deps.sh $gui
export PATH="$PATH:/usr/local/go/bin"
echo "Building (the first build compiles Fyne's GL code: about 3 minutes)…"
make -s build

run=${PICKUP_RUN_DIR:-$PWD/run}
reg="$run/registry" term="$run/terminal"
port=${PICKUP_PORT:-8470}
centre=${PICKUP_CENTRE:-namur}
mkdir -p "$run"
export LANG=${LANG:-en_US.UTF-8}
[ "$LANG" = C ] && export LANG=en_US.UTF-8

if [ ! -e "$reg/registry.db" ]; then
  bin/pickup-registry demo --data "$reg" --centres 3 --requests 300
fi
bin/pickup-registry serve --data "$reg" --listen "127.0.0.1:$port" --dev-tls >"$run/registry.log" 2>&1 &
regpid=$!
trap 'kill $regpid 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  grep -q serving "$run/registry.log" 2>/dev/null && break
  sleep 0.2
done
echo "Registry: https://127.0.0.1:$port (log: $run/registry.log)"

if ! bin/pickup --data "$term" status >/dev/null 2>&1; then
  code=$(bin/pickup-registry terminal enrol --data "$reg" --centre "$centre" --json | sed -n 's/.*"enrolment_code": *"\([^"]*\)".*/\1/p')
  bin/pickup --data "$term" enrol --registry "https://127.0.0.1:$port" --code "$code"
  bin/pickup --data "$term" sync || true
  bin/pickup --data "$term" stock receive --shipment all >/dev/null || true
  bin/pickup --data "$term" sync >/dev/null || true
fi
bin/pickup --data "$term" status
echo
echo "Codes to try (from the registry's list for $centre):"
bin/pickup-registry codes --data "$reg" --centre "$centre" | awk -F, 'NR>1 && NR<=7 {print "  " $1 "  " $4 "  " $6 ".." $7 "  " $8}'
echo "The professionals' letters (code as text and QR, centre, dates, parcel):"
bin/pickup-registry letters --data "$reg" --centre "$centre" --out "$run/letters-$centre.pdf" 2>/dev/null || true

if [ -n "${DISPLAY:-}" ]; then
  bin/pickup --data "$term"
  exit 0
fi
echo
echo "No display: running the window under Xvfb for 15 s and saving a screenshot."
shot="$run/screenshot.png"
xvfb-run -a -s '-screen 0 1280x800x24' bash -c "
  bin/pickup --data '$term' & pid=\$!
  sleep 12; import -window root '$shot' || true
  kill \$pid 2>/dev/null; wait \$pid 2>/dev/null || true"
echo "Screenshot: $shot"
echo "The terminal's command line works without a display: bin/pickup --data $term help"
