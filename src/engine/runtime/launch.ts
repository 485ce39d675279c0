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
import { failedPrecondition, invalidArgument } from '../errors.js';
import { ContainerRepository } from '../containers/repository.js';
import { NetworkService } from '../networks/service.js';
import { hostBoundingSet } from './capabilities.js';
import { mountRootfs, unmountRootfs } from './rootfs.js';
import { capabilitySet, DEFAULT_DEVICES, MASKED_PATHS, READONLY_PATHS, renderInitSpec, type InitSpec, type SpecMount } from './spec.js';
import { resolveUser } from './users.js';
import { containerCgroups, type LaunchCgroup } from './cgroup-port.js';
import { mergeMounts } from '../volumes/merge.js';

export interface PreparedLaunch {
  initPath: string;
  specPath: string;
  statusFifo: string;
  cgroup: LaunchCgroup;
  /** the container's first network address, where published ports lead */
  address?: string;
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function helperPath(name: 'berth-init' | 'berth-nsenter' | 'berth-proxy'): string {
  return path.join(packageRoot, 'build/Release', name);
}

export async function prepareLaunch(store: Store, images: ImageService, container: Container, native: Native): Promise<PreparedLaunch> {
  const dir = path.join(store.root, 'containers', container.id);
  const { config, hostConfig } = container;
  const args = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  if (args.length === 0) throw invalidArgument('no command specified');
  const joinTarget = networkJoinTarget(store, container);
  const cgroups = containerCgroups();
  const cgroup = cgroups.create(container.id, {
    memory: hostConfig.Memory || undefined,
    memorySwap: hostConfig.MemorySwap || undefined,
    cpus: hostConfig.NanoCpus ? hostConfig.NanoCpus / 1e9 : undefined,
    cpuShares: hostConfig.CpuShares || undefined,
    pidsLimit: hostConfig.PidsLimit ?? undefined,
  });
  const rootfs = mountRootfs(store, images, container.id, container.imageId);
  const userMounts = await userMountsOf(store, container.id); // -v, --mount, VOLUME
  const hostname = config.Hostname || container.id.slice(0, 12);
  fs.writeFileSync(path.join(dir, 'hostname'), `${hostname}\n`);
  fs.writeFileSync(path.join(dir, 'resolv.conf'), containerResolvConf(hostConfig.Dns ?? [], hostConfig.NetworkMode === 'host'));
  const user = resolveUser(native, rootfs, config.User);
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
  const network = await new NetworkService(store).attach(container, path.join(dir, 'hosts'), native); // releaseLaunch undoes it on failure
  const joins: InitSpec['joins'] = [];
  if (network.netnsPath) joins.push({ type: 'net', path: network.netnsPath });
  if (joinTarget) joins.push({ type: 'net', path: joinTarget });
  const spec: InitSpec = {
    statusFifo,
    rootfs,
    readonlyRootfs: hostConfig.ReadonlyRootfs,
    hostname,
    cgroupProcs: cgroup.procsFiles(),
    unshare: network.mode === 'none' ? ['mnt', 'uts', 'ipc', 'pid', 'net', 'cgroup'] : ['mnt', 'uts', 'ipc', 'pid', 'cgroup'],
    joins,
    mounts: mergeMounts([bind('hostname', '/etc/hostname'), bind('hosts', '/etc/hosts'), bind('resolv.conf', '/etc/resolv.conf')], userMounts),
    devices: DEFAULT_DEVICES,
    masked: privileged ? [] : MASKED_PATHS,
    readonly: privileged ? [] : READONLY_PATHS,
    cgroupfs: { access: privileged ? 'rw' : 'ro', layout: cgroups.version },
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
  return { initPath: helperPath('berth-init'), specPath, statusFifo, cgroup, address: network.address };
}

/**
 * The container's -v/--mount/VOLUME mounts. The volume code loads only for a
 * container that has some: every module a shim loads stays in its memory for
 * the container's lifetime.
 */
async function userMountsOf(store: Store, id: string): Promise<SpecMount[]> {
  let recorded: string;
  try {
    recorded = fs.readFileSync(path.join(store.root, 'containers', id, 'mounts.json'), 'utf8').trim();
  } catch {
    return [];
  }
  if (recorded === '[]') return [];
  const { prepareMounts } = await import('../volumes/launch.js');
  return prepareMounts(store, id);
}

/** --network container:<id>: the other container's network namespace, which must be running. */
function networkJoinTarget(store: Store, container: Container): string | undefined {
  const mode = container.hostConfig.NetworkMode;
  if (!mode.startsWith('container:')) return undefined;
  const target = new ContainerRepository(store).maybeFind(mode.slice('container:'.length));
  if (!target) throw failedPrecondition(`joining network of container: No such container: ${mode.slice('container:'.length, 'container:'.length + 12)}`);
  if (target.state.Status !== 'running' || target.state.Pid <= 0) {
    throw failedPrecondition(`cannot join network of a non running container: ${target.id}`);
  }
  return `/proc/${target.state.Pid}/ns/net`;
}

/** Undoes the host side of a launch; safe to call twice and after a crash. */
export async function releaseLaunch(store: Store, id: string): Promise<void> {
  await new NetworkService(store).detach(id, store.native);
  unmountRootfs(store, id);
  await containerCgroups().open(id).remove();
}

/**
 * The host's resolv.conf without loopback nameservers, which mean nothing
 * inside a new network namespace (kept with --network host); --dns replaces
 * the nameservers.
 */
function containerResolvConf(dns: string[], hostNetwork: boolean): string {
  let host = '';
  try {
    host = fs.readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    // no resolver configured on the host
  }
  const lines = host.split('\n').filter((l) => (dns.length > 0 ? !/^\s*nameserver\s/.test(l) : hostNetwork || !/^\s*nameserver\s+(127\.|::1|localhost)/.test(l)));
  lines.push(...dns.map((server) => `nameserver ${server}`));
  return `${lines.join('\n').trim()}\n`;
}
