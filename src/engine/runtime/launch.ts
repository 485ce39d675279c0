/**
 * Everything the host side does to start a container's process, in order:
 * cgroup, rootfs mount, /etc files, user lookup, the init spec and its status
 * FIFO. `releaseLaunch` undoes the host side after the process ends. Both run
 * in the shim, so restarts reuse them.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Native } from '../native.js';
import { packageRoot } from '../native.js';
import type { ImageService } from '../images/service.js';
import type { Store } from '../store/store.js';
import type { Container } from '../containers/types.js';
import { invalidArgument } from '../errors.js';
import { hostBoundingSet } from './capabilities.js';
import { mountRootfs, unmountRootfs } from './rootfs.js';
import { capabilitySet, DEFAULT_DEVICES, MASKED_PATHS, READONLY_PATHS, renderInitSpec, type InitSpec } from './spec.js';
import { resolveUser } from './users.js';
import { containerCgroups, type LaunchCgroup } from './cgroup-port.js';

export interface PreparedLaunch {
  initPath: string;
  specPath: string;
  statusFifo: string;
  cgroup: LaunchCgroup;
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function helperPath(name: 'berth-init' | 'berth-nsenter'): string {
  return path.join(packageRoot, 'build/Release', name);
}

export function prepareLaunch(store: Store, images: ImageService, container: Container, native: Native): PreparedLaunch {
  const dir = path.join(store.root, 'containers', container.id);
  const { config, hostConfig } = container;
  const args = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  if (args.length === 0) throw invalidArgument('no command specified');
  const cgroup = containerCgroups().create(container.id, {
    memory: hostConfig.Memory || undefined,
    memorySwap: hostConfig.MemorySwap || undefined,
    cpus: hostConfig.NanoCpus ? hostConfig.NanoCpus / 1e9 : undefined,
    cpuShares: hostConfig.CpuShares || undefined,
    pidsLimit: hostConfig.PidsLimit ?? undefined,
  });
  const rootfs = mountRootfs(store, images, container.id, container.imageId);
  const hostname = config.Hostname || container.id.slice(0, 12);
  fs.writeFileSync(path.join(dir, 'hostname'), `${hostname}\n`);
  fs.writeFileSync(
    path.join(dir, 'hosts'),
    `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n`,
  );
  fs.writeFileSync(path.join(dir, 'resolv.conf'), containerResolvConf());
  const user = resolveUser(rootfs, config.User);
  const env = [...config.Env];
  const has = (key: string) => env.some((e) => e.startsWith(`${key}=`));
  if (!has('PATH')) env.unshift(`PATH=${DEFAULT_PATH}`);
  if (!has('HOSTNAME')) env.push(`HOSTNAME=${hostname}`);
  if (!has('HOME')) env.push(`HOME=${user.home}`);
  if (config.Tty && !has('TERM')) env.push('TERM=xterm');
  const privileged = hostConfig.Privileged;
  const securityOpts = hostConfig.SecurityOpt ?? [];
  const statusFifo = path.join(dir, 'init.status');
  fs.rmSync(statusFifo, { force: true });
  native.mknod(statusFifo, native.S_IFIFO | 0o600, 0, 0);
  const bind = (file: string, target: string) => ({ type: 'bind', source: path.join(dir, file), target, flags: ['bind'] });
  const spec: InitSpec = {
    statusFifo,
    rootfs,
    readonlyRootfs: hostConfig.ReadonlyRootfs,
    hostname,
    cgroupProcs: cgroup.procsFiles(),
    unshare: ['mnt', 'uts', 'ipc', 'pid', 'net', 'cgroup'],
    joins: [],
    mounts: [bind('hostname', '/etc/hostname'), bind('hosts', '/etc/hosts'), bind('resolv.conf', '/etc/resolv.conf')],
    devices: DEFAULT_DEVICES,
    masked: privileged ? [] : MASKED_PATHS,
    readonly: privileged ? [] : READONLY_PATHS,
    args,
    env,
    cwd: config.WorkingDir || '/',
    uid: user.uid,
    gid: user.gid,
    groups: user.groups,
    caps: capabilitySet({
      capAdd: hostConfig.CapAdd,
      capDrop: hostConfig.CapDrop,
      privileged,
      host: hostBoundingSet(fs.readFileSync('/proc/self/status', 'utf8')),
    }),
    noNewPrivs: securityOpts.some((o) => /^no-new-privileges(:true|=true)?$/.test(o)),
    seccomp: privileged || securityOpts.some((o) => /^seccomp[=:]unconfined$/.test(o)) ? 'unconfined' : 'default',
  };
  const specPath = path.join(dir, 'init.spec');
  fs.writeFileSync(specPath, renderInitSpec(spec), { mode: 0o600 });
  return { initPath: helperPath('berth-init'), specPath, statusFifo, cgroup };
}

/** Undoes the host side of a launch; safe to call twice and after a crash. */
export async function releaseLaunch(store: Store, container: Container): Promise<void> {
  unmountRootfs(store, container.id);
  await containerCgroups().open(container.id).remove();
}

/** The host's resolv.conf without loopback nameservers, which mean nothing inside a new network namespace. */
function containerResolvConf(): string {
  let host = '';
  try {
    host = fs.readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    // no resolver configured on the host
  }
  const lines = host.split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1|localhost)/.test(l));
  return `${lines.join('\n').trim()}\n`;
}
