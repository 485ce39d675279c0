#!/usr/bin/env bash
# Sets up whatever is missing for berth on Debian/Ubuntu, as root: Debian
# packages, node modules, the native build, the TypeScript build and its
# bundles, and a local busybox:latest image. Idempotent; about a second when
# nothing is missing.
# `npm start`, `npm test` and `npm run setup` all begin here.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }

# Debian packages: a C toolchain and python3 for node-gyp; busybox for the
# base image; skopeo, umoci and zstd for interop tests; tmux for the
# end-to-end TUI tests; iptables for bridge forwarding and NAT rules.
packages=(build-essential python3 busybox-static skopeo umoci zstd tmux tar libseccomp-dev iptables)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    say "missing Debian packages: ${missing[*]} (run as root, or: apt-get install ${missing[*]})"
    exit 1
  fi
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# `npm test` (setup.sh --tests) also wants the reference systems its interop tests load berth's
# images into: docker.io (the test starts a dockerd of its own when none runs) and podman. Best
# effort: where they cannot be installed, those tests say why they skip. Their services are not
# started by the install (policy-rc.d): nothing of theirs runs outside a test.
if [[ ${1-} == --tests && $(id -u) -eq 0 ]]; then
  reference=()
  for pkg in docker.io podman; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || reference+=("$pkg")
  done
  if ((${#reference[@]})); then
    say "installing ${reference[*]} for the interop tests"
    policy=/usr/sbin/policy-rc.d
    made_policy=
    if [[ ! -e $policy ]]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made_policy=1
    fi
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${reference[@]}" >/dev/null; } ||
      say "could not install ${reference[*]}: the interop tests that need them will be skipped"
    if [[ -n $made_policy ]]; then rm -f "$policy"; fi
  fi
fi

# Node modules (npm ci also builds the addon through the install script).
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing node modules"
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.package-lock.json
fi

# The native addon, rebuilt when its sources change.
if [[ ! -f build/Release/berth.node || -n $(find src/native binding.gyp -newer build/Release/berth.node -print -quit) ]]; then
  say "building native code"
  npx --no-install node-gyp rebuild --loglevel=error >/dev/null
fi

# TypeScript, rebuilt when any source changes; then the CLI and TUI bundles
# bin/berth runs, and Yoga for the TUI (their code caches are stale with them).
stamp=dist/.build-stamp
if [[ ! -f $stamp || ! -f dist/berth.cjs || ! -f dist/tui.cjs || ! -f dist/yoga.wasm || -n $(find src test bench tsconfig.json package.json package-lock.json scripts/bundle.mjs -newer "$stamp" -print -quit) ]]; then
  say "compiling TypeScript"
  npx --no-install tsc -p tsconfig.json
  node scripts/bundle.mjs
  touch "$stamp"
fi

# The local busybox:latest base image, made from Debian's static busybox.
rootfs=build/busybox-rootfs.tar
if [[ ! -f $rootfs || /bin/busybox -nt $rootfs || scripts/busybox-rootfs.sh -nt $rootfs ]]; then
  bash scripts/busybox-rootfs.sh "$rootfs"
fi
if [[ $(id -u) -eq 0 && -z $(bin/berth images -q busybox:latest 2>/dev/null) ]]; then
  say "importing busybox:latest into ${BERTH_ROOT:-/var/lib/berth}"
  bin/berth import --change 'CMD ["sh"]' --message 'busybox from Debian busybox-static' "$rootfs" busybox:latest >/dev/null
fi
