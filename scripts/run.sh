#!/usr/bin/env bash
# The main job: builds Pickup, makes a demo terminal (and, once the registry
# is there, a local registry with demo data the terminal enrols against), and
# opens the counter window. Without a display it runs the window under Xvfb
# and saves a screenshot instead.
set -euo pipefail
cd "$(dirname "$0")/.."
gui=""
[ -z "${DISPLAY:-}" ] && gui="--gui"
source ./scripts/deps.sh $gui
export PATH="$PATH:/usr/local/go/bin"
make -s build

run=${PICKUP_RUN_DIR:-$PWD/run}
term="$run/terminal"
mkdir -p "$run"
bin/pickup --data "$term" demo

export LANG=${LANG:-en_US.UTF-8}
[ "$LANG" = C ] && export LANG=en_US.UTF-8
if [ -n "${DISPLAY:-}" ]; then
  exec bin/pickup --data "$term"
fi
echo "No display: running the window under Xvfb for 10 s and saving a screenshot."
shot="$run/screenshot.png"
xvfb-run -a -s '-screen 0 1280x800x24' bash -c "
  bin/pickup --data '$term' & pid=\$!
  sleep 8; import -window root '$shot' || true
  kill \$pid 2>/dev/null; wait \$pid 2>/dev/null || true"
echo "Screenshot: $shot"
echo "Try the counter from the command line: bin/pickup --data $term lookup CODE (codes above)"
