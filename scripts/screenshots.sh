#!/usr/bin/env bash
# Text screenshots of the TUI for the docs: screenshots/tui-120x40.txt and
# screenshots/tui-80x24.txt, from a throw-away store with busybox and one
# running container. Needs root and tmux; cleans up everything it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(mktemp -d /tmp/berth-shots-XXXX)
config=$(mktemp -d /tmp/berth-shots-config-XXXX)
socket="berth-shots-$$"
export BERTH_CGROUP_PARENT="berth-shots-$$" BERTH_CONFIG_DIR="$config"
berth() { node bin/berth --root "$root" "$@"; }
cleanup() {
  tmux -L "$socket" kill-server 2>/dev/null || true
  ids=$(berth ps -aq 2>/dev/null || true)
  [ -n "$ids" ] && berth rm -f $ids >/dev/null 2>&1 || true
  [ -f "$root/spare.pid" ] && kill -9 "$(cat "$root/spare.pid")" 2>/dev/null || true
  grep " $root" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$root" "$config"
  node -e "import('./dist/src/engine/cgroups/index.js').then((m) => m.createCgroupDriver({ parent: process.env.BERTH_CGROUP_PARENT }).removeParent())" || true
}
trap cleanup EXIT
berth import --change 'CMD ["sh"]' build/busybox-rootfs.tar busybox:latest >/dev/null
berth run -dit --name web busybox sh >/dev/null
mkdir -p screenshots
for size in 120x40 80x24; do
  cols=${size%x*} rows=${size#*x}
  tmux -L "$socket" new-session -d -s "s$size" -x "$cols" -y "$rows" "node bin/berth --root '$root'"
  for _ in $(seq 100); do
    tmux -L "$socket" capture-pane -p -t "s$size" | grep -q '1 root' && break
    [ "$size" = 80x24 ] && tmux -L "$socket" send-keys -t "s$size" 4
    sleep 0.1
  done
  tmux -L "$socket" capture-pane -p -t "s$size" > "screenshots/tui-$size.txt"
  tmux -L "$socket" send-keys -t "s$size" q
done
echo "wrote screenshots/tui-120x40.txt screenshots/tui-80x24.txt"
