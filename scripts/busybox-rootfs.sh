#!/usr/bin/env bash
# Writes a busybox root filesystem tarball (Debian's static busybox, an applet
# link for every command, /etc/passwd and /etc/group) to $1. The tar is
# reproducible: same busybox binary, same bytes, same DiffID.
set -euo pipefail
out=${1:?usage: busybox-rootfs.sh OUT.tar}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,dev,proc,sys,root,home,var/spool/cron/crontabs,var/www}
install -d -m 1777 "$root/tmp"
install -m 0755 /bin/busybox "$root/bin/busybox"
while read -r applet; do
  [[ $applet == bin/busybox ]] && continue
  dir=$(dirname "$applet")
  mkdir -p "$root/$dir"
  rel=$(realpath --relative-to="$root/$dir" "$root/bin/busybox")
  ln -sf "$rel" "$root/$applet"
done < <(/bin/busybox --list-full)
cat > "$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
P
cat > "$root/etc/group" <<'G'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
www-data:x:33:
nogroup:x:65534:
G
chmod 0700 "$root/root"
mkdir -p "$(dirname "$out")"
tar --sort=name --numeric-owner --owner=0 --group=0 --mtime='2024-01-01 00:00:00Z' \
  -C "$root" -cf "$out.partial" .
mv "$out.partial" "$out"
