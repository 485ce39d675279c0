#!/usr/bin/env bash
# Screenshots of the TUI for the docs, from a throw-away store with busybox
# and two running containers (web: an interactive sh; worker: a loop that
# uses some CPU, memory and disk):
#   screenshots/tui-120x40.txt, tui-80x24.txt  text, captured by tmux
#   screenshots/containers.png  the container list and the worker's processes
#   screenshots/stats.png       the worker's Stats tab: blessed-contrib line charts
#   screenshots/layers.png      busybox's layer and its file tree
#   screenshots/attach.png      attached to web, with the detach hint
# The PNGs are a real terminal emulator's pixels: xterm on a virtual X server
# (Xvfb writes its framebuffer to a file, netpbm turns that into a PNG), with
# tmux inside xterm so keys can be sent from here.
#
# Needs root, tmux and these Debian packages, installed when missing (only this
# doc step needs them, so scripts/setup.sh does not):
#   xvfb xterm netpbm fonts-dejavu-core
# Cleans up everything it starts: containers, the spare shim, mounts, cgroups,
# the store's bridge, the tmux servers, xterm and Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
export LANG=C.UTF-8 LC_ALL=C.UTF-8

X_PACKAGES=(xvfb xterm netpbm fonts-dejavu-core)
if ! command -v Xvfb >/dev/null || ! command -v xterm >/dev/null || ! command -v xwdtopnm >/dev/null ||
  ! fc-list 2>/dev/null | grep -q 'DejaVu Sans Mono'; then
  echo "installing ${X_PACKAGES[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${X_PACKAGES[@]}" >/dev/null
fi

root=$(mktemp -d /tmp/berth-shots-XXXX)
config=$(mktemp -d /tmp/berth-shots-config-XXXX)
fbdir=$(mktemp -d /tmp/berth-shots-fb-XXXX)
socket="berth-shots-$$"
xsocket="berth-shots-x-$$"
xvfb_pid='' xterm_pid=''
export BERTH_CGROUP_PARENT="berth-shots-$$" BERTH_CONFIG_DIR="$config"
berth() { bin/berth --root "$root" "$@"; }
cleanup() {
  tmux -L "$socket" kill-server 2>/dev/null || true
  tmux -L "$xsocket" kill-server 2>/dev/null || true
  [ -n "$xterm_pid" ] && kill "$xterm_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  ids=$(berth ps -aq 2>/dev/null || true)
  [ -n "$ids" ] && berth rm -f $ids >/dev/null 2>&1 || true
  [ -f "$root/spare.pid" ] && kill -9 "$(cat "$root/spare.pid")" 2>/dev/null || true
  grep " $root" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  # the store's bridge and its firewall rules
  node -e "import('./dist/src/engine/engine.js').then(async ({ Engine }) => { const e = Engine.open({ root: process.argv[1] }); await e.networks.teardown(); e.close(); })" "$root" || true
  rm -rf "$root" "$config" "$fbdir"
  node -e "import('./dist/src/engine/cgroups/index.js').then((m) => m.createCgroupDriver({ parent: process.env.BERTH_CGROUP_PARENT }).removeParent())" || true
}
trap cleanup EXIT

berth import --change 'CMD ["sh"]' build/busybox-rootfs.tar busybox:latest >/dev/null
berth run -dit --name web busybox sh >/dev/null
# a sawtooth of CPU, memory growing in /dev/shm (tmpfs counts as memory), a synced write every second
berth run -d --name worker busybox sh -c 'n=0; while :; do n=$((n + 1)); i=0; while [ $i -lt $((n % 8 * 5000)) ]; do i=$((i + 1)); done; [ $n -le 60 ] && dd if=/dev/zero of=/dev/shm/block$n bs=64k count=4 2>/dev/null; dd if=/dev/zero of=/tmp/scratch bs=64k count=$((n % 4 * 4)) conv=fsync 2>/dev/null; sleep 1; done' >/dev/null
berth config set refreshMs 500
mkdir -p screenshots

# ---- text, through tmux alone ----
for size in 120x40 80x24; do
  cols=${size%x*} rows=${size#*x}
  tmux -L "$socket" -f /dev/null new-session -d -s "s$size" -x "$cols" -y "$rows" "bin/berth --root '$root'"
  for _ in $(seq 100); do
    tmux -L "$socket" capture-pane -p -t "s$size" | grep -q '1 root' && break
    [ "$size" = 80x24 ] && tmux -L "$socket" send-keys -t "s$size" 4
    sleep 0.1
  done
  tmux -L "$socket" capture-pane -p -t "s$size" > "screenshots/tui-$size.txt"
  tmux -L "$socket" send-keys -t "s$size" q
done
echo "wrote screenshots/tui-120x40.txt screenshots/tui-80x24.txt"

# ---- pictures, through xterm on Xvfb ----
exec 3> "$fbdir/display"
Xvfb -displayfd 3 -screen 0 1400x1000x24 -fbdir "$fbdir" -nolisten tcp -br -nocursor >/dev/null 2>&1 &
xvfb_pid=$!
exec 3>&-
for _ in $(seq 50); do [ -s "$fbdir/display" ] && break; sleep 0.1; done
export DISPLAY=":$(cat "$fbdir/display")"

tmux -L "$xsocket" -f /dev/null new-session -d -s shots -x 120 -y 40 "bin/berth --root '$root'"
tmux -L "$xsocket" set -g status off
tmux -L "$xsocket" set -g default-terminal screen-256color
# a dark background that is not black, so pnmcrop can cut the rest of the (black) X screen away
xterm -geometry 120x40+0+0 -fa 'DejaVu Sans Mono' -fs 11 -bg '#1d1f21' -fg '#d0d0d0' -b 12 +sb \
  -xrm 'XTerm*cursorBlink: false' -e tmux -L "$xsocket" attach -t shots >/dev/null 2>&1 &
xterm_pid=$!

keys() { tmux -L "$xsocket" send-keys -t shots "$@"; }
# waits (up to 20 s) until the pane shows the extended regex $1
wait_for() {
  for _ in $(seq 200); do
    tmux -L "$xsocket" capture-pane -p -t shots | grep -Eq -- "$1" && return 0
    sleep 0.1
  done
  echo "screenshots: the TUI never showed /$1/:" >&2
  tmux -L "$xsocket" capture-pane -p -t shots >&2
  return 1
}
# xterm paints while the TUI redraws (twice a second here): take the picture
# once two frames 0.2 s apart are the same, so no glyph is caught half drawn
shot() {
  for _ in $(seq 30); do
    xwdtopnm "$fbdir/Xvfb_screen0" > "$fbdir/a.pnm" 2>/dev/null
    sleep 0.2
    xwdtopnm "$fbdir/Xvfb_screen0" > "$fbdir/b.pnm" 2>/dev/null
    cmp -s "$fbdir/a.pnm" "$fbdir/b.pnm" && break
  done
  pnmcrop -black "$fbdir/b.pnm" 2>/dev/null | pnmtopng > "screenshots/$1.png"
  echo "wrote screenshots/$1.png"
}

wait_for 'Processes of web'
keys j # worker: its shell and the sleep under it
wait_for 'Processes of worker'
wait_for '└─ sleep'
shot containers

keys ']' ']' # logs → inspect → stats
wait_for '\[stats\]'
sleep 30 # 60 samples at 500 ms
wait_for 'PIDS'
shot stats

keys 2 # the images pane: the selected image's layer and its files
wait_for 'Layer 1 contents'
wait_for 'bin/'
shot layers

keys 1 k a # back to the containers, web, attach
wait_for 'Attached to web'
keys 'echo hello from web; ls /' Enter
wait_for '^bin +dev'
shot attach
keys C-p C-q
wait_for 'detached from web'
keys q
